"""Same tables whatever the number of workers or the engine (local processes, Dask LocalCluster)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli.main import main

PAGE = """## {town}召开{n}月工作例会

■记者 芮晓峰

本报讯 {n}月{d}日，{town}召开工作例会。镇党委书记卜建军出席会议，要求各村做好防汛准备。市应急管理局有关负责人参加。

会上，{town}各村负责人汇报了工作进展。
"""
TOWNS = ["新埭镇", "广陈镇", "林埭镇", "乍浦镇"]


def _inputs(d: Path) -> Path:
    d.mkdir()
    for i, town in enumerate(TOWNS):
        (d / f"2024-06-{i + 1:02d}_p1.md").write_text(PAGE.format(town=town, n=6, d=i + 1), encoding="utf-8")
    return d


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    keys = {"articles": "article_id", "mentions": "mention_id", "people": "article_id"}
    tabs = {}
    for t, k in keys.items():
        df = pd.read_parquet(out / t)
        df = df.astype({c: "string" for c in df.columns if str(df[c].dtype) == "category"})
        tabs[t] = df.sort_values([k, *([c for c in ("name",) if c in df.columns])]).reset_index(drop=True)
    ent = pd.read_parquet(out / "entities" / "entities.parquet")
    tabs["entities"] = ent.sort_values("entity_id").reset_index(drop=True)
    return tabs


def _same(a: Path, b: Path) -> None:
    ta, tb = _tables(a), _tables(b)
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], check_like=True, obj=name)


@pytest.mark.slow
def test_two_workers_equal_one(tmp_path: Path) -> None:
    inp = _inputs(tmp_path / "in")
    assert main(["run", str(inp), "--out", str(tmp_path / "w1"), "--quiet"]) == 0
    assert main(["run", str(inp), "--out", str(tmp_path / "w2"), "--quiet", "--workers", "2"]) == 0
    _same(tmp_path / "w1", tmp_path / "w2")
    m1 = json.loads((tmp_path / "w1" / "manifest.json").read_text(encoding="utf-8"))
    m2 = json.loads((tmp_path / "w2" / "manifest.json").read_text(encoding="utf-8"))
    assert list(m1["files"]) == list(m2["files"])  # sorted by identity, whatever N


@pytest.mark.slow
def test_dask_local_cluster_equals_single_process(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    inp = _inputs(tmp_path / "in")
    assert main(["run", str(inp), "--out", str(tmp_path / "local"), "--quiet"]) == 0
    code = main(["run", str(inp), "--out", str(tmp_path / "dask"), "--quiet", "--engine", "dask", "--workers", "2"])
    assert code == 0
    _same(tmp_path / "local", tmp_path / "dask")
