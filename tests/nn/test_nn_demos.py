"""nn's demos run end to end, with small settings, as a user would start them."""

import gzip
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
MNIST_DIR = ROOT.parent / "shared" / "data" / "mnist"


def run_demo(name, *args, tmp_path):
    empty_cache = tmp_path / "no-mnist-here"
    empty_cache.mkdir(exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT), BACKPROP_GRAPH_DATA=str(empty_cache),
               MPLCONFIGDIR=str(tmp_path / "mpl"), MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, str(ROOT / "demos" / name), *args], capture_output=True, text=True,
                            timeout=300, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def numbers_after(label, text):
    return [float(v) for v in re.findall(rf"{re.escape(label)}\s*([-+0-9.e]+)", text)]


def test_train_mnist_without_data_says_so_and_trains_on_the_spiral(tmp_path):
    out = run_demo("train_mnist.py", "--iters", "400", "--no-progress",
                   "--plot", "curves.png", "--save", "params.npz", tmp_path=tmp_path)
    assert "MNIST is not available: MNIST file(s) not found in" in out
    assert "data: offline: the spiral" in out
    differences = [float(v) for v in re.findall(r"  [Wb][12]: ([0-9.e+-]+)", out)]
    assert len(differences) == 4 and max(differences) < 1e-7
    assert numbers_after("test acc", out)[-1] > 0.8
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "params.npz").is_file()


def test_train_mnist_on_the_real_test_set_split(tmp_path):
    if not MNIST_DIR.is_dir():
        pytest.skip(f"real MNIST test set not available: {MNIST_DIR} is missing")
    out = run_demo("train_mnist.py", "--data-dir", str(MNIST_DIR), "--test-set-only", "--hidden", "5",
                   "--iters", "160", "--no-progress", tmp_path=tmp_path)
    assert "data: MNIST test set only" in out and "first 8,000 images to train, last 2,000 to test" in out
    assert "gradient check: mean |backprop - numerical| on 3 images" in out
    epochs = numbers_after("epoch", out)
    assert epochs == [0.0, 1.0, 2.0]
    accuracies = numbers_after("test acc", out)
    assert accuracies[0] < 0.3 and accuracies[-1] > 0.6


def write_fake_mnist(directory, train, test):
    """The four MNIST IDX files (gzip), with random digits: enough to exercise the full-data path."""
    rng = np.random.default_rng(0)
    for prefix, count in (("train", train), ("t10k", test)):
        images = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=count, dtype=np.uint8)
        (directory / f"{prefix}-images-idx3-ubyte.gz").write_bytes(
            gzip.compress(struct.pack(">4I", 0x803, count, 28, 28) + images.tobytes()))
        (directory / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(
            gzip.compress(struct.pack(">2I", 0x801, count) + labels.tobytes()))


def test_train_mnist_with_the_four_files_uses_the_training_set(tmp_path):
    data = tmp_path / "mnist"
    data.mkdir()
    write_fake_mnist(data, train=300, test=50)
    out = run_demo("train_mnist.py", "--data-dir", str(data), "--iters", "6", "--no-gradient-check",
                   "--no-progress", tmp_path=tmp_path)
    assert f"data: MNIST ({data}): 300 training and 50 test images" in out
    assert "gradient check" not in out
    assert numbers_after("epoch", out) == [0.0, 1.0, 2.0]  # 3 batches of 100 per epoch


def test_regression_plane_saves_the_loss_curve_and_the_prediction_map(tmp_path):
    pytest.importorskip("plygdata")
    out = run_demo("regression_plane.py", "--epochs", "3", "--points", "200", "--out-dir", "pictures",
                   tmp_path=tmp_path)
    assert "data: RegressPlane, 100 training and 100 test points" in out
    before, after = numbers_after("test loss:", out)[0], float(re.search(r"([0-9.]+) after", out).group(1))
    assert after < before
    for name in ("loss.png", "prediction.png"):
        assert (tmp_path / "pictures" / name).read_bytes()[:4] == b"\x89PNG"


def test_textbook_layers_demo_runs_the_books_code_on_nn_layers(tmp_path):
    out = run_demo("textbook_layers.py", "--iters", "300", tmp_path=tmp_path)
    same = numbers_after("max |difference|", out)
    numerical = numbers_after("mean |backprop - numerical|", out)
    assert len(same) == len(numerical) == 4
    assert max(same) < 1e-12 and max(numerical) < 1e-7
    assert numbers_after("final test accuracy", out)[0] > 0.8


def test_mlp_benchmark_checks_gradients_and_prints_its_ratios(tmp_path):
    """A smoke run: the contestants agree and the table is printed (no timing is judged)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "mlp.py"), "--rounds", "2", "--steps", "1"],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "gradients agree with the textbook NumPy step to 1e-10 for every contestant" in result.stdout
    for row in ("numpy (textbook)", "numpy (lean)", "nn ", "nn's math, no graph", "nn layer by layer"):
        assert "\n" + row in result.stdout
    assert re.search(r"ratio nn / numpy \(textbook\): [0-9.]+ +nn / numpy \(lean\): [0-9.]+", result.stdout)
    assert re.search(r"by the minimum .*: nn / numpy \(lean\) [0-9.]+, Tensor by hand / numpy \(lean\) [0-9.]+",
                     result.stdout)


def require_mnist():
    if not MNIST_DIR.is_dir():
        pytest.skip(f"real MNIST test set not available: {MNIST_DIR} is missing")
    return ["--data-dir", str(MNIST_DIR), "--test-set-only"]


def test_optimizer_compare_reaches_the_minimum_and_plots(tmp_path):
    out = run_demo("optimizer_compare.py", *require_mnist(), "--iters", "3", "--batch-size", "20",
                   "--plot", "opt.png", tmp_path=tmp_path)
    finals = dict(re.findall(r"  (\w+)\s+lr [0-9.]+\s+at .*f = ([0-9.]+)", out))
    assert set(finals) == {"SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"}
    assert all(float(v) < 0.2 for v in finals.values())  # f(-7, 2) = 6.45
    assert out.count("final: ") == 4
    assert (tmp_path / "opt.png").read_bytes()[:4] == b"\x89PNG"


def test_batch_norm_demo_trains_both_networks(tmp_path):
    out = run_demo("batch_norm.py", *require_mnist(), "--epochs", "2", "--train-size", "200", "--scales", "0.01",
                   "--no-progress", "--plot", "bn.png", tmp_path=tmp_path)
    with_bn, without = map(float, re.search(r"with batch norm ([0-9.]+), without ([0-9.]+)", out).groups())
    assert with_bn > without  # at scale 0.01 the plain deep network does not learn at all in 2 epochs
    assert (tmp_path / "bn.png").read_bytes()[:4] == b"\x89PNG"


def test_dropout_demo_reports_the_three_runs(tmp_path):
    out = run_demo("dropout.py", *require_mnist(), "--epochs", "2", "--train-size", "100", "--no-progress",
                   tmp_path=tmp_path)
    assert [label for label in ("plain:", "weight decay 0.1:", "dropout 0.2:") if label in out] == \
        ["plain:", "weight decay 0.1:", "dropout 0.2:"]
    assert len(numbers_after("test accuracy", out)) == 3


def test_train_convnet_saves_params_and_draws_the_collapsed_graph(tmp_path):
    out = run_demo("train_convnet.py", *require_mnist(), "--epochs", "0.2", "--train-size", "500", "--filters", "4",
                   "--no-progress", "--save", "params.pkl", "--graph", "convnet.svg", tmp_path=tmp_path)
    assert "final: test accuracy" in out
    svg = (tmp_path / "convnet.svg").read_text()
    assert all(name in svg for name in ("Conv1", "Pool1", "Affine2"))
    import nn
    loaded = nn.load_params(tmp_path / "params.pkl")
    assert loaded["W1"].shape == (4, 1, 5, 5)
