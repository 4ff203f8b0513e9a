"""Shared fixtures: a temporary database for every test, and the real FIT files when present."""

from __future__ import annotations

from pathlib import Path

import pytest

FIT_REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "fit-real"


@pytest.fixture(autouse=True)
def runwear_db(tmp_path, monkeypatch) -> Path:
    """Point RUNWEAR_DB at a fresh file so no test touches the user's database."""
    path = tmp_path / "runwear.db"
    monkeypatch.setenv("RUNWEAR_DB", str(path))
    return path


@pytest.fixture
def fit_real() -> Path:
    """The folder of real device FIT files in ../shared, or skip when it is absent."""
    if not FIT_REAL.is_dir():
        pytest.skip(f"real FIT fixtures not found at {FIT_REAL}")
    return FIT_REAL
