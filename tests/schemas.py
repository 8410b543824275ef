"""Older store schemas, rebuilt from today's by taking out what each later version added,
to test that a store of that version is brought up to date."""

from pipeline import store

RETRY_COLUMN = "    retry       TEXT,                     -- flagged and decoded again: what was tried, what kept\n"
VERSION_2_COLUMNS = (
    "    pieces      INTEGER NOT NULL DEFAULT 1, -- > 1: the source was split to fit the model\n",
    "    url         TEXT,\n",
    "    flags       TEXT NOT NULL DEFAULT '[]', -- JSON [[name, reason], ...] from quality.py\n",
)


def schema_at(version: int) -> str:
    """The SQL that made a store of ``version`` (1 to today's)."""
    schema = store.SCHEMA
    if version < 5:
        schema = schema.replace(store.PAGE_SCHEMA, "")
    if version < 4:
        schema = schema.replace(store.GLOSSARY_SCHEMA, "").replace(RETRY_COLUMN, "")
    if version < 3:
        schema = schema.replace(store.EDITION_SCHEMA, "")
    if version < 2:
        for column in VERSION_2_COLUMNS:
            schema = schema.replace(column, "")
    return schema
