"""Write the store's sentence pairs in the formats corpus builders use.

Exporters are found by name in ``EXPORTERS`` (at the end, below the writers it holds).
Each takes an iterator of pairs and an output (a binary stream, a prefix or a folder) and
streams: a store of a million pairs is never held in memory. Where an output may go is
checked before any work (``output_target``): never the store, nor any other SQLite
database. Regular files are written under a temporary name and renamed when complete, a
folder of pages is built beside its place and renamed into it, so a failed export leaves
no half-written corpus; a device or a pipe is written as a stream, "-" is standard output.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from . import __version__
from .document import ORIGINS, PairRecord
from .errors import BitextError
from .languages import SOURCE_LANGUAGE as SOURCE, bcp47, native_name
from .markup import xml_chars
from .outputs import folder_target, output_file, output_target, writing
from .reading import write_site


@dataclass(frozen=True)
class Exporter:
    """A format by name: its writer, what its output path names, and the output it writes
    when none is given."""

    name: str
    writer: Callable[..., int]  # (pairs, output, langs) -> pairs written; output as below
    output: str  # "file" (a binary stream), "prefix" (one file per language: OUTPUT.en, ...) or "folder"
    default_output: str
    description: str
    binary: bool = False  # never sent to a terminal


def exporter(format: str) -> Exporter:
    if format not in EXPORTERS:
        raise BitextError(f"unknown export format {format!r}; choose one of: {', '.join(EXPORTERS)}")
    return EXPORTERS[format]


def moses_paths(prefix: str | Path, langs: list[str]) -> dict[str, Path]:
    """The files a moses export writes: PREFIX.en, PREFIX.zh, PREFIX.fr."""
    prefix = Path(prefix)
    return {lang: prefix.with_name(f"{prefix.name}.{lang}") for lang in (SOURCE, *langs)}


def _check_output(chosen: Exporter, output: str | Path, *, langs: list[str], store: str | Path | None,
                  stdout: BinaryIO | None) -> None:
    """Refuse, before any work, an output the format cannot write at ``output`` (see
    ``output_target`` and ``folder_target``): "-" for a format of several files or a
    folder, or for a binary format when standard output is a terminal."""
    if str(output) == "-":
        if chosen.output == "prefix":
            raise BitextError(f"-o -: {chosen.name} writes several files, not one stream; give a name with -o")
        if stdout is not None and chosen.binary and stdout.isatty():
            raise BitextError(f"-o -: {chosen.name} is binary; send it to a pipe or a file, not a terminal")
    if chosen.output == "file":
        output_target(output, store=store, stdout=stdout is not None)
    elif chosen.output == "prefix":
        for path in moses_paths(output, langs).values():
            output_target(path, store=store)
    else:
        folder_target(output)


def export(
    pairs: Iterable[PairRecord], *, format: str, output: str | Path | None = None, langs: list[str],
    exclude_flagged: Iterable[str] | None = None,
    min_quality: float | None = None,
    store: str | Path | None = None,
    stdout: BinaryIO | None = None,
) -> int:
    """Write ``pairs`` to ``output`` in ``format``; returns the number of pairs written.

    ``output``: default the format's ``default_output``; "-" is ``stdout`` (when given).
    ``store``: the store the pairs come from, never written over. Titles come as pairs too
    (``kind`` "title", first in each document), and every filter applies to them as to
    sentences. ``exclude_flagged``: drop pairs whose translation into one of ``langs``
    carries one of these quality flags (an empty collection: any flag). ``min_quality``:
    drop pairs whose translation into one of ``langs`` scores below it (``quality.quality``).
    """
    chosen = exporter(format)
    output = chosen.default_output if output is None else output
    _check_output(chosen, output, langs=langs, store=store, stdout=stdout)
    writer = chosen.writer
    pairs = _in_languages(pairs, langs)
    if exclude_flagged is not None:
        pairs = _without_flags(pairs, langs, set(exclude_flagged))
    if min_quality is not None:
        pairs = _at_least(pairs, langs, min_quality)
    if chosen.output == "file":
        with output_file(output, store=store, stdout=stdout) as out:
            return writer(pairs, out, langs)
    return writer(pairs, Path(output), langs)


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


def one_line(text: str) -> str:
    """A segment on one line: line-aligned formats must never see a newline or a tab."""
    return " ".join(text.split())


def write_jsonl(pairs: Iterable[PairRecord], out: BinaryIO, langs: list[str]) -> int:
    """One JSON object per pair: ids, kind, origin, English, each translation, its signature
    and flags; an edition pair adds its score and the English sentences it spans."""
    count = 0
    for pair in pairs:
        record = {
            "doc_id": pair.doc_id,
            "kind": pair.kind,
            "index": pair.index,
            "paragraph": pair.paragraph,
            "origin": pair.origin,
            **({"score": pair.score, "span": list(pair.span)} if pair.origin == "edition" else {}),
            SOURCE: pair.english,
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


def write_tsv(pairs: Iterable[PairRecord], out: BinaryIO, langs: list[str]) -> int:
    """A header row, then doc_id, kind, index, paragraph, origin, score, English and each translation."""
    count = 0
    header = ["doc_id", "kind", "index", "paragraph", "origin", "score", SOURCE, *langs]
    out.write(("\t".join(header) + "\n").encode("utf-8"))
    for pair in pairs:
        cells = [pair.doc_id, pair.kind, _cell(pair.index), _cell(pair.paragraph), pair.origin, _cell(pair.score),
                 one_line(pair.english),
                 *(one_line(pair.text(lang)) for lang in langs)]
        out.write(("\t".join(cells) + "\n").encode("utf-8"))
        count += 1
    return count


def write_moses(pairs: Iterable[PairRecord], output: Path, langs: list[str]) -> int:
    """Line-aligned plain text: OUTPUT.en, OUTPUT.zh, OUTPUT.fr (``output`` is the prefix)."""
    count = 0
    with _many(moses_paths(output, langs)) as files:
        for pair in pairs:
            files[SOURCE].write((one_line(pair.english) + "\n").encode("utf-8"))
            for lang in langs:
                files[lang].write((one_line(pair.text(lang)) + "\n").encode("utf-8"))
            count += 1
    return count


@contextmanager
def _many(paths: dict[str, Path]) -> Iterator[dict]:
    """Several output files that appear together: an error inside leaves none of them."""
    with ExitStack() as stack:
        files = {lang: stack.enter_context(output_file(path)) for lang, path in paths.items()}
        yield files
        # A stream's write error may wait for its flush: find it while no file has appeared.
        for lang, file in files.items():
            with writing(str(paths[lang])):
                file.flush()


def write_tmx(pairs: Iterable[PairRecord], out: BinaryIO, langs: list[str]) -> int:
    """TMX 1.4b: a <tu> per sentence, a <tuv xml:lang> per language, ids and signatures as <prop>s."""
    created = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    count = 0
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
        props += [(f"x-flags-{bcp47(lang)}", ",".join(f.name for f in pair.flags(lang)))
                  for lang in langs if pair.flags(lang)]
        lines = [f"    <tu srclang={quoteattr(bcp47(SOURCE))}>"]
        lines += [f"      <prop type={quoteattr(kind)}>{escape(xml_chars(value))}</prop>" for kind, value in props]
        for lang, text in ((SOURCE, pair.english), *((lang, pair.text(lang)) for lang in langs)):
            lines.append(f"      <tuv xml:lang={quoteattr(bcp47(lang))}><seg>{escape(xml_chars(text))}</seg></tuv>")
        lines.append("    </tu>\n")
        out.write("\n".join(lines).encode("utf-8"))
        count += 1
    out.write(b"  </body>\n</tmx>\n")
    return count


def write_parquet(pairs: Iterable[PairRecord], out: BinaryIO, langs: list[str], *, rows_per_batch: int = 10_000) -> int:
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
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[PairRecord] = []

        def flush() -> None:
            columns = {
                "doc_id": [p.doc_id for p in batch], "kind": [p.kind for p in batch], "index": [p.index for p in batch],
                "paragraph": [p.paragraph for p in batch], "origin": [p.origin for p in batch],
                "score": [p.score for p in batch], SOURCE: [p.english for p in batch],
                **{lang: [p.translations[lang].text if lang in p.translations else None for p in batch]
                   for lang in langs},
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


def write_markdown(pairs: Iterable[PairRecord], out: BinaryIO, langs: list[str]) -> int:
    """A Markdown table per document: English beside each translation, the title first;
    an edition pair's number says so, with its score ("3 edition 0.82")."""
    count, current = 0, None
    for pair in pairs:
        if pair.doc_id != current:
            current = pair.doc_id
            header = [native_name(SOURCE), *(native_name(lang) for lang in langs)]
            heading = (f"{'' if count == 0 else chr(10)}## {_md(pair.article.title) or pair.doc_id}\n\n"
                       f"`{pair.doc_id}`\n\n")
            out.write((heading + "| # | " + " | ".join(header) + " |\n" + "|---|" + "---|" * len(header) + "\n")
                      .encode("utf-8"))
        number = "title" if pair.kind == "title" else str(pair.index)
        if pair.origin == "edition":
            number += f" edition {pair.score:.2f}"
        cells = [number, _md(pair.english), *(_md(pair.text(lang)) for lang in langs)]
        out.write(("| " + " | ".join(cells) + " |\n").encode("utf-8"))
        count += 1
    return count


def _md(text: str) -> str:
    """Table-safe Markdown: one line, pipes and markup escaped."""
    text = one_line(text)
    for char in "\\|*_`[]<>#":
        text = text.replace(char, "\\" + char)
    return text


# parquet's writer imports pyarrow when it runs: the other formats never need it.
EXPORTERS = {
    exporter.name: exporter
    for exporter in (
        Exporter("jsonl", write_jsonl, "file", "pairs.jsonl", "one JSON object per pair"),
        Exporter("tsv", write_tsv, "file", "pairs.tsv", "tab-separated, with a header row"),
        Exporter("tmx", write_tmx, "file", "pairs.tmx", "TMX 1.4b translation memory"),
        Exporter("moses", write_moses, "prefix", "pairs", "line-aligned OUTPUT.en / .zh / .fr"),
        Exporter("parquet", write_parquet, "file", "pairs.parquet", "Apache Parquet columns", binary=True),
        Exporter("md", write_markdown, "file", "pairs.md", "a Markdown table per document"),
        Exporter("html", write_site, "folder", "site", "a reading page per document and an index"),
    )
}
