"""The type hints: mypy passes on autograd, nn and viz, catches misuse, and the hints ship.

The checker runs as the README's test command installs it (the ``test``
extra), with the ``[mypy]`` settings of setup.cfg; its cache stays in the
repository's ``.mypy_cache`` (ignored by git), so a second run takes a few
seconds and a first one about twenty.
"""

import ast
import configparser
import importlib
import importlib.resources
import inspect
import os
import pathlib
import pkgutil
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("autograd", "nn", "viz")


def _mypy(*targets, cwd=ROOT):
    """mypy with setup.cfg's settings on ``targets`` (its packages when none): (exit code, report)."""
    pytest.importorskip("mypy", reason="mypy comes with the test extra: pip install -e '.[test]'")
    env = dict(os.environ, MYPYPATH=str(ROOT))
    command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "setup.cfg"),
               "--cache-dir", str(ROOT / ".mypy_cache"), *map(str, targets)]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    return result.returncode, result.stdout + result.stderr


def test_the_packages_type_check():
    code, report = _mypy()
    assert code == 0, f"mypy found problems in autograd, nn or viz:\n{report}"
    assert "Success: no issues found" in report


def test_the_checker_catches_misuse(tmp_path):
    """Wrong uses of the public API are errors, on the lines marked; right uses pass."""
    good = tmp_path / "good.py"
    good.write_text(textwrap.dedent("""
        import numpy as np
        import autograd
        import nn
        import viz
        from autograd import Tensor, Value

        x = Value(2.0)
        y: Value = 2 * x + x ** 3 - x / 4.0
        y.backward(create_graph=True)
        t: Tensor = Tensor(np.ones((2, 3))) @ np.ones(3) + x
        s: Tensor = (t.relu().sum(axis=0) * 2).reshape(1)
        u: Tensor = x * Tensor([1.0, 2.0])
        e: Tensor = autograd.exp(Tensor([1.0])) + autograd.maximum(0.0, Tensor([1.0]))
        f: float = x.data
        a: np.ndarray = t.data
        layer = nn.Affine(np.ones((3, 2)), np.zeros(2), name="fc")
        params: dict[str, Tensor] = layer.parameters()
        report: autograd.GradcheckReport = autograd.gradcheck(lambda v: v * v, 3.0)
        text: str = viz.format_number(1.5)
        flat: Tensor = autograd.ravel(t) + autograd.concatenate([t, t]).sum()
        plain: np.ndarray = autograd.reshape(np.ones(4), (2, 2)) @ autograd.stack([np.ones(2), np.ones(2)])
        pieces: list[Tensor] = autograd.split(t, 3, axis=1)
    """))
    bad = tmp_path / "bad.py"
    wrong = {
        "Value(1.0).backward(create_graph='yes')": "arg-type",
        "nn.Affine(np.ones((3, 2)), np.zeros(2), name=3)": "arg-type",
        "v: Value = Tensor([1.0]) * 2": "assignment",
        "w: str = Value(1.0) + 1.0": "assignment",
        "Tensor([1.0]).sum(axis='rows')": "arg-type",
        "autograd.exp([1.0, 2.0])": "call-overload",
        "z: Value = autograd.tanh(Tensor([1.0]))": "assignment",
        # the array functions: a node in gives a Tensor, plain data plain data
        "r: np.ndarray = autograd.ravel(Tensor([1.0]))": "assignment",
        "q: Tensor = autograd.stack([np.ones(2), np.ones(2)])": "assignment",
        "c: Value = autograd.clip(Tensor([1.0]), 0.0, 1.0)": "assignment",
        "autograd.split(Tensor([1.0, 2.0]), 2)[0].sum(axis='rows')": "arg-type",
        "autograd.concatenate(Tensor([1.0]))": "call-overload",
        "autograd.conv2d(np.ones((1, 1, 3, 3)), 'filters', np.zeros(1))": "call-overload",
    }
    lines = ["import numpy as np", "import autograd", "import nn", "from autograd import Tensor, Value"]
    expected = {}
    for statement, error_code in wrong.items():
        lines.append(statement)
        expected[len(lines)] = error_code
    bad.write_text("\n".join(lines) + "\n")

    code, report = _mypy(good, cwd=tmp_path)
    assert code == 0, f"right uses of the API were refused:\n{report}"

    code, report = _mypy(bad, cwd=tmp_path)
    assert code == 1, report
    found = {}
    for line in report.splitlines():
        if line.startswith("bad.py:") and ": error:" in line:
            number = int(line.split(":")[1])
            found.setdefault(number, []).append(line)
    for number, error_code in expected.items():
        assert number in found, f"no error for {lines[number - 1]!r}:\n{report}"
        assert any(f"[{error_code}]" in message for message in found[number]), found[number]
    assert set(found) == set(expected), f"errors on lines that are right:\n{report}"


# What the checker infers for the array functions (and the same call at run
# time must give an object of that type): a node in gives a Tensor (a Value
# where the function keeps Values), plain data gives an ndarray where NumPy
# always gives one, and ``Any`` where it gives a scalar or an array by shape.
_SETUP = """
import numpy as np
import autograd
from autograd import Tensor, Value
t = Tensor([[1.0, 2.0], [3.0, 4.0]])
v = Value(0.5)
a = np.eye(2)
img = np.ones((1, 1, 4, 4))
"""
_REVEALED = {
    # autograd/functions.py
    "autograd.sum(t)": "Tensor",
    "autograd.sum(a)": "Any",
    "autograd.mean(v)": "Tensor",
    "autograd.clip(v, 0.0, 1.0)": "Value",
    "autograd.clip(t, 0.0, 1.0)": "Tensor",
    "autograd.sqrt(4.0)": "float",
    "autograd.sigmoid(v)": "Value",
    "autograd.sigmoid(t, fused=False)": "Tensor",
    "autograd.reshape(a, 4)": "ndarray",
    "autograd.transpose(t)": "Tensor",
    "autograd.softmax(a)": "ndarray",
    "autograd.cumsum(v)": "Tensor",
    "autograd.sinc(0.5)": "float",
    "autograd.getitem(t, 0)": "Tensor",
    "autograd.positive(v)": "Value",
    # autograd/array_ops.py
    "autograd.ravel(t)": "Tensor",
    "autograd.ravel([[1.0], [2.0]])": "ndarray",
    "autograd.concatenate([t, t])": "Tensor",
    "autograd.concatenate([a, a])": "ndarray",
    "autograd.concatenate([t, a])": "Tensor | ndarray",
    "autograd.stack([v, v])": "Tensor",
    "autograd.split(t, 2)": "list[Tensor]",
    "autograd.split(a, 2)": "list[ndarray]",
    "autograd.where(a > 2)": "tuple[ndarray, ...]",
    "autograd.where(a > 2, t, 0.0)": "Tensor",
    "autograd.where(a > 2, a, 0.0)": "ndarray",
    "autograd.atleast_2d(v)": "Tensor",
    "autograd.atleast_2d(v, a)": "list[Tensor | ndarray]",
    "autograd.array([v, v])": "Tensor",
    "autograd.array(v)": "Value",
    "autograd.pad(a, 1)": "ndarray",
    "autograd.sort(t)": "Tensor",
    "autograd.take(a, 0)": "Any",
    "autograd.trace(t)": "Tensor",
    "autograd.select([a > 2], [t])": "Tensor",
    # An array whose type holds Any (its shape, here) matches the plain-data and the
    # catch-all overload of a function taking any array-like: mypy answers Any.
    "autograd.flip(np.array([1.0, 2.0]))": "Any",
    # autograd/linalg.py
    "autograd.matmul(a, t)": "Tensor",
    "autograd.dot(t, a)": "Tensor",
    "autograd.solve(a, np.ones(2))": "ndarray",
    "autograd.inv(t)": "Tensor",
    "autograd.slogdet(t)": "tuple[Any, Tensor]",
    "autograd.norm(t)": "Tensor",
    "autograd.det(a)": "Any",
    "autograd.outer(v, np.ones(2))": "Tensor",
    "autograd.einsum('ij,jk', t, t)": "Tensor",
    "autograd.tensordot(a, a, 1)": "ndarray",
    # autograd/conv.py
    "autograd.conv2d(img, Tensor(np.ones((1, 1, 2, 2))), np.zeros(1))": "Tensor",
    "autograd.max_pool2d(img, 2, 2, stride=2)": "ndarray",
}


def _short(revealed):
    """mypy's spelling of a type, in the table's."""
    return (revealed.replace("numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]]", "ndarray")
            .replace("autograd.node.", "").replace("builtins.", ""))


def _is_of(value, spelled):
    """Whether ``value`` is of the type spelled as in the table (Any: anything)."""
    import numpy as np

    import autograd

    if spelled == "Any":
        return True
    if " | " in spelled and "[" not in spelled.split(" | ")[0]:
        return any(_is_of(value, part) for part in spelled.split(" | "))
    if spelled.startswith("list["):
        return isinstance(value, list) and all(_is_of(item, spelled[5:-1]) for item in value)
    if spelled.endswith(", ...]"):
        return isinstance(value, tuple) and all(_is_of(item, spelled[6:-6]) for item in value)
    if spelled.startswith("tuple["):
        parts = spelled[6:-1].split(", ")
        return isinstance(value, tuple) and len(value) == len(parts) and all(map(_is_of, value, parts))
    kinds = {"Tensor": autograd.Tensor, "Value": autograd.Value, "ndarray": np.ndarray, "float": float}
    return isinstance(value, kinds[spelled])


def test_the_array_functions_have_precise_results(tmp_path):
    """reveal_type on a sample of the array functions of every module, checked against what they return."""
    lines = _SETUP.strip().splitlines()
    first = len(lines) + 1
    lines += [f"reveal_type({expression})" for expression in _REVEALED]
    (tmp_path / "reveal.py").write_text("\n".join(lines) + "\n")
    code, report = _mypy(tmp_path / "reveal.py", cwd=tmp_path)
    assert code == 0, report
    revealed = {}
    for line in report.splitlines():
        if line.startswith("reveal.py:") and 'Revealed type is "' in line:
            revealed[int(line.split(":")[1])] = _short(line.split('Revealed type is "')[1].rstrip('"'))
    namespace = {}
    exec(_SETUP, namespace)
    wrong = []
    for number, (expression, expected) in enumerate(_REVEALED.items(), start=first):
        if revealed.get(number) != expected:
            wrong.append(f"{expression}: the checker says {revealed.get(number)}, expected {expected}")
        value = eval(expression, namespace)
        if not _is_of(value, expected):
            wrong.append(f"{expression}: returns a {type(value).__name__} at run time, hinted {expected}")
    assert len(_REVEALED) >= 40 and not wrong, "\n".join(wrong)


@pytest.mark.parametrize("package", PACKAGES)
def test_py_typed_ships(package):
    """PEP 561: the marker is in each package and setup.cfg puts it in the wheel."""
    assert importlib.resources.files(package).joinpath("py.typed").is_file()
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert "py.typed" in config["options.package_data"][package].split()


def _public_callables():
    """Every public function, class and method of the three packages: (qualified name, object)."""
    seen = {}
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        modules = [package] + [
            importlib.import_module(f"{package_name}.{info.name}")
            for info in pkgutil.iter_modules(package.__path__)
            if not info.name.startswith("_")
        ]
        for module in modules:
            names = getattr(module, "__all__", None) or [
                name for name, value in vars(module).items()
                if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
            ]
            for name in names:
                value = getattr(module, name)
                if inspect.isclass(value) and value.__module__.split(".")[0] in PACKAGES:
                    seen.setdefault(f"{value.__module__}.{value.__qualname__}", value)
                elif inspect.isfunction(value) and value.__module__.split(".")[0] in PACKAGES:
                    seen.setdefault(f"{value.__module__}.{value.__qualname__}", value)
                elif type(value).__name__ == "Primitive":
                    seen.setdefault("autograd.ops.Primitive", type(value))
    return seen


def _unannotated(function):
    """The parameters (and 'return') of ``function`` that have no hint."""
    signature = inspect.signature(function)
    missing = [
        name for index, (name, parameter) in enumerate(signature.parameters.items())
        if parameter.annotation is inspect.Parameter.empty and not (index == 0 and name in ("self", "cls"))
    ]
    if signature.return_annotation is inspect.Signature.empty:
        missing.append("return")
    return missing


def _methods(cls):
    """The public methods (dunders included) that ``cls`` defines in our packages, properties as their getters."""
    for klass in cls.__mro__:
        if klass.__module__.split(".")[0] not in PACKAGES:
            continue
        for name, member in vars(klass).items():
            if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                continue
            if isinstance(member, (staticmethod, classmethod)):
                member = member.__func__
            if isinstance(member, property):
                member = member.fget
            if inspect.isfunction(member) and member.__code__.co_filename.startswith(str(ROOT)):
                yield f"{klass.__qualname__}.{name}", member  # (not those dataclasses write)


def test_every_public_function_and_method_is_hinted():
    """Complete hints (every parameter and the return) on the public API, counted."""
    unhinted, counted = [], 0
    for qualified, value in _public_callables().items():
        functions = dict(_methods(value)) if inspect.isclass(value) else {qualified: value}
        for name, function in functions.items():
            counted += 1
            missing = _unannotated(function)
            if missing:
                unhinted.append(f"{qualified} {name}: {', '.join(missing)}")
    print(f"{counted} public functions and methods, all hinted" if not unhinted else "")
    assert counted > 400
    assert not unhinted, "without hints:\n" + "\n".join(unhinted)


def _declared(class_name):
    """Names a class of autograd/node.py defines in its body, the ``if TYPE_CHECKING:`` blocks included."""
    tree = ast.parse((ROOT / "autograd" / "node.py").read_text())
    (cls,) = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == class_name]
    names = set()
    for node in ast.walk(cls):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def test_node_declares_what_the_package_gives_it():
    """Every method set on Node, Value or Tensor at import (operators, NumPy methods) is typed in node.py."""
    import autograd

    undeclared = []
    for cls in (autograd.Node, autograd.Value, autograd.Tensor):
        known = _declared(cls.__name__) | _declared("Node")
        for name in vars(cls):
            if name in ("__module__", "__qualname__", "__doc__", "__slots__", "__dict__", "__weakref__",
                        "__firstlineno__", "__static_attributes__", "__annotations__",
                        "__slotnames__"):  # copyreg's cache, set by the first copy.copy of a node
                continue
            if name not in known:
                undeclared.append(f"{cls.__name__}.{name}")
    assert not undeclared, f"set at import but not declared for the checker in autograd/node.py: {undeclared}"
