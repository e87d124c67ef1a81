"""The worked-example demos print the reference material's numbers."""

import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run_demo(name, *args):
    result = subprocess.run(
        [sys.executable, str(ROOT / "demos" / name), *args],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_apple_demo_prints_both_shopping_graphs():
    out = run_demo("apple.py")
    assert "price = 220.00000000000003" in out
    assert "price = 715.0000000000001" in out
    for line in ("apple         2.2", "apple_num     110.00000000000001", "tax           200.0",
                 "orange_num    165.0", "tax           650.0", "all_price     1.1"):
        assert line in out


def test_chain_rule_demo():
    out = run_demo("chain_rule.py")
    assert "dz/dx = 6.0" in out and "(2(x + y) = 6.0)" in out
    assert "df/dx1 = 8.0,  df/dx2 = 12.0" in out
    assert "sends back 6.5 to the 10-side and 13 to the 5-side" in out


def test_sigmoid_demo_agrees_four_nodes_and_one():
    out = run_demo("sigmoid.py", "0.5", "1.0")
    assert "dL/dy * y^2 * exp(-x)   = 0.235004" in out
    assert "y(1 - y) = 0.235004; backward gives 0.235004" in out


# -- the command lines: help, bad input, progress, pictures --------------------

MNIST_DIR = ROOT.parent / "shared" / "data" / "mnist"


def run_command(name, *args, cwd=ROOT):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    return subprocess.run([sys.executable, str(ROOT / "demos" / name), *args],
                          capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


def load_demo(name):
    spec = importlib.util.spec_from_file_location(f"demo_{name}", ROOT / "demos" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sigmoid_demo_has_help():
    result = run_command("sigmoid.py", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: sigmoid.py [-h] [x] [upstream]")
    assert "the gradient dL/dy arriving from above (default 1.0)" in result.stdout


@pytest.mark.parametrize("args, complaint", [
    (["abc"], "argument x: expected a number, got 'abc'"),
    (["0.5", "1,5"], "argument upstream: expected a number, got '1,5'"),
    (["nan"], "argument x: expected a finite number, got 'nan'"),
    (["--", "0.5", "-inf"], "argument upstream: expected a finite number, got '-inf'"),
    (["1", "2", "3"], "unrecognized arguments: 3"),
])
def test_sigmoid_demo_refuses_what_is_not_a_number_with_status_2(args, complaint):
    result = run_command("sigmoid.py", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == f"sigmoid.py: error: {complaint}"


def test_sigmoid_demo_takes_negative_numbers_and_says_where_four_nodes_overflow():
    ok = run_command("sigmoid.py", "--", "-2", "0.5")
    assert ok.returncode == 0, ok.stderr
    assert "y(1 - y) = 0.0524968; backward gives 0.0524968" in ok.stdout  # 0.5 · σ(−2)(1 − σ(−2))
    overflow = run_command("sigmoid.py", "--", "-1000")
    assert overflow.returncode == 1
    assert ("the four nodes fail at x = -1000: exp(-x) = inf overflows, so y^2 * exp(-x) is 0 * inf = nan; "
            "one sigmoid node, which needs only y, gives 0") in overflow.stderr


def test_textbook_layers_shows_one_progress_bar_instead_of_a_line_per_evaluation():
    result = run_command("textbook_layers.py", "--iters", "120")
    assert result.returncode == 0, result.stderr
    assert not re.search(r"  iteration +\d", result.stdout)
    assert "training: 100%" in result.stderr and "120/120" in result.stderr and "test_acc=" in result.stderr
    assert re.search(r"best test 0\.\d{4} over 2 evaluations", result.stdout)
    lines = run_command("textbook_layers.py", "--iters", "120", "--no-progress")
    assert lines.returncode == 0, lines.stderr
    assert re.findall(r"  iteration +(\d+)  train acc", lines.stdout) == ["0", "119"]
    assert "training:" not in lines.stderr


def test_regression_plane_map_has_a_title_axis_labels_and_a_legend_for_train_and_test():
    pytest.importorskip("plygdata")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import nn

    demo = load_demo("regression_plane")
    train, test = nn.regress_plane(n=40, seed=0)
    network = nn.MLP([2, 3, 1], activation="sigmoid", output="identity", weight_init=0)
    figure = demo.prediction_map(network, train, test, "RegressPlane after 0 epochs")
    try:
        axes = figure.axes[0]
        assert axes.get_title() == "RegressPlane after 0 epochs"
        assert (axes.get_xlabel(), axes.get_ylabel()) == ("x1", "x2")
        legend = axes.get_legend()
        assert [text.get_text() for text in legend.get_texts()] == ["train (20 points)", "test (20 points)"]
        edges = [handle.get_markeredgecolor() for handle in legend.legend_handles]
        assert edges == ["#ffffff", "#555555"]  # plygdata's edge colours for training and test points
    finally:
        plt.close(figure)


def test_plot_titles_name_the_data_not_the_directory(tmp_path, monkeypatch):
    if not MNIST_DIR.is_dir():
        pytest.skip(f"real MNIST test set not available: {MNIST_DIR} is missing")
    import nn

    titles = []
    monkeypatch.setattr(nn, "plot_history", lambda history, path, title=None, **options: titles.append(title) or path)
    demo = load_demo("train_mnist")
    status = demo.main(["--data-dir", str(MNIST_DIR), "--test-set-only", "--iters", "2", "--hidden", "5",
                        "--no-gradient-check", "--no-progress", "--plot", str(tmp_path / "curves.png")])
    assert status == 0
    assert titles == ["MNIST test set only"]


def test_regression_plane_titles_name_the_run_not_the_directory(tmp_path, monkeypatch):
    pytest.importorskip("plygdata")
    import nn

    demo = load_demo("regression_plane")
    titles = []
    monkeypatch.setattr(nn, "plot_history", lambda history, path, title=None, **options: titles.append(title) or path)
    monkeypatch.setattr(demo, "save_prediction_map",
                        lambda network, train, test, path, title: titles.append(title) or path)
    assert demo.main(["--epochs", "1", "--points", "40", "--out-dir", str(tmp_path / "out")]) == 0
    assert titles[0] == "RegressPlane, network [2, 3, 1]"
    assert re.fullmatch(r"RegressPlane: network \[2, 3, 1\] after 1 epoch\ntest loss 0\.\d{4}", titles[1])
