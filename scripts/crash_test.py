#!/usr/bin/env python3
"""Kill `bitext run` with SIGKILL at random moments, resume, and check nothing was lost.

Writes many small articles, runs `bitext run` once without interruption (the reference),
then again into a second store, killing it with SIGKILL ``--kills`` times, each time
mid-run: a random ``--window`` of seconds after that run first stores something of its own.
Finally it lets the run finish. The two stores must hold the same documents, sentences and
translations, with no duplicates, and pass SQLite's integrity check.

    python scripts/crash_test.py --model PATH_TO_SMALL_MODEL --kills 20 --articles 200
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Run as a file, Python puts scripts/ on the path, not the repository root that holds tests/.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.crashing import bitext_command, kill_and_resume, make_articles, store_contents  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="a small model folder (a big one makes this slow)")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--window", type=float, nargs=2, default=(0.0, 3.0), metavar=("MIN", "MAX"),
                        help="seconds between a run's first stored batch and its kill (default: 0 3)")
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
        reference = store_contents(work / "reference.db")
        kills = kill_and_resume(bitext_command(folder, work / "crashed.db", args.model, cache, args.max_new_tokens),
                                work / "crashed.db", kills=args.kills, window=tuple(args.window), seed=args.seed,
                                documents=len(reference["documents"]))
        for n, kill in enumerate(kills, start=1):
            print(f"kill {n:>2}: {kill.delay:5.2f} s after its first batch (try {kill.draws}); store held "
                  f"{kill.after.translations} translations, {kill.after.documents}/{len(reference['documents'])} "
                  f"documents (at its start: {kill.before.translations}, {kill.before.documents})")
        crashed = store_contents(work / "crashed.db")
        for key in reference:
            same = reference[key] == crashed[key]
            print(f"{key:>22}: {'same' if same else 'DIFFERENT'}")
        assert crashed["integrity"] == "ok" and not crashed["foreign_keys"], "store is damaged"
        assert crashed["translation_rows"] == len(crashed["translations"]), "duplicate translations"
        assert reference == crashed, "the resumed store differs from the uninterrupted one"
        print("ok: same documents, sentences and translations; no duplicates; integrity check passes")


if __name__ == "__main__":
    main()
