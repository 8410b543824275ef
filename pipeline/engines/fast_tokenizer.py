"""A chat LLM's tokenizer without transformers: ``tokenizers`` and a jinja2 chat template.

transformers costs seconds to import (it pulls in torch) and hundreds of megabytes, for
what the CTranslate2 engine asks of a causal LM's tokenizer: text to ids and back, the
chat template rendered, a few token lookups. Its tokenizer classes do not take a model's
``tokenizer.json`` as written, though: ``Qwen2Tokenizer`` rebuilds the pipeline around the
vocabulary (adding the NFC normalizer a GGUF file's tokenizer lacks), and fills in special
tokens the config leaves out. So a conversion writes down the tokenizer as transformers
loaded it (``save_fast_tokenizer``): its backend as ``tokenizer.json`` and what the chat
template sees as ``FAST_TOKENIZER_FILE``; ``FastTokenizer`` loads just those two, and
gives the same ids and text (tests/test_fast_tokenizer.py checks it token for token).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

# In a tokenizer folder: what transformers resolved, beside the tokenizer.json it wrote.
FAST_TOKENIZER_FILE = "bitext-tokenizer.json"
TOKENIZER_JSON = "tokenizer.json"
FAST_TOKENIZER_FORMAT = 1


def fast_tokenizer_saved(folder: Path) -> bool:
    """Whether ``folder`` holds a tokenizer ``FastTokenizer`` can load."""
    return (folder / FAST_TOKENIZER_FILE).is_file() and (folder / TOKENIZER_JSON).is_file()


def save_fast_tokenizer(tokenizer, folder: Path) -> bool:
    """Write down a transformers tokenizer loaded from ``folder`` (where it was saved) for
    ``FastTokenizer``; False, writing nothing, when it needs more than ``tokenizers``
    gives: a sentencepiece-only tokenizer (no backend), a template-less one, or text
    clean-up after decoding (WordPiece models)."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None or not getattr(tokenizer, "chat_template", None):
        return False
    if getattr(tokenizer, "clean_up_tokenization_spaces", False) and type(backend.model).__name__ != "BPE":
        return False
    backend.save(str(folder / TOKENIZER_JSON))
    summary = {
        "format": FAST_TOKENIZER_FORMAT,
        "special_tokens": dict(tokenizer.special_tokens_map),
        "chat_template": tokenizer.chat_template,
    }
    (folder / FAST_TOKENIZER_FILE).write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n",
                                              encoding="utf-8")
    return True


class FastTokenizer:
    """The part of transformers' tokenizer interface the engines use, over ``tokenizers``."""

    def __init__(self, folder: Path):
        from tokenizers import Tokenizer

        summary = json.loads((folder / FAST_TOKENIZER_FILE).read_text(encoding="utf-8"))
        if summary.get("format") != FAST_TOKENIZER_FORMAT:
            raise ValueError(f"{folder / FAST_TOKENIZER_FILE}: unknown format {summary.get('format')!r}")
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_JSON))
        self.special_tokens_map: dict[str, str] = summary["special_tokens"]
        self.chat_template = summary["chat_template"]
        self._template = chat_template_environment().from_string(self._template_text())

    # --- special tokens ------------------------------------------------------------------

    @property
    def eos_token(self) -> str | None:
        return self.special_tokens_map.get("eos_token")

    @property
    def eos_token_id(self) -> int | None:
        return None if self.eos_token is None else self._tokenizer.token_to_id(self.eos_token)

    @property
    def pad_token(self) -> str | None:
        return self.special_tokens_map.get("pad_token")

    def get_vocab(self) -> dict[str, int]:
        return self._tokenizer.get_vocab(with_added_tokens=True)

    def __len__(self) -> int:
        return self._tokenizer.get_vocab_size(with_added_tokens=True)

    # --- ids and tokens ------------------------------------------------------------------

    def encode(self, text: str, *, add_special_tokens: bool = True) -> list[int]:
        return self._tokenizer.encode(text, add_special_tokens=add_special_tokens).ids

    def decode(self, ids: Sequence[int], *, skip_special_tokens: bool = False) -> str:
        return self._tokenizer.decode(list(ids), skip_special_tokens=skip_special_tokens)

    def convert_ids_to_tokens(self, ids: Iterable[int]) -> list[str]:
        return [self._tokenizer.id_to_token(i) for i in ids]

    def convert_tokens_to_ids(self, tokens: str | Iterable[str]) -> int | None | list[int | None]:
        if isinstance(tokens, str):
            return self._tokenizer.token_to_id(tokens)
        return [self._tokenizer.token_to_id(token) for token in tokens]

    # --- the chat template ---------------------------------------------------------------

    def apply_chat_template(
        self, messages: Sequence[dict[str, str]], *, add_generation_prompt: bool = False, tokenize: bool = True,
    ) -> str | list[int]:
        """The chat as the model's template writes it (what transformers renders for a list
        of plain messages), tokenized without adding special tokens unless ``tokenize`` is False."""
        # The template also sees the named special tokens (``bos_token`` and the like).
        text = self._template.render({
            **self.special_tokens_map, "messages": [dict(m) for m in messages], "tools": None,
            "documents": None, "add_generation_prompt": add_generation_prompt,
        })
        return self.encode(text, add_special_tokens=False) if tokenize else text

    def _template_text(self) -> str:
        if isinstance(self.chat_template, dict):  # several named templates: the default one
            if "default" not in self.chat_template:
                raise ValueError(f"no default chat template among {', '.join(sorted(self.chat_template))}")
            return self.chat_template["default"]
        return self.chat_template


def chat_template_environment():
    """A sandboxed jinja2 environment set up as chat templates expect (the ones on the Hub
    are written for transformers' settings): blocks trimmed, ``break``/``continue``,
    ``raise_exception``, ``strftime_now``, a ``tojson`` that leaves non-ASCII text and HTML
    characters alone, and ``{% generation %}`` (which marks an assistant's turn) rendering
    its body."""
    import jinja2.ext
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class GenerationBlock(jinja2.ext.Extension):
        tags = {"generation"}

        def parse(self, parser):
            next(parser.stream)
            return parser.parse_statements(("name:endgeneration",), drop_needle=True)

    def raise_exception(message: str):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    environment = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationBlock, jinja2.ext.loopcontrols]
    )
    environment.filters["tojson"] = tojson
    environment.globals["raise_exception"] = raise_exception
    environment.globals["strftime_now"] = lambda format: datetime.now().strftime(format)
    return environment
