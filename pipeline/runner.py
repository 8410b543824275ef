"""Run the pipeline on articles, in stages: read -> translate -> complete.

(a) Every input is read, segmented and checked, and its document and sentences stored at
once (cheap, so a rerun starts from them). (b) Everything the translation memory lacks,
for all articles and all target languages, is translated as one length-sorted queue of
chunks (``workqueue``), in this process or on a Ray cluster (``ray_translate``), and the
memory is written chunk by chunk. (c) A document is complete when all of its texts are
in memory: its translations are aligned with its sentences and recorded.

A kill at any moment loses at most the chunk in flight; the same command then translates
only what is missing. ``open_engines`` loads one engine per distinct model; the CLI
(``bitext run``) only reports what ``run_articles`` returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .alignment.machine import assemble_document
from .document import Article, DocumentTranslation, Sentence, Signature, Translation
from .engines import DecodingOptions, Engine, check_options, create_engine
from .errors import InputError, Interrupted
from .glossary import Glossary
from .ingest import not_prose
from .inputs import MAX_ARTICLE_CHARS, Input
from .languages import SOURCE_LANGUAGE, detect_language, name
from .model import default_cache_dir, resolve_languages
from .progress import Progress, no_progress
from .segment import segment
from .store import Store
from .translate import DEFAULT_RETRIES, article_contexts, translation_signature
from .workqueue import Chunk, ChunkResult, plan_chunks, translate_locally

# Stage (b), given the queue: yields each chunk's result as it is done (translate_locally,
# or ray_translate.RayTranslator).
TranslateChunks = Callable[[Sequence[Chunk]], Iterable[ChunkResult]]

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
class ReadArticle:
    """Stage (a)'s output: an article and its sentences, checked."""

    article: Article
    sentences: tuple[Sentence, ...]

    @property
    def texts(self) -> list[str]:
        """What is translated: the title, then every sentence."""
        return [self.article.title, *(s.text for s in self.sentences)]


def read_article(item: Input, *, force: bool = False, max_chars: int = MAX_ARTICLE_CHARS) -> ReadArticle:
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
    return ReadArticle(article, sentences)


def _lacking(
    articles: Mapping[str, ReadArticle], *, store: Store, langs: Sequence[str], signatures: Mapping[str, Signature]
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


@dataclass
class RunSummary:
    stored: int = 0  # articles stored (or found already stored)
    failures: list[str] = field(default_factory=list)  # one line per input that could not be read
    interrupted: bool = False
    retried: int = 0  # translations decoded again for a serious flag


def run_articles(
    items: Iterable[Input],
    *,
    store: Store,
    engines: Mapping[str, Engine],
    langs: Sequence[str],
    force: bool = False,
    glossary: Glossary | None = None,
    retries: int = DEFAULT_RETRIES,
    context: bool = False,
    max_article_chars: int = MAX_ARTICLE_CHARS,
    translate_chunks: TranslateChunks | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    on_read: Callable[[ReadArticle | None], None] = lambda read: None,
    on_queue: Callable[[int], None] = lambda texts: None,
    on_done: Callable[[int], None] = lambda n: None,
    on_article: Callable[[ArticleResult | None], None] = lambda result: None,
) -> RunSummary:
    """Take every input through the three stages (see the module's doc).

    An input that cannot be read is a failure for that input alone (``on_read(None)`` and
    ``on_article(None)``), and the rest go on. ``engines`` maps each target language to its
    engine (often one engine for all); their weights load only if something is missing
    from memory. ``translate_chunks``: where stage (b) runs (None: here, with ``engines``).
    ``context``: the model reads the title and the sentence before each sentence. A
    ``glossary`` is kept in the store, beside the translations whose signatures name it.

    Progress: ``on_read`` per input read, ``on_queue(n)`` once with the texts to
    translate, ``on_done(n)`` as they are stored, ``on_article`` per article complete (or
    found complete). A stop asked for (``should_stop``) ends the run after the chunk in
    flight, with everything finished kept.
    """
    summary = RunSummary()
    if glossary is not None:
        store.keep_glossary(glossary)
    signatures = {lang: translation_signature(engines[lang], glossary=glossary, retries=retries, context=context)
                  for lang in langs}

    # (a) read every input
    articles: dict[str, ReadArticle] = {}
    copies: dict[str, int] = {}  # an article given twice is one document
    for item in items:
        if should_stop():
            summary.interrupted = True
            return summary
        try:
            read = read_article(item, force=force, max_chars=max_article_chars)
        except InputError as error:
            summary.failures.append(str(error))
            on_read(None)
            on_article(None)
            continue
        articles.setdefault(read.article.doc_id, read)
        copies[read.article.doc_id] = copies.get(read.article.doc_id, 0) + 1
        on_read(read)

    # (b) the queue: what each unfinished article lacks, in each language
    pending, waiting = _lacking(articles, store=store, langs=langs, signatures=signatures)
    outstanding = dict.fromkeys(articles, 0)  # article -> texts it still waits for
    for doc_ids in waiting.values():
        for doc_id in doc_ids:
            outstanding[doc_id] += 1
    contexts: dict[str, tuple[str, ...]] = {}
    if context:
        for read in articles.values():
            for text, told in article_contexts(read.article.title, read.texts[1:]).items():
                contexts.setdefault(text, told)
    missing: dict[str, list[str]] = {}
    for lang, text in waiting:
        missing.setdefault(lang, []).append(text)
    chunks = plan_chunks(missing, signatures=signatures, contexts=contexts)
    if chunks and translate_chunks is None:
        # Before anything is written: a model that cannot load leaves the store as it was.
        for engine in {id(engine): engine for engine in engines.values()}.values():
            engine.load()
    for doc_id, read in articles.items():  # (a) stored at once: documents and sentences
        if pending[doc_id]:
            store.add_document(read.article, read.sentences)
    on_queue(len(waiting))

    # (c) an article is complete once all of its texts are in memory
    made: dict[tuple[str, str], Translation] = {}  # what this run translated

    def complete(doc_id: str) -> None:
        read = articles[doc_id]
        translations = []
        for lang in pending[doc_id]:
            memory = store.remembered(read.texts, lang=lang, signature=signatures[lang])
            title, *rest = (memory[text] for text in read.texts)
            translations.append(DocumentTranslation(lang, signatures[lang], title, tuple(rest)))
        store.save(assemble_document(read.article, read.sentences, translations))
        # A text shared by several articles counts for the first that needed it.
        owned = [made[lang, text] for lang in pending[doc_id] for text in dict.fromkeys(read.texts)
                 if (lang, text) in made and waiting[lang, text][0] == doc_id]
        result = ArticleResult(read.article.source, doc_id, read.article.title, len(read.sentences), len(owned),
                               not pending[doc_id], tuple(langs), sum(t.retry is not None for t in owned))
        summary.stored += copies[doc_id]
        on_article(result)
        for _ in range(copies[doc_id] - 1):
            on_article(replace(result, translated=0, remembered=True, retried=0))

    for doc_id in articles:
        if not outstanding[doc_id]:
            complete(doc_id)
    if not chunks:
        return summary
    work = translate_chunks or (lambda queue: translate_locally(queue, engines=engines, glossary=glossary,
                                                                retries=retries, should_stop=should_stop))
    try:
        for result in work(chunks):
            chunk = result.chunk
            store.remember(result.translations, lang=chunk.lang, signature=chunk.signature)
            summary.retried += result.retried
            on_done(len(chunk.texts))
            for translation in result.translations:
                made[chunk.lang, translation.english] = translation
                for doc_id in waiting[chunk.lang, translation.english]:
                    outstanding[doc_id] -= 1
                    if not outstanding[doc_id]:
                        complete(doc_id)
            if should_stop():
                raise Interrupted("stopped between batches")
    except Interrupted:
        summary.interrupted = True
    return summary
