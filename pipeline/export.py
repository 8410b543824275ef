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
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from . import __version__
from .errors import BitextError
from .store import PairRecord

# name -> "module:function(pairs, output, langs) -> count"
EXPORTERS = {
    "jsonl": "pipeline.export:write_jsonl",
    "tsv": "pipeline.export:write_tsv",
    "tmx": "pipeline.export:write_tmx",
    "moses": "pipeline.export:write_moses",
    "parquet": "pipeline.export:write_parquet",
    "md": "pipeline.export:write_markdown",
}
BCP47 = {"en": "en", "zh": "zh-Hans", "fr": "fr"}
SOURCE = "en"


def export(
    pairs: Iterable[PairRecord], *, format: str, output: str | Path, langs: list[str],
    exclude_flagged: Iterable[str] | None = None,
    min_quality: float | None = None,
) -> int:
    """Write ``pairs`` to ``output`` in ``format``; returns the number of pairs written.

    ``exclude_flagged``: drop pairs whose translation into one of ``langs`` carries one of
    these quality flags (an empty collection: any flag). ``min_quality``: drop pairs whose
    translation into one of ``langs`` scores below it (``quality.quality``).
    """
    if format not in EXPORTERS:
        raise BitextError(f"unknown export format {format!r}; choose one of: {', '.join(EXPORTERS)}, html")
    module_name, function_name = EXPORTERS[format].split(":")
    writer = getattr(importlib.import_module(module_name), function_name)
    output = Path(output)
    if output.is_dir():
        raise BitextError(f"{output}: is a folder; give a file name with -o")
    if not output.parent.is_dir():
        raise BitextError(f"{output}: folder {output.parent} does not exist")
    if exclude_flagged is not None:
        pairs = _without_flags(pairs, langs, set(exclude_flagged))
    if min_quality is not None:
        pairs = _at_least(pairs, langs, min_quality)
    return writer(pairs, output, langs)


def _at_least(pairs: Iterable[PairRecord], langs: list[str], threshold: float) -> Iterator[PairRecord]:
    from .quality import quality

    for pair in pairs:
        if all(quality(name for name, _ in pair.flags.get(lang, [])) >= threshold for lang in langs):
            yield pair


def _without_flags(pairs: Iterable[PairRecord], langs: list[str], names: set[str]) -> Iterator[PairRecord]:
    for pair in pairs:
        found = {name for lang in langs for name, _ in pair.flags.get(lang, [])}
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
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def one_line(text: str) -> str:
    """A segment on one line: line-aligned formats must never see a newline or a tab."""
    return " ".join(text.split())


def write_jsonl(pairs: Iterable[PairRecord], output: Path, langs: list[str]) -> int:
    """One JSON object per sentence: ids, English, each translation and its signature."""
    count = 0
    with atomic_file(output) as out:
        for pair in pairs:
            record = {
                "doc_id": pair.doc_id,
                "index": pair.index,
                "paragraph": pair.paragraph,
                "en": pair.source,
                **{lang: pair.translations.get(lang, "") for lang in langs},
                "signatures": {lang: pair.signatures[lang] for lang in langs if lang in pair.signatures},
                "flags": {lang: [{"name": n, "reason": r} for n, r in pair.flags[lang]] for lang in langs if pair.flags.get(lang)},
            }
            out.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
            count += 1
    return count


def write_tsv(pairs: Iterable[PairRecord], output: Path, langs: list[str]) -> int:
    """A header row, then doc_id, index, paragraph, English and each translation."""
    count = 0
    with atomic_file(output) as out:
        out.write(("\t".join(["doc_id", "index", "paragraph", SOURCE, *langs]) + "\n").encode("utf-8"))
        for pair in pairs:
            cells = [pair.doc_id, str(pair.index), str(pair.paragraph), one_line(pair.source),
                     *(one_line(pair.translations.get(lang, "")) for lang in langs)]
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
                files[lang].write((one_line(pair.translations.get(lang, "")) + "\n").encode("utf-8"))
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
            props = [("x-doc-id", pair.doc_id), ("x-sentence-index", str(pair.index)), ("x-paragraph", str(pair.paragraph))]
            props += [(f"x-signature-{BCP47[lang]}", pair.signatures[lang]) for lang in langs if lang in pair.signatures]
            props += [(f"x-flags-{BCP47[lang]}", ",".join(n for n, _ in pair.flags[lang])) for lang in langs if pair.flags.get(lang)]
            lines = ["    <tu srclang=\"en\">"]
            lines += [f"      <prop type={quoteattr(kind)}>{escape(value)}</prop>" for kind, value in props]
            for lang, text in ((SOURCE, pair.source), *((lang, pair.translations.get(lang, "")) for lang in langs)):
                lines.append(f"      <tuv xml:lang={quoteattr(BCP47[lang])}><seg>{escape(_xml_text(text))}</seg></tuv>")
            lines.append("    </tu>\n")
            out.write("\n".join(lines).encode("utf-8"))
            count += 1
        out.write(b"  </body>\n</tmx>\n")
    return count


def _xml_text(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control characters other than tab and newline)."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)


def write_parquet(pairs: Iterable[PairRecord], output: Path, langs: list[str], *, rows_per_batch: int = 10_000) -> int:
    """Columns doc_id, index, paragraph, en, each language and its signature; written in row groups."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [("doc_id", pa.string()), ("index", pa.int32()), ("paragraph", pa.int32()), (SOURCE, pa.string())]
        + [(lang, pa.string()) for lang in langs]
        + [(f"signature_{lang}", pa.string()) for lang in langs]
    )
    count = 0
    with atomic_file(output) as out, pq.ParquetWriter(out, schema) as writer:
        batch: list[PairRecord] = []

        def flush() -> None:
            columns = {
                "doc_id": [p.doc_id for p in batch], "index": [p.index for p in batch],
                "paragraph": [p.paragraph for p in batch], SOURCE: [p.source for p in batch],
                **{lang: [p.translations.get(lang) for p in batch] for lang in langs},
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
    """A Markdown table per document: English beside each translation."""
    names = {"en": "English", "zh": "中文", "fr": "Français"}
    count, current = 0, None
    with atomic_file(output) as out:
        for pair in pairs:
            if pair.doc_id != current:
                current = pair.doc_id
                header = [names.get(SOURCE), *(names.get(lang, lang) for lang in langs)]
                heading = f"{'' if count == 0 else chr(10)}## {_md(pair.title) or pair.doc_id}\n\n`{pair.doc_id}`\n\n"
                out.write((heading + "| # | " + " | ".join(header) + " |\n" + "|---|" + "---|" * len(header) + "\n")
                          .encode("utf-8"))
            cells = [str(pair.index), _md(pair.source), *(_md(pair.translations.get(lang, "")) for lang in langs)]
            out.write(("| " + " | ".join(cells) + " |\n").encode("utf-8"))
            count += 1
    return count


def _md(text: str) -> str:
    """Table-safe Markdown: one line, pipes and markup escaped."""
    text = one_line(text)
    for char in "\\|*_`[]<>#":
        text = text.replace(char, "\\" + char)
    return text
