"""Chinese chart labels render with the bundled CJK font, with no missing glyph, on any machine."""

from __future__ import annotations

import base64
import contextlib
import io
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from pipeline.report import fonts  # noqa: E402
from pipeline.report.plots import plot_network, plot_timeline, plot_town_coverage, save_png  # noqa: E402

TOWNS = pd.DataFrame({"name": ["当湖街道", "新埭镇", "乍浦镇"], "articles": [5, 3, 1]})
PAIRS = pd.DataFrame({"person_id": ["person:1", "person:2"], "official": ["张三", "李四"],
                      "agency_id": ["org:1", "org:1"], "agency": ["平湖市发展和改革局"] * 2, "articles": [2, 1]})
TIMELINE = pd.DataFrame({"张三": [1, 2], "李四": [0, 1]}, index=pd.to_datetime(["2024-03-01", "2024-04-01"]))


@contextlib.contextmanager
def strict_glyphs() -> Iterator[None]:
    """Matplotlib's missing-glyph warnings ("Glyph 24179 (…) missing from font(s) …") as errors."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing from")
        yield


def _system_cjk_fonts() -> str:
    try:
        return subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def test_bundled_font_is_the_one_used() -> None:
    from matplotlib import font_manager

    family = fonts.cjk_font()
    assert fonts.cjk_font_path().is_file()
    found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert Path(found).resolve() == fonts.cjk_font_path().resolve()
    if not _system_cjk_fonts().strip():
        print("no CJK system font on this machine: the bundled one is all there is")


@pytest.mark.parametrize(
    ("draw", "size"),
    [
        (lambda ax: plot_town_coverage(ax, TOWNS), (6.0, 2.5)),
        (lambda ax: plot_network(ax, PAIRS), (8.0, 5.0)),
        (lambda ax: plot_timeline(ax, TIMELINE), (7.0, 4.0)),
    ],
    ids=["towns", "network", "timeline"],
)
def test_chinese_labels_have_every_glyph(tmp_path: Path, draw, size) -> None:  # noqa: ANN001
    with strict_glyphs():
        png = save_png(draw, tmp_path / "chart.png", size)
    assert png.read_bytes().startswith(b"\x89PNG")


def test_report_png_charts_have_every_glyph(tmp_path: Path) -> None:
    """`pinghu-ner report --png DIR` on real tables: three charts, no missing glyph."""
    from outputs_fixture import build_outputs

    from pipeline.cli.main import main

    build_outputs(tmp_path / "outputs")
    with strict_glyphs():
        assert main(["report", str(tmp_path / "outputs"), "--png", str(tmp_path / "png")]) == 0
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == ["network.png", "timeline.png", "towns.png"]


def test_the_check_fails_without_the_cjk_font(tmp_path: Path) -> None:
    """The same chart with matplotlib's default font: the strict check must catch the boxes."""
    import matplotlib
    from matplotlib.figure import Figure

    with strict_glyphs(), matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig = Figure(figsize=(4, 2))
        plot_town_coverage(fig.subplots(), TOWNS)
        with pytest.raises(UserWarning, match="missing"):
            fig.savefig(tmp_path / "boxes.png")


def test_font_subset_is_small_and_complete() -> None:
    from fontTools.ttLib import TTFont

    data = base64.b64decode(fonts.font_subset_b64("平湖日报当湖街道"))
    assert len(data) < 200_000
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert all(ord(c) in cmap for c in "平湖日报当湖街道A1")
