"""Read an article copied from a news page as plain text and strip the page furniture.

A page copy holds, in order: navigation (edition switcher, section, breadcrumb), the title,
a byline such as ``By A and B | Outlet | Updated: 2025-11-29 08:13``, share buttons, the
body paragraphs (one per line), and a footer (back-to-top links, language switcher,
copyright, licence and registration lines, "FOLLOW US"). The rules below describe that
furniture as data, so a new layout is a new pattern, not new code.
"""

from __future__ import annotations

import re
from pathlib import Path

from .document import Article
from .errors import InputError

# A byline: authors, outlet, and a date with optional time.
BYLINE = re.compile(
    r"^By\s+(?P<authors>.+?)\s*\|\s*(?P<outlet>[^|]+?)\s*\|\s*"
    r"(?:(?:Updated|Published)\s*:?\s*)?"
    r"(?P<date>\d{4}-\d{2}-\d{2})(?:[ T](?P<time>\d{1,2}:\d{2}))?\s*$",
    re.IGNORECASE,
)

# Lines that are never article text, wherever they appear.
FURNITURE_LINES = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"share(\s*-\s*\w+)?",
        r"(print|email|comment|comments|save|like)",
        r"(home\s*/\s*.*)",  # breadcrumb
    )
)

# The first line matching one of these starts the footer: it and all after it go.
FOOTER_START = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"top",
        r"back to (the )?top",
        r"(copyright|©).*",
        r"follow us",
        r"related (stories|articles|news)",
    )
)

AUTHOR_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*", re.IGNORECASE)


def read_article(path: str | Path) -> Article:
    """Read a page copy from ``path`` and return the article it holds."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not an article file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (bad byte at offset {error.start})") from None
    return parse_page_copy(text, source=str(path))


def parse_page_copy(text: str, *, source: str = "<text>") -> Article:
    """Split a page copy into title, byline, date and body paragraphs."""
    if "\x00" in text:
        raise InputError(f"{source}: binary data, not an article")
    if not text.strip():
        raise InputError(f"{source}: empty file, no article text")
    if text.lstrip()[:1] == "<":
        raise InputError(f"{source}: looks like HTML; save the page as text (HTML input is not supported yet)")

    lines = [" ".join(line.split()) for line in text.splitlines()]
    authors: tuple[str, ...] = ()
    outlet = published = None

    byline_at = next((i for i, line in enumerate(lines) if BYLINE.match(line)), None)
    if byline_at is not None:
        match = BYLINE.match(lines[byline_at])
        authors = tuple(a for a in AUTHOR_SEPARATOR.split(match["authors"]) if a)
        outlet = match["outlet"]
        published = match["date"]
        if match["time"]:
            hour, minute = match["time"].split(":")
            published += f"T{int(hour):02d}:{minute}"
        above = [line for line in lines[:byline_at] if line and not _is_furniture(line)]
        if not above:
            raise InputError(f"{source}: found a byline but no title above it")
        title = above[-1]
        rest = lines[byline_at + 1 :]
    else:
        # No byline: the title is the first line that is not navigation.
        content = [line for line in lines if line and not _is_furniture(line)]
        if not content:
            raise InputError(f"{source}: no article text found")
        title, rest = content[0], lines[lines.index(content[0]) + 1 :]

    paragraphs: list[str] = []
    for line in rest:
        if any(pattern.fullmatch(line) for pattern in FOOTER_START):
            break
        if line and not _is_furniture(line):
            paragraphs.append(line)
    if not paragraphs:
        raise InputError(f"{source}: no article text found below the title")
    return Article(
        source=source,
        title=title,
        paragraphs=tuple(paragraphs),
        authors=authors,
        outlet=outlet,
        published=published,
    )


def _is_furniture(line: str) -> bool:
    return any(pattern.fullmatch(line) for pattern in FURNITURE_LINES)
