"""The house's layout: one folder per layer, arrows pointing down only, no cycle, every module
saying what it holds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "cc_analytics"
#: The layers, bottom first: a module may import its own layer and the ones before it.
LAYERS = ("core", "referentiel", "contract", "inputs", "engine", "demo", "workspace", "gate",
          "reporting", "build", "cli")  # fmt: skip
FACE = {"cc_analytics", "cc_analytics.__main__"}  # the package's face may reach any layer


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(name: str, path: Path) -> set[str]:
    """The cc_analytics modules ``name`` imports, at any depth of its code (lazy ones too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            submodules = [f"{target}.{alias.name}" for alias in node.names]
            # ``from . import build``: the submodule is what is imported, not the package
            candidates = [m for m in submodules if m in MODULES] or [target]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found |= {c for c in candidates if c.startswith("cc_analytics") and c in MODULES}
        found |= {c.rpartition(".")[0] for c in candidates
                  if c.startswith("cc_analytics") and c not in MODULES and c.rpartition(".")[0] in MODULES}  # fmt: skip
    return found - {name}


MODULES = modules()
GRAPH = {name: imports_of(name, path) for name, path in MODULES.items()}


def layer(name: str) -> int:
    return LAYERS.index(name.split(".")[1])


def test_every_layer_is_a_folder_and_every_module_belongs_to_one():
    assert sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name in LAYERS) == sorted(
        LAYERS)  # fmt: skip
    loose = [name for name in MODULES if name not in FACE and name.count(".") == 1
             and name.split(".")[1] not in LAYERS]  # fmt: skip
    assert loose == []


@pytest.mark.parametrize("name", sorted(set(MODULES) - FACE))
def test_imports_point_down_only(name):
    upward = sorted(t for t in GRAPH[name] if t not in FACE and layer(t) > layer(name))
    assert upward == [], f"{name} imports a higher layer"


def test_no_module_imports_the_package_face():
    """``cc_analytics/__init__`` is for users; inside, modules import each other directly."""
    assert [n for n, targets in GRAPH.items() if "cc_analytics" in targets and n not in FACE] == []


def test_no_import_cycle():
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in sorted(GRAPH[name]):
            if state.get(target) == "open":
                pytest.fail("import cycle: " + " -> ".join([*path, name, target]))
            if target not in state:
                visit(target, [*path, name])
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_says_what_it_holds(name):
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    assert (ast.get_docstring(tree) or "").strip(), f"{name} has no module docstring"
