#!/usr/bin/env python3
"""Speed and quality of the default model, measured side by side in one run.

For each batch size, translates the same FLORES-200 devtest sentences into each target
language with the ctranslate2 engine, in a fresh child process (so peak memory is per
configuration), and prints generated tokens/s, sentences/s, peak RSS, the speed ratio to
the first batch size, and BLEU / chrF (sacrebleu, with their signatures).

    python scripts/bench_translate.py                       # 100 sentences, batch 1 / 8 / 32
    python scripts/bench_translate.py --sentences 16 --batch-sizes 1,32

Needs the [model] and [bench] extras. Tokens are counted by re-tokenizing the cleaned
output with the model's tokenizer, identically for every configuration.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from pipeline.languages import bleu_tokenizer, flores_devtest

FLORES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "flores200-devtest"


def read_lines(folder: Path, lang: str, count: int) -> list[str]:
    with (folder / flores_devtest(lang)).open(encoding="utf-8") as stream:
        return [line.rstrip("\n") for _, line in zip(range(count), stream, strict=False)]


def run_one(args) -> dict:
    """Child process: one engine configuration, all target languages."""
    from pipeline.cleanup import clean_translation
    from pipeline.engines import DecodingOptions, create_engine
    from pipeline.engines.convert import converted_tokenizer, ensure_ctranslate2
    from pipeline.model import default_cache_dir, resolve

    cache = default_cache_dir()
    files = resolve(args.model, cache_dir=cache)
    started = time.perf_counter()
    engine = create_engine(args.engine, files, cache_dir=cache,
                           options=DecodingOptions(batch_size=args.one, threads=args.threads))
    engine.translate(["Warm-up."], src="en", tgt="zh")  # loads the model
    load_s = time.perf_counter() - started
    tokenizer = converted_tokenizer(ensure_ctranslate2(files, cache_dir=cache))
    sources = read_lines(args.flores, "en", args.sentences)
    result = {"batch_size": args.one, "load_s": load_s, "langs": {}}
    for lang in args.langs:
        started = time.perf_counter()
        raw = engine.translate(sources, src="en", tgt=lang)
        seconds = time.perf_counter() - started
        hypotheses = [clean_translation(r, source=s, tgt=lang) for r, s in zip(raw, sources, strict=True)]
        tokens = sum(len(tokenizer.encode(h, add_special_tokens=False)) for h in hypotheses)
        result["langs"][lang] = {"seconds": seconds, "tokens": tokens, "hypotheses": hypotheses}
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["signature"] = str(engine.signature())
    return result


def main() -> None:
    from pipeline.model import DEFAULT_MODEL

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=100)
    parser.add_argument("--batch-sizes", default="1,8,32")
    parser.add_argument("--langs", default="zh,fr")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--engine", default="ctranslate2")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--flores", type=Path, default=FLORES)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child mode: one batch size
    parser.add_argument("--json", type=Path, help="also write the full results here")
    args = parser.parse_args()
    args.langs = args.langs.split(",")
    if args.one:
        print(json.dumps(run_one(args), ensure_ascii=False))
        return

    import sacrebleu

    results = []
    for batch_size in [int(b) for b in args.batch_sizes.split(",")]:
        command = [sys.executable, __file__, "--one", str(batch_size), "--sentences", str(args.sentences),
                   "--langs", ",".join(args.langs), "--model", args.model, "--engine", args.engine,
                   "--threads", str(args.threads), "--flores", str(args.flores)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
        print(f"batch {batch_size}: done", file=sys.stderr)

    print(f"{args.engine} / {args.model}, {args.sentences} FLORES-200 devtest sentences, en->{','.join(args.langs)}")
    print(f"signature: {results[0]['signature']}")
    base = {lang: results[0]["langs"][lang]["tokens"] / results[0]["langs"][lang]["seconds"] for lang in args.langs}
    print(f"{'batch':>5} {'lang':>4} {'seconds':>8} {'tokens':>7} {'tok/s':>7} {'sent/s':>7} {'ratio':>6} "
          f"{'BLEU':>6} {'chrF':>6} {'peak RSS MB':>11}")
    signatures = {}
    for result in results:
        for lang in args.langs:
            run = result["langs"][lang]
            references = read_lines(args.flores, lang, args.sentences)
            bleu = sacrebleu.metrics.BLEU(tokenize=bleu_tokenizer(lang))
            chrf = sacrebleu.metrics.CHRF()
            bleu_score = bleu.corpus_score(run["hypotheses"], [references])
            chrf_score = chrf.corpus_score(run["hypotheses"], [references])
            signatures[lang] = (str(bleu.get_signature()), str(chrf.get_signature()))
            rate = run["tokens"] / run["seconds"]
            print(f"{result['batch_size']:>5} {lang:>4} {run['seconds']:>8.1f} {run['tokens']:>7} {rate:>7.1f} "
                  f"{args.sentences / run['seconds']:>7.2f} {rate / base[lang]:>5.1f}x "
                  f"{bleu_score.score:>6.1f} {chrf_score.score:>6.1f} {result['peak_rss_mb']:>11.0f}")
    for lang, (bleu_sig, chrf_sig) in signatures.items():
        print(f"{lang}: {bleu_sig}  {chrf_sig}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
