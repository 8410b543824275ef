"""What the cache holds of each catalogue model, its products: the assembled file or the Hub
download (``pipeline.model``) and the converted folders (``pipeline.engines.convert``).

``model_status`` says what is there (``bitext models list``). ``verify_models`` checks it
in full (``bitext models verify``): starts trust stamps; this reads every byte of every
product again. Apart from both packages because it needs both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from .engines.convert import converted_compute_type, converted_dirs, converted_problem
from .errors import ModelError
from .model.cache import (
    IDENTITY_FILE,
    assembled_path,
    assembled_stamp_path,
    check_file,
    hash_folder,
    hub_folder,
    read_stamp,
    write_json,
)
from .model.catalogue import ModelManifest, PypiChunks, catalogue
from .model.resolver import source_names
from .model.sources import chunk_paths


@dataclass(frozen=True)
class ModelStatus:
    manifest: ModelManifest
    installed: str  # a sentence for people: what is on disk, or how to get it
    prepared: tuple[Path, ...]  # converted CTranslate2 folders


def model_status(manifest: ModelManifest, *, cache_dir: Path) -> ModelStatus:
    """What of a catalogue model is installed and prepared, without loading anything."""
    notes = []
    for source in manifest.sources:
        if isinstance(source, PypiChunks):
            try:
                chunk_paths(source, name=manifest.name)  # every package, with its data file
                notes.append(f"yes ({source.count} chunk packages, {source.size / 1e9:.2f} GB)")
            except ModelError as error:
                notes.append(f"no: {error}")
        else:
            folder = hub_folder(source.repo, cache_dir)
            notes.append(
                f"{source.repo}: downloaded" if (folder / "config.json").is_file()
                else f"{source.repo}: not downloaded (Hub; bitext models prepare {manifest.name})"
            )
    prepared = tuple(path for name in source_names(manifest) for path in converted_dirs(name, cache_dir))
    return ModelStatus(manifest, "; ".join(notes), prepared)


@dataclass(frozen=True)
class ProductCheck:
    """One product of a model in the cache, checked in full."""

    model: str
    path: Path
    problem: str | None = None  # None: it holds the bytes it was verified with
    fix: str = ""  # how to repair it, when there is a problem

    @property
    def ok(self) -> bool:
        return self.problem is None

    def __str__(self) -> str:
        if self.ok:
            return f"ok       {self.model}  {self.path}"
        return f"CORRUPT  {self.model}  {self.path}: {self.problem}; {self.fix}"


def verify_models(name: str | None = None, *, cache_dir: Path) -> list[ProductCheck]:
    """Hash every product of the catalogue model ``name`` (of every model when None).

    A model with nothing in the cache yields no checks. Stamps of products found right
    are refreshed, so the next start need not hash them.
    """
    models = catalogue()
    if name is not None and name not in models:
        raise ModelError(f"unknown model {name!r}; choose one of: {', '.join(models)}")
    manifests = [models[name]] if name is not None else list(models.values())
    checks: dict[Path, ProductCheck] = {}
    for manifest in manifests:
        # Models may share a product (opus-mt uses opus-mt-en-fr's download): check it once.
        for path, check in _products(manifest, cache_dir=cache_dir, skip=checks.keys()):
            checks[path] = check()
    return list(checks.values())


def _products(manifest: ModelManifest, *, cache_dir: Path, skip) -> Iterator[tuple[Path, Callable[[], ProductCheck]]]:
    """Each product of ``manifest`` in the cache, with the check to run on it."""
    name, prepare = manifest.name, f"bitext models prepare {manifest.name}"
    for source in manifest.sources:
        if isinstance(source, PypiChunks):
            path = assembled_path(source.file, cache_dir)
            if path.is_file() and path not in skip:
                yield path, partial(_check_assembled, name, path, source.sha256, prepare=prepare)
            continue
        folder = hub_folder(source.repo, cache_dir)
        if (folder / "config.json").is_file() and folder not in skip:
            yield folder, partial(_check_download, name, folder, prepare=prepare)
    for converted_name in source_names(manifest):
        for folder in converted_dirs(converted_name, cache_dir):
            if folder not in skip:
                compute_type = converted_compute_type(folder)
                again = prepare + ("" if compute_type == "int8" else f" --compute-type {compute_type}")
                yield folder, partial(_check_converted, name, folder, fix=f"delete the folder and run `{again}`")


def _check_converted(name: str, folder: Path, *, fix: str) -> ProductCheck:
    return ProductCheck(name, folder, converted_problem(folder, full=True), fix)


def _check_assembled(name: str, path: Path, sha256: str, *, prepare: str) -> ProductCheck:
    stamp_path = assembled_stamp_path(path)
    checked = check_file(path, sha256, full=True)
    if checked is None:
        return ProductCheck(name, path, "its sha256 is not the catalogue's", f"delete it and run `{prepare}`")
    if checked != read_stamp(stamp_path):
        write_json(stamp_path, checked)
    return ProductCheck(name, path)


def _check_download(name: str, folder: Path, *, prepare: str) -> ProductCheck:
    fix = f"delete the folder and run `{prepare}`"
    try:
        recorded = (folder / IDENTITY_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return ProductCheck(name, folder, f"{IDENTITY_FILE} is missing", fix)
    if hash_folder(folder) != recorded:
        return ProductCheck(name, folder, "its files changed since the download", fix)
    return ProductCheck(name, folder)
