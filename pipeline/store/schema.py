"""The store's schema: today's tables, and the named, ordered steps that bring a store
made by an older bitext up to date.

A new store gets today's tables as they stand (``TABLES``). An older one is migrated one
step at a time, in order, each step recording the version it reaches (``PRAGMA
user_version``), all inside the transaction that opens the store: a failed step leaves the
store as it was.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

DOCUMENTS = """CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    title       TEXT NOT NULL,
    authors     TEXT NOT NULL,            -- JSON list
    outlet      TEXT,
    published   TEXT,
    url         TEXT,
    body        TEXT NOT NULL,
    added_at    TEXT NOT NULL
)"""
SENTENCES = """CREATE TABLE sentences (
    doc_id      TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    paragraph   INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    text        TEXT NOT NULL,
    PRIMARY KEY (doc_id, idx)
)"""
# Who made a translation or an alignment: one row per signature string.
SIGNATURES = """CREATE TABLE signatures (
    id          INTEGER PRIMARY KEY,
    signature   TEXT NOT NULL UNIQUE,
    engine      TEXT NOT NULL,
    model       TEXT NOT NULL,
    details     TEXT NOT NULL             -- JSON object
)"""
# The translation memory: keyed by English text (column `source`, Translation.english), language and
# signature. Stores in use have the column by that name; renaming it is not worth a migration.
TRANSLATIONS = """CREATE TABLE translations (
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
)"""
# Which signature translated which document into which language.
DOCUMENT_TRANSLATIONS = """CREATE TABLE document_translations (
    doc_id      TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    lang        TEXT NOT NULL,
    signature_id INTEGER NOT NULL REFERENCES signatures(id),
    added_at    TEXT NOT NULL,
    PRIMARY KEY (doc_id, lang, signature_id)
)"""
# The site's human editions, aligned with a document in n:m beads.
EDITIONS = """CREATE TABLE editions (
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
)"""
# A bead's `source` column is its English side (EditionBead.english).
EDITION_BEADS = """CREATE TABLE edition_beads (
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
)"""
# The glossaries that translations' signatures name (by digest).
GLOSSARIES = """CREATE TABLE glossaries (
    digest      TEXT PRIMARY KEY,         -- as in the signatures (glossary:...)
    terms       TEXT NOT NULL,            -- JSON [[English term, {lang: rendering}], ...]
    source      TEXT NOT NULL,            -- the file it was read from
    added_at    TEXT NOT NULL
)"""
# Web pages as fetched, so a rerun asks only whether they changed.
PAGES = """CREATE TABLE pages (
    url         TEXT PRIMARY KEY,         -- as asked for
    final_url   TEXT NOT NULL,            -- after redirects
    content_type TEXT NOT NULL,
    charset     TEXT,
    etag        TEXT,
    last_modified TEXT,
    body        BLOB NOT NULL,
    fetched_at  TEXT NOT NULL
)"""

# Today's tables, in the order a new store creates them.
TABLES = (DOCUMENTS, SENTENCES, SIGNATURES, TRANSLATIONS, DOCUMENT_TRANSLATIONS, EDITIONS, EDITION_BEADS, GLOSSARIES,
          PAGES)


@dataclass(frozen=True)
class Migration:
    """One step: the statements that bring a store of version ``version - 1`` to ``version``."""

    version: int
    name: str
    statements: tuple[str, ...]


# In order, one per version after the first; a step once released is never changed (stores
# made with it exist), a change to the schema is a new step at the end.
MIGRATIONS = (
    Migration(2, "translation pieces, document URLs, quality flags", (
        "ALTER TABLE translations ADD COLUMN pieces INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE documents ADD COLUMN url TEXT",
        "ALTER TABLE translations ADD COLUMN flags TEXT NOT NULL DEFAULT '[]'",
    )),
    Migration(3, "human editions and their beads", (EDITIONS, EDITION_BEADS)),
    Migration(4, "glossaries, translation retries", (
        GLOSSARIES,
        "ALTER TABLE translations ADD COLUMN retry TEXT",
    )),
    Migration(5, "the web page cache", (PAGES,)),
)

SCHEMA_VERSION = MIGRATIONS[-1].version


def create(conn: sqlite3.Connection) -> None:
    """Today's tables in an empty database (inside the caller's transaction)."""
    for statement in TABLES:
        conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def migrate(conn: sqlite3.Connection, version: int) -> list[str]:
    """Bring a store of ``version`` up to date, step by step (inside the caller's
    transaction); the names of the steps taken, in order."""
    taken = []
    for step in MIGRATIONS:
        if step.version > version:
            for statement in step.statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {step.version}")
            taken.append(step.name)
    return taken
