"""The bilingual reading page, opened in a real headless Chromium (Debian's, via Playwright)."""

import shutil

import pytest

from pipeline.cli import app
from pipeline.reading import page_name
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.documents import aligned_document

ATTACK = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
PAGE = (
    f"Ferry returns {ATTACK}\n\nBy JO LEE | Example Daily | Updated: 2026-05-01 10:00\n\n"
    f"The ferry is back. Riders cheered {ATTACK}.\n\nA second paragraph here. It ends now.\n"
)


@pytest.fixture(scope="module")
def browser():
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is not installed (make test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(tmp_path, stored, cli):
    document = aligned_document(PAGE)
    db = stored(PAGE)
    out = tmp_path / "site"
    result = cli.invoke(app, ["export", "--db", str(db), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out, document.article, document.sentences


def test_page_loads_with_aligned_rows_and_no_injection(browser, site):
    out, article, sentences = site
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((out / page_name(article.doc_id)).as_uri())
    rows = page.locator(".row")
    assert rows.count() == len(sentences) == 4
    assert page.locator(".para").count() == 2
    for i, sentence in enumerate(sentences):
        cells = rows.nth(i).locator("p")
        assert cells.count() == 3
        assert cells.nth(0).inner_text() == sentence.text
        assert cells.nth(1).get_attribute("lang") == "zh-Hans" and cells.nth(1).inner_text() == f"[zh] {sentence.text}"
    # The article's markup is shown as text, never run.
    assert page.evaluate("window.pwned") is None
    assert page.locator("main img, main script, header img, header script").count() == 0
    assert ATTACK in page.locator("h1").inner_text()
    assert errors == []


def test_hover_and_tap_highlight_a_row_and_the_layout_toggles(browser, site):
    out, article, _ = site
    page = browser.new_page()
    page.goto((out / page_name(article.doc_id)).as_uri())
    row = page.locator(".row").nth(1)
    background = "el => getComputedStyle(el).backgroundColor"
    before = row.evaluate(background)
    row.hover()
    assert row.evaluate(background) != before
    row.click()
    assert "active" in row.get_attribute("class")
    assert page.locator(".row.active").count() == 1
    columns = "el => getComputedStyle(el).gridTemplateColumns.split(' ').length"
    assert row.evaluate(columns) == 3
    page.click("#layout")
    assert "interleaved" in page.locator("body").get_attribute("class")
    assert row.evaluate(columns) == 1
    assert page.locator("#layout").inner_text() == "Side by side"


def test_index_links_every_document(browser, site):
    out, article, _ = site
    page = browser.new_page()
    page.goto((out / "index.html").as_uri())
    links = page.locator("a")
    assert links.count() == 1 and links.first.get_attribute("href") == page_name(article.doc_id)


def test_page_names_cannot_leave_the_folder():
    assert page_name("../../etc/passwd") == "etcpasswd.html"
    assert page_name("") == "document.html"
    assert page_name("364fdbf7208c") == "364fdbf7208c.html"
