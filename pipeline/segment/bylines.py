"""Bylines: who wrote or photographed an article, as a paper prints it (记者 X 通讯员 Y, X 摄).

Why its own module: byline parsing is consulted by unit reading (a byline line), by sentence
ends (（通讯员 X） closes a paragraph) and by article assembly (bylines inside a paragraph).
"""

from __future__ import annotations

import re

from pipeline.ingest.normalize import to_traditional_markers
from pipeline.records import Byline

_BYLINE_TOKEN = re.compile(r"[^\s、，,：:;；]+")
_NAME = re.compile(r"(?:[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,8}·[\u4e00-\u9fff]{1,8})")
_PAREN = re.compile(r"[（(]([^（）()\n]{2,60})[）)]")

# Byline roles as printed, mapped to the role recorded.
ROLES: dict[str, str] = {
    "记者": "记者",
    "本报记者": "记者",
    "首席记者": "记者",
    "特约记者": "特约记者",
    "见习记者": "见习记者",
    "实习记者": "实习记者",
    "实习生": "实习生",
    "通讯员": "通讯员",
    "本报通讯员": "通讯员",
    "特约通讯员": "通讯员",
    "摄影": "摄影",
    "摄影记者": "摄影",
    "摄像": "摄像",
    "文/图": "文/图",
    "图/文": "文/图",
    "文图": "文/图",
    "图文": "文/图",
    "文": "文",
    "图": "图",
    "撰稿": "文",
    "供图": "图",
    "编辑": "编辑",
    "本版编辑": "编辑",
    "美术编辑": "美编",
    "责任编辑": "编辑",
    "责编": "编辑",
    "美编": "美编",
    "校对": "校对",
}
ROLES.update({to_traditional_markers(k): v for k, v in list(ROLES.items())})
_PHOTO_CREDIT = frozenset({"摄", "攝"})
_CREDIT_TAIL = frozenset({"摄", "攝", "报道", "報道", "采写", "採寫"})
_PREFIX_ROLES = sorted((r for r in ROLES if len(r) >= 2), key=len, reverse=True)
PHOTO_ROLES = frozenset({"摄影", "图", "摄像"})


def _is_name(tok: str) -> bool:
    return tok not in ROLES and _NAME.fullmatch(tok) is not None


def parse_byline(text: str) -> list[tuple[str, str, int, int]] | None:
    """Parse a byline such as ``记者 A 通讯员 B C`` or ``A 摄`` (A, B, C: 2-4 character names).

    Returns ``[(role, name, start, end), ...]`` with offsets into ``text``, or None when the
    text is not a byline (any token that is neither a role nor a 2-4 character name).
    """
    if len(text) > 60:
        return None
    out: list[tuple[str, str, int, int]] = []
    pending: list[tuple[str, int]] = []
    role: str | None = None
    for m in _BYLINE_TOKEN.finditer(text):
        tok, s = m.group(), m.start()
        if tok in ROLES:
            role = ROLES[tok]
            continue
        if tok in _PHOTO_CREDIT and pending:
            out.extend(("摄影", n, ps, ps + len(n)) for n, ps in pending)
            pending = []
            continue
        if tok in _CREDIT_TAIL and out:
            continue
        if _is_name(tok):
            if role is None:
                pending.append((tok, s))
            else:
                out.append((role, tok, s, s + len(tok)))
            continue
        for r in _PREFIX_ROLES:  # 记者A: role and name without a space
            if tok.startswith(r) and _is_name(tok[len(r) :]):
                role = ROLES[r]
                out.append((role, tok[len(r) :], s + len(r), s + len(tok)))
                break
        else:
            return None
    if pending or not out:
        return None
    return out


def inline_bylines(text: str, base: int) -> list[Byline]:
    """Bylines in parentheses inside a paragraph: 本报讯（记者 X 通讯员 Y）, （通讯员 Z）."""
    out = []
    if "（" not in text and "(" not in text:
        return out
    for m in _PAREN.finditer(text):
        parsed = parse_byline(m.group(1))
        if parsed:
            off = base + m.start(1)
            out.extend(Byline(r, nm, off + a, off + z) for r, nm, a, z in parsed)
    return out
