"""Bad input costs its own file only; refused names write nothing; faults lose nothing."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli.main import main

GOOD = """## 新仓镇召开农业生产推进会

■记者 柏文涛

本报讯 5月10日，新仓镇召开农业生产推进会。镇党委书记严志刚出席会议并讲话，要求各村抓好春耕生产。
会上，市农业农村局相关负责人介绍了今年的补贴政策。
"""


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["run", *args, "--quiet"])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    return code, err


def make_bad(tmp: Path, kind: str) -> Path:
    p = tmp / f"2024-05-10_{kind}.md"
    if kind == "empty":
        p.write_bytes(b"")
    elif kind == "blank":
        p.write_text("\n \n\t\n", encoding="utf-8")
    elif kind == "pdf":
        p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    elif kind == "jpeg":
        p.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4)
    elif kind == "zip":
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("a.txt", "平湖")
    elif kind == "undecodable":
        p.write_bytes("本报讯 平湖".encode() + b"\xff\xfe\xfa\x80\x81\xfe\xff" * 20)
    elif kind == "nonews":
        p.write_text("## \n\n---\n\n![](photo.jpg)\n\n<br>\n", encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "kind, cause",
    [
        ("empty", "empty"),
        ("blank", "empty"),
        ("pdf", "PDF"),
        ("jpeg", "JPEG"),
        ("zip", "ZIP"),
        ("undecodable", "decod"),
        ("nonews", "no articles"),
    ],
)
def test_bad_file_gets_one_line_and_others_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, cause: str
) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    bad = make_bad(inp, kind)
    (inp / "2024-05-10_good.md").write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    code, err = run_cli([str(inp), "--out", str(out)], capsys)
    assert code == 1
    assert len(err) == 1, err
    assert bad.name in err[0] and cause.lower() in err[0].lower()
    arts = pd.read_parquet(out / "articles")
    assert list(arts["headline"]) == ["新仓镇召开农业生产推进会"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    statuses = {Path(k).name: v["status"] for k, v in manifest["files"].items()}
    assert statuses == {bad.name: "error", "2024-05-10_good.md": "ok"}


def test_missing_path_and_dangling_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link = tmp_path / "2024-05-10_gone.md"
    link.symlink_to(tmp_path / "nowhere.md")
    code, err = run_cli([str(tmp_path / "absent.md"), str(link), "--out", str(tmp_path / "o")], capsys)
    assert code == 1 and len(err) == 2
    assert "absent.md" in err[0] and "2024-05-10_gone.md" in err[1]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "crlf"])
def test_encodings_are_read(tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str) -> None:
    p = tmp_path / "2024-05-10_p1.txt"
    if encoding == "crlf":
        p.write_bytes(GOOD.replace("\n", "\r\n").encode("utf-8"))
    else:
        p.write_bytes(GOOD.encode(encoding))
    code, err = run_cli([str(p), "--out", str(tmp_path / "o")], capsys)
    assert code == 0, err
    m = pd.read_parquet(tmp_path / "o" / "mentions")
    assert "严志刚" in set(m.loc[m["type"] == "PERSON", "surface"])


def test_messy_markdown_long_line_control_chars_traditional(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    messy = (
        "## 林埭鎮舉行消防演練\n\n| 項目 | 數量 |\n|---|---|\n| 車輛 | 3 |\n\n<div>![](a.png)</div>\n\n"
        "■記者 屠雲飛\n\n本報訊 5月10日，林埭鎮舉行消防演練，鎮長諸葛明出席。\x07\x0b\n\n"
        + "平湖" * 50_000
        + "。\n"
    )
    p = tmp_path / "2024-05-10_p2.md"
    p.write_text(messy, encoding="utf-8")
    code, err = run_cli([str(p), "--out", str(tmp_path / "o")], capsys)
    assert code == 0, err
    m = pd.read_parquet(tmp_path / "o" / "mentions")
    people = set(m.loc[m["type"] == "PERSON", "surface"])
    assert "屠雲飛" in people  # traditional surface kept as printed
    src = p.read_text(encoding="utf-8")
    for row in m.itertuples():
        assert 0 <= row.source_start < row.source_end <= len(src)


@pytest.mark.parametrize(
    "flags",
    [
        ["--paper", "../x"],
        ["--paper", "/etc"],
        ["--paper", "Pinghu Daily"],
        ["--date", "2023-02-30"],
        ["--date", "../../x"],
        ["--out", "out\x00x"],
    ],
)
def test_refused_names_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str]) -> None:
    p = tmp_path / "2024-05-10_p1.md"
    p.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    args = ["run", str(p), "--out", str(out), *flags]
    try:
        code = main(args)
    except SystemExit as exc:  # argparse refuses a bad --date/--out with exit 2
        code = exc.code
    assert code == 2
    assert not out.exists()
    assert sorted(x.name for x in tmp_path.iterdir()) == ["2024-05-10_p1.md"]


@pytest.mark.parametrize("err, words", [(errno.ENOSPC, "No space left"), (errno.EACCES, "Permission denied")])
def test_write_errors_give_clear_message_and_keep_earlier_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, err: int, words: str
) -> None:
    import pipeline.store.commit as commit

    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "2024-05-10_a.md").write_text(GOOD, encoding="utf-8")
    (inp / "2024-05-11_b.md").write_text(GOOD.replace("5月10日", "5月11日"), encoding="utf-8")
    real = commit.write_file
    calls = {"n": 0}

    def flaky(path, write):  # noqa: ANN001, ANN202
        if "2024-05-11" in str(path):
            raise OSError(err, os.strerror(err), str(path))
        calls["n"] += 1
        return real(path, write)

    monkeypatch.setattr(commit, "write_file", flaky)
    out = tmp_path / "out"
    code, err = run_cli([str(inp), "--out", str(out)], capsys)
    assert code == 1 and len(err) == 1
    assert "2024-05-11_b.md" in err[0] and words in err[0]
    arts = pd.read_parquet(out / "articles")
    assert len(arts) == 1 and calls["n"] >= 3


def _pages(n: int, d: Path) -> list[Path]:
    files = []
    for i in range(n):
        body = "".join(
            f"本报讯 5月{i + 1}日，第{k}次会议在当湖街道召开，副市长金海涛出席并讲话，市发改局负责人汇报工作。"
            for k in range(40)
        )
        p = d / f"2024-05-{i + 1:02d}_p1.md"
        p.write_text(f"## 第{i + 1}期工作会议召开\n\n■记者 邵晓东\n\n{body}\n", encoding="utf-8")
        files.append(p)
    return files


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    keys = {"articles": ["article_id"], "mentions": ["mention_id"], "people": ["article_id", "name"]}
    return {t: pd.read_parquet(out / t).sort_values(k).reset_index(drop=True) for t, k in keys.items()}


@pytest.mark.slow
def test_sigkill_mid_batch_then_resume_equals_uninterrupted(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    files = _pages(8, inp)
    cmd = [sys.executable, "-m", "pipeline", "run", str(inp), "--quiet"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    ref = tmp_path / "ref"
    subprocess.run([*cmd, "--out", str(ref)], check=True, env=env, capture_output=True)

    out = tmp_path / "out"
    proc = subprocess.Popen([*cmd, "--out", str(out)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    manifest = out / "manifest.json"
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline and proc.poll() is None:
        if manifest.exists():
            try:
                done = len(json.loads(manifest.read_text(encoding="utf-8"))["files"])
            except (ValueError, KeyError):
                done = 0
            if done >= 2:
                break
        time.sleep(0.01)
    assert proc.poll() is None, "run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # What is visible is readable and complete for each finished file; no temp file is visible.
    finished = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    assert 2 <= len(finished) < len(files)
    arts = pd.read_parquet(out / "articles")
    assert set(arts["headline"]) >= {f"第{i + 1}期工作会议召开" for i in range(2)}
    ref_tables = _tables(ref)
    for name, df in _tables(out).items():
        assert set(df.iloc[:, 0]) <= set(ref_tables[name].iloc[:, 0]), name
    # Resume: skips what is done, finishes the rest, ends where an uninterrupted run ends.
    resume = [c for c in cmd if c != "--quiet"]
    res = subprocess.run([*resume, "--out", str(out), "--resume", "--verbose"], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stderr.count("skipped (done)") >= 2
    for name, df in _tables(out).items():
        pd.testing.assert_frame_equal(df, ref_tables[name], check_like=True, obj=name)


def test_hanlp_backend_fails_with_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "2024-05-10_p1.md"
    p.write_text(GOOD, encoding="utf-8")
    code = main(["run", str(p), "--out", str(tmp_path / "o"), "--backend", "hanlp", "--quiet"])
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert code == 2
    assert len(err) == 1 and "HanLP" in err[0]


BIG_SCRIPT = """
import datetime as dt, json, resource, sys
from pathlib import Path
from pipeline.recognize import RecognizeStage
from pipeline.runner import Pipeline, process_and_write
from pipeline.settings import Settings
settings = Settings(out_dir=Path(sys.argv[2]))
pipe = Pipeline(settings)
# The gazetteer preset (its ruler and its passes) stands in for the default: this test is about
# memory, not accuracy.
pipe.recognizer = RecognizeStage(Settings(out_dir=Path(sys.argv[2]), backend="gazetteer"))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
o = process_and_write(Path(sys.argv[1]), dt.date(2024, 5, 10), pipe)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"ok": o.ok, "error": o.error, "counts": o.counts, "base_mb": base / 1024, "peak_mb": peak / 1024}))
"""


@pytest.mark.slow
def test_fifty_megabyte_issue_file_runs_page_by_page_in_bounded_memory(tmp_path: Path) -> None:
    para = "新仓镇召开农业生产推进会，镇党委书记严志刚出席会议并讲话，市农业农村局负责人介绍补贴政策。" * 8
    article = "## 新仓镇召开农业生产推进会\n\n■记者 柏文涛\n\n本报讯 5月10日，" + (para + "\n\n") * 4
    page = "".join(article for _ in range(12))
    big = tmp_path / "2024-05-10_issue.md"
    with open(big, "w", encoding="utf-8") as fh:
        n = 0
        while fh.tell() < 50 * 1024 * 1024:
            n += 1
            fh.write(f"# 第{n}版\n\n{page}")
    size_mb = big.stat().st_size / 2**20
    assert size_mb >= 50
    res = subprocess.run([sys.executable, "-c", BIG_SCRIPT, str(big), str(tmp_path / "out")],
                         capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert res.returncode == 0, res.stderr[-2000:]
    report = json.loads(res.stdout.strip().splitlines()[-1])
    assert report["ok"], report["error"]
    assert report["counts"]["articles"] == 12 * n
    # Memory grows with a page and with the compact output columns, not with Python records
    # for the whole file: well under the decoded text's size times the per-record overhead.
    assert report["peak_mb"] - report["base_mb"] < 1200, report
    print(f"50 MB file: {size_mb:.0f} MB, peak RSS {report['peak_mb']:.0f} MB (start {report['base_mb']:.0f} MB)")
    arts = pd.read_parquet(tmp_path / "out" / "articles", columns=["article_id"])
    assert len(arts) == 12 * n and arts["article_id"].is_unique


def test_page_without_headlines_still_yields_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "2024-05-10_p3.txt"
    p.write_text("本报讯 5月10日，广陈镇举行农民丰收节，副镇长虞海波出席。\n\n活动吸引了上千名村民参加。\n", encoding="utf-8")
    code, err = run_cli([str(p), "--out", str(tmp_path / "o")], capsys)
    assert code == 0, err
    arts = pd.read_parquet(tmp_path / "o" / "articles")
    assert len(arts) == 1 and "广陈镇" in arts["text"].iloc[0]
    m = pd.read_parquet(tmp_path / "o" / "mentions")
    assert "虞海波" in set(m.loc[m["type"] == "PERSON", "surface"])
