"""Translation engines, found by name and imported only when asked for.

Every engine follows the ``Engine`` protocol in ``base``: ``translate(texts, *, src, tgt)``
returns one translation per text, in order, and ``signature()`` says how it was made.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from ..errors import ModelError
from ..modelcache import ModelFiles, Progress, no_progress
from .base import Engine

# name -> "module:class"; modules are imported on first use, so `bitext --help` stays fast.
ENGINES = {
    "ctranslate2": "pipeline.engines.ct2:CTranslate2Engine",
    "transformers": "pipeline.engines.hf:TransformersEngine",
}
DEVICES = ("cpu", "cuda")
BATCH_TYPES = ("examples", "tokens")

__all__ = ["BATCH_TYPES", "DEVICES", "ENGINES", "Engine", "create_engine"]


def create_engine(
    name: str,
    files: ModelFiles,
    *,
    cache_dir: Path,
    device: str = "cpu",
    threads: int = 0,
    batch_size: int | None = None,
    batch_type: str = "examples",
    beam_size: int | None = None,
    max_new_tokens: int | None = None,
    compute_type: str | None = None,
    progress: Progress = no_progress,
) -> Engine:
    """Load ``files`` into the engine called ``name``.

    Options left as None take the model's catalogue defaults, then the engine's:
    batch_size 32 sentences, beam_size 1 (greedy), max_new_tokens 256, compute_type
    int8 (ctranslate2) or float32 (transformers).
    """
    if name not in ENGINES:
        raise ModelError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")
    if device not in DEVICES:
        raise ModelError(f"unknown device {device!r}; choose one of: {', '.join(DEVICES)}")
    if batch_type not in BATCH_TYPES:
        raise ModelError(f"unknown batch type {batch_type!r}; choose one of: {', '.join(BATCH_TYPES)}")
    module_name, class_name = ENGINES[name].split(":")
    engine_class = getattr(importlib.import_module(module_name), class_name)
    defaults = files.decoding
    if compute_type is None and name == "ctranslate2":
        compute_type = defaults.get("compute_type")
    return engine_class(
        files,
        cache_dir=cache_dir,
        device=device,
        threads=threads,
        batch_size=batch_size or defaults.get("batch_size", 32),
        batch_type=batch_type,
        beam_size=beam_size or defaults.get("beam_size", 1),
        max_new_tokens=max_new_tokens or defaults.get("max_new_tokens", 256),
        compute_type=compute_type,
        target_tokens=files.target_tokens,
        progress=progress,
    )
