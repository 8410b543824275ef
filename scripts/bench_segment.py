#!/usr/bin/env python3
"""English sentence segmenters side by side: accuracy on our test set, and speed.

Candidates: pySBD, sentencex (the library bitext builds on), and bitext's segmenter
(sentencex plus the news fixes in pipeline/segment.py).

Accuracy: ``scripts/segment_testset.jsonl`` holds paragraphs we wrote and annotated by
hand (cases in the manner of the English "Golden Rules": abbreviations, initials, numbers,
ranges, quotations, attributions, lists, URLs; and news paragraphs). A case counts as
right only if every boundary is right.

Speed: sentences per second on the same text, FLORES-200 devtest English (1,012
sentences) joined five to a paragraph, best of three runs.

    python scripts/bench_segment.py
"""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path

from pipeline.languages import flores_devtest

HERE = Path(__file__).resolve().parent
FLORES_EN = HERE.parent.parent / "shared" / "data" / "flores200-devtest" / flores_devtest("en")


def candidates():
    import pysbd
    import sentencex

    from pipeline.segment import split_paragraph

    pysbd_segmenter = pysbd.Segmenter(language="en", clean=False)
    return {
        "pysbd": lambda text: [s.strip() for s in pysbd_segmenter.segment(text) if s.strip()],
        "sentencex": lambda text: [s.strip() for s in sentencex.segment("en", text) if s.strip()],
        "bitext": lambda text: [text[a:b] for a, b in split_paragraph(text, lang="en")],
    }


def main() -> None:
    cases = [json.loads(line) for line in (HERE / "segment_testset.jsonl").read_text(encoding="utf-8").splitlines()]
    lines = FLORES_EN.read_text(encoding="utf-8").splitlines()
    paragraphs = [" ".join(lines[i : i + 5]) for i in range(0, len(lines), 5)]
    results = {}
    for name, split in candidates().items():
        wrong = [case for case in cases if split(case["text"]) != case["sentences"]]
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            count = sum(len(split(p)) for p in paragraphs)
            timings.append(time.perf_counter() - started)
        results[name] = (len(cases) - len(wrong), count / min(timings), count, wrong)
    base_speed = results["pysbd"][1]
    print(f"{len(cases)} hand-annotated cases; speed on {len(paragraphs)} FLORES paragraphs ({len(lines)} sentences)")
    print(f"{'segmenter':>10} {'right':>7} {'accuracy':>9} {'sentences/s':>12} {'vs pysbd':>9} {'found':>6}")
    for name, (right, speed, count, _) in results.items():
        print(f"{name:>10} {right:>3}/{len(cases):<3} {right / len(cases):>9.1%} {speed:>12.0f} "
              f"{speed / base_speed:>8.1f}x {count:>6}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for name, (_, _, _, wrong) in results.items():
        kinds = sorted({case["kind"] for case in wrong})
        print(f"{name} gets wrong: {', '.join(kinds) or 'nothing'}")


if __name__ == "__main__":
    main()
