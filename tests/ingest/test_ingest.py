"""Ingest: decoding, input errors, issue dates, page numbers and page splitting."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.ingest.read import (
    date_from_name,
    date_from_text,
    page_from_name,
    read_source,
    resolve_issue_date,
    split_pages,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "seeds" / "000_2b345dada261a864.txt"
PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"

BODY = "## 新埭镇召开安全生产会议\n\n■记者 沈嘉怡\n\n本报讯 4月3日，新埭镇召开安全生产工作会议。\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


# --- decoding ---------------------------------------------------------------------------------


def test_sample_page_reads_with_date_from_its_dateline() -> None:
    doc = read_source(SAMPLE)
    assert doc.encoding == "utf-8"
    assert doc.issue_date == dt.date(2023, 3, 24)  # 3月24日 in the dateline, 2023年 in the text
    assert doc.page is None
    assert doc.sha256 == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert doc.paper == "pinghu-daily"
    assert "市委常委会召开会议" in doc.text


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    p = write(tmp_path, "bom_2023-04-03.txt", b"\xef\xbb\xbf" + BODY.encode("utf-8"))
    doc = read_source(p)
    assert doc.encoding == "utf-8-sig"
    assert doc.text == BODY
    assert doc.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()  # hash of the raw bytes


def test_crlf_and_cr_become_lf(tmp_path: Path) -> None:
    p = write(tmp_path, "crlf_2023-04-03.txt", BODY.replace("\n", "\r\n").encode("utf-8"))
    assert read_source(p).text == BODY
    p = write(tmp_path, "cr_2023-04-03.txt", BODY.replace("\n", "\r").encode("utf-8"))
    assert read_source(p).text == BODY


def test_gb18030_and_gbk_files(tmp_path: Path) -> None:
    p = write(tmp_path, "gbk_2023-04-03.txt", BODY.encode("gbk"))
    doc = read_source(p)
    assert doc.encoding == "gb18030" and doc.text == BODY
    committed = read_source(PAGES / "gb18030_2023-05-06.txt")
    assert committed.encoding == "gb18030"
    assert "\r" not in committed.text and committed.text.startswith("## 当湖街道老旧小区改造全面启动\n")


def test_utf16_with_bom(tmp_path: Path) -> None:
    p = write(tmp_path, "u16_2023-04-03.txt", BODY.encode("utf-16"))
    assert read_source(p).text == BODY


def test_control_and_traditional_characters_are_kept(tmp_path: Path) -> None:
    text = "## 乍浦鎮舉辦燈會\n\n本報訊 2月5日，乍浦鎮\x0c舉辦元宵燈會。\n"
    doc = read_source(write(tmp_path, "trad_2023-02-06.txt", text.encode("utf-8")))
    assert doc.text == text  # no conversion at ingest


# --- input errors -----------------------------------------------------------------------------


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        read_source(path, issue_date=dt.date(2023, 1, 1))
    err = info.value
    assert err.path == str(path)
    assert "\n" not in str(err)  # one line for the runner's log
    return err


def test_missing_file(tmp_path: Path) -> None:
    assert "not found" in _error(tmp_path / "nope.txt").cause


def test_directory(tmp_path: Path) -> None:
    assert "directory" in _error(tmp_path).cause


def test_special_file() -> None:
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null")
    with pytest.raises(InputError, match="not a regular file"):
        read_source("/dev/null", issue_date=dt.date(2023, 1, 1))


def test_empty_and_blank_files(tmp_path: Path) -> None:
    assert "empty" in _error(write(tmp_path, "e.txt", b"")).cause
    assert "empty" in _error(write(tmp_path, "w.txt", b" \r\n\t\n  ")).cause
    assert "empty" in _error(write(tmp_path, "i.txt", "\u3000\n".encode())).cause


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "ZIP"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "GZIP"),
        ("本报讯".encode() + b"\x00\x01\x02", "NUL"),
    ],
)
def test_binary_files_name_their_kind(tmp_path: Path, data: bytes, kind: str) -> None:
    err = _error(write(tmp_path, "scan.txt", data))
    assert "binary" in err.cause and kind in err.cause


def test_undecodable_bytes(tmp_path: Path) -> None:
    err = _error(write(tmp_path, "bad.txt", "平湖".encode() + b"\xff\xff\x80 abc"))
    assert "decode" in err.cause


def test_too_large(tmp_path: Path) -> None:
    p = write(tmp_path, "big.txt", BODY.encode("utf-8"))
    with pytest.raises(InputError, match="too large"):
        read_source(p, issue_date=dt.date(2023, 1, 1), max_bytes=10)


def test_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = write(tmp_path, "locked.txt", BODY.encode("utf-8"))

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)  # chmod 0 is no barrier when tests run as root
    assert "unreadable" in _error(p).cause


# --- issue dates ------------------------------------------------------------------------------


def test_date_from_file_name_forms() -> None:
    assert date_from_name("pinghu_2023-03-24.txt") == dt.date(2023, 3, 24)
    assert date_from_name("/x/y/phrb_2023_03_24_p2.md") == dt.date(2023, 3, 24)
    assert date_from_name("20230324-A1.txt") == dt.date(2023, 3, 24)
    assert date_from_name("2023-02-30.txt") is None  # not a real date
    assert date_from_name("000_2b345dada261a864.txt") is None
    assert date_from_name("scan_120230324999.txt") is None  # inside a longer number


def test_date_from_text_needs_a_year() -> None:
    assert date_from_text("本报讯 3月24日下午，会议召开。") is None
    text = "本报讯（记者 沈嘉怡）4月2日，……2022年……2023年……2023年目标"
    assert date_from_text(text) == dt.date(2023, 4, 2)


def test_resolve_issue_date_order(tmp_path: Path) -> None:
    text = "本报讯 3月24日，2021年"
    explicit = dt.date(2020, 1, 2)
    assert resolve_issue_date("a_2022-05-06.txt", text, explicit) == explicit
    assert resolve_issue_date("a_2022-05-06.txt", text, None) == dt.date(2022, 5, 6)
    assert resolve_issue_date("a.txt", text, None) == dt.date(2021, 3, 24)
    with pytest.raises(InputError, match="no issue date") as info:
        resolve_issue_date("a.txt", "没有日期", None)
    assert "--date" in str(info.value)
    p = write(tmp_path, "undated.txt", "## 标题\n\n正文。\n".encode())
    with pytest.raises(InputError, match="no issue date"):
        read_source(p)
    assert read_source(p, require_date=False).issue_date is None
    assert read_source(p, issue_date=explicit).issue_date == explicit


# --- page numbers and pages -------------------------------------------------------------------


def test_page_from_file_name() -> None:
    assert page_from_name("phrb_2023-03-24_p3.txt") == 3
    assert page_from_name("phrb_2023-03-24-page03.txt") == 3
    assert page_from_name("平湖日报第3版.txt") == 3
    assert page_from_name("phrb_2023-03-24_03.txt") == 3
    assert page_from_name("pinghu_2023-04-12_p2_plain.txt") == 2
    assert page_from_name("phrb_2023_03_24.txt") is None  # the day is not a page
    assert page_from_name("000_2b345dada261a864.txt") is None


def test_split_pages_of_an_issue() -> None:
    doc = read_source(PAGES / "issue_2023-04-14.txt")
    pages = split_pages(doc)
    assert [p.number for p in pages] == [1, 2]
    assert pages[0].start == 0 and pages[-1].end == len(doc.text)
    assert all(a.end == b.start for a, b in zip(pages, pages[1:], strict=False))
    assert doc.text[pages[1].start :].startswith("# 第2版")


def test_split_pages_heading_styles(tmp_path: Path) -> None:
    text = "前言\n第01版：要闻\n甲。\n=== 第2版 ===\n乙。\nA3版\n丙。\nB1版 · 综合\n丁。\n见第3版报道。\n（转第2版）\n"
    doc = read_source(write(tmp_path, "issue_2023-01-05.txt", text.encode()))
    pages = split_pages(doc)
    assert [p.number for p in pages] == [1, 2, 3, 101]
    assert pages[0].start == 0 and pages[-1].end == len(text)
    assert sum(p.end - p.start for p in pages) == len(text)


def test_single_page_uses_name_or_one(tmp_path: Path) -> None:
    doc = read_source(write(tmp_path, "x_2023-01-05_p4.txt", BODY.encode()))
    assert [(p.number, p.start, p.end) for p in split_pages(doc)] == [(4, 0, len(doc.text))]
    doc = read_source(SAMPLE)
    assert [(p.number, p.start, p.end) for p in split_pages(doc)] == [(1, 0, len(doc.text))]
