"""Issue 33: the faults that still gave tracebacks or were accepted in silence.

Each test drives the CLI (in-process through ``main``, or as a subprocess where the fault is the
process's own stdout) into one faulty path and checks the exit status, that stderr is exactly
one line naming the file and the cause, and that no traceback is printed:

* a broken model file (``model.onnx`` or ``second.onnx`` empty, truncated or random; ``members.json``, ``vocab.json``, ``combiner.json``,
  ``learned_combiner.json``, ``config.cfg``): exit 2 before any file is processed;
* ``export`` to a read-only place, to a directory where a workbook is expected, to a full disk;
* a reader of stdout that went away (``pinghu-ner check out | head``): quiet, exit 141;
* a gazetteer missing ``divisions.csv``, or with a column or field missing: exit 2, file and field;
* Korean (EUC-KR) and Japanese (EUC-JP) pages: refused; GB18030 and Big5 pages: still read;
* a dangling ``x.md`` link inside an input folder: one line; a newline in a file name: escaped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rerun_fixture import FAST_BACKEND, page, write

import pipeline
from pipeline.cli.main import EXIT_BROKEN_PIPE, main
from pipeline.ingest import printable
from pipeline.ingest.foreign import foreign_cjk
from pipeline.ingest.read import decode_bytes
from pipeline.settings import DEFAULT_GAZETTEER, DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]
D1 = dt.date(2024, 5, 13)


def stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    return [line for line in err.splitlines() if line.strip()]


def one_line(err: list[str], *words: str) -> None:
    assert len(err) == 1, err
    for w in words:
        assert w in err[0], (w, err)


def run(args: list[str], capsys: pytest.CaptureFixture[str], backend: str = FAST_BACKEND) -> tuple[int, list[str]]:
    code = main(["run", *args, "--backend", backend, "--quiet"])
    return code, stderr_lines(capsys)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(tmp_path / "in" / f"{D1.isoformat()}.md", page(D1, 0))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One page run with the fast backend: what export and check read."""
    root = tmp_path_factory.mktemp("faults")
    src = write(root / "in" / f"{D1.isoformat()}.md", page(D1, 0))
    assert main(["run", str(src), "--out", str(root / "out"), "--backend", FAST_BACKEND, "--quiet"]) == 0
    return root / "out"


# --- broken model files: one line, exit 2, before any file is processed ------------------------


def model_copy(dest: Path) -> Path:
    """The shipped model directory as links (cheap); a test replaces the file it breaks."""
    shutil.copytree(DEFAULT_MODEL, dest, copy_function=os.symlink)
    return dest


def replace(path: Path, data: bytes) -> None:
    path.unlink()
    path.write_bytes(data)


ONNX = "pinghu_lstm_ner/model.onnx"
MODEL_FAULTS = {
    # name: (file, new bytes (from the original's), backend, words the line must hold)
    "onnx-empty": (ONNX, lambda b: b"", "spacy", ("model.onnx", "empty")),
    "onnx-truncated": (ONNX, lambda b: b[:4096], "spacy", ("model.onnx", "onnxruntime", "INVALID_PROTOBUF")),
    "onnx-random": (ONNX, lambda b: os.urandom(65536), "spacy", ("model.onnx", "onnxruntime")),
    "second-empty": ("pinghu_lstm_ner/second.onnx", lambda b: b"", "spacy", ("second.onnx", "empty")),
    "second-random": ("pinghu_lstm_ner/second.onnx", lambda b: os.urandom(65536), "spacy", ("second.onnx", "onnxruntime")),
    "members-json": ("pinghu_lstm_ner/members.json", lambda b: b"{", "spacy", ("members.json", "JSON")),
    "members-weights": ("pinghu_lstm_ner/members.json", lambda b: b'{"weights": [0.7, 0.7]}', "spacy",
                        ("members.json", "'weights'")),
    "vocab-json": ("pinghu_lstm_ner/vocab.json", lambda b: b[:100], "spacy", ("vocab.json", "not valid JSON")),
    "vocab-shape": ("pinghu_lstm_ner/vocab.json", lambda b: b'{"chars": "abc"}', "spacy",
                    ("vocab.json", "'chars'")),
    "vocab-entry-type": ("pinghu_lstm_ner/vocab.json", lambda b: json.dumps({**json.loads(b), "chars": ["平", 7]}).encode(),
                         "spacy", ("vocab.json", "'chars'")),
    "vocab-entry-width": ("pinghu_lstm_ner/vocab.json",
                          lambda b: json.dumps({**json.loads(b), "bigrams": ["平湖", "平湖市"]}).encode(), "spacy",
                          ("vocab.json", "'bigrams'")),
    "config": ("config.cfg", lambda b: b"[nlp\nlang = zh\n", "spacy", ("config.cfg", "not a model config")),
    "combiner-json": ("combiner.json", lambda b: b[: len(b) // 2], FAST_BACKEND, ("combiner.json", "not valid JSON")),
    "combiner-shape": ("combiner.json", lambda b: b'{"weights": {"spacy": 0.9}}', FAST_BACKEND,
                       ("combiner.json", "'weights'")),
    "learned-json": ("learned_combiner.json", lambda b: b"{", "combined", ("learned_combiner.json", "JSON")),
    "learned-shape": ("learned_combiner.json", lambda b: json.dumps({**json.loads(b), "coef": [1.0]}).encode(),
                      "combined", ("learned_combiner.json", "'coef'")),
}


@pytest.mark.parametrize("fault", sorted(MODEL_FAULTS))
def test_broken_model_file_is_one_line_before_any_file(tmp_path: Path, good: Path, fault: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    name, damage, backend, words = MODEL_FAULTS[fault]
    model = model_copy(tmp_path / "model")
    replace(model / name, damage((DEFAULT_MODEL / name).read_bytes()))
    out = tmp_path / "out"
    code, err = run([str(good), "--out", str(out), "--model", str(model)], capsys, backend=backend)
    assert code == 2
    one_line(err, "pinghu-ner: error: ", str(model / name), *words)
    assert not out.exists()  # refused before the outputs directory was touched


def test_broken_model_with_workers_is_refused_not_a_hang(tmp_path: Path, good: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    model = model_copy(tmp_path / "model")
    replace(model / ONNX, b"")
    other = write(good.parent / "2024-05-14.md", page(dt.date(2024, 5, 14), 1))
    code, err = run([str(good), str(other), "--out", str(tmp_path / "out"), "--model", str(model),
                     "--workers", "2"], capsys, backend="spacy")
    assert code == 2
    one_line(err, "model.onnx", "empty")


# --- export: one line naming the target and the cause -------------------------------------------


def export(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["export", *args])
    return code, stderr_lines(capsys)


def test_export_xlsx_to_a_directory(tmp_path: Path, outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "book.xlsx"
    target.mkdir()
    code, err = export([str(target), "--outputs", str(outputs)], capsys)
    assert code == 2
    one_line(err, str(target), "is a directory")


def test_export_to_a_read_only_place(tmp_path: Path, outputs: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """EACCES on every file under the target (what a read-only directory gives a non-root user)."""
    import builtins

    target = tmp_path / "csv"
    target.mkdir()
    real_open = builtins.open

    def deny(f: object, *a: object, **k: object) -> object:
        if isinstance(f, (str, os.PathLike)) and os.fspath(f).startswith(str(target)):
            raise PermissionError(13, "Permission denied", os.fspath(f))
        return real_open(f, *a, **k)

    monkeypatch.setattr(builtins, "open", deny)
    code, err = export([str(target), "--outputs", str(outputs)], capsys)
    assert code == 1
    one_line(err, str(target), "Permission denied")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_to_a_full_disk(tmp_path: Path, outputs: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    """/dev/full answers every write with ENOSPC: the workbook itself, or one CSV linked to it."""
    if fmt == "xlsx":
        target, shown = Path("/dev/full"), "/dev/full"
    else:
        target = tmp_path / "csv"
        target.mkdir()
        (target / "articles.csv").symlink_to("/dev/full")
        shown = str(target)
    code, err = export([str(target), "--format", fmt, "--outputs", str(outputs)], capsys)
    assert code == 1
    one_line(err, shown, "No space left on device")


# --- a reader of stdout that went away: quiet, exit 141, for every command that prints ----------


@pytest.mark.parametrize("command", ["check", "report", "tables", "export", "run"])
def test_broken_pipe_on_stdout_is_quiet(tmp_path: Path, outputs: Path, good: Path, command: str) -> None:
    args = {
        "check": ["check", str(outputs)],
        "report": ["report", str(outputs)],
        "tables": ["tables"],
        "export": ["export", str(tmp_path / "csv"), "--outputs", str(outputs)],
        "run": ["run", str(good), "--out", str(tmp_path / "out"), "--backend", FAST_BACKEND],
    }[command]
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line: `| head -c 0`, deterministically
    try:
        proc = subprocess.run([sys.executable, "-m", "pipeline", *args], stdout=write_end, stderr=subprocess.PIPE,
                              text=True, cwd=tmp_path, timeout=120)
    finally:
        os.close(write_end)
    assert proc.returncode == EXIT_BROKEN_PIPE == 141, proc.stderr
    assert proc.stderr == ""


# --- gazetteer: the missing file, or the file and field at fault --------------------------------


def gazetteer_copy(dest: Path) -> Path:
    shutil.copytree(DEFAULT_GAZETTEER, dest)
    return dest


def _drop_column(path: Path, column: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    k = head.index(column)
    path.write_text("\n".join(",".join(c for i, c in enumerate(x.split(",")) if i != k) for x in lines) + "\n",
                    encoding="utf-8")


def _drop_field(path: Path, key: str) -> None:
    config = json.loads(path.read_text(encoding="utf-8"))
    del config[key]
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")


GAZETTEER_FAULTS = {
    "no-divisions": (lambda g: (g / "divisions.csv").unlink(), ("divisions.csv", "missing")),
    "no-gazetteer-json": (lambda g: (g / "gazetteer.json").unlink(), ("gazetteer.json", "missing")),
    "agencies-no-kind": (lambda g: _drop_column(g / "agencies.csv", "kind"), ("agencies.csv", "'kind'")),
    "json-no-city": (lambda g: _drop_field(g / "gazetteer.json", "city_name"), ("gazetteer.json", "'city_name'")),
    "bad-level": (lambda g: (g / "divisions.csv").write_text(
        "code,name,level,parent_code\n33,浙江省,province,\n3304,嘉兴市,prefecture,33\n", encoding="utf-8"),
        ("divisions.csv line 3", "prefecture")),
}


@pytest.mark.parametrize("fault", sorted(GAZETTEER_FAULTS))
def test_broken_gazetteer_names_file_and_field(tmp_path: Path, good: Path, fault: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    damage, words = GAZETTEER_FAULTS[fault]
    gaz = gazetteer_copy(tmp_path / "gaz")
    damage(gaz)
    out = tmp_path / "out"
    code, err = run([str(good), "--out", str(out), "--gazetteer", str(gaz)], capsys)
    assert code == 2
    one_line(err, f"--gazetteer {gaz}", *words)
    assert not out.exists()


# --- Korean and Japanese pages in legacy encodings: refused; Chinese ones: read ----------------

KOREAN = (
    "서울시는 오늘 시청에서 새로운 교통 정책에 관한 회의를 열었다. 시장은 주민들에게 내년 예산안에 대해 "
    "자세히 설명했다. 이번 행사에는 지역 주민과 학생 등 약 삼백 명이 참가했다.\n"
)
JAPANESE = (
    "市長は住民に対して来年度の予算について詳しく説明しました。今回のイベントには地域の住民や学生など"
    "約三百人が参加しました。\n"
)


@pytest.mark.parametrize(("text", "encoding", "language"), [
    (KOREAN, "euc_kr", "Korean (EUC-KR)"),
    (JAPANESE, "euc_jp", "Japanese (EUC-JP)"),
    (JAPANESE, "shift_jis", "Japanese (Shift_JIS)"),
], ids=["euc-kr", "euc-jp", "shift-jis"])
def test_korean_and_japanese_pages_are_refused(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str],
                                               text: str, encoding: str, language: str) -> None:
    foreign = write(good.parent / "2024-05-14.md", f"## 2024\n\n{text}", encoding=encoding)
    assert foreign_cjk(foreign.read_bytes()) == language
    code, err = run([str(good.parent), "--out", str(tmp_path / "out")], capsys)
    assert code == 1
    one_line(err, str(foreign), language, "not Chinese")
    assert len(pipeline.load(str(tmp_path / "out")).articles) == 1  # the Chinese page still went through


BIG5_PAGE = "## 新倉鎮召開農業生產推進會\n\n本報訊 5月13日，新倉鎮召開農業生產推進會。鎮黨委書記嚴志剛出席會議並講話。\n"


def test_chinese_legacy_pages_are_still_read() -> None:
    for p in sorted((ROOT / "tests" / "data" / "pages").glob("gb18030_*.txt")):
        data = p.read_bytes()
        assert decode_bytes(data)[1] == "gb18030" and foreign_cjk(data) is None, p
    big5 = BIG5_PAGE.encode("big5")
    assert decode_bytes(big5) == (BIG5_PAGE, "big5") and foreign_cjk(big5) is None


def _corpus_lines() -> list[str]:
    path = ROOT.parent / "shared" / "corpora" / "sighan2005" / "pku_test.utf8"
    if not path.is_file():
        return []
    lines = [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if len(x.strip()) >= 8]
    return lines[:: max(1, len(lines) // 400)][:400]


@pytest.mark.skipif(not _corpus_lines(), reason="../shared/corpora not present")
def test_no_chinese_corpus_line_is_taken_for_korean_or_japanese() -> None:
    """400 news lines, each as GB18030 and (in traditional characters) as Big5: none refused."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    for line in _corpus_lines():
        for data in (line.encode("gb18030"), s2t.convert(line).encode("big5", errors="ignore")):
            assert foreign_cjk(data) is None, line


# --- input folders and file names ---------------------------------------------------------------


def test_dangling_link_in_a_folder_is_one_line(tmp_path: Path, good: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    link = good.parent / "x.md"
    link.symlink_to(tmp_path / "gone.md")
    code, err = run([str(good.parent), "--out", str(tmp_path / "out")], capsys)
    assert code == 1
    one_line(err, str(link), "broken or looping symbolic link")
    assert len(pipeline.load(str(tmp_path / "out")).articles) == 1


def test_dangling_link_on_the_command_line_is_a_failed_file(tmp_path: Path, good: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    link = tmp_path / "x.md"
    link.symlink_to(tmp_path / "gone.md")
    code, err = run([str(link), str(good), "--out", str(tmp_path / "out")], capsys)
    assert code == 1
    one_line(err, str(link), "broken or looping symbolic link")


@pytest.mark.parametrize("char", ["\n", "\r", "\x1b", "\u2028"])
def test_control_characters_in_a_file_name_are_escaped(tmp_path: Path, good: Path, char: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    bad = good.parent / f"2024-05-14_a{char}b.md"
    bad.write_text("", encoding="utf-8")  # an empty file: a failed file, its name in the line
    code, err = run([str(good.parent), "--out", str(tmp_path / "out")], capsys)
    assert code == 1
    escaped = ascii(char)[1:-1]
    one_line(err, f"_a{escaped}b.md", "empty file")
    assert printable(bad) == str(bad).replace(char, escaped)
