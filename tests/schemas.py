"""Older store schemas, rebuilt from today's by taking out what each later migration step
added, to test that a store of that version is brought up to date."""

from pipeline.store.schema import MIGRATIONS, TABLES

# Columns that later steps add with ALTER TABLE, as today's tables spell them.
ADDED_COLUMNS = {
    2: ("    pieces      INTEGER NOT NULL DEFAULT 1, -- > 1: the source was split to fit the model\n",
        "    url         TEXT,\n",
        "    flags       TEXT NOT NULL DEFAULT '[]', -- JSON [[name, reason], ...] from quality.py\n"),
    4: ("    retry       TEXT,                     -- flagged and decoded again: what was tried, what kept\n",),
}


def schema_at(version: int) -> str:
    """The SQL that made a store of ``version`` (1 to today's)."""
    later = [step for step in MIGRATIONS if step.version > version]
    added_tables = {statement for step in later for statement in step.statements if statement in TABLES}
    schema = "".join(f"\n{table};\n" for table in TABLES if table not in added_tables)
    for step in later:
        for column in ADDED_COLUMNS.get(step.version, ()):
            assert column in schema, column
            schema = schema.replace(column, "")
    return schema
