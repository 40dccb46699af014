"""What ``pinghu-ner run --quiet`` imports: only what it uses.

Why a test: ``run`` starts in every worker process of a batch, so every module it imports and
does not need is paid once per worker; such imports come back one convenient line at a time
(a sub-command's module imported by the CLI, a reader imported by the store, setuptools'
``pkg_resources`` imported by jieba).  Checked in a fresh interpreter, where nothing else has
imported them first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "tests" / "data" / "dev" / "pinghu-2024-05-14_p1.md"

NOT_IMPORTED = ("pipeline.cli.browse", "pipeline.cli.commands", "pipeline.cli.correct", "pipeline.store.check",
                "pipeline.store.reader", "rich", "pkg_resources")

SCRIPT = """
import sys
from pipeline.cli.main import main
rc = main(["run", sys.argv[1], "--out", sys.argv[2], "--quiet"])
print(rc, *sorted(m for m in sys.argv[3:] if m in sys.modules))
import pkg_resources  # still importable by anyone after jieba: it was hidden from jieba only
"""


def test_run_quiet_imports_no_other_command_no_rich_and_no_pkg_resources(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(PAGE, pages / PAGE.name)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(pages), str(tmp_path / "out"), *NOT_IMPORTED],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0"], f"imported by run --quiet: {done.stdout.split()[1:]}"
