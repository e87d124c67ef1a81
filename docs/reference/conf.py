"""Sphinx configuration for the API reference.

Build (from the repository's root):
    .venv/bin/pip install -q -e '.[docs]' && .venv/bin/python -m sphinx -W -b html docs/reference docs/_build

The API pages come from the docstrings (autodoc); the notebooks (a link to
../../notebooks) are rendered by myst-nb, which needs no pandoc, and executed
during the build so the pages show their outputs; ``-D nb_execution_mode=off``
renders them as stored, without outputs (the test suite runs them already).
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

project = "backprop-graph"
author = "backprop-graph contributors"
copyright = "backprop-graph contributors, MIT License"
release = "0.1.0"

extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode", "myst_nb"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "notebooks/*.partial", "notebooks/.ipynb_checkpoints"]

autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the code has no type hints yet; the signatures are shown as written

nb_execution_mode = "force"
nb_execution_timeout = 180
nb_execution_raise_on_error = True
nb_execution_in_temp = False  # in notebooks/, as a reader runs them: ../../shared/data/mnist resolves
nb_merge_streams = True

html_theme = "alabaster"
html_title = "backprop-graph"
html_theme_options = {"description": "Define-by-run autodiff you can read, check and draw", "fixed_sidebar": True}

# Diagram overrides graphviz.Digraph's pipe and render only to improve one
# error; their inherited docstrings are graphviz's, written for another format.
autodoc_inherit_docstrings = False


# The docstrings write absolute values as |x|, which reStructuredText would read
# as substitution references: escape such bars outside literals and literal blocks.
_BARS = re.compile(r"(?<!\\)\|(?=\S)([^|`]*?\S)\|")


def _escape_bars(line):
    parts = line.split("``")
    parts[::2] = [_BARS.sub(r"\\|\1\\|", part) for part in parts[::2]]  # even parts are outside ``literals``
    return "``".join(parts)


def escape_absolute_values(app, what, name, obj, options, lines):
    literal_indent = None  # the indentation of the paragraph that opened a literal block with '::'
    for index, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None and line.strip() and indent <= literal_indent:
            literal_indent = None
        if literal_indent is None:
            lines[index] = _escape_bars(line)
            if line.rstrip().endswith("::"):
                literal_indent = indent


def setup(app):
    app.connect("autodoc-process-docstring", escape_absolute_values)
