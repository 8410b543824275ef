"""A newsroom's glossary: English terms and the renderings each target language requires.

Names of people, organisations and plans are what a small model gets wrong ("Zhao明",
an invented institution, the wrong five-year plan). A glossary is read from a TSV or CSV
file (English term, then one column per language: ``en  zh  fr``), given to the model
for the sentences that contain a term, and checked afterwards (the ``glossary`` flag).
Its digest is part of every signature it helped make.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import InputError
from .languages import LANGUAGES, SOURCE_LANGUAGE, TARGET_LANGUAGES

# A header cell (casefolded) -> the language of its column: the table's names for each
# language, and the first column's role.
HEADER_NAMES = {column: lang.code for lang in LANGUAGES.values() for column in lang.column_names} | {
    "term": SOURCE_LANGUAGE, "source": SOURCE_LANGUAGE}


@dataclass(frozen=True)
class Term:
    """An English term and what it must become in each language that has an entry."""

    source: str
    renderings: tuple[tuple[str, str], ...]  # (language, rendering)

    def rendering(self, lang: str) -> str | None:
        return dict(self.renderings).get(lang)


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...]
    source: str = ""  # the file it was read from

    @cached_property
    def digest(self) -> str:
        """Identifies the glossary's content (not its file name) in signatures."""
        canonical = json.dumps([[t.source, sorted(t.renderings)] for t in self.terms], ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]

    @cached_property
    def _patterns(self) -> list[tuple[re.Pattern, Term]]:
        # Longest terms first, so "14th Five-Year Plan" wins over "Five-Year Plan".
        ordered = sorted(self.terms, key=lambda t: -len(t.source))
        return [(re.compile(rf"(?<!\w){re.escape(t.source)}(?!\w)", re.IGNORECASE), t) for t in ordered]

    def for_text(self, text: str, lang: str) -> tuple[tuple[str, str], ...]:
        """(term, rendering) for each term in ``text`` that has a ``lang`` rendering."""
        found, covered = [], []
        for pattern, term in self._patterns:
            rendering = term.rendering(lang)
            if rendering is None:
                continue
            for match in pattern.finditer(text):
                if not any(start <= match.start() < end for start, end in covered):
                    covered.append(match.span())
                    found.append((match.group(0), rendering))
                    break
        return tuple(found)

    def as_json(self) -> str:
        return json.dumps([[t.source, dict(t.renderings)] for t in self.terms], ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, *, source: str = "") -> Glossary:
        return cls(tuple(Term(term, tuple(renderings.items())) for term, renderings in json.loads(text)), source)


def missing_renderings(translation: str, terms: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """The (term, rendering) pairs whose rendering the translation lacks (spacing, case
    and punctuation aside: "十四五"规划 is 十四五规划)."""
    text = _squashed(translation)
    return [(term, rendering) for term, rendering in terms if _squashed(rendering) not in text]


def _squashed(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in text if not (c.isspace() or unicodedata.category(c).startswith("P")))


def read_glossary(path: Path) -> Glossary:
    """Read a glossary: TSV (tab-separated) or CSV, one term per row, English first. A
    header row naming the columns (en, zh, fr) may say which column is which; without one
    the columns are en, zh, fr in that order. Blank rows and rows starting with # are skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such glossary file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the glossary ({error})") from None
    delimiter = "\t" if "\t" in text.split("\n", 1)[0] or str(path).endswith(".tsv") else ","
    # A TSV's quotation marks are text ("十四五"规划); a CSV's may quote a cell.
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    reader = csv.reader(text.splitlines(), delimiter=delimiter, quoting=quoting)
    rows = [(n, [cell.strip() for cell in row]) for n, row in enumerate(reader, 1)]
    rows = [(n, row) for n, row in rows if any(row) and not row[0].startswith("#")]
    columns = list(LANGUAGES)  # without a header: English, then each target language
    if rows and all(cell.casefold() in HEADER_NAMES for cell in rows[0][1] if cell):
        columns = [HEADER_NAMES[cell.casefold()] for cell in rows[0][1]]
        rows = rows[1:]
        if columns[:1] != ["en"]:
            raise InputError(f"{path}: the first column must hold the English terms (the header says {columns[0]})")
    terms, seen = [], {}
    for number, row in rows:
        if len(row) < 2 or not row[0]:
            raise InputError(f"{path}, line {number}: a term needs its English form and at least one rendering")
        if len(row) > len(columns):
            raise InputError(f"{path}, line {number}: {len(row)} columns, the glossary has {len(columns)} "
                             f"({', '.join(columns)})")
        renderings = tuple((lang, cell) for lang, cell in zip(columns[1:], row[1:], strict=False)
                           if cell and lang in TARGET_LANGUAGES)
        if not renderings:
            raise InputError(f"{path}, line {number}: {row[0]!r} has no rendering")
        key = row[0].casefold()
        if key in seen:
            raise InputError(f"{path}, line {number}: {row[0]!r} is already on line {seen[key]}")
        seen[key] = number
        terms.append(Term(row[0], renderings))
    if not terms:
        raise InputError(f"{path}: the glossary holds no terms")
    return Glossary(tuple(terms), str(path))
