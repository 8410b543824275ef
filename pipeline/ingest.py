"""Read an article: a news page copied as text, a saved HTML page, or a JSON record.

Page copies hold, around the article, navigation (edition switcher, section, breadcrumb),
a byline such as ``By A and B | Outlet | Updated: 2025-11-29 08:13``, share buttons, and a
footer. What that furniture looks like is data (``page_rules.toml``), so a new layout is a
new pattern, not new code. HTML pages go through trafilatura, the reference extractor for
news pages, which gives the body paragraphs, title, author, date and canonical URL.
"""

from __future__ import annotations

import codecs
import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import resources
from pathlib import Path

from .document import Article
from .errors import InputError
from .segment import split_paragraph

AUTHOR_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+|et\s+)?|\s+(?:and|et)\s+|\s*[&、，]\s*", re.IGNORECASE)
HTML_START = re.compile(r"\s*(<!doctype html|<html|<head|<body|<article|<!--|<meta|<div|<p\b)", re.IGNORECASE)
DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%Y年%m月%d日")


@dataclass(frozen=True)
class PageRules:
    bylines: tuple[re.Pattern, ...]
    furniture: tuple[re.Pattern, ...]
    footer_start: tuple[re.Pattern, ...]
    edition_links: tuple[tuple[str, re.Pattern], ...] = ()  # (language, a switcher link's text)
    names_bylines: tuple[re.Pattern, ...] = ()  # a byline of names alone, right under a headline

    def edition_link(self, text: str) -> str | None:
        """The language whose edition a link with this text leads to, if it is a switcher's."""
        text = " ".join(text.split())
        return next((lang for lang, pattern in self.edition_links if pattern.fullmatch(text)), None)

    def is_furniture(self, line: str) -> bool:
        return any(pattern.fullmatch(line) for pattern in self.furniture)

    def starts_footer(self, line: str) -> bool:
        return any(pattern.fullmatch(line) for pattern in self.footer_start)

    def byline(self, line: str) -> re.Match | None:
        return next((m for pattern in self.bylines if (m := pattern.fullmatch(line))), None)

    def is_names_byline(self, line: str) -> bool:
        return any(pattern.fullmatch(line) for pattern in self.names_bylines)


@functools.cache
def default_rules() -> PageRules:
    data = tomllib.loads(resources.files("pipeline").joinpath("page_rules.toml").read_text(encoding="utf-8"))
    return PageRules(
        *(tuple(re.compile(p, re.IGNORECASE) for p in data[key]) for key in ("bylines", "furniture", "footer_start")),
        tuple((lang, re.compile(p, re.IGNORECASE)) for lang, patterns in data.get("edition_links", {}).items()
              for p in patterns),
        tuple(re.compile(p, re.IGNORECASE) for p in data.get("names_bylines", ())),
    )


# Removed from all text bitext reads:
# - C0 and C1 control characters but tab and newline (and carriage return, which line
#   splitting reads as a newline): a terminal acts on them (ESC starts a sequence that can
#   retitle a window or clear the screen), and no news text needs them;
# - bidirectional controls (embeddings, overrides and isolates U+202A-202E, U+2066-2069;
#   the marks U+200E, U+200F, U+061C): invisible, they reorder what a terminal or a page
#   shows around them, and a sentence pair needs none (a translation has its own order);
# - noncharacters (U+FDD0-FDEF and the last two code points of every plane, U+FFFE and
#   U+FFFF among them): Unicode keeps them for a program's own use, not for text, and XML
#   (TMX) forbids U+FFFE and U+FFFF.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                       "\ufdd0-\ufdef" + "".join(f"{chr(plane | 0xFFFE)}{chr(plane | 0xFFFF)}"
                                                  for plane in range(0, 0x110000, 0x10000)) + "]")
# A lone surrogate (JSON may escape one, as "\ud800") is no character at all: it cannot be
# written as UTF-8, so the store and every file refuse it; it becomes U+FFFD, the
# replacement character, which says that something unreadable stood there.
_SURROGATES = re.compile("[\ud800-\udfff]")


def plain_text(text: str) -> str:
    """Text as bitext stores it: Unicode NFC, with no control characters but tab and newline,
    no noncharacters, and U+FFFD for a lone surrogate."""
    return unicodedata.normalize("NFC", _SURROGATES.sub("\ufffd", _NOT_TEXT.sub("", text)))


_SENTENCE_END = re.compile(r"[.!?。！？…\"'”’»)]\s*$")
_CODE_LINE = re.compile(r"[{};]\s*$|^\s*(?:def |class |import |from \S+ import |#include|function |var |let |const "
                        r"|return\b|if \(|for \(|public |private |package )")
_LOG_LINE = re.compile(r"^\W{0,2}(?:\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|\d{2}:\d{2}:\d{2}"
                       r"|[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}"
                       r"|(?:INFO|DEBUG|WARN(?:ING)?|ERROR|TRACE|FATAL)\b)")


def not_prose(lines: list[str]) -> str | None:
    """What a text that is not an article looks like ("tabular data", "source code", "a
    log"), from its lines; None for prose. Prose is recognised first: most of its lines
    (paragraphs) end a sentence, while rows, code and log lines rarely do."""
    lines = [line for line in lines if line.strip()]
    if len(lines) < 3 or sum(bool(_SENTENCE_END.search(line)) for line in lines) >= len(lines) / 2:
        return None
    for delimiter in (",", "\t", ";", "|"):
        counts = [line.count(delimiter) for line in lines]
        columns = counts[0]  # a header row, then rows with as many fields
        if columns >= 1 and sum(count == columns for count in counts) >= 0.8 * len(lines):
            return "tabular data"
    if sum(bool(_CODE_LINE.search(line)) for line in lines) >= 0.5 * len(lines):
        return "source code"
    if sum(bool(_LOG_LINE.match(line)) for line in lines) >= 0.6 * len(lines):
        return "a log"
    return None


def decode(raw: bytes, *, source: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM) or UTF-16 with a BOM; else a clear error."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{source}: broken UTF-16 text") from None
    if b"\x00" in raw[:4096]:
        raise InputError(f"{source}: binary data, not an article")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{source}: not UTF-8 text (bad byte at offset {error.start}); convert it to UTF-8") from None


def read_lines(path: str | Path, *, limit: int | None = None, what: str = "lines") -> list[str]:
    """A file of one segment per line (test sets, presegmented corpora), blank lines kept
    so line numbers stay true; ``limit``: only the first lines. A file with nothing but
    blank lines is an error that calls its lines ``what``."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    # Split first, then clean each line: some characters plain_text removes split lines.
    lines = [plain_text(line) for line in decode(raw, source=str(path)).splitlines()]
    lines = lines[:limit] if limit else lines
    if not any(line.strip() for line in lines):
        raise InputError(f"{path}: no {what} (the file is empty)")
    return lines


def read_article(path: str | Path) -> Article:
    """Read a page copy or an HTML page from ``path``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not an article file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    return parse_text(decode(raw, source=str(path)), source=str(path))


def parse_text(text: str, *, source: str) -> Article:
    """An article from text that is either an HTML page or a page copy."""
    if "\x00" in text:
        raise InputError(f"{source}: binary data, not an article")
    text = plain_text(text)
    if not text.strip():
        raise InputError(f"{source}: empty file, no article text")
    if HTML_START.match(text):
        return parse_html(text, source=source)
    return parse_page_copy(text, source=source)


def parse_page_copy(text: str, *, source: str = "<text>", rules: PageRules | None = None) -> Article:
    """Split a page copy into title, byline, date and body paragraphs."""
    rules = rules or default_rules()
    source = plain_text(source)  # a file's name may hold what its text may not (a name that is not UTF-8)
    if not text.strip():
        raise InputError(f"{source}: empty file, no article text")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    authors: tuple[str, ...] = ()
    outlet = published = None

    byline_at = next((i for i, line in enumerate(lines) if line and rules.byline(line)), None)
    if byline_at is not None:
        match = rules.byline(lines[byline_at])
        authors = _authors(match["authors"])
        outlet = match.groupdict().get("outlet")
        published = _iso_date(match["date"], match.groupdict().get("time"))
        above = [line for line in lines[:byline_at] if line and not rules.is_furniture(line)]
        if not above:
            raise InputError(f"{source}: found a byline but no title above it")
        title = above[-1]
        rest = lines[byline_at + 1 :]
    else:
        # No byline: the title is the first line that is not navigation.
        first = next((i for i, line in enumerate(lines) if line and not rules.is_furniture(line)), None)
        if first is None:
            raise InputError(f"{source}: no article text found")
        title, rest = lines[first], lines[first + 1 :]

    paragraphs: list[str] = []
    for line in rest:
        if rules.starts_footer(line):
            break
        if line and not rules.is_furniture(line):
            paragraphs.append(line)
    if not paragraphs:
        raise InputError(f"{source}: no article text found below the title")
    return Article(source=source, title=title, paragraphs=tuple(paragraphs), authors=authors,
                   outlet=outlet, published=published)


# libxml2's HTML parser stops reading at 256 nested elements, silently to trafilatura, which
# then finds no article or half of one; told the document may be huge, it reads 2048 deep.
HTML_MAX_DEPTH = 2048


def html_tree(html: str, *, source: str):
    """The lxml tree of an HTML page, parsed as trafilatura parses it but up to
    ``HTML_MAX_DEPTH`` elements deep; a page nested deeper is an ``InputError``."""
    from lxml import etree, html as lxml_html
    from trafilatura.utils import repair_faulty_html  # what trafilatura mends before it parses (<html/>)

    html = repair_faulty_html(html, html[:50].lower())
    parser = lxml_html.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
                                  remove_pis=True, huge_tree=True)
    try:
        # bytes: lxml refuses a str whose page declares its encoding (plain_text left no surrogate to encode)
        tree = lxml_html.fromstring(html.encode("utf-8"), parser=parser)
    except etree.ParserError:  # nothing but comments or white space
        raise InputError(f"{source}: no article found in the HTML page") from None
    if any(error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for error in parser.error_log):
        raise InputError(f"{source}: the HTML page nests deeper than {HTML_MAX_DEPTH} elements, more than bitext "
                         "can read")
    return tree


@functools.cache
def _trafilatura_config():
    """trafilatura's settings, but two. Its fallback, whole-page text as one paragraph with the
    headline and byline in it, only where the article extraction found next to nothing:
    trafilatura's 250 characters are three English sentences but a whole short Chinese
    article. And no date guessed from the page's text ("Copyright 2026" is no publication
    date): a date comes from the page's metadata (meta tags, JSON-LD, <time>) or its byline."""
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "50")
    config.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    return config


def parse_html(html: str, *, source: str = "<html>", url: str | None = None, title: str | None = None) -> Article:
    """Extract the article of an HTML page with trafilatura, keeping its paragraphs; the
    headline and byline above them go, as they do from a page copy. ``title``: the
    article's title when it is known otherwise (a record's), so that no paragraph is
    taken for it."""
    import trafilatura

    source = plain_text(source)  # a file's name or a URL may hold what its text may not
    document = trafilatura.bare_extraction(html_tree(html, source=source), url=url, with_metadata=True,
                                           include_comments=False, include_tables=False,
                                           config=_trafilatura_config())
    data = document.as_dict() if document is not None and hasattr(document, "as_dict") else (document or {})
    paragraphs = [" ".join(p.split()) for p in (data.get("text") or "").splitlines() if p.strip()]
    title = " ".join((title or data.get("title") or "").split())
    rules, byline = default_rules(), None
    while paragraphs and (paragraphs[0] == title or rules.byline(paragraphs[0])
                          or rules.is_names_byline(paragraphs[0])):
        byline = rules.byline(paragraphs[0]) or byline
        paragraphs = paragraphs[1:]  # the headline repeated as the first block, the byline under it
    if not paragraphs:
        raise InputError(f"{source}: no article found in the HTML page")
    if not title:
        title, paragraphs = paragraphs[0], paragraphs[1:]
        if not paragraphs:
            raise InputError(f"{source}: no article found in the HTML page (only {title[:40]!r})")
    return Article(
        source=source,
        title=title,
        paragraphs=tuple(paragraphs),
        authors=_authors(data.get("author") or (byline["authors"] if byline else "")),
        outlet=data.get("sitename") or None,
        published=(_iso_date(data["date"], None) if data.get("date")
                   else _iso_date(byline["date"], byline.groupdict().get("time")) if byline else None),
        url=data.get("url") or url,
    )


# The fields of a record (a JSON line, a table's row) that bitext reads; others are ignored.
RECORD_FIELDS = ("id", "url", "title", "text", "html")
# A first line longer than this is a paragraph, not a headline.
HEADLINE_MAX_CHARS = 200


def article_from_record(record: object, *, source: str) -> Article:
    """An article from a record, a JSON object or a table's row: ``{"id", "url", "title",
    "text" | "html"}``. A field that is missing, null or empty is absent; one that holds
    other than a string (an id may be a number too) is an error naming its type.

    A record without a title takes its text's first line as the title when that line reads
    as a headline (short, no sentence end, text below it), as a page copy's is; otherwise
    every line of the text is body, and the title is its first sentence, kept in the body
    too: each stored article has a title to translate, and no sentence is lost from the body."""
    if not isinstance(record, dict):
        raise InputError(f"{source}: a JSON object was expected, not {_json_kind(record)}")
    fields: dict[str, str] = {}
    for key in RECORD_FIELDS:
        value = record.get(key)
        if key == "id" and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            expected = "a string or a number" if key == "id" else "a string"
            raise InputError(f'{source}: "{key}" must be {expected}, not {_json_kind(value)}')
        if value is not None and value.strip():
            fields[key] = plain_text(value)  # JSON can carry any character, an escaped NUL or ESC among them
    name = plain_text(f"{source} ({fields['id']})" if "id" in fields else source)
    url = fields["url"].strip() if "url" in fields else None
    title = " ".join(fields.get("title", "").split())
    if "html" in fields:
        article = parse_html(fields["html"], source=name, url=url, title=title or None)
    elif "text" in fields:
        text = fields["text"]
        if title:
            article = Article(source=name, title=title, paragraphs=_lines(text))
        elif _starts_with_headline(text):
            article = parse_page_copy(text, source=name)
        else:
            paragraphs = _lines(text)
            start, end = next(iter(split_paragraph(paragraphs[0])), (0, len(paragraphs[0])))
            article = Article(source=name, title=paragraphs[0][start:end], paragraphs=paragraphs)
    else:
        raise InputError(f"{name}: the record has no \"text\" or \"html\"")
    return replace(article, title=title or article.title, url=url or article.url)


def _lines(text: str) -> tuple[str, ...]:
    """A record's text as paragraphs: one per non-blank line, its spaces collapsed."""
    return tuple(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _starts_with_headline(text: str) -> bool:
    first, *rest = _lines(text)
    return bool(rest) and len(first) <= HEADLINE_MAX_CHARS and not _SENTENCE_END.search(first)


def _json_kind(value: object) -> str:
    """What a JSON (or table) value is, in JSON's words: "a number", "an array"."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    return type(value).__name__


def _authors(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in AUTHOR_SEPARATOR.split(text or "") if a.strip())


def _iso_date(date: str, time: str | None) -> str | None:
    for form in DATE_FORMATS:
        try:
            value = datetime.strptime(date.strip(), form).date().isoformat()
            break
        except ValueError:
            continue
    else:
        return date
    if time:
        hour, minute = time.split(":")
        value += f"T{int(hour):02d}:{minute}"
    return value
