"""Fetch news pages from the web, politely and within bounds.

Each GET is ``transport``'s: requests with urllib3's ``Retry``, timeouts, retries,
redirects, a size limit and an overall deadline. Here: the content type checked (HTML or
text), the charset honoured, and politeness: robots.txt obeyed (``urllib.robotparser``,
RFC 9309's rules for a robots.txt that is missing or unreachable), a delay between
requests to one host (longer where robots.txt asks for one), and a User-Agent that names
bitext and its version.

A ``PageCache`` (the store) keeps every page fetched with its ETag and Last-Modified: a
page fetched before is asked for again only conditionally, and an unchanged page (304)
costs no body. Every failure is a ``FetchError``: one line naming the URL and the cause.

A URL may carry a user name and password (``https://user:secret@host/...``): they are sent
as HTTP basic authentication to that scheme and host only, and every URL kept, shown or
put in a message is the one without them (``split_credentials``).
"""

from __future__ import annotations

import re
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

from .document import FetchedPage
from .transport import USER_AGENT, FetchError, FetchOptions, Transport

TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
ROBOTS_MAX_AGE = 24 * 3600  # seconds
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """``url`` without the user name and password in it, and those (user, password), if any.
    The first is what bitext stores, shows and logs; the second is only ever sent."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    clean = urlunsplit(parts._replace(netloc=host))  # and the scheme in lower case: HTTP:// is http://
    if not at:
        return clean, None
    user, _, password = userinfo.partition(":")
    return clean, (unquote(user), unquote(password))


def without_credentials(url: str) -> str:
    """``url`` as bitext keeps and shows it: with no user name or password."""
    return split_credentials(url)[0]


@dataclass(frozen=True)
class Page(FetchedPage):
    """A fetched page: ``url`` as asked, ``final_url`` after redirects."""

    @classmethod
    def kept(cls, record: FetchedPage) -> Page:
        """The page a cache kept as a plain record."""
        return record if isinstance(record, cls) else cls(*(getattr(record, f.name) for f in fields(record)))

    @property
    def is_html(self) -> bool:
        return self.content_type != "text/plain"

    def text(self) -> str:
        """The body as text: the header's charset, else the page's <meta charset>, else
        UTF-8, else what charset_normalizer finds."""
        for charset in (self.charset, _meta_charset(self.body), "utf-8"):
            if charset:
                try:
                    return self.body.decode(charset)
                except (LookupError, UnicodeDecodeError):
                    continue
        from charset_normalizer import from_bytes

        best = from_bytes(self.body).best()
        if best is None:
            raise FetchError(f"{self.url}: the page's text is in no charset bitext can read")
        return str(best)


class PageCache(Protocol):
    """Where fetched pages are kept (the store)."""

    def page(self, url: str) -> FetchedPage | None: ...

    def keep_page(self, page: FetchedPage) -> None: ...


class Fetcher:
    """Fetches pages one by one, sharing connections, robots.txt files and per-host delays."""

    def __init__(self, options: FetchOptions | None = None, *, cache: PageCache | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.options = options or FetchOptions()
        self.cache = cache
        self.clock, self.sleep = clock, sleep
        self.transport = Transport(self.options, clock=clock)
        self.robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}  # None: all allowed
        self.robots_unreadable: dict[str, str] = {}  # host -> why its robots.txt forbids all
        self.last_request: dict[str, float] = {}
        self.pages: dict[str, Page] = {}  # this run's pages: asked for once per run
        self.failures: dict[str, FetchError] = {}  # and those that failed, tried once
        self.downloaded: set[str] = set()  # URLs whose body came over the network in this run
        self.credentials: dict[tuple[str, str], tuple[str, str]] = {}  # (scheme, host) -> (user, password)

    @property
    def fetched(self) -> int:
        """Pages whose body came over the network in this run."""
        return len(self.downloaded)

    def close(self) -> None:
        self.transport.close()

    def get(self, url: str) -> Page:
        """The page at ``url``; a ``FetchError`` says why not. A user name and password in
        ``url`` are sent with every request to its scheme and host (its editions too), and
        appear in no page, URL or message."""
        url, credentials = split_credentials(url)
        if credentials is not None:
            parts = urlsplit(url)
            self.credentials[parts.scheme.lower(), parts.netloc.lower()] = credentials
        if url in self.pages:
            return self.pages[url]
        if url in self.failures:
            raise self.failures[url]
        try:
            self.pages[url] = page = self._get(url)
        except FetchError as error:
            self.failures[url] = error
            raise
        return page

    def _get(self, url: str) -> Page:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"{url}: not an http(s) URL")
        try:
            port = parts.port
        except ValueError:  # not a number, or above 65535
            port = 0
        if port is not None and not 1 <= port <= 65535:
            raise FetchError(f"{url}: not a valid URL (a port is a number from 1 to 65535)")
        if self.options.robots and not self._allowed(url):
            why = self.robots_unreadable.get(parts.netloc, "")
            raise FetchError(f"{url}: blocked by the site's robots.txt{why}")
        cached = self.cache.page(url) if self.cache is not None else None
        headers = {}
        if cached is not None and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached is not None and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        self._wait_for(url)
        started = self.clock()  # the deadline counts from the request, not the polite wait before it
        response = self._request(url, headers=headers, started=started)
        with response:
            if response.status_code == 304 and cached is not None:
                return Page.kept(cached)
            if response.status_code in (404, 410):
                raise FetchError(f"{url}: not found (HTTP {response.status_code})")
            if response.status_code >= 500:
                raise FetchError(f"{url}: server error (HTTP {response.status_code}) after "
                                 f"{self.options.retries} retries")
            if response.status_code >= 400:
                raise FetchError(f"{url}: refused (HTTP {response.status_code} {response.reason})")
            content_type, charset = _content_type(response.headers.get("Content-Type", ""))
            if content_type not in TEXT_TYPES:
                raise FetchError(f"{url}: not an HTML page or text ({content_type or 'no content type'})")
            body = self.transport.body(url, response, started=started)
        page = Page(url, without_credentials(response.url), content_type, body, charset, response.headers.get("ETag"),
                    response.headers.get("Last-Modified"), datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self.downloaded.add(url)
        if self.cache is not None:
            self.cache.keep_page(page)
        return page

    def _request(self, url: str, *, headers: dict[str, str], started: float):
        """The transport's response to a GET of ``url``, with the credentials given for its
        scheme and host; the time noted for the host's next polite delay."""
        parts = urlsplit(url)
        try:
            return self.transport.request(url, headers=headers, started=started,
                                          auth=self.credentials.get((parts.scheme.lower(), parts.netloc.lower())))
        finally:
            self.last_request[parts.netloc] = self.clock()

    def _wait_for(self, url: str) -> None:
        """Keep the delay between two requests to one host (robots.txt's Crawl-delay if longer)."""
        host = urlsplit(url).netloc
        delay = self.options.delay
        robots = self.robots.get(host)
        if robots is not None:
            delay = max(delay, float(robots.crawl_delay(USER_AGENT) or 0))
        last = self.last_request.get(host)
        if last is not None:
            wait = last + delay - self.clock()
            if wait > 0:
                self.sleep(wait)

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host = parts.netloc
        if host not in self.robots:
            try:
                self.robots[host] = self._read_robots(urlunsplit((parts.scheme, host, "/robots.txt", "", "")))
            except FetchError as error:
                raise FetchError(f"{url}: {error}") from None
        robots = self.robots[host]
        return robots is None or robots.can_fetch(USER_AGENT, url)

    def _keep_robots(self, robots_url: str, body: bytes, content_type: str) -> None:
        if self.cache is not None:  # "absent": the site has none (4xx), which allows everything
            self.cache.keep_page(Page(robots_url, robots_url, content_type, body,
                                      fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds")))

    def _read_robots(self, robots_url: str) -> urllib.robotparser.RobotFileParser | None:
        """A site's robots.txt (RFC 9309): none, or any 4xx, allows everything; one that
        cannot be read (5xx) disallows everything. Kept in the cache for a day."""
        import requests

        parser = urllib.robotparser.RobotFileParser(robots_url)
        kept = self.cache.page(robots_url) if self.cache is not None else None
        if kept is not None and _age(kept) < ROBOTS_MAX_AGE:  # RFC 9309: a robots.txt may be kept for a day
            if kept.content_type == "absent":
                return None
            parser.parse(kept.body.decode("utf-8", errors="replace").splitlines())
            return parser
        self._wait_for(robots_url)
        started = self.clock()
        try:
            response = self._request(robots_url, headers={}, started=started)
        except FetchError as error:
            # The site cannot be reached at all: say that, for the page asked for.
            raise FetchError(str(error).replace(f"{robots_url}: ", "", 1)) from None
        with response:
            if 400 <= response.status_code < 500:
                self._keep_robots(robots_url, b"", "absent")
                return None
            try:
                if response.status_code >= 300:
                    raise FetchError(f"HTTP {response.status_code}")
                body = self.transport.body(robots_url, response, started=started)
                self._keep_robots(robots_url, body, "text/plain")
                text = body.decode("utf-8", errors="replace")
            except (FetchError, requests.exceptions.RequestException) as error:
                parser.disallow_all = True
                self.robots_unreadable[urlsplit(robots_url).netloc] = (
                    f" (which could not be read: {str(error).replace(f'{robots_url}: ', '')})")
                return parser
        parser.parse(text.splitlines())
        return parser


def _age(page: FetchedPage) -> float:
    """Seconds since ``page`` was fetched."""
    try:
        fetched = datetime.fromisoformat(page.fetched_at)
    except ValueError:
        return float("inf")
    return (datetime.now(timezone.utc) - fetched).total_seconds()


def _content_type(header: str) -> tuple[str, str | None]:
    kind, _, params = header.partition(";")
    charset = re.search(r"charset\s*=\s*\"?([\w.:-]+)", params, re.IGNORECASE)
    return kind.strip().lower(), charset.group(1) if charset else None


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii") if match else None
