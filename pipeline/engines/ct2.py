"""The ctranslate2 engine: int8 inference on CPU, the default.

Causal LLMs run through ``ctranslate2.Generator`` with the chat prompt; seq2seq models
(Marian, NLLB, M2M100) through ``ctranslate2.Translator``. The model is converted once into
the cache (see ``convert.ensure_ctranslate2``) and loads in seconds afterwards.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import ctranslate2

from ..engine_names import CTRANSLATE2
from ..errors import ModelError
from .base import EngineBase, length_sorted_batches, stop_token_ids
from .prompts import Hints, banned_sequences, prompt_ids, shared_prompt_prefix


class CTranslate2Engine(EngineBase):
    name = CTRANSLATE2
    version = ctranslate2.__version__
    default_compute_type = "int8"
    side_by_side = True  # replicas sharing the weights (inter_threads), one per worker

    @classmethod
    def check_device(cls, device: str) -> None:
        if device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
            raise ModelError("--device cuda: CTranslate2 finds no usable CUDA GPU here (no GPU, or its driver is "
                             "too old); use --device cpu")

    @classmethod
    def compute_types_on(cls, device: str) -> tuple[str, ...] | None:
        try:
            supported = ctranslate2.get_supported_compute_types(device)
        except (RuntimeError, ValueError):
            return None  # the device itself is checked by check_device
        # "default" keeps the model's own type; "auto" lets CTranslate2 pick the fastest.
        return tuple(sorted(supported)) + ("auto", "default")

    def prepare(self) -> Path:
        """Convert the model for CTranslate2 once (later calls find it in the cache)."""
        from .convert import ensure_ctranslate2

        return ensure_ctranslate2(self.files, cache_dir=self.cache_dir, compute_type=self.compute_type,
                                  progress=self.progress)

    def _load_model(self):
        from .convert import converted_tokenizer

        model_dir = self.prepare()
        model_class = ctranslate2.Translator if self.files.family == "seq2seq" else ctranslate2.Generator
        # The tokenizer loads while CTranslate2 reads the weights, which it does without
        # holding the GIL (0.3 s for the default model's; 2.6 s where it takes transformers).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tokenizer") as pool:
            tokenizer = pool.submit(converted_tokenizer, model_dir)
            try:
                model = model_class(
                    str(model_dir), device=self.device, compute_type=self.compute_type, inter_threads=self.workers,
                    intra_threads=self.worker_threads if self.device == "cpu" else self.threads,
                )
            except ValueError as error:  # e.g. a compute type this device cannot run
                supported = ", ".join(sorted(ctranslate2.get_supported_compute_types(self.device)))
                raise ModelError(f"{error}; on {self.device} choose one of: {supported}") from None
            tokenizer = tokenizer.result()
        release_freed_memory()
        return model, tokenizer

    def _generate(self, texts: Sequence[str], *, src: str, tgt: str, hints: Sequence[Hints]) -> list[str]:
        generator, tokenizer = self._load()
        # The system message, examples and instruction are the same for every sentence: CTranslate2
        # runs them once as a cached static prompt, and only the rest per sentence.
        examples, strict = self.options.prompt_examples, self.options.strict_prompt
        prefix = shared_prompt_prefix(tokenizer, src=src, tgt=tgt, examples=examples, strict=strict)
        prompts = []
        for text, told in zip(texts, hints, strict=True):
            ids = prompt_ids(tokenizer, text, src=src, tgt=tgt, examples=examples, strict=strict, hints=told)
            if ids[: len(prefix)] != prefix or len(ids) == len(prefix):
                prefix = []  # a tokenizer that merges across the boundary: no static prompt
            prompts.append(ids)
        static_prompt = tokenizer.convert_ids_to_tokens(prefix) if prefix else None
        prompts = [tokenizer.convert_ids_to_tokens(ids[len(prefix) :]) for ids in prompts]
        results: list[str] = [""] * len(texts)
        for batch in length_sorted_batches(prompts, batch_size=self.batch_size, length=len, by_tokens=self.by_tokens):
            # English words a retry names are kept out of the whole batch's answers (CTranslate2
            # takes one list per batch): they are ordinary words, not names, in every language.
            banned = banned_sequences(tokenizer, {word for i in batch for word in hints[i].words})
            outputs = generator.generate_batch(
                [prompts[i] for i in batch],
                suppress_sequences=[tokenizer.convert_ids_to_tokens(ids) for ids in banned] or None,
                static_prompt=static_prompt,
                # the instruction's few tokens count as input too: a little more room, never less
                max_length=self.output_limit(max(len(prompts[i]) for i in batch)),
                sampling_topk=1,
                beam_size=self.beam_size,
                include_prompt_in_result=False,
                end_token=stop_token_ids(tokenizer),
            )
            for i, output in zip(batch, outputs, strict=True):
                results[i] = tokenizer.decode(output.sequences_ids[0], skip_special_tokens=True)
        return results

    def _translate_seq2seq(self, texts: Sequence[str], *, src: str, tgt: str) -> list[str]:
        translator, tokenizer = self._load()
        control = self.control(src=src, tgt=tgt)
        sources = [tokenizer.convert_ids_to_tokens(ids) for ids in self.source_ids(texts, control)]
        target_prefix = [control.forced_bos] if control.forced_bos else None
        results: list[str] = [""] * len(texts)
        for batch in length_sorted_batches(sources, batch_size=self.batch_size, length=len, by_tokens=self.by_tokens):
            outputs = translator.translate_batch(
                [sources[i] for i in batch],
                target_prefix=[target_prefix] * len(batch) if target_prefix else None,
                beam_size=self.beam_size,
                max_decoding_length=self.output_limit(max(len(sources[i]) for i in batch)),
            )
            for i, output in zip(batch, outputs, strict=True):
                tokens = output.hypotheses[0]
                if target_prefix and tokens[:1] == target_prefix:
                    tokens = tokens[1:]
                results[i] = tokenizer.decode(tokenizer.convert_tokens_to_ids(tokens), skip_special_tokens=True)
        return results


def release_freed_memory() -> None:
    """Hand the memory freed to malloc back to the system (glibc's ``malloc_trim``; elsewhere
    nothing). Reading the weights takes about twice their size for a moment; once freed,
    glibc keeps most of it when other allocations (the tokenizer's, loading beside it) sit
    above it in the heap: 1.2 GB of the default model's 3 GB resident after loading
    (scripts/profile_memory.py)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim(0)
