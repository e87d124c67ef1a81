"""The op table: every primitive's forward and vector-Jacobian products, side by side.

Each primitive is defined once and serves Values (floats) and Tensors
(arrays). ``forward(*inputs, **params)`` computes on raw data with
``backend``). ``vjps[i](g, out,
*inputs, **params)`` turns the upstream gradient ``g`` into the gradient for
input ``i``; it is only called for inputs that need one. The VJPs use only
operators, array methods (``.sum``, ``.T``, ``.reshape``) and the primitives
themselves, so they run on raw data during ``backward()`` and on nodes during
``backward(create_graph=True)``, which is what makes higher-order
derivatives work.

Calling a primitive on plain numbers or arrays returns plain numbers or
arrays; on nodes it returns a node: ``exp(2.0)`` is a float, ``exp(Value(2.0))``
a Value.
"""

import operator

import numpy as np

from . import backend
from .engine import OUT, apply
from .node import Node


class Primitive:
    """One operation: name, diagram symbol, forward and per-input VJPs."""

    __slots__ = ("name", "symbol", "forward", "vjps", "tensor_only", "doc", "reads", "read_plan")

    def __init__(self, name, forward, vjps, symbol=None, tensor_only=False, doc=None, reads=None):
        self.name = name
        self.symbol = symbol or name
        self.forward = forward
        self.vjps = vjps
        self.tensor_only = tensor_only
        self.doc = doc
        # reads[i]: the positions of the inputs whose values VJP i reads (OUT: the
        # output's), so backward can check that nothing it needs was changed in
        # place since the forward pass. None: every input and the output.
        self.reads = reads
        self.read_plan = {}  # which inputs need a gradient -> the positions read (the engine's cache)

    def __call__(self, *args, **params):
        return apply(self, *args, **params)

    def __repr__(self):
        return f"<primitive {self.name}>"


TABLE = {}


def primitive(name, forward, vjps, **options):
    prim = Primitive(name, forward, vjps, **options)
    TABLE[name] = prim
    return prim


def _data(x):
    return x.data if isinstance(x, Node) else x


# -- elementwise arithmetic --------------------------------------------------

add = primitive(
    "add", operator.add,
    (lambda g, out, x, y: g,
     lambda g, out, x, y: g),
    symbol="+", doc="x + y",
    reads=((), ()))

sub = primitive(
    "sub", operator.sub,
    (lambda g, out, x, y: g,
     lambda g, out, x, y: -g),
    symbol="−", doc="x − y",
    reads=((), ()))

mul = primitive(
    "mul", operator.mul,
    (lambda g, out, x, y: g * y,
     lambda g, out, x, y: g * x),
    symbol="×", doc="x · y: each input receives g times the other input",
    reads=((1,), (0,)))

div = primitive(
    "div", backend.div,
    (lambda g, out, x, y: div(g, y),
     lambda g, out, x, y: -div(g * out, y)),
    symbol="/", doc="x / y; d/dy = −x/y² = −out/y",
    reads=((1,), (OUT, 1)))

neg = primitive(
    "neg", operator.neg,
    (lambda g, out, x: -g,),
    symbol="× −1", doc="−x",
    reads=((),))


def _pow_vjp_base(g, out, x, y):
    if not (isinstance(y, Node) and y.requires_grad) and np.ndim(_data(y)) == 0 and _data(y) == 0.0:
        return g * 0.0  # a constant x⁰: y·x^(y−1) would be 0·∞ at x = 0
    return g * y * pow(x, y - 1)


pow = primitive(
    "pow", backend.pow,
    (_pow_vjp_base,
     lambda g, out, x, y: g * out * log(x)),
    symbol="**", doc="x ** y; d/dx = y·x^(y−1), d/dy = out·log x",
    reads=((0, 1), (OUT, 0)))

# -- elementwise functions ---------------------------------------------------

exp = primitive(
    "exp", backend.exp,
    (lambda g, out, x: g * out,),
    doc="e^x; its derivative is itself: g · out",
    reads=((OUT,),))

log = primitive(
    "log", backend.log,
    (lambda g, out, x: div(g, x),),
    doc="natural logarithm; d/dx = 1/x",
    reads=((0,),))

sin = primitive(
    "sin", backend.sin,
    (lambda g, out, x: g * cos(x),),
    doc="sine; d/dx = cos x",
    reads=((0,),))

cos = primitive(
    "cos", backend.cos,
    (lambda g, out, x: -(g * sin(x)),),
    doc="cosine; d/dx = −sin x",
    reads=((0,),))

tanh = primitive(
    "tanh", backend.tanh,
    (lambda g, out, x: g * (1.0 - out * out),),
    doc="hyperbolic tangent; d/dx = 1 − tanh²",
    reads=((OUT,),))

sigmoid = primitive(
    "sigmoid", backend.sigmoid,
    (lambda g, out, x: g * (out * (1.0 - out)),),
    symbol="σ", doc="1 / (1 + e^−x) fused; d/dx = y(1 − y) needs only the output",
    reads=((OUT,),))

relu = primitive(
    "relu", backend.relu,
    (lambda g, out, x: g * (_data(x) > 0.0),),
    symbol="ReLU", doc="max(x, 0); passes g where x > 0",
    reads=((0,),))


def _sign(x):
    data = _data(x)
    if data.__class__ is float:
        return float((data > 0.0) - (data < 0.0))
    return np.sign(data)


abs = primitive(
    "abs", backend.abs,
    (lambda g, out, x: g * _sign(x),),
    symbol="|x|", doc="|x|; d/dx = sign x (0 at 0)",
    reads=((0,),))


def _clip_forward(x, low=None, high=None):
    if low is not None and high is not None and low > high:
        raise ValueError(f"clip: low ({low}) is above high ({high})")
    return backend.clip(x, low, high)


def _inside(x, low, high):
    """1 where low ≤ x ≤ high (a missing bound is no limit), else 0: clip's derivative."""
    data = _data(x)
    if data.__class__ is float:
        return float((low is None or data >= low) and (high is None or data <= high))
    mask = np.ones(data.shape, dtype=bool)
    if low is not None:
        mask &= data >= low
    if high is not None:
        mask &= data <= high
    return mask


clip = primitive(
    "clip", _clip_forward,
    (lambda g, out, x, low=None, high=None: g * _inside(x, low, high),),
    doc="x limited to [low, high]; passes g where low ≤ x ≤ high (bounds included, as torch.clamp)",
    reads=((0,),))

# -- linear algebra ------------------------------------------------------------


def _dot_forward(a, b):
    if a.ndim not in (1, 2) or b.ndim not in (1, 2):
        raise ValueError(f"dot: supports 1-D and 2-D arrays, got shapes {a.shape} and {b.shape}")
    if a.shape[-1] != b.shape[0]:
        raise ValueError(
            f"dot: shapes {a.shape} and {b.shape} are not aligned: "
            f"{a.shape[-1]} (last axis of the first) != {b.shape[0]} (first axis of the second)"
        )
    return a @ b


def _outer(u, v):
    return u.reshape((-1, 1)) * v.reshape((1, -1))


def _dot_vjp_a(g, out, a, b):
    if _data(a).ndim == 1:
        return g * b if _data(b).ndim == 1 else b @ g
    return _outer(g, b) if _data(b).ndim == 1 else g @ b.T


def _dot_vjp_b(g, out, a, b):
    if _data(b).ndim == 1:
        return g * a if _data(a).ndim == 1 else a.T @ g
    return _outer(a, g) if _data(a).ndim == 1 else a.T @ g


dot = primitive(
    "dot", _dot_forward, (_dot_vjp_a, _dot_vjp_b), tensor_only=True,
    doc="matrix product with NumPy's 1-D/2-D semantics; dA = g·Bᵀ, dB = Aᵀ·g",
    reads=((1,), (0,)))

# -- reductions ----------------------------------------------------------------


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(a % ndim if ndim else a for a in axes)


def _unreduce(g, x, axis, keepdims):
    """Give the reduced gradient back the reduced axes (as size 1)."""
    shape = np.shape(_data(x))
    if keepdims or not shape:
        return g
    kept = list(shape)
    for a in _axes(axis, len(shape)):
        kept[a] = 1
    return g.reshape(tuple(kept))


def _size(x, axis):
    shape = np.shape(_data(x))
    n = 1
    for a in _axes(axis, len(shape)):
        n *= shape[a]
    return n


sum = primitive(
    "sum", lambda x, axis=None, keepdims=False: np.sum(x, axis=axis, keepdims=keepdims),
    (lambda g, out, x, axis=None, keepdims=False:
        broadcast_to(_unreduce(g, x, axis, keepdims), shape=np.shape(_data(x))),),
    symbol="Σ", tensor_only=True, doc="sum over axis; every element receives g",
    reads=((),))

mean = primitive(
    "mean", lambda x, axis=None, keepdims=False: np.mean(x, axis=axis, keepdims=keepdims),
    (lambda g, out, x, axis=None, keepdims=False:
        broadcast_to(_unreduce(g, x, axis, keepdims) * (1.0 / _size(x, axis)), shape=np.shape(_data(x))),),
    tensor_only=True, doc="mean over axis; every element receives g / n",
    reads=((),))


def _argmax_mask(x, axis):
    """1.0 at the first maximum along ``axis`` (of all elements for None), else 0."""
    x = _data(x)
    mask = np.zeros(x.shape)
    if axis is None:
        if x.size:
            mask.flat[np.argmax(x)] = 1.0
    else:
        np.put_along_axis(mask, np.expand_dims(np.argmax(x, axis=axis), axis), 1.0, axis=axis)
    return mask


def _max_forward(x, axis=None, keepdims=False):
    if isinstance(axis, tuple):
        raise ValueError(f"max: axis must be an int or None, got the tuple {axis}")
    return np.max(x, axis=axis, keepdims=keepdims)


max = primitive(
    "max", _max_forward,
    (lambda g, out, x, axis=None, keepdims=False:
        broadcast_to(_unreduce(g, x, axis, keepdims), shape=np.shape(_data(x))) * _argmax_mask(x, axis),),
    tensor_only=True, doc="maximum over axis; the gradient goes to the (first) arg-max",
    reads=((0,),))

# -- shape -------------------------------------------------------------------

reshape = primitive(
    "reshape", lambda x, shape: np.reshape(x, shape),
    (lambda g, out, x, shape: g.reshape(np.shape(_data(x))),),
    tensor_only=True, doc="same elements, new shape",
    reads=((),))


def _inverse_axes(axes, ndim):
    return None if axes is None else tuple(np.argsort(axes)) if ndim else None


transpose = primitive(
    "transpose", lambda x, axes=None: np.transpose(x, axes),
    (lambda g, out, x, axes=None: g.transpose(_inverse_axes(axes, np.ndim(_data(x)))),),
    symbol="T", tensor_only=True, doc="permute axes (reverse them by default)",
    reads=((),))

broadcast_to = primitive(
    "broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
    (lambda g, out, x, shape: sum_to(g, shape=np.shape(_data(x))),),
    symbol="broadcast", tensor_only=True, doc="repeat along new or size-1 axes; backward sums them",
    reads=((),))


def _sum_to_forward(x, shape):
    from .engine import sum_to as raw_sum_to

    return raw_sum_to(np.asarray(x), tuple(shape))  # x is a float when it is a Value's gradient


sum_to = primitive(
    "sum_to", _sum_to_forward,
    (lambda g, out, x, shape: broadcast_to(g, shape=np.shape(_data(x))),),
    symbol="Σ", tensor_only=True, doc="sum broadcast axes away to reach shape (broadcast_to's adjoint)",
    reads=((),))

# -- indexing ------------------------------------------------------------------


def _scatter_forward(g, index, shape):
    g = np.asarray(g)  # a float when it is the gradient of a 0-d result
    out = np.zeros(shape, dtype=g.dtype)
    np.add.at(out, index, g)
    return out


getitem = primitive(
    "getitem", lambda x, index: x[index],
    (lambda g, out, x, index: scatter(g, index=index, shape=np.shape(_data(x))),),
    symbol="[]", tensor_only=True, doc="x[index] (basic slices and integer arrays)",
    reads=((),))

scatter = primitive(
    "scatter", _scatter_forward,
    (lambda g, out, src, index, shape: getitem(g, index=index),),
    tensor_only=True, doc="zeros of shape with src added at index (getitem's adjoint)",
    reads=((),))

# -- softmax -----------------------------------------------------------------


def _softmax_forward(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax_forward(x, axis=-1):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


softmax = primitive(
    "softmax", _softmax_forward,
    (lambda g, out, x, axis=-1: out * (g - (g * out).sum(axis=axis, keepdims=True)),),
    tensor_only=True, doc="e^x / Σ e^x along axis (max subtracted first); dx = y·(g − Σ g·y)",
    reads=((OUT,),))

log_softmax = primitive(
    "log_softmax", _log_softmax_forward,
    (lambda g, out, x, axis=-1: g - exp(out) * g.sum(axis=axis, keepdims=True),),
    tensor_only=True, doc="x − log Σ e^x along axis, stable; dx = g − softmax·Σ g",
    reads=((OUT,),))


# -- fused losses and layers ---------------------------------------------------
#
# One node each where the composition of primitives would take several, for
# the speed of whole-network training (nn's layers use them). Each has a
# twin made of the primitives above, and tests check that both agree in the
# value, the gradient and the gradient of the gradient. On raw arrays the
# VJPs take a NumPy shortcut; given nodes (backward(create_graph=True)) they
# are spelled with primitives, so they can be differentiated again.


def _affine_forward(x, W, b):
    out = _dot_forward(x, W)
    if np.shape(b) != out.shape[-1:]:
        raise ValueError(
            f"affine: b has shape {np.shape(b)} but x·W has shape {out.shape}; "
            f"b must have shape ({out.shape[-1]},), one value per output"
        )
    if out.dtype == np.result_type(out, b):
        out += b  # x·W is a fresh array: adding in place saves a temporary
        return out
    return out + b


def _affine_vjp_b(g, out, x, W, b):
    return g.sum(axis=0) if np.ndim(_data(g)) == 2 else g


affine = primitive(
    "affine", _affine_forward,
    (lambda g, out, x, W, b: _dot_vjp_a(g, out, x, W),
     lambda g, out, x, W, b: _dot_vjp_b(g, out, x, W),
     _affine_vjp_b),
    symbol="x·W + b", tensor_only=True,
    doc="x·W + b in one node (x (N, D) or (D,), W (D, M), b (M,)); "
        "dx = g·Wᵀ, dW = xᵀ·g, db = Σ_rows g",
    reads=((1,), (0,), ()))


def _class_count(logits):
    shape = np.shape(logits)
    if len(shape) == 0 or shape[-1] == 0:
        raise ValueError(f"softmax_cross_entropy: needs class scores along the last axis, got shape {shape}")
    return shape[-1]


def _class_indices(labels, classes):
    """Class labels (floats, as the engine passes constants) as a flat intp array, checked."""
    flat = labels.reshape(-1)
    indices = flat.astype(np.intp)
    if indices.size:
        low, high = flat.min(), flat.max()
        if low < 0 or high >= classes:
            raise ValueError(
                f"softmax_cross_entropy: class indices must lie in [0, {classes}), "
                f"got values from {low:g} to {high:g}"
            )
        if (indices != flat).any():
            raise ValueError("softmax_cross_entropy: class-index labels must be whole numbers")
    return indices


def _labels_are_indices(logits, labels):
    logits_shape, labels_shape = np.shape(logits), np.shape(labels)
    if labels_shape == logits_shape:
        return False
    if labels_shape == logits_shape[:-1]:
        return True
    raise ValueError(
        f"softmax_cross_entropy: labels of shape {labels_shape} do not fit scores of shape {logits_shape}; "
        f"give one-hot (or probability) labels of shape {logits_shape} or class indices of shape {logits_shape[:-1]}"
    )


def _softmax_cross_entropy_forward(logits, labels):
    classes = _class_count(logits)
    rows = logits.size // classes
    if rows == 0:
        raise ValueError(f"softmax_cross_entropy: the batch is empty (scores of shape {logits.shape})")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    if _labels_are_indices(logits, labels):
        picked = shifted.reshape(rows, classes)[np.arange(rows), _class_indices(labels, classes)]
        return np.asarray((log_norm.sum() - picked.sum()) / rows)
    with np.errstate(invalid="ignore"):  # 0 · log 0 counts as 0: a class with t = 0 adds nothing
        terms = np.where(labels == 0, 0.0, labels * (shifted - log_norm))
    return np.asarray(-terms.sum() / rows)


def _one_hot_like(logits, labels):
    """The labels as a distribution over classes, shaped like the scores."""
    if not _labels_are_indices(_data(logits), _data(labels)):
        return labels
    shape = np.shape(_data(logits))
    target = np.zeros((int(np.prod(shape[:-1])), shape[-1]))
    target[np.arange(target.shape[0]), _class_indices(_data(labels), shape[-1])] = 1.0
    return target.reshape(shape)


def _softmax_cross_entropy_vjp_logits(g, out, logits, labels):
    rows = np.size(_data(logits)) // np.shape(_data(logits))[-1]
    if isinstance(g, Node):
        target = _one_hot_like(logits, labels)
        if not _labels_are_indices(_data(logits), _data(labels)):
            # labels need not sum to 1 per row: d/dx of −Σ t·log softmax(x) is softmax(x)·Σt − t
            return (softmax(logits, axis=-1) * sum(target, axis=-1, keepdims=True) - target) * (g * (1.0 / rows))
        return (softmax(logits, axis=-1) - target) * (g * (1.0 / rows))
    probs = logits - logits.max(axis=-1, keepdims=True)
    np.exp(probs, out=probs)
    probs /= probs.sum(axis=-1, keepdims=True)
    if _labels_are_indices(logits, labels):  # checked by the forward pass already
        probs.reshape(rows, -1)[np.arange(rows), labels.reshape(-1).astype(np.intp)] -= 1.0
    else:  # probabilities, not necessarily summing to 1 per row: softmax(x)·Σt − t
        probs *= labels.sum(axis=-1, keepdims=True)
        probs -= labels
    probs *= g * (1.0 / rows)
    return probs


def _softmax_cross_entropy_vjp_labels(g, out, logits, labels):
    if _labels_are_indices(_data(logits), _data(labels)):
        return labels * 0.0  # a class index is piecewise constant: no gradient flows to it
    rows = np.size(_data(logits)) // np.shape(_data(logits))[-1]
    return -(log_softmax(logits, axis=-1) * (g * (1.0 / rows)))


softmax_cross_entropy = primitive(
    "softmax_cross_entropy", _softmax_cross_entropy_forward,
    (_softmax_cross_entropy_vjp_logits, _softmax_cross_entropy_vjp_labels),
    symbol="Softmax-with-Loss", tensor_only=True,
    doc="L = −(1/N) Σ t·log softmax(x) over the last axis, N rows; labels one-hot/probabilities "
        "(x's shape) or class indices (x's shape without the last axis); dx = g·(softmax(x)·Σt − t)/N, "
        "which is g·(softmax(x) − t)/N for one-hot labels",
    reads=((0, 1), (0, 1)))
