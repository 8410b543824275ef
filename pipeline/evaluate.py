"""Score translations against references with sacrebleu: BLEU and chrF, with signatures.

``evaluate_files`` is the entry point of ``bitext eval`` (test-set files and an
``EvalOptions`` in, an ``Evaluation`` out); ``evaluate`` scores lines already read.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .engine_names import DEFAULT_ENGINE
from .engines.options import DecodingOptions
from .errors import InputError
from .languages import SOURCE_LANGUAGE, bleu_tokenizer
from .model.catalogue import DEFAULT_MODEL
from .progress import Progress, no_progress
from .translate import DEFAULT_RETRIES, translation_signature

if TYPE_CHECKING:
    from .engines import Engine
    from .glossary import Glossary


@dataclass(frozen=True)
class Scores:
    bleu: float
    chrf: float
    bleu_signature: str
    chrf_signature: str
    sentences: int


def write_lines(path: Path, lines: Sequence[str]) -> None:
    """One segment per line (a newline inside a segment becomes a space)."""
    try:
        Path(path).write_text("".join(line.replace("\n", " ") + "\n" for line in lines), encoding="utf-8")
    except OSError as error:
        raise InputError(f"{path}: cannot write ({error.strerror})") from None


def score(hypotheses: list[str], references: list[str], *, tgt: str) -> Scores:
    """Corpus BLEU (sacrebleu's ``zh`` tokenizer for Chinese, ``13a`` otherwise) and chrF."""
    import sacrebleu

    if len(hypotheses) != len(references):
        raise InputError(f"{len(hypotheses)} hypotheses for {len(references)} references: the files must align")
    bleu = sacrebleu.metrics.BLEU(tokenize=bleu_tokenizer(tgt))
    chrf = sacrebleu.metrics.CHRF()
    return Scores(
        bleu=bleu.corpus_score(hypotheses, [references]).score,
        chrf=chrf.corpus_score(hypotheses, [references]).score,
        bleu_signature=str(bleu.get_signature()),
        chrf_signature=str(chrf.get_signature()),
        sentences=len(hypotheses),
    )


@dataclass(frozen=True)
class Evaluation:
    scores: Scores
    flags: Counter  # quality flag name -> pairs that raised it
    hypotheses: list[str]
    signature: str | None  # the engine's, when it translated; None for given hypotheses
    seconds: float | None  # time spent translating
    retried: int = 0  # translations decoded again for a serious flag

    def report(self, tgt: str) -> list[str]:
        """The evaluation as lines for people: what translated, scores with signatures, flags."""
        lines = [f"translated by {self.signature}"] if self.signature else []
        seconds = f", {self.seconds:.1f} s" if self.seconds else ""
        lines.append(f"{self.scores.sentences} sentences, {SOURCE_LANGUAGE}->{tgt}{seconds}")
        lines.append(f"BLEU {self.scores.bleu:.1f}  {self.scores.bleu_signature}")
        lines.append(f"chrF {self.scores.chrf:.1f}  {self.scores.chrf_signature}")
        lines.append("flags: " + (", ".join(f"{name} {count}" for name, count in self.flags.most_common()) or "none")
                     + (f" (after decoding {self.retried} flagged translations again)" if self.retried else ""))
        return lines


def evaluate(
    sources: Sequence[str],
    references: Sequence[str],
    *,
    tgt: str,
    hypotheses: Sequence[str] | None = None,
    engine: Engine | None = None,
    glossary: Glossary | None = None,
    retries: int = DEFAULT_RETRIES,
    context: bool = False,
    on_done: Callable[[int], None] = lambda n: None,
) -> Evaluation:
    """Score ``hypotheses`` (or the translations ``engine`` makes of ``sources``) against
    ``references``, and count the quality flags each pair raises. ``context``: the
    engine reads the line before each line (a test set's documents are runs of lines).

    The three sides must align line by line; files of different lengths are an
    ``InputError`` that says which.
    """
    from .document import Translation
    from .quality import check_pair
    from .workqueue import plan_chunks, translate_locally

    if len(sources) != len(references):
        raise InputError(f"{len(sources)} source lines for {len(references)} references: the files must align")
    if hypotheses is not None and len(hypotheses) != len(references):
        raise InputError(f"{len(hypotheses)} hypotheses for {len(references)} references: the files must align")
    signature = seconds = None
    retried = 0
    if hypotheses is not None:
        checked = [check_pair(source, hypothesis, tgt=tgt, terms=glossary.for_text(source, tgt) if glossary else ())
                   for source, hypothesis in zip(sources, hypotheses, strict=True)]
    else:
        if engine is None:
            raise ValueError("evaluate needs hypotheses or an engine")
        started = time.perf_counter()
        contexts = None
        if context:
            contexts = {}
            for previous, source in zip(["", *sources], sources, strict=False):
                contexts.setdefault(source, (previous,) if previous else ())
        # The same queue as a run (length-sorted chunks, side by side on the engine's workers).
        sig = translation_signature(engine, glossary=glossary, retries=retries, context=context)
        done: dict[str, Translation] = {}
        lines_of = Counter(sources)
        for result in translate_locally(plan_chunks({tgt: sources}, signatures={tgt: sig}, contexts=contexts),
                                        engines={tgt: engine}, glossary=glossary, retries=retries):
            done.update((t.english, t) for t in result.translations)
            retried += result.retried
            on_done(sum(lines_of[text] for text in result.chunk.texts))
        translations = [done[source] for source in sources]
        hypotheses = [t.text for t in translations]
        checked = [t.flags for t in translations]  # checked as translated
        seconds = time.perf_counter() - started
        signature = str(sig)
    flags = Counter(flag.name for pair_flags in checked for flag in pair_flags)
    return Evaluation(score(list(hypotheses), list(references), tgt=tgt), flags, list(hypotheses), signature, seconds,
                      retried)


@dataclass(frozen=True)
class EvalOptions:
    """What ``evaluate_files`` translates with: the target language ``tgt``, the model and
    engine (``decoding`` None fields: the model's; ``cache_dir`` None: the default cache),
    ``limit`` (only the first lines), and the translation levers as in a run."""

    tgt: str
    model: str = DEFAULT_MODEL
    engine: str = DEFAULT_ENGINE
    decoding: DecodingOptions = field(default_factory=DecodingOptions)
    cache_dir: Path | None = None
    limit: int | None = None
    glossary: Glossary | None = None
    retries: int = DEFAULT_RETRIES
    context: bool = False


def evaluate_files(src: Path, ref: Path, options: EvalOptions, *, hyp: Path | None = None,
                   output: Path | None = None, progress: Progress = no_progress) -> Evaluation:
    """Translate the test set ``src`` (or take the translations in ``hyp``) and score them
    against ``ref``, line by line; ``output``: also write the translations there.
    ``progress``: preparing the model, then "translating" line by line."""
    from .ingest import read_lines
    from .runner import open_engines

    sources, references = read_lines(src, limit=options.limit), read_lines(ref, limit=options.limit)
    if hyp is not None:
        return evaluate(sources, references, tgt=options.tgt, hypotheses=read_lines(hyp, limit=options.limit))
    engines = open_engines(options.model, [options.tgt], engine=options.engine, options=options.decoding,
                           cache_dir=options.cache_dir, progress=progress)
    done = 0

    def on_done(lines: int) -> None:
        nonlocal done
        done += lines
        progress("translating", done, len(sources))

    progress("translating", 0, len(sources))
    result = evaluate(sources, references, tgt=options.tgt, engine=engines[options.tgt], glossary=options.glossary,
                      retries=options.retries, context=options.context, on_done=on_done)
    if output is not None:
        write_lines(output, result.hypotheses)
    return result
