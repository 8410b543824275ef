"""A web page's own editions in other languages: found from the page's links, fetched, and
aligned with the English article as ``bitext align`` aligns files.

Where the links come from, best first: ``<link rel="alternate" hreflang="...">`` in the
page's head (for Chinese, a Simplified variant before a generic or Traditional one), then a
site's edition switcher, described as data in ``page_rules.toml`` (``[edition_links]``: a
link's text, such as "中文" or "Français"). A link back to the page itself (its own URL or
its canonical one) is never an edition.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

from ..errors import InputError
from ..fetch import Fetcher, Page, without_credentials
from ..ingest import PageRules, default_rules
from ..inputs import expand
from ..languages import LANGUAGES, TARGET_LANGUAGES, name
from ..progress import Progress, no_progress
from ..store import Store
from . import aligner_signature
from .editions import AlignedEditions, align_editions

# hreflang values -> rank, best first per language (Language.hreflang's tiers).
HREFLANG_RANK = {tag: rank for lang in LANGUAGES.values() for rank, tier in enumerate(lang.hreflang) for tag in tier}


def edition_links(page: Page, *, rules: PageRules | None = None) -> dict[str, str]:
    """The URLs of ``page``'s editions in bitext's target languages (language -> URL)."""
    import lxml.html

    rules = rules or default_rules()
    try:
        tree = lxml.html.fromstring(page.text())
    except (ValueError, lxml.etree.ParserError):
        return {}
    base = page.final_url
    own = {_plain(page.url), _plain(page.final_url)}
    for href in tree.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href'):
        own.add(_plain(urljoin(base, href)))
    found: dict[str, tuple[int, str]] = {}
    for element in tree.xpath('//link[@hreflang][@href][contains(concat(" ", normalize-space(@rel), " "), '
                              '" alternate ")]'):
        tag = element.get("hreflang").strip().lower()
        lang = tag.split("-")[0]
        url = _plain(urljoin(base, element.get("href")))
        if lang in TARGET_LANGUAGES and url not in own:
            rank = HREFLANG_RANK.get(tag, 2)  # zh-Hant, zh-TW, fr-CA ...: only if nothing better
            if lang not in found or rank < found[lang][0]:
                found[lang] = (rank, url)
    for element in tree.xpath("//a[@href]"):
        lang = rules.edition_link(element.text_content())
        url = _plain(urljoin(base, element.get("href")))
        if lang in TARGET_LANGUAGES and lang not in found and url not in own:
            found[lang] = (3, url)
    return {lang: url for lang, (_, url) in sorted(found.items())}


def align_web_editions(
    store: Store, url: str, *, fetcher: Fetcher, langs: Sequence[str] = TARGET_LANGUAGES, force: bool = False,
    progress: Progress = no_progress,
) -> tuple[AlignedEditions, list[str]]:
    """Find the editions of the page at ``url`` in ``langs``, fetch them and align each with
    the English article, storing them beside its machine pairs. Returns what was aligned
    and one line per language whose edition the page does not name. An ``InputError``
    when it names none, or one cannot be read or aligned (nothing stored then)."""
    page = fetcher.get(url)  # which keeps a password in the URL for the editions on its host
    url = without_credentials(url)
    links = {lang: link for lang, link in edition_links(page).items() if lang in langs}
    if not links:
        raise InputError(f"{url}: no edition found in {' or '.join(name(lang) for lang in langs)} (the page has no "
                         "hreflang link or edition switcher that names one)")
    missing = [f"{url}: no {name(lang)} edition found (the page names none)" for lang in langs if lang not in links]
    found = [lang for lang in langs if lang in links]
    # Aligned before from the same pages, unchanged since, by the same aligner: nothing to do.
    english = next(iter(expand([url], fetcher=fetcher))).read()
    stored = store.edition_sources(english.doc_id)
    signature = str(aligner_signature())
    for lang in found:
        fetcher.get(links[lang])
    if all(stored.get(lang) == (links[lang], signature) and links[lang] not in fetcher.downloaded for lang in found):
        return AlignedEditions(english.doc_id, english.title, True, (), unchanged=True), missing
    aligned = align_editions(store, url, [links[lang] for lang in found], langs=["en", *found], force=force,
                             fetcher=fetcher, progress=progress)
    return aligned, missing


def _plain(url: str) -> str:
    return without_credentials(urldefrag(url)[0])


@dataclass(frozen=True)
class PageEditions:
    """What became of one page's editions: aligned (or found unchanged), or why not."""

    url: str
    aligned: AlignedEditions | None
    failures: tuple[str, ...]  # one line each


def align_pages_editions(urls: Sequence[str], *, store: Store, fetcher: Fetcher, force: bool = False,
                         progress: Progress = no_progress) -> Iterator[PageEditions]:
    """``align_web_editions`` for each page, one after the other; a page whose editions
    fail is a failure for that page alone."""
    for url in urls:
        try:
            aligned, missing = align_web_editions(store, url, fetcher=fetcher, force=force, progress=progress)
        except InputError as error:
            yield PageEditions(without_credentials(url), None, (str(error),))
        else:
            yield PageEditions(without_credentials(url), aligned, tuple(missing))
