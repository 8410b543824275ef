"""The engine protocol and what every engine shares: prompts and length-sorted batches."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..document import Signature
from ..once import Once
from .prompts import PROMPT_VERSION, Hints
from .target_control import TargetControl, target_control

if TYPE_CHECKING:
    from ..model import ModelFiles
    from ..progress import Progress
    from .options import DecodingOptions

OUTPUT_SLACK = 16  # tokens a translation may run beyond output_ratio times its input


class Engine(Protocol):
    """What the pipeline needs from a translation engine."""

    def translate(
        self, texts: Sequence[str], *, src: str, tgt: str, hints: Sequence[Hints] | None = None
    ) -> list[str]:
        """Translate each text from ``src`` to ``tgt`` (ISO 639-1 codes), keeping order.
        ``hints``: per text, what the model is told besides it (a glossary's renderings,
        words to translate, context); engines that can tell the model (chat LLMs) do, the
        others ignore them."""
        ...

    def signature(self) -> Signature:
        """Engine, model, version and decoding settings, stored with every translation."""
        ...

    def fits(self, text: str, *, src: str, tgt: str) -> bool:
        """Whether ``text`` fits the model's input unsplit (longer texts are split first)."""
        ...

    def variant(self, **changes) -> Engine:
        """The same model decoding otherwise (``DecodingOptions`` fields), for retries."""
        ...

    def load(self) -> None:
        """Load the model now rather than at the first translation (a run does this before
        it writes anything, so a model that cannot load leaves the store untouched)."""
        ...


class EngineBase:
    """What both engines share: options, lazy loading, dispatch by model family.

    Subclasses set ``name``, ``version``, ``default_compute_type`` (and ``compute_types``
    where the engine knows them before loading) and implement
    ``_load_model``, ``_generate`` (chat LLMs) and ``_translate_seq2seq``.
    """

    name = "engine"
    version = "0"
    default_compute_type = "float32"
    compute_types: tuple[str, ...] | None = None  # None: the device decides when the model loads
    side_by_side = False  # can translate several batches at once from several threads (options.workers)

    @classmethod
    def check_device(cls, device: str) -> None:
        """Refuse a device this machine cannot run the engine on (``ModelError``)."""

    @classmethod
    def compute_types_on(cls, device: str) -> tuple[str, ...] | None:
        """The compute types this engine can run on ``device`` (None: known when loading)."""
        return cls.compute_types

    def __init__(
        self,
        files: ModelFiles,
        *,
        cache_dir: Path,
        options: DecodingOptions,  # resolved (create_engine): no field left None
        progress: Progress | None = None,
    ):
        self.files = files
        self.cache_dir = cache_dir
        self.options = options
        self.device = options.device
        self.threads = options.threads
        # Side by side: each worker gets its share of the threads (0: of all cores).
        threads = options.threads or os.cpu_count() or 1
        self.workers = min(options.workers, threads) if self.device == "cpu" and self.side_by_side else 1
        self.worker_threads = max(1, threads // self.workers)
        self.batch_size = options.batch_size
        self.by_tokens = options.batch_type == "tokens"
        self.beam_size = options.beam_size
        self.max_new_tokens = options.max_new_tokens
        self.output_ratio = options.output_ratio
        self.compute_type = options.compute_type
        self.target_tokens = dict(files.target_tokens)
        self.progress = progress or (lambda message, done, total: None)
        # (model, tokenizer), loaded on first use (a run served from the translation memory
        # never pays for it), once however many workers ask; shared with this engine's variants.
        self._model = Once(self._load_model)

    def _load(self):
        return self._model.get()

    def load(self) -> None:
        self._load()

    def variant(self, **changes) -> EngineBase:
        """This engine decoding otherwise (e.g. ``beam_size=4``), sharing its loaded model."""
        twin = type(self)(self.files, cache_dir=self.cache_dir, options=replace(self.options, **changes),
                          progress=self.progress)
        twin._model = self._model
        return twin

    def translate(
        self, texts: Sequence[str], *, src: str, tgt: str, hints: Sequence[Hints] | None = None
    ) -> list[str]:
        if not texts:
            return []
        if self.files.family == "seq2seq":
            return self._translate_seq2seq(texts, src=src, tgt=tgt)
        return self._generate(texts, src=src, tgt=tgt, hints=hints or [Hints()] * len(texts))

    def signature(self) -> Signature:
        return self._signature(compute=self.compute_type)

    def _signature(self, *, compute: str) -> Signature:
        settings = [
            ("version", self.version),
            ("compute", compute),
            ("decode", "greedy" if self.beam_size == 1 else f"beam{self.beam_size}"),
            ("max_new", str(self.max_new_tokens)),
        ]
        if self.output_ratio:
            settings.append(("max_ratio", f"{self.output_ratio:g}"))
        if self.files.family == "causal-lm":
            prompt = PROMPT_VERSION + ("+examples" if self.options.prompt_examples else "")
            settings.append(("prompt", prompt + ("+strict" if self.options.strict_prompt else "")))
        return Signature(self.name, f"{self.files.name}@{self.files.short_identity}", tuple(settings))

    def output_limit(self, longest_input: int) -> int:
        """The most tokens a batch may generate, given its longest input in tokens."""
        if not self.output_ratio:
            return self.max_new_tokens
        return min(self.max_new_tokens, int(self.output_ratio * longest_input) + OUTPUT_SLACK)

    # --- seq2seq models ----------------------------------------------------------------

    def control(self, *, src: str, tgt: str) -> TargetControl:
        _, tokenizer = self._load()
        return target_control(tokenizer, src=src, tgt=tgt, token=self.target_tokens.get(tgt))

    def source_ids(self, texts: Sequence[str], control: TargetControl) -> list[list[int]]:
        _, tokenizer = self._load()
        if control.src_lang:
            tokenizer.src_lang = control.src_lang
        return [tokenizer.encode(control.source_prefix + text) for text in texts]

    def max_source_tokens(self) -> int | None:
        """The longest source a seq2seq model reads without truncating (None: no limit)."""
        if self.files.family != "seq2seq":
            return None
        return _max_positions(self.files.hf_dir)

    def fits(self, text: str, *, src: str, tgt: str) -> bool:
        """Whether ``text`` fits the model's input; longer sentences are split first."""
        limit = self.max_source_tokens()
        if limit is None:
            return True
        return len(self.source_ids([text], self.control(src=src, tgt=tgt))[0]) <= limit


@functools.cache
def _max_positions(folder: Path) -> int | None:
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return config.get("max_position_embeddings") or config.get("max_source_positions")


def stop_token_ids(tokenizer) -> list[int]:
    """Tokens that end an answer: the EOS token and the chat end-of-turn markers."""
    vocab = tokenizer.get_vocab()
    ids = {tokenizer.eos_token_id} if tokenizer.eos_token_id is not None else set()
    for token in ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<end_of_turn>"):
        if token in vocab:
            ids.add(vocab[token])
    return sorted(ids)


T = TypeVar("T")


def length_sorted_batches(
    items: Sequence[T], *, batch_size: int, length: Callable[[T], int], by_tokens: bool = False
) -> Iterator[list[int]]:
    """Yield batches of indices into ``items``, longest first, so padding stays small.

    ``batch_size`` counts items, or with ``by_tokens`` the padded tokens of a batch
    (its longest item times its size; a single longer item still forms a batch).
    """
    order = sorted(range(len(items)), key=lambda i: length(items[i]), reverse=True)
    batch: list[int] = []
    for index in order:
        if batch and (
            (by_tokens and length(items[batch[0]]) * (len(batch) + 1) > batch_size)
            or (not by_tokens and len(batch) == batch_size)
        ):
            yield batch
            batch = []
        batch.append(index)
    if batch:
        yield batch
