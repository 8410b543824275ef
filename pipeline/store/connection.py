"""Opening a store file: refusing what is not a bitext store (or is one too new), creating
or migrating its schema, and the explicit transactions every other part writes and reads in."""

from __future__ import annotations

import json
import shlex
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from ..document import Signature
from ..errors import StoreError
from . import schema
from .schema import SCHEMA_VERSION


def damaged(path: str | Path, problem: object) -> StoreError:
    """The one line for a damaged store: what SQLite found, and how to get back what it
    still holds (SQLite's own recovery)."""
    return StoreError(f"{path}: the store is damaged ({problem}); recover what it holds with: "
                      f"sqlite3 {shlex.quote(str(path))} .recover | sqlite3 recovered.db")


def _is_damage(error: BaseException | None) -> bool:
    """SQLite's word that a database file is damaged (a page scribbled over, the file cut
    short), not that it is no database at all or cannot be reached."""
    return isinstance(error, sqlite3.DatabaseError) and getattr(error, "sqlite_errorname", None) == "SQLITE_CORRUPT"


def utc_now() -> str:
    """The time a row is added, as stored."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class StoreConnection:
    """An open store file, its schema up to date. Use as a context manager, or call ``close()``.

    ``migrated`` names the migration steps that opening it took, in order (none for a
    new store or one already up to date).
    """

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        self.migrated: list[str] = []
        if not create and not self.path.exists():
            raise StoreError(f"{self.path}: no such store (run `bitext run ... --db {self.path}` first)")
        if not self.path.parent.is_dir():
            raise StoreError(f"{self.path}: folder {self.path.parent} does not exist")
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a store file")
        if self.path.exists() and not self.path.is_file():
            # /dev/null, a pipe: SQLite would leave a journal beside it (/dev/null-journal)
            raise StoreError(f"{self.path}: not a regular file; a store is an SQLite file")
        try:
            self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.conn.execute("PRAGMA busy_timeout = 30000")  # another bitext may be writing
            self.conn.execute("PRAGMA foreign_keys = ON")
            # The version first: a store this bitext cannot read is left untouched.
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                self.conn.close()
                raise StoreError(
                    f"{self.path}: store schema version {version} is newer than this bitext "
                    f"supports ({SCHEMA_VERSION}); upgrade bitext"
                )
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as error:
            raise StoreError(f"{self.path}: cannot open or create the store ({error})") from None
        except sqlite3.DatabaseError as error:
            if _is_damage(error):  # an SQLite file, cut short or scribbled over
                raise damaged(self.path, error) from None
            raise StoreError(f"{self.path}: not a bitext store ({error})") from None
        if mode.lower() != "wal":
            raise StoreError(f"{self.path}: cannot switch the store to WAL mode (is it read-only?)")
        if version < SCHEMA_VERSION:
            self._upgrade()

    def _upgrade(self) -> None:
        """Create or migrate the schema, inside one write transaction: two processes opening
        a new store at once must not both create it."""
        with self.atomic() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]  # again: another may have just done it
            if version == 0:
                tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
                if tables:
                    raise StoreError(f"{self.path}: an SQLite file that is not a bitext store")
                schema.create(conn)
            else:
                self.migrated = schema.migrate(conn, version)

    def check(self) -> None:
        """Refuse, before anything is written, a damaged store (SQLite's quick_check: every
        page read once, no index compared with its table) or one that cannot be written."""
        try:
            problems = [row[0] for row in self.conn.execute("PRAGMA quick_check(3)")]
        except sqlite3.DatabaseError as error:
            problems = [str(error)]
        if problems != ["ok"]:
            raise damaged(self.path, problems[0])
        # A file that opens but refuses writes (immutable, a read-only snapshot) fails at
        # the first write: try one now, and take it back.
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            finally:
                self.conn.execute("ROLLBACK")
        except sqlite3.OperationalError as error:
            raise StoreError(f"{self.path}: the store is read-only ({error})") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback) -> None:
        self.close()
        # Found while reading or writing, after the store opened: said with the store's name.
        if _is_damage(error):
            raise damaged(self.path, error) from None
        if isinstance(error, sqlite3.OperationalError):  # a full disk, a lock held too long
            raise StoreError(f"{self.path}: cannot read or write the store ({error})") from None

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything inside commits together or not at all."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreError(f"{self.path}: cannot write to the store ({error})") from None
        try:
            yield self.conn
        except sqlite3.OperationalError as error:
            self.conn.execute("ROLLBACK")
            if "readonly" in str(error) or "read-only" in str(error):
                raise StoreError(f"{self.path}: the store is read-only ({error})") from None
            raise
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Read everything inside from one consistent state of the store, while other
        processes go on writing (a WAL read transaction)."""
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")

    def _signature_id(self, signature: Signature) -> int:
        """The row of a signature, added if new (inside a transaction): translations and
        editions both name theirs."""
        text = str(signature)
        self.conn.execute(
            "INSERT INTO signatures (signature, engine, model, details) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (text, signature.engine, signature.model, json.dumps(signature.as_dict(), sort_keys=True)),
        )
        return self.conn.execute("SELECT id FROM signatures WHERE signature = ?", (text,)).fetchone()[0]
