"""`bitext align`: an article and its human editions into the store
(``alignment.editions.align_editions``), or two presegmented files into beads
(``alignment.files.align_files_to``), aligned in n:m beads; the store opened as every
command that writes one opens it (``store.open_store``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from ..view import progress_display, shown, step_reporter
from . import app
from .common import DbOption, err, say, user_errors

LangOption = Annotated[Optional[str], typer.Option(help="--presegmented: en, zh or fr. Default: detected.")]


@app.command()
def align(
    inputs: Annotated[list[Path], typer.Argument(
        help="The English article, then its editions (page copies, HTML pages or one-record .jsonl); "
        "with --presegmented: SRC and TGT, one sentence per line.", dir_okay=False, show_default=False)],
    db: DbOption = Path("bitext.db"),
    langs: Annotated[Optional[str], typer.Option(
        "--langs", help="The language of each input in order, e.g. en,zh,fr. Default: detected.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Store an edition even when it does not read as a translation of the article; "
        "--presegmented: align files that read as another language than given, or as the same one.")] = False,
    presegmented: Annotated[bool, typer.Option(
        "--presegmented",
        help="Align two files of one sentence per line into --beads (the corpus-tool mode).")] = False,
    beads: Annotated[Path, typer.Option(
        "--beads", help="--presegmented: where to write the beads (JSONL).", dir_okay=False)] = Path("beads.jsonl"),
    src_lang: LangOption = None,
    tgt_lang: LangOption = None,
    embedder: Annotated[str, typer.Option(help="Sentence embeddings: use, e5, or use+e5.")] = "use",
    embed_runs: Annotated[bool, typer.Option(
        "--embed-runs", help="Embed runs of 2-5 sentences as joined text instead of summing their vectors: "
        "much slower, and no better on the development sets.")] = False,
) -> None:
    """Align an English article with the site's own editions (中文, Français) in n:m beads.

    Each edition is read as `run` reads articles, its language detected (or given with
    --langs), segmented, and aligned with the English sentences in beads (1-1, 1-2, 2-1,
    ..., 1-0, 0-1), the titles as a bead of their own. The beads go into the store as
    human pairs (origin "edition"), into the same document as the article's machine
    translations, each with a score; `show` and `export` serve them (--origin, --min-score).
    An edition that does not read as a translation of the article is refused.

    With --presegmented, SRC and TGT hold one sentence per line and every line of both
    files lands in exactly one bead, written in order as {"src": [0, 1], "tgt": [0],
    "score": 0.83} (0-based line numbers; [] for a side with no sentence). A file that
    reads as another language than --src-lang / --tgt-lang say, or two files in one
    language, are refused (--force aligns them anyway).

    Examples:

        bitext align story.en.txt story.zh.txt story.fr.txt --db bitext.db
        bitext align book.zh book.en --presegmented --beads book.beads.jsonl
    """
    from ..errors import InputError

    with user_errors():
        if presegmented:
            if len(inputs) != 2:
                raise InputError(f"--presegmented aligns two files, SRC and TGT; {len(inputs)} were given")
            _align_presegmented(inputs[0], inputs[1], beads, src_lang=src_lang, tgt_lang=tgt_lang,
                                embedder=embedder, embed_runs=embed_runs, force=force)
            return
        if src_lang or tgt_lang:
            raise InputError("--src-lang / --tgt-lang are for --presegmented files; give --langs for articles")
        if len(inputs) < 2:
            raise InputError("give the English article and at least one of its editions")
        _align_article_editions(inputs, db, langs=langs, force=force, embedder=embedder, embed_runs=embed_runs)


def _align_presegmented(src: Path, tgt: Path, beads: Path, *, src_lang, tgt_lang, embedder, embed_runs,
                        force) -> None:
    from ..alignment.files import align_files_to

    with progress_display(err, transient=True) as progress:
        done = align_files_to(src, tgt, beads, src_lang=src_lang, tgt_lang=tgt_lang, embedder=embedder,
                              embed_runs=embed_runs, force=force, progress=step_reporter(progress))
    say(f"wrote {done.beads} beads ({done.src_lang}->{done.tgt_lang}, {done.lines} lines in {done.seconds:.1f} s) "
        f"to {beads}", console=err)


def _align_article_editions(inputs: list[Path], db: Path, *, langs, force, embedder, embed_runs) -> None:
    from ..alignment.editions import align_editions
    from ..languages import parse_languages
    from ..store import open_store

    codes = parse_languages(langs) if langs else None
    with open_store(db) as store, progress_display(err, transient=True) as progress:
        result = align_editions(store, inputs[0], inputs[1:], langs=codes, force=force, embedder=embedder,
                                embed_runs=embed_runs, progress=step_reporter(progress))
    where = "the stored article" if result.english_stored_before else "a new document"
    say(f"{result.doc_id}  {result.title}  (editions added to {where})")
    for report in result.reports:
        for warning in report.warnings:
            err.print(Text.assemble(("warning:", "bold yellow"), " ", shown(warning)), highlight=False)
        say(f"  {report.lang}: {report.pairs} pairs in {report.beads} beads from {report.sentences} sentences, "
            f"{report.unmatched} sentences without a counterpart, median score {report.score:.2f}  ({report.source})")
    say(f"read them with: bitext show --db {db} {result.doc_id}", console=err)
