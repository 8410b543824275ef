"""What every bitext command shares: the consoles, one-line errors, Ctrl-C handling, and
the options several commands take. Only the ``cli`` package prints or exits; what it
prints of an article (titles, sentences, file names) is data, never markup.
"""

from __future__ import annotations

import signal
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.text import Text

from ..engine_names import CTRANSLATE2, TRANSFORMERS
from ..engines.options import DEVICES
from ..errors import BitextError
from ..quality import SERIOUS
from ..view import shown

out = Console(soft_wrap=True)  # lines of text are never hard-wrapped; tables fit the width
err = Console(stderr=True, soft_wrap=True)  # messages are lines, never hard-wrapped

# Options that several commands share. Their defaults are the library's (each command
# names them: DecodingOptions' fields, DEFAULT_ENGINE, DEFAULT_GLOB); decoding options left
# None come from the model's catalogue entry (see engines.DecodingOptions), so help texts
# say "the model's" and name no number a manifest decides.
Articles = Annotated[list[str], typer.Argument(
    help="Articles: page copies (.txt), HTML pages, .jsonl files (one article per line), folders (searched "
    "recursively, see --glob), or - for standard input.", show_default=False)]
DbOption = Annotated[Path, typer.Option("--db", help="SQLite store file.", dir_okay=False)]
CacheOption = Annotated[Optional[Path], typer.Option(
    "--cache-dir", file_okay=False,
    help="Where prepared models live. Default: $BITEXT_CACHE_DIR, else the user cache folder.")]
ModelOption = Annotated[str, typer.Option(
    "--model", help="Catalogue name (see `bitext models list`) or a model folder / .gguf file.")]
EngineOption = Annotated[str, typer.Option("--engine", help=f"{CTRANSLATE2} (fast, int8) or {TRANSFORMERS}.")]
GlobOption = Annotated[str, typer.Option("--glob", help="Files to take from folders.")]
ToOption = Annotated[str, typer.Option("--to", help="Target languages, comma-separated: zh, fr.")]
BeamOption = Annotated[Optional[int], typer.Option(
    "--beam-size", min=1, help="1 decodes greedily. Default: the model's.")]
BatchOption = Annotated[Optional[int], typer.Option(
    "--batch-size", min=1, help="Batch size, in --batch-type units. Default: the model's.")]
BatchTypeOption = Annotated[str, typer.Option(
    "--batch-type", help="Count batches in 'examples' (sentences) or 'tokens'.")]
MaxNewOption = Annotated[Optional[int], typer.Option(
    "--max-new-tokens", min=1, help="Longest translation, in tokens. Default: the model's.")]
DeviceOption = Annotated[str, typer.Option("--device", help=f"{' or '.join(DEVICES)}.")]
ComputeOption = Annotated[Optional[str], typer.Option(
    "--compute-type", help=f"Weights' type. {CTRANSLATE2}: int8 (default), int8_float32, float32, float16, ...; "
    f"{TRANSFORMERS}: float32 (default), bfloat16, float16.")]
OriginOption = Annotated[Optional[str], typer.Option(
    "--origin", help="Only pairs of this origin: machine (the engines' translations) or edition (the site's human "
    "editions, aligned with `bitext align`). Default: both.")]
MinScoreOption = Annotated[Optional[float], typer.Option(
    "--min-score", min=-1.0, max=1.0, help="Drop edition pairs the aligner scored below this (cosine, 0-1; "
    "machine pairs have no score and are kept).")]
ExamplesOption = Annotated[bool, typer.Option(
    "--examples/--no-examples", help="Chat models: show the model two worked news examples before each "
    "sentence (in the cached prompt, yet each sentence takes longer to translate).")]
ContextOption = Annotated[bool, typer.Option(
    "--context/--no-context", help="Chat models: give the model the title and the previous sentence with each "
    "sentence, to read and not translate (for pronouns and repeated terms; each sentence takes longer).")]
GlossaryOption = Annotated[Optional[Path], typer.Option(
    "--glossary", dir_okay=False, help="TSV or CSV of required renderings: English term, then zh and fr "
    "(a header row en,zh,fr may order the columns). The model is told them; a translation that misses one is "
    "flagged 'glossary'.")]
RetriesOption = Annotated[int, typer.Option(
    "--retries", min=0, max=2, help=f"A translation with a serious flag ({', '.join(SERIOUS)}) is decoded "
    "again up to this many ways (a stricter prompt naming the English words left, then beam search); the "
    "candidate with the best flags is kept. 0 keeps the first answer.")]
ThreadsOption = Annotated[int, typer.Option("--threads", min=0, help="CPU threads; 0 uses all cores.")]
WorkersOption = Annotated[int, typer.Option(
    "--workers", min=1,
    help=f"Batches translated side by side ({CTRANSLATE2} on CPU), each on its share of --threads.")]


def say(message: str, *, console: Console = out) -> None:
    """A line of bitext's own output, printed as it is (no markup, no highlighting, no
    control characters from the file names or titles it may name)."""
    console.print(shown(message), highlight=False)


def error_line(message: str) -> None:
    """One line on stderr: bitext's own words in markup, the message itself as data."""
    err.print(Text.assemble(("error:", "bold red"), " ", shown(message)), highlight=False)


class StopNow(KeyboardInterrupt):
    """A second stop signal: stop at once (what is stored stays stored)."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__()
        self.exit_code = 128 + signum  # the shell's convention: 130 for SIGINT, 143 for SIGTERM


@contextmanager
def user_errors():
    """Report errors the user can fix as one line on stderr, with exit code 1."""
    try:
        yield
    except BitextError as error:
        error_line(str(error))
        raise typer.Exit(1) from None
    except sqlite3.DatabaseError as error:  # met outside a Store, which names itself (Store.__exit__)
        error_line(f"the store cannot be used ({error})")
        raise typer.Exit(1) from None
    except KeyboardInterrupt as stop:
        err.print("interrupted; what was stored before stays stored, run the same command again to go on")
        raise typer.Exit(getattr(stop, "exit_code", 130)) from None


class StopRequest:
    """Set by the first Ctrl-C or SIGTERM: the run stops after the current batch.

    Only while batches are translated (``batches_in_flight``) is there a batch worth
    waiting for; before that (reading pages, pipes, FIFOs; loading the model) a stop
    signal stops at once, since a read can block for as long as its source likes."""

    def __init__(self):
        self._event = threading.Event()
        self.signum: int | None = None
        self.batches_in_flight = False

    def is_set(self) -> bool:
        return self._event.is_set()

    def set(self, signum: int) -> None:
        self.signum = signum
        self._event.set()

    @property
    def exit_code(self) -> int:
        return 128 + (self.signum or signal.SIGINT)


@contextmanager
def stop_on_first_interrupt(stop: StopRequest):
    """The first Ctrl-C (SIGINT) or SIGTERM, the signal systemd, Docker and Kubernetes stop
    with, asks the run to stop after the current batch (with no batch in flight, at once);
    a second one stops at once (what is stored stays stored either way)."""
    def handler(signum, frame):
        if stop.is_set() or not stop.batches_in_flight:
            raise StopNow(signum)
        stop.set(signum)
        how = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        err.print(f"stopping after the current batch ({how} again to stop now)", markup=False)

    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[signum] = signal.signal(signum, handler)
        except ValueError:  # not the main thread (e.g. some test runners): leave signals alone
            pass
    try:
        yield
    finally:
        for signum, handler_before in previous.items():
            signal.signal(signum, handler_before)
