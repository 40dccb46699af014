"""The interactive HTML report in a real browser: Debian's chromium, headless.

Loads the report from disk (no server, no network), dumps the DOM after the scripts ran and
takes a screenshot.  Passes when no console message was logged, every chart has Plotly's SVG
with its traces drawn, the articles are rendered with linked entities, and the embedded CJK font
loaded.  Screenshots are written to ``$PINGHU_TEST_ARTIFACTS`` (default ``tests/artifacts/``,
ignored by git; CI keeps them).

Without a browser the tests skip and say why, except under ``CI=true``, where a missing browser
is a failure: ``.ci/run`` installs chromium.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import subprocess
from pathlib import Path

import pytest
from chromium_page import ARTIFACTS, chromium, console, find_browser
from outputs_fixture import build_outputs

from pipeline import report as R
from pipeline.report.data import Filters
from pipeline.report.html import write_html
from pipeline.store import load

CHARTS = {"chart-timeline": "trace scatter", "chart-towns": "trace bars", "chart-network": "trace scatter"}
WINDOW = (1280, 2600)


@pytest.fixture(scope="module")
def browser() -> str:
    return find_browser()


def _chromium(browser: str, page: Path, *args: str, fragment: str = "") -> subprocess.CompletedProcess[str]:
    return chromium(browser, page, *args, window=WINDOW, fragment=fragment)


def _console(stderr: str) -> list[str]:
    return console(stderr)


def _section(dom: str, div_id: str) -> str:
    start = dom.index(f'id="{div_id}"')
    end = dom.find("</section>", start)
    return dom[start:end]


def _check_dom(dom: str, n_articles: int) -> None:
    body = re.search(r"<body([^>]*)>", dom).group(1)
    assert f'data-rendered="{n_articles}"' in body, body
    assert 'data-errors="0"' in body and 'data-font="loaded"' in body, body
    for div_id, trace in CHARTS.items():
        chart = _section(dom, div_id)
        assert 'class="main-svg"' in chart, f"{div_id}: no Plotly SVG"
        assert trace in chart, f"{div_id}: no {trace} drawn"
    assert dom.count("<article ") == min(n_articles, 30)
    assert re.search(r'<a class="m PERSON official" href="#e-[^"]+" title="person:[^"]+" data-entity=', dom)


def _screenshot(browser: str, page: Path, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / name
    shot.unlink(missing_ok=True)
    _chromium(browser, page, f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG")
    assert struct.unpack(">II", data[16:24]) == WINDOW  # the whole page we asked for, not another window
    assert len(data) > 100_000  # charts and text, not a blank page
    return shot


@pytest.mark.slow
def test_report_in_chromium_on_the_sample_page(browser: str, seed_outputs: Path, tmp_path: Path) -> None:
    t = load(seed_outputs)
    page = write_html(tmp_path / "report.html", t, "平湖日报 sample page")
    res = _chromium(browser, page, "--dump-dom")
    assert not _console(res.stderr), _console(res.stderr)
    _check_dom(res.stdout, len(t.articles))
    names = set(t.people.query("is_official").name)
    assert any(name in _section(res.stdout, "chart-network") for name in names)  # labels drawn as SVG text
    _screenshot(browser, page, "report-sample.png")


def test_report_filters_in_chromium(browser: str, tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    build_outputs(out)
    t = load(out)
    page = write_html(tmp_path / "report.html", t, "两期 测试", Filters(pages=(1,)))
    res = _chromium(browser, page, "--dump-dom")
    assert not _console(res.stderr), _console(res.stderr)
    n_page1 = int((t.articles.page == 1).sum())
    assert 0 < n_page1 < len(t.articles)
    _check_dom(res.stdout, n_page1)
    towns = _section(res.stdout, "chart-towns")
    assert "新埭镇" in towns and "当湖街道" in towns
    _screenshot(browser, page, "report-filtered.png")


def test_date_and_locality_filters_from_the_address(browser: str, tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    build_outputs(out)
    t = load(out)
    page = write_html(tmp_path / "report.html", t, "filters")
    res = _chromium(browser, page, "--dump-dom", fragment="from=2024-03-02&locality=gz:town:danghu")
    assert not _console(res.stderr), _console(res.stderr)
    expected = R.apply_filters(t, R.Filters(date_from=dt.date(2024, 3, 2), locality="gz:town:danghu")).articles
    assert len(expected) == 1
    _check_dom(res.stdout, len(expected))
    assert expected.article_id.iloc[0] in res.stdout and "2024-03-01 · page" not in res.stdout


def test_axes_stay_readable_over_many_issues(browser: str, tmp_path: Path) -> None:
    """Counts in the tens get a few ticks, not one per article (which drew an unreadable smear)."""
    from outputs_fixture import PAPER, FakeGazetteer, issue_pages, mentions_for

    from pipeline.store.derived import rebuild_entities
    from pipeline.store.tables import source_key, write_source

    out = tmp_path / "outputs"
    for i in range(40):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=3 * i)
        for page, arts in issue_pages(day).items():
            ments = [m for a in arts for m in mentions_for(a)]
            write_source(out, source_key(f"/in/{day:%Y%m%d}_{page:02d}.md"), PAPER, day, arts, ments)
    rebuild_entities(out, FakeGazetteer())
    page = write_html(tmp_path / "report.html", load(out), "many issues")
    dom = _chromium(browser, page, "--dump-dom").stdout
    for div_id, axis in (("chart-timeline", "ytick"), ("chart-towns", "xtick")):
        ticks = _section(dom, div_id).count(f'class="{axis}"')
        assert 2 <= ticks <= 15, (div_id, ticks)


def test_console_errors_are_caught(browser: str, tmp_path: Path) -> None:
    """The check above can fail: a page that throws is seen."""
    page = tmp_path / "bad.html"
    page.write_text("<html><body><script>undefinedFunction();</script></body></html>", encoding="utf-8")
    assert any("ReferenceError" in m for m in _console(_chromium(browser, page, "--dump-dom").stderr))
