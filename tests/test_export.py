"""Every export format, read back by independent readers (translate-toolkit, pyarrow, csv)."""

import csv
import inspect
import json
import os
import stat

import pytest

from pipeline.cli import app
from pipeline.document import Flag
from pipeline.store import Store
from tests.conftest import user_error
from tests.documents import SIG

PAGES = [
    "Ferry | returns\n\nThe ferry is back.\tRiders cheered. \"It is <b>back</b> & safe,\" said Ana.\n\nA second paragraph.\n",  # noqa: E501
    "Bridge delayed\n\nThe bridge will wait until 2028. Costs rose 3.5 percent.\n",
]


def translated(text, lang):
    # Odd characters on purpose: newlines, tabs, markup, pipes must survive every format.
    return f"[{lang}]\n{text} | <i>ok</i>"


# Flags planted on one sentence and one title, for the filters.
FLAGS = {"zh": {"Riders cheered.": [Flag("repetition", "planted")],
                "Bridge delayed": [Flag("length_ratio", "planted")]}}


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
    for unit, pair in zip(tmx.units, pairs, strict=True):
        assert unit.source == pair.english and unit.target == pair.text("zh")
        segments = {tuv.get(xml_lang): tuv.findtext("seg") for tuv in unit.xmlelement.findall("tuv")}
        assert segments == {"en": pair.english, "zh-Hans": pair.text("zh"), "fr": pair.text("fr")}
        props = {prop.get("type"): prop.text for prop in unit.xmlelement.findall("prop")}
        assert props["x-doc-id"] == pair.doc_id and props["x-kind"] == pair.kind
        assert props.get("x-sentence-index") == (None if pair.index is None else str(pair.index))
        assert props["x-signature-zh-Hans"] == str(SIG)
    titles = [n for n, pair in enumerate(pairs) if pair.kind == "title"]
    assert [pairs[n].english for n in titles] == [pairs[n + 1].article.title for n in titles]
    assert titles[0] == 0 and all(pairs[n + 1].index == 0 for n in titles)  # each document opens with its title
    header = tmx.document.getroot().find("header")
    assert (header.get("srclang"), header.get("segtype"), header.get("creationtool")) == ("en", "sentence", "bitext")


def test_moses_files_are_line_aligned_with_no_newline_or_tab_inside(db, tmp_path, export):
    export(db, "moses", tmp_path / "corpus")
    files = {lang: (tmp_path / f"corpus.{lang}").read_text(encoding="utf-8").split("\n") for lang in ("en", "zh", "fr")}
    assert len(files["en"]) == len(files["zh"]) == len(files["fr"]) == 9  # 8 lines and the final newline
    assert all("\t" not in line for lines in files.values() for line in lines)
    pairs = expected_pairs(db)
    assert files["en"][:8] == [p.english for p in pairs]
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
    assert [row["en"] for row in table] == [p.english for p in pairs]
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


def test_every_exporter_holds_its_writer_itself():
    """The table holds the writer functions, each taking (pairs, output, langs), not names
    of functions to import: a renamed writer then fails at import, not at export."""
    from pipeline.export import EXPORTERS

    assert set(EXPORTERS) == {"jsonl", "tsv", "tmx", "moses", "parquet", "md", "html"}
    for name, chosen in EXPORTERS.items():
        assert callable(chosen.writer), name
        inspect.signature(chosen.writer).bind(iter(()), "output", ["zh"])


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


def one_error(result, message):
    """Failed as a user's mistake must, with that one line and nothing else on stderr."""
    return user_error(result, message, alone=True)


@pytest.mark.parametrize("fmt", ["jsonl", "tsv", "tmx", "moses", "parquet", "md"])
def test_exporters_stream(tmp_path, fmt, monkeypatch):
    """Pairs are consumed one by one: a writer holds only the few it is writing (counted as
    they are freed; one that read everything first would hold all 2,000; parquet holds a
    row group), and a failure half-way leaves no file behind."""
    import weakref

    from pipeline import export as exporting
    from pipeline.document import Article, PairRecord, Translation
    from pipeline.export import export

    row_group = 100
    monkeypatch.setitem(exporting.write_parquet.__kwdefaults__, "rows_per_batch", row_group)

    article = Article("d", "title", ("body",))
    alive, most_alive = [0], [0]

    def freed():
        alive[0] -= 1

    def pairs(fail_at=None):
        for n in range(2000):
            if n == fail_at:
                raise RuntimeError("the store went away")
            pair = PairRecord(article, "sentence", n, 0, f"s{n}", {"zh": Translation(f"s{n}", "z")}, {"zh": "sig"})
            alive[0] += 1
            weakref.finalize(pair, freed)
            most_alive[0] = max(most_alive[0], alive[0])
            yield pair

    assert export(pairs(), format=fmt, output=tmp_path / "out", langs=["zh"]) == 2000
    assert most_alive[0] <= (row_group if fmt == "parquet" else 10), most_alive[0]
    failed = tmp_path / "failed"
    failed.mkdir()
    with pytest.raises(RuntimeError):
        export(pairs(fail_at=500), format=fmt, output=failed / "out", langs=["zh"])
    assert list(failed.iterdir()) == []


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


# --- Where an export lands: never over the store or another database; devices, pipes and
# symlinks as they are; standard output; write errors as one line. ---------------------

def device(path, minor):
    """A private copy of a memory device (3: /dev/null, 7: /dev/full), so a test that went
    wrong could never replace the system's own."""
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    return path


def readable(db):
    with Store(db, create=False) as store:
        return len(list(store.iter_pairs()))


@pytest.mark.parametrize("aim", ["store", "symlink", "hard link", "wal"])
def test_an_export_never_writes_over_its_store(db, tmp_path, cli, aim):
    target = {"store": db, "symlink": tmp_path / "link.jsonl", "hard link": tmp_path / "hard.jsonl",
              "wal": db.with_name(db.name + "-wal")}[aim]
    if aim == "symlink":
        target.symlink_to(db)
    elif aim == "hard link":
        os.link(db, target)
    before = db.read_bytes()
    one_error(cli.invoke(app, ["export", "--db", str(db), "-o", str(target)]), "is the store itself")
    assert db.read_bytes() == before and readable(db) == 8
    if aim == "symlink":
        assert target.is_symlink()


@pytest.mark.parametrize("fmt", ["jsonl", "moses"])
def test_an_export_never_writes_over_another_sqlite_database(db, stored, tmp_path, cli, fmt):
    import sqlite3

    other = stored(PAGES[0], name="other.db")
    with sqlite3.connect(tmp_path / "mine.en") as conn:  # anyone's database, named like a moses file
        conn.execute("CREATE TABLE mine (x)")
    target = {"jsonl": other, "moses": tmp_path / "mine"}[fmt]
    before = {path: path.read_bytes() for path in (other, tmp_path / "mine.en")}
    one_error(cli.invoke(app, ["export", "--db", str(db), "-f", fmt, "-o", str(target)]), "is an SQLite database")
    assert {path: path.read_bytes() for path in before} == before and readable(other) == 5
    assert not (tmp_path / "mine.zh").exists()


def test_an_export_writes_through_a_symlink_to_its_target(db, tmp_path, export):
    real, link = tmp_path / "real.jsonl", tmp_path / "link.jsonl"
    real.write_text("old\n")
    link.symlink_to(real)
    export(db, "jsonl", link)
    assert link.is_symlink() and len(real.read_text(encoding="utf-8").splitlines()) == 8


def test_an_export_writes_into_a_device_and_a_pipe_as_streams(db, tmp_path, export):
    import threading

    null = device(tmp_path / "null", 3)
    assert "wrote 8 pairs" in export(db, "tmx", null).stderr
    assert stat.S_ISCHR(null.stat().st_mode)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    export(db, "jsonl", fifo)
    reader.join(timeout=10)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and len(received[0].decode("utf-8").splitlines()) == 8


# A snapshot left open when the store closed ends in "Cannot operate on a closed database".
snapshot_let_go = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")


@snapshot_let_go
@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "moses"])
def test_a_write_error_on_a_stream_is_one_line_never_wrote(db, tmp_path, cli, fmt):
    full = device(tmp_path / ("full.en" if fmt == "moses" else "full"), 7)
    output = tmp_path / "full" if fmt == "moses" else full
    one_error(cli.invoke(app, ["export", "--db", str(db), "-f", fmt, "-o", str(output)]), "No space left on device")
    assert not (tmp_path / "full.zh").exists()  # moses: the other files never appear
    assert stat.S_ISCHR(full.stat().st_mode)


def test_dash_is_standard_output(db, tmp_path, cli, monkeypatch):
    import io

    import pyarrow.parquet as pq

    monkeypatch.chdir(tmp_path)
    result = cli.invoke(app, ["export", "--db", str(db), "-o", "-"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 8 and "standard output" in result.stderr
    assert not (tmp_path / "-").exists()
    result = cli.invoke(app, ["export", "--db", str(db), "-f", "parquet", "-o", "-"])  # to a pipe: allowed
    assert result.exit_code == 0 and pq.read_table(io.BytesIO(result.stdout_bytes)).num_rows == 8
    for fmt in ("moses", "html"):
        one_error(cli.invoke(app, ["export", "--db", str(db), "-f", fmt, "-o", "-"]), "give a name with -o")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bitext.db"]


def test_binary_formats_never_go_to_a_terminal(db, tmp_path):
    import io

    from pipeline.errors import BitextError
    from pipeline.export import export as export_pairs

    class Terminal(io.BytesIO):
        def isatty(self):
            return True

    terminal = Terminal()
    with pytest.raises(BitextError, match="parquet is binary; send it to a pipe or a file, not a terminal"):
        export_pairs(expected_pairs(db), format="parquet", output="-", langs=["zh"], stdout=terminal)
    assert export_pairs(expected_pairs(db), format="tsv", output="-", langs=["zh"], stdout=terminal) == 8
    assert terminal.getvalue().startswith(b"doc_id\tkind")


@pytest.mark.parametrize("fmt, written", [
    ("jsonl", ["pairs.jsonl"]), ("tsv", ["pairs.tsv"]), ("tmx", ["pairs.tmx"]), ("parquet", ["pairs.parquet"]),
    ("md", ["pairs.md"]), ("moses", ["pairs.en", "pairs.fr", "pairs.zh"]), ("html", ["site"]),
])
def test_the_default_output_is_named_by_its_format(db, tmp_path, cli, monkeypatch, fmt, written):
    monkeypatch.chdir(tmp_path)
    result = cli.invoke(app, ["export", "--db", str(db), "-f", fmt])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.iterdir() if path != db) == written
    if fmt == "tmx":
        import xml.etree.ElementTree as ElementTree

        assert ElementTree.parse(tmp_path / "pairs.tmx").getroot().tag == "tmx"


def test_align_beads_go_through_the_same_checks_before_the_work(tmp_path, cli, monkeypatch):
    import sqlite3

    import pipeline.alignment.files as files
    from pipeline.alignment import Bead

    src, tgt = tmp_path / "a.en", tmp_path / "a.fr"
    src.write_text("One.\nTwo.\n")
    tgt.write_text("Un.\nDeux.\n")
    aligned = []

    def fake_align(*args, **options):  # the expensive work, recorded
        aligned.append(args)
        return [Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.8)], "en", "fr"

    monkeypatch.setattr(files, "align_files", fake_align)
    database = tmp_path / "mine.db"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE mine (x)")
    before = database.read_bytes()
    align = ["align", str(src), str(tgt), "--presegmented", "--beads"]
    one_error(cli.invoke(app, [*align, str(database)]), "is an SQLite database")
    one_error(cli.invoke(app, [*align, str(tmp_path / "no" / "beads.jsonl")]), "does not exist")
    assert aligned == [] and database.read_bytes() == before  # refused before the work
    full = device(tmp_path / "full", 7)
    one_error(cli.invoke(app, [*align, str(full)]), "No space left on device")
    assert stat.S_ISCHR(full.stat().st_mode)
    link = tmp_path / "beads.jsonl"
    (tmp_path / "real.jsonl").write_text("")
    link.symlink_to(tmp_path / "real.jsonl")
    result = cli.invoke(app, [*align, str(link)])
    assert result.exit_code == 0 and link.is_symlink() and len((tmp_path / "real.jsonl").read_text().splitlines()) == 2


# --- XML 1.0's forbidden characters never reach a TMX or a reading page ---------------

FORBIDDEN = "\ufffe\uffff\x01\x0b\x1f"


def test_tmx_and_pages_never_carry_characters_xml_forbids(stored, tmp_path, export):
    import xml.etree.ElementTree as ElementTree

    from translate.storage.tmx import tmxfile

    # A store written before ingest removed them: in the translations, and planted in the
    # English and the title straight through SQL.
    db = stored(PAGES[1], translate=lambda text, lang: f"{text}{FORBIDDEN} [{lang}]")
    import sqlite3

    with sqlite3.connect(db) as conn:
        for table, column in (("sentences", "text"), ("documents", "title"), ("translations", "source")):
            conn.execute(f"UPDATE {table} SET {column} = {column} || ?", (FORBIDDEN,))
    out = tmp_path / "corpus.tmx"
    export(db, "tmx", out)
    text = out.read_text(encoding="utf-8")
    assert not any(char in text for char in FORBIDDEN)
    ElementTree.parse(out)  # well-formed XML
    with out.open("rb") as stream:
        units = tmxfile(stream, sourcelanguage="en", targetlanguage="zh-Hans").units
    assert len(units) == 3 and units[1].target == "The bridge will wait until 2028. [zh]"
    export(db, "html", tmp_path / "site")
    pages = "".join(page.read_text(encoding="utf-8") for page in (tmp_path / "site").iterdir())
    assert "Costs rose 3.5 percent." in pages and not any(char in pages for char in FORBIDDEN)


# --- A full disk: one line, and no half-written output ------------------------------

def no_space(*args, **kwargs):
    import errno

    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@snapshot_let_go
def test_disk_full_during_a_file_export_is_one_line_and_leaves_nothing(db, tmp_path, cli, monkeypatch):
    import tempfile

    real = tempfile.NamedTemporaryFile

    class FillsUp:
        """A temporary file on a disk that fills up after 1,000 bytes."""

        def __init__(self, *args, **kwargs):
            self.file, self.written = real(*args, **kwargs), 0

        def write(self, data):
            self.written += len(data)
            if self.written > 1000:
                no_space()
            return self.file.write(data)

        def __getattr__(self, name):
            return getattr(self.file, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.file.__exit__(*exc)

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", FillsUp)
    out = tmp_path / "pairs.jsonl"
    out.write_text("the export before\n")
    one_error(cli.invoke(app, ["export", "--db", str(db), "-o", str(out)]), "No space left on device")
    assert out.read_text() == "the export before\n"  # as it was
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bitext.db", "pairs.jsonl"]  # no temporary file
    assert readable(db) == 8


@snapshot_let_go
@pytest.mark.parametrize("existing", [False, True])
def test_disk_full_leaves_no_half_site(db, tmp_path, cli, monkeypatch, existing):
    import pipeline.reading as reading

    site = tmp_path / "site"
    if existing:
        site.mkdir()
        (site / "index.html").write_text("the site before")
    pages = []
    real_page = reading.document_page

    def page_then_full(*args, **kwargs):  # the disk fills up after the first page
        pages.append(1)
        if len(pages) > 1:
            no_space()
        return real_page(*args, **kwargs)

    monkeypatch.setattr(reading, "document_page", page_then_full)
    one_error(cli.invoke(app, ["export", "--db", str(db), "-f", "html", "-o", str(site)]), "No space left on device")
    if existing:
        assert [(path.name, path.read_text()) for path in site.iterdir()] == [("index.html", "the site before")]
    else:
        assert not site.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bitext.db", *(["site"] if existing else [])]


def test_a_site_appears_whole_beside_what_its_folder_held(db, tmp_path, export):
    site = tmp_path / "site"
    site.mkdir()
    (site / "notes.txt").write_text("mine")
    (site / "index.html").write_text("the site before")
    export(db, "html", site)
    names = sorted(path.name for path in site.iterdir())
    assert len(names) == 4 and "notes.txt" in names and "the site before" not in (site / "index.html").read_text()
