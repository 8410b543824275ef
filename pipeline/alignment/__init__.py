"""Sentence alignment.

* ``machine``: machine translations are one-to-one by construction; ``align`` checks it.
* ``beads``: a text and its human translation, n:m (``align_sentences`` below), for the
  site's own editions and for corpus tools (``bitext align --presegmented``).
* ``embeddings``: the sentence embedders the n:m aligner compares sentences with.
"""

from __future__ import annotations

from collections.abc import Sequence

from .beads import BEAD_TYPES, LONGEST_RUN, AlignSettings, Bead, align_embeddings

__all__ = ["BEAD_TYPES", "AlignSettings", "Bead", "align_sentences", "join_sentences"]


def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    *,
    src_lang: str,
    tgt_lang: str,
    embedder: str = "use",
    embed_runs: bool = False,
    settings: AlignSettings | None = None,
    **options,
) -> list[Bead]:
    """Align two lists of sentences (a text and its translation) in n:m beads.

    Every sentence of both sides is in exactly one bead, beads in reading order. Languages
    are any two of en, zh, fr (they select nothing yet: the embedders are multilingual,
    and lengths are compared by the document's own ratio). ``embed_runs``: embed the
    joined text of every run of 2-4 sentences too (better beads, four times the encoder
    calls) instead of summing the sentences' vectors. ``options`` override fields of
    ``AlignSettings``.
    """
    from dataclasses import replace

    from .embeddings import get_embedder

    settings = replace(settings or AlignSettings(), **options)
    model = get_embedder(embedder)
    vectors = model.embed([*src, *tgt])
    src_runs = tgt_runs = None
    if embed_runs:
        src_runs = {size: model.embed(joined_runs(src, size, src_lang)) for size in range(2, LONGEST_RUN + 1)}
        tgt_runs = {size: model.embed(joined_runs(tgt, size, tgt_lang)) for size in range(2, LONGEST_RUN + 1)}
    return align_embeddings(
        vectors[: len(src)], vectors[len(src) :],
        src_lengths=[len(s.strip()) for s in src], tgt_lengths=[len(t.strip()) for t in tgt],
        settings=settings, src_runs=src_runs, tgt_runs=tgt_runs,
    )


def join_sentences(sentences: Sequence[str], lang: str) -> str:
    """A bead's side as text: its sentences joined (no space between Chinese sentences)."""
    return ("" if lang == "zh" else " ").join(s.strip() for s in sentences)


def joined_runs(sentences: Sequence[str], size: int, lang: str) -> list[str]:
    """Row i: sentences i-size+1 .. i joined (rows before ``size - 1``: shorter runs, unused)."""
    return [join_sentences(sentences[max(0, i - size + 1) : i + 1], lang) for i in range(len(sentences))]
