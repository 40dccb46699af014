"""Shared fixtures: one real pipeline run over the sample page, reused by the end-to-end tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def seed_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.cli import main

    out = tmp_path_factory.mktemp("seed-outputs")
    assert main(["run", str(SEEDS), "--out", str(out), "--quiet", "--date", "2023-03-24"]) == 0
    return out
