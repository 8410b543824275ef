"""The SQLite store: documents, their sentences, a translation memory, human editions,
glossaries and the web page cache. The only package that speaks SQL.

One module per part of the store, each a class of ``Store``'s methods over its tables:

- ``connection``: opening a store file (refusing what is not one), transactions;
- ``schema``: today's tables and the named, ordered migration steps;
- ``documents``: documents, sentences and the translation memory;
- ``editions``: human editions aligned in beads;
- ``pairs``: every stored pair, read from one snapshot (export, reading pages);
- ``glossaries`` and ``pages``: glossaries, and fetched pages kept for a rerun.

Every command that writes a store opens it with ``open_store``: a damaged store is refused
before anything is written, and a store the command created is removed again if the
command fails before storing anything in it.

Every write is one explicit transaction (``atomic``): a document with its sentences, a
chunk of translations, a document's completion; a crash never leaves half of one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ..errors import StoreError
from .connection import damaged
from .documents import DocumentSummary
from .glossaries import GlossaryTable
from .pages import PageCache
from .pairs import PairReading
from .schema import MIGRATIONS, SCHEMA_VERSION

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "DocumentSummary", "Store", "damaged", "open_store", "remove_if_empty"]


class Store(PairReading, GlossaryTable, PageCache):
    """An open bitext store. Use as a context manager, or call ``close()``."""

    def __enter__(self) -> Store:
        return self


def remove_if_empty(path: str | Path) -> bool:
    """Delete the store at ``path`` (with its WAL files) if it holds no document: a command
    that created a store and then failed leaves nothing behind. True if it was removed."""
    path = Path(path)
    if not path.exists():
        return False
    with Store(path, create=False) as store:
        if store.documents():
            return False
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return True


@contextmanager
def open_store(path: str | Path) -> Iterator[Store]:
    """The store at ``path`` for a command that writes into it (created if need be), the
    one lifecycle every such command has: a damaged or read-only store is refused before
    anything is written (``check``), and when the command fails (any exception, Ctrl-C
    too) a store it created that still holds no document is removed again."""
    path = Path(path)
    created = not path.exists()
    try:
        with Store(path) as store:
            store.check()
            yield store
    except BaseException:
        if created:
            # The command's own error matters more than a store that could not be removed.
            with suppress(StoreError, sqlite3.Error, OSError):
                remove_if_empty(path)
        raise
