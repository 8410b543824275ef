"""Every export format, read back by independent readers (translate-toolkit, pyarrow, csv)."""

import csv
import json
import os
import stat

import pytest

from pipeline.cli import app
from pipeline.document import Flag
from pipeline.store import Store
from tests.documents import SIG

PAGES = [
    "Ferry | returns\n\nThe ferry is back.\tRiders cheered. \"It is <b>back</b> & safe,\" said Ana.\n\nA second paragraph.\n",
    "Bridge delayed\n\nThe bridge will wait until 2028. Costs rose 3.5 percent.\n",
]


def translated(text, lang):
    # Odd characters on purpose: newlines, tabs, markup, pipes must survive every format.
    return f"[{lang}]\n{text} | <i>ok</i>"


# Flags planted on one sentence and one title, for the filters.
FLAGS = {"zh": {"Riders cheered.": [Flag("repetition", "planted")], "Bridge delayed": [Flag("length_ratio", "planted")]}}


@pytest.fixture
def db(stored):
    return stored(*PAGES, translate=translated, flags=FLAGS)


def expected_pairs(db):
    with Store(db) as store:
        return list(store.iter_pairs())


@pytest.fixture
def export(cli):
    """export(db, fmt, output, *options): `bitext export`, which must succeed."""
    def run(db, fmt, output, *extra):
        result = cli.invoke(app, ["export", "--db", str(db), "--format", fmt, "-o", str(output), *extra])
        assert result.exit_code == 0, result.output
        return result

    return run


def test_tmx_reads_back_with_translate_toolkit(db, tmp_path, export):
    from translate.storage.tmx import tmxfile

    out = tmp_path / "corpus.tmx"
    export(db, "tmx", out)
    pairs = expected_pairs(db)
    with out.open("rb") as stream:
        tmx = tmxfile(stream, sourcelanguage="en", targetlanguage="zh-Hans")
    assert len(tmx.units) == len(pairs) == 8  # 6 sentences and 2 titles
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for unit, pair in zip(tmx.units, pairs):
        assert unit.source == pair.source and unit.target == pair.text("zh")
        segments = {tuv.get(xml_lang): tuv.findtext("seg") for tuv in unit.xmlelement.findall("tuv")}
        assert segments == {"en": pair.source, "zh-Hans": pair.text("zh"), "fr": pair.text("fr")}
        props = {prop.get("type"): prop.text for prop in unit.xmlelement.findall("prop")}
        assert props["x-doc-id"] == pair.doc_id and props["x-kind"] == pair.kind
        assert props.get("x-sentence-index") == (None if pair.index is None else str(pair.index))
        assert props["x-signature-zh-Hans"] == str(SIG)
    titles = [n for n, pair in enumerate(pairs) if pair.kind == "title"]
    assert [pairs[n].source for n in titles] == [pairs[n + 1].article.title for n in titles]
    assert titles[0] == 0 and all(pairs[n + 1].index == 0 for n in titles)  # each document opens with its title
    header = tmx.document.getroot().find("header")
    assert (header.get("srclang"), header.get("segtype"), header.get("creationtool")) == ("en", "sentence", "bitext")


def test_moses_files_are_line_aligned_with_no_newline_or_tab_inside(db, tmp_path, export):
    export(db, "moses", tmp_path / "corpus")
    files = {lang: (tmp_path / f"corpus.{lang}").read_text(encoding="utf-8").split("\n") for lang in ("en", "zh", "fr")}
    assert len(files["en"]) == len(files["zh"]) == len(files["fr"]) == 9  # 8 lines and the final newline
    assert all("\t" not in line for lines in files.values() for line in lines)
    pairs = expected_pairs(db)
    assert files["en"][:8] == [p.source for p in pairs]
    assert files["zh"][:8] == [" ".join(p.text("zh").split()) for p in pairs]
    assert "[zh] The ferry is back. | <i>ok</i>" in files["zh"]


def test_tsv_reads_back_with_csv(db, tmp_path, export):
    out = tmp_path / "pairs.tsv"
    export(db, "tsv", out)
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["doc_id", "kind", "index", "paragraph", "origin", "score", "en", "zh", "fr"]
    assert len(rows) == 9 and all(len(row) == 9 for row in rows)
    assert rows[1][1:6] == ["title", "", "", "machine", ""] and rows[1][6] in ("Ferry | returns", "Bridge delayed")
    assert rows[2][1:5] == ["sentence", "0", "0", "machine"]


def test_parquet_reads_back_with_pyarrow(db, tmp_path, export):
    import pyarrow.parquet as pq

    out = tmp_path / "pairs.parquet"
    export(db, "parquet", out)
    table = pq.read_table(out).to_pylist()
    pairs = expected_pairs(db)
    assert [row["en"] for row in table] == [p.source for p in pairs]
    assert [row["zh"] for row in table] == [p.text("zh") for p in pairs]  # newlines kept in data formats
    assert table[0]["signature_fr"] == str(SIG)
    assert (table[0]["kind"], table[0]["index"], table[1]["kind"], table[1]["index"]) == ("title", None, "sentence", 0)


def test_jsonl_markdown_and_filters(db, tmp_path, export):
    out = tmp_path / "pairs.jsonl"
    export(db, "jsonl", out, "--to", "fr")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 8 and "zh" not in records[0] and records[0]["fr"].startswith("[fr]")
    assert (records[0]["kind"], records[0]["index"], records[0]["en"]) == ("title", None, "Ferry | returns")
    with Store(db) as store:
        bridge = next(d.doc_id for d in store.documents() if d.title == "Bridge delayed")
    export(db, "jsonl", out, "--doc", bridge[:6])
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    export(db, "jsonl", out, "--since", "2999-01-01")
    assert out.read_text(encoding="utf-8") == ""
    md = tmp_path / "pairs.md"
    export(db, "md", md)
    text = md.read_text(encoding="utf-8")
    assert "## Ferry \\| returns" in text and "\\<i\\>ok\\</i\\>" in text
    assert "| title | Ferry \\| returns |" in text
    assert all(line.count(" | ") >= 3 for line in text.splitlines() if line.startswith("| ") and "---" not in line)


def test_bad_export_arguments_are_one_line(db, tmp_path, cli):
    for args, message in (
        (["--since", "last week"], "give a date as YYYY-MM-DD"),
        (["--to", "de"], "unknown target language de"),
        (["-o", str(tmp_path / "no" / "x.tmx")], "does not exist"),
    ):
        result = cli.invoke(app, ["export", "--db", str(db), "--format", "tmx", *args])
        assert result.exit_code == 1 and message in result.stderr, result.output


@pytest.mark.parametrize("fmt", ["jsonl", "tsv", "tmx", "moses", "parquet", "md", "html"])
def test_every_format_honours_every_filter(db, tmp_path, fmt, export):
    """The planted zh flags drop one sentence and one title wherever zh is exported."""
    def exported(*extra):
        out = tmp_path / f"{fmt}-{len(extra)}-{'-'.join(extra)[:20]}"
        return int(export(db, fmt, out, *extra).stderr.split()[1])

    assert exported() == 8
    assert exported("--exclude-flagged", "all") == 6
    assert exported("--exclude-flagged", "repetition") == 7
    assert exported("--min-quality", "0.6") == 6
    assert exported("--to", "fr", "--exclude-flagged", "all") == 8
    assert exported("--since", "2999-01-01") == 0


def test_html_pages_show_only_the_pairs_kept(db, tmp_path, export):
    out = tmp_path / "site"
    export(db, "html", out, "--exclude-flagged", "all")
    pages = {path.name: path.read_text(encoding="utf-8") for path in out.iterdir()}
    assert "index.html" in pages and len(pages) == 3
    text = "".join(pages.values())
    assert "The ferry is back." in text and "Riders cheered." not in text  # the flagged sentence is gone
    assert "[zh]\nFerry | returns" in text and "[zh]\nBridge delayed" not in text  # the flagged title too


def test_exporters_stream(tmp_path):
    """Pairs are consumed one by one: a failure half-way leaves no file behind."""
    from pipeline.document import Article, PairRecord, Translation
    from pipeline.export import write_jsonl

    article = Article("d", "title", ("body",))

    def pairs():
        for n in range(1000):
            if n == 500:
                raise RuntimeError("the store went away")
            yield PairRecord(article, "sentence", n, 0, f"s{n}", {"zh": Translation(f"s{n}", "z")}, {"zh": "sig"})

    with pytest.raises(RuntimeError):
        write_jsonl(pairs(), tmp_path / "out.jsonl", ["zh"])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_exports_get_the_mode_the_umask_gives(db, tmp_path, export, umask):
    previous = os.umask(umask)
    try:
        export(db, "jsonl", tmp_path / "pairs.jsonl")
        export(db, "html", tmp_path / "site")
    finally:
        os.umask(previous)
    expected = 0o666 & ~umask  # what any new file gets: 0644 or 0600
    written = [tmp_path / "pairs.jsonl", *(tmp_path / "site").iterdir()]
    assert {stat.S_IMODE(path.stat().st_mode) for path in written} == {expected}
