"""Attach roles to people: officials' titles, byline roles, and inheritance within an article.

Patterns, as Chinese papers print them (the names are whatever the recognisers found):

* title right before a name, or before an enumeration: 市委书记X, 市领导A、B、C, 副市长A、B;
* an enumeration followed by 等 + title: A、B等市领导;
* a title in brackets after the name: X（市发改局局长）, or right after it: X总书记, X书记;
  X同志 keeps X's role;
* a name printed again later without its title inherits the role it had in the same article;
* byline names carry their byline role (记者, 通讯员, 摄影 ...), and are never officials.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.overlap import IntervalIndex
from pipeline.recognize.registry import register_pass
from pipeline.records import Byline, Span

SEP = re.compile(r"^(?:、|，|,|和|及|与|以及|同志、|同志和| +)$")  # OCR drops 、 to a space


@dataclass
class RoleAssignment:
    span: Span
    role: str = ""
    is_official: bool = False
    title: Span | None = None  # where the role is printed with this name (None: inherited, byline)


def assign_roles(
    text: str,
    people: Sequence[Span],
    titles: Sequence[Span],
    bylines: Sequence[Byline] = (),
) -> list[RoleAssignment]:
    people = sorted(people, key=lambda s: s.start)
    out = [RoleAssignment(p) for p in people]
    title_ending_at = {t.end: t for t in titles}
    title_starting_at = {t.start: t for t in titles}

    # Enumerations: consecutive people separated only by 、/和/及 form one group.
    groups: list[list[int]] = []
    for i, p in enumerate(people):
        if groups and SEP.match(text[people[groups[-1][-1]].end : p.start] or "#"):
            groups[-1].append(i)
        else:
            groups.append([i])

    for group in groups:
        title = _group_role(text, [people[i] for i in group], title_ending_at, title_starting_at)
        if title is not None:
            for i in group:
                out[i].role, out[i].is_official, out[i].title = text[title.start : title.end], True, title

    by_name = {b.name: b.role for b in bylines}
    byline_spans = {(b.start, b.end): b.role for b in bylines}
    for a in out:
        key = (a.span.start, a.span.end)
        if key in byline_spans:
            a.role, a.is_official = byline_spans[key], False

    # Inheritance: the first role a name has in this article goes to its untitled repeats.
    first_role: dict[str, tuple[str, bool]] = {}
    for a in out:
        name = text[a.span.start : a.span.end]
        if a.role and name not in first_role:
            first_role[name] = (a.role, a.is_official)
    for a in out:
        name = text[a.span.start : a.span.end]
        if not a.role:
            if name in first_role:
                a.role, a.is_official = first_role[name]
            elif name in by_name:
                a.role = by_name[name]
    return out


def _group_role(
    text: str, group: Sequence[Span],
    title_ending_at: dict[int, Span], title_starting_at: dict[int, Span],
) -> Span | None:
    """The title an enumeration of people shares: before the first name, after 等, right after a
    lone name (习近平总书记), in brackets after it (X（市农业农村局局长））, or in an appointment
    (任命X为T, 免去X的T职务, X辞去T职务)."""
    first, last = group[0], group[-1]
    before = title_ending_at.get(first.start)
    if before is not None:
        return before
    m = re.match(r"(?:同志)?等(?:同志)?", text[last.end : last.end + 12])
    if m:
        after = title_starting_at.get(last.end + m.end())
        if after is not None:
            return after
    if len(group) == 1 and last.end in title_starting_at:
        return title_starting_at[last.end]  # 习近平总书记: the post follows the name
    appointed = _appointment(text, group, title_starting_at)
    if appointed is not None:
        return appointed
    if len(group) == 1 and text[last.end : last.end + 1] in ("（", "("):
        # X（市农业农村局局长）: the bracket holds a title if a title ends at its close.
        # Looked for within the 30 characters only, and a title's end by the index: a run-on
        # line (issue 33) must not be scanned to its end per name.
        found = (text.find("）", last.end, last.end + 31), text.find(")", last.end, last.end + 31))
        close = min((k for k in found if k > 0), default=-1)
        if 0 < close - last.end <= 30 and close in title_ending_at:
            return Span(last.end + 1, close, "TITLE", "bracket")
    return None


# 任命X为T / 提名X为T; 免去X(的)T职务; X(因…)辞去T职务: the title stands apart from the name.
_APPOINTED = re.compile(r"(?:任命|提名|推选|选举|聘任|聘请)$")
_REMOVED = re.compile(r"免去$")
_AFTER_NAME = {"appointed": re.compile(r"为|担任"), "removed": re.compile(r"的?"),
               "resigned": re.compile(r"[^。；，,]{0,12}?辞去")}


def _appointment(text: str, group: Sequence[Span], title_starting_at: dict[int, Span]) -> Span | None:
    """The title of an appointment, removal or resignation, printed after the names; a removal
    or resignation names the post as ``T职务``, which keeps 免去X…/X辞去… from taking any title."""
    before = text[max(0, group[0].start - 4) : group[0].start]
    kind = "appointed" if _APPOINTED.search(before) else "removed" if _REMOVED.search(before) else "resigned"
    m = _AFTER_NAME[kind].match(text, group[-1].end)
    title = title_starting_at.get(m.end()) if m else None
    if title is None or (kind != "appointed" and not text.startswith("职务", title.end)):
        return None
    return title


@register_pass("bylines", requires=["spans", "article"], provides=["spans"])
def bylines_pass(doc: RecognitionDoc, _ctx: Any) -> None:
    """The segmenter's byline names are people; a tagger's span overlapping one gives way."""
    assert doc.article is not None
    byline_spans = [Span(b.start, b.end, "PERSON", "byline") for b in doc.article.bylines]
    bylines = IntervalIndex((b.start, b.end) for b in byline_spans)
    kept = [s for s in doc.spans if not bylines.overlaps(s.start, s.end)]
    doc.spans = sorted([*kept, *byline_spans], key=lambda s: s.start)


@register_pass("roles", requires=["spans", "titles", "article"], provides=["roles"])
def roles_pass(doc: RecognitionDoc, _ctx: Any) -> None:
    """Each person's role: the title before or after the name, the byline role, or inherited."""
    assert doc.article is not None
    people = [s for s in doc.spans if s.label == "PERSON"]
    doc.roles = {
        (r.span.start, r.span.end): r for r in assign_roles(doc.text, people, doc.titles, doc.article.bylines)
    }
