"""Engines on tiny real models: conversion, prompts, batching, signatures."""

import re

import pytest

from pipeline.engines import DecodingOptions, create_engine
from pipeline.engines.base import length_sorted_batches
from pipeline.engines.convert import ctranslate2_dir
from pipeline.engines.prompts import PROMPT_VERSION, Hints, banned_sequences, chat_messages, prompt_ids
from pipeline.model import resolve
from pipeline.text_measures import HAN

TEXTS = ["Riders cheered.", "The ferry returned on Monday after two years of repairs.", "Hello."]


@pytest.mark.parametrize("model_fixture", ["tiny_qwen", "tiny_marian", "tiny_opus_multi", "tiny_nllb", "tiny_m2m100"])
def test_both_engines_agree_on_greedy_output(request, model_fixture, model_cache):
    files = resolve(str(request.getfixturevalue(model_fixture)), cache_dir=model_cache)
    ct2 = create_engine("ctranslate2", files, cache_dir=model_cache,
                        options=DecodingOptions(compute_type="float32", max_new_tokens=6))
    hf = create_engine("transformers", files, cache_dir=model_cache, options=DecodingOptions(max_new_tokens=6))
    for tgt in ("zh", "fr"):
        ct2_out = ct2.translate(TEXTS, src="en", tgt=tgt)
        hf_out = hf.translate(TEXTS, src="en", tgt=tgt)
        assert len(ct2_out) == len(hf_out) == len(TEXTS)
        assert all(ct2_out) and ct2_out == hf_out
    assert ctranslate2_dir(files, cache_dir=model_cache, compute_type="float32").is_dir()


def test_seq2seq_models_translate_on_both_engines(tiny_marian, model_cache):
    """Beam search (the seq2seq default) on both engines: the same translations, none an echo."""
    files = resolve(str(tiny_marian), cache_dir=model_cache)
    outputs = {engine: create_engine(engine, files, cache_dir=model_cache, options=DecodingOptions(
        max_new_tokens=6, compute_type="float32")).translate(TEXTS, src="en", tgt="fr")
        for engine in ("ctranslate2", "transformers")}
    assert outputs["ctranslate2"] == outputs["transformers"]
    assert all(output and output != text for output, text in zip(outputs["ctranslate2"], TEXTS, strict=True))


def test_batching_does_not_change_results_or_order(tiny_qwen, model_cache):
    files = resolve(str(tiny_qwen), cache_dir=model_cache)
    one = create_engine("ctranslate2", files, cache_dir=model_cache,
                        options=DecodingOptions(batch_size=1, max_new_tokens=5))
    many = create_engine("ctranslate2", files, cache_dir=model_cache,
                         options=DecodingOptions(batch_size=32, max_new_tokens=5))
    together = many.translate(TEXTS, src="en", tgt="zh")
    assert all(together) and one.translate(TEXTS, src="en", tgt="zh") == together
    assert [one.translate([t], src="en", tgt="zh")[0] for t in TEXTS] == one.translate(TEXTS, src="en", tgt="zh")


def test_signature_names_engine_model_version_and_settings(tiny_qwen, model_cache):
    files = resolve(str(tiny_qwen), cache_dir=model_cache)
    signature = create_engine("ctranslate2", files, cache_dir=model_cache,
                              options=DecodingOptions(max_new_tokens=7)).signature()
    fields = signature.as_dict()
    assert fields["engine"] == "ctranslate2"
    assert fields["model"] == f"tiny-qwen@{files.identity[:12]}"
    assert fields["compute"] == "int8" and fields["decode"] == "greedy" and fields["max_new"] == "7"
    assert "version" in fields and "prompt" in fields
    assert type(signature).parse(str(signature)) == signature


def test_prompt_names_the_target_language_and_holds_the_sentence():
    system, user = chat_messages("The ferry returned.", src="en", tgt="zh")
    assert system["role"] == "system" and "translation only" in system["content"]
    assert "Simplified Chinese" in user["content"] and "The ferry returned." in user["content"]
    assert "French" in chat_messages("x", src="en", tgt="fr")[-1]["content"]


@pytest.mark.parametrize("tgt", ["zh", "fr"])
def test_worked_examples_come_before_the_sentence_as_earlier_turns(tgt):
    messages = chat_messages("The ferry returned.", src="en", tgt=tgt, examples=True)
    roles = [message["role"] for message in messages]
    assert roles[0] == "system" and roles[-1] == "user" and len(roles) >= 2 + 2 * 2
    assert roles[1:-1] == ["user", "assistant"] * ((len(roles) - 2) // 2)
    assert "The ferry returned." in messages[-1]["content"]
    answers = " ".join(message["content"] for message in messages if message["role"] == "assistant")
    assert HAN.search(answers) if tgt == "zh" else not HAN.search(answers)


def test_worked_examples_are_in_the_cached_prompt_prefix(tiny_qwen):
    from transformers import AutoTokenizer

    from pipeline.engines.prompts import prompt_ids, shared_prompt_prefix

    tokenizer = AutoTokenizer.from_pretrained(tiny_qwen)
    plain = shared_prompt_prefix(tokenizer, src="en", tgt="fr")
    with_examples = shared_prompt_prefix(tokenizer, src="en", tgt="fr", examples=True)
    assert len(with_examples) > len(plain) + 50  # the examples ride in the static prompt
    ids = prompt_ids(tokenizer, "The ferry returned.", src="en", tgt="fr", examples=True)
    assert ids[: len(with_examples)] == with_examples and len(ids) > len(with_examples)


def test_signature_says_whether_the_prompt_had_examples(tiny_qwen, model_cache, monkeypatch):
    from pipeline.engines import ct2

    files = resolve(str(tiny_qwen), cache_dir=model_cache)
    told = []  # what each engine asked the model: examples in the prompt or not
    monkeypatch.setattr(ct2, "prompt_ids", lambda *args, **kwargs: told.append(kwargs["examples"])
                        or prompt_ids(*args, **kwargs))
    for examples, prompt in ((True, f"{PROMPT_VERSION}+examples"), (False, PROMPT_VERSION)):
        engine = create_engine("ctranslate2", files, cache_dir=model_cache,
                               options=DecodingOptions(prompt_examples=examples, max_new_tokens=2))
        assert engine.signature().as_dict()["prompt"] == prompt
        told.clear()
        engine.translate(["Riders cheered."], src="en", tgt="zh")
        assert told == [examples]
    assert len(chat_messages("Hi.", src="en", tgt="zh", examples=True)) > len(chat_messages("Hi.", src="en", tgt="zh"))


def test_length_sorted_batches_cover_every_item_once():
    items = ["a" * n for n in (3, 9, 1, 7, 5)]
    batches = list(length_sorted_batches(items, batch_size=2, length=len))
    assert batches == [[1, 3], [4, 0], [2]]


def test_token_batches_hold_at_most_batch_size_padded_tokens():
    items = ["a" * n for n in (3, 9, 1, 7, 5)]
    batches = list(length_sorted_batches(items, batch_size=16, length=len, by_tokens=True))
    assert batches == [[1], [3, 4], [0, 2]]  # 9 | 7+7 | 3+3
    assert list(length_sorted_batches(["a" * 40], batch_size=16, length=len, by_tokens=True)) == [[0]]


def test_words_a_retry_names_are_kept_out_of_the_answer_on_both_engines(tiny_qwen, model_cache):
    files = resolve(str(tiny_qwen), cache_dir=model_cache)
    ct2 = create_engine("ctranslate2", files, cache_dir=model_cache,
                        options=DecodingOptions(compute_type="float32", max_new_tokens=6, strict_prompt=True))
    hf = create_engine("transformers", files, cache_dir=model_cache,
                       options=DecodingOptions(max_new_tokens=6, strict_prompt=True))
    (first,) = ct2.translate(TEXTS[:1], src="en", tgt="zh")
    word = re.findall(r"[a-z]{2,}", first)[-1]  # what the random model writes: told to leave it out
    told = [Hints(words=(word,))]
    kept_out = ct2.translate(TEXTS[:1], src="en", tgt="zh", hints=told)
    assert kept_out == hf.translate(TEXTS[:1], src="en", tgt="zh", hints=told)
    assert kept_out[0] != first and word not in re.findall(r"[a-z]+", kept_out[0])


def test_banned_sequences_spell_a_word_as_a_model_would_write_it(tiny_qwen):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_qwen)
    spelled = {tokenizer.decode(ids) for ids in banned_sequences(tokenizer, ["Ferry"])}
    assert {"Ferry", " Ferry", "ferry", " ferry", "ferrys", " ferryed", "ferrying"} <= spelled
    assert not any(form.startswith(("FERRY", " FERRY")) for form in spelled)
    banned = {tokenizer.decode(ids) for ids in banned_sequences(tokenizer, ["ferries"])}
    assert {"ferry", " ferry", "ferrying"} <= banned
    assert banned_sequences(tokenizer, []) == []
