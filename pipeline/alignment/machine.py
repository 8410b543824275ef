"""Pair each source sentence with its translations.

Sentences are translated one by one, so alignment is one-to-one by construction; this
stage checks that it really is before anything reaches the store.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..document import AlignedDocument, Article, Sentence, TranslatedText


class AlignmentError(ValueError):
    """Translations that do not line up with the sentences (a bug, not a user error)."""


def align(article: Article, sentences: Sequence[Sentence], translations: Sequence[TranslatedText]) -> AlignedDocument:
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
