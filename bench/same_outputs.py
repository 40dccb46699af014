"""Compare two outputs directories table by table, row by row.

Why: a refactor that moves code must leave every table the same; this is the check that says so
(``python -m bench.same_outputs OLD NEW``).  Rows are compared as values (order-independent within
a table, since part files are read in directory order), with columns that record *when* or *how
long* a run took left out: ``manifest.json``'s ``seconds``, ``started`` and the run records.
Exit 0 when every table holds the same rows, 1 otherwise, with one line per difference.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds

TABLES = ("articles", "mentions", "people", "entities", "offices")


def table_rows(out_dir: Path, table: str) -> pd.DataFrame | None:
    """Every row of ``table`` under ``out_dir`` (all part files), columns in name order, or None."""
    base = out_dir / table
    if not base.exists():
        return None
    files = sorted(str(p) for p in base.rglob("*.parquet") if not p.name.startswith("."))
    if not files:
        return None
    frames = [ds.dataset(f, format="parquet").to_table().to_pandas() for f in files]
    df = pd.concat(frames, ignore_index=True)
    df = df[sorted(df.columns)]
    # repr, not astype(str): pandas' string dtype keeps missing values as NA, which never equals itself.
    df = df.map(lambda v: repr(v.tolist()) if hasattr(v, "tolist") else repr(v))
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def compare(old: Path, new: Path) -> list[str]:
    """One line per table that differs (missing on one side, other columns, other rows)."""
    problems: list[str] = []
    for table in TABLES:
        a, b = table_rows(old, table), table_rows(new, table)
        if a is None and b is None:
            continue
        if a is None or b is None:
            problems.append(f"{table}: present in {'new' if a is None else 'old'} only")
            continue
        if list(a.columns) != list(b.columns):
            problems.append(f"{table}: columns differ: {sorted(set(a.columns) ^ set(b.columns))}")
            continue
        if len(a) != len(b):
            problems.append(f"{table}: {len(a)} rows before, {len(b)} after")
            continue
        diff = (a != b).any(axis=1)
        if diff.any():
            i = int(diff.idxmax())
            cols = [c for c in a.columns if a.at[i, c] != b.at[i, c]]
            problems.append(f"{table}: {int(diff.sum())} rows differ (first at sorted row {i}, columns {cols})")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.same_outputs", description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    args = ap.parse_args(argv)
    problems = compare(args.old, args.new)
    for p in problems:
        print(p)
    counts = {t: (len(r) if (r := table_rows(args.new, t)) is not None else 0) for t in TABLES}
    print(("same" if not problems else "DIFFERENT") + ": " + ", ".join(f"{t} {n}" for t, n in counts.items()))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
