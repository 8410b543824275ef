#!/usr/bin/env python3
"""How the n:m aligner scales with the length of the texts: seconds, peak memory, beads right.

The texts: FLORES-200 devtest English and Chinese (or French, ``--tgt``; 1,012 parallel
lines each, ``--flores``), repeated to each size of ``--sizes`` lines a side, each repeat
in its own shuffled order (the same on both sides, so the texts stay parallel but no
stretch repeats another), and every seventh pair of target lines joined into one line
(2-1 beads, as a translation that merges sentences makes). The true beads are known:
"right" is the share of them the aligner returns exactly (strict recall). Repeated lines
repeat their clauses, which are embedded once: a real text of that size embeds about
1.6 times as much. ``--unique`` makes every line and clause distinct (a random tag at both
ends of each line, unrelated across the sides: noise the aligner must see past), so the
embedding costs what it would.

By default each size runs ``bitext align --presegmented`` in a child process, as a user
would: wall time, and the child's peak resident memory (``ru_maxrss``, model and
embeddings included). ``--in-process`` times embedding and the path search apart instead,
in this process (peak: the growth of ``VmHWM``, reset before each size where Linux allows,
over the RSS before the call). ``--exact-cells`` sets ``AlignSettings.exact_cells`` there
(a small value forces the coarse-to-fine search, to compare it with the exact one).

    OPENBLAS_NUM_THREADS=2 python scripts/bench_align_scale.py --sizes 2000,10000,50000 [--unique]
    python scripts/bench_align_scale.py --in-process --sizes 2000 --exact-cells 100000
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.languages import flores_devtest, sentence_joiner

ROOT = Path(__file__).resolve().parent.parent
FLORES = ROOT.parent / "shared" / "data" / "flores200-devtest"
JOIN_EVERY = 7  # target lines 7k and 7k + 1 become one line


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


def texts(flores: Path, tgt_lang: str, size: int, seed: int = 1, unique: bool = False):
    """(source lines, target lines, true beads) of ``size`` source lines."""
    english = (flores / flores_devtest("en")).read_text(encoding="utf-8").splitlines()
    other = (flores / flores_devtest(tgt_lang)).read_text(encoding="utf-8").splitlines()
    rng = random.Random(seed)
    order: list[int] = []
    while len(order) < size:
        repeat = list(range(len(english)))
        rng.shuffle(repeat)
        order += repeat
    order = order[:size]
    if unique:
        def tagged(line: str) -> str:
            return f"[{rng.randrange(10**6):06d}] {line} [{rng.randrange(10**6):06d}]"

        english, other = [tagged(english[k]) for k in order], [tagged(other[k]) for k in order]
        order = list(range(size))
    src = [english[k] for k in order]
    tgt, gold = [], []
    i = 0
    while i < size:
        if i % JOIN_EVERY == 0 and i + 1 < size:
            tgt.append(sentence_joiner(tgt_lang).join([other[order[i]], other[order[i + 1]]]))
            gold.append(((i, i + 1), (len(tgt) - 1,)))
            i += 2
        else:
            tgt.append(other[order[i]])
            gold.append(((i,), (len(tgt) - 1,)))
            i += 1
    return src, tgt, gold


def right(beads, gold) -> float:
    found = {(tuple(src), tuple(tgt)) for src, tgt in beads}
    return sum(bead in found for bead in gold) / len(gold)


def run_cli(src, tgt, gold, tgt_lang: str) -> tuple[float, float, float]:
    """Seconds, the child's peak RSS in MB, and the share of true beads found."""
    import json

    with tempfile.TemporaryDirectory() as folder:
        src_path, tgt_path, out = Path(folder, "src.en"), Path(folder, f"tgt.{tgt_lang}"), Path(folder, "beads.jsonl")
        src_path.write_text("\n".join(src) + "\n", encoding="utf-8")
        tgt_path.write_text("\n".join(tgt) + "\n", encoding="utf-8")
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "align", str(src_path), str(tgt_path),
                                  "--presegmented", "--beads", str(out)], cwd=ROOT,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        stderr = child.stderr.read().decode("utf-8", "replace")
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"bitext align failed:\n{stderr}")
        beads = [(r["src"], r["tgt"]) for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())]
    return seconds, usage.ru_maxrss / 1024, right(beads, gold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,10000,50000")
    parser.add_argument("--tgt", default="zh", choices=["zh", "fr"])
    parser.add_argument("--flores", type=Path, default=FLORES)
    parser.add_argument("--unique", action="store_true", help="tag every line so that no line or clause repeats")
    parser.add_argument("--in-process", action="store_true", help="time embedding and alignment apart, here")
    parser.add_argument("--exact-cells", type=int, default=None, help="--in-process: AlignSettings.exact_cells")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    if not args.in_process:
        print(f"{'lines':>7} {'seconds':>8} {'peak MB':>8} {'right':>6}   (bitext align --presegmented, en-{args.tgt})")
        for size in sizes:
            src, tgt, gold = texts(args.flores, args.tgt, size, unique=args.unique)
            seconds, peak, share = run_cli(src, tgt, gold, args.tgt)
            print(f"{size:>7} {seconds:>8.1f} {peak:>8.0f} {share:>6.3f}", flush=True)
        return

    from pipeline.alignment import AlignSettings, align_embedded, embed_texts

    settings = AlignSettings() if args.exact_cells is None else AlignSettings(exact_cells=args.exact_cells)
    embed_texts([(["Warm up."], "en")])  # load the model before the clock starts
    print(f"{'lines':>7} {'embed s':>8} {'align s':>8} {'sent/s':>8} {'peak MB':>8} {'right':>6}")
    for size in sizes:
        src, tgt, gold = texts(args.flores, args.tgt, size, unique=args.unique)
        reset_peak()
        before = rss_mb("VmRSS")
        started = time.perf_counter()
        source, target = embed_texts([(src, "en"), (tgt, args.tgt)])
        embedded = time.perf_counter()
        beads = align_embedded(source, target, settings=settings)
        done = time.perf_counter()
        peak = rss_mb("VmHWM") - before
        assert sum(len(b.src) for b in beads) == len(src) and sum(len(b.tgt) for b in beads) == len(tgt)
        share = right([(b.src, b.tgt) for b in beads], gold)
        print(f"{size:>7} {embedded - started:>8.1f} {done - embedded:>8.1f} "
              f"{(len(src) + len(tgt)) / (done - started):>8.0f} {peak:>8.0f} {share:>6.3f}", flush=True)


if __name__ == "__main__":
    main()
