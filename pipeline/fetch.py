"""Fetch news pages from the web, politely and within bounds.

requests with urllib3's ``Retry`` (the most used HTTP stack in Python, and the retry
policy everyone knows): connect and read timeouts, a few retries with exponential backoff
on connection errors and 5xx answers (honouring Retry-After), redirects followed up to a
limit, a size limit and an overall deadline on the body, the content type checked (HTML
or text), the charset honoured. Politeness: robots.txt obeyed (``urllib.robotparser``,
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

import functools
import re
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

from . import __version__
from .document import FetchedPage
from .errors import InputError

USER_AGENT = f"bitext/{__version__} (news translation tool; python-requests)"
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
ROBOTS_MAX_AGE = 24 * 3600  # seconds
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


class FetchError(InputError):
    """A page that could not be fetched; the message names the URL and the cause."""


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
class FetchOptions:
    """How pages are fetched. Timeouts in seconds: ``connect``, ``read`` (between bytes) and
    ``deadline`` (from the request to the body's last byte, retries included, however
    slowly headers or body come); ``retries`` on connection errors and 5xx, ``backoff``
    seconds growing 2x per retry; ``max_redirects``; ``max_bytes`` of body; ``delay``
    seconds between requests to one host; ``robots``: obey robots.txt."""

    connect: float = 5.0
    read: float = 20.0
    deadline: float = 60.0
    retries: int = 3
    backoff: float = 0.5
    max_redirects: int = 5
    max_bytes: int = 5_000_000
    delay: float = 1.0
    robots: bool = True


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


@dataclass
class _Guard:
    """The connection a request is waiting on, cut off when the request's deadline passes: a
    read timeout is between two bytes, and headers (or a redirect's body) sent a byte at a
    time would never reach it."""

    sock: object = None  # the socket of the connection whose response is awaited
    cut: bool = False

    def watch(self, sock) -> None:
        self.sock = sock
        if self.cut:  # the deadline passed before this connection (a retry's) was made
            self.cut_off()

    def cut_off(self) -> None:
        self.cut = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # a blocked read returns at once, with nothing
        except (AttributeError, OSError):  # no connection yet, or closed already
            pass


_waiting = threading.local()  # .guard: the _Guard of the request this thread is making


@functools.cache
def _guarded_pools() -> dict:
    """urllib3's connection pools, with connections that show the request's guard the socket
    whose response they wait for."""
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    def guarded(connection_class):
        class Guarded(connection_class):
            def getresponse(self):
                guard = getattr(_waiting, "guard", None)
                if guard is not None:
                    guard.watch(self.sock)
                return super().getresponse()

        return Guarded

    class Pool(HTTPConnectionPool):
        ConnectionCls = guarded(HTTPConnection)

    class TLSPool(HTTPSConnectionPool):
        ConnectionCls = guarded(HTTPSConnection)

    return {"http": Pool, "https": TLSPool}


class PageCache(Protocol):
    """Where fetched pages are kept (the store)."""

    def page(self, url: str) -> FetchedPage | None: ...

    def keep_page(self, page: FetchedPage) -> None: ...


class Fetcher:
    """Fetches pages one by one, sharing connections, robots.txt files and per-host delays."""

    def __init__(self, options: FetchOptions | None = None, *, cache: PageCache | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        self.options = options or FetchOptions()
        self.cache = cache
        self.clock, self.sleep = clock, sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.max_redirects = self.options.max_redirects
        retry = Retry(
            total=self.options.retries, connect=self.options.retries, read=self.options.retries,
            status=self.options.retries, backoff_factor=self.options.backoff,
            status_forcelist=(500, 502, 503, 504), allowed_methods=("GET",), raise_on_status=False,
            respect_retry_after_header=True,
        )
        adapter = HTTPAdapter(max_retries=retry)
        adapter.poolmanager.pool_classes_by_scheme = _guarded_pools()
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
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
        self.session.close()

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
            body = self._body(url, response, started=started)
        page = Page(url, without_credentials(response.url), content_type, body, charset, response.headers.get("ETag"),
                    response.headers.get("Last-Modified"), datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self.downloaded.add(url)
        if self.cache is not None:
            self.cache.keep_page(page)
        return page

    def _request(self, url: str, *, headers: dict[str, str], started: float):
        """The response to a GET of ``url``, its headers read by ``started`` + ``deadline``."""
        import requests

        parts = urlsplit(url)
        guard = _waiting.guard = _Guard()
        timer = threading.Timer(max(0.0, started + self.options.deadline - self.clock()), guard.cut_off)
        timer.daemon = True
        timer.start()
        try:
            try:
                response = self.session.get(url, headers=headers, stream=True,
                                            timeout=(self.options.connect, self.options.read),
                                            auth=self.credentials.get((parts.scheme.lower(), parts.netloc.lower())))
            except requests.exceptions.RequestException:
                if guard.cut:
                    raise self._too_slow(url) from None
                raise
            if guard.cut:  # headers cut short read as complete
                response.close()
                raise self._too_slow(url)
            return response
        except requests.exceptions.TooManyRedirects:
            raise FetchError(f"{url}: redirect loop (more than {self.options.max_redirects} redirects)") from None
        except requests.exceptions.ConnectTimeout:
            raise FetchError(f"{url}: timed out connecting ({self.options.connect:g} s)") from None
        except requests.exceptions.ReadTimeout:
            raise FetchError(f"{url}: timed out waiting for the server ({self.options.read:g} s)") from None
        except requests.exceptions.RetryError as error:
            raise FetchError(f"{url}: gave up after {self.options.retries} retries ({_reason(error)})") from None
        except requests.exceptions.ConnectionError as error:
            if "Read timed out" in str(error):  # read timeouts, retried, arrive as connection errors
                raise FetchError(f"{url}: timed out waiting for the server ({self.options.read:g} s)") from None
            raise FetchError(f"{url}: cannot connect ({_reason(error)})") from None
        except requests.exceptions.RequestException as error:
            raise FetchError(f"{url}: {_reason(error)}") from None
        finally:
            timer.cancel()
            _waiting.guard = None
            self.last_request[urlsplit(url).netloc] = self.clock()

    def _too_slow(self, url: str) -> FetchError:
        return FetchError(f"{url}: the page took more than {self.options.deadline:g} s to arrive")

    def _body(self, url: str, response, *, started: float) -> bytes:
        """The body, within ``max_bytes`` and by ``started`` + ``deadline``. Read as it comes
        (``read1``: what has arrived, up to 64 KiB) with the socket's timeout cut to what is
        left of the deadline, so a server that trickles bytes cannot hold a read past it."""
        import urllib3

        limit, deadline, chunks, size = self.options.max_bytes, self.options.deadline, [], 0
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(f"{url}: too big ({int(declared):,} bytes; the limit is {limit:,})")
        too_slow = self._too_slow(url)
        try:
            while True:
                left = started + deadline - self.clock()
                if left <= 0:
                    raise too_slow
                connection = response.raw.connection
                if connection is not None and connection.sock is not None:
                    connection.sock.settimeout(min(self.options.read, left))
                chunk = response.raw.read1(64 * 1024, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"{url}: too big (more than {limit:,} bytes)")
                chunks.append(chunk)
        except (urllib3.exceptions.HTTPError, OSError) as error:
            if self.clock() - started >= deadline:
                raise too_slow from None
            raise FetchError(f"{url}: the page broke off ({_reason(error)})") from None
        return b"".join(chunks)

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
                body = self._body(robots_url, response, started=started)
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


def _reason(error: Exception) -> str:
    """The innermost cause of a requests/urllib3 error, in a few words."""
    text = str(error)
    for pattern, reason in (
        (r"Name or service not known|nodename nor servname|NameResolutionError|getaddrinfo failed",
         "the host name does not resolve (DNS)"),
        (r"Connection refused", "connection refused"),
        (r"timed out", "timed out"),
        (r"too many 5\d\d error responses|ResponseError", "the server kept answering with errors"),
    ):
        if re.search(pattern, text):
            return reason
    return text.splitlines()[0][:200] if text else type(error).__name__
