"""Hostile and broken input, as a table: each case gives one error line naming the input and
the problem, exit status 1, no traceback, and a store exactly as it was (other inputs in
the same run are still stored)."""

import hashlib
import json
import sqlite3
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.cli import app
from pipeline.model import ModelManifest
from tests.conftest import user_error

GOOD = "Ferry returns\n\nThe ferry is back after two years. Riders cheered.\n"


def write(name, content):
    def make(tmp):
        path = tmp / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return [str(path)]
    return make


def empty_folder(tmp):
    (tmp / "empty-folder").mkdir()
    (tmp / "empty-folder" / "notes.md").write_text("not an article")
    return [str(tmp / "empty-folder")]


# (case, make inputs -> paths, what the error line says)
BAD_INPUTS = [
    ("empty file", write("empty.txt", b""), "empty.txt: empty file"),
    ("whitespace only", write("blank.txt", "  \n\t \n\n"), "blank.txt: empty file"),
    ("binary file", write("image.txt", bytes(range(256)) * 4), "image.txt: binary data"),
    ("invalid UTF-8", write("broken.txt", b"Title\n\nCaf\xc3\x28 is open.\n"), "broken.txt: not UTF-8 text"),
    ("Latin-1 text", write("latin1.txt", "Caf\xe9\n\nLe caf\xe9.\n".encode("latin-1")), "latin1.txt: not UTF-8 text"),
    ("150 kB line without punctuation", write("dump.txt", "Title\n\n" + "word " * 30_000),
     "dump.txt: paragraph 1 holds a run of"),
    ("2 MB of sentences in one file", write("corpus.txt", "Title\n\n" + "The ferry sailed on time. " * 80_000),
     "corpus.txt: 2,079,999 characters, more than an article may have (200,000)"),
    ("20,000-character title", write("title.txt", "Ferry " * 3_333 + "x\n\nThe ferry is back.\n"),
     "title.txt: a title of 19,999 characters"),
    ("HTML page with no article", write("nav.html", "<html><body><nav><a>Home</a></nav></body></html>"),
     "nav.html: no article found in the HTML page"),
    ("CSV file", write("people.txt", "name,city,role,comment\nAna Ruiz,Lyon,mayor,glad\nBo Li,Xi'an,clerk,fine\n"
                                     "Cy Ng,Rome,chef,good\n"),
     "people.txt: looks like tabular data, not a news article"),
    ("source code", write("tool.txt", "import os\n\ndef main():\n    path = os.getcwd()\n    return path\n\n"
                                      "if __name__ == '__main__':\n    main()\n"), "tool.txt: looks like source code"),
    ("log file", write("server.txt", "2026-11-01 10:00:01 INFO started\n2026-11-01 10:00:02 WARN disk slow\n"
                                      "2026-11-01 10:00:03 ERROR request failed\n2026-11-01 10:00:04 INFO stopped\n"),
     "server.txt: looks like a log"),
    ("JSONL line that is not JSON", write("bad.jsonl", '{"title": "x", "text"\n'), "bad.jsonl:1: not JSON"),
    ("JSONL record without text", write("notext.jsonl", json.dumps({"id": 7, "title": "x"}) + "\n"),
     'notext.jsonl:1 (7): the record has no "text" or "html"'),
    ("path that does not exist", lambda tmp: [str(tmp / "missing.txt")], "missing.txt: no such file"),
    ("folder with no matching files", empty_folder, "empty-folder: folder has no files matching '*.txt'"),
]


def store_bytes(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("documents", "sentences", "translations", "document_translations")}


@pytest.mark.parametrize("case, make, message", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_one_line_and_the_rest_still_runs(case, make, message, tiny_qwen, model_cache, tmp_path, cli):
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    db = tmp_path / "bitext.db"
    args = ["run", *make(tmp_path), str(good), "--db", str(db), "--model", str(tiny_qwen),
            "--max-new-tokens", "4", "--cache-dir", str(model_cache)]
    user_error(cli.invoke(app, args), message)
    contents = store_bytes(db)
    assert [row[2] for row in contents["documents"]] == ["Ferry returns"]  # only the good article


def fake_catalogue(monkeypatch, manifest):
    from pipeline.model import catalogue as catalogue_module, resolver as modelcache

    monkeypatch.setattr(modelcache, "catalogue", lambda: {manifest.name: manifest})
    monkeypatch.setattr(catalogue_module, "catalogue", lambda: {manifest.name: manifest})  # models list


def chunked_model(tmp, monkeypatch, *, corrupt=False, missing=False, deleted=False):
    site = tmp / "site"
    data = [b"chunk one|", b"chunk two"]
    for n, chunk in enumerate(data, start=1):
        if missing and n == 2:
            continue
        package = site / f"hostilechunk_part{n}"
        package.mkdir(parents=True)
        if not (deleted and n == 2):  # the package installed, its data file deleted
            (package / "part.bin").write_bytes(b"X" + chunk[1:] if corrupt and n == 2 else chunk)
        (package / "__init__.py").write_text(textwrap.dedent("""
            from pathlib import Path
            def get_part_path():
                return str(Path(__file__).parent / "part.bin")
        """))
    monkeypatch.syspath_prepend(str(site))
    for n in (1, 2):
        sys.modules.pop(f"hostilechunk_part{n}", None)
    whole = b"".join(data)
    fake_catalogue(monkeypatch, ModelManifest(
        name="chunked", description="", family="causal-lm", license="none", languages=("en", "zh", "fr"),
        engine="ctranslate2", source={"kind": "pypi-chunks", "module": "hostilechunk_part{n}",
                                      "package": "hostilechunk-part{n}==1", "count": 2, "file": "chunked.gguf",
                                      "size": len(whole), "sha256": hashlib.sha256(whole).hexdigest()}))
    return ["--model", "chunked"]


def hub_model_cut_short(tmp, monkeypatch):
    import huggingface_hub

    def interrupted(repo_id, *, local_dir, **kwargs):
        (Path(local_dir) / "config.json").write_text("{}")
        raise OSError("connection reset by peer")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", interrupted)
    fake_catalogue(monkeypatch, ModelManifest(
        name="hubby", description="", family="seq2seq", license="none", languages=("en", "zh", "fr"),
        engine="ctranslate2", source={"kind": "hub", "repo": "example/hubby"}))
    return ["--model", "hubby"]


def not_sqlite(db):
    db.write_bytes(b"these are not the droids" * 100)


def newer_schema(db):
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")


def corrupt_gguf(tmp, monkeypatch):
    (tmp / "broken.gguf").write_bytes(b"GGUF" + b"\0" * 64)
    return ["--model", str(tmp / "broken.gguf")]


# (case, prepare the store file, extra arguments, what the error line says)
BAD_SETUPS = [
    ("store that is not SQLite", not_sqlite, None, "not a bitext store"),
    ("store with a newer schema", newer_schema, None, "store schema version 99 is newer than this bitext supports"),
    ("store on a read-only path", None, lambda tmp, mp: ["--db", "/proc/bitext-test.db"],
     "cannot open or create the store"),
    ("store at /dev/null", None, lambda tmp, mp: ["--db", "/dev/null"], "/dev/null: not a regular file"),
    ("unknown model", None, lambda tmp, mp: ["--model", "no-such-model"], "unknown model 'no-such-model'"),
    ("unknown language", None, lambda tmp, mp: ["--to", "zh,tlh"], "unknown target language tlh; choose from: zh, fr"),
    ("corrupt model file", None, corrupt_gguf, "broken.gguf: not a readable GGUF file"),
    ("missing model chunk", None, lambda tmp, mp: chunked_model(tmp, mp, missing=True),
     "model chunked is not installed (missing hostilechunk-part2)"),
    ("deleted model chunk file", None, lambda tmp, mp: chunked_model(tmp, mp, deleted=True),
     "model chunked is not installed (missing hostilechunk-part2's part.bin)"),
    ("corrupted model chunk", None, lambda tmp, mp: chunked_model(tmp, mp, corrupt=True), "model chunked is corrupt"),
    ("interrupted download", None, hub_model_cut_short,
     "cannot download example/hubby from the Hugging Face Hub (connection reset by peer)"),
]


@pytest.mark.parametrize("case, prepare, extra, message", BAD_SETUPS, ids=[c[0] for c in BAD_SETUPS])
def test_bad_setup_is_one_line_and_leaves_the_store_as_it_was(
    case, prepare, extra, message, tiny_qwen, model_cache, tmp_path, monkeypatch, cli
):
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    db = tmp_path / "bitext.db"
    if prepare:
        prepare(db)
    before = db.read_bytes() if db.exists() else None
    args = ["run", str(good), "--db", str(db), "--model", str(tiny_qwen), "--max-new-tokens", "4",
            "--cache-dir", str(tmp_path / "cache" if extra else model_cache)]
    args += extra(tmp_path, monkeypatch) if extra else []
    lines = user_error(cli.invoke(app, args), message)
    assert lines[-1].startswith("error:"), lines  # the error ended the run: nothing after it
    if before is not None:
        assert db.read_bytes() == before
    elif db.exists():
        assert store_bytes(db)["documents"] == []
    assert not Path("/dev/null-journal").exists()  # nothing left beside a path that is not a store


@pytest.mark.parametrize("option", [["--batch-size", "0"], ["--threads", "-1"], ["--retries", "3"], ["--bogus"]],
                         ids=lambda option: " ".join(option))
def test_a_usage_error_exits_with_status_2_and_says_what_is_wrong(option, tmp_path, cli):
    page = tmp_path / "good.txt"
    page.write_text(GOOD, encoding="utf-8")
    result = cli.invoke(app, ["run", str(page), "--db", str(tmp_path / "bitext.db"), *option])
    assert result.exit_code == 2  # the convention for usage errors, as docs/commands.md says
    assert option[0] in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "bitext.db").exists()


# Article text is data everywhere: markup-like brackets are shown as written, and control
# characters (terminal escapes, NUL) never reach a terminal, the store or an export.
MARKUP_TITLE = "Council [/] vote [link=https://evil.example]here[/link] [bold]"
HOSTILE_BODY = ('"We [the council] agreed," she said [sic]. The vote passed.\x1b]0;pwned\x07 '
                "Riders cheered.\x1b[2J Fog fell.\n")


def run_quiet(cli, *args):
    result = cli.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_article_text_is_data_in_run_show_and_list(tiny_qwen, model_cache, tmp_path, cli):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "council.txt").write_text(f"{MARKUP_TITLE}\n\n{HOSTILE_BODY}", encoding="utf-8")
    (folder / "odd [").mkdir()  # a path that reads "[/]" and "[bold]"
    (folder / "odd [" / "] [bold]name.txt").write_text("", encoding="utf-8")  # named in an error line
    db = tmp_path / "bitext.db"
    ran = run_quiet(cli, "run", folder, "--db", db, "--model", tiny_qwen, "--max-new-tokens", "4",
                    "--cache-dir", model_cache)
    assert ran.exit_code == 1, ran.output
    assert "1 of 2 articles" in ran.stderr and MARKUP_TITLE in ran.stderr
    assert "odd [/] [bold]name.txt: empty file" in ran.stderr
    shown = run_quiet(cli, "show", "--db", db)
    listed = run_quiet(cli, "show", "--db", db, "--list")
    assert shown.exit_code == 0 and listed.exit_code == 0, shown.output + listed.output
    assert "[the council]" in shown.stdout and "[sic]" in shown.stdout and "[/]" in shown.stdout
    assert "[link=" in listed.stdout and "[/link]" in listed.stdout  # the title, wrapped in its column
    for output in (ran.stdout, ran.stderr, shown.stdout, listed.stdout):
        assert "\x1b" not in output and "\x07" not in output and "\x1b]8;" not in output
    with sqlite3.connect(db) as conn:
        texts = [row[0] for row in conn.execute("SELECT text FROM sentences")]
    assert texts and not any(ch in text for text in texts for ch in "\x1b\x07")


def test_controls_in_a_jsonl_record_are_not_stored_or_exported(tiny_qwen, model_cache, tmp_path, cli):
    record = {"id": 1, "title": "Ferry\u0007 returns", "text": "The ferry\u0000 is back.\u009b Riders\u001b cheered."}
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    db = tmp_path / "bitext.db"
    assert run_quiet(cli, "run", source, "--db", db, "--model", tiny_qwen, "--max-new-tokens", "4",
                     "--cache-dir", model_cache).exit_code == 0
    assert run_quiet(cli, "export", "--db", db, "--format", "moses", "-o", tmp_path / "corpus").exit_code == 0
    english = (tmp_path / "corpus.en").read_text(encoding="utf-8")
    assert "Ferry returns" in english and "The ferry is back." in english and "Riders cheered." in english
    assert not any(ch in english for ch in "\x00\x1b\x9b")


def test_stored_text_is_nfc():
    from pipeline.ingest import plain_text

    assert plain_text("Cafe\u0301 [x]\tok\n") == "Caf\u00e9 [x]\tok\n"


@pytest.mark.parametrize("option, message", [
    (["--compute-type", "bogus"],
     "compute type 'bogus' is not available with --engine ctranslate2 on cpu; choose one of:"),
    (["--device", "cuda"], "--device cuda: CTranslate2 finds no usable CUDA GPU here"),
    (["--device", "cuda", "--engine", "transformers"], "--device cuda: torch finds no usable CUDA GPU here"),
], ids=["bogus compute type", "cuda without a GPU", "cuda without a GPU, transformers"])
def test_options_are_checked_before_any_model_is_prepared(option, message, tmp_path, cli, monkeypatch):
    import pipeline.runner

    def no_model(*args, **kwargs):
        raise AssertionError("a model was resolved before the options were checked")

    monkeypatch.setattr(pipeline.runner, "resolve_languages", no_model)
    page = tmp_path / "good.txt"
    page.write_text(GOOD, encoding="utf-8")
    lines = user_error(cli.invoke(app, ["run", str(page), "--db", str(tmp_path / "bitext.db"), *option]), message)
    assert lines[-1].startswith("error:")


def test_models_list_says_a_deleted_chunk_file_is_missing(tmp_path, monkeypatch, cli):
    chunked_model(tmp_path, monkeypatch, deleted=True)
    result = cli.invoke(app, ["models", "list", "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert ("no: model chunked is not installed (missing hostilechunk-part2's part.bin)"
            in " ".join(result.stdout.split()))


@pytest.mark.parametrize("damaged", ["tokenizer/tokenizer.json", "vocabulary.json", "config.json"])
def test_a_damaged_file_of_a_converted_model_is_one_line(damaged, tiny_qwen, tmp_path, cli):
    page = tmp_path / "good.txt"
    page.write_text(GOOD, encoding="utf-8")
    cache = tmp_path / "cache"
    args = ["run", str(page), "--to", "zh", "--model", str(tiny_qwen), "--max-new-tokens", "4",
            "--cache-dir", str(cache)]
    assert cli.invoke(app, [*args, "--db", str(tmp_path / "first.db")]).exit_code == 0
    (converted,) = (cache / "ctranslate2").iterdir()
    with (converted / damaged).open("ab") as file:
        file.write(b"\n{broken")
    lines = user_error(cli.invoke(app, [*args, "--db", str(tmp_path / "second.db")]),
                        f"converted model is corrupt ({damaged} fails its checksum)")
    assert "bitext models prepare" in lines[-1]


def test_a_store_with_a_damaged_page_is_refused_by_run_and_show(tiny_qwen, model_cache, tmp_path, cli):
    page = tmp_path / "good.txt"
    page.write_text(GOOD, encoding="utf-8")
    db = tmp_path / "bitext.db"
    args = ["--model", str(tiny_qwen), "--max-new-tokens", "4", "--cache-dir", str(model_cache)]
    assert cli.invoke(app, ["run", str(page), "--db", str(db), *args]).exit_code == 0
    with db.open("r+b") as file:  # scribble over a page in the middle of the file
        size = file.seek(0, 2)
        file.seek((size // 4096 // 2) * 4096)
        file.write(b"\xde\xad" * 2048)
    before = db.read_bytes()
    second = tmp_path / "second.txt"
    second.write_text("Bridge opens\n\nThe bridge opened today.\n", encoding="utf-8")
    lines = user_error(cli.invoke(app, ["run", str(second), "--db", str(db), *args]), "the store is damaged")
    assert "sqlite3" in lines[-1] and ".recover" in lines[-1]
    assert db.read_bytes() == before  # nothing written into it
    user_error(cli.invoke(app, ["show", "--db", str(db)]), "the store is damaged")


def test_force_takes_what_does_not_look_like_an_article(tiny_qwen, model_cache, tmp_path, cli):
    table = tmp_path / "people.txt"
    table.write_text("name,city,role\nAna Ruiz,Lyon,mayor\nBo Li,Xian,clerk\nCy Ng,Rome,chef\n", encoding="utf-8")
    args = ["run", str(table), "--db", str(tmp_path / "bitext.db"), "--model", str(tiny_qwen), "--max-new-tokens", "4",
            "--cache-dir", str(model_cache)]
    assert cli.invoke(app, args).exit_code == 1
    forced = cli.invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert "1 of 1 articles" in forced.stderr


def test_a_read_only_store_is_refused_before_the_model_loads(tiny_qwen, model_cache, tmp_path, cli, monkeypatch):
    import subprocess

    import pipeline.runner

    page = tmp_path / "good.txt"
    page.write_text(GOOD, encoding="utf-8")
    db = tmp_path / "bitext.db"
    args = ["run", str(page), "--db", str(db), "--model", str(tiny_qwen), "--max-new-tokens", "4",
            "--cache-dir", str(model_cache)]
    assert cli.invoke(app, args).exit_code == 0
    # Read-only even for root (tests run as root here): the immutable attribute.
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not supported on this file system: cannot make a store read-only for root")
    try:
        monkeypatch.setattr(pipeline.runner, "resolve_languages",
                            lambda *a, **k: (_ for _ in ()).throw(AssertionError("model resolved first")))
        page.write_text("Bridge opens\n\nThe bridge opened today.\n", encoding="utf-8")
        user_error(cli.invoke(app, args), "the store is read-only (attempt to write a readonly database)")
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)
