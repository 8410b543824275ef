"""Stored documents for tests: an article page through the real ingest, segmenter and
aligner, with translations made up by a function, saved through the real store."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pipeline.alignment.machine import assemble_document
from pipeline.document import AlignedDocument, DocumentTranslation, Flag, Signature, Translation
from pipeline.ingest import parse_page_copy
from pipeline.segment import segment
from pipeline.store import Store

SIG = Signature("fake", "echo@000", (("version", "1"),))


def tagged(text: str, lang: str) -> str:
    return f"[{lang}] {text}"


def aligned_document(
    page: str,
    *,
    translate: Callable[[str, str], str] = tagged,
    langs: Iterable[str] = ("zh", "fr"),
    signature: Signature = SIG,
    flags: dict[str, dict[str, list[Flag]]] | None = None,  # lang -> source -> flags
    source: str = "p.txt",
) -> AlignedDocument:
    article = parse_page_copy(page, source=source)
    sentences = segment(article.paragraphs)
    flags = flags or {}

    def made(text: str, lang: str) -> Translation:
        return Translation(text, translate(text, lang), 1, tuple(flags.get(lang, {}).get(text, ())))

    return assemble_document(article, sentences, [
        DocumentTranslation(lang, signature, made(article.title, lang), tuple(made(s.text, lang) for s in sentences))
        for lang in langs
    ])


def save_documents(path, documents: Iterable[AlignedDocument]):
    with Store(path) as store:
        for document in documents:
            store.save(document)
    return path
