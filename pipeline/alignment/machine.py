"""An article, its sentences and their machine translations assembled into an AlignedDocument.

Sentences are translated one by one, so the pairs are one-to-one by construction; there is
nothing to align, only to check that every language has one translation per sentence before
anything reaches the store.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..document import AlignedDocument, Article, DocumentTranslation, Sentence


class AlignmentError(ValueError):
    """Translations that do not line up with the sentences (a bug, not a user error)."""


def assemble_document(article: Article, sentences: Sequence[Sentence],
                      translations: Sequence[DocumentTranslation]) -> AlignedDocument:
    """The document of ``article``: its ``sentences`` (numbered in reading order) and one
    translation per sentence in each language, checked (``AlignmentError``)."""
    for translated in translations:
        if len(translated.sentences) != len(sentences):
            raise AlignmentError(
                f"{article.source}: {len(translated.sentences)} {translated.lang} translations "
                f"for {len(sentences)} sentences"
            )
    if [s.index for s in sentences] != list(range(len(sentences))):
        raise AlignmentError(f"{article.source}: sentences are not numbered in reading order")
    return AlignedDocument(
        article=article,
        sentences=tuple(sentences),
        translations={t.lang: t for t in translations},
    )
