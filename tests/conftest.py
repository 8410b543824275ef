from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny_models import build_tiny_marian, build_tiny_qwen


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
