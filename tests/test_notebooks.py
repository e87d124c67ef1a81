"""The notebooks are stored clean, match notebooks/build.py, and run top to bottom."""

import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebooks need the test extra (nbformat, nbclient, ipykernel)")
nbclient = pytest.importorskip("nbclient", reason="the notebooks need the test extra (nbformat, nbclient, ipykernel)")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MNIST_DIR = ROOT.parent / "shared" / "data" / "mnist"
#: The notebooks that train on the real MNIST test set and have no fallback without it.
NEEDS_MNIST = {"09_chapter6_training_techniques", "10_chapter7_convolution"}


def test_there_is_a_notebook_per_section():
    assert [path.name[:3] for path in NOTEBOOKS] == [f"{number:02d}_" for number in range(1, 12)]


def test_the_notebooks_are_what_build_py_writes():
    result = subprocess.run([sys.executable, str(ROOT / "notebooks" / "build.py"), "--check"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"checked {len(NOTEBOOKS)} notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: a cell has outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, monkeypatch):
    if path.stem in NEEDS_MNIST and not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"real MNIST test set not available: {MNIST_DIR} is missing (see ../shared/data/mnist/README.md)")
    # The kernel inherits the environment: one BLAS thread, as the benchmarks use, because the
    # threads of a small matrix product fight over a shared 2-core machine (15x slower when loaded).
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(variable, "1")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})  # run from the repository's root
    client.execute()  # a failing cell raises CellExecutionError naming the cell and the traceback
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    assert outputs, f"{path.name} printed nothing"
