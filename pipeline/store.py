"""The SQLite store: documents, their sentences, a translation memory, and human editions.

Translations are keyed by (source text, target language, engine signature), so a sentence
met again in any article is never translated twice by the same engine and settings.
``document_translations`` records which signature translated which document into which
language. ``editions`` and ``edition_beads`` hold the site's own editions of a document,
aligned with it in n:m beads, with the aligner's signature and a score per bead.

Every write is one transaction (``atomic``): a document with its sentences, a chunk of
translations, a document's completion; a crash never leaves half of one. The only module
that speaks SQL.
"""

from __future__ import annotations

import json
import shlex
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .document import (
    AlignedDocument, Article, Edition, EditionBead, Flag, PairRecord, Sentence, Signature, Translation, TranslatedText,
)
from .errors import StoreError
from .fetch import Page
from .glossary import Glossary

SCHEMA_VERSION = 5

SCHEMA = """
CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    title       TEXT NOT NULL,
    authors     TEXT NOT NULL,            -- JSON list
    outlet      TEXT,
    published   TEXT,
    url         TEXT,
    body        TEXT NOT NULL,
    added_at    TEXT NOT NULL
);
CREATE TABLE sentences (
    doc_id      TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    paragraph   INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    text        TEXT NOT NULL,
    PRIMARY KEY (doc_id, idx)
);
CREATE TABLE signatures (
    id          INTEGER PRIMARY KEY,
    signature   TEXT NOT NULL UNIQUE,
    engine      TEXT NOT NULL,
    model       TEXT NOT NULL,
    details     TEXT NOT NULL             -- JSON object
);
CREATE TABLE translations (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    lang        TEXT NOT NULL,
    signature_id INTEGER NOT NULL REFERENCES signatures(id),
    text        TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    pieces      INTEGER NOT NULL DEFAULT 1, -- > 1: the source was split to fit the model
    flags       TEXT NOT NULL DEFAULT '[]', -- JSON [[name, reason], ...] from quality.py
    retry       TEXT,                     -- flagged and decoded again: what was tried, what kept
    UNIQUE (source, lang, signature_id)
);
CREATE TABLE document_translations (
    doc_id      TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    lang        TEXT NOT NULL,
    signature_id INTEGER NOT NULL REFERENCES signatures(id),
    added_at    TEXT NOT NULL,
    PRIMARY KEY (doc_id, lang, signature_id)
);
"""
# Version 3: the site's human editions, aligned with a document in n:m beads.
EDITION_SCHEMA = """
CREATE TABLE editions (
    doc_id      TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    lang        TEXT NOT NULL,
    source      TEXT NOT NULL,            -- the edition's file, as named when aligned
    title       TEXT NOT NULL,
    authors     TEXT NOT NULL,            -- JSON list
    published   TEXT,
    url         TEXT,
    body        TEXT NOT NULL,
    signature_id INTEGER NOT NULL REFERENCES signatures(id),  -- the aligner's
    score       REAL NOT NULL,            -- median score of its pair beads
    added_at    TEXT NOT NULL,
    PRIMARY KEY (doc_id, lang)
);
CREATE TABLE edition_beads (
    doc_id      TEXT NOT NULL,
    lang        TEXT NOT NULL,
    idx         INTEGER NOT NULL,         -- 0: the titles, then the body's beads in order
    kind        TEXT NOT NULL,            -- title or sentence
    src         TEXT NOT NULL,            -- JSON list of English sentence indices
    tgt         TEXT NOT NULL,            -- JSON list of the edition's sentence indices
    source      TEXT NOT NULL,
    text        TEXT NOT NULL,
    score       REAL NOT NULL,
    PRIMARY KEY (doc_id, lang, idx),
    FOREIGN KEY (doc_id, lang) REFERENCES editions(doc_id, lang) ON DELETE CASCADE
);
"""
SCHEMA += EDITION_SCHEMA
# Version 4: the glossaries that translations' signatures name (by digest), and retries.
GLOSSARY_SCHEMA = """
CREATE TABLE glossaries (
    digest      TEXT PRIMARY KEY,         -- as in the signatures (glossary:...)
    terms       TEXT NOT NULL,            -- JSON [[English term, {lang: rendering}], ...]
    source      TEXT NOT NULL,            -- the file it was read from
    added_at    TEXT NOT NULL
);
"""
SCHEMA += GLOSSARY_SCHEMA
# Version 5: web pages as fetched, so a rerun asks only whether they changed.
PAGE_SCHEMA = """
CREATE TABLE pages (
    url         TEXT PRIMARY KEY,         -- as asked for
    final_url   TEXT NOT NULL,            -- after redirects
    content_type TEXT NOT NULL,
    charset     TEXT,
    etag        TEXT,
    last_modified TEXT,
    body        BLOB NOT NULL,
    fetched_at  TEXT NOT NULL
);
"""
SCHEMA += PAGE_SCHEMA

# Steps that bring an older store up to date: version -> statements to reach version + 1.
MIGRATIONS = {
    1: [
        "ALTER TABLE translations ADD COLUMN pieces INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE documents ADD COLUMN url TEXT",
        "ALTER TABLE translations ADD COLUMN flags TEXT NOT NULL DEFAULT '[]'",
    ],
    2: [statement for statement in EDITION_SCHEMA.split(";") if statement.strip()],
    3: [statement for statement in GLOSSARY_SCHEMA.split(";") if statement.strip()]
    + ["ALTER TABLE translations ADD COLUMN retry TEXT"],
    4: [statement for statement in PAGE_SCHEMA.split(";") if statement.strip()],
}


def damaged(path: str | Path, problem: object) -> StoreError:
    """The one line for a damaged store: what SQLite found, and how to get back what it
    still holds (SQLite's own recovery)."""
    return StoreError(f"{path}: the store is damaged ({problem}); recover what it holds with: "
                      f"sqlite3 {shlex.quote(str(path))} .recover | sqlite3 recovered.db")


def _is_damage(error: BaseException | None) -> bool:
    """SQLite's word that a database file is damaged (a page scribbled over, the file cut
    short), not that it is no database at all or cannot be reached."""
    return isinstance(error, sqlite3.DatabaseError) and getattr(error, "sqlite_errorname", None) == "SQLITE_CORRUPT"


@dataclass(frozen=True)
class DocumentSummary:
    doc_id: str
    title: str
    source: str
    published: str | None
    sentences: int
    languages: tuple[str, ...]  # machine translations
    editions: tuple[str, ...] = ()  # human editions aligned with it


class Store:
    """An open bitext store. Use as a context manager, or call ``close()``."""

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreError(f"{self.path}: no such store (run `bitext run ... --db {self.path}` first)")
        if not self.path.parent.is_dir():
            raise StoreError(f"{self.path}: folder {self.path.parent} does not exist")
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a store file")
        if self.path.exists() and not self.path.is_file():
            # /dev/null, a pipe: SQLite would leave a journal beside it (/dev/null-journal)
            raise StoreError(f"{self.path}: not a regular file; a store is an SQLite file")
        try:
            self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.conn.execute("PRAGMA busy_timeout = 30000")  # another bitext may be writing
            self.conn.execute("PRAGMA foreign_keys = ON")
            # The version first: a store this bitext cannot read is left untouched.
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                self.conn.close()
                raise StoreError(
                    f"{self.path}: store schema version {version} is newer than this bitext "
                    f"supports ({SCHEMA_VERSION}); upgrade bitext"
                )
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as error:
            raise StoreError(f"{self.path}: cannot open or create the store ({error})") from None
        except sqlite3.DatabaseError as error:
            if _is_damage(error):  # an SQLite file, cut short or scribbled over
                raise damaged(self.path, error) from None
            raise StoreError(f"{self.path}: not a bitext store ({error})") from None
        if mode.lower() != "wal":
            raise StoreError(f"{self.path}: cannot switch the store to WAL mode (is it read-only?)")
        if version < SCHEMA_VERSION:
            self._upgrade()

    def _upgrade(self) -> None:
        """Create or migrate the schema, inside one write transaction: two processes opening
        a new store at once must not both create it."""
        with self.atomic() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
                if tables:
                    raise StoreError(f"{self.path}: an SQLite file that is not a bitext store")
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
            else:
                for step in range(version, SCHEMA_VERSION):
                    for statement in MIGRATIONS[step]:
                        conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def check(self) -> None:
        """Refuse, before anything is written, a damaged store (SQLite's quick_check: every
        page read once, no index compared with its table) or one that cannot be written."""
        try:
            problems = [row[0] for row in self.conn.execute("PRAGMA quick_check(3)")]
        except sqlite3.DatabaseError as error:
            problems = [str(error)]
        if problems != ["ok"]:
            raise damaged(self.path, problems[0])
        # A file that opens but refuses writes (immutable, a read-only snapshot) fails at
        # the first write: try one now, and take it back.
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            finally:
                self.conn.execute("ROLLBACK")
        except sqlite3.OperationalError as error:
            raise StoreError(f"{self.path}: the store is read-only ({error})") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        self.close()
        # Found while reading or writing, after the store opened: said with the store's name.
        if _is_damage(error):
            raise damaged(self.path, error) from None
        if isinstance(error, sqlite3.OperationalError):  # a full disk, a lock held too long
            raise StoreError(f"{self.path}: cannot read or write the store ({error})") from None

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything inside commits together or not at all."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreError(f"{self.path}: cannot write to the store ({error})") from None
        try:
            yield self.conn
        except sqlite3.OperationalError as error:
            self.conn.execute("ROLLBACK")
            if "readonly" in str(error) or "read-only" in str(error):
                raise StoreError(f"{self.path}: the store is read-only ({error})") from None
            raise
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Read everything inside from one consistent state of the store, while other
        processes go on writing (a WAL read transaction)."""
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")

    # --- writing ---------------------------------------------------------------------

    def save(self, doc: AlignedDocument) -> None:
        """Store a document, its sentences and translations in one transaction.

        Saving a document again only adds what is new (another language or signature);
        an edition replaces the one stored for its language (an edition is aligned anew
        when the page or the aligner changed).
        """
        now = _now()
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
            self._insert_document(article, sentences, now=_now())

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

    def _insert_edition(self, doc_id: str, edition: Edition, *, now: str) -> None:
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
            [(doc_id, edition.lang, idx, bead.kind, json.dumps(bead.src), json.dumps(bead.tgt), bead.source,
              bead.text, bead.score) for idx, bead in enumerate(edition.beads)],
        )

    def keep_glossary(self, glossary: Glossary) -> None:
        """Keep a glossary (once per content) so the signatures that name it can be read."""
        with self.atomic() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO glossaries (digest, terms, source, added_at) VALUES (?, ?, ?, ?)",
                (glossary.digest, glossary.as_json(), glossary.source, _now()),
            )

    def keep_page(self, page: Page) -> None:
        """Keep a fetched page (replacing what was kept for its URL)."""
        with self.atomic() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO pages (url, final_url, content_type, charset, etag, last_modified, body,"
                " fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (page.url, page.final_url, page.content_type, page.charset, page.etag, page.last_modified, page.body,
                 page.fetched_at),
            )

    def page(self, url: str) -> Page | None:
        """The page kept for ``url``, if any."""
        row = self.conn.execute(
            "SELECT url, final_url, content_type, body, charset, etag, last_modified, fetched_at FROM pages"
            " WHERE url = ?", (url,)).fetchone()
        return Page(*row) if row else None

    def glossary(self, digest: str) -> Glossary | None:
        row = self.conn.execute("SELECT terms, source FROM glossaries WHERE digest = ?", (digest,)).fetchone()
        return Glossary.from_json(row[0], source=row[1]) if row else None

    def remember(self, translations: Iterable[Translation], *, lang: str, signature: Signature) -> None:
        """Add translations to the translation memory in one transaction, as soon as a
        batch is translated: work done before a crash is not lost."""
        with self.atomic():
            self._insert_translations(translations, lang=lang, signature=signature, now=_now())

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
                (t.source, lang, signature_id, t.text, now, t.pieces,
                 json.dumps([(f.name, f.reason) for f in t.flags], ensure_ascii=False), t.retry)
                for t in translations
            ],
        )
        return signature_id

    def _signature_id(self, signature: Signature) -> int:
        text = str(signature)
        self.conn.execute(
            "INSERT INTO signatures (signature, engine, model, details) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (text, signature.engine, signature.model, json.dumps(signature.as_dict(), sort_keys=True)),
        )
        return self.conn.execute("SELECT id FROM signatures WHERE signature = ?", (text,)).fetchone()[0]

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
            translations[lang] = TranslatedText(
                lang=lang, signature=signature, title=memory.get(title, Translation(title, "")),
                sentences=tuple(memory.get(s.text, Translation(s.text, "")) for s in sentences),
            )
        return AlignedDocument(article=article, sentences=sentences, translations=translations,
                               editions=self._editions(doc_id))

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

    def _latest_signatures(self, doc_id: str) -> list[tuple[str, Signature]]:
        rows = self.conn.execute(
            "SELECT dt.lang, s.signature FROM document_translations dt JOIN signatures s ON s.id = dt.signature_id"
            " WHERE dt.doc_id = ? ORDER BY dt.added_at, s.id",
            (doc_id,),
        ).fetchall()
        latest = {lang: Signature.parse(signature) for lang, signature in rows}  # later rows win
        return sorted(latest.items())

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
        article=doc.article, kind="title", index=None, paragraph=None, source=doc.article.title,
        translations={lang: t.title for lang, t in doc.translations.items()}, signatures=signatures,
    )
    for sentence in doc.sentences:
        yield PairRecord(
            article=doc.article, kind="sentence", index=sentence.index, paragraph=sentence.paragraph,
            source=sentence.text,
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
                paragraph=first.paragraph if first else None, source=bead.source,
                translations={lang: Translation(bead.source, bead.text)}, signatures={lang: signature},
                origin="edition", score=bead.score, span=bead.src,
            )


def remove_if_empty(path: str | Path) -> bool:
    """Delete the store at ``path`` (with its WAL files) if it holds no document: a command
    that created a store and then failed leaves nothing behind. True if it was removed."""
    path = Path(path)
    if not path.exists():
        return False
    with Store(path, create=False) as store:
        if store.documents():
            return False
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return True


def _codes(joined: str | None) -> tuple[str, ...]:
    return tuple(sorted(joined.split(","))) if joined else ()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
