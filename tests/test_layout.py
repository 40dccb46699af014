"""The house by stages: one package per stage, no import cycle, small modules and functions.

Why a test: the layout is what lets a newcomer change one stage without reading the others.  It
drifts one convenient import at a time (the store once imported the runner's package, the
manifest and the commit protocol imported each other), so it is checked, not described.

The import graph is read from the source (``ast``), every ``import`` and ``from … import`` of a
``pipeline`` module, those inside functions too (a lazy import is still a dependency), except
under ``if TYPE_CHECKING:`` (never executed).  ``from pipeline.x import name`` is an edge to the
submodule ``pipeline.x.name`` when that is a module, else to ``pipeline.x``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
PACKAGE = ROOT / "pipeline"
# Besides the runner and settings, only what every stage shares: records, errors, the version, and
# the temporary-directory cache of derived tables (the tagger's lexicon, the gazetteer: tempcache).
TOP_LEVEL_MODULES = {"__init__", "__main__", "runner", "settings", "records", "errors", "versions", "tempcache"}
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def modules(package: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module under ``package`` (a package is its ``__init__``)."""
    out = {}
    for p in sorted(package.rglob("*.py")):
        parts = p.relative_to(package.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = p
    return out


def _runtime_nodes(tree: ast.Module) -> list[ast.AST]:
    """The tree's nodes less the bodies of ``if TYPE_CHECKING:`` blocks."""
    skip: set[int] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test):
            skip.update(id(x) for b in n.body for x in ast.walk(b))
    return [n for n in ast.walk(tree) if id(n) not in skip]


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the package modules it imports (see the module docstring)."""
    mods = modules(package)
    root = package.name
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        is_pkg = path.name == "__init__.py"
        for n in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(n, ast.Import):
                targets = [a.name for a in n.names]
            elif isinstance(n, ast.ImportFrom):
                if n.level:
                    base = name.split(".") if is_pkg else name.split(".")[:-1]
                    base = base[: len(base) - (n.level - 1)]
                    mod = ".".join(base + ([n.module] if n.module else []))
                else:
                    mod = n.module or ""
                targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in mods else mod for a in n.names]
            for t in targets:
                if (t == root or t.startswith(root + ".")) and t != name:
                    graph[name].add(t)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    nodes = sorted(set(graph) | {t for ts in graph.values() for t in ts})
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    x = stack.pop()
                    on_stack.discard(x)
                    comp.append(x)
                    if x == v:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def long_functions(package: Path, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    out = []
    for name, path in modules(package).items():
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = n.end_lineno - n.lineno + 1
                if lines > limit:
                    out.append(f"{name}.{n.name}: {lines} lines")
    return out


def private_imports(package: Path) -> list[str]:
    """``from <another module> import _name``: reaching into another module's private parts."""
    out = []
    for name, path in modules(package).items():
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(n, ast.ImportFrom) and (n.module or "").startswith(package.name):
                out.extend(f"{name}: {a.name} from {n.module}" for a in n.names
                           if a.name.startswith("_") and not a.name.startswith("__"))
    return out


def test_the_import_graph_has_no_cycle() -> None:
    graph = import_graph(PACKAGE)
    assert len(graph) > 50  # the graph was read
    assert cycles(graph) == []


def test_top_level_holds_only_the_runner_settings_and_shared_records() -> None:
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert top <= TOP_LEVEL_MODULES, sorted(top - TOP_LEVEL_MODULES)
    stages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert {"ingest", "segment", "recognize", "resolve", "store", "report", "cli"} <= stages


def test_no_module_over_500_lines_and_no_function_over_60() -> None:
    big = [f"{n}: {len(p.read_text(encoding='utf-8').splitlines())}" for n, p in modules(PACKAGE).items()
           if len(p.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES]
    assert big == []
    assert long_functions(PACKAGE) == []


def test_no_module_imports_another_modules_private_names() -> None:
    assert private_imports(PACKAGE) == []


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    """A package whose store imports the runner that imports the store, lazily, plus the faults
    the other checks look for."""
    pkg = tmp_path / "toy"
    (pkg / "store").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "store" / "__init__.py").write_text("from toy.store.tables import load\n")
    (pkg / "store" / "tables.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from toy import runner\n"
        "def load():\n    from toy.runner import run\n    return run\n")
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    (pkg / "runner.py").write_text(f"from toy.store import load\nfrom toy.store.tables import _x\ndef run():\n{body}\n")
    return pkg


def test_the_checks_can_fail(toy: Path) -> None:
    graph = import_graph(toy)
    assert graph["toy.store.tables"] == {"toy.runner"}  # the lazy import counts, TYPE_CHECKING does not
    assert cycles(graph) == [["toy.runner", "toy.store", "toy.store.tables"]]
    assert long_functions(toy) == ["toy.runner.run: 62 lines"]
    assert private_imports(toy) == ["toy.runner: _x from toy.store.tables"]
