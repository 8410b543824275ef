"""Cheap, explainable checks on every translated pair.

Each check has a name and gives a reason a person can read; none is a model score. They
catch what degenerate machine translation looks like at scale: the wrong language or
script, the source copied through, repetition loops, a length far off for the language
pair, numbers or names lost, English words left in a Chinese translation, and leftover
model chatter.

The checks are one ordered table, ``QUALITY_CHECKS``: each names its flag, says whether the
flag is serious (the translation is decoded again), the quality it leaves and what it
catches, with one function per check. The flag names in the CLI's help and the docs come
from it or are tested against it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from .document import Flag
from .glossary import missing_renderings
from .languages import LANGUAGES
from .numerals import numbers_in, source_numbers
from .text_measures import (
    HAN,
    LATIN_LETTER,
    english_words,
    language_of,
    lost_names,
    normalized,
    repetition,
    source_names,
    traditional_characters,
    without_names,
)

CHATTER = re.compile(
    r"here(?:'s| is) (?:the|your|my) translation|translation\s*:|translated text|i hope this|"
    r"\bnote\s*:|as an ai|以下是|翻译如下|译文[:：]|voici la traduction|traduction\s*:",
    re.IGNORECASE,
)
# Characters of target per character of English source, outside which a pair is suspect,
# for a language whose table entry gives none (Language.length_ratio).
DEFAULT_LENGTH_RATIO = (0.3, 3.0)
MIN_CHECKED_LENGTH = 20  # shorter sources are too short to judge length or language
# An English word takes about five letters where Chinese takes two characters: past this many
# Latin letters (names aside) per Chinese character, a translation reads as English.
LATIN_PER_HAN = 2


class PairUnderCheck:
    """What every check reads of one pair: the source, the translation without its outer
    spaces, the target language, the glossary's (term, rendering) pairs, and the source's
    names (worked out once, on first use, for the checks that need them)."""

    def __init__(self, source: str, target: str, tgt: str, terms: Sequence[tuple[str, str]]):
        self.source, self.text, self.tgt, self.terms = source, target.strip(), tgt, tuple(terms)

    @cached_property
    def names(self) -> set[str]:
        return source_names(self.source)


@dataclass(frozen=True)
class Check:
    """One quality check: its flag's name, whether the flag earns another decoding (serious,
    see translate.RETRY_DECODINGS), what the flag leaves of a pair's quality (1 unflagged
    down to 0: a pair is as good as its worst flag), the function that gives the reason the
    pair raises it (None: it does not), and what it catches, in a line."""

    name: str
    serious: bool
    quality: float
    find: Callable[[PairUnderCheck], str | None]
    description: str
    final: bool = False  # once raised, later checks have nothing to judge and do not run


def _empty(pair: PairUnderCheck) -> str | None:
    return None if pair.text else "the translation is empty"


def _wrong_language(pair: PairUnderCheck) -> str | None:
    text, source = pair.text, pair.source
    if pair.tgt == "zh":
        # Names and acronyms are often kept in Latin script (塔马基大道 (Tamaki Drive)): only
        # the other Latin letters speak for English.
        han, latin = len(HAN.findall(text)), len(LATIN_LETTER.findall(without_names(text, pair.names)))
        if han == 0:
            return "no Chinese characters in a Chinese translation"
        if latin > LATIN_PER_HAN * han and len(source) >= MIN_CHECKED_LENGTH:
            return f"{latin} Latin letters for {han} Chinese characters"
    elif len(source) >= MIN_CHECKED_LENGTH:
        found = language_of(text, pair.names, pair.tgt)
        if found is not None and found != pair.tgt:
            return f"reads as {found}, not {pair.tgt}"
    return None


def _traditional_characters(pair: PairUnderCheck) -> str | None:
    traditional = traditional_characters(pair.text) if pair.tgt == "zh" else ""
    return f"Traditional characters: {traditional}" if traditional else None


def _untranslated(pair: PairUnderCheck) -> str | None:
    if normalized(pair.text) == normalized(pair.source) and len(pair.source) >= 8:
        return "the translation repeats the source"
    return None


def _untranslated_words(pair: PairUnderCheck) -> str | None:
    if pair.tgt != "zh" or not HAN.search(pair.text):
        return None
    left = english_words(pair.text, pair.source, pair.names)
    return f"English left in the translation: {', '.join(left)}" if left else None


def _repeated(pair: PairUnderCheck) -> str | None:
    return repetition(pair.text, pair.tgt)


def _length_ratio(pair: PairUnderCheck) -> str | None:
    text, source = pair.text, pair.source
    known = LANGUAGES.get(pair.tgt)
    low, high = (known and known.length_ratio) or DEFAULT_LENGTH_RATIO
    ratio = len(text) / max(len(source), 1)
    if len(source) >= MIN_CHECKED_LENGTH and not low <= ratio <= high:
        return f"{len(text)} characters for {len(source)} ({ratio:.2f}, expected {low}-{high})"
    return None


def _missing_numbers(pair: PairUnderCheck) -> str | None:
    found = numbers_in(pair.text, pair.tgt)
    missing = list(dict.fromkeys(n.text for n in source_numbers(pair.source) if not n.values & found))
    return f"not in the translation: {', '.join(missing)}" if missing else None


def _missing_names(pair: PairUnderCheck) -> str | None:
    if pair.tgt == "zh":  # names are transliterated in Chinese, so only Latin-script targets are checked
        return None
    lost, garbled = lost_names(pair.source, pair.text)
    said = ([f"not in the translation: {', '.join(lost)}"] if lost else []) + (
        [f"spelled differently: {', '.join(garbled)}"] if garbled else [])
    return "; ".join(said) or None


def _chatter(pair: PairUnderCheck) -> str | None:
    found = CHATTER.search(pair.text)
    return f"model chatter: {found.group(0)!r}" if found else None


def _glossary(pair: PairUnderCheck) -> str | None:
    lacking = missing_renderings(pair.text, pair.terms)
    return "; ".join(f"{term} should be {rendering}" for term, rendering in lacking) or None


# The checks, in the order they run and their flags are listed. Quality: unusable output
# scores 0; a likely error 0.5; a weak hint 0.8. Not serious: names are often rightly
# transliterated, and cleaning already turns Traditional characters into Simplified ones.
QUALITY_CHECKS = (
    Check("empty", True, 0.0, _empty, "the translation is empty", final=True),
    Check("wrong_language", True, 0.0, _wrong_language,
          "another language than the target, or Latin letters outweighing a Chinese translation's own"),
    Check("traditional", False, 0.5, _traditional_characters, "Traditional characters in a Chinese translation"),
    Check("untranslated", True, 0.0, _untranslated, "the source copied through"),
    Check("untranslated_words", True, 0.5, _untranslated_words,
          "English words left inside a Chinese translation (names, acronyms, units, codes, addresses aside)"),
    Check("repetition", True, 0.0, _repeated, "a repetition loop: few distinct words, or a trigram 4+ times"),
    Check("length_ratio", True, 0.5, _length_ratio, "a length far off the language pair's (Language.length_ratio)"),
    Check("missing_numbers", True, 0.5, _missing_numbers, "a number of the source missing, compared by value"),
    Check("missing_names", False, 0.8, _missing_names,
          "a name of the source lost or misspelt in a Latin-script translation"),
    Check("chatter", True, 0.2, _chatter, "model chatter, e.g. \"Here is the translation\""),
    Check("glossary", True, 0.5, _glossary, "a rendering the glossary requires is missing"),
)
CHECKS = tuple(check.name for check in QUALITY_CHECKS)
SERIOUS = tuple(check.name for check in QUALITY_CHECKS if check.serious)  # in CHECKS order
QUALITY = {check.name: check.quality for check in QUALITY_CHECKS}


def quality(flag_names) -> float:
    """A pair's quality from its flags' names: 1.0 without flags, else its worst flag's level."""
    return min((QUALITY[name] for name in flag_names), default=1.0)


def quality_levels() -> str:
    """The quality each flag leaves, best first, for help texts: "0.8: missing_names; ..."."""
    levels = sorted(set(QUALITY.values()), reverse=True)
    return "; ".join(f"{level:g}: {', '.join(n for n in CHECKS if QUALITY[n] == level)}" for level in levels)


def check_pair(source: str, target: str, *, tgt: str, terms: Sequence[tuple[str, str]] = ()) -> list[Flag]:
    """The flags a (source, translation) pair raises, in ``CHECKS`` order. ``terms``: the
    (term, rendering) pairs a glossary requires of this translation."""
    pair = PairUnderCheck(source, target, tgt, terms)
    flags: list[Flag] = []
    for check in QUALITY_CHECKS:
        reason = check.find(pair)
        if reason:
            flags.append(Flag(check.name, reason))
            if check.final:
                break
    return flags
