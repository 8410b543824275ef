"""The CLI end to end on tiny real models: run, show, export, errors."""

import json
import sqlite3

import pytest

from pipeline.cleanup import clean_translation
from pipeline.cli import app
from pipeline.engines.ct2 import CTranslate2Engine
from pipeline.store import Store

ARTICLE = """World
Home / World

Town reopens its river ferry

By JO LEE | Example Daily | Updated: 2026-05-01 10:00
Share

The ferry returned on Monday after two years. "It is back. We are glad," said Mayor Ana Ruiz.

Riders cheered.

Top
Copyright 2026. All rights reserved.
"""

SECOND = """Bridge plan delayed

By JO LEE | Example Daily | Updated: 2026-05-02 10:00

Riders cheered.

The bridge will wait until 2028.
"""



class EngineCalls(list):
    def __init__(self):
        super().__init__()
        self.outputs = {}
        self.hints = {}  # (tgt, text) -> what the engine was told besides the text (prompts.Hints)


@pytest.fixture
def articles(tmp_path):
    first = tmp_path / "ferry.txt"
    first.write_text(ARTICLE, encoding="utf-8")
    second = tmp_path / "bridge.txt"
    second.write_text(SECOND, encoding="utf-8")
    return first, second


@pytest.fixture
def engine_calls(monkeypatch):
    """The texts the ctranslate2 engine is asked to translate, as (tgt, text); what it
    answered for each is in ``calls.outputs``."""
    calls = EngineCalls()
    original = CTranslate2Engine.translate

    def counting(self, texts, *, src, tgt, hints=None):
        outputs = original(self, texts, src=src, tgt=tgt, hints=hints)
        calls.extend((tgt, text) for text in texts)
        if hints is not None:
            calls.hints.update(((tgt, text), told) for text, told in zip(texts, hints, strict=True))
        calls.outputs.update(((tgt, text), output) for text, output in zip(texts, outputs, strict=True))
        return outputs

    monkeypatch.setattr(CTranslate2Engine, "translate", counting)
    return calls


@pytest.fixture
def bitext(cli):
    """bitext(*args): the command line, run in-process (arguments turned into strings)."""
    return lambda *args: cli.invoke(app, [str(a) for a in args])


def run_args(model, cache, db, *paths, engine="ctranslate2"):
    # No retry: these tests count what the engine is asked; a random tiny model's answers are
    # all flagged, so the default retry would ask twice (tests/test_retry.py covers it).
    return ["run", *paths, "--to", "zh,fr", "--db", db, "--model", model,
            "--engine", engine, "--max-new-tokens", "6", "--cache-dir", cache, "--retries", "0"]


def table_counts(db):
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("documents", "sentences", "translations", "document_translations")}


@pytest.mark.parametrize("model_fixture", ["tiny_qwen", "tiny_marian", "tiny_opus_multi", "tiny_nllb", "tiny_m2m100"])
def test_run_show_export(request, model_fixture, model_cache, articles, tmp_path, engine_calls, bitext):
    model = request.getfixturevalue(model_fixture)
    db = tmp_path / "bitext.db"
    result = bitext(*run_args(model, model_cache, db, articles[0]))
    assert result.exit_code == 0, result.output
    assert "Town reopens its river ferry" in result.output

    # title + 4 sentences, into two languages
    assert len(engine_calls) == 10
    assert table_counts(db) == {"documents": 1, "sentences": 4, "translations": 10, "document_translations": 2}

    shown = bitext("show", "--db", db)
    assert shown.exit_code == 0, shown.output
    assert "Town reopens its river ferry" in shown.stdout and "中文" in shown.stdout

    out = tmp_path / "pairs.jsonl"
    exported = bitext("export", "--db", db, "--format", "jsonl", "-o", out)
    assert exported.exit_code == 0, exported.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["en"] for r in records] == [
        "Town reopens its river ferry",
        "The ferry returned on Monday after two years.",
        '"It is back.',
        'We are glad," said Mayor Ana Ruiz.',
        "Riders cheered.",
    ]
    assert [r["kind"] for r in records] == ["title"] + ["sentence"] * 4
    assert [r["index"] for r in records] == [None, 0, 1, 2, 3]
    assert [r["paragraph"] for r in records] == [None, 0, 0, 0, 1]
    for record in records:
        for lang in ("zh", "fr"):
            # What is exported is what the engine answered for this very sentence, cleaned.
            expected = clean_translation(engine_calls.outputs[(lang, record["en"])], source=record["en"], tgt=lang)
            assert record[lang] == expected
        assert record["signatures"]["zh"].startswith("engine:ctranslate2|model:" + model.name)
        assert "compute:int8" in record["signatures"]["fr"]
    # A random tiny model still answers something: the comparison above is not of empties.
    assert any(record["zh"] for record in records) and any(record["fr"] for record in records)


def test_running_again_adds_and_translates_nothing(tiny_qwen, model_cache, articles, tmp_path, engine_calls,
                                                   bitext):
    db = tmp_path / "bitext.db"
    assert bitext(*run_args(tiny_qwen, model_cache, db, articles[0])).exit_code == 0
    before, calls = table_counts(db), len(engine_calls)
    again = bitext(*run_args(tiny_qwen, model_cache, db, articles[0]))
    assert again.exit_code == 0, again.output
    assert "already stored" in again.output
    assert table_counts(db) == before
    assert len(engine_calls) == calls


def test_translation_memory_serves_sentences_seen_before(tiny_qwen, model_cache, articles, tmp_path, engine_calls,
                                                         bitext):
    db = tmp_path / "bitext.db"
    result = bitext(*run_args(tiny_qwen, model_cache, db, *articles))
    assert result.exit_code == 0, result.output
    # "Riders cheered." appears in both articles but is translated once per language.
    assert engine_calls.count(("zh", "Riders cheered.")) == 1
    assert engine_calls.count(("fr", "Riders cheered.")) == 1
    assert table_counts(db)["documents"] == 2


def test_run_with_context_signs_the_translations_and_tells_the_model(tiny_qwen, model_cache, articles, tmp_path,
                                                                   engine_calls, bitext):
    db = tmp_path / "bitext.db"
    result = bitext(*run_args(tiny_qwen, model_cache, db, articles[0]), "--context")
    assert result.exit_code == 0, result.output
    told = engine_calls.hints[("zh", "Riders cheered.")]
    assert told.context[0] == "Town reopens its river ferry" and told.context[1].endswith("said Mayor Ana Ruiz.")
    assert engine_calls.hints[("fr", "Town reopens its river ferry")].context == ()
    with sqlite3.connect(db) as conn:
        signatures = [row[0] for row in conn.execute("SELECT signature FROM signatures")]
    assert signatures and all("context:title+previous" in signature for signature in signatures)
    # Without context the method differs: translated again, under its own signature.
    calls = len(engine_calls)
    assert bitext(*run_args(tiny_qwen, model_cache, db, articles[0])).exit_code == 0
    assert len(engine_calls) == 2 * calls


def test_an_article_given_twice_is_one_document_translated_once(tiny_qwen, model_cache, articles, tmp_path,
                                                                 engine_calls, bitext):
    db = tmp_path / "bitext.db"
    result = bitext(*run_args(tiny_qwen, model_cache, db, articles[0], articles[0]))
    assert result.exit_code == 0, result.output
    assert "2 of 2 articles" in result.stderr and result.stderr.count("already stored") == 1
    assert table_counts(db)["documents"] == 1
    assert len(engine_calls) == len(set(engine_calls))  # each text once per language


GLOSSARY = "en\tzh\tfr\nAna Ruiz\t安娜·鲁伊斯\tAna Ruiz\nriver ferry\t渡轮\tbac fluvial\n"


def test_a_glossary_is_told_to_the_model_checked_kept_and_signed(tiny_qwen, model_cache, articles, tmp_path,
                                                                 engine_calls, bitext):
    db, glossary = tmp_path / "bitext.db", tmp_path / "terms.tsv"
    glossary.write_text(GLOSSARY, encoding="utf-8")
    assert bitext(*run_args(tiny_qwen, model_cache, db, articles[0])).exit_code == 0
    plain_calls = len(engine_calls)
    result = bitext(*run_args(tiny_qwen, model_cache, db, articles[0]), "--glossary", glossary)
    assert result.exit_code == 0, result.output
    # A glossary is part of the signature: the article is translated again, with the terms told.
    assert len(engine_calls) == 2 * plain_calls
    said = 'We are glad," said Mayor Ana Ruiz.'
    assert engine_calls.hints[("zh", said)].terms == (("Ana Ruiz", "安娜·鲁伊斯"),)
    assert engine_calls.hints[("fr", "Town reopens its river ferry")].terms == (("river ferry", "bac fluvial"),)
    assert engine_calls.hints[("zh", "Riders cheered.")].terms == ()
    with sqlite3.connect(db) as conn:
        (digest, terms), = conn.execute("SELECT digest, terms FROM glossaries").fetchall()
        signatures = [row[0] for row in conn.execute("SELECT signature FROM signatures")]
        flags = [json.loads(row[0]) for row in conn.execute(
            "SELECT t.flags FROM translations t JOIN signatures s ON s.id = t.signature_id "
            "WHERE s.signature LIKE ? AND t.source = ? AND t.lang = 'zh'", (f"%glossary:{digest}%", said))]
    assert "安娜·鲁伊斯" in terms
    with Store(db, create=False) as store:  # the digest in a signature leads back to the glossary
        kept = store.glossary(digest)
    assert kept.digest == digest and kept.terms[0].rendering("zh") == "安娜·鲁伊斯"
    assert sum(f"glossary:{digest}" in signature for signature in signatures) == 1
    # The tiny model's random answer lacks the required name: flagged.
    (pair_flags,) = flags
    assert any(name == "glossary" and "Ana Ruiz" in reason for name, reason in pair_flags)


@pytest.mark.parametrize("content, message", [
    ("en\tzh\nAna Ruiz\t\n", "has no rendering"),
    ("Ana Ruiz\t安娜\nana ruiz\t安娜\n", "already on line 1"),
    ("# nothing\n", "holds no terms"),
])
def test_a_bad_glossary_is_one_line(tiny_qwen, model_cache, articles, tmp_path, bitext, content, message):
    glossary = tmp_path / "terms.tsv"
    glossary.write_text(content, encoding="utf-8")
    result = bitext(*run_args(tiny_qwen, model_cache, tmp_path / "x.db", articles[0]), "--glossary", glossary)
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.db").exists()  # refused before the store is opened


def test_transformers_engine_gives_its_own_signature(tiny_qwen, model_cache, articles, tmp_path, bitext):
    db = tmp_path / "bitext.db"
    result = bitext(*run_args(tiny_qwen, model_cache, db, articles[0], engine="transformers"))
    assert result.exit_code == 0, result.output
    out = tmp_path / "pairs.jsonl"
    assert bitext("export", "--db", db, "-o", out).exit_code == 0
    record = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert record["signatures"]["zh"].startswith("engine:transformers|")
    assert "compute:float32" in record["signatures"]["zh"]


def test_transformers_engine_honours_the_compute_type(tiny_qwen, model_cache, articles, tmp_path, monkeypatch, bitext):
    import torch

    from pipeline.engines.hf import TransformersEngine

    dtypes = []
    original = TransformersEngine._load_model

    def spying(self):
        model, tokenizer = original(self)
        dtypes.append(next(model.parameters()).dtype)
        return model, tokenizer

    monkeypatch.setattr(TransformersEngine, "_load_model", spying)
    db = tmp_path / "bitext.db"
    result = bitext(*run_args(tiny_qwen, model_cache, db, articles[0], engine="transformers"),
                    "--compute-type", "bfloat16")
    assert result.exit_code == 0, result.output
    assert dtypes == [torch.bfloat16]
    out = tmp_path / "pairs.jsonl"
    assert bitext("export", "--db", db, "-o", out).exit_code == 0
    assert "compute:bfloat16" in json.loads(out.read_text(encoding="utf-8").splitlines()[0])["signatures"]["zh"]


def test_a_compute_type_the_engine_cannot_run_is_refused(tiny_qwen, model_cache, articles, tmp_path, bitext):
    db = tmp_path / "bitext.db"
    result = bitext(*run_args(tiny_qwen, model_cache, db, articles[0], engine="transformers"), "--compute-type", "int8")
    assert result.exit_code == 1
    assert ("compute type 'int8' is not available with --engine transformers on cpu; choose one of: float32"
            in result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1
    assert not db.exists() or table_counts(db)["translations"] == 0


def test_segment_prints_every_paragraph_and_the_headline(tmp_path, bitext):
    text = tmp_path / "plain.txt"
    paragraphs = [f"Paragraph {n} starts here. It has two sentences." for n in range(1, 6)]
    text.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    lines = bitext("segment", text).stdout.splitlines()
    assert lines[0] == paragraphs[0]  # no byline: the first paragraph is the headline, on a line of its own
    assert lines[1:] == [part for p in paragraphs[1:] for part in (p.split(" It ")[0], "It " + p.split(" It ")[1])]
    records = [json.loads(line) for line in bitext("segment", text, "--format", "jsonl").stdout.splitlines()]
    assert records[0]["kind"] == "title" and records[0]["text"] == paragraphs[0] and records[0]["index"] is None
    assert [r["kind"] for r in records[1:]] == ["sentence"] * 8 and records[1]["index"] == 0

def test_a_bad_article_is_reported_and_the_others_still_run(tiny_qwen, model_cache, articles, tmp_path, bitext):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    db = tmp_path / "bitext.db"
    result = bitext(*run_args(tiny_qwen, model_cache, db, empty, articles[0], tmp_path / "missing.txt"))
    assert result.exit_code == 1
    assert f"error: {empty}: empty file" in result.stderr
    assert "missing.txt: no such file" in result.stderr
    assert "Traceback" not in result.output
    assert table_counts(db)["documents"] == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--to", "de"], "unknown target language de; choose from: zh, fr"),
        (["--model", "no-such-model"], "unknown model 'no-such-model'; choose one of: m2m100-418m, nllb-200"),
        (["--engine", "nope"], "unknown engine 'nope'; choose one of: ctranslate2, transformers"),
    ],
)
def test_user_errors_are_one_line(tiny_qwen, model_cache, articles, tmp_path, args, message, cli):
    db = tmp_path / "bitext.db"
    base = ["run", str(articles[0]), "--db", str(db), "--cache-dir", str(model_cache), "--model", str(tiny_qwen)]
    result = cli.invoke(app, base + args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output


def test_reading_commands_need_an_existing_store(tmp_path, cli):
    for command in (["show"], ["export", "-o", str(tmp_path / "x.jsonl")]):
        result = cli.invoke(app, [*command, "--db", str(tmp_path / "none.db")])
        assert result.exit_code == 1
        assert "no such store" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_unknown_export_format_lists_the_valid_ones(tiny_qwen, model_cache, articles, tmp_path, bitext):
    db = tmp_path / "bitext.db"
    assert bitext(*run_args(tiny_qwen, model_cache, db, articles[0])).exit_code == 0
    result = bitext("export", "--db", db, "--format", "docx", "-o", tmp_path / "x")
    assert result.exit_code == 1
    assert "unknown export format 'docx'; choose one of: jsonl" in result.stderr


def test_models_list_shows_the_default_model(tmp_path, bitext):
    result = bitext("models", "list", "--cache-dir", tmp_path)
    assert result.exit_code == 0, result.output
    assert "qwen2.5-coder-1.5b-instruct" in result.stdout


def test_help_explains_every_command(cli):
    """Every command (and the models sub-commands) has a --help that states what it does,
    in the words of its docstring, and the top-level help lists them all."""
    import typer.main

    group = typer.main.get_command(app)
    commands = [([name], command) for name, command in group.commands.items()]
    commands += [([name, sub], subcommand) for name, command in group.commands.items()
                 for sub, subcommand in getattr(command, "commands", {}).items()]
    assert {"run", "segment", "show", "export", "eval", "align", "models"} <= set(group.commands)
    top = " ".join(cli.invoke(app, ["--help"]).stdout.split())
    for words, command in commands:
        result = cli.invoke(app, [*words, "--help"])
        assert result.exit_code == 0, words
        said = " ".join(result.stdout.split())
        assert "Usage:" in said and " ".join(words) in said, words
        summary = " ".join((command.help or "").split(".")[0].split())
        assert summary and summary[:40] in said, (words, summary)
        assert words[0] in top


def test_a_failed_first_run_leaves_no_store_and_a_failed_rerun_keeps_the_store(tiny_qwen, model_cache, articles,
                                                                                 tmp_path, bitext):
    db = tmp_path / "bitext.db"
    failed = bitext(*run_args("no-such-model", model_cache, db, articles[0]))  # refused after the store opened
    assert failed.exit_code == 1 and "unknown model 'no-such-model'" in failed.stderr
    assert not db.exists() and not db.with_name("bitext.db-wal").exists()
    assert bitext(*run_args(tiny_qwen, model_cache, db, articles[0])).exit_code == 0
    held = table_counts(db)
    assert bitext(*run_args("no-such-model", model_cache, db, articles[1])).exit_code == 1
    assert table_counts(db) == held


def test_no_command_function_is_over_60_lines():
    """A command fills the library's options, calls it and reports what it did; the work
    itself is the library's (runner.run, align_editions, evaluate_files, ...)."""
    import inspect

    def callbacks(typer_app):
        for command in typer_app.registered_commands:
            yield command.callback
        for group in typer_app.registered_groups:
            yield from callbacks(group.typer_instance)

    found = list(callbacks(app))
    assert {"run", "segment", "show", "export", "evaluate", "align", "models_list"} <= {c.__name__ for c in found}
    for callback in found:
        lines = len(inspect.getsource(callback).splitlines())
        assert lines <= 60, f"{callback.__module__}.{callback.__name__} is {lines} lines"
