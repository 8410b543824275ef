"""The glossaries that translations' signatures name by digest, kept once per content."""

from __future__ import annotations

from ..glossary import Glossary
from .connection import StoreConnection, utc_now


class GlossaryTable(StoreConnection):
    def keep_glossary(self, glossary: Glossary) -> None:
        """Keep a glossary (once per content) so the signatures that name it can be read."""
        with self.atomic() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO glossaries (digest, terms, source, added_at) VALUES (?, ?, ?, ?)",
                (glossary.digest, glossary.as_json(), glossary.source, utc_now()),
            )

    def glossary(self, digest: str) -> Glossary | None:
        row = self.conn.execute("SELECT terms, source FROM glossaries WHERE digest = ?", (digest,)).fetchone()
        return Glossary.from_json(row[0], source=row[1]) if row else None
