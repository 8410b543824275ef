from __future__ import annotations

import traceback
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.documents import aligned_document, save_documents
from tests.tiny_models import build_tiny_m2m100, build_tiny_marian, build_tiny_nllb, build_tiny_qwen


def user_error(result, message: str, *, alone: bool = False) -> list[str]:
    """Check that a CliRunner ``result`` failed the way a problem the user can fix must:
    exit status 1 through SystemExit, one `error:` line on stderr naming ``message``, no
    traceback; ``alone``: and nothing else on stderr. Returns stderr's non-empty lines.

    The exception check is what catches a crash: under CliRunner an exception escaping the
    CLI also ends with exit status 1, prints no traceback, and stays in ``result.exception``."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), "".join(traceback.format_exception(*result.exc_info))
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert not alone or len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines


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
