"""The one exception type that bad input may raise.

The runner catches ``InputError`` per file, prints its one-line message and moves on; any other
exception is a bug in the pipeline, not in the user's data, and is reported as such.
"""

from __future__ import annotations


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
