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

__all__ = ["ENGINES", "Engine", "create_engine"]


def create_engine(
    name: str,
    files: ModelFiles,
    *,
    cache_dir: Path,
    device: str = "cpu",
    threads: int = 0,
    batch_size: int | None = None,
    max_new_tokens: int | None = None,
    compute_type: str | None = None,
    progress: Progress = no_progress,
) -> Engine:
    """Load ``files`` into the engine called ``name``.

    Options left as None take the model's catalogue defaults, then the engine's.
    """
    if name not in ENGINES:
        raise ModelError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")
    module_name, class_name = ENGINES[name].split(":")
    engine_class = getattr(importlib.import_module(module_name), class_name)
    defaults = files.decoding
    return engine_class(
        files,
        cache_dir=cache_dir,
        device=device,
        threads=threads,
        batch_size=batch_size or defaults.get("batch_size", 32),
        max_new_tokens=max_new_tokens or defaults.get("max_new_tokens", 256),
        compute_type=compute_type or defaults.get("compute_type", "int8"),
        progress=progress,
    )
