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
* a dynamic program finds the monotone path of beads with the highest total; it runs row
  by row in numpy (one matrix product per bead kind, the 0-1 chain within a row as a
  running maximum), so there is no n x m Python loop;
* memory grows as n x m bytes (a choice per cell; path scores are kept for the last
  five rows only): two 10,000-line files take about 100 MB beside the embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# (source sentences, target sentences) of each bead kind the path may use.
# 1-5 and 5-1: a long Chinese sentence is often five English ones (MAC-Dev strict F1 .918 -> .922,
# TransRead .958 -> .959); longer runs found nothing more.
BEAD_TYPES = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2), (1, 4), (4, 1), (2, 3), (3, 2), (1, 5), (5, 1), (1, 0),
              (0, 1))
LONGEST_RUN = max(max(kind) for kind in BEAD_TYPES)
ROW_BLOCK = 256  # source rows whose bead cosines are computed together
SAMPLE_ROWS = 512  # source rows whose similarities to every target set the score scale
# How far a document's length ratio may stray from its languages' usual one: literary
# zh-en in the development sets runs at 1.1-1.7 times the FLORES news ratio.
PRIOR_SPAN = 1.75
# The first path's pair beads that must agree in quoting before quotes count (MAC-Dev's
# novels 43-89%; TransRead's French, whose dialogue runs on between « », 0-15%).
QUOTE_AGREEMENT = 0.5


@dataclass(frozen=True)
class Bead:
    """Source and target line numbers aligned together (either side may be empty)."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float  # the bead's cosine similarity (0 for a sentence with no counterpart)


@dataclass(frozen=True)
class AlignSettings:
    """The aligner's knobs; their defaults were chosen on the development sets."""

    # Scores are in robust standard deviations of the document's sentence similarities.
    skip: float = -1.0  # score of a 1-0 or 0-1 bead
    length_weight: float = 1.0  # penalty per unit of |log(length ratio / the document's)|
    coverage: float = 0.3  # a bead's score counts (sentences it covers / 2) ** coverage times
    quotes: float = 0.5  # penalty per quotation mark a bead's sides open or close differently
    clauses: float = 0.3  # weight of the similarity of a bead's first clauses and of its last ones


def runs(vectors: np.ndarray, size: int) -> np.ndarray:
    """Row i: the normalised sum of rows i-size+1 .. i (rows before ``size - 1``: zeros)."""
    sums = _run_sums(vectors, size)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.maximum(norms, 1e-12)).astype(vectors.dtype)


def align_embeddings(
    src: np.ndarray,
    tgt: np.ndarray,
    *,
    src_lengths: Sequence[int],
    tgt_lengths: Sequence[int],
    settings: AlignSettings = AlignSettings(),
    src_runs: dict[int, np.ndarray] | None = None,
    tgt_runs: dict[int, np.ndarray] | None = None,
    length_prior: float | None = None,
    src_quotes: Sequence[int] | None = None,
    tgt_quotes: Sequence[int] | None = None,
    src_clauses: tuple[np.ndarray, np.ndarray] | None = None,
    tgt_clauses: tuple[np.ndarray, np.ndarray] | None = None,
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
    which tells where a bead ends better than whole sentences do."""
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Bead((i,), (), 0.0) for i in range(n)] + [Bead((), (j,), 0.0) for j in range(m)]
    src_runs = {size: runs(src, size) for size in range(1, LONGEST_RUN + 1)} | (src_runs or {})
    tgt_runs = {size: runs(tgt, size) for size in range(1, LONGEST_RUN + 1)} | (tgt_runs or {})
    # Scores are in (robust) standard deviations of this document's similarities: embedders
    # and language pairs differ in how similar unrelated sentences look (USE on literary
    # zh-en: true pairs 0.3-0.5, unrelated 0.1-0.2), and one scale serves them all. Up to
    # SAMPLE_ROWS source rows estimate it, so no n x m matrix of floats is ever held.
    rows = np.unique(np.linspace(0, n - 1, min(n, SAMPLE_ROWS)).astype(int))
    sample = src[rows] @ tgt.T
    # Median and MAD, not mean and deviation: in a short text the true pairs are a good
    # share of all pairs and would stretch the scale (a 9-sentence news edition once merged
    # a sentence it lacks into a neighbour's bead rather than leave it without a counterpart).
    centre, spread = _robust_scale(sample)
    edges = None
    if src_clauses is not None and tgt_clauses is not None:
        (src_first, src_last), (tgt_first, tgt_last) = src_clauses, tgt_clauses
        edges = _Edges(src_first, src_last, tgt_first, tgt_last, _robust_scale(src_first[rows] @ tgt_first.T),
                       _robust_scale(src_last[rows] @ tgt_last.T))
    ratio = max(float(np.sum(tgt_lengths)), 1.0) / max(float(np.sum(src_lengths)), 1.0)
    if length_prior:
        ratio = min(max(ratio, length_prior / PRIOR_SPAN), length_prior * PRIOR_SPAN)
    sides = _Sides(
        src_runs, tgt_runs, _all_run_sums(src_lengths), _all_run_sums(tgt_lengths), centre, spread, ratio,
        _all_run_sums(src_quotes if src_quotes is not None else np.zeros(n)),
        _all_run_sums(tgt_quotes if tgt_quotes is not None else np.zeros(m)), edges,
    )
    beads = _best_path(sides, n, m, settings, quotes=0.0)
    if settings.quotes and src_quotes is not None and tgt_quotes is not None:
        if quote_agreement(beads, src_quotes, tgt_quotes) >= QUOTE_AGREEMENT:
            beads = _best_path(sides, n, m, settings, quotes=settings.quotes)
    return _scored(beads, src, tgt)


@dataclass(frozen=True)
class _Sides:
    """What the path search reads: run embeddings, run lengths and run quote balances by
    run size, and the document's similarity scale and length ratio."""

    src_runs: dict[int, np.ndarray]
    tgt_runs: dict[int, np.ndarray]
    src_len: dict[int, np.ndarray]
    tgt_len: dict[int, np.ndarray]
    centre: float
    spread: float
    ratio: float
    src_quotes: dict[int, np.ndarray]
    tgt_quotes: dict[int, np.ndarray]
    edges: _Edges | None


@dataclass(frozen=True)
class _Edges:
    """Embeddings of each sentence's first and last clause, and the scale (centre, spread)
    of first-with-first and last-with-last similarities."""

    src_first: np.ndarray
    src_last: np.ndarray
    tgt_first: np.ndarray
    tgt_last: np.ndarray
    first_scale: tuple[float, float]
    last_scale: tuple[float, float]


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


def _best_path(sides: _Sides, n: int, m: int, settings: AlignSettings, *, quotes: float) -> list[Bead]:
    """The monotone path of beads with the highest total score (bead scores left at 0)."""
    # Cosines of every bead kind, one matrix product per kind for a block of source rows at
    # a time: BLAS is far faster than row by row, and a block keeps memory to ROW_BLOCK x m.
    block: dict[tuple[int, int], np.ndarray] = {}
    block_start = -ROW_BLOCK
    first_block = last_block = np.zeros((0, m))
    first_start = 0
    # Only the last LONGEST_RUN rows of path scores are ever read, so they live in a ring;
    # the choices (one byte a cell) are all kept for the traceback.
    best = np.full((LONGEST_RUN + 1, m + 1), -np.inf)
    choice = np.full((n + 1, m + 1), -1, dtype=np.int8)
    best[0, 0] = 0.0
    columns = np.arange(m + 1)
    kinds = [kind for kind in BEAD_TYPES if kind[0] > 0]
    for i in range(n + 1):
        row = np.full(m + 1, -np.inf)
        row_choice = np.full(m + 1, -1, dtype=np.int8)
        for index, (a, b) in enumerate(kinds):
            if a > i or b > m:  # a bead longer than what is left of either side
                continue
            previous = best[(i - a) % (LONGEST_RUN + 1)]
            if b == 0:
                candidate = previous + settings.skip
            else:
                candidate = np.full(m + 1, -np.inf)
                if i - 1 >= block_start + ROW_BLOCK:
                    block_start = i - 1
                    rows = slice(block_start, block_start + ROW_BLOCK)
                    block = {(x, y): sides.src_runs[x][rows] @ sides.tgt_runs[y].T for x, y in BEAD_TYPES if x and y}
                    if sides.edges:  # first clauses from the start of a run that ends in the block
                        first_start = max(block_start - LONGEST_RUN + 1, 0)
                        first_block = _scaled(sides.edges.src_first[first_start : block_start + ROW_BLOCK]
                                              @ sides.edges.tgt_first.T, sides.edges.first_scale)
                        last_block = _scaled(sides.edges.src_last[rows] @ sides.edges.tgt_last.T,
                                             sides.edges.last_scale)
                cosine = block[a, b][i - 1 - block_start]
                scores = _bead_scores(cosine, i - 1, a, b, sides, settings, quotes)
                if sides.edges and settings.clauses:
                    # The bead's last clauses, and its first clauses (target run j starts at j - b + 1).
                    edge = last_block[i - 1 - block_start].copy()
                    edge[b - 1 :] += first_block[i - a - first_start][: m - b + 1]
                    edge[: b - 1] = 0.0
                    scores = scores + settings.clauses * edge
                candidate[b:] = previous[: m + 1 - b] + scores[b - 1 :]
            better = candidate > row
            row[better] = candidate[better]
            row_choice[better] = index
        if i == 0:
            row[0] = 0.0
        # 0-1 beads chain along the row: best[i][j] = max over k <= j of row[k] + (j - k) * skip.
        # Compared in the shifted frame: shifting back rounds, and a cell whose own value
        # came back one ulp higher would be taken for a 0-1 bead.
        shifted = row - columns * settings.skip
        running = np.maximum.accumulate(shifted)
        chained = running > shifted
        row_choice[chained] = len(kinds)  # the 0-1 bead
        best[i % (LONGEST_RUN + 1)] = np.where(chained, running + columns * settings.skip, row)
        choice[i] = row_choice
    return _trace(choice, kinds + [(0, 1)], n, m)


def _scaled(similarity: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    return (similarity - scale[0]) / scale[1]


def _all_run_sums(values) -> dict[int, np.ndarray]:
    values = np.asarray(values, dtype=np.float64)
    return {size: _run_sums(values, size) for size in range(1, LONGEST_RUN + 1)}


def _run_sums(values: np.ndarray, size: int) -> np.ndarray:
    """Row (or item) i: the sum of rows i-size+1 .. i; zeros before ``size - 1``."""
    out = np.zeros(values.shape, dtype=np.float64)
    if len(values) >= size:
        total = np.cumsum(values, axis=0, dtype=np.float64)
        sums = total[size - 1 :].copy()
        sums[1:] -= total[: -size]
        out[size - 1 :] = sums
    return out


def _bead_scores(cosine, i, a, b, sides: _Sides, settings: AlignSettings, quotes: float):
    """Scores of the beads whose source run of ``a`` ends at sentence ``i``, against every
    target run of ``b`` (index j: the run ending at target sentence j); ``cosine`` holds
    their cosines."""
    similarity = (cosine - sides.centre) / sides.spread
    expected = sides.src_len[a][i] * sides.ratio
    length = np.abs(np.log((sides.tgt_len[b] + 1.0) / (expected + 1.0)))
    weight = ((a + b) / 2) ** settings.coverage
    score = weight * (similarity - settings.length_weight * length)
    if quotes:
        score = score - quotes * np.abs(sides.src_quotes[a][i] - sides.tgt_quotes[b])
    return score


def _trace(choice, kinds, n, m) -> list[Bead]:
    beads: list[Bead] = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = kinds[choice[i, j]]
        beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j)), 0.0))
        i, j = i - a, j - b
    return beads[::-1]


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
