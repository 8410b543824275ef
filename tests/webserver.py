"""A small web site on 127.0.0.1 for the fetching tests: pages we wrote ourselves, and the
ways a server misbehaves (slow, 404, 500 then 200, a redirect loop, an endless body, a body
or headers that drip a byte at a time, a robots.txt that forbids a path)."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARTICLE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Riverside ferry returns after two years</title>
<link rel="canonical" href="/en/article.html">
<link rel="alternate" hreflang="en" href="/en/article.html">
<link rel="alternate" hreflang="zh-Hant" href="/zh/article.html">
<link rel="alternate" hreflang="fr" href="/fr/article.html">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article>
<h1>Riverside ferry returns after two years</h1>
<p class="byline">By Jo Lee | Updated: 2026-05-01 10:00</p>
<p>The ferry across the river returned on Monday after two years of repairs. "It is back. We are glad," said
Mayor Ana Ruiz. The city paid 12 million yuan for the work.</p>
<p>Riders cheered as the first boat left the pier at 7 am. Some had waited since dawn.</p>
</article>
<footer>Copyright 2026 Example Daily</footer>
</body></html>
"""

# The site's own editions, written for these tests; the Chinese one in Traditional characters.
ZH_EDITION_HTML = """<!doctype html>
<html lang="zh-Hant"><head><meta charset="utf-8"><title>河畔渡輪停航兩年後恢復運營</title>
<link rel="alternate" hreflang="en" href="/en/article.html"></head><body>
<nav><a href="/">首頁</a></nav>
<article>
<h1>河畔渡輪停航兩年後恢復運營</h1>
<p>停航兩年進行維修的過江渡輪於週一恢復運營。「它回來了，我們很高興，」市長安娜·魯伊斯說。市政府為這項工程支付了1200萬元。</p>
<p>當第一艘船於早上7點離開碼頭時，乘客們歡呼起來。有些人從黎明就開始等候。</p>
</article></body></html>
"""

FR_EDITION_HTML = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Le bac de Riverside reprend du service après deux ans</title>
</head><body>
<nav><a href="/">Accueil</a></nav>
<article>
<h1>Le bac de Riverside reprend du service après deux ans</h1>
<p>Le bac qui traverse la rivière a repris du service lundi après deux ans de travaux. « Il est de retour. Nous
sommes heureux », a déclaré la maire Ana Ruiz. La ville a payé 12 millions de yuans pour les travaux.</p>
<p>Les passagers ont applaudi lorsque le premier bateau a quitté le quai à 7 heures. Certains attendaient depuis
l'aube.</p>
</article></body></html>
"""

# The same article on a site whose editions are only in its switcher ("中文 | Français").
SWITCHER_HTML = re.sub(r'<link rel="(?:canonical|alternate)"[^>]*>\n', "", ARTICLE_HTML).replace(
    '<a href="/world">World</a>',
    '<a href="/world">World</a> <a href="/zh/article.html">中文</a> | <a href="/fr/article.html">Français</a>')

# The article again, its Chinese edition with the headline and a byline in its text, as a
# site without markup for them writes them (trafilatura then keeps them in the body).
BYLINED_HTML = ARTICLE_HTML.replace("/zh/article.html", "/zh/bylined.html")
ZH_BYLINED_HTML = ZH_EDITION_HTML.replace("<h1>河畔渡輪停航兩年後恢復運營</h1>",
                                          '<h1>河畔渡輪停航兩年後恢復運營</h1>\n<p class="byline">By Lin Mei</p>')

ROBOTS = "User-agent: *\nDisallow: /private/\n"
MEMBER = ("reader", "s3cret-pass")  # the user name and password /members/ asks for


class Site:
    """Routes: path -> (status, headers, body), or a callable taking the handler."""

    def __init__(self):
        self.hits: Counter[str] = Counter()
        self.bodies_sent: Counter[str] = Counter()
        self.agents: set[str] = set()
        self.routes = {
            "/robots.txt": (200, {"Content-Type": "text/plain"}, ROBOTS.encode()),
            "/en/article.html": self.etagged(ARTICLE_HTML.encode(), "text/html; charset=utf-8"),
            "/zh/article.html": self.etagged(ZH_EDITION_HTML.encode(), "text/html; charset=utf-8"),
            "/fr/article.html": self.etagged(FR_EDITION_HTML.encode(), "text/html; charset=utf-8"),
            "/en/bylined.html": self.etagged(BYLINED_HTML.encode(), "text/html; charset=utf-8"),
            "/zh/bylined.html": self.etagged(ZH_BYLINED_HTML.encode(), "text/html; charset=utf-8"),
            "/en/switcher.html": self.etagged(SWITCHER_HTML.encode(), "text/html; charset=utf-8"),
            "/en/alone.html": self.etagged(SWITCHER_HTML.replace("中文", "Weather").replace("Français", "Sport")
                                           .encode(), "text/html; charset=utf-8"),
            "/private/secret.html": (200, {"Content-Type": "text/html"}, ARTICLE_HTML.encode()),
            "/missing.html": (404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>"),
            "/gone.html": (410, {"Content-Type": "text/html"}, b"<h1>Gone</h1>"),
            "/broken.html": (503, {"Content-Type": "text/html"}, b"<h1>Down</h1>"),
            "/flaky.html": self.flaky,
            "/loop.html": (302, {"Location": "/loop.html"}, b""),
            "/image.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
            "/endless.html": self.endless,
            "/slow.html": self.slow,
            "/drip.html": self.drip,
            "/drip-headers.html": self.drip_headers,
            "/drip-redirect.html": self.drip,
            "/members/article.html": self.members_only,
            "/empty.html": (200, {"Content-Type": "text/html"}, b"<html><body><nav>Home</nav></body></html>"),
            "/latin1.html": (200, {"Content-Type": "text/html; charset=iso-8859-1"},
                             ARTICLE_HTML.replace("Ruiz", "Ru\u00edz").replace('<meta charset="utf-8">', "")
                             .encode("latin-1")),
        }

    def etagged(self, body: bytes, content_type: str):
        tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'

        def serve(handler):
            if handler.headers.get("If-None-Match") == tag:
                handler.reply(304, {"ETag": tag}, b"")
            else:
                handler.reply(200, {"Content-Type": content_type, "ETag": tag}, body)
        return serve

    def flaky(self, handler):
        if self.hits["/flaky.html"] < 2:  # the first answer fails, then the page comes
            handler.reply(500, {"Content-Type": "text/html"}, b"<h1>Oops</h1>")
        else:
            handler.reply(200, {"Content-Type": "text/html"}, ARTICLE_HTML.encode())

    def endless(self, handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        try:
            while True:
                handler.wfile.write(b"<p>" + b"more " * 2000 + b"</p>\n")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def members_only(self, handler):
        """The article, to a request with HTTP basic authentication as ``MEMBER``."""
        expected = "Basic " + base64.b64encode(":".join(MEMBER).encode()).decode()
        if handler.headers.get("Authorization") == expected:
            handler.reply(200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE_HTML.encode())
        else:
            handler.reply(401, {"Content-Type": "text/html", "WWW-Authenticate": 'Basic realm="members"'},
                          b"<h1>Members only</h1>")

    def drip(self, handler):
        """100,000 bytes declared, sent a byte every 0.2 s: never idle as long as a read timeout.
        /drip-redirect.html: the body of a redirect to the article."""
        if handler.path == "/drip-redirect.html":
            handler.send_response(302)
            handler.send_header("Location", "/en/article.html")
        else:
            handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        _drip(handler, 100_000)

    def drip_headers(self, handler):
        """A status line, then a header a byte every 0.2 s, never ending."""
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
        except (BrokenPipeError, ConnectionResetError):
            return
        _drip(handler, None)

    def slow(self, handler):
        time.sleep(3)
        handler.reply(200, {"Content-Type": "text/html"}, ARTICLE_HTML.encode())


def _drip(handler, count: int | None) -> None:
    """``count`` bytes (None: for ever), one every 0.2 s, until the client goes away."""
    sent = 0
    try:
        while count is None or sent < count:
            handler.wfile.write(b"x")
            handler.wfile.flush()
            sent += 1
            time.sleep(0.2)
    except (BrokenPipeError, ConnectionResetError):
        pass


def serve(site: Site):
    """Start ``site`` on 127.0.0.1 and a free port; returns (base URL, server)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802  (http.server's name)
            path = self.path.split("?")[0]
            site.hits[path] += 1
            site.agents.add(self.headers.get("User-Agent", ""))
            route = site.routes.get(path, (404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>"))
            if callable(route):
                route(self)
            else:
                self.reply(*route)

        def reply(self, status, headers, body):
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)
                site.bodies_sent[self.path] += 1

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server
