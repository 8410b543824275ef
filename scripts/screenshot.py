#!/usr/bin/env python3
"""Render bitext's reading pages in headless Chromium and save screenshots.

    bitext export --db bitext.db --format html -o site
    python scripts/screenshot.py site/*.html --out shots/

Uses Debian's Chromium (/usr/bin/chromium) through Playwright. Chinese needs a CJK font on
the machine (e.g. `apt-get install fonts-wqy-zenhei`), or it shows as empty boxes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
# Headless Chromium on a machine with no network: no background connections at all
# (the reading-page tests launch it the same way, see tests/browser.py).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def screenshot(pages: list[Path], out: Path, *, width: int = 1300, height: int = 900) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        for path in pages:
            page.goto(path.resolve().as_uri())
            for layout in ("side-by-side", "interleaved"):
                if layout == "interleaved" and page.locator("#layout").is_visible():
                    page.click("#layout")
                elif layout == "interleaved":
                    continue
                target = out / f"{path.stem}-{layout}.png"
                page.screenshot(path=str(target), full_page=True)
                written.append(target)
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    args = parser.parse_args()
    for path in screenshot(args.pages, args.out):
        print(path)


if __name__ == "__main__":
    main()
