"""The textbook's chapter 6–8 scripts' call patterns, run as scripts on the nn.book shim.

Each test writes a short script of ours into a folder laid out as the
book's repository (ch06/, ch07/, ch08/ with the chapter's own modules
beside the scripts), runs it in a fresh interpreter with nn/book first on
PYTHONPATH, as a reader would, and checks the numbers it prints. The
scripts use what the book's scripts use: ``sys.path.append(os.pardir)``,
``from common.xxx import ...``, ``dataset.mnist.load_mnist``, the networks'
``params``/``layers``/``last_layer``, pickled ``params.pkl`` files, the
Trainer's accuracy lists, ``im2col``, ``smooth_curve``,
``shuffle_dataset``. MNIST is the real test set in ../shared/data/mnist
(first 8,000 images to train, last 2,000 to test); those tests skip,
saying why, where it is absent.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import autograd
import nn
from nn.book import PATH as SHIM

REPO = Path(__file__).resolve().parents[2]
MNIST_DIR = REPO.parent / "shared" / "data" / "mnist"
HAVE_MNIST = all((MNIST_DIR / name).is_file() for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"))
rng = np.random.default_rng(12)
needs_mnist = pytest.mark.skipif(
    not HAVE_MNIST, reason=f"real MNIST test set not available: {MNIST_DIR} is missing (see ../shared/data/mnist/README.md)")

HEADER = """\
import sys, os
sys.path.append(os.pardir)
import json
import numpy as np
"""

# What both chapter networks do alike, the book's way: batched accuracy, backward through the layers in reverse,
# dW/db read from the weighted layers (named by self.weighted), params pickled and rebound with layer.W = ...
WEIGHTED_NET_METHODS = '''
    def accuracy(self, x, t, batch_size=100):
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        hits = 0.0
        for i in range(int(x.shape[0] / batch_size)):
            y = self.predict(x[i * batch_size:(i + 1) * batch_size])
            hits += np.sum(np.argmax(y, axis=1) == t[i * batch_size:(i + 1) * batch_size])
        return hits / x.shape[0]

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        layers = list(self.layers.values()) if isinstance(self.layers, dict) else list(self.layers)
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)
        grads = {}
        for i, key in enumerate(self.weighted, start=1):
            grads['W%d' % i], grads['b%d' % i] = self.layers[key].dW, self.layers[key].db
        return grads

    def save_params(self, file_name="params.pkl"):
        with open(file_name, 'wb') as f:
            pickle.dump(dict(self.params), f)

    def load_params(self, file_name="params.pkl"):
        with open(file_name, 'rb') as f:
            for key, val in pickle.load(f).items():
                self.params[key] = val
        for i, key in enumerate(self.weighted, start=1):
            self.layers[key].W = self.params['W%d' % i]
            self.layers[key].b = self.params['b%d' % i]
'''

# The chapter 7 network, written on common.layers the way the book's ch07 module is used:
# OrderedDict layers, last_layer, backward in reverse, dW/db, pickled params rebound into the layers.
SIMPLE_CONVNET = HEADER + '''
import pickle
from collections import OrderedDict
from common.layers import *
from common.gradient import numerical_gradient


class SimpleConvNet:
    def __init__(self, input_dim=(1, 28, 28), conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        n, size = conv_param['filter_num'], conv_param['filter_size']
        conv_out = (input_dim[1] - size + 2 * conv_param['pad']) // conv_param['stride'] + 1
        shapes = {'W1': (n, input_dim[0], size, size), 'W2': (n * (conv_out // 2) ** 2, hidden_size),
                  'W3': (hidden_size, output_size)}
        self.params = {}
        for i, (key, shape) in enumerate(shapes.items(), start=1):
            self.params[key] = weight_init_std * np.random.randn(*shape)
            self.params['b%d' % i] = np.zeros(shape[0] if i == 1 else shape[1])
        self.layers = OrderedDict()
        self.layers['Conv1'] = Convolution(self.params['W1'], self.params['b1'], conv_param['stride'], conv_param['pad'])
        self.layers['Relu1'] = Relu()
        self.layers['Pool1'] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers['Affine1'] = Affine(self.params['W2'], self.params['b2'])
        self.layers['Relu2'] = Relu()
        self.layers['Affine2'] = Affine(self.params['W3'], self.params['b3'])
        self.last_layer = SoftmaxWithLoss()
        self.weighted = ['Conv1', 'Affine1', 'Affine2']

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def numerical_gradient(self, x, t):
        loss_w = lambda w: self.loss(x, t)
        return {key: numerical_gradient(loss_w, self.params[key]) for key in self.params}

''' + WEIGHTED_NET_METHODS

# The chapter 8 network's pattern: a list of layers, Dropout called with train_flg by position,
# gradients read at fixed indices, pickled params rebound with layer.W = ... (narrow, to stay quick).
DEEP_CONVNET = HEADER + '''
import pickle
from common.layers import *


class DeepConvNet:
    def __init__(self, input_dim=(1, 28, 28), filters=(4, 4, 8, 8, 16, 16), hidden_size=50, output_size=10):
        self.params, self.layers, channels, side = {}, [], input_dim[0], input_dim[1]
        pads = (1, 1, 1, 2, 1, 1)
        for i, (n, pad) in enumerate(zip(filters, pads), start=1):
            self.params['W%d' % i] = np.sqrt(2.0 / (channels * 9)) * np.random.randn(n, channels, 3, 3)
            self.params['b%d' % i] = np.zeros(n)
            self.layers += [Convolution(self.params['W%d' % i], self.params['b%d' % i], 1, pad), Relu()]
            channels, side = n, side + 2 * pad - 2
            if i % 2 == 0:
                self.layers.append(Pooling(pool_h=2, pool_w=2, stride=2))
                side //= 2
        flat = channels * side * side
        self.params['W7'] = np.sqrt(2.0 / flat) * np.random.randn(flat, hidden_size)
        self.params['b7'] = np.zeros(hidden_size)
        self.params['W8'] = np.sqrt(2.0 / hidden_size) * np.random.randn(hidden_size, output_size)
        self.params['b8'] = np.zeros(output_size)
        self.layers += [Affine(self.params['W7'], self.params['b7']), Relu(), Dropout(0.5),
                        Affine(self.params['W8'], self.params['b8']), Dropout(0.5)]
        self.last_layer = SoftmaxWithLoss()
        self.weighted = [k for k, layer in enumerate(self.layers) if isinstance(layer, (Convolution, Affine))]

    def predict(self, x, train_flg=False):
        for layer in self.layers:
            x = layer.forward(x, train_flg) if isinstance(layer, Dropout) else layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x, train_flg=True), t)
''' + WEIGHTED_NET_METHODS


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """A folder laid out as the book's repository: ch06/, ch07/ (with simple_convnet.py), ch08/ (deep_convnet.py)."""
    root = tmp_path_factory.mktemp("book")
    for chapter in ("ch06", "ch07", "ch08"):
        (root / chapter).mkdir()
    (root / "ch07" / "simple_convnet.py").write_text(SIMPLE_CONVNET)
    (root / "ch08" / "deep_convnet.py").write_text(DEEP_CONVNET)
    return root


def run(folder, name, body, *, pythonpath=(SHIM,), timeout=240):
    """Write HEADER + body to folder/name, run it there with the shim on PYTHONPATH; (RESULT dict, stdout, stderr)."""
    script = folder / name
    script.write_text(HEADER + textwrap.dedent(body))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(p) for p in (*pythonpath, REPO)),
               BACKPROP_GRAPH_DATA=str(MNIST_DIR), BACKPROP_GRAPH_TEST_SET_ONLY="1", MPLBACKEND="Agg",
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")  # one BLAS thread: two cores are shared with others
    done = subprocess.run([sys.executable, name], cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert len(results) == 1, done.stdout
    return json.loads(results[0][len("RESULT "):]), done.stdout, done.stderr


# -- the shim itself ---------------------------------------------------------------------


def test_python_m_nn_book_prints_the_folder_to_put_on_pythonpath():
    done = subprocess.run([sys.executable, "-m", "nn.book"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == SHIM
    assert (SHIM / "common" / "layers.py").is_file() and (SHIM / "dataset" / "mnist.py").is_file()


def test_the_shim_reexports_nn_under_the_books_module_names(book):
    result, _, _ = run(book / "ch06", "names.py", """
        import common.layers, common.optimizer, common.multi_layer_net, common.multi_layer_net_extend
        import common.trainer, common.util, common.functions, common.gradient, dataset.mnist
        import nn
        from common.layers import *
        names = {}
        for module in (common.layers, common.optimizer, common.multi_layer_net, common.multi_layer_net_extend,
                       common.trainer):
            for name in module.__all__:
                value = getattr(module, name)
                if isinstance(value, type):
                    names[module.__name__ + '.' + name] = getattr(nn, name, None) is value
        star = [name for name in ('Relu', 'Sigmoid', 'Affine', 'SoftmaxWithLoss', 'Dropout', 'BatchNormalization',
                                  'Convolution', 'Pooling', 'softmax', 'cross_entropy_error', 'im2col', 'col2im')
                if name not in globals()]
        print("RESULT", json.dumps({'names': names, 'missing_from_star': star,
                                    'layers_file': common.layers.__file__}))
    """)
    assert result["missing_from_star"] == []
    assert all(result["names"].values()) and len(result["names"]) == 17, result["names"]
    assert Path(result["layers_file"]).resolve() == SHIM / "common" / "layers.py"


def test_copied_next_to_the_chapters_the_shim_is_found_through_os_pardir(tmp_path):
    """The other recipe: common/ and dataset/ copied over the book's folders; only the scripts' sys.path.append."""
    for package in ("common", "dataset"):
        shutil.copytree(SHIM / package, tmp_path / package)
    (tmp_path / "ch06").mkdir()
    result, _, _ = run(tmp_path / "ch06", "where.py", """
        import common.optimizer, common.util
        from common.optimizer import SGD
        params = {'x': 1.0}
        SGD(lr=0.5).update(params, {'x': 4.0})
        print("RESULT", json.dumps({'file': common.optimizer.__file__, 'x': params['x'],
                                    'conv': common.util.conv_output_size(28, 5, 1, 0)}))
    """, pythonpath=())
    assert Path(result["file"]).resolve() == (tmp_path / "common" / "optimizer.py").resolve()
    assert result["x"] == -1.0 and result["conv"] == 24


def test_the_shims_functions_and_util_compute_the_books_formulas():
    from nn.book.common import functions as F
    from nn.book.common import util

    x = np.array([[-2.0, 0.0, 0.5], [3.0, -0.1, 1.0]])
    sigma = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(F.sigmoid(x), sigma, rtol=1e-15)
    np.testing.assert_allclose(F.sigmoid_grad(x), sigma * (1 - sigma), rtol=1e-12)
    np.testing.assert_array_equal(F.relu(x), np.maximum(x, 0))
    np.testing.assert_array_equal(F.relu_grad(x), (x > 0).astype(float))
    np.testing.assert_array_equal(F.step_function(x), (x > 0).astype(int))
    y = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(F.softmax(x), y, rtol=1e-14)
    t = np.array([2, 0])
    expected = -np.mean(np.log(y[[0, 1], t] + 1e-7))
    assert F.cross_entropy_error(y, t) == pytest.approx(expected, rel=1e-14)
    assert F.cross_entropy_error(y, np.eye(3)[t]) == pytest.approx(expected, rel=1e-14)
    assert F.cross_entropy_error(y[0], np.eye(3)[2]) == pytest.approx(-np.log(y[0, 2] + 1e-7), rel=1e-14)
    assert F.softmax_loss(x, t) == pytest.approx(-np.mean(np.log(y[[0, 1], t])), rel=1e-12)
    assert F.sum_squared_error(np.array([1.0, 2.0]), np.array([0.0, 4.0])) == 2.5
    with pytest.raises(ValueError, match=r"cross_entropy_error: labels of shape \(2,\) do not fit .*\[0, 3\)"):
        F.cross_entropy_error(y, np.array([0, 3]))

    image = rng.standard_normal((2, 3, 6, 6))
    col = util.im2col(image, 3, 3, 1, 1)  # the book's positional call
    np.testing.assert_array_equal(col, autograd.im2col(image, filter_h=3, filter_w=3, stride=1, pad=1))
    assert col.shape == (2 * 6 * 6, 3 * 9)
    np.testing.assert_array_equal(util.col2im(col, image.shape, 3, 3, 1, 1),
                                  autograd.col2im(col, input_shape=image.shape, filter_h=3, filter_w=3, stride=1, pad=1))
    assert util.conv_output_size(28, 5) == 24 and util.conv_output_size(7, 3, 2, 1) == 4
    with pytest.raises(ValueError, match="conv_output_size: stride 2 does not divide .* strides that fit: \\[1, 3\\]"):
        util.conv_output_size(6, 3, 2, 0)
    assert util.smooth_curve is nn.smooth_curve and util.shuffle_dataset is nn.shuffle_dataset


def test_dataset_mnist_explains_how_to_run_on_the_test_set_alone(tmp_path, monkeypatch):
    from nn.book.dataset import mnist
    monkeypatch.setenv("BACKPROP_GRAPH_DATA", str(tmp_path))
    monkeypatch.setenv("BACKPROP_GRAPH_TEST_SET_ONLY", "maybe")
    with pytest.raises(ValueError, match="BACKPROP_GRAPH_TEST_SET_ONLY must be 1 or 0, got 'maybe'"):
        mnist.load_mnist()
    monkeypatch.setenv("BACKPROP_GRAPH_TEST_SET_ONLY", "0")
    monkeypatch.setattr(nn.datasets, "MNIST_MIRRORS", ("http://127.0.0.1:9/",))  # nothing listens: no download
    with pytest.raises(nn.DatasetUnavailable, match="set BACKPROP_GRAPH_TEST_SET_ONLY=1 to train on the test set"):
        mnist.load_mnist()


# -- chapters 4 and 5 (what common/ also serves) -----------------------------------------------


def test_ch04_gradient_simplenet_and_ch05_gradient_check_patterns(book):
    """common.functions and common.gradient on a 2×3 net (ch04); an OrderedDict of Affine/Relu layers (ch05)."""
    (book / "ch05").mkdir(exist_ok=True)
    result, _, _ = run(book / "ch05", "gradients.py", """
        from collections import OrderedDict
        from common.functions import softmax, cross_entropy_error
        from common.gradient import numerical_gradient
        from common.layers import *

        np.random.seed(0)
        W = np.random.randn(2, 3)
        x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
        f = lambda w: cross_entropy_error(softmax(np.dot(x, W)), t)
        dW = numerical_gradient(f, W)

        params = {'W1': 0.01 * np.random.randn(4, 5), 'b1': np.zeros(5), 'W2': 0.01 * np.random.randn(5, 3), 'b2': np.zeros(3)}
        layers = OrderedDict()
        layers['Affine1'] = Affine(params['W1'], params['b1'])
        layers['Relu1'] = Relu()
        layers['Affine2'] = Affine(params['W2'], params['b2'])
        lastLayer = SoftmaxWithLoss()
        X, T = np.random.randn(3, 4), np.eye(3)[[0, 2, 1]]

        def loss(X, T):
            y = X
            for layer in layers.values():
                y = layer.forward(y)
            return lastLayer.forward(y, T)

        loss(X, T)
        dout = lastLayer.backward(1)
        for layer in reversed(list(layers.values())):
            dout = layer.backward(dout)
        grads = {'W1': layers['Affine1'].dW, 'b1': layers['Affine1'].db, 'W2': layers['Affine2'].dW, 'b2': layers['Affine2'].db}
        diff = {key: float(np.average(np.abs(grads[key] - numerical_gradient(lambda w: loss(X, T), params[key]))))
                for key in params}
        print("RESULT", json.dumps({'W': W.tolist(), 'dW': dW.tolist(), 'diff': diff}))
    """)
    W, x, t = np.array(result["W"]), np.array([0.6, 0.9]), np.array([0, 0, 1])
    z = x @ W
    y = np.exp(z) / np.exp(z).sum()
    # L = −log(y₂ + 1e-7) with y = softmax(x·W): ∂L/∂z = y₂/(y₂ + 1e-7) · (y − t), and ∂L/∂W = x ⊗ ∂L/∂z
    expected = np.outer(x, y[2] / (y[2] + 1e-7) * (y - t))
    np.testing.assert_allclose(result["dW"], expected, rtol=1e-6)
    assert max(result["diff"].values()) < 1e-8, result["diff"]  # the book prints 1e-10 to 1e-13 here


# -- chapter 6 -------------------------------------------------------------------------------


def test_optimizer_compare_naive_pattern_float_params_and_every_optimizer(book):
    """params['x'] and ['y'] are Python floats; grads start as ints; 30 steps on f = x²/20 + y² from (−7, 2)."""
    result, _, _ = run(book / "ch06", "optimizer_compare_naive.py", """
        from collections import OrderedDict
        from common.optimizer import *

        def df(x, y):
            return x / 10.0, 2.0 * y

        params, grads = {}, {}
        grads['x'], grads['y'] = 0, 0
        optimizers = OrderedDict([("SGD", SGD(lr=0.95)), ("Momentum", Momentum(lr=0.1)), ("Nesterov", Nesterov(lr=0.1)),
                                  ("AdaGrad", AdaGrad(lr=1.5)), ("RMSprop", RMSprop(lr=0.1)), ("Adam", Adam(lr=0.3))])
        paths = {}
        for key, optimizer in optimizers.items():
            params['x'], params['y'] = -7.0, 2.0
            x_history, y_history = [], []
            for i in range(30):
                x_history.append(params['x'])
                y_history.append(params['y'])
                grads['x'], grads['y'] = df(params['x'], params['y'])
                optimizer.update(params, grads)
            paths[key] = {'x': x_history, 'y': y_history, 'types': sorted({type(v).__name__ for v in x_history + y_history})}
        print("RESULT", json.dumps(paths))
    """)
    lrs = {"SGD": 0.95, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 1.5, "RMSprop": 0.1, "Adam": 0.3}
    for key, path in result.items():
        assert path["types"] == ["float"], key
        # the same optimizer on arrays, in this process, gives the same path (so nothing was aliased)
        optimizer, point = getattr(nn, key)(lr=lrs[key]), {"x": np.array([-7.0]), "y": np.array([2.0])}
        for step in range(30):
            assert path["x"][step] == pytest.approx(point["x"][0], rel=1e-12, abs=1e-15), (key, step)
            assert path["y"][step] == pytest.approx(point["y"][0], rel=1e-12, abs=1e-15), (key, step)
            optimizer.update(point, {"x": point["x"] / 10.0, "y": 2.0 * point["y"]})
        start, end = np.hypot(-7.0, 2.0), np.hypot(path["x"][-1], path["y"][-1])
        assert end < 0.5 * start, (key, end)
    # the book's picture: SGD zigzags across the valley (y changes sign at every step), Adam and AdaGrad do not
    signs = np.sign(result["SGD"]["y"])
    assert np.all(signs[1:] == -signs[:-1])
    assert np.all(np.sign(result["AdaGrad"]["y"][:10]) == 1)


@needs_mnist
def test_optimizer_and_weight_init_compare_mnist_patterns(book):
    """MultiLayerNet(input_size=784, hidden_size_list=[...], output_size=10, weight_init_std=...) trained by hand."""
    result, out, err = run(book / "ch06", "compare_mnist.py", """
        from dataset.mnist import load_mnist
        from common.util import smooth_curve
        from common.multi_layer_net import MultiLayerNet
        from common.optimizer import *

        np.random.seed(0)
        (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
        train_size, batch_size, max_iterations = x_train.shape[0], 64, 60
        runs = {'SGD': (SGD(), 'relu'), 'Momentum': (Momentum(), 'relu'), 'AdaGrad': (AdaGrad(), 'relu'),
                'Adam': (Adam(), 'relu'), 'std=0.01': (SGD(lr=0.01), 0.01), 'Xavier': (SGD(lr=0.01), 'sigmoid'),
                'He': (SGD(lr=0.01), 'relu')}
        networks, train_loss = {}, {}
        for key, (optimizer, weight_type) in runs.items():
            networks[key] = MultiLayerNet(input_size=784, hidden_size_list=[50, 50, 50, 50], output_size=10,
                                          weight_init_std=weight_type)
            train_loss[key] = []
        for i in range(max_iterations):
            batch_mask = np.random.choice(train_size, batch_size)
            x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
            for key, (optimizer, _) in runs.items():
                grads = networks[key].gradient(x_batch, t_batch)
                optimizer.update(networks[key].params, grads)
                train_loss[key].append(networks[key].loss(x_batch, t_batch))
            if i % 20 == 0:
                print("===========" + "iteration:" + str(i) + "===========")
                for key in runs:
                    print(key + ":" + str(networks[key].loss(x_batch, t_batch)))
        smooth = {key: list(smooth_curve(train_loss[key])) for key in runs}
        print("RESULT", json.dumps({'shapes': [list(x_train.shape), list(t_train.shape), list(x_test.shape)],
                                    'dtype': str(x_train.dtype), 'max': float(x_train.max()),
                                    'loss': train_loss, 'smooth': smooth,
                                    'acc': {key: net.accuracy(x_test, t_test) for key, net in networks.items()}}))
    """)
    assert result["shapes"] == [[8000, 784], [8000], [2000, 784]] and result["dtype"] == "float32"
    assert result["max"] == 1.0
    assert "test set only" in err and out.count("iteration:") == 3
    loss, smooth, acc = result["loss"], result["smooth"], result["acc"]
    assert all(len(smooth[key]) == len(loss[key]) == 60 for key in loss)
    # every optimizer learns, SGD the slowest (the book's Fig. 6-9; measured after 60 steps: SGD 2.07, Momentum
    # 0.72, AdaGrad 0.36, Adam 0.59 smoothed loss, and 0.32, 0.80, 0.88, 0.84 test accuracy)
    assert smooth["SGD"][-1] < smooth["SGD"][0] - 0.1 and acc["SGD"] > 0.15
    for key in ("Momentum", "AdaGrad", "Adam"):
        assert smooth[key][-1] < 0.5 * smooth[key][0], key
        assert acc[key] > 0.6, (key, acc[key])
    assert smooth["SGD"][-1] > max(smooth[key][-1] for key in ("Momentum", "AdaGrad", "Adam"))
    # weight init (Fig. 6-15): std = 0.01 does not learn at all, He does
    assert abs(smooth["std=0.01"][-1] - np.log(10)) < 0.01
    assert smooth["He"][-1] < smooth["Xavier"][-1] < smooth["std=0.01"][-1]


@needs_mnist
def test_overfit_weight_decay_and_dropout_patterns(book):
    """300 training images, six hidden layers of 100: weight decay (a hand loop) and dropout (the Trainer)."""
    result, out, _ = run(book / "ch06", "overfit.py", """
        from dataset.mnist import load_mnist
        from common.multi_layer_net import MultiLayerNet
        from common.multi_layer_net_extend import MultiLayerNetExtend
        from common.optimizer import SGD
        from common.trainer import Trainer

        (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
        x_train, t_train = x_train[:300], t_train[:300]
        max_epochs, train_size, batch_size = 100, x_train.shape[0], 100
        iter_per_epoch = max(train_size / batch_size, 1)
        found = {}
        for weight_decay_lambda in (0, 0.1):
            np.random.seed(0)
            network = MultiLayerNet(input_size=784, hidden_size_list=[100, 100, 100, 100, 100, 100], output_size=10,
                                    weight_decay_lambda=weight_decay_lambda)
            optimizer = SGD(lr=0.01)
            train_acc_list, epoch_cnt = [], 0
            for i in range(1000000000):
                batch_mask = np.random.choice(train_size, batch_size)
                grads = network.gradient(x_train[batch_mask], t_train[batch_mask])
                optimizer.update(network.params, grads)
                if i % iter_per_epoch == 0:
                    train_acc_list.append(network.accuracy(x_train, t_train))
                    epoch_cnt += 1
                    if epoch_cnt >= max_epochs:
                        break
            found['decay %g' % weight_decay_lambda] = (network.accuracy(x_train, t_train), network.accuracy(x_test, t_test),
                                                      len(train_acc_list))
        np.random.seed(0)
        network = MultiLayerNetExtend(input_size=784, hidden_size_list=[100, 100, 100, 100, 100, 100], output_size=10,
                                      use_dropout=True, dropout_ration=0.2)
        trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=max_epochs, mini_batch_size=100,
                          optimizer='sgd', optimizer_param={'lr': 0.01}, evaluate_sample_num_per_epoch=300, verbose=True)
        trainer.train()
        train_acc_list, test_acc_list = trainer.train_acc_list, trainer.test_acc_list
        found['dropout'] = (network.accuracy(x_train, t_train), network.accuracy(x_test, t_test),
                            len(train_acc_list), len(test_acc_list))
        print("RESULT", json.dumps(found))
    """)
    assert out.count("=== epoch:") == 100
    plain, decayed = result["decay 0"], result["decay 0.1"]
    assert plain[2] == decayed[2] == 100
    # the book's Fig. 6-20 and 6-21: without decay the 300 images are learned by heart (train 1.0, test ~0.76);
    # λ = 0.1 narrows the gap. Measured here: train 0.997 / test 0.741, and 0.917 / 0.758 with decay
    assert plain[0] > 0.98 and plain[1] < plain[0] - 0.15
    assert decayed[0] - decayed[1] < plain[0] - plain[1] - 0.05
    assert decayed[1] > 0.65
    # Fig. 6-23: dropout (ratio 0.2) narrows the gap as well, and slows learning (the book runs 301 epochs). The
    # network without dropout is the one without decay above: the same draws, the same weights. Measured after
    # 100 epochs with dropout: train 0.307 / test 0.197
    dropout = result["dropout"]
    assert dropout[2:] == [100, 100]
    assert dropout[0] - dropout[1] < plain[0] - plain[1] - 0.05
    assert dropout[1] > 0.15


@needs_mnist
def test_batch_norm_test_and_gradient_check_patterns(book):
    """MultiLayerNetExtend with and without use_batchnorm on 1,000 images; the batch-norm gradient check."""
    result, out, _ = run(book / "ch06", "batch_norm.py", """
        from dataset.mnist import load_mnist
        from common.multi_layer_net_extend import MultiLayerNetExtend
        from common.optimizer import SGD

        (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
        x_train, t_train = x_train[:1000], t_train[:1000]
        max_epochs, train_size, batch_size, learning_rate = 10, x_train.shape[0], 100, 0.01

        def __train(weight_init_std):
            bn_network = MultiLayerNetExtend(input_size=784, hidden_size_list=[100, 100, 100, 100, 100], output_size=10,
                                             weight_init_std=weight_init_std, use_batchnorm=True)
            network = MultiLayerNetExtend(input_size=784, hidden_size_list=[100, 100, 100, 100, 100], output_size=10,
                                          weight_init_std=weight_init_std)
            optimizer = SGD(lr=learning_rate)
            train_acc_list, bn_train_acc_list = [], []
            iter_per_epoch, epoch_cnt = max(train_size / batch_size, 1), 0
            for i in range(1000000000):
                batch_mask = np.random.choice(train_size, batch_size)
                for _network in (bn_network, network):
                    grads = _network.gradient(x_train[batch_mask], t_train[batch_mask])
                    optimizer.update(_network.params, grads)
                if i % iter_per_epoch == 0:
                    train_acc_list.append(network.accuracy(x_train, t_train))
                    bn_train_acc_list.append(bn_network.accuracy(x_train, t_train))
                    print("epoch:" + str(epoch_cnt) + " | " + str(train_acc_list[-1]) + " - " + str(bn_train_acc_list[-1]))
                    epoch_cnt += 1
                    if epoch_cnt >= max_epochs:
                        break
            return train_acc_list, bn_train_acc_list

        np.random.seed(0)
        curves = {str(w): __train(w) for w in (1.0, 0.1, 0.01)}

        (x_train, t_train), _ = load_mnist(normalize=True, one_hot_label=True)
        network = MultiLayerNetExtend(input_size=98, hidden_size_list=[10, 10], output_size=10, use_batchnorm=True)
        x_batch, t_batch = x_train[:2, ::8], t_train[:2]  # every 8th pixel: 98 inputs keep the numerical side short
        grad_backprop = network.gradient(x_batch, t_batch)
        grad_numerical = network.numerical_gradient(x_batch, t_batch)
        diff = {key: float(np.average(np.abs(grad_backprop[key] - grad_numerical[key]))) for key in grad_numerical}
        print("RESULT", json.dumps({'curves': curves, 'diff': diff}))
    """)
    for w, (plain, bn) in result["curves"].items():
        assert len(plain) == len(bn) == 10
    # the book's Fig. 6-18: with batch normalization the network learns at every initial scale, faster than
    # without. Measured after 10 epochs (w = 1, 0.1, 0.01): 0.32, 0.70, 0.99 with, 0.09, 0.33, 0.13 without
    final = {w: (plain[-1], bn[-1]) for w, (plain, bn) in result["curves"].items()}
    assert all(bn > plain + 0.15 for plain, bn in final.values()), final
    assert final["0.01"][1] > 0.9 and final["0.1"][1] > 0.5, final
    assert sorted(result["diff"]) == sorted(["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"])
    assert max(result["diff"].values()) < 1e-7, result["diff"]


# -- chapter 7 -------------------------------------------------------------------------------


def test_ch07_gradient_check_pattern(book):
    """A 10×10 image and a label given as a column T = [[1]]: numerical and backprop gradients agree."""
    result, out, _ = run(book / "ch07", "gradient_check.py", """
        from simple_convnet import SimpleConvNet

        np.random.seed(0)
        network = SimpleConvNet(input_dim=(1, 10, 10), conv_param={'filter_num': 10, 'filter_size': 3, 'pad': 0, 'stride': 1},
                                hidden_size=10, output_size=10, weight_init_std=0.01)
        X = np.random.rand(100).reshape((1, 1, 10, 10))
        T = np.array([1]).reshape((1, 1))
        grad_num = network.numerical_gradient(X, T)
        grad = network.gradient(X, T)
        diff = {}
        for key, val in grad_num.items():
            diff[key] = float(np.abs(grad_num[key] - grad[key]).mean())
            print(key, diff[key])
        print("RESULT", json.dumps({'diff': diff, 'shapes': {k: list(v.shape) for k, v in grad.items()}}))
    """)
    assert result["shapes"] == {"W1": [10, 1, 3, 3], "b1": [10], "W2": [160, 10], "b2": [10], "W3": [10, 10], "b3": [10]}
    diff = result["diff"]
    # measured: 3e-13 to 1e-10 for the affine layers; 1e-6 and 8e-6 for W1 and b1, where a step of h = 1e-4 moves
    # conv outputs of size ~0.01 across ReLU's kink or changes which entry a 2×2 pool picks
    assert max(diff[key] for key in ("W2", "b2", "W3", "b3")) < 1e-8, diff
    assert max(diff["W1"], diff["b1"]) < 1e-4, diff
    assert out.count("\n") >= 6


@needs_mnist
def test_train_convnet_then_visualize_and_apply_filter_patterns(book):
    """train_convnet.py: Trainer(..., optimizer='Adam', evaluate_sample_num_per_epoch=1000); params.pkl; reloaded."""
    trained, out, _ = run(book / "ch07", "train_convnet.py", """
        from dataset.mnist import load_mnist
        from simple_convnet import SimpleConvNet
        from common.trainer import Trainer

        (x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
        x_train, t_train = x_train[:3000], t_train[:3000]  # the book suggests cutting the data when time is short
        x_test, t_test = x_test[:1000], t_test[:1000]
        np.random.seed(0)
        network = SimpleConvNet(input_dim=(1, 28, 28), conv_param={'filter_num': 10, 'filter_size': 5, 'pad': 0, 'stride': 1},
                                hidden_size=50, output_size=10, weight_init_std=0.01)
        trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=2, mini_batch_size=100,
                          optimizer='Adam', optimizer_param={'lr': 0.002}, evaluate_sample_num_per_epoch=1000)
        trainer.train()
        network.save_params("params.pkl")
        print("Saved Network Parameters!")
        print("RESULT", json.dumps({'shape': list(x_train.shape), 'test_acc': network.accuracy(x_test, t_test),
                                    'train_acc_list': trainer.train_acc_list, 'test_acc_list': trainer.test_acc_list,
                                    'losses': [float(v) for v in trainer.train_loss_list]}))
    """)
    assert trained["shape"] == [3000, 1, 28, 28]
    assert "Saved Network Parameters!" in out and "=== epoch:2" in out and "Final Test Accuracy" in out
    assert len(trained["losses"]) == 60 and len(trained["test_acc_list"]) == 2
    assert trained["test_acc_list"][0] < trained["test_acc_list"][1]
    assert np.mean(trained["losses"][-10:]) < 0.5 * np.mean(trained["losses"][:5])
    # 10 filters, 50 hidden units, 60 Adam steps on 3,000 images: measured 0.892 on 1,000 of the last 2,000
    assert trained["test_acc"] > 0.80, trained["test_acc"]

    shown, _, _ = run(book / "ch07", "visualize_and_apply_filter.py", """
        import matplotlib.pyplot as plt
        from dataset.mnist import load_mnist
        from simple_convnet import SimpleConvNet
        from common.layers import Convolution

        def filter_show(filters, name, nx=8):
            FN, C, FH, FW = filters.shape
            fig = plt.figure()
            for i in range(FN):
                ax = fig.add_subplot(int(np.ceil(FN / nx)), nx, i + 1, xticks=[], yticks=[])
                ax.imshow(filters[i, 0], cmap=plt.cm.gray_r, interpolation='nearest')
            fig.savefig(name)

        (x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
        x_test, t_test = x_test[:1000], t_test[:1000]
        try:
            SimpleConvNet().load_params("params.pkl")  # the book's default size: 30 filters, not the 10 saved
        except ValueError as error:
            refused = str(error)
        network = SimpleConvNet(conv_param={'filter_num': 10, 'filter_size': 5, 'pad': 0, 'stride': 1}, hidden_size=50)
        filter_show(network.params['W1'], "random.png")
        network.load_params("params.pkl")
        filter_show(network.params['W1'], "learned.png")
        img = x_test[0].reshape(1, 1, 28, 28)
        outs = []
        for i in range(10):
            w = network.params['W1'][i]
            b = 0  # network.params['b1'][i]
            w = w.reshape(1, *w.shape)
            conv_layer = Convolution(w, b)
            out = conv_layer.forward(img)
            outs.append(out.reshape(out.shape[2], out.shape[3]).tolist())
        print("RESULT", json.dumps({'test_acc': network.accuracy(x_test, t_test), 'outs': outs, 'refused': refused,
                                    'png': [os.path.getsize(n) for n in ("random.png", "learned.png")]}))
    """)
    assert shown["test_acc"] == trained["test_acc"]  # load_params rebound the layers to the loaded arrays
    assert min(shown["png"]) > 1000
    assert shown["refused"] == ("Convolution.W: the new array has shape (10, 1, 5, 5) but the layer was built for "
                                "shape (30, 1, 5, 5); build a new layer to change its size")
    import pickle  # the file our own script just wrote
    with open(book / "ch07" / "params.pkl", "rb") as f:
        W1 = pickle.load(f)["W1"]
    image = nn.load_mnist_test(MNIST_DIR, flatten=False, download=False)[0][8000, 0].astype(np.float64)
    for i in (0, 4, 9):  # each 24×24 map is the correlation of the digit with one learned 5×5 filter
        expected = [[np.sum(image[r:r + 5, c:c + 5] * W1[i, 0]) for c in range(24)] for r in range(24)]
        np.testing.assert_allclose(shown["outs"][i], expected, rtol=1e-5, atol=1e-6)


# -- chapter 8 -------------------------------------------------------------------------------


@needs_mnist
def test_train_deepnet_then_misclassified_and_half_float_patterns(book):
    """The deep network's list of layers, Dropout(x, train_flg) by position, params pickled and reloaded, float16."""
    trained, _, _ = run(book / "ch08", "train_deepnet.py", """
        from dataset.mnist import load_mnist
        from deep_convnet import DeepConvNet
        from common.trainer import Trainer

        (x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
        np.random.seed(0)
        network = DeepConvNet()
        trainer = Trainer(network, x_train[:200], t_train[:200], x_test[:200], t_test[:200], epochs=2, mini_batch_size=20,
                          optimizer='Adam', optimizer_param={'lr': 0.003}, evaluate_sample_num_per_epoch=100, verbose=False)
        trainer.train()
        network.save_params("deep_convnet_params.pkl")
        print("RESULT", json.dumps({'losses': [float(v) for v in trainer.train_loss_list],
                                    'acc': network.accuracy(x_test[:500], t_test[:500]),
                                    'grads': sorted(network.gradient(x_train[:2], t_train[:2]))}))
    """)
    assert len(trained["losses"]) == 20 and all(np.isfinite(trained["losses"]))
    assert trained["grads"] == sorted([f"{k}{i}" for i in range(1, 9) for k in "Wb"])

    reloaded, out, _ = run(book / "ch08", "misclassified_and_half_float.py", """
        from deep_convnet import DeepConvNet
        from dataset.mnist import load_mnist

        (x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
        x_test, t_test = x_test[:500], t_test[:500]
        network = DeepConvNet()
        network.load_params("deep_convnet_params.pkl")
        classified_ids, acc, batch_size = [], 0.0, 100
        for i in range(int(x_test.shape[0] / batch_size)):
            tx = x_test[i * batch_size:(i + 1) * batch_size]
            tt = t_test[i * batch_size:(i + 1) * batch_size]
            y = np.argmax(network.predict(tx, train_flg=False), axis=1)
            classified_ids.append(y)
            acc += np.sum(y == tt)
        acc = acc / x_test.shape[0]
        print("test accuracy:" + str(acc))
        classified_ids = np.array(classified_ids).flatten()
        mis_pairs = {int(i): (int(t_test[i]), int(classified_ids[i]))
                     for i, val in enumerate(classified_ids == t_test) if not val}
        x_test = x_test.astype(np.float16)
        for param in network.params.values():
            param[...] = param.astype(np.float16)
        print("RESULT", json.dumps({'acc': acc, 'misclassified': len(mis_pairs), 'half_acc': network.accuracy(x_test, t_test)}))
    """)
    assert reloaded["acc"] == trained["acc"]  # the reloaded arrays are the ones the layers compute with
    assert reloaded["misclassified"] == round((1 - reloaded["acc"]) * 500)
    assert abs(reloaded["half_acc"] - reloaded["acc"]) <= 0.01  # the book: half precision loses (almost) nothing


@needs_mnist
def test_nn_deep_conv_net_learns_real_digits_in_the_train_deepnet_protocol(tmp_path):
    """nn's DeepConvNet behind a one-line ch08/deep_convnet.py: the Trainer, save_params, load_params.

    The textbook's chapter 8 architecture (six 3×3 convolutions, three pools, dropout), narrowed to 4, 4, 8, 8,
    16, 16 filters so that 40 Adam steps of 50 images stay short. The textbook's full run (16 to 64 filters,
    20 epochs on 60,000 images) reaches 0.99; this one measured 0.547 on 1,000 of the last 2,000 test images
    (from 0.1 before training).
    """
    (tmp_path / "ch08").mkdir()
    (tmp_path / "ch08" / "deep_convnet.py").write_text("from nn import DeepConvNet\n")
    result, out, _ = run(tmp_path / "ch08", "train_deepnet.py", """
        from dataset.mnist import load_mnist
        from deep_convnet import DeepConvNet
        from common.trainer import Trainer

        (x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
        x_test, t_test = x_test[:1000], t_test[:1000]
        narrow = {'conv_param_%d' % k: {'filter_num': n} for k, n in enumerate((4, 4, 8, 8, 16, 16), start=1)}
        np.random.seed(0)
        network = DeepConvNet(**narrow)
        before = network.accuracy(x_test, t_test)
        trainer = Trainer(network, x_train[:2000], t_train[:2000], x_test, t_test, epochs=1, mini_batch_size=50,
                          optimizer='Adam', optimizer_param={'lr': 0.003}, evaluate_sample_num_per_epoch=100)
        trainer.train()
        network.save_params("deep_convnet_params.pkl")
        print("Saved Network Parameters!")
        again = DeepConvNet(**narrow)
        again.load_params("deep_convnet_params.pkl")
        print("RESULT", json.dumps({'before': before, 'after': network.accuracy(x_test, t_test),
                                    'reloaded': again.accuracy(x_test, t_test),
                                    'losses': [float(v) for v in trainer.train_loss_list]}))
    """)
    losses = result["losses"]
    assert len(losses) == 40 and "Saved Network Parameters!" in out
    assert result["before"] < 0.2
    assert np.mean(losses[-5:]) < np.mean(losses[:5]) - 0.2  # measured 2.46 → 2.14 (dropout keeps it noisy)
    assert result["after"] >= 0.45, result["after"]
    assert result["reloaded"] == result["after"]
