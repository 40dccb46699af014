"""Opening a report page in headless Chromium (Debian's ``chromium``) and reading what it drew.

Shared by the browser tests.  The page is loaded from disk with the network cut off, in a
profile of its own, at a given window size; ``--dump-dom`` gives the DOM after the scripts ran
and ``--screenshot`` a PNG.  :func:`with_probe` writes a copy of the page with a script that,
once the report has rendered, measures the layout in the browser and writes what it found into
``<body data-overflow=…>``: every element past the viewport's right or left edge (outside a
horizontal scroller, which is allowed to scroll), every chart label outside its chart (or a
point label outside the plot area, where Plotly clips it), the toolbar over a plot area, and an
entity-table cell wrapped onto more than one line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
ARTIFACTS = Path(os.environ.get("PINGHU_TEST_ARTIFACTS", Path(__file__).parents[1] / "artifacts"))


def find_browser() -> str:
    """The browser's path; a skip (a failure under CI=true) when there is none."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    reason = "no chromium on PATH (Debian: apt-get install -y chromium); the browser test did not run"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


MIN_WINDOW = 500  # headless chromium widens a narrower window to this (and ignores a scale factor)


def chromium(browser: str, page: Path, *args: str, window: tuple[int, int] = (1280, 2600),
             fragment: str = "") -> subprocess.CompletedProcess[str]:
    """Run the browser once on ``page`` in a window of ``window`` pixels.  A profile of its own:
    without one, a second chromium may hand the page to a running one (another test's),
    ignoring our window size and flags."""
    profile = tempfile.mkdtemp(prefix="pinghu-chromium-")
    cmd = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
        f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
        "--enable-logging=stderr", "--v=0",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: a fetch from elsewhere fails, and is logged
        "--virtual-time-budget=20000", f"--window-size={window[0]},{window[1]}",
        *args, page.as_uri() + (f"#{fragment}" if fragment else ""),
    ]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert res.returncode == 0, res.stderr[-2000:]
    return res


def console(stderr: str) -> list[str]:
    """Messages the page logged (chromium prints them as ``…:CONSOLE(line)] "msg", source: …``)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def body_data(dom: str) -> dict[str, str]:
    """The ``data-*`` attributes of ``<body>`` in a dumped DOM."""
    body = re.search(r"<body([^>]*)>", dom).group(1)
    return {k: v.replace("&quot;", '"').replace("&amp;", "&") for k, v in re.findall(r'data-([\w-]+)="([^"]*)"', body)}


PROBE = r"""
<script>
(function () {
  const box = (el) => el.getBoundingClientRect();
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className ? "." + el.className.split(" ").join(".") : "");
  const outside = (r, c) => r.left < c.left - 1 || r.right > c.right + 1 || r.top < c.top - 1 || r.bottom > c.bottom + 1;
  const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  function probe() {
    const vw = document.documentElement.clientWidth, bad = [];
    const scrollers = [...document.querySelectorAll(".table-scroll")];
    for (const el of document.querySelectorAll("body *")) {
      if (scrollers.some((s) => s !== el && s.contains(el))) continue;  // scrolls inside its own box
      // Inside a chart only its drawing surfaces and labels count (checked below): Plotly's drag
      // handles reach past the plot by design, and its text-measuring svg sits far off screen.
      if (el.closest("svg") && !el.matches(".main-svg") || el.closest("#js-plotly-tester")) continue;
      const r = box(el);
      if (r.width && (r.right > vw + 1 || r.left < -1)) bad.push(name(el) + " spans " + Math.round(r.left) + ".." + Math.round(r.right));
    }
    for (const chart of document.querySelectorAll(".chart")) {
      const c = box(chart), drag = chart.querySelector(".nsewdrag"), area = drag ? box(drag) : c;
      for (const t of chart.querySelectorAll("svg text")) {
        const r = box(t);
        if (r.width && outside(r, t.closest(".textpoint") ? area : c)) bad.push(chart.id + ": label '" + t.textContent + "' clipped");
      }
      const bar = chart.querySelector(".modebar");
      if (bar && drag && box(bar).width && meet(box(bar), area)) bad.push(chart.id + ": toolbar over the plot");
    }
    const line = parseFloat(getComputedStyle(document.body).fontSize) * 2;
    for (const td of document.querySelectorAll("#entities td")) if (box(td).height > line) bad.push("entities: '" + td.textContent + "' wraps");
    document.body.dataset.overflow = JSON.stringify(bad);
    document.body.dataset.viewport = String(vw);
    const said = document.getElementById("built-with");  // the filters the page says it opened with
    document.body.dataset.builtWith = said ? said.textContent : "";
    if (window.parent !== window) window.parent.postMessage(JSON.stringify(Object.assign({}, document.body.dataset)), "*");
  }
  (function wait() { if (document.body.dataset.rendered) setTimeout(probe, 1000); else setTimeout(wait, 100); })();
})();
</script>
"""


FRAME = """<!DOCTYPE html><html><head><meta charset='utf-8'></head><body style='margin:0'>
{frames}
<script>window.addEventListener("message", function (e) {{
  const d = JSON.parse(e.data);
  if (window.frames.length === 1) {{ for (const k in d) document.body.dataset[k] = d[k]; return; }}
  for (let i = 0; i < window.frames.length; i++) if (window.frames[i] === e.source) document.body.dataset["frame" + i] = e.data;
}});</script></body></html>
"""
IFRAME = "<iframe src='{src}' style='width:{width}px;height:{height}px;border:0;display:block'></iframe>"


def with_probe(page: Path) -> Path:
    """A copy of ``page`` (beside it) that measures its own layout once rendered (module doc)."""
    probed = page.with_name(page.stem + ".probe.html")
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    return probed


def framed(page: Path, width: int, height: int) -> tuple[Path, tuple[int, int]]:
    """``page`` as the browser shows it at ``width`` CSS pixels, and the window to open it in.

    Headless chromium makes no window narrower than :data:`MIN_WINDOW`, so a phone's 390 px
    is an iframe of that width in a wider window: inside it the page has a 390 px viewport
    (its media queries, ``clientWidth`` and Plotly's resizing all see 390), and the probe
    posts what it found to the frame, whose ``<body>`` then carries it."""
    if width >= MIN_WINDOW:
        return page, (width, height)
    frame = page.with_name(f"{page.stem}.{width}px.html")
    frame.write_text(FRAME.format(frames=IFRAME.format(src=page.name, width=width, height=height)), encoding="utf-8")
    return frame, (MIN_WINDOW, height)


def rendered_many(browser: str, pages: list[Path], width: int = 1000, height: int = 600) -> list[dict[str, str]]:
    """The body data of each of ``pages`` (all in one directory) once rendered, with the layout
    probe's findings and ``builtWith``: one browser opens them side by side in frames, which
    is a second a page, where a browser per page took four."""
    probed = [with_probe(p) for p in pages]
    frames = "\n".join(IFRAME.format(src=p.name, width=width, height=height) for p in probed)
    parent = pages[0].with_name("frames.html")
    parent.write_text(FRAME.format(frames=frames), encoding="utf-8")
    res = chromium(browser, parent, "--dump-dom", window=(width + 20, height))
    assert not console(res.stderr), console(res.stderr)
    data = body_data(res.stdout)
    missing = [str(p) for i, p in enumerate(pages) if f"frame{i}" not in data]
    assert not missing, f"pages that never rendered: {missing}"
    return [json.loads(data[f"frame{i}"]) for i in range(len(pages))]


def layout_problems(browser: str, page: Path, width: int, height: int = 2400) -> tuple[list[str], dict[str, str]]:
    """What :func:`with_probe` found at ``width`` CSS pixels, and the page's body data attributes."""
    shown, window = framed(with_probe(page), width, height)
    res = chromium(browser, shown, "--dump-dom", window=window)
    assert not console(res.stderr), console(res.stderr)
    data = body_data(res.stdout)
    assert data.get("viewport") == str(width), data  # the viewport we asked for, measured
    return json.loads(data["overflow"]), data


def screenshot(browser: str, page: Path, name: str, width: int, height: int = 2400) -> Path:
    """A PNG of ``page`` at ``width`` CSS pixels in :data:`ARTIFACTS` (``PINGHU_TEST_ARTIFACTS``,
    which CI keeps), cut to that width when it was shown in a frame."""
    from PIL import Image

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / name
    shot.unlink(missing_ok=True)
    shown, window = framed(page, width, height)
    chromium(browser, shown, f"--screenshot={shot}", window=window)
    with Image.open(shot) as img:
        assert img.size == window, img.size
        if img.width != width:
            img.crop((0, 0, width, height)).save(shot)
    return shot
