"""The exception types that bad input may raise.

The runner catches ``InputError`` per file, prints its one-line message and moves on; any other
exception is a bug in the pipeline, not in the user's data, and is reported as such.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


class InputError(Exception):
    """A file that cannot be processed: the message names the file, the cause and a hint."""

    def __init__(self, path: str, cause: str, hint: str = "") -> None:
        self.path = path
        self.cause = cause
        self.hint = hint
        super().__init__(f"{path}: {cause}" + (f" ({hint})" if hint else ""))


class OutputsError(Exception):
    """An outputs directory that cannot be read as written: the message is one line naming the file.

    Raised by ``pipeline.load()`` and the report instead of an Arrow traceback, so that a user
    knows which part file to delete or re-create (``pinghu-ner check`` lists every problem).
    """


class CorrectionError(ValueError):
    """A corrections file or a new correction that cannot be used (``pipeline.store.corrections``);
    the message is one line naming the file and line, or the correction."""


def read_json(path: Path | str, error: Callable[[Path, str], Exception], encoding: str = "utf-8") -> Any:
    """A JSON file, or ``error(path, why)`` raised for the first thing wrong with it (missing, not
    JSON, not UTF-8, unreadable): the model's files and the gazetteer's config say the same
    things, in one line naming the file."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding=encoding))
    except FileNotFoundError:
        raise error(path, "missing") from None
    except json.JSONDecodeError as exc:
        raise error(path, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except UnicodeDecodeError as exc:
        raise error(path, f"not UTF-8 text (bad byte at {exc.start})") from None
    except OSError as exc:
        raise error(path, f"unreadable: {exc.strerror or exc}") from None
