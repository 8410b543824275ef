"""How each model family is told which language to write.

* chat LLMs: the prompt names the language (``prompts.chat_messages``);
* Opus-MT multi-target Marian models: a ``>>cmn_Hans<<``-style token before the source
  (without it ``opus-mt-en-zh`` may answer in Traditional Chinese or Cantonese);
* NLLB-200: ``src_lang`` ``eng_Latn`` and the decoder forced to start with ``zho_Hans``;
* M2M100: ``src_lang`` ``en`` and the decoder forced to start with ``__zh__``;
* single-target models (``opus-mt-en-fr``): nothing to say.

The choice is read off the tokenizer, so a local model folder needs no manifest; a
catalogue manifest can still name the token (``[targets.zh] token = ...``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ModelError
from ..languages import LANGUAGES, flores_code


@dataclass(frozen=True)
class TargetControl:
    """What an engine adds so the model writes the target language."""

    source_prefix: str = ""  # text put before the source (Opus-MT multi-target)
    src_lang: str | None = None  # the tokenizer's source language (NLLB, M2M100)
    forced_bos: str | None = None  # token the decoder must start with (NLLB, M2M100)


def target_control(tokenizer, *, src: str, tgt: str, token: str | None = None) -> TargetControl:
    """The target-language control for a seq2seq model's tokenizer."""
    kind = type(tokenizer).__name__
    vocab = tokenizer.get_vocab()
    if "Nllb" in kind:
        forced = token or flores_code(tgt)
        return TargetControl(src_lang=flores_code(src), forced_bos=_checked(forced, vocab, kind))
    if "M2M100" in kind:
        forced = token or tokenizer.get_lang_token(tgt)
        return TargetControl(src_lang=src, forced_bos=_checked(forced, vocab | _m2m_lang_tokens(tokenizer), kind))
    marian_tokens = sorted(t for t in vocab if t.startswith(">>") and t.endswith("<<"))
    if token:
        return TargetControl(source_prefix=f"{_checked(token, vocab, kind)} ")
    if marian_tokens:
        for candidate in LANGUAGES[tgt].marian_tokens if tgt in LANGUAGES else ():
            if candidate in vocab:
                return TargetControl(source_prefix=f"{candidate} ")
        raise ModelError(
            f"this model has no target token for {tgt}; it knows: {', '.join(marian_tokens[:12])}"
            f"{' ...' if len(marian_tokens) > 12 else ''}"
        )
    return TargetControl()


def _m2m_lang_tokens(tokenizer) -> dict[str, int]:
    codes = getattr(tokenizer, "lang_token_to_id", None) or {}
    return dict(codes)


def _checked(token: str, vocab: dict[str, int], kind: str) -> str:
    if token not in vocab:
        raise ModelError(f"target token {token!r} is not in the model's vocabulary ({kind})")
    return token
