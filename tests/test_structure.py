"""The code's shape: no module imports back into one that imports it, and one place writes.

Imports anywhere in a module count, also those inside functions: a lazy import that closes
a loop (history importing authoring, authoring importing history) is still a loop.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("accounts", "submissions", "config")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules this module imports (and the packages whose __init__ runs)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            candidates = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for candidate in candidates:
            parts = candidate.split(".")
            for end in range(1, len(parts) + 1):  # importing a.b.c runs a and a.b too
                prefix = ".".join(parts[:end])
                # A module's own packages are running already when it imports a sibling.
                own_package = name.startswith(prefix + ".")
                if prefix in modules and prefix != name and not own_package:
                    targets.add(prefix)
    return targets


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_no_module_imports_back_into_one_that_imports_it(graph):
    assert _cycles(graph) == []


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("submissions.insight", "submissions.exports"),
        ("submissions.history", "submissions.changes"),
        ("submissions.workflow", "submissions.changes"),
        ("submissions.carry_forward", "submissions.changes"),
    ],
)
def test_layers_import_one_way(graph, lower, upper):
    """Exports read insight (the SDG chart); history, workflow and planners never write."""
    offending = {
        name: sorted(t for t in targets if t == upper or t.startswith(upper + "."))
        for name, targets in graph.items()
        if name == lower or name.startswith(lower + ".")
    }
    assert {name: t for name, t in offending.items() if t} == {}


def test_the_draft_rule_is_applied_by_the_write_gate_only(graph):
    """ "An edit sends an approved question back to draft" is called from one place."""
    callers = [
        name
        for name, path in _modules().items()
        if "question_edited(" in path.read_text() and name != "submissions.workflow"
    ]
    assert callers == ["submissions.changes"]


def test_graph_finds_a_cycle_when_there_is_one():
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
