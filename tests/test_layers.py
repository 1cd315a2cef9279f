"""No import cycles in spotui: read every module's imports with ``ast`` and look for loops.

The rule: imports at module level, including those under ``if TYPE_CHECKING:``, form no
cycle (a type-only import still says "this module knows that one", and a cycle through
it turns into a real one the day the import is needed at run time). An import inside a
function (lazy, to keep start-up fast) may only go down: it must not reach back to a
module that imports its own, so adding the lazy imports keeps the graph acyclic too.
The layers themselves (faces, session, middle, store, kernel) are import-linter's
contracts in pyproject.toml (``lint-imports``); this test needs nothing but the stdlib.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "spotui"


def modules() -> dict[str, tuple[Path, bool]]:
    """Every module of the package: dotted name -> (file, is a package ``__init__``)."""
    out = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
    return out


MODULES = modules()


def _resolve(name: str) -> str | None:
    """The spotui module an imported name lives in (``spotui.a.b.C`` -> ``spotui.a.b``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(module: str) -> list[tuple[str, bool, int]]:
    """``module``'s imports of other spotui modules: (target, lazy, line)."""
    path, is_pkg = MODULES[module]
    package = module if is_pkg else module.rpartition(".")[0]
    found: list[tuple[str, bool, int]] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                # ``from spotui.export import targets`` imports the submodule itself
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                         for a in child.names]  # fmt: skip
            for name in names:
                target = _resolve(name)
                if target is not None and target != module:
                    found.append((target, inner, child.lineno))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), False)
    return found


def graph(*, lazy: bool) -> dict[str, dict[str, int]]:
    """module -> {imported module: first line}; with ``lazy`` also function-level imports."""
    out: dict[str, dict[str, int]] = {m: {} for m in MODULES}
    for module in MODULES:
        for target, is_lazy, line in imports(module):
            if lazy or not is_lazy:
                out[module].setdefault(target, line)
    return out


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as one
    loop through it (``a -> b -> a``), so a failure names the imports to change."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(_loop(edges, component))

    for v in sorted(edges):
        if v not in index:
            strongconnect(v)
    return found


def _loop(edges: dict[str, dict[str, int]], component: set[str]) -> list[str]:
    """One cycle inside ``component``: a shortest path from its first module back to it."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges[v]):
            if w == start:
                return paths[v] + [start]
            if w in component and w not in paths:
                paths[w] = paths[v] + [w]
                queue.append(w)
    raise AssertionError(f"no loop in {component}")  # pragma: no cover


def describe(edges: dict[str, dict[str, int]], loop: list[str]) -> str:
    steps = [f"{a} (line {edges[a][b]})" for a, b in zip(loop, loop[1:], strict=False)]
    return " -> ".join(steps + [loop[-1]])


def test_every_module_is_read():
    assert {"spotui.core.records", "spotui.store", "spotui.cli", "spotui.tui.app"} <= set(MODULES)
    assert ("spotui.core.records", False) in {
        (t, lazy) for t, lazy, _ in imports("spotui.store.tracks")
    }


@pytest.mark.parametrize("lazy", [False, True], ids=["module-level", "with-lazy"])
def test_no_import_cycles(lazy):
    edges = graph(lazy=lazy)
    found = [describe(edges, loop) for loop in cycles(edges)]
    what = "function-level imports must only go down" if lazy else "module-level imports"
    assert found == [], f"import cycles ({what}):\n" + "\n".join(found)


def test_the_checker_finds_a_cycle_and_names_it():
    edges = {"a": {"b": 3}, "b": {"c": 7}, "c": {"a": 1}, "d": {"a": 2}}
    assert [describe(edges, loop) for loop in cycles(edges)] == [
        "a (line 3) -> b (line 7) -> c (line 1) -> a"
    ]


def test_type_checking_and_lazy_imports_are_seen(tmp_path, monkeypatch):
    pkg = tmp_path / PACKAGE
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "low.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from spotui.high import X\n"
    )
    (pkg / "high.py").write_text("def f():\n    from . import low\n    import spotui.low as l\n")
    this = sys.modules[__name__]
    monkeypatch.setattr(this, "ROOT", tmp_path)
    monkeypatch.setattr(this, "MODULES", modules())
    assert imports("spotui.low") == [("spotui.high", False, 3)]
    assert imports("spotui.high") == [("spotui.low", True, 2), ("spotui.low", True, 3)]
    assert cycles(graph(lazy=False)) == []
    assert cycles(graph(lazy=True)) == [["spotui.high", "spotui.low", "spotui.high"]]
