"""A run, in stages: read -> translate -> complete; ``run`` is its one entry point.

(a) Every input is read, segmented and checked (``prepare_article``), and its document
and sentences stored at once (cheap, so a rerun starts from them). (b) Everything the
translation memory lacks, for all articles and all target languages, is translated as one
length-sorted queue of chunks (``workqueue``), in this process or on a Ray cluster
(``ray_translate``), and the memory is written chunk by chunk. (c) A document is complete
when all of its texts are in memory: its translations are aligned with its sentences and
recorded (``Completion``). Then, if asked, each web page's own editions are aligned.

A kill at any moment loses at most the chunk in flight; the same command then translates
only what is missing. ``open_engines`` loads one engine per distinct model. The CLI
(``bitext run``) fills a ``RunOptions``, opens the store, and shows what ``run`` reports
(``RunReport``) and returns (``RunSummary``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from .alignment.machine import assemble_document
from .document import Article, DocumentTranslation, Sentence, Signature, Translation
from .engines import DecodingOptions, Engine, check_options, create_engine
from .errors import BitextError, InputError, Interrupted
from .fetch import Fetcher
from .ingest import not_prose
from .inputs import MAX_ARTICLE_CHARS, Input, expand, is_url
from .languages import SOURCE_LANGUAGE, detect_language, name
from .model import default_cache_dir, resolve_languages
from .progress import Progress, no_progress
from .run_options import RunOptions, RunReport
from .segment import segment
from .store import Store
from .translate import article_contexts, translation_signature
from .workqueue import Chunk, ChunkResult, plan_chunks, translate_locally

# Stage (b)'s translator, given the queue: yields each chunk's result as it is done
# (translate_locally, or ray_translate.RayTranslator).
QueueTranslator = Callable[[Sequence[Chunk]], Iterable[ChunkResult]]

# A "sentence" (or title) longer than this is not prose (a dump, a table flattened into one line).
MAX_SENTENCE_CHARS = 5000


@dataclass(frozen=True)
class ArticleResult:
    source: str
    doc_id: str
    title: str
    sentences: int
    translated: int  # texts the engine translated in this run
    remembered: bool  # True when the store already held everything asked for
    langs: tuple[str, ...] = ()
    retried: int = 0  # of those, translations decoded again for a serious flag

    def __str__(self) -> str:
        what = "already stored" if self.remembered else f"{self.translated} texts translated"
        if self.retried:
            what += f", {self.retried} retried"
        return f"{self.doc_id}  {self.title}  ({self.sentences} sentences, {', '.join(self.langs)}; {what})"


@dataclass
class RunSummary:
    stored: int = 0  # articles stored (or found already stored)
    failures: list[str] = field(default_factory=list)  # one line per input (or page) that failed
    interrupted: bool = False
    retried: int = 0  # translations decoded again for a serious flag
    inputs: int = 0  # inputs named (editions only: pages)
    fetched: int | None = None  # pages fetched; None when no input was a URL


def open_engines(
    model: str,
    langs: Sequence[str] | None,
    *,
    engine: str,
    options: DecodingOptions,
    cache_dir: Path | None = None,
    progress: Progress = no_progress,
    check_device: bool = True,
) -> dict[str, Engine]:
    """An engine per target language, sharing one engine between languages whose model is
    the same (a catalogue entry may name a different model for each language).

    ``langs`` None: every target language of a catalogue model (for a model folder, its
    one model under the key None). Engines load their weights on first use. ``cache_dir``
    None: ``model.default_cache_dir()``. ``check_device`` False: the options are for other
    machines (Ray actors, which check them on their own device), not this one.
    """
    if check_device:  # before any model is prepared: a wrong option fails in a second
        check_options(engine, options)
    cache_dir = cache_dir or default_cache_dir()
    by_identity: dict[str, Engine] = {}
    engines: dict[str, Engine] = {}
    for lang, files in resolve_languages(model, langs, cache_dir=cache_dir, progress=progress).items():
        if files.identity not in by_identity:
            by_identity[files.identity] = create_engine(
                engine, files, cache_dir=cache_dir, options=options, progress=progress
            )
        engines[lang] = by_identity[files.identity]
    return engines


def check_english(article: Article) -> None:
    """Refuse an article that is not in English (lingua, offline)."""
    found = detect_language(f"{article.title}\n{article.body}")
    if found is not None and found != SOURCE_LANGUAGE:
        raise InputError(
            f"{article.source}: the article is in {name(found)}, not English; "
            "skipped (use --force to translate it anyway)"
        )


@dataclass(frozen=True)
class PreparedArticle:
    """Stage (a)'s output: an article and its sentences, checked."""

    article: Article
    sentences: tuple[Sentence, ...]

    @property
    def texts(self) -> list[str]:
        """What is translated: the title, then every sentence."""
        return [self.article.title, *(s.text for s in self.sentences)]


def prepare_article(item: Input, *, force: bool = False, max_chars: int = MAX_ARTICLE_CHARS) -> PreparedArticle:
    """Read, segment and check one input. Input longer than ``max_chars`` or with a
    sentence too long to be prose is an ``InputError``; so is one that does not look like
    an English article (a table, code, a log, another language), unless ``force``."""
    article = item.read()
    kind = None if force else not_prose([article.title, *article.paragraphs])
    if kind:
        raise InputError(f"{article.source}: looks like {kind}, not a news article; skipped (use --force to "
                         "translate it anyway)")
    if len(article.body) > max_chars:  # before segmenting: its cost grows with the size
        raise InputError(
            f"{article.source}: {len(article.body):,} characters, more than an article may have ({max_chars:,}); "
            "split it into articles, or raise the limit with --max-article-chars"
        )
    if len(article.title) > MAX_SENTENCE_CHARS:
        raise InputError(f"{article.source}: a title of {len(article.title):,} characters (more than "
                         f"{MAX_SENTENCE_CHARS:,}); not news text")
    sentences = tuple(segment(article.paragraphs, lang=SOURCE_LANGUAGE))
    longest = max(sentences, key=lambda s: len(s.text), default=None)
    if longest is not None and len(longest.text) > MAX_SENTENCE_CHARS:
        raise InputError(
            f"{article.source}: paragraph {longest.paragraph + 1} holds a run of {len(longest.text):,} characters "
            f"with no sentence end (more than {MAX_SENTENCE_CHARS:,}); not news text"
        )
    if not force:
        check_english(article)
    return PreparedArticle(article, sentences)


def check_run(names: Sequence[str], options: RunOptions) -> None:
    """Refuse, before a store is opened or an input read, what cannot run: no input named,
    editions asked of inputs that are not web pages, Ray asked for where it is not installed."""
    if not names:
        raise BitextError("nothing to translate: name articles, folders, URLs or - (standard input), or --urls FILE")
    if options.editions != "none" and not all(is_url(name) for name in names):
        raise BitextError("--editions and --editions-only take URLs: a page links its own editions")
    if options.ray is not None:
        from .ray_translate import require_ray

        require_ray(options.ray.address)


def run(names: Sequence[str], options: RunOptions, *, store: Store, report: RunReport | None = None,
        stdin: BinaryIO | None = None) -> RunSummary:
    """Take the articles ``names`` names (files, folders, URLs, ``-`` for ``stdin``) through
    the stages into ``store`` (see the module's doc), then align the web pages' own
    editions if ``options.editions`` asks. An input that cannot be read is a failure for
    that input alone, and the rest go on. A stop asked for (``report.should_stop``) ends
    the run after the chunk in flight, with everything finished kept."""
    report = report or RunReport()
    check_run(names, options)
    fetcher = Fetcher(cache=store) if any(is_url(name) for name in names) else None
    if options.editions == "only":
        summary = RunSummary(inputs=len(names))
        summary.failures += _align_pages_editions(names, store=store, fetcher=fetcher, options=options, report=report)
        summary.fetched = fetcher.fetched
        return summary
    translator = _ray_translator(options) if options.ray is not None else None
    inputs = list(expand(list(names), glob=options.glob, stdin=stdin if "-" in names else None, fetcher=fetcher))
    engines = open_engines(options.model, options.langs, engine=options.engine, options=options.decoding,
                           cache_dir=options.cache_dir, progress=report.step, check_device=translator is None)
    report.on_inputs(len(inputs), fetching=fetcher is not None)
    try:
        summary = translate_articles(inputs, options, store=store, engines=engines, translator=translator,
                                     report=report, fetcher=fetcher)
    finally:
        report.on_queue_end()
    summary.inputs = len(inputs)
    if options.editions == "also" and not (summary.interrupted or report.should_stop()):
        summary.failures += _align_pages_editions(names, store=store, fetcher=fetcher, options=options, report=report)
    summary.fetched = fetcher.fetched if fetcher is not None else None
    return summary


def _ray_translator(options: RunOptions) -> QueueTranslator:
    from .ray_translate import EngineRecipe, RayTranslator

    recipe = EngineRecipe(options.model, options.engine, options.decoding, tuple(options.langs), options.cache_dir)
    return RayTranslator(options.ray, recipe, glossary=options.glossary, retries=options.retries,
                         context=options.context)


def _align_pages_editions(urls: Sequence[str], *, store: Store, fetcher: Fetcher, options: RunOptions,
                          report: RunReport) -> list[str]:
    """Align each page's own editions, reporting each page; returns the failures."""
    from .alignment.web_editions import align_pages_editions

    failures: list[str] = []
    for page in align_pages_editions(urls, store=store, fetcher=fetcher, force=options.force):
        failures += page.failures
        report.on_editions(page)
    return failures


def translate_articles(inputs: Iterable[Input], options: RunOptions, *, store: Store, engines: Mapping[str, Engine],
                       translator: QueueTranslator | None = None, report: RunReport | None = None,
                       fetcher: Fetcher | None = None) -> RunSummary:
    """Stages (a), (b) and (c) on ``inputs`` with ``engines`` (a target language's engine,
    often one for all, loaded only if something is missing from memory). ``translator``:
    where stage (b) runs (None: here, with ``engines``); ``fetcher``: the one reading the
    inputs' web pages, for the count reported. ``options.glossary`` is kept in the store,
    beside the translations whose signatures name it."""
    report = report or RunReport()
    summary = RunSummary()
    if options.glossary is not None:
        store.keep_glossary(options.glossary)
    signatures = {lang: translation_signature(engines[lang], glossary=options.glossary, retries=options.retries,
                                              context=options.context) for lang in options.langs}
    articles, copies = _prepare_all(inputs, options, summary=summary, report=report, fetcher=fetcher)
    if summary.interrupted:
        return summary
    completion = Completion(articles, copies, store=store, langs=options.langs, signatures=signatures,
                            summary=summary, report=report)
    chunks = plan_chunks(completion.missing(), signatures=signatures, contexts=_contexts(articles, options))
    if chunks and translator is None:
        # Before anything is written: a model that cannot load leaves the store as it was.
        for engine in {id(engine): engine for engine in engines.values()}.values():
            engine.load()
    completion.store_documents()
    report.on_queue(len(completion.waiting))
    completion.complete_ready()
    if not chunks:
        return summary
    translate = translator or (lambda queue: translate_locally(
        queue, engines=engines, glossary=options.glossary, retries=options.retries, should_stop=report.should_stop))
    try:
        for result in translate(chunks):
            completion.arrived(result)
            if report.should_stop():
                raise Interrupted("stopped between batches")
    except Interrupted:
        summary.interrupted = True
    return summary


def _prepare_all(inputs: Iterable[Input], options: RunOptions, *, summary: RunSummary, report: RunReport,
                 fetcher: Fetcher | None) -> tuple[dict[str, PreparedArticle], dict[str, int]]:
    """Stage (a): every input read and checked; an article given twice is one document
    (``copies``: how many times each was given)."""
    articles: dict[str, PreparedArticle] = {}
    copies: dict[str, int] = {}
    for item in inputs:
        if report.should_stop():
            summary.interrupted = True
            break
        try:
            read = prepare_article(item, force=options.force, max_chars=options.max_article_chars)
        except InputError as error:
            summary.failures.append(str(error))
            report.on_read(None, fetched=fetcher.fetched if fetcher else 0)
            report.on_article(None)
            continue
        articles.setdefault(read.article.doc_id, read)
        copies[read.article.doc_id] = copies.get(read.article.doc_id, 0) + 1
        report.on_read(read, fetched=fetcher.fetched if fetcher else 0)
    return articles, copies


def _contexts(articles: Mapping[str, PreparedArticle], options: RunOptions) -> dict[str, tuple[str, ...]]:
    """With ``context``: what the model reads beside each text (its title, the sentence before)."""
    contexts: dict[str, tuple[str, ...]] = {}
    if options.context:
        for read in articles.values():
            for text, told in article_contexts(read.article.title, read.texts[1:]).items():
                contexts.setdefault(text, told)
    return contexts


class Completion:
    """Stage (c): which article waits for which text, and each article aligned and
    recorded once its last text is in memory."""

    def __init__(self, articles: Mapping[str, PreparedArticle], copies: Mapping[str, int], *, store: Store,
                 langs: Sequence[str], signatures: Mapping[str, Signature], summary: RunSummary,
                 report: RunReport):
        self.articles, self.copies, self.store, self.langs = articles, copies, store, tuple(langs)
        self.signatures, self.summary, self.report = signatures, summary, report
        self.pending, self.waiting = _lacking(articles, store=store, langs=langs, signatures=signatures)
        self.outstanding = dict.fromkeys(articles, 0)  # article -> texts it still waits for
        for doc_ids in self.waiting.values():
            for doc_id in doc_ids:
                self.outstanding[doc_id] += 1
        self.made: dict[tuple[str, str], Translation] = {}  # what this run translated

    def missing(self) -> dict[str, list[str]]:
        """Per language, the texts the memory lacks: the queue to plan."""
        missing: dict[str, list[str]] = {}
        for lang, text in self.waiting:
            missing.setdefault(lang, []).append(text)
        return missing

    def store_documents(self) -> None:
        """Stage (a)'s writes: each unfinished article's document and sentences."""
        for doc_id, read in self.articles.items():
            if self.pending[doc_id]:
                self.store.add_document(read.article, read.sentences)

    def complete_ready(self) -> None:
        """Complete the articles that wait for nothing."""
        for doc_id in self.articles:
            if not self.outstanding[doc_id]:
                self.complete(doc_id)

    def arrived(self, result: ChunkResult) -> None:
        """A chunk's translations into memory, completing the articles that waited for them last."""
        chunk = result.chunk
        self.store.remember(result.translations, lang=chunk.lang, signature=chunk.signature)
        self.summary.retried += result.retried
        self.report.on_done(len(chunk.texts))
        for translation in result.translations:
            self.made[chunk.lang, translation.english] = translation
            for doc_id in self.waiting[chunk.lang, translation.english]:
                self.outstanding[doc_id] -= 1
                if not self.outstanding[doc_id]:
                    self.complete(doc_id)

    def complete(self, doc_id: str) -> None:
        read, pending = self.articles[doc_id], self.pending[doc_id]
        translations = []
        for lang in pending:
            memory = self.store.remembered(read.texts, lang=lang, signature=self.signatures[lang])
            title, *rest = (memory[text] for text in read.texts)
            translations.append(DocumentTranslation(lang, self.signatures[lang], title, tuple(rest)))
        self.store.save(assemble_document(read.article, read.sentences, translations))
        # A text shared by several articles counts for the first that needed it.
        owned = [self.made[lang, text] for lang in pending for text in dict.fromkeys(read.texts)
                 if (lang, text) in self.made and self.waiting[lang, text][0] == doc_id]
        result = ArticleResult(read.article.source, doc_id, read.article.title, len(read.sentences), len(owned),
                               not pending, self.langs, sum(t.retry is not None for t in owned))
        self.summary.stored += self.copies[doc_id]
        self.report.on_article(result)
        for _ in range(self.copies[doc_id] - 1):
            self.report.on_article(replace(result, translated=0, remembered=True, retried=0))


def _lacking(
    articles: Mapping[str, PreparedArticle], *, store: Store, langs: Sequence[str],
    signatures: Mapping[str, Signature],
) -> tuple[dict[str, list[str]], dict[tuple[str, str], list[str]]]:
    """Per article, the languages it is not complete in; per (language, text) the memory
    lacks, the articles that need it, in reading order."""
    pending = {doc_id: [lang for lang in langs if not store.is_translated(doc_id, lang=lang,
                                                                          signature=signatures[lang])]
               for doc_id in articles}
    waiting: dict[tuple[str, str], list[str]] = {}
    for lang in langs:
        needed = [text for doc_id, read in articles.items() if lang in pending[doc_id] for text in read.texts]
        known = store.remembered(needed, lang=lang, signature=signatures[lang])
        for doc_id, read in articles.items():
            if lang in pending[doc_id]:
                for text in dict.fromkeys(read.texts):
                    if text not in known:
                        waiting.setdefault((lang, text), []).append(doc_id)
    return pending, waiting
