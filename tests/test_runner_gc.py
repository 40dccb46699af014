"""A one-worker run keeps the cyclic collector off the loaded models while it reads its files, and
gives the caller's process its collector back whole afterwards (``runner.execute_local``).

Why: every full collection walked the ~110k objects of the models and tables again (0.43 s of
23 s on 300 pages of the bench's year, 0.25 s frozen); a notebook that calls ``run`` must not be
left with its own objects frozen.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.settings import Settings


def test_models_frozen_while_reading_and_unfrozen_after(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    monkeypatch.setattr(runner, "Pipeline", lambda settings: object())
    monkeypatch.setattr(runner, "process_and_write", lambda p, d, pipe: seen.append(gc.get_freeze_count()) or p)
    assert gc.get_freeze_count() == 0
    done = list(runner.execute_local(Settings(workers=1), [Path("a.md"), Path("b.md")], None))
    assert done == [Path("a.md"), Path("b.md")]
    assert len(seen) == 2 and all(n > 0 for n in seen)
    assert gc.get_freeze_count() == 0


def test_a_run_stopped_early_unfreezes_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "Pipeline", lambda settings: object())
    monkeypatch.setattr(runner, "process_and_write", lambda p, d, pipe: p)
    files = runner.execute_local(Settings(workers=1), [Path("a.md"), Path("b.md")], None)
    next(files)
    assert gc.get_freeze_count() > 0
    files.close()
    assert gc.get_freeze_count() == 0
