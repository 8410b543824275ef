"""The bitext command line: a thin layer over the pipeline.

Each command opens the store, calls the library, and turns known errors into a one-line
message on stderr and a non-zero exit code. The ``cli`` package is the only place that
prints or exits: ``common`` (consoles, errors, shared options), ``run``, the other corpus
commands here (segment, show, export, eval), ``align`` (human editions and corpus files)
and ``models``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import __version__
from ..engine_names import DEFAULT_ENGINE
from ..engines import DecodingOptions
from ..errors import BitextError
from ..inputs import DEFAULT_GLOB
from ..model.catalogue import DEFAULT_MODEL
from ..quality import CHECKS, quality_levels
from ..translate import DEFAULT_RETRIES
from ..view import progress_display, step_reporter
from .common import (
    Articles,
    BatchOption,
    BeamOption,
    CacheOption,
    DbOption,
    EngineOption,
    ExamplesOption,
    GlobOption,
    GlossaryOption,
    MinScoreOption,
    ModelOption,
    OriginOption,
    RetriesOption,
    ToOption,
    err,
    error_line,
    out,
    say,
    user_errors,
)

app = typer.Typer(
    help="Turn English news articles into aligned English / Chinese / French sentence pairs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
models_app = typer.Typer(help="List, install-check, prepare and verify translation models.", no_args_is_help=True)
app.add_typer(models_app, name="models")

def version_callback(value: bool) -> None:
    if value:
        say(f"bitext {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option(
        "--version", callback=version_callback, is_eager=True, help="Print the version and exit.")] = False) -> None:
    """Turn English news articles into aligned English / Chinese / French sentence pairs."""


@app.command()
def segment(
    articles: Articles,
    lang: Annotated[str, typer.Option("--lang", help="Language of the text: en, zh or fr.")] = "en",
    format: Annotated[str, typer.Option(
        "--format", "-f", help="text (a line per headline or sentence) or jsonl.")] = "text",
    glob: GlobOption = DEFAULT_GLOB,
) -> None:
    """Split articles into sentences without translating them.

    Every article gives its headline first, on a line of its own, then its sentences.
    jsonl gives one record per line: source, doc_id, kind (title or sentence), index,
    paragraph, start, end, text (offsets into the body: the paragraphs joined by blank
    lines; null for the headline).

    Example: bitext segment article.txt --format jsonl > sentences.jsonl
    """
    import json

    from ..errors import InputError
    from ..inputs import expand
    from ..languages import check_segment_language
    from ..segment import segment_article

    failures = []
    with user_errors():
        check_segment_language(lang)
        if format not in ("text", "jsonl"):
            raise BitextError(f"unknown format {format!r}; choose one of: text, jsonl")
    for item in expand(articles, glob=glob, stdin=sys.stdin.buffer if "-" in articles else None):
        try:
            article = item.read()
        except InputError as error:
            failures.append(str(error))
            continue
        for unit in segment_article(article, lang=lang):
            line = unit.text if format == "text" else json.dumps(unit.as_dict(), ensure_ascii=False)
            sys.stdout.write(line + "\n")
    for failure in failures:
        error_line(failure)
    if failures:
        raise typer.Exit(1)


@app.command()
def show(
    doc_id: Annotated[Optional[str], typer.Argument(
        help="Document id (or its first characters). Default: all.")] = None,
    db: DbOption = Path("bitext.db"),
    list_only: Annotated[bool, typer.Option("--list", help="List the documents instead.")] = False,
    origin: OriginOption = None,
    min_score: MinScoreOption = None,
) -> None:
    """Show stored documents side by side: English | 中文 | Français, then each human
    edition beside the English, bead by bead, with the aligner's score.

    Example: bitext show --db bitext.db 3f2a --origin edition
    """
    from ..export import check_origin
    from ..store import Store
    from ..view import document_list, document_view

    with user_errors(), Store(db, create=False) as store:
        check_origin(origin)
        documents = store.documents()
        if list_only:
            out.print(document_list(documents))
            return
        ids = [store.find_document(doc_id)] if doc_id else [d.doc_id for d in documents]
        if not ids:
            say(f"{db} holds no documents yet", console=err)
        for number, one in enumerate(ids):
            if number:
                out.print()
            out.print(document_view(store.load(one), origin=origin, min_score=min_score))


@app.command()
def export(
    db: DbOption = Path("bitext.db"),
    format: Annotated[str, typer.Option("--format", "-f", help=(
        "jsonl, tsv, tmx (TMX 1.4b), moses (OUTPUT.en/.zh/.fr), parquet, md, or html (a reading page per document "
        "and an index, in the folder given by -o). Headlines come first in each document, marked as titles."
    ))] = "jsonl",
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", help="File to write, or - for standard output (moses: the files' prefix; html: a folder). "
        "Default: named by the format: pairs.jsonl, pairs.tmx, ... (moses: pairs.en/.zh/.fr; html: site/).",
        show_default=False)] = None,
    doc: Annotated[Optional[list[str]], typer.Option("--doc", help="Only this document (repeatable).")] = None,
    to: ToOption = "zh,fr",
    since: Annotated[Optional[str], typer.Option(
        "--since", help="Only documents translated at or after this date (YYYY-MM-DD).")] = None,
    exclude_flagged: Annotated[Optional[str], typer.Option(
        "--exclude-flagged", help="Drop pairs with quality flags: 'all', or names, comma-separated, "
        f"from: {', '.join(CHECKS)}.")] = None,
    min_quality: Annotated[Optional[float], typer.Option("--min-quality", min=0.0, max=1.0, help=(
        f"Drop pairs below this quality, their worst flag's: 1 = no flag; {quality_levels()}."))] = None,
    origin: OriginOption = None,
    min_score: MinScoreOption = None,
) -> None:
    """Export the stored pairs (headlines and sentences) as a parallel corpus or reading pages.

    Machine pairs (an English sentence and the engines' translations) and edition pairs
    (a bead of the site's human edition: English and edition sentences joined) come
    together, each saying its origin; edition pairs carry the aligner's score.

    Example: bitext export --db bitext.db --format tmx -o corpus.tmx --origin edition --min-score 0.5
    """
    from contextlib import closing

    from ..export import check_origin, check_since, export as export_pairs, exporter, parse_exclusions
    from ..languages import parse_targets
    from ..store import Store

    with user_errors():
        chosen = exporter(format)
        output = chosen.default_output if output is None else output
        langs = parse_targets(to)
        since = check_since(since)
        excluded = parse_exclusions(exclude_flagged)
        check_origin(origin)
        with Store(db, create=False) as store:
            ids = [store.find_document(d) for d in doc] if doc else None
            # Closed before the store is: a failed write must not leave its snapshot open.
            with closing(store.iter_pairs(ids, since=since, origin=origin, min_score=min_score)) as pairs:
                count = export_pairs(pairs, format=format, output=output, langs=langs, store=db,
                                     stdout=sys.stdout.buffer, exclude_flagged=excluded, min_quality=min_quality)
    where = {"prefix": f"{output}.*", "folder": f"{output}/ (a page per document and index.html)"}
    shown_output = "standard output" if output == "-" else where.get(chosen.output, output)
    say(f"wrote {count} pairs to {shown_output}", console=err)


@app.command("eval")
def evaluate(
    src: Annotated[Path, typer.Option("--src", help="Source sentences, one per line (English).", dir_okay=False)],
    ref: Annotated[Path, typer.Option("--ref", help="Reference translations, one per line.", dir_okay=False)],
    to: Annotated[str, typer.Option("--to", help="Target language: zh or fr.")],
    hyp: Annotated[Optional[Path], typer.Option(
        "--hyp", help="Score these translations instead of translating.", dir_okay=False)] = None,
    model: ModelOption = DEFAULT_MODEL,
    engine: EngineOption = DEFAULT_ENGINE,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Only the first N lines.")] = None,
    batch_size: BatchOption = None,
    beam_size: BeamOption = None,
    examples: ExamplesOption = DecodingOptions.prompt_examples,
    context: Annotated[bool, typer.Option(
        "--context/--no-context", help="Give the model the previous line with each line, to read and not "
        "translate (test sets like FLORES keep a document's sentences together).")] = False,
    glossary: GlossaryOption = None,
    retries: RetriesOption = DEFAULT_RETRIES,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Also write the translations here.", dir_okay=False)] = None,
    cache_dir: CacheOption = None,
) -> None:
    """Translate a test set (or score --hyp) and print BLEU and chrF with sacrebleu signatures.

    Example: bitext eval --src eng_Latn.devtest --ref zho_Hans.devtest --to zh --limit 100
    """
    from ..evaluate import EvalOptions, evaluate_files
    from ..glossary import read_glossary
    from ..languages import parse_targets

    with user_errors():
        (lang,) = parse_targets([to])
        options = EvalOptions(lang, model=model, engine=engine, cache_dir=cache_dir, limit=limit,
                              decoding=DecodingOptions(batch_size=batch_size, beam_size=beam_size,
                                                       prompt_examples=examples),
                              glossary=read_glossary(glossary) if glossary else None, retries=retries,
                              context=context)
        if hyp is not None:
            result = evaluate_files(src, ref, options, hyp=hyp)
        else:
            with progress_display(err) as progress:
                result = evaluate_files(src, ref, options, output=output, progress=step_reporter(progress))
    for line in result.report(lang):
        say(line)


from . import align, models, run  # noqa: E402, F401  (they add their commands to app)
