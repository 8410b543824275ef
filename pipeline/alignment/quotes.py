"""Quotation marks a sentence opens and closes: a signal for the aligner that embeddings
miss (where a quotation ends decides which sentences make one bead)."""

from __future__ import annotations

from collections.abc import Sequence

OPENING = "“「『«"
CLOSING = "”」』»"
AMBIGUOUS = "\"'‘’"  # straight quotes, and curly single quotes that double as apostrophes
ENDS_A_QUOTE = ".,!?—–-…"  # what a closing single quote follows


def balance(sentence: str) -> int:
    """Quotations the sentence opens minus those it closes.

    Marks that say which way they face (“ ” 「 」 « ») count as they are; a straight or
    single quote counts by where it stands: opening at the sentence's start or after a
    space, closing at its end or before a space; between two letters it is an apostrophe
    (``don't``, ``l'île``) and counts for nothing. Tokenised text (``" Hello , "``) is read
    by the start and end of the sentence alone."""
    text = sentence.strip()
    total = 0
    last = len(text) - 1
    for k, mark in enumerate(text):
        if mark in OPENING:
            total += 1
        elif mark in CLOSING:
            total -= 1
        elif mark in AMBIGUOUS:
            before = text[k - 1] if k else " "
            after = text[k + 1] if k < last else " "
            if before.isalnum() and after.isalnum():
                continue
            if k == 0:
                total += 1
            elif k == last:
                total -= 1
            elif before.isspace() and not after.isspace() and after not in ".,;:!?":
                total += 1
            elif after.isspace() and not before.isspace() and (mark == '"' or before in ENDS_A_QUOTE):
                total -= 1
    return total


def balances(sentences: Sequence[str]) -> tuple[int, ...]:
    return tuple(balance(sentence) for sentence in sentences)
