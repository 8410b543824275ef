from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.documents import aligned_document, save_documents
from tests.tiny_models import build_tiny_m2m100, build_tiny_marian, build_tiny_nllb, build_tiny_qwen


@pytest.fixture(scope="session")
def tiny_qwen(tmp_path_factory) -> Path:
    return build_tiny_qwen(tmp_path_factory.mktemp("models") / "tiny-qwen")


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory) -> Path:
    return build_tiny_marian(tmp_path_factory.mktemp("models") / "tiny-marian")


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    """One cache for the session, so each tiny model is converted for CTranslate2 once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def tiny_opus_multi(tmp_path_factory) -> Path:
    """A multi-target Marian model, like opus-mt-en-zh: >>xxx<< tokens pick the language."""
    return build_tiny_marian(
        tmp_path_factory.mktemp("models") / "tiny-opus-multi", target_tokens=(">>cmn_Hans<<", ">>yue_Hant<<", ">>fra<<")
    )


@pytest.fixture(scope="session")
def tiny_nllb(tmp_path_factory) -> Path:
    return build_tiny_nllb(tmp_path_factory.mktemp("models") / "tiny-nllb")


@pytest.fixture(scope="session")
def tiny_m2m100(tmp_path_factory) -> Path:
    return build_tiny_m2m100(tmp_path_factory.mktemp("models") / "tiny-m2m100")


@pytest.fixture
def cli() -> CliRunner:
    """Runs bitext's commands in-process, stdout and stderr apart."""
    return CliRunner()


@pytest.fixture
def stored(tmp_path):
    """stored(*pages, **options) -> a store file holding those pages, translated by
    ``tests.documents.aligned_document`` (options as there)."""
    def make(*pages: str, name: str = "bitext.db", **options) -> Path:
        return save_documents(tmp_path / name, (aligned_document(page, **options) for page in pages))

    return make


@pytest.fixture
def site():
    """A web site on 127.0.0.1 (tests/webserver.py): ``site.base`` is its address."""
    from tests.webserver import Site, serve

    site = Site()
    site.base, server = serve(site)
    yield site
    server.shutdown()
    server.server_close()
