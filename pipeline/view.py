"""A side-by-side view of a stored document for the terminal (rich renderables).

Builds what to show; printing is the CLI's job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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

from .document import AlignedDocument, Edition, Translation
from .ingest import plain_text
from .languages import LANGUAGES, SOURCE_LANGUAGE, native_name
from .products import ModelStatus
from .store import DocumentSummary

if TYPE_CHECKING:  # the run's and the aligner's records, not their (heavier) modules
    from .alignment.editions import AlignedEditions
    from .runner import ArticleResult


def shown(text: str, style: str = "") -> Text:
    """Content (a title, a sentence, a file name) as the terminal gets it: plain text, never
    markup, and without control characters, which a terminal would act on."""
    return Text(plain_text(text), style=style)


def document_view(doc: AlignedDocument, *, origin: str | None = None, min_score: float | None = None) -> Group:
    """Title, byline and one row per sentence: English | 中文 | Français (machine
    translations), then a table per human edition: English | the edition, bead by bead.

    ``origin`` ("machine" or "edition") shows that kind only; ``min_score`` hides edition
    beads the aligner scored below it."""
    article = doc.article
    header = shown(article.title, style="bold")
    byline = " | ".join(
        part for part in (", ".join(article.authors), article.outlet or "", article.published or "") if part
    )
    meta = shown(f"{doc.doc_id}  {byline}", style="dim")
    parts: list = [header, meta]
    if origin in (None, "machine") and doc.translations:
        parts += _machine_table(doc)
    if origin in (None, "edition"):
        for edition in doc.editions.values():
            parts += _edition_table(edition, min_score)
    return Group(*parts)


def _machine_table(doc: AlignedDocument) -> list:
    article = doc.article
    langs = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE and lang in doc.translations]
    signatures = {str(doc.translations[lang].signature) for lang in langs}
    if len(signatures) == 1:
        models = shown(f"translated by {signatures.pop()}", style="dim")
    else:
        models = shown("\n".join(f"{lang}: {doc.translations[lang].signature}" for lang in langs), style="dim")
    table = Table(show_lines=False, expand=True, header_style="bold")
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    # overflow="fold": Chinese has no spaces to wrap at, and must wrap, not be cut off.
    for lang in (SOURCE_LANGUAGE, *langs):
        table.add_column(native_name(lang), ratio=1, overflow="fold")
    table.add_row("", shown(article.title, style="bold"),
                  *(_cell(doc.translations[lang].title, style="bold") for lang in langs))
    previous_paragraph = None
    for sentence in doc.sentences:
        if previous_paragraph is not None and sentence.paragraph != previous_paragraph:
            table.add_section()  # a rule between paragraphs
        previous_paragraph = sentence.paragraph
        table.add_row(str(sentence.index), shown(sentence.text),
                      *(_cell(doc.translations[lang].sentences[sentence.index]) for lang in langs))
    return [models, table]


def _edition_table(edition: Edition, min_score: float | None) -> list:
    """The human edition beside the English, a row per bead, with the aligner's score."""
    about = shown(f"{native_name(edition.lang)} edition (human), {edition.article.source}; median score "
                 f"{edition.score:.2f}; aligned by {edition.signature}", style="dim")
    table = Table(show_lines=False, expand=True, header_style="bold")
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column(native_name(SOURCE_LANGUAGE), ratio=1, overflow="fold")
    table.add_column(native_name(edition.lang), ratio=1, overflow="fold")
    table.add_column("score", justify="right", no_wrap=True)
    for bead in edition.beads:
        if min_score is not None and bead.is_pair and bead.score < min_score:
            continue
        number = "" if bead.kind == "title" else ",".join(map(str, bead.src)) or "-"
        style = "bold" if bead.kind == "title" else ""
        score = f"{bead.score:.2f}" if bead.is_pair else "no match"
        table.add_row(number, shown(bead.english, style=style), shown(bead.text, style=style),
                      shown(score, style="" if bead.is_pair else "yellow"))
    return [Text(""), about, table]


def _cell(translation: Translation, *, style: str = "") -> Text:
    """A translation, with its quality flags marked under it (all as plain text, never markup)."""
    cell = shown(translation.text, style=style)
    for flag in translation.flags:
        cell.append(plain_text(f"\n⚑ {flag.name}: {flag.reason}"), style="yellow")
    return cell


def stored_line(result: ArticleResult) -> Text:
    """The line that says a run stored an article."""
    return Text.assemble(("stored", "green"), " ", shown(str(result)))


def editions_line(aligned: AlignedEditions) -> Text:
    """The line that says a page's editions were aligned, or found unchanged."""
    what = "unchanged" if aligned.unchanged else ", ".join(
        f"{report.lang} {report.pairs} pairs, median score {report.score:.2f}" for report in aligned.reports)
    return Text.assemble(("editions", "green"), " ", shown(f"{aligned.doc_id}  {what}"))


def document_list(documents: list[DocumentSummary]) -> Table:
    table = Table(header_style="bold")
    table.add_column("id", no_wrap=True)
    table.add_column("title", overflow="fold")
    for column in ("date", "sentences", "machine", "editions"):
        table.add_column(column)
    for doc in documents:
        # shown(): a title is data, so "[sic]" or "[/]" in it is shown, never read as markup.
        table.add_row(shown(doc.doc_id), shown(doc.title), shown(doc.published or ""), str(doc.sentences),
                      ",".join(doc.languages), ",".join(doc.editions))
    return table


def catalogue_view(statuses: list[ModelStatus], *, default: str) -> Group:
    """Each catalogue model: what it is, and what of it is installed and prepared."""
    lines = []
    for status in statuses:
        manifest = status.manifest
        lines.append(Text.assemble((manifest.name, "bold"), "  (default)" if manifest.name == default else ""))
        lines.append(shown(f"  {manifest.description}"))
        lines.append(shown(f"  family {manifest.family} · languages {', '.join(manifest.languages)} · "
                          f"licence {manifest.license} · engine {manifest.engine}"))
        lines.append(shown(f"  installed: {status.installed}"))
        prepared = "; ".join(str(path) for path in status.prepared) or f"no (bitext models prepare {manifest.name})"
        lines.append(shown(f"  prepared: {prepared}"))
    return Group(*lines)


class RateColumn(ProgressColumn):
    """Items per second (articles, sentences), once there is a rate to show."""

    def render(self, task):
        return Text(f"{task.speed:.2f}/s" if task.speed else "", style="progress.data.speed")


def progress_display(console: Console, *, transient: bool = False) -> Progress:
    """The one progress display of a command: a line per task, with rate and time left.
    ``transient``: the lines go when the work ends (for short work whose result is printed)."""
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
        transient=transient,
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
