"""Align two files of one sentence per line, as corpus tools do (Vecalign, Bertalign).

Every line of both files ends up in exactly one bead, blank lines included, so the
line numbers in the output always point back into the inputs. ``align_files_to`` is the
entry point of ``bitext align --presegmented`` (two files in, a beads file out).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..ingest import read_lines
from ..languages import SAMPLE, SEGMENT_LANGUAGES, contradicts, detect_language, name
from ..progress import Progress, no_progress
from . import Bead, align_sentences


def language_of(path: Path, lines: Sequence[str], given: str | None, *, option: str, force: bool = False) -> str:
    """The language given (refused where the text reads as another one bitext knows, unless
    ``force``), else the one detected; either way one bitext aligns. ``option``: the
    command-line option that gives it, for the message."""
    found = detect_language(_sample(lines))
    if given is not None and given in SEGMENT_LANGUAGES:
        if contradicts(found, given) and not force:
            raise InputError(f"{path}: reads as {name(found)}, not {name(given)} as {option} says; "
                             f"give --force to align it as {name(given)} anyway")
        return given
    if given is None and found in SEGMENT_LANGUAGES:
        return found
    said = f"{given!r} was given" if given else f"it reads as {name(found) if found else 'no known language'}"
    raise InputError(f"{path}: cannot align this file: {said}; "
                     f"give --src-lang / --tgt-lang as one of: {', '.join(SEGMENT_LANGUAGES)}")


def _sample(lines: Sequence[str]) -> str:
    """The file's first lines, as many as the detector reads (not the whole of a big file)."""
    taken, size = [], 0
    for line in lines:
        if size >= SAMPLE:
            break
        taken.append(line)
        size += len(line) + 1
    return "\n".join(taken)


def align_files(
    src_path: Path, tgt_path: Path, *, src_lang: str | None = None, tgt_lang: str | None = None,
    embedder: str = "use", embed_runs: bool = False, force: bool = False, progress: Progress = no_progress,
) -> tuple[list[Bead], str, str]:
    """Beads for two presegmented files, and the two languages used.

    Each file's language is detected and checked against the one given; two files in one
    language are no text and its translation. Either is refused (``InputError``), before
    any work, unless ``force``. ``progress``: embedding, then each pass of the aligner."""
    src, tgt = read_lines(src_path, what="sentences"), read_lines(tgt_path, what="sentences")
    src_lang = language_of(src_path, src, src_lang, option="--src-lang", force=force)
    tgt_lang = language_of(tgt_path, tgt, tgt_lang, option="--tgt-lang", force=force)
    if src_lang == tgt_lang and not force:
        raise InputError(f"{tgt_path}: is {name(tgt_lang)}, as {src_path} is; --presegmented aligns a text with its "
                         f"translation into another language (give --force to align them anyway)")
    beads = align_sentences(src, tgt, src_lang=src_lang, tgt_lang=tgt_lang, embedder=embedder, embed_runs=embed_runs,
                            progress=progress)
    return beads, src_lang, tgt_lang


def write_beads(beads: Sequence[Bead], output: Path) -> None:
    """One JSON object per bead, in order: {"src": [0, 1], "tgt": [0], "score": 0.83}."""
    from ..outputs import output_file

    with output_file(Path(output)) as out:
        for bead in beads:
            record = {"src": list(bead.src), "tgt": list(bead.tgt), "score": bead.score}
            out.write(json.dumps(record).encode("utf-8") + b"\n")


@dataclass(frozen=True)
class AlignedFiles:
    """What ``align_files_to`` wrote."""

    beads: int
    lines: int  # lines of both files, every one in a bead
    src_lang: str
    tgt_lang: str
    seconds: float


def align_files_to(
    src_path: Path, tgt_path: Path, output: Path, *, src_lang: str | None = None, tgt_lang: str | None = None,
    embedder: str = "use", embed_runs: bool = False, force: bool = False, progress: Progress = no_progress,
) -> AlignedFiles:
    """``align_files``, then the beads written to ``output`` (``write_beads``); an output
    the beads cannot go to is refused before the work."""
    from ..outputs import output_target

    output_target(output)
    started = time.perf_counter()
    beads, src_lang, tgt_lang = align_files(src_path, tgt_path, src_lang=src_lang, tgt_lang=tgt_lang,
                                            embedder=embedder, embed_runs=embed_runs, force=force, progress=progress)
    write_beads(beads, output)
    lines = sum(len(bead.src) + len(bead.tgt) for bead in beads)
    return AlignedFiles(len(beads), lines, src_lang, tgt_lang, time.perf_counter() - started)
