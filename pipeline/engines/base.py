"""The engine protocol and what every engine shares: prompts and length-sorted batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, TypeVar

from ..document import Signature

LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese", "fr": "French"}
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


def chat_messages(text: str, *, src: str, tgt: str) -> list[dict[str, str]]:
    """The chat that asks a causal LLM for one translation."""
    source, target = LANGUAGE_NAMES[src], LANGUAGE_NAMES[tgt]
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
    items: Sequence[T], *, batch_size: int, length: Callable[[T], int]
) -> Iterator[list[int]]:
    """Yield batches of indices into ``items``, longest first, so padding stays small."""
    order = sorted(range(len(items)), key=lambda i: length(items[i]), reverse=True)
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]
