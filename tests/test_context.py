"""Context: the title and the previous sentence told to the model, never translated."""

from pipeline.engines.prompts import CONTEXT_NOTE, Hints, chat_messages
from pipeline.translate import article_contexts, translate_texts


def test_each_sentence_reads_the_title_and_the_sentence_before_it():
    contexts = article_contexts("Ferry back", ["It sailed.", "Riders cheered.", "It sailed.", "Fog fell."])
    assert contexts == {
        "Ferry back": (),
        "It sailed.": ("Ferry back",),
        "Riders cheered.": ("Ferry back", "It sailed."),
        "Fog fell.": ("Ferry back", "It sailed."),  # a repeated sentence keeps its first context
    }


def test_the_context_follows_the_text_so_the_cached_prompt_holds():
    plain = chat_messages("He said so.", src="en", tgt="fr", examples=True)
    told = chat_messages("He said so.", src="en", tgt="fr", examples=True,
                         hints=Hints(context=("Mayor returns", "The mayor spoke.")))
    assert told[:-1] == plain[:-1]
    assert told[-1]["content"] == plain[-1]["content"] + CONTEXT_NOTE.format(context="Mayor returns The mayor spoke.")


class RecordingEngine:
    def __init__(self):
        self.hints = {}

    def translate(self, texts, *, src, tgt, hints=None):
        self.hints.update(zip(texts, hints or [None] * len(texts), strict=True))
        return ["渡轮回来了。" for _ in texts]

    def fits(self, text, *, src, tgt):
        return len(text) < 40  # longer texts are split: each piece keeps the text's context


def test_translate_texts_tells_each_text_its_context_and_nothing_without_it():
    engine = RecordingEngine()
    long = "The ferry, which sailed for decades, returned on Monday, riders said."
    texts = ["Ferry back", "It sailed.", long]
    translate_texts(engine, texts, src="en", tgt="zh", memory={}, contexts=article_contexts(texts[0], texts[1:]))
    assert engine.hints["It sailed."] == Hints(context=("Ferry back",))
    pieces = [text for text in engine.hints if text not in texts]
    assert len(pieces) >= 2 and all(engine.hints[p].context == ("Ferry back", "It sailed.") for p in pieces)
    quiet = RecordingEngine()
    translate_texts(quiet, texts[:2], src="en", tgt="zh", memory={})
    assert set(quiet.hints.values()) == {None}  # no hints at all: engines see the plain call
