"""Every way in: page-copy layouts, HTML pages, JSONL records, folders, stdin, language check."""

import io
import json

import pytest

from pipeline.cli import app
from pipeline.errors import InputError
from pipeline.ingest import article_from_record, parse_html, parse_page_copy
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
        json.dumps({"id": "a1", "url": "https://x.example/a1", "title": "Ferry returns",
                    "text": "The ferry is back.\nRiders cheered."}),
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
    assert [i.name for i in expand([str(tmp_path / "a")])] == [str(tmp_path / "a/b/two.txt"),
                                                               str(tmp_path / "a/one.txt")]
    assert [i.name for i in expand([str(tmp_path / "a")], glob="*.md")] == [str(tmp_path / "a/b/skip.md")]
    (empty,) = read_all(expand([str(tmp_path / "a")], glob="*.html"))
    assert "folder has no files matching '*.html'" in empty[1]


def test_stdin_takes_a_page_copy_or_jsonl():
    (page,) = read_all(expand(["-"], stdin=io.BytesIO(b"Title here\n\nBody text. More.\n")))
    assert page[0] == "<stdin>" and page[1].paragraphs == ("Body text. More.",)
    stdin = io.BytesIO(b'{"title": "T", "text": "Body."}\n{"title": "U", "text": "Other."}\n')
    records = read_all(expand(["-"], stdin=stdin))
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
    record = json.dumps({"title": "Bridge delayed", "text": "The bridge will wait until 2028."})
    records.write_text(record + "\n{oops\n", encoding="utf-8")
    db = tmp_path / "bitext.db"
    result = cli.invoke(app, ["run", str(folder), str(records), str(folder / "page.html"),
                              str(tmp_path / "missing.txt"),
                              "--db", str(db), "--model", str(tiny_qwen), "--max-new-tokens", "4",
                              "--cache-dir", str(model_cache)])
    assert result.exit_code == 1
    assert "3 of 7 articles" in result.stderr and "4 failed" in result.stderr
    for message in ("empty.txt: empty file", "latin1.txt: not UTF-8", "records.jsonl:2: not JSON",
                    "missing.txt: no such file"):
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
    base = ["run", str(french), "--db", str(db), "--model", str(tiny_qwen), "--max-new-tokens", "4",
            "--cache-dir", str(model_cache)]
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


def test_tables_give_an_article_per_row_named_by_file_and_line(tmp_path):
    csv_file = tmp_path / "crawl.csv"
    csv_file.write_text('id,Title,text,section\n'
                        'a1,Ferry returns,"The ferry is back.\nRiders cheered, loudly.",city\n\n'
                        'a2,,"Bridge opens\n\nThe bridge opened, two years late.",city\n'
                        'a3,Fares,Fares rise, a little,city\n', encoding="utf-8")
    tsv_file = tmp_path / "crawl.tsv"
    tsv_file.write_text('text\ttitle\n"It is back," she said.\tFerry\n', encoding="utf-8")
    import pyarrow
    import pyarrow.parquet

    parquet_file = tmp_path / "crawl.parquet"
    pyarrow.parquet.write_table(pyarrow.table({"id": [7, 8], "title": [None, "Empty"],
                                               "text": ["Ferry returns\nThe ferry is back.", None]}), parquet_file)
    results = read_all(expand([str(csv_file), str(tsv_file), str(parquet_file)]))
    assert [name for name, _ in results] == [f"{csv_file}:2", f"{csv_file}:5", f"{csv_file}:8", f"{tsv_file}:2",
                                             f"{parquet_file}:1", f"{parquet_file}:2"]
    first, second, broken, quoted, parquet_first, parquet_empty = (article for _, article in results)
    assert (first.source, first.title, first.paragraphs) == (
        f"{csv_file}:2 (a1)", "Ferry returns", ("The ferry is back.", "Riders cheered, loudly."))
    assert (second.title, second.paragraphs) == ("Bridge opens", ("The bridge opened, two years late.",))
    assert broken == f"{csv_file}:8: 5 fields where the header has 4 (a cell holding commas must be quoted)"
    assert (quoted.title, quoted.paragraphs) == ("Ferry", ('"It is back," she said.',))  # a TSV's quotes are text
    assert (parquet_first.source, parquet_first.title, parquet_first.paragraphs) == (
        f"{parquet_file}:1 (7)", "Ferry returns", ("The ferry is back.",))
    assert parquet_empty == f'{parquet_file}:2 (8): the record has no "text" or "html"'


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet"])
def test_a_table_without_text_or_html_is_refused_naming_the_columns_bitext_reads(suffix, tmp_path):
    path = tmp_path / f"people{suffix}"
    rows = [["id", "city", "note"], ["1", "Lyon", "The mayor was glad, and said so."]]
    if suffix == ".parquet":
        import pyarrow
        import pyarrow.parquet

        pyarrow.parquet.write_table(pyarrow.table({name: [value] for name, value in zip(*rows, strict=True)}), path)
    else:
        delimiter = "," if suffix == ".csv" else "\t"
        path.write_text("\n".join(delimiter.join(f'"{cell}"' if "," in cell else cell for cell in row)
                                  for row in rows) + "\n", encoding="utf-8")
    (result,) = read_all(expand([str(path)]))
    assert result == (str(path), f"{path}: bitext reads a table's columns named text or html (and id, url, title), "
                                 "one article per row; this one has 'id', 'city', 'note'")


def test_run_stores_each_row_of_a_table_and_refuses_a_table_of_notes(tiny_qwen, model_cache, tmp_path, cli):
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "articles.csv").write_text(
        "id,title,text\n1,Ferry returns,The ferry is back. Riders cheered.\n"
        "2,Bridge opens,\"The bridge opened, two years late.\"\n", encoding="utf-8")
    (folder / "people.csv").write_text("id,city,note\n1,Lyon,The mayor was glad.\n2,Rome,The chef was not.\n",
                                       encoding="utf-8")
    db = tmp_path / "bitext.db"
    result = cli.invoke(app, ["run", str(folder), "--glob", "*.csv", "--db", str(db), "--model", str(tiny_qwen),
                              "--max-new-tokens", "4", "--cache-dir", str(model_cache)])
    assert result.exit_code == 1, result.output
    assert "2 of 3 articles" in result.stderr
    assert f"{folder / 'people.csv'}: bitext reads a table's columns named text or html" in result.stderr
    assert "Traceback" not in result.output
    import sqlite3

    with sqlite3.connect(db) as conn:
        documents = conn.execute("SELECT title, source FROM documents ORDER BY title").fetchall()
    assert documents == [("Bridge opens", f"{folder / 'articles.csv'}:3 (2)"),
                         ("Ferry returns", f"{folder / 'articles.csv'}:2 (1)")]


def test_a_record_without_a_title_is_read(tmp_path):
    lines = [
        {"text": "The ferry is back after two years. Riders cheered."},  # one paragraph: its first sentence
        {"id": 2, "title": None, "text": "Ferry returns\n\nThe ferry is back."},  # a headline first
        {"id": 3, "title": "", "text": "The ferry is back.\nRiders cheered."},  # two paragraphs, no headline
    ]
    path = tmp_path / "untitled.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    one, headline, sentences = (article for _, article in read_all(expand([str(path)])))
    assert (one.title, one.paragraphs) == ("The ferry is back after two years.",
                                           ("The ferry is back after two years. Riders cheered.",))
    assert (headline.title, headline.paragraphs) == ("Ferry returns", ("The ferry is back.",))
    assert (sentences.title, sentences.paragraphs) == ("The ferry is back.", ("The ferry is back.", "Riders cheered."))


@pytest.mark.parametrize("record, message", [
    ({"title": 5, "text": "The ferry is back."}, '"title" must be a string, not a number'),
    ({"title": "Ferry", "text": ["The ferry is back."]}, '"text" must be a string, not an array'),
    ({"html": {"body": "x"}}, '"html" must be a string, not an object'),
    ({"url": True, "text": "The ferry is back."}, '"url" must be a string, not a boolean'),
    ({"id": [1], "text": "The ferry is back."}, '"id" must be a string or a number, not an array'),
])
def test_a_field_of_the_wrong_type_is_named_with_its_type(record, message, tmp_path):
    path = tmp_path / "typed.jsonl"
    path.write_text(json.dumps({"text": "The ferry is back."}) + "\n" + json.dumps(record) + "\n", encoding="utf-8")
    good, (name, error) = read_all(expand([str(path)]))
    assert good[1].paragraphs == ("The ferry is back.",)
    assert (name, error) == (f"{path}:2", f"{path}:2: {message}")


def deep_page(depth: int) -> str:
    return ("<html><head><title>Ferry returns</title></head><body>"
            + "<div>" * depth + f"<article>{HTML_BODY}</article>" + "</div>" * depth
            + "</body></html>")


HTML_BODY = ("<h1>Ferry returns</h1><p>The ferry returned on Monday after two years of repairs to its engines.</p>"
             "<p>Riders cheered as it crossed the river at dawn, officials said on Tuesday.</p>")


def test_an_html_page_nested_deeper_than_lxml_reads_by_default_is_read():
    article = parse_html(deep_page(1000), source="deep.html")
    assert article.title == "Ferry returns"
    assert article.paragraphs == ("The ferry returned on Monday after two years of repairs to its engines.",
                                  "Riders cheered as it crossed the river at dawn, officials said on Tuesday.")


def test_an_html_page_nested_too_deep_to_read_says_so():
    with pytest.raises(InputError) as error:
        parse_html(deep_page(3000), source="deeper.html")
    assert str(error.value) == "deeper.html: the HTML page nests deeper than 2048 elements, more than bitext can read"


def run_args(tiny_qwen, model_cache, db):
    return ["--db", str(db), "--model", str(tiny_qwen), "--max-new-tokens", "4", "--cache-dir", str(model_cache)]


def stored_texts(db):
    import sqlite3

    with sqlite3.connect(db) as conn:
        documents = conn.execute("SELECT title, url FROM documents ORDER BY title").fetchall()
        sentences = [row[0] for row in conn.execute("SELECT text FROM sentences")]
    return documents, sentences


def test_a_record_with_lone_surrogates_is_stored_cleaned_beside_the_good_file(tiny_qwen, model_cache, tmp_path, cli):
    good = tmp_path / "good.txt"
    good.write_text("Ferry returns\n\nThe ferry is back after two years. Riders cheered.\n", encoding="utf-8")
    records = tmp_path / "records.jsonl"
    # Valid JSON escapes, each a lone surrogate: no character, and no UTF-8 for it.
    records.write_text('{"id": "s1", "title": "Bridge \\ud800opens", "url": "https://x.example/\\udc00bridge", '
                       '"text": "The bridge \\udbffopened on Monday. Drivers cheered."}\n', encoding="utf-8")
    db = tmp_path / "bitext.db"
    result = cli.invoke(app, ["run", str(good), str(records), *run_args(tiny_qwen, model_cache, db)])
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "2 of 2 articles" in result.stderr
    documents, sentences = stored_texts(db)
    assert documents == [("Bridge \ufffdopens", "https://x.example/\ufffdbridge"), ("Ferry returns", None)]
    assert "The bridge \ufffdopened on Monday." in sentences


def test_noncharacters_and_bidi_controls_are_not_stored_nor_shown(tiny_qwen, model_cache, tmp_path, cli):
    page = tmp_path / "page.txt"
    page.write_text("Ferry \u202ereturns\u202c\n\nThe ferry\ufffe is back \u2067after two years\u2069. "
                    "Riders\u200f cheered\uffff.\n", encoding="utf-8")
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"title": "Bridge\u061c opens\U0010fffe", "text": "The bridge\ufdd0 opened."}) + "\n",
                       encoding="utf-8")
    db = tmp_path / "bitext.db"
    result = cli.invoke(app, ["run", str(page), str(records), *run_args(tiny_qwen, model_cache, db)])
    assert result.exit_code == 0, result.output
    documents, sentences = stored_texts(db)
    assert [title for title, _ in documents] == ["Bridge opens", "Ferry returns"]
    assert sentences == ["The ferry is back after two years.", "Riders cheered.", "The bridge opened."]
    shown = cli.invoke(app, ["show", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    unwanted = set(NONCHARACTERS_AND_BIDI)
    for output in (result.stdout, result.stderr, shown.stdout):
        assert not unwanted & set(output)


NONCHARACTERS_AND_BIDI = "\ufdd0\ufffe\uffff\U0010fffe\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"  # noqa: E501


def test_a_file_whose_name_is_not_utf8_is_stored_beside_the_others(tiny_qwen, model_cache, tmp_path, cli):
    import os

    odd = tmp_path / os.fsdecode(b"caf\xe9.txt")  # the name's byte \xe9 reaches Python as a lone surrogate
    odd.write_text("Cafe opens\n\nThe cafe opened on Monday. Guests cheered.\n", encoding="utf-8")
    records = tmp_path / os.fsdecode(b"r\xe9cords.jsonl")
    records.write_text(json.dumps({"id": 1, "text": "Ferry returns\n\nThe ferry is back."}) + "\n", encoding="utf-8")
    db = tmp_path / "bitext.db"
    result = cli.invoke(app, ["run", str(odd), str(records), *run_args(tiny_qwen, model_cache, db)])
    assert result.exit_code == 0, result.output
    import sqlite3

    with sqlite3.connect(db) as conn:
        sources = sorted(row[0] for row in conn.execute("SELECT source FROM documents"))
    assert sources == [f"{tmp_path}/caf\ufffd.txt", f"{tmp_path}/r\ufffdcords.jsonl:1 (1)"]


def test_a_records_title_keeps_every_paragraph_of_its_html_in_the_body():
    """A page without a headline of its own: its first paragraph was taken for the title,
    then replaced by the record's, and lost."""
    html = ("<html><body><article><p>The ferry returned on Monday after two years of repairs.</p>"
            "<p>Riders cheered as the first boat left the pier at seven in the morning.</p></article></body></html>")
    article = article_from_record({"title": "Ferry returns", "html": html}, source="crawl.jsonl:1")
    assert article.title == "Ferry returns"
    assert article.paragraphs[0].startswith("The ferry returned on Monday")
