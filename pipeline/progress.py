"""How long steps report their progress, and how the libraries' own bars are routed to it.

bitext shows one progress display (the CLI's); transformers and huggingface_hub draw
tqdm bars of their own on stderr, which would print across it. ``library_bars_to`` sends
those bars to bitext's ``progress`` callback for the length of one loading call only.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

# progress(message, done, total): a step's name and how far it got (total None: unknown).
Progress = Callable[[str, int, int | None], None]


def no_progress(message: str, done: int, total: int | None) -> None:
    pass


class _ReportingBar:
    """Enough of tqdm's interface for the libraries' loading loops, reporting to ``progress``."""

    def __init__(self, progress: Progress, step: str, iterable=None, desc: str | None = None,
                 total: int | float | None = None, **_ignored):
        self._progress, self._iterable = progress, iterable
        if total is None and iterable is not None and hasattr(iterable, "__len__"):
            total = len(iterable)
        self.total = int(total) if total is not None else None
        self.n = 0
        self.desc = desc or ""
        self._step = step
        self._report()

    def _report(self) -> None:
        what = self.desc.strip().rstrip(".:").strip()
        what = what[:1].lower() + what[1:]
        self._progress(f"{self._step}: {what}" if what else self._step, self.n, self.total)

    def __iter__(self) -> Iterator:
        for item in self._iterable:
            yield item
            self.update(1)

    def __len__(self) -> int:
        return self.total or 0

    def update(self, n: int | float = 1) -> None:
        self.n += int(n)
        self._report()

    def set_description(self, desc: str | None = None, refresh: bool = True) -> None:
        self.desc = desc or ""

    def reset(self, total: int | float | None = None) -> None:
        self.n, self.total = 0, int(total) if total is not None else self.total

    def close(self) -> None:
        pass

    def __enter__(self) -> _ReportingBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __getattr__(self, name: str):
        # set_postfix, refresh, clear, unpause, ...: nothing to draw.
        return lambda *args, **kwargs: None


_SWITCHING = threading.RLock()  # re-entrant: a load inside a load (a tokenizer read while converting)


@contextmanager
def library_bars_to(progress: Progress, step: str) -> Iterator[None]:
    """While the block runs, transformers' and huggingface_hub's progress bars report to
    ``progress`` (as "step: what the bar says") instead of drawing on stderr.

    Scoped, not global: every switch is put back as it was when the block ends. The
    switches are the libraries' globals, so one block holds them at a time (another
    thread's load waits): two at once would put back each other's.
    """
    def bar(*args, **kwargs):
        return _ReportingBar(progress, step, *args, **kwargs)

    with _SWITCHING, ExitStack() as restore:
        _silence_hub_bars(restore)
        if "transformers" in sys.modules:  # imported by the caller when it loads a model
            _route_transformers_bars(bar, restore)
        yield


def _silence_hub_bars(restore: ExitStack) -> None:
    try:
        from huggingface_hub import constants, utils as hub_utils
    except ImportError:
        return
    # HF_HUB_DISABLE_PROGRESS_BARS=0 is the user's explicit wish (and disabling would warn).
    if constants.HF_HUB_DISABLE_PROGRESS_BARS is not False and not hub_utils.are_progress_bars_disabled():
        hub_utils.disable_progress_bars()
        restore.callback(hub_utils.enable_progress_bars)


def _route_transformers_bars(bar, restore: ExitStack) -> None:
    from transformers.utils import logging as hf_logging

    if hasattr(hf_logging, "set_tqdm_hook"):  # transformers >= 5: its supported switch
        previous = hf_logging.set_tqdm_hook(lambda factory, args, kwargs: bar(*args, **kwargs))
        restore.callback(hf_logging.set_tqdm_hook, previous)
    elif hf_logging.is_progress_bar_enabled():
        hf_logging.disable_progress_bar()
        restore.callback(hf_logging.enable_progress_bar)
    # The GGUF loader draws with tqdm.auto directly, which no switch reaches: its module's
    # own name for tqdm is swapped for the block.
    try:
        gguf_loader = importlib.import_module("transformers.modeling_gguf_pytorch_utils")
    except ImportError:
        return
    if hasattr(gguf_loader, "tqdm"):
        restore.callback(setattr, gguf_loader, "tqdm", gguf_loader.tqdm)
        gguf_loader.tqdm = bar
