"""Translate an article's texts with an engine, reusing the translation memory."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .cleanup import clean_translation
from .engines import Engine

CHUNK = 32  # texts handed to the engine at once, so progress moves during long articles


def translate_texts(
    engine: Engine,
    texts: Sequence[str],
    *,
    src: str,
    tgt: str,
    memory: dict[str, str],
    on_done: Callable[[int], None] = lambda n: None,
) -> tuple[list[str], int]:
    """Translate ``texts`` (each distinct text once), taking known ones from ``memory``.

    Returns the cleaned translations in order and how many texts the engine translated.
    ``on_done(n)`` is called as each group of ``n`` texts is finished.
    """
    known = dict(memory)
    remembered = sum(1 for text in texts if text in known)
    if remembered:
        on_done(remembered)
    missing = [text for text in dict.fromkeys(texts) if text not in known]
    for start in range(0, len(missing), CHUNK):
        chunk = missing[start : start + CHUNK]
        outputs = engine.translate(chunk, src=src, tgt=tgt)
        if len(outputs) != len(chunk):
            raise RuntimeError(f"engine returned {len(outputs)} translations for {len(chunk)} texts")
        for text, output in zip(chunk, outputs):
            known[text] = clean_translation(output, source=text, tgt=tgt)
        finished = set(chunk)
        on_done(sum(1 for text in texts if text in finished))
    return [known[text] for text in texts], len(missing)
