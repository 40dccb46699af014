"""``pinghu-ner export``: the output tables as CSV files or one Excel workbook, filtered.

For readers who work in a spreadsheet.  The same filters as the report (dates, pages, locality)
pick the articles; mentions and people follow their articles, and entities and offices are the
ones those mentions name, recounted over them (no first or last seen date outside the window).
List columns (bylines, aliases, roles, jumps) become JSON text, since neither format has lists.
CSV is written as UTF-8 with a byte-order mark, which Excel needs to read Chinese correctly;
Excel cells hold at most 32,767 characters, so longer article texts are cut there in the
workbook (the CSV keeps them whole) and the cut is counted in the returned summary.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.report.filters import Filters, apply_filters, outputs_gazetteer
from pipeline.store import TABLE_NAMES, Tables, load

FORMATS = ("csv", "xlsx")
EXCEL_CELL_MAX = 32767


def _plain(v: Any) -> Any:
    """A list/struct cell as JSON text; other values unchanged."""
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    if hasattr(v, "tolist") and not isinstance(v, str):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        return json.dumps([_plain_obj(x) for x in v], ensure_ascii=False)
    return v


def _plain_obj(v: Any) -> Any:
    return v.tolist() if hasattr(v, "tolist") else v


def flat(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with list columns as JSON text and dates as dates (no time part)."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object and out[c].map(lambda v: hasattr(v, "__len__") and not isinstance(v, str)).any():
            out[c] = out[c].map(_plain)
        elif pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.date
    return out


def selected(out_dir: str | Path, filters: Filters | None = None) -> Tables:
    """The tables of ``out_dir`` after ``filters``: every table cut to the selected articles,
    entities and offices recounted from their mentions (:func:`~pipeline.report.filters.apply_filters`)."""
    tables = load(out_dir)
    gazetteer = outputs_gazetteer(out_dir) if filters is not None and filters.locality else None
    return apply_filters(tables, filters, gazetteer)


def inside_outputs(dest: str | Path, out_dir: str | Path) -> Path | None:
    """``out_dir`` (resolved) when ``dest`` is it or lies inside it, else None.

    Why refused: a CSV or workbook written into the Parquet tree is a file no manifest lists,
    read by a ``**/*`` glob and in the way of ``check``; exports go beside the outputs."""
    target, root = Path(dest).resolve(), Path(out_dir).resolve()
    return root if target == root or root in target.parents else None


def _write_csv(t: Tables, dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in TABLE_NAMES:
        path = dest / f"{name}.csv"
        flat(t[name]).to_csv(path, index=False, encoding="utf-8-sig")
        paths.append(path)
    return paths


def _write_xlsx(t: Tables, dest: Path) -> tuple[list[Path], int]:
    """The workbook is built in memory and written in one go: a write that fails (a full disk,
    a read-only place) is one ``OSError`` here, not a half-closed zip archive failing again when
    it is collected."""
    import io

    dest.parent.mkdir(parents=True, exist_ok=True)
    cut = 0
    book = io.BytesIO()
    with pd.ExcelWriter(book, engine="openpyxl") as xl:
        for name in TABLE_NAMES:
            df = flat(t[name])
            for c in df.columns:
                if df[c].dtype == object or pd.api.types.is_string_dtype(df[c]):
                    col = df[c].astype(object)
                    cut += int(col.map(lambda v: isinstance(v, str) and len(v) > EXCEL_CELL_MAX).sum())
                    df[c] = col.map(lambda v: v[:EXCEL_CELL_MAX] if isinstance(v, str) else v)
            df.to_excel(xl, sheet_name=name, index=False)
    with open(dest, "wb") as fh:
        fh.write(book.getbuffer())
    return [dest], cut


def export(out_dir: str | Path, dest: str | Path, fmt: str, filters: Filters | None = None) -> dict[str, Any]:
    """Write the (filtered) tables of ``out_dir`` to ``dest``: a directory of CSVs, or one .xlsx.

    Returns ``{"paths": [...], "rows": {table: n}, "cut_cells": n}``.  Refuses (ValueError) a
    ``dest`` inside an outputs directory (:func:`inside_outputs`).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}")
    root = inside_outputs(dest, out_dir)
    if root is not None:
        raise ValueError(f"{dest}: inside the outputs directory {root}; write exports beside it, not into it")
    t = selected(out_dir, filters)
    dest = Path(dest)
    if fmt == "csv":
        paths, cut = _write_csv(t, dest), 0
    else:
        paths, cut = _write_xlsx(t, dest)
    return {"paths": paths, "rows": {name: len(t[name]) for name in TABLE_NAMES}, "cut_cells": cut}


__all__ = ["FORMATS", "export", "flat", "inside_outputs", "selected"]
