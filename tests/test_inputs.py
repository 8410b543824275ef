"""Every way in: page-copy layouts, HTML pages, JSONL records, folders, stdin, language check."""

import io
import json

import pytest

from pipeline.cli import app
from pipeline.errors import InputError
from pipeline.ingest import parse_html, parse_page_copy
from pipeline.inputs import expand

LAYOUTS = {
    "pipe byline": (
        "Global EditionASIA 中文双语Français\nBusiness\nHome / Business / Companies\n\n"
        "Harbour crane maker doubles output\n\n"
        "By MARIA SANTOS and LI WEI | Example Daily | Updated: 2026-02-03 9:41\nShare\nShare - WeChat\n\n"
        "The company built 40 cranes last year.\n\nIt plans 80 in 2027.\n\n"
        "Top\nBACK TO THE TOP\nEnglish\nCopyright 1995 - . All rights reserved.\nFOLLOW US\n",
        ("Harbour crane maker doubles output", ("MARIA SANTOS", "LI WEI"), "Example Daily", "2026-02-03T09:41"),
    ),
    "month-name byline with outlet": (
        "WORLD NEWS\nAdvertisement\n\nRiver town opens a night market\n"
        "By Tom Berg, The Valley Post · March 4, 2026, 7:05\n\n"
        "The market opened on Friday.\nAdvertisement\nVendors sold noodles and tea.\n\n"
        "Read more: Ferry line to reopen\nRelated stories\nFerry line to reopen\n© 2026 The Valley Post\n",
        ("River town opens a night market", ("Tom Berg",), "The Valley Post", "2026-03-04T07:05"),
    ),
    "date-first byline": (
        "Science\n\nNew telescope sees first light\n\n"
        "Published: 2026-07-19 22:10 | By Ana Ruiz | Example Science Desk\n"
        "Listen to this article\n4 min read\n\n"
        "The telescope took its first image on Sunday.\n\nPrint\nEmail\n\nIt will begin surveys in August.\n"
        "More from Science\nOther story\n",
        ("New telescope sees first light", ("Ana Ruiz",), "Example Science Desk", "2026-07-19T22:10"),
    ),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_page_copy_layouts(layout):
    text, (title, authors, outlet, published) = LAYOUTS[layout]
    article = parse_page_copy(text, source=layout)
    assert (article.title, article.authors, article.outlet, article.published) == (title, authors, outlet, published)
    assert len(article.paragraphs) == 2
    for word in ("Share", "Advertisement", "Copyright", "©", "Read more", "Print", "min read", "More from"):
        assert word not in article.body


HTML = """<!DOCTYPE html><html><head><title>Ferry returns | Example Daily</title>
<link rel="canonical" href="https://news.example.com/2026/05/ferry">
<meta name="author" content="Jo Lee"><meta property="og:title" content="Town reopens its river ferry">
<meta property="article:published_time" content="2026-05-01T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/share">Share</a></nav>
<article><h1>Town reopens its river ferry</h1>
<p>The ferry returned on Monday after two years of repairs to its engines and its pier.</p>
<p>"It is back. We are glad," said Mayor Ana Ruiz, who rode on the first crossing.</p>
<p>The council paid 3.5 million yuan for the work, officials said on Tuesday.</p></article>
<aside><h2>Most read</h2><ul><li><a href="/x">Another story</a></li></ul></aside>
<footer><p>Copyright 2026 Example Daily. All rights reserved.</p></footer></body></html>"""


def test_html_page_gives_body_title_byline_date_and_url():
    article = parse_html(HTML, source="ferry.html")
    assert article.title == "Town reopens its river ferry"
    assert article.authors == ("Jo Lee",)
    assert article.published == "2026-05-01"
    assert article.url == "https://news.example.com/2026/05/ferry"
    assert article.paragraphs == (
        "The ferry returned on Monday after two years of repairs to its engines and its pier.",
        '"It is back. We are glad," said Mayor Ana Ruiz, who rode on the first crossing.',
        "The council paid 3.5 million yuan for the work, officials said on Tuesday.",
    )


def test_html_without_an_article_is_a_clear_error():
    with pytest.raises(InputError, match="page.html: no article found in the HTML page"):
        parse_html("<html><body><nav><a>Home</a></nav></body></html>", source="page.html")


def read_all(inputs):
    results = []
    for item in inputs:
        try:
            results.append((item.name, item.read()))
        except InputError as error:
            results.append((item.name, str(error)))
    return results


def test_jsonl_records_each_become_an_article_or_an_error_naming_the_line(tmp_path):
    lines = [
        json.dumps({"id": "a1", "url": "https://x.example/a1", "title": "Ferry returns", "text": "The ferry is back.\nRiders cheered."}),
        json.dumps({"id": "a2", "html": HTML}),
        "{not json",
        json.dumps({"id": "a4", "title": "No body"}),
        json.dumps(["a", "list"]),
    ]
    path = tmp_path / "crawl.jsonl"
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    results = read_all(expand([str(path)]))
    assert [name for name, _ in results] == [f"{path}:{n}" for n in range(1, 6)]
    first, second = results[0][1], results[1][1]
    assert (first.title, first.paragraphs, first.url) == ("Ferry returns", ("The ferry is back.", "Riders cheered."), "https://x.example/a1")
    assert first.source == f"{path}:1 (a1)"
    assert second.title == "Town reopens its river ferry"
    assert results[2][1].startswith(f"{path}:3: not JSON")
    assert results[3][1] == f'{path}:4 (a4): the record has no "text" or "html"'
    assert "a JSON object was expected" in results[4][1]


def test_folders_are_searched_recursively_with_a_glob(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/one.txt", "a/b/two.txt", "a/b/skip.md", "a/.hidden.txt"):
        (tmp_path / name).write_text("Title\n\nBody text.\n", encoding="utf-8")
    assert [i.name for i in expand([str(tmp_path / "a")])] == [str(tmp_path / "a/b/two.txt"), str(tmp_path / "a/one.txt")]
    assert [i.name for i in expand([str(tmp_path / "a")], glob="*.md")] == [str(tmp_path / "a/b/skip.md")]
    (empty,) = read_all(expand([str(tmp_path / "a")], glob="*.html"))
    assert "folder has no files matching '*.html'" in empty[1]


def test_stdin_takes_a_page_copy_or_jsonl():
    (page,) = read_all(expand(["-"], stdin=io.BytesIO(b"Title here\n\nBody text. More.\n")))
    assert page[0] == "<stdin>" and page[1].paragraphs == ("Body text. More.",)
    records = read_all(expand(["-"], stdin=io.BytesIO(b'{"title": "T", "text": "Body."}\n{"title": "U", "text": "Other."}\n')))
    assert [r[1].title for r in records] == ["T", "U"]


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("Titre\n\nLe ferry est revenu.\n".encode("utf-16"))
    (item,) = expand([str(path)])
    assert item.read().paragraphs == ("Le ferry est revenu.",)




def test_run_reports_every_bad_input_and_stores_the_rest(tiny_qwen, model_cache, tmp_path, cli):
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "good.txt").write_text("Ferry returns\n\nThe ferry is back. Riders cheered.\n", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Caf\xe9 opens\n\nThe caf\xe9 opened.\n".encode("latin-1"))
    (folder / "page.html").write_text(HTML, encoding="utf-8")
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"title": "Bridge delayed", "text": "The bridge will wait until 2028."}) + "\n{oops\n", encoding="utf-8")
    db = tmp_path / "bitext.db"
    result = cli.invoke(app, ["run", str(folder), str(records), str(folder / "page.html"), str(tmp_path / "missing.txt"),
                              "--db", str(db), "--model", str(tiny_qwen), "--max-new-tokens", "4",
                              "--cache-dir", str(model_cache)])
    assert result.exit_code == 1
    assert "3 of 7 articles" in result.stderr and "4 failed" in result.stderr
    for message in ("empty.txt: empty file", "latin1.txt: not UTF-8", "records.jsonl:2: not JSON", "missing.txt: no such file"):
        assert message in result.stderr
    assert "Traceback" not in result.output
    import sqlite3

    with sqlite3.connect(db) as conn:
        titles = {row[0] for row in conn.execute("SELECT title FROM documents")}
    assert titles == {"Ferry returns", "Bridge delayed", "Town reopens its river ferry"}


def test_non_english_articles_are_skipped_unless_forced(tiny_qwen, model_cache, tmp_path, cli):
    french = tmp_path / "fr.txt"
    french.write_text("Le ferry revient\n\nLe ferry est revenu lundi après deux ans de travaux. "
                      "Les passagers ont applaudi le maire.\n", encoding="utf-8")
    db = tmp_path / "bitext.db"
    base = ["run", str(french), "--db", str(db), "--model", str(tiny_qwen), "--max-new-tokens", "4", "--cache-dir", str(model_cache)]
    result = cli.invoke(app, base)
    assert result.exit_code == 1
    assert "the article is in French, not English; skipped (use --force" in result.stderr
    forced = cli.invoke(app, [*base, "--force"])
    assert forced.exit_code == 0, forced.output


def test_segment_command(tmp_path, cli):
    path = tmp_path / "a.txt"
    path.write_text("Ferry returns\n\n\"It is back. We are glad,\" said Dr. Ruiz. Riders cheered.\n", encoding="utf-8")
    text = cli.invoke(app, ["segment", str(path)])
    assert text.exit_code == 0
    lines = ["Ferry returns", '"It is back.', 'We are glad," said Dr. Ruiz.', "Riders cheered."]
    assert text.stdout.splitlines() == lines  # the headline first, on a line of its own
    jsonl = cli.invoke(app, ["segment", str(path), "--format", "jsonl"])
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [(r["kind"], r["index"], r["paragraph"], r["start"]) for r in records] == [
        ("title", None, None, None), ("sentence", 0, 0, 0), ("sentence", 1, 0, 13), ("sentence", 2, 0, 42)]
    assert [r["text"] for r in records] == lines
    french = cli.invoke(app, ["segment", "-", "--lang", "fr"], input="Titre\n\nM. Dupont est venu. Il est reparti.\n")
    assert french.stdout.splitlines() == ["Titre", "M. Dupont est venu.", "Il est reparti."]
    bad = cli.invoke(app, ["segment", str(path), "--lang", "de"])
    assert bad.exit_code == 1 and "choose one of: en, zh, fr" in bad.stderr
