"""Split article paragraphs into sentences, with offsets into the article body.

The boundaries come from sentencex (a maintained rule-based segmenter that knows
abbreviations such as U.S., Dr. and No.); this module fixes what news prose needs
on top of it:

* a quotation that holds two sentences is split between them
  (``"A. B," he said.`` becomes ``"A.`` and ``B," he said.``), as news test sets do;
* an attribution after a quoted question or exclamation stays with it
  (``"Why?" she asked.`` is one sentence);
* an abbreviation the library does not know (French ``M.``, ``Mme``, ``art.``; English
  titles such as ``Gov.`` or ``Sen.``; initials such as ``J. K.``) does not end a sentence;
* a list marker (``1.``, ``a)``, ``•``) stays with its item;
* a paragraph is never joined to the next, so a heading without a full stop stays
  a sentence of its own.

Chinese (。！？；… and closing quotes) and French (« » guillemets, no-break spaces before
; : ! ?) go through the same steps with their own abbreviations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import sentencex

from .document import Article, Sentence

PARAGRAPH_SEPARATOR = "\n\n"  # as in Article.body

# Quotation marks that open and close a quotation.
QUOTE_PAIRS = {'"': '"', "“": "”", "«": "»", "「": "」", "『": "』"}
ENDS_WITH_QUOTED_STOP = re.compile(r"[?!…][\s\u00a0\u202f]*[\"”»’'」』]\s*$")
STARTS_LOWERCASE = re.compile(r"^[a-zà-ÿ]")
LIST_MARKER = re.compile(r"^(?:\d{1,3}[.)]|[a-zA-Z][.)]|[•·▪‣*–-])$")
INITIAL = re.compile(r"(?:^|\s)[A-Z]\.$")

# Abbreviations that the library may take for a sentence end, by language (the word
# before the final full stop, case as written).
ABBREVIATIONS = {
    "en": {
        "Mr", "Mrs", "Ms", "Dr", "Prof", "Gov", "Sen", "Rep", "Gen", "Lt", "Col", "Maj", "Capt", "Sgt",
        "Rev", "Hon", "Pres", "Supt", "Insp", "St", "Mt", "Ft", "No", "Nos", "Vol", "Fig", "Jan", "Feb",
        "Mar", "Apr", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "approx", "vs", "est",
    },
    "fr": {
        "M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Me", "Dr", "Pr", "Mgr", "St", "Ste", "art", "Art",
        "al", "av", "bd", "boul", "cf", "chap", "env", "éd", "hab", "min", "n", "no", "p", "pp", "r",
        "vol", "janv", "févr", "avr", "juill", "sept", "oct", "nov", "déc",
    },
    "zh": set(),
}
LAST_WORD = re.compile(r"([\wÀ-ÿ]+)\.$")


def segment(paragraphs: Sequence[str], *, lang: str = "en") -> list[Sentence]:
    """Return the sentences of ``paragraphs``, numbered in reading order.

    Offsets are relative to the paragraphs joined by a blank line (``Article.body``).
    """
    sentences: list[Sentence] = []
    offset = 0
    for paragraph_index, paragraph in enumerate(paragraphs):
        for start, end in split_paragraph(paragraph, lang=lang):
            sentences.append(
                Sentence(
                    index=len(sentences),
                    paragraph=paragraph_index,
                    start=offset + start,
                    end=offset + end,
                    text=paragraph[start:end],
                )
            )
        offset += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    return sentences


@dataclass(frozen=True)
class TextUnit:
    """A line of ``bitext segment``'s output: the headline, or one sentence of the body."""

    source: str  # the input it comes from
    doc_id: str
    kind: str  # "title" or "sentence"
    index: int | None  # the sentence's index; None for the headline
    paragraph: int | None
    start: int | None  # offsets into Article.body; None for the headline
    end: int | None
    text: str

    def as_dict(self) -> dict:
        return asdict(self)


def segment_article(article: Article, *, lang: str = "en") -> list[TextUnit]:
    """The article's headline, then every sentence of its body: nothing is left out."""
    where = (article.source, article.doc_id)
    units = [TextUnit(*where, "title", None, None, None, None, article.title)]
    units += [TextUnit(*where, "sentence", s.index, s.paragraph, s.start, s.end, s.text)
              for s in segment(article.paragraphs, lang=lang)]
    return units


def split_paragraph(text: str, *, lang: str = "en") -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in one paragraph."""
    spans = _merge_abbreviations(text, _library_spans(text, lang), lang)
    split: list[tuple[int, int]] = []
    for start, end in spans:
        split.extend(_split_inside_quotes(text, start, end, lang))
    return _merge_attributions(text, split)


def _merge_abbreviations(text: str, spans: list[tuple[int, int]], lang: str) -> list[tuple[int, int]]:
    """Join a span to the next when it ends in an abbreviation, an initial or a list marker."""
    known = ABBREVIATIONS.get(lang, set())
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged:
            previous = text[merged[-1][0] : merged[-1][1]]
            word = LAST_WORD.search(previous)
            if (
                (word and word.group(1) in known)
                or (lang != "zh" and INITIAL.search(previous) and text[start:end][:1].isupper())
                or LIST_MARKER.match(previous)
            ):
                merged[-1] = (merged[-1][0], end)
                continue
        merged.append((start, end))
    return merged


def _library_spans(text: str, lang: str) -> list[tuple[int, int]]:
    spans = []
    position = 0
    for piece in sentencex.segment(lang, text):
        # sentencex returns consecutive pieces; search anyway so offsets stay right
        # should a version ever drop characters between them.
        start = text.find(piece, position)
        if start < 0:
            start = position
        position = start + len(piece)
        span = _strip(text, start, position)
        if span:
            spans.append(span)
    return spans


def _split_inside_quotes(text: str, start: int, end: int, lang: str) -> list[tuple[int, int]]:
    """Split a sentence at sentence boundaries found inside its quotations."""
    cuts = []
    for quote_start, quote_end in _quotations(text, start, end):
        inner = text[quote_start + 1 : quote_end]
        position = quote_start + 1
        pieces = list(sentencex.segment(lang, inner))
        for piece in pieces[:-1]:
            position += len(piece)
            if position < quote_end and (text[position].isupper() or lang == "zh"):
                cuts.append(position)
    spans, previous = [], start
    for cut in cuts:
        span = _strip(text, previous, cut)
        if span:
            spans.append(span)
        previous = cut
    last = _strip(text, previous, end)
    if last:
        spans.append(last)
    return spans


def _quotations(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Return (open, close) positions of the quotations within text[start:end]."""
    found = []
    position = start
    while position < end:
        char = text[position]
        closer = QUOTE_PAIRS.get(char)
        if closer is not None:
            close = text.find(closer, position + 1, end)
            if close < 0:
                break
            found.append((position, close))
            position = close + 1
        else:
            position += 1
    return found


def _merge_attributions(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if (
            merged
            and ENDS_WITH_QUOTED_STOP.search(text[merged[-1][0] : merged[-1][1]])
            and STARTS_LOWERCASE.match(text[start:end])
        ):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _strip(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
