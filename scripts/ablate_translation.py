#!/usr/bin/env python3
"""The translation levers measured alone and together, side by side in one run.

Each configuration translates the same FLORES-200 devtest lines (``--lines``, default
1-200 of ``../shared/data/flores200-devtest``) into Chinese and French with the default
model through bitext's own path (``pipeline.evaluate.evaluate``: engine, cleaning, quality
flags), in a fresh child process, and the table gives BLEU and chrF (sacrebleu, with
signatures), quality flags raised, seconds per sentence, and the cost against the first
configuration.

Configurations (``--configs``, comma-separated; the first is the reference for cost):

* ``old``: the defaults before the levers (every batch allowed 256 new tokens, no retry),
  cleaning aside;
* ``bound``: each batch's output bounded by 3x its longest input (plus 16 tokens), greedy,
  no retry: the default until the retry joined it;
* ``default``: today's default: ``bound``, and a translation with a serious flag decoded
  once more, greedily, with a stricter prompt naming the words left in English;
* ``examples``: ``bound`` with two worked examples in the cached prompt
  (``pipeline/engines/prompts.py``);
* ``beam2``, ``beam4``: ``bound`` with beam search;
* ``retry1-beam4``: ``bound``, a flagged translation decoded again with beam 4 instead;
* ``retry2``: ``bound``, a flagged translation decoded again in ``RETRY_DECODINGS``' order
  (the stricter prompt, then beam 4), the best by flags kept;
* ``context``: ``bound``, each sentence given the line before it to read, not translate
  (FLORES keeps a document's sentences together; a run gives the title too);
* ``examples-retry2``, ``examples-context``, ``beam2-context``: two levers together.

    python scripts/ablate_translation.py                         # every configuration
    python scripts/ablate_translation.py --configs default,examples --lines 1-50
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from pipeline.languages import flores_devtest
from pipeline.translate import DEFAULT_RETRIES

FLORES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "flores200-devtest"

# name -> (DecodingOptions fields, retries, context, retry decodings in order: None for RETRY_DECODINGS's)
CONFIGS: dict[str, tuple[dict, int, bool, tuple[str, ...] | None]] = {
    "old": ({"output_ratio": 0}, 0, False, None),
    "bound": ({}, 0, False, None),
    "default": ({}, DEFAULT_RETRIES, False, None),
    "examples": ({"prompt_examples": True}, 0, False, None),
    "beam2": ({"beam_size": 2}, 0, False, None),
    "beam4": ({"beam_size": 4}, 0, False, None),
    "retry1-beam4": ({}, 1, False, ("beam4", "strict")),
    "retry2": ({}, 2, False, None),
    "context": ({}, 0, True, None),
    "examples-retry2": ({"prompt_examples": True}, 2, False, None),
    "examples-context": ({"prompt_examples": True}, 0, True, None),
    "beam2-context": ({"beam_size": 2}, 0, True, None),
}


def read_lines(lang: str, first: int, last: int) -> list[str]:
    lines = (FLORES / flores_devtest(lang)).read_text(encoding="utf-8").splitlines()
    return lines[first - 1 : last]


def child(config: dict) -> dict:
    """One configuration, both languages, in this (fresh) process."""
    from pipeline.engines import DecodingOptions, create_engine
    from pipeline.evaluate import evaluate
    from pipeline.model import DEFAULT_MODEL, default_cache_dir, resolve
    from pipeline.translate import translation_signature

    cache = default_cache_dir()
    files = resolve(DEFAULT_MODEL, cache_dir=cache)
    from pipeline import translate

    options, retries, context, order = CONFIGS[config["name"]]
    if order:  # the retry decodings tried in another order than today's
        by_name = dict(translate.RETRY_DECODINGS)
        translate.RETRY_DECODINGS = tuple((name, by_name[name]) for name in order)
    engine = create_engine("ctranslate2", files, cache_dir=cache, options=DecodingOptions(**options))
    engine.translate(["Warm-up."], src="en", tgt="zh")  # loads the model outside the clock
    first, last = config["lines"]
    sources = read_lines("en", first, last)
    signature = translation_signature(engine, retries=retries, context=context)
    out = {"name": config["name"], "signature": str(signature), "langs": {}}
    for lang in config["langs"]:
        started = time.perf_counter()
        result = evaluate(sources, read_lines(lang, first, last), tgt=lang, engine=engine, retries=retries,
                          context=context)
        out["langs"][lang] = {
            "seconds": time.perf_counter() - started, "bleu": result.scores.bleu, "chrf": result.scores.chrf,
            "flags": dict(result.flags), "retried": result.retried, "bleu_signature": result.scores.bleu_signature,
            "chrf_signature": result.scores.chrf_signature, "hypotheses": result.hypotheses,
        }
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated, from: " + ", ".join(CONFIGS))
    parser.add_argument("--lines", default="1-200",
                        help="FLORES devtest lines, 1-based, inclusive (default %(default)s)")
    parser.add_argument("--langs", default="zh,fr")
    parser.add_argument("--json", type=Path, help="keep every result (hypotheses included) here, each configuration "
                        "as it finishes; a configuration already there (same lines and languages) is not run again")
    parser.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        print(json.dumps(child(json.loads(sys.stdin.read())), ensure_ascii=False))
        return
    first, last = (int(n) for n in args.lines.split("-"))
    names = args.configs.split(",")
    unknown = [name for name in names if name not in CONFIGS]
    if unknown:
        raise SystemExit(f"unknown configuration {', '.join(unknown)}; choose from: {', '.join(CONFIGS)}")
    kept = json.loads(args.json.read_text(encoding="utf-8")) if args.json and args.json.exists() else []
    results = []
    for name in names:
        config = {"name": name, "lines": [first, last], "langs": args.langs.split(",")}
        done = [r for r in kept if r["name"] == name and r.get("lines") == config["lines"]
                and sorted(r["langs"]) == sorted(config["langs"])]
        if done:
            results.append(done[0])
            print(f"  {name}: kept from {args.json}", file=sys.stderr)
            continue
        proc = subprocess.run([sys.executable, __file__, "--_child"], input=json.dumps(config), capture_output=True,
                              text=True, check=False)
        if proc.returncode:
            raise SystemExit(f"{name} failed:\n{proc.stderr[-3000:]}")
        results.append({**json.loads(proc.stdout.strip().splitlines()[-1]), "lines": config["lines"]})
        print(f"  {name}: done", file=sys.stderr)
        if args.json:  # each configuration kept as it finishes: a long run can stop and go on
            kept = [r for r in kept if r["name"] != name] + [results[-1]]
            args.json.write_text(json.dumps(kept, ensure_ascii=False, indent=1), encoding="utf-8")

    count = last - first + 1
    print(f"FLORES-200 devtest lines {first}-{last} ({count} sentences), default model, ctranslate2 int8")
    head = (f"{'config':<12} {'lang':>4} {'BLEU':>6} {'chrF':>6} {'flags':>5} {'retried':>7} {'s/sent':>7} "
            f"{'cost':>6}  flags raised")
    print(head)
    print("-" * len(head))
    for result in results:
        for lang, run in result["langs"].items():
            base = results[0]["langs"][lang]["seconds"]
            flags = ", ".join(f"{k} {v}" for k, v in sorted(run["flags"].items(), key=lambda kv: -kv[1]))
            print(f"{result['name']:<12} {lang:>4} {run['bleu']:>6.1f} {run['chrf']:>6.1f} "
                  f"{sum(run['flags'].values()):>5} {run['retried']:>7} "
                  f"{run['seconds'] / count:>7.2f} {run['seconds'] / base:>5.2f}x  "
                  f"{flags or '-'}")
    for result in results:
        print(f"{result['name']}: {result['signature']}  peak RSS {result['peak_rss_mb']:.0f} MB")
    for lang, run in results[0]["langs"].items():
        print(f"{lang}: {run['bleu_signature']}  {run['chrf_signature']}")


if __name__ == "__main__":
    main()
