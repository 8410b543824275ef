"""Run the pipeline on articles: ingest -> segment -> translate -> align -> store.

``open_engines`` loads one engine per distinct model for the target languages asked for;
``process_article`` takes one article through every stage and stores it in one
transaction. The CLI (``bitext run``) only reports what they return.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .alignment.machine import align
from .document import Article, TranslatedText
from .engines import DecodingOptions, Engine, create_engine
from .errors import InputError, Interrupted
from .glossary import Glossary
from .inputs import Input
from .languages import SOURCE_LANGUAGE, detect_language, name
from .model import Progress, default_cache_dir, no_progress, resolve_languages
from .segment import segment
from .store import Store
from .translate import article_contexts, translate_texts, translation_signature

# A "sentence" longer than this is not prose (a dump, a table flattened into one line).
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
) -> dict[str, Engine]:
    """An engine per target language, sharing one engine between languages whose model is
    the same (a catalogue entry may name a different model for each language).

    ``langs`` None: every target language of a catalogue model (for a model folder, its
    one model under the key None). Engines load their weights on first use. ``cache_dir``
    None: ``model.default_cache_dir()``.
    """
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


def process_article(
    article: Article,
    *,
    store: Store,
    engines: Mapping[str, Engine],
    langs: Sequence[str],
    on_start: Callable[[str, int], None] = lambda title, total: None,
    on_done: Callable[[int], None] = lambda n: None,
    should_stop: Callable[[], bool] = lambda: False,
    check_language: bool = True,
    glossary: Glossary | None = None,
    retries: int = 0,
    context: bool = False,
) -> ArticleResult:
    """Translate one article into ``langs`` and store it in one transaction.

    ``engines`` maps each target language to its engine (often one engine for all).
    Input that is not prose, or (with ``check_language``) not English, is an ``InputError``.

    ``context``: the model reads the title and the sentence before each sentence.

    ``on_start(title, total)`` announces how many texts (title and sentences, per
    language) the article needs; ``on_done(n)`` reports progress through them.
    """
    sentences = segment(article.paragraphs, lang=SOURCE_LANGUAGE)
    longest = max(sentences, key=lambda s: len(s.text), default=None)
    if longest is not None and len(longest.text) > MAX_SENTENCE_CHARS:
        raise InputError(
            f"{article.source}: paragraph {longest.paragraph + 1} holds a run of {len(longest.text):,} characters "
            f"with no sentence end (more than {MAX_SENTENCE_CHARS:,}); not news text"
        )
    if check_language:
        check_english(article)
    texts = [article.title, *(s.text for s in sentences)]
    on_start(article.title, len(texts) * len(langs))
    signatures = {lang: translation_signature(engines[lang], glossary=glossary, retries=retries, context=context)
                  for lang in langs}
    if all(store.is_translated(article.doc_id, lang=lang, signature=signatures[lang]) for lang in langs):
        on_done(len(texts) * len(langs))
        return ArticleResult(article.source, article.doc_id, article.title, len(sentences), 0, True, tuple(langs))

    contexts = article_contexts(article.title, texts[1:]) if context else None
    translations, translated, retried = [], 0, 0
    for lang in langs:
        signature = signatures[lang]
        result = translate_texts(
            engines[lang], texts, src=SOURCE_LANGUAGE, tgt=lang,
            memory=store.remembered(texts, lang=lang, signature=signature), glossary=glossary, retries=retries,
            contexts=contexts, on_done=on_done,
            remember=lambda done, lang=lang, signature=signature: store.remember(done, lang=lang, signature=signature),
            should_stop=should_stop,
        )
        translated += result.engine_calls
        retried += result.retried
        title, *rest = result.translations
        translations.append(TranslatedText(lang, signature, title, tuple(rest)))
    store.save(align(article, sentences, translations))
    return ArticleResult(article.source, article.doc_id, article.title, len(sentences), translated, False, tuple(langs),
                         retried)


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
    check_language: bool = True,
    glossary: Glossary | None = None,
    retries: int = 0,
    context: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
    on_start: Callable[[str, int], None] = lambda title, total: None,
    on_done: Callable[[int], None] = lambda n: None,
    on_article: Callable[[ArticleResult | None], None] = lambda result: None,
) -> RunSummary:
    """Run every input through ``process_article``. An input that cannot be read is a
    failure for that input alone (``on_article(None)``), and the rest go on; a stop asked
    for (``should_stop``) ends the run after the current batch. A ``glossary`` is kept in
    the store, beside the translations whose signatures name it."""
    summary = RunSummary()
    if glossary is not None:
        store.keep_glossary(glossary)
    for item in items:
        if should_stop():
            summary.interrupted = True
            break
        try:
            result = process_article(
                item.read(), store=store, engines=engines, langs=langs, on_start=on_start, on_done=on_done,
                should_stop=should_stop, check_language=check_language, glossary=glossary, retries=retries,
                context=context,
            )
        except Interrupted:
            summary.interrupted = True
            break
        except InputError as error:
            summary.failures.append(str(error))
            on_article(None)
            continue
        summary.stored += 1
        summary.retried += result.retried
        on_article(result)
    return summary
