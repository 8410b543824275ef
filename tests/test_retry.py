"""Retry of flagged translations: other decodings tried, the best kept, what happened recorded."""

import sqlite3

from pipeline.document import Signature
from pipeline.engines import DecodingOptions, create_engine
from pipeline.model import resolve
from pipeline.translate import RETRY_DECODINGS, retry_decodings, translate_texts, translation_signature

SOURCE = "The ferry carried 2,400 riders on Monday."


class ScriptedEngine:
    """A test double: answers by decoding, as a real model's beam or samples might."""

    def __init__(self, answers, decoding="greedy", calls=None):
        self.answers, self.decoding = answers, decoding
        self.calls = calls if calls is not None else []

    def translate(self, texts, *, src, tgt, hints=None):
        self.calls.append((self.decoding, tuple(texts), hints))
        return [self.answers[self.decoding].get(text, "渡轮周一运送了2400名乘客。") for text in texts]

    def fits(self, text, *, src, tgt):
        return True

    def variant(self, **changes):
        name = "beam4" if changes.get("beam_size") == 4 else "strict"
        return ScriptedEngine(self.answers, name, self.calls)

    def signature(self):
        return Signature("scripted", "answers", (("decode", self.decoding),))


def test_a_flagged_translation_is_decoded_again_and_the_better_one_kept():
    engine = ScriptedEngine({"greedy": {SOURCE: "The ferry carried many riders."},
                             "strict": {SOURCE: "渡轮周一运送了2400名乘客。"}, "beam4": {}})
    result = translate_texts(engine, [SOURCE, "Riders cheered."], src="en", tgt="zh", memory={}, retries=2)
    first, second = result.translations
    assert first.text == "渡轮周一运送了2400名乘客。" and first.flags == ()
    assert first.retry == "tried strict; kept strict"  # clean after the strict prompt: beam 4 not needed
    assert second.retry is None and result.retried == 1
    assert [decoding for decoding, _, _ in engine.calls] == ["greedy", "strict"]
    assert engine.calls[1][1] == (SOURCE,)  # only the flagged text is decoded again


def test_beam_search_is_tried_when_the_strict_prompt_leaves_a_flag():
    bad = "The ferry carried many riders."
    engine = ScriptedEngine({"greedy": {SOURCE: bad}, "strict": {SOURCE: bad},
                             "beam4": {SOURCE: "渡轮周一运送了2400名乘客。"}})
    (kept,) = translate_texts(engine, [SOURCE], src="en", tgt="zh", memory={}, retries=2).translations
    assert kept.text == "渡轮周一运送了2400名乘客。" and kept.retry == "tried strict, beam4; kept beam4"


def test_retries_are_bounded_and_keep_the_first_when_nothing_is_better():
    bad = "The ferry carried many riders."
    engine = ScriptedEngine({"greedy": {SOURCE: bad}, "beam4": {SOURCE: bad}, "strict": {SOURCE: ""}})
    (kept,) = translate_texts(engine, [SOURCE], src="en", tgt="zh", memory={}, retries=2).translations
    assert kept.text == bad and kept.retry == "tried strict, beam4; kept the first"
    assert len(engine.calls) == 1 + 2
    engine.calls.clear()
    (once,) = translate_texts(engine, [SOURCE], src="en", tgt="zh", memory={}, retries=1).translations
    assert once.retry == "tried strict; kept the first" and len(engine.calls) == 2


def test_the_strict_retry_names_the_words_left_in_english():
    source = "A cocktail of antibodies showed promise."
    kept = "一种抗体 cocktail 显示出前景。"
    engine = ScriptedEngine({"greedy": {source: kept}, "beam4": {source: kept},
                             "strict": {source: "一种抗体混合物显示出前景。"}})
    (best,) = translate_texts(engine, [source], src="en", tgt="zh", memory={}, retries=1).translations
    assert best.text == "一种抗体混合物显示出前景。" and best.retry == "tried strict; kept strict"
    decoding, _, hints = engine.calls[-1]
    assert decoding == "strict" and [told.words for told in hints] == [("cocktail",)]  # the strict prompt names it


def test_a_word_to_translate_is_told_after_the_sentence():
    from pipeline.engines.prompts import Hints, chat_messages

    told = chat_messages("A cocktail of antibodies.", src="en", tgt="zh", hints=Hints(words=("cocktail",)))
    assert "Translate these English words into Simplified Chinese too: cocktail." in told[-1]["content"]
    assert "Required translations" not in told[-1]["content"]


def test_without_retries_nothing_is_decoded_again():
    engine = ScriptedEngine({"greedy": {SOURCE: "The ferry carried many riders."}})
    result = translate_texts(engine, [SOURCE], src="en", tgt="zh", memory={})
    assert result.translations[0].retry is None and result.retried == 0 and len(engine.calls) == 1


def test_retry_decodings_are_variants_of_the_engine_with_their_own_signatures(tiny_qwen, model_cache, monkeypatch):
    from pipeline.engines import ct2

    asked_strict = []  # whether each prompt the engines build is the strict one
    real_prompt_ids = ct2.prompt_ids
    monkeypatch.setattr(ct2, "prompt_ids", lambda *args, **kwargs: asked_strict.append(kwargs["strict"])
                        or real_prompt_ids(*args, **kwargs))
    files = resolve(str(tiny_qwen), cache_dir=model_cache)
    engine = create_engine("ctranslate2", files, cache_dir=model_cache, options=DecodingOptions(max_new_tokens=8))
    texts = ["The ferry returned on Monday.", "Riders cheered."]
    plain = engine.translate(texts, src="en", tgt="zh")
    (_, strict), (_, beam) = RETRY_DECODINGS
    assert engine.variant(**beam).signature().as_dict()["decode"] == "beam4"
    strict_engine = engine.variant(**strict)
    assert strict_engine.signature().as_dict()["prompt"].endswith("+strict")
    asked_strict.clear()
    strict_engine.translate(texts, src="en", tgt="zh")
    assert asked_strict == [True, True]  # the variant decodes with the strict prompt
    asked_strict.clear()
    assert strict_engine._model is engine._model  # one model in memory
    assert engine.translate(texts, src="en", tgt="zh") == plain  # the variants leave the engine as it was
    assert asked_strict == [False, False]
    assert engine.signature().as_dict()["decode"] == "greedy"
    assert translation_signature(engine, retries=2).as_dict()["retry"] == "strict,beam4"
    assert "retry" not in translation_signature(engine).as_dict()


def test_run_with_retries_records_them_in_the_store(tiny_qwen, model_cache, tmp_path, cli):
    from pipeline.cli import app

    page = tmp_path / "ferry.txt"
    page.write_text("Ferry back\n\nThe ferry carried 2,400 riders on Monday. Riders cheered on the pier.\n",
                    encoding="utf-8")
    db = tmp_path / "bitext.db"
    result = cli.invoke(app, ["run", str(page), "--to", "zh", "--db", str(db), "--model", str(tiny_qwen),
                              "--max-new-tokens", "6", "--cache-dir", str(model_cache), "--retries", "2"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT t.retry, s.signature FROM translations t JOIN signatures s ON s.id = t.signature_id"
                            ).fetchall()
    # A random tiny model's answers are flagged (wrong language, length): every one was retried.
    assert rows and all(retry and retry.startswith("tried strict") for retry, _ in rows)
    assert all("retry:strict,beam4" in signature for _, signature in rows)
    assert len(rows) > 1 and f"{len(rows)} flagged translations decoded again" in result.output


def test_a_run_retries_once_with_the_strict_prompt_by_default(tiny_qwen, model_cache, tmp_path, cli):
    from pipeline.cli import app

    page = tmp_path / "ferry.txt"
    page.write_text("Ferry back\n\nThe ferry carried 2,400 riders on Monday.\n", encoding="utf-8")
    db = tmp_path / "bitext.db"
    result = cli.invoke(app, ["run", str(page), "--to", "zh", "--db", str(db), "--model", str(tiny_qwen),
                              "--max-new-tokens", "6", "--cache-dir", str(model_cache)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT t.retry, s.signature FROM translations t JOIN signatures s ON s.id = t.signature_id"
                            ).fetchall()
    assert rows and all(retry == "tried strict; kept the first" or retry == "tried strict; kept strict"
                        for retry, _ in rows)
    assert all("retry:strict" in signature and "beam4" not in signature for _, signature in rows)


def test_a_model_without_a_prompt_is_not_retried_with_the_strict_prompt(tiny_marian, model_cache):
    files = resolve(str(tiny_marian), cache_dir=model_cache)
    engine = create_engine("ctranslate2", files, cache_dir=model_cache, options=DecodingOptions(max_new_tokens=8))
    # The strict prompt would decode exactly as the first attempt did: beam 4 comes first instead.
    assert [name for name, _ in retry_decodings(engine, 1)] == ["beam4"]
    assert translation_signature(engine, retries=1).as_dict()["retry"] == "beam4"
    beam = engine.variant(beam_size=4)
    assert retry_decodings(beam, 2) == () and "retry" not in translation_signature(beam, retries=2).as_dict()
