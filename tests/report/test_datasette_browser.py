"""``pinghu-ner browse`` in a real browser: Datasette serving the SQLite export, read in Chromium.

Starts ``python -m pipeline browse`` on a free port over the two-issue outputs, then acts as a
reader in headless Chromium (over the DevTools pipe, :mod:`chromium_cdp`): reads the facets of
mentions, clicks one, types in the articles' search box and submits it.  Every count the page shows is
checked against pandas on ``pipeline.load`` of the same outputs.  A screenshot of the search
page goes to ``tests/artifacts/`` (CI keeps it).

Without Chromium or Datasette the tests skip and say why, except under ``CI=true``, where either
missing is a failure (``.[dev]`` installs Datasette; ``.ci/run`` installs chromium).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pandas as pd
import pytest
from chromium_cdp import Chromium

from pipeline.store import load

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("PINGHU_TEST_ARTIFACTS", ROOT / "tests" / "artifacts"))
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def _missing(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    _missing("no chromium on PATH (Debian: apt-get install -y chromium); the Datasette browser test did not run")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(proc: subprocess.Popen[bytes], url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"browse exited with {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as res:
                if res.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"Datasette did not answer at {url} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``pinghu-ner browse`` over the two-issue outputs: (base address of the database, outputs)."""
    try:
        import datasette  # noqa: F401
    except ImportError:
        _missing("datasette is not installed (pip install -e '.[dev]'); the Datasette browser test did not run")
    from outputs_fixture import build_outputs

    out = tmp_path_factory.mktemp("browse") / "outputs"
    build_outputs(out)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "browse", "--outputs", str(out), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_ready(proc, f"http://127.0.0.1:{port}/-/versions.json")
        yield f"http://127.0.0.1:{port}/outputs", out
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends: Datasette stops, browse removes its database
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def _facet(page: Chromium, column: str) -> dict[str, int]:
    """The values and counts the facet box of ``column`` shows."""
    items = page.js(f"[...document.querySelectorAll('#facet-{column} li')].map(li => li.textContent.trim())")
    out = {}
    for item in items:
        m = re.fullmatch(r"(.+?)\s+([\d,]+)", item)
        assert m, item
        out[m.group(1)] = int(m.group(2).replace(",", ""))
    return out


def _shown_rows(page: Chromium) -> int:
    """The row count in the page's heading ("4 rows where search matches …")."""
    heading = " ".join(page.js("document.querySelector('h3').textContent").split())
    m = re.match(r"([\d,]+) rows?\b", heading)
    assert m, heading
    return int(m.group(1).replace(",", ""))


def _counts(s: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in s.value_counts().items()}


def test_a_facet_clicked_in_datasette_shows_the_pandas_counts(browser: str, served: tuple[str, Path]) -> None:
    base, out = served
    m = load(out).mentions
    with Chromium(browser) as page:
        page.goto(f"{base}/mentions")
        assert _shown_rows(page) == len(m)
        assert _facet(page, "type") == _counts(m["type"].astype(str))
        assert _facet(page, "issue_month") == _counts(m["issue_date"].dt.strftime("%Y-%m"))
        page.click("#facet-type a[href*='type=PERSON']")
        person = m[m["type"] == "PERSON"]
        assert 0 < len(person) < len(m)
        assert "type=PERSON" in page.js("location.href")
        assert _shown_rows(page) == len(person)
        assert _facet(page, "page") == _counts(person["page"])
        assert _facet(page, "role") == _counts(person["role"].dropna().astype(str))


def test_full_text_search_in_datasette_finds_what_pandas_finds(browser: str, served: tuple[str, Path]) -> None:
    base, out = served
    a = load(out).articles
    with Chromium(browser) as page:
        for query in ("张三", "新埭镇", "市长李四主持"):  # two characters, three, a phrase
            page.goto(f"{base}/articles")
            page.submit("#_search", query)
            assert f"_search={query}" in urllib.parse.unquote(page.js("location.href"))
            hit = a[a["headline"].fillna("").str.contains(query) | a["text"].str.contains(query)]
            assert 0 < len(hit) < len(a), query
            assert _shown_rows(page) == len(hit), query
            shown = page.js("[...document.querySelectorAll('td.col-article_id')].map(td => td.textContent.trim())")
            assert sorted(shown) == sorted(hit["article_id"]), query
        page.goto(f"{base}/articles")
        page.submit("#_search", "不存在的词")
        assert _shown_rows(page) == 0
        page.goto(f"{base}/articles")
        page.submit("#_search", "张三")
        page.screenshot(ARTIFACTS / "datasette-search.png")
