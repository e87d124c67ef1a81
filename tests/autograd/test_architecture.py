"""autograd's modules import one another in one direction, lower layers first.

Every import between the package's modules, at module level or inside a
function, must go to a module of a lower layer; a module may not reach a
module of its own layer or above. This keeps the layer picture of the
reference true and stops a circle from coming back unnoticed. Imports under
``if TYPE_CHECKING:`` name types for the hints and never run, so they do not
count.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "autograd"

# Lowest first. Within a layer a module may import only the names before it.
LAYERS = [
    ("typing", "context", "backend", "_guard", "tree", "atomicfile"),
    ("node",),
    ("engine",),
    ("ops",),
    ("functions", "array_ops", "linalg", "conv", "edits", "statistics"),
    ("numpy_dispatch",),
    ("operators",),
    ("anomaly", "functional", "forward", "gradcheck", "testing"),
    ("__init__",),
]
RANK = {name: (layer, within) for layer, names in enumerate(LAYERS) for within, name in enumerate(names)}


def _imports(path):
    """The package modules that ``path`` imports, with the line of each import."""
    tree = ast.parse(path.read_text(), filename=str(path))
    hints_only = {
        id(inner)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
        for statement in block.body
        for inner in ast.walk(statement)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in hints_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.append((node.module.split(".")[0], node.lineno))
            else:
                found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("autograd"):
            parts = node.module.split(".")
            if len(parts) > 1:
                found.append((parts[1], node.lineno))
            else:
                found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "autograd" and len(parts) > 1:
                    found.append((parts[1], node.lineno))
    return found


def _allowed(importer, imported):
    """May ``importer`` import ``imported``? Only lower layers, or earlier names within its own layer."""
    (layer, within), (their_layer, their_within) = RANK[importer], RANK[imported]
    return their_layer < layer or (their_layer == layer and their_within < within)


def test_every_module_has_a_layer():
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    assert modules == set(RANK), f"add new modules to LAYERS: {sorted(modules ^ set(RANK))}"


@pytest.mark.parametrize("module", sorted(RANK))
def test_imports_point_down(module):
    wrong = [
        f"{module}.py:{line} imports {name}"
        for name, line in _imports(PACKAGE / f"{module}.py")
        if name in RANK and not _allowed(module, name)
    ]
    assert not wrong, "imports against the layers: " + "; ".join(wrong)


def test_the_checker_sees_an_upward_import(tmp_path):
    """A lazy import inside a function counts: the check would have caught the old circle."""
    source = tmp_path / "node.py"
    source.write_text("def f():\n    from .engine import backward\n    from . import ops\n")
    found = _imports(source)
    assert found == [("engine", 2), ("ops", 3)]
    assert not _allowed("node", "engine") and not _allowed("engine", "ops") and _allowed("ops", "engine")


def test_hint_only_imports_do_not_count(tmp_path):
    """An import under ``if TYPE_CHECKING:`` never runs; one beside the block still counts."""
    source = tmp_path / "engine.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from .ops import Primitive\n"
        "from . import functions\n"
    )
    assert _imports(source) == [("functions", 4)]
