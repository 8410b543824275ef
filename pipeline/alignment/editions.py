"""The site's own editions of an article (中文, Français), aligned with the English article.

Each input is read as ``bitext run`` reads articles (page copy, HTML page, one JSONL
record), its language detected (or given), its body segmented with that language's
rules, and aligned with the English sentences in n:m beads; the two titles are a bead of
their own. An edition that does not read as a translation of the article (the wrong
file, another day's story) scores low and is refused, so nothing unrelated is stored as
a human pair unless asked (``force``).

The English article's sentences are embedded once, however many editions it has. When
the store already holds the article, its stored sentences are used, so the beads point
at the sentences that machine pairs use too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..document import AlignedDocument, Article, Edition, EditionBead, Sentence
from ..errors import InputError
from ..fetch import Fetcher, without_credentials
from ..inputs import expand, is_url
from ..languages import SEGMENT_LANGUAGES, SOURCE_LANGUAGE, TARGET_LANGUAGES, contradicts, detect_language, name
from ..progress import Progress, no_progress
from ..segment import segment
from ..store import Store
from . import AlignSettings, EmbeddedText, align_embedded, aligner_signature, embed_texts, join_sentences

# Below this median bead score (cosine, titles included) an edition is taken for another
# text. Measured with USE on the development sets' documents cut to 5, 12 and 40
# sentences (scripts/bench_edition_check.py): true translations 0.32 and up; a document
# against another's translation 0.25 at most.
MIN_EDITION_SCORE = 0.29
# Sentence counts further apart than this ratio get a warning: part of a page is missing.
LENGTH_RATIO_WARNING = 2.0


@dataclass(frozen=True)
class EditionReport:
    """What became of one edition, for the CLI to say."""

    source: str
    lang: str
    sentences: int
    beads: int
    pairs: int  # beads with a sentence on both sides (title included)
    unmatched: int  # sentences of either side left in a 1-0 or 0-1 bead
    score: float
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class AlignedEditions:
    doc_id: str
    title: str
    english_stored_before: bool
    reports: tuple[EditionReport, ...]
    unchanged: bool = False  # the editions were stored before, from the same pages, by the same aligner


def align_editions(
    store: Store,
    english_path: str | Path,
    edition_paths: Sequence[str | Path],
    *,
    langs: Sequence[str] | None = None,
    force: bool = False,
    embedder: str = "use",
    embed_runs: bool = False,
    settings: AlignSettings | None = None,
    fetcher: Fetcher | None = None,
    progress: Progress = no_progress,
) -> AlignedEditions:
    """Read, align and store the editions of one English article, all or nothing.

    ``langs``: the language of each input in order (English first); by default each is
    detected. ``force``: store an edition even when it scores below
    ``MIN_EDITION_SCORE``. Inputs may be URLs, fetched with ``fetcher``; a Chinese edition
    in Traditional characters is read in Simplified ones, as bitext's Chinese is.
    Raises ``InputError`` (nothing stored) for an input that
    cannot be read, is not in a language asked for, or does not read as an edition.
    """
    paths = [str(english_path), *map(str, edition_paths)]
    if not edition_paths:
        raise InputError("give the English article and at least one of its editions")
    if langs is not None and len(langs) != len(paths):
        raise InputError(f"--langs names {len(langs)} languages for {len(paths)} inputs; give one per input, "
                         f"English first (e.g. en,zh,fr)")
    pages = [_read_one(path, fetcher) for path in paths]
    paths = [without_credentials(path) if is_url(path) else path for path in paths]  # as messages name them
    found = [_language(path, page, langs[n] if langs else None)
             for n, (path, page) in enumerate(zip(paths, pages, strict=True))]
    _check_languages(paths, found)
    pages = [_simplified(page) if lang == "zh" else page for page, lang in zip(pages, found, strict=True)]

    english = pages[0]
    stored = store.sentences(english.doc_id)
    sentences = stored if stored else tuple(segment(english.paragraphs, lang=SOURCE_LANGUAGE))
    settings = settings or AlignSettings()
    signature = aligner_signature(embedder=embedder, embed_runs=embed_runs, settings=settings)
    progress("aligning editions", 0, len(edition_paths))
    english_side = _embed(english, sentences, lang=SOURCE_LANGUAGE, embedder=embedder, embed_runs=embed_runs)

    editions, reports = [], []
    for path, page, lang in zip(paths[1:], pages[1:], found[1:], strict=True):
        edition_sentences = segment(page.paragraphs, lang=lang)
        edition_side = _embed(page, edition_sentences, lang=lang, embedder=embedder, embed_runs=embed_runs)
        edition = _edition(english, sentences, english_side, page, edition_sentences, edition_side, lang=lang,
                           signature=signature, settings=settings)
        report = _report(path, edition, len(sentences), len(edition_sentences))
        if edition.score < MIN_EDITION_SCORE and not force:
            raise InputError(
                f"{path}: does not read as the {name(lang)} edition of {paths[0]} (median bead score "
                f"{edition.score:.2f}, below {MIN_EDITION_SCORE:.2f}); nothing stored. Give --force to store it anyway"
            )
        editions.append(edition)
        reports.append(report)
        progress("aligning editions", len(editions), len(edition_paths))

    store.save(AlignedDocument(article=english, sentences=sentences, editions={e.lang: e for e in editions}))
    return AlignedEditions(english.doc_id, english.title, stored is not None, tuple(reports))


@dataclass(frozen=True)
class _Side:
    title: EmbeddedText
    body: EmbeddedText


def _embed(page: Article, sentences: Sequence[Sentence], *, lang: str, embedder: str, embed_runs: bool) -> _Side:
    """The title and the body of a page, embedded in one batch."""
    title, body = embed_texts([([page.title], lang), ([s.text for s in sentences], lang)], embedder=embedder,
                              embed_runs=embed_runs)
    return _Side(title=title, body=body)


def _edition(english: Article, sentences: Sequence[Sentence], english_side: _Side, page: Article,
             edition_sentences: Sequence[Sentence], edition_side: _Side, *, lang: str, signature, settings) -> Edition:
    title_score = float(english_side.title.vectors[0] @ edition_side.title.vectors[0])
    beads = [EditionBead("title", (), (), english.title, page.title, round(title_score, 4))]
    for bead in align_embedded(english_side.body, edition_side.body, settings=settings):
        beads.append(EditionBead(
            "sentence", bead.src, bead.tgt,
            join_sentences([sentences[i].text for i in bead.src], SOURCE_LANGUAGE),
            join_sentences([edition_sentences[j].text for j in bead.tgt], lang),
            bead.score,
        ))
    return Edition(lang=lang, article=page, signature=signature, beads=tuple(beads))


def _report(path: str, edition: Edition, english_count: int, edition_count: int) -> EditionReport:
    warnings = []
    if edition_count == 1 and english_count > 1:
        warnings.append(f"{path}: the edition is a single sentence against {english_count} in English; "
                        "is it the whole article?")
    elif max(english_count, edition_count) > LENGTH_RATIO_WARNING * max(min(english_count, edition_count), 1):
        warnings.append(f"{path}: {edition_count} sentences against {english_count} in English; "
                        "part of one page may be missing")
    body = [bead for bead in edition.beads if bead.kind == "sentence"]
    unmatched = sum(len(bead.src) + len(bead.tgt) for bead in body if not (bead.src and bead.tgt))
    return EditionReport(
        source=path, lang=edition.lang, sentences=edition_count, beads=len(edition.beads),
        pairs=sum(1 for bead in edition.beads if bead.is_pair), unmatched=unmatched, score=edition.score,
        warnings=tuple(warnings),
    )


def _simplified(page: Article) -> Article:
    from ..cleanup import to_simplified

    return replace(page, title=to_simplified(page.title), paragraphs=tuple(map(to_simplified, page.paragraphs)))


def _read_one(path: str, fetcher: Fetcher | None = None) -> Article:
    """The one article in ``path`` (a JSONL file must hold a single record here)."""
    inputs = list(expand([path], fetcher=fetcher))
    if len(inputs) != 1:
        raise InputError(f"{path}: holds {len(inputs)} articles; align gives one article per file")
    return inputs[0].read()


def _language(path: str, page: Article, given: str | None) -> str:
    """The language given (checked against what the text reads as), else the one detected."""
    detected = detect_language(f"{page.title}\n{page.body}")
    if given is not None:
        if given not in SEGMENT_LANGUAGES:
            raise InputError(f"--langs: unknown language {given!r}; choose from: {', '.join(SEGMENT_LANGUAGES)}")
        if contradicts(detected, given):
            raise InputError(f"{path}: reads as {name(detected)}, not {name(given)} as --langs says")
        return given
    if detected is None:
        raise InputError(f"{path}: cannot tell its language; give --langs (e.g. en,zh,fr)")
    return detected


def _check_languages(paths: Sequence[str], langs: Sequence[str]) -> None:
    if langs[0] != SOURCE_LANGUAGE:
        raise InputError(f"{paths[0]}: reads as {name(langs[0])}; the first input must be the English article")
    seen: dict[str, str] = {}
    for path, lang in zip(paths[1:], langs[1:], strict=True):
        if lang not in TARGET_LANGUAGES:
            what = "English too" if lang == SOURCE_LANGUAGE else f"in {name(lang)}"
            raise InputError(f"{path}: is {what}; an edition must be in one of: "
                             f"{', '.join(name(code) for code in TARGET_LANGUAGES)}")
        if lang in seen:
            raise InputError(f"{path}: a second {name(lang)} edition (after {seen[lang]}); give one per language")
        seen[lang] = path
