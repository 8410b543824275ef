#!/usr/bin/env python3
"""How the n:m aligner scales with the length of the texts: seconds and peak memory.

FLORES-200 devtest English and Chinese (``../shared/data/flores200-devtest``, 1,012 lines
each) repeated to 1,000, 4,000 and 10,000 lines a side (``--sizes``), aligned with
``pipeline.alignment.align_sentences``; embedding and the dynamic program are timed
apart. Peak memory: the growth of the process's peak RSS (``VmHWM``, reset before each
size where Linux allows) over the RSS before the call.

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python scripts/bench_align_scale.py --sizes 1000,4000,10000
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLORES = ROOT.parent / "shared" / "data" / "flores200-devtest"


def rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,4000,10000")
    args = parser.parse_args()

    from pipeline.alignment import align_embedded, embed_texts

    english = (FLORES / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    chinese = (FLORES / "zho_Hans.devtest").read_text(encoding="utf-8").splitlines()
    embed_texts([(english[:2], "en")])  # load the model before the clock starts
    print(f"{'lines':>7} {'embed s':>8} {'align s':>8} {'sent/s':>8} {'peak MB':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        src = (english * (size // len(english) + 1))[:size]
        tgt = (chinese * (size // len(chinese) + 1))[:size]
        reset_peak()
        before = rss_mb("VmRSS")
        started = time.perf_counter()
        source, target = embed_texts([(src, "en"), (tgt, "zh")])
        embedded = time.perf_counter()
        beads = align_embedded(source, target)
        done = time.perf_counter()
        peak = rss_mb("VmHWM") - before
        assert sum(len(b.src) for b in beads) == size and sum(len(b.tgt) for b in beads) == size
        print(f"{size:>7} {embedded - started:>8.1f} {done - embedded:>8.1f} {2 * size / (done - started):>8.0f} "
              f"{peak:>8.0f}")


if __name__ == "__main__":
    main()
