"""The layout is a fact, not a hope: the import contracts hold, no two modules import each other
(function-level imports included), and the installed package list is the tree's package folders."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every group of modules that import each other, directly or round a loop (Tarjan's SCCs)."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:  # iterative, so a deep import chain cannot hit the recursion limit
        work = [(v, iter(edges[v]))]
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    group.append(w)
                    if w == node:
                        break
                if len(group) > 1 or node in edges[node]:
                    groups.append(sorted(group))

    for m in edges:
        if m not in index:
            visit(m)
    return groups


def test_import_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint, "lint-imports is not installed: pip install -e '.[test]'"
    run = subprocess.run([lint, "--no-cache"], capture_output=True, text=True, cwd=ROOT)  # reads ./pyproject.toml
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_import_cycle_between_modules():
    graph = grimp.build_graph("budgetqa", include_external_packages=False, cache_dir=None)
    cycles = import_cycles(graph)
    detail = [
        f"{' ↔ '.join(group)}: " + "; ".join(
            f"{a} → {b} (l.{', '.join(str(d['line_number']) for d in graph.get_import_details(importer=a, imported=b))})"
            for a in group for b in sorted(graph.find_modules_directly_imported_by(a)) if b in group)
        for group in cycles
    ]
    assert not cycles, "\n".join(detail)


def test_cycle_search_finds_a_loop_through_a_function_level_import():
    graph = grimp.ImportGraph()
    for m in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(m)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")  # e.g. inside a function
    assert import_cycles(graph) == [["p.a", "p.b", "p.c"]]


def _package_folders() -> set[str]:
    """`budgetqa.<dotted folder>` for every folder of the tree holding an __init__.py, mapped as pyproject maps them."""
    mapping = PYPROJECT["tool"]["setuptools"]["package-dir"]
    found = set()
    for package, folder in mapping.items():
        base = (ROOT / folder).resolve()
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base)
            if any(part.startswith(".") or part in ("tests", "bench", "build") for part in rel.parts):
                continue
            if rel.parts and (ROOT / rel.parts[0]).resolve() in {(ROOT / f).resolve() for f in mapping.values()} - {ROOT}:
                continue  # a folder mapped under its own name (budgetqa_samples → budgetqa.samples)
            found.add(".".join((package, *rel.parts)))
    return found


def test_pyproject_lists_exactly_the_package_folders():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert listed == _package_folders()
