"""Crash `bitext run` on purpose: articles to feed it, its command line, SIGKILL at moments
when it is mid-run, and what a store holds. Used by tests/test_resilience.py and by
scripts/crash_test.py."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple


def make_articles(folder: Path, count: int) -> Path:
    """``count`` small page copies; some sentences repeat across them, as in real news."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, count + 1):
        kind = ("ferry", "bridge", "library")[n % 3]
        (folder / f"article-{n:04d}.txt").write_text(
            f"Story {n}: the {kind} reopens\n\n"
            f"The {kind} number {n} reopened on Monday after {n} months of work. Residents cheered. "
            f'"It is back. We are glad," said Mayor Ruiz.\n\n'
            f"The city paid {n} million yuan for the repairs, officials said.\n",
            encoding="utf-8",
        )
    return folder


def bitext_command(folder: Path, db: Path, model: str, cache: Path, max_new_tokens: int) -> list[str]:
    # One thread: on a tiny model, CTranslate2's threads spend more time waiting for each
    # other than computing (a 60-article run takes 7 s instead of 40 s on 2 cores).
    return [sys.executable, "-m", "pipeline.cli", "run", str(folder), "--db", str(db), "--model", model,
            "--max-new-tokens", str(max_new_tokens), "--cache-dir", str(cache), "--threads", "1"]


def store_contents(db: Path) -> dict:
    """Everything a run stores, as comparable sets, plus the store's own health checks."""
    with closing(sqlite3.connect(db)) as conn:
        return {
            "documents": set(conn.execute("SELECT id, title, body FROM documents")),
            "sentences": set(conn.execute("SELECT doc_id, idx, paragraph, start, end, text FROM sentences")),
            "translations": set(conn.execute("SELECT source, lang, text, pieces FROM translations")),
            "document_translations": set(conn.execute("SELECT doc_id, lang FROM document_translations")),
            "translation_rows": conn.execute("SELECT count(*) FROM translations").fetchone()[0],
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
            "foreign_keys": conn.execute("PRAGMA foreign_key_check").fetchall(),
        }


class Counts(NamedTuple):
    """Rows in a store: translation memory entries and complete articles (translated into
    every language asked for; a run stores every article's text first, then translates)."""

    translations: int
    documents: int


NOTHING = Counts(0, 0)


def store_counts(db: Path) -> Counts:
    """What the store holds now; nothing while it has no file or no tables yet. Read-only,
    so a killed run's write-ahead log stays for the resumed run to recover."""
    if not db.exists():
        return NOTHING
    with closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)) as conn:
        try:
            return Counts(conn.execute("SELECT count(*) FROM translations").fetchone()[0],
                          conn.execute("SELECT count(DISTINCT doc_id) FROM document_translations").fetchone()[0])
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return NOTHING
            raise


def wait_for_growth(db: Path, process: subprocess.Popen, since: Counts, *, timeout: float) -> Counts | None:
    """Wait until ``process`` has stored something beyond ``since`` (a batch of
    translations or an article) and return what the store holds then; None when the
    process ended first."""
    wal = db.with_name(db.name + "-wal")
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        # Not before the WAL file exists: a reader while bitext switches a new store to WAL
        # mode could make that switch fail. Once it exists, readers never block the writer.
        if wal.exists():
            try:
                now = store_counts(db)
            except sqlite3.OperationalError:  # busy for a moment; look again
                now = since
            if now != since:
                return now
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"`bitext run` stored nothing within {timeout:.0f} s")
        time.sleep(0.1)
    return None


@dataclass(frozen=True)
class Kill:
    """One SIGKILL: the store when the killed run started, when that run first stored
    something of its own, and right after the kill."""

    delay: float  # seconds from ``first`` to the kill
    before: Counts
    first: Counts
    after: Counts
    draws: int  # tries it took: a try whose run got to the end first is undone and drawn again


def _store_files(db: Path) -> list[Path]:
    return [db.with_name(db.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]


def _snapshot(db: Path) -> dict[Path, bytes | None]:
    return {path: path.read_bytes() if path.exists() else None for path in _store_files(db)}


def _restore(snapshot: dict[Path, bytes | None]) -> None:
    for path, content in snapshot.items():
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(content)


def _try_kill(command: list[str], db: Path, before: Counts, delay: float, *,
              timeout: float) -> tuple[Counts, Counts] | None:
    """Start ``command``, wait until it has stored something beyond ``before``, then wait
    ``delay`` seconds and SIGKILL it. Returns the store's counts when it first grew and
    right after the kill; None when the run ended on its own first."""
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: nothing reads it while the run goes on
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        first = wait_for_growth(db, process, before, timeout=timeout)
        if first is not None:
            try:
                process.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                process.wait()
                return first, store_counts(db)
        if process.wait() != 0:
            stderr.seek(0)
            raise RuntimeError("`bitext run` failed before it could be killed:\n"
                               f"{stderr.read().decode(errors='replace')}")
        return None


def kill_and_resume(command: list[str], db: Path, *, kills: int, window: tuple[float, float], seed: int,
                    documents: int, draws: int = 6, timeout: float = 300.0) -> list[Kill]:
    """Start ``command`` (a `bitext run` writing to ``db``) and SIGKILL it ``kills`` times,
    each time mid-run: once the run has stored something of its own (a batch of
    translations or an article), after a random delay drawn from ``window`` seconds. Then
    run it to the end. Returns the kills.

    ``documents`` is how many articles a finished run stores. A try in which the run
    finishes, or stores all of them, before the kill came too late: the store is put back
    as it was before that try and the kill is drawn again, with at most half the delay,
    up to ``draws`` times."""
    rng = random.Random(seed)
    done: list[Kill] = []
    for _ in range(kills):
        before, saved = store_counts(db), _snapshot(db)
        low, high = window
        for draw in range(1, draws + 1):
            delay = rng.uniform(low, high)
            landed = _try_kill(command, db, before, delay, timeout=timeout)
            if landed is not None and landed[1].documents < documents:
                done.append(Kill(round(delay, 2), before, *landed, draw))
                break
            _restore(saved)  # too late: as if this try had never run
            low, high = 0.0, delay / 2
        else:
            raise RuntimeError(f"no kill landed mid-run in {draws} tries; give the run more articles")
    final = subprocess.run(command, capture_output=True, text=True)
    if final.returncode != 0:
        raise RuntimeError(f"the resumed run failed:\n{final.stderr}")
    return done
