"""Gold consistency: do the annotated surfaces occur as often as a page gold says?

Why apart from the scorers: this checks the gold files themselves (``check_page_gold``), with
its own deliberately simple article splitter, before any prediction is scored against them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline.evaluation.metrics import GoldRow, norm_surface, normalize_punctuation

_HEADING = re.compile(r"^#{2,3}\s")


def split_markdown_articles(text: str) -> list[str]:
    """Cut a Markdown page into articles at its headings, in page order.

    A ``## `` or ``### `` line starts a new article unless the previous non-blank line is itself
    a heading: that covers headline + subtitle (``##`` then ``###``), kicker + headline (``###``
    then ``##``) and a photo item headed by ``###`` alone after a body paragraph.  Text before
    the first heading (page furniture) is dropped.  This is the gold checker's own splitter, kept
    deliberately simple; it is not the pipeline's.
    """
    articles: list[list[str]] = []
    prev_heading = False
    for line in text.splitlines():
        if not line.strip():
            continue
        is_heading = bool(_HEADING.match(line))
        if is_heading and not prev_heading:
            articles.append([])
        if articles:
            articles[-1].append(line)
        prev_heading = is_heading
    return ["\n".join(a) for a in articles]


def split_by_first_lines(text: str, first_lines: Sequence[str]) -> list[str]:
    """Cut a plain-text page at the given article first lines (which must occur, in order)."""
    starts: list[int] = []
    pos = 0
    for first in first_lines:
        m = re.search(rf"^{re.escape(first.strip())}\s*$", text[pos:], flags=re.M)
        if m is None:
            raise ValueError(f"article first line not found (in order): {first!r}")
        starts.append(pos + m.start())
        pos += m.end()
    return [text[s:e] for s, e in zip(starts, [*starts[1:], len(text)])]


def split_page(path: str | Path) -> list[str]:
    """A gold page's articles: Markdown headings, or the first lines in ``<page>.articles.txt``.

    Plain-text pages carry no marks to split on, so their article boundaries are recorded beside
    them (one first line per article) instead of being guessed by a second splitter.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    sidecar = path.with_name(path.name + ".articles.txt")
    if sidecar.exists():
        return split_by_first_lines(
            text, [ln for ln in sidecar.read_text(encoding="utf-8").splitlines() if ln.strip()]
        )
    return split_markdown_articles(text)


def _flat(text: str) -> str:
    """Page text as the gold counts it: punctuation normalised, all white space removed.

    Removing white space joins words that a column break split (``钟埭街`` / ``道``), which is
    what the annotator reads and what the pipeline's column-break repair should restore.
    """
    return re.sub(r"\s+", "", normalize_punctuation(text))


def _occurrences(text: str, needle: str) -> list[int]:
    """Start offsets of non-overlapping occurrences, left to right (``str.count`` semantics)."""
    out, i = [], text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + len(needle))
    return out


def uncovered_count(text: str, surface: str, covering: Iterable[str]) -> int:
    """Occurrences of ``surface`` in ``text`` not inside an occurrence of a longer covering string.

    ``covering`` holds the other annotated surfaces of the article and its role strings: 平湖
    inside 平湖经开 (an ORG) or inside 乍浦镇党委书记 (a role) is not a PLACE mention of its own.
    """
    covered = [False] * len(text)
    for cov in set(covering):
        if len(cov) <= len(surface) or surface not in cov:
            continue
        for s in _occurrences(text, cov):
            for k in range(s, s + len(cov)):
                covered[k] = True
    return sum(1 for s in _occurrences(text, surface) if not any(covered[s : s + len(surface)]))


def in_title_count(text: str, surface: str, roles: Iterable[str], longer: Iterable[str]) -> int:
    """Occurrences of ``surface`` inside an occurrence of one of the article's role strings and
    not inside a longer in-title surface (新仓镇党委 of 新仓镇党委书记 is one body, not also 新仓镇)."""
    inside = [False] * len(text)
    for role in set(roles):
        for s in _occurrences(text, role):
            inside[s : s + len(role)] = [True] * len(role)
    covered = [False] * len(text)
    for cov in set(longer):
        if len(cov) > len(surface) and surface in cov:
            for s in _occurrences(text, cov):
                covered[s : s + len(cov)] = [True] * len(cov)
    return sum(1 for s in _occurrences(text, surface)
               if all(inside[s : s + len(surface)]) and not any(covered[s : s + len(surface)]))


def check_page_gold(articles: Sequence[str], rows: Sequence[GoldRow]) -> list[str]:
    """Problems of a page gold against its article texts; an empty list means consistent.

    Checks, per article: every row's surface occurs exactly ``count`` times outside longer
    annotated surfaces and role strings; and across the page: a surface annotated in one article
    that occurs uncovered in another article must be annotated there too (a forgotten mention is
    the commonest annotation error, and this finds it mechanically).
    """
    problems: list[str] = []
    flats = [_flat(a) for a in articles]
    by_article: dict[int, list[GoldRow]] = defaultdict(list)
    for r in rows:
        by_article[r.article_no].append(r)
    seen: Counter[tuple[int, str, str]] = Counter(r.key for r in rows)
    problems += [f"duplicate row {k}" for k, n in seen.items() if n > 1]
    for art_no in sorted(by_article):
        if art_no > len(flats):
            problems.append(f"article {art_no}: page has only {len(flats)} articles")
            continue
        arows = by_article[art_no]
        covering = [norm_surface(r.surface) for r in arows] + [
            norm_surface(r.role) for r in arows if r.role
        ]
        roles = [norm_surface(r.role) for r in arows if r.role]
        titled = [norm_surface(r.surface) for r in arows if r.in_title]
        for r in arows:
            surface = norm_surface(r.surface)
            if r.in_title:
                n = in_title_count(flats[art_no - 1], surface, roles, titled)
            else:
                n = uncovered_count(flats[art_no - 1], surface, covering)
            if n != r.count:
                problems.append(
                    f"article {art_no}: {r.type} {surface!r} occurs {n} times, gold says {r.count}"
                )
    surfaces = {norm_surface(r.surface) for r in rows if not r.in_title}  # titles: counted above
    for i, flat in enumerate(flats, 1):
        arows = by_article.get(i, [])
        annotated = {norm_surface(r.surface) for r in arows}
        covering = [*annotated, *(norm_surface(r.role) for r in arows if r.role)]
        for surface in sorted(surfaces - annotated):
            n = uncovered_count(flat, surface, covering)
            if n:
                problems.append(
                    f"article {i}: {surface!r} (annotated elsewhere on the page) occurs {n} times unannotated"
                )
    return problems
