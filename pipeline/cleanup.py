"""Clean raw engine output into a publishable translation.

LLMs asked for "only the translation" still add things: a "Translation:" prefix, quotes
around the whole answer, an explanation after it, half-width punctuation in Chinese, or
a Traditional character. Each rule here removes one such habit and nothing else.
"""

from __future__ import annotations

import re

from .languages import HAN_CHARACTERS
from .once import once

# Bump whenever a rule changes what a translation becomes: it is part of every signature.
CLEANUP_VERSION = "3"

HAS_HAN = re.compile(f"[{HAN_CHARACTERS}]")

# "Translation:", "Here is the translation in French:", "翻译：", "Traduction :" ...
LEADING_LABEL = re.compile(
    r"^\s*(?:(?:sure|certainly|okay|ok)[,!.]?\s*)?"
    r"(?:(?:here\s+is|here's|below\s+is)\s+(?:the|my|a)?\s*"
    r"(?:(?:simplified\s+)?chinese\s+|french\s+)?translation[^:：\n]*"
    r"|(?:the\s+)?translation(?:\s+(?:in|into)\s+[\w ]+)?"
    r"|traduction(?:\s+en\s+\w+)?|simplified\s+chinese|chinese|french|français"
    r"|翻译|译文|中文翻译|简体中文|中文)\s*[:：]\s*",
    re.IGNORECASE,
)
# A line that starts an explanation after the translation.
TRAILING_CHATTER = re.compile(
    r"^\s*(?:\(|（)?\s*(?:note|explanation|translation notes?|remarque|注|注释|解释|说明)\b\s*[:：]?",
    re.IGNORECASE,
)
WRAPPING_QUOTES = {'"': '"', "“": "”", "«": "»", "「": "」", "'": "'", "‘": "’"}

# Numbers keep the source's ASCII digits: "２０２６" is 2026 to a reader, not to a search.
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# "2,400" (English thousands) copied as is into French reads as 2.4 there.
_ENGLISH_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,]|\.\d)")

HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}


def clean_translation(output: str, *, source: str, tgt: str) -> str:
    """Return the translation inside ``output``, stripped of model chatter."""
    text = output.strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    # A sentence translates to one line; what follows on other lines is commentary.
    kept = [lines[0]]
    if LEADING_LABEL.fullmatch(lines[0] + " ") or LEADING_LABEL.fullmatch(lines[0]):
        kept = lines[1:2]  # the label stood on a line of its own
    text = kept[0] if kept else ""
    text = LEADING_LABEL.sub("", text, count=1).strip()
    text = _strip_wrapping_quotes(text, source)
    if TRAILING_CHATTER.match(text):
        return ""
    text = text.translate(FULL_WIDTH_DIGITS)
    if tgt == "zh":
        text = normalize_chinese(text)
    elif tgt == "fr":
        text = french_grouping(normalize_french(text), source=source)
    return text


def _strip_wrapping_quotes(text: str, source: str) -> str:
    source = source.strip()
    while len(text) >= 2 and WRAPPING_QUOTES.get(text[0]) == text[-1]:
        if source[:1] in WRAPPING_QUOTES and source[-1:] in WRAPPING_QUOTES.values():
            break  # the source itself is a quotation: keep the marks
        inner = text[1:-1]
        if text[0] in inner or text[-1] in inner:
            break  # "A" and "B": two quotations, not one wrapping pair
        text = inner.strip()
    return text


def normalize_chinese(text: str) -> str:
    """Simplified characters and full-width punctuation next to Chinese text."""
    text = to_simplified(text)

    def full_width(match: re.Match) -> str:
        return HALF_TO_FULL[match.group(0).strip()]

    # Half-width punctuation touching a Chinese character (spaces around it dropped).
    text = re.sub(rf"(?<=[{HAN_CHARACTERS}])\s*[,;:?!]\s*", full_width, text)
    text = re.sub(rf"\s*[,;:?!]\s*(?=[{HAN_CHARACTERS}])", full_width, text)
    text = re.sub(rf"\s*\(\s*(?=[^()]*[{HAN_CHARACTERS}][^()]*\))", "（", text)
    text = re.sub(r"(?<=（)([^()）]*)\s*\)", r"\1）", text)
    # A full stop after a Chinese character (or closing mark) ends the sentence.
    text = re.sub(rf"(?<=[{HAN_CHARACTERS}”’）])\s*\.(?!\d)", "。", text)
    text = re.sub(r"([，。；：？！、）])\s+", r"\1", text)  # full-width marks carry their own space
    if HAS_HAN.search(text):
        text = re.sub(r"\.\s*$", "。", text)  # the sentence's own full stop
    text = _curly_quotes(text)
    return text


def _curly_quotes(text: str) -> str:
    """Straight double quotes in Chinese text become “ ” in pairs."""
    if '"' not in text or not HAS_HAN.search(text):
        return text
    return _paired(text, '"', "“", "”")


NO_BREAK_SPACE = "\u00a0"
# A space, or none, before a French high mark (; : ! ?) that ends a word: not 12:30 or a URL.
_BEFORE_HIGH_MARK = re.compile(r"(?<=[\w»)\]’'\"])[ \u00a0\u202f]?([;:!?])(?=\s|$|[»)\]])")
_GUILLEMET_OPEN = re.compile(r"«[ \u00a0\u202f]*")
_GUILLEMET_CLOSE = re.compile(r"[ \u00a0\u202f]*»")


def normalize_french(text: str) -> str:
    """French typography: quotations in « » and a no-break space before ; : ! ? and inside
    « », as French newsrooms (and FLORES' French) write them."""
    if text.count('"') >= 2 and text.count('"') % 2 == 0:
        text = _paired(text, '"', "«", "»")
    if text.count("“") == text.count("”"):
        text = text.replace("“", "«").replace("”", "»")
    text = _GUILLEMET_OPEN.sub("«" + NO_BREAK_SPACE, text)
    text = _GUILLEMET_CLOSE.sub(NO_BREAK_SPACE + "»", text)
    return _BEFORE_HIGH_MARK.sub(NO_BREAK_SPACE + r"\1", text)


def french_grouping(text: str, *, source: str) -> str:
    """A number the French text copied from the source with English thousands separators
    ("2,400") grouped the French way, with no-break spaces ("2 400"), as FLORES' French
    writes them. Only numbers the source writes just so: "3,5" is a French decimal."""
    copied = set(_ENGLISH_THOUSANDS.findall(source))
    return _ENGLISH_THOUSANDS.sub(
        lambda match: match.group(0).replace(",", NO_BREAK_SPACE) if match.group(0) in copied else match.group(0), text)


def _paired(text: str, mark: str, opening: str, closing: str) -> str:
    out, is_opening = [], True
    for char in text:
        if char == mark:
            out.append(opening if is_opening else closing)
            is_opening = not is_opening
        else:
            out.append(char)
    return "".join(out)


@once
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters as Simplified ones (OpenCC t2s)."""
    return _converter().convert(text)
