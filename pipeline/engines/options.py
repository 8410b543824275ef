"""Decoding options: one object from the command line to the engine.

Every field left as None takes the model's catalogue default (``[decoding]`` in its
manifest), then ``FALLBACK_DECODING`` (the compute type: the engine's own); ``resolved``
fills them in once, so an engine only ever sees complete options. The other fields'
defaults are the command line's too (``bitext run --workers``, ``--device``, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from ..errors import ModelError

DEVICES = ("cpu", "cuda")
BATCH_TYPES = ("examples", "tokens")
# What a model decodes with where its manifest's [decoding] says nothing (a model folder
# has no manifest); a manifest states only what differs from these.
FALLBACK_DECODING = {"batch_size": 32, "beam_size": 1, "max_new_tokens": 256}


@dataclass(frozen=True)
class DecodingOptions:
    """How an engine runs and decodes.

    device: cpu or cuda. threads: CPU threads, 0 = all cores. batch_size: counted in
    sentences (batch_type "examples") or padded tokens ("tokens"). beam_size: 1 decodes
    greedily. max_new_tokens: the longest translation. compute_type: the
    weights' type, int8 for ctranslate2 and float32 for transformers by default. prompt_examples:
    chat LLMs see worked examples of the language pair before each sentence (``prompts``;
    off by default: 1.9-2.1x the time per sentence here, for +0.8 / +0.3 BLEU zh / fr).
    output_ratio: a batch stops at this many tokens per token of its longest input (plus
    16), within max_new_tokens, so one runaway repetition cannot hold up its batch for all
    max_new_tokens (FLORES: French runs to 3.2x the English tokens of a short sentence, Chinese
    2x); 0 turns the bound off. strict_prompt: chat LLMs are also told to keep every number
    and leave no English, and the English words a text's hints name are kept out of the
    answer (a retry: deterministic, unlike sampling, which CTranslate2 cannot seed
    reproducibly, OpenNMT/CTranslate2#1757). workers: batches
    translated side by side (CTranslate2 replicas sharing the weights), each on its share
    of the threads: on 2 cores two workers of one thread finish the seed article 1.19x
    sooner than one of two (scripts/bench_run.py), with the same output.
    """

    device: str = "cpu"
    threads: int = 0
    batch_size: int | None = None
    batch_type: str = "examples"
    beam_size: int | None = None
    max_new_tokens: int | None = None
    compute_type: str | None = None
    prompt_examples: bool = False
    output_ratio: float = 3.0
    strict_prompt: bool = False
    workers: int = 2

    def resolved(
        self, model_defaults: Mapping[str, object], *, engine: str, default_compute: str,
        compute_types: tuple[str, ...] | None = None,
    ) -> DecodingOptions:
        """These options checked, with every None filled from the model's defaults, then the
        engine's (``default_compute``). ``compute_types``: what the engine can run, where it
        knows before loading (None: the device decides when the model loads)."""
        if self.device not in DEVICES:
            raise ModelError(f"unknown device {self.device!r}; choose one of: {', '.join(DEVICES)}")
        if self.workers < 1:
            raise ModelError(f"workers must be at least 1, not {self.workers}")
        if self.output_ratio < 0:
            raise ModelError(f"output ratio must be 0 (off) or positive, not {self.output_ratio}")
        if self.batch_type not in BATCH_TYPES:
            raise ModelError(f"unknown batch type {self.batch_type!r}; choose one of: {', '.join(BATCH_TYPES)}")
        compute_type = self.compute_type
        if compute_type is None:
            # The model's default only where this engine runs it (a manifest's int8 is a
            # CTranslate2 quantization, not a torch dtype).
            suggested = model_defaults.get("compute_type")
            usable = suggested and (compute_types is None or suggested in compute_types)
            compute_type = suggested if usable else default_compute
        if compute_types is not None and compute_type not in compute_types:
            raise ModelError(
                f"compute type {compute_type!r} is not available with --engine {engine}; "
                f"choose one of: {', '.join(compute_types)} (or use another engine)"
            )
        defaults = {**FALLBACK_DECODING, **model_defaults}
        return replace(
            self,
            batch_size=self.batch_size or int(defaults["batch_size"]),
            beam_size=self.beam_size or int(defaults["beam_size"]),
            max_new_tokens=self.max_new_tokens or int(defaults["max_new_tokens"]),
            compute_type=compute_type,
        )
