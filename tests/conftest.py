"""Shared fixtures. Real-corpus tests read REGSEARCH_CORPORA (default ../shared/corpora)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def corpora_path() -> Path:
    return Path(os.environ.get("REGSEARCH_CORPORA", ROOT.parent / "shared" / "corpora"))


@pytest.fixture(scope="session")
def corpora_dir() -> Path:
    path = corpora_path()
    if not (path / "lawrefbook").is_dir():
        pytest.skip(f"real corpora not found at {path} (set REGSEARCH_CORPORA)")
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
