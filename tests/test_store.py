import sqlite3
from dataclasses import replace

import pytest

from pipeline.document import Flag, Signature, Translation
from pipeline.errors import StoreError
from pipeline.store import MIGRATIONS, SCHEMA_VERSION, Store
from tests.documents import SIG, aligned_document
from tests.schemas import schema_at

PAGE = "Council keeps ferry\n\nBy A | Daily | 2026-01-02\n\nThe ferry stays. It runs daily.\n\nRiders cheered.\n"


def aligned(page=PAGE, signature=SIG, **options):
    return aligned_document(page, signature=signature, **options)


def counts(path):
    with sqlite3.connect(path) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("documents", "sentences", "translations", "signatures", "document_translations")
        }


def test_save_and_load_round_trip(tmp_path):
    doc = aligned()
    with Store(tmp_path / "s.db") as store:
        store.save(doc)
        loaded = store.load(doc.doc_id)
    assert loaded.article == doc.article
    assert loaded.sentences == doc.sentences
    assert loaded.translations == doc.translations


def test_saving_again_adds_nothing(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as store:
        store.save(aligned())
        before = counts(path)
        store.save(aligned())
    assert counts(path) == before == {
        "documents": 1, "sentences": 3, "translations": 8, "signatures": 1, "document_translations": 2,
    }


def test_translation_memory_is_keyed_by_source_language_and_signature(tmp_path):
    other = Signature("fake", "echo@111")
    with Store(tmp_path / "s.db") as store:
        store.save(aligned())
        assert store.remembered(["The ferry stays.", "unknown"], lang="zh", signature=SIG) == {
            "The ferry stays.": Translation("The ferry stays.", "[zh] The ferry stays.")
        }
        assert store.remembered(["The ferry stays."], lang="zh", signature=other) == {}
        assert store.is_translated(aligned().doc_id, lang="fr", signature=SIG)
        assert not store.is_translated(aligned().doc_id, lang="fr", signature=other)


def test_a_document_that_fails_mid_save_leaves_no_trace(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as store:
        store.save(aligned())
        before = counts(path)
        doc = aligned(PAGE.replace("Riders", "Drivers"))
        # The French translations are written last; a NULL among them fails the save
        # after the document, its sentences and the Chinese were already inserted.
        fr = doc.translations["fr"]
        broken = replace(fr.sentences[-1], text=None)
        doc.translations["fr"] = replace(fr, sentences=(*fr.sentences[:-1], broken))
        with pytest.raises(sqlite3.IntegrityError):
            store.save(doc)
    assert counts(path) == before


def test_pragmas(tmp_path):
    with Store(tmp_path / "s.db") as store:
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        Store(path)


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100, b"\x00" * 5000])
def test_file_that_is_not_sqlite_is_refused(tmp_path, content):
    path = tmp_path / "s.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="not a bitext store"):
        Store(path)
    assert path.read_bytes() == content


def test_other_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "s.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE mine (x)")
    with pytest.raises(StoreError, match="not a bitext store"):
        Store(path)


def test_reading_a_missing_store_does_not_create_it(tmp_path):
    with pytest.raises(StoreError, match="no such store"):
        Store(tmp_path / "none.db", create=False)
    assert not (tmp_path / "none.db").exists()


def test_find_document_by_prefix(tmp_path):
    doc = aligned()
    with Store(tmp_path / "s.db") as store:
        store.save(doc)
        assert store.find_document(doc.doc_id[:4]) == doc.doc_id
        with pytest.raises(StoreError, match="no document"):
            store.find_document("zzzz")


def test_store_path_problems_are_clear(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "no-folder" / "s.db")
    with pytest.raises(StoreError, match="is a folder"):
        Store(tmp_path)


def columns(conn):
    """Every table's columns as SQLite describes them (name, type, not null, default, key)."""
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {table: sorted(tuple(column[1:]) for column in conn.execute(f"PRAGMA table_info({table})"))
            for table in tables}


def store_at(path, version):
    with sqlite3.connect(path) as conn:
        conn.executescript(schema_at(version))
        conn.execute(f"PRAGMA user_version = {version}")
    return path


def test_migration_steps_are_named_and_ordered():
    assert [step.version for step in MIGRATIONS] == list(range(2, SCHEMA_VERSION + 1))  # none skipped
    names = [step.name for step in MIGRATIONS]
    assert all(name.strip() for name in names) and len(set(names)) == len(names)
    for step in MIGRATIONS:  # one statement each, none glued with ";"
        assert step.statements and all(statement.strip() and ";" not in statement for statement in step.statements)


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_each_step_brings_its_version_to_the_next(version):
    step = MIGRATIONS[version - 1]
    conn = sqlite3.connect(":memory:")
    conn.executescript(schema_at(version))
    for statement in step.statements:
        conn.execute(statement)
    after = sqlite3.connect(":memory:")
    after.executescript(schema_at(version + 1))
    assert columns(conn) == columns(after)


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_an_older_store_is_migrated_step_by_step(tmp_path, version):
    path = store_at(tmp_path / "old.db", version)
    with Store(path) as store:
        assert store.migrated == [step.name for step in MIGRATIONS[version - 1:]]
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        store.save(aligned())
        assert {t.pieces for t in store.load(aligned().doc_id).translations["zh"].sentences} == {1}
        migrated = columns(store.conn)
    with Store(tmp_path / "new.db") as new:
        assert new.migrated == []
        assert migrated == columns(new.conn)
    with Store(path) as again:  # up to date: nothing more to do
        assert again.migrated == []


def test_a_failed_step_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    from pipeline.store import schema

    path = store_at(tmp_path / "old.db", 1)
    before = columns(sqlite3.connect(path))
    broken = schema.Migration(SCHEMA_VERSION, "broken", ("CREATE TABLE documents (id)",))
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS[:-1], broken))
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        Store(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert columns(conn) == before


def test_split_sources_and_flags_are_recorded(tmp_path):
    doc = aligned(flags={"zh": {"Riders cheered.": [Flag("length_ratio", "too short")]}})
    zh = doc.translations["zh"]
    doc.translations["zh"] = replace(zh, sentences=(replace(zh.sentences[0], pieces=2), *zh.sentences[1:]))
    with Store(tmp_path / "s.db") as store:
        store.save(doc)
        loaded = store.load(doc.doc_id)
    assert loaded.translations == doc.translations
    assert [t.pieces for t in loaded.translations["zh"].sentences] == [2, 1, 1]
    assert [t.pieces for t in loaded.translations["fr"].sentences] == [1, 1, 1]
    assert loaded.translations["zh"].sentences[2].flags == (Flag("length_ratio", "too short"),)


def test_remember_and_save_write_the_same_rows(tmp_path):
    """One writer: a translation remembered batch by batch and one saved with its document
    are stored alike, and saving after remembering adds nothing."""
    doc = aligned(flags={"fr": {"It runs daily.": [Flag("missing_names", "not in the translation: X Y")]}})
    rows = {}
    for how in ("save", "remember"):
        path = tmp_path / f"{how}.db"
        with Store(path) as store:
            if how == "remember":
                for lang, translated in doc.translations.items():
                    store.remember([translated.title, *translated.sentences], lang=lang, signature=SIG)
            store.save(doc)
        with sqlite3.connect(path) as conn:
            rows[how] = conn.execute(
                "SELECT source, lang, text, pieces, flags FROM translations ORDER BY 1, 2").fetchall()
    assert rows["save"] == rows["remember"] and len(rows["save"]) == 8


def test_pairs_begin_each_document_with_its_title(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.save(aligned())
        pairs = list(store.iter_pairs())
    assert [(p.kind, p.index) for p in pairs] == [("title", None), ("sentence", 0), ("sentence", 1), ("sentence", 2)]
    assert pairs[0].english == "Council keeps ferry" and pairs[0].text("zh") == "[zh] Council keeps ferry"
    assert pairs[0].signatures == {"zh": str(SIG), "fr": str(SIG)}


def test_a_store_cut_short_is_damaged_with_the_way_to_recover(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as store:
        store.save(aligned())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreError) as refused:
        Store(path)
    assert "the store is damaged" in str(refused.value)
    assert f"sqlite3 {path} .recover | sqlite3 recovered.db" in str(refused.value)


def scribbled(db, page):
    """``db`` with one page (numbered from 1) overwritten: it opens, and fails when read."""
    with db.open("r+b") as file:
        file.seek((page - 1) * 4096)
        file.write(b"\xde\xad" * 2048)


@pytest.mark.parametrize("command", [["show"], ["show", "--list"], ["export", "-o", "out.jsonl"]])
def test_show_and_export_name_the_damaged_store_in_the_way_to_recover(stored, tmp_path, cli, monkeypatch, command):
    from pipeline.cli import app

    monkeypatch.chdir(tmp_path)
    db = stored("Ferry returns\n\nThe ferry is back. Riders cheered.\n", name="my store.db")
    scribbled(db, 2)
    result = cli.invoke(app, [*command, "--db", str(db)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    (line,) = result.stderr.splitlines()
    assert "the store is damaged" in line and f"sqlite3 '{db}' .recover | sqlite3 recovered.db" in line
    assert "STORE" not in line and not (tmp_path / "out.jsonl").exists()


def test_the_page_cache_keeps_plain_records_and_the_store_does_not_fetch(tmp_path):
    import subprocess
    import sys

    from pipeline.document import FetchedPage

    page = FetchedPage("https://a.example/x", "https://a.example/y", "text/html", b"<p>hi</p>", "utf-8", '"e1"',
                       "Mon, 02 Jan 2026 10:00:00 GMT", "2026-01-02T10:00:00+00:00")
    with Store(tmp_path / "s.db") as store:
        store.keep_page(page)
        store.keep_page(replace(page, etag='"e2"'))  # the newer replaces the older
        assert store.page(page.url) == replace(page, etag='"e2"')
        assert store.page("https://a.example/none") is None
    imported = subprocess.run([sys.executable, "-c", "import sys, pipeline.store; print(sorted(sys.modules))"],
                              capture_output=True, text=True, check=True).stdout
    assert "pipeline.store" in imported and "pipeline.fetch" not in imported


@pytest.mark.parametrize("stop", [StoreError("refused"), KeyboardInterrupt()], ids=["error", "Ctrl-C"])
def test_a_command_that_fails_removes_the_empty_store_it_created_and_keeps_any_other(tmp_path, stop):
    from pipeline.store import open_store

    new = tmp_path / "new.db"
    with pytest.raises(type(stop)), open_store(new):
        raise stop
    assert list(tmp_path.iterdir()) == []  # no store, no -wal or -shm beside it
    with Store(new):  # there before the command: kept, even empty
        pass
    with pytest.raises(type(stop)), open_store(new):
        raise stop
    assert new.exists()
    stored = tmp_path / "stored.db"
    with pytest.raises(type(stop)), open_store(stored) as store:
        store.save(aligned())  # something stored before the failure: kept
        raise stop
    with Store(stored, create=False) as store:
        assert len(store.documents()) == 1
