"""A page's own editions, found from its links, fetched from a server on 127.0.0.1 and
aligned beside the machine pairs: `bitext run URL --editions`."""

import sqlite3

import pytest

from pipeline.alignment.web_editions import edition_links
from pipeline.cli import app
from pipeline.fetch import Fetcher, FetchOptions

pytestmark = pytest.mark.timeout(300)

QUICK = FetchOptions(read=5, retries=1, backoff=0.01, delay=0)


def test_editions_are_found_from_hreflang_links_or_the_sites_switcher(site):
    fetcher = Fetcher(QUICK)
    expected = {"fr": f"{site.base}/fr/article.html", "zh": f"{site.base}/zh/article.html"}
    assert edition_links(fetcher.get(f"{site.base}/en/article.html")) == expected  # hreflang; not the en self-link
    assert edition_links(fetcher.get(f"{site.base}/en/switcher.html")) == expected  # "中文 | Français"
    assert edition_links(fetcher.get(f"{site.base}/en/alone.html")) == {}


def run_args(url, db, model, cache):
    return ["run", url, "--db", str(db), "--model", str(model), "--max-new-tokens", "4", "--cache-dir", str(cache)]


def stored(db):
    with sqlite3.connect(db) as conn:
        return {
            "documents": conn.execute("SELECT count(*) FROM documents").fetchone()[0],
            "machine": sorted(conn.execute("SELECT DISTINCT lang FROM document_translations")),
            "editions": dict(conn.execute("SELECT lang, source FROM editions")),
            "pairs": conn.execute("SELECT count(*) FROM edition_beads WHERE src != '[]' AND tgt != '[]'").fetchone()[0],
            "zh_titles": [row[0] for row in conn.execute("SELECT text FROM edition_beads WHERE lang = 'zh' "
                                                         "AND kind = 'title'")],
        }


def test_run_with_editions_stores_machine_and_edition_pairs_and_a_rerun_does_nothing(site, tiny_qwen, model_cache,
                                                                                   tmp_path, cli):
    db = tmp_path / "x.db"
    url = f"{site.base}/en/article.html"
    result = cli.invoke(app, [*run_args(url, db, tiny_qwen, model_cache), "--editions"])
    assert result.exit_code == 0, result.output
    held = stored(db)
    assert held["documents"] == 1 and held["machine"] == [("fr",), ("zh",)]
    assert held["editions"] == {"zh": f"{site.base}/zh/article.html", "fr": f"{site.base}/fr/article.html"}
    assert held["pairs"] >= 6  # titles and sentences of both editions, aligned
    assert held["zh_titles"] == ["河畔渡轮停航两年后恢复运营"]  # the Traditional edition, read in Simplified
    assert "3 pages fetched" in result.stderr
    bodies = sum(site.bodies_sent.values())

    again = cli.invoke(app, [*run_args(url, db, tiny_qwen, model_cache), "--editions"])
    assert again.exit_code == 0, again.output
    assert "already stored" in again.stderr and "unchanged" in again.stderr and "0 pages fetched" in again.stderr
    assert sum(site.bodies_sent.values()) == bodies  # every page unchanged (304): no body sent again
    assert stored(db) == held


def test_editions_only_aligns_without_the_model(site, tmp_path, cli, monkeypatch):
    import pipeline.runner

    monkeypatch.setattr(pipeline.runner, "open_engines", lambda *a, **k: pytest.fail("the model was opened"))
    db = tmp_path / "x.db"
    result = cli.invoke(app, ["run", f"{site.base}/en/switcher.html", "--editions-only", "--db", str(db)])
    assert result.exit_code == 0, result.output
    held = stored(db)
    assert held["documents"] == 1 and held["machine"] == [] and set(held["editions"]) == {"zh", "fr"}


def test_an_editions_headline_and_byline_are_no_part_of_its_body(site, tmp_path, cli):
    db = tmp_path / "x.db"
    result = cli.invoke(app, ["run", f"{site.base}/en/bylined.html", "--editions-only", "--db", str(db)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        body = conn.execute("SELECT body FROM editions WHERE lang = 'zh'").fetchone()[0]
        first = conn.execute("SELECT text FROM edition_beads WHERE lang = 'zh' AND kind = 'sentence' "
                             "ORDER BY rowid").fetchone()[0]
    assert body.startswith("停航两年进行维修的过江渡轮于周一恢复运营。") and "Lin Mei" not in body
    assert "河畔渡轮停航两年后恢复运营" not in first  # the headline is the title bead's alone


def test_a_page_without_editions_is_one_line_and_its_machine_pairs_stay(site, tiny_qwen, model_cache, tmp_path, cli):
    db = tmp_path / "x.db"
    url = f"{site.base}/en/alone.html"
    result = cli.invoke(app, [*run_args(url, db, tiny_qwen, model_cache), "--editions"])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {url}: no edition found in Simplified Chinese or French "
                      "(the page has no hreflang link or edition switcher that names one)"]
    assert stored(db)["machine"] == [("fr",), ("zh",)]


def test_editions_need_urls(tmp_path, cli):
    page = tmp_path / "a.txt"
    page.write_text("Title\n\nBody text here.\n", encoding="utf-8")
    result = cli.invoke(app, ["run", str(page), "--editions", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "--editions and --editions-only take URLs" in result.stderr
