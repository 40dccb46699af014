"""Read one input file into a :class:`SourceDoc` and cut it into pages.

This is the only stage that touches the file system, so every way a file can be unusable (gone,
a folder, unreadable, empty, binary, in an unknown encoding, too large, undated) is turned here
into one :class:`InputError` with a one-line message, and later stages can trust what they get.

Offsets: ``SourceDoc.text`` is the decoded text with a leading byte-order mark removed and line
ends normalised (CRLF and lone CR become LF).  Every later offset indexes into that text, which is
what an analyst gets by opening the file in an editor that shows LF line ends; byte offsets into
the raw file are not kept (``sha256`` identifies the raw bytes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.foreign import foreign_cjk
from pipeline.ingest.identity import printable, resolved
from pipeline.ingest.normalize import with_traditional
from pipeline.records import Page, SourceDoc

DEFAULT_MAX_BYTES = 200 * 1024 * 1024

# Magic numbers of files people drop into an input folder by mistake.  Checked before decoding
# because GB18030 would happily "decode" most of them into nonsense.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"PK\x03\x04", "ZIP archive (or DOCX/XLSX)"),
    (b"PK\x05\x06", "ZIP archive (empty)"),
    (b"\x1f\x8b", "GZIP archive"),
    (b"BZh", "BZIP2 archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office (OLE) document"),
    (b"\x7fELF", "ELF executable"),
    (b"PAR1", "Parquet file"),
    (b"SQLite format 3\x00", "SQLite database"),
)

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))

# --- issue dates ------------------------------------------------------------------------------

# YYYY-MM-DD, YYYY_MM_DD, YYYY.MM.DD or YYYYMMDD anywhere in a file name, not inside a longer
# run of digits (hash-like names such as 000_2b345dada261a864 must not produce dates).
_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})([-_.]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?!\d)")
# 本报讯 3月24日 / 本报讯（记者 X）3月24日 / 本报讯(记者 X) 3月24日
_DATELINE_DATE = re.compile(
    with_traditional(r"本报(?:综合)?(?:讯|消息)") + r"[^\n\d]{0,60}?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)
_YEAR_DIR = re.compile(r"(?:19|20)\d{2}")
_DAY_DIR = re.compile(r"\d{1,2}")
_TEXT_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")

# --- page numbers -----------------------------------------------------------------------------

_NAME_PAGE = (
    re.compile(r"第\s*0*(\d{1,3})\s*版"),
    re.compile(r"(?:^|[_\-. ])p(?:age)?[_\-]?0*(\d{1,3})(?=$|[_\-. ])", re.IGNORECASE),
    re.compile(r"_0*(\d{1,3})$"),
    re.compile(r"^0*(\d{1,3})$"),  # a folder per issue: 2024/05/13/01.md
)

# A line that starts a page of an issue: "# 第1版", "第01版：要闻", "=== 第2版 ===", "A1版",
# "B03版 · 综合".  Only a short line made of the heading and decoration counts, so that running
# text such as "转第2版" or "见第3版报道" never cuts a page.
_PAGE_HEADING = re.compile(
    r"^[ \t\u3000#=*\-_>【\[]*"
    r"(?:第\s*0*(?P<n1>\d{1,3})\s*版|(?P<sec>[A-Za-z])\s*0*(?P<n2>\d{1,3})\s*版)"
    r"(?:[ \t\u3000]*[:：·|｜\-—_ ][^\n。，,！？!?；;]{0,16}?)?"
    r"[ \t\u3000=*\-_】\]]*$",
    re.MULTILINE,
)


def _err(path: str | Path, cause: str, hint: str = "") -> InputError:
    return InputError(printable(path), cause, hint)


def _binary_kind(data: bytes) -> str | None:
    """Name the kind of a binary file, or None when it looks like text."""
    head = data[:32]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if any(head.startswith(bom) for bom, _ in _UTF16_BOMS):
        return None  # UTF-16 text has NUL bytes by design
    if b"\x00" in data[:65536] or b"\x00" in data[-65536:]:
        return "binary data (NUL bytes)"
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode raw bytes as UTF-8 (with or without BOM), UTF-16 with a BOM, else GB18030 or Big5.

    Returns ``(text, encoding)``; raises ``UnicodeDecodeError`` when no encoding fits.  GB18030 is
    a superset of GBK and GB2312, the encodings Chinese OCR tools and old Windows set-ups write.
    GB18030 "decodes" almost any byte string, Big5 pages included (into nonsense), so when the
    bytes are also valid Big5 the reading with more common characters wins (``_pick_cjk``).
    """
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
    for bom, enc in _UTF16_BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        gb = data.decode("gb18030")
    except UnicodeDecodeError:
        gb = None
    try:
        big5 = data.decode("big5hkscs")
    except UnicodeDecodeError:
        if gb is None:
            raise
        return gb, "gb18030"
    if gb is None or _common_share(big5) > _common_share(gb) + 0.2:
        return big5, "big5"
    return gb, "gb18030"


def _looks_garbled(text: str) -> bool:
    """Mostly rare Han characters: another encoding (Shift-JIS …) read as GB18030 or Big5."""
    han = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    return han >= 20 and _common_share(text) < 0.5


def _common_share(text: str) -> float:
    """Share of the Han characters among the ~6,700 of GB2312 or Big5's common level.

    A text decoded with the wrong one of the two encodings is mostly rare characters, a right
    one mostly common ones; checking both levels keeps traditional pages fair.
    """
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return 0.0
    return sum(1 for c in han if _is_common(c)) / len(han)


def _is_common(char: str) -> bool:
    try:
        gb = char.encode("gb2312")
        if 0xB0 <= gb[0] <= 0xF7:  # GB2312 levels 1 and 2: the 6,763 hanzi of everyday text
            return True
    except UnicodeEncodeError:
        pass
    try:
        b5 = char.encode("big5")
    except UnicodeEncodeError:
        return False
    return 0xA4 <= b5[0] <= 0xC6  # Big5 level 1: 5,401 frequent characters


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF; a BOM left inside the text at position 0 is dropped."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _ascii_digits(text: str) -> str:
    """Full-width digits and separators (２０２４－０７－０５) as ASCII; lengths kept."""
    return "".join(unicodedata.normalize("NFKC", c) if "\uff01" <= c <= "\uff5e" else c for c in text)


def _date_in(text: str) -> dt.date | None:
    for m in _NAME_DATE.finditer(_ascii_digits(text)):
        try:
            return dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            continue
    return None


def date_from_name(path: str | Path) -> dt.date | None:
    """The first real date (YYYY-MM-DD, YYYY_MM_DD, YYYYMMDD, full-width too) in the file name,
    else in its folders: ``2024-05-13/01.md`` or a folder per day ``2024/05/13/01.md``."""
    p = Path(path)
    found = _date_in(p.name)
    if found is not None:
        return found
    dirs = [_ascii_digits(d) for d in p.parent.parts[-3:]]
    if len(dirs) == 3 and _YEAR_DIR.fullmatch(dirs[0]) and all(_DAY_DIR.fullmatch(d) for d in dirs[1:]):
        try:
            return dt.date(int(dirs[0]), int(dirs[1]), int(dirs[2]))
        except ValueError:
            pass
    return _date_in(p.parent.name) if p.parent.name else None


def date_from_text(text: str) -> dt.date | None:
    """Month and day from the first dateline (本报讯 3月24日), the year from the text.

    A dateline carries no year, so the year is the most frequent ``19xx年``/``20xx年`` of the
    page (ties go to the latest year: reports look back more often than forward).  Without any
    year the date is unknown rather than guessed.
    """
    text = _ascii_digits(text)
    years = Counter(int(y) for y in _TEXT_YEAR.findall(text))
    if not years:
        return None
    year = max(years.items(), key=lambda kv: (kv[1], kv[0]))[0]
    for m in _DATELINE_DATE.finditer(text):
        try:
            return dt.date(year, int(m.group(1)), int(m.group(2)))
        except ValueError:
            continue
    return None


def resolve_issue_date(path: str | Path, text: str, explicit: dt.date | None) -> dt.date:
    """The issue date of a file: explicit argument, else file name, else dateline + year in text.

    Raises :class:`InputError` when none of them gives a real date, because an undated article
    cannot be placed in time and would silently pollute per-day counts.
    """
    if explicit is not None:
        return explicit
    found = date_from_name(path) or date_from_text(text)
    if found is None:
        raise _err(path, "no issue date", "pass --date or put YYYY-MM-DD in the file name")
    return found


def page_from_name(path: str | Path) -> int | None:
    """Page number from names like ``x_p3``, ``x-page03_y``, ``x第3版``, ``x_03``; else None.

    A date in the name is removed first so that ``2023_03_24`` is not read as page 24.
    """
    stem = _NAME_DATE.sub(" ", Path(path).stem)
    for rx in _NAME_PAGE:
        m = rx.search(stem)
        if m and int(m.group(1)) > 0:
            return int(m.group(1))
    return None


def read_source(
    path: str | Path,
    paper: str = "pinghu-daily",
    issue_date: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    require_date: bool = True,
) -> SourceDoc:
    """Read and decode one file; every problem with the file becomes an :class:`InputError`.

    ``require_date=False`` leaves ``issue_date`` as None instead of raising when no date can be
    resolved (for tools that inspect files without writing dated records).
    """
    p = Path(path)
    data = _read_bytes(p, max_bytes)
    text, encoding = _decode_text(p, data)
    text = normalize_newlines(text)
    if not text.strip():
        raise _err(p, "empty file (only white space)", "OCR output expected")
    if require_date:
        date: dt.date | None = resolve_issue_date(p, text, issue_date)
    else:
        date = issue_date or date_from_name(p) or date_from_text(text)
    return SourceDoc(
        path=printable(p),
        text=text,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        paper=paper,
        issue_date=date,
        page=page_from_name(p),
    )


def _read_bytes(p: Path, max_bytes: int) -> bytes:
    """The file's bytes, or an ``InputError`` saying why it cannot be a page (missing, a
    directory, a device, too large, unreadable, empty, binary)."""
    try:
        if not p.exists():
            if p.is_symlink():
                raise _err(p, "broken or looping symbolic link", "point it at a text file")
            raise _err(p, "file not found", "check the path")
        if p.is_dir():
            raise _err(p, "is a directory, not a file", "pass the text files inside it")
        if not p.is_file():
            raise _err(p, "not a regular file (device, pipe or socket)", "pass a text file")
        size = p.stat().st_size
        if size > max_bytes:
            raise _err(p, f"file too large ({size} bytes > {max_bytes})", "split the issue into pages")
        data = p.read_bytes()
    except PermissionError as exc:
        raise _err(p, "unreadable: permission denied", "check the file's permissions") from exc
    except IsADirectoryError as exc:  # raced with the is_dir check
        raise _err(p, "is a directory, not a file") from exc
    except OSError as exc:
        raise _err(p, f"unreadable: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise _err(p, f"file too large ({len(data)} bytes > {max_bytes})", "split the issue into pages")
    if not data.strip():
        raise _err(p, "empty file", "OCR output expected")
    kind = _binary_kind(data)
    if kind is not None:
        raise _err(p, f"binary file: {kind}", "convert it to text (OCR) first")
    return data


def _decode_text(p: Path, data: bytes) -> tuple[str, str]:
    """The decoded text and its encoding, or an ``InputError`` when no encoding reads it as text."""
    try:
        text, encoding = decode_bytes(data)
    except UnicodeDecodeError as exc:
        _refuse_foreign(p, data)
        raise _err(
            p, f"cannot decode as UTF-8, GB18030 or Big5 (bad byte at {exc.start})", "re-save the file as UTF-8"
        ) from exc
    if encoding in ("gb18030", "big5"):
        _refuse_foreign(p, data)
    if encoding in ("gb18030", "big5") and _looks_garbled(text):
        raise _err(p, f"not GB18030 or Big5 text (read as {encoding} it is mostly rare characters)",
                   "re-save the file as UTF-8")
    return text, encoding


def _refuse_foreign(p: Path, data: bytes) -> None:
    """An ``InputError`` for a Korean or Japanese page in a legacy encoding (``foreign_cjk``)."""
    foreign = foreign_cjk(data)
    if foreign is not None:
        raise _err(p, f"{foreign} text, not Chinese",
                   "only Chinese pages are read; a Chinese page: re-save it as UTF-8")


# --- finding the input files ------------------------------------------------------------------

INPUT_SUFFIXES = (".md", ".txt", ".markdown")
# "x.articles.txt", "x.gold.txt", "x.ocr.md": a word before the text suffix marks a file another
# tool wrote beside a page.  Inside a directory these are skipped (and reported); named on the
# command line they are read.
_SIDE_FILE = re.compile(r"\.[A-Za-z][A-Za-z_-]{2,}\.(?:md|txt|markdown)$", re.IGNORECASE)


@dataclass
class Discovery:
    """What the paths on a command line hold: files to read, and what was left out and why."""

    files: list[Path] = field(default_factory=list)
    # directories that cannot be listed, and links to nothing or to a pipe or device: a failure
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    ignored: list[tuple[Path, str]] = field(default_factory=list)  # files: a note


def discover_sources(paths: Iterable[str | os.PathLike[str]]) -> Discovery:
    """Files named, and ``*.md``/``*.txt`` under directories named, in a stable order, once each.

    Directories are walked following symlinks, each real directory once (a symlink loop ends).
    """
    found = Discovery()
    for p in map(Path, paths):
        if os.path.isdir(p):
            _walk(p, found)
        else:
            found.files.append(p)  # a missing or odd file is reported by read_source, per file
    seen: set[Path] = set()
    unique = []
    for p in found.files:
        key = resolved(p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    found.files = unique
    return found


def _walk(top: Path, found: Discovery) -> None:
    visited: set[Path] = set()

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else top
        found.unreadable.append((where, f"{printable(where)}: unreadable directory, skipped ({exc.strerror or exc})"))

    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(top, onerror=unreadable, followlinks=True):
        real = resolved(dirpath)
        if real in visited:
            dirnames[:] = []
            continue
        visited.add(real)
        dirnames.sort()
        for name in filenames:
            f = Path(dirpath) / name
            if f.suffix.lower() not in INPUT_SUFFIXES:
                if not name.startswith("."):
                    found.ignored.append((f, "not *.md or *.txt"))
            elif _SIDE_FILE.search(name):
                found.ignored.append((f, "a side file, not a page; name it on the command line to read it"))
            elif os.path.isfile(f):
                files.append(f)
            else:  # a dangling or looping link, a pipe or device: one failed line, not a silent skip
                why = "broken or looping symbolic link" if os.path.islink(f) else "not a regular file"
                found.unreadable.append((f, f"{printable(f)}: {why}, skipped"))
    found.files.extend(sorted(files))


def _heading_number(m: re.Match[str]) -> int:
    """Page number of a heading; sections past A are numbered 100 apart (B3版 → 103)."""
    if m.group("n1") is not None:
        return int(m.group("n1"))
    section = ord(m.group("sec").upper()) - ord("A")
    return section * 100 + int(m.group("n2"))


def split_pages(doc: SourceDoc) -> list[Page]:
    """Cut a file into pages at page-heading lines (``第1版``, ``=== 第2版 ===``, ``A1版``).

    Spans cover the whole text without overlap: the first page starts at offset 0 (text before
    the first heading belongs to it) and each page ends where the next heading starts.  A file
    without headings is one page numbered ``doc.page`` or 1.
    """
    text = doc.text
    heads = [m for m in _PAGE_HEADING.finditer(text) if m.group(0).strip()]
    if not heads:
        return [Page(doc, doc.page or 1, 0, len(text), inferred=doc.page is None)]
    pages: list[Page] = []
    starts = [m.start() for m in heads]
    starts[0] = 0
    for i, m in enumerate(heads):
        end = starts[i + 1] if i + 1 < len(heads) else len(text)
        pages.append(Page(doc, _heading_number(m), starts[i], end))
    return pages


__all__ = [
    "DEFAULT_MAX_BYTES",
    "date_from_name",
    "date_from_text",
    "decode_bytes",
    "discover_sources",
    "normalize_newlines",
    "page_from_name",
    "read_source",
    "resolve_issue_date",
    "split_pages",
]
