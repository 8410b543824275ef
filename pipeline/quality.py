"""Cheap, explainable checks on every translated pair.

Each check has a name and gives a reason a person can read; none is a model score. They
catch what degenerate machine translation looks like at scale: the wrong language or
script, the source copied through, repetition loops, a length far off for the language
pair, numbers or names lost, and leftover model chatter.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

HAN = re.compile(r"[\u3400-\u9fff]")
LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")
NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f ]\d+)*")
# Two or more capitalised words in a row: a person, place or organisation name.
NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b")
CHATTER = re.compile(
    r"here(?:'s| is) (?:the|your|my) translation|translation\s*:|translated text|i hope this|"
    r"\bnote\s*:|as an ai|以下是|翻译如下|译文[:：]|voici la traduction|traduction\s*:",
    re.IGNORECASE,
)
# Characters of target per character of English source, outside which a pair is suspect.
LENGTH_RATIO = {"zh": (0.12, 0.9), "fr": (0.6, 2.2)}
MIN_CHECKED_LENGTH = 20  # shorter sources are too short to judge length or language


@dataclass(frozen=True)
class Flag:
    name: str
    reason: str


CHECKS = ("empty", "wrong_language", "traditional", "untranslated", "repetition", "length_ratio",
          "missing_numbers", "missing_names", "chatter")

# What each flag leaves of a pair's quality, from 1 (no flag) down to 0: a pair is as good
# as its worst flag. Unusable output scores 0; a likely error 0.5; a weak hint 0.8.
QUALITY = {
    "empty": 0.0, "wrong_language": 0.0, "untranslated": 0.0, "repetition": 0.0, "chatter": 0.2,
    "traditional": 0.5, "length_ratio": 0.5, "missing_numbers": 0.5, "missing_names": 0.8,
}


def quality(flag_names) -> float:
    """A pair's quality from its flags' names: 1.0 without flags, else its worst flag's level."""
    return min((QUALITY[name] for name in flag_names), default=1.0)


def check_pair(source: str, target: str, *, tgt: str) -> list[Flag]:
    """The flags a (source, translation) pair raises, in ``CHECKS`` order."""
    flags: list[Flag] = []
    text = target.strip()
    if not text:
        return [Flag("empty", "the translation is empty")]
    if tgt == "zh":
        han, latin = len(HAN.findall(text)), len(LATIN_LETTER.findall(text))
        if han == 0:
            flags.append(Flag("wrong_language", "no Chinese characters in a Chinese translation"))
        elif latin > han and len(source) >= MIN_CHECKED_LENGTH:
            flags.append(Flag("wrong_language", f"more Latin letters ({latin}) than Chinese characters ({han})"))
        traditional = _traditional(text)
        if traditional:
            flags.append(Flag("traditional", f"Traditional characters: {traditional}"))
    elif len(source) >= MIN_CHECKED_LENGTH:
        from .language import detect_language

        found = detect_language(text)
        if found is not None and found != tgt:
            flags.append(Flag("wrong_language", f"reads as {found}, not {tgt}"))
    if _normal(text) == _normal(source) and len(source) >= 8:
        flags.append(Flag("untranslated", "the translation repeats the source"))
    repeated = _repetition(text, tgt)
    if repeated:
        flags.append(Flag("repetition", repeated))
    low, high = LENGTH_RATIO.get(tgt, (0.3, 3.0))
    ratio = len(text) / max(len(source), 1)
    if len(source) >= MIN_CHECKED_LENGTH and not low <= ratio <= high:
        flags.append(Flag("length_ratio", f"{len(text)} characters for {len(source)} ({ratio:.2f}, expected {low}-{high})"))
    missing = sorted(set(_numbers(source)) - set(_numbers(text)))
    if missing:
        flags.append(Flag("missing_numbers", f"not in the translation: {', '.join(missing)}"))
    if tgt != "zh":  # names are transliterated in Chinese, so only Latin-script targets are checked
        # A name is lost when none of its words (leaving out titles and sentence openers)
        # appears in the translation: "Stanford University" -> "l'université de Stanford" is kept.
        lowered = text.lower()
        lost = []
        for name in dict.fromkeys(NAME.findall(source)):
            words = [w for w in name.split() if w not in _COMMON_CAPITALISED]
            if words and not any(w.lower() in lowered for w in words):
                lost.append(name)
        if lost:
            flags.append(Flag("missing_names", f"not in the translation: {', '.join(lost)}"))
    if CHATTER.search(text):
        flags.append(Flag("chatter", f"model chatter: {CHATTER.search(text).group(0)!r}"))
    return flags


# Capitalised words that are not names (or are translated, like months and days).
_COMMON_CAPITALISED = {
    "The", "A", "An", "In", "On", "At", "He", "She", "It", "They", "We", "I", "This", "That", "But", "And",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
    "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    "English", "French", "Chinese", "Mayor", "President", "Minister", "Dr", "Mr", "Mrs", "Ms",
}


def _numbers(text: str) -> list[str]:
    """Numbers as their digits: 2,000 = 2 000 and 3.5 = 3,5 (French writes both differently)."""
    return [re.sub(r"\D", "", n) for n in NUMBER.findall(text)]


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


def _repetition(text: str, tgt: str) -> str | None:
    units = list(text.replace(" ", "")) if tgt == "zh" else text.lower().split()
    if len(units) < 12:
        return None
    ratio = len(set(units)) / len(units)
    if ratio < (0.2 if tgt == "zh" else 0.3):
        return f"type/token ratio {ratio:.2f}"
    grams = Counter(tuple(units[i : i + 3]) for i in range(len(units) - 2))
    gram, times = grams.most_common(1)[0]
    if times >= 4:
        return f"{''.join(gram) if tgt == 'zh' else ' '.join(gram)!r} repeated {times} times"
    return None


def _traditional(text: str) -> str:
    from .cleanup import _to_simplified

    simplified = _to_simplified(text)
    return "".join(dict.fromkeys(a for a, b in zip(text, simplified, strict=False) if a != b))
