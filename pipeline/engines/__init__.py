"""Translation engines, found by name and imported only when asked for.

Every engine follows the ``Engine`` protocol in ``base``: ``translate(texts, *, src, tgt)``
returns one translation per text, in order, and ``signature()`` says how it was made.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from ..errors import ModelError
from ..model import ModelFiles, Progress, no_progress
from .base import Engine
from .options import BATCH_TYPES, DEVICES, DecodingOptions

# name -> "module:class"; modules are imported on first use, so `bitext --help` stays fast.
ENGINES = {
    "ctranslate2": "pipeline.engines.ct2:CTranslate2Engine",
    "transformers": "pipeline.engines.hf:TransformersEngine",
}

__all__ = ["BATCH_TYPES", "DEVICES", "ENGINES", "DecodingOptions", "Engine", "create_engine"]


def create_engine(
    name: str,
    files: ModelFiles,
    *,
    cache_dir: Path,
    options: DecodingOptions | None = None,
    progress: Progress = no_progress,
) -> Engine:
    """Load ``files`` into the engine called ``name``, with ``options`` (None: all defaults)
    resolved against the model's catalogue defaults (see ``DecodingOptions``)."""
    if name not in ENGINES:
        raise ModelError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")
    module_name, class_name = ENGINES[name].split(":")
    engine_class = getattr(importlib.import_module(module_name), class_name)
    resolved = (options or DecodingOptions()).resolved(
        files.decoding, engine=name, default_compute=engine_class.default_compute_type,
        compute_types=engine_class.compute_types,
    )
    return engine_class(files, cache_dir=cache_dir, options=resolved, progress=progress)
