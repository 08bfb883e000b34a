"""The package's import graph: no cycles, no upward imports, no private names across packages.

Read from the source with ``ast`` (nothing is imported), so the test also sees imports inside
functions, which are still dependencies even when they are made late.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "evalkit"

LAYERS: list[tuple[str, ...]] = [
    # 0: low level: no knowledge of programmes, codebooks or reports
    ("evalkit.errors", "evalkit.files", "evalkit.results", "evalkit.paths", "evalkit.textclean", "evalkit.xlsx", "evalkit.csvio",
     "evalkit.figures", "evalkit.nlp"),
    # 1: privacy and the statistics of synthesis work on plain tables and arrays
    ("evalkit.privacy", "evalkit.synthesis"),
    # 2: coding by machine
    ("evalkit.coding",),
    # 3: agreement between coders (people, or people and machine)
    ("evalkit.reliability",),
    # 4: coding by people: consensus (uses reliability's tables), member checking
    ("evalkit.people",),
    # 5: a programme: its config and files, with their codebook and member checks
    ("evalkit.programme",),
    # 6: working on a loaded programme: the coding panel, comparing projects
    ("evalkit.panel", "evalkit.compare"),
    # 7: REFI-QDA projects carry answers, machine codes and the panel's codes
    ("evalkit.exchange",),
    # 8: reports
    ("evalkit.report",),
    # 9: the command line and the top-level API
    ("evalkit.cli", "evalkit"),
]
"""Each module belongs to the layer of its longest matching prefix; it may import only from its own
layer or the ones above it in this list (lower numbers)."""


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, str, int]]:
    """(imported module, imported name or "", line) for every evalkit import in a module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "evalkit" or target.startswith("evalkit."):
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found.append((sub, "", node.lineno) if sub in MODULES else (target, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, "", node.lineno) for a in node.names if a.name.startswith("evalkit")]
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(module: str) -> int:
    best, level = -1, None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, level = len(prefix), index
    if level is None:
        pytest.fail(f"{module} is in no layer; add it to LAYERS in {Path(__file__).name}")
    return level


def _package(module: str) -> str:
    """The first-level package (``evalkit.coding``) or top-level module (``evalkit.xlsx``)."""
    return ".".join(module.split(".")[:2])


def test_every_module_is_parsed():
    assert "evalkit.coding.codebook" in MODULES and "evalkit.errors" in MODULES
    assert len(MODULES) > 50


def test_no_import_cycles():
    edges = {m: sorted({t for t, _, _ in deps if t in MODULES and t != m}) for m, deps in GRAPH.items()}
    # A package's __init__ importing its own modules is not a cycle with them; a module importing
    # its package's __init__ would be, and is still reported.
    for m in edges:
        edges[m] = [t for t in edges[m] if not (MODULES[m].name == "__init__.py" and t.startswith(m + "."))]
    cycles, state, stack = [], {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in edges[node]:
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_upward_imports():
    upward = []
    for module, deps in GRAPH.items():
        for target, _, line in deps:
            if _layer(target) > _layer(module):
                upward.append(f"{MODULES[module].relative_to(PACKAGE.parent)}:{line}: {module} "
                              f"(layer {_layer(module)}) imports {target} (layer {_layer(target)})")
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_no_private_names_across_packages():
    leaks = []
    for module, deps in GRAPH.items():
        for target, name, line in deps:
            private = (name.startswith("_") and not name.startswith("__")) or any(
                part.startswith("_") and not part.startswith("__") for part in target.split(".")[1:])
            if private and _package(target) != _package(module):
                leaks.append(f"{MODULES[module].relative_to(PACKAGE.parent)}:{line}: {module} imports "
                             f"{target}{'.' + name if name else ''}")
    assert not leaks, "private names used across packages:\n" + "\n".join(leaks)
