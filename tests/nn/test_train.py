"""nn.train and nn.plot_history: modes, determinism, Ctrl-C, progress and plots."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nn import MLP, Adam, History, TwoLayerNet, plot_history, spiral, train

X, T = spiral(n_per_class=100, seed=0)
X_TRAIN, T_TRAIN, X_TEST, T_TEST = X[:240], T[:240], X[240:], T[240:]


def spiral_net(seed=0):
    return TwoLayerNet(2, 30, 3, weight_init_std=1.0, seed=seed)


def test_mini_batch_training_learns_the_spiral():
    history = train(spiral_net(), X_TRAIN, T_TRAIN, x_test=X_TEST, t_test=T_TEST,
                    epochs=100, batch_size=30, lr=1.0, progress=False)
    assert history.test_acc[0] < 0.5 < 0.9 < history.test_acc[-1]
    assert history.train_loss[-1] < 0.3 * history.train_loss[0]
    assert history.epoch[:3] == [0, 1, 2] and history.epoch[-1] == 100
    assert history.step[-1] == len(history.step_loss) == 100 * 8
    assert len(history.train_acc) == len(history.test_loss) == 101
    assert history.stopped_early is None and not history.interrupted


@pytest.mark.parametrize("batch_size, steps_per_epoch", [(1, 240), (50, 5), ("full", 1), (1000, 1)])
def test_online_mini_batch_and_full_batch_modes(batch_size, steps_per_epoch):
    seen = []
    net = spiral_net()
    original = net.loss_and_gradient

    def spy(x, t):
        seen.append(len(x))
        return original(x, t)

    net.loss_and_gradient = spy
    history = train(net, X_TRAIN, T_TRAIN, epochs=2, batch_size=batch_size, lr=0.1, progress=False)
    assert len(history.step_loss) == 2 * steps_per_epoch
    assert sum(seen) == 2 * 240  # every sample once per epoch, the last batch may be smaller
    assert history.epoch == [0, 1, 2]


def test_iterations_may_end_inside_an_epoch():
    history = train(spiral_net(), X_TRAIN, T_TRAIN, iterations=20, batch_size=100, lr=0.1, progress=False)
    assert len(history.step_loss) == 20
    assert history.epoch == [0, 1, 2, 3, 4, 5, 6, 20 / 3]  # 3 steps per epoch
    assert history.step[-1] == 20


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    runs = [train(spiral_net(), X_TRAIN, T_TRAIN, epochs=2, batch_size=20, seed=s, progress=False) for s in (5, 5, 6)]
    assert runs[0].step_loss == runs[1].step_loss
    assert runs[0].step_loss != runs[2].step_loss
    in_order = [train(spiral_net(), X_TRAIN, T_TRAIN, epochs=1, batch_size=20, shuffle=False, seed=s, progress=False)
                for s in (5, 6)]
    assert in_order[0].step_loss == in_order[1].step_loss


def test_ctrl_c_from_a_callback_returns_the_history_so_far():
    def stop_after_three_epochs(history):
        if history.epoch[-1] == 3:
            raise KeyboardInterrupt

    history = train(spiral_net(), X_TRAIN, T_TRAIN, x_test=X_TEST, t_test=T_TEST, epochs=50, batch_size=60,
                    lr=1.0, progress=False, callback=stop_after_three_epochs)
    assert history.interrupted
    assert history.epoch == [0, 1, 2, 3] and len(history.step_loss) == 12
    assert history.stopped_early == "interrupted at step 12 (epoch 3.00)"


def interrupted_at(net, call):
    """``net`` whose ``call``-th ``loss_and_gradient`` raises KeyboardInterrupt (Ctrl-C mid-epoch)."""
    original, calls = net.loss_and_gradient, []

    def interrupted_step(x, t):
        calls.append(1)
        if len(calls) == call:
            raise KeyboardInterrupt
        return original(x, t)

    net.loss_and_gradient = interrupted_step
    return net


def test_ctrl_c_in_the_middle_of_an_epoch(capsys):
    history = train(interrupted_at(spiral_net(), 7), X_TRAIN, T_TRAIN, epochs=10, batch_size=60, progress=True)
    assert history.interrupted and len(history.step_loss) == 6 and history.epoch == [0, 1]
    assert "interrupted at step 6 (epoch 1.50): returning the history so far" in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_a_diverging_run_stops_and_says_why():
    history = train(spiral_net(), X_TRAIN, T_TRAIN, epochs=5, batch_size=240, lr=1e300, progress=False)
    assert not history.interrupted
    assert "try a smaller learning rate" in history.stopped_early
    assert not np.isfinite(history.step_loss[-1])


def test_a_non_finite_loss_stops_before_its_update_reaches_the_weights():
    # A NaN in the third batch gives NaN gradients: applying them would leave
    # the network all NaN, with nothing to inspect or to go back to.
    x = X_TRAIN.copy()
    x[70] = np.nan
    net = spiral_net()
    weights = []
    history = train(net, x, T_TRAIN, epochs=1, batch_size=30, shuffle=False, progress=False,
                    optimizer=_Recording(weights))
    assert history.stopped_early.startswith("the loss became nan at step 3")
    assert len(history.step_loss) == 3 and np.isnan(history.step_loss[-1])
    assert len(weights) == 2
    for key, value in net.params.items():
        assert np.isfinite(value).all()
        np.testing.assert_array_equal(value, weights[-1][key])


class _Recording(Adam):
    """Adam that keeps a copy of the parameters after every update."""

    def __init__(self, log):
        super().__init__(lr=0.01)
        self.log = log

    def update(self, params, grads):
        super().update(params, grads)
        self.log.append({k: v.copy() for k, v in params.items()})


def test_progress_prints_a_line_per_epoch_without_tqdm(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    train(spiral_net(), X_TRAIN, T_TRAIN, x_test=X_TEST, t_test=T_TEST, epochs=2, batch_size=60, progress=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[-1].startswith("epoch   2.00  step      8  train loss ")
    assert "train acc" in lines[-1] and "test acc" in lines[-1]


def test_report_every_thins_the_epoch_lines_but_keeps_the_last(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    history = train(spiral_net(), X_TRAIN, T_TRAIN, epochs=7, batch_size=60, report_every=3)
    printed = [line.split()[1] for line in capsys.readouterr().out.splitlines()]
    assert printed == ["0.00", "3.00", "6.00", "7.00"]
    assert len(history.epoch) == 8  # every epoch is still evaluated


def test_nn_imports_and_trains_without_the_optional_extras():
    script = (
        "import sys\n"
        "for name in ('tqdm', 'tqdm.auto', 'matplotlib', 'plygdata'):\n"
        "    sys.modules[name] = None  # as if not installed\n"
        "import nn\n"
        "x, t = nn.spiral(n_per_class=20)\n"
        "h = nn.train(nn.TwoLayerNet(2, 10, 3, seed=0), x, t, epochs=2, batch_size=20)\n"
        "print('steps', len(h.step_loss))\n"
        "try:\n"
        "    nn.plot_history(h, 'never.png')\n"
        "except ImportError as error:\n"
        "    print('plot:', error)\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            cwd=root, env=dict(os.environ, PYTHONPATH=str(root)))
    assert result.returncode == 0, result.stderr
    assert "steps 6" in result.stdout and result.stdout.count("epoch ") == 3
    assert "plot: plot_history needs matplotlib: pip install 'backprop-graph[plot]'" in result.stdout


def test_progress_bar_with_tqdm_shows_loss_and_epoch_lines(capsys):
    pytest.importorskip("tqdm")
    train(spiral_net(), X_TRAIN, T_TRAIN, x_test=X_TEST, t_test=T_TEST, epochs=2, batch_size=60, progress=True)
    captured = capsys.readouterr()
    assert "training" in captured.err and "loss" in captured.err  # the bar, on stderr
    assert captured.out.count("epoch ") == 3


def test_progress_lines_prints_lines_without_a_bar(capsys):
    train(spiral_net(), X_TRAIN, T_TRAIN, epochs=2, batch_size=60, progress="lines")
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.count("epoch ") == 3


def test_progress_false_prints_nothing(capsys):
    train(spiral_net(), X_TRAIN, T_TRAIN, epochs=1, batch_size=60, progress=False)
    assert capsys.readouterr() == ("", "")


def test_another_optimizer_and_a_regression_network():
    x = np.random.default_rng(0).uniform(-6, 6, size=(80, 2))
    y = x.sum(axis=1, keepdims=True) / 10  # RegressPlane's target
    net = MLP([2, 8, 1], activation="sigmoid", output="identity", seed=0)
    history = train(net, x, y, epochs=30, batch_size=8, optimizer=Adam(lr=0.05), progress=False)
    assert history.train_acc == [] and history.test_loss == []
    assert history.train_loss[-1] < 0.2 * history.train_loss[0]


def test_a_textbook_style_network_without_nns_extras_trains():
    class TextbookNet:
        def __init__(self, inner):
            self.inner, self.params = inner, inner.params

        def gradient(self, x, t):
            return self.inner.gradient(x, t)

        def loss(self, x, t):
            return self.inner.loss(x, t)

        def accuracy(self, x, t):
            return self.inner.accuracy(x, t)

    history = train(TextbookNet(spiral_net()), X_TRAIN, T_TRAIN, epochs=30, batch_size=30, lr=1.0, progress=False)
    assert history.train_acc[-1] > 0.75


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(), TypeError, "exactly one of epochs=... or iterations=..."),
        (dict(epochs=1, iterations=5), TypeError, "exactly one of epochs"),
        (dict(epochs=0), ValueError, "epochs must be a positive integer"),
        (dict(epochs=1, batch_size=0), ValueError, "batch_size must be a positive integer .* or 'full'"),
        (dict(epochs=1, x_test=X_TEST), ValueError, "both x_test and t_test"),
        (dict(epochs=1, optimizer=Adam(), lr=0.1), TypeError, "not both"),
        (dict(epochs=1, optimizer="sgd"), TypeError, r"update\(params, grads\)"),
        (dict(epochs=1, optimizer=Adam), TypeError, r"the class Adam.*an optimizer such as Adam\(\)"),
        (dict(epochs=1, report_every=0), ValueError, "report_every must be a positive integer"),
        (dict(epochs=1, progress="bar"), ValueError, "progress must be True, False or 'lines'"),
        (dict(epochs=1, eval_batch_size=-1), ValueError, "eval_batch_size must be a positive integer"),
        (dict(epochs=1, eval_batch_size=0), ValueError, "eval_batch_size must be a positive integer"),
    ],
)
def test_bad_arguments_are_explained(kwargs, error, message):
    with pytest.raises(error, match=message):
        train(spiral_net(), X_TRAIN, T_TRAIN, **{"progress": False, **kwargs})


def test_mismatched_data_is_explained():
    with pytest.raises(ValueError, match="x_train has 240 rows but t_train has 239"):
        train(spiral_net(), X_TRAIN, T_TRAIN[:-1], epochs=1)


# -- plot_history -------------------------------------------------------------


def test_plot_history_saves_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    history = train(spiral_net(), X_TRAIN, T_TRAIN, x_test=X_TEST, t_test=T_TEST, epochs=3, batch_size=60,
                    progress=False)
    path = plot_history(history, tmp_path / "curves.png", title="spiral")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    no_suffix = plot_history(history.as_dict(), tmp_path / "curves")
    assert no_suffix.read_bytes()[:4] == b"\x89PNG"


def test_plot_history_without_matplotlib_names_the_extra(monkeypatch, tmp_path):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install 'backprop-graph\[plot\]'"):
        plot_history(History(), tmp_path / "x.png")


def test_plot_history_refuses_something_else(tmp_path):
    pytest.importorskip("matplotlib")
    with pytest.raises(ValueError, match="expected the History returned by nn.train"):
        plot_history({"loss": [1, 2]}, tmp_path / "x.png")



def test_plot_history_draws_the_batch_losses_of_a_run_stopped_in_its_first_epoch(tmp_path, monkeypatch):
    # Ctrl-C (or a NaN) before the first epoch ends leaves one evaluation, at
    # step 0; the batch losses still have their places on the epoch axis.
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    figures, savefig = [], Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: (figures.append(self), savefig(self, *a, **k)))
    history = train(interrupted_at(spiral_net(), 3), X_TRAIN, T_TRAIN, epochs=2, batch_size=60, progress=False)
    assert history.epoch == [0] and len(history.step_loss) == 2
    plot_history(history, tmp_path / "curves.png")
    lines = {line.get_label(): line for line in figures[-1].axes[0].get_lines()}
    assert list(lines["batch loss"].get_xdata()) == [0.25, 0.5]
    assert list(lines["batch loss"].get_ydata()) == history.step_loss
