"""Fetching pages, for real, from a server on 127.0.0.1 that we start: politeness, limits,
and every failure as one line naming the URL and the cause."""

import pytest

from pipeline.cli import app
from pipeline.fetch import USER_AGENT, Fetcher, FetchError, FetchOptions
from pipeline.store import Store

pytestmark = pytest.mark.timeout(120)

# The deadline above 3 tries of a 1 s read timeout: a server that says nothing is a read timeout.
QUICK = FetchOptions(connect=2, read=1, deadline=5, retries=2, backoff=0.01, max_bytes=200_000, delay=0)


def test_a_page_is_fetched_with_a_user_agent_that_names_bitext(site):
    page = Fetcher(QUICK).get(f"{site.base}/en/article.html")
    assert page.is_html and "Riverside ferry returns" in page.text()
    assert page.etag and site.agents == {USER_AGENT} and USER_AGENT.startswith("bitext/")


@pytest.mark.parametrize("path, cause", [
    ("/missing.html", "not found (HTTP 404)"),
    ("/gone.html", "not found (HTTP 410)"),
    ("/broken.html", "server error (HTTP 503) after 2 retries"),
    ("/loop.html", "redirect loop (more than 5 redirects)"),
    ("/image.png", "not an HTML page or text (image/png)"),
    ("/endless.html", "too big (more than 200,000 bytes)"),
    ("/slow.html", "timed out waiting for the server (1 s)"),
    ("/private/secret.html", "blocked by the site's robots.txt"),
])
def test_every_failure_is_one_line_naming_the_url_and_the_cause(site, path, cause):
    url = f"{site.base}{path}"
    with pytest.raises(FetchError) as failure:
        Fetcher(QUICK).get(url)
    assert str(failure.value) == f"{url}: {cause}"
    assert "\n" not in str(failure.value)


@pytest.mark.parametrize("path", ["/drip.html", "/drip-headers.html", "/drip-redirect.html"])
def test_a_page_that_trickles_in_is_cut_at_the_deadline(site, path):
    import time
    from dataclasses import replace

    url = f"{site.base}{path}"  # a byte every 0.2 s (body, headers, a redirect's body): no read timeout (1 s)
    started = time.monotonic()
    with pytest.raises(FetchError) as failure:
        Fetcher(replace(QUICK, deadline=2)).get(url)
    assert str(failure.value) == f"{url}: the page took more than 2 s to arrive"
    assert time.monotonic() - started < 15  # not the 100,000 bytes' 5 1/2 hours, or forever


def test_nothing_listening_and_an_unknown_host_are_one_line():
    with pytest.raises(FetchError, match=r"^http://127\.0\.0\.1:9/a\.html: cannot connect \(connection refused\)$"):
        Fetcher(QUICK).get("http://127.0.0.1:9/a.html")
    with pytest.raises(FetchError, match="not an http"):
        Fetcher(QUICK).get("ftp://example.org/a.html")


def test_a_server_error_is_retried_with_backoff_and_then_the_page_comes(site):
    page = Fetcher(QUICK).get(f"{site.base}/flaky.html")
    assert "Riverside" in page.text() and site.hits["/flaky.html"] == 2


def test_the_charset_of_the_header_is_honoured(site):
    page = Fetcher(QUICK).get(f"{site.base}/latin1.html")
    assert "Mayor Ana Ru\u00edz" in page.text()


def test_requests_to_one_host_keep_their_distance(site):
    clock = [0.0]
    waits = []
    fetcher = Fetcher(FetchOptions(delay=2.0, backoff=0.01), clock=lambda: clock[0],
                      sleep=lambda seconds: waits.append(round(seconds, 3)))
    fetcher.get(f"{site.base}/en/article.html")  # robots.txt, then the page: one wait between them
    clock[0] += 0.5
    fetcher.get(f"{site.base}/flaky.html")
    assert waits == [2.0, 1.5]


def test_a_kept_page_is_asked_for_again_only_conditionally(site, tmp_path):
    with Store(tmp_path / "bitext.db") as store:
        first = Fetcher(QUICK, cache=store)
        page = first.get(f"{site.base}/en/article.html")
        again = Fetcher(QUICK, cache=store)
        assert again.get(f"{site.base}/en/article.html") == page
    assert first.fetched == 1 and again.fetched == 0
    assert site.hits["/en/article.html"] == 2 and site.bodies_sent["/en/article.html"] == 1  # the second: 304


def test_run_takes_urls_and_a_list_of_them(site, tiny_qwen, model_cache, tmp_path, cli):
    listed = tmp_path / "urls.txt"
    listed.write_text(f"# today's links\n{site.base}/en/article.html\n\n{site.base}/missing.html\n"
                      f"{site.base}/empty.html\n", encoding="utf-8")
    db = tmp_path / "bitext.db"
    args = ["run", "--urls", str(listed), "--db", str(db), "--model", str(tiny_qwen), "--max-new-tokens", "4",
            "--cache-dir", str(model_cache)]
    result = cli.invoke(app, args)
    assert result.exit_code == 1, result.output  # some failed: the others still stored
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {site.base}/missing.html: not found (HTTP 404)",
                      f"error: {site.base}/empty.html: no article found in the HTML page (only 'Home')"]
    assert "1 of 3 articles" in result.stderr and "2 pages fetched" in result.stderr
    with Store(db, create=False) as store:
        (document,) = store.documents()
        assert document.title == "Riverside ferry returns after two years" and set(document.languages) == {"zh", "fr"}
        assert store.load(document.doc_id).article.url == f"{site.base}/en/article.html"
    # Again: the page is unchanged (304), nothing is translated.
    again = cli.invoke(app, ["run", f"{site.base}/en/article.html", *args[3:]])
    assert again.exit_code == 0, again.output
    assert "already stored" in again.stderr and "0 pages fetched" in again.stderr


def test_a_host_name_that_does_not_resolve_is_one_line(monkeypatch):
    import socket

    def no_such_host(host, *args, **kwargs):  # DNS answers "no such name" (no real lookup leaves this machine)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(FetchError) as failure:
        Fetcher(QUICK).get("http://news.example.invalid/a.html")
    assert str(failure.value) == ("http://news.example.invalid/a.html: cannot connect (the host name does not "
                                  "resolve (DNS))")


def test_a_password_in_a_url_is_sent_as_basic_auth_and_kept_nowhere(site, tiny_qwen, model_cache, tmp_path, cli):
    from tests.webserver import MEMBER

    user, password = MEMBER
    signed_in = site.base.replace("http://", f"http://{user}:{password}@")
    db = tmp_path / "bitext.db"
    options = ["--db", str(db), "--model", str(tiny_qwen), "--max-new-tokens", "4", "--cache-dir", str(model_cache)]
    result = cli.invoke(app, ["run", f"{signed_in}/members/article.html", f"{signed_in}/missing.html", *options])
    assert result.exit_code == 1, result.output  # the missing page; the members' page was let in
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {site.base}/missing.html: not found (HTTP 404)"]
    with Store(db, create=False) as store:
        (document,) = store.documents()
        article = store.load(document.doc_id).article
        assert article.source == f"{site.base}/members/article.html" and "@" not in (article.outlet or "")
        assert store.page(f"{site.base}/members/article.html").final_url == f"{site.base}/members/article.html"
    wrong = cli.invoke(app, ["run", site.base.replace("http://", f"http://{user}:not-{password}@")
                             + "/members/article.html", *options])
    assert wrong.exit_code == 1
    assert f"error: {site.base}/members/article.html: refused (HTTP 401 Unauthorized)" in wrong.stderr
    shown = cli.invoke(app, ["show", "--db", str(db)])
    assert shown.exit_code == 0 and "Riverside ferry" in shown.stdout
    for output in (result.output, wrong.output, shown.output):
        assert password not in output
    for file in tmp_path.glob("bitext.db*"):
        assert password.encode() not in file.read_bytes(), file


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def test_urls_are_told_apart_from_file_names_each_mistake_in_one_line(site, tiny_qwen, model_cache, tmp_path, cli):
    page = tmp_path / "saved page.txt"
    page.write_text("Ferry returns\n\nThe ferry across the river returned on Monday after two years.\n",
                    encoding="utf-8")
    db = tmp_path / "bitext.db"
    result = cli.invoke(app, [
        "run", f"{site.base.upper()}/missing.html",  # HTTP://127.0.0.1:PORT: a scheme has no case
        "http://127.0.0.1:99999/a.html", f"file://{tmp_path}/none.html", "file://elsewhere/a.html",
        page.as_uri(),  # file:///.../saved%20page.txt: the file, read as its path is
        "--db", str(db), "--model", str(tiny_qwen), "--max-new-tokens", "4", "--cache-dir", str(model_cache)])
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [
        f"error: {site.base}/missing.html: not found (HTTP 404)",
        "error: http://127.0.0.1:99999/a.html: not a valid URL (a port is a number from 1 to 65535)",
        f"error: {tmp_path}/none.html: no such file",
        "error: file://elsewhere/a.html: a file: URL names a file on this machine, not on 'elsewhere'",
    ]
    assert site.hits["/missing.html"] == 1 and "1 of 5 articles" in result.stderr
    with Store(db, create=False) as store:
        (document,) = store.documents()
        assert document.title == "Ferry returns"


def test_a_url_list_allows_comments_after_a_url_and_refuses_a_line_that_is_no_url(site, tmp_path, cli, monkeypatch):
    import pipeline.runner

    monkeypatch.setattr(pipeline.runner, "open_engines", lambda *a, **k: pytest.fail("the model was opened"))
    listed = tmp_path / "urls.txt"
    listed.write_text(f"{site.base}/en/alone.html  # no editions\n{site.base}/en/switcher.html#top\n", encoding="utf-8")
    db = tmp_path / "bitext.db"
    result = cli.invoke(app, ["run", "--urls", str(listed), "--editions-only", "--db", str(db)])
    errors = error_lines(result)
    assert errors == [f"error: {site.base}/en/alone.html: no edition found in Simplified Chinese or French (the page "
                      "has no hreflang link or edition switcher that names one)"], result.output
    assert site.hits["/en/switcher.html"] == 1  # its #top is its own, not a comment

    listed.write_text(f"# today\n{site.base}/en/alone.html\nexample.com/news/a.html\n", encoding="utf-8")
    refused = cli.invoke(app, ["run", "--urls", str(listed), "--editions-only", "--db", str(db)])
    assert refused.exit_code == 1
    assert error_lines(refused) == [f"error: {listed}:3: not an http(s) URL (the file holds one URL per line; # starts "
                                    "a comment)"]
    assert "Traceback" not in refused.output and site.hits["/en/alone.html"] == 1  # nothing fetched
