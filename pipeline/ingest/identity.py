"""The identity of a source file: what makes two runs write the same rows or different ones.

A source is identified by its **resolved path** (symlinks followed, ``..`` removed), taken
relative to the archive root when one is declared (``--root``), else absolute.  Why not the
alternatives:

* the path as typed (or the basename and its parent folder, as before) depends on the working
  directory and makes ``2024/05/13/01.md`` and ``2024/06/13/01.md`` one source;
* the content hash would make a corrected page a second source instead of a replacement;
* paper + date + page breaks for archives whose files carry no page number, and would merge two
  editions printed for one date and page.

So re-running a file from any working directory replaces its rows, an OCR correction of the
file (same path, new bytes) replaces the old version, and two files never share a part.  The
content hash, paper, date, backend, model and gazetteer are *attributes* recorded in the manifest
for ``--resume``, not part of the identity.  Moving an archive changes absolute paths: declare
``--root`` (the archive's top folder) to keep identities across moves and machines.

``source_key`` turns the identity into the part-file name; ``article_id`` values are built from
it, so they are unique across an outputs directory by construction.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

KEY_HASH_LEN = 16  # 64 bits: no collision to expect among millions of sources
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
# What would break a one-line message or a terminal: C0/C1 controls, DEL, the Unicode line and
# paragraph separators (all of them line breaks to ``str.splitlines``).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(path: str | os.PathLike[str]) -> str:
    """``path`` as valid UTF-8 text on one line: bytes that are not UTF-8 become ``\\xNN``
    escapes, and control characters and line separators (a newline, a tab, ESC, U+2028) their
    Python escapes (``\\n``, ``\\t``, ``\\x1b``, ``\\u2028``).

    A file name that is not valid UTF-8 reaches Python as lone surrogates, which Parquet, JSON
    and a UTF-8 terminal all refuse, and a newline in a name would split a one-line message;
    every path that is written or printed goes through here.
    """
    raw = os.fsencode(os.fspath(path))
    text = raw.decode("utf-8", errors="backslashreplace")
    return _CONTROL.sub(lambda m: ascii(m.group())[1:-1], text)


def resolved(path: str | os.PathLike[str]) -> Path:
    """The absolute path with symlinks followed; a symlink loop falls back to the plain absolute path."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):  # RuntimeError: symlink loop (Python < 3.13)
        return Path(os.path.abspath(path))


def source_identity(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> str:
    """The identity string of a source: its resolved path, relative to ``root`` when given.

    Raises ``ValueError`` when the file lies outside ``root``.
    """
    p = resolved(path)
    if root is not None:
        base = resolved(root)
        try:
            return printable(p.relative_to(base).as_posix())
        except ValueError:
            raise ValueError(f"{printable(path)}: outside the archive root {printable(root)}") from None
    return printable(p.as_posix())


def key_of_identity(identity: str) -> str:
    """A filesystem-safe part-file key: a readable tail of the path and a hash of the identity."""
    tail = "_".join(Path(identity).parts[-2:]) or "source"
    stem = tail.rsplit(".", 1)[0] if "." in Path(tail).name else tail
    safe = _UNSAFE.sub("_", stem)[-48:].strip(".") or "source"
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:KEY_HASH_LEN]
    return f"{safe}-{digest}"


def source_key(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> str:
    """The part-file key of the source at ``path`` (see the module docstring)."""
    return key_of_identity(source_identity(path, root))


def key_hash(key: str) -> str:
    """The hash part of a source key: short, unique, used inside ``article_id``."""
    return key.rsplit("-", 1)[-1]


__all__ = ["key_hash", "key_of_identity", "printable", "resolved", "source_identity", "source_key"]


def sha256_of(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB blocks (part files, model and gazetteer files)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def tree_hash(directory: str) -> str:
    """A content hash of every file under ``directory`` (names and bytes), so --resume notices a
    retrained model (its ONNX weights) or an edited gazetteer; "" when it does not exist.

    Not cached: computed once per run and once per worker (~20 ms for the shipped model), so a
    long-lived process calling ``run`` twice still sees a file changed in between."""
    root = Path(directory)
    if not root.is_dir():
        return ""
    h = hashlib.sha256()
    for p in sorted(q for q in root.rglob("*") if q.is_file() and "__pycache__" not in q.parts):
        h.update(p.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0")
        h.update(bytes.fromhex(sha256_of(p)))
    return h.hexdigest()[:16]
