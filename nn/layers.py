"""The textbook's layers, built on the autograd engine.

Every layer speaks two protocols:

* **autograd**: call it on nodes, ``y = layer(x)``; the operations are
  recorded in a group named after the layer (``"Affine1"``, ``"Relu1"``…),
  so the visualizer can draw the layer as one box or open it up.
* **the textbook's**: ``forward(...)`` on NumPy arrays (or numbers) returns
  an array, ``backward(dout)`` returns the gradient for the input (``(dx,
  dy)`` for the two-input layers), and ``Affine`` keeps ``dW`` and ``db``.
  Behind it, ``forward`` records a small graph whose inputs are leaves, and
  ``backward`` runs the engine over it; a layer that is one primitive
  (Affine, Relu, fused Sigmoid and SoftmaxWithLoss) records nothing and
  calls that primitive's VJPs from the op table instead, for speed. No
  derivative here is written by hand.

Weights are laid out as in the textbook: ``Y = X·W + B`` with X of shape
(N, inputs), W (inputs, outputs) and B (outputs,). ``Affine(W, b)`` keeps the
caller's arrays without copying them, so updating them in place
(``params["W1"] -= lr * grads["W1"]``) updates the layer.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

import autograd
from autograd import Node, Tensor, Value, ops
from autograd.edits import guard, verify
from autograd.engine import own_gradient

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from autograd.ops import Primitive
    from autograd.typing import Checksum, Operand

    # A one-primitive layer's last forward (``Layer._fast``): primitive, args, params, out, needed, shape, kept.
    _Fast = tuple[Primitive, tuple[Any, ...], dict[str, Any], Any, tuple[int, ...], tuple[int, ...],
                  tuple[tuple[int, Checksum], ...] | None]

__all__ = [
    "Layer", "Affine", "Relu", "Sigmoid", "SoftmaxWithLoss", "IdentityWithLoss", "MulLayer", "AddLayer",
    "Dropout", "BatchNormalization", "Convolution", "Pooling",
]


def _shape_of(x: Any) -> Any:
    return np.shape(x.data if isinstance(x, Node) else x)


def _rebind(node: Any, value: Any, what: Any) -> Any:
    """Let ``node`` compute with ``value`` from now on (shared, not copied, when it is a float array).

    The shape must stay; a network holding the layer picks the new array up
    in its ``params`` at its next call.
    """
    if isinstance(value, Node):
        value = value.data
    array = value if isinstance(value, np.ndarray) and value.dtype.kind == "f" else None
    if array is None:
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{what}: needs an array of numbers, got dtype {array.dtype}")
        array = array.astype(np.float64)
    if array.shape != node.data.shape:
        raise ValueError(
            f"{what}: the new array has shape {array.shape} but the layer was built for shape {node.data.shape}; "
            f"build a new layer to change its size"
        )
    node.data = array


def _parameter(node_attribute: Any, short: Any, doc: Any) -> Any:
    """A property reading a parameter node's array and rebinding it on assignment (see ``_rebind``)."""
    def read(self: Any) -> Any:
        return getattr(self, node_attribute).data

    def write(self: Any, value: Any) -> None:
        _rebind(getattr(self, node_attribute), value, f"{self.name}.{short}")

    return property(read, write, doc=doc)


class Layer:
    """What every layer shares: a name, the graph-recording call, and forward/backward.

    Subclasses implement ``build(*inputs)`` with autograd operations; it must
    work on nodes and on plain arrays (constants), so the same code serves
    ``layer(x)``, ``layer.forward(x)`` and the networks' fast path.
    """

    def __init__(self, name: str | None = None) -> None:
        if name is not None and (not isinstance(name, str) or not name):
            raise TypeError(f"{type(self).__name__}: name must be a non-empty string, got {name!r}")
        self.name = name or type(self).__name__
        self._leaves: tuple[Node, ...] | None = None  # the inputs of the last forward(), as leaf nodes
        self._output: Node | None = None  # the node forward() produced
        self._fast: _Fast | None = None  # or, for a one-primitive layer on float arrays: (primitive, args, params, out, needed, shape, kept)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    # -- autograd protocol ---------------------------------------------------

    def __call__(self, *inputs: Any, **options: Any) -> Any:
        """Record the layer on autograd nodes, grouped under the layer's name."""
        with autograd.group(self.name):
            return self.build(*inputs, **options)

    def build(self, *inputs: Any, **options: Any) -> Any:  # pragma: no cover - every layer overrides it
        raise NotImplementedError

    def parameters(self) -> dict[str, Tensor]:
        """The layer's parameter nodes by short name ({'W': …, 'b': …}); empty for most layers."""
        return {}

    # -- textbook protocol ---------------------------------------------------

    def forward(self, *inputs: Any, **options: Any) -> Any:
        """Compute the layer on arrays or numbers and remember it for ``backward``.

        Keyword options (``train_flg`` for Dropout and BatchNormalization)
        go to the layer, not into the graph.
        """
        if not options:
            out = self._forward_single(inputs)
            if out is not None:
                return out
        self._fast = None
        self._leaves = tuple(self._leaf(value, position) for position, value in enumerate(inputs))
        self._output = self(*self._leaves, **options)
        return self._output.data

    def _single(self, *inputs: Any) -> Any:
        """For a layer that is one primitive: (primitive, args, params, input indices needing gradients, x's shape).

        Returned only for float-array inputs that pass the layer's checks;
        None sends ``forward`` down the recording path.
        """
        return None

    def _forward_single(self, inputs: Any) -> Any:
        """The textbook protocol's fast path: the primitive's forward now, its VJPs in ``backward``.

        Nothing is recorded: a layer that is one primitive needs no graph, and
        the derivative still comes from the op table (the VJPs the engine
        would call). This is what keeps per-call overhead near NumPy's.
        """
        single = self._single(*inputs)
        if single is None:
            return None
        primitive, args, params, needed, shape = single
        try:
            out = primitive.forward(*args, **params)
        except ValueError as error:
            raise ValueError(f"{self.name}: {str(error).removeprefix(primitive.name + ': ')}") from None
        kept = guard(primitive, args, out, needed)  # what the VJPs will read, so backward can tell if it changed
        self._fast = (primitive, args, params, out, needed, shape, kept)
        self._leaves = self._output = None
        return out

    def backward(self, dout: float = 1.0) -> Any:
        """The gradient of the loss for each input, given ``dout`` for the output.

        Returns one array for a one-input layer, a tuple for two inputs.
        Calling it twice after one ``forward`` gives the same answer twice.
        """
        fast = self._fast
        out = fast[3] if fast is not None else self._output_data("backward")
        if (dout.shape if dout.__class__ is np.ndarray else np.shape(dout)) != (
                out.shape if out.__class__ is np.ndarray else np.shape(out)):
            raise ValueError(
                f"{self.name}.backward: dout has shape {np.shape(dout)} but forward returned shape "
                f"{np.shape(out)}; pass the gradient of the loss with respect to this layer's output"
            )
        if fast is not None:
            primitive, args, params, out, needed, shape, kept = fast
            if kept is None or kept:
                verify(primitive, args, out, kept, f"{self.name}.backward")
            if dout.__class__ is not np.ndarray:
                dout = float(dout) if np.ndim(dout) == 0 else np.asarray(dout, dtype=np.float64)
            vjps = primitive.vjps
            # Each gradient its own array: a VJP may pass dout on (affine's db for one sample).
            grads = [own_gradient(vjps[i](dout, out, *args, **params), dout) for i in needed]
            self._after_single(grads)
            dx = grads[0]
            return dx.reshape(shape) if (dx.shape if dx.__class__ is np.ndarray else np.shape(dx)) != shape else dx
        # Not the fast path, so forward() recorded: _leaves and _output are set.
        autograd.zero_grad(self._leaves, self.parameters().values())  # type: ignore[arg-type]  # set (above)
        self._output.backward(dout)  # type: ignore[union-attr]  # set (above)
        self._after_backward()
        grads = tuple(self._grad_of(leaf) for leaf in self._leaves)  # type: ignore[union-attr]  # set (above)
        return grads[0] if len(grads) == 1 else grads

    def _after_backward(self) -> None:
        """Hook: copy parameter gradients to the textbook's attributes."""

    def _after_single(self, grads: Any) -> None:
        """Hook for the fast path: ``grads`` follows ``needed`` of ``_single``."""

    def _require_forward(self, what: Any) -> Any:
        if self._output is None and self._fast is None:
            raise RuntimeError(f"{self.name}.{what}() called before forward(); run forward on this layer first")

    def _input_data(self, what: Any) -> Any:
        """The first input of the last forward, as an array."""
        self._require_forward(what)
        return self._fast[1][0] if self._fast is not None else self._leaves[0].data  # type: ignore[index]  # forward() ran

    def _output_data(self, what: Any) -> Any:
        """The output of the last forward, as an array."""
        self._require_forward(what)
        return self._fast[3] if self._fast is not None else self._output.data  # type: ignore[union-attr]  # forward() ran

    def _leaf(self, value: Any, position: Any) -> Any:
        if isinstance(value, Node):
            raise TypeError(
                f"{self.name}.forward takes NumPy arrays or numbers (the textbook's protocol), got a "
                f"{type(value).__name__} as input {position}; to record on autograd nodes call the "
                f"layer instead: {self.name.lower()}(x)"
            )
        if isinstance(value, numbers.Real) and not isinstance(value, np.ndarray):
            return Value(float(value))
        try:
            return Tensor(value)
        except TypeError as error:
            raise TypeError(f"{self.name}.forward: input {position}: {error}") from None

    @staticmethod
    def _grad_of(leaf: Any) -> Any:
        if leaf.grad is not None:
            return leaf.grad
        return 0.0 if isinstance(leaf, Value) else np.zeros_like(leaf.data)


class Affine(Layer):
    """Y = X·W + B.  X (N, inputs) or (inputs,), W (inputs, outputs), B (outputs,).

    Backward (by the engine): dX = dY·Wᵀ, dW = Xᵀ·dY, dB = Σ over the batch of dY.
    Inputs with more than two axes (images) are flattened to (N, -1) first,
    and dX comes back in the input's shape. ``W`` and ``b`` are the caller's
    arrays (float arrays are shared, not copied).
    """

    def __init__(self, W: ArrayLike, b: ArrayLike, name: str | None = None) -> None:
        super().__init__(name)
        W = np.asarray(W) if not isinstance(W, np.ndarray) else W
        b = np.asarray(b) if not isinstance(b, np.ndarray) else b
        if W.ndim != 2:
            raise ValueError(f"{self.name}: W must be a 2-D array of shape (inputs, outputs), got shape {W.shape}")
        if b.shape != (W.shape[1],):
            raise ValueError(
                f"{self.name}: b must have shape ({W.shape[1]},), one bias per output of W {W.shape}, "
                f"got shape {b.shape}"
            )
        self.weight = Tensor(W, name="W")
        self.bias = Tensor(b, name="b")
        self.dW = None
        self.db = None

    def __repr__(self) -> str:
        inputs, outputs = self.weight.data.shape
        return f"Affine(inputs={inputs}, outputs={outputs}, name={self.name!r})"

    W = _parameter("weight", "W", "The weight array (shared with whoever passed it in); assigning one of the same shape rebinds it.")
    b = _parameter("bias", "b", "The bias array (shared with whoever passed it in); assigning one of the same shape rebinds it.")

    def parameters(self) -> dict[str, Tensor]:
        return {"W": self.weight, "b": self.bias}

    def build(self, x: Operand) -> Any:
        return ops.affine(self._flat(x), self.weight, self.bias)

    def _single(self, x: Any) -> Any:
        if type(x) is not np.ndarray or x.dtype.kind != "f":
            return None
        W = self.weight._data
        flat = x if x.ndim == 2 and x.shape[1] == W.shape[0] else self._flat(x)  # rows that fit need no checks
        return ops.affine, (flat, W, self.bias._data), {}, (0, 1, 2), x.shape

    def _after_single(self, grads: Any) -> None:
        self.dW, self.db = grads[1], grads[2]

    def _flat(self, x: Any) -> Any:
        """x as rows of features (images flattened to (N, −1)), checked against W."""
        shape = x.shape if x.__class__ is np.ndarray else _shape_of(x)
        inputs = self.weight.data.shape[0]
        if len(shape) > 2:
            x = x.reshape((shape[0], -1))
            shape = (shape[0], int(np.prod(shape[1:])))
        if len(shape) == 0 or shape[-1] != inputs:
            raise ValueError(
                f"{self.name}: input of shape {shape} has {shape[-1] if shape else 'no'} features per sample, "
                f"but W has shape {self.weight.data.shape}, so it expects {inputs}; give the input shape "
                f"(N, {inputs}) or build the layer with W of shape ({shape[-1] if shape else '?'}, outputs)"
            )
        return x

    def _after_backward(self) -> None:
        self.dW = self.weight._grad
        self.db = self.bias._grad


class Relu(Layer):
    """y = max(x, 0).  Backward passes dout where x > 0 and 0 elsewhere."""

    def build(self, x: Operand) -> Any:
        return ops.relu(x)

    def _single(self, x: Any) -> Any:
        if type(x) is not np.ndarray or x.dtype.kind != "f":
            return None
        return ops.relu, (x,), {}, (0,), x.shape

    @property
    def mask(self) -> Any:
        """The textbook's mask from the last forward: True where x ≤ 0 (no gradient passes)."""
        return self._input_data("mask") <= 0


class Sigmoid(Layer):
    """y = 1 / (1 + e^−x).  Backward: dout · y(1 − y).

    ``fused=False`` records the textbook's four nodes (× −1, exp, + 1, 1/x)
    instead of one; the gradient is the same.
    """

    def __init__(self, name: str | None = None, fused: bool = True) -> None:
        super().__init__(name)
        self.fused = bool(fused)

    def build(self, x: Operand) -> Any:
        return autograd.sigmoid(x, fused=self.fused)

    def _single(self, x: Any) -> Any:
        if not self.fused or type(x) is not np.ndarray or x.dtype.kind != "f":
            return None
        return ops.sigmoid, (x,), {}, (0,), x.shape

    @property
    def out(self) -> Any:
        """The output of the last forward (the textbook keeps it for backward)."""
        return self._output_data("out")


class _LossLayer(Layer):
    """A last layer: ``forward(x, t)`` returns the loss as a float, ``backward(dout=1)`` dx."""

    t: ArrayLike | None  # the targets of the last forward

    def forward(self, x: ArrayLike, t: ArrayLike) -> Any:
        """The loss for scores (or predictions) ``x`` and targets ``t``, as a float."""
        if isinstance(t, Node):
            t = t.data
        self.t = t
        out = self._forward_single((x, t))
        if out is not None:
            return float(out)
        self._fast = None
        self._leaves = (self._leaf(x, 0),)
        self._output = self(self._leaves[0], t)
        return float(self._output.data)

    def __call__(self, x: Operand, t: ArrayLike | None) -> Any:
        with autograd.group(self.name):
            return self.build(x, t)

    @property
    def loss(self) -> float:
        """The loss of the last forward."""
        return float(self._output_data("loss"))


def _index_column(t: Any, scores_shape: Any) -> Any:
    """Class indices given as a column (N, 1) for scores (N, C), C > 1 (the textbook's ch07 gradient check), as (N,)."""
    if len(scores_shape) >= 2 and scores_shape[-1] > 1 and t.shape == tuple(scores_shape[:-1]) + (1,):
        return t.reshape(t.shape[:-1])
    return t


class SoftmaxWithLoss(_LossLayer):
    """Softmax, then cross-entropy: L = −(1/N) Σₙ Σₖ tₙₖ log yₙₖ, y = softmax(x) by rows.

    Labels are one-hot (shape of x) or class indices (shape (N,)); a 1-D x is
    a batch of one. The largest score is subtracted before exponentiating, so
    scores of ±1000 give finite losses. Backward: dx = (y − t) / N.
    ``fused=False`` records the composition of primitives (log_softmax,
    product with the labels, sum) instead of one node.
    """

    def __init__(self, name: str | None = None, fused: bool = True) -> None:
        super().__init__(name)
        self.fused = bool(fused)
        self.t = None

    def build(self, x: Operand, t: Operand) -> Any:
        if isinstance(t, Node):
            t_data = t.data
        else:
            t_data = t = _index_column(np.asarray(t), _shape_of(x))
            if t.dtype.kind not in "biuf":
                raise TypeError(f"{self.name}: labels must be numbers (one-hot or class indices), got dtype {t.dtype}")
        try:
            if self.fused:
                return ops.softmax_cross_entropy(x, t)
            return self._composite(x, t, t_data)
        except ValueError as error:
            message = str(error).removeprefix("softmax_cross_entropy: ")
            raise ValueError(f"{self.name}: {message}") from None

    def _single(self, x: Any, t: Any) -> Any:
        if not self.fused or type(x) is not np.ndarray or x.dtype.kind != "f":
            return None
        t = _index_column(np.asarray(t), x.shape)
        if t.dtype.kind not in "biuf":
            return None  # the recording path explains it
        return ops.softmax_cross_entropy, (x, t), {}, (0,), x.shape

    @staticmethod
    def _composite(x: Any, t: Any, t_data: Any) -> Any:
        shape = _shape_of(x)
        if t_data.shape != shape:
            # Class indices: let the fused primitive's checks speak, then one-hot them.
            ops.softmax_cross_entropy(np.zeros(shape), t_data)
            rows = int(np.prod(shape[:-1]))
            one_hot = np.zeros((rows, shape[-1]))
            one_hot[np.arange(rows), t_data.reshape(-1).astype(np.intp)] = 1.0
            t = one_hot.reshape(shape)
        rows = int(np.prod(shape[:-1]))
        return -(t * ops.log_softmax(x, axis=-1)).sum() * (1.0 / rows)

    @property
    def y(self) -> Any:
        """softmax of the last forward's scores."""
        return ops.softmax(self._input_data("y"), axis=-1)


class IdentityWithLoss(_LossLayer):
    """Identity output with the sum-of-squares error, for regression.

    L = (1/N) Σₙ ½‖yₙ − tₙ‖², N rows (a 1-D y is one row); backward:
    dy = (y − t) / N. With one output this is the reference notebook's
    ½(ŷ − y)² averaged over the batch. Targets of shape (N,) are accepted for
    predictions of shape (N, 1).
    """

    def build(self, y: Operand, t: Operand) -> Any:
        if not isinstance(t, Node):
            t = np.asarray(t)
            if t.dtype.kind not in "biuf":
                raise TypeError(f"{self.name}: targets must be numbers, got dtype {t.dtype}")
        shape = _shape_of(y)
        t_shape = _shape_of(t)
        if t_shape != shape:
            if len(shape) == 2 and shape[1] == 1 and t_shape == shape[:1]:
                t = t.reshape(shape)  # type: ignore[union-attr]  # of shape (N,): a Tensor or an array
            else:
                raise ValueError(
                    f"{self.name}: targets of shape {t_shape} do not match predictions of shape {shape}; "
                    f"give targets of shape {shape}"
                )
        rows = shape[0] if len(shape) > 1 else 1
        difference = y - t
        squares = difference * difference
        if not isinstance(squares, Value):  # a Value is one prediction, its own sum
            squares = squares.sum()  # type: ignore[union-attr]  # a Tensor or an array
        return squares * (0.5 / rows)

    @property
    def y(self) -> Any:
        """The predictions of the last forward (the identity of the input)."""
        return self._input_data("y")


class MulLayer(Layer):
    """z = x · y (elementwise, broadcasting).  Backward: (dout · y, dout · x), the inputs swapped."""

    def build(self, x: Operand, y: Operand) -> Any:
        return x * y


class AddLayer(Layer):
    """z = x + y (elementwise, broadcasting).  Backward: (dout, dout), summed back to each input's shape."""

    def build(self, x: Operand, y: Operand) -> Any:
        return x + y


def _check_train_flg(train_flg: Any, owner: Any) -> Any:
    if not isinstance(train_flg, (bool, np.bool_)):
        raise TypeError(f"{owner}: train_flg must be True (training) or False (inference), got {train_flg!r}")
    return bool(train_flg)


class Dropout(Layer):
    """Drops each input with probability ``dropout_ratio`` while training (the textbook's dropout).

    Training: y = x · mask, mask = (U(0, 1) > dropout_ratio) drawn afresh each
    call from NumPy's global generator (``np.random.seed`` repeats it).
    Inference (``train_flg=False``): y = x · (1 − dropout_ratio), the expected
    value. Backward (by the engine): dout · mask, or dout · (1 − ratio).
    """

    def __init__(self, dropout_ratio: float = 0.5, name: str | None = None) -> None:
        super().__init__(name)
        if isinstance(dropout_ratio, bool) or not isinstance(dropout_ratio, numbers.Real) or not 0 <= dropout_ratio < 1:
            raise ValueError(
                f"{self.name}: dropout_ratio is the probability of dropping an input and must lie in [0, 1), "
                f"got {dropout_ratio!r}"
            )
        self.dropout_ratio: float = float(dropout_ratio)
        self.mask: NDArray[np.bool_] | None = None

    def __repr__(self) -> str:
        return f"Dropout(dropout_ratio={self.dropout_ratio}, name={self.name!r})"

    def forward(self, x: Operand, train_flg: bool = True) -> Any:
        """The textbook's call: ``train_flg`` by position (``layer.forward(x, train_flg)``, as its networks pass it) or by name."""
        return Layer.forward(self, x, train_flg=train_flg)

    def build(self, x: Operand, train_flg: bool = True) -> Any:
        if _check_train_flg(train_flg, self.name):
            self.mask = np.random.rand(*_shape_of(x)) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)


class BatchNormalization(Layer):
    """Batch normalization (Ioffe & Szegedy, 2015) as the textbook computes it.

    Training: per feature over the batch, μ = mean(x), σ² = mean((x − μ)²),
    x̂ = (x − μ) / √(σ² + 10⁻⁶), y = γ·x̂ + β; the running statistics move as
    running = momentum · running + (1 − momentum) · batch statistic.
    Inference (``train_flg=False``): x̂ = (x − running_mean) / √(running_var + 10⁻⁶).
    A 4-D input (N, C, H, W) is normalized as (N, C·H·W), every element its
    own feature (the textbook's choice), so γ and β have C·H·W entries.
    Backward (by the engine) gives dx, dgamma and dbeta.
    """

    eps = 10e-7  # the textbook's constant (= 1e-6)

    def __init__(self, gamma: ArrayLike, beta: ArrayLike, momentum: float = 0.9, running_mean: ArrayLike | None = None,
                 running_var: ArrayLike | None = None, name: str | None = None) -> None:
        super().__init__(name)
        gamma = np.asarray(gamma) if not isinstance(gamma, np.ndarray) else gamma
        beta = np.asarray(beta) if not isinstance(beta, np.ndarray) else beta
        if gamma.ndim != 1 or beta.shape != gamma.shape:
            raise ValueError(
                f"{self.name}: gamma and beta must be 1-D arrays of one value per feature, of the same shape; "
                f"got shapes {gamma.shape} and {beta.shape}"
            )
        if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real) or not 0 <= momentum <= 1:
            raise ValueError(f"{self.name}: momentum must lie in [0, 1], got {momentum!r}")
        self.gamma_node: Tensor = Tensor(gamma, name="gamma")
        self.beta_node: Tensor = Tensor(beta, name="beta")
        self.momentum: float = float(momentum)
        self.running_mean: NDArray[Any] | None = (
            None if running_mean is None else self._statistic(running_mean, "running_mean"))
        self.running_var: NDArray[Any] | None = (
            None if running_var is None else self._statistic(running_var, "running_var"))
        self.input_shape: tuple[int, ...] | None = None
        self.dgamma: NDArray[Any] | None = None
        self.dbeta: NDArray[Any] | None = None

    def _statistic(self, value: Any, what: Any) -> NDArray[Any]:
        array = np.array(value, dtype=np.float64)
        if array.shape != self.gamma_node.data.shape:
            raise ValueError(f"{self.name}: {what} must have shape {self.gamma_node.data.shape} (as gamma), got {array.shape}")
        return array

    def __repr__(self) -> str:
        return f"BatchNormalization(features={self.gamma_node.data.shape[0]}, momentum={self.momentum}, name={self.name!r})"

    forward = Dropout.forward

    gamma = _parameter("gamma_node", "gamma", "The scale array γ (shared with whoever passed it in; assignable).")
    beta = _parameter("beta_node", "beta", "The shift array β (shared with whoever passed it in; assignable).")

    def parameters(self) -> dict[str, Tensor]:
        return {"gamma": self.gamma_node, "beta": self.beta_node}

    def build(self, x: Operand, train_flg: bool = True) -> Any:
        train = _check_train_flg(train_flg, self.name)
        shape = _shape_of(x)
        features = self.gamma_node.data.shape[0]
        if len(shape) not in (2, 4) or int(np.prod(shape[1:])) != features:
            raise ValueError(
                f"{self.name}: input of shape {shape} does not fit gamma of shape ({features},); give (N, {features}) "
                f"or (N, C, H, W) with C·H·W = {features}"
            )
        self.input_shape = shape
        if len(shape) == 4:
            x = x.reshape((shape[0], features))  # type: ignore[union-attr]  # 4-D: a Tensor or an array
        if self.running_mean is None:
            self.running_mean = np.zeros(features)
            self.running_var = np.zeros(features)
        if train:
            if shape[0] < 1:
                raise ValueError(f"{self.name}: the batch is empty (input of shape {shape})")
            mu = autograd.mean(x, axis=0)
            xc = x - mu
            var = autograd.mean(xc * xc, axis=0)
            xn = xc / autograd.sqrt(var + self.eps)
            keep = self.momentum
            self.running_mean = keep * self.running_mean + (1.0 - keep) * _data(mu)
            self.running_var = keep * self.running_var + (1.0 - keep) * _data(var)  # type: ignore[operator]  # set with running_mean
        else:
            xn = (x - self.running_mean) * (1.0 / np.sqrt(self.running_var + self.eps))  # type: ignore[operator]  # set with running_mean
        out = self.gamma_node * xn + self.beta_node
        return out.reshape(shape) if len(shape) == 4 else out

    def _after_backward(self) -> None:
        self.dgamma = self.gamma_node.grad
        self.dbeta = self.beta_node.grad


def _check_stride_pad(stride: Any, pad: Any, owner: Any) -> Any:
    if isinstance(stride, bool) or not isinstance(stride, numbers.Integral) or stride < 1:
        raise ValueError(f"{owner}: stride must be a positive integer, got {stride!r}")
    if isinstance(pad, bool) or not isinstance(pad, numbers.Integral) or pad < 0:
        raise ValueError(f"{owner}: pad must be an integer ≥ 0, got {pad!r}")
    return int(stride), int(pad)


class Convolution(Layer):
    """Convolution (cross-correlation) of NCHW input with filters W (FN, C, FH, FW) and biases b (FN,).

    out[n, f, i, j] = Σ_{c,p,q} x_pad[n, c, i·stride + p, j·stride + q] · W[f, c, p, q] + b[f],
    through ``autograd.conv2d`` (im2col, then one matrix product); the output
    has shape (N, FN, OH, OW) with OH = (H + 2·pad − FH) / stride + 1.
    ``W`` and ``b`` are shared with the caller, as in Affine; a number ``b``
    is the bias of every filter.
    """

    def __init__(self, W: ArrayLike, b: ArrayLike, stride: int = 1, pad: int = 0, name: str | None = None) -> None:
        super().__init__(name)
        W = np.asarray(W) if not isinstance(W, np.ndarray) else W
        b = np.asarray(b) if not isinstance(b, np.ndarray) else b
        if W.ndim != 4:
            raise ValueError(f"{self.name}: W must have shape (filters, channels, height, width), got shape {W.shape}")
        if b.ndim == 0:  # one bias for every filter (the textbook's apply_filter passes b = 0): a new array
            b = np.full(W.shape[0], b, dtype=np.result_type(b, np.float64))
        if b.shape != (W.shape[0],):
            raise ValueError(f"{self.name}: b must have shape ({W.shape[0]},), one bias per filter of W {W.shape}, got {b.shape}")
        stride, pad = _check_stride_pad(stride, pad, self.name)
        self.weight = Tensor(W, name="W")
        self.bias = Tensor(b, name="b")
        self.stride, self.pad = int(stride), int(pad)
        self.dW = None
        self.db = None

    def __repr__(self) -> str:
        filters, channels, height, width = self.weight.data.shape
        return (f"Convolution(filters={filters}, channels={channels}, size={height}×{width}, stride={self.stride}, "
                f"pad={self.pad}, name={self.name!r})")

    W = Affine.W
    b = Affine.b
    parameters = Affine.parameters
    _after_backward = Affine._after_backward

    def build(self, x: Operand) -> Any:
        return _named_errors(self.name, autograd.conv2d, x, self.weight, self.bias, stride=self.stride, pad=self.pad)


class Pooling(Layer):
    """Max pooling: the largest value of every pool_h × pool_w window, per channel, of NCHW input.

    Through ``autograd.max_pool2d``; padding adds zeros, as the textbook's
    im2col does. Backward passes dout to the maximum of each window (tied maxima share it).
    """

    def __init__(self, pool_h: int, pool_w: int, stride: int = 1, pad: int = 0, name: str | None = None) -> None:
        super().__init__(name)
        stride, pad = _check_stride_pad(stride, pad, self.name)
        for what, size in (("pool_h", pool_h), ("pool_w", pool_w)):
            if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
                raise ValueError(f"{self.name}: {what} must be a positive integer, got {size!r}")
        self.pool_h, self.pool_w, self.stride, self.pad = int(pool_h), int(pool_w), int(stride), int(pad)

    def __repr__(self) -> str:
        return (f"Pooling(pool_h={self.pool_h}, pool_w={self.pool_w}, stride={self.stride}, pad={self.pad}, "
                f"name={self.name!r})")

    def build(self, x: Operand) -> Any:
        return _named_errors(self.name, autograd.max_pool2d, x, self.pool_h, self.pool_w, stride=self.stride, pad=self.pad)


def _named_errors(name: Any, function: Any, *args: Any, **options: Any) -> Any:
    """``function(*args, **options)``, its ValueErrors speaking with the layer's name instead of the function's."""
    try:
        return function(*args, **options)
    except ValueError as error:
        raise ValueError(f"{name}: {str(error).removeprefix(function.__name__ + ': ')}") from None


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Node) else x
