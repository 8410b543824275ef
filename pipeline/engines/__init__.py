"""Translation engines, found by name and imported only when asked for.

Every engine follows the ``Engine`` protocol in ``base``: ``translate(texts, *, src, tgt)``
returns one translation per text, in order, and ``signature()`` says how it was made.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from ..engine_names import ENGINES
from ..errors import ModelError
from ..model import ModelFiles
from ..progress import Progress, no_progress
from .base import Engine
from .options import BATCH_TYPES, DEVICES, DecodingOptions

__all__ = ["BATCH_TYPES", "DEVICES", "ENGINES", "DecodingOptions", "Engine", "check_options", "create_engine"]


def engine_class(name: str):
    """The engine class called ``name`` (imported now)."""
    if name not in ENGINES:
        raise ModelError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")
    module_name, class_name = ENGINES[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)


def check_options(name: str, options: DecodingOptions) -> None:
    """Refuse, before any model is prepared or loaded, what ``options`` ask of engine
    ``name`` that it cannot do here: an unknown device, a device this machine lacks (CUDA
    without a GPU), a compute type the engine cannot run on that device."""
    cls = engine_class(name)
    options.resolved({}, engine=name, default_compute=cls.default_compute_type, compute_types=None)  # fields
    cls.check_device(options.device)
    usable = cls.compute_types_on(options.device)
    if options.compute_type is not None and usable is not None and options.compute_type not in usable:
        raise ModelError(f"compute type {options.compute_type!r} is not available with --engine {name} on "
                         f"{options.device}; choose one of: {', '.join(usable)}")


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
    cls = engine_class(name)
    options = options or DecodingOptions()
    resolved = options.resolved(
        files.decoding, engine=name, default_compute=cls.default_compute_type,
        compute_types=cls.compute_types_on(options.device),
    )
    return cls(files, cache_dir=cache_dir, options=resolved, progress=progress)
