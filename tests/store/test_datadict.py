"""The data dictionary is generated from the schemas and docs/outputs.md carries the current one."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from outputs_fixture import build_outputs

from pipeline.cli.main import main
from pipeline.store import datadict, schema

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
README = ROOT / "README.md"
OUTPUTS_DOC = ROOT / "docs" / "outputs.md"


def test_every_column_has_a_meaning_and_an_example() -> None:
    for table in schema.TABLE_NAMES:
        rows = datadict.rows(table)
        assert [r["column"] for r in rows] == schema.schema_for(table).names
        for r in rows:
            assert r["meaning"].strip() and r["example"].strip() and r["type"], (table, r)


def test_outputs_doc_tables_section_is_in_sync() -> None:
    """Fails when a schema changes without `python -m pipeline.store.datadict --write docs/outputs.md`."""
    text = OUTPUTS_DOC.read_text(encoding="utf-8")
    assert datadict.BEGIN in text
    assert datadict.readme_section(text) == datadict.markdown(), (
        "docs/outputs.md's tables are out of date: run `python -m pipeline.store.datadict --write docs/outputs.md`"
    )


def test_sync_check_can_fail(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{datadict.BEGIN}\n| old | table |\n{datadict.END}\n", encoding="utf-8")
    assert datadict.readme_section(readme.read_text(encoding="utf-8")) != datadict.markdown()
    assert datadict.write_readme(readme) is True
    assert datadict.readme_section(readme.read_text(encoding="utf-8")) == datadict.markdown()
    assert datadict.write_readme(readme) is False


def test_tables_command_prints_the_dictionary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tables"]) == 0
    assert capsys.readouterr().out == datadict.markdown()
    assert main(["tables", "people"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("### `people`") and "`person_id`" in out and "### `articles`" not in out


def test_readme_page1_per_month_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's three-line answer to "top officials on page 1 per month" works as printed."""
    build_outputs(tmp_path / "outputs")
    monkeypatch.chdir(tmp_path)
    text = README.read_text(encoding="utf-8")
    block = re.search(r"Top officials on page 1, per month.*?```python\n(.*?)```", text, re.S).group(1)
    lines = block.strip().splitlines()
    assert len(lines) <= 3
    env: dict = {}
    exec("import pipeline\n" + "\n".join(lines[:-1]) + f"\n__result = {lines[-1]}", env)
    result: pd.Series = env["__result"]
    assert result.index.names == ["month", "person_id", "name"]
    assert result.loc[(pd.Period("2024-03", "M"), "person:张三", "张三")] == 4
