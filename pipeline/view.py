"""A side-by-side view of a stored document for the terminal (rich renderables).

Builds what to show; printing is the CLI's job.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from .document import AlignedDocument
from .engines.base import LANGUAGE_NAMES
from .store import DocumentSummary

COLUMN_TITLES = {"en": "English", "zh": "中文", "fr": "Français"}


def document_view(doc: AlignedDocument) -> Group:
    """Title, byline and one row per sentence: English | 中文 | Français."""
    article = doc.article
    langs = [lang for lang in COLUMN_TITLES if lang in doc.translations]
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
    table.add_column(COLUMN_TITLES["en"], ratio=1, overflow="fold")
    for lang in langs:
        table.add_column(COLUMN_TITLES.get(lang, LANGUAGE_NAMES.get(lang, lang)), ratio=1, overflow="fold")
    table.add_row("", Text(article.title, style="bold"), *(Text(doc.translations[l].title, style="bold") for l in langs))
    previous_paragraph = None
    for sentence in doc.sentences:
        if previous_paragraph is not None and sentence.paragraph != previous_paragraph:
            table.add_section()  # a rule between paragraphs
        previous_paragraph = sentence.paragraph
        table.add_row(str(sentence.index), sentence.text, *(_cell(doc, l, sentence.text, sentence.index) for l in langs))
    return Group(header, meta, models, table)


def _cell(doc: AlignedDocument, lang: str, source: str, index: int) -> Text:
    """A translation, with its quality flags marked under it."""
    translated = doc.translations[lang]
    cell = Text(translated.sentences[index])
    for name, reason in translated.flags.get(source, []):
        cell.append(f"\n⚑ {name}: {reason}", style="yellow")
    return cell


def document_list(documents: list[DocumentSummary]) -> Table:
    table = Table(header_style="bold")
    table.add_column("id", no_wrap=True)
    table.add_column("title", overflow="fold")
    for column in ("date", "sentences", "languages"):
        table.add_column(column)
    for doc in documents:
        table.add_row(doc.doc_id, doc.title, doc.published or "", str(doc.sentences), ",".join(doc.languages))
    return table
