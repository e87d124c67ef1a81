"""dataset/mnist.py: the book's ``load_mnist(normalize=True, flatten=True, one_hot_label=False)`` on nn's loader.

The IDX files are read from ``$BACKPROP_GRAPH_DATA`` (default
``~/.cache/backprop-graph/mnist``) and downloaded there when missing, as
:func:`nn.load_mnist` does. With ``BACKPROP_GRAPH_TEST_SET_ONLY=1`` only the
10,000-image test set is needed: its first 8,000 images are the training
set and its last 2,000 the test set (a line on stderr says so).

Returns ``(x_train, t_train), (x_test, t_test)``: images float32 in [0, 1]
(``normalize``) or uint8, of shape (N, 784) (``flatten``) or (N, 1, 28, 28);
labels int64 class indices, or float32 one-hot rows (``one_hot_label``).
"""

import os
import sys

import nn

__all__ = ["load_mnist", "download_mnist", "init_mnist", "TEST_SET_ONLY_ENV", "TRAIN_ROWS"]

TEST_SET_ONLY_ENV = "BACKPROP_GRAPH_TEST_SET_ONLY"
TRAIN_ROWS = 8000  # of the test set's 10,000 images, when only it is at hand


def _test_set_only():
    value = os.environ.get(TEST_SET_ONLY_ENV, "").strip().lower()
    if value in ("", "0", "no", "false"):
        return False
    if value in ("1", "yes", "true"):
        return True
    raise ValueError(f"dataset.mnist: {TEST_SET_ONLY_ENV} must be 1 or 0, got {os.environ[TEST_SET_ONLY_ENV]!r}")


def load_mnist(normalize=True, flatten=True, one_hot_label=False):
    """MNIST as ``(x_train, t_train), (x_test, t_test)``, with the book's three options."""
    options = dict(normalize=normalize, flatten=flatten, one_hot_label=one_hot_label)
    directory = nn.mnist_cache_dir()
    if _test_set_only():
        x, t = nn.load_mnist_test(directory, **options)
        print(f"dataset.mnist: test set only ({directory}): its first {TRAIN_ROWS:,} images to train, the last "
              f"{len(x) - TRAIN_ROWS:,} to test", file=sys.stderr)
        return (x[:TRAIN_ROWS], t[:TRAIN_ROWS]), (x[TRAIN_ROWS:], t[TRAIN_ROWS:])
    try:
        return nn.load_mnist(data_dir=directory, **options)
    except nn.DatasetUnavailable as error:
        raise nn.DatasetUnavailable(
            f"{error}\n(with only t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz in {directory}, set "
            f"{TEST_SET_ONLY_ENV}=1 to train on the test set's first {TRAIN_ROWS:,} images)",
            missing=error.missing, directory=error.directory, errors=error.errors,
        ) from None


def download_mnist():
    """Fetch the four MNIST files into ``$BACKPROP_GRAPH_DATA`` (or nn's cache) unless they are there."""
    return nn.download_mnist(nn.mnist_cache_dir())


init_mnist = download_mnist  # the book's name: it prepares the files (nn reads the IDX files directly, no pickle)
