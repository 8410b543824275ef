"""The bilingual reading page: English beside Chinese and French, sentence by sentence.

One self-contained HTML page per document (no network, no external files) and an index.
Every piece of article text goes through ``escape`` (``html.escape``, and the characters
HTML and XML forbid dropped); the page's only script is ours, allowed by its hash in a
Content-Security-Policy, so article content can never inject markup or script. File names
come from document ids, never from titles.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from .document import Article, PairRecord
from .languages import SOURCE_LANGUAGE, bcp47, native_name
from .markup import xml_chars

SCRIPT = """
document.querySelectorAll('.row').forEach(function (row) {
  row.addEventListener('click', function () {
    var was = row.classList.contains('active');
    document.querySelectorAll('.row.active').forEach(function (r) { r.classList.remove('active'); });
    if (!was) row.classList.add('active');
  });
});
document.getElementById('layout').addEventListener('click', function () {
  var interleaved = document.body.classList.toggle('interleaved');
  this.textContent = interleaved ? 'Side by side' : 'Interleaved';
});
"""

STYLE = """
body { font: 16px/1.6 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1rem; color: #222; }
header h1 { margin-bottom: .2rem; } .meta { color: #666; font-size: .9rem; }
button { font: inherit; margin: .5rem 0; }
.para { border-top: 1px solid #ddd; padding: .4rem 0; }
.row { display: grid; grid-template-columns: repeat(var(--columns), 1fr); gap: 1rem; padding: .2rem .3rem; border-radius: 4px; cursor: pointer; }
.row p { margin: 0; }
.row:hover, .row.active { background: #fff3c4; }
.row:hover p, .row.active p { outline: 1px solid #e0c050; }
body.interleaved .row { grid-template-columns: 1fr; gap: .1rem; }
body.interleaved .row p[lang]:not([lang="en"]) { color: #345; padding-left: 1rem; }
.flag { color: #a60; font-size: .8rem; }
.score { color: #777; font-size: .8rem; }
.edition { border-top: 2px solid #bbb; margin-top: 1.5rem; }
.edition .row.title p { font-weight: bold; }
table { border-collapse: collapse; } td, th { padding: .3rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
"""  # noqa: E501 (CSS, as the page carries it)


def escape(text: str) -> str:
    """Article text as HTML: markup escaped, characters HTML and XML forbid (U+FFFF, ...) dropped."""
    return html.escape(xml_chars(text))


def page_name(doc_id: str) -> str:
    """A file name from a document id: only [a-z0-9-], so no path can leave the folder."""
    name = re.sub(r"[^a-z0-9-]", "", doc_id.lower())[:64]
    return f"{name or 'document'}.html"


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode()
    return f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; img-src 'none'"


def _head(title: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{_csp()}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
    )


@dataclass(frozen=True)
class _Page:
    article: Article
    rows: int  # sentence rows on the page


def document_page(article: Article, pairs: Sequence[PairRecord], *, langs: list[str]) -> str:
    """A self-contained reading page for one document's pairs: the machine translations
    side by side (their title pair, if among them, heads the page), then each human
    edition beside the English, bead by bead with its score. A pair left out by a filter
    is not shown."""
    machine = [pair for pair in pairs if pair.origin == "machine"]
    editions = [pair for pair in pairs if pair.origin == "edition"]
    langs_shown = [lang for lang in langs if any(lang in pair.translations for pair in machine)]
    columns = [SOURCE_LANGUAGE, *langs_shown]
    byline = " | ".join(p for p in (", ".join(article.authors), article.outlet or "", article.published or "") if p)
    models = sorted({pair.signatures[lang] for pair in machine for lang in langs_shown if lang in pair.signatures})
    title = next((pair for pair in machine if pair.kind == "title"), None)
    parts = [_head(article.title), f'<body style="--columns: {len(columns)}">\n<header>\n']
    parts.append(f'<h1 lang="{bcp47(SOURCE_LANGUAGE)}">{escape(article.title)}</h1>\n')
    for lang in langs_shown if title is not None else ():
        parts.append(f'<p class="title" lang="{bcp47(lang)}">{escape(title.text(lang))}{_flags(title, lang)}</p>\n')
    parts.append(f'<p class="meta">{escape(byline)}</p>\n')
    if article.url:
        parts.append(f'<p class="meta">{escape(article.url)}</p>\n')
    for model in models:
        parts.append(f'<p class="meta">translated by <code>{escape(model)}</code></p>\n')
    parts.append('<button id="layout" type="button">Interleaved</button>\n</header>\n<main>\n')
    paragraph = None
    for pair in machine:
        if pair.kind != "sentence":
            continue
        if pair.paragraph != paragraph:
            if paragraph is not None:
                parts.append("</section>\n")
            paragraph = pair.paragraph
            parts.append(f'<section class="para" data-paragraph="{paragraph}">\n')
        cells = [f'<p lang="{bcp47(SOURCE_LANGUAGE)}">{escape(pair.english)}</p>']
        cells += [f'<p lang="{bcp47(lang)}">{escape(pair.text(lang))}{_flags(pair, lang)}</p>' for lang in langs_shown]
        parts.append(f'<div class="row" data-index="{pair.index}">{"".join(cells)}</div>\n')
    if paragraph is not None:
        parts.append("</section>\n")
    for lang in langs:
        beads = [pair for pair in editions if lang in pair.translations]
        if beads:
            parts.append(_edition_section(lang, beads))
    parts.append(f"</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n")
    return "".join(parts)


def _edition_section(lang: str, beads: Sequence[PairRecord]) -> str:
    """The site's human edition beside the English, a row per bead, each with its score."""
    signature = beads[0].signatures.get(lang, "")
    parts = [f'<section class="edition" data-lang="{escape(lang)}" style="--columns: 2">\n',
             f'<h2>{escape(native_name(lang))}: the site\'s edition (human)</h2>\n',
             f'<p class="meta">aligned by <code>{escape(signature)}</code></p>\n']
    for pair in beads:
        span = ",".join(map(str, pair.span)) if pair.kind == "sentence" else "title"
        cells = [f'<p lang="{bcp47(SOURCE_LANGUAGE)}">{escape(pair.english)}</p>',
                 f'<p lang="{bcp47(lang)}">{escape(pair.text(lang))}'
                 f' <span class="score" title="alignment score">{pair.score:.2f}</span></p>']
        parts.append(f'<div class="row {escape(pair.kind)}" data-span="{span}">{"".join(cells)}</div>\n')
    parts.append("</section>\n")
    return "".join(parts)


def _flags(pair: PairRecord, lang: str) -> str:
    return "".join(
        f' <span class="flag" title="{escape(flag.reason)}">⚑ {escape(flag.name)}</span>' for flag in pair.flags(lang)
    )


def index_page(pages: Sequence[_Page]) -> str:
    rows = "".join(
        f'<tr><td><a href="{page_name(page.article.doc_id)}">{escape(page.article.title)}</a></td>'
        f"<td>{escape(page.article.published or '')}</td><td>{page.rows}</td></tr>\n"
        for page in pages
    )
    return (
        _head("bitext: documents")
        + '<body>\n<button id="layout" type="button" hidden>Interleaved</button>\n<h1>Documents</h1>\n'
        + f"<table>\n<tr><th>title</th><th>date</th><th>sentences</th></tr>\n{rows}</table>\n"
        + f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def write_site(pairs: Iterable[PairRecord], folder: Path, langs: list[str]) -> int:
    """Write a page per document and an index into ``folder``; returns the pairs shown.

    The pages appear together, once all are written, or not at all (``output_folder``).
    Pairs arrive document by document; one document's pairs are held at a time.
    """
    from .outputs import output_folder

    pages: list[_Page] = []
    count = 0
    with output_folder(folder) as building:
        for _, group in groupby(pairs, key=lambda pair: pair.doc_id):
            document = list(group)
            article = document[0].article
            page = document_page(article, document, langs=langs)
            (building / page_name(article.doc_id)).write_bytes(page.encode("utf-8"))
            pages.append(_Page(article, sum(1 for pair in document if pair.kind == "sentence")))
            count += len(document)
        (building / "index.html").write_bytes(index_page(pages).encode("utf-8"))
    return count
