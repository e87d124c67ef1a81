"""The public functions with NumPy-style signatures, and composites built from primitives.

Every function accepts a Value, a Tensor, a plain number or a NumPy array;
on plain data it returns plain data, on nodes it returns a recorded node.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

from . import ops
from .engine import group
from .node import Node

if TYPE_CHECKING:
    from .node import Tensor, Value
    from .typing import Array, Axis, NodeOrData, Operand, PlainData, Shape


@overload
def sum(x: Node, axis: Axis = ..., keepdims: bool = ...) -> Tensor: ...

@overload
def sum(x: Operand, axis: Axis = ..., keepdims: bool = ...) -> Any: ...


def sum(x: Operand, axis: Axis = None, keepdims: bool = False) -> Any:
    return ops.sum(x, axis=_axis(axis), keepdims=keepdims)


@overload
def mean(x: Node, axis: Axis = ..., keepdims: bool = ...) -> Tensor: ...

@overload
def mean(x: Operand, axis: Axis = ..., keepdims: bool = ...) -> Any: ...


def mean(x: Operand, axis: Axis = None, keepdims: bool = False) -> Any:
    return ops.mean(x, axis=_axis(axis), keepdims=keepdims)


@overload
def max(x: Node, axis: Axis = ..., keepdims: bool = ...) -> Tensor: ...

@overload
def max(x: Operand, axis: Axis = ..., keepdims: bool = ...) -> Any: ...


def max(x: Operand, axis: Axis = None, keepdims: bool = False) -> Any:
    return ops.max(x, axis=_axis(axis), keepdims=keepdims)


@overload
def min(x: Node, axis: Axis = ..., keepdims: bool = ...) -> Tensor: ...

@overload
def min(x: NodeOrData, axis: Axis = ..., keepdims: bool = ...) -> Any: ...


def min(x: NodeOrData, axis: Axis = None, keepdims: bool = False) -> Any:
    """Minimum over axis, as −max(−x) in a 'min' group; the gradient goes to the (first) arg-min."""
    with group("min"):
        return -ops.max(-x, axis=_axis(axis), keepdims=keepdims)


@overload
def clip(x: Tensor, low: float | None = ..., high: float | None = ...) -> Tensor: ...

@overload
def clip(x: Value, low: float | None = ..., high: float | None = ...) -> Value: ...

@overload
def clip(x: float, low: float | None = ..., high: float | None = ...) -> float: ...

@overload
def clip(x: Operand, low: float | None = ..., high: float | None = ...) -> Any: ...


def clip(x: Operand, low: float | None = None, high: float | None = None) -> Any:
    """x limited to [low, high] (None: no limit); the gradient passes where low ≤ x ≤ high."""
    if low is None and high is None:
        raise ValueError("clip: give low, high or both")
    return ops.clip(x, low=_bound(low), high=_bound(high))


@overload
def sqrt(x: Tensor) -> Tensor: ...

@overload
def sqrt(x: Value) -> Value: ...

@overload
def sqrt(x: float) -> float: ...

@overload
def sqrt(x: Operand) -> Any: ...


def sqrt(x: Operand) -> Any:
    """√x, recorded as x ** 0.5."""
    return ops.pow(x, 0.5)


@overload
def reshape(x: Node, shape: Shape) -> Tensor: ...

@overload
def reshape(x: PlainData, shape: Shape) -> Array: ...


def reshape(x: Operand, shape: Shape) -> Tensor | Array:
    return ops.reshape(x, shape=tuple(shape) if not isinstance(shape, int) else (shape,))


@overload
def transpose(x: Node, axes: Sequence[int] | None = ...) -> Tensor: ...

@overload
def transpose(x: PlainData, axes: Sequence[int] | None = ...) -> Array: ...


def transpose(x: Operand, axes: Sequence[int] | None = None) -> Tensor | Array:
    return ops.transpose(x, axes=None if axes is None else tuple(axes))


@overload
def broadcast_to(x: Node, shape: Sequence[int]) -> Tensor: ...

@overload
def broadcast_to(x: PlainData, shape: Sequence[int]) -> Array: ...


def broadcast_to(x: Operand, shape: Sequence[int]) -> Tensor | Array:
    return ops.broadcast_to(x, shape=tuple(shape))


@overload
def sum_to(x: Node, shape: Sequence[int]) -> Tensor: ...

@overload
def sum_to(x: PlainData, shape: Sequence[int]) -> Array: ...


def sum_to(x: Operand, shape: Sequence[int]) -> Tensor | Array:
    return ops.sum_to(x, shape=tuple(shape))


@overload
def getitem(x: Node, index: Any) -> Tensor: ...

@overload
def getitem(x: Operand, index: Any) -> Any: ...


def getitem(x: Operand, index: Any) -> Any:
    return ops.getitem(x, index=_index(index))


@overload
def softmax(x: Node, axis: int = ...) -> Tensor: ...

@overload
def softmax(x: PlainData, axis: int = ...) -> Array: ...


def softmax(x: Operand, axis: int = -1) -> Tensor | Array:
    return ops.softmax(x, axis=axis)


@overload
def log_softmax(x: Node, axis: int = ...) -> Tensor: ...

@overload
def log_softmax(x: PlainData, axis: int = ...) -> Array: ...


def log_softmax(x: Operand, axis: int = -1) -> Tensor | Array:
    return ops.log_softmax(x, axis=axis)


@overload
def dot(a: Node, b: Operand) -> Tensor: ...

@overload
def dot(a: Operand, b: Node) -> Tensor: ...

@overload
def dot(a: Operand, b: Operand) -> Any: ...


def dot(a: Operand, b: Operand) -> Any:
    """Matrix product with NumPy's semantics for 1-D and 2-D operands."""
    return ops.dot(a, b)


matmul = dot


@overload
def sigmoid(x: Tensor, fused: bool = ...) -> Tensor: ...

@overload
def sigmoid(x: Value, fused: bool = ...) -> Value: ...

@overload
def sigmoid(x: float, fused: bool = ...) -> float: ...

@overload
def sigmoid(x: Operand, fused: bool = ...) -> Any: ...


def sigmoid(x: Operand, fused: bool = True) -> Any:
    """1 / (1 + e^−x). ``fused=False`` records the textbook's four nodes

    (× −1, exp, + 1, 1/x) inside a group named 'sigmoid'; the fused form is one
    node whose backward is g · y(1 − y). Both give the same gradient.
    """
    return ops.sigmoid(x) if fused else sigmoid_composite(x)  # type: ignore[arg-type]  # NumPy bools have no unary minus


@overload
def sigmoid_composite(x: Tensor) -> Tensor: ...

@overload
def sigmoid_composite(x: Value) -> Value: ...

@overload
def sigmoid_composite(x: float) -> float: ...

@overload
def sigmoid_composite(x: NodeOrData) -> Any: ...


def sigmoid_composite(x: NodeOrData) -> Any:
    """Sigmoid as the textbook draws it: four primitives in a 'sigmoid' group."""
    with group("sigmoid"):
        return 1.0 / (1.0 + ops.exp(-x))


def zero_grad(*nodes: Node | Iterable[Node] | Mapping[Any, Node]) -> None:
    """Set ``.grad`` to None on the given nodes, or on those in lists, tuples or dicts (their values) of nodes."""
    for item in nodes:
        if isinstance(item, Node):
            item.grad = None
            continue
        if isinstance(item, dict):
            item = item.values()
        try:
            members = list(item)
        except TypeError:
            raise TypeError(f"zero_grad: expected nodes or collections of nodes, got {type(item).__name__}") from None
        for node in members:
            if not isinstance(node, Node):
                raise TypeError(
                    f"zero_grad: {type(node).__name__} is not a node; a plain array has no .grad to clear "
                    "(for nn's params dict, the gradients are returned, not stored)"
                )
        for node in members:
            node.grad = None


def _bound(bound: object) -> float | None:
    if bound is None:
        return None
    if not isinstance(bound, numbers.Real) or isinstance(bound, (bool, Node)):
        raise TypeError(f"clip: bounds must be plain numbers or None, got {type(bound).__name__}")
    return float(bound)


def _axis(axis: Axis) -> int | tuple[int, ...] | None:
    if axis is None or isinstance(axis, int):
        return axis
    if not isinstance(axis, (tuple, list)):
        raise TypeError(f"axis must be None, an int or a tuple of ints, got {axis!r}")
    return tuple(axis)


def _index(index: Any) -> Any:
    """Make an index hashable-free of nodes: Tensors in it become their (integer) data."""
    if isinstance(index, tuple):
        return tuple(_index_part(i) for i in index)
    return _index_part(index)


def _index_part(part: Any) -> Any:
    import numpy as np

    if isinstance(part, Node):
        if getattr(part, "_from_bools", False):
            return part.data.astype(bool)  # a Tensor made from booleans is a mask, as in NumPy
        part = part.data
    if isinstance(part, list):
        part = np.asarray(part)
    if isinstance(part, np.ndarray) and part.dtype.kind == "f":
        if not np.all(part == np.round(part)):
            raise IndexError(f"getitem: index arrays must hold integers, got {part.dtype} values")
        part = part.astype(np.int64)
    return part


# -- NumPy's reductions and cumulative functions, with its signatures ----------


@overload
def prod(x: Node, axis: Axis = ..., keepdims: bool = ...) -> Tensor: ...

@overload
def prod(x: Operand, axis: Axis = ..., keepdims: bool = ...) -> Any: ...


def prod(x: Operand, axis: Axis = None, keepdims: bool = False) -> Any:
    return ops.prod(x, axis=_axis(axis), keepdims=keepdims)


@overload
def var(x: Node, axis: Axis = ..., ddof: float = ..., keepdims: bool = ...) -> Tensor: ...

@overload
def var(x: Operand, axis: Axis = ..., ddof: float = ..., keepdims: bool = ...) -> Any: ...


def var(x: Operand, axis: Axis = None, ddof: float = 0, keepdims: bool = False) -> Any:
    """Variance, Σ(x − mean)²/(n − ddof), over axis."""
    return ops.var(x, axis=_axis(axis), ddof=ddof, keepdims=keepdims)


@overload
def std(x: Node, axis: Axis = ..., ddof: float = ..., keepdims: bool = ...) -> Tensor: ...

@overload
def std(x: Operand, axis: Axis = ..., ddof: float = ..., keepdims: bool = ...) -> Any: ...


def std(x: Operand, axis: Axis = None, ddof: float = 0, keepdims: bool = False) -> Any:
    """Standard deviation, √var, over axis."""
    return ops.std(x, axis=_axis(axis), ddof=ddof, keepdims=keepdims)


@overload
def logsumexp(x: Node, axis: Axis = ..., keepdims: bool = ...) -> Tensor: ...

@overload
def logsumexp(x: Operand, axis: Axis = ..., keepdims: bool = ...) -> Any: ...


def logsumexp(x: Operand, axis: Axis = None, keepdims: bool = False) -> Any:
    """log Σ e^x over axis, computed stably; its gradient is the softmax."""
    return ops.logsumexp(x, axis=_axis(axis), keepdims=keepdims)


@overload
def ptp(x: Node, axis: Axis = ..., keepdims: bool = ...) -> Tensor: ...

@overload
def ptp(x: NodeOrData, axis: Axis = ..., keepdims: bool = ...) -> Any: ...


def ptp(x: NodeOrData, axis: Axis = None, keepdims: bool = False) -> Any:
    """Peak to peak, max − min, in a 'ptp' group (tied extremes share the gradient)."""
    with group("ptp"):
        return max(x, axis, keepdims) - min(x, axis, keepdims)


def _flattened(x: Operand, axis: int | None) -> tuple[Any, int]:
    return (ops.reshape(x, shape=(-1,)), 0) if axis is None else (x, axis)


@overload
def cumsum(x: Node, axis: int | None = ...) -> Tensor: ...

@overload
def cumsum(x: PlainData, axis: int | None = ...) -> Array: ...


def cumsum(x: Operand, axis: int | None = None) -> Tensor | Array:
    """Running sum along axis (of the flattened x when axis is None, as NumPy)."""
    x, axis = _flattened(x, axis)
    return ops.cumsum(x, axis=axis)


@overload
def cumprod(x: Node, axis: int | None = ...) -> Tensor: ...

@overload
def cumprod(x: PlainData, axis: int | None = ...) -> Array: ...


def cumprod(x: Operand, axis: int | None = None) -> Tensor | Array:
    """Running product along axis (of the flattened x when axis is None, as NumPy)."""
    x, axis = _flattened(x, axis)
    return ops.cumprod(x, axis=axis)


@overload
def positive(x: Tensor) -> Tensor: ...

@overload
def positive(x: Value) -> Value: ...

@overload
def positive(x: Operand) -> Any: ...


def positive(x: Operand) -> Any:
    """+x: the node itself (np.positive on plain data)."""
    import numpy as np

    return x if isinstance(x, Node) else np.positive(x)


@overload
def sinc(x: Tensor) -> Tensor: ...

@overload
def sinc(x: Value) -> Value: ...

@overload
def sinc(x: float) -> float: ...

@overload
def sinc(x: NodeOrData) -> Any: ...


def sinc(x: NodeOrData) -> Any:
    """NumPy's normalised sinc, sin(πx)/(πx) with sinc(0) = 1, in a 'sinc' group.

    Away from 0 it is recorded as sin(πx)/(πx); where |x| < 10⁻³ as its
    Taylor polynomial 1 − z/6 + z²/120 − z³/5040 (z = (πx)²), whose error
    there is below 10⁻²⁵, so every derivative is finite and right at 0
    (sinc′(0) = 0, sinc″(0) = −π²/3). Each branch sees only its own points.
    """
    import numpy as np

    if not isinstance(x, Node):
        return np.sinc(x)
    data = x.data
    if data.__class__ is float:
        near, far = abs(data) < 1e-3, abs(data) >= 1e-3
    else:
        near = np.abs(data) < 1e-3
        far = ~near
    with group("sinc"):
        safe = ops.mask(x, keep=far) + near * 1.0  # 1 where x is near 0: no 0/0 in the far branch
        px = safe * np.pi
        z = (x * np.pi) * (x * np.pi)
        series = 1.0 - z * (1.0 / 6.0) + z * z * (1.0 / 120.0) - z * z * z * (1.0 / 5040.0)
        return ops.mask(ops.sin(px) / px, keep=far) + ops.mask(series, keep=near)


# -- copying, rounding and float powers, with NumPy's signatures ---------------


@overload
def copy(a: Tensor) -> Tensor: ...

@overload
def copy(a: Value) -> Value: ...

@overload
def copy(a: Operand) -> Any: ...


def copy(a: Operand) -> Any:
    """A recorded copy: a new node with a's values, through which the gradient passes (np.copy on plain data)."""
    import numpy as np

    return ops.copy(a) if isinstance(a, Node) else np.copy(a)


@overload
def round(a: Tensor, decimals: int = ...) -> Tensor: ...

@overload
def round(a: Value, decimals: int = ...) -> Value: ...

@overload
def round(a: Operand, decimals: int = ...) -> Any: ...


def round(a: Operand, decimals: int = 0) -> Any:
    """a rounded to ``decimals`` places, halves to even, as np.round; its gradient is 0."""
    import numpy as np

    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
        raise TypeError(f"round: decimals must be an int, got {decimals!r}")
    return ops.round(a, decimals=int(decimals))


around = round


@overload
def fix(x: Tensor) -> Tensor: ...

@overload
def fix(x: Value) -> Value: ...

@overload
def fix(x: Operand) -> Any: ...


def fix(x: Operand) -> Any:
    """x rounded towards 0, as np.fix: recorded as trunc, whose gradient is 0."""
    return ops.trunc(x)


def float_power(x1: Operand, x2: Operand) -> Any:
    """x1 ** x2 computed in float64, as np.float_power: recorded as pow, its derivatives pow's."""
    import numpy as np

    if not isinstance(x1, Node) and not isinstance(x2, Node):
        return np.float_power(x1, x2)
    return ops.pow(_in_float64(x1), _in_float64(x2))


def _in_float64(x: Operand) -> Any:
    """x with float64 data: a node of another dtype times a float64 one (NumPy's promotion), plain data converted."""
    import numpy as np

    if isinstance(x, Node):
        data = x.data
        return x if data.__class__ is float or np.asarray(data).dtype == np.float64 else x * np.ones((), np.float64)
    return x if x.__class__ is float else np.asarray(x, dtype=np.float64)
