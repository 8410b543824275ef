"""Things loaded on first use and shared by threads: loaded once, under a lock.

The translation queue's workers, the aligner's embedding batches and the quality checks
all reach for models, tokenizers and detectors that load lazily. Without a lock, two
threads that find one unloaded both load it: twice the memory, and two threads importing
the same library at once (transformers raised ``AttributeError`` here that way).
``functools.cache`` and ``cached_property`` give no such promise (the latter dropped its
lock in Python 3.12).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
_UNSET = object()


class Once(Generic[T]):
    """``load()``'s value, made by the first thread that asks; the others wait for it.

    A load that raises leaves it unloaded, so the next caller tries again (and sees the
    same error) rather than a half-made value."""

    def __init__(self, load: Callable[[], T]):
        self._load = load
        self._lock = threading.Lock()
        self._value: object = _UNSET

    @property
    def loaded(self) -> bool:
        return self._value is not _UNSET

    def get(self) -> T:
        if self._value is _UNSET:  # checked again under the lock: another thread may have loaded it meanwhile
            with self._lock:
                if self._value is _UNSET:
                    self._value = self._load()
        return self._value  # type: ignore[return-value]


def once(function: Callable[..., T]) -> Callable[..., T]:
    """``functools.cache`` that makes each value once however many threads ask at once.

    The lock is re-entrant, so a loader may ask for another of its own values (the
    combined embedder asks for its parts)."""
    values: dict[tuple, object] = {}
    lock = threading.RLock()

    @functools.wraps(function)
    def cached(*args):
        try:
            return values[args]
        except KeyError:
            pass
        with lock:
            if args not in values:
                values[args] = function(*args)
            return values[args]

    cached.cache_clear = values.clear  # type: ignore[attr-defined]
    return cached
