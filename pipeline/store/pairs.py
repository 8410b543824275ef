"""Every stored pair, for export and the reading pages: each document's sentences with
their latest machine translations, then the beads of its human editions that pair sentences."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..document import AlignedDocument, PairRecord, Translation
from .documents import DocumentTables


class PairReading(DocumentTables):
    def iter_pairs(
        self, doc_ids: Sequence[str] | None = None, *, since: str | None = None, origin: str | None = None,
        min_score: float | None = None,
    ) -> Iterator[PairRecord]:
        """Every stored pair, document by document, all from one snapshot of the store (a
        run writing meanwhile is not half seen): first each sentence with its latest
        machine translations, then the beads of each human edition that pair sentences
        (a sentence one side left out is not a pair).

        ``since`` (an ISO date or time) keeps documents translated or aligned at or after
        it. ``origin`` ("machine" or "edition") keeps pairs of that origin only.
        ``min_score`` drops edition beads the aligner scored below it.
        """
        with self.snapshot():
            yield from self._pairs(doc_ids, since, origin, min_score)

    def _pairs(
        self, doc_ids: Sequence[str] | None, since: str | None, origin: str | None, min_score: float | None
    ) -> Iterator[PairRecord]:
        ids = doc_ids or [d.doc_id for d in self.documents()]
        if since:
            recent = {
                row[0]
                for row in self.conn.execute(
                    "SELECT doc_id FROM document_translations WHERE added_at >= ?"
                    " UNION SELECT doc_id FROM editions WHERE added_at >= ?", (since, since)
                )
            }
            ids = [doc_id for doc_id in ids if doc_id in recent]
        for doc_id in ids:
            doc = self.load(doc_id)
            if origin in (None, "machine") and doc.translations:
                yield from _machine_pairs(doc)
            if origin in (None, "edition"):
                yield from _edition_pairs(doc, min_score)


def _machine_pairs(doc: AlignedDocument) -> Iterator[PairRecord]:
    signatures = {lang: str(t.signature) for lang, t in doc.translations.items()}
    yield PairRecord(
        article=doc.article, kind="title", index=None, paragraph=None, english=doc.article.title,
        translations={lang: t.title for lang, t in doc.translations.items()}, signatures=signatures,
    )
    for sentence in doc.sentences:
        yield PairRecord(
            article=doc.article, kind="sentence", index=sentence.index, paragraph=sentence.paragraph,
            english=sentence.text,
            translations={lang: t.sentences[sentence.index] for lang, t in doc.translations.items()},
            signatures=signatures,
        )


def _edition_pairs(doc: AlignedDocument, min_score: float | None) -> Iterator[PairRecord]:
    for lang, edition in doc.editions.items():
        signature = str(edition.signature)
        for bead in edition.beads:
            if not bead.is_pair or (min_score is not None and bead.score < min_score):
                continue
            first = doc.sentences[bead.src[0]] if bead.src else None
            yield PairRecord(
                article=doc.article, kind=bead.kind, index=first.index if first else None,
                paragraph=first.paragraph if first else None, english=bead.english,
                translations={lang: Translation(bead.english, bead.text)}, signatures={lang: signature},
                origin="edition", score=bead.score, span=bead.src,
            )
