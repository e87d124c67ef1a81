"""Tests for ``python -m viz``: drawing expressions and figures, and refusing hostile input."""

import builtins
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import autograd.engine
import viz.cli
import viz.figures
from viz.figures import figure
from test_draw import op_labels, parse_dot
from test_expression import HOSTILE, MARKER
from viz.cli import FUNCTIONS, main

ROOT = Path(__file__).resolve().parents[2]


def run_module(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "viz", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
    )


# -- as a subprocess, the way people run it ------------------------------------------------


def test_the_issue_example_renders_an_svg(tmp_path):
    path = tmp_path / "sigmoid.svg"
    done = run_module("1/(1+exp(-x))", "x=0.5", "-o", str(path))
    assert done.returncode == 0, done.stderr
    svg = path.read_text(encoding="utf-8")
    for text in (">× −1<", ">exp<", ">+ 1<", ">1/x<", ">0.6225<", ">0.235<", ">−0.3875<"):
        assert text in svg
    assert done.stdout == ""


def test_without_output_the_dot_text_goes_to_stdout():
    done = run_module("x*y", "x=3", "y=2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("digraph \"computational graph\" {")
    assert '<font color="red">2</font>' in done.stdout and '<font color="red">3</font>' in done.stdout


def test_hostile_expression_in_a_subprocess_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "pwned"
    done = run_module(f"__import__('os').system('touch {marker}')", "x=1")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "attribute access is not allowed" in done.stderr
    assert not marker.exists()


def test_demo_renders_a_figure(tmp_path):
    done = run_module("demo", "apple", "-o", str(tmp_path / "apple.png"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "apple.png").read_bytes().startswith(b"\x89PNG")


def test_help_explains_both_forms():
    done = run_module("--help")
    assert done.returncode == 0
    for text in ("EXPRESSION [NAME=VALUE ...]", "demo NAME", "never run as Python code", "apt-get install graphviz",
                 "--collapse", "exit status"):
        assert text in done.stdout
    demo = run_module("demo", "--help")
    assert demo.returncode == 0 and "apple-orange" in demo.stdout and "sigmoid" in demo.stdout


# -- in process ------------------------------------------------------------------------------------


def test_expressions_and_options(tmp_path, capsys):
    assert main(["sigmoid(x) * w", "x=0.5", "w=2", "--collapse", "sigmoid", "--label", "y"]) == 0
    dot = capsys.readouterr().out
    assert "<b>sigmoid</b>" in dot and op_labels(dot) == ["×"] and "label=<y>" in dot
    assert main(["--constants", "nodes", "--digits", "2", "1/(1+exp(-x))", "x=0.5"]) == 0
    dot = capsys.readouterr().out
    assert op_labels(dot) == ["× −1", "exp", "+", "/"] and "<td>0.62</td>" in dot
    assert main(["x*y", "x=3", "y=2", "--forward-only"]) == 0
    assert 'color="red"' not in capsys.readouterr().out
    assert main(["-x*y", "x=3", "y=2"]) == 0  # a leading minus is an expression, not an option
    assert op_labels(capsys.readouterr().out) == ["× −1", "×"]
    assert main(["--", "-x", "x=3"]) == 0
    assert main(["-o", str(tmp_path / "graph.dot"), "exp(x)", "x=0"]) == 0
    assert "digraph" in (tmp_path / "graph.dot").read_text(encoding="utf-8")


def test_demo_all_writes_every_figure(tmp_path, capsys):
    assert main(["demo", "all", "-o", str(tmp_path / "pictures"), "--format", "svg,dot"]) == 0
    written = sorted(path.name for path in (tmp_path / "pictures").iterdir())
    names = list(viz.cli.FIGURES)
    animations = list(viz.cli.ANIMATIONS)
    assert written == sorted([f"{name}.svg" for name in names] + [f"{name}.dot" for name in names] + animations)
    assert ">715</text>" in (tmp_path / "pictures" / "apple-orange.svg").read_text(encoding="utf-8")
    assert main(["demo", "chain"]) == 0
    assert "t = 3" in capsys.readouterr().out


def test_steps_from_the_command_line(tmp_path):
    page = tmp_path / "steps.html"
    done = run_module("sigmoid(x) * w", "x=0.5", "w=2", "--steps", "--collapse", "sigmoid", "-o", str(page))
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", done.stderr
    text = page.read_text(encoding="utf-8")
    assert text.count('<div class="frame"') == 6  # the graph, two forward steps, the 1, two backward steps
    assert "sigmoid (collapsed group): 0.5 → 0.6225" in text and "upstream 1 × other input 0.6225 = 0.6225" in text


def test_demo_steps_as_a_gif_and_as_png_frames(tmp_path):
    from PIL import Image

    assert main(["demo", "sigmoid-collapsed", "--steps", "-o", str(tmp_path / "s.gif"), "--duration", "500"]) == 0
    with Image.open(tmp_path / "s.gif") as gif:
        assert gif.n_frames == 4 and gif.info["duration"] == 500
    assert main(["demo", "apple", "--steps", "-o", str(tmp_path / "frames"), "--dpi", "50"]) == 0
    assert len(list((tmp_path / "frames").glob("frame-*.png"))) == 6
    assert main(["x*2", "x=1", "-o", str(tmp_path / "small.png"), "--dpi", "40"]) == 0
    assert main(["x*2", "x=1", "-o", str(tmp_path / "large.png"), "--dpi", "160"]) == 0
    small, large = (Image.open(tmp_path / name).size for name in ("small.png", "large.png"))
    assert large[0] > 3.5 * small[0]


def test_docs_hold_the_sigmoid_steps_gif():
    from PIL import Image

    with Image.open(ROOT / "docs" / "sigmoid-steps.gif") as gif:
        assert gif.n_frames == len(viz.steps(viz.figures.sigmoid_graph()))
    assert (ROOT / "docs" / "sigmoid-steps.gif").stat().st_size < 100_000


def test_docs_hold_every_figure_with_its_current_numbers():
    """docs/ is what `python -m viz demo all -o docs/` writes; stale pictures fail here."""
    docs = ROOT / "docs"
    assert sorted(path.stem for path in docs.glob("*.svg")) == sorted(viz.cli.FIGURES)
    for name in viz.cli.FIGURES:
        svg = (docs / f"{name}.svg").read_text(encoding="utf-8")
        _, edges = parse_dot(figure(name).source)
        for edge in edges:
            for text in edge["above"]:
                assert f">{text}</text>" in svg, (name, text)
            for text in edge["below"]:
                assert f'fill="red">{text}</text>' in svg, (name, text)


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "no expression given"),
        (["1+2"], "uses no variable"),
        (["x", "x=1", "-o", "graph.txt"], "cannot tell the format of 'graph.txt'"),
        (["x*2", "x=1", "--digits", "0"], "must be from 1 to 17"),
        (["x*2", "x=1", "--collapse", "sigmoid"], "no group named 'sigmoid'"),
        (["x*2", "x=1", "--bogus"], "unrecognized arguments: --bogus"),
        (["demo", "all"], "needs a directory"),
        (["demo", "all", "-o", "out", "--format", "gif"], "unknown format 'gif'"),
        (["demo", "mandelbrot"], "invalid choice: 'mandelbrot'"),
        (["x*y", "x=1", "y=2", "z=3"], "variable 'z' is not used in the expression"),
        (["x", "x=1", "y=2", "z=3"], "variables 'y', 'z' are not used in the expression"),
        (["exp()", "x=1"], "exp() takes 1 argument, got 0 at column 1"),
        (["x + exp(x, x)", "x=1"], "exp() takes 1 argument, got 2 at column 5"),
        (["sigmoid(x, 2)", "x=1"], "sigmoid() takes 1 argument, got 2"),
        (["demo", "apple", "--format", "png"], "--format applies to 'demo all'"),
        (["x*2", "x=1", "--steps"], "--steps needs a file or folder to write"),
        (["x*2", "x=1", "--steps", "-o", "steps.svg"], "cannot tell what to write with --steps from the suffix"),
        (["x*2", "x=1", "--steps", "-o", "steps.html", "--dpi", "100"], "--dpi applies to .gif and PNG frames"),
        (["x*2", "x=1", "--steps", "-o", "steps.gif", "--duration", "5"], "--duration: must be from 10 to 60000"),
        (["x*2", "x=1", "-o", "graph.svg", "--dpi", "100"], "--dpi applies to .png output"),
        (["x*2", "x=1", "-o", "graph.svg", "--duration", "100"], "--duration applies to --steps"),
        (["x*2", "x=1", "--steps", "-o", "s.html", "--collapse", "sigmoid"], "no group named 'sigmoid'"),
        (["demo", "sigmoid", "--steps"], "--steps needs a file or folder"),
        (["demo", "all", "-o", "out", "--steps"], "--steps applies to one figure"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err
    assert captured.err.startswith("python -m viz: error: ")
    assert list(tmp_path.iterdir()) == []


def test_overflow_and_nan_are_drawn_without_warnings_from_numpy(tmp_path):
    for expression, value, shown in (("exp(x)", "1000", ">inf<"), ("log(x)", "-1", ">nan<"), ("1/x", "0", ">inf<")):
        done = run_module(expression, f"x={value}")
        assert done.returncode == 0 and done.stderr == "", (expression, done.stderr)
        assert shown in done.stdout


def test_demo_all_writes_each_format_once(tmp_path, capsys):
    assert main(["demo", "all", "-o", str(tmp_path), "--format", "svg,SVG,.svg"]) == 0
    written = capsys.readouterr().out.split()
    assert len(written) == len(viz.cli.FIGURES) + len(viz.cli.ANIMATIONS) == len(set(written))


def test_a_missing_dot_program_exits_1_and_says_how_to_install(tmp_path, monkeypatch, capsys):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert main(["x*2", "x=1", "-o", str(tmp_path / "graph.svg")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "apt-get install graphviz" in err and "brew install graphviz" in err
    assert main(["x*2", "x=1", "-o", str(tmp_path / "graph.dot")]) == 0  # DOT needs no program


@pytest.mark.parametrize(
    "script, message",
    [
        ("echo 'Error: <stdin>: syntax error in line 3' >&2; exit 1",
         "Graphviz's dot failed (exit status 1): Error: <stdin>: syntax error in line 3"),
        ("echo 'Warning: first' >&2; echo 'Error: second' >&2; exit 2",
         "Graphviz's dot failed (exit status 2): Warning: first Error: second"),
        ("kill -SEGV $$", "Graphviz's dot crashed (SIGSEGV)"),
    ],
)
def test_a_failing_dot_program_exits_1_with_one_line(script, message, tmp_path, monkeypatch, capsys):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "dot").write_text(f"#!/bin/sh\ncat > /dev/null\n{script}\n")
    (fake / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    for argv in (["x*2", "x=1", "-o", str(tmp_path / "graph.svg")], ["demo", "all", "-o", str(tmp_path / "all")]):
        assert main(argv) == 1
        captured = capsys.readouterr()
        assert captured.err.count("\n") == 1, captured.err
        assert captured.err.startswith(f"python -m viz: error: {message}")
    assert not (tmp_path / "graph.svg").exists()


def test_warnings_from_a_working_dot_program_are_passed_on(tmp_path, monkeypatch, capsys):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "dot").write_text("#!/bin/sh\ncat > /dev/null\necho '<svg/>'\necho 'Warning: odd' >&2\n")
    (fake / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    assert main(["x*2", "x=1", "-o", str(tmp_path / "graph.svg")]) == 0
    assert capsys.readouterr().err == "Warning: odd\n"
    assert (tmp_path / "graph.svg").read_text(encoding="utf-8") == "<svg/>\n"


def test_an_unwritable_output_exits_1(tmp_path, capsys):
    assert main(["x*2", "x=1", "-o", str(tmp_path / "missing" / "graph.svg")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No such file or directory" in err


# -- hostile input, in process ----------------------------------------------------------------------

# Beyond the expression itself: hostile assignments, options and demo names.
HOSTILE_ARGUMENTS = [
    ["x*2", "x=__import__('os').system('id')"],
    ["x*2", "x=1e999"],
    ["x*2", "x=nan"],
    ["x", "__class__=1"],
    ["x", "__builtins__=1"],
    ["exp(x)", "exp=1", "x=1"],
    ["x", "x=1", "x=2"],
    ["x", "x=1;import os"],
    ["x", "x=1", "--digits", "__import__('os')"],
    ["x", "x=1", "--constants", "eval"],
    ["x", "x=1", "-o", "/tmp/evil.sh"],
    ["x", "x=1", "-o", f"{MARKER}.py"],
    ["demo", "__import__('os').system('id')"],
    ["demo", "apple", "-o", f"{MARKER}.sh"],
    ["demo", "all", "--format", "sh"],
    ["", "x=1"],
]

CASES = [pytest.param([text, "x=1", "t=2"], id=name) for name, text in HOSTILE] + [
    pytest.param(argv, id=f"arguments-{index}") for index, argv in enumerate(HOSTILE_ARGUMENTS)
]


def test_there_are_at_least_fifty_hostile_cases():
    assert len(CASES) >= 50


@pytest.fixture
def tripwires(monkeypatch):
    """Record any call to eval/exec/os.system/subprocess/imports and to the expression's functions."""
    calls = []

    def tripwire(name, delegate=None):
        def replacement(*args, **kwargs):
            calls.append(name)
            if delegate is not None:
                return delegate(*args, **kwargs)
            raise AssertionError(f"{name} must not be called")

        return replacement

    for name in FUNCTIONS:
        monkeypatch.setitem(FUNCTIONS, name, tripwire(f"{name}()"))
    monkeypatch.setattr(builtins, "eval", tripwire("eval"))
    monkeypatch.setattr(builtins, "exec", tripwire("exec"))
    monkeypatch.setattr(os, "system", tripwire("os.system"))
    monkeypatch.setattr(os, "popen", tripwire("os.popen"))
    monkeypatch.setattr(subprocess, "Popen", tripwire("subprocess.Popen"))
    monkeypatch.setattr(importlib, "import_module", tripwire("importlib.import_module"))
    return calls


@pytest.mark.parametrize("argv", CASES)
def test_hostile_input_is_refused_and_nothing_runs(argv, tripwires, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for path in (MARKER, f"{MARKER}.py", f"{MARKER}.sh"):
        if os.path.exists(path):
            os.remove(path)
    first = autograd.engine.next_seq()
    status = main(argv)
    created = autograd.engine.next_seq() - first - 1
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("python -m viz: error: ")
    assert tripwires == []
    assert created <= 2  # at most the variables x and t: not one operation was applied
    assert not any(os.path.exists(path) for path in (MARKER, f"{MARKER}.py", f"{MARKER}.sh", "/tmp/evil.sh"))
    assert list(tmp_path.iterdir()) == []


def test_abs_and_sqrt_are_callable_from_the_command_line(capsys):
    assert main(["abs(x) + sqrt(y)", "x=-3", "y=4"]) == 0
    dot = capsys.readouterr().out
    assert op_labels(dot) == ["|x|", "**0.5", "+"]
    assert "<td>5</td>" in dot  # 3 + 2
    assert main(["sqrt(x, x)", "x=4"]) == 2
    assert "sqrt() takes 1 argument, got 2" in capsys.readouterr().err


@pytest.mark.parametrize("mark", ["\u202e", "\u2066", "\u2069", "\u200e", "\u200f", "\x1b", "\x9b"])
@pytest.mark.parametrize(
    "argv",
    [
        ["x*2", "x=1", "--bogus{}"],
        ["demo", "apple{}"],
        ["x*2", "x=1", "-o", "graph{}.txt"],
        ["x*2", "x=1", "--steps", "-o", "steps{}.svg"],
        ["x*2", "x{}=1"],
    ],
    ids=["unknown-option", "unknown-figure", "suffix", "steps-suffix", "variable"],
)
def test_control_and_bidirectional_characters_are_escaped_in_errors(argv, mark, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main([word.format(mark) for word in argv]) == 2
    err = capsys.readouterr().err
    assert mark not in err and err.count("\n") == 1
    assert mark.encode("unicode_escape").decode() in err


def test_a_flat_sum_of_three_hundred_terms_is_drawn(tmp_path):
    path = tmp_path / "sum.dot"
    assert main(["+".join(["x"] * 300), "x=2", "-o", str(path)]) == 0
    source = path.read_text(encoding="utf-8")
    assert source.count("tooltip=add") == 299 and ">600<" in source
