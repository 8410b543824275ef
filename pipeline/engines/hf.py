"""The transformers engine: the same models through ``generate``.

Slower than ctranslate2 on CPU, but it runs any model transformers can load, straight
from its folder or GGUF file, with no conversion step.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import transformers

from ..engine_names import TRANSFORMERS
from ..errors import ModelError
from .base import EngineBase, length_sorted_batches, stop_token_ids
from .prompts import Hints, banned_sequences, prompt_ids, shared_prompt_prefix


class TransformersEngine(EngineBase):
    name = TRANSFORMERS
    version = transformers.__version__
    default_compute_type = "float32"
    compute_types = ("float32", "bfloat16", "float16")  # torch dtypes the model is cast to

    @classmethod
    def check_device(cls, device: str) -> None:
        if device == "cuda" and not torch.cuda.is_available():
            raise ModelError("--device cuda: torch finds no usable CUDA GPU here (a CPU build of torch, no GPU, "
                             "or its driver is too old); use --device cpu")

    def _load_model(self):
        from .convert import load_transformers

        if self.threads > 0:
            torch.set_num_threads(self.threads)
        self.progress(f"loading {self.files.name} with transformers", 0, None)
        model, tokenizer = load_transformers(self.files, device=self.device, progress=self.progress)
        # compute_type is one of compute_types, checked when the options were resolved.
        model = model.to(dtype=getattr(torch, self.compute_type))
        # Marian configs force EOS as the last token at the length limit; CTranslate2 just
        # stops there. Stopping alike keeps both engines' output the same.
        if getattr(model.generation_config, "forced_eos_token_id", None) is not None:
            model.generation_config.forced_eos_token_id = None
        # A decoder-only model continues from the end of its input, so batches are
        # padded on the left; an encoder's absolute positions need padding on the right.
        tokenizer.padding_side = "left" if self.files.family == "causal-lm" else "right"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        return model, tokenizer

    def _generate(self, texts: Sequence[str], *, src: str, tgt: str, hints: Sequence[Hints]) -> list[str]:
        _, tokenizer = self._load()
        examples, strict = self.options.prompt_examples, self.options.strict_prompt
        inputs = [prompt_ids(tokenizer, t, src=src, tgt=tgt, examples=examples, strict=strict, hints=told)
                  for t, told in zip(texts, hints, strict=True)]
        # The output bound counts the sentence's part of the prompt, as the ctranslate2 engine does.
        shared = len(shared_prompt_prefix(tokenizer, src=src, tgt=tgt, examples=examples, strict=strict))
        return self._run(inputs, eos_token_id=stop_token_ids(tokenizer), prompt_is_output_prefix=True,
                         shared_prefix=shared, words=[told.words for told in hints])

    def _translate_seq2seq(self, texts: Sequence[str], *, src: str, tgt: str) -> list[str]:
        _, tokenizer = self._load()
        control = self.control(src=src, tgt=tgt)
        if not control.forced_bos:
            return self._run(self.source_ids(texts, control))
        forced = tokenizer.convert_tokens_to_ids(control.forced_bos)
        return self._run(self.source_ids(texts, control), forced_bos_token_id=forced, drop_leading=forced)

    @torch.inference_mode()
    def _run(
        self, inputs: list[list[int]], *, prompt_is_output_prefix: bool = False, drop_leading: int | None = None,
        shared_prefix: int = 0, words: Sequence[tuple[str, ...]] | None = None, **options
    ) -> list[str]:
        """Generate for token ids; ``drop_leading``: a forced language token to leave out of the text;
        ``shared_prefix``: tokens every input begins with (not counted for the output bound);
        ``words``: per input, English words to keep out of its batch's answers (as ctranslate2 does)."""
        model, tokenizer = self._load()
        results: list[str] = [""] * len(inputs)
        for batch in length_sorted_batches(inputs, batch_size=self.batch_size, length=len, by_tokens=self.by_tokens):
            encoded = tokenizer.pad({"input_ids": [inputs[i] for i in batch]}, return_tensors="pt").to(self.device)
            banned = banned_sequences(tokenizer, {word for i in batch for word in words[i]}) if words else []
            generated = model.generate(
                **encoded,
                do_sample=False,
                num_beams=self.beam_size,
                max_new_tokens=self.output_limit(max(len(inputs[i]) for i in batch) - shared_prefix),
                pad_token_id=tokenizer.pad_token_id,
                **({"bad_words_ids": banned} if banned else {}),
                **options,
            )
            if prompt_is_output_prefix:
                generated = generated[:, encoded["input_ids"].shape[1] :]
            for i, ids in zip(batch, generated, strict=True):
                ids = ids.tolist()
                if drop_leading is not None and drop_leading in ids[:2]:
                    ids.pop(ids.index(drop_leading))
                results[i] = tokenizer.decode(ids, skip_special_tokens=True)
        return results
