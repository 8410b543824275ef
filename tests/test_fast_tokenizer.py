"""The CTranslate2 engine's tokenizer without transformers: the same ids and text, token
for token, and no torch or transformers imported by a translation."""

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import jinja2
import pytest

from pipeline.engines import DecodingOptions, create_engine
from pipeline.engines.base import stop_token_ids
from pipeline.engines.convert import (
    TOKENIZER_FOLDER,
    converted_compute_type,
    converted_dirs,
    converted_tokenizer,
    ctranslate2_dir,
    is_converted,
    save_converted_tokenizer,
)
from pipeline.engines.fast_tokenizer import FastTokenizer, chat_template_environment, fast_tokenizer_saved
from pipeline.engines.prompts import Hints, banned_sequences, prompt_ids, shared_prompt_prefix
from pipeline.model import resolve

SENTENCES = [
    "The ferry returned on Monday after two years of repairs.",
    '"We waited 15 years," said Maria Lopez, 62.',
    "Exports rose 7.5% in Q1 — the bureau said.  Two  spaces,\ttabs\nand lines.",
    "A café in Zürich (cafe\u0301 spelt apart) served 中国 tea.",  # the second "café" is NFD
    "Tokens in text stay text: <|im_end|> and <|endoftext|>.",
]
HINTS = [
    Hints(),
    Hints(terms=(("Belt and Road", "一带一路"),)),
    Hints(words=("smugglers", "alleged")),
    Hints(context=("City opens new library", "The library opened on Friday.")),
    Hints(terms=(("ferry", "渡轮"),), words=("repairs",), context=("Harbour news",)),
]
VARIANTS = [dict(examples=examples, strict=strict) for examples in (False, True) for strict in (False, True)]


def assert_same_tokens(fast, reference) -> None:
    """``fast`` gives what ``reference`` (transformers' tokenizer) gives, for everything the
    engines ask: every prompt variant in both languages, the shared prefix, the answers
    decoded, the stop tokens and the banned sequences."""
    for tgt in ("zh", "fr"):
        for variant in VARIANTS:
            assert shared_prompt_prefix(fast, src="en", tgt=tgt, **variant) == shared_prompt_prefix(
                reference, src="en", tgt=tgt, **variant)
            for text in SENTENCES:
                for hints in HINTS:
                    ids = prompt_ids(fast, text, src="en", tgt=tgt, hints=hints, **variant)
                    assert ids == prompt_ids(reference, text, src="en", tgt=tgt, hints=hints, **variant), (text, hints)
    for text in SENTENCES:
        ids = reference.encode(text, add_special_tokens=False)
        assert fast.encode(text, add_special_tokens=False) == ids
        assert fast.encode(text) == reference.encode(text)
        assert fast.convert_ids_to_tokens(ids) == reference.convert_ids_to_tokens(ids)
        assert fast.convert_tokens_to_ids(fast.convert_ids_to_tokens(ids)) == ids
        # An answer as CTranslate2 returns it: special tokens among the text ones.
        answer = [*ids, *stop_token_ids(reference)]
        for skip in (True, False):
            assert fast.decode(answer, skip_special_tokens=skip) == reference.decode(answer, skip_special_tokens=skip)
    assert stop_token_ids(fast) == stop_token_ids(reference)
    assert fast.eos_token_id == reference.eos_token_id
    assert fast.get_vocab() == reference.get_vocab()
    words = {"smugglers", "alleged", "Cocktail", "empowered", "antibodies"}
    assert banned_sequences(fast, words) == banned_sequences(reference, words)


def test_a_converted_chat_model_loads_its_tokenizer_without_transformers(tiny_qwen, model_cache):
    from transformers import AutoTokenizer

    files = resolve(str(tiny_qwen), cache_dir=model_cache)
    engine = create_engine("ctranslate2", files, cache_dir=model_cache, options=DecodingOptions(max_new_tokens=6))
    engine.load()
    folder = ctranslate2_dir(files, cache_dir=model_cache, compute_type="int8")
    tokenizer = converted_tokenizer(folder)
    assert isinstance(tokenizer, FastTokenizer) and isinstance(engine._load()[1], FastTokenizer)
    assert_same_tokens(tokenizer, AutoTokenizer.from_pretrained(folder / TOKENIZER_FOLDER))


def test_an_older_conversion_gets_its_tokenizer_written_down_once(tiny_qwen, tmp_path):
    """A chat model converted before bitext wrote its tokenizer down (the default model in
    many caches) gets it on its next start, checksums included, and loads without
    transformers from then on."""
    from pipeline.engines.convert import CHECKSUMS_FILE, ensure_ctranslate2, verify_converted
    from pipeline.engines.fast_tokenizer import FAST_TOKENIZER_FILE

    files = resolve(str(tiny_qwen), cache_dir=tmp_path)
    folder = ensure_ctranslate2(files, cache_dir=tmp_path)
    (folder / TOKENIZER_FOLDER / FAST_TOKENIZER_FILE).unlink()  # as an older conversion left it
    records = json.loads((folder / CHECKSUMS_FILE).read_text(encoding="utf-8"))
    del records[f"{TOKENIZER_FOLDER}/{FAST_TOKENIZER_FILE}"]
    (folder / CHECKSUMS_FILE).write_text(json.dumps(records), encoding="utf-8")
    assert not isinstance(converted_tokenizer(folder), FastTokenizer)
    assert ensure_ctranslate2(files, cache_dir=tmp_path) == folder
    assert isinstance(converted_tokenizer(folder), FastTokenizer)
    verify_converted(folder, name=files.name, full=True)  # every byte matches its checksum
    assert not [p for p in folder.iterdir() if p.name.startswith(".tokenizer-")]


def test_seq2seq_tokenizers_still_load_with_transformers(tiny_marian, model_cache):
    files = resolve(str(tiny_marian), cache_dir=model_cache)
    create_engine("ctranslate2", files, cache_dir=model_cache, options=DecodingOptions(compute_type="float32")).load()
    folder = ctranslate2_dir(files, cache_dir=model_cache, compute_type="float32")
    assert not fast_tokenizer_saved(folder / TOKENIZER_FOLDER)
    assert not isinstance(converted_tokenizer(folder), FastTokenizer)


def test_a_translation_imports_neither_torch_nor_transformers(tiny_qwen, model_cache):
    files = resolve(str(tiny_qwen), cache_dir=model_cache)
    options = DecodingOptions(max_new_tokens=6)
    engine = create_engine("ctranslate2", files, cache_dir=model_cache, options=options)
    expected = engine.translate(["The ferry returned on Monday."], src="en", tgt="zh")  # converts here, if not yet
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from pipeline.engines import DecodingOptions, create_engine
        from pipeline.model import resolve

        cache = Path({str(model_cache)!r})
        engine = create_engine("ctranslate2", resolve({str(tiny_qwen)!r}, cache_dir=cache), cache_dir=cache,
                               options=DecodingOptions(max_new_tokens=6))
        print(engine.translate(["The ferry returned on Monday."], src="en", tgt="zh"))
        print(sorted({{name.split(".")[0] for name in sys.modules}} & {{"torch", "transformers"}}))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                            cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stderr
    translation, heavy = result.stdout.splitlines()[-2:]
    assert translation == repr(expected)
    assert heavy == "[]"


def test_the_chat_template_environment_has_what_templates_use():
    template = chat_template_environment().from_string(
        "{% for m in messages %}{% if m.skip %}{% continue %}{% endif %}{{ m | tojson }}\n{% endfor %}"
        "{% generation %}{{ 'ok' }}{% endgeneration %}"
        "{% if fail %}{{ raise_exception('no ' + fail) }}{% endif %}"
    )
    assert template.render(messages=[{"a": "中<b>"}, {"skip": True}]) == '{"a": "中<b>"}\nok'
    with pytest.raises(jinja2.exceptions.TemplateError, match="no system"):
        template.render(messages=[], fail="system")


@pytest.mark.model
def test_the_default_models_tokenizer_matches_transformers(tmp_path):
    """The default model's converted tokenizer, written down as a conversion does (into a
    copy: the prepared folder stays as it is), gives transformers' ids; and transformers
    reads the rewritten folder as it read the original (the signature's promise)."""
    from transformers import AutoTokenizer

    from pipeline.model import DEFAULT_MODEL, default_cache_dir

    prepared = [path for path in converted_dirs(DEFAULT_MODEL, default_cache_dir())
                if converted_compute_type(path) == "int8" and is_converted(path)]
    if not prepared:
        pytest.skip(f"the default model is not converted for CTranslate2 in {default_cache_dir()}: "
                    "run `bitext models prepare` first")
    folder = prepared[-1]
    original = folder / TOKENIZER_FOLDER
    reference = AutoTokenizer.from_pretrained(original)
    copy = tmp_path / "tokenizer"
    if fast_tokenizer_saved(original):
        shutil.copytree(original, copy)
    else:  # converted before the tokenizer was written down
        save_converted_tokenizer(reference, copy, fast=True)
    assert_same_tokens(FastTokenizer(copy), reference)
    assert_same_tokens(AutoTokenizer.from_pretrained(copy), reference)
