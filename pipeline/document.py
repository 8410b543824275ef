"""Plain records passed between the pipeline stages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Article:
    """An article with its page furniture removed (output of ingest)."""

    source: str
    title: str
    paragraphs: tuple[str, ...]
    authors: tuple[str, ...] = ()
    outlet: str | None = None
    published: str | None = None  # ISO 8601, as precise as the page gives it
    url: str | None = None  # the canonical URL, where the page names one

    @property
    def body(self) -> str:
        """The body text; sentence offsets point into this string."""
        return "\n\n".join(self.paragraphs)

    @cached_property
    def doc_id(self) -> str:
        """A stable id from the content, so the same article is recognised again."""
        digest = hashlib.sha256(f"{self.title}\n\n{self.body}".encode()).hexdigest()
        return digest[:12]


@dataclass(frozen=True)
class Sentence:
    """One sentence of the body (output of segment)."""

    index: int
    paragraph: int
    start: int  # character offsets into Article.body, end exclusive
    end: int
    text: str


@dataclass(frozen=True)
class Signature:
    """How a translation was made: engine, model, version and decoding settings.

    Like sacrebleu's signatures, the compact string form is what is compared and stored.
    """

    engine: str
    model: str
    settings: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        parts = [f"engine:{self.engine}", f"model:{self.model}"]
        parts += [f"{key}:{value}" for key, value in self.settings]
        return "|".join(parts)

    def as_dict(self) -> dict[str, str]:
        return {"engine": self.engine, "model": self.model, **dict(self.settings)}

    @classmethod
    def parse(cls, text: str) -> Signature:
        fields = dict(part.split(":", 1) for part in text.split("|"))
        engine, model = fields.pop("engine"), fields.pop("model")
        return cls(engine, model, tuple(fields.items()))


@dataclass(frozen=True)
class Flag:
    """A quality check's finding on a pair: its name (see quality.CHECKS) and why, in words."""

    name: str
    reason: str


@dataclass(frozen=True)
class Translation:
    """One translated text, as the translation memory keeps it."""

    source: str
    text: str
    pieces: int = 1  # > 1: the source was too long for the model and translated in pieces
    flags: tuple[Flag, ...] = ()


@dataclass(frozen=True)
class TranslatedText:
    """Translations of an article's title and sentences into one language."""

    lang: str
    signature: Signature
    title: Translation
    sentences: tuple[Translation, ...]


@dataclass(frozen=True)
class AlignedDocument:
    """An article, its sentences, and one translation per sentence per language."""

    article: Article
    sentences: tuple[Sentence, ...]
    translations: dict[str, TranslatedText] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        return self.article.doc_id


@dataclass(frozen=True)
class PairRecord:
    """A source text with its translations, as exporters write it: the document's title
    (``kind`` "title", first in its document) or one of its sentences."""

    article: Article  # the document it belongs to (shared by its pairs, not copied)
    kind: str  # "title" or "sentence"
    index: int | None  # the sentence's index in the document; None for the title
    paragraph: int | None
    source: str
    translations: dict[str, Translation]  # lang -> translation
    signatures: dict[str, str]  # lang -> signature of the engine that made it

    @property
    def doc_id(self) -> str:
        return self.article.doc_id

    def text(self, lang: str) -> str:
        """The translation into ``lang`` ("" where there is none)."""
        found = self.translations.get(lang)
        return found.text if found is not None else ""

    def flags(self, lang: str) -> tuple[Flag, ...]:
        found = self.translations.get(lang)
        return found.flags if found is not None else ()
