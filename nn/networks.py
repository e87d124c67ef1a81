"""Networks with the textbook's surface: ``params``, ``layers``, ``lastLayer``
(also ``last_layer``), ``predict``, ``loss``, ``accuracy``, ``gradient``,
``numerical_gradient``, and the textbook's networks of chapters 5–8.

Weight layout (as in the textbook): layer k computes Y = X·Wk + bk with X of
shape (N, inputs), Wk of shape (inputs, outputs) and bk of shape (outputs,).
``params`` maps "W1", "b1", "W2", … to the very arrays the layers compute
with, so updating them in place (an optimizer's ``update(params, grads)``,
or ``params[key] -= lr * grads[key]``) trains the network.

``gradient`` records one graph over the whole network, with the batch as a
constant (no gradient is computed for the images), and runs the engine's
backward once; it agrees with chaining each layer's ``backward``.
"""

from __future__ import annotations

import numbers
import os
from collections import OrderedDict
from collections.abc import Sequence
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

import autograd
from autograd import Node

from .checkpoint import load_params, save_params
from .layers import (
    Affine, BatchNormalization, Convolution, Dropout, IdentityWithLoss, Layer, Pooling, Relu, Sigmoid,
    SoftmaxWithLoss, _LossLayer,
)
from .numerical import numerical_gradient

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray
    from typing_extensions import Self

    from autograd import Tensor


__all__ = ["Network", "MLP", "TwoLayerNet", "MultiLayerNet", "MultiLayerNetExtend", "SimpleConvNet", "DeepConvNet"]

# Layers whose forward depends on training or inference (they take train_flg).
_TRAIN_DEPENDENT = (Dropout, BatchNormalization)


class Network:
    """Layers applied in order, then a last layer that turns scores into a loss.

    ``layers`` is a list of layers (named "Affine1", "Relu1", "Affine2", … by
    kind and position unless they were given names) or a dict name → layer;
    ``last_layer`` is a ``SoftmaxWithLoss`` or ``IdentityWithLoss``. Their
    parameters become ``params`` "W1", "b1", … numbered by the layers that
    have them, counted per name: Affine1 → W1, b1; BatchNorm1 → gamma1, beta1;
    Affine2 → W2, b2 (the textbook's names).

    ``weight_decay_lambda`` adds ½·λ·Σ‖W‖² over the Affine layers' weights
    to ``loss`` and ``loss_and_gradient`` (so the gradient gains λ·W), as
    the textbook's MultiLayerNet does; ``evaluate`` reports the data loss.
    """

    # (C, H, W) of the images a convolutional network was built for (its
    # input_dim), checked on every batch; None where any shape the layers take fits.
    _sample_shape: tuple[int, ...] | None = None

    weight_decay_lambda = 0.0

    def __init__(self, layers: Mapping[str, Layer] | Sequence[Layer], last_layer: Layer,
                 weight_decay_lambda: float = 0.0) -> None:
        named = self._name_layers(layers)
        if not isinstance(last_layer, _LossLayer):
            raise TypeError(
                f"{type(self).__name__}: last_layer must be a loss layer (SoftmaxWithLoss for classes, "
                f"IdentityWithLoss for regression), got {type(last_layer).__name__}"
            )
        self.layers: OrderedDict[str, Layer] = OrderedDict(named)
        self.lastLayer = last_layer
        if isinstance(weight_decay_lambda, bool) or not isinstance(weight_decay_lambda, numbers.Real) \
                or not 0 <= weight_decay_lambda < np.inf:
            raise ValueError(
                f"{type(self).__name__}: weight_decay_lambda must be a number ≥ 0, got {weight_decay_lambda!r}"
            )
        self.weight_decay_lambda = float(weight_decay_lambda)
        self.params: dict[str, NDArray[Any]] = {}
        self._param_nodes: dict[str, Tensor] = {}  # key -> the Tensor computing with params[key]
        counts: dict[str, int] = {}
        for layer in self.layers.values():
            for short, node in layer.parameters().items():
                counts[short] = counts.get(short, 0) + 1
                key = f"{short}{counts[short]}"
                node.name = key
                self.params[key] = node.data
                self._param_nodes[key] = node
        self._synced: dict[str, NDArray[Any]] = dict(self.params)  # key -> the array params and its layer last agreed on
        self._decayed: list[Tensor] = [layer.weight for layer in self.layers.values() if isinstance(layer, Affine)]
        self._check_affine_chain()

    @staticmethod
    def _name_layers(layers: Any) -> Any:
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
        seen: dict[int, int] = {}  # id(layer) -> its position
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
        named: list[tuple[str, Layer]]
        counts: dict[str, int]
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

    def _check_affine_chain(self) -> Any:
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

    def __repr__(self) -> str:
        names = " → ".join(layer.name for layer in self._layer_list())
        return f"{type(self).__name__}({names} → {self.lastLayer.name})"

    @property
    def last_layer(self) -> Layer:
        """The loss layer (the textbook's MultiLayerNet calls it ``last_layer``, TwoLayerNet ``lastLayer``)."""
        return self.lastLayer

    def _layer_list(self) -> Any:
        layers = self.layers
        if layers.__class__ is OrderedDict or isinstance(layers, Mapping):  # (the first test is the quick one)
            return list(layers.values())
        return list(layers)

    @property
    def is_classifier(self) -> bool:
        """True when the last layer is SoftmaxWithLoss (so accuracy means something)."""
        return isinstance(self.lastLayer, SoftmaxWithLoss)

    # -- keeping layers and params together -------------------------------------

    def _sync_params(self) -> Any:
        """Let the layers compute with the arrays now in ``params``.

        Updating in place needs nothing; an entry replaced by a new array
        (``params["W1"] = params["W1"] - lr * g``) is picked up here, after
        checking that it still fits. A layer's array rebound through the
        layer (``layers["Affine1"].W = W``, as the textbook's load_params
        does) goes the other way, into ``params``.
        """
        params = self.params
        synced = self._synced
        for key, node in self._param_nodes.items():
            array = params.get(key)
            if array is node._data:
                continue
            if array is synced[key]:  # only the layer changed
                params[key] = synced[key] = node.data
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
            node.data = synced[key] = array

    # -- computing ------------------------------------------------------------

    def __call__(self, x: ArrayLike, t: ArrayLike | None = None, train_flg: bool = True) -> Any:
        """Record the network on autograd nodes, each layer in its own group.

        Returns the scores (before the last layer) without ``t``, the loss
        node with it (weight decay included); the graph is what the
        visualizer draws. Dropout and BatchNormalization run in training
        mode unless ``train_flg=False``.
        """
        self._sync_params()
        out: Any = x  # a node after the first layer
        for layer in self._layer_list():
            out = layer(out, train_flg=train_flg) if isinstance(layer, _TRAIN_DEPENDENT) else layer(out)
        if t is None:
            return out
        return self._with_decay(self.lastLayer(out, t))

    def _with_decay(self, loss: Any) -> Any:
        if not self.weight_decay_lambda:
            return loss
        with autograd.group("WeightDecay"):
            decay = autograd.sum(self._decayed[0] * self._decayed[0])
            for weight in self._decayed[1:]:
                decay = decay + autograd.sum(weight * weight)
            return loss + decay * (0.5 * self.weight_decay_lambda)

    def _decay_value(self) -> Any:
        if not self.weight_decay_lambda:
            return 0.0
        return 0.5 * self.weight_decay_lambda * sum(float(np.sum(w.data * w.data)) for w in self._decayed)

    def predict(self, x: ArrayLike, batch_size: int | None = None, verbose: int = 0, *,
                train_flg: bool = False) -> NDArray[Any]:
        """Scores for ``x`` (before the last layer), as an array; nothing is recorded.

        ``batch_size`` computes it that many rows at a time; ``verbose`` is
        accepted for Keras-style callers (plygdata's draw_decision_boundary)
        and ignored. ``train_flg=True`` runs Dropout and BatchNormalization
        as in training.
        """
        self._sync_params()
        x = _as_input(x, "predict", self)
        if batch_size is not None:
            batch_size = _check_batch_size(batch_size, f"{type(self).__name__}.predict")
        with autograd.no_grad():
            if batch_size is None or x.ndim < 2 or len(x) <= batch_size:  # a 1-D x is one sample
                return self._scores(x, train_flg)
            return np.concatenate(
                [self._scores(x[i:i + batch_size], train_flg) for i in range(0, len(x), batch_size)])

    def _scores(self, x: Any, train_flg: bool = False) -> Any:
        out = x
        for layer in self._layer_list():
            out = layer.build(out, train_flg=train_flg) if isinstance(layer, _TRAIN_DEPENDENT) else layer.build(out)
        return out.data if isinstance(out, Node) else out

    def loss(self, x: ArrayLike, t: ArrayLike, train_flg: bool = False) -> float:
        """The loss (a float) of the last layer on ``predict(x)`` and targets ``t``, plus weight decay."""
        scores = self.predict(x, train_flg=train_flg)
        with autograd.no_grad():
            return float(_data(self.lastLayer.build(scores, _as_target(t)))) + self._decay_value()

    def accuracy(self, x: ArrayLike, t: ArrayLike, batch_size: int | None = None) -> float:
        """Fraction of rows whose highest score is the label (t one-hot or class indices).

        ``batch_size`` predicts that many rows at a time (the convolutional
        networks default to 100, as in the textbook).
        """
        self._require_classifier("accuracy")
        return _accuracy(self.predict(x, batch_size=batch_size or self.predict_batch_size), _as_target(t))

    predict_batch_size: int | None = None  # rows per predict call in accuracy (None: all at once)

    def evaluate(self, x: ArrayLike, t: ArrayLike, batch_size: int = 10000) -> tuple[float, float | None]:
        """(loss, accuracy) over the whole of ``x``, ``batch_size`` rows at a time.

        The accuracy is None for a regression network. Losses are means over
        rows, so the chunks' losses are averaged weighted by their sizes. A
        1-D ``x`` is one sample, as everywhere else.
        """
        owner = f"{type(self).__name__}.evaluate"
        batch_size = _check_batch_size(batch_size, owner)
        x, t = _as_input(x, "evaluate", self), _as_target(t)
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

    def loss_and_gradient(self, x: ArrayLike, t: ArrayLike) -> tuple[float, dict[str, NDArray[Any]]]:
        """(loss, grads): one recorded pass over the network and one backward.

        ``grads`` maps each name of ``params`` to an array of its shape; the
        Affine layers' ``dW`` and ``db`` are set too. The batch is a constant,
        so no gradient is computed for it.
        """
        self._sync_params()
        x = _as_input(x, "gradient", self)
        chained = self._chain_gradient(x, t)
        if chained is not None:
            return chained
        out = x
        layers = self._layer_list()
        nodes = self._param_nodes
        # Recorded and backpropagated here, with no caller's code in between that
        # could edit the data: the in-place guard has nothing to catch.
        with autograd.engine.skip_edit_checks():
            for layer in layers:
                out = layer.build(out, train_flg=True) if isinstance(layer, _TRAIN_DEPENDENT) else layer.build(out)
            loss = self._with_decay(self.lastLayer.build(out, _as_target(t)))
            self._forget_gradients(layers)
            loss.backward()
        for layer in layers:
            layer._after_backward()
        grads = {key: node.grad if node.grad is not None else np.zeros_like(node.data) for key, node in nodes.items()}
        return float(loss.data), grads

    def _chain_gradient(self, x: Any, t: Any) -> tuple[float, dict[str, NDArray[Any]]] | None:
        """``loss_and_gradient`` without building nodes, where the network is a chain of primitives.

        When every layer is one primitive on float arrays (``Layer._single``:
        Affine, Relu, the fused Sigmoid and SoftmaxWithLoss) and nothing needs
        the recorded graph (no weight decay, recording on, not under
        ``detect_anomaly()``), the graph would be a chain: the primitives'
        forwards run in order and the op table's VJPs in reverse, on the same
        arrays as the engine's backward would, with its rules for shaping,
        typing and owning the gradients. Returns None otherwise, and on any
        ValueError, so the recording path decides and words the error.
        """
        engine = autograd.engine
        if self.weight_decay_lambda or (engine._switched and (not engine.state.grad_enabled or engine.state.anomaly)):
            return None  # (every switch is at its default while none is set: recording on, no anomaly mode)
        layers = self._layer_list()
        chain = []
        out = x
        try:
            for layer in layers:
                single = layer._single(out)
                if single is None:
                    return None
                out = single[0].forward(*single[1], **single[2])
                chain.append((layer, single, out))
            single = self.lastLayer._single(out, _as_target(t))
            if single is None:
                return None
            loss = single[0].forward(*single[1], **single[2])
        except ValueError:
            return None
        chain.append((self.lastLayer, single, loss))
        nodes = self._param_nodes
        self._forget_gradients(layers)
        g = engine.ones(loss.shape, loss.dtype)  # the engine's seed
        owned = engine.owned_gradient
        for depth in range(len(chain) - 1, -1, -1):
            layer, (primitive, args, params, needed, shape), out = chain[depth]
            upstream = g
            vjps = primitive.vjps
            parameters = None
            for position in needed:
                if position:
                    data = args[position]
                    if parameters is None:
                        parameters = layer.parameters().values()
                    for node in parameters:
                        if node._data is data:
                            vjp = vjps[position]  # (called without ** where there are no parameters: a dict less)
                            grad = vjp(upstream, out, *args, **params) if params else vjp(upstream, out, *args)
                            node._grad = owned(grad, data, upstream)
                elif depth:  # the batch (depth 0) needs no gradient
                    vjp = vjps[0]
                    g = vjp(upstream, out, *args, **params) if params else vjp(upstream, out, *args)
                    data = args[0]
                    if (g.__class__ is not np.ndarray or g.shape != data.shape or g.dtype != data.dtype
                            or not g.flags.writeable):
                        g = engine.fit_gradient(g, data)  # not kept by a node: no copy needed
                    if g.shape != shape:
                        g = g.reshape(shape)
        for layer in layers:
            layer._after_backward()
        grads = {key: node._grad if node._grad is not None else np.zeros_like(node._data) for key, node in nodes.items()}
        return float(loss), grads

    def _forget_gradients(self, layers: Any) -> None:
        """Let go of the last step's gradients, in the nodes and in the layers (dW, db, …), before new
        ones are computed: their memory is then free for the new ones (a fresh 313 kB for dW1 would
        not be in the cache)."""
        for node in self._param_nodes.values():
            node._grad = None
        for layer in layers:
            layer._after_backward()  # copies the nodes' gradients, None now, to the layers

    def gradient(self, x: ArrayLike, t: ArrayLike) -> dict[str, NDArray[Any]]:
        """Gradients of the loss for every parameter, by backpropagation (a dict like ``params``)."""
        return self.loss_and_gradient(x, t)[1]

    def numerical_gradient(self, x: ArrayLike, t: ArrayLike) -> dict[str, NDArray[Any]]:
        """The same gradients by central differences (slow: two losses per parameter element).

        The losses are taken in training mode (``train_flg=True``), as the
        textbook's MultiLayerNetExtend does.
        """
        loss_W = lambda W: self.loss(x, t, train_flg=True)  # noqa: E731 (the textbook's spelling)
        self._sync_params()
        return {key: numerical_gradient(loss_W, self.params[key]) for key in self.params}

    # -- checkpoints ------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write ``params`` to an .npz file (atomically); returns the path."""
        return save_params(self.params, path)

    def load(self, path: str | os.PathLike[str]) -> Self:
        """Copy the parameters saved at ``path`` into ``params`` in place (names and shapes checked)."""
        self._sync_params()
        load_params(path, into=self.params)
        return self

    def save_params(self, file_name: str = "params.pkl") -> None:
        """The textbook's name for ``save``: ``params`` to ``file_name`` as an .npz archive (never a pickle).

        The file is written at exactly ``file_name``, whatever its suffix, so
        the textbook's "params.pkl" works; ``load_params`` reads it back.
        """
        return self.save(file_name)

    def load_params(self, file_name: str = "params.pkl") -> Self:
        """The textbook's name for ``load``: copy a ``save_params`` file into ``params`` (names and shapes checked)."""
        return self.load(file_name)

    def _require_classifier(self, what: Any) -> Any:
        if not self.is_classifier:
            raise TypeError(
                f"{type(self).__name__}.{what} is for classification (a SoftmaxWithLoss last layer); this "
                f"network ends in {type(self.lastLayer).__name__}, so use loss(x, t) to measure it"
            )


class MLP(Network):
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

    def __init__(self, sizes: Sequence[int], activation: str = "relu", output: str = "softmax",
                 weight_init: float | str | None = None, *, seed: int | None = None) -> None:
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

    def __repr__(self) -> str:
        shape = " → ".join(str(n) for n in self.sizes)
        return f"{type(self).__name__}({shape}, activation={self.activation!r}, output={self.output!r})"


class TwoLayerNet(MLP):
    """The textbook's network: Affine1 → Relu1 → Affine2, then SoftmaxWithLoss.

    W1 (input_size, hidden_size) and W2 (hidden_size, output_size) are drawn
    as weight_init_std · N(0, 1), b1 and b2 start at 0.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, weight_init_std: float = 0.01, *,
                 seed: int | None = None) -> None:
        super().__init__([input_size, hidden_size, output_size], "relu", "softmax", weight_init_std, seed=seed)


class MultiLayerNet(Network):
    """The textbook's fully connected network (common/multi_layer_net.py).

    Affine1 → Activation_function1 → … → Affine(L+1) → SoftmaxWithLoss, with
    ``hidden_size_list`` the widths of the L hidden layers. ``activation`` is
    'relu' or 'sigmoid'; ``weight_init_std`` is 'relu'/'he' (σ = √(2/n)),
    'sigmoid'/'xavier' (σ = √(1/n)), n the inputs of the layer, or a number;
    weights are σ · np.random.randn (NumPy's global generator), biases 0.
    ``weight_decay_lambda`` adds ½·λ·Σ‖W‖² to the loss (λ·W to the gradient).
    """

    def __init__(self, input_size: int, hidden_size_list: Sequence[int], output_size: int, activation: str = "relu",
                 weight_init_std: float | str = "relu", weight_decay_lambda: float = 0) -> None:
        owner = type(self).__name__
        sizes = _check_sizes([input_size, *_as_list(hidden_size_list, owner), output_size], owner)
        activation_layer = _activation(activation, owner)
        self.input_size, self.output_size = sizes[0], sizes[-1]
        self.hidden_size_list = sizes[1:-1]
        self.hidden_layer_num = len(self.hidden_size_list)
        self.activation, self.weight_init_std = activation, weight_init_std
        layers: OrderedDict[str, Layer] = OrderedDict()
        for idx, (inputs, outputs) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            layers[f"Affine{idx}"] = _textbook_affine(inputs, outputs, weight_init_std, owner)
            if idx < len(sizes) - 1:
                self._hidden_extras(layers, idx, outputs)
                layers[f"Activation_function{idx}"] = activation_layer()
                self._after_activation(layers, idx)
        super().__init__(layers, SoftmaxWithLoss(), weight_decay_lambda=weight_decay_lambda)

    def _hidden_extras(self, layers: Any, idx: Any, width: Any) -> None:
        """Hook: layers between an Affine and its activation (batch normalization)."""

    def _after_activation(self, layers: Any, idx: Any) -> None:
        """Hook: layers after an activation (dropout)."""

    def __repr__(self) -> str:
        shape = " → ".join(str(n) for n in [self.input_size, *self.hidden_size_list, self.output_size])
        return f"{type(self).__name__}({shape}, activation={self.activation!r})"


class MultiLayerNetExtend(MultiLayerNet):
    """MultiLayerNet with batch normalization and dropout (common/multi_layer_net_extend.py).

    ``use_batchnorm`` puts BatchNorm{idx} (γ = 1, β = 0; params gamma{idx},
    beta{idx}) between each hidden Affine and its activation; ``use_dropout``
    puts Dropout{idx} (ratio ``dropout_ration``, the textbook's spelling)
    after each hidden activation. ``predict``/``loss`` take ``train_flg``
    (False by default); ``gradient`` trains (True).
    """

    def __init__(self, input_size: int, hidden_size_list: Sequence[int], output_size: int, activation: str = "relu",
                 weight_init_std: float | str = "relu", weight_decay_lambda: float = 0, use_dropout: bool = False,
                 dropout_ration: float = 0.5, use_batchnorm: bool = False) -> None:
        self.use_dropout, self.dropout_ration, self.use_batchnorm = bool(use_dropout), dropout_ration, bool(use_batchnorm)
        super().__init__(input_size, hidden_size_list, output_size, activation, weight_init_std, weight_decay_lambda)

    def _hidden_extras(self, layers: Any, idx: Any, width: Any) -> None:
        if self.use_batchnorm:
            layers[f"BatchNorm{idx}"] = BatchNormalization(np.ones(width), np.zeros(width))

    def _after_activation(self, layers: Any, idx: Any) -> None:
        if self.use_dropout:
            layers[f"Dropout{idx}"] = Dropout(self.dropout_ration)

    def predict(  # type: ignore[override]  # the textbook's order: train_flg second
            self, x: ArrayLike, train_flg: bool = False, batch_size: int | None = None) -> NDArray[Any]:
        """Scores for ``x``; ``train_flg=True`` runs dropout and batch normalization as in training."""
        return super().predict(x, batch_size, train_flg=train_flg)


class SimpleConvNet(Network):
    """The textbook's convolutional network (ch07/simple_convnet.py).

    Conv1 → Relu1 → Pool1 (2×2, stride 2) → Affine1 → Relu2 → Affine2 →
    SoftmaxWithLoss, on inputs of shape ``(N, *input_dim)``. ``conv_param`` has
    filter_num, filter_size, pad and stride. Weights are
    weight_init_std · np.random.randn, biases 0; params W1, b1 (the filters),
    W2, b2, W3, b3. ``accuracy`` predicts 100 images at a time.
    """

    predict_batch_size = 100

    def __init__(self, input_dim: tuple[int, int, int] = (1, 28, 28), conv_param: dict[str, int] | None = None,
                 hidden_size: int = 100, output_size: int = 10, weight_init_std: float = 0.01) -> None:
        owner = type(self).__name__
        conv_param = _conv_param(conv_param, {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}, owner)
        channels, height, width = _input_dim(input_dim, owner)
        filters, size = conv_param["filter_num"], conv_param["filter_size"]
        out_h, out_w = autograd.conv_output_size((1, channels, height, width), size, size, conv_param["stride"],
                                                 conv_param["pad"], owner=f"{owner} Conv1")
        pool_h, pool_w = autograd.conv_output_size((1, filters, out_h, out_w), 2, 2, 2, 0, owner=f"{owner} Pool1",
                                                   what="pool")
        std = _weight_scale(weight_init_std, 1, owner)
        self.input_dim, self.conv_param = (channels, height, width), conv_param
        layers: OrderedDict[str, Layer] = OrderedDict()
        layers["Conv1"] = Convolution(std * np.random.randn(filters, channels, size, size), np.zeros(filters),
                                      conv_param["stride"], conv_param["pad"])
        layers["Relu1"] = Relu()
        layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        layers["Affine1"] = Affine(std * np.random.randn(filters * pool_h * pool_w, hidden_size), np.zeros(hidden_size))
        layers["Relu2"] = Relu()
        layers["Affine2"] = Affine(std * np.random.randn(hidden_size, output_size), np.zeros(output_size))
        super().__init__(layers, SoftmaxWithLoss())
        self._sample_shape = (channels, height, width)


class DeepConvNet(Network):
    """The textbook's deep network of chapter 8 (ch08/deep_convnet.py), above 99 % on MNIST.

    (conv → relu → conv → relu → pool) × 3 → affine → relu → dropout →
    affine → dropout → softmax, with 3×3 filters (16, 16, 32, 32, 64, 64),
    He initialization (σ = √(2/inputs per unit)), params W1…W8. ``layers`` is
    a list, as in the textbook; ``loss`` runs in training mode by default
    (the textbook's choice), ``predict`` and ``accuracy`` in inference mode.
    """

    layers: list[Layer]  # type: ignore[assignment]  # a list, as in the textbook (Network keeps a dict by name)

    predict_batch_size = 100

    def __init__(self, input_dim: tuple[int, int, int] = (1, 28, 28), conv_param_1: dict[str, int] | None = None,
                 conv_param_2: dict[str, int] | None = None, conv_param_3: dict[str, int] | None = None,
                 conv_param_4: dict[str, int] | None = None, conv_param_5: dict[str, int] | None = None,
                 conv_param_6: dict[str, int] | None = None, hidden_size: int = 50, output_size: int = 10) -> None:
        owner = type(self).__name__
        defaults = [(16, 1), (16, 1), (32, 1), (32, 2), (64, 1), (64, 1)]
        given = [conv_param_1, conv_param_2, conv_param_3, conv_param_4, conv_param_5, conv_param_6]
        convs = [_conv_param(p, {"filter_num": n, "filter_size": 3, "pad": pad, "stride": 1}, owner)
                 for p, (n, pad) in zip(given, defaults)]
        channels, height, width = _input_dim(input_dim, owner)
        layers, shape, inputs_per_unit = [], (1, channels, height, width), []
        for k, conv in enumerate(convs):
            filters, size = conv["filter_num"], conv["filter_size"]
            inputs_per_unit.append(shape[1] * size * size)
            scale = np.sqrt(2.0 / inputs_per_unit[-1])
            out = autograd.conv_output_size(shape, size, size, conv["stride"], conv["pad"], owner=f"{owner} conv {k + 1}")
            layers += [Convolution(scale * np.random.randn(filters, shape[1], size, size), np.zeros(filters),
                                   conv["stride"], conv["pad"]), Relu()]
            shape = (1, filters, *out)
            if k % 2 == 1:
                out = autograd.conv_output_size(shape, 2, 2, 2, 0, owner=f"{owner} pool {k // 2 + 1}", what="pool")
                layers.append(Pooling(pool_h=2, pool_w=2, stride=2))
                shape = (1, filters, *out)
        flat = int(np.prod(shape[1:]))
        layers += [Affine(np.sqrt(2.0 / flat) * np.random.randn(flat, hidden_size), np.zeros(hidden_size)), Relu(),
                   Dropout(0.5),
                   Affine(np.sqrt(2.0 / hidden_size) * np.random.randn(hidden_size, output_size), np.zeros(output_size)),
                   Dropout(0.5)]
        super().__init__(layers, SoftmaxWithLoss())
        self._sample_shape = (channels, height, width)
        self.layers = list(self.layers.values())  # type: ignore[attr-defined]  # Network.__init__ made it a dict

    def predict(  # type: ignore[override]  # the textbook's order: train_flg second
            self, x: ArrayLike, train_flg: bool = False, batch_size: int | None = None) -> NDArray[Any]:
        """Scores for ``x``; ``train_flg=True`` applies dropout."""
        return super().predict(x, batch_size, train_flg=train_flg)

    def loss(self, x: ArrayLike, t: ArrayLike, train_flg: bool = True) -> float:
        return super().loss(x, t, train_flg=train_flg)


def _as_list(sizes: Any, owner: Any) -> Any:
    try:
        return list(sizes)
    except TypeError:
        raise TypeError(f"{owner}: hidden_size_list must be a list of widths such as [100, 100], got {sizes!r}") from None


def _activation(name: Any, owner: Any) -> Any:
    layers = {"relu": Relu, "sigmoid": Sigmoid}
    if name not in layers:
        raise ValueError(f"{owner}: activation must be one of {list(layers)}, got {name!r}")
    return layers[name]


def _textbook_affine(inputs: Any, outputs: Any, weight_init_std: Any, owner: Any) -> Any:
    if weight_init_std in ("relu", "he"):
        scale = np.sqrt(2.0 / inputs)
    elif weight_init_std in ("sigmoid", "xavier"):
        scale = np.sqrt(1.0 / inputs)
    else:
        try:
            scale = _weight_scale(weight_init_std, inputs, owner)
        except ValueError:
            raise ValueError(
                f"{owner}: weight_init_std must be 'relu', 'he', 'sigmoid', 'xavier' or a standard deviation ≥ 0, "
                f"got {weight_init_std!r}"
            ) from None
    return Affine(scale * np.random.randn(inputs, outputs), np.zeros(outputs))


def _conv_param(given: Any, defaults: Any, owner: Any) -> Any:
    if given is None:
        return dict(defaults)
    if not isinstance(given, Mapping):
        raise TypeError(f"{owner}: a conv_param is a dict with keys {list(defaults)}, got {type(given).__name__}")
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ValueError(f"{owner}: unknown conv_param key(s) {unknown}; the keys are {list(defaults)}")
    merged = {**defaults, **given}
    for key, value in merged.items():
        low = 0 if key == "pad" else 1
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"{owner}: conv_param[{key!r}] must be an integer ≥ {low}, got {value!r}")
    return {key: int(value) for key, value in merged.items()}


def _input_dim(input_dim: Any, owner: Any) -> Any:
    try:
        dims = tuple(int(d) for d in input_dim)
    except (TypeError, ValueError):
        dims = ()
    if len(dims) != 3 or min(dims) < 1:
        raise ValueError(f"{owner}: input_dim must be (channels, height, width) such as (1, 28, 28), got {input_dim!r}")
    return dims


def _check_sizes(sizes: Any, owner: Any) -> Any:
    try:
        sizes = list(sizes)
    except TypeError:
        raise TypeError(f"{owner}: sizes must be a list of layer widths such as [784, 50, 10], got {sizes!r}") from None
    if len(sizes) < 2 or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and n > 0 for n in sizes):  # type: ignore[operator]  # ints: numbers.Integral has no hints for >
        raise ValueError(
            f"{owner}: sizes must list at least two positive integers (inputs first, outputs last), "
            f"such as [784, 50, 10]; got {sizes!r}"
        )
    return [int(n) for n in sizes]


def _weight_scale(weight_init: Any, inputs: Any, owner: Any) -> Any:
    if weight_init == "he":
        return np.sqrt(2.0 / inputs)
    if weight_init == "xavier":
        return np.sqrt(1.0 / inputs)
    if isinstance(weight_init, numbers.Real) and not isinstance(weight_init, bool) and 0 <= weight_init < np.inf:  # type: ignore[operator]  # a number: numbers.Real has no hints for <=
        return float(weight_init)
    raise ValueError(f"{owner}: weight_init must be 'he', 'xavier' or a standard deviation ≥ 0, got {weight_init!r}")


def _check_batch_size(batch_size: Any, owner: Any) -> Any:
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"{owner}: batch_size must be a positive integer (rows at a time), got {batch_size!r}")
    return int(batch_size)


def _as_input(x: Any, what: Any, network: Network | None = None) -> Any:
    if isinstance(x, Node):
        raise TypeError(
            f"{what} takes NumPy arrays; to record on autograd nodes call the network itself: network(x, t)"
        )
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{what}: inputs must be numbers, got dtype {x.dtype}")
    sample = None if network is None else network._sample_shape
    if sample is not None and x.ndim == 4 and x.shape[1:] != sample:
        raise ValueError(
            f"{type(network).__name__}.{what}: images of shape {x.shape[1:]} (input {x.shape}), but the network "
            f"was built for input_dim {sample}; give (N, {', '.join(map(str, sample))}) or build it with "
            f"input_dim={x.shape[1:]}"
        )
    return x


def _as_target(t: Any) -> Any:
    return t.data if isinstance(t, Node) else np.asarray(t)


def _data(value: Any) -> Any:
    return value.data if isinstance(value, Node) else value


def _accuracy(scores: Any, t: Any) -> Any:
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
