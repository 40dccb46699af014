"""Word lists as data: one loader for every list the stages consult.

Why: a list written in code is a list another county cannot change without a code change, and a
list written twice drifts.  Language-wide lists (surnames, title words, name suffixes) ship as
package data in ``pipeline/lexicons/``; county-specific words (neighbouring towns' short forms,
local everyday words that look like place names) live in the gazetteer directory's
``lexicons/`` folder, so another paper needs only another gazetteer directory.

File format (``<name>.txt``, UTF-8): a header of ``#`` lines, which must contain a
``# source:`` line saying where the words come from; then entries separated by whitespace or
newlines (one per line for multi-word entries is not supported: entries contain no spaces).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE_LEXICONS = Path(__file__).resolve().parent
COUNTY_SUBDIR = "lexicons"


class LexiconError(ValueError):
    """A lexicon file that is missing its source header or cannot be read (one-line message)."""


@cache
def read_file(path: Path) -> tuple[str, ...]:
    """Entries of one lexicon file in file order (duplicates dropped, first kept)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{path}: cannot read lexicon ({exc.__class__.__name__})") from None
    header = [ln for ln in text.splitlines() if ln.startswith("#")]
    if not any(ln.lower().startswith("# source:") for ln in header):
        raise LexiconError(f"{path}: lexicon has no '# source:' header line")
    seen: dict[str, None] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        for word in line.split():
            seen.setdefault(word, None)
    return tuple(seen)


def keyed_rows(path: Path) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """Rows ``key name [form …] [=marked …]`` of a keyed lexicon (countries, national bodies):
    ``(key, name, forms, marked)`` with the ``=`` taken off the marked forms, in file order; the
    file must carry its ``# source:`` header like every lexicon."""
    read_file(path)  # raises LexiconError without a '# source:' header
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 2 or line.startswith("#"):
            continue
        rest = parts[2:]
        rows.append((parts[0], parts[1], tuple(p for p in rest if not p.startswith("=")),
                     tuple(p[1:] for p in rest if p.startswith("="))))
    return rows


def entries(name: str) -> tuple[str, ...]:
    """A language-wide list shipped with the package, in file order."""
    path = PACKAGE_LEXICONS / f"{name}.txt"
    if not path.is_file():
        raise LexiconError(f"{path}: no such lexicon")
    return read_file(path)


def load(name: str) -> frozenset[str]:
    """A language-wide list shipped with the package, as a set."""
    return frozenset(entries(name))


def load_county(gazetteer_dir: Path | str, name: str) -> frozenset[str]:
    """A county-specific list from ``<gazetteer_dir>/lexicons/<name>.txt``; empty when absent.

    Absent is allowed: a county with no local everyday words that look like names needs no file.
    """
    path = Path(gazetteer_dir).resolve() / COUNTY_SUBDIR / f"{name}.txt"
    if not path.is_file():
        return frozenset()
    return frozenset(read_file(path))


def available() -> list[str]:
    """Names of the package lexicons (for tests and ``pinghu-ner`` diagnostics)."""
    return sorted(p.stem for p in PACKAGE_LEXICONS.glob("*.txt"))
