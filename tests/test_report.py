"""Tests of pipeline.report on the synthetic two-issue outputs of test_tables.build_outputs."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from pipeline import report as R
from pipeline.tables import load

try:  # sibling test module: pytest puts tests/ on sys.path, unless tests/ becomes a package
    from test_tables import build_outputs
except ImportError:  # pragma: no cover
    from tests.test_tables import build_outputs


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    out = tmp_path / "outputs"
    build_outputs(out)
    return out


def _console() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, width=140, force_terminal=False, color_system=None), buf


def test_report_tables_and_console(outputs: Path) -> None:
    console, buf = _console()
    data = R.report(outputs, console=console)
    text = buf.getvalue()
    for title in ("Top officials by appearances", "page-1", "Places by coverage", "Agencies", "same article"):
        assert title in text
    assert "张三" in text and "市委书记" in text and "330482001" in text

    off = data["officials"]
    assert off.iloc[0].to_dict() == {"name": "张三", "role": "市委书记", "articles": 4}
    assert off.set_index("name").loc["李四", "articles"] == 2
    assert "王五" not in set(off.name)  # a reporter's byline is not an official's appearance
    p1 = data["officials_page1"].set_index("name")["articles"].to_dict()
    assert p1 == {"张三": 4, "李四": 2}

    places = data["places"].set_index("name")
    assert places.loc["新埭镇", "articles"] == 4 and places.loc["当湖街道", "articles"] == 2
    assert places.loc["当湖街道", "division_code"] == "330482001"
    assert data["places"].iloc[0]["name"] == "新埭镇"
    assert data["agencies"].iloc[0]["name"] == "平湖市发展和改革局"

    co = data["cooccurrence"].set_index(["official", "agency"])["articles"].to_dict()
    assert co == {("张三", "平湖市发展和改革局"): 2}
    tl = data["timeline"]
    assert list(tl.columns) == ["张三", "李四"] and tl["张三"].tolist() == [2, 2]
    assert set(data["towns"]["name"]) == {"新埭镇", "当湖街道"}


def test_report_html_is_self_contained(outputs: Path, tmp_path: Path) -> None:
    console, buf = _console()
    html = tmp_path / "rep" / "report.html"
    R.report(outputs, html=html, console=console)
    doc = html.read_text(encoding="utf-8")
    assert doc.startswith("<!DOCTYPE html>") and doc.count("<img") == 3
    assert "张三" in doc and "<table>" in doc
    assert not re.search(r"src=['\"](?!data:)", doc)  # nothing fetched from elsewhere
    b64 = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", doc).group(1)
    assert base64.b64decode(b64).startswith(b"\x89PNG")
    assert str(html) in buf.getvalue()


def test_report_on_empty_outputs(tmp_path: Path) -> None:
    console, buf = _console()
    data = R.report(tmp_path / "empty", html=tmp_path / "e.html", console=console)
    assert all(isinstance(v, pd.DataFrame) and v.empty for v in data.values())
    assert "no articles yet" in buf.getvalue()
    assert "<img" not in (tmp_path / "e.html").read_text(encoding="utf-8")


def test_cooccurrence_counts_articles_not_mentions(outputs: Path) -> None:
    t = load(outputs)
    co = R.cooccurrence(t)
    assert (co["articles"] <= t.articles.article_id.nunique()).all()
    assert list(co.columns) == ["official", "agency", "articles"]


def test_plot_style_is_scoped() -> None:
    import matplotlib

    before = matplotlib.rcParams["font.family"]
    with R.plot_style():
        pass
    assert matplotlib.rcParams["font.family"] == before
    assert R.cjk_font() is None or isinstance(R.cjk_font(), str)
