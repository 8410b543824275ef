"""The bilingual reading page: English beside Chinese and French, sentence by sentence.

One self-contained HTML page per document (no network, no external files) and an index.
Every piece of article text goes through ``html.escape``; the page's only script is ours,
allowed by its hash in a Content-Security-Policy, so article content can never inject
markup or script. File names come from document ids, never from titles.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from pathlib import Path

from .document import AlignedDocument

LANG_TAGS = {"en": "en", "zh": "zh-Hans", "fr": "fr"}
LANG_NAMES = {"en": "English", "zh": "中文", "fr": "Français"}

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
table { border-collapse: collapse; } td, th { padding: .3rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
"""


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


def document_page(doc: AlignedDocument, *, langs: list[str]) -> str:
    """A self-contained reading page for one document."""
    article = doc.article
    langs = [lang for lang in langs if lang in doc.translations]
    columns = ["en", *langs]
    byline = " | ".join(p for p in (", ".join(article.authors), article.outlet or "", article.published or "") if p)
    models = sorted({str(doc.translations[lang].signature) for lang in langs})
    parts = [_head(article.title), f'<body style="--columns: {len(columns)}">\n<header>\n']
    parts.append(f'<h1 lang="en">{escape(article.title)}</h1>\n')
    for lang in langs:
        parts.append(f'<p class="title" lang="{LANG_TAGS[lang]}">{escape(doc.translations[lang].title)}</p>\n')
    parts.append(f'<p class="meta">{escape(byline)}</p>\n')
    if article.url:
        parts.append(f'<p class="meta">{escape(article.url)}</p>\n')
    for model in models:
        parts.append(f'<p class="meta">translated by <code>{escape(model)}</code></p>\n')
    parts.append('<button id="layout" type="button">Interleaved</button>\n</header>\n<main>\n')
    paragraph = None
    for sentence in doc.sentences:
        if sentence.paragraph != paragraph:
            if paragraph is not None:
                parts.append("</section>\n")
            paragraph = sentence.paragraph
            parts.append(f'<section class="para" data-paragraph="{paragraph}">\n')
        cells = [f'<p lang="en">{escape(sentence.text)}</p>']
        for lang in langs:
            translated = doc.translations[lang]
            flags = "".join(
                f' <span class="flag" title="{escape(reason)}">⚑ {escape(name)}</span>'
                for name, reason in translated.flags.get(sentence.text, [])
            )
            cells.append(f'<p lang="{LANG_TAGS[lang]}">{escape(translated.sentences[sentence.index])}{flags}</p>')
        parts.append(f'<div class="row" data-index="{sentence.index}">{"".join(cells)}</div>\n')
    if paragraph is not None:
        parts.append("</section>\n")
    parts.append(f"</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n")
    return "".join(parts)


def index_page(docs: list[AlignedDocument]) -> str:
    rows = "".join(
        f'<tr><td><a href="{page_name(d.doc_id)}">{escape(d.article.title)}</a></td>'
        f"<td>{escape(d.article.published or '')}</td><td>{len(d.sentences)}</td></tr>\n"
        for d in docs
    )
    return (
        _head("bitext: documents")
        + '<body>\n<button id="layout" type="button" hidden>Interleaved</button>\n<h1>Documents</h1>\n'
        + f"<table>\n<tr><th>title</th><th>date</th><th>sentences</th></tr>\n{rows}</table>\n"
        + f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def write_site(docs: list[AlignedDocument], folder: Path, *, langs: list[str]) -> int:
    """Write a page per document and an index into ``folder``; returns the pages written."""
    from .export import atomic_file

    folder.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        with atomic_file(folder / page_name(doc.doc_id)) as out:
            out.write(document_page(doc, langs=langs).encode("utf-8"))
    with atomic_file(folder / "index.html") as out:
        out.write(index_page(docs).encode("utf-8"))
    return len(docs)
