"""Every export format, read back by independent readers (translate-toolkit, pyarrow, csv)."""

import csv
import json

import pytest
from typer.testing import CliRunner

from pipeline.align import align
from pipeline.cli import app
from pipeline.document import Signature, TranslatedText
from pipeline.ingest import parse_page_copy
from pipeline.segment import segment
from pipeline.store import Store

runner = CliRunner()
SIG = Signature("fake", "echo@000", (("version", "1"),))
PAGES = [
    "Ferry | returns\n\nThe ferry is back.\tRiders cheered. \"It is <b>back</b> & safe,\" said Ana.\n\nA second paragraph.\n",
    "Bridge delayed\n\nThe bridge will wait until 2028. Costs rose 3.5 percent.\n",
]


def translated(text, lang):
    # Odd characters on purpose: newlines, tabs, markup, pipes must survive every format.
    return f"[{lang}]\n{text} | <i>ok</i>"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "bitext.db"
    with Store(path) as store:
        for page in PAGES:
            article = parse_page_copy(page, source="p")
            sentences = segment(article.paragraphs)
            store.save(align(article, sentences, [
                TranslatedText(lang, SIG, translated(article.title, lang), tuple(translated(s.text, lang) for s in sentences))
                for lang in ("zh", "fr")
            ]))
    return path


def expected_pairs(db):
    with Store(db) as store:
        return list(store.iter_pairs())


def export(db, fmt, output, *extra):
    result = runner.invoke(app, ["export", "--db", str(db), "--format", fmt, "-o", str(output), *extra])
    assert result.exit_code == 0, result.output
    return result


def test_tmx_reads_back_with_translate_toolkit(db, tmp_path):
    from translate.storage.tmx import tmxfile

    out = tmp_path / "corpus.tmx"
    export(db, "tmx", out)
    pairs = expected_pairs(db)
    with out.open("rb") as stream:
        tmx = tmxfile(stream, sourcelanguage="en", targetlanguage="zh-Hans")
    assert len(tmx.units) == len(pairs) == 6
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for unit, pair in zip(tmx.units, pairs):
        assert unit.source == pair.source and unit.target == pair.translations["zh"]
        segments = {tuv.get(xml_lang): tuv.findtext("seg") for tuv in unit.xmlelement.findall("tuv")}
        assert segments == {"en": pair.source, "zh-Hans": pair.translations["zh"], "fr": pair.translations["fr"]}
        props = {prop.get("type"): prop.text for prop in unit.xmlelement.findall("prop")}
        assert props["x-doc-id"] == pair.doc_id and props["x-sentence-index"] == str(pair.index)
        assert props["x-signature-zh-Hans"] == str(SIG)
    header = tmx.document.getroot().find("header")
    assert (header.get("srclang"), header.get("segtype"), header.get("creationtool")) == ("en", "sentence", "bitext")


def test_moses_files_are_line_aligned_with_no_newline_or_tab_inside(db, tmp_path):
    export(db, "moses", tmp_path / "corpus")
    files = {lang: (tmp_path / f"corpus.{lang}").read_text(encoding="utf-8").split("\n") for lang in ("en", "zh", "fr")}
    assert len(files["en"]) == len(files["zh"]) == len(files["fr"]) == 7  # 6 lines and the final newline
    assert all("\t" not in line for lines in files.values() for line in lines)
    pairs = expected_pairs(db)
    assert files["en"][:6] == [p.source for p in pairs]
    assert files["zh"][:6] == [" ".join(p.translations["zh"].split()) for p in pairs]
    assert "[zh] The ferry is back. | <i>ok</i>" in files["zh"]


def test_tsv_reads_back_with_csv(db, tmp_path):
    out = tmp_path / "pairs.tsv"
    export(db, "tsv", out)
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["doc_id", "index", "paragraph", "en", "zh", "fr"]
    assert len(rows) == 7 and all(len(row) == 6 for row in rows)


def test_parquet_reads_back_with_pyarrow(db, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "pairs.parquet"
    export(db, "parquet", out)
    table = pq.read_table(out).to_pylist()
    pairs = expected_pairs(db)
    assert [row["en"] for row in table] == [p.source for p in pairs]
    assert [row["zh"] for row in table] == [p.translations["zh"] for p in pairs]  # newlines kept in data formats
    assert table[0]["signature_fr"] == str(SIG)


def test_jsonl_markdown_and_filters(db, tmp_path):
    out = tmp_path / "pairs.jsonl"
    export(db, "jsonl", out, "--to", "fr")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 6 and "zh" not in records[0] and records[0]["fr"].startswith("[fr]")
    with Store(db) as store:
        bridge = next(d.doc_id for d in store.documents() if d.title == "Bridge delayed")
    export(db, "jsonl", out, "--doc", bridge[:6])
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    export(db, "jsonl", out, "--since", "2999-01-01")
    assert out.read_text(encoding="utf-8") == ""
    md = tmp_path / "pairs.md"
    export(db, "md", md)
    text = md.read_text(encoding="utf-8")
    assert "## Ferry \\| returns" in text and "\\<i\\>ok\\</i\\>" in text
    assert all(line.count(" | ") >= 3 for line in text.splitlines() if line.startswith("| ") and "---" not in line)


def test_bad_export_arguments_are_one_line(db, tmp_path):
    for args, message in (
        (["--since", "last week"], "give a date as YYYY-MM-DD"),
        (["--to", "de"], "unknown target language de"),
        (["-o", str(tmp_path / "no" / "x.tmx")], "does not exist"),
    ):
        result = runner.invoke(app, ["export", "--db", str(db), "--format", "tmx", *args])
        assert result.exit_code == 1 and message in result.stderr, result.output


def test_exporters_stream(tmp_path):
    """Pairs are consumed one by one: a failure half-way leaves no file behind."""
    from pipeline.export import write_jsonl
    from pipeline.store import PairRecord

    def pairs():
        for n in range(1000):
            if n == 500:
                raise RuntimeError("the store went away")
            yield PairRecord("d", n, 0, f"s{n}", {"zh": "z"}, {"zh": "sig"})

    with pytest.raises(RuntimeError):
        write_jsonl(pairs(), tmp_path / "out.jsonl", ["zh"])
    assert list(tmp_path.iterdir()) == []
