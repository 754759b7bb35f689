"""Shared fixtures: the project root and sample data made on the fly (no downloads)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.sample_data import generate, write

PROJECT_DIR = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite golden files from the current output instead of comparing against them",
    )


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT_DIR


@pytest.fixture(scope="session")
def abalone_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "abalone.csv"
    write(generate(600, seed=3), path)
    return path
