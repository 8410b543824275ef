"""What a chat LLM is asked: the system message, worked examples, and the sentence.

The system message and the examples are the same for every sentence of a language pair,
so an engine that caches a prompt's state (CTranslate2's static prompt) computes them
once; only the last user turn changes from sentence to sentence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .. import languages

# Bump whenever the prompt text, or what an engine does with a prompt's hints, changes: it
# is part of every signature. 4: the English words a retry names are also kept out of the
# answer (``banned_sequences``).
PROMPT_VERSION = "4"

SYSTEM_PROMPT = (
    "You are a professional news translator. Translate the user's text from {source} "
    "into {target}, completely and faithfully: translate every word, leaving only proper "
    "names that have no {target} form. Reply with the translation only: no explanation, "
    "no notes, no transliteration, and no quotation marks around it."
)
# Added for a retry of a flagged translation.
STRICT_PROMPT = (
    " Your last answer was rejected: write the whole sentence in {target}, leave no English "
    "words untranslated, and keep every number, date and name the source gives."
)
USER_PROMPT = "Translate into {target}:\n\n{text}"
# After the text, so the prompt up to the text stays the same for every sentence (cached).
TERMS_NOTE = "\n\n(Required translations: {terms}.)"
# Words an earlier answer left in English (a retry).
WORDS_NOTE = "\n\n(Translate these English words into {target} too: {words}.)"
# What the article said before the text: read for pronouns and repeated terms, not translated.
CONTEXT_NOTE = "\n\n(Context only, do not translate it: {context})"


@dataclass(frozen=True)
class Hints:
    """What a chat LLM is told about one text besides the text itself (engines that cannot
    tell a model, like seq2seq ones, ignore them)."""

    terms: tuple[tuple[str, str], ...] = ()  # (term, rendering) pairs a glossary requires
    words: tuple[str, ...] = ()  # English words an earlier answer left untranslated
    context: tuple[str, ...] = ()  # what comes before the text: the title, the previous sentence

    def __bool__(self) -> bool:
        return bool(self.terms or self.words or self.context)


NO_HINTS = Hints()

# Worked examples, given as earlier turns of the chat: news sentences written for bitext
# (never taken from a test set) with what a small model gets wrong: numbers and units,
# names, institutions, quotations with their attribution, and dates. Two short ones: every
# token of them is attended to for every token generated, so four long ones (340 tokens)
# cost 2-2.7x per sentence (scripts/ablate_translation.py).
EXAMPLES: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("en", "zh"): (
        ('"We waited 15 years for this road," said Maria Lopez, a 62-year-old farmer.',
         "“我们等这条路等了15年，”62岁的农民玛丽亚·洛佩斯说。"),
        ("Exports rose 7.5 percent in the first quarter, the provincial statistics bureau said on Tuesday.",
         "省统计局周二表示，一季度出口增长7.5%。"),
    ),
    ("en", "fr"): (
        ('"We waited 15 years for this road," said Maria Lopez, a 62-year-old farmer.',
         "« Nous avons attendu cette route pendant 15 ans », a déclaré Maria Lopez, une agricultrice de 62 ans."),
        ("Exports rose 7.5 percent in the first quarter, the provincial statistics bureau said on Tuesday.",
         "Les exportations ont augmenté de 7,5 % au premier trimestre, a indiqué mardi le bureau provincial "
         "des statistiques."),
    ),
}


def chat_messages(
    text: str, *, src: str, tgt: str, examples: bool = False, strict: bool = False, hints: Hints = NO_HINTS,
) -> list[dict[str, str]]:
    """The chat that asks a causal LLM for one translation: the system message (``strict``:
    with ``STRICT_PROMPT``), the worked examples for this language pair as earlier turns
    (``examples``), then the text, followed by its ``hints``: the renderings a glossary
    requires, the words to translate too, and the context. Hints come after the text, so
    that everything before the text stays the same for every sentence (a cached prompt)."""
    source, target = languages.name(src), languages.name(tgt)
    system = SYSTEM_PROMPT + (STRICT_PROMPT if strict else "")
    messages = [{"role": "system", "content": system.format(source=source, target=target)}]
    for example, translation in EXAMPLES.get((src, tgt), ()) if examples else ():
        messages.append({"role": "user", "content": USER_PROMPT.format(target=target, text=example)})
        messages.append({"role": "assistant", "content": translation})
    request = USER_PROMPT.format(target=target, text=text)
    if hints.terms:
        request += TERMS_NOTE.format(terms="; ".join(f"{term} = {rendering}" for term, rendering in hints.terms))
    if hints.words:
        request += WORDS_NOTE.format(target=target, words=", ".join(hints.words))
    if hints.context:
        request += CONTEXT_NOTE.format(context=" ".join(hints.context))
    messages.append({"role": "user", "content": request})
    return messages


def prompt_ids(
    tokenizer, text: str, *, src: str, tgt: str, examples: bool = False, strict: bool = False, hints: Hints = NO_HINTS,
) -> list[int]:
    """Token ids of the chat prompt, ending where the assistant's answer begins."""
    ids = tokenizer.apply_chat_template(
        chat_messages(text, src=src, tgt=tgt, examples=examples, strict=strict, hints=hints),
        add_generation_prompt=True, tokenize=True,
    )
    if isinstance(ids, dict) or hasattr(ids, "input_ids"):  # transformers 5 returns an encoding
        ids = ids["input_ids"]
    return list(ids)


def shared_prompt_prefix(tokenizer, *, src: str, tgt: str, examples: bool = False, strict: bool = False) -> list[int]:
    """Token ids that begin every prompt for this language pair (system message, examples
    and instruction), found by comparing the prompts of two different texts.

    Engines that can cache a prompt's state compute it once instead of once per sentence.
    """
    first = prompt_ids(tokenizer, "Alpha.", src=src, tgt=tgt, examples=examples, strict=strict)
    second = prompt_ids(tokenizer, "Zulu?", src=src, tgt=tgt, examples=examples, strict=strict)
    length = 0
    while length < min(len(first), len(second)) and first[length] == second[length]:
        length += 1
    return first[:length]


# Endings a small model puts on a word it was kept from writing ("alleged" -> "allegedly").
_ENDINGS = ("", "s", "es", "ed", "d", "ing", "ly")


def banned_sequences(tokenizer, words: Iterable[str]) -> list[list[int]]:
    """Token id sequences spelling ``words`` as a model would write them, for an engine to
    keep out of an answer: after a space or not, with the common English endings, and from
    the stem ("smugglers" left, "smuggler" is as likely next); capitalised only where the
    word is. After a space, a lowercase word's first token is enough when it holds 4
    letters or more (a model kept from " smuggler" writes " smugg" and then Chinese), since
    names, which a Chinese answer may keep in Latin letters, are capitalised.

    Telling a small model the English words it left is not enough: of 32 Chinese answers
    that kept some (FLORES devtest, lines 1-200), 30 kept them when told; 8 when also kept
    from writing them (scripts/ablate_translation.py has the whole effect)."""
    sequences = set()
    for word in words:
        stems = {word} | {word[: -len(end)] for end in _ENDINGS
                          if end and word.endswith(end) and len(word) > len(end) + 2}
        if word.endswith("ies"):
            stems.add(word[:-3] + "y")
        for stem in stems | {stem.lower() for stem in stems}:
            for form in (stem + ending for ending in _ENDINGS):
                sequences.add(tuple(tokenizer.encode(form, add_special_tokens=False)))
                spaced = tokenizer.encode(" " + form, add_special_tokens=False)
                first = tokenizer.decode(spaced[:1]).strip()
                whole_word = stem.islower() and len(first) >= 4 and first.isalpha()
                sequences.add(tuple(spaced[:1] if whole_word else spaced))
    return [list(ids) for ids in sorted(sequences) if ids]
