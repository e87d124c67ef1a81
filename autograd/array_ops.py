"""NumPy's shape, joining, splitting and selection functions, on nodes.

Three primitives of their own: ``concatenate`` (its VJP slices g back into
the pieces), ``where`` (its VJPs mask g) and ``convolve`` (NumPy's 1-D
convolution; its VJPs are correlations, convolutions with the other input
reversed). Everything else is a composite
of the op table's reshape, transpose, getitem and scatter: a flip is a
reversed slice, a roll or a sort an integer-array index, a diagonal an
index pair, so each derivative is still defined once, in the op table.

Every function takes Values, Tensors, numbers, arrays or (for the joining
functions) lists of them, with NumPy's signature; on plain data it returns
plain data, as NumPy would.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, NoReturn, overload

import numpy as np

from . import ops
from .node import Node
from .ops import _data, primitive

if TYPE_CHECKING:
    from .node import Tensor, Value
    from .ops import Primitive
    from .typing import Array, ArrayOperand, Axis, Operand, PlainArrayLike, Shape

# -- operands and axes ---------------------------------------------------------


def check_real(name: str, x: ArrayOperand) -> None:
    """Refuse complex (and other non-real) plain data with a TypeError naming ``name``."""
    data = _data(x)
    if np.iscomplexobj(data):
        raise TypeError(
            f"{name}: complex input (dtype {np.asarray(data).dtype}) is not supported; "
            "autograd differentiates real numbers only: pass the real and imaginary parts as separate arrays"
        )


def operand(name: str, x: ArrayOperand) -> Any:
    """A node as it is, a nested list holding nodes as ``array(x)``, anything else as a real array."""
    if isinstance(x, Node):
        return x
    if isinstance(x, (list, tuple)) and _holds_node(x):
        return array(x)
    check_real(name, x)
    data = np.asarray(x)
    if data.dtype.kind not in "biuf":
        raise TypeError(f"{name}: unsupported operand of dtype {data.dtype} (from {type(x).__name__}); use numbers")
    return data


def _holds_node(obj: Any) -> bool:
    if isinstance(obj, Node):
        return True
    return isinstance(obj, (list, tuple)) and any(_holds_node(item) for item in obj)


def shape_of(x: ArrayOperand) -> tuple[int, ...]:
    return np.shape(_data(x))


def normalize_axis(name: str, axis: int, ndim: int) -> int:
    """``axis`` in [0, ndim), or a ValueError naming the function, the axis and ndim."""
    if isinstance(axis, bool) or not isinstance(axis, (numbers.Integral,)):
        raise TypeError(f"{name}: axis must be an int, got {type(axis).__name__}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of bounds for an array of dimension {ndim}")
    return int(axis) % ndim


def _axes_tuple(name: str, axis: int | Sequence[int], ndim: int) -> tuple[int, ...]:
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    normalized = tuple(normalize_axis(name, a, ndim) for a in axes)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{name}: repeated axis in {axis}")
    return normalized


def _along(axis: int, index: Any) -> tuple[Any, ...]:
    """An index tuple that applies ``index`` to ``axis`` and takes everything else."""
    return (slice(None),) * axis + (index,)


def numpy_function(name: str) -> Any:
    """NumPy's own function ``name``, for plain data (untyped: the operands here are wider than NumPy's hints)."""
    return getattr(np, name)


def _refuse(name: str, **options: Any) -> None:
    for option, value in options.items():
        if value is not None:
            raise TypeError(f"{name}: the {option}= argument is not supported on nodes")


# -- concatenate: a primitive with any number of inputs ------------------------


class EachInput:
    """The VJPs of a primitive with any number of inputs: ``vjp(i, g, out, *inputs)`` for input i."""

    __slots__ = ("vjp",)

    def __init__(self, vjp: Callable[..., Any]) -> None:
        self.vjp = vjp

    def __getitem__(self, position: int) -> Callable[..., Any]:
        if not isinstance(position, int) or position < 0:
            raise TypeError(f"EachInput: VJPs are indexed by input position, got {position!r}")
        return functools.partial(self.vjp, position)

    def __iter__(self) -> NoReturn:  # there is no fixed count to iterate over (and no endless __getitem__ loop)
        raise TypeError("EachInput: one VJP per input, however many: index them by input position")


def _concatenate_forward(*arrays: Array, axis: int) -> Array:
    first = np.shape(arrays[0])
    for other in arrays[1:]:
        shape = np.shape(other)
        if len(shape) != len(first) or shape[:axis] + shape[axis + 1:] != first[:axis] + first[axis + 1:]:
            raise ValueError(
                f"concatenate: shapes {first} and {shape} do not match "
                f"outside axis {axis}; all but the joining axis must be equal"
            )
    return np.concatenate(arrays, axis=axis)


def _concatenate_vjp(position: int, g: Any, out: Any, *arrays: Any, axis: int) -> Any:
    start = 0
    for x in arrays[:position]:
        start += np.shape(_data(x))[axis]
    stop = start + np.shape(_data(arrays[position]))[axis]
    return ops.getitem(g, index=_along(axis, slice(start, stop)))


_concatenate = primitive(
    "concatenate", _concatenate_forward, EachInput(_concatenate_vjp),
    symbol="concat", tensor_only=True,
    doc="join along axis; input i receives its slice of g")


@overload
def concatenate(arrays: Sequence[Node], axis: int | None = ..., out: None = ..., dtype: None = ...,
                casting: None = ...) -> Tensor: ...

@overload
def concatenate(arrays: Sequence[PlainArrayLike], axis: int | None = ..., out: None = ..., dtype: None = ...,
                casting: None = ...) -> Array: ...

@overload
def concatenate(arrays: Sequence[ArrayOperand], axis: int | None = ..., out: None = ..., dtype: None = ...,
                casting: None = ...) -> Tensor | Array: ...


def concatenate(arrays: Sequence[ArrayOperand], axis: int | None = 0, out: None = None, dtype: None = None,
                casting: None = None) -> Tensor | Array:
    """Join a sequence of arrays along an existing axis (``axis=None`` flattens them first)."""
    _refuse("concatenate", out=out, dtype=dtype, casting=casting)
    pieces = _sequence("concatenate", arrays)
    if axis is None:
        pieces = [ravel(p) for p in pieces]
        axis = 0
    ndim = len(shape_of(pieces[0]))
    if ndim == 0:
        raise ValueError("concatenate: zero-dimensional arrays cannot be concatenated; use stack")
    return _concatenate(*pieces, axis=normalize_axis("concatenate", axis, ndim))


def _sequence(name: str, arrays: Sequence[ArrayOperand]) -> Any:
    if isinstance(arrays, (Node, np.ndarray)) or not hasattr(arrays, "__iter__"):
        raise TypeError(f"{name}: expected a sequence of arrays, got {type(arrays).__name__}")
    pieces = [operand(name, a) for a in arrays]
    if not pieces:
        raise ValueError(f"{name}: need at least one array to join")
    return pieces


@overload
def stack(arrays: Sequence[Node], axis: int = ..., out: None = ..., dtype: None = ...,
          casting: None = ...) -> Tensor: ...

@overload
def stack(arrays: Sequence[PlainArrayLike], axis: int = ..., out: None = ..., dtype: None = ...,
          casting: None = ...) -> Array: ...

@overload
def stack(arrays: Sequence[ArrayOperand], axis: int = ..., out: None = ..., dtype: None = ...,
          casting: None = ...) -> Tensor | Array: ...


def stack(arrays: Sequence[ArrayOperand], axis: int = 0, out: None = None, dtype: None = None,
          casting: None = None) -> Tensor | Array:
    """Join arrays of one shape along a new axis: concatenate of expand_dims."""
    _refuse("stack", out=out, dtype=dtype, casting=casting)
    pieces = _sequence("stack", arrays)
    first = shape_of(pieces[0])
    for p in pieces[1:]:
        if shape_of(p) != first:
            raise ValueError(f"stack: all arrays must have the same shape, got {first} and {shape_of(p)}")
    axis = normalize_axis("stack", axis, len(first) + 1)
    return _concatenate(*[expand_dims(p, axis) for p in pieces], axis=axis)


@overload
def hstack(tup: Sequence[Node], dtype: None = ..., casting: None = ...) -> Tensor: ...

@overload
def hstack(tup: Sequence[PlainArrayLike], dtype: None = ..., casting: None = ...) -> Array: ...

@overload
def hstack(tup: Sequence[ArrayOperand], dtype: None = ..., casting: None = ...) -> Tensor | Array: ...


def hstack(tup: Sequence[ArrayOperand], dtype: None = None, casting: None = None) -> Tensor | Array:
    """Join along the second axis (the first for 1-D arrays)."""
    pieces = [atleast_1d(p) for p in _sequence("hstack", tup)]
    return concatenate(pieces, axis=0 if len(shape_of(pieces[0])) == 1 else 1, dtype=dtype, casting=casting)


@overload
def vstack(tup: Sequence[Node], dtype: None = ..., casting: None = ...) -> Tensor: ...

@overload
def vstack(tup: Sequence[PlainArrayLike], dtype: None = ..., casting: None = ...) -> Array: ...

@overload
def vstack(tup: Sequence[ArrayOperand], dtype: None = ..., casting: None = ...) -> Tensor | Array: ...


def vstack(tup: Sequence[ArrayOperand], dtype: None = None, casting: None = None) -> Tensor | Array:
    """Join along the first axis, 1-D arrays as rows."""
    return concatenate([atleast_2d(p) for p in _sequence("vstack", tup)], axis=0, dtype=dtype, casting=casting)


@overload
def dstack(tup: Sequence[Node]) -> Tensor: ...

@overload
def dstack(tup: Sequence[PlainArrayLike]) -> Array: ...

@overload
def dstack(tup: Sequence[ArrayOperand]) -> Tensor | Array: ...


def dstack(tup: Sequence[ArrayOperand]) -> Tensor | Array:
    """Join along the third axis (depth), after atleast_3d."""
    return concatenate([atleast_3d(p) for p in _sequence("dstack", tup)], axis=2)


@overload
def column_stack(tup: Sequence[Node]) -> Tensor: ...

@overload
def column_stack(tup: Sequence[PlainArrayLike]) -> Array: ...

@overload
def column_stack(tup: Sequence[ArrayOperand]) -> Tensor | Array: ...


def column_stack(tup: Sequence[ArrayOperand]) -> Tensor | Array:
    """1-D arrays as columns, 2-D arrays as they are, joined along the second axis."""
    pieces = []
    for p in _sequence("column_stack", tup):
        ndim = len(shape_of(p))
        pieces.append(reshape_(p, (-1, 1)) if ndim < 2 else p)
    return concatenate(pieces, axis=1)


@overload
def array(obj: Tensor) -> Tensor: ...

@overload
def array(obj: Value) -> Value: ...

@overload
def array(obj: Sequence[Node]) -> Tensor: ...

@overload
def array(obj: PlainArrayLike) -> Array: ...

@overload
def array(obj: Any) -> Any: ...


def array(obj: Any) -> Any:
    """A Tensor recorded from nested lists or tuples of Values, Tensors, numbers and arrays.

    ``np.array([x, y])`` cannot see nodes (NumPy gives no hook for it); this
    stacks them, so the gradient flows back to each. Plain data gives a plain array.
    """
    if isinstance(obj, Node):
        return obj
    if isinstance(obj, (list, tuple)):
        if not obj:
            return np.array(obj, dtype=float)
        if _holds_node(obj):
            items = [operand("array", array(item)) for item in obj]
            for item in items[1:]:
                if shape_of(item) != shape_of(items[0]):
                    raise ValueError(
                        f"array: the items have different shapes, {shape_of(items[0])} and {shape_of(item)}; "
                        "nest them rectangularly"
                    )
            return stack(items)
    check_real("array", obj)
    return np.array(obj)


# -- where and select ----------------------------------------------------------


def _condition(condition: ArrayOperand) -> Any:
    cond = np.asarray(_data(condition))
    return cond if cond.dtype == bool else cond.astype(bool)


_where: Primitive = primitive(
    "where", lambda x, y, condition: np.where(condition, x, y),
    (lambda g, out, x, y, condition: _where(g, 0.0, condition=condition),
     lambda g, out, x, y, condition: _where(0.0, g, condition=condition)),
    tensor_only=True,
    doc="x where condition else y; x receives g where condition holds, y receives g elsewhere")


@overload
def where(condition: ArrayOperand, x: None = ..., y: None = ...) -> tuple[Array, ...]: ...

@overload
def where(condition: ArrayOperand, x: Node = ..., y: ArrayOperand = ...) -> Tensor: ...

@overload
def where(condition: ArrayOperand, x: ArrayOperand = ..., y: Node = ...) -> Tensor: ...

@overload
def where(condition: ArrayOperand, x: PlainArrayLike = ..., y: PlainArrayLike = ...) -> Array: ...

@overload
def where(condition: ArrayOperand, x: ArrayOperand = ..., y: ArrayOperand = ...) -> Tensor | Array: ...


def where(condition: ArrayOperand, x: ArrayOperand | None = None,
          y: ArrayOperand | None = None) -> Tensor | Array | tuple[Array, ...]:
    """Elements of x where ``condition`` holds, else of y (broadcast); ``where(condition)`` is nonzero's indices."""
    if x is None and y is None:
        return np.nonzero(_condition(condition))
    if x is None or y is None:
        raise TypeError("where: give both x and y, or neither")
    x, y = operand("where", x), operand("where", y)
    cond = _condition(condition)
    try:
        np.broadcast_shapes(cond.shape, shape_of(x), shape_of(y))
    except ValueError:
        raise ValueError(
            f"where: the condition of shape {cond.shape}, x of shape {shape_of(x)} and y of shape "
            f"{shape_of(y)} do not broadcast together"
        ) from None
    return _where(x, y, condition=cond)


@overload
def select(condlist: Sequence[ArrayOperand], choicelist: Sequence[Node], default: ArrayOperand = ...) -> Tensor: ...

@overload
def select(condlist: Sequence[ArrayOperand], choicelist: Sequence[PlainArrayLike],
           default: PlainArrayLike = ...) -> Array: ...

@overload
def select(condlist: Sequence[ArrayOperand], choicelist: Sequence[ArrayOperand],
           default: ArrayOperand = ...) -> Tensor | Array: ...


def select(condlist: Sequence[ArrayOperand], choicelist: Sequence[ArrayOperand],
           default: ArrayOperand = 0) -> Tensor | Array:
    """The choice of the first condition that holds, element by element (``default`` where none does)."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: {len(condlist)} conditions but {len(choicelist)} choices; give one choice per condition")
    if not condlist:
        raise ValueError("select: give at least one condition")
    result = operand("select", default)
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        result = where(cond, choice, result)
    return result


# -- reshaping -------------------------------------------------------------------


def reshape_(x: Operand, shape: Sequence[int]) -> Any:
    return ops.reshape(x, shape=tuple(shape))


@overload
def ravel(a: Node, order: str = ...) -> Tensor: ...

@overload
def ravel(a: PlainArrayLike, order: str = ...) -> Array: ...

@overload
def ravel(a: ArrayOperand, order: str = ...) -> Tensor | Array: ...


def ravel(a: ArrayOperand, order: str = "C") -> Tensor | Array:
    """The elements as a 1-D array (C order)."""
    if order not in ("C", "A", "K"):
        raise ValueError(f"ravel: only C order is supported, got order={order!r}")
    return reshape_(operand("ravel", a), (-1,))


@overload
def flatten(a: Node, order: str = ...) -> Tensor: ...

@overload
def flatten(a: PlainArrayLike, order: str = ...) -> Array: ...

@overload
def flatten(a: ArrayOperand, order: str = ...) -> Tensor | Array: ...


def flatten(a: ArrayOperand, order: str = "C") -> Tensor | Array:
    """A 1-D copy of the elements (the ``ndarray.flatten`` method)."""
    if order not in ("C", "A", "K"):
        raise ValueError(f"flatten: only C order is supported, got order={order!r}")
    return reshape_(operand("flatten", a), (-1,))


@overload
def squeeze(a: Node, axis: Axis = ...) -> Tensor: ...

@overload
def squeeze(a: PlainArrayLike, axis: Axis = ...) -> Array: ...

@overload
def squeeze(a: ArrayOperand, axis: Axis = ...) -> Tensor | Array: ...


def squeeze(a: ArrayOperand, axis: Axis = None) -> Tensor | Array:
    """Remove axes of length one (all of them, or the given ones, which must have length one)."""
    a = operand("squeeze", a)
    shape = shape_of(a)
    if axis is None:
        return reshape_(a, tuple(n for n in shape if n != 1))
    axes = _axes_tuple("squeeze", axis, len(shape))
    for ax in axes:
        if shape[ax] != 1:
            raise ValueError(f"squeeze: cannot remove axis {ax} of shape {shape}: its length is {shape[ax]}, not 1")
    return reshape_(a, tuple(n for i, n in enumerate(shape) if i not in axes))


@overload
def expand_dims(a: Node, axis: int | Sequence[int]) -> Tensor: ...

@overload
def expand_dims(a: PlainArrayLike, axis: int | Sequence[int]) -> Array: ...

@overload
def expand_dims(a: ArrayOperand, axis: int | Sequence[int]) -> Tensor | Array: ...


def expand_dims(a: ArrayOperand, axis: int | Sequence[int]) -> Tensor | Array:
    """Insert axes of length one at the given positions of the result."""
    a = operand("expand_dims", a)
    shape = shape_of(a)
    axes = _axes_tuple("expand_dims", axis, len(shape) + (len(axis) if isinstance(axis, (tuple, list)) else 1))
    new, rest = [], iter(shape)
    for i in range(len(shape) + len(axes)):
        new.append(1 if i in axes else next(rest))
    return reshape_(a, new)


def _atleast(name: str, ndim: int, arys: Sequence[ArrayOperand]) -> Any:
    results = []
    for a in arys:
        a = operand(name, a)
        shape = shape_of(a)
        if len(shape) < ndim:
            if ndim == 3 and len(shape) == 2:
                shape = shape + (1,)
            elif ndim == 3 and len(shape) == 1:
                shape = (1,) + shape + (1,)
            else:
                shape = (1,) * (ndim - len(shape)) + shape
            a = reshape_(a, shape)
        results.append(a)
    return results[0] if len(results) == 1 else results


@overload
def atleast_1d(a: Node, /) -> Tensor: ...

@overload
def atleast_1d(a: PlainArrayLike, /) -> Array: ...

@overload
def atleast_1d(a: ArrayOperand, /) -> Tensor | Array: ...

@overload
def atleast_1d(a: ArrayOperand, b: ArrayOperand, /, *arys: ArrayOperand) -> list[Tensor | Array]: ...


def atleast_1d(*arys: ArrayOperand) -> Tensor | Array | list[Tensor | Array]:
    """Each input with at least one axis (a scalar becomes shape (1,))."""
    return _atleast("atleast_1d", 1, arys)


@overload
def atleast_2d(a: Node, /) -> Tensor: ...

@overload
def atleast_2d(a: PlainArrayLike, /) -> Array: ...

@overload
def atleast_2d(a: ArrayOperand, /) -> Tensor | Array: ...

@overload
def atleast_2d(a: ArrayOperand, b: ArrayOperand, /, *arys: ArrayOperand) -> list[Tensor | Array]: ...


def atleast_2d(*arys: ArrayOperand) -> Tensor | Array | list[Tensor | Array]:
    """Each input with at least two axes ((n,) becomes (1, n))."""
    return _atleast("atleast_2d", 2, arys)


@overload
def atleast_3d(a: Node, /) -> Tensor: ...

@overload
def atleast_3d(a: PlainArrayLike, /) -> Array: ...

@overload
def atleast_3d(a: ArrayOperand, /) -> Tensor | Array: ...

@overload
def atleast_3d(a: ArrayOperand, b: ArrayOperand, /, *arys: ArrayOperand) -> list[Tensor | Array]: ...


def atleast_3d(*arys: ArrayOperand) -> Tensor | Array | list[Tensor | Array]:
    """Each input with at least three axes ((n,) becomes (1, n, 1), (m, n) becomes (m, n, 1))."""
    return _atleast("atleast_3d", 3, arys)


# -- permuting axes ----------------------------------------------------------------


@overload
def moveaxis(a: Node, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor: ...

@overload
def moveaxis(a: PlainArrayLike, source: int | Sequence[int], destination: int | Sequence[int]) -> Array: ...

@overload
def moveaxis(a: ArrayOperand, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor | Array: ...


def moveaxis(a: ArrayOperand, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor | Array:
    """Move axes to new positions, the others keeping their order."""
    a = operand("moveaxis", a)
    ndim = len(shape_of(a))
    source = _axes_tuple("moveaxis", source, ndim)
    destination = _axes_tuple("moveaxis", destination, ndim)
    if len(source) != len(destination):
        raise ValueError(f"moveaxis: source {source} and destination {destination} must have the same number of axes")
    order = [n for n in range(ndim) if n not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return ops.transpose(a, axes=tuple(order))


@overload
def swapaxes(a: Node, axis1: int, axis2: int) -> Tensor: ...

@overload
def swapaxes(a: PlainArrayLike, axis1: int, axis2: int) -> Array: ...

@overload
def swapaxes(a: ArrayOperand, axis1: int, axis2: int) -> Tensor | Array: ...


def swapaxes(a: ArrayOperand, axis1: int, axis2: int) -> Tensor | Array:
    """Interchange two axes."""
    a = operand("swapaxes", a)
    ndim = len(shape_of(a))
    i, j = normalize_axis("swapaxes", axis1, ndim), normalize_axis("swapaxes", axis2, ndim)
    order = list(range(ndim))
    order[i], order[j] = j, i
    return ops.transpose(a, axes=tuple(order))


@overload
def rollaxis(a: Node, axis: int, start: int = ...) -> Tensor: ...

@overload
def rollaxis(a: PlainArrayLike, axis: int, start: int = ...) -> Array: ...

@overload
def rollaxis(a: ArrayOperand, axis: int, start: int = ...) -> Tensor | Array: ...


def rollaxis(a: ArrayOperand, axis: int, start: int = 0) -> Tensor | Array:
    """Move ``axis`` to before position ``start`` (NumPy's older spelling of moveaxis)."""
    a = operand("rollaxis", a)
    ndim = len(shape_of(a))
    axis = normalize_axis("rollaxis", axis, ndim)
    if not -ndim <= start <= ndim:
        raise ValueError(f"rollaxis: start {start} is out of bounds for an array of dimension {ndim}")
    start = start % (ndim + 1) if start < 0 else start
    if start > axis:
        start -= 1
    return moveaxis(a, axis, start)


# -- reordering and repeating elements ----------------------------------------------


@overload
def flip(m: Node, axis: Axis = ...) -> Tensor: ...

@overload
def flip(m: PlainArrayLike, axis: Axis = ...) -> Array: ...

@overload
def flip(m: ArrayOperand, axis: Axis = ...) -> Tensor | Array: ...


def flip(m: ArrayOperand, axis: Axis = None) -> Tensor | Array:
    """Reverse the order of elements along the given axes (all by default): a reversed slice."""
    m = operand("flip", m)
    ndim = len(shape_of(m))
    axes = range(ndim) if axis is None else _axes_tuple("flip", axis, ndim)
    index = [slice(None)] * ndim
    for ax in axes:
        index[ax] = slice(None, None, -1)
    return ops.getitem(m, index=tuple(index))


@overload
def fliplr(m: Node) -> Tensor: ...

@overload
def fliplr(m: PlainArrayLike) -> Array: ...

@overload
def fliplr(m: ArrayOperand) -> Tensor | Array: ...


def fliplr(m: ArrayOperand) -> Tensor | Array:
    """Reverse the columns (axis 1)."""
    if len(shape_of(m)) < 2:
        raise ValueError(f"fliplr: needs at least 2 axes, got shape {shape_of(m)}")
    return flip(m, 1)


@overload
def flipud(m: Node) -> Tensor: ...

@overload
def flipud(m: PlainArrayLike) -> Array: ...

@overload
def flipud(m: ArrayOperand) -> Tensor | Array: ...


def flipud(m: ArrayOperand) -> Tensor | Array:
    """Reverse the rows (axis 0)."""
    if len(shape_of(m)) < 1:
        raise ValueError("flipud: needs at least 1 axis, got a scalar")
    return flip(m, 0)


@overload
def rot90(m: Node, k: int = ..., axes: tuple[int, int] = ...) -> Tensor: ...

@overload
def rot90(m: PlainArrayLike, k: int = ..., axes: tuple[int, int] = ...) -> Array: ...

@overload
def rot90(m: ArrayOperand, k: int = ..., axes: tuple[int, int] = ...) -> Tensor | Array: ...


def rot90(m: ArrayOperand, k: int = 1, axes: tuple[int, int] = (0, 1)) -> Tensor | Array:
    """Rotate by 90° k times in the plane of ``axes`` (from the first towards the second)."""
    m = operand("rot90", m)
    ndim = len(shape_of(m))
    if len(axes) != 2:
        raise ValueError(f"rot90: axes must name two axes, got {axes}")
    a0, a1 = _axes_tuple("rot90", axes, ndim)
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    order = list(range(ndim))
    order[a0], order[a1] = a1, a0
    if k == 1:
        return ops.transpose(flip(m, a1), axes=tuple(order))
    return flip(ops.transpose(m, axes=tuple(order)), a1)


@overload
def roll(a: Node, shift: int | Sequence[int], axis: Axis = ...) -> Tensor: ...

@overload
def roll(a: PlainArrayLike, shift: int | Sequence[int], axis: Axis = ...) -> Array: ...

@overload
def roll(a: ArrayOperand, shift: int | Sequence[int], axis: Axis = ...) -> Tensor | Array: ...


def roll(a: ArrayOperand, shift: int | Sequence[int], axis: Axis = None) -> Tensor | Array:
    """Shift elements along axes cyclically (the flattened array without ``axis``): an index array."""
    a = operand("roll", a)
    shape = shape_of(a)
    if axis is None:
        return reshape_(roll(ravel(a), shift, 0), shape)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    shifts: Any = np.broadcast_to(shift, (len(axes),)) if np.ndim(shift) == 0 else shift
    if len(shifts) != len(axes):
        raise ValueError(f"roll: {len(shifts)} shifts for {len(axes)} axes; give one shift per axis")
    for ax, s in zip(axes, shifts):
        ax = normalize_axis("roll", ax, len(shape))
        n = shape[ax]
        if n:
            a = ops.getitem(a, index=_along(ax, (np.arange(n) - int(s)) % n))
    return a


@overload
def repeat(a: Node, repeats: int | Sequence[int], axis: int | None = ...) -> Tensor: ...

@overload
def repeat(a: PlainArrayLike, repeats: int | Sequence[int], axis: int | None = ...) -> Array: ...

@overload
def repeat(a: ArrayOperand, repeats: int | Sequence[int], axis: int | None = ...) -> Tensor | Array: ...


def repeat(a: ArrayOperand, repeats: int | Sequence[int], axis: int | None = None) -> Tensor | Array:
    """Repeat each element ``repeats`` times along axis (of the flattened array without one)."""
    a = operand("repeat", a)
    if axis is None:
        a, axis = ravel(a), 0
    shape = shape_of(a)
    axis = normalize_axis("repeat", axis, len(shape))
    try:
        index = np.repeat(np.arange(shape[axis]), repeats)
    except ValueError as error:
        raise ValueError(f"repeat: {error} (repeats {repeats!r} along an axis of length {shape[axis]})") from None
    return ops.getitem(a, index=_along(axis, index))


@overload
def tile(A: Node, reps: int | Sequence[int]) -> Tensor: ...

@overload
def tile(A: PlainArrayLike, reps: int | Sequence[int]) -> Array: ...

@overload
def tile(A: ArrayOperand, reps: int | Sequence[int]) -> Tensor | Array: ...


def tile(A: ArrayOperand, reps: int | Sequence[int]) -> Tensor | Array:
    """A repeated ``reps`` times along each axis: reshape, broadcast, reshape."""
    A = operand("tile", A)
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)  # type: ignore[arg-type]  # a sequence when not 0-d
    if any(int(r) != r or r < 0 for r in reps):  # type: ignore[arg-type]  # ints by now
        raise ValueError(f"tile: reps must be non-negative integers, got {reps}")
    shape = shape_of(A)
    ndim = max(len(shape), len(reps))
    shape = (1,) * (ndim - len(shape)) + shape
    reps = (1,) * (ndim - len(reps)) + tuple(int(r) for r in reps)  # type: ignore[arg-type]  # ints by now
    spread = reshape_(A, [n for d in shape for n in (1, d)])
    wide = ops.broadcast_to(spread, shape=tuple(n for r, d in zip(reps, shape) for n in (r, d)))
    return reshape_(wide, [r * d for r, d in zip(reps, shape)])


_SELECTING_PAD_MODES = ("edge", "reflect", "symmetric", "wrap")


@overload
def pad(array: Node, pad_width: Any, mode: str = ..., **kwargs: Any) -> Tensor: ...

@overload
def pad(array: PlainArrayLike, pad_width: Any, mode: str = ..., **kwargs: Any) -> Array: ...

@overload
def pad(array: ArrayOperand, pad_width: Any, mode: str = ..., **kwargs: Any) -> Tensor | Array: ...


def pad(array: ArrayOperand, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Tensor | Array:
    """Pad with a constant (``constant_values``), or by repeating edge, reflected or wrapped elements.

    Constant padding is a scatter of the array into the padded shape; the other
    modes pick elements, so they are one integer-array index. Modes that compute
    new values (linear_ramp, maximum, mean, median, minimum) are refused.
    """
    x = operand("pad", array)
    shape = shape_of(x)
    try:
        widths = np.broadcast_to(np.asarray(pad_width), (len(shape), 2))
    except ValueError:
        raise ValueError(f"pad: pad_width {pad_width!r} does not fit an array of shape {shape}") from None
    if widths.dtype.kind not in "iu" or (widths < 0).any():
        raise ValueError(f"pad: pad_width must hold non-negative integers, got {pad_width!r}")
    widths = [(int(b), int(a)) for b, a in widths]
    if mode == "constant":
        unknown = set(kwargs) - {"constant_values"}
        if unknown:
            raise TypeError(f"pad: unsupported keyword(s) {sorted(unknown)} for mode 'constant'")
        values = kwargs.get("constant_values", 0)
        if isinstance(values, Node) or _holds_node(values):
            raise TypeError("pad: constant_values must be plain numbers (they get no gradient)")
        padded = tuple(n + b + a for n, (b, a) in zip(shape, widths))
        index = tuple(slice(b, b + n) for n, (b, _) in zip(shape, widths))
        fill = np.pad(np.zeros(shape), widths, mode="constant", constant_values=values)
        return ops.add(ops.scatter(x, index=index, shape=padded), fill)
    if mode in _SELECTING_PAD_MODES:
        if kwargs.get("reflect_type", "even") != "even":
            raise ValueError("pad: reflect_type='odd' computes new values; only 'even' is supported")
        if set(kwargs) - {"reflect_type"}:
            raise TypeError(f"pad: unsupported keyword(s) {sorted(set(kwargs) - {'reflect_type'})} for mode {mode!r}")
        for n, (b, a) in zip(shape, widths):
            if n == 0 and (b or a):
                raise ValueError(f"pad: cannot pad an empty axis of shape {shape} in mode {mode!r}")
        picks = [np.pad(np.arange(n), w, mode=mode) for n, w in zip(shape, widths)]  # type: ignore[call-overload]  # mode is one checked above
        return ops.getitem(x, index=np.ix_(*picks)) if picks else x
    raise ValueError(
        f"pad: mode {mode!r} is not supported on nodes; use 'constant', "
        + ", ".join(repr(m) for m in _SELECTING_PAD_MODES)
    )


@overload
def diff(a: Node, n: int = ..., axis: int = ..., prepend: ArrayOperand | None = ...,
         append: ArrayOperand | None = ...) -> Tensor: ...

@overload
def diff(a: PlainArrayLike, n: int = ..., axis: int = ..., prepend: ArrayOperand | None = ...,
         append: ArrayOperand | None = ...) -> Array: ...

@overload
def diff(a: ArrayOperand, n: int = ..., axis: int = ..., prepend: ArrayOperand | None = ...,
         append: ArrayOperand | None = ...) -> Tensor | Array: ...


def diff(a: ArrayOperand, n: int = 1, axis: int = -1, prepend: ArrayOperand | None = None,
         append: ArrayOperand | None = None) -> Tensor | Array:
    """The n-th discrete difference along axis: a[1:] − a[:-1], n times."""
    a = operand("diff", a)
    ndim = len(shape_of(a))
    if ndim == 0:
        raise ValueError("diff: needs at least 1 axis, got a scalar")
    axis = normalize_axis("diff", axis, ndim)
    if not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"diff: order n must be a non-negative int, got {n!r}")
    pieces = []
    for extra in (prepend, append):
        if extra is None:
            pieces.append(None)
            continue
        extra = operand("diff", extra)
        if len(shape_of(extra)) == 0:
            size = list(shape_of(a))
            size[axis] = 1
            extra = ops.broadcast_to(extra, shape=tuple(size))
        pieces.append(extra)
    if pieces[0] is not None or pieces[1] is not None:
        a = concatenate([p for p in (pieces[0], a, pieces[1]) if p is not None], axis=axis)
    for _ in range(n):
        a = ops.sub(ops.getitem(a, index=_along(axis, slice(1, None))), ops.getitem(a, index=_along(axis, slice(None, -1))))
    return a


# -- triangles and diagonals ----------------------------------------------------------


def _triangle(name: str, m: ArrayOperand, k: int, lower: bool) -> Any:
    m = operand(name, m)
    shape = shape_of(m)
    if len(shape) < 2:
        raise ValueError(f"{name}: needs at least 2 axes (a matrix or a stack of them), got shape {shape}")
    keep = np.tri(shape[-2], shape[-1], k=k, dtype=bool)
    if not lower:
        keep = ~np.tri(shape[-2], shape[-1], k=k - 1, dtype=bool)
    return _where(m, 0.0, condition=keep)


@overload
def tril(m: Node, k: int = ...) -> Tensor: ...

@overload
def tril(m: PlainArrayLike, k: int = ...) -> Array: ...

@overload
def tril(m: ArrayOperand, k: int = ...) -> Tensor | Array: ...


def tril(m: ArrayOperand, k: int = 0) -> Tensor | Array:
    """The lower triangle (on and below the k-th diagonal), zeros above: a where."""
    return _triangle("tril", m, k, lower=True)


@overload
def triu(m: Node, k: int = ...) -> Tensor: ...

@overload
def triu(m: PlainArrayLike, k: int = ...) -> Array: ...

@overload
def triu(m: ArrayOperand, k: int = ...) -> Tensor | Array: ...


def triu(m: ArrayOperand, k: int = 0) -> Tensor | Array:
    """The upper triangle (on and above the k-th diagonal), zeros below: a where."""
    return _triangle("triu", m, k, lower=False)


def _diagonal_index(rows: int, cols: int, offset: int) -> tuple[Array, Array]:
    length = max(0, min(rows, cols - offset) if offset >= 0 else min(rows + offset, cols))
    i = np.arange(length)
    return (i, i + offset) if offset >= 0 else (i - offset, i)


@overload
def diag(v: Node, k: int = ...) -> Tensor: ...

@overload
def diag(v: PlainArrayLike, k: int = ...) -> Array: ...

@overload
def diag(v: ArrayOperand, k: int = ...) -> Tensor | Array: ...


def diag(v: ArrayOperand, k: int = 0) -> Tensor | Array:
    """A 1-D array's square matrix with v on the k-th diagonal, or a 2-D array's k-th diagonal."""
    v = operand("diag", v)
    shape = shape_of(v)
    if len(shape) == 1:
        n = shape[0] + abs(k)
        return ops.scatter(v, index=_diagonal_index(n, n, k), shape=(n, n))
    if len(shape) == 2:
        return ops.getitem(v, index=_diagonal_index(shape[0], shape[1], k))
    raise ValueError(f"diag: input must be 1-D or 2-D, got shape {shape}")


@overload
def diagonal(a: Node, offset: int = ..., axis1: int = ..., axis2: int = ...) -> Tensor: ...

@overload
def diagonal(a: PlainArrayLike, offset: int = ..., axis1: int = ..., axis2: int = ...) -> Array: ...

@overload
def diagonal(a: ArrayOperand, offset: int = ..., axis1: int = ..., axis2: int = ...) -> Tensor | Array: ...


def diagonal(a: ArrayOperand, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor | Array:
    """The diagonal of the (axis1, axis2) planes, as the last axis of the result."""
    a = operand("diagonal", a)
    shape = shape_of(a)
    if len(shape) < 2:
        raise ValueError(f"diagonal: needs at least 2 axes, got shape {shape}")
    i, j = normalize_axis("diagonal", axis1, len(shape)), normalize_axis("diagonal", axis2, len(shape))
    if i == j:
        raise ValueError(f"diagonal: axis1 and axis2 cannot be the same axis ({axis1} and {axis2})")
    planes = moveaxis(a, (i, j), (-2, -1))
    return ops.getitem(planes, index=(Ellipsis,) + _diagonal_index(shape[i], shape[j], offset))


@overload
def trace(a: Node, offset: int = ..., axis1: int = ..., axis2: int = ..., dtype: None = ...,
          out: None = ...) -> Tensor: ...

@overload
def trace(a: ArrayOperand, offset: int = ..., axis1: int = ..., axis2: int = ..., dtype: None = ...,
          out: None = ...) -> Any: ...


def trace(a: ArrayOperand, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: None = None,
          out: None = None) -> Any:
    """Sum of the diagonal (of each (axis1, axis2) plane)."""
    _refuse("trace", dtype=dtype, out=out)
    return ops.sum(diagonal(a, offset, axis1, axis2), axis=-1)


# -- splitting ---------------------------------------------------------------------------


def _split(name: str, ary: ArrayOperand, indices_or_sections: Any, axis: int, equal: bool) -> list[Any]:
    ary = operand(name, ary)
    shape = shape_of(ary)
    if len(shape) == 0:
        raise ValueError(f"{name}: cannot split a scalar")
    axis = normalize_axis(name, axis, len(shape))
    n = shape[axis]
    if np.ndim(indices_or_sections) == 0:
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError(f"{name}: the number of sections must be positive, got {indices_or_sections}")
        if equal and n % sections:
            raise ValueError(f"{name}: an axis of length {n} (shape {shape}) does not split into {sections} equal parts")
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        bounds = np.concatenate([[0], np.cumsum(sizes)])
    else:
        bounds = [0, *[int(i) for i in indices_or_sections], n]
    return [ops.getitem(ary, index=_along(axis, slice(lo, hi))) for lo, hi in zip(bounds[:-1], bounds[1:])]


@overload
def split(ary: Node, indices_or_sections: int | Sequence[int], axis: int = ...) -> list[Tensor]: ...

@overload
def split(ary: PlainArrayLike, indices_or_sections: int | Sequence[int], axis: int = ...) -> list[Array]: ...

@overload
def split(ary: ArrayOperand, indices_or_sections: int | Sequence[int],
          axis: int = ...) -> list[Tensor] | list[Array]: ...


def split(ary: ArrayOperand, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Tensor] | list[Array]:
    """Equal sections (an int) or pieces between the given indices, as a list of slices."""
    return _split("split", ary, indices_or_sections, axis, equal=True)


@overload
def array_split(ary: Node, indices_or_sections: int | Sequence[int], axis: int = ...) -> list[Tensor]: ...

@overload
def array_split(ary: PlainArrayLike, indices_or_sections: int | Sequence[int], axis: int = ...) -> list[Array]: ...

@overload
def array_split(ary: ArrayOperand, indices_or_sections: int | Sequence[int],
                axis: int = ...) -> list[Tensor] | list[Array]: ...


def array_split(ary: ArrayOperand, indices_or_sections: int | Sequence[int],
                axis: int = 0) -> list[Tensor] | list[Array]:
    """Like split, but an int need not divide the axis: the first pieces get one more element."""
    return _split("array_split", ary, indices_or_sections, axis, equal=False)


@overload
def hsplit(ary: Node, indices_or_sections: int | Sequence[int]) -> list[Tensor]: ...

@overload
def hsplit(ary: PlainArrayLike, indices_or_sections: int | Sequence[int]) -> list[Array]: ...

@overload
def hsplit(ary: ArrayOperand, indices_or_sections: int | Sequence[int]) -> list[Tensor] | list[Array]: ...


def hsplit(ary: ArrayOperand, indices_or_sections: int | Sequence[int]) -> list[Tensor] | list[Array]:
    """Split along the second axis (the first for 1-D arrays)."""
    ndim = len(shape_of(ary))
    if ndim == 0:
        raise ValueError("hsplit: needs at least 1 axis, got a scalar")
    return _split("hsplit", ary, indices_or_sections, 1 if ndim > 1 else 0, equal=True)


@overload
def vsplit(ary: Node, indices_or_sections: int | Sequence[int]) -> list[Tensor]: ...

@overload
def vsplit(ary: PlainArrayLike, indices_or_sections: int | Sequence[int]) -> list[Array]: ...

@overload
def vsplit(ary: ArrayOperand, indices_or_sections: int | Sequence[int]) -> list[Tensor] | list[Array]: ...


def vsplit(ary: ArrayOperand, indices_or_sections: int | Sequence[int]) -> list[Tensor] | list[Array]:
    """Split along the first axis of an array with at least 2 axes."""
    if len(shape_of(ary)) < 2:
        raise ValueError(f"vsplit: needs at least 2 axes, got shape {shape_of(ary)}")
    return _split("vsplit", ary, indices_or_sections, 0, equal=True)


@overload
def dsplit(ary: Node, indices_or_sections: int | Sequence[int]) -> list[Tensor]: ...

@overload
def dsplit(ary: PlainArrayLike, indices_or_sections: int | Sequence[int]) -> list[Array]: ...

@overload
def dsplit(ary: ArrayOperand, indices_or_sections: int | Sequence[int]) -> list[Tensor] | list[Array]: ...


def dsplit(ary: ArrayOperand, indices_or_sections: int | Sequence[int]) -> list[Tensor] | list[Array]:
    """Split along the third axis of an array with at least 3 axes."""
    if len(shape_of(ary)) < 3:
        raise ValueError(f"dsplit: needs at least 3 axes, got shape {shape_of(ary)}")
    return _split("dsplit", ary, indices_or_sections, 2, equal=True)


# -- taking and sorting --------------------------------------------------------------------


@overload
def take(a: Node, indices: ArrayOperand, axis: int | None = ..., out: None = ..., mode: str = ...) -> Tensor: ...

@overload
def take(a: ArrayOperand, indices: ArrayOperand, axis: int | None = ..., out: None = ..., mode: str = ...) -> Any: ...


def take(a: ArrayOperand, indices: ArrayOperand, axis: int | None = None, out: None = None, mode: str = "raise") -> Any:
    """Elements at integer ``indices`` along axis (of the flattened array without one)."""
    _refuse("take", out=out)
    if mode != "raise":
        raise ValueError(f"take: only mode='raise' is supported, got {mode!r}")
    a = operand("take", a)
    index = _integer_index("take", indices)
    if axis is None:
        _check_bounds("take", index, int(np.prod(shape_of(a))), shape_of(a))
        return ops.getitem(ravel(a), index=index)
    shape = shape_of(a)
    axis = normalize_axis("take", axis, len(shape))
    _check_bounds("take", index, shape[axis], shape)
    return ops.getitem(a, index=_along(axis, index))


def _integer_index(name: str, indices: ArrayOperand) -> Any:
    index = np.asarray(_data(indices))
    if index.dtype.kind == "f" and np.all(index == np.round(index)):
        index = index.astype(np.intp)
    if index.dtype.kind not in "iu":
        raise IndexError(f"{name}: indices must be integers, got dtype {index.dtype}")
    return index


def _check_bounds(name: str, index: Any, n: int, shape: Shape) -> None:
    if index.size and (index.min() < -n or index.max() >= n):
        raise IndexError(f"{name}: index {index.max() if index.max() >= n else index.min()} is out of bounds "
                         f"for an axis of length {n} (shape {shape})")


@overload
def take_along_axis(arr: Node, indices: ArrayOperand, axis: int | None) -> Tensor: ...

@overload
def take_along_axis(arr: PlainArrayLike, indices: ArrayOperand, axis: int | None) -> Array: ...

@overload
def take_along_axis(arr: ArrayOperand, indices: ArrayOperand, axis: int | None) -> Tensor | Array: ...


def take_along_axis(arr: ArrayOperand, indices: ArrayOperand, axis: int | None) -> Tensor | Array:
    """Values at ``indices`` along axis, matched element by element on the other axes (one integer-array index)."""
    arr = operand("take_along_axis", arr)
    index = _integer_index("take_along_axis", indices)
    if axis is None:
        if index.ndim != 1:
            raise ValueError(f"take_along_axis: with axis=None the indices must be 1-D, got shape {index.shape}")
        arr, axis = ravel(arr), 0
    shape = shape_of(arr)
    if index.ndim != len(shape):
        raise ValueError(
            f"take_along_axis: indices of shape {index.shape} and arr of shape {shape} must have the same number of axes"
        )
    axis = normalize_axis("take_along_axis", axis, len(shape))
    _check_bounds("take_along_axis", index, shape[axis], shape)
    try:
        sizes = np.broadcast_shapes(shape[:axis] + (1,) + shape[axis + 1:], index.shape[:axis] + (1,) + index.shape[axis + 1:])
    except ValueError:
        raise ValueError(f"take_along_axis: indices of shape {index.shape} do not broadcast with arr of shape {shape}") from None
    full = []
    for d, size in enumerate(sizes):
        if d == axis:
            full.append(index)
            continue
        along = np.arange(size) if shape[d] != 1 else np.zeros(size, dtype=np.intp)
        full.append(along.reshape((1,) * d + (size,) + (1,) * (len(shape) - d - 1)))
    return ops.getitem(arr, index=tuple(full))


@overload
def sort(a: Node, axis: int | None = ..., kind: str | None = ..., order: Any | None = ...) -> Tensor: ...

@overload
def sort(a: PlainArrayLike, axis: int | None = ..., kind: str | None = ..., order: Any | None = ...) -> Array: ...

@overload
def sort(a: ArrayOperand, axis: int | None = ..., kind: str | None = ...,
         order: Any | None = ...) -> Tensor | Array: ...


def sort(a: ArrayOperand, axis: int | None = -1, kind: str | None = None, order: Any | None = None) -> Tensor | Array:
    """Sorted along axis (flattened for None); each output element's gradient goes to the
    input element that landed there, equal elements kept in input order (a stable sort, as PyTorch)."""
    _refuse("sort", order=order)
    a = operand("sort", a)
    if axis is None:
        a, axis = ravel(a), 0
    if len(shape_of(a)) == 0:
        raise ValueError("sort: cannot sort a scalar along an axis; use axis=None")
    axis = normalize_axis("sort", axis, len(shape_of(a)))
    return take_along_axis(a, np.argsort(_data(a), axis=axis, kind="stable"), axis)


@overload
def partition(a: Node, kth: int | Sequence[int], axis: int | None = ..., kind: Literal["introselect"] = ...,
              order: Any | None = ...) -> Tensor: ...

@overload
def partition(a: PlainArrayLike, kth: int | Sequence[int], axis: int | None = ...,
              kind: Literal["introselect"] = ..., order: Any | None = ...) -> Array: ...

@overload
def partition(a: ArrayOperand, kth: int | Sequence[int], axis: int | None = ...,
              kind: Literal["introselect"] = ..., order: Any | None = ...) -> Tensor | Array: ...


def partition(a: ArrayOperand, kth: int | Sequence[int], axis: int | None = -1,
              kind: Literal["introselect"] = "introselect", order: Any | None = None) -> Tensor | Array:
    """Partitioned along axis around the kth element(s), as np.partition; the gradient follows
    the elements to where np.argpartition put them (among equal values, its choice)."""
    _refuse("partition", order=order)
    a = operand("partition", a)
    if axis is None:
        a, axis = ravel(a), 0
    shape = shape_of(a)
    if len(shape) == 0:
        raise ValueError("partition: cannot partition a scalar")
    axis = normalize_axis("partition", axis, len(shape))
    try:
        index = np.argpartition(_data(a), kth, axis=axis, kind=kind)
    except ValueError as error:
        raise ValueError(f"partition: {error} (kth {kth!r}, shape {shape})") from None
    return take_along_axis(a, index, axis)


# -- appending, inserting and deleting -------------------------------------------------------
#
# Each is one getitem of the flattened inputs, at the positions NumPy's own
# function gives when it runs on labels (1, 2, … for arr, −1, −2, … for the
# values): so obj, axis and broadcasting mean exactly what they mean in NumPy.


def _plain_positions(name: str, obj: Any) -> Any:
    if isinstance(obj, Node):
        raise TypeError(f"{name}: obj must be plain indices, a slice or a mask, not a {type(obj).__name__}; "
                        "pass t.data for the positions")
    return obj


def append(arr: ArrayOperand, values: ArrayOperand, axis: int | None = None) -> Any:
    """values after arr along axis (both flattened for None), as np.append: a concatenate."""
    if not isinstance(arr, Node) and not isinstance(values, Node) and not _holds_node([arr, values]):
        return numpy_function("append")(arr, values, axis=axis)
    arr, values = operand("append", arr), operand("append", values)
    if axis is None:
        return concatenate([ravel(arr), ravel(values)])
    ndim = len(shape_of(arr))
    if len(shape_of(values)) != ndim:
        raise ValueError(f"append: arr of shape {shape_of(arr)} and values of shape {shape_of(values)} must have "
                         "the same number of axes when axis is given")
    return concatenate([arr, values], axis=axis)


def insert(arr: ArrayOperand, obj: Any, values: ArrayOperand, axis: int | None = None) -> Any:
    """arr with values inserted before the positions obj along axis, as np.insert; each keeps its gradient."""
    obj = _plain_positions("insert", obj)
    if not isinstance(arr, Node) and not isinstance(values, Node) and not _holds_node([arr, values]):
        return numpy_function("insert")(arr, obj, values, axis=axis)
    arr, values = operand("insert", arr), operand("insert", values)
    size = int(np.prod(shape_of(arr)))
    labels = np.arange(1, size + 1).reshape(shape_of(arr))
    value_labels = -np.arange(1, int(np.prod(shape_of(values))) + 1).reshape(shape_of(values))
    try:
        picked = np.insert(labels, obj, value_labels, axis=axis)
    except (ValueError, IndexError, TypeError) as error:
        raise type(error)(f"insert: {error} (arr of shape {shape_of(arr)}, values of shape {shape_of(values)}, "
                          f"obj {obj!r}, axis {axis!r})") from None
    index = np.where(picked > 0, picked - 1, size - picked - 1)
    return ops.getitem(concatenate([ravel(arr), ravel(values)]), index=index)


def delete(arr: ArrayOperand, obj: Any, axis: int | None = None) -> Any:
    """arr without the entries obj along axis (flattened for None), as np.delete."""
    obj = _plain_positions("delete", obj)
    if not isinstance(arr, Node):
        return numpy_function("delete")(arr, obj, axis=axis)
    labels = np.arange(int(np.prod(shape_of(arr)))).reshape(shape_of(arr))
    try:
        picked = np.delete(labels, obj, axis=axis)
    except (ValueError, IndexError, TypeError) as error:
        raise type(error)(f"delete: {error} (arr of shape {shape_of(arr)}, obj {obj!r}, axis {axis!r})") from None
    return ops.getitem(ravel(arr), index=picked)


def broadcast_arrays(*args: ArrayOperand, subok: bool = False) -> tuple[Any, ...]:
    """The arrays broadcast to one shape, as np.broadcast_arrays (a tuple); each gradient is summed back."""
    if not any(isinstance(a, Node) or _holds_node(a) for a in args):
        return numpy_function("broadcast_arrays")(*args, subok=subok)
    pieces = [operand("broadcast_arrays", a) for a in args]
    shapes = [shape_of(p) for p in pieces]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"broadcast_arrays: shapes {', '.join(map(str, shapes))} do not broadcast together") from None
    return tuple(p if shape_of(p) == shape else ops.broadcast_to(p, shape=shape) for p in pieces)


def meshgrid(*xi: ArrayOperand, copy: bool = True, sparse: bool = False, indexing: str = "xy") -> tuple[Any, ...]:
    """Coordinate arrays from coordinate vectors, as np.meshgrid ('xy': the first two axes swapped, or 'ij')."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    if not any(isinstance(x, Node) or _holds_node(x) for x in xi):
        return tuple(numpy_function("meshgrid")(*xi, copy=copy, sparse=sparse, indexing=indexing))
    ndim = len(xi)
    ones = (1,) * ndim
    output = [ops.reshape(operand("meshgrid", x), shape=ones[:i] + (-1,) + ones[i + 1:]) for i, x in enumerate(xi)]
    if indexing == "xy" and ndim > 1:
        output[0] = ops.reshape(output[0], shape=(1, -1) + ones[2:])
        output[1] = ops.reshape(output[1], shape=(-1, 1) + ones[2:])
    return tuple(output) if sparse else broadcast_arrays(*output)


def nan_to_num(x: Operand, copy: bool = True, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Any:
    """x with nan, inf and −inf replaced by numbers, as np.nan_to_num; g passes where x was finite, 0 elsewhere."""
    if any(isinstance(v, Node) for v in (nan, posinf, neginf)):
        raise TypeError("nan_to_num: nan, posinf and neginf must be plain numbers")
    if not isinstance(x, Node):
        return numpy_function("nan_to_num")(x, copy=copy, nan=nan, posinf=posinf, neginf=neginf)
    data = x.data
    check_real("nan_to_num", data)
    replaced = np.nan_to_num(data, nan=nan, posinf=posinf, neginf=neginf)
    finite = np.isfinite(data)
    kept = ops.mask(x, keep=bool(finite) if data.__class__ is float else finite)
    if np.all(finite):
        return kept
    return kept + (float(replaced) if data.__class__ is float else np.where(finite, 0.0, replaced))


# -- products and sums along an axis ----------------------------------------------------------


def vdot(a: ArrayOperand, b: ArrayOperand, /) -> Any:
    """Σ aᵢ·bᵢ over the flattened arrays (real: no conjugate), as np.vdot: one dot of the raveled operands."""
    a, b = operand("vdot", a), operand("vdot", b)
    if not isinstance(a, Node) and not isinstance(b, Node):
        return numpy_function("vdot")(a, b)
    size_a, size_b = int(np.prod(shape_of(a))), int(np.prod(shape_of(b)))
    if size_a != size_b:
        raise ValueError(f"vdot: a of shape {shape_of(a)} and b of shape {shape_of(b)} have different sizes "
                         f"({size_a} and {size_b}); vdot needs as many elements in each")
    return ops.dot(ravel(a), ravel(b))


def trapezoid(y: ArrayOperand, x: ArrayOperand | None = None, dx: Any = 1.0, axis: int = -1) -> Any:
    """∫ y by the trapezoidal rule along axis, as np.trapezoid: Σ Δx·(y[1:] + y[:-1])/2, spacing dx or x's."""
    if not any(isinstance(v, Node) for v in (y, x, dx)):
        return numpy_function("trapezoid")(y, x, dx=dx, axis=axis)
    y = operand("trapezoid", y)
    shape = shape_of(y)
    if not shape:
        raise ValueError("trapezoid: y must have at least one axis, got a scalar")
    axis = normalize_axis("trapezoid", axis, len(shape))
    if x is None:
        d = dx
    else:
        x = operand("trapezoid", x)
        if len(shape_of(x)) == 1:
            if shape_of(x)[0] != shape[axis]:
                raise ValueError(f"trapezoid: x of shape {shape_of(x)} does not match y of shape {shape} "
                                 f"along axis {axis} ({shape[axis]} samples)")
            d = ops.reshape(diff(x), shape=tuple(shape[axis] - 1 if i == axis else 1 for i in range(len(shape))))
        elif shape_of(x) == shape:
            d = diff(x, axis=axis)
        else:
            raise ValueError(f"trapezoid: x must be 1-D or of y's shape {shape}, got shape {shape_of(x)}")
    upper = ops.getitem(y, index=_along(axis, slice(1, None)))
    lower = ops.getitem(y, index=_along(axis, slice(None, -1)))
    return ops.sum(d * (upper + lower) * 0.5, axis=axis)


def _signal(name: str, a: ArrayOperand) -> Any:
    a = operand(name, a)
    shape = shape_of(a)
    if len(shape) > 1:
        raise ValueError(f"{name}: supports 1-D sequences only, got shape {shape}")
    if int(np.prod(shape)) == 0:
        raise ValueError(f"{name}: the sequences must not be empty, got shape {shape}")
    return ops.reshape(a, shape=(-1,)) if not shape else a


def _reversed(x: Any) -> Any:
    return ops.getitem(x, index=slice(None, None, -1))


def _correlate_valid(g: Any, w: Any) -> Any:
    """c[i] = Σₖ g[i + k]·w[k] for the len(g) − len(w) + 1 shifts that keep w inside g: a slice of g ∗ reversed w."""
    m = np.shape(_data(w))[0]
    return ops.getitem(_convolve(g, _reversed(w)), index=slice(m - 1, np.shape(_data(g))[0]))


_convolve: Primitive = primitive(
    "convolve", lambda a, v: np.convolve(a, v),
    (lambda g, out, a, v: _correlate_valid(g, v),
     lambda g, out, a, v: _correlate_valid(g, a)),
    jvps=(lambda t, out, a, v: _convolve(t, v), lambda t, out, a, v: _convolve(a, t)),
    tensor_only=True,
    doc="full convolution of 1-D a and v, out[k] = Σⱼ a[k − j]·v[j] (np.convolve); "
        "da = g ⋆ v, dv = g ⋆ a (correlations over the shifts inside g)",
    reads=((1,), (0,)))

_MODES = ("full", "same", "valid")


def convolve(a: ArrayOperand, v: ArrayOperand, mode: str = "full") -> Any:
    """The discrete linear convolution of two 1-D sequences, as np.convolve (modes 'full', 'same', 'valid').

    One ``convolve`` node (NumPy's convolution, its VJPs correlations written
    with the same primitive, so every order works), sliced for 'same' and 'valid'.
    """
    if mode not in _MODES:
        raise ValueError(f"convolve: mode must be one of {_MODES}, got {mode!r}")
    if not isinstance(a, Node) and not isinstance(v, Node):
        return numpy_function("convolve")(a, v, mode=mode)
    a, v = _signal("convolve", a), _signal("convolve", v)
    full = _convolve(a, v)
    if mode == "full":
        return full
    n, m = sorted((shape_of(a)[0], shape_of(v)[0]), reverse=True)  # as NumPy, the shorter slides over the longer
    start, length = ((m - 1) // 2, n) if mode == "same" else (m - 1, n - m + 1)
    return ops.getitem(full, index=slice(start, start + length))


def correlate(a: ArrayOperand, v: ArrayOperand, mode: str = "valid") -> Any:
    """The cross-correlation of 1-D sequences, c[k] = Σₙ a[n + k]·v[n], as np.correlate: convolve with v reversed."""
    if mode not in _MODES:
        raise ValueError(f"correlate: mode must be one of {_MODES}, got {mode!r}")
    if not isinstance(a, Node) and not isinstance(v, Node):
        return numpy_function("correlate")(a, v, mode=mode)
    v = _signal("correlate", v)
    return convolve(_signal("correlate", a), _reversed(v), mode)


# -- the names NumPy gives them --------------------------------------------------------------

PRIMITIVES = (_concatenate.name, _where.name, _convolve.name)

FUNCTIONS = (
    concatenate, stack, hstack, vstack, dstack, column_stack, split, array_split, hsplit, vsplit, dsplit,
    squeeze, expand_dims, ravel, moveaxis, swapaxes, rollaxis, atleast_1d, atleast_2d, atleast_3d,
    repeat, tile, pad, roll, flip, fliplr, flipud, rot90, diff, tril, triu, diag, diagonal, trace,
    sort, partition, take, take_along_axis, where, select,
    append, insert, delete, broadcast_arrays, meshgrid, nan_to_num, vdot, trapezoid, convolve, correlate,
)

ARRAY_FUNCTIONS = {getattr(np, f.__name__): f for f in FUNCTIONS}


# ndarray methods that return a new array (sort and partition work in place on
# ndarrays, so nodes, which never change, do not have them: use np.sort(t)).
METHODS = {
    "flatten": flatten, "ravel": ravel, "squeeze": squeeze, "swapaxes": swapaxes, "repeat": repeat,
    "diagonal": diagonal, "trace": trace, "take": take,
}
