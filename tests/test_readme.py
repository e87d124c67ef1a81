"""The README's promises: CI runs its test command, and its examples run."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _shell_blocks():
    return re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)


def test_ci_runs_the_readmes_test_command_verbatim():
    test_commands = [block for block in _shell_blocks() if "pytest" in block]
    assert len(test_commands) == 1
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_commands[0] in ci_lines


def test_the_readmes_setup_commands_install_graphviz_when_missing():
    install, tests = _shell_blocks()[:2]
    for command in (install, tests):
        assert "command -v dot" in command and "apt-get install -y graphviz" in command
        assert "python3 -m venv .venv" in command
    assert "demos/apple.py" in install and "pip install -q -e ." in install


def test_the_ten_line_example_runs(capsys):
    block = re.search(r"## Ten lines\n\n```python\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S).group(1)
    exec(compile(block, "README.md", "exec"), {})  # the project's own README, not user input
    printed = capsys.readouterr().out.split("\n")
    assert printed[0] == "2.2 110.00000000000001 200.0"
    assert " ".join(printed[1:3]) == "[[4. 4. 4.]  [4. 4. 4.]] [4. 4. 4.]"


# -- the examples of the later sections ---------------------------------------

def _section(title):
    text = (ROOT / "README.md").read_text()
    return re.search(rf"\n## {re.escape(title)}\n(.*?)(?=\n## |\Z)", text, re.S).group(1)


def _blocks(title, language):
    """The code blocks of a section fenced with ``language`` ("" for output blocks), in order."""
    blocks, current, fence = [], None, None
    for line in _section(title).splitlines():
        if current is None and line.startswith("```"):
            current, fence = [], line[3:].strip()
        elif current is not None and line == "```":
            if fence == language:
                blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def _python_blocks(title):
    return _blocks(title, "python")


def _plain_blocks(title):
    return _blocks(title, "")


def _run(block, filename="README.md"):
    namespace = {}
    exec(compile(block, filename, "exec"), namespace)  # the project's own README, not user input
    return namespace


def test_the_derivative_examples_print_what_their_comments_say(capsys):
    _run(_python_blocks("Derivatives you can check")[0])
    assert capsys.readouterr().out.splitlines() == ["27.0 18.0", "48.0", "(0.0, 2.0)", "(9.0, 6.0)"]


def test_the_gradcheck_example_prints_the_report_and_the_failure_shown(capsys):
    _run(_python_blocks("Derivatives you can check")[1])
    printed = capsys.readouterr().out.splitlines()
    shown = _plain_blocks("Derivatives you can check")[0].splitlines()
    assert len(printed) == len(shown) == 6
    assert printed[0] == shown[0] == "gradcheck of f: passed (atol=1e-05, rtol=0.001, eps=1e-06)"
    for line in printed[1:5]:  # the errors' last digits depend on the machine's BLAS
        assert line.startswith("  ok   input ")
    assert printed[5] == shown[5]
    assert printed[5].startswith("gradcheck: the gradient of leaky with respect to input 0 'x' (shape (2,)) is wrong")


def test_the_property_test_example_passes():
    namespace = _run(_python_blocks("Derivatives you can check")[2])
    namespace["test_first_and_second_derivatives_match_central_differences"]()


def test_the_anomaly_example_stops_with_the_message_shown():
    import warnings

    import numpy as np

    from autograd import AnomalyError

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            _run(_python_blocks("Derivatives you can check")[3], filename="/tmp/example.py")
        except AnomalyError as error:
            message = f"{type(error).__module__}.{type(error).__name__}: {error}"
        else:
            raise AssertionError("the detect_anomaly example did not raise")
    assert message == _plain_blocks("Derivatives you can check")[1]


def test_the_viz_example_writes_its_pictures(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = _run(_python_blocks("Pictures of the graph (`viz`)")[0])
    assert namespace["graph"].source.startswith("digraph")
    assert (tmp_path / "sigmoid.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "sigmoid-box.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "sigmoid.dot").read_text().startswith("digraph")


def test_the_readmes_pictures_exist_and_the_demo_command_writes_them():
    from viz.figures import ANIMATIONS, FIGURES

    section = _section("Pictures of the graph (`viz`)")
    pictures = re.findall(r"!\[[^\]]*\]\((docs/[^)]+)\)", section)
    assert len(pictures) == 5
    for picture in pictures:
        assert (ROOT / picture).is_file(), picture
        assert pathlib.Path(picture).stem in FIGURES or pathlib.Path(picture).name in ANIMATIONS
    assert "python -m viz demo all -o docs/" in section


def test_the_nn_example_prints_what_its_comments_say(capsys):
    _run(_python_blocks("Neural networks (`nn`)")[0])
    assert capsys.readouterr().out.splitlines() == [
        "1.0881 -> 0.9381", "[[ 3.  -0.5]]", "[[0.  2.5]]", "[[3. 0.]] Group('Relu')",
    ]


def test_the_readme_lists_every_demo_and_benchmark():
    demos = _section("Demos")
    for script in sorted((ROOT / "demos").glob("*.py")):
        assert f"demos/{script.name}" in demos and f"**`{script.name}" in demos, script.name
    benchmarks = _section("Benchmarks")
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        assert f"benchmarks/{script.name}" in benchmarks, script.name
