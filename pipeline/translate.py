"""Translate an article's texts with an engine, reusing the translation memory.

A sentence longer than the model reads (Marian models have 512 positions and silently
truncate) is split at clause boundaries first; the pieces are translated and joined, and
the number of pieces is returned so the store can record it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .cleanup import clean_translation
from .document import Translation
from .engines import Engine
from .errors import Interrupted
from .quality import check_pair

CHUNK = 32  # texts handed to the engine at once, so progress moves during long articles

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
class Translated:
    translations: list[Translation]  # one per input text, in order
    engine_calls: int  # distinct texts the engine translated (the rest came from memory)

    @property
    def texts(self) -> list[str]:
        return [t.text for t in self.translations]


def translate_texts(
    engine: Engine,
    texts: Sequence[str],
    *,
    src: str,
    tgt: str,
    memory: Mapping[str, Translation],
    on_done: Callable[[int], None] = lambda n: None,
    remember: Callable[[list[Translation]], None] = lambda translations: None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Translated:
    """Translate ``texts`` (each distinct text once), taking known ones from ``memory``.

    Each translation is cleaned and checked (``quality.check_pair``). ``on_done(n)`` is
    called as each group of ``n`` texts is finished, and ``remember`` with the group's
    translations, so a store can keep them at once. ``should_stop()`` is asked before each
    group; if true, ``Interrupted`` is raised.
    """
    known = dict(memory)
    remembered = sum(1 for text in texts if text in known)
    if remembered:
        on_done(remembered)
    missing = [text for text in dict.fromkeys(texts) if text not in known]
    for start in range(0, len(missing), CHUNK):
        if should_stop():
            raise Interrupted("stopped between batches")
        chunk = missing[start : start + CHUNK]
        parts = {text: split_to_fit(text, lambda t: engine.fits(t, src=src, tgt=tgt)) for text in chunk}
        flat = [piece for text in chunk for piece in parts[text]]
        outputs = iter(engine.translate(flat, src=src, tgt=tgt))
        done = []
        for text in chunk:
            cleaned = [clean_translation(next(outputs), source=piece, tgt=tgt) for piece in parts[text]]
            joined = ("" if tgt == "zh" else " ").join(cleaned)
            known[text] = Translation(text, joined, len(parts[text]), tuple(check_pair(text, joined, tgt=tgt)))
            done.append(known[text])
        remember(done)
        finished = set(chunk)
        on_done(sum(1 for text in texts if text in finished))
    return Translated([known[text] for text in texts], len(missing))


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
