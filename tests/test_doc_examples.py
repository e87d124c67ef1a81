"""The reference pages' promises (docs/reference/*.md): their examples run and print what they show."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = ROOT / "docs" / "reference"


def page(name):
    return (PAGES / name).read_text()


def section(name, title):
    """The text under the heading ``title`` of page ``name``, up to the next heading of its level or above."""
    text = page(name)
    match = re.search(rf"^(#+) {re.escape(title)}\n", text, re.M)
    assert match, f"{name} has no heading {title!r}"
    level = len(match.group(1))
    rest = text[match.end():]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.M)
    return rest[:end.start()] if end else rest


def blocks(text, language):
    """The code blocks of ``text`` fenced with ``language`` ("" for output blocks), in order."""
    found, current, fence = [], None, None
    for line in text.splitlines():
        if current is None and line.startswith("```"):
            current, fence = [], line[3:].strip()
        elif current is not None and line == "```":
            if fence == language:
                found.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return found


def run(block, filename):
    namespace = {}
    exec(compile(block, filename, "exec"), namespace)  # the project's own documentation, not user input
    return namespace


# -- derivatives.md -------------------------------------------------------------------------------

DERIVATIVES = page("derivatives.md")


def test_the_derivative_examples_print_what_their_comments_say(capsys):
    run(blocks(DERIVATIVES, "python")[0], "derivatives.md")
    assert capsys.readouterr().out.splitlines() == ["27.0 18.0", "48.0", "(0.0, 2.0)", "(9.0, 6.0)"]


def test_the_gradcheck_example_prints_the_report_and_the_failure_shown(capsys):
    run(blocks(DERIVATIVES, "python")[1], "derivatives.md")
    printed = capsys.readouterr().out.splitlines()
    shown = blocks(DERIVATIVES, "")[0].splitlines()
    assert len(printed) == len(shown) == 6
    assert printed[0] == shown[0] == "gradcheck of f: passed (atol=1e-05, rtol=0.001, eps=1e-06)"
    for line in printed[1:5]:  # the errors' last digits depend on the machine's BLAS
        assert line.startswith("  ok   input ")
    assert printed[5] == shown[5]
    assert printed[5].startswith("gradcheck: the gradient of leaky with respect to input 0 'x' (shape (2,)) is wrong")


def test_the_property_test_example_passes():
    namespace = run(blocks(DERIVATIVES, "python")[2], "derivatives.md")
    namespace["test_first_and_second_derivatives_match_central_differences"]()


def test_the_anomaly_example_stops_with_the_message_shown():
    import warnings

    import numpy as np

    from autograd import AnomalyError

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            run(blocks(DERIVATIVES, "python")[3], filename="/tmp/example.py")
        except AnomalyError as error:
            message = f"{type(error).__module__}.{type(error).__name__}: {error}"
        else:
            raise AssertionError("the detect_anomaly example did not raise")
    assert message == blocks(DERIVATIVES, "")[1]


# -- forward.md -----------------------------------------------------------------------------------

def test_the_forward_mode_example_prints_what_its_comments_say(capsys):
    (block,) = blocks(page("forward.md"), "python")
    run(block, "forward.md")
    printed = capsys.readouterr().out.splitlines()
    comments = [line.split("# ")[-1] for line in block.splitlines() if line.startswith("print(")]
    assert printed[:3] == comments[:3] == ["[0.9182 1.3818 0.077 ]", "[1.8364 0.     0.    ]", "True True"]
    assert printed[3] == "(12.0, 4.0)" and comments[3].startswith("(12.0, 4.0):")


# -- numpy.md -------------------------------------------------------------------------------------

def test_the_array_functions_example_prints_what_its_comments_say(capsys):
    (block,) = blocks(section("numpy.md", "NumPy functions on nodes: arrays and linear algebra"), "python")
    run(block, "numpy.md")
    printed = capsys.readouterr().out.splitlines()
    comments = [line.split("# ")[-1] for line in block.splitlines() if line.startswith("print(")]
    assert " ".join(printed[:2]).split() == comments[0].replace("] [", "]  [").split()
    assert printed[2:] == comments[1:]


def test_the_ufunc_table_names_only_functions_that_record():
    import numpy as np

    import autograd

    table = section("numpy.md", "NumPy's ufuncs and reductions")
    names = re.findall(r"^\| (.*?) \|", table, re.M)[2:]  # after the header and its rule
    functions = [name for cell in names for name in re.findall(r"`(\w+)", cell) if name not in ("x", "ddof")]
    assert len(functions) > 40
    for name in functions:
        assert callable(getattr(autograd, name, None)), name
    assert autograd.power(autograd.Tensor(np.array([2.0])), 3.0).op == np.power(autograd.Tensor([2.0]), 3.0).op == "pow"


# -- guarantees.md --------------------------------------------------------------------------------

def test_the_in_place_edit_example_prints_the_error_and_the_gradient_shown(capsys):
    text = page("guarantees.md")
    (block,) = blocks(text, "python")
    run(block, "guarantees.md")
    assert capsys.readouterr().out.splitlines() == blocks(text, "")[0].splitlines()


# -- viz.md ---------------------------------------------------------------------------------------

def test_the_viz_example_writes_its_pictures(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = run(blocks(page("viz.md"), "python")[0], "viz.md")
    assert namespace["graph"].source.startswith("digraph")
    assert (tmp_path / "sigmoid.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "sigmoid-box.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "sigmoid.dot").read_text().startswith("digraph")


def test_the_pictures_exist_and_the_demo_command_writes_them():
    from viz.figures import ANIMATIONS, FIGURES

    text = page("viz.md")
    pictures = re.findall(r"!\[[^\]]*\]\(\.\./([^)]+)\)", text)
    assert len(pictures) == 5
    for picture in pictures:
        assert (ROOT / "docs" / picture).is_file(), picture
        assert pathlib.Path(picture).stem in FIGURES or pathlib.Path(picture).name in ANIMATIONS
    assert "python -m viz demo all -o docs/" in text


def test_the_step_by_step_example_prints_the_caption_shown(capsys):
    block = blocks(section("viz.md", "Backprop step by step"), "python")[0]
    code = "\n".join(line for line in block.splitlines() if not line.startswith("viz.animate") and
                     not line.startswith("viz.player"))  # the files and the player: tests/viz
    namespace = run(code, "viz.md")
    caption = [line.split("# ")[-1] for line in block.splitlines() if line.startswith("print(")][0]
    assert capsys.readouterr().out.strip() == caption
    assert len(namespace["frames"]) == 10


# -- nn.md ----------------------------------------------------------------------------------------

def test_the_nn_example_prints_what_its_comments_say(capsys):
    run(blocks(page("nn.md"), "python")[0], "nn.md")
    assert capsys.readouterr().out.splitlines() == [
        "1.0881 -> 0.9381", "[[ 3.  -0.5]]", "[[0.  2.5]]", "[[3. 0.]] Group('Relu')",
    ]


# -- demos.md and benchmarks.md -------------------------------------------------------------------

def test_the_paused_collector_example_builds_and_backpropagates_its_chain():
    import gc
    import math

    (block,) = blocks(page("benchmarks.md"), "python")
    namespace = run(block, "benchmarks.md")
    assert gc.isenabled()  # given back
    c, y = namespace["c"], namespace["y"]
    # y <- c·y + c has the fixed point f = c / (1 - c), so y_n = cⁿ (y_0 - f) + f
    f = 1.0001 / (1 - 1.0001)
    assert y.data == pytest.approx(1.0001 ** 500_000 * (0.5 - f) + f, rel=1e-6)
    assert math.isfinite(c.grad) and c.grad > 0


def test_every_demo_and_benchmark_is_listed():
    demos = page("demos.md")
    for script in sorted((ROOT / "demos").glob("*.py")):
        assert f"demos/{script.name}" in demos and f"**`{script.name}" in demos, script.name
    benchmarks = page("benchmarks.md")
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        assert f"benchmarks/{script.name}" in benchmarks, script.name


def test_every_notebook_is_listed_and_in_the_table_of_contents():
    text = page("notebooks.md")
    toctree = re.search(r"```\{toctree\}\n(.*?)```", text, re.S).group(1)
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"| `{notebook.name}` |" in text, notebook.name
        assert f"notebooks/{notebook.stem}\n" in toctree, notebook.name


def test_the_pages_link_only_to_files_that_exist():
    for path in sorted(PAGES.glob("*.md")):
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text()):
            assert (path.parent / target).exists(), f"{path.name} links to {target}, which does not exist"
