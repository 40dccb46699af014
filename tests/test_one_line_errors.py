"""Issue 17: every output-side and configuration error is one line naming the path, and wrong
data is never reported as success (Big5 pages, unreadable folders, side files, full-width dates,
an empty input)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from rerun_fixture import FAST_BACKEND, page, write

import pipeline
from pipeline.cli.main import main
from pipeline.ingest.read import date_from_name, date_from_text, decode_bytes

D1 = dt.date(2024, 5, 13)


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["run", *args, "--backend", FAST_BACKEND, "--quiet"])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    return code, err


def one_line(err: list[str], *words: str) -> None:
    assert len(err) == 1 and not err[0].startswith("Traceback"), err
    for w in words:
        assert w in err[0], (w, err)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(tmp_path / "in" / f"{D1.isoformat()}.md", page(D1, 0))


# --- paths on the command line and --out -------------------------------------------------------


def test_looping_symlink_is_one_line(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loop = tmp_path / "loop.md"
    loop.symlink_to(loop)
    code, err = cli([str(loop), str(good), "--out", str(tmp_path / "out")], capsys)
    assert code == 1
    one_line(err, "loop.md")
    assert len(pipeline.load(str(tmp_path / "out")).articles) == 1


def test_out_below_a_regular_file(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    code, err = cli([str(good), "--out", str(tmp_path / "afile" / "out")], capsys)
    assert code == 2
    one_line(err, "afile")


def test_read_only_out_simulated(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """EACCES on every file under --out (as a read-only directory gives a non-root user)."""
    import builtins

    out = tmp_path / "out"
    out.mkdir()
    real_open, real_os_open = builtins.open, os.open

    def deny(path: object) -> None:
        if str(out) in os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else False:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))

    monkeypatch.setattr(builtins, "open", lambda f, *a, **k: (deny(f), real_open(f, *a, **k))[1])
    monkeypatch.setattr(os, "open", lambda f, *a, **k: (deny(f), real_os_open(f, *a, **k))[1])
    code, err = cli([str(good), "--out", str(out)], capsys)
    assert code == 2
    one_line(err, str(out), "Permission denied")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_out_real(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        code, err = cli([str(good), "--out", str(out)], capsys)
    finally:
        out.chmod(0o755)
    assert code == 2
    one_line(err, str(out))


def test_file_name_not_utf8(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = os.fsencode(str(good.parent)) + b"/2024-05-14_\xff\xfe.md"
    with open(raw, "wb") as fh:
        fh.write(page(dt.date(2024, 5, 14), 1).encode("utf-8"))
    out = tmp_path / "out"
    code, err = cli([str(good.parent), "--out", str(out)], capsys)
    assert code == 0 and not err
    arts = pipeline.load(str(out)).articles
    assert len(arts) == 2 and any("\\xff\\xfe" in s for s in arts.source_file)
    assert main(["check", str(out)]) == 0


# --- configuration -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["empty", "malformed"])
def test_bad_gazetteer_directory_is_exit_2(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str],
                                           kind: str) -> None:
    gaz = tmp_path / "gaz"
    gaz.mkdir()
    if kind == "malformed":
        (gaz / "gazetteer.json").write_text("{not json", encoding="utf-8")
    code = main(["run", str(good), "--out", str(tmp_path / "out"), "--gazetteer", str(gaz), "--quiet"])
    err = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert code == 2
    one_line(err, str(gaz))
    assert not (tmp_path / "out").exists()


def test_manifest_of_wrong_shape(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"files": ["not", "records"]}), encoding="utf-8")
    code, err = cli([str(good), "--out", str(out)], capsys)
    assert code == 2
    one_line(err, "manifest.json")


# --- reading damaged outputs ---------------------------------------------------------------------


def test_truncated_part_in_load_report_and_check(tmp_path: Path, good: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert cli([str(good), "--out", str(out)], capsys)[0] == 0
    (part,) = (out / "mentions").rglob("part-*.parquet")
    part.write_bytes(part.read_bytes()[:40])
    with pytest.raises(pipeline.errors.OutputsError, match=part.name) as exc:
        pipeline.load(str(out))
    assert "\n" not in str(exc.value)
    assert main(["report", str(out)]) == 1
    err = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    one_line(err, part.name)
    assert main(["check", str(out)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(part.name in x for x in lines)


def test_report_html_given_a_directory(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert cli([str(good), "--out", str(out)], capsys)[0] == 0
    code = main(["report", str(out), "--html", str(tmp_path)])
    err = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert code == 2
    one_line(err, str(tmp_path))


# --- wrong data reported as success --------------------------------------------------------------

BIG5_PAGE = """## 新倉鎮召開農業生產推進會

■記者 柏文濤

本報訊 5月13日，新倉鎮召開農業生產推進會。鎮黨委書記嚴志剛出席會議並講話，要求各村抓好2024年春耕生產。
會上，市農業農村局相關負責人介紹了今年的補貼政策。
"""


def test_big5_page_is_decoded_not_garbled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write(tmp_path / "in" / f"{D1.isoformat()}.md", BIG5_PAGE, encoding="big5")
    assert decode_bytes(src.read_bytes()) == (BIG5_PAGE, "big5")
    gb = page(D1, 0).encode("gb18030")
    assert decode_bytes(gb)[1] == "gb18030"
    out = tmp_path / "out"
    assert cli([str(src), "--out", str(out)], capsys)[0] == 0
    arts = pipeline.load(str(out)).articles
    assert list(arts.headline) == ["新倉鎮召開農業生產推進會"]


def test_other_encodings_are_refused_not_garbled(tmp_path: Path, good: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    ja = "東京都で新しい会議が開かれました。市長は住民に対して説明を行いました。今年の予算について議論しました。" * 3
    sjis = write(tmp_path / "in" / "2024-05-14.md", f"## 会議\n\n{ja}\n", encoding="shift_jis")
    code, err = cli([str(sjis), str(good), "--out", str(tmp_path / "out")], capsys)
    assert code == 1
    one_line(err, sjis.name, "UTF-8")
    assert len(pipeline.load(str(tmp_path / "out")).articles) == 1


def test_unreadable_subdirectory_is_reported(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    hidden = good.parent / "locked"
    write(hidden / "2024-05-14.md", page(dt.date(2024, 5, 14), 1))
    real = os.scandir

    def scandir(path: object = ".") -> object:
        if os.fsdecode(path).rstrip("/").endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, err = cli([str(good.parent), "--out", str(tmp_path / "out")], capsys)
    assert code == 1
    one_line(err, "locked", "unreadable")
    assert len(pipeline.load(str(tmp_path / "out")).articles) == 1


def test_side_files_are_skipped_and_reported(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    side = write(good.parent / f"{D1.isoformat()}.articles.txt", "headline\tpage\n新仓镇召开农业生产推进会\t1\n")
    code = main(["run", str(good.parent), "--out", str(tmp_path / "out"), "--backend", FAST_BACKEND])
    err = capsys.readouterr().err
    assert code == 0 and side.name in err and "ignored" in err
    arts = pipeline.load(str(tmp_path / "out")).articles
    assert len(arts) == 1 and not any(s.endswith(side.name) for s in arts.source_file)


def test_full_width_dates() -> None:
    assert date_from_name("平湖日报２０２４－０７－０５.md") == dt.date(2024, 7, 5)
    assert date_from_name("archive/2024/05/13/01.md") == D1
    assert date_from_text("２０２４年工作会议。\n本报讯 ７月５日，全市召开会议。") == dt.date(2024, 7, 5)


def test_empty_directory_input_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    out = tmp_path / "out"
    code, err = cli([str(tmp_path / "empty"), "--out", str(out)], capsys)
    assert code == 2
    one_line(err, "no input files")
    assert not out.exists()


def test_pages_written_by_one_run_check_clean(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert cli([str(good), "--out", str(out)], capsys)[0] == 0
    assert main(["check", str(out)]) == 0
    (part,) = (out / "articles").rglob("part-*.parquet")
    stray = part.with_name("part-stray.parquet")
    pq.write_table(pq.read_table(part), stray)
    assert main(["check", str(out)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any("orphan" in x and stray.name in x for x in lines)
    assert any("duplicate article_id" in x for x in lines)
