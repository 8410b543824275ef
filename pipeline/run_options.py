"""What a run is asked to do (``RunOptions``) and what it says as it goes (``RunReport``).

Plain and light (no engine, model or store is imported here), so the command line fills
them in as it parses its options; ``runner.run`` takes them. The defaults are the
library's, each from the module that owns it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .engine_names import DEFAULT_ENGINE
from .engines.options import DecodingOptions
from .errors import BitextError
from .inputs import DEFAULT_GLOB, MAX_ARTICLE_CHARS
from .languages import TARGET_LANGUAGES, parse_targets
from .model.catalogue import DEFAULT_MODEL
from .translate import DEFAULT_RETRIES

if TYPE_CHECKING:
    from .alignment.web_editions import PageEditions
    from .glossary import Glossary
    from .ray_translate import RayOptions
    from .runner import ArticleResult, PreparedArticle

# What a run does with the pages' own editions (URLs only): leave them, align them too
# after the machine pairs, or align them alone without the model.
EDITIONS_MODES = ("none", "also", "only")


@dataclass(frozen=True)
class RunOptions:
    """A run's settings. ``langs``: the target languages, in order (``"zh,fr"`` is read as
    ``("zh", "fr")``; an unknown one is refused); ``decoding``: how the
    engine decodes (None fields: the model's); ``cache_dir`` None: the default model
    cache. ``force``: take inputs that do not look like English news too;
    ``max_article_chars``: refuse a longer article. ``glossary``: required renderings,
    told to the model and checked; ``retries``: decodings again of a seriously flagged
    translation; ``context``: the model reads the title and the previous sentence.
    ``editions``: one of ``EDITIONS_MODES``. ``ray``: translate on a Ray cluster."""

    langs: tuple[str, ...] = TARGET_LANGUAGES
    model: str = DEFAULT_MODEL
    engine: str = DEFAULT_ENGINE
    decoding: DecodingOptions = field(default_factory=DecodingOptions)
    cache_dir: Path | None = None
    glob: str = DEFAULT_GLOB
    force: bool = False
    max_article_chars: int = MAX_ARTICLE_CHARS
    glossary: Glossary | None = None
    retries: int = DEFAULT_RETRIES
    context: bool = False
    editions: str = "none"
    ray: RayOptions | None = None

    def __post_init__(self):
        object.__setattr__(self, "langs", tuple(parse_targets(self.langs)))  # known ones, in order, once each
        if self.editions not in EDITIONS_MODES:
            raise BitextError(f"unknown editions mode {self.editions!r}; choose one of: {', '.join(EDITIONS_MODES)}")


class RunReport:
    """What a run tells its caller as it goes; every method here does nothing, and a caller
    overrides those it shows. Called in this order: ``step`` while models are prepared,
    ``on_inputs`` once, ``on_read`` per input, ``on_queue`` once, ``on_done`` and
    ``on_article`` as texts and articles are finished, ``on_queue_end`` once, then
    ``on_editions`` per page whose editions were aligned."""

    def step(self, message: str, done: int, total: int | None) -> None:
        """A step's progress (a ``progress.Progress``): models found, prepared, loaded."""

    def on_inputs(self, inputs: int, *, fetching: bool) -> None:
        """The inputs to read, and whether some are web pages."""

    def on_read(self, read: PreparedArticle | None, *, fetched: int) -> None:
        """An input read (None: it could not be); ``fetched``: pages fetched so far."""

    def on_queue(self, texts: int) -> None:
        """The queue is planned: ``texts`` to translate (from here a stop waits for the batch)."""

    def on_done(self, texts: int) -> None:
        """That many more texts translated and stored in the memory."""

    def on_article(self, result: ArticleResult | None) -> None:
        """An article complete, or found complete (None: an input that could not be read)."""

    def on_queue_end(self) -> None:
        """No more batches: the queue is done, stopped, or was empty."""

    def on_editions(self, page: PageEditions) -> None:
        """What became of one page's editions."""

    def should_stop(self) -> bool:
        """True once a stop was asked for: the run ends after the chunk in flight."""
        return False
