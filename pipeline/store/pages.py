"""The HTTP page cache (``pages``): every page fetched, with its ETag and Last-Modified,
so a rerun asks only whether it changed. It keeps and gives back plain ``FetchedPage``
records; reading them is fetching's business (the store does not depend on it)."""

from __future__ import annotations

from ..document import FetchedPage
from .connection import StoreConnection


class PageCache(StoreConnection):
    def keep_page(self, page: FetchedPage) -> None:
        """Keep a fetched page (replacing what was kept for its URL)."""
        with self.atomic() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO pages (url, final_url, content_type, charset, etag, last_modified, body,"
                " fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (page.url, page.final_url, page.content_type, page.charset, page.etag, page.last_modified, page.body,
                 page.fetched_at),
            )

    def page(self, url: str) -> FetchedPage | None:
        """The page kept for ``url``, if any."""
        row = self.conn.execute(
            "SELECT url, final_url, content_type, body, charset, etag, last_modified, fetched_at FROM pages"
            " WHERE url = ?", (url,)).fetchone()
        return FetchedPage(*row) if row else None
