#!/usr/bin/env python3
"""transformers vs CTranslate2 on the same model and inputs, side by side in one run.

Two models:

* ``opus``: a random-weight Marian model of Opus-MT's exact shape (d_model 512, 6+6
  layers, 8 heads, FFN 2048, vocabulary 58,101, 512 positions), built here since no hub
  is reachable; transformers float32 vs CTranslate2 float32 and int8.
* ``llm``: the default model (Qwen2.5-Coder-1.5B-Instruct) with real chat prompts for
  FLORES sentences; transformers float32 vs CTranslate2 int8, at several batch sizes.

Decoding is greedy with a fixed output length (min = max), so every engine generates the
same number of tokens. Each configuration runs in a fresh child process, so peak RSS is
its own. Prints generated tokens/s, sentences/s, peak RSS and the ratio to transformers.

    python scripts/bench_engines.py                  # both models
    python scripts/bench_engines.py --only opus      # the Opus-MT-shaped model only
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from pipeline.languages import flores_devtest

FLORES_EN = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "flores200-devtest" / flores_devtest("en")
OPUS_SHAPE = dict(d_model=512, layers=6, heads=8, ffn=2048, vocab=58101, positions=512)


def build_opus_shaped(folder: Path) -> Path:
    """Random Marian weights in Opus-MT's shape, with a tokenizer whose vocabulary matches."""
    if (folder / "config.json").is_file():
        return folder
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    lines = FLORES_EN.read_text(encoding="utf-8").splitlines()[:200]
    (folder / "train.txt").write_text("\n".join(lines), encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(folder / "train.txt"), model_prefix=str(folder / "spm"),
                                   vocab_size=1000, bos_id=-1, eos_id=0, unk_id=1, pad_id=-1, minloglevel=2)
    processor = spm.SentencePieceProcessor(model_file=str(folder / "spm.model"))
    vocab = {processor.id_to_piece(i): i for i in range(processor.get_piece_size())}
    while len(vocab) < OPUS_SHAPE["vocab"] - 1:  # filler pieces up to Opus-MT's size, <pad> last
        vocab[f"<filler{len(vocab)}>"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    tokenizer = MarianTokenizer(str(folder / "spm.model"), str(folder / "spm.model"), str(folder / "vocab.json"))
    torch.manual_seed(0)
    config = MarianConfig(
        vocab_size=OPUS_SHAPE["vocab"], d_model=OPUS_SHAPE["d_model"],
        encoder_layers=OPUS_SHAPE["layers"], decoder_layers=OPUS_SHAPE["layers"],
        encoder_attention_heads=OPUS_SHAPE["heads"], decoder_attention_heads=OPUS_SHAPE["heads"],
        encoder_ffn_dim=OPUS_SHAPE["ffn"], decoder_ffn_dim=OPUS_SHAPE["ffn"],
        max_position_embeddings=OPUS_SHAPE["positions"], activation_function="swish", scale_embedding=True,
        pad_token_id=vocab["<pad>"], eos_token_id=0, decoder_start_token_id=vocab["<pad>"], forced_eos_token_id=0,
    )
    MarianMTModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def child(args) -> dict:
    """One configuration: load, warm up, then time generation of a fixed length."""
    import torch

    from pipeline.engines.convert import converted_tokenizer, ensure_ctranslate2, load_transformers
    from pipeline.engines.prompts import prompt_ids
    from pipeline.model import DEFAULT_MODEL, default_cache_dir, resolve

    cache = default_cache_dir()
    if args.model == "opus":
        files = resolve(str(build_opus_shaped(cache / "bench" / "opus-mt-shaped")), cache_dir=cache)
    else:
        files = resolve(DEFAULT_MODEL, cache_dir=cache)
    sentences = FLORES_EN.read_text(encoding="utf-8").splitlines()[: args.sentences]
    length = args.new_tokens
    started = time.perf_counter()
    if args.engine == "transformers":
        model, tokenizer = load_transformers(files)
    else:
        import ctranslate2

        folder = ensure_ctranslate2(files, cache_dir=cache, compute_type=args.compute)
        tokenizer = converted_tokenizer(folder)
        model_class = ctranslate2.Translator if files.family == "seq2seq" else ctranslate2.Generator
        model = model_class(str(folder), compute_type=args.compute)
    load_s = time.perf_counter() - started
    if files.family == "seq2seq":
        inputs = [tokenizer.encode(s)[:64] for s in sentences]
    else:
        inputs = [prompt_ids(tokenizer, s, src="en", tgt="fr") for s in sentences]

    def run(batch: list[list[int]]) -> None:
        if args.engine == "transformers":
            tokenizer.padding_side = "left" if files.family == "causal-lm" else "right"
            if tokenizer.pad_token is None:
                tokenizer.pad_token = tokenizer.eos_token
            encoded = tokenizer.pad({"input_ids": batch}, return_tensors="pt")
            with torch.inference_mode():
                model.generate(**encoded, do_sample=False, num_beams=1, min_new_tokens=length,
                               max_new_tokens=length, pad_token_id=tokenizer.pad_token_id)
        elif files.family == "seq2seq":
            model.translate_batch([tokenizer.convert_ids_to_tokens(ids) for ids in batch], beam_size=1,
                                  min_decoding_length=length, max_decoding_length=length)
        else:
            model.generate_batch([tokenizer.convert_ids_to_tokens(ids) for ids in batch], sampling_topk=1,
                                 min_length=length, max_length=length, include_prompt_in_result=False)

    run(inputs[:1])  # warm-up
    ordered = sorted(inputs, key=len, reverse=True)
    started = time.perf_counter()
    for start in range(0, len(ordered), args.batch):
        run(ordered[start : start + args.batch])
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "load_s": load_s, "tokens": len(inputs) * length,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["opus", "llm"])
    parser.add_argument("--opus-sentences", type=int, default=64)
    parser.add_argument("--llm-sentences", type=int, default=16)
    parser.add_argument("--new-tokens", type=int, default=32, help="fixed output length (opus); llm uses half")
    parser.add_argument("--opus-batches", default="1,32")
    parser.add_argument("--llm-batches", default="1,8,32")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--compute", default="float32", help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, default=32, help=argparse.SUPPRESS)
    parser.add_argument("--sentences", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return

    plans = []
    if args.only in (None, "opus"):
        for batch in [int(b) for b in args.opus_batches.split(",")]:
            for engine, compute in (("transformers", "float32"), ("ctranslate2", "float32"), ("ctranslate2", "int8")):
                plans.append(("opus", engine, compute, batch, args.opus_sentences, args.new_tokens))
    if args.only in (None, "llm"):
        for batch in [int(b) for b in args.llm_batches.split(",")]:
            for engine, compute in (("transformers", "float32"), ("ctranslate2", "int8")):
                plans.append(("llm", engine, compute, batch, args.llm_sentences, args.new_tokens // 2))
    rows = []
    for model, engine, compute, batch, sentences, length in plans:
        command = [sys.executable, __file__, "--child", "--model", model, "--engine", engine, "--compute", compute,
                   "--batch", str(batch), "--sentences", str(sentences), "--new-tokens", str(length)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        rows.append((model, engine, compute, batch, sentences, length, result))
        print(f"done: {model} {engine} {compute} batch {batch}", file=sys.stderr)

    print(f"greedy, fixed output length; opus = random Marian of Opus-MT's shape {OPUS_SHAPE}")
    print(f"{'model':>5} {'engine':>12} {'compute':>8} {'batch':>5} {'sents':>5} {'out':>4} {'seconds':>8} "
          f"{'tok/s':>7} {'sent/s':>7} {'vs hf':>6} {'peak RSS MB':>11}")
    baseline = {}
    for model, engine, compute, batch, sentences, length, result in rows:
        rate = result["tokens"] / result["seconds"]
        if engine == "transformers":
            baseline[(model, batch)] = rate
        ratio = rate / baseline[(model, batch)] if (model, batch) in baseline else float("nan")
        print(f"{model:>5} {engine:>12} {compute:>8} {batch:>5} {sentences:>5} {length:>4} {result['seconds']:>8.1f} "
              f"{rate:>7.1f} {sentences / result['seconds']:>7.2f} {ratio:>5.1f}x {result['peak_rss_mb']:>11.0f}")


if __name__ == "__main__":
    main()
