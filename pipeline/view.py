"""A side-by-side view of a stored document for the terminal (rich renderables).

Builds what to show; printing is the CLI's job.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from .document import AlignedDocument, Translation
from .languages import LANGUAGES, SOURCE_LANGUAGE, native_name
from .model import ModelStatus
from .store import DocumentSummary


def document_view(doc: AlignedDocument) -> Group:
    """Title, byline and one row per sentence: English | 中文 | Français."""
    article = doc.article
    langs = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE and lang in doc.translations]
    header = Text(article.title, style="bold")
    byline = " | ".join(
        part for part in (", ".join(article.authors), article.outlet or "", article.published or "") if part
    )
    meta = Text(f"{doc.doc_id}  {byline}", style="dim")
    signatures = {str(doc.translations[lang].signature) for lang in langs}
    if len(signatures) == 1:
        models = Text(f"translated by {signatures.pop()}", style="dim")
    else:
        models = Text("\n".join(f"{lang}: {doc.translations[lang].signature}" for lang in langs), style="dim")
    table = Table(show_lines=False, expand=True, header_style="bold")
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    # overflow="fold": Chinese has no spaces to wrap at, and must wrap, not be cut off.
    for lang in (SOURCE_LANGUAGE, *langs):
        table.add_column(native_name(lang), ratio=1, overflow="fold")
    table.add_row("", Text(article.title, style="bold"),
                  *(_cell(doc.translations[lang].title, style="bold") for lang in langs))
    previous_paragraph = None
    for sentence in doc.sentences:
        if previous_paragraph is not None and sentence.paragraph != previous_paragraph:
            table.add_section()  # a rule between paragraphs
        previous_paragraph = sentence.paragraph
        table.add_row(str(sentence.index), Text(sentence.text),
                      *(_cell(doc.translations[lang].sentences[sentence.index]) for lang in langs))
    return Group(header, meta, models, table)


def _cell(translation: Translation, *, style: str = "") -> Text:
    """A translation, with its quality flags marked under it (all as plain text, never markup)."""
    cell = Text(translation.text, style=style)
    for flag in translation.flags:
        cell.append(f"\n⚑ {flag.name}: {flag.reason}", style="yellow")
    return cell


def document_list(documents: list[DocumentSummary]) -> Table:
    table = Table(header_style="bold")
    table.add_column("id", no_wrap=True)
    table.add_column("title", overflow="fold")
    for column in ("date", "sentences", "languages"):
        table.add_column(column)
    for doc in documents:
        # Text(): a title is data, so "[sic]" or "[/]" in it is shown, never read as markup.
        table.add_row(Text(doc.doc_id), Text(doc.title), Text(doc.published or ""), str(doc.sentences),
                      ",".join(doc.languages))
    return table


def catalogue_view(statuses: list[ModelStatus], *, default: str) -> Group:
    """Each catalogue model: what it is, and what of it is installed and prepared."""
    lines = []
    for status in statuses:
        manifest = status.manifest
        lines.append(Text.assemble((manifest.name, "bold"), "  (default)" if manifest.name == default else ""))
        lines.append(Text(f"  {manifest.description}"))
        lines.append(Text(f"  family {manifest.family} · languages {', '.join(manifest.languages)} · "
                          f"licence {manifest.license} · engine {manifest.engine}"))
        lines.append(Text(f"  installed: {status.installed}"))
        prepared = "; ".join(str(path) for path in status.prepared) or f"no (bitext models prepare {manifest.name})"
        lines.append(Text(f"  prepared: {prepared}"))
    return Group(*lines)


class RateColumn(ProgressColumn):
    """Items per second (articles, sentences), once there is a rate to show."""

    def render(self, task):
        return Text(f"{task.speed:.2f}/s" if task.speed else "", style="progress.data.speed")


def progress_display(console: Console) -> Progress:
    """The one progress display of a command: a line per task, with rate and time left."""
    return Progress(
        SpinnerColumn(),
        # markup=False: a task's description may be an article title, which is data.
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def step_reporter(progress: Progress):
    """Adapt the library's progress(message, done, total) calls to a rich task per step."""
    tasks: dict[str, int] = {}

    def report(message: str, done: int, total: int | None) -> None:
        if message not in tasks:
            for task_id in tasks.values():  # a new step means the previous ones ended
                task = progress.tasks[task_id]
                progress.update(task_id, total=task.total or 1, completed=task.total or 1)
            tasks[message] = progress.add_task(message, total=total)
        progress.update(tasks[message], completed=done, total=total)

    return report
