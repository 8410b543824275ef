"""GGUF files converted for CTranslate2 tensor by tensor (engines/gguf_convert.py), checked
against the whole-model path through transformers that every other model takes."""

import struct

import ctranslate2
import numpy as np
import pytest

from pipeline.engines import convert, gguf_convert
from pipeline.engines.convert import converted_tokenizer, ensure_ctranslate2, load_transformers
from pipeline.engines.gguf_convert import GGUFFile, convert_gguf
from pipeline.engines.prompts import prompt_ids
from pipeline.errors import ModelError
from pipeline.model import resolve
from tests.tiny_models import CORPUS, build_tiny_gguf

# (tensor type, tied embeddings) of the tiny GGUF files
VARIANTS = {"f32": ("F32", False), "q8_0": ("Q8_0", False), "q8_0-tied": ("Q8_0", True)}


@pytest.fixture(scope="session")
def tiny_ggufs(tiny_qwen, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ggufs")
    return {name: build_tiny_gguf(tiny_qwen, folder / f"tiny-{name}.gguf", tensor_type=tensor_type, tied=tied)
            for name, (tensor_type, tied) in VARIANTS.items()}


def saved_model(path):
    """(variables, aliases) of a CTranslate2 model.bin: each variable's bytes, each alias's target."""
    data, position = path.read_bytes(), 0

    def read(layout):
        nonlocal position
        values = struct.unpack_from(layout, data, position)
        position += struct.calcsize(layout)
        return values[0]

    def string():
        nonlocal position
        length = read("H")
        position += length
        return data[position - length : position - 1].decode()

    read("I"), string(), read("I")  # binary version, spec name, spec revision
    variables = {}
    for _ in range(read("I")):
        name = string()
        shape = [read("I") for _ in range(read("B"))]
        dtype, size = read("B"), read("I")
        variables[name] = (shape, dtype, data[position : position + size])
        position += size
    return variables, {string(): string() for _ in range(read("I"))}


def generations(folder, texts):
    """Greedy answers (token ids) of a converted model to the engine's own chat prompts."""
    tokenizer = converted_tokenizer(folder)
    generator = ctranslate2.Generator(str(folder), device="cpu")
    tokens = [tokenizer.convert_ids_to_tokens(prompt_ids(tokenizer, text, src="en", tgt=tgt))
              for text in texts for tgt in ("zh", "fr")]
    results = generator.generate_batch(tokens, max_length=12, sampling_topk=1, include_prompt_in_result=False)
    return [result.sequences_ids[0] for result in results]


@pytest.mark.parametrize("compute_type", ["int8", "int8_float16", "int16", "float32"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_a_streamed_conversion_is_the_transformers_conversion(variant, compute_type, tiny_ggufs, tmp_path,
                                                              monkeypatch):
    files = resolve(str(tiny_ggufs[variant]), cache_dir=tmp_path)
    steps = []
    with monkeypatch.context() as patch:
        patch.setattr(gguf_convert, "ROWS_PER_SLICE", 64)  # several slices of the vocabulary, the last one short
        streamed = ensure_ctranslate2(files, cache_dir=tmp_path / "streamed", compute_type=compute_type,
                                      progress=lambda message, done, total: steps.append(message))
    assert not any("with transformers" in step for step in steps), steps
    with monkeypatch.context() as patch:
        patch.setattr(convert, "STREAMED_ARCHITECTURES", ())
        whole = ensure_ctranslate2(files, cache_dir=tmp_path / "whole", compute_type=compute_type)
    assert streamed.name == whole.name
    for name in ("config.json", "vocabulary.json", "tokenizer/tokenizer.json", "tokenizer/chat_template.jinja"):
        assert (streamed / name).read_bytes() == (whole / name).read_bytes(), name
    if VARIANTS[variant][1]:
        # Tied embeddings: transformers shares one tensor, which CTranslate2 aliases and then
        # quantizes once (the projection has no scale of its own); here both are quantized
        # alike, so the projection's scale is the embeddings' (an alias, or int16's scalar).
        (variables, aliases), whole_model = saved_model(streamed / "model.bin"), saved_model(whole / "model.bin")
        scale = "decoder/projection/weight_scale"
        if compute_type.startswith("int8"):
            assert aliases.pop(scale) == "decoder/embeddings/weight_scale"
        elif compute_type == "int16":
            assert variables.pop(scale) == variables["decoder/embeddings/weight_scale"]
        assert (variables, aliases) == whole_model
    else:
        assert (streamed / "model.bin").read_bytes() == (whole / "model.bin").read_bytes()
    assert generations(streamed, CORPUS[:5]) == generations(whole, CORPUS[:5])


def test_the_file_is_parsed_once_for_weights_and_tokenizer(tiny_ggufs, tmp_path, monkeypatch):
    import gguf

    opened = []

    class CountingReader(gguf.GGUFReader):
        def __init__(self, path, *args, **kwargs):
            opened.append(path)
            super().__init__(path, *args, **kwargs)

    monkeypatch.setattr(gguf, "GGUFReader", CountingReader)
    files = resolve(str(tiny_ggufs["f32"]), cache_dir=tmp_path)
    folder = ensure_ctranslate2(files, cache_dir=tmp_path)
    assert len(opened) == 1 and gguf.GGUFReader is CountingReader
    assert converted_tokenizer(folder).get_vocab() == load_transformers(files)[1].get_vocab()


def test_tokenizers_read_from_several_threads_leave_gguf_as_it_was(tiny_ggufs):
    """GGUFFile lends its reader to transformers by swapping gguf's GGUFReader for a while:
    six threads reading tokenizers at once must each get theirs and leave the original."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    import gguf

    original = gguf.GGUFReader
    paths = [tiny_ggufs[name] for name in ("f32", "q8_0")] * 3
    start = Barrier(len(paths))

    def read(path):
        model = GGUFFile(path)
        start.wait()
        return model.tokenizer().get_vocab()

    with ThreadPoolExecutor(len(paths)) as pool:
        vocabularies = list(pool.map(read, paths))
    assert gguf.GGUFReader is original
    assert all(vocabulary == vocabularies[0] for vocabulary in vocabularies)


def test_de_quantized_tensors_are_transformers_own(tiny_ggufs, tmp_path):
    path = tiny_ggufs["q8_0"]
    model = GGUFFile(path)
    loaded, _ = load_transformers(resolve(str(path), cache_dir=tmp_path))
    weights = {name: tensor.detach().numpy() for name, tensor in loaded.state_dict().items()}
    for gguf_name, hf_name in [("token_embd.weight", "model.embed_tokens.weight"),
                               ("blk.1.attn_k.weight", "model.layers.1.self_attn.k_proj.weight"),
                               ("blk.0.attn_q.bias", "model.layers.0.self_attn.q_proj.bias")]:
        assert np.array_equal(model.tensor(gguf_name), weights[hf_name]), gguf_name
    assert np.array_equal(model.tensor("token_embd.weight", slice(5, 9)), weights["model.embed_tokens.weight"][5:9])


def test_an_architecture_not_streamed_is_refused_in_one_line_and_goes_to_transformers(tiny_qwen, tmp_path):
    path = build_tiny_gguf(tiny_qwen, tmp_path / "odd.gguf", architecture="nonesuch")
    with pytest.raises(ModelError) as refused:
        convert_gguf(GGUFFile(path), tmp_path / "out", tokenizer=None)
    message = str(refused.value)
    assert "GGUF architecture 'nonesuch' cannot be converted tensor by tensor; supported: qwen2" in message
    assert "\n" not in message and not (tmp_path / "out").exists()
    # ensure_ctranslate2 hands such a file to transformers, which knows more architectures (not this one).
    with pytest.raises(ModelError, match="cannot load model odd with transformers: .*nonesuch"):
        ensure_ctranslate2(resolve(str(path), cache_dir=tmp_path), cache_dir=tmp_path)
