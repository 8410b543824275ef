"""The bitext command line: a thin layer over the pipeline.

Each command opens the store, calls the library, and turns known errors into a one-line
message on stderr and a non-zero exit code. The ``cli`` package is the only place that
prints or exits: ``common`` (consoles, errors, shared options), the corpus commands here
(run, segment, show, export, eval), ``align`` (human editions and corpus files) and
``models``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from .. import __version__
from ..engine_names import DEFAULT_ENGINE
from ..engines import DecodingOptions
from ..errors import BitextError
from ..inputs import DEFAULT_GLOB, MAX_ARTICLE_CHARS
from ..model.catalogue import DEFAULT_MODEL
from ..quality import CHECKS, quality_levels
from ..translate import DEFAULT_RETRIES
from ..view import progress_display, shown, step_reporter
from .common import (
    Articles,
    BatchOption,
    BatchTypeOption,
    BeamOption,
    CacheOption,
    ComputeOption,
    ContextOption,
    DbOption,
    DeviceOption,
    EngineOption,
    ExamplesOption,
    GlobOption,
    GlossaryOption,
    MaxNewOption,
    MinScoreOption,
    ModelOption,
    OriginOption,
    RetriesOption,
    StopRequest,
    ThreadsOption,
    ToOption,
    WorkersOption,
    err,
    error_line,
    out,
    say,
    stop_on_first_interrupt,
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
def run(
    articles: Annotated[Optional[list[str]], typer.Argument(
        help="Articles: page copies (.txt), HTML pages, .jsonl files (one article per line), .csv/.tsv/.parquet "
        "tables (one article per row, from a text or html column), folders (searched "
        "recursively, see --glob), URLs (http:// or https://), or - for standard input.", show_default=False)] = None,
    urls: Annotated[Optional[Path], typer.Option(
        "--urls", dir_okay=False, help="A file of URLs to fetch and translate, one per line (# starts a comment).")
    ] = None,
    editions: Annotated[bool, typer.Option(
        "--editions", help="URLs: also find the page's own editions (hreflang links, the site's edition switcher), "
        "fetch them and align them with the English article, beside its machine pairs.")] = False,
    editions_only: Annotated[bool, typer.Option(
        "--editions-only", help="URLs: align the page's own editions without running the model.")] = False,
    db: DbOption = Path("bitext.db"),
    to: ToOption = "zh,fr",
    model: ModelOption = DEFAULT_MODEL,
    engine: EngineOption = DEFAULT_ENGINE,
    beam_size: BeamOption = None,
    batch_size: BatchOption = None,
    batch_type: BatchTypeOption = DecodingOptions.batch_type,
    max_new_tokens: MaxNewOption = None,
    device: DeviceOption = DecodingOptions.device,
    compute_type: ComputeOption = None,
    examples: ExamplesOption = DecodingOptions.prompt_examples,
    context: ContextOption = False,
    glossary: GlossaryOption = None,
    retries: RetriesOption = DEFAULT_RETRIES,
    threads: ThreadsOption = DecodingOptions.threads,
    workers: WorkersOption = DecodingOptions.workers,
    glob: GlobOption = DEFAULT_GLOB,
    force: Annotated[bool, typer.Option(
        "--force", help="Translate inputs that do not look like English news articles too (another language, "
        "a table, code, a log).")] = False,
    max_article_chars: Annotated[int, typer.Option(
        "--max-article-chars", min=1, help="Refuse an article longer than this (a corpus or a dump in one file).")
    ] = MAX_ARTICLE_CHARS,
    cache_dir: CacheOption = None,
    ray: Annotated[Optional[str], typer.Option(
        "--ray", metavar="ADDRESS", rich_help_panel="Ray cluster",
        help="Translate on a Ray cluster: host:port of its head node, 'auto' (the cluster this machine is part "
        "of), or 'local' (a Ray instance inside this process). Needs: pip install 'bitext[ray]'.")] = None,
    actors: Annotated[int, typer.Option(
        "--actors", min=1, rich_help_panel="Ray cluster", help="With --ray: engines translating side by side, "
        "each loading the model once.")] = 1,
    actor_threads: Annotated[int, typer.Option(
        "--actor-threads", min=1, rich_help_panel="Ray cluster", help="With --ray: CPU threads per actor.")] = 1,
    gpus_per_actor: Annotated[float, typer.Option(
        "--gpus-per-actor", min=0, rich_help_panel="Ray cluster", help="With --ray: GPUs per actor (with --device "
        "cuda).")] = 0.0,
) -> None:
    """Translate articles sentence by sentence and store the aligned pairs.

    Pages are fetched politely (robots.txt obeyed, a delay between requests to one host)
    and kept in the store, so a rerun only asks whether they changed. Every article is
    read and stored first; then everything the translation memory lacks,
    for all articles and languages, is translated as one queue (here, or on a Ray cluster
    with --ray), and each article is complete once its texts are in. A rerun of the same
    command translates only what is missing.

    Example: bitext run examples/*.txt --to zh,fr --db bitext.db
    """
    from ..fetch import Fetcher
    from ..glossary import read_glossary
    from ..inputs import expand, is_url, read_url_list
    from ..languages import parse_targets
    from ..runner import open_engines, run_articles
    from ..store import Store

    stop = StopRequest()
    with user_errors(), stop_on_first_interrupt(stop):
        langs = parse_targets(to)
        required = read_glossary(glossary) if glossary else None
        options = DecodingOptions(device=device, threads=threads, workers=workers, batch_size=batch_size,
                                  batch_type=batch_type,
                                  beam_size=beam_size, max_new_tokens=max_new_tokens, compute_type=compute_type,
                                  prompt_examples=examples)
        cluster = None
        if ray is not None:
            from ..ray_translate import EngineRecipe, RayOptions, RayTranslator

            cluster = RayTranslator(RayOptions(ray, actors, actor_threads, gpus_per_actor),
                                    EngineRecipe(model, engine, options, tuple(langs), cache_dir),
                                    glossary=required, retries=retries, context=context)
        names = [*(articles or []), *(read_url_list(urls) if urls else [])]
        if not names:
            raise BitextError("nothing to translate: name articles, folders, URLs or - (standard input), "
                              "or --urls FILE")
        if (editions or editions_only) and not all(is_url(name) for name in names):
            raise BitextError("--editions and --editions-only take URLs: a page links its own editions")
        with Store(db) as store, progress_display(err) as progress:
            store.check()  # a damaged store is refused before anything is written into it
            fetcher = Fetcher(cache=store) if any(is_url(name) for name in names) else None
            if editions_only:
                return _editions_only(names, store=store, fetcher=fetcher, force=force, db=db)
            inputs = list(expand(names, glob=glob, stdin=sys.stdin.buffer if "-" in names else None, fetcher=fetcher))
            engines = open_engines(model, langs, engine=engine, options=options, cache_dir=cache_dir,
                                   progress=step_reporter(progress), check_device=cluster is None)
            fetching = progress.add_task("pages fetched", total=None) if fetcher else None
            reading = progress.add_task("articles read", total=len(inputs))

            def on_read(read) -> None:
                progress.advance(reading)
                if fetching is not None:
                    progress.update(fetching, completed=fetcher.fetched)
            translating = progress.add_task("texts translated", total=None, start=False)

            def on_queue(texts: int) -> None:
                progress.update(translating, total=texts)
                progress.start_task(translating)
                stop.batches_in_flight = True  # from here a first stop signal waits for the batch

            def on_article(result) -> None:
                if result is not None:
                    progress.console.print(Text.assemble(("stored", "green"), " ", shown(str(result))), highlight=False)

            summary = run_articles(inputs, store=store, engines=engines, langs=langs, force=force,
                                   glossary=required, retries=retries, context=context, translate_chunks=cluster,
                                   max_article_chars=max_article_chars,
                                   should_stop=stop.is_set,
                                   on_read=on_read, on_queue=on_queue,
                                   on_article=on_article, on_done=lambda n: progress.advance(translating, n))
            stop.batches_in_flight = False
            if editions and not (summary.interrupted or stop.is_set()):
                summary.failures += _align_editions(names, store=store, fetcher=fetcher, force=force,
                                                    console=progress.console)
    for failure in summary.failures:
        error_line(failure)
    if summary.interrupted or stop.is_set():
        say(f"interrupted: {summary.stored} articles stored, and every finished batch kept in the translation "
            "memory; run the same command again to finish the rest", console=err)
        raise typer.Exit(stop.exit_code)
    details = f"; {len(summary.failures)} failed (above)" if summary.failures else ""
    if fetcher is not None:
        details += f"; {fetcher.fetched} pages fetched"
    if summary.retried:
        details += f"; {_count(summary.retried, 'flagged translation')} decoded again"
    say(f"{summary.stored} of {len(inputs)} articles in {db}{details}; read them with: bitext show --db {db}",
        console=err)
    if summary.failures:
        raise typer.Exit(1)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _align_editions(urls: list[str], *, store, fetcher, force: bool, console) -> list[str]:
    """Align each page's own editions; says what was aligned, returns the failures."""
    from ..alignment.web_editions import align_pages_editions

    failures = []
    for done in align_pages_editions(urls, store=store, fetcher=fetcher, force=force):
        failures += done.failures
        if done.aligned is not None:
            what = "unchanged" if done.aligned.unchanged else ", ".join(
                f"{report.lang} {report.pairs} pairs, median score {report.score:.2f}"
                for report in done.aligned.reports)
            console.print(Text.assemble(("editions", "green"), " ", shown(f"{done.aligned.doc_id}  {what}")),
                          highlight=False)
    return failures


def _editions_only(urls: list[str], *, store, fetcher, force: bool, db: Path) -> None:
    failures = _align_editions(urls, store=store, fetcher=fetcher, force=force, console=err)
    for failure in failures:
        error_line(failure)
    say(f"editions of {len(urls)} pages in {db}; {fetcher.fetched} pages fetched"
        + (f"; {len(failures)} failed (above)" if failures else ""), console=err)
    if failures:
        raise typer.Exit(1)


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
    from ..evaluate import evaluate as run_evaluation, write_lines
    from ..glossary import read_glossary
    from ..ingest import read_lines
    from ..languages import parse_targets
    from ..runner import open_engines

    with user_errors():
        (lang,) = parse_targets([to])
        required = read_glossary(glossary) if glossary else None
        sources, references = read_lines(src, limit=limit), read_lines(ref, limit=limit)
        if hyp is not None:
            result = run_evaluation(sources, references, tgt=lang, hypotheses=read_lines(hyp, limit=limit))
        else:
            with progress_display(err) as progress:
                engines = open_engines(model, [lang], engine=engine, options=DecodingOptions(
                    batch_size=batch_size, beam_size=beam_size, prompt_examples=examples),
                                       cache_dir=cache_dir, progress=step_reporter(progress))
                task = progress.add_task("translating", total=len(sources))
                result = run_evaluation(sources, references, tgt=lang, engine=engines[lang], glossary=required,
                                        retries=retries, context=context,
                                        on_done=lambda n: progress.advance(task, n))
            if output is not None:
                write_lines(output, result.hypotheses)
    for line in result.report(lang):
        say(line)


from . import align, models  # noqa: E402, F401  (they add their commands to app)
