"""The exploration notebook runs top to bottom on real output tables and draws its charts.

It runs in a fresh ipykernel (the venv's "python3" kernel spec) against outputs written by the
same functions the pipeline uses, from synthetic records; the committed notebook must carry no
outputs, so a diff of it is a diff of code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from outputs_fixture import build_outputs

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "explore.ipynb"


def test_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.execution_count is None and c.outputs == [] for c in code)
    assert nb.metadata.kernelspec.name == "python3"


def test_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "outputs"
    build_outputs(out)
    monkeypatch.setenv("PINGHU_OUTPUTS", str(out))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # The kernel must import this checkout's pipeline, whatever else is on the path.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if o.output_type == "display_data" and "image/png" in o.get("data", {})]
    assert len(images) >= 3  # town coverage, network, timeline
    text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert f"{out}: 6 articles in 2 issues" in text
    assert "张三" in text
    month = next(c for c in nb.cells if c.cell_type == "code" and 'to_period("M")' in c.source)
    assert len(month.source.strip().splitlines()) <= 3 and "merge" not in month.source and "astype" not in month.source
    month_text = "".join(str(o.get("data", {}).get("text/plain", "")) for o in month.outputs)
    assert "2024-03" in month_text and "person:张三" in month_text  # top officials on page 1 per month
    # the report's filters, as the command line takes them, and the same count
    from pipeline import load
    from pipeline.report import Filters, apply_filters

    sel = apply_filters(load(out), Filters(pages=(1,), locality="新埭镇"))
    assert f"page 1; locality 新埭镇: {len(sel.articles)} articles, {len(sel.mentions)} mentions" in text
    assert 0 < len(sel.articles) < 6
    timeline = next(c for c in nb.cells if c.cell_type == "code" and "R.timeline(" in c.source)
    assert 'freq="M"' in timeline.source  # what the text above it says it plots
    stderr = "".join(str(o.get("text", "")) for o in outputs if o.output_type == "stream" and o.name == "stderr")
    assert "missing from font" not in stderr and "Glyph" not in stderr, stderr  # Chinese labels drawn
