"""Build tiny random-weight models with tokenizers trained on a few lines.

They are saved with ``save_pretrained`` and then loaded back through exactly the code
users run, so the tests exercise real loading, conversion and generation.
"""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = [
    "China will further upgrade its policies, experts said at a symposium on Friday.",
    "The event was organized by the city's society for rural studies.",
    "\"We must ensure people's well-being,\" the director said.",
    "More than 170 participants attended the meeting in Beijing.",
    "The plan covers the period from 2021 to 2025.",
    "中国将进一步提升政策水平，专家在周五的研讨会上说。",
    "超过170名代表参加了会议。",
    "La Chine va renforcer ses politiques, ont déclaré des experts vendredi.",
    "Plus de 170 participants ont assisté à la réunion.",
    "Translate into Simplified Chinese: Translate into French:",
    "You are a professional news translator. Reply with the translation only.",
]

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def build_tiny_qwen(folder: Path) -> Path:
    """A 2-layer Qwen2-style chat model with a byte-level BPE tokenizer and ChatML template."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=special, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    bpe.train_from_iterator(CORPUS, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>", unk_token=None
    )
    tokenizer.chat_template = CHATML_TEMPLATE
    torch.manual_seed(0)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    model = Qwen2ForCausalLM(config).eval()
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def build_tiny_gguf(hf_folder: Path, path: Path, *, tensor_type: str = "F32", tied: bool = False,
                    architecture: str = "qwen2") -> Path:
    """A tiny Qwen2 model (``build_tiny_qwen``'s folder) as a GGUF file, as llama.cpp names
    its tensors and metadata. ``tensor_type``: F32, or Q8_0 for the matrices (vectors stay
    F32, as llama.cpp keeps them); ``tied``: no output matrix, the embeddings project the
    output; ``architecture``: the name written into the metadata."""
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    config = json.loads((hf_folder / "config.json").read_text())
    tokenizer = json.loads((hf_folder / "tokenizer.json").read_text())
    writer = gguf.GGUFWriter(str(path), architecture)
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_head_count_kv(config["num_key_value_heads"])
    writer.add_rope_freq_base(config["rope_parameters"]["rope_theta"])
    writer.add_layer_norm_rms_eps(config["rms_norm_eps"])
    added = {token["content"]: token["id"] for token in tokenizer["added_tokens"]}
    vocab = sorted({**tokenizer["model"]["vocab"], **added}.items(), key=lambda item: item[1])
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2")
    writer.add_token_list([token for token, _ in vocab])
    writer.add_token_types([3 if token in added else 1 for token, _ in vocab])  # 3: control
    writer.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in tokenizer["model"]["merges"]])
    writer.add_eos_token_id(config["eos_token_id"])
    writer.add_pad_token_id(config["pad_token_id"])
    writer.add_chat_template(CHATML_TEMPLATE)
    names = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
             "lm_head.weight": "output.weight"}
    layer = {"input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm", "self_attn.q_proj": "attn_q",
             "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output",
             "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}
    for n in range(config["num_hidden_layers"]):
        for hf_name, gguf_name in layer.items():
            for kind in ("weight", "bias"):
                names[f"model.layers.{n}.{hf_name}.{kind}"] = f"blk.{n}.{gguf_name}.{kind}"
    quantized = gguf.GGMLQuantizationType[tensor_type]
    for name, array in load_file(str(hf_folder / "model.safetensors")).items():
        if tied and name == "lm_head.weight":
            continue
        array = np.ascontiguousarray(array, dtype=np.float32)
        if array.ndim == 2 and quantized != gguf.GGMLQuantizationType.F32:
            writer.add_tensor(names[name], gguf.quants.quantize(array, quantized), raw_dtype=quantized)
        else:
            writer.add_tensor(names[name], array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def build_tiny_marian(folder: Path, *, target_tokens: tuple[str, ...] = (), max_positions: int = 64) -> Path:
    """A 1+1-layer Marian model with sentencepiece source/target models trained on a few lines.

    ``target_tokens`` (e.g. ``>>cmn_Hans<<``) make it multi-target like some Opus-MT models.
    """
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    work = folder / "spm-training"
    work.mkdir(exist_ok=True)
    (work / "corpus.txt").write_text("\n".join(CORPUS) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(work / "corpus.txt"),
        model_prefix=str(work / "spm"),
        vocab_size=200,
        character_coverage=1.0,
        model_type="unigram",
        bos_id=-1,
        eos_id=0,
        unk_id=1,
        pad_id=-1,
        hard_vocab_limit=False,
        minloglevel=2,
        user_defined_symbols=list(target_tokens),
    )
    processor = spm.SentencePieceProcessor(model_file=str(work / "spm.model"))
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    # As in Opus-MT: </s> = 0, <unk> = 1, and <pad> last (it also starts the decoder).
    vocab = {piece: i for i, piece in enumerate(pieces)}
    vocab["<pad>"] = len(vocab)
    (work / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(str(work / "spm.model"), str(work / "spm.model"), str(work / "vocab.json"))
    torch.manual_seed(0)
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=max_positions,
        pad_token_id=vocab["<pad>"],
        eos_token_id=0,
        decoder_start_token_id=vocab["<pad>"],
        forced_eos_token_id=0,
        share_encoder_decoder_embeddings=True,
        activation_function="swish",  # as in Opus-MT
        scale_embedding=True,
        init_std=0.5,  # large random weights give clear argmax margins, so engines can be compared
    )
    model = MarianMTModel(config).eval()
    with torch.no_grad():  # Marian starts decoding from a zero <pad> embedding, as CTranslate2 assumes
        model.get_input_embeddings().weight[vocab["<pad>"]] = 0
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    import shutil

    shutil.rmtree(work)
    return folder


def _m2m100_model(folder: Path, tokenizer, *, decoder_start: int, vocab_size: int) -> Path:
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration

    torch.manual_seed(0)
    config = M2M100Config(
        vocab_size=vocab_size,
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=64,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=decoder_start,
        scale_embedding=True,
        init_std=0.5,  # large random weights give clear argmax margins, so engines can be compared
    )
    model = M2M100ForConditionalGeneration(config).eval()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def build_tiny_nllb(folder: Path) -> Path:
    """An NLLB-style model: M2M100 architecture, NllbTokenizer with its 200 language codes."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import NllbTokenizer

    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.Metaspace()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<s>", "<pad>", "</s>", "<unk>"])
    bpe.train_from_iterator(CORPUS, trainer=trainer)
    data = json.loads(bpe.to_str())
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split()) for m in data["model"]["merges"]]
    tokenizer = NllbTokenizer(vocab=data["model"]["vocab"], merges=merges, src_lang="eng_Latn")
    folder.mkdir(parents=True, exist_ok=True)
    # NLLB starts decoding from </s>, then the forced target-language code.
    return _m2m100_model(folder, tokenizer, decoder_start=tokenizer.eos_token_id, vocab_size=len(tokenizer))


def build_tiny_m2m100(folder: Path) -> Path:
    """An M2M100 model with its own tokenizer: sentencepiece + vocab.json + __xx__ language tokens."""
    import sentencepiece as spm
    from transformers import M2M100Tokenizer

    folder.mkdir(parents=True, exist_ok=True)
    work = folder / "spm-training"
    work.mkdir(exist_ok=True)
    (work / "corpus.txt").write_text("\n".join(CORPUS) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(work / "corpus.txt"), model_prefix=str(work / "spm"), vocab_size=200,
        character_coverage=1.0, hard_vocab_limit=False, minloglevel=2,
    )
    processor = spm.SentencePieceProcessor(model_file=str(work / "spm.model"))
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for i in range(processor.get_piece_size()):
        vocab.setdefault(processor.id_to_piece(i), len(vocab))
    (work / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = M2M100Tokenizer(str(work / "vocab.json"), str(work / "spm.model"), src_lang="en")
    # As in M2M100: the vocabulary, then 100 language tokens, then "made-up" filler words.
    size = max(tokenizer.lang_token_to_id.values()) + 1 + tokenizer.num_madeup_words
    _m2m100_model(folder, tokenizer, decoder_start=tokenizer.eos_token_id, vocab_size=size)
    import shutil

    shutil.rmtree(work)
    return folder
