"""Stage (b) on a Ray cluster: the queue's chunks as a Ray Data dataset, translated by a
pool of actors that each load the engine once (``map_batches`` with an
``ActorPoolStrategy``). Results stream back to the driver (``iter_batches``), which stays
the only writer of the SQLite store and stores each chunk as it arrives, so a rerun
resumes where a run stopped.

A chunk is translated the same way wherever it runs (``workqueue.translate_chunk``), and
each actor checks that its engine's signature is the one the driver planned with: a node
with another model or bitext version refuses the work instead of storing different
translations under the same signature. Where a chunk ran is not part of the signature.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .document import Flag, Signature, Translation
from .engines import DecodingOptions
from .errors import ClusterError
from .glossary import Glossary
from .workqueue import Chunk, ChunkResult

INSTALL_HINT = "pip install 'bitext[ray]'"
# Ray Data needs CPUs beside the actors for its own tasks; a pool that takes all of them
# waits forever (ray-project/ray#44687).
ISSUE_ALL_CPUS = "ray-project/ray#44687"
CONNECT_TIMEOUT = 30  # seconds for ray.init to join a running cluster (it takes a few)


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide stage (b) runs. address: ``host:port`` of a running cluster,
    ``auto`` (the cluster this machine belongs to) or ``local`` (a Ray instance inside
    this process). actors: how many engines translate side by side, each with
    actor_threads CPU threads and gpus_per_actor GPUs."""

    address: str
    actors: int = 1
    actor_threads: int = 1
    gpus_per_actor: float = 0.0


@dataclass(frozen=True)
class EngineRecipe:
    """What an actor needs to open the same engines as the driver (on its own node, from
    its own model cache)."""

    model: str
    engine: str
    options: DecodingOptions
    langs: tuple[str, ...]
    cache_dir: Path | None = None


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def parse_address(address: str) -> tuple[str, int] | None:
    """(host, port) of a ``host:port`` address; None for ``auto`` and ``local``."""
    if address in ("auto", "local"):
        return None
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ClusterError(f"--ray takes host:port (the head node's address), auto or local, not {address!r}")
    return host.strip("[]"), int(port)


def require_ray(address: str = "local"):
    """The ray module, or a one-line error that says how to install it.

    A loopback ``address`` keeps the whole cluster on this machine: Ray otherwise swaps
    127.0.0.1 for the machine's network address, where a loopback head node is not
    listening (the same switch ``ray start`` needs there, read when Ray is imported)."""
    parsed = parse_address(address)
    if (parsed is None and address == "local") or (parsed and parsed[0] in LOOPBACK):
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    try:
        import ray
        import ray.data  # noqa: F401  (the [data] extra)
    except ImportError:
        raise ClusterError(f"--ray needs Ray Data, which is not installed; install it with: {INSTALL_HINT}") from None
    return ray


def connect(address: str) -> None:
    """Join the cluster at ``address`` (or start one inside this process for ``local``),
    unless this process is already connected. An address nothing listens on fails at once
    (Ray itself would retry for minutes)."""
    ray = require_ray(address)
    if ray.is_initialized():
        return
    parsed = parse_address(address)
    if parsed is not None:
        try:
            socket.create_connection(parsed, timeout=5).close()
        except OSError as error:
            raise ClusterError(f"cannot reach the Ray cluster at {address} ({error.strerror or error})") from None
    options = {"logging_level": logging.ERROR, "log_to_driver": False}
    if address == "local":
        options["include_dashboard"] = False
    else:
        options["address"] = address
    outcome: list[BaseException | None] = []

    def join() -> None:
        try:
            ray.init(**options)
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001  (handed to the caller's thread)
            outcome.append(error)

    # Ray retries a cluster that refuses it (a missing or wrong auth token) without end.
    joining = threading.Thread(target=join, daemon=True, name="ray-init")
    joining.start()
    joining.join(CONNECT_TIMEOUT)
    if not outcome:
        raise ClusterError(
            f"cannot join the Ray cluster at {address} (no answer within {CONNECT_TIMEOUT} s; a cluster with token "
            "authentication needs RAY_AUTH_MODE=token and its token here too)"
        )
    error = outcome[0]
    if isinstance(error, (ConnectionError, RuntimeError, ValueError)):
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ClusterError(f"cannot join the Ray cluster at {address} ({first_line}; a cluster with token "
                           "authentication needs RAY_AUTH_MODE=token and its token here too)") from None
    if error is not None:
        raise error


def _encode_chunk(chunk: Chunk) -> str:
    return json.dumps({"lang": chunk.lang, "signature": str(chunk.signature), "texts": chunk.texts,
                       "contexts": chunk.contexts}, ensure_ascii=False)


def _decode_chunk(text: str) -> Chunk:
    data = json.loads(text)
    return Chunk(data["lang"], Signature.parse(data["signature"]), tuple(data["texts"]),
                 tuple(tuple(context) for context in data["contexts"]))


def _encode_result(result: ChunkResult, worker: str) -> str:
    return json.dumps({
        "translations": [[t.english, t.text, t.pieces, [[f.name, f.reason] for f in t.flags], t.retry]
                         for t in result.translations],
        "retried": result.retried, "worker": worker,
    }, ensure_ascii=False)


def _decode_result(chunk: Chunk, text: str) -> ChunkResult:
    data = json.loads(text)
    translations = [Translation(source, target, pieces, tuple(Flag(*flag) for flag in flags), retry)
                    for source, target, pieces, flags, retry in data["translations"]]
    return ChunkResult(chunk, translations, data["retried"], data["worker"])


class ChunkTranslator:
    """A Ray actor's work: open the engines once, then translate chunk after chunk."""

    def __init__(self, recipe: EngineRecipe, glossary: Glossary | None, retries: int, context: bool):
        from .runner import open_engines
        from .translate import translation_signature

        self.engines = open_engines(recipe.model, recipe.langs, engine=recipe.engine, options=recipe.options,
                                    cache_dir=recipe.cache_dir)
        self.signatures = {lang: str(translation_signature(engine, glossary=glossary, retries=retries,
                                                           context=context))
                           for lang, engine in self.engines.items()}
        self.glossary, self.retries = glossary, retries
        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    def __call__(self, batch: dict) -> dict:
        from .workqueue import translate_chunk

        results = []
        for encoded in batch["chunk"]:
            chunk = _decode_chunk(str(encoded))
            if self.signatures.get(chunk.lang) != str(chunk.signature):
                raise RuntimeError(
                    f"this node would translate with {self.signatures.get(chunk.lang)}, not {chunk.signature}: "
                    "install the same bitext and model on every node"
                )
            result = translate_chunk(chunk, self.engines[chunk.lang], glossary=self.glossary, retries=self.retries)
            results.append(_encode_result(result, self.worker))
        return {"chunk": list(batch["chunk"]), "result": results}


class RayTranslator:
    """Stage (b) through Ray Data: call it with the queue's chunks; it yields each chunk's
    result as an actor finishes it."""

    def __init__(self, ray_options: RayOptions, recipe: EngineRecipe, *, glossary: Glossary | None = None,
                 retries: int = 0, context: bool = False):
        require_ray(ray_options.address)  # at once: a missing extra is said before any article is read
        if ray_options.actors < 1 or ray_options.actor_threads < 1:
            raise ClusterError("--actors and --actor-threads must be at least 1")
        self.ray_options, self.glossary, self.retries, self.context = ray_options, glossary, retries, context
        # An actor's engine runs on its own threads and device.
        self.recipe = replace(recipe, options=replace(recipe.options, threads=ray_options.actor_threads, workers=1))

    def check_cluster(self) -> None:
        """Refuse a pool that would take every CPU of the cluster (Ray Data then waits forever)."""
        ray = require_ray()
        cpus = ray.cluster_resources().get("CPU", 0)
        wanted = self.ray_options.actors * self.ray_options.actor_threads
        if wanted >= cpus:
            raise ClusterError(
                f"{self.ray_options.actors} actors x {self.ray_options.actor_threads} threads would take {wanted:g} "
                f"of the cluster's {cpus:g} CPUs, and Ray Data needs some for itself ({ISSUE_ALL_CPUS}); "
                "ask for fewer --actors or --actor-threads"
            )
        gpus = ray.cluster_resources().get("GPU", 0)
        if self.ray_options.gpus_per_actor * self.ray_options.actors > gpus:
            raise ClusterError(f"{self.ray_options.actors} actors x {self.ray_options.gpus_per_actor:g} GPUs: "
                               f"the cluster has {gpus:g} GPUs")

    def __call__(self, chunks: Sequence[Chunk]) -> Iterator[ChunkResult]:
        connect(self.ray_options.address)
        self.check_cluster()
        import ray.data

        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # bitext shows its own progress
        by_text = {_encode_chunk(chunk): chunk for chunk in chunks}
        dataset = ray.data.from_items([{"chunk": encoded} for encoded in by_text]).map_batches(
            ChunkTranslator,
            fn_constructor_kwargs={"recipe": self.recipe, "glossary": self.glossary, "retries": self.retries,
                                   "context": self.context},
            batch_size=1,  # a chunk is already a batch: the same batches as a local run
            compute=ray.data.ActorPoolStrategy(size=self.ray_options.actors),
            num_cpus=self.ray_options.actor_threads,
            num_gpus=self.ray_options.gpus_per_actor or None,
            udf_modifying_row_count=False,
        )
        try:
            for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
                for encoded, result in zip(batch["chunk"], batch["result"], strict=True):
                    yield _decode_result(by_text[str(encoded)], str(result))
        except ray.exceptions.RayError as error:
            raise ClusterError(f"a Ray actor failed: {_last_line(error)}") from None


def _last_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__
