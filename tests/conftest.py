"""Shared fixtures: the built-in catalogue, settings on a temporary data dir, an output folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from forms.catalogue import Catalogue, load_catalogue
from forms.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "test-output"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def settings(data_dir: Path) -> Settings:
    return Settings(CHENGNUO_DATA_DIR=data_dir, PUBLIC_URL="https://chengnuo.example.cn")


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where tests leave files for a person to look at (rendered pages, screenshots)."""
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
