"""`bitext align EN EDITION...`: the site's human editions aligned into the store, through
the real reader, segmenters, embedding model (USE) and store; served by show and export."""

from __future__ import annotations

import json
import sqlite3

import pytest

from pipeline.cli import app
from pipeline.store import Store
from tests.editions import CHINESE, CHINESE_BEADS, ENGLISH, FRENCH, FRENCH_BEADS, OTHER_CHINESE
from tests.schemas import schema_at


@pytest.fixture
def pages(tmp_path):
    """The story's three pages as files: en.txt, zh.txt, fr.txt (and other.txt)."""
    for name, text in (("en", ENGLISH), ("zh", CHINESE), ("fr", FRENCH), ("other", OTHER_CHINESE)):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    return tmp_path


def align(cli, pages, *names, db="bitext.db", options=()):
    args = ["align", *(str(pages / name) for name in names), "--db", str(pages / db), *options]
    return cli.invoke(app, args)


def stored_beads(path, lang):
    with Store(path, create=False) as store:
        (doc,) = store.documents()
        return store.load(doc.doc_id).editions[lang].beads


def test_editions_are_aligned_in_known_beads_and_stored(cli, pages):
    result = align(cli, pages, "en.txt", "zh.txt", "fr.txt")
    assert result.exit_code == 0, result.output
    assert "zh: 8 pairs in 9 beads" in result.stdout and "fr: 10 pairs in 10 beads" in result.stdout
    for lang, expected in (("zh", CHINESE_BEADS), ("fr", FRENCH_BEADS)):
        beads = stored_beads(pages / "bitext.db", lang)
        assert beads[0].kind == "title" and beads[0].english == "Harbour town reopens its old lighthouse as a museum"
        assert [(list(b.src), list(b.tgt)) for b in beads[1:]] == expected
        assert all(0.3 < b.score <= 1 for b in beads if b.is_pair)
        assert all(b.score == 0 and not b.is_pair for b in beads if not (b.tgt and b.src) and b.kind == "sentence")
    zh = stored_beads(pages / "bitext.db", "zh")
    assert zh[0].text == "海港小镇将旧灯塔改建为博物馆重新开放"
    assert zh[3].text == "镇议会为修复工程花费了450万欧元。修复工程历时三年。"  # no space in Chinese
    assert zh[4].english.startswith('"We wanted the building')
    assert zh[4].english.endswith('said Mayor Claire Dubois. "Every room shows a different century."')


def test_an_edition_joins_the_stored_article_and_both_origins_are_served(cli, pages, stored, tmp_path):
    db = stored(ENGLISH)  # the article translated by a (fake) engine, as `bitext run` stores it
    result = cli.invoke(app, ["align", str(pages / "en.txt"), str(pages / "zh.txt"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "editions added to the stored article" in result.stdout
    with Store(db, create=False) as store:
        (doc,) = store.documents()
        assert doc.languages == ("fr", "zh") and doc.editions == ("zh",)

    out = tmp_path / "pairs.jsonl"
    assert cli.invoke(app, ["export", "--db", str(db), "-o", str(out)]).exit_code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    machine = [r for r in records if r["origin"] == "machine"]
    edition = [r for r in records if r["origin"] == "edition"]
    assert len(machine) == 10 and len(edition) == 8  # title + 9 sentences; 8 beads with both sides
    assert machine[1]["zh"].startswith("[zh] ") and "score" not in machine[1]
    assert edition[0]["kind"] == "title" and edition[0]["zh"] == "海港小镇将旧灯塔改建为博物馆重新开放"
    assert edition[4]["span"] == [3, 4] and edition[4]["index"] == 3 and edition[4]["fr"] == ""
    assert edition[0]["signatures"]["zh"].startswith("engine:align|model:use-multilingual-v3@")
    assert "#sha256:" in edition[0]["signatures"]["zh"]

    def exported(*options):
        assert cli.invoke(app, ["export", "--db", str(db), "-o", str(out), *options]).exit_code == 0
        return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]

    assert {r["origin"] for r in exported("--origin", "edition")} == {"edition"}
    assert {r["origin"] for r in exported("--origin", "machine")} == {"machine"}
    strong = exported("--origin", "edition", "--min-score", "0.7")
    assert 0 < len(strong) < 8 and all(r["score"] >= 0.7 for r in strong)
    assert [r["origin"] for r in exported("--to", "fr")].count("edition") == 0  # no French edition stored


def test_every_format_says_which_pairs_are_human(cli, pages, tmp_path):
    assert align(cli, pages, "en.txt", "zh.txt", "fr.txt").exit_code == 0
    db = pages / "bitext.db"
    import pyarrow.parquet as pq
    from lxml import etree

    def export(fmt, out, *options):
        result = cli.invoke(app, ["export", "--db", str(db), "-f", fmt, "-o", str(out), *options])
        assert result.exit_code == 0, result.output
        return out

    table = pq.read_table(export("parquet", tmp_path / "p.parquet")).to_pylist()
    assert {row["origin"] for row in table} == {"edition"} and len(table) == 18
    assert all(0 < row["score"] <= 1 for row in table)
    tmx = etree.parse(str(export("tmx", tmp_path / "p.tmx", "--to", "fr")))
    units = tmx.findall(".//tu")
    assert len(units) == 10
    assert all(unit.find("prop[@type='x-origin']").text == "edition" for unit in units)
    assert all(float(unit.find("prop[@type='x-score']").text) > 0 for unit in units)
    markdown = export("md", tmp_path / "p.md", "--to", "zh").read_text(encoding="utf-8")
    assert "| title edition 0." in markdown and "| 3 edition 0." in markdown
    site = export("html", tmp_path / "site", "--origin", "edition")
    (page,) = [p for p in site.glob("*.html") if p.name != "index.html"]
    html = page.read_text(encoding="utf-8")
    assert "the site's edition (human)" in html and 'data-span="3,4"' in html
    assert html.count('class="row sentence"') == 7 + 9  # zh: 7 body pairs, fr: 9


def test_show_serves_editions_and_filters_them(cli, pages):
    assert align(cli, pages, "en.txt", "zh.txt").exit_code == 0
    db = str(pages / "bitext.db")
    shown = cli.invoke(app, ["show", "--db", db])
    assert shown.exit_code == 0
    assert "中文 edition (human)" in shown.stdout and "no match" in shown.stdout
    assert "Children can climb" in shown.stdout
    only_machine = cli.invoke(app, ["show", "--db", db, "--origin", "machine"])
    assert "edition (human)" not in only_machine.stdout
    strong = cli.invoke(app, ["show", "--db", db, "--min-score", "0.99"])
    assert "Children can climb" in strong.stdout  # a sentence with no match is shown as such
    assert "The museum holds maps" not in strong.stdout
    bad = cli.invoke(app, ["show", "--db", db, "--origin", "human"])
    assert bad.exit_code == 1 and "unknown origin 'human'; choose one of: machine, edition" in bad.stderr


def test_aligning_again_replaces_the_edition(cli, pages):
    assert align(cli, pages, "en.txt", "zh.txt").exit_code == 0
    assert align(cli, pages, "en.txt", "zh.txt").exit_code == 0
    with sqlite3.connect(pages / "bitext.db") as conn:
        assert conn.execute("SELECT count(*) FROM editions").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM edition_beads").fetchone()[0] == 9


def test_html_and_jsonl_editions_are_read_as_run_reads_them(cli, pages):
    from tests.editions import FRENCH

    body = FRENCH.split("Partager\n\n", 1)[1].split("Copyright")[0]
    paragraphs = [p for p in body.split("\n") if p.strip()]
    record = {"title": "Une ville portuaire rouvre son vieux phare et en fait un musée",
              "text": "\n\n".join(paragraphs)}
    (pages / "fr.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    html = ("<html><head><title>海港小镇将旧灯塔改建为博物馆重新开放</title></head><body><article>"
            + "".join(f"<p>{p}</p>" for p in CHINESE.split("分享\n\n", 1)[1].split("版权所有")[0].split("\n")
                      if p.strip())
            + "</article></body></html>")
    (pages / "zh.html").write_text(html, encoding="utf-8")
    result = align(cli, pages, "en.txt", "zh.html", "fr.jsonl")
    assert result.exit_code == 0, result.output
    assert [(list(b.src), list(b.tgt)) for b in stored_beads(pages / "bitext.db", "fr")[1:]] == FRENCH_BEADS
    assert [(list(b.src), list(b.tgt)) for b in stored_beads(pages / "bitext.db", "zh")[1:]] == CHINESE_BEADS


@pytest.mark.parametrize("names, options, message", [
    (["en.txt", "other.txt"], [], "other.txt: does not read as the Simplified Chinese edition of"),
    (["en.txt", "zh.txt", "other.txt"], ["--langs", "en,zh,zh"], "a second Simplified Chinese edition"),
    (["en.txt", "fr.txt"], ["--langs", "en,zh"], "fr.txt: reads as French, not Simplified Chinese as --langs says"),
    (["en.txt", "empty.txt"], [], "empty.txt: empty file, no article text"),
    (["en.txt", "de.txt"], [], "de.txt: is in de; an edition must be in one of: Simplified Chinese, French"),
    (["zh.txt", "fr.txt"], [], "the first input must be the English article"),
    (["en.txt", "en.txt"], [], "is English too"),
    (["en.txt", "zh.txt"], ["--langs", "en"], "--langs names 1 languages for 2 inputs"),
    (["en.txt"], [], "give the English article and at least one of its editions"),
    (["en.txt", "fr.txt", "other.txt"], [], "does not read as"),  # one bad edition: none stored
])
def test_bad_editions_are_one_line_and_nothing_is_stored(cli, pages, names, options, message):
    (pages / "empty.txt").write_text("\n\n", encoding="utf-8")
    (pages / "de.txt").write_text("Der Hafen öffnet den alten Leuchtturm\n\nDie Stadt hat den Leuchtturm am Samstag "
                                  "wieder geöffnet. Mehr als dreitausend Menschen standen am ersten Tag an.\n",
                                  encoding="utf-8")
    result = align(cli, pages, *names, options=options)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert "Traceback" not in result.output
    assert not (pages / "bitext.db").exists()  # not even an empty store


def test_a_refused_edition_leaves_an_existing_store_as_it_was(cli, pages):
    assert align(cli, pages, "en.txt", "fr.txt").exit_code == 0
    before = (pages / "bitext.db").read_bytes()
    assert align(cli, pages, "en.txt", "other.txt").exit_code == 1
    with Store(pages / "bitext.db", create=False) as store:
        (doc,) = store.documents()
        assert doc.editions == ("fr",)
    assert len((pages / "bitext.db").read_bytes()) == len(before)


def test_force_stores_an_edition_that_does_not_match(cli, pages):
    result = align(cli, pages, "en.txt", "other.txt", options=["--force"])
    assert result.exit_code == 0, result.output
    beads = stored_beads(pages / "bitext.db", "zh")
    assert sum(len(b.src) for b in beads) == 9 and sum(len(b.tgt) for b in beads) == 6


def test_a_short_edition_is_stored_with_a_warning(cli, pages):
    (pages / "short.txt").write_text("海港小镇将旧灯塔改建为博物馆重新开放\n\n"
                                     "埃勒里港的灯塔于周六向游客开放，距其灯光熄灭已有12年。\n", encoding="utf-8")
    result = align(cli, pages, "en.txt", "short.txt")
    assert result.exit_code == 0, result.output
    assert "warning: " in result.stderr and "single sentence against 9 in English" in result.stderr
    beads = stored_beads(pages / "bitext.db", "zh")
    assert [(list(b.src), list(b.tgt)) for b in beads if b.is_pair and b.kind == "sentence"] == [([0], [0])]


def test_an_edition_of_very_different_length_gets_a_warning(cli, pages):
    lines = CHINESE.split("分享\n\n", 1)[1].split("\n")
    (pages / "half.txt").write_text("海港小镇将旧灯塔改建为博物馆重新开放\n\n" + "\n".join(lines[:2]) + "\n",
                                    encoding="utf-8")
    result = align(cli, pages, "en.txt", "half.txt")
    assert result.exit_code == 0, result.output
    assert "2 sentences against 9 in English; part of one page may be missing" in result.stderr


def test_a_version_2_store_gains_the_edition_tables(tmp_path, cli, pages):
    from pipeline import store as store_module

    path = pages / "bitext.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(schema_at(2))
        conn.execute("PRAGMA user_version = 2")
    result = align(cli, pages, "en.txt", "zh.txt")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM edition_beads").fetchone()[0] == 9
