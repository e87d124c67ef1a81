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

``jvps[i](t, out, *inputs, **params)``, where given, is forward mode's rule:
the tangent of the output due to the tangent ``t`` of input ``i`` (J·t).
For an elementwise primitive (``elementwise=True``) the Jacobian is
diagonal, so J·t = Jᵀ·t and its VJPs serve as JVPs; a primitive without JVPs
gets them from its VJPs (``autograd.forward``: a VJP is linear in g, so J·t
is the derivative of ⟨VJP(g), t⟩ with respect to g).

Calling a primitive on plain numbers or arrays returns plain numbers or
arrays; on nodes it returns a node: ``exp(2.0)`` is a float, ``exp(Value(2.0))``
a Value.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, overload

import numpy as np

from . import backend
from .engine import OUT, apply, upstream, use_for_fitting
from .engine import sum_to as raw_sum_to
from .node import Node

if TYPE_CHECKING:
    from typing import Protocol

    from .node import Tensor
    from .typing import Operand

    Rule = Callable[..., Any]  # a forward, VJP or JVP: on raw data and on nodes

    class Rules(Protocol):
        """One rule per input, by position: a tuple, or ``array_ops.EachInput`` for any number."""

        def __getitem__(self, position: int, /) -> Rule: ...


class Primitive:
    """One operation: name, diagram symbol, forward and per-input VJPs."""

    __slots__ = ("name", "symbol", "forward", "vjps", "jvps", "tensor_only", "doc", "reads", "read_plan")

    if TYPE_CHECKING:
        name: str
        symbol: str
        forward: Rule
        vjps: Rules
        jvps: Rules | None
        tensor_only: bool
        doc: str | None
        reads: Sequence[Sequence[int]] | None
        read_plan: dict[int, tuple[int, ...]]

    def __init__(self, name: str, forward: Rule, vjps: Rules, symbol: str | None = None,
                 tensor_only: bool = False, doc: str | None = None, jvps: Rules | None = None,
                 elementwise: bool = False, reads: Sequence[Sequence[int]] | None = None) -> None:
        self.name = name
        self.symbol = symbol or name
        self.forward = forward
        self.vjps = vjps
        self.jvps = vjps if elementwise and jvps is None else jvps
        self.tensor_only = tensor_only
        self.doc = doc
        # reads[i]: the positions of the inputs whose values VJP i reads (OUT: the
        # output's), so backward can check that nothing it needs was changed in
        # place since the forward pass. None: every input and the output.
        self.reads = reads
        self.read_plan = {}  # which inputs need a gradient -> the positions read (engine.read_plan's cache)

    if TYPE_CHECKING:
        # A Tensor among the operands makes a Tensor; otherwise a Value (or, for an
        # array-only primitive, a Tensor) from nodes, and plain data from plain data.
        @overload
        def __call__(self, __x: Tensor, *args: Operand, **params: Any) -> Tensor: ...

        @overload
        def __call__(self, __x: Operand, __y: Tensor, *args: Operand, **params: Any) -> Tensor: ...

        @overload
        def __call__(self, *args: Operand, **params: Any) -> Any: ...

        def __call__(self, *args: Any, **params: Any) -> Any: ...
    else:
        __call__ = apply  # prim(*args, **params) is apply(prim, *args, **params), one call less

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


TABLE: dict[str, Primitive] = {}


def primitive(name: str, forward: Rule, vjps: Rules, **options: Any) -> Primitive:
    prim = Primitive(name, forward, vjps, **options)
    TABLE[name] = prim
    return prim


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Node) else x


# -- elementwise arithmetic --------------------------------------------------

add = primitive(
    "add", operator.add,
    (upstream, upstream),
    symbol="+", elementwise=True, doc="x + y",
    reads=((), ()))

sub = primitive(
    "sub", operator.sub,
    (upstream,
     lambda g, out, x, y: -g),
    symbol="−", elementwise=True, doc="x − y",
    reads=((), ()))

mul = primitive(
    "mul", operator.mul,
    (lambda g, out, x, y: g * y,
     lambda g, out, x, y: g * x),
    symbol="×", elementwise=True, doc="x · y: each input receives g times the other input",
    reads=((1,), (0,)))

div: Primitive = primitive(
    "div", backend.div,
    (lambda g, out, x, y: div(g, y),
     lambda g, out, x, y: -div(g * out, y)),
    symbol="/", elementwise=True, doc="x / y; d/dy = −x/y² = −out/y",
    reads=((1,), (OUT, 1)))

neg = primitive(
    "neg", operator.neg,
    (lambda g, out, x: -g,),
    symbol="× −1", elementwise=True, doc="−x",
    reads=((),))


def _masked(compute: Any, zero: Any) -> Any:
    """compute(), with 0 where ``zero`` (a boolean array) holds: where compute gives 0·∞ or nan."""
    if not zero.any():
        return compute()
    with np.errstate(divide="ignore", invalid="ignore"):
        return mask(compute(), keep=~zero)


def _pow_vjp_base(g: Any, out: Any, x: Any, y: Any) -> Any:
    """g·y·x^(y−1), and 0 where y = 0 at x = 0 (0·∞ otherwise), as torch."""
    xd, yd = _data(x), _data(y)
    if yd.__class__ is float and xd.__class__ is float:
        if yd == 0.0 and xd == 0.0:
            return g * 0.0
        return g * y * pow(x, y - 1)
    return _masked(lambda: g * y * pow(x, y - 1), (np.asarray(yd) == 0.0) & (np.asarray(xd) == 0.0))


def _pow_vjp_exponent(g: Any, out: Any, x: Any, y: Any) -> Any:
    """g·out·log x, and 0 where x = 0 and y ≥ 0 (x^y is constant 0 or 1 there), as torch."""
    xd, yd = _data(x), _data(y)
    if xd.__class__ is float and yd.__class__ is float:
        return g * 0.0 if xd == 0.0 and yd >= 0.0 else g * out * log(x)
    return _masked(lambda: g * out * log(x), (np.asarray(xd) == 0.0) & (np.asarray(yd) >= 0.0))


pow = primitive(
    "pow", backend.pow,
    (_pow_vjp_base, _pow_vjp_exponent),
    symbol="**", elementwise=True,
    doc="x ** y; d/dx = y·x^(y−1) (0 where x = y = 0), d/dy = out·log x (0 where x = 0 and y ≥ 0), as torch",
    reads=((0, 1), (OUT, 0, 1)))


def _mask_forward(x: Any, keep: Any) -> Any:
    if x.__class__ is float:
        return x if keep else 0.0
    return np.where(keep, x, 0.0)


mask: Primitive = primitive(
    "mask", _mask_forward,
    (lambda g, out, x, keep: mask(g, keep=keep),),
    elementwise=True, doc="x where keep, 0 elsewhere (even where x is inf or nan); its own adjoint")

# -- elementwise functions ---------------------------------------------------

exp = primitive(
    "exp", backend.exp,
    (lambda g, out, x: g * out,),
    elementwise=True, doc="e^x; its derivative is itself: g · out",
    reads=((OUT,),))

log = primitive(
    "log", backend.log,
    (lambda g, out, x: div(g, x),),
    elementwise=True, doc="natural logarithm; d/dx = 1/x",
    reads=((0,),))

sin = primitive(
    "sin", backend.sin,
    (lambda g, out, x: g * cos(x),),
    elementwise=True, doc="sine; d/dx = cos x",
    reads=((0,),))

cos: Primitive = primitive(
    "cos", backend.cos,
    (lambda g, out, x: -(g * sin(x)),),
    elementwise=True, doc="cosine; d/dx = −sin x",
    reads=((0,),))

tanh = primitive(
    "tanh", backend.tanh,
    (lambda g, out, x: g * (1.0 - out * out),),
    elementwise=True, doc="hyperbolic tangent; d/dx = 1 − tanh²",
    reads=((OUT,),))

sigmoid = primitive(
    "sigmoid", backend.sigmoid,
    (lambda g, out, x: g * (out * (1.0 - out)),),
    symbol="σ", elementwise=True, doc="1 / (1 + e^−x) fused; d/dx = y(1 − y) needs only the output",
    reads=((OUT,),))


def _sign(x: Any) -> Any:
    """−1, 0 or 1 by the sign of x's data, nan where it is nan (a constant: no gradient)."""
    data = _data(x)
    if data.__class__ is float:
        return float((data > 0.0) - (data < 0.0)) if data == data else data
    return np.sign(data)


def _relu_vjp(g: Any, out: Any, x: Any) -> Any:
    """g where out > 0, 0 where out = 0, nan where out is nan (the sign of the output, spelled out for floats)."""
    if out.__class__ is np.ndarray:  # raw data: _sign's array case, inline
        return g * np.sign(out)
    if out.__class__ is float:
        if out > 0.0:
            return g
        return out if out != out else 0.0 * g
    return g * _sign(out)


relu = primitive(
    "relu", backend.relu,
    (_relu_vjp,),
    symbol="ReLU", elementwise=True, doc="max(x, 0); passes g where x > 0 (sign of the output: nan at nan)",
    reads=((OUT,),))


abs = primitive(
    "abs", backend.abs,
    (lambda g, out, x: g * _sign(x),),
    symbol="|x|", elementwise=True, doc="|x|; d/dx = sign x (0 at 0, nan at nan)",
    reads=((0,),))


def _clip_forward(x: Any, low: Any | None = None, high: Any | None = None) -> Any:
    if (low is not None and low != low) or (high is not None and high != high):
        raise ValueError(f"clip: a bound is nan (low={low}, high={high}); give numbers, or None for no limit")
    if low is not None and high is not None and low > high:
        raise ValueError(f"clip: low ({low}) is above high ({high})")
    return backend.clip(x, low, high)


def _inside(x: Any, low: Any, high: Any) -> Any:
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
    elementwise=True, doc="x limited to [low, high]; passes g where low ≤ x ≤ high (bounds included, as torch.clamp)",
    reads=((0,),))

# -- linear algebra ------------------------------------------------------------


def _dot_forward(a: Any, b: Any) -> Any:
    if (a.ndim if a.__class__ is np.ndarray else np.ndim(a)) not in (1, 2) or (
            b.ndim if b.__class__ is np.ndarray else np.ndim(b)) not in (1, 2):
        raise ValueError(
            f"dot: supports 1-D and 2-D operands, got shapes {np.shape(a)} and {np.shape(b)}; "
            "multiply by a scalar with *, and use matmul for stacks of matrices")
    if a.shape[-1] != b.shape[0]:
        raise ValueError(
            f"dot: shapes {a.shape} and {b.shape} are not aligned: "
            f"{a.shape[-1]} (last axis of the first) != {b.shape[0]} (first axis of the second)"
        )
    return a @ b


def _outer(u: Any, v: Any) -> Any:
    return u.reshape((-1, 1)) * v.reshape((1, -1))


def _dot_vjp_a(g: Any, out: Any, a: Any, b: Any) -> Any:
    a_ndim = a.ndim if a.__class__ is np.ndarray else _data(a).ndim  # (raw arrays inline: the common case)
    b_ndim = b.ndim if b.__class__ is np.ndarray else _data(b).ndim
    if a_ndim == 1:
        return g * b if b_ndim == 1 else b @ g
    return _outer(g, b) if b_ndim == 1 else g @ b.T


def _dot_vjp_b(g: Any, out: Any, a: Any, b: Any) -> Any:
    a_ndim = a.ndim if a.__class__ is np.ndarray else _data(a).ndim
    b_ndim = b.ndim if b.__class__ is np.ndarray else _data(b).ndim
    if b_ndim == 1:
        return g * a if a_ndim == 1 else a.T @ g
    return _outer(a, g) if a_ndim == 1 else a.T @ g


dot: Primitive = primitive(
    "dot", _dot_forward, (_dot_vjp_a, _dot_vjp_b), tensor_only=True,
    jvps=(lambda t, out, a, b: dot(t, b), lambda t, out, a, b: dot(a, t)),
    doc="matrix product with NumPy's 1-D/2-D semantics; dA = g·Bᵀ, dB = Aᵀ·g",
    reads=((1,), (0,)))

# -- reductions ----------------------------------------------------------------


def _axes(axis: Any, ndim: Any, name: str = "reduction") -> Any:
    """The axes a reduction runs over, as non-negative ints; a clear error for anything else."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{name}: axis must be None, an int or a tuple of ints, got {axis!r}")
        bound = ndim or 1  # (max is the primitive in this module)
        if not -bound <= a < bound:
            raise ValueError(f"{name}: axis {a} is out of range for {ndim} dimension(s)")
    normalized = tuple(int(a) % ndim if ndim else int(a) for a in axes)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{name}: axis {axis!r} repeats an axis")
    return normalized


def _unreduce(g: Any, x: Any, axis: Any, keepdims: Any) -> Any:
    """Give the reduced gradient back the reduced axes (as size 1)."""
    shape = np.shape(_data(x))
    if keepdims or not shape:
        return g
    kept = list(shape)
    for a in _axes(axis, len(shape)):
        kept[a] = 1
    return g.reshape(tuple(kept))


def _spread(g: Any, x: Any, axis: Any, keepdims: Any) -> Any:
    """The reduced gradient sent back to every element of x (broadcast to x's shape)."""
    return broadcast_to(_unreduce(g, x, axis, keepdims), shape=np.shape(_data(x)))


def _size(x: Any, axis: Any) -> Any:
    shape = np.shape(_data(x))
    n = 1
    for a in _axes(axis, len(shape)):
        n *= shape[a]
    return n


def _reduction(name: Any, reduce: Any) -> Any:
    """Forward of a reduction ``reduce(x, axis, keepdims, **options)`` that checks its axis first."""
    def forward(x: Any, axis: Any | None = None, keepdims: bool = False, **options: Any) -> Any:
        _axes(axis, np.ndim(x), name)
        return reduce(x, axis=axis, keepdims=keepdims, **options)

    return forward


sum: Primitive = primitive(
    "sum", _reduction("sum", np.sum),
    (lambda g, out, x, axis=None, keepdims=False: _spread(g, x, axis, keepdims),),
    jvps=(lambda t, out, x, axis=None, keepdims=False: sum(t, axis=axis, keepdims=keepdims),),
    symbol="Σ", tensor_only=True, doc="sum over axis; every element receives g",
    reads=((),))


def _reciprocal_size(x: Any, axis: Any) -> Any:
    n = _size(x, axis)
    return 1.0 / n if n else float("nan")  # the mean of nothing is nan, as NumPy's


mean: Primitive = primitive(
    "mean", _reduction("mean", np.mean),
    (lambda g, out, x, axis=None, keepdims=False: _spread(g, x, axis, keepdims) * _reciprocal_size(x, axis),),
    jvps=(lambda t, out, x, axis=None, keepdims=False: mean(t, axis=axis, keepdims=keepdims),),
    tensor_only=True, doc="mean over axis; every element receives g / n (nan for an empty reduction)",
    reads=((),))


def _max_share(x: Any, out: Any, axis: Any, keepdims: Any) -> Any:
    """Where x attains its maximum along axis: 1/k at each of k tied elements (a nan wins), else 0."""
    data = np.asarray(_data(x))
    top = _unreduce(np.asarray(_data(out)), data, axis, keepdims)
    hit = (data == top) | np.isnan(data)
    return hit / np.sum(hit, axis=_axes(axis, data.ndim), keepdims=True)


max = primitive(
    "max", _reduction("max", np.max),
    (lambda g, out, x, axis=None, keepdims=False: _spread(g, x, axis, keepdims) * _max_share(x, out, axis, keepdims),),
    jvps=(lambda t, out, x, axis=None, keepdims=False:
          sum(t * _max_share(x, out, axis, keepdims), axis=axis, keepdims=keepdims),),
    tensor_only=True, doc="maximum over axis (an int, a tuple or None); tied maxima share g equally, as torch.amax",
    reads=((OUT, 0),))

# -- shape -------------------------------------------------------------------

reshape: Primitive = primitive(
    "reshape", lambda x, shape: np.reshape(x, shape),
    (lambda g, out, x, shape: g.reshape(np.shape(_data(x))),),
    jvps=(lambda t, out, x, shape: reshape(t, shape=shape),),
    tensor_only=True, doc="same elements, new shape",
    reads=((),))


def _inverse_axes(axes: Any, ndim: Any) -> Any:
    return None if axes is None else tuple(np.argsort(axes)) if ndim else None


transpose: Primitive = primitive(
    "transpose", lambda x, axes=None: np.transpose(x, axes),
    (lambda g, out, x, axes=None: g.transpose(_inverse_axes(axes, np.ndim(_data(x)))),),
    jvps=(lambda t, out, x, axes=None: transpose(t, axes=axes),),
    symbol="T", tensor_only=True, doc="permute axes (reverse them by default)",
    reads=((),))

broadcast_to: Primitive = primitive(
    "broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
    (lambda g, out, x, shape: sum_to(g, shape=np.shape(_data(x))),),
    jvps=(lambda t, out, x, shape: broadcast_to(t, shape=shape),),
    symbol="broadcast", tensor_only=True, doc="repeat along new or size-1 axes; backward sums them",
    reads=((),))


def _sum_to_forward(x: Any, shape: Any) -> Any:
    return raw_sum_to(np.asarray(x), tuple(shape))  # x is a float when it is a Value's gradient


sum_to: Primitive = primitive(
    "sum_to", _sum_to_forward,
    (lambda g, out, x, shape: broadcast_to(g, shape=np.shape(_data(x))),),
    jvps=(lambda t, out, x, shape: sum_to(t, shape=shape),),
    symbol="Σ", tensor_only=True, doc="sum broadcast axes away to reach shape (broadcast_to's adjoint)",
    reads=((),))

use_for_fitting(sum, sum_to, broadcast_to, mul)  # recorded gradients (create_graph) are fitted and copied with these

# -- indexing ------------------------------------------------------------------


def _scatter_forward(g: Any, index: Any, shape: Any) -> Any:
    g = np.asarray(g)  # a float when it is the gradient of a 0-d result
    out = np.zeros(shape, dtype=g.dtype)
    np.add.at(out, index, g)
    return out


getitem: Primitive = primitive(
    "getitem", lambda x, index: x[index],
    (lambda g, out, x, index: scatter(g, index=index, shape=np.shape(_data(x))),),
    jvps=(lambda t, out, x, index: getitem(t, index=index),),
    symbol="[]", tensor_only=True, doc="x[index] (basic slices and integer arrays)",
    reads=((),))

scatter: Primitive = primitive(
    "scatter", _scatter_forward,
    (lambda g, out, src, index, shape: getitem(g, index=index),),
    jvps=(lambda t, out, src, index, shape: scatter(t, index=index, shape=shape),),
    tensor_only=True, doc="zeros of shape with src added at index (getitem's adjoint)",
    reads=((),))

# -- softmax -----------------------------------------------------------------


def _softmax_forward(x: Any, axis: Any = -1) -> Any:
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax_forward(x: Any, axis: Any = -1) -> Any:
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


softmax = primitive(
    "softmax", _softmax_forward,
    (lambda g, out, x, axis=-1: out * (g - (g * out).sum(axis=axis, keepdims=True)),),
    elementwise=True,  # not elementwise, but its Jacobian diag(y) − y·yᵀ is symmetric: the VJP is the JVP
    tensor_only=True, doc="e^x / Σ e^x along axis (max subtracted first); dx = y·(g − Σ g·y)",
    reads=((OUT,),))

log_softmax = primitive(
    "log_softmax", _log_softmax_forward,
    (lambda g, out, x, axis=-1: g - exp(out) * g.sum(axis=axis, keepdims=True),),
    jvps=(lambda t, out, x, axis=-1: t - (exp(out) * t).sum(axis=axis, keepdims=True),),
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


def _affine_forward(x: Any, W: Any, b: Any) -> Any:
    out = _dot_forward(x, W)
    array = b.__class__ is np.ndarray
    if (b.shape if array else np.shape(b)) != out.shape[-1:]:
        raise ValueError(
            f"affine: b has shape {np.shape(b)} but x·W has shape {out.shape}; "
            f"b must have shape ({out.shape[-1]},), one value per output"
        )
    if (array and b.dtype == out.dtype) or out.dtype == np.result_type(out, b):
        out += b  # x·W is a fresh array: adding in place saves a temporary
        return out
    return out + b


def _affine_vjp_b(g: Any, out: Any, x: Any, W: Any, b: Any) -> Any:
    if g.__class__ is np.ndarray:  # raw data: the ufunc's reduction, as g.sum calls it, without the wrapper
        return np.add.reduce(g, axis=0) if g.ndim == 2 else g
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


def _class_count(logits: Any) -> Any:
    shape = logits.shape if logits.__class__ is np.ndarray else np.shape(logits)
    if len(shape) == 0 or shape[-1] == 0:
        raise ValueError(f"softmax_cross_entropy: needs class scores along the last axis, got shape {shape}")
    return shape[-1]


def _class_indices(labels: Any, classes: Any) -> Any:
    """Class labels (floats as the engine passes constants, or ints) as a flat intp array, checked.

    The common case costs a cast and one or two reductions: viewed as
    unsigned, a negative index is huge, so one maximum checks both bounds.
    Anything wrong is then described by ``_refuse_labels``.
    """
    flat = labels.reshape(-1)
    if not flat.size:
        return flat.astype(np.intp)
    if flat.dtype.kind in "iu":
        indices = flat.astype(np.intp, copy=False)
        whole = True
    else:
        indices = flat.astype(np.intp)  # nan, ±inf and fractions come out different from flat
        whole = not (indices != flat).any()
    if whole and np.maximum.reduce(indices.view(np.uintp), axis=None) < classes:  # (the ufunc that .max() calls)
        return indices
    _refuse_labels(flat, indices, classes)


def _refuse_labels(flat: Any, indices: Any, classes: Any) -> NoReturn:
    """The error for class labels outside [0, classes) or not whole numbers."""
    low, high = flat.min(), flat.max()
    if low < 0 or high >= classes:
        raise ValueError(
            f"softmax_cross_entropy: class indices must lie in [0, {classes}), "
            f"got values from {low:g} to {high:g}"
        )
    if (indices != flat).any():
        raise ValueError("softmax_cross_entropy: class-index labels must be whole numbers")
    raise AssertionError("unreachable: labels were refused without a reason")  # pragma: no cover


def _labels_are_indices(logits: Any, labels: Any) -> bool:
    logits_shape = logits.shape if logits.__class__ is np.ndarray else np.shape(logits)
    labels_shape = labels.shape if labels.__class__ is np.ndarray else np.shape(labels)
    if labels_shape == logits_shape:
        return False
    if labels_shape == logits_shape[:-1]:
        return True
    raise ValueError(
        f"softmax_cross_entropy: labels of shape {labels_shape} do not fit scores of shape {logits_shape}; "
        f"give one-hot (or probability) labels of shape {logits_shape} or class indices of shape {logits_shape[:-1]}"
    )


# The softmax and class indices of the latest forward pass, for its VJP (a
# forward keeps what its VJP needs): (out, logits, labels, probabilities,
# indices or None). Matched by identity, so a VJP called on anything else
# recomputes; the engine's checksums and nn's guard catch in-place edits of
# the inputs in between. One entry only, so its memory stays bounded.
_kept_softmax: tuple[Any, ...] | None = None


def _softmax_cross_entropy_forward(logits: Any, labels: Any) -> Any:
    global _kept_softmax
    classes = _class_count(logits)
    rows = logits.size // classes
    if rows == 0:
        raise ValueError(f"softmax_cross_entropy: the batch is empty (scores of shape {logits.shape})")
    # The reductions are the ufuncs' own (what .max() and .sum() call, without their wrappers).
    shifted = logits - np.maximum.reduce(logits, axis=-1, keepdims=True)
    probs = np.exp(shifted)
    total = np.add.reduce(probs, axis=-1, keepdims=True)
    log_norm = np.log(total)
    if _labels_are_indices(logits, labels):
        indices = _class_indices(labels, classes)
        picked = shifted.reshape(rows, classes)[np.arange(rows), indices]
        out = np.asarray((np.add.reduce(log_norm, axis=None) - np.add.reduce(picked)) / rows)
    else:
        indices = None
        with np.errstate(invalid="ignore"):  # 0 · log 0 counts as 0: a class with t = 0 adds nothing
            terms = np.where(labels == 0, 0.0, labels * (shifted - log_norm))
        out = np.asarray(-terms.sum() / rows)
    probs /= total
    _kept_softmax = (out, logits, labels, probs, indices)
    return out


def _one_hot_like(logits: Any, labels: Any) -> Any:
    """The labels as a distribution over classes, shaped like the scores."""
    if not _labels_are_indices(_data(logits), _data(labels)):
        return labels
    shape = np.shape(_data(logits))
    target = np.zeros((int(np.prod(shape[:-1])), shape[-1]))
    target[np.arange(target.shape[0]), _class_indices(_data(labels), shape[-1])] = 1.0
    return target.reshape(shape)


def _softmax_cross_entropy_vjp_logits(g: Any, out: Any, logits: Any, labels: Any) -> Any:
    if isinstance(g, Node):
        rows = np.size(_data(logits)) // np.shape(_data(logits))[-1]
        target = _one_hot_like(logits, labels)
        if not _labels_are_indices(_data(logits), _data(labels)):
            # labels need not sum to 1 per row: d/dx of −Σ t·log softmax(x) is softmax(x)·Σt − t
            return (softmax(logits, axis=-1) * sum(target, axis=-1, keepdims=True) - target) * (g * (1.0 / rows))
        return (softmax(logits, axis=-1) - target) * (g * (1.0 / rows))
    rows = logits.size // logits.shape[-1]
    kept = _kept_softmax
    if kept is not None and kept[0] is out and kept[1] is logits and kept[2] is labels:
        probs, indices = kept[3].copy(), kept[4]
    else:
        probs = logits - logits.max(axis=-1, keepdims=True)
        np.exp(probs, out=probs)
        probs /= probs.sum(axis=-1, keepdims=True)
        indices = labels.reshape(-1).astype(np.intp) if _labels_are_indices(logits, labels) else None
    if indices is not None:  # checked by the forward pass already
        probs.reshape(rows, -1)[np.arange(rows), indices] -= 1.0
    else:  # probabilities, not necessarily summing to 1 per row: softmax(x)·Σt − t
        probs *= labels.sum(axis=-1, keepdims=True)
        probs -= labels
    probs *= g * (1.0 / rows)
    return probs


def _softmax_cross_entropy_vjp_labels(g: Any, out: Any, logits: Any, labels: Any) -> Any:
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


# -- NumPy's other ufuncs ------------------------------------------------------
#
# Elementwise, so each VJP doubles as the JVP. Where NumPy's function has a
# kink or a jump (sign, floor, maximum, remainder), the rule at the kink is
# in the doc line.

_LN2, _LN10 = np.log(2.0), np.log(10.0)


def _zero_gradient(g: Any, out: Any, *inputs: Any) -> Any:
    return g * 0.0


tan = primitive(
    "tan", backend.tan, (lambda g, out, x: g * (1.0 + out * out),),
    elementwise=True, doc="tangent; d/dx = 1 + tan² x")

sinh = primitive(
    "sinh", backend.sinh, (lambda g, out, x: g * cosh(x),),
    elementwise=True, doc="hyperbolic sine; d/dx = cosh x")

cosh: Primitive = primitive(
    "cosh", backend.cosh, (lambda g, out, x: g * sinh(x),),
    elementwise=True, doc="hyperbolic cosine; d/dx = sinh x")

arcsin = primitive(
    "arcsin", backend.arcsin, (lambda g, out, x: g * (1.0 - x * x) ** -0.5,),
    elementwise=True, doc="inverse sine; d/dx = 1/√(1 − x²) (inf at ±1)")

arccos = primitive(
    "arccos", backend.arccos, (lambda g, out, x: -(g * (1.0 - x * x) ** -0.5),),
    elementwise=True, doc="inverse cosine; d/dx = −1/√(1 − x²) (−inf at ±1)")

arctan = primitive(
    "arctan", backend.arctan, (lambda g, out, x: div(g, 1.0 + x * x),),
    elementwise=True, doc="inverse tangent; d/dx = 1/(1 + x²)")

arcsinh = primitive(
    "arcsinh", backend.arcsinh, (lambda g, out, x: g * (x * x + 1.0) ** -0.5,),
    elementwise=True, doc="inverse hyperbolic sine; d/dx = 1/√(x² + 1)")

arccosh = primitive(
    "arccosh", backend.arccosh, (lambda g, out, x: g * (x * x - 1.0) ** -0.5,),
    elementwise=True, doc="inverse hyperbolic cosine (x ≥ 1); d/dx = 1/√(x² − 1)")

arctanh = primitive(
    "arctanh", backend.arctanh, (lambda g, out, x: div(g, 1.0 - x * x),),
    elementwise=True, doc="inverse hyperbolic tangent; d/dx = 1/(1 − x²)")

arctan2 = primitive(
    "arctan2", backend.numpy_on_floats(np.arctan2),
    (lambda g, out, y, x: g * div(x, x * x + y * y),
     lambda g, out, y, x: -(g * div(y, x * x + y * y))),
    elementwise=True, doc="angle of (x, y), arctan2(y, x); d/dy = x/(x² + y²), d/dx = −y/(x² + y²) (nan at 0, 0)")

hypot = primitive(
    "hypot", backend.numpy_on_floats(np.hypot),
    (lambda g, out, x, y: g * div(x, out),
     lambda g, out, x, y: g * div(y, out)),
    elementwise=True, doc="√(x² + y²); d/dx = x/out, d/dy = y/out (nan at 0, 0, as torch)")

exp2 = primitive(
    "exp2", backend.numpy_on_floats(np.exp2), (lambda g, out, x: g * out * _LN2,),
    elementwise=True, doc="2^x; d/dx = 2^x · ln 2")

expm1 = primitive(
    "expm1", backend.expm1, (lambda g, out, x: g * (out + 1.0),),
    elementwise=True, doc="e^x − 1, exact near 0; d/dx = e^x = out + 1")

log2 = primitive(
    "log2", backend.log2, (lambda g, out, x: div(g, x * _LN2),),
    elementwise=True, doc="base-2 logarithm; d/dx = 1/(x ln 2)")

log10 = primitive(
    "log10", backend.log10, (lambda g, out, x: div(g, x * _LN10),),
    elementwise=True, doc="base-10 logarithm; d/dx = 1/(x ln 10)")

log1p = primitive(
    "log1p", backend.log1p, (lambda g, out, x: div(g, 1.0 + x),),
    elementwise=True, doc="log(1 + x), exact near 0; d/dx = 1/(1 + x)")

logaddexp = primitive(
    "logaddexp", backend.numpy_on_floats(np.logaddexp),
    (lambda g, out, x, y: g * exp(x - out),
     lambda g, out, x, y: g * exp(y - out)),
    elementwise=True, doc="log(e^x + e^y) without overflow; d/dx = e^(x − out), d/dy = e^(y − out)")

logaddexp2 = primitive(
    "logaddexp2", backend.numpy_on_floats(np.logaddexp2),
    (lambda g, out, x, y: g * exp2(x - out),
     lambda g, out, x, y: g * exp2(y - out)),
    elementwise=True, doc="log₂(2^x + 2^y); d/dx = 2^(x − out), d/dy = 2^(y − out)")

square = primitive(
    "square", backend.numpy_on_floats(np.square), (lambda g, out, x: g * (2.0 * x),),
    elementwise=True, doc="x²; d/dx = 2x")

reciprocal = primitive(
    "reciprocal", lambda x: backend.div(1.0, x), (lambda g, out, x: -(g * out * out),),
    elementwise=True, doc="1/x; d/dx = −1/x² = −out²")

sign = primitive(
    "sign", backend.numpy_on_floats(np.sign), (_zero_gradient,),
    elementwise=True, doc="−1, 0 or 1 (nan at nan); the gradient is 0 everywhere, 0 at 0 too (as torch)")

floor = primitive(
    "floor", backend.numpy_on_floats(np.floor), (_zero_gradient,),
    elementwise=True, doc="largest integer ≤ x; the gradient is 0 everywhere, at the jumps too (as torch)")

ceil = primitive(
    "ceil", backend.numpy_on_floats(np.ceil), (_zero_gradient,),
    elementwise=True, doc="smallest integer ≥ x; the gradient is 0 everywhere, at the jumps too (as torch)")

fabs = primitive(
    "fabs", backend.fabs, (lambda g, out, x: g * _sign(x),),
    symbol="|x|", elementwise=True, doc="|x| (NumPy's fabs); d/dx = sign x (0 at 0, nan at nan)")


def _wins(a: Any, b: Any, nan_wins: Any) -> Any:
    """The share of g that the larger of a and b receives, for a: 1 if a > b, ½ at a tie, else 0.

    A nan wins (``maximum``, which propagates it) or loses (``fmax``, which ignores it).
    """
    if a.__class__ is float and b.__class__ is float:
        if a != a or b != b:
            return float(a != a) if nan_wins else float(b != b and a == a)
        return 1.0 if a > b else 0.5 if a == b else 0.0
    a, b = np.asarray(a), np.asarray(b)
    share = (a > b) + 0.5 * (a == b)
    return np.where(np.isnan(a) if nan_wins else np.isnan(b) & ~np.isnan(a), 1.0, share)


def _larger(nan_wins: Any) -> Any:
    return (lambda g, out, x, y: g * _wins(_data(x), _data(y), nan_wins),
            lambda g, out, x, y: g * _wins(_data(y), _data(x), nan_wins))


def _smaller(nan_wins: Any) -> Any:
    return (lambda g, out, x, y: g * _wins(-_data(x), -_data(y), nan_wins),
            lambda g, out, x, y: g * _wins(-_data(y), -_data(x), nan_wins))


maximum = primitive(
    "maximum", backend.numpy_on_floats(np.maximum), _larger(True),
    elementwise=True, doc="elementwise larger of x and y (nan if either is); g goes to the larger, "
                          "half to each at a tie (as torch)")

minimum = primitive(
    "minimum", backend.numpy_on_floats(np.minimum), _smaller(True),
    elementwise=True, doc="elementwise smaller of x and y (nan if either is); g goes to the smaller, "
                          "half to each at a tie (as torch)")

fmax = primitive(
    "fmax", backend.numpy_on_floats(np.fmax), _larger(False),
    elementwise=True, doc="larger of x and y ignoring a nan; as maximum, and g goes to the number where one is nan")

fmin = primitive(
    "fmin", backend.numpy_on_floats(np.fmin), _smaller(False),
    elementwise=True, doc="smaller of x and y ignoring a nan; as minimum, and g goes to the number where one is nan")


def _floor_quotient(x: Any, y: Any) -> Any:
    xd, yd = _data(x), _data(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = np.floor_divide(np.float64(xd) if xd.__class__ is float else xd, yd)
    return float(quotient) if xd.__class__ is float and yd.__class__ is float else quotient


remainder = primitive(
    "remainder", backend.numpy_on_floats(np.remainder),
    (upstream,
     lambda g, out, x, y: -(g * _floor_quotient(x, y))),
    symbol="%", elementwise=True,
    doc="x mod y with the sign of y (Python's %), x − ⌊x/y⌋·y; d/dx = 1, d/dy = −⌊x/y⌋ "
        "(taken from the right at the jumps, where x/y is an integer)")

deg2rad = primitive(
    "deg2rad", backend.numpy_on_floats(np.deg2rad), (lambda g, out, x: g * (np.pi / 180.0),),
    elementwise=True, doc="degrees to radians, x·π/180")

rad2deg = primitive(
    "rad2deg", backend.numpy_on_floats(np.rad2deg), (lambda g, out, x: g * (180.0 / np.pi),),
    elementwise=True, doc="radians to degrees, x·180/π")

# -- more reductions -------------------------------------------------------------


def _flip(x: Any, axis: Any) -> Any:
    """x reversed along axis (a getitem with a negative step)."""
    return getitem(x, index=(slice(None),) * axis + (slice(None, None, -1),))


def _axes_last(x: Any, axes: Any) -> Any:
    """x with ``axes`` moved to the end and flattened into one, and the function that undoes it."""
    shape = np.shape(_data(x))
    order = tuple([a for a in range(len(shape)) if a not in axes] + list(axes))
    moved = tuple(shape[a] for a in order)
    lead = moved[:len(shape) - len(axes)]
    n = int(np.prod([shape[a] for a in axes]))
    flat = reshape(transpose(x, axes=order), shape=lead + (n,))
    inverse = tuple(int(i) for i in np.argsort(order))
    return flat, lambda y: transpose(reshape(y, shape=moved), axes=inverse)


def _rows_without_self(flat: Any) -> Any:
    """(…, n) → (…, n, n): row i is the last axis with element i replaced by 1."""
    shape = np.shape(_data(flat))
    n = shape[-1]
    eye = np.eye(n)
    rows = broadcast_to(reshape(flat, shape=shape[:-1] + (1, n)), shape=shape[:-1] + (n, n))
    return rows * (1.0 - eye) + eye


def _divides_well(x: Any) -> Any:
    """Whether to take the product of the others as out/x: on raw data without zeros.

    On nodes (a recorded backward pass) the division-free form is used: the
    derivative of out/x cancels terms of size |out/x²|, which for a small x
    would swamp the rest of a higher derivative.
    """
    return not isinstance(x, Node) and bool(np.all(np.asarray(x) != 0.0))


def _product_of_others(x: Any, out: Any, axis: Any, keepdims: Any) -> Any:
    """For each element, the product of the others it is reduced with (no division where x has zeros)."""
    data = np.asarray(_data(x))
    axes = _axes(axis, data.ndim)
    if not axes:
        return x * 0.0 + 1.0
    if _divides_well(x):
        return div(_spread(out, x, axis, keepdims), x)
    flat, undo = _axes_last(x, axes)
    return undo(prod(_rows_without_self(flat), axis=np.ndim(_data(flat))))


prod = primitive(
    "prod", _reduction("prod", np.prod),
    (lambda g, out, x, axis=None, keepdims=False:
        _spread(g, x, axis, keepdims) * _product_of_others(x, out, axis, keepdims),),
    jvps=(lambda t, out, x, axis=None, keepdims=False:
          sum(t * _product_of_others(x, out, axis, keepdims), axis=axis, keepdims=keepdims),),
    symbol="Π", tensor_only=True,
    doc="product over axis; each element receives g times the product of the others "
        "(out/x, or without dividing where an element is 0 and in a recorded backward pass)")


def _cumulative(name: Any, accumulate: Any) -> Any:
    def forward(x: Any, axis: Any) -> Any:
        _axes(axis, np.ndim(x), name)
        return accumulate(x, axis=axis)

    return forward


def _cumprod_vjp(g: Any, out: Any, x: Any, axis: Any) -> Any:
    data = np.asarray(_data(x))
    axis %= data.ndim
    if _divides_well(x):
        return div(_flip(cumsum(_flip(g * out, axis), axis=axis), axis), x)
    flat, undo = _axes_last(x, (axis,))
    g_flat, _ = _axes_last(g, (axis,))
    shape = np.shape(_data(flat))
    n, last = shape[-1], len(shape)
    partial = cumprod(_rows_without_self(flat), axis=last)  # [..., i, j] = Π_{k ≤ j, k ≠ i} x_k
    later = np.triu(np.ones((n, n)))  # output j depends on input i when j ≥ i
    return undo(sum(reshape(g_flat, shape=shape[:-1] + (1, n)) * partial * later, axis=last))


cumsum: Primitive = primitive(
    "cumsum", _cumulative("cumsum", np.cumsum),
    (lambda g, out, x, axis: _flip(cumsum(_flip(g, axis % np.ndim(_data(x))), axis=axis), axis % np.ndim(_data(x))),),
    jvps=(lambda t, out, x, axis: cumsum(t, axis=axis),),
    symbol="cumsum", tensor_only=True, doc="running sum along axis; dx is the reversed running sum of g")

cumprod = primitive(
    "cumprod", _cumulative("cumprod", np.cumprod), (_cumprod_vjp,),
    symbol="cumprod", tensor_only=True,
    doc="running product along axis; dx_i = Σ_{j ≥ i} g_j · out_j / x_i "
        "(without dividing where an element is 0 and in a recorded backward pass)")


def _degrees_of_freedom(x: Any, axis: Any, ddof: Any) -> Any:
    return _size(x, axis) - ddof


def _centered(x: Any, axis: Any) -> Any:
    return x - mean(x, axis=axis, keepdims=True)


def _var_vjp(g: Any, out: Any, x: Any, axis: Any | None = None, keepdims: bool = False, ddof: Any = 0) -> Any:
    dof = _degrees_of_freedom(x, axis, ddof)
    return _spread(g, x, axis, keepdims) * _centered(x, axis) * (2.0 / dof if dof > 0 else float("nan"))


def _std_vjp(g: Any, out: Any, x: Any, axis: Any | None = None, keepdims: bool = False, ddof: Any = 0) -> Any:
    dof = _degrees_of_freedom(x, axis, ddof)
    scale = 1.0 / dof if dof > 0 else float("nan")
    return _spread(g, x, axis, keepdims) * div(_centered(x, axis), _spread(out, x, axis, keepdims)) * scale


def _var_jvp(t: Any, out: Any, x: Any, axis: Any | None = None, keepdims: bool = False, ddof: Any = 0) -> Any:
    dof = _degrees_of_freedom(x, axis, ddof)
    return sum(t * _centered(x, axis), axis=axis, keepdims=keepdims) * (2.0 / dof if dof > 0 else float("nan"))


def _std_jvp(t: Any, out: Any, x: Any, axis: Any | None = None, keepdims: bool = False, ddof: Any = 0) -> Any:
    dof = _degrees_of_freedom(x, axis, ddof)
    return div(sum(t * _centered(x, axis), axis=axis, keepdims=keepdims), out * dof if dof > 0 else out * float("nan"))


var = primitive(
    "var", _reduction("var", np.var), (_var_vjp,), jvps=(_var_jvp,), tensor_only=True,
    doc="variance over axis, Σ(x − mean)²/(n − ddof); dx = g·2(x − mean)/(n − ddof)")

std = primitive(
    "std", _reduction("std", np.std), (_std_vjp,), jvps=(_std_jvp,), symbol="σ", tensor_only=True,
    doc="standard deviation over axis, √var; dx = g·(x − mean)/((n − ddof)·out) (nan where out = 0)")


def _logsumexp_forward(x: Any, axis: Any | None = None, keepdims: bool = False) -> Any:
    axes = _axes(axis, np.ndim(x), "logsumexp")
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(x - top), axis=axis, keepdims=True)) + top
    return out if keepdims else np.squeeze(out, axis=axes)


logsumexp = primitive(
    "logsumexp", _logsumexp_forward,
    (lambda g, out, x, axis=None, keepdims=False:
        _spread(g, x, axis, keepdims) * exp(x - _spread(out, x, axis, keepdims)),),
    jvps=(lambda t, out, x, axis=None, keepdims=False:
          sum(t * exp(x - _spread(out, x, axis, keepdims)), axis=axis, keepdims=keepdims),),
    tensor_only=True, doc="log Σ e^x over axis, stable (the max subtracted first); dx = g·e^(x − out), softmax")


# -- more of NumPy: copy, cube root, signs, truncated division and rounding ------
#
# Elementwise, so each VJP doubles as the JVP. The rounding functions, floor
# division and heaviside are piecewise constant: their gradient is 0
# everywhere, at the jumps too (as floor and ceil above, and as torch).

def _fresh_copy(x: Any) -> Any:
    return x if x.__class__ is float else np.array(x, copy=True)


copy = primitive(
    "copy", _fresh_copy, (upstream,),
    elementwise=True, doc="a new node holding a copy of x's values; g passes through unchanged",
    reads=((),))

cbrt = primitive(
    "cbrt", backend.numpy_on_floats(np.cbrt), (lambda g, out, x: div(g, 3.0 * (out * out)),),
    elementwise=True, doc="cube root, real for x < 0; d/dx = 1/(3·cbrt(x)²) (inf at 0)",
    reads=((OUT,),))


def _unit_sign(x: Any) -> Any:
    """copysign(1, x) on x's data: ±1 by the sign bit, so −0.0 and nan count by their sign too (a constant)."""
    data = _data(x)
    if data.__class__ is float:
        return float(np.copysign(1.0, data))
    return np.copysign(1.0, data)


copysign = primitive(
    "copysign", backend.numpy_on_floats(np.copysign),
    (lambda g, out, x, y: g * (_unit_sign(x) * _unit_sign(y)),
     _zero_gradient),
    elementwise=True, doc="|x| with the sign of y; d/dx = copysign(1, x)·copysign(1, y), d/dy = 0",
    reads=((0, 1), ()))


def _truncated_quotient(x: Any, y: Any) -> Any:
    """trunc(x/y) on the data (a constant), nan or inf where y is 0, as NumPy's."""
    xd, yd = _data(x), _data(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = np.trunc(np.divide(np.float64(xd) if xd.__class__ is float else xd, yd))
    return float(quotient) if xd.__class__ is float and yd.__class__ is float else quotient


fmod = primitive(
    "fmod", backend.numpy_on_floats(np.fmod),
    (upstream,
     lambda g, out, x, y: -(g * _truncated_quotient(x, y))),
    elementwise=True,
    doc="x mod y with the sign of x (C's fmod), x − trunc(x/y)·y; d/dx = 1, d/dy = −trunc(x/y) "
        "(taken away from 0 at the jumps, where x/y is a nonzero integer)",
    reads=((), (0, 1)))


def _round_forward(x: Any, decimals: int = 0) -> Any:
    return float(np.round(np.float64(x), decimals)) if x.__class__ is float else np.round(x, decimals)


round = primitive(
    "round", _round_forward, (lambda g, out, x, decimals=0: g * 0.0,),
    elementwise=True, doc="x rounded to ``decimals`` places, halves to even (np.round); the gradient is 0",
    reads=((),))

rint = primitive(
    "rint", backend.numpy_on_floats(np.rint), (_zero_gradient,),
    elementwise=True, doc="the nearest integer, halves to even; the gradient is 0",
    reads=((),))

trunc = primitive(
    "trunc", backend.numpy_on_floats(np.trunc), (_zero_gradient,),
    elementwise=True, doc="x with its fraction dropped (towards 0; np.fix too); the gradient is 0",
    reads=((),))

floor_divide = primitive(
    "floor_divide", backend.numpy_on_floats(np.floor_divide), (_zero_gradient, _zero_gradient),
    symbol="//", elementwise=True, doc="⌊x/y⌋ (Python's //); the gradient is 0 for both",
    reads=((), ()))

heaviside = primitive(
    "heaviside", backend.numpy_on_floats(np.heaviside), (_zero_gradient, _zero_gradient),
    elementwise=True, doc="0 for x < 0, y at x = 0, 1 for x > 0; the gradient is 0 for both (as torch)",
    reads=((), ()))
