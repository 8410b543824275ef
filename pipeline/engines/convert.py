"""Loading models with transformers, and converting them once for CTranslate2.

A converted model lives in the cache as ``ctranslate2/NAME-ID-TYPE/`` (the model's name,
the first 12 hex digits of its identity, the compute type), with ``bitext-checksums.json``
(a stamp per file) and its tokenizer in ``tokenizer/``. It is written to a staging folder,
hashed, and renamed into the cache only when complete; a start compares the stamps with
the files' stat and hashes only a file that changed since (refusing it if its bytes
changed too). ``bitext models verify`` hashes everything again.

A GGUF file of an architecture ``gguf_convert`` knows is converted tensor by tensor; any
other model is loaded whole with transformers and handed to CTranslate2's converter.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..errors import ModelError
from ..model import ModelFiles
from ..model.cache import check_file, hash_file, settled_stamp, write_json
from ..progress import Progress, library_bars_to, no_progress
from .fast_tokenizer import (
    FAST_TOKENIZER_FILE,
    TOKENIZER_JSON,
    FastTokenizer,
    fast_tokenizer_saved,
    save_fast_tokenizer,
)
from .gguf_convert import STREAMED_ARCHITECTURES, GGUFFile, convert_gguf

CONVERTED_ROOT = "ctranslate2"  # under the cache folder: one folder per converted model
CHECKSUMS_FILE = "bitext-checksums.json"  # in a converted folder: a stamp per file
TOKENIZER_FOLDER = "tokenizer"  # in a converted folder: the model's own tokenizer


def load_transformers(files: ModelFiles, *, device: str = "cpu", progress: Progress = no_progress):
    """Load (model, tokenizer) with transformers, from a folder or a GGUF file.

    A GGUF file is checked against its sha256 first (by its stamp when the file has not
    changed since it was verified): nothing unverified is loaded. transformers' own
    progress bars report to ``progress`` instead of drawing on stderr.
    """
    import transformers

    if files.gguf_file:
        verified_gguf(files)
    kwargs = {"gguf_file": files.gguf_file} if files.gguf_file else {}
    model_class = (
        transformers.AutoModelForSeq2SeqLM if files.family == "seq2seq" else transformers.AutoModelForCausalLM
    )
    try:
        with library_bars_to(progress, f"loading {files.name} with transformers"):
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


def verified_gguf(files: ModelFiles) -> Path:
    """The model's GGUF file, checked against its sha256 (by its stamp when the file has
    not changed since it was verified): nothing unverified is read."""
    path = files.hf_dir / files.gguf_file
    stamp = files.gguf_stamp if files.gguf_stamp and files.gguf_stamp.get("sha256") == files.identity else None
    if check_file(path, stamp or files.identity) is None:
        raise ModelError(
            f"{path}: checksum mismatch, the file changed since it was verified; "
            f"delete it and run `bitext models prepare {files.name}`"
        )
    return path


def ctranslate2_dir(files: ModelFiles, *, cache_dir: Path, compute_type: str) -> Path:
    return cache_dir / CONVERTED_ROOT / f"{files.name}-{files.short_identity}-{compute_type}"


def converted_dirs(name: str, cache_dir: Path) -> list[Path]:
    """Every converted folder of the model called ``name`` (any weights, any compute type)."""
    pattern = re.compile(re.escape(name) + r"-[0-9a-f]{12}-\w+")
    root = cache_dir / CONVERTED_ROOT
    if not root.is_dir():
        return []
    return sorted(path for path in root.iterdir() if pattern.fullmatch(path.name) and path.is_dir())


def converted_compute_type(path: Path) -> str:
    """The compute type a converted folder was made with (the last part of its name)."""
    return path.name.rsplit("-", 1)[1]


def converted_tokenizer(path: Path):
    """The tokenizer saved with a converted model (older conversions kept it beside the weights).

    A causal LM's, written down for it at conversion, loads as a ``FastTokenizer`` without
    transformers (and so without torch). Seq2seq tokenizers (Marian's are sentencepiece
    only; NLLB and M2M100 switch source languages), and those of models converted before
    bitext wrote them down, load with transformers."""
    folder = path / TOKENIZER_FOLDER
    folder = folder if folder.is_dir() else path
    if fast_tokenizer_saved(folder):
        return FastTokenizer(folder)
    import transformers

    return transformers.AutoTokenizer.from_pretrained(folder)


def save_converted_tokenizer(tokenizer, folder: Path, *, fast: bool) -> None:
    """Save a model's tokenizer into a converted folder; ``fast``: also as transformers
    loads it back from there, for ``FastTokenizer`` (see ``fast_tokenizer``)."""
    tokenizer.save_pretrained(folder)
    if fast:
        import transformers

        save_fast_tokenizer(transformers.AutoTokenizer.from_pretrained(folder), folder)


def is_converted(path: Path) -> bool:
    return (path / "model.bin").is_file() and (path / CHECKSUMS_FILE).is_file()


def converted_problem(path: Path, *, full: bool = False) -> str | None:
    """None if a converted model holds the bytes its checksums name, else what is wrong:
    judged by stamp (hashing only files whose stat changed), or every byte when ``full``."""
    return _check_checksums(path, full=full, required=("model.bin",))


def verify_converted(path: Path, *, name: str, full: bool = False) -> None:
    """Refuse a converted model that fails its checksums (see ``converted_problem``)."""
    problem = converted_problem(path, full=full)
    if problem:
        raise ModelError(
            f"{path}: converted model is corrupt ({problem}); delete the folder "
            f"and run `bitext models prepare {name}`"
        )


def ensure_ctranslate2(
    files: ModelFiles, *, cache_dir: Path, compute_type: str = "int8", progress: Progress = no_progress
) -> Path:
    """Convert the model for CTranslate2 once; later calls return the cached folder."""
    target = ctranslate2_dir(files, cache_dir=cache_dir, compute_type=compute_type)
    if is_converted(target):
        verify_converted(target, name=files.name)
        if files.family == "causal-lm":
            _write_down_tokenizer(target)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".converting-"))
    output = staging / "model"
    try:
        tokenizer = _convert(files, output, compute_type=compute_type, progress=progress)
        # The engine tokenizes with the model's own tokenizer, saved beside the weights in
        # a folder of its own (next to CTranslate2's config.json, transformers would take
        # that file for the model's and warn about a Mistral tokenizer).
        save_converted_tokenizer(tokenizer, output / TOKENIZER_FOLDER, fast=files.family == "causal-lm")
        _write_checksums(output)  # the one full hash of the product, before anyone can see it
        if target.exists():
            shutil.rmtree(target)
        os.replace(output, target)
    except (OSError, ValueError, NotImplementedError, RuntimeError) as error:
        raise ModelError(f"cannot convert {files.name} for CTranslate2: {error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    progress(f"converted {files.name}", 1, 1)
    return target


def _convert(files: ModelFiles, output: Path, *, compute_type: str, progress: Progress):
    """Write the CTranslate2 model into the new folder ``output`` (by either path, see
    above); returns the model's tokenizer."""
    step = f"converting {files.name} to CTranslate2 {compute_type}"
    if files.gguf_file:
        gguf_model = GGUFFile(verified_gguf(files))
        if gguf_model.architecture in STREAMED_ARCHITECTURES:
            progress(f"reading the tokenizer of {files.name}", 0, None)
            tokenizer = gguf_model.tokenizer(progress=progress, step=f"reading the tokenizer of {files.name}")
            convert_gguf(gguf_model, output, tokenizer=tokenizer, compute_type=compute_type,
                         progress=progress, step=step)
            return tokenizer
        del gguf_model
    progress(f"loading {files.name} with transformers", 0, None)
    model, tokenizer = load_transformers(files, progress=progress)
    progress(step, 0, None)
    config_dir = output.parent / "hf-config"
    model.config.save_pretrained(config_dir)
    _converter_for(model, tokenizer, config_dir).convert(str(output), quantization=compute_type)
    return tokenizer


def _write_down_tokenizer(target: Path) -> None:
    """A chat LLM converted before bitext wrote its tokenizer down for ``FastTokenizer``
    gets it written now, once (with transformers), so later starts need neither torch nor
    transformers. Written beside, renamed into place, the marker file last, and their
    stamps added to the checksums: a reader sees the old folder or the new one."""
    folder = target / TOKENIZER_FOLDER
    if not folder.is_dir() or fast_tokenizer_saved(folder):
        return
    import transformers

    try:
        with tempfile.TemporaryDirectory(dir=target, prefix=".tokenizer-") as scratch:
            if not save_fast_tokenizer(transformers.AutoTokenizer.from_pretrained(folder), Path(scratch)):
                return
            records = json.loads((target / CHECKSUMS_FILE).read_text(encoding="utf-8"))
            for name in (TOKENIZER_JSON, FAST_TOKENIZER_FILE):  # the marker last
                os.replace(Path(scratch) / name, folder / name)
                path = folder / name
                records[str(path.relative_to(target))] = settled_stamp(path, hash_file(path))
            write_json(target / CHECKSUMS_FILE, records)
    except OSError:
        pass  # a read-only cache: the tokenizer keeps loading with transformers


def _write_checksums(folder: Path) -> None:
    """Hash every file of a folder just made (still under its staging name) and record
    their stamps in CHECKSUMS_FILE."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != CHECKSUMS_FILE)
    hashes = {file: hash_file(file) for file in files}
    records = {str(file.relative_to(folder)): settled_stamp(file, sha256) for file, sha256 in hashes.items()}
    (folder / CHECKSUMS_FILE).write_text(json.dumps(records, sort_keys=True) + "\n", encoding="utf-8")


def _check_checksums(folder: Path, *, full: bool = False, required: tuple[str, ...] = ()) -> str | None:
    """None if every file CHECKSUMS_FILE lists holds its bytes, else what is wrong.

    Unless ``full``, files whose stamp matches their stat are not read. Stamps of files
    hashed again (and found right) are refreshed in CHECKSUMS_FILE.
    """
    try:
        records = json.loads((folder / CHECKSUMS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        records = None
    if not isinstance(records, dict) or any(name not in records for name in required):
        return f"{CHECKSUMS_FILE} is missing or incomplete"
    fresh = {}
    for name, record in records.items():
        checked = check_file(folder / name, record, full=full)
        if checked is None:
            return f"{name} fails its checksum"
        fresh[name] = checked
    if fresh != records:
        write_json(folder / CHECKSUMS_FILE, fresh)
    return None


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
