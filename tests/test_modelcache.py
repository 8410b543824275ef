"""Assembly of a PyPI-chunked model: order, verification, atomic writes, clear errors."""

import hashlib
import sys
import textwrap

import pytest

from pipeline.errors import ModelError
from pipeline.modelcache import (
    DEFAULT_MODEL,
    ModelManifest,
    assemble_chunks,
    catalogue,
    resolve,
)

CHUNKS = [b"first chunk|", b"second chunk|", b"third"]


@pytest.fixture
def chunk_packages(tmp_path, monkeypatch):
    """Three importable fake chunk packages, each exposing get_part_path() like the real ones."""
    site = tmp_path / "site"
    for n, data in enumerate(CHUNKS, start=1):
        package = site / f"fakechunk_part{n}"
        (package / "data").mkdir(parents=True)
        (package / "data" / f"part{n:02d}.bin").write_bytes(data)
        (package / "__init__.py").write_text(textwrap.dedent(f"""
            from pathlib import Path
            def get_part_path():
                return str(Path(__file__).parent / "data" / "part{n:02d}.bin")
        """))
    monkeypatch.syspath_prepend(str(site))
    yield site
    for n in range(1, len(CHUNKS) + 1):
        sys.modules.pop(f"fakechunk_part{n}", None)


def manifest(count=3, sha256=None, size=None):
    whole = b"".join(CHUNKS)
    return ModelManifest(
        name="fake", description="", family="causal-lm", license="none", languages=("en",),
        engine="ctranslate2",
        source={
            "kind": "pypi-chunks", "module": "fakechunk_part{n}", "package": "fakechunk-part{n}==1",
            "count": count, "file": "fake.gguf", "extra": "fake",
            "size": size if size is not None else len(whole),
            "sha256": sha256 or hashlib.sha256(whole).hexdigest(),
        },
    )


def test_chunks_are_joined_in_order_and_verified(chunk_packages, tmp_path):
    path = assemble_chunks(manifest(), cache_dir=tmp_path / "cache")
    assert path.read_bytes() == b"".join(CHUNKS)
    # A second call trusts the verified file and does not rewrite it.
    mtime = path.stat().st_mtime_ns
    assert assemble_chunks(manifest(), cache_dir=tmp_path / "cache") == path
    assert path.stat().st_mtime_ns == mtime


def test_checksum_mismatch_is_a_clear_error_and_leaves_nothing(chunk_packages, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(ModelError, match="corrupt.*pip install --force-reinstall 'bitext\\[fake\\]'"):
        assemble_chunks(manifest(sha256="0" * 64), cache_dir=cache)
    assert list((cache / "gguf").iterdir()) == []


def test_a_file_changed_after_verification_is_assembled_again(chunk_packages, tmp_path):
    cache = tmp_path / "cache"
    path = assemble_chunks(manifest(), cache_dir=cache)
    path.write_bytes(b"x" * path.stat().st_size)  # same size, wrong content
    assert assemble_chunks(manifest(), cache_dir=cache).read_bytes() == b"".join(CHUNKS)


def test_missing_chunk_package_says_how_to_install(chunk_packages, tmp_path):
    with pytest.raises(ModelError, match="missing fakechunk-part4.*pip install 'bitext\\[fake\\]'"):
        assemble_chunks(manifest(count=4), cache_dir=tmp_path / "cache")


def test_catalogue_holds_the_default_model():
    models = catalogue()
    default = models[DEFAULT_MODEL]
    assert default.family == "causal-lm"
    assert default.source["size"] == 1_117_320_768
    assert default.source["sha256"] == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert default.source["count"] == 22


def test_resolve_errors(tmp_path):
    with pytest.raises(ModelError, match="unknown model 'nope'; choose one of: m2m100-418m, .*qwen2.5-coder-1.5b-instruct, or give a Hugging Face Hub id"):
        resolve("nope", cache_dir=tmp_path)
    (tmp_path / "folder").mkdir()
    with pytest.raises(ModelError, match="not a model folder"):
        resolve(str(tmp_path / "folder"), cache_dir=tmp_path)


def test_local_folder_family_and_identity(tiny_qwen, tiny_marian, tmp_path):
    qwen = resolve(str(tiny_qwen), cache_dir=tmp_path)
    marian = resolve(str(tiny_marian), cache_dir=tmp_path)
    assert (qwen.family, marian.family) == ("causal-lm", "seq2seq")
    assert qwen.identity != marian.identity and len(qwen.identity) == 64


def test_a_converted_model_that_changed_is_refused(tiny_marian, tmp_path):
    from pipeline.modelcache import ensure_ctranslate2

    files = resolve(str(tiny_marian), cache_dir=tmp_path)
    folder = ensure_ctranslate2(files, cache_dir=tmp_path, compute_type="float32")
    assert ensure_ctranslate2(files, cache_dir=tmp_path, compute_type="float32") == folder  # verified, reused
    weights = folder / "model.bin"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="converted model is corrupt.*model.bin fails its checksum.*bitext models prepare"):
        ensure_ctranslate2(files, cache_dir=tmp_path, compute_type="float32")


def test_a_gguf_file_is_checked_before_it_is_loaded(tmp_path):
    from pipeline.modelcache import load_transformers

    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 64)
    files = resolve(str(path), cache_dir=tmp_path)
    path.write_bytes(b"GGUF" + b"\1" * 64)
    with pytest.raises(ModelError, match="checksum mismatch"):
        load_transformers(files)
