"""HTTP for the fetcher: one GET within bounds.

requests with urllib3's ``Retry`` (the most used HTTP stack in Python, and the retry
policy everyone knows): connect and read timeouts, a few retries with exponential backoff
on connection errors and 5xx answers (honouring Retry-After), redirects followed up to a
limit, a size limit and an overall deadline on the body. The deadline holds however slowly
headers or body come: a timer cuts the connection off (``_Guard``), and the body is read as
it arrives with the socket's timeout cut to what is left. Politeness (robots.txt, delays),
credentials and the page cache are ``fetch``'s.
"""

from __future__ import annotations

import functools
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import __version__
from .errors import InputError

USER_AGENT = f"bitext/{__version__} (news translation tool; python-requests)"


class FetchError(InputError):
    """A page that could not be fetched; the message names the URL and the cause."""


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


class Transport:
    """GETs over one requests session, within ``options``' timeouts, retries, redirects,
    size and deadline; every failure a ``FetchError`` naming the URL and the cause."""

    def __init__(self, options: FetchOptions, *, clock: Callable[[], float] = time.monotonic):
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        self.options, self.clock = options, clock
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.max_redirects = options.max_redirects
        retry = Retry(
            total=options.retries, connect=options.retries, read=options.retries,
            status=options.retries, backoff_factor=options.backoff,
            status_forcelist=(500, 502, 503, 504), allowed_methods=("GET",), raise_on_status=False,
            respect_retry_after_header=True,
        )
        adapter = HTTPAdapter(max_retries=retry)
        adapter.poolmanager.pool_classes_by_scheme = _guarded_pools()
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def request(self, url: str, *, headers: dict[str, str], started: float, auth: tuple[str, str] | None = None):
        """The response to a GET of ``url`` (sent with ``auth``, basic authentication, if
        any), its headers read by ``started`` + ``deadline``."""
        import requests

        guard = _waiting.guard = _Guard()
        timer = threading.Timer(max(0.0, started + self.options.deadline - self.clock()), guard.cut_off)
        timer.daemon = True
        timer.start()
        try:
            try:
                response = self.session.get(url, headers=headers, stream=True, auth=auth,
                                            timeout=(self.options.connect, self.options.read))
            except requests.exceptions.RequestException:
                if guard.cut:
                    raise self.too_slow(url) from None
                raise
            if guard.cut:  # headers cut short read as complete
                response.close()
                raise self.too_slow(url)
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

    def too_slow(self, url: str) -> FetchError:
        return FetchError(f"{url}: the page took more than {self.options.deadline:g} s to arrive")

    def body(self, url: str, response, *, started: float) -> bytes:
        """The body, within ``max_bytes`` and by ``started`` + ``deadline``. Read as it comes
        (``read1``: what has arrived, up to 64 KiB) with the socket's timeout cut to what is
        left of the deadline, so a server that trickles bytes cannot hold a read past it."""
        import urllib3

        limit, deadline, chunks, size = self.options.max_bytes, self.options.deadline, [], 0
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(f"{url}: too big ({int(declared):,} bytes; the limit is {limit:,})")
        too_slow = self.too_slow(url)
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
