"""The textbook's MNIST run: TwoLayerNet 784-50-10 with ReLU, batch 100, lr 0.1, 10,000 iterations.

First a gradient check (mean |backprop − numerical| per parameter on 3
images; the textbook saw 1e-13 to 1e-7), then training with the train and
test accuracy after every epoch (the textbook reached about 0.97).

    python demos/train_mnist.py --data-dir DIR                  # the four MNIST files in DIR
    python demos/train_mnist.py --data-dir DIR --test-set-only  # only t10k-*: train on its first
                                                                # 8,000 images, test on the last 2,000
    python demos/train_mnist.py                                 # no MNIST: says so, trains on the spiral

Files are looked for as NAME.gz or NAME; --download fetches missing ones.
"""

import argparse
import sys
import time

import numpy as np

import nn

SPIRAL = dict(hidden=30, weight_init_std=1.0, lr=1.0, batch_size=30, epochs=300)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_arguments(parser)
    parser.add_argument("--iters", type=int, help="updates to run (default 10,000 on MNIST, 300 epochs on the spiral)")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--hidden", type=int, default=50, help="hidden units (default 50)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the weights and the batch order")
    parser.add_argument("--no-gradient-check", action="store_true", help="skip the (slow) numerical gradient check")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (the epoch lines stay)")
    parser.add_argument("--plot", metavar="PNG", help="save the loss and accuracy curves here (needs matplotlib)")
    parser.add_argument("--save", metavar="NPZ", help="save the trained parameters here")
    return parser.parse_args(argv)


def add_data_arguments(parser):
    """--data-dir, --test-set-only and --download, which ``load_data`` reads (the other MNIST demos share them)."""
    parser.add_argument("--data-dir", help="directory with MNIST's IDX files (default: the nn data cache)")
    parser.add_argument("--test-set-only", action="store_true",
                        help="use only the 10,000-image test set: first 8,000 to train, last 2,000 to test")
    parser.add_argument("--download", action="store_true", help="download missing MNIST files into the data directory")


def load_or_explain(args):
    """``load_data(args)``, or None after saying why MNIST is not available."""
    try:
        return load_data(args)
    except nn.DatasetUnavailable as error:
        print(f"MNIST is not available: {str(error).splitlines()[0]}")
        return None


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def load_data(args):
    """(description, (x_train, t_train), (x_test, t_test)); DatasetUnavailable when MNIST is missing."""
    directory = args.data_dir if args.data_dir is not None else nn.mnist_cache_dir()
    if args.test_set_only:
        x, t = nn.load_mnist_test(directory, download=args.download)
        what = f"MNIST test set only ({directory}): first 8,000 images to train, last 2,000 to test"
        return what, (x[:8000], t[:8000]), (x[8000:], t[8000:])
    train, test = nn.load_mnist(data_dir=directory, download=args.download)
    what = f"MNIST ({directory}): {len(train[0]):,} training and {len(test[0]):,} test images"
    return what, train, test


def gradient_check(network, x, t, h=1e-4):
    print(f"gradient check: mean |backprop - numerical| on {len(x)} {'images' if x.ndim > 1 and x.shape[1] > 2 else 'samples'}")
    started = time.perf_counter()
    differences = nn.gradient_check(network, x, t)
    for key, difference in differences.items():
        print(f"  {key}: {difference:.2e}")
    print(f"  ({time.perf_counter() - started:.1f} s; the textbook saw 1e-13 to 1e-7)")
    hidden = x.reshape(len(x), -1) @ network.params["W1"] + network.params["b1"]
    near_kink = int(np.sum(np.abs(hidden) < h))
    if near_kink:
        print(f"  note: {near_kink} hidden input(s) lie within h = {h:g} of ReLU's kink at 0, where central "
              "differences step across it; a larger difference there is expected")


def main(argv=None):
    args = parse_args(argv)
    try:
        what, (x_train, t_train), (x_test, t_test) = load_data(args)
        network = nn.TwoLayerNet(784, args.hidden, 10, seed=args.seed)
        settings = dict(iterations=args.iters or 10_000, batch_size=args.batch_size, lr=args.lr)
        report_every = 1
    except nn.DatasetUnavailable as error:
        print(f"MNIST is not available: {str(error).splitlines()[0]}")
        print("  (pass --data-dir DIR with the IDX files, add --download to fetch them, or --test-set-only "
              "when DIR has only the t10k files)")
        x, t = nn.spiral(n_per_class=100, seed=args.seed)
        what = "offline: the spiral (3 classes, 2-D points), 240 to train, 60 to test, instead of MNIST"
        (x_train, t_train), (x_test, t_test) = (x[:240], t[:240]), (x[240:], t[240:])
        network = nn.TwoLayerNet(2, SPIRAL["hidden"], 3, weight_init_std=SPIRAL["weight_init_std"], seed=args.seed)
        length = dict(iterations=args.iters) if args.iters else dict(epochs=SPIRAL["epochs"])
        settings = dict(length, batch_size=SPIRAL["batch_size"], lr=SPIRAL["lr"])
        report_every = 25
    print(f"data: {what}")
    print(f"network: {network}")
    if not args.no_gradient_check:
        gradient_check(network, x_train[:3], t_train[:3])
    print(f"training: batch {settings['batch_size']}, lr {settings['lr']}, "
          + (f"{settings['iterations']:,} iterations" if "iterations" in settings else f"{settings['epochs']} epochs"))
    history = nn.train(network, x_train, t_train, x_test=x_test, t_test=t_test, seed=args.seed,
                       progress="lines" if args.no_progress else True, report_every=report_every, **settings)
    if not history.step_loss:
        return 1
    print(f"final: train accuracy {history.train_acc[-1]:.4f}, test accuracy {history.test_acc[-1]:.4f} "
          f"after {history.step[-1]:,} updates in {history.seconds:.1f} s"
          + (f" ({history.stopped_early})" if history.stopped_early else ""))
    if args.plot:
        print(f"curves saved to {nn.plot_history(history, args.plot, title=what.split(':')[0].split(' (')[0])}")
    if args.save:
        print(f"parameters saved to {network.save(args.save)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
