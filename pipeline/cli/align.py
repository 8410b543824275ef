"""`bitext align`: a text and its human translation, aligned in n:m beads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import app
from .common import err, say, user_errors

LangOption = Annotated[Optional[str], typer.Option(help="en, zh or fr. Default: detected.")]


@app.command()
def align(
    src: Annotated[Path, typer.Argument(help="Source text, one sentence per line.", dir_okay=False, show_default=False)],
    tgt: Annotated[Path, typer.Argument(help="Its translation, one sentence per line.", dir_okay=False,
                                        show_default=False)],
    presegmented: Annotated[bool, typer.Option(
        "--presegmented", help="The files hold one sentence per line (the corpus-tool mode).")] = False,
    beads: Annotated[Path, typer.Option("--beads", help="Where to write the beads (JSONL).", dir_okay=False)] = Path(
        "beads.jsonl"),
    src_lang: LangOption = None,
    tgt_lang: LangOption = None,
    embedder: Annotated[str, typer.Option(help="Sentence embeddings: use, e5, or use+e5.")] = "use",
    embed_runs: Annotated[bool, typer.Option(
        "--embed-runs", help="Embed runs of 2-4 sentences as text too: better beads, about 4x slower.")] = False,
) -> None:
    """Align a text and its translation in n:m beads (1-1, 1-2, 2-1, ..., 1-0, 0-1).

    With --presegmented, each file holds one sentence per line and every line of both
    files lands in exactly one bead, written in order as {"src": [0, 1], "tgt": [0],
    "score": 0.83} (0-based line numbers; [] for a side with no sentence).

    Example: bitext align book.zh book.en --presegmented --beads book.beads.jsonl
    """
    import time

    from ..alignment.files import align_files, write_beads

    with user_errors():
        if not presegmented:
            from ..errors import BitextError

            raise BitextError("aligning article pages into the store is not built yet; "
                              "give files of one sentence per line with --presegmented")
        started = time.perf_counter()
        found, src_lang, tgt_lang = align_files(src, tgt, src_lang=src_lang, tgt_lang=tgt_lang, embedder=embedder,
                                                embed_runs=embed_runs)
        write_beads(found, beads)
    seconds = time.perf_counter() - started
    lines = sum(len(b.src) + len(b.tgt) for b in found)
    say(f"wrote {len(found)} beads ({src_lang}->{tgt_lang}, {lines} lines in {seconds:.1f} s) to {beads}", console=err)
