"""The README stays a short read, the docs' links lead somewhere, and no `--help` states a
timing: timings depend on the machine, so they live in docs/ with the command that measures
them."""

import re
from pathlib import Path

import pytest
import typer.main

from pipeline.cli import app

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
README_LIMIT = 25_600  # bytes: what a newcomer reads in five minutes

# A figure of speed or time: "2x the time", "1.5× slower", "on 2 CPU cores", "40 s", "3 minutes".
TIMING = re.compile(
    r"\d+(?:\.\d+)?\s*[x×](?=\W)[^.;]*?\b(?:time|slower|faster|quicker)\b"
    r"|\bon \d+ (?:CPU )?cores?\b"
    r"|\b\d+(?:\.\d+)?\s?(?:ms|s|secs?|seconds?|mins?|minutes?|hours?)\b",
    re.IGNORECASE)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    slugs: dict[str, int] = {}
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE):
        slug = _slug(heading)
        seen = slugs.get(slug, 0)
        found.add(slug if not seen else f"{slug}-{seen}")
        slugs[slug] = seen + 1
    return found


def _links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return [target for target in LINK.findall(text) if not re.match(r"[a-z][a-z+.-]*:", target)]


def _commands():
    """Every command and group of the CLI, as the words that name it."""
    pending = [((), typer.main.get_command(app))]
    while pending:
        path, command = pending.pop()
        yield path, command
        pending.extend((path + (name,), sub) for name, sub in getattr(command, "commands", {}).items())


def test_the_readme_is_a_short_read():
    assert README.stat().st_size <= README_LIMIT


def test_the_readme_links_every_docs_page():
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in _links(README)}
    assert {page.resolve() for page in PAGES[1:]} <= linked


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_relative_links_lead_to_a_file_and_heading(page):
    for target in _links(page):
        path, _, anchor = target.partition("#")
        goal = (page.parent / path).resolve() if path else page
        assert goal.exists(), f"{page.name}: {target} leads nowhere"
        if anchor and goal.suffix == ".md":
            assert anchor in _anchors(goal), f"{page.name}: {target}: no such heading"


def test_the_slugs_are_githubs():
    assert _slug("Corpus-scale runs: the staged run's levers") == "corpus-scale-runs-the-staged-runs-levers"
    assert _slug("`bitext eval` on FLORES-200 devtest") == "bitext-eval-on-flores-200-devtest"


@pytest.mark.parametrize("text", [
    "in the cached prompt, yet about 2x the time per sentence on 2 CPU cores",
    "about 1.5x the time per sentence", "better beads, about 8x slower", "1.7× faster",
    "takes about 40 s", "3 minutes the first time", "on 4 cores"])
def test_the_timing_pattern_catches_timings(text):
    assert TIMING.search(text)


@pytest.mark.parametrize("text", [
    "Embed runs of 2-5 sentences as joined text", "1 decodes greedily", "0 uses all cores.",
    "[default: 256]", "(cosine, 0-1; machine pairs have no score and are kept)", "Only the first N lines."])
def test_the_timing_pattern_spares_the_rest(text):
    assert not TIMING.search(text)


def test_no_help_text_states_a_timing(cli):
    for path, command in _commands():
        texts = [command.help or "", *(getattr(param, "help", None) or "" for param in command.params)]
        shown = cli.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert shown.exit_code == 0, path
        # the rendered page, its boxes taken away and its wrapped lines joined
        texts.append(" ".join(re.sub(r"[│╭╮╰╯─]", " ", shown.stdout).split()))
        for text in texts:
            assert not TIMING.search(text), f"bitext {' '.join(path)} --help: {TIMING.search(text).group()!r}"
