"""Align two files of one sentence per line, as corpus tools do (Vecalign, Bertalign).

Every line of both files ends up in exactly one bead, blank lines included, so the
line numbers in the output always point back into the inputs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from ..ingest import read_lines
from ..languages import SEGMENT_LANGUAGES, detect_language, name
from . import Bead, align_sentences


def language_of(path: Path, lines: Sequence[str], given: str | None) -> str:
    """The language given, else the one detected; either way one bitext aligns."""
    found = given or detect_language("\n".join(lines)[:2000])
    if found not in SEGMENT_LANGUAGES:
        said = f"{given!r} was given" if given else f"it reads as {name(found) if found else 'no known language'}"
        raise InputError(f"{path}: cannot align this file: {said}; "
                         f"give --src-lang / --tgt-lang as one of: {', '.join(SEGMENT_LANGUAGES)}")
    return found


def align_files(
    src_path: Path, tgt_path: Path, *, src_lang: str | None = None, tgt_lang: str | None = None,
    embedder: str = "use", embed_runs: bool = False,
) -> tuple[list[Bead], str, str]:
    """Beads for two presegmented files, and the two languages used."""
    src, tgt = read_lines(src_path, what="sentences"), read_lines(tgt_path, what="sentences")
    src_lang, tgt_lang = language_of(src_path, src, src_lang), language_of(tgt_path, tgt, tgt_lang)
    beads = align_sentences(src, tgt, src_lang=src_lang, tgt_lang=tgt_lang, embedder=embedder, embed_runs=embed_runs)
    return beads, src_lang, tgt_lang


def write_beads(beads: Sequence[Bead], output: Path) -> None:
    """One JSON object per bead, in order: {"src": [0, 1], "tgt": [0], "score": 0.83}."""
    from ..export import output_file

    with output_file(Path(output)) as out:
        for bead in beads:
            record = {"src": list(bead.src), "tgt": list(bead.tgt), "score": bead.score}
            out.write(json.dumps(record).encode("utf-8") + b"\n")
