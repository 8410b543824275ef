"""Where a translation run's memory goes: resident memory after import, after the model
loads, and after each chunk of the queue, for configurations side by side.

Each configuration runs in a fresh child process (peak RSS is per process), through the
same queue as `bitext eval` and `bitext run` (``workqueue.translate_locally``):

    python scripts/profile_memory.py --lines 200 --to zh
    python scripts/profile_memory.py --lines 80 --configs default,one-worker,arenas2 --engine ctranslate2

Configurations: ``default`` (today's options), ``one-worker`` (--workers 1),
``no-retry`` (--retries 0), ``batch16``/``batch8`` (--batch-size), ``arenas2`` (default
with glibc's MALLOC_ARENA_MAX=2: threads
share two malloc arenas instead of one each). Reads FLORES-200 devtest from ../shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

FLORES = Path(__file__).resolve().parents[2] / "shared" / "data" / "flores200-devtest"
CONFIGS = {
    "default": ({}, {}),
    "one-worker": ({"workers": 1}, {}),
    "no-retry": ({"retries": 0}, {}),
    "arenas2": ({}, {"MALLOC_ARENA_MAX": "2"}),
    "batch16": ({"batch_size": 16}, {}),
    "batch8": ({"batch_size": 8}, {}),
}


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(args) -> None:
    """One configuration, in this process: print one JSON line per stage."""
    def stage(name, **extra):
        print(json.dumps({"stage": name, "rss_mb": round(rss_mb()), "peak_mb": round(peak_mb()),
                          "seconds": round(time.monotonic() - started, 1), **extra}), flush=True)

    started = time.monotonic()
    overrides = json.loads(args.child)
    from pipeline.engines import DecodingOptions
    from pipeline.languages import flores_devtest
    from pipeline.runner import open_engines
    from pipeline.translate import DEFAULT_RETRIES, translation_signature
    from pipeline.workqueue import plan_chunks, translate_locally

    stage("import")
    lang = args.to
    sources = (FLORES / flores_devtest("en")).read_text(encoding="utf-8").splitlines()[: args.lines]
    options = DecodingOptions(workers=overrides.get("workers", 2), batch_size=overrides.get("batch_size"))
    engine = open_engines(args.model, [lang], engine=args.engine, options=options)[lang]
    engine.load()
    stage("load")
    retries = overrides.get("retries", DEFAULT_RETRIES)
    signature = translation_signature(engine, retries=retries)
    chunks = plan_chunks({lang: sources}, signatures={lang: signature})
    for done, result in enumerate(translate_locally(chunks, engines={lang: engine}, retries=retries), start=1):
        stage(f"chunk {done}/{len(chunks)}", texts=len(result.chunk.texts), retried=result.retried)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--to", default="zh")
    parser.add_argument("--model", default=None, help="default: bitext's default model")
    parser.add_argument("--engine", default="ctranslate2")
    parser.add_argument("--configs", default="default,one-worker,arenas2")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.model is None:
        from pipeline.model import DEFAULT_MODEL

        args.model = DEFAULT_MODEL
    if args.child is not None:
        return child(args)
    results = {}
    for name in args.configs.split(","):
        overrides, env = CONFIGS[name]
        command = [sys.executable, __file__, "--lines", str(args.lines), "--to", args.to, "--model", args.model,
                   "--engine", args.engine, "--child", json.dumps(overrides)]
        print(f"== {name}", flush=True)
        stages = []
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={**os.environ, **env}) as process:
            for line in process.stdout:
                stages.append(json.loads(line))
                print(f"   {stages[-1]}", flush=True)
        results[name] = stages
    print(f"\n{args.lines} lines en->{args.to}, {args.engine}: peak RSS and time per configuration")
    base = results[next(iter(results))][-1]
    for name, stages in results.items():
        last = stages[-1]
        load = next(s for s in stages if s["stage"] == "load")
        print(f"  {name:12} load {load['rss_mb']:6} MB   peak {last['peak_mb']:6} MB "
              f"({last['peak_mb'] / base['peak_mb']:.2f}x)   {last['seconds']:6.1f} s "
              f"({last['seconds'] / base['seconds']:.2f}x)")


if __name__ == "__main__":
    main()
