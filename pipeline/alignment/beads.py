"""n:m sentence alignment of a text and its translation: embeddings and dynamic programming.

After Vecalign (Thompson & Koehn 2019) and Bertalign (Liu & Zhu 2022), with our own
choices where ``scripts/bench_align.py`` said so:

* every sentence is embedded once; a run of 2-5 consecutive sentences is the normalised
  sum of their vectors (or, slower and better, the embedding of the joined text);
* a bead's score is the cosine of its two sides in robust standard deviations (median
  and MAD) of the document's sentence similarities (embedders and language pairs differ
  in how alike unrelated sentences look), minus a length penalty (how far the bead's length ratio is from the
  document's), weighted by the sentences it covers to a small power (``coverage``) so a
  sentence split in two is one bead, not a bead and a skip; a sentence without a
  counterpart costs ``skip``;
* clauses: a bead's two first clauses and its two last clauses are compared too (their
  similarities on the same robust scale, weighted by ``clauses``);
* quotation marks: where a first path shows the two texts quote alike, a second one
  penalises beads whose sides open or close quotations differently;
* a dynamic program (``path``) finds the monotone path of beads with the highest total; it runs row
  by row in numpy (one matrix product per bead kind, the 0-1 chain within a row as a
  running maximum), so there is no n x m Python loop;
* up to ``EXACT_CELLS`` cells (a choice byte each; path scores are kept for the last five
  rows only) it sees every cell. Bigger texts go coarse to fine, as Vecalign does: both
  sides are halved (pairs of sentences summed) until the coarsest fits, its path is
  found, and each finer level searches only a band of ``BAND`` sentences around the path
  of the level above, so memory and time grow as n + m, not n x m (two 50,000-line
  files: a few MB of choices).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..progress import Progress, no_progress
from .path import LONGEST_RUN, AlignSettings, Bead, Edges, RunVectors, Sides, all_run_sums, best_path, runs

SAMPLE_ROWS = 512  # source rows whose similarities to the targets set the score scale
SAMPLE_COLUMNS = 8192  # target columns they are compared with (all of them in shorter texts)
# How far a document's length ratio may stray from its languages' usual one: literary
# zh-en in the development sets runs at 1.1-1.7 times the FLORES news ratio.
PRIOR_SPAN = 1.75
# The first path's pair beads that must agree in quoting before quotes count (MAC-Dev's
# novels 43-89%; TransRead's French, whose dialogue runs on between « », 0-15%).
QUOTE_AGREEMENT = 0.5


def align_embeddings(
    src: np.ndarray,
    tgt: np.ndarray,
    *,
    src_lengths: Sequence[int],
    tgt_lengths: Sequence[int],
    settings: AlignSettings | None = None,
    src_runs: dict[int, np.ndarray] | None = None,
    tgt_runs: dict[int, np.ndarray] | None = None,
    length_prior: float | None = None,
    src_quotes: Sequence[int] | None = None,
    tgt_quotes: Sequence[int] | None = None,
    src_clauses: tuple[np.ndarray, np.ndarray] | None = None,
    tgt_clauses: tuple[np.ndarray, np.ndarray] | None = None,
    progress: Progress = no_progress,
) -> list[Bead]:
    """Beads covering every row of ``src`` and ``tgt`` (unit-length embeddings), in order.

    ``src_runs[k]`` / ``tgt_runs[k]``: embeddings of the runs of k sentences ending at each
    row, where the caller embedded the joined texts; by default the normalised sums.
    ``length_prior``: the usual ratio of target to source length for the two languages;
    the document's own ratio is kept within ``PRIOR_SPAN`` of it, so a translation that
    lacks half the text does not make every source sentence look twice too long.
    ``src_quotes`` / ``tgt_quotes``: quotation marks each sentence opens minus those it
    closes (``quotes.balances``). Where the two texts quote alike (see
    ``QUOTE_AGREEMENT``), a bead whose sides differ in that balance is penalised: a
    quotation split over three English sentences then stays one bead.
    ``src_clauses`` / ``tgt_clauses``: embeddings of each sentence's first and last clause
    (``clauses.edges``); a bead's first clauses and its last clauses should match too,
    which tells where a bead ends better than whole sentences do.
    ``settings.exact_cells``: the most (n + 1) x (m + 1) cells searched whole; bigger texts
    go coarse to fine, each finer level within ``settings.band`` sentences of the coarser path.
    ``progress``: each pass of the path search, by source rows done."""
    settings = settings or AlignSettings()
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Bead((i,), (), 0.0) for i in range(n)] + [Bead((), (j,), 0.0) for j in range(m)]
    exact = (n + 1) * (m + 1) <= settings.exact_cells
    if exact:  # every run is read: computed once; in a band, each block computes its own
        src_runs = {size: runs(src, size) for size in range(1, LONGEST_RUN + 1)} | (src_runs or {})
        tgt_runs = {size: runs(tgt, size) for size in range(1, LONGEST_RUN + 1)} | (tgt_runs or {})
    ratio = max(float(np.sum(tgt_lengths)), 1.0) / max(float(np.sum(src_lengths)), 1.0)
    if length_prior:
        ratio = min(max(ratio, length_prior / PRIOR_SPAN), length_prior * PRIOR_SPAN)
    sides = _sides(src, tgt, src_lengths, tgt_lengths, ratio, src_runs=src_runs, tgt_runs=tgt_runs,
                   src_quotes=src_quotes, tgt_quotes=tgt_quotes, src_clauses=src_clauses, tgt_clauses=tgt_clauses)
    coarse = [] if exact else _coarser_levels(src, tgt, src_lengths, tgt_lengths, settings.exact_cells)
    passes = len(coarse) + 1
    lo, hi = np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)
    if coarse:
        # Coarsest first: each level's path bounds the band of the level below it.
        lo, hi = None, None
        for number, (level, sizes) in enumerate(reversed(coarse), 1):
            level_sides = _sides(*level, ratio)
            rows, columns = len(level[0]), len(level[1])
            if lo is None:
                lo, hi = np.zeros(rows + 1, dtype=np.int64), np.full(rows + 1, columns, dtype=np.int64)
            path = best_path(level_sides, rows, columns, settings, quotes=0.0, lo=lo, hi=hi,
                              progress=_pass_progress(progress, f"aligning, pass {number} of {passes}"))
            below = coarse[len(coarse) - number - 1][0] if number < len(coarse) else (src, tgt)
            lo, hi = _band(path, *sizes, len(below[0]), len(below[1]), settings.band)
    beads = best_path(sides, n, m, settings, quotes=0.0, lo=lo, hi=hi,
                       progress=_pass_progress(progress, f"aligning, pass {passes} of {passes}"))
    if settings.quotes and src_quotes is not None and tgt_quotes is not None:
        if quote_agreement(beads, src_quotes, tgt_quotes) >= QUOTE_AGREEMENT:
            beads = best_path(sides, n, m, settings, quotes=settings.quotes, lo=lo, hi=hi,
                               progress=_pass_progress(progress, "aligning, pass with quotation marks"))
    return _scored(beads, src, tgt)


def _pass_progress(progress: Progress, message: str):
    return lambda done, total: progress(message, done, total)


def _sides(src, tgt, src_lengths, tgt_lengths, ratio, *, src_runs=None, tgt_runs=None, src_quotes=None,
           tgt_quotes=None, src_clauses=None, tgt_clauses=None) -> Sides:
    """What the path search reads about two sides (runs: those not given are computed
    block by block)."""
    n, m = len(src), len(tgt)
    # Scores are in (robust) standard deviations of this document's similarities: embedders
    # and language pairs differ in how similar unrelated sentences look (USE on literary
    # zh-en: true pairs 0.3-0.5, unrelated 0.1-0.2), and one scale serves them all. Up to
    # SAMPLE_ROWS source rows against up to SAMPLE_COLUMNS targets estimate it, so no n x m
    # matrix of floats is ever held.
    rows = np.unique(np.linspace(0, n - 1, min(n, SAMPLE_ROWS)).astype(int))
    columns = np.unique(np.linspace(0, m - 1, SAMPLE_COLUMNS).astype(int)) if m > SAMPLE_COLUMNS else slice(None)
    sample = src[rows] @ tgt[columns].T
    # Median and MAD, not mean and deviation: in a short text the true pairs are a good
    # share of all pairs and would stretch the scale (a 9-sentence news edition once merged
    # a sentence it lacks into a neighbour's bead rather than leave it without a counterpart).
    centre, spread = _robust_scale(sample)
    edges = None
    if src_clauses is not None and tgt_clauses is not None:
        (src_first, src_last), (tgt_first, tgt_last) = src_clauses, tgt_clauses
        edges = Edges(src_first, src_last, tgt_first, tgt_last,
                       _robust_scale(src_first[rows] @ tgt_first[columns].T),
                       _robust_scale(src_last[rows] @ tgt_last[columns].T))
    return Sides(
        RunVectors(src, src_runs or {}), RunVectors(tgt, tgt_runs or {}), all_run_sums(src_lengths),
        all_run_sums(tgt_lengths), centre, spread, ratio,
        all_run_sums(src_quotes if src_quotes is not None else np.zeros(n)),
        all_run_sums(tgt_quotes if tgt_quotes is not None else np.zeros(m)), edges,
    )


def _coarser_levels(src, tgt, src_lengths, tgt_lengths, exact_cells: int):
    """Ever coarser versions of the two sides, each side halved (two neighbours' vectors
    summed and normalised, their lengths added) until the coarsest fits ``exact_cells``:
    [((vectors, vectors, lengths, lengths), (source sizes, target sizes)), ...], finest first,
    where the sizes are how many sentences of the level below each coarse one holds."""
    levels = []
    level = (src, tgt, np.asarray(src_lengths, dtype=np.float64), np.asarray(tgt_lengths, dtype=np.float64))
    while (len(level[0]) + 1) * (len(level[1]) + 1) > exact_cells and min(len(level[0]), len(level[1])) > 1:
        halved, sizes = [], []
        for vectors, lengths in ((level[0], level[2]), (level[1], level[3])):
            pairs = len(vectors) // 2
            summed = vectors[: 2 * pairs : 2] + vectors[1 : 2 * pairs : 2]
            if len(vectors) % 2:
                summed = np.concatenate([summed, vectors[-1:]])
            halved.append((summed / np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12)
                           ).astype(vectors.dtype))
            halved.append(np.add.reduceat(lengths, np.arange(0, len(lengths), 2)))
            sizes.append(np.minimum(2, len(vectors) - 2 * np.arange(len(summed))))
        level = (halved[0], halved[2], halved[1], halved[3])
        levels.append((level, tuple(sizes)))
    return levels


def _band(path: Sequence[Bead], src_sizes: np.ndarray, tgt_sizes: np.ndarray, n: int, m: int, width: int):
    """Columns lo[i]..hi[i] of each row i of the finer level's search (n x m): the cells
    a coarse path passes through, projected onto the finer level, and ``width`` around."""
    # The coarse path's nodes, as nodes of the finer level.
    src_ends = np.concatenate([[0], np.cumsum(src_sizes)])
    tgt_ends = np.concatenate([[0], np.cumsum(tgt_sizes)])
    nodes = [(0, 0)] + [(bead.src[-1] + 1 if bead.src else None, bead.tgt[-1] + 1 if bead.tgt else None)
                        for bead in path]
    x, y = np.zeros(len(nodes), dtype=np.int64), np.zeros(len(nodes), dtype=np.int64)
    for k in range(1, len(nodes)):
        i, j = nodes[k]
        x[k] = src_ends[i] if i is not None else x[k - 1]
        y[k] = tgt_ends[j] if j is not None else y[k - 1]
    # Between nodes k and k + 1 the finer path crosses rows x[k]..x[k+1] within columns
    # y[k]..y[k+1]: row i's lowest column is that of the first such box, its highest that
    # of the last.
    rows = np.arange(n + 1)
    low = y[np.minimum(np.searchsorted(x[1:], rows, side="left"), len(x) - 2)]
    high = y[np.searchsorted(x[:-1], rows, side="right")]
    # Widened by ``width`` rows either way (both are non-decreasing) and ``width`` columns.
    lo = np.maximum(low[np.maximum(rows - width, 0)] - width, 0)
    hi = np.minimum(high[np.minimum(rows + width, n)] + width, m)
    lo[0], hi[n] = 0, m
    return lo, hi


def _robust_scale(sample: np.ndarray) -> tuple[float, float]:
    """Median and MAD (as a standard deviation) of a sample of similarities."""
    centre = float(np.median(sample))
    return centre, max(1.4826 * float(np.median(np.abs(sample - centre))), 1e-6)


def quote_agreement(beads: Sequence[Bead], src_quotes: Sequence[int], tgt_quotes: Sequence[int]) -> float:
    """Of the pair beads where either side opens or closes a quotation, the share whose two
    sides do it alike. Literary French closes a dialogue's « » far less often than English
    closes its quotes (TransRead: 0-15% alike), Chinese and English news quote alike."""
    marked = alike = 0
    for bead in beads:
        if bead.src and bead.tgt:
            x, y = sum(src_quotes[i] for i in bead.src), sum(tgt_quotes[j] for j in bead.tgt)
            if x or y:
                marked += 1
                alike += x == y
    return alike / marked if marked else 0.0


def _scored(beads: list[Bead], src: np.ndarray, tgt: np.ndarray) -> list[Bead]:
    """The beads with their scores: the cosine of the sums of their two sides' vectors."""
    out = []
    for bead in beads:
        score = 0.0
        if bead.src and bead.tgt:
            x, y = src[list(bead.src)].sum(axis=0), tgt[list(bead.tgt)].sum(axis=0)
            score = float(x @ y / max(np.linalg.norm(x) * np.linalg.norm(y), 1e-12))
        out.append(Bead(bead.src, bead.tgt, round(score, 4)))
    return out
