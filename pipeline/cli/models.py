"""`bitext models`: list, prepare and verify the catalogue's models."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..model.catalogue import DEFAULT_MODEL
from ..view import progress_display, step_reporter
from . import models_app
from .common import CacheOption, err, out, say, user_errors


@models_app.command("list")
def models_list(cache_dir: CacheOption = None) -> None:
    """Show the model catalogue: what is installed and what is prepared.

    Example: bitext models list
    """
    from ..model import default_cache_dir
    from ..model.catalogue import catalogue
    from ..products import model_status
    from ..view import catalogue_view

    cache = cache_dir or default_cache_dir()
    out.print(catalogue_view([model_status(m, cache_dir=cache) for m in catalogue().values()], default=DEFAULT_MODEL))
    say(f"cache: {cache}")


@models_app.command("prepare")
def models_prepare(
    name: Annotated[str, typer.Argument(help="Catalogue name or model folder.")] = DEFAULT_MODEL,
    compute_type: Annotated[str, typer.Option(
        "--compute-type", help="CTranslate2 weights: int8, float32, ...")] = "int8",
    cache_dir: CacheOption = None,
) -> None:
    """Assemble, verify and convert a model for CTranslate2 now, instead of on first use.

    Example: bitext models prepare qwen2.5-coder-1.5b-instruct
    """
    from ..engine_names import CTRANSLATE2
    from ..engines import DecodingOptions
    from ..runner import open_engines

    with user_errors(), progress_display(err) as progress:
        engines = open_engines(name, None, engine=CTRANSLATE2, options=DecodingOptions(compute_type=compute_type),
                               cache_dir=cache_dir, progress=step_reporter(progress))
        ready = {id(engine): (engine.files.name, engine.prepare()) for engine in engines.values()}
    for model_name, path in ready.values():
        say(f"{model_name} is ready: {path}")


@models_app.command("verify")
def models_verify(
    name: Annotated[Optional[str], typer.Argument(
        help="Catalogue name. Default: every model with something in the cache.")] = None,
    cache_dir: CacheOption = None,
) -> None:
    """Hash every prepared product of a model in full: one line each, ok or CORRUPT with the fix.

    Exits with status 1 if any is corrupt. Example: bitext models verify
    """
    from ..model import default_cache_dir
    from ..products import verify_models

    cache = cache_dir or default_cache_dir()
    with user_errors():
        checks = verify_models(name, cache_dir=cache)
    for check in checks:
        say(str(check))
    if not checks:
        say(f"nothing prepared to verify in {cache}", console=err)
    if not all(check.ok for check in checks):
        raise typer.Exit(1)
