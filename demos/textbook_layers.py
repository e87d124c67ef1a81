"""The textbook's own TwoLayerNet code, running on nn's layers.

The class below is the book's: an OrderedDict of layers, a lastLayer, a
gradient() that calls backward through the reversed layers, and a training
loop that updates network.params in place. Only the import changed: Affine,
Relu and SoftmaxWithLoss come from nn, so every derivative is computed by
the autograd engine. The demo checks the result against nn.TwoLayerNet's
one-graph gradient and against numerical differentiation, then trains.

    python demos/textbook_layers.py                      # offline, on the spiral
    python demos/textbook_layers.py --data-dir DIR [--test-set-only]   # on MNIST

Training shows a tqdm progress bar with the latest accuracies (tqdm is in
the 'train' extra); --no-progress, or no tqdm, prints them once per epoch instead.
"""

import argparse
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np

import nn
from nn import Affine, Relu, SoftmaxWithLoss

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_mnist import SPIRAL, load_data  # noqa: E402  (the demo next door)


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        # Initialise the weights
        self.params = {}
        self.params['W1'] = weight_init_std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)

        # Build the layers
        self.layers = OrderedDict()
        self.layers['Affine1'] = Affine(self.params['W1'], self.params['b1'])
        self.layers['Relu1'] = Relu()
        self.layers['Affine2'] = Affine(self.params['W2'], self.params['b2'])

        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)

        return x

    # x: input data, t: labels
    def loss(self, x, t):
        y = self.predict(x)
        return self.lastLayer.forward(y, t)

    def accuracy(self, x, t):
        y = self.predict(x)
        y = np.argmax(y, axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)

        accuracy = np.sum(y == t) / float(x.shape[0])
        return accuracy

    def numerical_gradient(self, x, t):
        loss_W = lambda W: self.loss(x, t)  # noqa: E731

        grads = {}
        grads['W1'] = nn.numerical_gradient(loss_W, self.params['W1'])
        grads['b1'] = nn.numerical_gradient(loss_W, self.params['b1'])
        grads['W2'] = nn.numerical_gradient(loss_W, self.params['W2'])
        grads['b2'] = nn.numerical_gradient(loss_W, self.params['b2'])

        return grads

    def gradient(self, x, t):
        # forward
        self.loss(x, t)

        # backward
        dout = 1
        dout = self.lastLayer.backward(dout)

        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)

        # collect the gradients
        grads = {}
        grads['W1'] = self.layers['Affine1'].dW
        grads['b1'] = self.layers['Affine1'].db
        grads['W2'] = self.layers['Affine2'].dW
        grads['b2'] = self.layers['Affine2'].db

        return grads


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="directory with MNIST's IDX files; without it (or them), the spiral")
    parser.add_argument("--test-set-only", action="store_true",
                        help="use only the 10,000-image test set: first 8,000 to train, last 2,000 to test")
    parser.add_argument("--iters", type=int, help="updates (default 10,000 on MNIST, 2,400 on the spiral)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar: one line per evaluation")
    return parser.parse_args(argv)


def progress_bar(total, enabled):
    """A tqdm bar over the iterations, or None without tqdm or when disabled."""
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc="training", unit="it", mininterval=0.5)


def main(argv=None):
    args = parse_args(argv)
    args.download = False
    np.random.seed(args.seed)
    try:
        if args.data_dir is None:
            raise nn.DatasetUnavailable("no --data-dir given")
        what, (x_train, t_train), (x_test, t_test) = load_data(args)
        network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
        iters_num, batch_size, learning_rate = args.iters or 10_000, 100, 0.1
    except nn.DatasetUnavailable as error:
        x, t = nn.spiral(n_per_class=100, seed=args.seed)
        what = f"offline: the spiral, 240 training and 60 test points ({str(error).splitlines()[0]})"
        (x_train, t_train), (x_test, t_test) = (x[:240], t[:240]), (x[240:], t[240:])
        network = TwoLayerNet(input_size=2, hidden_size=SPIRAL["hidden"], output_size=3,
                              weight_init_std=SPIRAL["weight_init_std"])
        iters_num, batch_size, learning_rate = args.iters or 2400, SPIRAL["batch_size"], SPIRAL["lr"]
    print(f"data: {what}")

    # The book's per-layer backward chain against nn's one graph over the whole network.
    x_batch, t_batch = x_train[:3], t_train[:3]
    grad_backprop = network.gradient(x_batch, t_batch)
    reference = nn.TwoLayerNet(*network.params["W1"].shape, network.params["W2"].shape[1])
    for key in network.params:
        reference.params[key][...] = network.params[key]
    grad_reference = reference.gradient(x_batch, t_batch)
    grad_numerical = network.numerical_gradient(x_batch, t_batch)
    print("gradients on 3 samples: layer-by-layer backward vs nn.TwoLayerNet.gradient, and vs numerical")
    for key in grad_numerical:
        same = np.max(np.abs(grad_backprop[key] - grad_reference[key]))
        diff = np.mean(np.abs(grad_backprop[key] - grad_numerical[key]))
        print(f"  {key}: max |difference| {same:.1e}, mean |backprop - numerical| {diff:.1e}")

    # The book's training loop.
    train_size = x_train.shape[0]
    iter_per_epoch = max(train_size // batch_size, 1)
    eval_interval = iter_per_epoch if train_size > 1000 else 25 * iter_per_epoch  # the spiral's epochs are short
    train_loss_list, train_acc_list, test_acc_list = [], [], []
    print(f"training: {iters_num:,} iterations of batch {batch_size}, learning rate {learning_rate}")
    bar = progress_bar(iters_num, not args.no_progress)
    for i in range(iters_num):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]

        grad = network.gradient(x_batch, t_batch)

        for key in ('W1', 'b1', 'W2', 'b2'):
            network.params[key] -= learning_rate * grad[key]

        loss = network.loss(x_batch, t_batch)
        train_loss_list.append(loss)

        if i % eval_interval == 0 or i == iters_num - 1:
            train_acc = network.accuracy(x_train, t_train)
            test_acc = network.accuracy(x_test, t_test)
            train_acc_list.append(train_acc)
            test_acc_list.append(test_acc)
            if bar is None:
                print(f"  iteration {i:6d}  train acc {train_acc:.4f}  test acc {test_acc:.4f}")
            else:
                bar.set_postfix(train_acc=f"{train_acc:.4f}", test_acc=f"{test_acc:.4f}", refresh=False)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    print(f"accuracy, train / test: {train_acc_list[0]:.4f} / {test_acc_list[0]:.4f} after the first update, "
          f"best test {max(test_acc_list):.4f} over {len(test_acc_list)} evaluations")
    print(f"final test accuracy {test_acc_list[-1]:.4f}; last batch loss {train_loss_list[-1]:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
