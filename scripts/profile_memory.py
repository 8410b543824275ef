"""Where a translation run's memory goes: resident memory after import, after the model
loads, and after each chunk of the queue, for configurations side by side.

Each configuration runs in a fresh child process (peak RSS is per process), through the
same queue as `bitext eval` and `bitext run` (``workqueue.translate_locally``):

    python scripts/profile_memory.py --lines 200 --to zh
    python scripts/profile_memory.py --lines 80 --configs default,one-worker,arenas2 --engine ctranslate2
    python scripts/profile_memory.py --lines 16 --configs default,hf-tokenizer

Configurations: ``default`` (today's options), ``hf-tokenizer`` (the CTranslate2 engine
with transformers' tokenizer, as before ``fast_tokenizer``), ``trim-chunks`` (default,
handing freed memory back to the system after each chunk: RSS that this removes was
freed, not held), ``one-worker`` (--workers 1), ``no-retry`` (--retries 0),
``batch16``/``batch8`` (--batch-size), ``arenas2`` (default with glibc's
MALLOC_ARENA_MAX=2: threads share two malloc arenas instead of one each). Reads
FLORES-200 devtest from ../shared (--flores).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLORES = Path(__file__).resolve().parents[2] / "shared" / "data" / "flores200-devtest"
CONFIGS = {
    "default": ({}, {}),
    "hf-tokenizer": ({"tokenizer": "transformers"}, {}),
    "trim-chunks": ({"trim": True}, {}),
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
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited across exec from the parent)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time this process used, all threads (steadier than wall time on a shared machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def heavy_modules() -> list[str]:
    return sorted({name.split(".")[0] for name in sys.modules} & {"torch", "transformers"})


def use_tokenizer(kind: str, written_down: str | None) -> None:
    """Make the CTranslate2 engine load its tokenizer with transformers (``kind``
    "transformers"), or from the folder ``written_down`` (a causal model converted before
    ``fast_tokenizer``: the prepared folder itself is left as it is)."""
    from pipeline.engines import convert
    from pipeline.engines.fast_tokenizer import FastTokenizer

    if kind == "transformers":
        convert.fast_tokenizer_saved = lambda folder: False
    elif written_down:
        convert.converted_tokenizer = lambda path: FastTokenizer(Path(written_down))


def write_down_tokenizer(model: str, folder: Path) -> str | None:
    """The converted ``model``'s tokenizer written down for ``FastTokenizer`` into
    ``folder``, where its converted folder lacks it (None: it has it, or is not there)."""
    from pipeline.engines.convert import TOKENIZER_FOLDER, converted_dirs, save_converted_tokenizer
    from pipeline.engines.fast_tokenizer import fast_tokenizer_saved
    from pipeline.model import default_cache_dir

    converted = [path / TOKENIZER_FOLDER for path in converted_dirs(model, default_cache_dir())]
    if not converted or fast_tokenizer_saved(converted[0]):
        return None
    import transformers

    save_converted_tokenizer(transformers.AutoTokenizer.from_pretrained(converted[0]), folder, fast=True)
    return str(folder)


def child(args) -> None:
    """One configuration, in this process: print one JSON line per stage."""
    def stage(name, **extra):
        print(json.dumps({"stage": name, "rss_mb": round(rss_mb()), "peak_mb": round(peak_mb()),
                          "seconds": round(time.monotonic() - started, 1), "cpu_s": round(cpu_seconds(), 1),
                          "heavy": heavy_modules(), **extra}),
              flush=True)

    started = time.monotonic()
    overrides = json.loads(args.child)
    use_tokenizer(overrides.get("tokenizer", "tokenizers"), args.written_down)
    from pipeline.engines import DecodingOptions
    from pipeline.languages import flores_devtest
    from pipeline.runner import open_engines
    from pipeline.translate import DEFAULT_RETRIES, translation_signature
    from pipeline.workqueue import plan_chunks, translate_locally

    stage("import")
    lang = args.to
    sources = (Path(args.flores) / flores_devtest("en")).read_text(encoding="utf-8").splitlines()[: args.lines]
    options = DecodingOptions(workers=overrides.get("workers", 2), batch_size=overrides.get("batch_size"))
    engine = open_engines(args.model, [lang], engine=args.engine, options=options)[lang]
    engine.load()
    stage("load")
    retries = overrides.get("retries", DEFAULT_RETRIES)
    signature = translation_signature(engine, retries=retries)
    chunks = plan_chunks({lang: sources}, signatures={lang: signature})
    for done, result in enumerate(translate_locally(chunks, engines={lang: engine}, retries=retries), start=1):
        # What was translated, in short: configurations that only move memory around agree.
        digest = hashlib.sha256("\n".join(t.text for t in result.translations).encode()).hexdigest()[:12]
        if overrides.get("trim"):
            from pipeline.engines.ct2 import release_freed_memory

            before = round(rss_mb())
            release_freed_memory()
            stage(f"chunk {done}/{len(chunks)}", texts=len(result.chunk.texts), retried=result.retried,
                  digest=digest, untrimmed_mb=before)
        else:
            stage(f"chunk {done}/{len(chunks)}", texts=len(result.chunk.texts), retried=result.retried,
                  digest=digest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--to", default="zh")
    parser.add_argument("--model", default=None, help="default: bitext's default model")
    parser.add_argument("--engine", default="ctranslate2")
    parser.add_argument("--configs", default="default,one-worker,arenas2",
                        help="comma-separated, run in this order (a name may repeat: the first run reads the "
                             "model from disk, the later ones from the page cache)")
    parser.add_argument("--flores", default=str(FLORES), help="the FLORES-200 devtest folder (default: %(default)s)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--written-down", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.model is None:
        from pipeline.model import DEFAULT_MODEL

        args.model = DEFAULT_MODEL
    if args.child is not None:
        return child(args)
    results = []
    scratch = tempfile.TemporaryDirectory(prefix="bitext-tokenizer-")
    written_down = write_down_tokenizer(args.model, Path(scratch.name) / "tokenizer")
    for name in args.configs.split(","):
        overrides, env = CONFIGS[name]
        command = [sys.executable, __file__, "--lines", str(args.lines), "--to", args.to, "--model", args.model,
                   "--engine", args.engine, "--flores", args.flores, "--child", json.dumps(overrides),
                   *(["--written-down", written_down] if written_down else [])]
        print(f"== {name}", flush=True)
        stages = []
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={**os.environ, **env}) as process:
            for line in process.stdout:
                stages.append(json.loads(line))
                print(f"   {stages[-1]}", flush=True)
        results.append((name, stages))
    scratch.cleanup()
    print(f"\n{args.lines} lines en->{args.to}, {args.engine}: RSS and time per configuration "
          f"(import; loaded; first chunk; peak and time at the end; chunks: RSS growth after the first)")
    base = results[0][1]
    for name, stages in results:
        first, last = stages[2] if len(stages) > 2 else stages[-1], stages[-1]
        line = [f"  {name:12}"]
        for label, index in (("import", 0), ("load", 1)):
            line.append(f"{label} {stages[index]['rss_mb']:5} MB {stages[index]['seconds']:5.1f} s "
                        f"({stages[index]['seconds'] / max(base[index]['seconds'], 0.1):.2f}x) "
                        f"cpu {stages[index]['cpu_s']:5.1f} s")
        line.append(f"chunk 1 {first['rss_mb']:5} MB {first['seconds']:6.1f} s")
        line.append(f"peak {last['peak_mb']:5} MB ({last['peak_mb'] / base[-1]['peak_mb']:.2f}x) "
                    f"{last['seconds']:6.1f} s ({last['seconds'] / base[-1]['seconds']:.2f}x)")
        line.append(f"growth {last['rss_mb'] - first['rss_mb']:+} MB over {len(stages) - 3} chunks")
        line.append(f"torch/transformers: {','.join(last['heavy']) or 'none'}")
        print("   ".join(line))
    digests = {name: [s.get("digest") for s in stages[2:]] for name, stages in results}
    agree = len({tuple(d) for d in digests.values()}) == 1
    print(f"  translations: {'the same in every configuration' if agree else 'differ: ' + str(digests)}")


if __name__ == "__main__":
    main()
