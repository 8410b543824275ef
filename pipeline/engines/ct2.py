"""The ctranslate2 engine: int8 inference on CPU, the default.

Causal LLMs run through ``ctranslate2.Generator`` with the chat prompt; seq2seq models
(Marian and friends) through ``ctranslate2.Translator``. The model is converted once into
the cache (see ``modelcache.ensure_ctranslate2``) and loads in seconds afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import ctranslate2
import transformers

from ..document import Signature
from ..modelcache import ModelFiles, Progress, ensure_ctranslate2, no_progress
from .base import PROMPT_VERSION, length_sorted_batches, prompt_ids, shared_prompt_prefix, stop_token_ids


class CTranslate2Engine:
    name = "ctranslate2"

    def __init__(
        self,
        files: ModelFiles,
        *,
        cache_dir: Path,
        device: str = "cpu",
        threads: int = 0,
        batch_size: int = 32,
        max_new_tokens: int = 256,
        compute_type: str = "int8",
        progress: Progress = no_progress,
    ):
        self.files = files
        self.batch_size = batch_size
        self.max_new_tokens = max_new_tokens
        self.compute_type = compute_type
        self._load_options = dict(cache_dir=cache_dir, device=device, threads=threads, progress=progress)
        self._model = self._tokenizer = None

    def _load(self):
        """Convert (first time only) and load the model, on first use: a run whose
        sentences are all in the translation memory never pays for it."""
        if self._model is None:
            options = self._load_options
            model_dir = ensure_ctranslate2(
                self.files, cache_dir=options["cache_dir"], compute_type=self.compute_type, progress=options["progress"]
            )
            self._tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir)
            model_class = ctranslate2.Translator if self.files.family == "seq2seq" else ctranslate2.Generator
            self._model = model_class(
                str(model_dir), device=options["device"], compute_type=self.compute_type, intra_threads=options["threads"]
            )
        return self._model, self._tokenizer

    def signature(self) -> Signature:
        settings = [
            ("version", ctranslate2.__version__),
            ("compute", self.compute_type),
            ("decode", "greedy"),
            ("max_new", str(self.max_new_tokens)),
        ]
        if self.files.family == "causal-lm":
            settings.append(("prompt", PROMPT_VERSION))
        return Signature(self.name, f"{self.files.name}@{self.files.short_identity}", tuple(settings))

    def translate(self, texts: Sequence[str], *, src: str, tgt: str) -> list[str]:
        if self.files.family == "seq2seq":
            return self._translate_seq2seq(texts)
        return self._generate(texts, src=src, tgt=tgt)

    def _generate(self, texts: Sequence[str], *, src: str, tgt: str) -> list[str]:
        generator, tokenizer = self._load()
        # The system message and instruction are the same for every sentence: CTranslate2
        # runs them once as a cached static prompt, and only the rest per sentence.
        prefix = shared_prompt_prefix(tokenizer, src=src, tgt=tgt)
        prompts = []
        for text in texts:
            ids = prompt_ids(tokenizer, text, src=src, tgt=tgt)
            if ids[: len(prefix)] != prefix or len(ids) == len(prefix):
                prefix = []  # a tokenizer that merges across the boundary: no static prompt
            prompts.append(ids)
        static_prompt = tokenizer.convert_ids_to_tokens(prefix) if prefix else None
        prompts = [tokenizer.convert_ids_to_tokens(ids[len(prefix) :]) for ids in prompts]
        results: list[str] = [""] * len(texts)
        for batch in length_sorted_batches(prompts, batch_size=self.batch_size, length=len):
            outputs = generator.generate_batch(
                [prompts[i] for i in batch],
                static_prompt=static_prompt,
                max_length=self.max_new_tokens,
                sampling_topk=1,
                beam_size=1,
                include_prompt_in_result=False,
                end_token=stop_token_ids(tokenizer),
            )
            for i, output in zip(batch, outputs):
                results[i] = tokenizer.decode(output.sequences_ids[0], skip_special_tokens=True)
        return results

    def _translate_seq2seq(self, texts: Sequence[str]) -> list[str]:
        translator, tokenizer = self._load()
        sources = [tokenizer.convert_ids_to_tokens(tokenizer.encode(t)) for t in texts]
        results: list[str] = [""] * len(texts)
        for batch in length_sorted_batches(sources, batch_size=self.batch_size, length=len):
            outputs = translator.translate_batch(
                [sources[i] for i in batch],
                beam_size=1,
                max_decoding_length=self.max_new_tokens,
            )
            for i, output in zip(batch, outputs):
                ids = tokenizer.convert_tokens_to_ids(output.hypotheses[0])
                results[i] = tokenizer.decode(ids, skip_special_tokens=True)
        return results
