#!/usr/bin/env python3
"""Corpus-scale run speed: the levers of a staged run, side by side in one run.

Workloads: ``seed`` is the seed article (``../shared/articles``); ``news`` is the seed
article, ``examples/``'s article and a few articles made of consecutive FLORES-200
devtest lines (FLORES keeps each source article's sentences together). Every
configuration translates a workload into Chinese and French with the default model, in a
fresh child process, and the table gives seconds (model loaded beforehand, so "warm"),
the speed against the first configuration, peak memory, and whether its translations
equal the first configuration's.

Configurations (``--configs``; the first is the reference):

* ``old``: bitext when the corpus-speed work began: each article, each language, in
  batches no larger than that article, every batch allowed 256 new tokens;
* ``per-article``: the same with today's decoding defaults (each batch's output bounded by
  3x its longest input, plus 16 tokens);
* ``queue-1worker``: the staged run's one length-sorted queue over all articles and
  languages (``pipeline.workqueue``), a chunk at a time on all threads;
* ``queue``: today's default: the same queue, two chunks side by side (two CTranslate2
  replicas sharing the weights, each on half the threads);
* ``queue-avx512``: ``queue`` with CTranslate2's AVX-512 kernels (``CT2_FORCE_CPU_ISA``;
  CTranslate2 picks AVX2 on CPUs that have both);
* ``cli``: ``bitext run WORKLOAD --db NEW`` end to end (start-up and model load included),
  as a user runs it.

    python scripts/bench_run.py                                   # both workloads
    python scripts/bench_run.py --workloads seed --configs queue,queue-avx512
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.languages import flores_devtest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "articles" / "chinadaily-2025-11-29-human-rights.txt"
FLORES = SHARED / "data" / "flores200-devtest" / flores_devtest("en")
CONFIGS = ("old", "per-article", "queue-1worker", "queue", "queue-avx512", "cli")
LANGS = ("zh", "fr")


def workload_files(name: str, folder: Path, *, flores_articles: int, lines_per_article: int) -> list[Path]:
    """The articles of a workload, as page copies in ``folder``."""
    files = [SEED]
    if name == "news":
        files.append(ROOT / "examples" / "riverside-library-2026-11-20.txt")
        lines = FLORES.read_text(encoding="utf-8").splitlines()
        for n in range(flores_articles):
            start = 300 + n * lines_per_article  # clear of the lines the translation ablation reads
            body = lines[start : start + lines_per_article]
            page = folder / f"flores-{n + 1}.txt"
            page.write_text(f"FLORES article {n + 1}\n\n" + "\n\n".join(" ".join(body[i : i + 3])
                                                                         for i in range(0, len(body), 3)) + "\n",
                            encoding="utf-8")
            files.append(page)
    return files


def child(config: dict) -> dict:
    """One configuration on one workload, in this fresh process."""
    if config["name"] == "cli":  # as a user runs it; the parent times the whole process
        from pipeline.cli import app

        with tempfile.TemporaryDirectory() as work:
            try:
                app(["run", *config["files"], "--db", f"{work}/bench.db"], standalone_mode=False)
            except SystemExit as stop:
                if stop.code:
                    raise
        return {"seconds": None, "load_s": None, "texts": None, "translations": None,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    from pipeline.engines import DecodingOptions
    from pipeline.inputs import expand
    from pipeline.languages import SOURCE_LANGUAGE
    from pipeline.model import DEFAULT_MODEL, default_cache_dir
    from pipeline.runner import open_engines, prepare_article
    from pipeline.translate import translate_texts, translation_signature
    from pipeline.workqueue import plan_chunks, translate_locally

    articles = [prepare_article(item) for item in expand(config["files"])]
    started = time.perf_counter()
    options = {"old": DecodingOptions(output_ratio=0, workers=1), "per-article": DecodingOptions(workers=1),
               "queue-1worker": DecodingOptions(workers=1)}.get(config["name"], DecodingOptions())
    engines = open_engines(DEFAULT_MODEL, list(LANGS), engine="ctranslate2", options=options,
                           cache_dir=default_cache_dir())
    engine = engines[LANGS[0]]
    engine.translate(["Warm-up."], src="en", tgt="zh")  # loads the model outside the clock
    load_s = time.perf_counter() - started
    translations: dict[str, str] = {}
    started = time.perf_counter()
    texts = 0
    if config["name"] in ("old", "per-article"):
        for read in articles:
            for lang in LANGS:
                result = translate_texts(engines[lang], read.texts, src=SOURCE_LANGUAGE, tgt=lang, memory={})
                texts += result.engine_calls
                translations.update((f"{lang}\t{t.english}", t.text) for t in result.translations)
    else:
        signatures = {lang: translation_signature(engines[lang]) for lang in LANGS}
        missing = {lang: list(dict.fromkeys(t for read in articles for t in read.texts)) for lang in LANGS}
        for result in translate_locally(plan_chunks(missing, signatures=signatures), engines=engines):
            texts += len(result.translations)
            translations.update((f"{result.chunk.lang}\t{t.english}", t.text) for t in result.translations)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "load_s": load_s, "texts": texts, "translations": translations,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated, from: " + ", ".join(CONFIGS))
    parser.add_argument("--workloads", default="seed,news", help="seed, news or both (default %(default)s)")
    parser.add_argument("--flores-articles", type=int, default=4)
    parser.add_argument("--lines-per-article", type=int, default=12)
    parser.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        print(json.dumps(child(json.loads(sys.stdin.read())), ensure_ascii=False))
        return
    names = args.configs.split(",")
    unknown = [name for name in names if name not in CONFIGS]
    if unknown:
        raise SystemExit(f"unknown configuration {', '.join(unknown)}; choose from: {', '.join(CONFIGS)}")
    with tempfile.TemporaryDirectory() as folder:
        rows = []
        for workload in args.workloads.split(","):
            files = workload_files(workload, Path(folder), flores_articles=args.flores_articles,
                                   lines_per_article=args.lines_per_article)
            results = []
            for name in names:
                env = dict(os.environ)
                if name.endswith("-avx512"):
                    env["CT2_FORCE_CPU_ISA"] = "AVX512"
                config = {"name": name, "files": [str(f) for f in files]}
                started = time.perf_counter()
                proc = subprocess.run([sys.executable, __file__, "--_child"], input=json.dumps(config),
                                      capture_output=True, text=True, env=env, check=False)
                if proc.returncode:
                    raise SystemExit(f"{name} failed:\n{proc.stderr[-3000:]}")
                results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
                if results[-1]["seconds"] is None:  # cli: the whole process, start-up included
                    results[-1]["seconds"] = time.perf_counter() - started
                print(f"  {workload} {name}: {results[-1]['seconds']:.1f} s", file=sys.stderr)
            rows.append((workload, len(files), results))

    print("Staged-run levers, default model, ctranslate2 int8, zh and fr; seconds with the model loaded "
          "(cli: end to end)")
    head = (f"{'workload':<9} {'config':<13} {'texts':>5} {'seconds':>8} {'speed':>6} {'load s':>6} {'peak RSS':>9}"
            "  same output")
    print(head)
    print("-" * len(head))
    for workload, count, results in rows:
        base = results[0]
        for name, result in zip(names, results, strict=True):
            same = "-" if result["translations"] is None or base["translations"] is None else (
                "yes" if result["translations"] == base["translations"] else
                f"no ({sum(base['translations'].get(k) != v for k, v in result['translations'].items())} differ)")
            load = f"{result['load_s']:.1f}" if result["load_s"] is not None else "-"
            texts = result["texts"] if result["texts"] is not None else "-"
            print(f"{workload + f' ({count})':<9} {name:<13} {texts:>5} {result['seconds']:>8.1f} "
                  f"{base['seconds'] / result['seconds']:>5.2f}x {load:>6} "
                  f"{result['peak_rss_mb'] / 1024:>7.1f} GB  {same}")


if __name__ == "__main__":
    main()
