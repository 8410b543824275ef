#!/usr/bin/env python3
"""Kill `bitext run` with SIGKILL at random moments, resume, and check nothing was lost.

Writes many small articles, runs `bitext run` once without interruption (the reference),
then again into a second store, killing it with SIGKILL at random moments ``--kills``
times, and finally lets it finish. The two stores must hold the same documents,
sentences and translations, with no duplicates, and pass SQLite's integrity check.

    python scripts/crash_test.py --model PATH_TO_SMALL_MODEL --kills 20 --articles 200
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


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
    return [sys.executable, "-m", "pipeline.cli", "run", str(folder), "--db", str(db), "--model", model,
            "--max-new-tokens", str(max_new_tokens), "--cache-dir", str(cache)]


def store_contents(db: Path) -> dict:
    """Everything a run stores, as comparable sets, plus the store's own health checks."""
    with sqlite3.connect(db) as conn:
        return {
            "documents": set(conn.execute("SELECT id, title, body FROM documents")),
            "sentences": set(conn.execute("SELECT doc_id, idx, paragraph, start, end, text FROM sentences")),
            "translations": set(conn.execute("SELECT source, lang, text, pieces FROM translations")),
            "document_translations": set(conn.execute("SELECT doc_id, lang FROM document_translations")),
            "translation_rows": conn.execute("SELECT count(*) FROM translations").fetchone()[0],
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
            "foreign_keys": conn.execute("PRAGMA foreign_key_check").fetchall(),
        }


def kill_and_resume(command: list[str], *, kills: int, window: tuple[float, float], seed: int) -> list[float]:
    """Start ``command`` and SIGKILL it ``kills`` times after random delays; then run it to
    the end. Returns the delays used."""
    rng = random.Random(seed)
    delays = []
    for _ in range(kills):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        delay = rng.uniform(*window)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
        delays.append(round(delay, 2))
    final = subprocess.run(command, capture_output=True, text=True)
    if final.returncode != 0:
        raise SystemExit(f"the resumed run failed:\n{final.stderr}")
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="a small model folder (a big one makes this slow)")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--window", type=float, nargs=2, default=(3.0, 15.0), metavar=("MIN", "MAX"))
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        folder = make_articles(work / "articles", args.articles)
        cache = Path(os.environ.get("BITEXT_CACHE_DIR", work / "cache"))
        started = time.perf_counter()
        subprocess.run(bitext_command(folder, work / "reference.db", args.model, cache, args.max_new_tokens),
                       check=True, capture_output=True)
        print(f"reference run: {time.perf_counter() - started:.1f} s")
        delays = kill_and_resume(bitext_command(folder, work / "crashed.db", args.model, cache, args.max_new_tokens),
                                 kills=args.kills, window=tuple(args.window), seed=args.seed)
        print(f"killed {args.kills} times, after {delays} s")
        reference, crashed = store_contents(work / "reference.db"), store_contents(work / "crashed.db")
        for key in reference:
            same = reference[key] == crashed[key]
            print(f"{key:>22}: {'same' if same else 'DIFFERENT'}")
        assert crashed["integrity"] == "ok" and not crashed["foreign_keys"], "store is damaged"
        assert crashed["translation_rows"] == len(crashed["translations"]), "duplicate translations"
        assert reference == crashed, "the resumed store differs from the uninterrupted one"
        print("ok: same documents, sentences and translations; no duplicates; integrity check passes")


if __name__ == "__main__":
    main()
