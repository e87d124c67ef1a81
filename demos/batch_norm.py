"""The textbook's batch normalization experiment (chapter 6, batch_norm_test.py).

MultiLayerNetExtend 784-100-100-100-100-100-10 with and without batch
normalization, trained side by side from the same weights on the first
1,000 training images (SGD lr 0.01, batch 100), for several initial weight
scales: with batch normalization the training accuracy rises for every
scale, without it only near the right one.

    python demos/batch_norm.py --data-dir DIR [--test-set-only] [--epochs 20] [--scales 1 0.1 0.01] [--plot PNG]
"""

import argparse
import sys

import numpy as np

import nn
from train_mnist import add_data_arguments, load_or_explain, pyplot


def run(x, t, scale, epochs, seed, verbose):
    """Train accuracy per epoch with batch normalization and without, from the same weights."""
    curves = {}
    for use_batchnorm in (True, False):
        np.random.seed(seed)
        network = nn.MultiLayerNetExtend(784, [100] * 5, 10, weight_init_std=scale, use_batchnorm=use_batchnorm)
        trainer = nn.Trainer(network, x, t, x, t, epochs=epochs, mini_batch_size=100, optimizer="SGD",
                             optimizer_param={"lr": 0.01}, verbose=verbose)
        trainer.train()
        curves["batch norm" if use_batchnorm else "plain"] = trainer.train_acc_list
    return curves


def plot(results, path):
    plt = pyplot()

    fig, axes = plt.subplots(1, len(results), figsize=(3 * len(results), 3), squeeze=False)
    for ax, (scale, curves) in zip(axes[0], results.items()):
        for label, values in curves.items():
            ax.plot(values, "-" if label == "batch norm" else "--", label=label)
        ax.set_title(f"W ~ {scale:g}·N(0, 1)")
        ax.set_ylim(0, 1)
        ax.set_xlabel("epochs")
    axes[0][0].set_ylabel("train accuracy")
    axes[0][0].legend()
    fig.tight_layout()
    fig.savefig(path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--train-size", type=int, default=1000)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 0.1, 0.01, 0.001],
                        help="initial weight standard deviations (the textbook sweeps 16 from 1 to 1e-4)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--plot", metavar="PNG")
    args = parser.parse_args(argv)
    data = load_or_explain(args)
    if data is None:
        return 1
    what, (x_train, t_train), _ = data
    x, t = x_train[:args.train_size], t_train[:args.train_size]
    print(f"data: {what}; training on the first {len(x):,} images")
    results = {}
    for scale in args.scales:
        results[scale] = curves = run(x, t, scale, args.epochs, args.seed, not args.no_progress)
        print(f"scale {scale:g}: final train accuracy with batch norm {curves['batch norm'][-1]:.4f}, "
              f"without {curves['plain'][-1]:.4f}")
    if args.plot:
        print(f"plot saved to {plot(results, args.plot)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
