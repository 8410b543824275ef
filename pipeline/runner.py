"""Run the whole pipeline on one article: ingest, segment, translate, align, store."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .align import align
from .document import Article, TranslatedText
from .engines import Engine
from .engines.base import LANGUAGE_NAMES
from .errors import BitextError, InputError
from .segment import segment
from .store import Store
from .translate import translate_texts

SOURCE_LANGUAGE = "en"
# A "sentence" longer than this is not prose (a dump, a table flattened into one line).
MAX_SENTENCE_CHARS = 5000
TARGET_LANGUAGES = tuple(lang for lang in LANGUAGE_NAMES if lang != SOURCE_LANGUAGE)


@dataclass(frozen=True)
class ArticleResult:
    source: str
    doc_id: str
    title: str
    sentences: int
    translated: int  # texts the engine translated in this run
    remembered: bool  # True when the store already held everything asked for


def check_languages(langs: list[str]) -> list[str]:
    """Validate target languages; an unknown one is an error that lists the valid ones."""
    unknown = [lang for lang in langs if lang not in TARGET_LANGUAGES]
    if unknown or not langs:
        raise BitextError(
            f"unknown target language {', '.join(unknown) or '(none)'}; choose from: {', '.join(TARGET_LANGUAGES)}"
        )
    return list(dict.fromkeys(langs))


def check_english(article: Article) -> None:
    """Refuse an article that is not in English (lingua, offline)."""
    from .language import detect_language

    found = detect_language(f"{article.title}\n{article.body}")
    if found is not None and found != SOURCE_LANGUAGE:
        raise InputError(
            f"{article.source}: the article is in {LANGUAGE_NAMES.get(found, repr(found))}, not English; "
            "skipped (use --force to translate it anyway)"
        )


def process_article(
    article: Article,
    *,
    store: Store,
    engines: Mapping[str, Engine],
    langs: list[str],
    on_start: Callable[[str, int], None] = lambda title, total: None,
    on_done: Callable[[int], None] = lambda n: None,
    should_stop: Callable[[], bool] = lambda: False,
    check_language: bool = True,
) -> ArticleResult:
    """Translate one article into ``langs`` and store it in one transaction.

    ``engines`` maps each target language to its engine (often one engine for all).
    Input that is not prose, or (with ``check_language``) not English, is an ``InputError``.

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
    if all(store.is_translated(article.doc_id, lang=lang, signature=engines[lang].signature()) for lang in langs):
        on_done(len(texts) * len(langs))
        return ArticleResult(article.source, article.doc_id, article.title, len(sentences), 0, True)

    translations, translated = [], 0
    for lang in langs:
        signature = engines[lang].signature()
        memory = store.remembered(texts, lang=lang, signature=signature)
        result = translate_texts(
            engines[lang], texts, src=SOURCE_LANGUAGE, tgt=lang, memory=memory, on_done=on_done,
            remember=lambda pairs, lang=lang, signature=signature: store.remember(pairs, lang=lang, signature=signature),
            should_stop=should_stop,
        )
        translated += result.engine_calls
        outputs = result.texts
        flags = {source: [(f.name, f.reason) for f in found] for source, found in result.flags.items() if found}
        translations.append(TranslatedText(lang, signature, outputs[0], tuple(outputs[1:]), result.pieces, flags))
    store.save(align(article, sentences, translations))
    return ArticleResult(article.source, article.doc_id, article.title, len(sentences), translated, False)
