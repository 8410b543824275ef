"""The language table holds every fact the other modules need of each language bitext
translates into, and those modules read it from there."""

import re

import pytest

from pipeline.alignment import join_sentences, length_prior
from pipeline.alignment.web_editions import HREFLANG_RANK
from pipeline.evaluate import score
from pipeline.glossary import HEADER_NAMES
from pipeline.languages import (
    HAN_CHARACTERS,
    LANGUAGES,
    SOURCE_LANGUAGE,
    TARGET_LANGUAGES,
    bleu_tokenizer,
    flores_devtest,
    sentence_joiner,
)
from pipeline.text_measures import HAN

# What the modules did before the facts moved into the table: the same values, written out.
EXPECTED = {
    "zh": {
        "flores": "zho_Hans", "sentence_joiner": "", "bleu_tokenizer": "zh", "characters_per_english": 0.328,
        "length_ratio": (0.12, 0.9), "marian_tokens": (">>cmn_Hans<<", ">>zho_Hans<<", ">>cmn<<", ">>zho<<", ">>zh<<"),
        "hreflang": (("zh-hans", "zh-cn", "zh-sg", "zh-hans-cn"), ("zh",)), "column_names": ("zh", "chinese", "中文"),
    },
    "fr": {
        "flores": "fra_Latn", "sentence_joiner": " ", "bleu_tokenizer": "13a", "characters_per_english": 1.195,
        "length_ratio": (0.6, 2.2), "marian_tokens": (">>fra<<", ">>fr<<"), "hreflang": (("fr",),),
        "column_names": ("fr", "french", "français"),
    },
}


def test_every_target_language_has_its_facts():
    assert set(EXPECTED) == set(TARGET_LANGUAGES)
    for code in TARGET_LANGUAGES:
        language = LANGUAGES[code]
        assert language.code == code
        for field, value in EXPECTED[code].items():
            assert getattr(language, field) == value, (code, field)
        low, high = language.length_ratio
        # The usual length lies inside the bounds the length_ratio flag allows.
        assert low < language.characters_per_english < high
        assert language.native.casefold() in language.column_names


@pytest.mark.parametrize("code", TARGET_LANGUAGES)
def test_modules_read_the_table(code):
    language = LANGUAGES[code]
    assert sentence_joiner(code) == language.sentence_joiner
    assert join_sentences([" One. ", "Two."], code) == f"One.{language.sentence_joiner}Two."
    assert bleu_tokenizer(code) == language.bleu_tokenizer
    assert f"tok:{language.bleu_tokenizer}" in score(["a b c d"], ["a b c d"], tgt=code).bleu_signature
    assert length_prior(SOURCE_LANGUAGE, code) == pytest.approx(
        language.characters_per_english / LANGUAGES[SOURCE_LANGUAGE].characters_per_english)
    assert flores_devtest(code) == f"{language.flores}.devtest"
    for rank, tier in enumerate(language.hreflang):
        assert all(HREFLANG_RANK[tag] == rank for tag in tier)
    assert all(HEADER_NAMES[name] == code for name in language.column_names)


def test_unknown_languages_keep_the_defaults():
    assert sentence_joiner("de") == " "
    assert bleu_tokenizer("de") == "13a"
    assert length_prior("en", "de") is None


def test_one_han_range():
    assert HAN.pattern == f"[{HAN_CHARACTERS}]"
    assert all(HAN.fullmatch(c) for c in "中文㐀豈")  # unified, Extension A, compatibility
    assert not any(HAN.search(c) for c in "aé。，")
    assert re.fullmatch(f"[{HAN_CHARACTERS}]+", "简体中文")


def test_each_inputs_language_is_parsed_in_order_with_repeats_kept():
    from pipeline.errors import BitextError
    from pipeline.languages import parse_languages

    assert parse_languages("en, zh,zh") == ["en", "zh", "zh"]  # a second zh edition is align's to refuse
    with pytest.raises(BitextError, match="unknown language 'de'; choose one of: en, zh, fr"):
        parse_languages("en,de")
