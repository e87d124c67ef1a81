"""The textbook's own protocol on nn's layers against the same classes on hand-written NumPy layers.

    python benchmarks/book.py [--rounds 7] [--check-rows 3] [--full-check]

Three comparisons, each side by side in this process with the same weights
and batches, the order alternating from round to round, the median over
rounds reported with the ratio nn / NumPy:

- two_layer_net step: the textbook's TwoLayerNet class (an OrderedDict of
  Affine1, Relu1, Affine2 and a SoftmaxWithLoss, ``gradient`` calling each
  layer's ``forward`` and then ``backward`` in reverse, SGD by hand), on
  layers written here in NumPy versus the same class on ``nn``'s layers;
  784-50-10, batch 100.
- gradient_check: the textbook's ch05 gradient check, ``numerical_gradient``
  of ``loss`` over the weights of that network on ``--check-rows`` rows, on
  the same two layer sets: b1, W2 and b2 (2,240 loss calls) by default,
  every weight with ``--full-check`` (79,520 calls, a minute or more). On
  nn's layers it uses ``nn.numerical_gradient``, which is what the book's
  ``common/gradient.py`` is under ``nn.book`` (its loss-only calls keep no
  in-place guard); then it runs again with the book's function written out
  here, so that every ``loss`` call is guarded.
- simple_conv_net step: one SGD step of SimpleConvNet (conv 30×5×5 → relu →
  pool 2×2 → affine 100 → relu → affine 10), batch 100 of 28×28 images:
  a NumPy im2col implementation written here versus ``nn.SimpleConvNet``.

The step and the guarded check are also run with nn's layers inside
``autograd.engine.skip_edit_checks()``, where they keep no checksums for the
in-place edit guard: the difference is what the guard costs (a pass over
each array a VJP reads, W1 and the batch among them, in ``forward`` and
again in ``backward``). Both textbook functions are code it is meant for:
forward and backward with nothing in between, or forward alone.

Gradients are compared before timing. BLAS threads and other processes move
these figures; run it twice (``OPENBLAS_NUM_THREADS=1`` for steadier ones).
"""

import argparse
import statistics
import sys
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import autograd  # noqa: E402
import nn  # noqa: E402

# -- the NumPy layers, written out (the textbook's arithmetic) ------------------------


class NpRelu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout = dout.copy()
        dout[self.mask] = 0
        return dout


class NpAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.shape)


class NpSoftmaxWithLoss:
    def forward(self, x, t):
        shifted = x - x.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        self.y = e / e.sum(axis=1, keepdims=True)
        self.t = t
        rows = np.arange(len(x))
        return -np.sum(np.log(self.y[rows, t] + 1e-7)) / len(x)

    def backward(self, dout=1):
        dx = self.y.copy()
        dx[np.arange(len(dx)), self.t] -= 1
        return dx * dout / len(dx)


def np_im2col(x, fh, fw, stride, pad):
    n, c, h, w = x.shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    col = np.empty((n, c, fh, fw, oh, ow))
    for i in range(fh):
        for j in range(fw):
            col[:, :, i, j] = xp[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1), oh, ow


def np_col2im(col, shape, fh, fw, stride, pad, oh, ow):
    n, c, h, w = shape
    col = col.reshape(n, oh, ow, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    image = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    for i in range(fh):
        for j in range(fw):
            image[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride] += col[:, :, i, j]
    return image[:, :, pad:pad + h, pad:pad + w]


class NpConvolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        fn, _, fh, fw = self.W.shape
        self.x = x
        self.col, oh, ow = np_im2col(x, fh, fw, self.stride, self.pad)
        self.col_W = self.W.reshape(fn, -1).T
        self.out_hw = oh, ow
        out = self.col @ self.col_W + self.b
        return out.reshape(x.shape[0], oh, ow, -1).transpose(0, 3, 1, 2)

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = dout.sum(axis=0)
        self.dW = (self.col.T @ dout).T.reshape(fn, c, fh, fw)
        return np_col2im(dout @ self.col_W.T, self.x.shape, fh, fw, self.stride, self.pad, *self.out_hw)


class NpPooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.ph, self.pw, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        n, c = x.shape[:2]
        col, oh, ow = np_im2col(x, self.ph, self.pw, self.stride, self.pad)
        col = col.reshape(-1, self.ph * self.pw)
        self.x, self.out_hw = x, (oh, ow)
        self.arg_max = col.argmax(axis=1)
        return col.max(axis=1).reshape(n, oh, ow, c).transpose(0, 3, 1, 2)

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        size = self.ph * self.pw
        dmax = np.zeros((dout.size, size))
        dmax[np.arange(self.arg_max.size), self.arg_max] = dout.reshape(-1)
        dcol = dmax.reshape(-1, self.x.shape[1] * size)
        return np_col2im(dcol, self.x.shape, self.ph, self.pw, self.stride, self.pad, *self.out_hw)


# -- the textbook's network classes, parametrized by the layer set ----------------------


class BookTwoLayerNet:
    """The structure of the textbook's ch05 TwoLayerNet, on whichever layers it is given."""

    def __init__(self, params, layers):
        self.params = {k: v.copy() for k, v in params.items()}
        self.layers = OrderedDict()
        self.layers["Affine1"] = layers.Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = layers.Relu()
        self.layers["Affine2"] = layers.Affine(self.params["W2"], self.params["b2"])
        self.lastLayer = layers.SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    weighted = ("Affine1", "Affine2")  # the layers of W1, b1, W2, b2, ...

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for k, name in enumerate(self.weighted, start=1):
            grads[f"W{k}"], grads[f"b{k}"] = self.layers[name].dW, self.layers[name].db
        return grads


class BookSimpleConvNet(BookTwoLayerNet):
    def __init__(self, params, layers):
        self.params = {k: v.copy() for k, v in params.items()}
        self.layers = OrderedDict()
        self.layers["Conv1"] = layers.Convolution(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = layers.Relu()
        self.layers["Pool1"] = layers.Pooling(2, 2, stride=2)
        self.layers["Affine1"] = layers.Affine(self.params["W2"], self.params["b2"])
        self.layers["Relu2"] = layers.Relu()
        self.layers["Affine2"] = layers.Affine(self.params["W3"], self.params["b3"])
        self.lastLayer = layers.SoftmaxWithLoss()

    weighted = ("Conv1", "Affine1", "Affine2")


class NumpyLayers:
    Affine, Relu, SoftmaxWithLoss, Convolution, Pooling = NpAffine, NpRelu, NpSoftmaxWithLoss, NpConvolution, NpPooling


def numerical_gradient(f, x):
    """The textbook's central differences, element by element (h = 1e-4)."""
    h = 1e-4
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        high = f(x)
        x[index] = old - h
        low = f(x)
        x[index] = old
        grad[index] = (high - low) / (2 * h)
    return grad


# -- timing ------------------------------------------------------------------------------


def sgd(params, grads, lr=0.1):
    for key in params:
        params[key] -= lr * grads[key]


def sgd_steps(net, x, t, count):
    def run():
        for _ in range(count):
            sgd(net.params, net.gradient(x, t))
    return run


def unguarded(run):
    """``run`` inside ``skip_edit_checks()``: the layers keep no checksums (what the in-place guard costs)."""
    def inside():
        with autograd.engine.skip_edit_checks():
            run()
    return inside


def compare(name, numpy_run, nn_run, rounds):
    times = {"numpy": [], "nn": []}
    runs = [("numpy", numpy_run), ("nn", nn_run)]
    for r in range(rounds):
        for label, run in (runs if r % 2 == 0 else runs[::-1]):
            start = time.perf_counter()
            run()
            times[label].append(time.perf_counter() - start)
    numpy_median, nn_median = statistics.median(times["numpy"]), statistics.median(times["nn"])
    print(f"{name:28s} numpy {numpy_median * 1e3:9.2f} ms   nn {nn_median * 1e3:9.2f} ms   "
          f"ratio nn / numpy {nn_median / numpy_median:.3f}")
    return nn_median / numpy_median


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--check-rows", type=int, default=3)
    parser.add_argument("--full-check", action="store_true", help="check W1 too (79,520 loss calls)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)

    # TwoLayerNet
    x, t = rng.random((100, 784)), rng.integers(0, 10, 100)
    params = {"W1": 0.01 * rng.standard_normal((784, 50)), "b1": np.zeros(50),
              "W2": 0.01 * rng.standard_normal((50, 10)), "b2": np.zeros(10)}
    book, ours = BookTwoLayerNet(params, NumpyLayers), BookTwoLayerNet(params, nn)
    for key, value in book.gradient(x, t).items():
        np.testing.assert_allclose(ours.gradient(x, t)[key], value, rtol=1e-6, atol=1e-9)

    ratios = {"two_layer_net step (20)": compare("two_layer_net step (20)", sgd_steps(book, x, t, 20),
                                                 sgd_steps(ours, x, t, 20), args.rounds)}
    ratios["two_layer_net step, no guard"] = compare("  inside skip_edit_checks()", sgd_steps(book, x, t, 20),
                                                     unguarded(sgd_steps(ours, x, t, 20)), args.rounds)

    xs, ts = x[:args.check_rows], t[:args.check_rows]

    checked = ("W1", "b1", "W2", "b2") if args.full_check else ("b1", "W2", "b2")

    def check(net, differences=numerical_gradient):
        def run():
            for key in checked:
                differences(lambda W: net.loss(xs, ts), net.params[key])
        return run

    check_rounds = max(1, args.rounds // 3) if args.full_check else args.rounds
    ratios["gradient_check"] = compare("gradient_check", check(book), check(ours, nn.numerical_gradient),
                                       check_rounds)
    ratios["gradient_check, guarded"] = compare("  every loss call guarded", check(book), check(ours),
                                                check_rounds)
    ratios["gradient_check, no guard"] = compare("  inside skip_edit_checks()", check(book),
                                                 unguarded(check(ours)), check_rounds)

    # SimpleConvNet
    images, labels = rng.random((100, 1, 28, 28)), rng.integers(0, 10, 100)
    np.random.seed(0)
    conv_net = nn.SimpleConvNet()
    book_conv = BookSimpleConvNet(conv_net.params, NumpyLayers)
    for key, value in book_conv.gradient(images, labels).items():
        np.testing.assert_allclose(conv_net.gradient(images, labels)[key], value, rtol=1e-6, atol=1e-9)

    ratios["simple_conv_net step (3)"] = compare("simple_conv_net step (3)", sgd_steps(book_conv, images, labels, 3),
                                                 sgd_steps(conv_net, images, labels, 3), args.rounds)
    return ratios


if __name__ == "__main__":
    main()
