"""Shared fixtures: one real pipeline run over the sample page, reused by the end-to-end tests;
synthetic two-issue outputs; the Pinghu gazetteer and its resolver."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def seed_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.cli.main import main

    out = tmp_path_factory.mktemp("seed-outputs")
    assert main(["run", str(SEEDS), "--out", str(out), "--quiet", "--date", "2023-03-24"]) == 0
    return out


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    """The synthetic two-issue outputs of ``outputs_fixture.build_outputs``."""
    from outputs_fixture import build_outputs

    out = tmp_path / "outputs"
    build_outputs(out)
    return out


@pytest.fixture(scope="module")
def gaz():  # noqa: ANN201 - pipeline.gazetteers.gazetteer.Gazetteer, imported lazily
    """The shipped Pinghu gazetteer, loaded once."""
    from pipeline.gazetteers.gazetteer import load_gazetteer
    from pipeline.settings import DEFAULT_GAZETTEER

    return load_gazetteer(DEFAULT_GAZETTEER)


@pytest.fixture(scope="module")
def resolver(gaz):  # noqa: ANN001, ANN201 - pipeline.resolve.resolver.Resolver
    """A resolver over the shipped gazetteer."""
    from pipeline.resolve.resolver import Resolver

    return Resolver(gaz)
