"""NumPy's ufuncs and reductions on Tensors, forward + backward, against the same math by hand, side by side.

    python benchmarks/numpy_ops.py [--rounds 200] [--size 200]

Each case computes a scalar loss from a (size, 5·size) float64 array and its
gradient three or four ways, all in this process:

- ours: the loss written with NumPy's functions on a ``Tensor`` (they record),
  then ``.backward()``;
- numpy: the same loss and its gradient written out by hand in NumPy, the
  way one would without an engine;
- jvp: forward mode, ``autograd.jvp`` along one direction (a different
  quantity, J·v rather than the whole gradient, shown for its cost);
- torch: PyTorch on the CPU, when it is installed.

The gradients are checked against the hand-written ones first. Timing: each
round runs every contestant once, in an order that rotates from round to
round; the figure is the median over the rounds. Ratios are against numpy.
Other processes on the machine move these figures by 10 % or more.
"""

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import autograd  # noqa: E402
from autograd import Tensor  # noqa: E402

try:
    import torch
except ImportError:  # optional
    torch = None


def _softmax_rows(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _weights(shape):
    return np.linspace(0.5, 1.5, shape[-1])


def _logsumexp_rows(x):
    top = x.max(axis=1, keepdims=True)
    return np.log(np.exp(x - top).sum(axis=1)) + top[:, 0]


# name: (loss on a Tensor through NumPy's functions, (loss, gradient) by hand, loss on a torch tensor)
CASES = {
    "logsumexp rows": (
        lambda t: np.sum(autograd.logsumexp(t, axis=1)),
        lambda x: (_logsumexp_rows(x).sum(), _softmax_rows(x)),
        lambda t: torch.logsumexp(t, dim=1).sum(),
    ),
    "tanh·arctan + hypot": (
        lambda t: np.sum(np.tanh(t) * np.arctan(t) + np.hypot(t, 1.5)),
        lambda x: ((np.tanh(x) * np.arctan(x) + np.hypot(x, 1.5)).sum(),
                   (1 - np.tanh(x) ** 2) * np.arctan(x) + np.tanh(x) / (1 + x * x) + x / np.hypot(x, 1.5)),
        lambda t: (torch.tanh(t) * torch.arctan(t) + torch.hypot(t, torch.tensor(1.5, dtype=t.dtype))).sum(),
    ),
    "maximum(x, 0.1x)": (
        lambda t: np.sum(np.maximum(t, 0.1 * t)),
        lambda x: (np.maximum(x, 0.1 * x).sum(), np.where(x > 0.1 * x, 1.0, 0.1)),
        lambda t: torch.maximum(t, 0.1 * t).sum(),
    ),
    "std along rows": (
        lambda t: np.sum(np.std(t, axis=1)),
        lambda x: (np.std(x, axis=1).sum(),
                   (x - x.mean(axis=1, keepdims=True)) / (x.shape[1] * np.std(x, axis=1, keepdims=True))),
        lambda t: t.std(dim=1, unbiased=False).sum(),
    ),
    "cumsum · weights": (
        lambda t: np.sum(np.cumsum(t, axis=1) * _weights(t.shape)),
        lambda x: ((np.cumsum(x, axis=1) * _weights(x.shape)).sum(),
                   np.broadcast_to(np.cumsum(_weights(x.shape)[::-1])[::-1], x.shape)),
        lambda t: (torch.cumsum(t, dim=1) * torch.from_numpy(_weights(tuple(t.shape)))).sum(),
    ),
    "prod of 1 + x/10, rows": (
        lambda t: np.sum(np.prod(1.0 + 0.1 * t, axis=1)),
        lambda x: (np.prod(1.0 + 0.1 * x, axis=1).sum(),
                   0.1 * np.prod(1.0 + 0.1 * x, axis=1, keepdims=True) / (1.0 + 0.1 * x)),
        lambda t: torch.prod(1.0 + 0.1 * t, dim=1).sum(),
    ),
}


def contestants(case, x, direction):
    ours, by_hand, on_torch = CASES[case]

    def run_ours():
        t = Tensor(x)
        ours(t).backward()
        return t.grad

    def run_jvp():
        return autograd.jvp(ours, (x,), (direction,))[1]

    runs = {"ours": run_ours, "numpy": lambda: by_hand(x)[1], "jvp": run_jvp}
    if torch is not None:
        def run_torch():
            t = torch.from_numpy(x.copy()).requires_grad_()
            on_torch(t).backward()
            return t.grad

        runs["torch"] = run_torch
    return runs


def check(case, runs, x, direction):
    expected = np.asarray(CASES[case][1](x)[1])
    np.testing.assert_allclose(runs["ours"](), expected, rtol=1e-9, atol=1e-12, err_msg=case)
    np.testing.assert_allclose(runs["jvp"](), np.sum(expected * direction), rtol=1e-9, err_msg=case)
    if "torch" in runs:
        np.testing.assert_allclose(runs["torch"]().numpy(), expected, rtol=1e-9, atol=1e-12, err_msg=case)


def time_case(runs, rounds):
    names = list(runs)
    times = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        gc.collect()
        for name in order:
            start = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1e6 for name, values in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200, help="interleaved rounds (default 200)")
    parser.add_argument("--size", type=int, default=200, help="rows of the input; it has 5x as many columns")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.size, 5 * args.size))
    direction = rng.normal(size=x.shape)
    header = f"{'case':<24}" + "".join(f"{name:>12}" for name in ("ours µs", "numpy µs", "jvp µs", "torch µs"))
    print(f"input {x.shape}, float64, median of {args.rounds} interleaved rounds; "
          f"{'PyTorch ' + torch.__version__ if torch else 'PyTorch not installed'}")
    print(header + f"{'ours/numpy':>12}{'jvp/numpy':>11}" + (f"{'ours/torch':>12}" if torch else ""))
    for case in CASES:
        runs = contestants(case, x, direction)
        check(case, runs, x, direction)
        us = time_case(runs, args.rounds)
        cells = "".join(f"{us[name]:>12.0f}" if name in us else f"{'-':>12}" for name in ("ours", "numpy", "jvp", "torch"))
        ratios = f"{us['ours'] / us['numpy']:>12.2f}{us['jvp'] / us['numpy']:>11.2f}"
        if torch:
            ratios += f"{us['ours'] / us['torch']:>12.2f}"
        print(f"{case:<24}{cells}{ratios}")
    print(f"Python {sys.version.split()[0]}, NumPy {np.__version__}")


if __name__ == "__main__":
    main()
