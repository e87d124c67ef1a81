"""The textbook's layers, built on the autograd engine.

Every layer speaks two protocols:

* **autograd**: call it on nodes, ``y = layer(x)``; the operations are
  recorded in a group named after the layer (``"Affine1"``, ``"Relu1"``…),
  so the visualizer can draw the layer as one box or open it up.
* **the textbook's**: ``forward(...)`` on NumPy arrays (or numbers) returns
  an array, ``backward(dout)`` returns the gradient for the input (``(dx,
  dy)`` for the two-input layers), and ``Affine`` keeps ``dW`` and ``db``.
  Behind it, ``forward`` records a small graph whose inputs are leaves, and
  ``backward`` runs the engine over it: no derivative here is written by hand.

Weights are laid out as in the textbook: ``Y = X·W + B`` with X of shape
(N, inputs), W (inputs, outputs) and B (outputs,). ``Affine(W, b)`` keeps the
caller's arrays without copying them, so updating them in place
(``params["W1"] -= lr * grads["W1"]``) updates the layer.
"""

import numbers

import numpy as np

import autograd
from autograd import Node, Tensor, Value, ops

__all__ = [
    "Layer", "Affine", "Relu", "Sigmoid", "SoftmaxWithLoss", "IdentityWithLoss", "MulLayer", "AddLayer",
]


def _shape_of(x):
    return np.shape(x.data if isinstance(x, Node) else x)


class Layer:
    """What every layer shares: a name, the graph-recording call, and forward/backward.

    Subclasses implement ``build(*inputs)`` with autograd operations; it must
    work on nodes and on plain arrays (constants), so the same code serves
    ``layer(x)``, ``layer.forward(x)`` and the networks' fast path.
    """

    def __init__(self, name=None):
        if name is not None and (not isinstance(name, str) or not name):
            raise TypeError(f"{type(self).__name__}: name must be a non-empty string, got {name!r}")
        self.name = name or type(self).__name__
        self._leaves = None  # the inputs of the last forward(), as leaf nodes
        self._output = None  # the node forward() produced

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"

    # -- autograd protocol ---------------------------------------------------

    def __call__(self, *inputs):
        """Record the layer on autograd nodes, grouped under the layer's name."""
        with autograd.group(self.name):
            return self.build(*inputs)

    def build(self, *inputs):  # pragma: no cover - every layer overrides it
        raise NotImplementedError

    def parameters(self):
        """The layer's parameter nodes by short name ({'W': …, 'b': …}); empty for most layers."""
        return {}

    # -- textbook protocol ---------------------------------------------------

    def forward(self, *inputs):
        """Compute the layer on arrays or numbers and remember it for ``backward``."""
        self._leaves = tuple(self._leaf(value, position) for position, value in enumerate(inputs))
        self._output = self(*self._leaves)
        return self._output.data

    def backward(self, dout=1.0):
        """The gradient of the loss for each input, given ``dout`` for the output.

        Returns one array for a one-input layer, a tuple for two inputs.
        Calling it twice after one ``forward`` gives the same answer twice.
        """
        out = self._require_forward("backward")
        if np.shape(dout) != np.shape(out.data):
            raise ValueError(
                f"{self.name}.backward: dout has shape {np.shape(dout)} but forward returned shape "
                f"{np.shape(out.data)}; pass the gradient of the loss with respect to this layer's output"
            )
        autograd.zero_grad(self._leaves, self.parameters().values())
        out.backward(dout)
        self._after_backward()
        grads = tuple(self._grad_of(leaf) for leaf in self._leaves)
        return grads[0] if len(grads) == 1 else grads

    def _after_backward(self):
        """Hook: copy parameter gradients to the textbook's attributes."""

    def _require_forward(self, what):
        if self._output is None:
            raise RuntimeError(f"{self.name}.{what}() called before forward(); run forward on this layer first")
        return self._output

    def _leaf(self, value, position):
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
    def _grad_of(leaf):
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

    def __init__(self, W, b, name=None):
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

    def __repr__(self):
        inputs, outputs = self.weight.data.shape
        return f"Affine(inputs={inputs}, outputs={outputs}, name={self.name!r})"

    @property
    def W(self):
        """The weight array (shared with whoever passed it in)."""
        return self.weight.data

    @property
    def b(self):
        """The bias array (shared with whoever passed it in)."""
        return self.bias.data

    def parameters(self):
        return {"W": self.weight, "b": self.bias}

    def build(self, x):
        shape = _shape_of(x)
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
        return ops.affine(x, self.weight, self.bias)

    def _after_backward(self):
        self.dW = self.weight.grad
        self.db = self.bias.grad


class Relu(Layer):
    """y = max(x, 0).  Backward passes dout where x > 0 and 0 elsewhere."""

    def build(self, x):
        return ops.relu(x)

    @property
    def mask(self):
        """The textbook's mask from the last forward: True where x ≤ 0 (no gradient passes)."""
        self._require_forward("mask")
        return self._leaves[0].data <= 0


class Sigmoid(Layer):
    """y = 1 / (1 + e^−x).  Backward: dout · y(1 − y).

    ``fused=False`` records the textbook's four nodes (× −1, exp, + 1, 1/x)
    instead of one; the gradient is the same.
    """

    def __init__(self, name=None, fused=True):
        super().__init__(name)
        self.fused = bool(fused)

    def build(self, x):
        return autograd.sigmoid(x, fused=self.fused)

    @property
    def out(self):
        """The output of the last forward (the textbook keeps it for backward)."""
        return self._require_forward("out").data


class _LossLayer(Layer):
    """A last layer: ``forward(x, t)`` returns the loss as a float, ``backward(dout=1)`` dx."""

    def forward(self, x, t):
        """The loss for scores (or predictions) ``x`` and targets ``t``, as a float."""
        if isinstance(t, Node):
            t = t.data
        self._leaves = (self._leaf(x, 0),)
        self.t = t
        self._output = self(self._leaves[0], t)
        return float(self._output.data)

    def __call__(self, x, t):
        with autograd.group(self.name):
            return self.build(x, t)

    @property
    def loss(self):
        """The loss of the last forward."""
        return float(self._require_forward("loss").data)


class SoftmaxWithLoss(_LossLayer):
    """Softmax, then cross-entropy: L = −(1/N) Σₙ Σₖ tₙₖ log yₙₖ, y = softmax(x) by rows.

    Labels are one-hot (shape of x) or class indices (shape (N,)); a 1-D x is
    a batch of one. The largest score is subtracted before exponentiating, so
    scores of ±1000 give finite losses. Backward: dx = (y − t) / N.
    ``fused=False`` records the composition of primitives (log_softmax,
    product with the labels, sum) instead of one node.
    """

    def __init__(self, name=None, fused=True):
        super().__init__(name)
        self.fused = bool(fused)
        self.t = None

    def build(self, x, t):
        if isinstance(t, Node):
            t_data = t.data
        else:
            t_data = t = np.asarray(t)
            if t.dtype.kind not in "biuf":
                raise TypeError(f"{self.name}: labels must be numbers (one-hot or class indices), got dtype {t.dtype}")
        try:
            if self.fused:
                return ops.softmax_cross_entropy(x, t)
            return self._composite(x, t, t_data)
        except ValueError as error:
            message = str(error).removeprefix("softmax_cross_entropy: ")
            raise ValueError(f"{self.name}: {message}") from None

    @staticmethod
    def _composite(x, t, t_data):
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
    def y(self):
        """softmax of the last forward's scores."""
        self._require_forward("y")
        return ops.softmax(self._leaves[0].data, axis=-1)


class IdentityWithLoss(_LossLayer):
    """Identity output with the sum-of-squares error, for regression.

    L = (1/N) Σₙ ½‖yₙ − tₙ‖², N rows (a 1-D y is one row); backward:
    dy = (y − t) / N. With one output this is the reference notebook's
    ½(ŷ − y)² averaged over the batch. Targets of shape (N,) are accepted for
    predictions of shape (N, 1).
    """

    def build(self, y, t):
        if not isinstance(t, Node):
            t = np.asarray(t)
            if t.dtype.kind not in "biuf":
                raise TypeError(f"{self.name}: targets must be numbers, got dtype {t.dtype}")
        shape = _shape_of(y)
        t_shape = _shape_of(t)
        if t_shape != shape:
            if len(shape) == 2 and shape[1] == 1 and t_shape == shape[:1]:
                t = t.reshape(shape)
            else:
                raise ValueError(
                    f"{self.name}: targets of shape {t_shape} do not match predictions of shape {shape}; "
                    f"give targets of shape {shape}"
                )
        rows = shape[0] if len(shape) > 1 else 1
        difference = y - t
        return (difference * difference).sum() * (0.5 / rows)

    @property
    def y(self):
        """The predictions of the last forward (the identity of the input)."""
        self._require_forward("y")
        return self._leaves[0].data


class MulLayer(Layer):
    """z = x · y (elementwise, broadcasting).  Backward: (dout · y, dout · x), the inputs swapped."""

    def build(self, x, y):
        return x * y


class AddLayer(Layer):
    """z = x + y (elementwise, broadcasting).  Backward: (dout, dout), summed back to each input's shape."""

    def build(self, x, y):
        return x + y
