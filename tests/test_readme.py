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
