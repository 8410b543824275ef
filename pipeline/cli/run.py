"""`bitext run`: the options into a ``RunOptions``, the store opened, ``runner.run``
called, and what it reports shown (progress lines, a line per article stored, a summary)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.progress import Progress

from ..engine_names import DEFAULT_ENGINE
from ..engines import DecodingOptions
from ..glossary import read_glossary
from ..inputs import DEFAULT_GLOB, MAX_ARTICLE_CHARS, read_url_list
from ..model.catalogue import DEFAULT_MODEL
from ..run_options import RunOptions, RunReport
from ..store import open_store
from ..translate import DEFAULT_RETRIES
from ..view import editions_line, progress_display, step_reporter, stored_line
from . import app
from .common import (
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
    ModelOption,
    RetriesOption,
    StopRequest,
    ThreadsOption,
    ToOption,
    WorkersOption,
    err,
    error_line,
    say,
    stop_on_first_interrupt,
    user_errors,
)

if TYPE_CHECKING:  # imported by the command itself, not by the command line's start
    from ..alignment.web_editions import PageEditions
    from ..runner import ArticleResult, PreparedArticle, RunSummary

RAY = "Ray cluster"  # the help panel of the Ray options

ArticlesOrUrls = Annotated[Optional[list[str]], typer.Argument(
    help="Articles: page copies (.txt), HTML pages, .jsonl files (one article per line), .csv/.tsv/.parquet "
    "tables (one article per row, from a text or html column), folders (searched "
    "recursively, see --glob), URLs (http:// or https://), or - for standard input.", show_default=False)]
UrlsOption = Annotated[Optional[Path], typer.Option(
    "--urls", dir_okay=False, help="A file of URLs to fetch and translate, one per line (# starts a comment).")]
EditionsOption = Annotated[bool, typer.Option(
    "--editions", help="URLs: also find the page's own editions (hreflang links, the site's edition switcher), "
    "fetch them and align them with the English article, beside its machine pairs.")]
EditionsOnlyOption = Annotated[bool, typer.Option(
    "--editions-only", help="URLs: align the page's own editions without running the model.")]
ForceOption = Annotated[bool, typer.Option(
    "--force", help="Translate inputs that do not look like English news articles too (another language, "
    "a table, code, a log).")]
MaxCharsOption = Annotated[int, typer.Option(
    "--max-article-chars", min=1, help="Refuse an article longer than this (a corpus or a dump in one file).")]
RayOption = Annotated[Optional[str], typer.Option(
    "--ray", metavar="ADDRESS", rich_help_panel=RAY,
    help="Translate on a Ray cluster: host:port of its head node, 'auto' (the cluster this machine is part "
    "of), or 'local' (a Ray instance inside this process). Needs: pip install 'bitext[ray]'.")]
ActorsOption = Annotated[int, typer.Option(
    "--actors", min=1, rich_help_panel=RAY, help="With --ray: engines translating side by side, "
    "each loading the model once.")]
ActorThreadsOption = Annotated[int, typer.Option(
    "--actor-threads", min=1, rich_help_panel=RAY, help="With --ray: CPU threads per actor.")]
GpusOption = Annotated[float, typer.Option(
    "--gpus-per-actor", min=0, rich_help_panel=RAY, help="With --ray: GPUs per actor (with --device cuda).")]


@app.command()
def run(
    articles: ArticlesOrUrls = None,
    urls: UrlsOption = None,
    editions: EditionsOption = False,
    editions_only: EditionsOnlyOption = False,
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
    force: ForceOption = False,
    max_article_chars: MaxCharsOption = MAX_ARTICLE_CHARS,
    cache_dir: CacheOption = None,
    ray: RayOption = None,
    actors: ActorsOption = 1,
    actor_threads: ActorThreadsOption = 1,
    gpus_per_actor: GpusOption = 0.0,
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
    from .. import runner

    stop = StopRequest()
    with user_errors(), stop_on_first_interrupt(stop):
        options = RunOptions(
            langs=to, model=model, engine=engine, cache_dir=cache_dir, glob=glob, force=force,
            decoding=DecodingOptions(device=device, threads=threads, workers=workers, batch_size=batch_size,
                                     batch_type=batch_type, beam_size=beam_size, max_new_tokens=max_new_tokens,
                                     compute_type=compute_type, prompt_examples=examples),
            glossary=read_glossary(glossary) if glossary else None, retries=retries, context=context,
            max_article_chars=max_article_chars, editions=_editions_mode(editions, editions_only),
            ray=_ray_options(ray, actors, actor_threads, gpus_per_actor))
        names = [*(articles or []), *(read_url_list(urls) if urls else [])]
        runner.check_run(names, options)  # before the store is opened
        with open_store(db) as store, progress_display(err) as progress:
            summary = runner.run(names, options, store=store, report=RunDisplay(progress, stop),
                                 stdin=sys.stdin.buffer if "-" in names else None)
    _say_how_it_went(summary, options, stop, db)


def _editions_mode(editions: bool, editions_only: bool) -> str:
    return "only" if editions_only else "also" if editions else "none"  # --editions-only wins


def _ray_options(address: str | None, actors: int, actor_threads: int, gpus_per_actor: float):
    if address is None:
        return None
    from ..ray_translate import RayOptions

    return RayOptions(address, actors, actor_threads, gpus_per_actor)


class RunDisplay(RunReport):
    """What `bitext run` shows as it goes: a progress line per stage, a line per article
    stored and per page whose editions were aligned; and the stop a signal asked for."""

    def __init__(self, progress: Progress, stop: StopRequest):
        self.progress, self.stop = progress, stop
        self.steps = step_reporter(progress)
        self.fetching = self.reading = self.translating = None

    def step(self, message: str, done: int, total: int | None) -> None:
        self.steps(message, done, total)

    def on_inputs(self, inputs: int, *, fetching: bool) -> None:
        self.fetching = self.progress.add_task("pages fetched", total=None) if fetching else None
        self.reading = self.progress.add_task("articles read", total=inputs)
        self.translating = self.progress.add_task("texts translated", total=None, start=False)

    def on_read(self, read: PreparedArticle | None, *, fetched: int) -> None:
        self.progress.advance(self.reading)
        if self.fetching is not None:
            self.progress.update(self.fetching, completed=fetched)

    def on_queue(self, texts: int) -> None:
        self.progress.update(self.translating, total=texts)
        self.progress.start_task(self.translating)
        self.stop.batches_in_flight = True  # from here a first stop signal waits for the batch

    def on_done(self, texts: int) -> None:
        self.progress.advance(self.translating, texts)

    def on_article(self, result: ArticleResult | None) -> None:
        if result is not None:
            self.progress.console.print(stored_line(result), highlight=False)

    def on_queue_end(self) -> None:
        self.stop.batches_in_flight = False

    def on_editions(self, page: PageEditions) -> None:
        if page.aligned is not None:
            self.progress.console.print(editions_line(page.aligned), highlight=False)

    def should_stop(self) -> bool:
        return self.stop.is_set()


def _say_how_it_went(summary: RunSummary, options: RunOptions, stop: StopRequest, db: Path) -> None:
    """The failures, one line each, then one line of what the run did; the exit status."""
    for failure in summary.failures:
        error_line(failure)
    if options.editions == "only":
        say(f"editions of {summary.inputs} pages in {db}; {summary.fetched} pages fetched"
            + (f"; {len(summary.failures)} failed (above)" if summary.failures else ""), console=err)
    elif summary.interrupted or stop.is_set():
        say(f"interrupted: {summary.stored} articles stored, and every finished batch kept in the translation "
            "memory; run the same command again to finish the rest", console=err)
        raise typer.Exit(stop.exit_code)
    else:
        details = f"; {len(summary.failures)} failed (above)" if summary.failures else ""
        if summary.fetched is not None:
            details += f"; {summary.fetched} pages fetched"
        if summary.retried:
            details += f"; {_count(summary.retried, 'flagged translation')} decoded again"
        say(f"{summary.stored} of {summary.inputs} articles in {db}{details}; read them with: bitext show --db {db}",
            console=err)
    if summary.failures:
        raise typer.Exit(1)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
