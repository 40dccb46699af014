"""The analyst-facing commands: help on every option, --version, export with the report's filters."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import pytest

from pipeline.cli.main import build_parser, main
from pipeline.store.schema import SCHEMA_VERSION, TABLE_NAMES
from pipeline.versions import __version__


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_option_has_help_text() -> None:
    parser = build_parser()
    assert "``" not in parser.description and parser.description.startswith("pinghu-ner: ")
    missing = []
    for name, sp in {"": parser, **_subparsers(parser)}.items():
        for action in sp._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert not missing, f"options without help text: {missing}"


def test_version_names_package_model_and_gazetteer(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"pinghu-ner {__version__}\n") and f"tables schema {SCHEMA_VERSION}" in out
    model = next(line for line in out.splitlines() if line.startswith("model "))
    gaz = next(line for line in out.splitlines() if line.startswith("gazetteer "))
    # content hashes, the ones the manifest records for --resume
    from pipeline.ingest.identity import tree_hash
    from pipeline.settings import DEFAULT_GAZETTEER, DEFAULT_MODEL

    assert model.split()[2] == tree_hash(str(DEFAULT_MODEL.resolve())) and len(model.split()[2]) == 16
    assert gaz.split()[2] == tree_hash(str(DEFAULT_GAZETTEER.resolve()))


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_export_csv_with_filters(outputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "csv"
    assert main(["export", str(dest), "--outputs", str(outputs), "--page", "2", "--from", "2024-03-02"]) == 0
    assert sorted(p.name for p in dest.iterdir()) == sorted(f"{t}.csv" for t in TABLE_NAMES)
    arts = _rows(dest / "articles.csv")
    assert [(a["page"], a["issue_date"]) for a in arts] == [("2", "2024-03-02")]
    assert json.loads(arts[0]["jumps"]) == [] and arts[0]["kicker"] == ""  # lists as JSON, nulls empty
    assert {m["article_id"] for m in _rows(dest / "mentions.csv")} == {arts[0]["article_id"]}
    ents = {e["canonical"] for e in _rows(dest / "entities.csv")}
    assert ents == {"新埭镇", "某合作社", "平湖市发展和改革局"}  # only what those mentions name
    assert "1 articles" in capsys.readouterr().out


def test_export_xlsx(outputs: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    dest = tmp_path / "out.xlsx"
    assert main(["export", str(dest), "--outputs", str(outputs), "--locality", "当湖街道"]) == 0
    wb = openpyxl.load_workbook(dest, read_only=True)
    assert wb.sheetnames == list(TABLE_NAMES)
    rows = list(wb["articles"].values)
    header, body = rows[0], rows[1:]
    assert len(body) == 2 and all("当湖街道" in r[header.index("text")] for r in body)
    assert {type(r[header.index("issue_date")]).__name__ for r in body} == {"datetime"}  # a date cell


def test_xlsx_cuts_cells_excel_cannot_hold(outputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from pipeline.report import export as X

    monkeypatch.setattr(X, "EXCEL_CELL_MAX", 10)
    assert main(["export", str(tmp_path / "x.xlsx"), "--outputs", str(outputs)]) == 0
    assert "cells longer than Excel's" in capsys.readouterr().out
    rows = list(openpyxl.load_workbook(tmp_path / "x.xlsx", read_only=True)["articles"].values)
    assert max(len(r[rows[0].index("text")]) for r in rows[1:]) == 10
    assert main(["export", str(tmp_path / "csv"), "--outputs", str(outputs)]) == 0  # the CSV keeps them whole
    assert max(len(r["text"]) for r in _rows(tmp_path / "csv" / "articles.csv")) > 10


def test_report_filters_on_the_command_line(outputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html = tmp_path / "r.html"
    assert main(["report", str(outputs), "--page", "1", "--to", "2024-03-01", "--html", str(html)]) == 0
    out = capsys.readouterr().out
    assert "filtered: … to 2024-03-01; page 1" in out
    assert '"initial":{"from":null,"to":"2024-03-01","page":"1","locality":null}' in html.read_text(encoding="utf-8")
    assert main(["report", str(outputs), "--from", "2024-03-02", "--to", "2024-03-01"]) == 2


@pytest.mark.parametrize("where", ["", "csv", "mentions/paper=pinghu-daily", "tables.xlsx"])
def test_export_refuses_to_write_inside_the_outputs(outputs: Path, where: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.store.check import stray_files

    dest = outputs / where if where else outputs
    before = sorted(p for p in outputs.rglob("*"))
    assert main(["export", str(dest), "--outputs", str(outputs)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "inside the outputs directory" in err, err
    assert sorted(p for p in outputs.rglob("*")) == before and stray_files(outputs) == []
    assert main(["export", str(tmp_path / "beside"), "--outputs", str(outputs)]) == 0  # beside it: fine


def test_report_writes_no_file_into_the_outputs(outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(outputs.rglob("*"))
    assert main(["report", str(outputs), "--html", str(outputs / "report.html")]) == 2
    assert main(["report", str(outputs), "--png", str(outputs / "charts")]) == 2
    assert capsys.readouterr().err.count("inside the outputs directory") == 2
    assert sorted(outputs.rglob("*")) == before
