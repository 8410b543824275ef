"""Reference sentence aligners for ``scripts/bench_align.py``: what bitext's aligner must beat.

* ``gale_church``: the length-based aligner of Gale & Church (1993). Sentence length is
  counted in characters (whitespace left out, so the space-separated tokens of a corpus
  such as TransRead and the spaceless Chinese script are measured alike). The length
  model: the target length of a bead is normally distributed around ``c`` times its
  source length, with variance proportional to the length. ``c`` is estimated per document
  from the totals (0.98 to 1.10 on the TransRead English-French documents, 2.9 to 4.3
  English characters per Chinese character on MAC-Dev). The variance ``s2`` (6.8 in the
  paper, measured on English, French and
  German, where ``c`` is about 1) is taken per target character, so for a source script
  whose characters are ``c`` times as "long" it is scaled by ``c`` (``scale_variance``).
  Bead types and priors are the paper's: 1-1 .89; 1-0 or 0-1 .0099; 2-1 or 1-2 .089;
  2-2 .011 (a prior given for "X or Y" is split evenly between the two).
* ``emb_1to1``: a monotone dynamic programme over the cosine similarity of sentence
  embeddings (the "use" embedder), with 1-1 beads and, to absorb the length mismatch,
  1-0 / 0-1 beads at a fixed cost. It cannot produce 1-2 or 2-1 beads, so it shows how
  much of the score comes from the embeddings alone and how much from n:m beads.

Both return beads shaped like ``pipeline.alignment.Bead`` (``src``, ``tgt``, ``score``)
covering every line of both sides in reading order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bead:
    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 0.0


# Gale & Church (1993), Table 5; "1-0 or 0-1" and "2-1 or 1-2" split evenly.
GC_PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.89,
    (1, 0): 0.0099 / 2,
    (0, 1): 0.0099 / 2,
    (2, 1): 0.089 / 2,
    (1, 2): 0.089 / 2,
    (2, 2): 0.011,
}
GC_S2 = 6.8


def char_length(sentence: str) -> int:
    """Characters, whitespace excluded (Chinese counts one per character, as it should)."""
    return sum(1 for ch in sentence if not ch.isspace())


def _log_two_tailed(delta: float) -> float:
    """log P(|Z| >= |delta|) for a standard normal Z, i.e. log erfc(|delta|/sqrt 2), without underflow."""
    x = abs(delta) / math.sqrt(2.0)
    if x < 20.0:
        return math.log(max(math.erfc(x), 1e-300))
    # asymptotic expansion of erfc for large x
    return -x * x - math.log(x * math.sqrt(math.pi)) + math.log1p(-1.0 / (2.0 * x * x))


def gale_church(
    src: Sequence[str],
    tgt: Sequence[str],
    *,
    src_lang: str = "",
    tgt_lang: str = "",
    s2: float = GC_S2,
    scale_variance: bool = True,
    priors: dict[tuple[int, int], float] | None = None,
) -> list[Bead]:
    """Gale-Church alignment of two sentence lists (the languages only matter through ``c``)."""
    priors = priors or GC_PRIORS
    ls = [char_length(s) for s in src]
    lt = [char_length(t) for t in tgt]
    n, m = len(ls), len(lt)
    c = (sum(lt) / sum(ls)) if sum(ls) and sum(lt) else 1.0
    var = s2 * (c if scale_variance else 1.0)
    moves = [(di, dj, -math.log(p)) for (di, dj), p in priors.items()]

    # prefix sums: the length of any run of sentences in O(1)
    ps = [0]
    for x in ls:
        ps.append(ps[-1] + x)
    pt = [0]
    for x in lt:
        pt.append(pt[-1] + x)

    def bead_cost(l1: int, l2: int, prior_cost: float) -> float:
        mean = (l1 + l2 / c) / 2.0  # the bead's length in source units, from both sides
        if mean <= 0:
            return prior_cost
        delta = (l2 - c * l1) / math.sqrt(var * mean)
        return prior_cost - _log_two_tailed(delta)

    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        row = cost[i]
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            best, arg = inf, None
            for di, dj, prior_cost in moves:
                pi, pj = i - di, j - dj
                if pi < 0 or pj < 0:
                    continue
                prev = cost[pi][pj]
                if prev == inf:
                    continue
                total = prev + bead_cost(ps[i] - ps[pi], pt[j] - pt[pj], prior_cost)
                if total < best:
                    best, arg = total, (di, dj)
            row[j] = best
            back[i][j] = arg
    return _trace(back, cost, n, m)


def _trace(back, cost, n: int, m: int) -> list[Bead]:
    beads = []
    i, j = n, m
    while i > 0 or j > 0:
        di, dj = back[i][j]
        beads.append(Bead(tuple(range(i - di, i)), tuple(range(j - dj, j)), -(cost[i][j] - cost[i - di][j - dj])))
        i, j = i - di, j - dj
    beads.reverse()
    return beads


def emb_1to1(
    src: Sequence[str],
    tgt: Sequence[str],
    *,
    src_lang: str = "",
    tgt_lang: str = "",
    skip: float = 0.45,
) -> list[Bead]:
    """Monotone DP on cosine similarity: 1-1 beads cost ``1 - cos``, 1-0 / 0-1 beads ``skip``.

    With ``skip`` = .45 a pair is matched rather than left as two singletons when its cosine
    is above .1 (and it fits the order): low, because a 1-1-only aligner has to absorb the
    translator's splits and merges somewhere.
    """
    from pipeline.alignment.embeddings import get_embedder

    # bitext's own "use" embedder: the baseline differs from bitext in its beads only.
    model = get_embedder("use")
    n, m = len(src), len(tgt)
    if n and m:
        es, et = model.embed(list(src)), model.embed(list(tgt))
        sim = (es @ et.T).tolist()
    else:
        sim = [[0.0] * m for _ in range(n)]

    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        row, up = cost[i], cost[i - 1] if i else None
        srow = sim[i - 1] if i else None
        brow = back[i]
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            best, arg = inf, None
            if i and j:
                best, arg = up[j - 1] + 1.0 - srow[j - 1], (1, 1)
            if i and up[j] + skip < best:
                best, arg = up[j] + skip, (1, 0)
            if j and row[j - 1] + skip < best:
                best, arg = row[j - 1] + skip, (0, 1)
            row[j] = best
            brow[j] = arg
    beads = _trace(back, cost, n, m)
    return [
        Bead(b.src, b.tgt, sim[b.src[0]][b.tgt[0]] if b.src and b.tgt else 0.0) for b in beads
    ]
