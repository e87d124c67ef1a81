"""The textbook's optimizer comparisons (chapter 6): SGD, Momentum, AdaGrad, Adam (and Nesterov, RMSprop).

1. On f(x, y) = x²/20 + y² from (−7, 2), 30 updates each, with the
   textbook's learning rates (SGD 0.95, Momentum 0.1, AdaGrad 1.5, Adam 0.3;
   Nesterov 0.1, RMSprop 0.3), the parameters kept as Python floats as in its
   optimizer_compare_naive.py; the gradient comes from autograd.
2. On MNIST, MultiLayerNet 784-100-100-100-100-10, batch 128, each optimizer
   from the same start (the textbook's optimizer_compare_mnist.py).

    python demos/optimizer_compare.py --data-dir DIR [--test-set-only] [--iters 2000] [--plot PNG]
"""

import argparse
import sys

import numpy as np

import autograd
import nn
from train_mnist import add_data_arguments, load_data, pyplot

RATES = {"SGD": 0.95, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 1.5, "RMSprop": 0.3, "Adam": 0.3}


def f(x, y):
    return x * x / 20.0 + y * y


def naive(steps=30):
    """Each optimizer's path on f from (−7, 2): a list of (x, y) per optimizer name."""
    df = autograd.grad(f, argnums=(0, 1))
    paths = {}
    for name, lr in RATES.items():
        optimizer = getattr(nn, name)(lr=lr)
        params, path = {"x": -7.0, "y": 2.0}, []
        for _ in range(steps):
            path.append((params["x"], params["y"]))
            gx, gy = df(params["x"], params["y"])
            optimizer.update(params, {"x": gx, "y": gy})
        paths[name] = path
    return paths


def mnist(args, x_train, t_train):
    """Training loss per iteration of each optimizer on the same network start."""
    names = ["SGD", "Momentum", "AdaGrad", "Adam"]
    losses = {name: [] for name in names}
    networks, optimizers = {}, {}
    for name in names:
        np.random.seed(args.seed)  # the same start for each
        networks[name] = nn.MultiLayerNet(784, [100, 100, 100, 100], 10)
        optimizers[name] = getattr(nn, name)()
    bar = _bar(args.iters)
    rng = np.random.default_rng(args.seed)
    for i in range(args.iters):
        rows = rng.choice(len(x_train), args.batch_size)
        for name in names:
            loss, grads = networks[name].loss_and_gradient(x_train[rows], t_train[rows])
            optimizers[name].update(networks[name].params, grads)
            losses[name].append(loss)
        if bar is not None:
            bar.update(1)
        if i % 100 == 0 or i == args.iters - 1:
            line = f"iteration {i:5d}  " + "  ".join(f"{name} {losses[name][-1]:.4f}" for name in names)
            bar.write(line) if bar is not None else print(line, flush=True)
    if bar is not None:
        bar.close()
    return losses


def _bar(total):
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc="training", unit="it", dynamic_ncols=True, mininterval=0.25)


def plot(paths, losses, path):
    plt = pyplot()

    fig, axes = plt.subplots(1, len(paths) + (1 if losses else 0), figsize=(3.2 * (len(paths) + 1), 3.2))
    xs, ys = np.meshgrid(np.arange(-10, 10, 0.05), np.arange(-5, 5, 0.05))
    for ax, (name, points) in zip(axes, paths.items()):
        ax.contour(xs, ys, f(xs, ys), levels=np.logspace(-1, 2, 12), colors="0.7", linewidths=0.6)
        ax.plot(*zip(*points), "o-", color="red", markersize=2)
        ax.plot(0, 0, "+", color="black")
        ax.set_title(name)
        ax.set_xlim(-10, 10)
        ax.set_ylim(-5, 5)
    if losses:
        ax = axes[-1]
        for name, values in losses.items():
            window = min(10, len(values))
            ax.plot(np.convolve(values, np.ones(window) / window, mode="valid"), label=name)
        ax.set_xlabel("iterations")
        ax.set_ylabel("loss")
        ax.set_ylim(0, 1)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--iters", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", metavar="PNG", help="save the paths and loss curves here (needs matplotlib)")
    args = parser.parse_args(argv)
    paths = naive()
    print("f(x, y) = x²/20 + y² from (-7, 2), after 30 updates:")
    for name, points in paths.items():
        x, y = points[-1]
        print(f"  {name:9s} lr {RATES[name]:<5g} at ({x: .4f}, {y: .4f})  f = {f(x, y):.6f}")
    losses = None
    try:
        what, (x_train, t_train), _ = load_data(args)
    except nn.DatasetUnavailable as error:
        print(f"MNIST is not available ({str(error).splitlines()[0]}); skipping the MNIST comparison")
    else:
        print(f"data: {what}")
        losses = mnist(args, x_train, t_train)
        for name, values in losses.items():
            print(f"final: {name} mean loss of the last 100 iterations {np.mean(values[-100:]):.4f}")
    if args.plot:
        print(f"plot saved to {plot(paths, losses, args.plot)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
