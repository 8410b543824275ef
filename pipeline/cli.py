"""The bitext command line: a thin layer over the pipeline.

Each command opens the store, calls the library, and turns known errors into a one-line
message on stderr and a non-zero exit code. The only module that prints or exits.
"""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from . import __version__
from .errors import BitextError, InputError

app = typer.Typer(
    help="Turn English news articles into aligned English / Chinese / French sentence pairs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="List, install-check and prepare translation models.", no_args_is_help=True)
app.add_typer(models_app, name="models")

out = Console(soft_wrap=True)  # lines of text are never hard-wrapped; tables fit the width
err = Console(stderr=True, soft_wrap=True)  # messages are lines, never hard-wrapped

DbOption = Annotated[Path, typer.Option("--db", help="SQLite store file.", dir_okay=False)]
CacheOption = Annotated[
    Optional[Path],
    typer.Option(
        "--cache-dir",
        help="Where prepared models live. Default: $BITEXT_CACHE_DIR, else the user cache folder.",
        file_okay=False,
    ),
]


@contextmanager
def user_errors():
    """Report errors the user can fix as one line on stderr, with exit code 1."""
    try:
        yield
    except BitextError as error:
        err.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("interrupted; what was stored before stays stored, run the same command again to go on")
        raise typer.Exit(130) from None


@contextmanager
def stop_on_first_interrupt(stop: threading.Event):
    """The first Ctrl-C asks the run to stop after the current batch; a second one stops
    at once (what is stored stays stored either way)."""
    def handler(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        err.print("stopping after the current batch (Ctrl-C again to stop now)")

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (e.g. some test runners): leave Ctrl-C alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def version_callback(value: bool) -> None:
    if value:
        out.print(f"bitext {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Turn English news articles into aligned English / Chinese / French sentence pairs."""


def _cache_dir(cache_dir: Path | None) -> Path:
    from .modelcache import default_cache_dir

    return cache_dir or default_cache_dir()


class RateColumn(ProgressColumn):
    """Items per second (articles, sentences), once there is a rate to show."""

    def render(self, task):
        from rich.text import Text

        return Text(f"{task.speed:.2f}/s" if task.speed else "", style="progress.data.speed")


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


def _model_progress(progress: Progress):
    """Adapt the library's progress(message, done, total) calls to a rich task per step."""
    tasks: dict[str, int] = {}

    def report(message: str, done: int, total: int | None) -> None:
        if message not in tasks:
            for task_id in tasks.values():  # a new step means the previous ones ended
                task = progress.tasks[task_id]
                progress.update(task_id, total=task.total or 1, completed=task.total or 1)
            tasks[message] = progress.add_task(message, total=total)
        progress.update(tasks[message], completed=done, total=total)

    return report


@app.command()
def run(
    articles: Annotated[
        list[str],
        typer.Argument(
            help="Articles: page copies (.txt), HTML pages, .jsonl files (one article per line), "
            "folders (searched recursively, see --glob), or - for standard input.",
            show_default=False,
        ),
    ],
    db: DbOption = Path("bitext.db"),
    to: Annotated[str, typer.Option("--to", help="Target languages, comma-separated: zh, fr.")] = "zh,fr",
    model: Annotated[
        str, typer.Option("--model", help="Catalogue name (see `bitext models list`) or a model folder / .gguf file.")
    ] = "qwen2.5-coder-1.5b-instruct",
    engine: Annotated[str, typer.Option("--engine", help="ctranslate2 (fast, int8) or transformers.")] = "ctranslate2",
    beam_size: Annotated[
        Optional[int], typer.Option("--beam-size", min=1, help="1 decodes greedily. Default: the model's (1 for the default model).")
    ] = None,
    batch_size: Annotated[
        Optional[int], typer.Option("--batch-size", min=1, help="Batch size, in --batch-type units. Default: the model's (32).")
    ] = None,
    batch_type: Annotated[str, typer.Option("--batch-type", help="Count batches in 'examples' (sentences) or 'tokens'.")] = "examples",
    max_new_tokens: Annotated[
        Optional[int], typer.Option("--max-new-tokens", min=1, help="Longest translation, in tokens. Default: the model's (256).")
    ] = None,
    device: Annotated[str, typer.Option("--device", help="cpu or cuda.")] = "cpu",
    compute_type: Annotated[
        Optional[str],
        typer.Option("--compute-type", help="CTranslate2 weights: int8, int8_float32, float32, float16, ... Default: the model's (int8)."),
    ] = None,
    threads: Annotated[int, typer.Option("--threads", min=0, help="CPU threads; 0 uses all cores.")] = 0,
    glob: Annotated[str, typer.Option("--glob", help="Files to take from folders.")] = "*.txt",
    force: Annotated[bool, typer.Option("--force", help="Translate articles that do not look English too.")] = False,
    cache_dir: CacheOption = None,
) -> None:
    """Translate articles sentence by sentence and store the aligned pairs.

    Example: bitext run examples/*.txt --to zh,fr --db bitext.db
    """
    from .engines import create_engine
    from .modelcache import resolve_languages
    from .runner import check_languages, process_article
    from .translate import Interrupted
    from .store import Store

    from .inputs import expand

    failures: list[str] = []
    stored = 0
    stop = threading.Event()
    with user_errors(), stop_on_first_interrupt(stop):
        langs = check_languages([lang.strip() for lang in to.split(",") if lang.strip()])
        cache = _cache_dir(cache_dir)
        inputs = list(expand(articles, glob=glob, stdin=sys.stdin.buffer if "-" in articles else None))
        with Store(db) as store, _progress() as progress:
            report = _model_progress(progress)
            # One engine per distinct model (a catalogue entry may name one per language).
            engines, by_identity = {}, {}
            for lang, files in resolve_languages(model, langs, cache_dir=cache, progress=report).items():
                if files.identity not in by_identity:
                    by_identity[files.identity] = create_engine(
                        engine, files, cache_dir=cache, device=device, threads=threads,
                        batch_size=batch_size, batch_type=batch_type, beam_size=beam_size,
                        max_new_tokens=max_new_tokens, compute_type=compute_type, progress=report,
                    )
                engines[lang] = by_identity[files.identity]
            articles_task = progress.add_task("articles", total=len(inputs))
            sentences_task = progress.add_task("sentences", total=0)

            def on_start(title: str, total: int) -> None:
                task = progress.tasks[sentences_task]
                progress.update(sentences_task, total=(task.total or 0) + total, description=title[:40])

            for item in inputs:
                if stop.is_set():
                    break
                try:
                    article = item.read()
                    result = process_article(
                        article, store=store, engines=engines, langs=langs, on_start=on_start,
                        on_done=lambda n: progress.advance(sentences_task, n), should_stop=stop.is_set,
                        check_language=not force,
                    )
                except Interrupted:
                    break
                except InputError as error:
                    failures.append(str(error))
                    progress.advance(articles_task)
                    continue
                stored += 1
                progress.advance(articles_task)
                what = "already stored" if result.remembered else f"{result.translated} texts translated"
                progress.console.print(
                    f"[green]stored[/] {result.doc_id}  {result.title}  "
                    f"({result.sentences} sentences, {', '.join(langs)}; {what})",
                    highlight=False,
                )
            progress.update(sentences_task, description="sentences")
    for failure in failures:
        err.print(f"[bold red]error:[/] {failure}", highlight=False)
    if stop.is_set():
        err.print(
            f"interrupted: {stored} articles stored, and every finished batch kept in the translation "
            "memory; run the same command again to finish the rest",
            highlight=False,
        )
        raise typer.Exit(130)
    err.print(
        f"{stored} of {len(inputs)} articles in {db}"
        + (f"; {len(failures)} failed (above)" if failures else "")
        + f"; read them with: bitext show --db {db}",
        highlight=False,
    )
    if failures:
        raise typer.Exit(1)


@app.command()
def segment(
    articles: Annotated[
        list[str],
        typer.Argument(help="Articles, as for `run`: files, folders, .jsonl, or - for standard input.", show_default=False),
    ],
    lang: Annotated[str, typer.Option("--lang", help="Language of the text: en, zh or fr.")] = "en",
    format: Annotated[str, typer.Option("--format", "-f", help="text (a sentence per line) or jsonl.")] = "text",
    glob: Annotated[str, typer.Option("--glob", help="Files to take from folders.")] = "*.txt",
) -> None:
    """Split articles into sentences without translating them.

    jsonl gives one record per sentence: source, doc_id, index, paragraph, start, end, text
    (offsets into the body: the paragraphs joined by blank lines).

    Example: bitext segment article.txt --format jsonl > sentences.jsonl
    """
    import json

    from .inputs import expand
    from .segment import SEGMENT_LANGUAGES, segment as split

    if lang not in SEGMENT_LANGUAGES:
        err.print(f"[bold red]error:[/] unknown language {lang!r}; choose one of: {', '.join(SEGMENT_LANGUAGES)}")
        raise typer.Exit(1)
    if format not in ("text", "jsonl"):
        err.print(f"[bold red]error:[/] unknown format {format!r}; choose one of: text, jsonl")
        raise typer.Exit(1)
    failures = []
    for item in expand(articles, glob=glob, stdin=sys.stdin.buffer if "-" in articles else None):
        try:
            article = item.read()
        except InputError as error:
            failures.append(str(error))
            continue
        for sentence in split(article.paragraphs, lang=lang):
            if format == "text":
                sys.stdout.write(sentence.text + "\n")
            else:
                record = {"source": article.source, "doc_id": article.doc_id, "index": sentence.index,
                          "paragraph": sentence.paragraph, "start": sentence.start, "end": sentence.end,
                          "text": sentence.text}
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    for failure in failures:
        err.print(f"[bold red]error:[/] {failure}", highlight=False)
    if failures:
        raise typer.Exit(1)


@app.command()
def show(
    doc_id: Annotated[Optional[str], typer.Argument(help="Document id (or its first characters). Default: all.")] = None,
    db: DbOption = Path("bitext.db"),
    list_only: Annotated[bool, typer.Option("--list", help="List the documents instead.")] = False,
) -> None:
    """Show stored documents side by side: English | 中文 | Français.

    Example: bitext show --db bitext.db 3f2a
    """
    from .store import Store
    from .view import document_list, document_view

    with user_errors(), Store(db, create=False) as store:
        documents = store.documents()
        if list_only:
            out.print(document_list(documents))
            return
        ids = [store.find_document(doc_id)] if doc_id else [d.doc_id for d in documents]
        if not ids:
            err.print(f"{db} holds no documents yet")
        for number, one in enumerate(ids):
            if number:
                out.print()
            out.print(document_view(store.load(one)))


@app.command()
def export(
    db: DbOption = Path("bitext.db"),
    format: Annotated[
        str,
        typer.Option(
            "--format", "-f",
            help="jsonl, tsv, tmx (TMX 1.4b), moses (OUTPUT.en/.zh/.fr), parquet, md, or html (a reading page "
            "per document and an index, in the folder given by -o).",
        ),
    ] = "jsonl",
    output: Annotated[
        Path, typer.Option("--output", "-o", help="File to write (moses: the files' prefix; html: a folder).")
    ] = Path("pairs.jsonl"),
    doc: Annotated[Optional[list[str]], typer.Option("--doc", help="Only this document (repeatable).")] = None,
    to: Annotated[str, typer.Option("--to", help="Translations to include, comma-separated.")] = "zh,fr",
    since: Annotated[
        Optional[str], typer.Option("--since", help="Only documents translated at or after this date (YYYY-MM-DD).")
    ] = None,
    exclude_flagged: Annotated[
        Optional[str],
        typer.Option("--exclude-flagged", help="Drop pairs with quality flags: 'all', or names, e.g. 'repetition,chatter'."),
    ] = None,
    min_quality: Annotated[
        Optional[float],
        typer.Option("--min-quality", min=0.0, max=1.0,
                     help="Drop pairs below this quality: 1 = no flag, 0.8 weak hint, 0.5 likely error, 0 unusable."),
    ] = None,
) -> None:
    """Export the stored sentence pairs as a parallel corpus.

    Example: bitext export --db bitext.db --format tmx -o corpus.tmx
    """
    from .export import export as export_pairs
    from .runner import check_languages
    from .store import Store

    with user_errors():
        langs = check_languages([lang.strip() for lang in to.split(",") if lang.strip()])
        if since is not None and not _is_iso_date(since):
            raise BitextError(f"--since {since!r}: give a date as YYYY-MM-DD (or an ISO date and time)")
        excluded = None
        if exclude_flagged is not None:
            from .quality import CHECKS

            excluded = [] if exclude_flagged == "all" else [n.strip() for n in exclude_flagged.split(",") if n.strip()]
            unknown = [n for n in excluded if n not in CHECKS]
            if unknown:
                raise BitextError(f"unknown flag {', '.join(unknown)}; choose 'all' or from: {', '.join(CHECKS)}")
        with Store(db, create=False) as store:
            ids = [store.find_document(d) for d in doc] if doc else None
            if format == "html":
                from .reading import write_site

                if output.exists() and not output.is_dir():
                    raise BitextError(f"{output}: html export writes a folder; give a folder name with -o")
                with store.snapshot():
                    documents = [store.load(d) for d in ids or [s.doc_id for s in store.documents()]]
                pages = write_site(documents, output, langs=langs)
                err.print(f"wrote {pages} reading pages and index.html to {output}/", highlight=False)
                return
            count = export_pairs(store.iter_pairs(ids, since=since), format=format, output=output, langs=langs,
                                 exclude_flagged=excluded, min_quality=min_quality)
    err.print(f"wrote {count} sentence pairs to {output}{'.*' if format == 'moses' else ''}", highlight=False)


def _is_iso_date(text: str) -> bool:
    from datetime import datetime

    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


@app.command("eval")
def evaluate(
    src: Annotated[Path, typer.Option("--src", help="Source sentences, one per line (English).", dir_okay=False)],
    ref: Annotated[Path, typer.Option("--ref", help="Reference translations, one per line.", dir_okay=False)],
    to: Annotated[str, typer.Option("--to", help="Target language: zh or fr.")],
    hyp: Annotated[
        Optional[Path], typer.Option("--hyp", help="Score these translations instead of translating.", dir_okay=False)
    ] = None,
    model: Annotated[str, typer.Option("--model", help="Model to translate with (as for run).")] = "qwen2.5-coder-1.5b-instruct",
    engine: Annotated[str, typer.Option("--engine", help="ctranslate2 or transformers.")] = "ctranslate2",
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Only the first N lines.")] = None,
    batch_size: Annotated[Optional[int], typer.Option("--batch-size", min=1, help="Sentences per batch.")] = None,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Also write the translations here.", dir_okay=False)
    ] = None,
    cache_dir: CacheOption = None,
) -> None:
    """Translate a test set (or score --hyp) and print BLEU and chrF with sacrebleu signatures.

    Example: bitext eval --src eng_Latn.devtest --ref zho_Hans.devtest --to zh --limit 100
    """
    import time

    from .evaluate import read_lines, score
    from .runner import SOURCE_LANGUAGE, check_languages

    with user_errors():
        (lang,) = check_languages([to.strip()])
        references = read_lines(ref, limit=limit)
        seconds = None
        if hyp is not None:
            hypotheses = read_lines(hyp, limit=limit)
        else:
            from .engines import create_engine
            from .modelcache import resolve
            from .translate import translate_texts

            sources = read_lines(src, limit=limit)
            cache = _cache_dir(cache_dir)
            with _progress() as progress:
                report = _model_progress(progress)
                files = resolve(model, cache_dir=cache, lang=lang, progress=report)
                translator = create_engine(engine, files, cache_dir=cache, batch_size=batch_size, progress=report)
                task = progress.add_task("translating", total=len(sources))
                started = time.perf_counter()
                hypotheses = translate_texts(
                    translator, sources, src=SOURCE_LANGUAGE, tgt=lang, memory={},
                    on_done=lambda n: progress.advance(task, n),
                ).texts
                seconds = time.perf_counter() - started
            out.print(f"translated by {translator.signature()}", highlight=False)
            if output is not None:
                output.write_text("".join(h.replace("\n", " ") + "\n" for h in hypotheses), encoding="utf-8")
        scores = score(hypotheses, references, tgt=lang)
        from collections import Counter

        from .quality import check_pair

        sources_for_flags = read_lines(src, limit=limit)
        flag_counts = Counter(
            flag.name for s, h in zip(sources_for_flags, hypotheses, strict=True) for flag in check_pair(s, h, tgt=lang)
        )
    out.print(f"{scores.sentences} sentences, en->{lang}" + (f", {seconds:.1f} s" if seconds else ""), highlight=False)
    out.print(f"BLEU {scores.bleu:.1f}  {scores.bleu_signature}", highlight=False)
    out.print(f"chrF {scores.chrf:.1f}  {scores.chrf_signature}", highlight=False)
    flagged = ", ".join(f"{name} {count}" for name, count in flag_counts.most_common()) or "none"
    out.print(f"flags: {flagged}", highlight=False)


@models_app.command("list")
def models_list(cache_dir: CacheOption = None) -> None:
    """Show the model catalogue: what is installed and what is prepared.

    Example: bitext models list
    """
    from .modelcache import DEFAULT_MODEL, catalogue, model_status

    cache = _cache_dir(cache_dir)
    for manifest in catalogue().values():
        status = model_status(manifest, cache_dir=cache)
        default = "  (default)" if manifest.name == DEFAULT_MODEL else ""
        out.print(f"[bold]{manifest.name}[/]{default}", highlight=False)
        out.print(f"  {manifest.description}", highlight=False)
        out.print(
            f"  family {manifest.family} · languages {', '.join(manifest.languages)} · "
            f"licence {manifest.license} · engine {manifest.engine}",
            highlight=False,
        )
        out.print(f"  installed: {status.installed}", highlight=False)
        prepared = "; ".join(str(path) for path in status.prepared) or f"no (bitext models prepare {manifest.name})"
        out.print(f"  prepared: {prepared}", highlight=False)
    out.print(f"cache: {cache}", highlight=False)


@models_app.command("prepare")
def models_prepare(
    name: Annotated[str, typer.Argument(help="Catalogue name or model folder.")] = "qwen2.5-coder-1.5b-instruct",
    compute_type: Annotated[str, typer.Option("--compute-type", help="CTranslate2 weights: int8, float32, ...")] = "int8",
    cache_dir: CacheOption = None,
) -> None:
    """Assemble, verify and convert a model for CTranslate2 now, instead of on first use.

    Example: bitext models prepare qwen2.5-coder-1.5b-instruct
    """
    from .modelcache import ensure_ctranslate2, resolve_languages

    cache = _cache_dir(cache_dir)
    ready = {}
    with user_errors(), _progress() as progress:
        report = _model_progress(progress)
        for files in resolve_languages(name, None, cache_dir=cache, progress=report).values():
            if files.identity not in ready:
                ready[files.identity] = (
                    files.name, ensure_ctranslate2(files, cache_dir=cache, compute_type=compute_type, progress=report)
                )
    for model_name, path in ready.values():
        out.print(f"{model_name} is ready: {path}", highlight=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
