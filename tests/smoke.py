"""Every command once, on tiny inputs, through an installed `bitext` (not this checkout).

`make test` runs it with a plain install (`pip install torch==2.13.0 .`: no test, bench,
model or Ray extras), so a runtime dependency that only an extra brings in fails here,
as it would for a user. Usage, from the repository root:

    VENV/bin/python -m tests.smoke VENV/bin/bitext

It builds a tiny random model (tests/tiny_models.py) and serves a page on 127.0.0.1, runs
each command in a scratch folder, checks its exit status and a little of what it made,
and exits 1 naming every command that failed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from tests import editions
from tests.tiny_models import build_tiny_qwen
from tests.webserver import ARTICLE_HTML, Site, serve

EXPORTS = {"jsonl": "pairs.jsonl", "tsv": "pairs.tsv", "tmx": "pairs.tmx", "moses": "moses", "parquet": "pairs.parquet",
           "md": "pairs.md", "html": "site"}


class Smoke:
    def __init__(self, bitext: Path, folder: Path):
        self.bitext, self.folder, self.failed = bitext, folder, []

    def __call__(self, *args, expect: int = 0, check=lambda result: True) -> subprocess.CompletedProcess:
        command = [str(self.bitext), *map(str, args)]
        # In a scratch folder, so the checkout's own `pipeline` cannot be imported instead.
        result = subprocess.run(command, cwd=self.folder, capture_output=True, text=True, timeout=600)
        ok = result.returncode == expect and "Traceback" not in result.stderr and check(result)
        print(f"{'ok  ' if ok else 'FAIL'}  bitext {' '.join(map(str, args))}", flush=True)
        if not ok:
            print(f"      exit {result.returncode}\n{_indented(result.stdout)}{_indented(result.stderr)}", flush=True)
            self.failed.append(" ".join(map(str, args)))
        return result


def _indented(text: str) -> str:
    return "".join(f"      | {line}\n" for line in text.splitlines()[-20:])


def main(bitext: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="bitext-smoke-") as scratch:
        folder = Path(scratch)
        run = Smoke(bitext, folder)
        where = subprocess.run([str(bitext.parent / "python"), "-c", "import pipeline; print(pipeline.__file__)"],
                               cwd=folder, capture_output=True, text=True).stdout.strip()
        print(f"bitext imported from {where}", flush=True)
        model = build_tiny_qwen(folder / "tiny-qwen")
        tiny = ("--model", model, "--cache-dir", folder / "cache", "--max-new-tokens", "8", "--threads", "1")
        (folder / "en.txt").write_text(editions.ENGLISH, encoding="utf-8")
        (folder / "zh.txt").write_text(editions.CHINESE, encoding="utf-8")
        (folder / "page.html").write_text(ARTICLE_HTML, encoding="utf-8")
        (folder / "src.en").write_text("The ferry returned on Monday.\nRiders cheered.\n", encoding="utf-8")
        (folder / "ref.zh").write_text("渡轮周一恢复运营。\n乘客们欢呼起来。\n", encoding="utf-8")
        site = Site()
        base, server = serve(site)
        try:
            run("--version", check=lambda r: "bitext" in r.stdout)
            run("models", "list")
            run("segment", "en.txt", check=lambda r: "lighthouse" in r.stdout)
            run("segment", "page.html", check=lambda r: "ferry" in r.stdout)
            run("run", "en.txt", "--db", "s.db", *tiny)  # a page copy
            run("run", "page.html", "--db", "s.db", *tiny)  # an HTML file
            run("run", f"{base}/en/article.html", "--editions", "--db", "web.db", *tiny)  # a URL and its editions
            run("align", "en.txt", "zh.txt", "--db", "s.db")
            run("show", "--db", "s.db", check=lambda r: "lighthouse" in r.stdout)
            run("show", "--db", "web.db", "--list", check=lambda r: "ferry" in r.stdout.lower())
            for fmt, output in EXPORTS.items():
                run("export", "--db", "s.db", "--format", fmt, "-o", output)
            run("eval", "--src", "src.en", "--ref", "ref.zh", "--to", "zh", *tiny[:4],
                check=lambda r: "BLEU" in r.stdout)
            run("run", "missing.txt", "--db", "s.db", *tiny, expect=1)  # a user's mistake: one line, no traceback
            if _missing("ray"):  # the Ray extra is not part of a plain install: one line says how to add it
                run("run", "en.txt", "--ray", "local", "--db", "s.db", *tiny, expect=1,
                    check=lambda r: "bitext[ray]" in r.stderr)
            _check_exports(folder, run.failed)
        finally:
            server.shutdown()
            server.server_close()
    if run.failed:
        print(f"{len(run.failed)} command(s) failed on this install: " + "; ".join(run.failed))
        return 1
    print("every command ran on this install")
    return 0


def _missing(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is None


def _check_exports(folder: Path, failed: list[str]) -> None:
    """What the exports wrote reads back with the readers a corpus builder would use."""
    import pyarrow.parquet as parquet  # a runtime dependency of bitext's own

    checks = {
        "jsonl": lambda: [json.loads(line) for line in (folder / "pairs.jsonl").read_text().splitlines()],
        "tmx": lambda: ElementTree.parse(folder / "pairs.tmx").getroot().find("body"),
        "parquet": lambda: parquet.read_table(folder / "pairs.parquet").num_rows,
        "html": lambda: (folder / "site" / "index.html").read_text(),
    }
    for name, read in checks.items():
        try:
            assert read()
        except Exception as error:  # noqa: BLE001  (any failure to read back is a failure)
            print(f"FAIL  reading back the {name} export: {error!r}")
            failed.append(f"read back {name}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]).absolute()))
