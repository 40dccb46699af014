"""Charts that tell the truth, on a real run over a 15-issue archive with months of no issue:
zero-filled time axes, series told apart, a layout that fits a 390 px phone and a 1400 px screen,
and a terminal report that shows current offices and whole dates at 80 columns.

The layout is measured in headless Chromium by ``chromium_page``'s probe (elements past the
viewport, chart labels outside their chart, the toolbar over a plot, entity names wrapped);
screenshots at both widths go to ``PINGHU_TEST_ARTIFACTS`` (default ``tests/artifacts/``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from archive_fixture import build_archive
from chromium_page import chromium, find_browser, layout_problems, screenshot
from rich.console import Console

from pipeline import report as R
from pipeline.report.html import write_html
from pipeline.store import load


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("archive"))


def _section(dom: str, div_id: str) -> str:
    start = dom.index(f'id="{div_id}"')
    return dom[start:dom.find("</section>", start)]


def test_timeline_is_zero_filled_at_the_chosen_frequency(archive: Path) -> None:
    t = load(archive)
    tl = R.timeline(t)  # 14 months between the first issue and the last: months
    assert tl.attrs["freq"] == "M"
    months = pd.date_range("2023-03-01", "2024-05-01", freq="MS")
    assert list(tl.index) == list(months)
    issued = set(pd.to_datetime(t.articles["issue_date"]).dt.to_period("M").dt.start_time)
    empty = [m for m in months if m not in issued]
    assert len(empty) >= 9 and (tl.loc[empty] == 0).all().all()  # months with no issue: 0, drawn as 0
    top = R.top_officials(t, 5).set_index("name")["articles"]
    assert tl.sum().to_dict() == top.to_dict()  # every appearance counted once, in its month
    by_issue = R.timeline(t, freq="issue")
    assert list(by_issue.index) == sorted(pd.to_datetime(t.articles["issue_date"]).unique())
    assert (by_issue == 0).any().all()  # each official is absent from some issue, and shown so
    weeks = R.timeline(t, freq="W").index
    assert (pd.Series(weeks).diff().dropna() == pd.Timedelta(days=7)).all()
    may = R.apply_filters(t, R.Filters(date_from=dt.date(2024, 5, 1)))
    assert R.timeline(may).attrs["freq"] == "issue"  # three weeks: each issue
    with pytest.raises(ValueError, match="freq"):
        R.timeline(t, freq="Q")


def test_png_timeline_series_are_told_apart(archive: Path, tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    tl = R.timeline(load(archive))
    ax = Figure().subplots()
    R.plot_timeline(ax, tl)
    lines = ax.get_lines()
    assert len(lines) == len(tl.columns) == 5
    assert len({(str(ln.get_linestyle()), ln.get_marker()) for ln in lines}) == 5  # dash and marker each
    assert len({ln.get_linestyle() for ln in lines[:4]}) == 4 and len({ln.get_marker() for ln in lines}) == 5
    assert all(len(ln.get_xdata()) == len(tl.index) == 15 for ln in lines)  # a point for every month
    assert [p.name for p in R.write_pngs(R.build(load(archive)), tmp_path)] == ["towns.png", "timeline.png", "network.png"]


@pytest.fixture(scope="module")
def pages(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("pages")
    t = load(archive)
    return {
        "all": write_html(tmp / "all.html", t, f"pinghu-ner report: {archive}"),
        "local-2024": write_html(tmp / "local.html", t, f"pinghu-ner report: {archive}",
                                 R.Filters(date_from=dt.date(2024, 1, 1), locality="local")),
    }


def test_html_timeline_zero_filled_and_told_apart(pages: dict[str, Path]) -> None:
    browser = find_browser()
    dom = chromium(browser, pages["all"], "--dump-dom").stdout
    chart = _section(dom, "chart-timeline")
    traces = chart.split('<g class="trace scatter')[1:]
    assert len(traces) == 5
    assert [tr.count('class="point"') for tr in traces] == [15] * 5  # every month, zeros included
    dashes = [re.search(r'class="js-line"[^>]*style="[^"]*?(stroke-dasharray: [^;]*;|stroke-width)', tr).group(1)
              for tr in traces]
    assert len(set(dashes)) == 5, dashes
    symbols = [re.search(r'class="point" [^>]*d="([^"]*)"', tr).group(1) for tr in traces]
    assert len(set(symbols)) == 5  # a marker shape each


@pytest.mark.parametrize("width", [390, 1400])
def test_nothing_is_clipped(pages: dict[str, Path], width: int) -> None:
    browser = find_browser()
    for name, page in pages.items():
        problems, data = layout_problems(browser, page, width)
        assert problems == [], (name, width, problems)
        assert int(data["rendered"]) > 0 and data["errors"] == "0"
        shot = screenshot(browser, page, f"report-{name}-{width}px.png", width)
        from PIL import Image

        with Image.open(shot) as img:
            assert img.width == width and len(img.getcolors(1 << 20) or range(1000)) > 50  # drawn, not blank


PROBED_FAULTS = """<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>
<div style="width:900px">a block wider than a phone</div>
<div class="chart" id="c" style="position:relative;width:300px;height:200px">
  <div class="modebar" style="position:absolute;top:20px;right:0;width:120px;height:20px"></div>
  <svg class="main-svg" width="300" height="200"><rect class="nsewdrag" x="0" y="10" width="300" height="180"/>
  <text x="250" y="100">平湖市发展和改革局</text></svg></div>
<table id="entities"><tr><td style="white-space:normal;width:1em">平湖市发展和改革局</td></tr></table>
<script>document.body.dataset.rendered = "1";</script></body></html>
"""


def test_the_layout_probe_can_fail(tmp_path: Path) -> None:
    page = tmp_path / "faults.html"
    page.write_text(PROBED_FAULTS, encoding="utf-8")
    problems, _ = layout_problems(find_browser(), page, 390)
    text = "\n".join(problems)
    assert "div spans" in text and "label '平湖市发展和改革局' clipped" in text, text
    assert "c: toolbar over the plot" in text and "entities: '平湖市发展和改革局' wraps" in text, text


def _current_roles(t: object) -> dict[str, str]:
    """Per person, the title of their latest mention that names an office (else any title)."""
    m = t.mentions[(t.mentions["type"] == "PERSON") & t.mentions["role"].notna() & t.mentions["entity_id"].notna()]
    m = m.assign(has_office=m["offices"].map(len) > 0, when=pd.to_datetime(m["issue_date"]))
    m = m.sort_values(["has_office", "when", "page", "article_id", "start"])
    return m.groupby("entity_id")["role"].last().astype(str).to_dict()


def test_terminal_shows_current_offices_and_whole_dates_at_80_columns(archive: Path) -> None:
    buf = io.StringIO()
    data = R.report(archive, console=Console(file=buf, width=80, force_terminal=False, color_system=None))
    text = buf.getvalue()
    offices = data["offices"]
    assert not offices.empty
    for day in pd.concat([offices["first_seen"], offices["last_seen"]]).astype(str):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) and day in text, day  # never cut to 2024-0…
    current = _current_roles(load(archive))
    top = data["officials"]
    assert top["role"].tolist() == [current[p] for p in top["person_id"]]
    most_often = load(archive).people.groupby("person_id")["role"].agg(lambda s: s.mode().iat[0] if s.notna().any() else None)
    changed = [p for p in top["person_id"] if most_often[p] != current[p]]
    assert changed  # someone's current office is not the one printed most: the two readings differ here
