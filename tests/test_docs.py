"""The API reference builds from the docstrings without a warning, with the pictures and the notebooks."""

import html
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="the reference needs sphinx and myst-nb (the test and docs extras)")
pytest.importorskip("myst_nb", reason="the reference needs sphinx and myst-nb (the test and docs extras)")

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "docs" / "reference"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One build, warnings as errors, notebooks as stored (tests/test_notebooks.py executes them)."""
    out = tmp_path_factory.mktemp("reference")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-E", "-q", "-b", "html",
         "-D", "nb_execution_mode=off", "-d", str(out / ".doctrees"), str(SOURCE), str(out / "html")],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-4000:]
    return out / "html"


def text(page):
    """What a reader sees: the page without its tags (code is split into highlighted tokens)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_the_build_is_clean(built):
    assert (built / "index.html").is_file()


def test_the_entry_page_says_what_it_is_shows_the_commands_a_picture_and_links(built):
    page = (built / "index.html").read_text()
    assert "A small define-by-run automatic differentiation engine" in page
    shown = text(page)
    install, tests = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)[:2]
    assert "demos/apple.py" in install and "pytest -q" in tests
    assert install in shown and tests in shown  # the README's two commands, verbatim
    assert "python -m sphinx -W -b html docs/reference docs/_build" in shown
    assert '<img alt="the sigmoid as four nodes' in page and "_images/sigmoid.svg" in page
    for target in ("api/autograd.html", "api/nn.html", "api/viz.html", "notebooks.html", "pictures.html"):
        assert f'href="{target}"' in page, target
    for source in sorted(SOURCE.glob("*.md")):  # every guide page, linked from the entry page
        if source.stem != "index":
            assert f'href="{source.stem}.html"' in page, source.name


def test_the_guide_pages_show_their_tables_and_pictures(built):
    numpy_page = (built / "numpy.html").read_text()
    assert "<table" in numpy_page and "half to each at a tie, as torch" in text(numpy_page)
    assert "<table" in (built / "benchmarks.html").read_text()
    viz_page = (built / "viz.html").read_text()
    assert "_images/sigmoid-steps.gif" in viz_page and "_images/apple.svg" in viz_page
    assert 'href="derivatives.html"' in (built / "forward.html").read_text()


def test_the_api_pages_come_from_the_docstrings(built):
    autograd_page = (built / "api" / "autograd.html").read_text()
    for name in ("autograd.Value", "autograd.Tensor", "autograd.grad", "autograd.gradcheck",
                 "autograd.detect_anomaly", "autograd.testing.expressions"):
        assert f'id="{name}"' in autograd_page, name
    assert "|a − n| ≤ atol + rtol·|n|" in text(autograd_page)  # absolute values, not substitutions
    nn_page = (built / "api" / "nn.html").read_text()
    for name in ("nn.Affine", "nn.SoftmaxWithLoss", "nn.TwoLayerNet", "nn.train", "nn.load_mnist", "nn.Adam"):
        assert f'id="{name}"' in nn_page, name
    viz_page = (built / "api" / "viz.html").read_text()
    assert 'id="viz.draw"' in viz_page and 'id="viz.render"' in viz_page


def test_every_picture_and_notebook_is_in_the_reference(built):
    pictures = sorted(path.name for path in (ROOT / "docs").glob("*.svg"))
    assert pictures and sorted(path.name for path in (built / "_images").glob("*.svg")) == pictures
    page = (built / "pictures.html").read_text()
    assert all(f"_images/{name}" in page for name in pictures)
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        rendered = (built / "notebooks" / f"{notebook.stem}.html").read_text()
        assert "import" in rendered, notebook.name
        assert f'href="notebooks/{notebook.stem}.html"' in (built / "notebooks.html").read_text()


def load_conf():
    spec = importlib.util.spec_from_file_location("reference_conf", SOURCE / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


def test_absolute_values_in_docstrings_are_escaped_but_literals_are_not():
    conf = load_conf()
    lines = [
        "An element passes when |a − n| ≤ atol + rtol·|n|.",
        "Code: ``x | y`` and ``abs(x)``, then |x| again.",
        "For example::",
        "",
        "    print(|x|)",
        "Back to prose |y|.",
    ]
    conf.escape_absolute_values(None, "function", "f", None, {}, lines)
    assert lines == [
        "An element passes when \\|a − n\\| ≤ atol + rtol·\\|n\\|.",
        "Code: ``x | y`` and ``abs(x)``, then \\|x\\| again.",
        "For example::",
        "",
        "    print(|x|)",
        "Back to prose \\|y\\|.",
    ]
