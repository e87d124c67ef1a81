"""Networks with the textbook's surface: ``params``, ``layers``, ``lastLayer``,
``predict``, ``loss``, ``accuracy``, ``gradient``, ``numerical_gradient``.

Weight layout (as in the textbook): layer k computes Y = X·Wk + bk with X of
shape (N, inputs), Wk of shape (inputs, outputs) and bk of shape (outputs,).
``params`` maps "W1", "b1", "W2", … to the very arrays the layers compute
with, so updating them in place (an optimizer's ``update(params, grads)``,
or ``params[key] -= lr * grads[key]``) trains the network.

``gradient`` records one graph over the whole network, with the batch as a
constant (no gradient is computed for the images), and runs the engine's
backward once; it agrees with chaining each layer's ``backward``.
"""

import numbers
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

import autograd
from autograd import Node

from .checkpoint import load_params, save_params
from .layers import Affine, IdentityWithLoss, Layer, Relu, Sigmoid, SoftmaxWithLoss, _LossLayer
from .numerical import numerical_gradient

__all__ = ["Network", "MultiLayerNet", "TwoLayerNet"]


class Network:
    """Layers applied in order, then a last layer that turns scores into a loss.

    ``layers`` is a list of layers (named "Affine1", "Relu1", "Affine2", … by
    kind and position unless they were given names) or a dict name → layer;
    ``last_layer`` is a ``SoftmaxWithLoss`` or ``IdentityWithLoss``. Their
    parameters become ``params`` "W1", "b1", … numbered by the layers that
    have them.
    """

    def __init__(self, layers, last_layer):
        named = self._name_layers(layers)
        if not isinstance(last_layer, _LossLayer):
            raise TypeError(
                f"{type(self).__name__}: last_layer must be a loss layer (SoftmaxWithLoss for classes, "
                f"IdentityWithLoss for regression), got {type(last_layer).__name__}"
            )
        self.layers = OrderedDict(named)
        self.lastLayer = last_layer
        self.params = {}
        self._param_nodes = {}  # key -> the Tensor computing with params[key]
        count = 0
        for layer in self.layers.values():
            parameters = layer.parameters()
            if parameters:
                count += 1
            for short, node in parameters.items():
                key = f"{short}{count}"
                node.name = key
                self.params[key] = node.data
                self._param_nodes[key] = node
        self._check_affine_chain()

    @staticmethod
    def _name_layers(layers):
        """(name, layer) pairs; checked before any layer is renamed."""
        items = list(layers.items()) if isinstance(layers, Mapping) else [(None, layer) for layer in layers]
        if not items:
            raise ValueError("Network: needs at least one layer before the last layer")
        for position, (name, layer) in enumerate(items):
            if not isinstance(layer, Layer) or isinstance(layer, _LossLayer):
                what = "a loss layer" if isinstance(layer, _LossLayer) else f"a {type(layer).__name__}"
                raise TypeError(
                    f"Network: layer {position} ({name or getattr(layer, 'name', '?')!r}) is {what}; the layer "
                    "list takes Affine, Relu, Sigmoid, … and the loss goes in last_layer"
                )
        seen = {}
        for position, (name, layer) in enumerate(items):
            if not layer.parameters():
                continue  # a layer without weights computes the same wherever it stands
            if id(layer) in seen:
                first = seen[id(layer)]
                raise ValueError(
                    f"Network: layer {position} is layer {first} ({items[first][0] or layer.name!r}) again; its "
                    f"weights would be updated twice per step. Use a separate {type(layer).__name__} for each place"
                )
            seen[id(layer)] = position
        named, counts = [], {}
        for name, layer in items:
            kind = type(layer).__name__
            counts[kind] = counts.get(kind, 0) + 1
            if name is None:
                name = f"{kind}{counts[kind]}" if layer.name == kind else layer.name
            named.append((name, layer))
        names = [name for name, _ in named]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"Network: two layers are named {duplicates[0]!r}; give every layer its own name")
        for name, layer in named:
            layer.name = name
        return named

    def _check_affine_chain(self):
        previous = None
        for layer in self.layers.values():
            if not isinstance(layer, Affine):
                continue
            if previous is not None and layer.W.shape[0] != previous.W.shape[1]:
                raise ValueError(
                    f"{type(self).__name__}: {layer.name} expects {layer.W.shape[0]} inputs (W of shape "
                    f"{layer.W.shape}) but {previous.name} produces {previous.W.shape[1]} (W of shape "
                    f"{previous.W.shape}); consecutive layers must agree"
                )
            previous = layer

    def __repr__(self):
        names = " → ".join(self.layers)
        return f"{type(self).__name__}({names} → {self.lastLayer.name})"

    @property
    def is_classifier(self):
        """True when the last layer is SoftmaxWithLoss (so accuracy means something)."""
        return isinstance(self.lastLayer, SoftmaxWithLoss)

    # -- keeping layers and params together -------------------------------------

    def _sync_params(self):
        """Let the layers compute with the arrays now in ``params``.

        Updating in place needs nothing; an entry replaced by a new array
        (``params["W1"] = params["W1"] - lr * g``) is picked up here, after
        checking that it still fits.
        """
        params = self.params
        for key, node in self._param_nodes.items():
            array = params.get(key)
            if array is node.data:
                continue
            if array is None:
                raise KeyError(f"{type(self).__name__}: params has no {key!r} any more; the network needs {list(self._param_nodes)}")
            if not isinstance(array, np.ndarray) or array.dtype.kind != "f" or array.shape != node.data.shape:
                shown = (f"an array of shape {array.shape} and dtype {array.dtype}" if isinstance(array, np.ndarray)
                         else f"a {type(array).__name__}")
                raise ValueError(
                    f"{type(self).__name__}: params[{key!r}] was replaced by {shown}; it must stay a float "
                    f"array of shape {node.data.shape}"
                )
            node.data = array

    # -- computing ------------------------------------------------------------

    def __call__(self, x, t=None):
        """Record the network on autograd nodes, each layer in its own group.

        Returns the scores (before the last layer) without ``t``, the loss
        node with it; the graph is what the visualizer draws.
        """
        self._sync_params()
        out = x
        for layer in self.layers.values():
            out = layer(out)
        return out if t is None else self.lastLayer(out, t)

    def predict(self, x, batch_size=None, verbose=0):
        """Scores for ``x`` (before the last layer), as an array; nothing is recorded.

        ``batch_size`` computes it that many rows at a time; ``verbose`` is
        accepted for Keras-style callers (plygdata's draw_decision_boundary)
        and ignored.
        """
        self._sync_params()
        x = _as_input(x, "predict")
        if batch_size is not None:
            batch_size = _check_batch_size(batch_size, f"{type(self).__name__}.predict")
        with autograd.no_grad():
            if batch_size is None or x.ndim < 2 or len(x) <= batch_size:  # a 1-D x is one sample
                return self._scores(x)
            return np.concatenate([self._scores(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])

    def _scores(self, x):
        out = x
        for layer in self.layers.values():
            out = layer.build(out)
        return out.data if isinstance(out, Node) else out

    def loss(self, x, t):
        """The loss (a float) of the last layer on ``predict(x)`` and targets ``t``."""
        scores = self.predict(x)
        with autograd.no_grad():
            return float(_data(self.lastLayer.build(scores, _as_target(t))))

    def accuracy(self, x, t):
        """Fraction of rows whose highest score is the label (t one-hot or class indices)."""
        self._require_classifier("accuracy")
        return _accuracy(self.predict(x), _as_target(t))

    def evaluate(self, x, t, batch_size=10000):
        """(loss, accuracy) over the whole of ``x``, ``batch_size`` rows at a time.

        The accuracy is None for a regression network. Losses are means over
        rows, so the chunks' losses are averaged weighted by their sizes. A
        1-D ``x`` is one sample, as everywhere else.
        """
        owner = f"{type(self).__name__}.evaluate"
        batch_size = _check_batch_size(batch_size, owner)
        x, t = _as_input(x, "evaluate"), _as_target(t)
        if x.ndim == 1:
            x, t = x[np.newaxis], t[np.newaxis]
        if x.ndim == 0 or t.ndim == 0 or len(x) != len(t):
            raise ValueError(f"{owner}: x has {len(x) if x.ndim else 'no'} rows but t has {len(t) if t.ndim else 'no'}")
        if len(x) == 0:
            raise ValueError(f"{owner}: x is empty; there is nothing to evaluate")
        total_loss = total_correct = 0.0
        for start in range(0, len(x), batch_size):
            xs, ts = x[start:start + batch_size], t[start:start + batch_size]
            scores = self.predict(xs)
            with autograd.no_grad():
                total_loss += float(_data(self.lastLayer.build(scores, ts))) * len(xs)
            if self.is_classifier:
                total_correct += _accuracy(scores, ts) * len(xs)
        n = len(x)
        return total_loss / n, (total_correct / n if self.is_classifier else None)

    def loss_and_gradient(self, x, t):
        """(loss, grads): one recorded pass over the network and one backward.

        ``grads`` maps each name of ``params`` to an array of its shape; the
        Affine layers' ``dW`` and ``db`` are set too. The batch is a constant,
        so no gradient is computed for it.
        """
        self._sync_params()
        x = _as_input(x, "gradient")
        out = x
        for layer in self.layers.values():
            out = layer.build(out)
        loss = self.lastLayer.build(out, _as_target(t))
        nodes = self._param_nodes
        for node in nodes.values():
            node.grad = None
        loss.backward()
        for layer in self.layers.values():
            layer._after_backward()
        grads = {key: node.grad if node.grad is not None else np.zeros_like(node.data) for key, node in nodes.items()}
        return float(loss.data), grads

    def gradient(self, x, t):
        """Gradients of the loss for every parameter, by backpropagation (a dict like ``params``)."""
        return self.loss_and_gradient(x, t)[1]

    def numerical_gradient(self, x, t):
        """The same gradients by central differences (slow: two losses per parameter element)."""
        loss_W = lambda W: self.loss(x, t)  # noqa: E731 (the textbook's spelling)
        self._sync_params()
        return {key: numerical_gradient(loss_W, self.params[key]) for key in self.params}

    # -- checkpoints ------------------------------------------------------------

    def save(self, path):
        """Write ``params`` to an .npz file (atomically); returns the path."""
        return save_params(self.params, path)

    def load(self, path):
        """Copy the parameters saved at ``path`` into ``params`` in place (names and shapes checked)."""
        self._sync_params()
        load_params(path, into=self.params)
        return self

    def _require_classifier(self, what):
        if not self.is_classifier:
            raise TypeError(
                f"{type(self).__name__}.{what} is for classification (a SoftmaxWithLoss last layer); this "
                f"network ends in {type(self.lastLayer).__name__}, so use loss(x, t) to measure it"
            )


class MultiLayerNet(Network):
    """A fully connected network of any depth: Affine → activation → … → Affine → loss.

    ``sizes`` lists the nodes per layer, inputs first: ``[784, 50, 10]`` or
    ``[2, 3, 2, 1]``. ``activation`` is 'relu' or 'sigmoid'; ``output`` is
    'softmax' (SoftmaxWithLoss, classes) or 'identity' (IdentityWithLoss,
    regression). Weights are drawn N(0, σ²) with σ = √(2/inputs) for 'he',
    √(1/inputs) for 'xavier', or the number given (0 starts from zeros);
    the default is 'he' for relu and 'xavier' for sigmoid. Biases start at 0.
    ``seed`` draws from its own generator; without it from NumPy's global one
    (so ``np.random.seed`` works as in the textbook).
    """

    ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid}
    OUTPUTS = {"softmax": SoftmaxWithLoss, "identity": IdentityWithLoss}

    def __init__(self, sizes, activation="relu", output="softmax", weight_init=None, *, seed=None):
        sizes = _check_sizes(sizes, type(self).__name__)
        if activation not in self.ACTIVATIONS:
            raise ValueError(f"{type(self).__name__}: activation must be one of {list(self.ACTIVATIONS)}, got {activation!r}")
        if output not in self.OUTPUTS:
            raise ValueError(f"{type(self).__name__}: output must be one of {list(self.OUTPUTS)}, got {output!r}")
        if weight_init is None:
            weight_init = "he" if activation == "relu" else "xavier"
        self.sizes, self.activation, self.output, self.weight_init = sizes, activation, output, weight_init
        rng = np.random if seed is None else np.random.default_rng(seed)
        activation_layer = self.ACTIVATIONS[activation]
        layers = []
        for k, (inputs, outputs) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            scale = _weight_scale(weight_init, inputs, type(self).__name__)
            W = scale * rng.standard_normal((inputs, outputs))
            layers.append(Affine(W, np.zeros(outputs), name=f"Affine{k}"))
            if k < len(sizes) - 1:
                layers.append(activation_layer(name=f"{activation_layer.__name__}{k}"))
        super().__init__(layers, self.OUTPUTS[output]())

    def __repr__(self):
        shape = " → ".join(str(n) for n in self.sizes)
        return f"{type(self).__name__}({shape}, activation={self.activation!r}, output={self.output!r})"


class TwoLayerNet(MultiLayerNet):
    """The textbook's network: Affine1 → Relu1 → Affine2, then SoftmaxWithLoss.

    W1 (input_size, hidden_size) and W2 (hidden_size, output_size) are drawn
    as weight_init_std · N(0, 1), b1 and b2 start at 0.
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, *, seed=None):
        super().__init__([input_size, hidden_size, output_size], "relu", "softmax", weight_init_std, seed=seed)


def _check_sizes(sizes, owner):
    try:
        sizes = list(sizes)
    except TypeError:
        raise TypeError(f"{owner}: sizes must be a list of layer widths such as [784, 50, 10], got {sizes!r}") from None
    if len(sizes) < 2 or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and n > 0 for n in sizes):
        raise ValueError(
            f"{owner}: sizes must list at least two positive integers (inputs first, outputs last), "
            f"such as [784, 50, 10]; got {sizes!r}"
        )
    return [int(n) for n in sizes]


def _weight_scale(weight_init, inputs, owner):
    if weight_init == "he":
        return np.sqrt(2.0 / inputs)
    if weight_init == "xavier":
        return np.sqrt(1.0 / inputs)
    if isinstance(weight_init, numbers.Real) and not isinstance(weight_init, bool) and 0 <= weight_init < np.inf:
        return float(weight_init)
    raise ValueError(f"{owner}: weight_init must be 'he', 'xavier' or a standard deviation ≥ 0, got {weight_init!r}")


def _check_batch_size(batch_size, owner):
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"{owner}: batch_size must be a positive integer (rows at a time), got {batch_size!r}")
    return int(batch_size)


def _as_input(x, what):
    if isinstance(x, Node):
        raise TypeError(
            f"{what} takes NumPy arrays; to record on autograd nodes call the network itself: network(x, t)"
        )
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{what}: inputs must be numbers, got dtype {x.dtype}")
    return x


def _as_target(t):
    return t.data if isinstance(t, Node) else np.asarray(t)


def _data(value):
    return value.data if isinstance(value, Node) else value


def _accuracy(scores, t):
    """Fraction of rows whose highest score is the label: t one-hot (scores' shape) or class indices."""
    if t.dtype.kind not in "biuf":
        raise TypeError(f"accuracy: labels must be numbers (one-hot or class indices), got dtype {t.dtype}")
    predicted = np.argmax(scores, axis=-1)
    classes = np.shape(scores)[-1]
    if np.shape(t) == np.shape(scores):
        t = np.argmax(t, axis=-1)
    elif np.shape(t) != np.shape(predicted):
        raise ValueError(
            f"accuracy: labels of shape {np.shape(t)} do not fit scores of shape {np.shape(scores)}; give one-hot "
            f"labels of shape {np.shape(scores)} or class indices of shape {np.shape(predicted)}"
        )
    elif t.size and (t.min() < 0 or t.max() >= classes):
        raise ValueError(
            f"accuracy: class indices must lie in [0, {classes}), got values from {t.min()} to {t.max()}"
        )
    if predicted.size == 0:
        raise ValueError(f"accuracy: the batch is empty (scores of shape {np.shape(scores)})")
    return float(np.mean(predicted == t))
