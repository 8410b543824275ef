"""Documents, their sentences and the translation memory.

Translations are keyed by (source text, target language, engine signature), so a sentence
met again in any article is never translated twice by the same engine and settings.
``document_translations`` records which signature translated which document into which
language. Every write is one transaction: a document with its sentences, a chunk of
translations, a document's completion.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..document import AlignedDocument, Article, DocumentTranslation, Flag, Sentence, Signature, Translation
from ..errors import StoreError
from .connection import utc_now
from .editions import EditionTables


@dataclass(frozen=True)
class DocumentSummary:
    doc_id: str
    title: str
    source: str
    published: str | None
    sentences: int
    languages: tuple[str, ...]  # machine translations
    editions: tuple[str, ...] = ()  # human editions aligned with it


class DocumentTables(EditionTables):
    """Documents with their sentences, machine translations and (through ``EditionTables``)
    human editions, as whole ``AlignedDocument``s or piece by piece."""

    # --- writing ---------------------------------------------------------------------

    def save(self, doc: AlignedDocument) -> None:
        """Store a document, its sentences and translations in one transaction.

        Saving a document again only adds what is new (another language or signature);
        an edition replaces the one stored for its language (an edition is aligned anew
        when the page or the aligner changed).
        """
        now = utc_now()
        with self.atomic() as conn:
            self._insert_document(doc.article, doc.sentences, now=now)
            for lang, translated in doc.translations.items():
                signature_id = self._insert_translations([translated.title, *translated.sentences],
                                                         lang=lang, signature=translated.signature, now=now)
                conn.execute(
                    "INSERT INTO document_translations (doc_id, lang, signature_id, added_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (doc.doc_id, lang, signature_id, now),
                )
            for edition in doc.editions.values():
                self._insert_edition(doc.doc_id, edition, now=now)

    def add_document(self, article: Article, sentences: Sequence[Sentence]) -> None:
        """Store a document and its sentences, before any translation (a run's first
        stage); a document stored before is left as it is."""
        with self.atomic():
            self._insert_document(article, sentences, now=utc_now())

    def _insert_document(self, article: Article, sentences: Sequence[Sentence], *, now: str) -> None:
        doc_id = article.doc_id
        self.conn.execute(
            "INSERT INTO documents (id, source, title, authors, outlet, published, url, body, added_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (doc_id, article.source, article.title, json.dumps(list(article.authors)),
             article.outlet, article.published, article.url, article.body, now),
        )
        self.conn.executemany(
            "INSERT INTO sentences (doc_id, idx, paragraph, start, end, text) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [(doc_id, s.index, s.paragraph, s.start, s.end, s.text) for s in sentences],
        )

    def remember(self, translations: Iterable[Translation], *, lang: str, signature: Signature) -> None:
        """Add translations to the translation memory in one transaction, as soon as a
        batch is translated: work done before a crash is not lost."""
        with self.atomic():
            self._insert_translations(translations, lang=lang, signature=signature, now=utc_now())

    def _insert_translations(
        self, translations: Iterable[Translation], *, lang: str, signature: Signature, now: str
    ) -> int:
        """The one writer of the translations table (inside a transaction); returns the
        signature's id. A text already in memory for this signature is kept as it is."""
        signature_id = self._signature_id(signature)
        self.conn.executemany(
            "INSERT INTO translations (source, lang, signature_id, text, added_at, pieces, flags, retry)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                (t.english, lang, signature_id, t.text, now, t.pieces,
                 json.dumps([(f.name, f.reason) for f in t.flags], ensure_ascii=False), t.retry)
                for t in translations
            ],
        )
        return signature_id

    # --- reading ---------------------------------------------------------------------

    def remembered(self, sources: Iterable[str], *, lang: str, signature: Signature) -> dict[str, Translation]:
        """Translations already in memory for these sources, language and signature."""
        found: dict[str, Translation] = {}
        row = self.conn.execute("SELECT id FROM signatures WHERE signature = ?", (str(signature),)).fetchone()
        if row is None:
            return found
        unique = list(dict.fromkeys(sources))
        for start in range(0, len(unique), 500):  # stay under SQLite's variable limit
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for source, text, pieces, flags, retry in self.conn.execute(
                f"SELECT source, text, pieces, flags, retry FROM translations"
                f" WHERE lang = ? AND signature_id = ? AND source IN ({marks})",
                (lang, row[0], *chunk),
            ):
                found[source] = Translation(source, text, pieces, tuple(Flag(*flag) for flag in json.loads(flags)),
                                            retry)
        return found

    def is_translated(self, doc_id: str, *, lang: str, signature: Signature) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM document_translations dt JOIN signatures s ON s.id = dt.signature_id"
                " WHERE dt.doc_id = ? AND dt.lang = ? AND s.signature = ?",
                (doc_id, lang, str(signature)),
            ).fetchone()
            is not None
        )

    def documents(self) -> list[DocumentSummary]:
        rows = self.conn.execute(
            "SELECT d.id, d.title, d.source, d.published,"
            " (SELECT count(*) FROM sentences s WHERE s.doc_id = d.id),"
            " (SELECT group_concat(DISTINCT lang) FROM document_translations t WHERE t.doc_id = d.id),"
            " (SELECT group_concat(lang) FROM editions e WHERE e.doc_id = d.id)"
            " FROM documents d ORDER BY d.rowid"  # the order they were stored in
        ).fetchall()
        return [
            DocumentSummary(doc_id, title, source, published, count, _codes(langs), _codes(editions))
            for doc_id, title, source, published, count, langs, editions in rows
        ]

    def sentences(self, doc_id: str) -> tuple[Sentence, ...] | None:
        """A stored document's sentences, or None when the store does not hold it."""
        if self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is None:
            return None
        return tuple(
            Sentence(idx, paragraph, start, end, text)
            for idx, paragraph, start, end, text in self.conn.execute(
                "SELECT idx, paragraph, start, end, text FROM sentences WHERE doc_id = ? ORDER BY idx", (doc_id,)
            )
        )

    def find_document(self, prefix: str) -> str:
        """The full id of the document whose id starts with ``prefix``."""
        rows = self.conn.execute(
            "SELECT id FROM documents WHERE substr(id, 1, ?) = ? LIMIT 2", (len(prefix), prefix)
        ).fetchall()
        if not rows:
            raise StoreError(f"no document {prefix!r} in {self.path} (`bitext show --db {self.path}` lists them)")
        if len(rows) > 1:
            raise StoreError(f"document id {prefix!r} is ambiguous in {self.path}; give more characters")
        return rows[0][0]

    def load(self, doc_id: str) -> AlignedDocument:
        """A stored document with its latest translation into each language."""
        row = self.conn.execute(
            "SELECT source, title, authors, outlet, published, url, body FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no document {doc_id!r} in {self.path}")
        source, title, authors, outlet, published, url, body = row
        article = Article(
            source=source, title=title, paragraphs=tuple(body.split("\n\n")),
            authors=tuple(json.loads(authors)), outlet=outlet, published=published, url=url,
        )
        sentences = self.sentences(doc_id) or ()
        translations = {}
        for lang, signature in self._latest_signatures(doc_id):
            memory = self.remembered([title, *(s.text for s in sentences)], lang=lang, signature=signature)
            translations[lang] = DocumentTranslation(
                lang=lang, signature=signature, title=memory.get(title, Translation(title, "")),
                sentences=tuple(memory.get(s.text, Translation(s.text, "")) for s in sentences),
            )
        return AlignedDocument(article=article, sentences=sentences, translations=translations,
                               editions=self._editions(doc_id))

    def _latest_signatures(self, doc_id: str) -> list[tuple[str, Signature]]:
        rows = self.conn.execute(
            "SELECT dt.lang, s.signature FROM document_translations dt JOIN signatures s ON s.id = dt.signature_id"
            " WHERE dt.doc_id = ? ORDER BY dt.added_at, s.id",
            (doc_id,),
        ).fetchall()
        latest = {lang: Signature.parse(signature) for lang, signature in rows}  # later rows win
        return sorted(latest.items())


def _codes(joined: str | None) -> tuple[str, ...]:
    return tuple(sorted(joined.split(","))) if joined else ()
