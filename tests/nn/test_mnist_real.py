"""TwoLayerNet on real MNIST digits: the 10,000-image test set kept in ../shared/data/mnist.

Trained on its first 8,000 images and measured on the last 2,000 (a
hand-written NumPy network reaches about 94 % here). Skipped, saying why,
where ../shared is absent.
"""

from pathlib import Path

import numpy as np
import pytest

from nn import Adam, SimpleConvNet, TwoLayerNet, gradient_check, read_idx, train

MNIST_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mnist"
IMAGES = MNIST_DIR / "t10k-images-idx3-ubyte.gz"
LABELS = MNIST_DIR / "t10k-labels-idx1-ubyte.gz"


@pytest.fixture(scope="module")
def mnist_test_set():
    if not (IMAGES.is_file() and LABELS.is_file()):
        pytest.skip(f"real MNIST test set not available: {MNIST_DIR} is missing (see ../shared/data/mnist/README.md)")
    images = read_idx(IMAGES)
    labels = read_idx(LABELS)
    assert images.shape == (10000, 28, 28) and labels.shape == (10000,)
    return images.reshape(10000, 784).astype(np.float64) / 255.0, labels.astype(np.int64)


def test_two_layer_net_learns_real_digits(mnist_test_set):
    x, t = mnist_test_set
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, seed=0)
    history = train(network, x[:8000], t[:8000], x_test=x[8000:], t_test=t[8000:],
                    epochs=15, batch_size=100, lr=0.1, seed=0, progress=False)
    assert history.test_acc[0] < 0.2  # guessing before training
    assert history.test_acc[-1] >= 0.92, history.test_acc
    assert network.accuracy(x[8000:], t[8000:]) == history.test_acc[-1]


def test_backprop_matches_numerical_gradient_on_three_real_images(mnist_test_set):
    x, t = mnist_test_set
    network = TwoLayerNet(input_size=784, hidden_size=10, output_size=10, seed=1)
    # Central differences with h = 1e-4 are only valid away from ReLU's kink at 0.
    assert np.abs(x[:3] @ network.params["W1"]).min() > 1e-3
    differences = gradient_check(network, x[:3], t[:3])
    # The textbook saw 1e-13 to 1e-7 for these mean absolute differences.
    assert set(differences) == {"W1", "b1", "W2", "b2"}
    assert max(differences.values()) < 1e-7, differences


def test_simple_conv_net_learns_real_digits(mnist_test_set):
    """A short run of a narrow SimpleConvNet (6 filters, 30 hidden units): 60 Adam steps of 50 images.

    The textbook's full run (30 filters, 20 epochs on 60,000 images) reaches
    about 0.99; this one measured 0.81 on the last 2,000 test images.
    """
    x, t = mnist_test_set
    x = x.reshape(-1, 1, 28, 28)
    np.random.seed(0)
    net = SimpleConvNet(conv_param={"filter_num": 6, "filter_size": 5, "pad": 0, "stride": 1}, hidden_size=30)
    optimizer = Adam(lr=0.003)
    for _ in range(60):
        rows = np.random.choice(8000, 50)
        _, grads = net.loss_and_gradient(x[rows], t[rows])
        optimizer.update(net.params, grads)
    assert net.accuracy(x[8000:], t[8000:], batch_size=500) >= 0.75
