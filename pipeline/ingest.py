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
import unicodedata
import tomllib
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

from .document import Article
from .errors import InputError

AUTHOR_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+|et\s+)?|\s+(?:and|et)\s+|\s*[&、，]\s*", re.IGNORECASE)
HTML_START = re.compile(r"\s*(<!doctype html|<html|<head|<body|<article|<!--|<meta|<div|<p\b)", re.IGNORECASE)
DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%Y年%m月%d日")


@dataclass(frozen=True)
class PageRules:
    bylines: tuple[re.Pattern, ...]
    furniture: tuple[re.Pattern, ...]
    footer_start: tuple[re.Pattern, ...]
    edition_links: tuple[tuple[str, re.Pattern], ...] = ()  # (language, a switcher link's text)

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


@functools.cache
def default_rules() -> PageRules:
    data = tomllib.loads(resources.files("pipeline").joinpath("page_rules.toml").read_text(encoding="utf-8"))
    return PageRules(
        *(tuple(re.compile(p, re.IGNORECASE) for p in data[key]) for key in ("bylines", "furniture", "footer_start")),
        tuple((lang, re.compile(p, re.IGNORECASE)) for lang, patterns in data.get("edition_links", {}).items()
              for p in patterns),
    )


# C0 and C1 control characters but tab and newline (and carriage return, which line
# splitting reads as a newline): a terminal acts on them (ESC starts a sequence that can
# retitle a window or clear the screen), and no news text needs them.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def plain_text(text: str) -> str:
    """Text as bitext stores it: Unicode NFC, with no control characters but tab and newline."""
    return unicodedata.normalize("NFC", _CONTROLS.sub("", text))


_SENTENCE_END = re.compile(r"[.!?。！？…\"'”’»)]\s*$")
_CODE_LINE = re.compile(r"[{};]\s*$|^\s*(?:def |class |import |from \S+ import |#include|function |var |let |const "
                        r"|return\b|if \(|for \(|public |private |package )")
_LOG_LINE = re.compile(r"^\W{0,2}(?:\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|\d{2}:\d{2}:\d{2}|[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}"
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
    lines = decode(raw, source=str(path)).splitlines()
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


# A byline of names alone ("By Lin Mei", "作者：林梅"), taken as one only right under an HTML
# page's headline: elsewhere a short line starting "By" may be text.
_NAMES_BYLINE = re.compile(r"(?:By|Par|作者\s*[:：])\s*[^.!?。！？]{1,80}")


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


def parse_html(html: str, *, source: str = "<html>", url: str | None = None) -> Article:
    """Extract the article of an HTML page with trafilatura, keeping its paragraphs; the
    headline and byline above them go, as they do from a page copy."""
    import trafilatura

    document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                           include_tables=False, config=_trafilatura_config())
    data = document.as_dict() if document is not None and hasattr(document, "as_dict") else (document or {})
    paragraphs = [" ".join(p.split()) for p in (data.get("text") or "").splitlines() if p.strip()]
    title = " ".join((data.get("title") or "").split())
    rules, byline = default_rules(), None
    while paragraphs and (paragraphs[0] == title or rules.byline(paragraphs[0])
                          or _NAMES_BYLINE.fullmatch(paragraphs[0])):
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


def article_from_record(record: object, *, source: str) -> Article:
    """An article from a JSON record: ``{"id", "url", "title", "text" | "html"}``."""
    if not isinstance(record, dict):
        raise InputError(f"{source}: a JSON object was expected, not {type(record).__name__}")
    name = f"{source} ({record['id']})" if record.get("id") is not None else source
    # JSON can carry any character, an escaped NUL or ESC among them.
    record = {key: plain_text(value) if isinstance(value, str) else value for key, value in record.items()}
    url = record.get("url") if isinstance(record.get("url"), str) else None
    if isinstance(record.get("html"), str) and record["html"].strip():
        article = parse_html(record["html"], source=name, url=url)
    elif isinstance(record.get("text"), str) and record["text"].strip():
        text = record["text"]
        title = record.get("title")
        if isinstance(title, str) and title.strip():
            paragraphs = tuple(" ".join(p.split()) for p in re.split(r"\n\s*\n|\n", text) if p.strip())
            article = Article(source=name, title=" ".join(title.split()), paragraphs=paragraphs, url=url)
        else:
            article = parse_page_copy(text, source=name)
    else:
        raise InputError(f"{name}: the record has no \"text\" or \"html\"")
    if isinstance(record.get("title"), str) and record["title"].strip() and article.title != record["title"].strip():
        article = Article(**{**article.__dict__, "title": " ".join(record["title"].split())})
    return Article(**{**article.__dict__, "url": url or article.url})


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
