"""What the quality checks measure in a pair's text: the names of the English and whether a
translation keeps them, ordinary English words left in a Chinese translation, the language
of a Latin-script translation judged on its own words, repetition loops, Traditional
characters. ``quality`` turns these into flags.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from .languages import HAN_CHARACTERS, detect_language

HAN = re.compile(f"[{HAN_CHARACTERS}]")
LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")
# Two or more capitalised words in a row: a person, place or organisation name, its words
# as names write them: José Martí, Ronald McDonald, Conan O'Brien, Jean-Luc Picard.
_UPPER, _LOWER = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_CAPITALISED = rf"[{_UPPER}](?:[{_LOWER}]+|['’](?=[{_UPPER}]))(?:[-'’]?[{_UPPER}][{_LOWER}]+)*"
NAME = re.compile(rf"(?<!\w){_CAPITALISED}(?:\s+{_CAPITALISED})+(?![^\W\d_])")
# Letters left once names are set aside, below which a detector's verdict is a guess.
MIN_DETECTED_LETTERS = 20
LATIN = "A-Za-z\u00c0-\u024f\u1e00-\u1eff"  # with the accented letters of Latin-script names
WORD = re.compile(rf"[{LATIN}][{LATIN}0-9'’-]*")
# Latin-script tokens in Chinese text, codes included (COVID-19, iPhone15, e-mail).
LATIN_TOKEN = re.compile(rf"(?<![{LATIN}0-9])[{LATIN}](?:[{LATIN}0-9_'’.+/#&-]*[{LATIN}0-9])?")
# Latin words one after another, as a name or a title is quoted: "University of Dundee".
LATIN_PHRASE = re.compile(rf"[{LATIN}][{LATIN}0-9'’.&-]*(?:[ \u00a0]+[{LATIN}0-9][{LATIN}0-9'’.&-]*)*")
PLAIN_WORD = re.compile(rf"[{LATIN}]+(?:[-'’][{LATIN}]+)*")  # a word, not a code: e-mail, don't
# Latin-only text in brackets or quotes: an original term given beside its translation,
# as in 游猎 (safari), or a word discussed as a word, as in 拉丁语“civilis”.
GLOSS = re.compile(rf"[(（\[【][^{HAN_CHARACTERS}()（）]*[)）\]】]"
                   rf"|[“\"「『‘][^{HAN_CHARACTERS}“”\"「」『』‘’]*[”\"」』’“]")
WEB_ADDRESS = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|int|io|info|cn|fr|uk)\b"
)


# A capitalised English word that French is expected to translate, as it translates "South
# Africa", "Milky Way" or "Mayor": at least this frequent in English (Zipf scale) and this
# much more frequent in English than in French. A name reads about as often in both ("Ruiz",
# "Zhao"), and a word rare in English is more likely a name than a word.
_TRANSLATED_WORD = ((4.0, 0.75), (3.0, 1.0))
# A sentence's first word is capitalised anyway: at least this frequent, it opens the sentence
# rather than a name ("Several Bishkek residents", "Both assassin bugs").
_OPENER = 4.5
# Titles, which French translates and writes lowercase (le Premier ministre, la reine).
_TITLES = {
    "mr", "mrs", "ms", "dr", "prof", "sir", "madam", "lady", "lord", "king", "queen", "prince", "princess",
    "pope", "saint", "st", "pharaoh", "emperor", "sultan", "sheikh", "prime", "minister", "president",
    "mayor", "governor", "senator", "general", "colonel", "captain", "judge", "justice", "chancellor",
}


def lost_names(source: str, text: str) -> tuple[list[str], list[str]]:
    """The source's names none of whose own words the translation has (lost), and the
    words of a name that come back misspelt (garbled).

    Only a name's own words count: not titles, not the words French translates, not an
    opening word. A word is kept when the translation has it, accents aside, or with another
    ending (Atlantic: Atlantique, national: nationale). A word that comes back a letter or
    two off is garbled (Zhao Min: Zhao Ming, Tamaki: Tamki), unless French writes that form
    more than English does: French spells many names its own way (Elizabeth: Élisabeth,
    Bishkek: Bichkek, Cape: Cap)."""
    words = set(_tokens(text))
    capitalised = {token: word for word in WORD.findall(text) if word[0].isupper() for token in _tokens(word)}
    opening = source.lstrip(" \"'“‘«(")
    lost, garbled = [], []
    for name in dict.fromkeys(NAME.findall(source)):
        parts = name.split()
        if opening.startswith(name) and _zipf(_fold(parts[0]), "en") >= _OPENER:
            parts = parts[1:]
        own = [t for part in parts for t in _tokens(part) if len(t) > 1 and not _translated(t)]
        missing = [t for t in own if not _kept(t, words)]
        if not missing:
            continue
        variants = {t: _variant(t, capitalised) for t in missing}
        if len(missing) == len(own) and not all(variants.values()):
            lost.append(name)
        else:  # French spells it its own way (Élisabeth, Bichkek) or the translation garbles it
            garbled += [f"{_spelled(t, name)} as {capitalised[v]}" for t, v in variants.items()
                        if v and _zipf(v, "fr") <= _zipf(v, "en")]
    return lost, garbled


def _fold(text: str) -> str:
    """Lowercase and without accents: "Élisabeth" and "Elisabeth" are one spelling."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _tokens(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", _fold(text))


@lru_cache(maxsize=8192)
def _zipf(word: str, lang: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang)


def _translated(word: str) -> bool:
    if word in _TITLES:
        return True
    english = _zipf(word, "en")
    gap = english - _zipf(word, "fr")
    return any(english >= least and gap >= more for least, more in _TRANSLATED_WORD)


def _kept(word: str, words: set[str]) -> bool:
    if word in words:
        return True
    if len(word) < 5:  # a short name must come back whole: Min is not Ming
        return False
    stem = word[:-1]  # the ending aside: Atlantic, Atlantique; Argentine, argentin
    return any(other.startswith(stem) for other in words)


def _variant(word: str, capitalised: dict[str, str]) -> str | None:
    """A capitalised word of the translation a letter (two, for a long word) off ``word``."""
    most = 1 if len(word) <= 5 else 2
    return next((other for other in capitalised if other != word and other[0] == word[0]
                 and abs(len(other) - len(word)) <= most and _distance(word, other) <= most), None)


def _distance(a: str, b: str) -> int:
    """Levenshtein distance between two short words."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def _spelled(token: str, name: str) -> str:
    """The name's word as the source writes it."""
    return next((w for w in name.split() if token in _tokens(w)), token)


# Lowercase Latin words that Chinese news writes as they are: units and a few loanwords.
_KEPT_IN_CHINESE = {
    "km", "kg", "cm", "mm", "mg", "ml", "kw", "kwh", "mw", "gw", "mph", "kmh", "ppm", "ppb", "ft", "lb", "lbs",
    "oz", "mi", "ha", "hz", "khz", "mhz", "ghz", "db", "kb", "mb", "gb", "tb", "bps", "mbps", "gbps", "min",
    "am", "pm", "app", "vs", "wifi", "ok", "pk", "logo", "et", "al", "etc",
}
# Lowercase words inside names: "Charles de Gaulle", "Osama bin Laden", "Vincent van Gogh".
_NAME_PARTICLES = {"de", "da", "di", "du", "des", "del", "della", "van", "von", "der", "den", "ter", "bin",
                   "ibn", "al", "el", "la", "le", "dos", "das"}


def source_names(source: str) -> set[str]:
    """Words the source writes capitalised or in capitals: names, acronyms, titles."""
    words = WORD.findall(source)
    names = {w for w in words if w[0].isupper()}
    names |= {w for w, after in zip(words, words[1:], strict=False) if w in _NAME_PARTICLES and after[0].isupper()}
    return names


def without_names(text: str, names: set[str]) -> str:
    """The text less the source's names and any acronym, which a translation keeps as they are."""
    return WORD.sub(lambda m: " " if m.group(0) in names or _is_acronym(m.group(0)) else m.group(0), text)


def _is_acronym(word: str) -> bool:
    return sum(ch.isupper() for ch in word) >= 2


def language_of(text: str, names: set[str], tgt: str) -> str | None:
    """The language of a Latin-script translation, judged on its own words, not the names it
    shares with the source: a short French sentence full of English names reads as English."""
    own_words = without_names(text, names)
    words = [w.lower() for w in WORD.findall(own_words)]
    english = sum(w in _FUNCTION_WORDS["en"] for w in words)
    native = sum(w in _FUNCTION_WORDS.get(tgt, ()) for w in words)
    if len(LATIN_LETTER.findall(own_words)) < MIN_DETECTED_LETTERS:
        # Too little left for trigrams; small words still tell English from French.
        return "en" if english >= 2 and english > native else None
    found = detect_language(own_words)
    return tgt if found == "en" and native > english else found


# Small words frequent in one language and rare in the other: evidence that survives
# when names are most of a sentence.
_FUNCTION_WORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "was", "were", "are", "with", "for", "that", "have", "has",
           "had", "will", "from", "by", "at", "this", "it", "be", "been", "said", "which", "who", "their"},
    "fr": {"le", "la", "les", "des", "du", "et", "est", "un", "une", "dans", "pour", "sur", "avec", "que",
           "qui", "au", "aux", "été", "ont", "sont", "par", "ce", "cette", "ces", "il", "elle", "selon", "pas",
           "son", "sa", "ses", "leur", "à", "était", "avait", "mais", "où"},
}


def english_left(source: str, text: str) -> list[str]:
    """Ordinary English words a Chinese translation kept (what ``untranslated_words`` flags)."""
    return english_words(text, source, source_names(source)) if HAN.search(text) else []


def english_words(text: str, source: str, names: set[str]) -> list[str]:
    """Ordinary English words inside a Chinese translation, leaving out names, acronyms,
    units, codes and web addresses."""
    source_words = set(WORD.findall(source))
    text = GLOSS.sub(" ", WEB_ADDRESS.sub(" ", text))
    # A name or title the source has, word for word, stays whole, its small words included.
    text = LATIN_PHRASE.sub(lambda m: " " if _is_quoted_name(m.group(0), source) else m.group(0), text)
    left = []
    for token in LATIN_TOKEN.findall(text):
        if len(token) < 2 or not PLAIN_WORD.fullmatch(token):
            continue  # a letter (A股, X光) or a code (COVID-19, iPhone15, pcr_v2)
        if any(ch.isupper() for ch in token[1:]) or token.lower() in _KEPT_IN_CHINESE:
            continue  # an acronym (WHO, COVID), a brand (iPhone), a unit or a loanword
        if token[0].isupper():
            # A capitalised word is a name, unless the source writes it as an ordinary word.
            if token in names or token.lower() not in source_words:
                continue
        elif token in names:
            continue
        left.append(token)
    return list(dict.fromkeys(left))


def _is_quoted_name(phrase: str, source: str) -> bool:
    return " " in phrase and any(ch.isupper() for ch in phrase) and phrase in source


def normalized(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


_ZH_UNIT = re.compile(rf"[{LATIN}]+|\d+|\S")


def repetition(text: str, tgt: str) -> str | None:
    # Chinese: each character, but a number or a Latin word whole (1978年、1979年 is no loop).
    units = _ZH_UNIT.findall(text) if tgt == "zh" else text.lower().split()
    if len(units) < 12:
        return None
    ratio = len(set(units)) / len(units)
    if ratio < (0.2 if tgt == "zh" else 0.3):
        return f"type/token ratio {ratio:.2f}"
    grams = Counter(tuple(units[i : i + 3]) for i in range(len(units) - 2))
    gram, times = grams.most_common(1)[0]
    if times >= 4:
        return f"{''.join(gram) if tgt == 'zh' else ' '.join(gram)!r} repeated {times} times"
    return None


def traditional_characters(text: str) -> str:
    from .cleanup import to_simplified

    simplified = to_simplified(text)
    return "".join(dict.fromkeys(a for a, b in zip(text, simplified, strict=False) if a != b))
