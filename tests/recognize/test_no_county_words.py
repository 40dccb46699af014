"""Nothing under recognize/ or segment/ (nor normalize, wordseg) spells a word of our county.

Why: another county must run from its gazetteer directory alone.  Any name the Pinghu gazetteer
knows that appears in a string literal of that code (docstrings and comments aside, which may
give examples) is a county word written into a rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

from pipeline.gazetteers.gazetteer import load_gazetteer
from pipeline.settings import DEFAULT_GAZETTEER, PACKAGE_DIR

CODE = [
    *sorted((PACKAGE_DIR / "recognize").glob("*.py")),
    *sorted((PACKAGE_DIR / "segment").glob("*.py")),
    PACKAGE_DIR / "ingest" / "normalize.py",
    PACKAGE_DIR / "model" / "wordseg.py",
    PACKAGE_DIR / "model" / "dictionary.py",
]


def _literals(path: Path) -> list[str]:
    """String literals of a module, less its docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


def test_recognise_and_segment_code_holds_no_gazetteer_name() -> None:
    names = {s for s, _ in load_gazetteer(DEFAULT_GAZETTEER).names_for_ruler() if len(s) >= 2}
    assert "平湖" in names or any("平湖" in n for n in names)  # the check can see county names
    hits = [(p.name, lit[:30], n) for p in CODE for lit in _literals(p) for n in names if n in lit]
    assert hits == []


def test_the_check_catches_a_county_word(tmp_path: Path) -> None:
    bad = tmp_path / "rule.py"
    bad.write_text('"""Doc 平湖 is fine here."""\nTOWNS = ("乍浦",)\n', encoding="utf-8")
    assert _literals(bad) == ["乍浦"]
