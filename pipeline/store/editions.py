"""The site's own human editions of a document (``editions``), aligned with it in n:m
beads (``edition_beads``), each with the aligner's signature and a score."""

from __future__ import annotations

import json

from ..document import Article, Edition, EditionBead, Signature
from .connection import StoreConnection


class EditionTables(StoreConnection):
    def _insert_edition(self, doc_id: str, edition: Edition, *, now: str) -> None:
        """Replace the edition stored for its language (inside a transaction): an edition
        is aligned anew when the page or the aligner changed."""
        page = edition.article
        self.conn.execute("DELETE FROM editions WHERE doc_id = ? AND lang = ?", (doc_id, edition.lang))
        self.conn.execute(
            "INSERT INTO editions (doc_id, lang, source, title, authors, published, url, body, signature_id, score,"
            " added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, edition.lang, page.source, page.title, json.dumps(list(page.authors)), page.published, page.url,
             page.body, self._signature_id(edition.signature), edition.score, now),
        )
        self.conn.executemany(
            "INSERT INTO edition_beads (doc_id, lang, idx, kind, src, tgt, source, text, score)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(doc_id, edition.lang, idx, bead.kind, json.dumps(bead.src), json.dumps(bead.tgt), bead.english,
              bead.text, bead.score) for idx, bead in enumerate(edition.beads)],
        )

    def edition_sources(self, doc_id: str) -> dict[str, tuple[str, str]]:
        """Per language, where the stored edition of a document came from and the aligner's signature."""
        return {lang: (source, signature) for lang, source, signature in self.conn.execute(
            "SELECT e.lang, e.source, s.signature FROM editions e JOIN signatures s ON s.id = e.signature_id"
            " WHERE e.doc_id = ?", (doc_id,))}

    def _editions(self, doc_id: str) -> dict[str, Edition]:
        editions = {}
        rows = self.conn.execute(
            "SELECT e.lang, e.source, e.title, e.authors, e.published, e.url, e.body, s.signature FROM editions e"
            " JOIN signatures s ON s.id = e.signature_id WHERE e.doc_id = ? ORDER BY e.lang", (doc_id,)
        ).fetchall()
        for lang, source, title, authors, published, url, body, signature in rows:
            page = Article(source=source, title=title, paragraphs=tuple(body.split("\n\n")),
                           authors=tuple(json.loads(authors)), published=published, url=url)
            beads = tuple(
                EditionBead(kind, tuple(json.loads(src)), tuple(json.loads(tgt)), text_en, text, score)
                for kind, src, tgt, text_en, text, score in self.conn.execute(
                    "SELECT kind, src, tgt, source, text, score FROM edition_beads WHERE doc_id = ? AND lang = ?"
                    " ORDER BY idx", (doc_id, lang)
                )
            )
            editions[lang] = Edition(lang, page, Signature.parse(signature), beads)
        return editions
