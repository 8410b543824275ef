"""Seq2seq families: the target language reaches the model, long input, the catalogue, the Hub."""

import os
import sqlite3
import subprocess
import sys

import pytest

from pipeline.cli import app
from pipeline.engines import DecodingOptions, create_engine
from pipeline.errors import ModelError
from pipeline.model import resolve
from pipeline.model.catalogue import catalogue
from pipeline.once import Once
from pipeline.translate import split_to_fit


class Spy:
    """Wraps a loaded model and records what the engine asks of it."""

    def __init__(self, model):
        self.model, self.calls = model, []

    def __getattr__(self, name):
        method = getattr(self.model, name)

        def record(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            return method(*args, **kwargs)

        return record


def spied_engine(engine_name, model_dir, cache):
    files = resolve(str(model_dir), cache_dir=cache)
    engine = create_engine(engine_name, files, cache_dir=cache, options=DecodingOptions(max_new_tokens=4))
    model, tokenizer = engine._load()
    spy = Spy(model)
    engine._model = Once(lambda: (spy, tokenizer))
    return engine, spy, tokenizer


@pytest.mark.parametrize(
    "model_fixture, tgt, source_first, forced",
    [
        ("tiny_opus_multi", "zh", ">>cmn_Hans<<", None),
        ("tiny_opus_multi", "fr", ">>fra<<", None),
        ("tiny_nllb", "zh", "eng_Latn", "zho_Hans"),
        ("tiny_nllb", "fr", "eng_Latn", "fra_Latn"),
        ("tiny_m2m100", "zh", "__en__", "__zh__"),
        ("tiny_m2m100", "fr", "__en__", "__fr__"),
    ],
)
def test_target_language_reaches_the_model(request, model_cache, model_fixture, tgt, source_first, forced):
    model_dir = request.getfixturevalue(model_fixture)

    engine, spy, tokenizer = spied_engine("ctranslate2", model_dir, model_cache)
    engine.translate(["Riders cheered."], src="en", tgt=tgt)
    (name, args, kwargs), = spy.calls
    assert name == "translate_batch"
    assert args[0][0][0] == source_first
    assert kwargs["target_prefix"] == ([[forced]] if forced else None)

    engine, spy, tokenizer = spied_engine("transformers", model_dir, model_cache)
    engine.translate(["Riders cheered."], src="en", tgt=tgt)
    (name, args, kwargs), = spy.calls
    assert name == "generate"
    assert kwargs["input_ids"][0][0].item() == tokenizer.convert_tokens_to_ids(source_first)
    if forced:
        assert kwargs["forced_bos_token_id"] == tokenizer.convert_tokens_to_ids(forced)
    else:
        assert "forced_bos_token_id" not in kwargs


def test_multi_target_model_without_the_language_is_a_clear_error(tmp_path_factory, model_cache):
    from tests.tiny_models import build_tiny_marian

    folder = build_tiny_marian(tmp_path_factory.mktemp("models") / "only-german", target_tokens=(">>deu<<",))
    engine = create_engine("ctranslate2", resolve(str(folder), cache_dir=model_cache), cache_dir=model_cache)
    with pytest.raises(ModelError, match="no target token for zh; it knows: >>deu<<"):
        engine.translate(["Hello."], src="en", tgt="zh")


def test_split_to_fit_prefers_clause_boundaries():
    text = "The council met on Monday; it voted to keep the ferry, which has run since 1921, and to repair the pier."
    pieces = split_to_fit(text, lambda t: len(t) <= 60)
    assert pieces == [
        "The council met on Monday;",
        "it voted to keep the ferry,",
        "which has run since 1921, and to repair the pier.",
    ]
    assert " ".join(pieces) == text
    # No boundary at all: halved until it fits, nothing lost.
    halves = split_to_fit("x" * 10, lambda t: len(t) <= 3)
    assert "".join(halves) == "x" * 10 and all(len(p) <= 3 for p in halves)


def test_over_long_sentences_are_split_translated_and_recorded(tiny_marian, model_cache, tmp_path, monkeypatch, cli):
    long_sentence = ", ".join(f"the {n}th ferry left the pier at dawn" for n in range(1, 15)) + "."
    article = tmp_path / "long.txt"
    article.write_text(f"Ferries\n\nShort one. {long_sentence}\n", encoding="utf-8")
    from pipeline.engines.ct2 import CTranslate2Engine

    sent = []
    original = CTranslate2Engine.translate
    monkeypatch.setattr(CTranslate2Engine, "translate", lambda self, texts, *, src, tgt: (
        sent.extend(texts), original(self, texts, src=src, tgt=tgt))[1])
    db = tmp_path / "bitext.db"
    result = cli.invoke(app, ["run", str(article), "--db", str(db), "--model", str(tiny_marian), "--to", "fr",
                              "--max-new-tokens", "4", "--cache-dir", str(model_cache)])
    assert result.exit_code == 0, result.output
    files = resolve(str(tiny_marian), cache_dir=model_cache)
    engine = create_engine("ctranslate2", files, cache_dir=model_cache)
    assert not engine.fits(long_sentence, src="en", tgt="fr")
    assert long_sentence not in sent
    assert all(engine.fits(piece, src="en", tgt="fr") for piece in sent)
    with sqlite3.connect(db) as conn:
        pieces = conn.execute("SELECT pieces FROM translations WHERE source = ?", (long_sentence,)).fetchone()[0]
        short = conn.execute("SELECT pieces FROM translations WHERE source = 'Short one.'").fetchone()[0]
    assert pieces > 1 and short == 1


def test_catalogue_lists_every_family(tmp_path, monkeypatch, cli):
    monkeypatch.setenv("BITEXT_CACHE_DIR", str(tmp_path))  # not the user's real cache
    models = catalogue()
    assert {"opus-mt-en-zh", "opus-mt-en-fr", "opus-mt-tc-big-en-fr", "opus-mt", "nllb-200-distilled-600m",
            "m2m100-418m", "qwen2.5-coder-1.5b-instruct"} <= set(models)
    assert models["opus-mt-en-zh"].targets["zh"].token == ">>cmn_Hans<<"
    assert models["nllb-200-distilled-600m"].targets["fr"].token == "fra_Latn"
    assert models["m2m100-418m"].targets["zh"].token == "__zh__"
    per_language = models["opus-mt"]
    assert per_language.source_for("zh").repo == "Helsinki-NLP/opus-mt-en-zh"
    assert per_language.source_for("fr").repo == "Helsinki-NLP/opus-mt-en-fr"
    result = cli.invoke(app, ["models", "list"])
    assert result.exit_code == 0
    for name in models:
        assert name in result.stdout
    assert f"cache: {tmp_path}" in result.stdout


def test_a_model_without_the_target_language_is_refused(tmp_path):
    with pytest.raises(ModelError, match="opus-mt-en-zh does not translate into fr; it knows: zh"):
        resolve("opus-mt-en-zh", cache_dir=tmp_path, lang="fr")


def test_hub_download_fails_fast_and_clearly_when_unreachable(tmp_path):
    # A closed port on this machine: the Hub is unreachable whatever the network.
    env = {**os.environ, "HF_ENDPOINT": "http://127.0.0.1:9", "BITEXT_CACHE_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "models", "prepare", "opus-mt-en-fr"],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot download Helsinki-NLP/opus-mt-en-fr from the Hugging Face Hub" in errors[0]
    assert "Traceback" not in result.stderr
    hub = tmp_path / "hub"
    assert not hub.exists() or list(hub.iterdir()) == []


def test_catalogue_hub_model_downloads_once_into_the_cache(tiny_marian, tmp_path, monkeypatch):
    """The Hub itself is out of reach here: a test double copies a tiny model instead."""
    import shutil

    import huggingface_hub

    calls = []

    def fake_snapshot_download(repo_id, *, local_dir, **kwargs):
        calls.append(repo_id)
        shutil.copytree(tiny_marian, local_dir, dirs_exist_ok=True)
        return str(local_dir)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    files = resolve("opus-mt-en-fr", cache_dir=tmp_path, lang="fr")
    again = resolve("opus-mt-en-fr", cache_dir=tmp_path, lang="fr")
    assert calls == ["Helsinki-NLP/opus-mt-en-fr"]
    assert files.name == "opus-mt-en-fr" and files.family == "seq2seq"
    assert files.identity == again.identity == resolve(str(tiny_marian), cache_dir=tmp_path).identity
    assert files.decoding["beam_size"] == 4


def test_an_interrupted_hub_download_leaves_nothing_that_looks_complete(tiny_marian, tmp_path, monkeypatch):
    import shutil

    import huggingface_hub

    def failing_download(repo_id, *, local_dir, **kwargs):
        shutil.copy(tiny_marian / "config.json", local_dir)
        raise OSError("connection reset")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", failing_download)
    with pytest.raises(ModelError, match="cannot download Helsinki-NLP/opus-mt-en-fr.*connection reset"):
        resolve("opus-mt-en-fr", cache_dir=tmp_path, lang="fr")
    assert list((tmp_path / "hub").iterdir()) == []
