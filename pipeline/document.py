"""Plain records passed between the pipeline stages."""

from __future__ import annotations

import hashlib
import statistics
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
class FetchedPage:
    """A web page as fetched and kept in the store's page cache: ``url`` as asked,
    ``final_url`` after redirects. Reading it (its text, its charset) is ``fetch.Page``'s."""

    url: str
    final_url: str
    content_type: str
    body: bytes
    charset: str | None = None  # from the Content-Type header
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str = ""


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
    """One English text and its translation, as the translation memory keeps it."""

    english: str  # the text translated (bitext translates from English: languages.SOURCE_LANGUAGE)
    text: str
    pieces: int = 1  # > 1: the English was too long for the model and translated in pieces
    flags: tuple[Flag, ...] = ()
    retry: str | None = None  # flagged, so decoded again: what was tried and what was kept


@dataclass(frozen=True)
class DocumentTranslation:
    """A document's title and sentences translated into one language, and how (signature)."""

    lang: str
    signature: Signature
    title: Translation
    sentences: tuple[Translation, ...]


@dataclass(frozen=True)
class EditionBead:
    """English sentences and the sentences of a human edition that say the same thing.

    The titles are a bead of their own (``kind`` "title", no sentence indices); either
    side of a sentence bead may be empty (a sentence the other side left out).
    """

    kind: str  # "title" or "sentence"
    src: tuple[int, ...]  # indices of the English sentences
    tgt: tuple[int, ...]  # indices of the edition's sentences (as segmented for aligning)
    english: str  # the English side, its sentences joined
    text: str  # the edition's side, its sentences joined (no space between Chinese ones)
    score: float  # cosine of the two sides' embeddings (0 where a side is empty)

    @property
    def is_pair(self) -> bool:
        return bool(self.english.strip() and self.text.strip())


@dataclass(frozen=True)
class Edition:
    """A site's own (human) edition of an article in another language, aligned with the
    English article in n:m beads: the title bead first, then the body in reading order."""

    lang: str
    article: Article  # the edition as read (its own title, byline and paragraphs)
    signature: Signature  # how it was aligned: method, embedding model and checksum, settings
    beads: tuple[EditionBead, ...]

    @property
    def score(self) -> float:
        """Median score of the beads that pair sentences (title included): how well the
        edition matches the article as a whole. The median, as the few beads that pair a
        sentence the edition lacks with a neighbour's do not pull it down."""
        scores = [bead.score for bead in self.beads if bead.is_pair]
        return float(statistics.median(scores)) if scores else 0.0


@dataclass(frozen=True)
class AlignedDocument:
    """An article, its sentences, one machine translation per sentence per language, and
    the site's human editions aligned with it."""

    article: Article
    sentences: tuple[Sentence, ...]
    translations: dict[str, DocumentTranslation] = field(default_factory=dict)
    editions: dict[str, Edition] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        return self.article.doc_id


ORIGINS = ("machine", "edition")  # where a pair's other side comes from: an engine, or the site's editors


@dataclass(frozen=True)
class PairRecord:
    """An English text with its translations, as exporters write it: the document's title
    (``kind`` "title", first in its document) or one of its sentences.

    ``origin`` "machine": an English sentence and the engines' translations of it.
    ``origin`` "edition": a bead of a human edition (one language), whose English side may
    join several sentences (``span``) and whose ``score`` is the aligner's.
    """

    article: Article  # the document it belongs to (shared by its pairs, not copied)
    kind: str  # "title" or "sentence"
    index: int | None  # the sentence's index in the document; None for the title
    paragraph: int | None
    english: str  # the English text (the title, a sentence, or an edition bead's sentences joined)
    translations: dict[str, Translation]  # lang -> translation
    signatures: dict[str, str]  # lang -> signature of the engine (or aligner) that made it
    origin: str = "machine"  # "machine" or "edition"
    score: float | None = None  # an edition bead's alignment score; None for machine pairs
    span: tuple[int, ...] = ()  # an edition bead's English sentence indices

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
