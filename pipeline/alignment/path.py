"""The dynamic program of the n:m aligner: the best monotone path of beads through a band
of cells, given what it reads of the two sides (``Sides``: run embeddings, lengths and
quote balances, the document's similarity scale and length ratio). ``beads`` prepares
those, sets the bands and scores the beads found.

It runs row by row in numpy (one matrix product per bead kind for a block of rows, the
0-1 chain within a row as a running maximum), so there is no n x m Python loop; path
scores are kept for the last few rows only, a choice byte for every cell searched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# (source sentences, target sentences) of each bead kind the path may use.
# 1-5 and 5-1: a long Chinese sentence is often five English ones (MAC-Dev strict F1 .918 -> .922,
# TransRead .958 -> .959); longer runs found nothing more.
BEAD_TYPES = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2), (1, 4), (4, 1), (2, 3), (3, 2), (1, 5), (5, 1), (1, 0),
              (0, 1))
LONGEST_RUN = max(max(kind) for kind in BEAD_TYPES)
ROW_BLOCK = 256  # source rows whose bead cosines are computed together (at most)
BLOCK_CELLS = 1 << 21  # ... and at most this many rows x band columns of them
# Cells (n + 1) x (m + 1) up to which the path search sees every cell (25 MB of choices, two
# 5,000-line texts); above it, coarse to fine within a band (see beads' docstring).
EXACT_CELLS = 25_000_000
BAND = 16  # sentences either side of the coarser level's path that a finer level searches


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
    # Texts of more than exact_cells (n + 1) x (m + 1) cells go coarse to fine, each finer
    # level searching ``band`` sentences either side of the coarser level's path.
    exact_cells: int = EXACT_CELLS
    band: int = BAND


@dataclass(frozen=True)
class Sides:
    """What the path search reads: run embeddings, run lengths and run quote balances by
    run size, and the document's similarity scale and length ratio."""

    src_runs: RunVectors
    tgt_runs: RunVectors
    src_len: dict[int, np.ndarray]
    tgt_len: dict[int, np.ndarray]
    centre: float
    spread: float
    ratio: float
    src_quotes: dict[int, np.ndarray]
    tgt_quotes: dict[int, np.ndarray]
    edges: Edges | None


@dataclass(frozen=True)
class Edges:
    """Embeddings of each sentence's first and last clause, and the scale (centre, spread)
    of first-with-first and last-with-last similarities."""

    src_first: np.ndarray
    src_last: np.ndarray
    tgt_first: np.ndarray
    tgt_last: np.ndarray
    first_scale: tuple[float, float]
    last_scale: tuple[float, float]


class RunVectors:
    """The embeddings of the runs of 1-5 sentences ending at each row: given ones (or
    computed once for a whole text) by slicing, the others computed for the rows asked."""

    def __init__(self, vectors: np.ndarray, given: dict[int, np.ndarray]):
        self.vectors, self.given = vectors, given

    def get(self, size: int, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` to ``stop`` of ``runs(vectors, size)``."""
        if size in self.given:
            return self.given[size][start:stop]
        first = max(start - size + 1, 0)
        return runs(self.vectors[first:stop], size)[start - first :]


def runs(vectors: np.ndarray, size: int) -> np.ndarray:
    """Row i: the normalised sum of rows i-size+1 .. i (rows before ``size - 1``: zeros)."""
    sums = _run_sums(vectors, size)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.maximum(norms, 1e-12)).astype(vectors.dtype)


def band_cells(lo: np.ndarray, hi: np.ndarray) -> int:
    """The cells a search within columns lo[i]..hi[i] of each row keeps a choice for."""
    return int(np.sum(hi - lo + 1))


def best_path(sides: Sides, n: int, m: int, settings: AlignSettings, *, quotes: float, lo: np.ndarray,
               hi: np.ndarray, progress=lambda done, total: None) -> list[Bead]:
    """The monotone path of beads with the highest total score (bead scores left at 0)
    through the cells lo[i] <= j <= hi[i] of each row i (both non-decreasing, each row's
    band overlapping the one before; lo 0 and hi m everywhere: every cell)."""
    # Cosines of every bead kind, one matrix product per kind for a block of source rows at
    # a time against the columns their bands span: BLAS is far faster than row by row, and
    # a block keeps memory to BLOCK_CELLS a kind.
    block: dict[tuple[int, int], np.ndarray] = {}
    block_start = block_stop = 0
    columns_start = first_start = first_columns = 0
    first_block = last_block = np.zeros((0, 0))
    # Only the last LONGEST_RUN rows of path scores are ever read, so they live in a ring
    # (each slot -inf outside the band of the row it holds); the choices (one byte a cell)
    # are all kept for the traceback, row i's from offsets[i].
    ring = LONGEST_RUN + 1
    best = np.full((ring, m + 1), -np.inf)
    held = [(0, m)] * ring
    offsets = np.concatenate([[0], np.cumsum(hi - lo + 1)])
    choice = np.full(int(offsets[-1]), -1, dtype=np.int8)
    kinds = [kind for kind in BEAD_TYPES if kind[0] > 0]
    pair_kinds = [(x, y) for x, y in BEAD_TYPES if x and y]
    for i in range(n + 1):
        low, high = int(lo[i]), int(hi[i])
        row = np.full(high - low + 1, -np.inf)
        row_choice = np.full(high - low + 1, -1, dtype=np.int8)
        if i > block_stop:  # source sentence i - 1 starts a new block
            progress(i - 1, n)
            block_start = i - 1
            columns_start = max(low - 1, 0)
            rows = max(1, min(ROW_BLOCK, BLOCK_CELLS // max(high - columns_start, 1)))
            block_stop = min(block_start + rows, n)
            columns_stop = int(hi[block_stop])  # target sentences up to hi - 1 end a run in the block
            src_runs = {x: sides.src_runs.get(x, block_start, block_stop) for x in {x for x, _ in pair_kinds}}
            tgt_runs = {y: sides.tgt_runs.get(y, columns_start, columns_stop) for y in {y for _, y in pair_kinds}}
            block = {(x, y): src_runs[x] @ tgt_runs[y].T for x, y in pair_kinds}
            if sides.edges:  # first clauses from the start of a run that ends in the block
                first_start = max(block_start - LONGEST_RUN + 1, 0)
                first_columns = max(columns_start - LONGEST_RUN + 1, 0)
                first_block = _scaled(sides.edges.src_first[first_start:block_stop]
                                      @ sides.edges.tgt_first[first_columns:columns_stop].T,
                                      sides.edges.first_scale)
                last_block = _scaled(sides.edges.src_last[block_start:block_stop]
                                     @ sides.edges.tgt_last[columns_start:columns_stop].T,
                                     sides.edges.last_scale)
        for index, (a, b) in enumerate(kinds):
            if a > i or b > m:  # a bead longer than what is left of either side
                continue
            previous = best[(i - a) % ring]
            if b == 0:
                candidate = previous[low : high + 1] + settings.skip
            else:
                start = max(low, b)  # the first column a bead of b target sentences reaches
                if start > high:
                    continue
                candidate = np.full(high - low + 1, -np.inf)
                # Target runs ending at sentences start - 1 .. high - 1.
                cosine = block[a, b][i - 1 - block_start, start - 1 - columns_start : high - columns_start]
                scores = _bead_scores(cosine, i - 1, a, b, sides, settings, quotes, slice(start - 1, high))
                if sides.edges and settings.clauses:
                    # The bead's last clauses, and its first clauses (target run j starts at j - b + 1).
                    edge = last_block[i - 1 - block_start, start - 1 - columns_start : high - columns_start].copy()
                    edge += first_block[i - a - first_start, start - b - first_columns : high - b + 1 - first_columns]
                    scores = scores + settings.clauses * edge
                candidate[start - low :] = previous[start - b : high + 1 - b] + scores
            better = candidate > row
            row[better] = candidate[better]
            row_choice[better] = index
        if i == 0:
            row[0] = 0.0
        # 0-1 beads chain along the row: best[i][j] = max over k <= j of row[k] + (j - k) * skip.
        # Compared in the shifted frame: shifting back rounds, and a cell whose own value
        # came back one ulp higher would be taken for a 0-1 bead.
        columns = np.arange(low, high + 1)
        shifted = row - columns * settings.skip
        running = np.maximum.accumulate(shifted)
        chained = running > shifted
        row_choice[chained] = len(kinds)  # the 0-1 bead
        slot = i % ring
        best[slot, held[slot][0] : held[slot][1] + 1] = -np.inf
        best[slot, low : high + 1] = np.where(chained, running + columns * settings.skip, row)
        held[slot] = (low, high)
        choice[offsets[i] : offsets[i + 1]] = row_choice
    progress(n, n)
    return _trace(choice, offsets, lo, kinds + [(0, 1)], n, m)


def _scaled(similarity: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    return (similarity - scale[0]) / scale[1]


def all_run_sums(values) -> dict[int, np.ndarray]:
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


def _bead_scores(cosine, i, a, b, sides: Sides, settings: AlignSettings, quotes: float, columns: slice):
    """Scores of the beads whose source run of ``a`` ends at sentence ``i``, against the
    target runs of ``b`` ending at the sentences in ``columns``; ``cosine`` holds their
    cosines."""
    similarity = (cosine - sides.centre) / sides.spread
    expected = sides.src_len[a][i] * sides.ratio
    length = np.abs(np.log((sides.tgt_len[b][columns] + 1.0) / (expected + 1.0)))
    weight = ((a + b) / 2) ** settings.coverage
    score = weight * (similarity - settings.length_weight * length)
    if quotes:
        score = score - quotes * np.abs(sides.src_quotes[a][i] - sides.tgt_quotes[b][columns])
    return score


def _trace(choice, offsets, lo, kinds, n, m) -> list[Bead]:
    beads: list[Bead] = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = kinds[choice[offsets[i] + j - lo[i]]]
        beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j)), 0.0))
        i, j = i - a, j - b
    return beads[::-1]
