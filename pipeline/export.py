"""Write the store's sentence pairs in the formats corpus builders use.

Exporters are found by name in ``EXPORTERS`` (imported lazily, like the engines); each
takes an iterator of pairs and a binary file, so a large store streams straight to disk.
Files are written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import importlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from .errors import BitextError
from .store import PairRecord

EXPORTERS = {
    "jsonl": "pipeline.export:write_jsonl",
}


def export(pairs: Iterable[PairRecord], *, format: str, output: str | Path) -> int:
    """Write ``pairs`` to ``output`` in ``format``; returns the number of pairs written."""
    if format not in EXPORTERS:
        raise BitextError(f"unknown export format {format!r}; choose one of: {', '.join(EXPORTERS)}")
    module_name, function_name = EXPORTERS[format].split(":")
    writer = getattr(importlib.import_module(module_name), function_name)
    output = Path(output)
    if output.is_dir():
        raise BitextError(f"{output}: is a directory; give a file name with -o")
    try:
        handle = tempfile.NamedTemporaryFile(dir=output.parent or ".", prefix=f".{output.name}.", delete=False)
    except OSError as error:
        raise BitextError(f"{output}: cannot write ({error.strerror})") from None
    try:
        with handle:
            count = writer(pairs, handle)
        os.replace(handle.name, output)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return count


def write_jsonl(pairs: Iterable[PairRecord], out: BinaryIO) -> int:
    """One JSON object per sentence: ids, English, each translation and its signature."""
    count = 0
    for pair in pairs:
        record = {
            "doc_id": pair.doc_id,
            "index": pair.index,
            "paragraph": pair.paragraph,
            "en": pair.source,
            **pair.translations,
            "signatures": pair.signatures,
        }
        out.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        count += 1
    return count
