"""The README's promises: CI runs its test command, its example runs, its tables and links hold.

The examples and tables of the reference pages are checked in tests/test_doc_examples.py.
"""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _shell_blocks():
    return re.findall(r"```sh\n(.*?)\n```", README, re.S)


def _section(title):
    return re.search(rf"\n## {re.escape(title)}\n(.*?)(?=\n## |\Z)", README, re.S).group(1)


def _table_rows(text):
    """The body rows of the first Markdown table in ``text``, as lists of cells."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


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


def test_the_setup_section_warns_of_the_import_name_clash():
    setup = _section("Set up")
    assert "virtual environment" in setup and "HIPS `autograd`" in setup and "`ImportError`" in setup


def test_the_ten_line_example_runs(capsys):
    block = re.search(r"## Ten lines\n\n```python\n(.*?)\n```", README, re.S).group(1)
    assert len(block.splitlines()) <= 12
    exec(compile(block, "README.md", "exec"), {})  # the project's own README, not user input
    printed = capsys.readouterr().out.split("\n")
    assert printed[0] == "2.2 110.00000000000001 200.0"
    assert " ".join(printed[1:3]) == "[[4. 4. 4.]  [4. 4. 4.]] [4. 4. 4.]"


def test_the_picture_and_every_link_exist():
    targets = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", README)
    assert "docs/sigmoid.svg" in targets
    for target in targets:
        assert (ROOT / target).exists(), f"the README links to {target}, which does not exist"
    pages = {path.relative_to(ROOT).as_posix() for path in (ROOT / "docs" / "reference").glob("*.md")}
    assert pages - {"docs/reference/pictures.md"} <= set(targets), "a reference page the README does not link"


def test_the_readme_stays_a_five_minute_read():
    assert len(README) < 8000 and len(README.splitlines()) < 160


def test_the_readme_says_how_to_build_the_reference():
    assert "python -m sphinx -W -b html docs/reference docs/_build" in _shell_blocks()[-1]


def test_the_chapter_table_names_what_exists():
    import autograd
    import nn

    rows = _table_rows(_section("The textbook's chapters"))
    assert [row[0].split()[0] for row in rows] == ["5", "6", "7", "8"]
    notebooks = {path.name[:2] for path in (ROOT / "notebooks").glob("*.ipynb")}
    for chapter, runs, where in rows:
        for name in re.findall(r"`(\w+)`", runs):
            assert hasattr(nn, name) or hasattr(autograd, name), name
        for script in re.findall(r"`(demos/[\w.]+)`", where):
            assert (ROOT / script).is_file(), script
        for first, last in re.findall(r"notebooks? (\d\d)(?:–(\d\d))?", where):
            for number in range(int(first), int(last or first) + 1):
                assert f"{number:02d}" in notebooks, f"chapter {chapter}: no notebook {number:02d}"
    assert hasattr(nn.SimpleConvNet, "save_params") and hasattr(nn.SimpleConvNet, "load_params")


def test_the_speed_table_repeats_the_benchmark_pages_figures():
    benchmarks = (ROOT / "docs" / "reference" / "benchmarks.md").read_text()
    flat = " ".join(benchmarks.split())
    rows = _table_rows(_section("Speed"))
    assert len(rows) >= 5
    for row in rows:
        for cell in row[1:]:
            for figure in re.findall(r"\d[\d,.]*(?:–[\d.]+)?(?: ?(?:ms|µs|s|B|×))?", cell):
                assert figure in flat, f"{figure!r} ({row[0]}) is not on docs/reference/benchmarks.md"
    commands = _shell_blocks()[2]
    for script in re.findall(r"benchmarks/\w+\.py", commands):
        assert (ROOT / script).is_file() and script in benchmarks, script
