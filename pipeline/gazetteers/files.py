"""Reading a gazetteer directory's files, checked: a missing or malformed file is one
:class:`GazetteerError` naming the file, the line and the field, never a ``KeyError`` from deep
inside the loader (or, worse, a gazetteer that loads with no places because a file is absent).

``gazetteer.json`` and ``divisions.csv`` are required; ``areas.csv`` and ``agencies.csv`` may be
absent (a county with no development zones, a gazetteer of places only) but, when present, must
have their columns.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Collection, Mapping
from pathlib import Path

from pipeline.errors import read_json
from pipeline.ingest import printable


class GazetteerError(ValueError):
    """A gazetteer file that is missing or malformed.  ``where`` is the file's name (with the line
    when one row is at fault) and ``problem`` what is wrong; the message adds the full path."""

    def __init__(self, path: Path, problem: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.problem = problem
        self.line = line
        at = f" line {line}" if line else ""
        self.where = f"{printable(self.path.name)}{at}"
        super().__init__(f"{printable(self.path)}{at}: {problem}")


def read_csv(path: Path, required: tuple[str, ...], *, optional: bool = False,
             values: Mapping[str, Collection[str]] | None = None) -> list[dict[str, str]]:
    """The rows of ``path`` (values stripped); every column of ``required`` present and non-empty
    in every row, and a column of ``values`` one of its allowed values.  A missing file is ``[]``
    when ``optional``, else an error."""
    if not path.is_file():
        if optional:
            return []
        what = "missing" if not path.exists() else "not a file"
        raise GazetteerError(path, f"{what} (a gazetteer needs it, with columns {', '.join(required)})")
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            absent = [c for c in required if c not in header]
            if absent:
                has = ", ".join(header) or "nothing"
                raise GazetteerError(path, f"no column {absent[0]!r} (the header has: {has})", 1)
            return [_row(path, reader.line_num, row, required, values or {}) for row in reader]
    except UnicodeDecodeError as exc:
        raise GazetteerError(path, f"not UTF-8 text (bad byte at {exc.start})") from None
    except csv.Error as exc:
        raise GazetteerError(path, f"not a CSV file ({exc})") from None
    except OSError as exc:
        raise GazetteerError(path, f"unreadable: {exc.strerror or exc}") from None


def _row(path: Path, line: int, row: dict, required: tuple[str, ...],
         values: Mapping[str, Collection[str]]) -> dict[str, str]:
    if None in row:
        raise GazetteerError(path, "more fields than the header has columns", line)
    out = {k: (v or "").strip() for k, v in row.items()}
    for c in required:
        if not out[c]:
            raise GazetteerError(path, f"empty {c!r}", line)
    for c, allowed in values.items():
        if out.get(c, "") not in allowed:
            raise GazetteerError(path, f"{c} {out.get(c, '')!r} is not one of {', '.join(allowed)}", line)
    return out


def read_config(path: Path, required: tuple[str, ...], lists: tuple[str, ...] = ()) -> dict[str, object]:
    """``gazetteer.json`` as a dict with every key of ``required`` a non-empty text or number and
    each key of ``lists`` that is present a list."""
    if not path.is_file():
        raise GazetteerError(path, "missing (a gazetteer needs it: the paper, its city and their codes)")
    d = read_json(path, GazetteerError, encoding="utf-8-sig")
    if not isinstance(d, dict):
        raise GazetteerError(path, f"not a JSON object (a {type(d).__name__})")
    for key in required:
        if key not in d:
            raise GazetteerError(path, f"no field {key!r}")
        if isinstance(d[key], bool) or not isinstance(d[key], (str, int)) or not str(d[key]).strip():
            shown = json.dumps(d[key], ensure_ascii=False)
            raise GazetteerError(path, f"field {key!r} is {shown}, not a name or code")
    for key in lists:
        if not isinstance(d.get(key, []), list):
            raise GazetteerError(path, f"field {key!r} is not a list of codes")
    return d


__all__ = ["GazetteerError", "read_config", "read_csv"]
