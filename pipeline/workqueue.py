"""The translation work of a run: every text the memory lacks, in every target language,
as one length-sorted queue of chunks, and the local way to work through it.

A chunk is a batch's worth of texts in one language, of similar length (little padding),
so the texts of many short articles share full batches. Where a chunk is translated (here,
or on a Ray actor: ``ray_translate``) is not part of any signature: the same chunks give
the same translations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass

from .document import Signature, Translation
from .engines import Engine
from .errors import Interrupted
from .glossary import Glossary
from .languages import SOURCE_LANGUAGE
from .translate import CHUNK, translate_texts


@dataclass(frozen=True)
class Chunk:
    """Texts to translate into ``lang`` with the engine whose signature is ``signature``;
    ``contexts[i]``: what the model reads before ``texts[i]`` (empty without context)."""

    lang: str
    signature: Signature
    texts: tuple[str, ...]
    contexts: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ChunkResult:
    chunk: Chunk
    translations: list[Translation]  # one per text of the chunk, in order
    retried: int  # translations decoded again for a serious flag
    worker: str = ""  # where it ran, host:pid ("" in this process)


def plan_chunks(
    missing: Mapping[str, Sequence[str]],
    *,
    signatures: Mapping[str, Signature],
    contexts: Mapping[str, tuple[str, ...]] | None = None,
    size: int = CHUNK,
) -> list[Chunk]:
    """The queue: each language's ``missing`` texts (distinct), longest first, cut into
    chunks of ``size``; the languages' chunks merged longest first, so the queue as a
    whole runs from long texts to short ones."""
    chunks = []
    for lang, texts in missing.items():
        ordered = sorted(dict.fromkeys(texts), key=len, reverse=True)
        for start in range(0, len(ordered), size):
            part = tuple(ordered[start : start + size])
            chunks.append(Chunk(lang, signatures[lang], part,
                                tuple((contexts or {}).get(text, ()) for text in part)))
    return sorted(chunks, key=lambda chunk: len(chunk.texts[0]), reverse=True)  # stable: languages keep their order


def translate_chunk(
    chunk: Chunk, engine: Engine, *, glossary: Glossary | None = None, retries: int = 0
) -> ChunkResult:
    """One chunk through ``translate.translate_texts``: cleaned, checked, retried."""
    contexts = dict(zip(chunk.texts, chunk.contexts, strict=True)) if any(chunk.contexts) else None
    result = translate_texts(engine, chunk.texts, src=SOURCE_LANGUAGE, tgt=chunk.lang, glossary=glossary,
                             retries=retries, contexts=contexts)
    return ChunkResult(chunk, result.translations, result.retried)


def translate_locally(
    chunks: Sequence[Chunk],
    *,
    engines: Mapping[str, Engine],
    glossary: Glossary | None = None,
    retries: int = 0,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[ChunkResult]:
    """Translate the queue in this process, as many chunks at a time as the engines have
    workers (``DecodingOptions.workers``), yielding each as it is done. ``should_stop()``
    is asked before each chunk starts; if true, the chunks under way finish and are
    yielded, then ``Interrupted`` is raised."""
    workers = max((getattr(engine, "workers", 1) for engine in engines.values()), default=1)
    pending = iter(chunks)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="translate") as pool:
        running = set()
        stopped = False
        while True:
            while len(running) < workers and not stopped:
                if should_stop():
                    stopped = True
                    break
                chunk = next(pending, None)
                if chunk is None:
                    break
                running.add(pool.submit(translate_chunk, chunk, engines[chunk.lang], glossary=glossary,
                                        retries=retries))
            if not running:
                break
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    if stopped:
        raise Interrupted("stopped between batches")
