"""Numbers as a translation writes them, read into values to compare across languages.

The English source says "15th", "3.5 million", "fifteen" or "the 1960s"; the Chinese
says 第十五, 350万, 十五 or 60年代, the French "15e", "3,5 millions", "quinze" or "XVe".
``source_numbers`` reads the numbers an English sentence commits to, each with every value
a faithful translation may write for it; ``numbers_in`` reads every value a translation
could mean. A source number is kept when one of its values is among the translation's.

Reading the translation is deliberately generous (both readings of "2,400", each digit of
三四, 一 in 一些): a value read in excess only hides a lost number, while a value missed
raises a false alarm on a correct translation.

Number words in English and French are read by text2num; Chinese numerals here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Space-like characters French and others put between groups of thousands.
_GROUP_SPACE = "\u0020\u00a0\u2000-\u200a\u202f"
_DIGITS = re.compile(rf"\d+(?:[.,{_GROUP_SPACE}]\d+)*")
# Only where a number starts: trying every digit inside a long one takes quadratic time.
_NUMBER_START = rf"(?<!\d)(?<!\d[.,{_GROUP_SPACE}])"

# English: "2,400" groups thousands and "3.5" is a decimal; spaces never group.
_EN_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_EN_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12, "bn": 10**9}
_EN_SCALED = re.compile(rf"({_EN_NUMBER})(?:\s*(thousand|million|billion|trillion|bn)\b)?", re.IGNORECASE)
_EN_RANGE = re.compile(r"\s*(?:-|–|—|to)\s*$")
# "10:08 p.m.", "07:19", "1200 GMT": hours may come back on a 24-hour clock (22 h 08).
_EN_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2})|(\d{2})(?=\s*(?:GMT|UTC|hours|hrs)\b))")
# "the 1960s" is 20世纪60年代 or "les années 60"; "the 1800s" is 19世纪 or "le XIXe siècle".
_EN_DECADE = re.compile(r"\b(\d{2})(\d)0s\b")
# Small number words are often rendered without a numeral ("two legs": 双腿, "first": 首次),
# and "hundreds of" is no count at all: only words worth more than this must come through.
_EN_WORD_THRESHOLD = 9
_EN_PLURAL_SCALE = re.compile(r"\b(?:hundreds|thousands|millions|billions|dozens|tens|scores)\b", re.IGNORECASE)
_HYPHENATED = re.compile(r"(?<=[A-Za-z])-(?=[A-Za-z])")

_FR_SCALES = {"mille": 10**3, "million": 10**6, "millions": 10**6, "milliard": 10**9, "milliards": 10**9,
              "billion": 10**12, "billions": 10**12}
_FR_SCALED = re.compile(
    rf"{_NUMBER_START}({_DIGITS.pattern})\s*(mille|millions?|milliards?|billions?)\b", re.IGNORECASE
)
# Centuries and ordinals in Roman numerals: "XXIe siècle", "Louis XIV", "IIe République".
_ROMAN_ORDINAL = re.compile(r"\b([IVXLC]+)(?:e|er|re|ère|ème|eme)\b|\b([IVXLC]+)(?=\s+(?:siècle|millénaire)s?\b)")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
# Round counts ("une vingtaine" for "in his 20s") and single number words, which text2num
# reads only as part of a whole number ("quatre cents" is 400, or "4 cents").
_FR_WORDS = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30, "quarantaine": 40,
    "cinquantaine": 50, "soixantaine": 60, "centaine": 100, "millier": 1000,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100,
    "mille": 1000,
}
_FR_WORD = re.compile(rf"\b({'|'.join(_FR_WORDS)})s?\b", re.IGNORECASE)
# ¾ becomes 3⁄4 when normalised: kept apart from the digits before it, 29¾ stays 29.
_VULGAR_FRACTION = re.compile(r"[\u00bc-\u00be\u2150-\u215e]")

_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8}
_ZH_NUMERALS = "".join(_ZH_DIGIT) + "".join(_ZH_UNIT)
# 3.5万, 20多万, 33 万, 1.2亿: Arabic digits with Chinese units.
_ZH_ARABIC_UNITS = re.compile(rf"{_NUMBER_START}(\d+(?:[.,]\d+)*)\s*[多余]?\s*([十百千万亿]+)")
# After a numeral run: it names a five-year plan (“十四五”规划, 十五计划, 十四五时期).
_ZH_PLAN = re.compile(r"[”」\"']?\s*(?:规划|计划|时期)")
_ZH_RUN = re.compile(rf"[{_ZH_NUMERALS}](?:[多余]?[{_ZH_NUMERALS}])*")
_ZH_LONGEST = 24  # characters; no number is written longer, and a flood of 亿 would make a huge one
# 百分之十五 is 15%, 三分之一 a third: the 百 of the percent and the fraction bar are no numbers.
_ZH_FRACTION = re.compile(r"百分之|分之")


@dataclass(frozen=True)
class SourceNumber:
    """A number the source states: as written, and the values a translation may give it."""

    text: str
    values: frozenset[str]


def source_numbers(english: str) -> list[SourceNumber]:
    """The numbers an English sentence states, in digits or in words worth more than nine."""
    numbers: list[SourceNumber] = []
    covered = [False] * len(english)

    def add(span: tuple[int, int], values) -> None:
        numbers.append(SourceNumber(english[span[0] : span[1]], frozenset(_key(v) for v in values)))
        covered[span[0] : span[1]] = [True] * (span[1] - span[0])

    for match in _EN_TIME.finditer(english):
        hour = int(match.group(1))
        whole = {int(match.group(0))} if match.group(3) else set()  # "1200 GMT" may stay 1200
        add(match.span(1), {hour, (hour + 12) % 24} | whole)
        minute = 2 if match.group(2) else 3
        covered[match.start(minute) : match.end(minute)] = [True] * 2
        if int(match.group(minute)):  # ":00" is often left out (10 点, 10 heures)
            add(match.span(minute), {int(match.group(minute))} | whole)
    for match in _EN_DECADE.finditer(english):
        if not covered[match.start()]:
            year, decade = int(match.group(0)[:-1]), int(match.group(2))
            add(match.span(), {year, decade * 10} if decade else {year, int(match.group(1)) + 1})
    scaled = [m for m in _EN_SCALED.finditer(english) if not covered[m.start()]]
    for i, match in enumerate(scaled):
        value = _decimal(match.group(1).replace(",", ""))
        scale = match.group(2)
        # "4.2-3.9 million": the scale of a range's end is the scale of its start too.
        if scale is None and i + 1 < len(scaled) and scaled[i + 1].group(2):
            if _EN_RANGE.match(english[match.end() : scaled[i + 1].start()]):
                scale = scaled[i + 1].group(2)
        add(match.span(), {value} | ({value * _EN_SCALES[scale.lower()]} if scale else set()))
    # Number words, read where no digits were: a comma keeps "five 2 three" three numbers.
    words = "".join("," if done else ch for ch, done in zip(english, covered, strict=True))
    for value in _word_numbers(words):
        numbers.append(SourceNumber(_key(value), frozenset({_key(value)})))
    return numbers


def numbers_in(text: str, lang: str) -> set[str]:
    """Every value the numbers of a translation into ``lang`` could stand for."""
    text = unicodedata.normalize("NFKC", _VULGAR_FRACTION.sub(lambda m: " " + m.group(0), text))
    values: set[Decimal] = set()
    if lang == "zh":
        values |= chinese_numbers(text)
    elif lang == "fr":
        values |= _french_numbers(text)
    for match in _DIGITS.finditer(text):
        values |= _digit_readings(match.group(0))
    return {_key(v) for v in values}


def chinese_numbers(text: str) -> set[Decimal]:
    """Values of the Chinese numerals in ``text``: 十五, 一百零五, 二〇二一, 3.5万, 百分之十五, 十四五."""
    text = _ZH_FRACTION.sub(" ", text)
    values: set[Decimal] = set()
    for match in _ZH_ARABIC_UNITS.finditer(text):
        multiplier = 1
        for unit in match.group(2):
            multiplier *= _ZH_UNIT[unit]
        for reading in _digit_readings(match.group(1)):
            values |= {reading, reading * multiplier}
    for match in _ZH_RUN.finditer(text):
        run = match.group(0).replace("多", "").replace("余", "")
        if len(run) <= _ZH_LONGEST:
            plan = _ZH_PLAN.match(text, match.end())  # “十四五”规划: the 14th plan, never "14 or 15"
            values |= {Decimal(v) for v in _read_chinese_run(run, ranges=plan is None)}
    return values


def _read_chinese_run(run: str, *, ranges: bool = True) -> set[int]:
    """Values of a run of Chinese numeral characters, every plausible reading of it
    (``ranges``: two neighbouring digits may be a range, 十四五个 "14 or 15")."""
    if not any(ch in _ZH_UNIT for ch in run):
        # Digit by digit, as years are written (二〇二一), and each digit alone (三四个: 3 or 4).
        digits = [_ZH_DIGIT[ch] for ch in run]
        return set(digits) | {int("".join(map(str, digits)))}
    values: set[int] = set()
    total = section = 0  # total: the 万 and 亿 groups read so far; section: what is below them
    digit: int | None = None
    last_unit, after_zero = 1, False
    for ch in run:
        if ch in ("零", "〇"):
            after_zero = True  # a place holder: 一百零五 is 105, not 100 + 5 tens
        elif ch in _ZH_DIGIT:
            if digit is not None:
                # Two digits in a row end a number: 十四五 is the 14th plan (14, then 5) or, as
                # neighbouring digits, the range "14 or 15"; 十三五 is only ever 13, then 5.
                ended = total + section + digit
                values.add(ended)
                if ranges and _ZH_DIGIT[ch] == digit + 1:
                    values.add(ended - digit + _ZH_DIGIT[ch])
                total = section = 0
                last_unit, after_zero = 1, False
            digit = _ZH_DIGIT[ch]
        elif _ZH_UNIT[ch] < 10**4:
            section += (1 if digit is None else digit) * _ZH_UNIT[ch]
            digit, last_unit, after_zero = None, _ZH_UNIT[ch], False
        else:
            group = section + (digit or 0)
            if ch == "万":
                total += (group or 1) * 10**4
            else:
                total = ((total + group) or 1) * 10**8
            section, digit, last_unit, after_zero = 0, None, _ZH_UNIT[ch], False
    if digit is not None:
        # 三千五 is 3500 and 一万二 12000: a last digit counts in the unit below the last one.
        scale = last_unit // 10 if last_unit >= 100 and not after_zero else 1
        values.add(total + section + digit * scale)
    elif total or section:
        values.add(total + section)
    return values


def _french_numbers(text: str) -> set[Decimal]:
    from text_to_num import alpha2digit

    values: set[Decimal] = set()
    for match in _FR_SCALED.finditer(text):
        for reading in _digit_readings(match.group(1)):
            values |= {reading, reading * _FR_SCALES[match.group(2).lower()]}
    for match in _ROMAN_ORDINAL.finditer(text):
        value = _roman(match.group(1) or match.group(2))
        if value:
            values.add(Decimal(value))
    values |= {Decimal(_FR_WORDS[m.group(1).lower()]) for m in _FR_WORD.finditer(text)}
    # Threshold 0: "un", "deux", "premier" count too; the words become digits read below.
    for match in _DIGITS.finditer(alpha2digit(text, "fr", 0)):
        values |= _digit_readings(match.group(0))
    return values


def _word_numbers(english: str) -> list[int]:
    """Values of the number words worth more than nine: "fifteen", "seven million", "21st"."""
    from text_to_num import alpha2digit

    # text2num reads number words that stand alone ("Five-Year Plan", "nine-year-old").
    words = _EN_PLURAL_SCALE.sub(" ", _HYPHENATED.sub(" ", english))
    found = re.findall(r"\d+", alpha2digit(words, "en", _EN_WORD_THRESHOLD))
    return [int(value) for value in found if int(value) > _EN_WORD_THRESHOLD]


def _digit_readings(written: str) -> set[Decimal]:
    """Each value digits with separators may mean: "2,400" is 2400 or 2.4; "2005 25" two numbers."""
    parts = re.split(rf"[.,{_GROUP_SPACE}]", written)
    readings = {Decimal("".join(parts))} | {Decimal(part) for part in parts}
    if len(parts) > 1:
        readings.add(_decimal("".join(parts[:-1]) + "." + parts[-1]))
    return readings


def _roman(numeral: str) -> int:
    values = [_ROMAN[ch] for ch in numeral]
    total = sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    return total if 0 < total < 400 else 0


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(0)


def _key(value) -> str:
    """A value as compared: 3.50 and 3.5 alike, 3500000 without an exponent."""
    normal = Decimal(value).normalize()
    return format(normal, "f")
