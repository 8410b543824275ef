"""The languages bitext works in: one table of names, tags and what the other modules need
to know of each language (sentence joiner, BLEU tokenizer, length figures, model tokens,
hreflang tags, glossary headers), the Han character range, the checks on what a user asks
for, and detection (lingua, offline).

Every other module takes language facts and language sets from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import BitextError
from .once import once


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1, as on the command line and in the store
    name: str  # in English, as the translation prompt names it
    native: str  # as a reader of the language names it (column titles, page headers)
    bcp47: str  # the tag for xml:lang, lang="" and TMX (script included where it matters)
    flores: str  # FLORES-200 / NLLB code: NLLB's language tokens, FLORES file names
    sentence_joiner: str  # between two sentences of one text: Chinese puts no space there
    bleu_tokenizer: str  # sacrebleu's: Chinese has no spaces between words to split on
    # Characters per character of English, in translations of the same text (FLORES-200
    # devtest: 131,966 English, 43,248 Chinese and 157,638 French characters).
    characters_per_english: float
    # Characters of translation per character of English source outside which a pair is
    # suspect (the length_ratio flag); None: the quality check's default bounds.
    length_ratio: tuple[float, float] | None
    # Opus-MT multi-target models' tokens for writing in it, most specific first.
    marian_tokens: tuple[str, ...]
    # hreflang values of a page's edition in it, lowercased, in tiers best first (a
    # Simplified Chinese tag before plain "zh"); any other tag of the language comes after.
    hreflang: tuple[tuple[str, ...], ...]
    column_names: tuple[str, ...]  # how a glossary's header may name its column, casefolded


LANGUAGES = {
    "en": Language(
        "en", "English", "English", "en", "eng_Latn", sentence_joiner=" ", bleu_tokenizer="13a",
        characters_per_english=1.0, length_ratio=None, marian_tokens=(">>eng<<", ">>en<<"),
        hreflang=(("en",),), column_names=("en", "english"),
    ),
    "zh": Language(
        "zh", "Simplified Chinese", "中文", "zh-Hans", "zho_Hans", sentence_joiner="", bleu_tokenizer="zh",
        characters_per_english=0.328, length_ratio=(0.12, 0.9),
        marian_tokens=(">>cmn_Hans<<", ">>zho_Hans<<", ">>cmn<<", ">>zho<<", ">>zh<<"),
        hreflang=(("zh-hans", "zh-cn", "zh-sg", "zh-hans-cn"), ("zh",)), column_names=("zh", "chinese", "中文"),
    ),
    "fr": Language(
        "fr", "French", "Français", "fr", "fra_Latn", sentence_joiner=" ", bleu_tokenizer="13a",
        characters_per_english=1.195, length_ratio=(0.6, 2.2), marian_tokens=(">>fra<<", ">>fr<<"),
        hreflang=(("fr",),), column_names=("fr", "french", "français"),
    ),
}
SOURCE_LANGUAGE = "en"
TARGET_LANGUAGES = tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)
# The segmenter reads every language bitext knows (editions come in zh and fr too).
SEGMENT_LANGUAGES = tuple(LANGUAGES)


def name(code: str) -> str:
    """The English name of a language, or the code itself for one bitext does not know."""
    return LANGUAGES[code].name if code in LANGUAGES else code


def native_name(code: str) -> str:
    return LANGUAGES[code].native if code in LANGUAGES else code


def bcp47(code: str) -> str:
    return LANGUAGES[code].bcp47 if code in LANGUAGES else code


def flores_code(code: str) -> str:
    return LANGUAGES[code].flores


def flores_devtest(code: str) -> str:
    """The name of a language's FLORES-200 devtest file (``zho_Hans.devtest``)."""
    return f"{flores_code(code)}.devtest"


def sentence_joiner(code: str) -> str:
    """What goes between two sentences of one text in a language: a space unless the table
    says otherwise."""
    return LANGUAGES[code].sentence_joiner if code in LANGUAGES else " "


def bleu_tokenizer(code: str) -> str:
    return LANGUAGES[code].bleu_tokenizer if code in LANGUAGES else "13a"


# Han characters, as a regular-expression character range: CJK Unified Ideographs with
# Extension A, and the Compatibility Ideographs.
HAN_CHARACTERS = r"\u3400-\u9fff\uf900-\ufaff"


def _codes(text: str | Iterable[str]) -> list[str]:
    """Language codes from ``"zh,fr"`` or a list, blanks left out."""
    return [c.strip() for c in (text.split(",") if isinstance(text, str) else text) if c.strip()]


def parse_targets(text: str | Iterable[str]) -> list[str]:
    """Target languages from ``"zh,fr"`` (or a list), in order, without repeats.

    An unknown or missing language is an error that lists the valid ones.
    """
    codes = _codes(text)
    unknown = [code for code in codes if code not in TARGET_LANGUAGES]
    if unknown or not codes:
        raise BitextError(
            f"unknown target language {', '.join(unknown) or '(none)'}; choose from: {', '.join(TARGET_LANGUAGES)}"
        )
    return list(dict.fromkeys(codes))


def parse_languages(text: str | Iterable[str]) -> list[str]:
    """The language of each input in order, from ``"en,zh,fr"`` (or a list), repeats kept:
    each one bitext segments. An unknown language is an error that lists the valid ones."""
    return [check_segment_language(code) for code in _codes(text)]


def check_segment_language(code: str) -> str:
    if code not in SEGMENT_LANGUAGES:
        raise BitextError(f"unknown language {code!r}; choose one of: {', '.join(SEGMENT_LANGUAGES)}")
    return code


# Languages the detector tells apart: the ones bitext handles, and the ones news crawls
# mix in most often. Fewer languages load faster and confuse less.
DETECTED = (
    "ENGLISH", "CHINESE", "FRENCH", "GERMAN", "SPANISH", "PORTUGUESE", "ITALIAN", "DUTCH",
    "RUSSIAN", "JAPANESE", "KOREAN", "ARABIC", "TURKISH", "INDONESIAN", "VIETNAMESE",
)
SAMPLE = 2000  # characters: enough for a sure answer, cheap for long articles


@once
def _detector():
    from lingua import Language as LinguaLanguage, LanguageDetectorBuilder

    # Low-accuracy mode reads trigrams only: it loads in 0.2 s instead of 2.5 s, and is
    # reliable on article-length text (lingua's own guidance: over about 120 characters).
    languages = (getattr(LinguaLanguage, detected) for detected in DETECTED)
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it cannot tell."""
    language = _detector().detect_language_of(text[:SAMPLE])
    return language.iso_code_639_1.name.lower() if language is not None else None


def contradicts(detected: str | None, given: str) -> bool:
    """Whether a text the detector reads as ``detected`` cannot be in the language ``given``
    for it. Only a language bitext reads contradicts: the detector may take a short or
    name-laden text for some other language, and None is no answer."""
    return detected in SEGMENT_LANGUAGES and detected != given
