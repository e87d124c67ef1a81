"""Loss and accuracy curves of a training run, saved as an image (needs matplotlib), and their smoothing."""

import numbers
import os
from pathlib import Path

import numpy as np

__all__ = ["plot_history", "smooth_curve"]

INSTALL_HINT = "plot_history needs matplotlib: pip install 'backprop-graph[plot]'"


def plot_history(history, path, title=None, dpi=100, log_loss=False):
    """Save the loss curve (and the accuracy curve, for classifiers) of ``history`` to ``path``.

    ``history`` is what :func:`nn.train` returned (or its ``as_dict()``).
    Left panel: the loss of every update (faint) and the train/test loss at
    each evaluation, against epochs (a log scale with ``log_loss``); right
    panel: train/test accuracy. The format follows the file name's suffix (PNG when there is none). Returns
    the path.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(f"{INSTALL_HINT} ({error})") from error

    data = history if isinstance(history, dict) else history.as_dict()
    missing = [key for key in ("epoch", "step", "train_loss", "step_loss") if key not in data]
    if missing:
        raise ValueError(f"plot_history: expected the History returned by nn.train; missing {missing}")
    path = Path(os.fspath(path))
    has_accuracy = bool(data.get("train_acc") or data.get("test_acc"))

    figure = Figure(figsize=(10 if has_accuracy else 5.5, 4), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 2 if has_accuracy else 1, squeeze=False)[0]

    loss_axes = axes[0]
    step_loss = data["step_loss"]
    epochs, steps = data["epoch"], data["step"]
    if data.get("steps_per_epoch"):
        per_step = 1 / data["steps_per_epoch"]
    else:  # a History from before steps_per_epoch: the last evaluation gives the scale, if it came after a step
        per_step = epochs[-1] / steps[-1] if steps and steps[-1] else None
    if step_loss and per_step:
        loss_axes.plot([(i + 1) * per_step for i in range(len(step_loss))], step_loss,
                       color="0.7", linewidth=0.8, label="batch loss")
    for key, style in (("train_loss", "o-"), ("test_loss", "s--")):
        if data.get(key):
            loss_axes.plot(epochs[:len(data[key])], data[key], style, markersize=3, label=key.replace("_", " "))
    if log_loss:
        loss_axes.set_yscale("log")
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("loss")
    loss_axes.set_title("loss")
    loss_axes.legend()

    if has_accuracy:
        acc_axes = axes[1]
        for key, style in (("train_acc", "o-"), ("test_acc", "s--")):
            if data.get(key):
                acc_axes.plot(epochs[:len(data[key])], data[key], style, markersize=3, label=key.replace("_", " "))
        acc_axes.set_xlabel("epoch")
        acc_axes.set_ylabel("accuracy")
        acc_axes.set_ylim(0, 1)
        acc_axes.set_title("accuracy")
        acc_axes.legend(loc="lower right")

    if title:
        figure.suptitle(title)
    figure.savefig(path, format=None if path.suffix else "png")
    return path


def smooth_curve(values, window=11, beta=2.0):
    """A noisy curve (a loss per step) smoothed for plotting, of the same length (the textbook's common/util.py).

    y[i] = Σₖ w[k] · x[i + k − window//2], with w a Kaiser window of length
    ``window`` and shape ``beta``, normalized to sum 1; past either end the
    curve is mirrored (x[−k] = x[k]). A constant stays constant, and a
    straight line stays straight away from the ends.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"smooth_curve: expects a 1-D sequence of values, got shape {x.shape}")
    if isinstance(window, bool) or not isinstance(window, numbers.Integral) or window < 1 or window % 2 == 0:
        raise ValueError(f"smooth_curve: window must be an odd positive integer such as 11, got {window!r}")
    if len(x) < 2:
        return x.copy()
    weights = np.kaiser(window, beta)
    half = window // 2
    padded = np.pad(x, half, mode="reflect")
    return np.convolve(padded, weights / weights.sum(), mode="valid")
