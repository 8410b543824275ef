"""Sentence alignment.

* ``machine``: machine translations are one-to-one by construction; ``assemble_document``
  checks it and builds the AlignedDocument.
* ``beads``: a text and its human translation, n:m (``align_sentences`` below), for the
  site's own editions and for corpus tools (``bitext align --presegmented``); ``path``:
  the dynamic program it runs.
* ``quotes``: quotation marks each sentence opens and closes, a second signal.
* ``clauses``: each sentence's first and last clause, a third (embedded with the sentences).
* ``embeddings``: the sentence embedders the n:m aligner compares sentences with.
* ``editions``: the site's human editions of an article, read, segmented, aligned with
  the English article and checked (``bitext align EN EDITION... --db``).
* ``files``: two files of one sentence per line (``bitext align --presegmented``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..document import Signature
from ..languages import LANGUAGES, sentence_joiner
from ..progress import Progress, no_progress
from .beads import align_embeddings
from .clauses import clause_texts
from .embeddings import BATCH
from .path import BEAD_TYPES, LONGEST_RUN, AlignSettings, Bead
from .quotes import balances

__all__ = [
    "BEAD_TYPES", "AlignSettings", "Bead", "EmbeddedText", "align_embedded", "align_sentences", "aligner_signature",
    "embed_texts", "join_sentences",
]


@dataclass(frozen=True)
class EmbeddedText:
    """One side of an alignment: its sentences' lengths and embeddings, and where runs of
    2-5 sentences were embedded as joined text, those too."""

    lang: str
    lengths: tuple[int, ...]
    vectors: np.ndarray
    runs: dict[int, np.ndarray] | None = None
    quotes: tuple[int, ...] | None = None  # quotations each sentence opens minus those it closes
    clauses: tuple[np.ndarray, np.ndarray] | None = None  # each sentence's first and last clause, embedded


# Texts per call to the embedder: a multiple of its batch (the batches stay those of one
# call), few enough to report progress often and to hold no second copy of the vectors.
EMBED_CHUNK = 32 * BATCH


def length_prior(src_lang: str, tgt_lang: str) -> float | None:
    """How long a translation from ``src_lang`` into ``tgt_lang`` usually is, in characters
    per source character (None for a language without a figure)."""
    if src_lang in LANGUAGES and tgt_lang in LANGUAGES:
        return LANGUAGES[tgt_lang].characters_per_english / LANGUAGES[src_lang].characters_per_english
    return None


def embed_texts(
    sides: Sequence[tuple[Sequence[str], str]], *, embedder: str = "use", embed_runs: bool = False,
    progress: Progress = no_progress,
) -> list[EmbeddedText]:
    """Embed sides given as (sentences, language), each sentence once, all sides together
    (and the runs of each length together), to align them with each other in any pairs.

    Texts go to the embedder ``EMBED_CHUNK`` at a time, each chunk's vectors straight into
    the arrays returned (no second copy of them all), reported to ``progress``."""
    from .embeddings import get_embedder

    model = get_embedder(embedder)
    cuts = np.cumsum([0, *(len(sentences) for sentences, _ in sides)])
    sentences = [sentence for side, _ in sides for sentence in side]
    # Each sentence's first and last clause, in the same batch; a clause that is the whole
    # sentence (or one seen before) is not embedded again.
    firsts, lasts = clause_texts(sentences)
    texts = {text: k for k, text in enumerate(sentences)}
    extra = [text for text in dict.fromkeys(firsts + lasts) if text not in texts]
    texts.update({text: len(sentences) + k for k, text in enumerate(extra)})
    # Row k of the texts embedded goes to these rows of these arrays.
    everyone = np.arange(len(sentences))
    destinations = [everyone, np.array([texts[text] for text in firsts], dtype=np.int64),
                    np.array([texts[text] for text in lasts], dtype=np.int64)]
    vectors, first_vectors, last_vectors = _embed_into(model, sentences + extra, destinations, len(sentences),
                                                       progress, "embedding sentences")
    runs: list[dict[int, np.ndarray] | None] = [None] * len(sides)
    if embed_runs:
        runs = [{} for _ in sides]
        for size in range(2, LONGEST_RUN + 1):
            joined = [run for sentences, lang in sides for run in joined_runs(sentences, size, lang)]
            (embedded,) = _embed_into(model, joined, [everyone], len(joined), progress,
                                      f"embedding runs of {size} sentences")
            for n in range(len(sides)):
                runs[n][size] = embedded[cuts[n] : cuts[n + 1]]
    return [
        EmbeddedText(lang, tuple(len(s.strip()) for s in side), vectors[cuts[n] : cuts[n + 1]], runs[n],
                     balances(side), (first_vectors[cuts[n] : cuts[n + 1]], last_vectors[cuts[n] : cuts[n + 1]]))
        for n, (side, lang) in enumerate(sides)
    ]


def _embed_into(model, texts: Sequence[str], destinations: Sequence[np.ndarray], rows: int, progress: Progress,
                message: str) -> list[np.ndarray]:
    """Arrays of ``rows`` vectors, one per destination: row r of array d is the embedding of
    ``texts[destinations[d][r]]``."""
    outputs: list[np.ndarray] = []
    for start in range(0, max(len(texts), 1), EMBED_CHUNK):
        progress(message, start, len(texts))
        chunk = model.embed(texts[start : start + EMBED_CHUNK])
        if not outputs:
            outputs = [np.zeros((rows, chunk.shape[1]), dtype=chunk.dtype) for _ in destinations]
        for index, out in zip(destinations, outputs, strict=True):
            found = np.flatnonzero((index >= start) & (index < start + len(chunk)))
            out[found] = chunk[index[found] - start]
    progress(message, len(texts), len(texts))
    return outputs


def align_embedded(src: EmbeddedText, tgt: EmbeddedText, *, settings: AlignSettings | None = None,
                   progress: Progress = no_progress) -> list[Bead]:
    """Beads for two embedded sides (see ``align_sentences``)."""
    return align_embeddings(src.vectors, tgt.vectors, src_lengths=src.lengths, tgt_lengths=tgt.lengths,
                            settings=settings or AlignSettings(), src_runs=src.runs, tgt_runs=tgt.runs,
                            length_prior=length_prior(src.lang, tgt.lang), src_quotes=src.quotes,
                            tgt_quotes=tgt.quotes, src_clauses=src.clauses, tgt_clauses=tgt.clauses,
                            progress=progress)


def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    *,
    src_lang: str,
    tgt_lang: str,
    embedder: str = "use",
    embed_runs: bool = False,
    settings: AlignSettings | None = None,
    progress: Progress = no_progress,
    **options,
) -> list[Bead]:
    """Align two lists of sentences (a text and its translation) in n:m beads.

    Every sentence of both sides is in exactly one bead, beads in reading order. Languages
    are any two of en, zh, fr (they select how runs are joined; the embedders are
    multilingual, and lengths are compared by the document's own ratio). ``embed_runs``:
    embed the joined text of every run of 2-5 sentences too (better beads, about eight
    times the encoder time) instead of summing the sentences' vectors. ``options``
    override fields of ``AlignSettings``. ``progress``: embedding, then each pass of the
    path search.
    """
    settings = replace(settings or AlignSettings(), **options)
    source, target = embed_texts([(src, src_lang), (tgt, tgt_lang)], embedder=embedder, embed_runs=embed_runs,
                                 progress=progress)
    return align_embedded(source, target, settings=settings, progress=progress)


def aligner_signature(*, embedder: str = "use", embed_runs: bool = False,
                      settings: AlignSettings | None = None) -> Signature:
    """How beads were made, stored with every edition: method, embedding model with the
    checksum of its weights, and the settings."""
    from .. import __version__
    from .embeddings import get_embedder

    settings = settings or AlignSettings()
    return Signature("align", get_embedder(embedder).signature(), (
        ("method", "beads-dp"), ("longest", str(LONGEST_RUN)), ("runs", "embedded" if embed_runs else "summed"),
        ("coverage", f"{settings.coverage:g}"), ("skip", f"{settings.skip:g}"),
        ("length", f"{settings.length_weight:g}"), ("quotes", f"{settings.quotes:g}"),
        ("clauses", f"{settings.clauses:g}"), ("version", __version__),
    ))


def join_sentences(sentences: Sequence[str], lang: str) -> str:
    """A bead's side as text: its sentences joined (no space between Chinese sentences)."""
    return sentence_joiner(lang).join(s.strip() for s in sentences)


def joined_runs(sentences: Sequence[str], size: int, lang: str) -> list[str]:
    """Row i: sentences i-size+1 .. i joined (rows before ``size - 1``: shorter runs, unused)."""
    return [join_sentences(sentences[max(0, i - size + 1) : i + 1], lang) for i in range(len(sentences))]
