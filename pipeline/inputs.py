"""Turn what the user names on the command line into articles to read, one by one.

Paths may be files (page copies, HTML pages, ``.jsonl`` with one article per line,
tables, ``.csv``/``.tsv``/``.parquet``, with one article per row), folders (searched
recursively for files matching a glob), or ``-`` for standard input.
Nothing is read until asked, and a bad input becomes an error for that input alone, so
one unreadable file never stops the others.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit
from urllib.request import url2pathname

from .document import Article
from .errors import InputError
from .fetch import Fetcher, without_credentials
from .ingest import RECORD_FIELDS, article_from_record, decode, parse_html, parse_text, plain_text, read_article

DEFAULT_GLOB = "*.txt"  # the files taken from a folder (--glob)
# The longest news features run to some 60,000 characters; a file far beyond that is a
# corpus or a dump, to be split into articles (--max-article-chars raises the limit; the
# runner refuses a longer article). Here, not in the runner, so the CLI's defaults import fast.
MAX_ARTICLE_CHARS = 200_000

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
DELIMITERS = {".csv": ",", ".tsv": "\t"}  # tables of text, by suffix
PARQUET_SUFFIXES = {".parquet"}
_TRAILING_COMMENT = re.compile(r"\s+#.*$")  # "URL  # why": a URL's own fragment has no space before its #


@dataclass(frozen=True)
class Input:
    """One article to read: ``name`` says where it comes from in messages."""

    name: str
    read: Callable[[], Article]


def is_url(arg: str) -> bool:
    """An http(s) URL: schemes are case-insensitive (RFC 3986), so HTTP:// is one too."""
    return re.match(r"https?://", arg, re.IGNORECASE) is not None


def is_file_url(arg: str) -> bool:
    return arg[:5].lower() == "file:"


def local_path(url: str) -> Path:
    """The file a ``file:`` URL names: a browser shows a saved page as one, and it is read as
    the path is (file:///home/me/page.html is /home/me/page.html)."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise InputError(f"{url}: a file: URL names a file on this machine, not on {parts.netloc!r}")
    return Path(url2pathname(parts.path))


def read_url_list(path: Path) -> list[str]:
    """The URLs of a file of one URL per line (blank lines and ``#`` comments, a line's own
    or after a URL, skipped). A line that is not an http(s) URL is refused, naming it."""
    try:
        text = decode(path.read_bytes(), source=str(path))
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    urls = []
    for number, line in enumerate(text.splitlines(), start=1):
        url = _TRAILING_COMMENT.sub("", line).strip()
        if not url or url.startswith("#"):
            continue
        if not is_url(url):  # not looked up as a file: the list holds URLs (and may hold a password)
            raise InputError(f"{path}:{number}: not an http(s) URL (the file holds one URL per line; "
                             "# starts a comment)")
        urls.append(url)
    if not urls:
        raise InputError(f"{path}: no URLs in the file")
    return urls


def expand(args: list[str], *, glob: str = DEFAULT_GLOB, stdin: BinaryIO | None = None,
           fetcher: Fetcher | None = None) -> Iterator[Input]:
    """Yield an ``Input`` per article named by ``args``, in order; URLs are fetched with
    ``fetcher`` when read."""
    for arg in args:
        if arg == "-":
            yield from _from_stdin(stdin)
            continue
        if is_url(arg):
            shown = without_credentials(arg)
            yield _from_url(arg, fetcher) if fetcher else _failing(shown, f"{shown}: URLs are read by `bitext run`")
            continue
        try:
            path = local_path(arg) if is_file_url(arg) else Path(arg)
        except InputError as error:
            yield _failing(arg, str(error))
            continue
        if path.is_dir():
            files = sorted(p for p in path.rglob(glob) if p.is_file() and not p.name.startswith("."))
            if not files:
                yield _failing(arg, f"{arg}: folder has no files matching {glob!r} (choose others with --glob)")
            for file in files:
                yield from _from_file(file)
        else:
            yield from _from_file(path)


def _from_url(url: str, fetcher: Fetcher) -> Input:
    shown = without_credentials(url)  # the fetcher alone sees a password in it

    def read() -> Article:
        page = fetcher.get(url)
        text = page.text()
        if page.is_html:
            return parse_html(plain_text(text), source=shown, url=page.final_url)
        article = parse_text(text, source=shown)
        return replace(article, url=page.final_url)

    return Input(shown, read)


def _from_file(path: Path) -> Iterator[Input]:
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES and path.is_file():
        yield from _from_parquet(path)
    elif (suffix in JSONL_SUFFIXES or suffix in DELIMITERS) and path.is_file():
        try:
            raw = path.read_bytes()
        except OSError as error:
            yield _failing(str(path), f"{path}: cannot read ({error.strerror})")
            return
        if suffix in JSONL_SUFFIXES:
            yield from _from_jsonl(raw, name=str(path))
        else:
            yield from _from_delimited(raw, name=str(path), delimiter=DELIMITERS[suffix])
    else:
        yield Input(str(path), lambda: read_article(path))


def _from_stdin(stdin: BinaryIO | None) -> Iterator[Input]:
    if stdin is None:
        yield _failing("-", "-: no standard input")
        return
    raw = stdin.read()
    if raw.lstrip()[:1] == b"{":
        yield from _from_jsonl(raw, name="<stdin>")
    else:
        yield Input("<stdin>", lambda: parse_text(decode(raw, source="<stdin>"), source="<stdin>"))


def _from_jsonl(raw: bytes, *, name: str) -> Iterator[Input]:
    try:
        text = decode(raw, source=name)
    except InputError as error:
        yield _failing(name, str(error))
        return
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        yield _failing(name, f"{name}: empty file, no articles")
    for number, line in lines:
        where = f"{name}:{number}"
        yield Input(where, lambda line=line, where=where: _record(line, where))


def _record(line: str, where: str) -> Article:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"{where}: not JSON ({error.msg} at column {error.colno})") from None
    return article_from_record(record, source=where)


def _record_columns(header: list[str], *, name: str) -> dict[str, int]:
    """Where each field bitext reads is in a table's header (names matched without case);
    a table with neither a text nor an html column is an ``InputError``."""
    columns: dict[str, int] = {}
    for index, column in enumerate(header):
        if column.strip().lower() in RECORD_FIELDS:
            columns.setdefault(column.strip().lower(), index)
    if "text" not in columns and "html" not in columns:
        shown = ", ".join(repr(column[:30]) for column in header[:8]) + (", ..." if len(header) > 8 else "")
        optional = ", ".join(field for field in RECORD_FIELDS if field not in ("text", "html"))
        raise InputError(f"{name}: bitext reads a table's columns named text or html (and {optional}), one article "
                         f"per row; this one has {shown}")
    return columns


def _from_delimited(raw: bytes, *, name: str, delimiter: str) -> Iterator[Input]:
    """A CSV or TSV file with a header row: an input per row, named by the line it starts on."""
    kind = "CSV" if delimiter == "," else "TSV"
    try:
        text = decode(raw, source=name)
    except InputError as error:
        yield _failing(name, str(error))
        return
    rows, broken = _delimited_rows(text, delimiter=delimiter)
    if not rows:
        yield _failing(name, f"{name}: empty file, no articles" if broken is None else
                       f"{name}:{broken[0]}: not {kind} ({broken[1]})")
        return
    (_, header), *rows = rows
    try:
        columns = _record_columns(header, name=name)
    except InputError as error:
        yield _failing(name, str(error))
        return
    if not rows and broken is None:
        yield _failing(name, f"{name}: a header and no rows, no articles")
    for number, row in rows:
        where = f"{name}:{number}"
        if len(row) != len(header):
            yield _failing(where, f"{where}: {len(row)} fields where the header has {len(header)}"
                                  + (" (a cell holding commas must be quoted)" if delimiter == "," else ""))
        else:
            record = {field: row[index] for field, index in columns.items()}
            yield Input(where, lambda record=record, where=where: article_from_record(record, source=where))
    if broken is not None:
        where = f"{name}:{broken[0]}"
        yield _failing(where, f"{where}: not {kind} ({broken[1]}); the rows from there on are not read")


def _delimited_rows(text: str, *, delimiter: str) -> tuple[list[tuple[int, list[str]]], tuple[int, str] | None]:
    """The rows of a CSV or TSV text that hold something, each with the line it starts on,
    and where and why the reading stopped early, if it did."""
    # A TSV's quotation marks are text ("It is back," she said); a CSV's may quote a cell.
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    rows: list[tuple[int, list[str]]] = []
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text)))  # a long article is one cell, beyond csv's 128 KiB
    start = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as error:
        return rows, (start, str(error))
    finally:
        csv.field_size_limit(limit)
    return rows, None


def _from_parquet(path: Path) -> Iterator[Input]:
    """A Parquet file: an input per row, named by its number (the first is 1)."""
    import pyarrow
    import pyarrow.parquet

    name = str(path)
    try:
        table = pyarrow.parquet.ParquetFile(path)
        header = table.schema_arrow.names
        columns = _record_columns(header, name=name)
        rows = table.read(columns=[header[index] for index in columns.values()]).to_pylist()
    except InputError as error:
        yield _failing(name, str(error))
        return
    except OSError as error:
        yield _failing(name, f"{name}: cannot read ({error.strerror or error})")
        return
    except pyarrow.ArrowException as error:
        yield _failing(name, f"{name}: not a Parquet file ({error})")
        return
    if not rows:
        yield _failing(name, f"{name}: no rows, no articles")
    for number, row in enumerate(rows, start=1):
        where = f"{name}:{number}"
        record = {field: row[header[index]] for field, index in columns.items()}
        yield Input(where, lambda record=record, where=where: article_from_record(record, source=where))


def _failing(name: str, message: str) -> Input:
    def read() -> Article:
        raise InputError(message)

    return Input(name, read)
