"""Checking a source's committed part files against its manifest record.

Its own module because both the manifest (``is_current``: may ``--resume`` skip a source?) and the
commit protocol's readers need it, and the commit protocol imports the manifest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.ingest import printable, sha256_of


def verify_parts(out_dir: Path, rec: dict[str, Any]) -> list[str]:
    """Problems with a record's part files: missing, unreadable, wrong row count or hash."""
    problems = []
    for table, part in (rec.get("parts") or {}).items():
        path = Path(out_dir) / str(part.get("file", ""))
        where = printable(path)
        try:
            rows = pq.ParquetFile(path).metadata.num_rows
            digest = sha256_of(path)
        except FileNotFoundError:
            problems.append(f"{where}: missing ({table} part of {rec.get('source_key', '?')})")
            continue
        except (OSError, pa.ArrowException) as exc:
            problems.append(f"{where}: unreadable Parquet ({str(exc).splitlines()[0]})")
            continue
        if rows != part.get("rows"):
            problems.append(f"{where}: {rows} rows, the manifest recorded {part.get('rows')}")
        elif digest != part.get("sha256"):
            problems.append(f"{where}: sha256 differs from the manifest's")
    return problems
