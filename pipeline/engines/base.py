"""The engine protocol and what every engine shares: prompts and length-sorted batches."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from .. import languages
from ..document import Signature
from .target_control import TargetControl, target_control

if TYPE_CHECKING:
    from ..model import ModelFiles, Progress
    from .options import DecodingOptions

PROMPT_VERSION = "2"  # bump whenever the prompt text changes: it is part of every signature

SYSTEM_PROMPT = (
    "You are a professional news translator. Translate the user's text from {source} "
    "into {target}, completely and faithfully: translate every word, leaving only proper "
    "names that have no {target} form. Reply with the translation only: no explanation, "
    "no notes, no transliteration, and no quotation marks around it."
)
USER_PROMPT = "Translate into {target}:\n\n{text}"


class Engine(Protocol):
    """What the pipeline needs from a translation engine."""

    def translate(self, texts: Sequence[str], *, src: str, tgt: str) -> list[str]:
        """Translate each text from ``src`` to ``tgt`` (ISO 639-1 codes), keeping order."""
        ...

    def signature(self) -> Signature:
        """Engine, model, version and decoding settings, stored with every translation."""
        ...

    def fits(self, text: str, *, src: str, tgt: str) -> bool:
        """Whether ``text`` fits the model's input unsplit (longer texts are split first)."""
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
        self.batch_size = options.batch_size
        self.by_tokens = options.batch_type == "tokens"
        self.beam_size = options.beam_size
        self.max_new_tokens = options.max_new_tokens
        self.compute_type = options.compute_type
        self.target_tokens = dict(files.target_tokens)
        self.progress = progress or (lambda message, done, total: None)
        self._loaded = None

    def _load(self):
        """(model, tokenizer), loaded on first use: a run served from the translation
        memory never pays for it."""
        if self._loaded is None:
            self._loaded = self._load_model()
        return self._loaded

    def translate(self, texts: Sequence[str], *, src: str, tgt: str) -> list[str]:
        if not texts:
            return []
        if self.files.family == "seq2seq":
            return self._translate_seq2seq(texts, src=src, tgt=tgt)
        return self._generate(texts, src=src, tgt=tgt)

    def signature(self) -> Signature:
        return self._signature(compute=self.compute_type)

    def _signature(self, *, compute: str) -> Signature:
        settings = [
            ("version", self.version),
            ("compute", compute),
            ("decode", "greedy" if self.beam_size == 1 else f"beam{self.beam_size}"),
            ("max_new", str(self.max_new_tokens)),
        ]
        if self.files.family == "causal-lm":
            settings.append(("prompt", PROMPT_VERSION))
        return Signature(self.name, f"{self.files.name}@{self.files.short_identity}", tuple(settings))

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


def chat_messages(text: str, *, src: str, tgt: str) -> list[dict[str, str]]:
    """The chat that asks a causal LLM for one translation."""
    source, target = languages.name(src), languages.name(tgt)
    return [
        {"role": "system", "content": SYSTEM_PROMPT.format(source=source, target=target)},
        {"role": "user", "content": USER_PROMPT.format(target=target, text=text)},
    ]


def prompt_ids(tokenizer, text: str, *, src: str, tgt: str) -> list[int]:
    """Token ids of the chat prompt, ending where the assistant's answer begins."""
    ids = tokenizer.apply_chat_template(
        chat_messages(text, src=src, tgt=tgt), add_generation_prompt=True, tokenize=True
    )
    if isinstance(ids, dict) or hasattr(ids, "input_ids"):  # transformers 5 returns an encoding
        ids = ids["input_ids"]
    return list(ids)


def shared_prompt_prefix(tokenizer, *, src: str, tgt: str) -> list[int]:
    """Token ids that begin every prompt for this language pair (system message and
    instruction), found by comparing the prompts of two different texts.

    Engines that can cache a prompt's state compute it once instead of once per sentence.
    """
    first = prompt_ids(tokenizer, "Alpha.", src=src, tgt=tgt)
    second = prompt_ids(tokenizer, "Zulu?", src=src, tgt=tgt)
    length = 0
    while length < min(len(first), len(second)) and first[length] == second[length]:
        length += 1
    return first[:length]


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
