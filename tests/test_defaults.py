"""Each default is stated once, in the module that owns it: the command line's option
defaults are the library's, and the [model] extra lists the default model's chunks."""

import tomllib
from pathlib import Path

import click
import pytest
import typer

from pipeline.cli import app
from pipeline.engine_names import DEFAULT_ENGINE
from pipeline.engines import DecodingOptions
from pipeline.engines.options import FALLBACK_DECODING
from pipeline.inputs import DEFAULT_GLOB, MAX_ARTICLE_CHARS
from pipeline.model.catalogue import DEFAULT_MODEL, ModelManifest, PypiChunks, read_manifest
from pipeline.translate import DEFAULT_RETRIES

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = DecodingOptions()  # the library's defaults, as a caller who names none gets them


def manifests() -> dict[str, ModelManifest]:
    """This checkout's manifests (the installed catalogue may be another checkout's)."""
    read = (read_manifest(path.read_text(encoding="utf-8"), origin=str(path))
            for path in (ROOT / "models").glob("*.toml"))
    return {manifest.name: manifest for manifest in read}


def command(*path: str) -> click.Command:
    found = typer.main.get_command(app)
    for name in path:
        found = found.commands[name]
    return found


def defaults(cmd: click.Command) -> dict[str, object]:
    return {param.name: param.default for param in cmd.params}


@pytest.mark.parametrize("name, expected", [
    ("engine", DEFAULT_ENGINE), ("model", DEFAULT_MODEL), ("device", LIBRARY.device),
    ("batch_type", LIBRARY.batch_type), ("threads", LIBRARY.threads), ("workers", LIBRARY.workers),
    ("examples", LIBRARY.prompt_examples), ("retries", DEFAULT_RETRIES), ("glob", DEFAULT_GLOB),
    ("max_article_chars", MAX_ARTICLE_CHARS),
    # None: the model's, then the library's (DecodingOptions.resolved)
    ("batch_size", LIBRARY.batch_size), ("beam_size", LIBRARY.beam_size),
    ("max_new_tokens", LIBRARY.max_new_tokens), ("compute_type", LIBRARY.compute_type),
])
def test_run_defaults_are_the_librarys(name, expected):
    assert defaults(command("run"))[name] == expected


def test_the_other_commands_defaults_are_the_librarys():
    evaluate = defaults(command("eval"))
    assert (evaluate["engine"], evaluate["model"], evaluate["examples"]) == (
        DEFAULT_ENGINE, DEFAULT_MODEL, LIBRARY.prompt_examples)
    assert (evaluate["batch_size"], evaluate["beam_size"]) == (LIBRARY.batch_size, LIBRARY.beam_size)
    assert defaults(command("segment"))["glob"] == DEFAULT_GLOB
    assert defaults(command("models", "prepare"))["name"] == DEFAULT_MODEL


def test_help_leaves_the_models_numbers_to_the_model():
    """Options a manifest decides say "the model's", never a number that may not be its."""
    for cmd in (command("run"), command("eval")):
        for param in cmd.params:
            if param.name in FALLBACK_DECODING:
                assert "the model's" in param.help, param.name
                assert not any(char.isdigit() for char in param.help.replace("1 decodes", "")), param.help


def test_manifests_state_only_what_differs_from_the_fallback():
    for manifest in manifests().values():
        repeated = {key for key, value in manifest.decoding.items() if FALLBACK_DECODING.get(key) == value}
        assert not repeated, f"{manifest.name}: [decoding] repeats the library's {sorted(repeated)}"


def test_the_model_extra_lists_the_default_models_chunks():
    """pyproject's [model] extra is written out by hand (an install cannot generate it); it
    must name exactly the packages the default model's manifest counts, in order."""
    source = manifests()[DEFAULT_MODEL].source
    assert isinstance(source, PypiChunks)
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert extras[source.extra] == [source.package.format(n=n) for n in range(1, source.count + 1)]


def test_the_run_commands_defaults_are_the_run_options():
    from pipeline.languages import parse_targets
    from pipeline.run_options import RunOptions

    options, run = RunOptions(), defaults(command("run"))
    assert options.langs == tuple(parse_targets(run["to"]))
    assert (options.model, options.engine, options.glob, options.retries, options.max_article_chars) == (
        run["model"], run["engine"], run["glob"], run["retries"], run["max_article_chars"])
    assert (options.force, options.context, options.editions, options.ray) == (False, False, "none", None)
    assert not (run["force"] or run["context"] or run["editions"] or run["editions_only"]) and run["ray"] is None
    assert options.decoding == LIBRARY
