"""Translate an article's texts with an engine, reusing the translation memory.

A sentence longer than the model reads (Marian models have 512 positions and silently
truncate) is split at clause boundaries first; the pieces are translated and joined, and
the number of pieces is returned so the store can record it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from .cleanup import CLEANUP_VERSION, clean_translation
from .document import Signature, Translation
from .engines import Engine
from .engines.prompts import Hints
from .glossary import Glossary
from .languages import sentence_joiner
from .quality import SERIOUS, check_pair, quality
from .text_measures import english_left

CHUNK = 32  # texts handed to the engine at once: a chunk of the queue, a unit of progress and storing

# Where to split an over-long sentence, best first: after ; or :, after a comma, before a
# dash or a conjunction, then at any space.
CLAUSE_BREAKS = (
    re.compile(r"(?<=[;:；：])\s*"),
    re.compile(r"(?<=[,，])\s*"),
    re.compile(r"\s+(?=[—–]|-- )"),
    re.compile(r"\s+(?=(?:and|but|while|whereas|which|because|although|et|mais|qui)\b)"),
    re.compile(r"\s+"),
)


@dataclass(frozen=True)
class TranslationBatch:
    """What ``translate_texts`` returns: a translation per text asked, and what making them took."""

    translations: list[Translation]  # one per input text, in order
    engine_calls: int  # distinct texts the engine translated (the rest came from memory)
    retried: int = 0  # of those, translations decoded again for a serious flag

    @property
    def texts(self) -> list[str]:
        return [t.text for t in self.translations]


# Flags that earn a translation another attempt: the checks quality.QUALITY_CHECKS marks serious.
SERIOUS_FLAGS = frozenset(SERIOUS)
# The other decodings a flagged translation is tried with, in order: (name, engine options).
# The stricter prompt first: greedy, so it costs a fraction of beam 4's time, and it brings
# more flagged Chinese back than beam 4 does (docs/measurements.md, "Translation levers").
RETRY_DECODINGS = (
    # greedy, told what was wrong and kept from the English words it left (sampling: see DecodingOptions)
    ("strict", {"strict_prompt": True}),
    ("beam4", {"beam_size": 4}),
)
# What a run and `bitext eval` do unless told otherwise: one retry, with the stricter prompt.
DEFAULT_RETRIES = 1


def translation_signature(
    engine: Engine, *, glossary: Glossary | None = None, retries: int = 0, context: bool = False
) -> Signature:
    """How this stage makes a translation: the engine's signature, the cleaning rules, the
    glossary (by digest) it was told to follow, whether it read the context, and the
    retries a flagged one may get."""
    signature = engine.signature()
    settings = (*signature.settings, ("clean", CLEANUP_VERSION))
    if context:
        settings += (("context", "title+previous"),)
    if glossary is not None:
        settings += (("glossary", glossary.digest),)
    if decodings := retry_decodings(engine, retries):
        settings += (("retry", ",".join(name for name, _ in decodings)),)
    return replace(signature, settings=settings)


def retry_decodings(engine: Engine, retries: int) -> tuple[tuple[str, dict], ...]:
    """The first ``retries`` of ``RETRY_DECODINGS`` that decode otherwise on this engine:
    a stricter prompt means nothing to a model without a prompt (Marian, NLLB), and beam 4
    nothing to an engine already searching with 4 beams."""
    if not retries:
        return ()
    plain = engine.signature()
    return tuple((name, changes) for name, changes in RETRY_DECODINGS
                 if engine.variant(**changes).signature() != plain)[:retries]


def translate_texts(
    engine: Engine,
    texts: Sequence[str],
    *,
    src: str,
    tgt: str,
    memory: Mapping[str, Translation] | None = None,
    glossary: Glossary | None = None,
    retries: int = 0,
    contexts: Mapping[str, tuple[str, ...]] | None = None,
) -> TranslationBatch:
    """Translate ``texts`` (each distinct text once, in groups of ``CHUNK``), taking known
    ones from ``memory``. A run's queue (``workqueue``) hands it one chunk at a time, and
    keeps, stores and stops between chunks itself.

    Each translation is cleaned and checked (``quality.check_pair``); with a ``glossary``
    the engine is told the renderings it requires of each text, and the check flags a
    translation that lacks one. A translation with a serious flag (``SERIOUS_FLAGS``) is
    decoded again in up to ``retries`` other ways (``retry_decodings``), and the candidate
    with the best flags is kept (the first on a tie), noting what was tried. ``contexts``:
    per text, what the model reads before it and does not translate (``article_contexts``).
    """
    known = dict(memory or {})
    missing = [text for text in dict.fromkeys(texts) if text not in known]
    retried = 0
    decodings = retry_decodings(engine, retries) if missing else ()
    for start in range(0, len(missing), CHUNK):
        chunk = missing[start : start + CHUNK]
        hints = _hints(chunk, tgt=tgt, glossary=glossary, contexts=contexts)
        known.update(_attempt(engine, chunk, src=src, tgt=tgt, glossary=glossary, hints=hints))
        flagged = {text: known[text] for text in chunk if _serious(known[text])} if decodings else {}
        if flagged:
            known.update(_retried(engine, flagged, decodings, src=src, tgt=tgt, glossary=glossary, hints=hints))
            retried += len(flagged)
    return TranslationBatch([known[text] for text in texts], len(missing), retried)


def article_contexts(title: str, sentences: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Per sentence of an article, the context a model reads before it: the title and the
    sentence before (the first occurrence's, for a sentence said twice). The title has none."""
    contexts: dict[str, tuple[str, ...]] = {title: ()}
    previous = None
    for sentence in sentences:
        contexts.setdefault(sentence, (title,) if previous is None else (title, previous))
        previous = sentence
    return contexts


def _hints(texts: Sequence[str], *, tgt: str, glossary: Glossary | None,
           contexts: Mapping[str, tuple[str, ...]] | None) -> dict[str, Hints]:
    """What the model is told about each text besides it: the glossary's renderings and the context."""
    return {text: Hints(terms=glossary.for_text(text, tgt) if glossary else (),
                        context=contexts.get(text, ()) if contexts else ()) for text in texts}


def _retried(engine: Engine, flagged: Mapping[str, Translation], decodings: Sequence[tuple[str, dict]], *,
             src: str, tgt: str, glossary: Glossary | None, hints: Mapping[str, Hints]) -> dict[str, Translation]:
    """The flagged translations after the other ``decodings`` (``retry_decodings``), each the
    best candidate by its flags, saying what was tried and what was kept."""
    best, tried = dict(flagged), {text: [] for text in flagged}
    pending = list(flagged)
    for name, changes in decodings:
        if not pending:
            break
        told = hints
        if changes.get("strict_prompt"):  # told which words the answer so far left in English
            told = {text: replace(hints[text], words=tuple(english_left(text, best[text].text))) for text in pending}
        candidates = _attempt(engine.variant(**changes), pending, src=src, tgt=tgt, glossary=glossary, hints=told)
        for text in pending:
            tried[text].append(name)
            if _rank(candidates[text]) > _rank(best[text]):
                best[text] = replace(candidates[text], retry=name)
        pending = [text for text in pending if _serious(best[text])]
    return {text: replace(translation, retry=f"tried {', '.join(tried[text])}; kept {translation.retry or 'the first'}")
            for text, translation in best.items()}


def _attempt(engine: Engine, texts: Sequence[str], *, src: str, tgt: str, glossary: Glossary | None,
             hints: Mapping[str, Hints]) -> dict[str, Translation]:
    """Each text translated once (in pieces where it is too long for the model), cleaned
    and checked; the model is told each text's ``hints`` (a piece: those about it)."""
    parts = {text: split_to_fit(text, lambda t: engine.fits(t, src=src, tgt=tgt)) for text in texts}
    owner = [text for text in texts for _ in parts[text]]
    flat = [piece for text in texts for piece in parts[text]]
    told = {}
    if any(hints.values()):
        told = {"hints": [
            hints[text] if len(parts[text]) == 1 else Hints(
                terms=glossary.for_text(piece, tgt) if glossary else (),
                words=tuple(word for word in hints[text].words if word in piece),
                context=hints[text].context,
            )
            for text, piece in zip(owner, flat, strict=True)
        ]}
    outputs = iter(engine.translate(flat, src=src, tgt=tgt, **told))
    done = {}
    for text in texts:
        cleaned = [clean_translation(next(outputs), source=piece, tgt=tgt) for piece in parts[text]]
        joined = sentence_joiner(tgt).join(cleaned)
        required = glossary.for_text(text, tgt) if glossary else ()
        done[text] = Translation(text, joined, len(parts[text]),
                                 tuple(check_pair(text, joined, tgt=tgt, terms=required)))
    return done


def _serious(translation: Translation) -> bool:
    return any(flag.name in SERIOUS_FLAGS for flag in translation.flags)


def _rank(translation: Translation) -> tuple[float, bool, int, int]:
    """Higher is better: the quality its worst flag leaves, then something over nothing (an
    empty answer raises one flag only, as nothing else can be checked), then fewer serious
    flags, then fewer flags."""
    names = [flag.name for flag in translation.flags]
    return quality(names), bool(translation.text), -sum(name in SERIOUS_FLAGS for name in names), -len(names)


def split_to_fit(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Split ``text`` at clause boundaries until every piece ``fits``."""
    if fits(text) or len(text) < 2:
        return [text]
    middle = len(text) / 2
    for pattern in CLAUSE_BREAKS:
        cuts = [m.start() if m.start() == m.end() else m.end() for m in pattern.finditer(text)]
        cuts = [cut for cut in cuts if 0 < cut < len(text)]
        if cuts:
            cut = min(cuts, key=lambda c: abs(c - middle))
            left, right = text[:cut].rstrip(), text[cut:].lstrip()
            if left and right:
                return split_to_fit(left, fits) + split_to_fit(right, fits)
    cut = len(text) // 2  # no space at all: halve it
    return split_to_fit(text[:cut], fits) + split_to_fit(text[cut:], fits)
