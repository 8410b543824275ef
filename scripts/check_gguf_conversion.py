#!/usr/bin/env python3
"""The default model's CTranslate2 conversion, tensor by tensor from its GGUF file, checked
against the conversion in the cache (the reference) and, with ``--old``, side by side with
the whole-model path through transformers.

Each conversion is ``bitext models prepare`` in a fresh child process, into a temporary
cache folder that holds only a link to the cache's GGUF file (never the real cache's
converted folder), so its peak RSS and wall time are its own. Then the converted files are
compared with the reference's checksums, a few de-quantized tensors with transformers' GGUF
loader, and greedy generations of both models on 20 chat prompts (10 English news
sentences into Chinese and French, built with the engine's own prompt code).

    python scripts/check_gguf_conversion.py            # the streamed path
    python scripts/check_gguf_conversion.py --old      # and the transformers path (about 9 GB)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENTENCES = [
    "The city council approved a new budget for public transport on Monday.",
    "Heavy rain caused flooding in several villages along the river.",
    "The company said its profits rose 12 percent in the third quarter.",
    "More than 3,000 runners took part in the marathon despite the cold weather.",
    "The minister announced that schools will reopen next week.",
    "Scientists have discovered a new species of frog in the rainforest.",
    "The museum will display the paintings for the first time since 1950.",
    "Prices of fresh vegetables fell sharply after the harvest.",
    "The two countries signed an agreement to expand trade and investment.",
    "Police said no one was injured in the fire at the warehouse.",
]
# Tensors compared with transformers' GGUF loader: (GGUF name, rows to compare)
TENSORS = [("token_embd.weight", slice(0, 4096)), ("blk.0.attn_q.weight", slice(None)),
           ("blk.0.attn_k.weight", slice(None)), ("blk.27.ffn_down.weight", slice(None)),
           ("output.weight", slice(150_000, None))]
# In the child: the transformers path for every model (the streamed one knows no architecture).
OLD_PATH = "import pipeline.engines.convert as convert; convert.STREAMED_ARCHITECTURES = ()\n"
PREPARE = "import sys\nfrom pipeline.cli import app\nsys.argv[0] = 'bitext'\napp()\n"


def temporary_cache(files, root: Path) -> Path:
    """A cache folder holding the real cache's GGUF file (a link) and its stamp, nothing else."""
    from pipeline.model.cache import assembled_path, assembled_stamp_path

    gguf = files.hf_dir / files.gguf_file
    target = assembled_path(files.gguf_file, root)
    target.parent.mkdir(parents=True)
    target.symlink_to(gguf)
    shutil.copy2(assembled_stamp_path(gguf), assembled_stamp_path(target))
    return root


def prepare(cache: Path, *, old: bool) -> dict:
    """`bitext models prepare` into ``cache``, in a child: its wall time and peak RSS."""
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-c", (OLD_PATH if old else "") + PREPARE,
                              "models", "prepare", "--cache-dir", str(cache)], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bitext models prepare failed (exit status {os.waitstatus_to_exitcode(status)})")
    return {"seconds": time.monotonic() - started, "peak_gb": usage.ru_maxrss * 1024 / 1e9}


def same_files(folder: Path, reference: Path) -> tuple[int, list[str]]:
    """How many files of ``folder`` hold the bytes the reference's checksums record, and which do not."""
    from pipeline.engines.convert import CHECKSUMS_FILE

    ours = json.loads((folder / CHECKSUMS_FILE).read_text())
    theirs = json.loads((reference / CHECKSUMS_FILE).read_text())
    differ = sorted(name for name in set(ours) | set(theirs)
                    if ours.get(name, {}).get("sha256") != theirs.get(name, {}).get("sha256"))
    return len(set(ours) | set(theirs)) - len(differ), differ


def tensor_differences(path: Path) -> dict[str, float]:
    """Max abs difference of de-quantized tensors: ours vs transformers' GGUF loader (its
    de-quantization and its qwen2 tensor processing), per tensor."""
    import gguf
    import numpy as np
    from gguf.quants import dequantize
    from transformers.modeling_gguf_pytorch_utils import TENSOR_PROCESSORS, TensorProcessor

    from pipeline.engines.gguf_convert import GGUFFile

    model = GGUFFile(path)
    processor = TENSOR_PROCESSORS.get(model.architecture, TensorProcessor)(config={})
    tensors = {tensor.name: tensor for tensor in gguf.GGUFReader(path).tensors}
    found = {}
    for name, rows in TENSORS:
        tensor = tensors[name]
        theirs = processor.process(weights=dequantize(tensor.data[rows], tensor.tensor_type), name=name).weights
        found[name] = float(np.max(np.abs(model.tensor(name, rows) - theirs)))
    return found


def generations(folder: Path) -> list[list[int]]:
    """Greedy answers (token ids) of a converted model to the 20 chat prompts."""
    import ctranslate2

    from pipeline.engines.convert import converted_tokenizer
    from pipeline.engines.prompts import prompt_ids

    tokenizer = converted_tokenizer(folder)
    generator = ctranslate2.Generator(str(folder), device="cpu", compute_type="int8")
    prompts = [tokenizer.convert_ids_to_tokens(prompt_ids(tokenizer, text, src="en", tgt=tgt))
               for text in SENTENCES for tgt in ("zh", "fr")]
    results = generator.generate_batch(prompts, max_length=96, sampling_topk=1, include_prompt_in_result=False)
    return [result.sequences_ids[0] for result in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", action="store_true", help="also convert through transformers (peaks near 9 GB)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary cache folders")
    args = parser.parse_args()

    from pipeline.engines.convert import converted_tokenizer, ctranslate2_dir
    from pipeline.model import DEFAULT_MODEL, default_cache_dir, resolve

    real_cache = default_cache_dir()
    files = resolve(DEFAULT_MODEL, cache_dir=real_cache)
    reference = ctranslate2_dir(files, cache_dir=real_cache, compute_type="int8")
    if not reference.is_dir():
        sys.exit(f"no reference conversion at {reference}: run `bitext models prepare` once first")
    work = Path(tempfile.mkdtemp(prefix="check-gguf-"))
    try:
        paths = {"streamed": False, "transformers": True} if args.old else {"streamed": False}
        figures, folders = {}, {}
        for name, old in paths.items():
            cache = temporary_cache(files, work / name)
            figures[name] = prepare(cache, old=old)
            folders[name] = ctranslate2_dir(files, cache_dir=cache, compute_type="int8")
            print(f"{name:>12}: {figures[name]['seconds']:6.1f} s, peak RSS {figures[name]['peak_gb']:.2f} GB",
                  flush=True)
        if args.old:
            ratio = {key: figures["streamed"][key] / figures["transformers"][key] for key in ("seconds", "peak_gb")}
            print(f"streamed / transformers: time x{ratio['seconds']:.2f}, peak RSS x{ratio['peak_gb']:.2f}")
        for name, folder in folders.items():
            same, differ = same_files(folder, reference)
            print(f"{name:>12}: {same} files byte-identical to the reference", f"; differ: {differ}" if differ else "")
        for name, difference in tensor_differences(files.hf_dir / files.gguf_file).items():
            print(f"  max |ours - transformers' loader| {name}: {difference:g}")
        expected = generations(reference)
        lengths = sorted(len(ids) for ids in expected)
        print(f"   reference: answers of {lengths[0]} to {lengths[-1]} tokens, e.g. "
              f"{converted_tokenizer(reference).decode(expected[0])!r}")
        for name, folder in folders.items():
            found = generations(folder)
            identical = sum(a == b for a, b in zip(found, expected, strict=True))
            print(f"{name:>12}: generations identical to the reference's {identical}/{len(expected)}")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
