"""Undo the usual OCR damage to punctuation and character widths, one character for one.

OCR engines trained on mixed text emit ASCII ``,`` ``(`` ``:`` inside Chinese sentences and
full-width ``２０２３`` / ``ＧＤＰ`` inside numbers and names.  Recognisers and gazetteer look-ups
see fewer variants if both are folded to one form: full-width punctuation where the context is
Chinese, half-width digits and Latin letters everywhere.

Every rule replaces one character by one character, so the derived text has the same length as
its input and the offset map is the identity (plus the input's own origin).  That keeps map-back
trivial and lets callers normalise a whole page once and slice it afterwards.
"""

from __future__ import annotations

import re
from array import array

from pipeline.records import MappedText

# Full-width digits, Latin letters and the ideographic space become ASCII; control characters
# (other than \n and \t) and invisible format characters become a plain space so that a stray
# \x0c or zero-width space can neither split nor glue words unnoticed.
_WIDTH_TABLE: dict[int, str] = {}
for _c in range(0xFF10, 0xFF1A):
    _WIDTH_TABLE[_c] = chr(_c - 0xFEE0)
for _c in range(0xFF21, 0xFF3B):
    _WIDTH_TABLE[_c] = chr(_c - 0xFEE0)
for _c in range(0xFF41, 0xFF5B):
    _WIDTH_TABLE[_c] = chr(_c - 0xFEE0)
_WIDTH_TABLE[0x3000] = " "
for _c in list(range(0x00, 0x20)) + [0x7F] + list(range(0x80, 0xA0)):
    if _c not in (0x09, 0x0A):
        _WIDTH_TABLE[_c] = " "
for _c in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF):
    _WIDTH_TABLE[_c] = " "

# ASCII punctuation that has a full-width twin used in Chinese running text.
PUNCT_FULLWIDTH: dict[str, str] = {
    ",": "，",
    ";": "；",
    ":": "：",
    "?": "？",
    "!": "！",
    "(": "（",
    ")": "）",
}
# Characters skipped when looking for the neighbour of a punctuation mark: OCR puts spaces
# around marks, and Markdown emphasis marks sit between a mark and its word.
_SKIP = frozenset(" \t*_~`,;:?!()")  # also other marks, so that 好吗?! converts as a whole
_LOOK = 4  # how far to skip; bounded so that a long run of spaces stays O(1)


def is_cjk(ch: str) -> bool:
    """True for Han characters and for punctuation that only occurs in CJK text.

    Curly quotes count as CJK context: in these papers they wrap Chinese phrases (“双落实”).
    """
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x3000 <= o <= 0x303F  # CJK punctuation: 。、《》「」【】
        or 0xFF01 <= o <= 0xFF0F  # full-width ！＂＃…／
        or 0xFF1A <= o <= 0xFF20  # ：；＜＝＞？＠
        or 0xFF3B <= o <= 0xFF40
        or 0xFF5B <= o <= 0xFF65
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x3134F
        or o in (0x201C, 0x201D, 0x2018, 0x2019, 0x2026, 0x2014, 0x00B7)
    )


_WIDTH_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_WIDTH_TABLE)) + "]")
_PUNCT_RE = re.compile(r"[,;:?!()]")
_PAREN_RE = re.compile(r"[()]")
_CJK_CLASS = (
    "\u4e00-\u9fff\u3400-\u4dbf\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40"
    "\uff5b-\uff65\uf900-\ufaff\U00020000-\U0003134f\u201c\u201d\u2018\u2019\u2026\u2014\u00b7"
)
# Marks with a Chinese character right next to them (the common case, found in C) ...
_CJK_ADJ = re.compile(f"(?<=[{_CJK_CLASS}])[,;:?!()]|[,;:?!()](?=[{_CJK_CLASS}])")
# ... and marks with a space, an emphasis mark or another mark next to them: a closer look.
_SKIP_ADJ = re.compile(r"(?<=[ \t*_~`,;:?!()])[,;:?!()]|[,;:?!()](?=[ \t*_~`,;:?!()])")


def fold_width(text: str) -> str:
    """Full-width digits/letters/space to ASCII, control characters to space (1:1)."""
    if _WIDTH_RE.search(text) is None:
        return text
    return _WIDTH_RE.sub(lambda m: _WIDTH_TABLE[ord(m.group())], text)


def _prev(text: str, i: int) -> str:
    j = i - 1
    stop = max(-1, i - 1 - _LOOK)
    while j > stop and text[j] in _SKIP:
        j -= 1
    return text[j] if j > stop else ""


def _next(text: str, i: int) -> str:
    j = i + 1
    stop = min(len(text), i + 1 + _LOOK)
    while j < stop and text[j] in _SKIP:
        j += 1
    return text[j] if j < stop else ""


def _cjk_side(text: str, i: int) -> bool:
    a, b = _prev(text, i), _next(text, i)
    return bool((a and is_cjk(a)) or (b and is_cjk(b)))


def normalize_str(text: str) -> str:
    """The normalised form of ``text``; always the same length as ``text``.

    A mark becomes full-width when its nearest non-space neighbour on either side is Chinese, so
    ``8.2%,列`` and ``银(院)企`` change while ``10:30``, ``1,000`` and ``Hello, world`` do not.
    Parentheses are decided per matched pair, so a pair never ends up half converted.
    """
    text = fold_width(text)
    if _PUNCT_RE.search(text) is None:
        return text
    cjk = {m.start() for m in _CJK_ADJ.finditer(text)}
    for m in _SKIP_ADJ.finditer(text):
        i = m.start()
        if i not in cjk and _cjk_side(text, i):
            cjk.add(i)
    convert = {i for i in cjk if text[i] not in "()"}
    stack: list[int] = []
    for m in _PAREN_RE.finditer(text):
        i = m.start()
        if text[i] == "(":
            stack.append(i)
        elif stack:
            a = stack.pop()
            if a in cjk or i in cjk:
                convert.add(a)
                convert.add(i)
        elif i in cjk:
            convert.add(i)
    convert.update(a for a in stack if a in cjk)
    if not convert:
        return text
    parts: list[str] = []
    pos = 0
    for i in sorted(convert):
        parts.append(text[pos:i])
        parts.append(PUNCT_FULLWIDTH[text[i]])
        pos = i + 1
    parts.append(text[pos:])
    return "".join(parts)


# Simplified characters of the marker words the segmenter looks for (本报讯, 记者, 转第2版, 简讯 …)
# and their traditional forms: pages set in traditional characters use the same layout.
_TRAD_PAIRS = "记記报報讯訊见見习習实實员員摄攝图圖编編辑輯责責约約对對综綜间間启啟简簡闻聞递遞转轉续續采採写寫览覽锦錦话話"
TRADITIONAL: dict[str, str] = {_TRAD_PAIRS[i]: _TRAD_PAIRS[i + 1] for i in range(0, len(_TRAD_PAIRS), 2)}
_TRAD_TABLE = str.maketrans(TRADITIONAL)


def to_traditional_markers(text: str) -> str:
    """``text`` with the marker characters above in traditional form (记者 → 記者)."""
    return text.translate(_TRAD_TABLE)


def with_traditional(pattern: str) -> str:
    """A regex pattern that also matches the traditional form of its marker characters.

    Each such character ``c`` becomes ``(?:c|t)``; patterns passed here must not hold those
    characters inside ``[...]`` classes.
    """
    return "".join(f"(?:{c}|{TRADITIONAL[c]})" if c in TRADITIONAL else c for c in pattern)


def normalize(text: str, source_start: int = 0) -> MappedText:
    """Normalise a verbatim slice of the source that starts at ``source_start``."""
    out = normalize_str(text)
    return MappedText(out, array("q", range(source_start, source_start + len(out))))


def normalize_mapped(mapped: MappedText) -> MappedText:
    """Normalise derived text, keeping its origin map (the rules are 1:1)."""
    return MappedText(normalize_str(mapped.text), array("q", mapped.origin))


__all__ = [
    "PUNCT_FULLWIDTH",
    "TRADITIONAL",
    "fold_width",
    "is_cjk",
    "normalize",
    "normalize_mapped",
    "normalize_str",
    "to_traditional_markers",
    "with_traditional",
]
