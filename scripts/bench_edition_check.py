#!/usr/bin/env python3
"""Does the edition check tell a translation from another text? Median bead scores.

``bitext align`` refuses an edition whose median bead score (cosine, titles included) is
below ``pipeline.alignment.editions.MIN_EDITION_SCORE``. This prints that score for every
document of the gold alignment sets (``../shared/data/align``) aligned with its own
translation and with every other document's translation of the same language pair,
cut to the first N sentences a side (``--sizes``: news articles run 5-40 sentences),
and how many of each the threshold gets right.

    python scripts/bench_edition_check.py --sizes 5,12,40
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "align"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="5,12,40")
    args = parser.parse_args()

    from pipeline.alignment import align_embedded, embed_texts
    from pipeline.alignment.editions import MIN_EDITION_SCORE

    docs = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(DATA.glob("*/*.json"))]
    print(f"threshold {MIN_EDITION_SCORE:.2f}")
    print(f"{'sentences':>9} {'kind':>11} {'count':>5} {'min':>6} {'max':>6} {'right':>6}")
    for size in (int(s) for s in args.sizes.split(",")):
        scores: dict[str, list[float]] = {"translation": [], "other text": []}
        for doc in docs:
            for other in docs:
                if (doc["src_lang"], doc["tgt_lang"]) != (other["src_lang"], other["tgt_lang"]):
                    continue
                source, target = embed_texts([(doc["src"][:size], doc["src_lang"]),
                                              (other["tgt"][:size], doc["tgt_lang"])])
                paired = [b.score for b in align_embedded(source, target) if b.src and b.tgt]
                which = "translation" if doc is other else "other text"
                scores[which].append(statistics.median(paired) if paired else 0.0)
        for kind, values in scores.items():
            right = sum((v >= MIN_EDITION_SCORE) == (kind == "translation") for v in values)
            print(f"{size:>9} {kind:>11} {len(values):>5} {min(values):>6.3f} {max(values):>6.3f} "
                  f"{right:>3}/{len(values)}")


if __name__ == "__main__":
    main()
