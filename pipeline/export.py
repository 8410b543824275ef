"""Write the store's sentence pairs in the formats corpus builders use.

Exporters are found by name in ``EXPORTERS`` and imported lazily (parquet needs pyarrow).
Each takes an iterator of pairs and a target path and streams: a store of a million pairs
is never held in memory. Files are written under a temporary name and renamed when
complete, so a failed export leaves no half-written corpus.
"""

from __future__ import annotations

import importlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from . import __version__
from .document import ORIGINS, PairRecord
from .errors import BitextError
from .languages import SOURCE_LANGUAGE as SOURCE, bcp47, native_name


@dataclass(frozen=True)
class Exporter:
    """A format by name: where its writer lives and what its output path names."""

    name: str
    writer: str  # "module:function(pairs, output, langs) -> pairs written"
    output: str  # "file", "prefix" (one file per language: OUTPUT.en, ...) or "folder"
    description: str


EXPORTERS = {
    exporter.name: exporter
    for exporter in (
        Exporter("jsonl", "pipeline.export:write_jsonl", "file", "one JSON object per pair"),
        Exporter("tsv", "pipeline.export:write_tsv", "file", "tab-separated, with a header row"),
        Exporter("tmx", "pipeline.export:write_tmx", "file", "TMX 1.4b translation memory"),
        Exporter("moses", "pipeline.export:write_moses", "prefix", "line-aligned OUTPUT.en / .zh / .fr"),
        Exporter("parquet", "pipeline.export:write_parquet", "file", "Apache Parquet columns"),
        Exporter("md", "pipeline.export:write_markdown", "file", "a Markdown table per document"),
        Exporter("html", "pipeline.reading:write_site", "folder", "a reading page per document and an index"),
    )
}


def export(
    pairs: Iterable[PairRecord], *, format: str, output: str | Path, langs: list[str],
    exclude_flagged: Iterable[str] | None = None,
    min_quality: float | None = None,
) -> int:
    """Write ``pairs`` to ``output`` in ``format``; returns the number of pairs written.

    Titles come as pairs too (``kind`` "title", first in each document), and every filter
    applies to them as to sentences. ``exclude_flagged``: drop pairs whose translation into
    one of ``langs`` carries one of these quality flags (an empty collection: any flag).
    ``min_quality``: drop pairs whose translation into one of ``langs`` scores below it
    (``quality.quality``).
    """
    if format not in EXPORTERS:
        raise BitextError(f"unknown export format {format!r}; choose one of: {', '.join(EXPORTERS)}")
    exporter = EXPORTERS[format]
    output = Path(output)
    if exporter.output == "folder":
        if output.exists() and not output.is_dir():
            raise BitextError(f"{output}: {format} export writes a folder; give a folder name with -o")
    elif output.is_dir():
        raise BitextError(f"{output}: is a folder; give a file name with -o")
    if not output.parent.is_dir():
        raise BitextError(f"{output}: folder {output.parent} does not exist")
    module_name, function_name = exporter.writer.split(":")
    writer = getattr(importlib.import_module(module_name), function_name)
    pairs = _in_languages(pairs, langs)
    if exclude_flagged is not None:
        pairs = _without_flags(pairs, langs, set(exclude_flagged))
    if min_quality is not None:
        pairs = _at_least(pairs, langs, min_quality)
    return writer(pairs, output, langs)


def parse_exclusions(text: str | None) -> list[str] | None:
    """``--exclude-flagged``: None (keep all), "all" (an empty list: any flag), or flag names."""
    if text is None:
        return None
    from .quality import CHECKS

    choices = f"choose 'all' or from: {', '.join(CHECKS)}"
    if text.strip() == "all":
        return []
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:  # '' or ',' would otherwise mean "any flag", the opposite of naming none
        raise BitextError(f"--exclude-flagged {text!r} names no flag; {choices}")
    unknown = [name for name in names if name not in CHECKS]
    if unknown:
        raise BitextError(f"unknown flag {', '.join(unknown)}; {choices}")
    return names


def check_origin(text: str | None) -> str | None:
    """``--origin``: None (both), "machine" or "edition"."""
    if text is not None and text not in ORIGINS:
        raise BitextError(f"unknown origin {text!r}; choose one of: {', '.join(ORIGINS)}")
    return text


def check_since(text: str | None) -> str | None:
    """``--since``: an ISO date (or date and time), as the store records them."""
    if text is not None:
        try:
            datetime.fromisoformat(text)
        except ValueError:
            raise BitextError(f"--since {text!r}: give a date as YYYY-MM-DD (or an ISO date and time)") from None
    return text


def _in_languages(pairs: Iterable[PairRecord], langs: list[str]) -> Iterator[PairRecord]:
    """Edition pairs of the languages asked for (machine pairs carry every language)."""
    wanted = set(langs)
    return (pair for pair in pairs if pair.origin == "machine" or wanted & set(pair.translations))


def _at_least(pairs: Iterable[PairRecord], langs: list[str], threshold: float) -> Iterator[PairRecord]:
    from .quality import quality

    for pair in pairs:
        if all(quality(flag.name for flag in pair.flags(lang)) >= threshold for lang in langs):
            yield pair


def _without_flags(pairs: Iterable[PairRecord], langs: list[str], names: set[str]) -> Iterator[PairRecord]:
    for pair in pairs:
        found = {flag.name for lang in langs for flag in pair.flags(lang)}
        if not (found & names if names else found):
            yield pair


@contextmanager
def atomic_file(path: Path) -> Iterator:
    """A binary file that appears at ``path`` only once fully written."""
    try:
        handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False)
    except OSError as error:
        raise BitextError(f"{path}: cannot write ({error.strerror})") from None
    try:
        with handle:
            yield handle
            # A temporary file is made private (0600); the export gets what the umask gives
            # any new file, so a folder of reading pages can be served as written.
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)  # the only way to read it is to set it: put it straight back
    os.umask(current)
    return current


def one_line(text: str) -> str:
    """A segment on one line: line-aligned formats must never see a newline or a tab."""
    return " ".join(text.split())


def write_jsonl(pairs: Iterable[PairRecord], output: Path, langs: list[str]) -> int:
    """One JSON object per pair: ids, kind, origin, English, each translation, its signature
    and flags; an edition pair adds its score and the English sentences it spans."""
    count = 0
    with atomic_file(output) as out:
        for pair in pairs:
            record = {
                "doc_id": pair.doc_id,
                "kind": pair.kind,
                "index": pair.index,
                "paragraph": pair.paragraph,
                "origin": pair.origin,
                **({"score": pair.score, "span": list(pair.span)} if pair.origin == "edition" else {}),
                SOURCE: pair.source,
                **{lang: pair.text(lang) for lang in langs},
                "signatures": {lang: pair.signatures[lang] for lang in langs if lang in pair.signatures},
                "flags": {
                    lang: [{"name": flag.name, "reason": flag.reason} for flag in pair.flags(lang)]
                    for lang in langs if pair.flags(lang)
                },
            }
            out.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
            count += 1
    return count


def _cell(value: int | float | None) -> str:
    return "" if value is None else str(value)


def write_tsv(pairs: Iterable[PairRecord], output: Path, langs: list[str]) -> int:
    """A header row, then doc_id, kind, index, paragraph, origin, score, English and each translation."""
    count = 0
    with atomic_file(output) as out:
        header = ["doc_id", "kind", "index", "paragraph", "origin", "score", SOURCE, *langs]
        out.write(("\t".join(header) + "\n").encode("utf-8"))
        for pair in pairs:
            cells = [pair.doc_id, pair.kind, _cell(pair.index), _cell(pair.paragraph), pair.origin, _cell(pair.score),
                     one_line(pair.source),
                     *(one_line(pair.text(lang)) for lang in langs)]
            out.write(("\t".join(cells) + "\n").encode("utf-8"))
            count += 1
    return count


def write_moses(pairs: Iterable[PairRecord], output: Path, langs: list[str]) -> int:
    """Line-aligned plain text: OUTPUT.en, OUTPUT.zh, OUTPUT.fr (``output`` is the prefix)."""
    paths = {lang: output.with_name(f"{output.name}.{lang}") for lang in (SOURCE, *langs)}
    count = 0
    with _many(paths) as files:
        for pair in pairs:
            files[SOURCE].write((one_line(pair.source) + "\n").encode("utf-8"))
            for lang in langs:
                files[lang].write((one_line(pair.text(lang)) + "\n").encode("utf-8"))
            count += 1
    return count


@contextmanager
def _many(paths: dict[str, Path]) -> Iterator[dict]:
    """Several atomic files that appear together: an error inside leaves none of them."""
    with ExitStack() as stack:
        yield {lang: stack.enter_context(atomic_file(path)) for lang, path in paths.items()}


def write_tmx(pairs: Iterable[PairRecord], output: Path, langs: list[str]) -> int:
    """TMX 1.4b: a <tu> per sentence, a <tuv xml:lang> per language, ids and signatures as <prop>s."""
    created = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    count = 0
    with atomic_file(output) as out:
        out.write(
            (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<tmx version="1.4">\n'
                f'  <header creationtool="bitext" creationtoolversion={quoteattr(__version__)} '
                'datatype="plaintext" segtype="sentence" adminlang="en" srclang="en" o-tmf="bitext" '
                f'creationdate="{created}"/>\n'
                "  <body>\n"
            ).encode("utf-8")
        )
        for pair in pairs:
            props = [("x-doc-id", pair.doc_id), ("x-kind", pair.kind), ("x-origin", pair.origin)]
            if pair.score is not None:
                props.append(("x-score", f"{pair.score:.4f}"))
            if pair.index is not None:
                props += [("x-sentence-index", str(pair.index)), ("x-paragraph", str(pair.paragraph))]
            props += [(f"x-signature-{bcp47(lang)}", pair.signatures[lang]) for lang in langs if lang in pair.signatures]
            props += [(f"x-flags-{bcp47(lang)}", ",".join(f.name for f in pair.flags(lang))) for lang in langs if pair.flags(lang)]
            lines = [f"    <tu srclang={quoteattr(bcp47(SOURCE))}>"]
            lines += [f"      <prop type={quoteattr(kind)}>{escape(value)}</prop>" for kind, value in props]
            for lang, text in ((SOURCE, pair.source), *((lang, pair.text(lang)) for lang in langs)):
                lines.append(f"      <tuv xml:lang={quoteattr(bcp47(lang))}><seg>{escape(_xml_text(text))}</seg></tuv>")
            lines.append("    </tu>\n")
            out.write("\n".join(lines).encode("utf-8"))
            count += 1
        out.write(b"  </body>\n</tmx>\n")
    return count


def _xml_text(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control characters other than tab and newline)."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)


def write_parquet(pairs: Iterable[PairRecord], output: Path, langs: list[str], *, rows_per_batch: int = 10_000) -> int:
    """Columns doc_id, kind, index, paragraph, origin, score, en, each language and its
    signature; written in row groups."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [("doc_id", pa.string()), ("kind", pa.string()), ("index", pa.int32()), ("paragraph", pa.int32()),
         ("origin", pa.string()), ("score", pa.float32()), (SOURCE, pa.string())]
        + [(lang, pa.string()) for lang in langs]
        + [(f"signature_{lang}", pa.string()) for lang in langs]
    )
    count = 0
    with atomic_file(output) as out, pq.ParquetWriter(out, schema) as writer:
        batch: list[PairRecord] = []

        def flush() -> None:
            columns = {
                "doc_id": [p.doc_id for p in batch], "kind": [p.kind for p in batch], "index": [p.index for p in batch],
                "paragraph": [p.paragraph for p in batch], "origin": [p.origin for p in batch],
                "score": [p.score for p in batch], SOURCE: [p.source for p in batch],
                **{lang: [p.translations[lang].text if lang in p.translations else None for p in batch] for lang in langs},
                **{f"signature_{lang}": [p.signatures.get(lang) for p in batch] for lang in langs},
            }
            writer.write_table(pa.table(columns, schema=schema))
            batch.clear()

        for pair in pairs:
            batch.append(pair)
            count += 1
            if len(batch) >= rows_per_batch:
                flush()
        if batch:
            flush()
    return count


def write_markdown(pairs: Iterable[PairRecord], output: Path, langs: list[str]) -> int:
    """A Markdown table per document: English beside each translation, the title first;
    an edition pair's number says so, with its score ("3 edition 0.82")."""
    count, current = 0, None
    with atomic_file(output) as out:
        for pair in pairs:
            if pair.doc_id != current:
                current = pair.doc_id
                header = [native_name(SOURCE), *(native_name(lang) for lang in langs)]
                heading = f"{'' if count == 0 else chr(10)}## {_md(pair.article.title) or pair.doc_id}\n\n`{pair.doc_id}`\n\n"
                out.write((heading + "| # | " + " | ".join(header) + " |\n" + "|---|" + "---|" * len(header) + "\n")
                          .encode("utf-8"))
            number = "title" if pair.kind == "title" else str(pair.index)
            if pair.origin == "edition":
                number += f" edition {pair.score:.2f}"
            cells = [number, _md(pair.source), *(_md(pair.text(lang)) for lang in langs)]
            out.write(("| " + " | ".join(cells) + " |\n").encode("utf-8"))
            count += 1
    return count


def _md(text: str) -> str:
    """Table-safe Markdown: one line, pipes and markup escaped."""
    text = one_line(text)
    for char in "\\|*_`[]<>#":
        text = text.replace(char, "\\" + char)
    return text
