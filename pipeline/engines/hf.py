"""The transformers engine: the same models through ``generate``, batched with left padding.

Slower than ctranslate2 on CPU, but it runs any model transformers can load, straight
from its folder or GGUF file, with no conversion step.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
import transformers

from ..document import Signature
from ..modelcache import ModelFiles, Progress, load_transformers, no_progress
from .base import PROMPT_VERSION, length_sorted_batches, prompt_ids, stop_token_ids


class TransformersEngine:
    name = "transformers"

    def __init__(
        self,
        files: ModelFiles,
        *,
        cache_dir: Path,
        device: str = "cpu",
        threads: int = 0,
        batch_size: int = 32,
        max_new_tokens: int = 256,
        compute_type: str = "float32",
        progress: Progress = no_progress,
    ):
        self.files = files
        self.batch_size = batch_size
        self.max_new_tokens = max_new_tokens
        self.device = device
        self.threads = threads
        self.progress = progress
        self._model = self._tokenizer = None

    def _load(self):
        """Load on first use: a run served from the translation memory never pays for it."""
        if self._model is None:
            if self.threads > 0:
                torch.set_num_threads(self.threads)
            self.progress(f"loading {self.files.name} with transformers", 0, None)
            model, tokenizer = load_transformers(self.files, device=self.device)
            # A decoder-only model continues from the end of its input, so batches are
            # padded on the left; an encoder's absolute positions need padding on the right.
            tokenizer.padding_side = "left" if self.files.family == "causal-lm" else "right"
            if tokenizer.pad_token is None:
                tokenizer.pad_token = tokenizer.eos_token
            self._model, self._tokenizer = model, tokenizer
        return self._model, self._tokenizer

    def signature(self) -> Signature:
        settings = [
            ("version", transformers.__version__),
            ("compute", "float32"),
            ("decode", "greedy"),
            ("max_new", str(self.max_new_tokens)),
        ]
        if self.files.family == "causal-lm":
            settings.append(("prompt", PROMPT_VERSION))
        return Signature(self.name, f"{self.files.name}@{self.files.short_identity}", tuple(settings))

    @torch.inference_mode()
    def translate(self, texts: Sequence[str], *, src: str, tgt: str) -> list[str]:
        model, tokenizer = self._load()
        if self.files.family == "seq2seq":
            inputs = [tokenizer.encode(t) for t in texts]
        else:
            inputs = [prompt_ids(tokenizer, t, src=src, tgt=tgt) for t in texts]
        results: list[str] = [""] * len(texts)
        for batch in length_sorted_batches(inputs, batch_size=self.batch_size, length=len):
            encoded = tokenizer.pad({"input_ids": [inputs[i] for i in batch]}, return_tensors="pt").to(self.device)
            generated = model.generate(
                **encoded,
                do_sample=False,
                num_beams=1,
                max_new_tokens=self.max_new_tokens,
                pad_token_id=tokenizer.pad_token_id,
                **({} if self.files.family == "seq2seq" else {"eos_token_id": stop_token_ids(tokenizer)}),
            )
            if self.files.family == "causal-lm":
                generated = generated[:, encoded["input_ids"].shape[1] :]
            for i, ids in zip(batch, generated):
                results[i] = tokenizer.decode(ids, skip_special_tokens=True)
        return results
