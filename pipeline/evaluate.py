"""Score translations against references with sacrebleu: BLEU and chrF, with signatures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .ingest import decode


@dataclass(frozen=True)
class Scores:
    bleu: float
    chrf: float
    bleu_signature: str
    chrf_signature: str
    sentences: int


def read_lines(path: Path, *, limit: int | None = None) -> list[str]:
    """One segment per line, as test sets come (FLORES, WMT)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    lines = decode(raw, source=str(path)).splitlines()
    lines = lines[:limit] if limit else lines
    if not lines:
        raise InputError(f"{path}: no lines")
    return lines


def score(hypotheses: list[str], references: list[str], *, tgt: str) -> Scores:
    """Corpus BLEU (sacrebleu's ``zh`` tokenizer for Chinese, ``13a`` otherwise) and chrF."""
    import sacrebleu

    if len(hypotheses) != len(references):
        raise InputError(f"{len(hypotheses)} hypotheses for {len(references)} references: the files must align")
    bleu = sacrebleu.metrics.BLEU(tokenize="zh" if tgt == "zh" else "13a")
    chrf = sacrebleu.metrics.CHRF()
    return Scores(
        bleu=bleu.corpus_score(hypotheses, [references]).score,
        chrf=chrf.corpus_score(hypotheses, [references]).score,
        bleu_signature=str(bleu.get_signature()),
        chrf_signature=str(chrf.get_signature()),
        sentences=len(hypotheses),
    )
