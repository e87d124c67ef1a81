"""Linear algebra on nodes: N-D matmul, einsum, tensordot and np.linalg's norms, inverses and decompositions.

Primitives: ``matmul`` (batched, NumPy's broadcasting and 1-D promotion),
``einsum`` (each VJP is another einsum), ``l2_norm`` (a zero subgradient
at 0), ``singular_value_norm`` (first derivatives only), ``det``,
``logabsdet``, ``inv`` and ``solve`` with their classical VJPs, and the
factors of the decompositions, each its own primitive with VJP and JVP:
``cholesky``, ``eigvalsh`` and ``eigh_vectors``, ``svdvals``, ``svd_u`` and
``svd_vh``, ``qr_q`` and ``qr_r``. ``dot``, ``tensordot``, ``inner``,
``outer``, ``kron``, ``cross``, the other norms, ``matrix_power``, ``pinv``
and ``lstsq`` are composites. Singular matrices, and the derivatives that do
not exist (eigenvectors at repeated eigenvalues, …), are refused with an
error rather than answered with noise.
"""

from __future__ import annotations

import numbers
import string
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, overload

import numpy as np

from . import ops
from .array_ops import EachInput, _where, concatenate, moveaxis, normalize_axis, operand, shape_of, stack, swapaxes
from .engine import OUT, apply_tensor, group
from .node import Node, Tensor
from .ops import _data, _unreduce, primitive

if TYPE_CHECKING:
    from .typing import Array, ArrayOperand, PlainArrayLike

# -- matmul ---------------------------------------------------------------------


def _matmul_shapes(name: str, a_shape: Any, b_shape: Any) -> Any:
    """The result's shape under np.matmul's rules, or a ValueError naming both shapes."""
    if not a_shape or not b_shape:
        raise ValueError(f"{name}: operands must have at least one axis, got shapes {a_shape} and {b_shape}; use * for scalars")
    a2 = a_shape if len(a_shape) > 1 else (1,) + a_shape
    b2 = b_shape if len(b_shape) > 1 else b_shape + (1,)
    if a2[-1] != b2[-2]:
        raise ValueError(
            f"{name}: shapes {a_shape} and {b_shape} are not aligned: "
            f"{a2[-1]} (last axis of the first) != {b2[-2]} (the second's {'only' if len(b_shape) == 1 else 'second-to-last'} axis)"
        )
    try:
        batch = np.broadcast_shapes(a2[:-2], b2[:-2])
    except ValueError:
        raise ValueError(f"{name}: the batch axes of shapes {a_shape} and {b_shape} do not broadcast") from None
    return batch, a2, b2


def _matmul_forward(a: Any, b: Any) -> Any:
    _matmul_shapes("matmul", np.shape(a), np.shape(b))
    return np.matmul(a, b)


def _matmul_vjp(position: int, g: Any, a: Any, b: Any) -> Any:
    """Both operands promoted to matrices, g to the promoted product's shape, then the 2-D rules."""
    a_shape, b_shape = shape_of(a), shape_of(b)
    batch, a2, b2 = _matmul_shapes("matmul", a_shape, b_shape)
    g2 = ops.reshape(g, shape=batch + (a2[-2], b2[-1]))
    if position == 0:
        full = _matmul(g2, swapaxes(ops.reshape(b, shape=b2), -1, -2))
        return ops.reshape(ops.sum_to(full, shape=a2), shape=a_shape)
    full = _matmul(swapaxes(ops.reshape(a, shape=a2), -1, -2), g2)
    return ops.reshape(ops.sum_to(full, shape=b2), shape=b_shape)


_matmul = primitive(
    "matmul", _matmul_forward,
    (lambda g, out, a, b: _matmul_vjp(0, g, a, b),
     lambda g, out, a, b: _matmul_vjp(1, g, a, b)),
    symbol="@", tensor_only=True,
    doc="batched matrix product (np.matmul); dA = g·Bᵀ, dB = Aᵀ·g per matrix, summed over broadcast batch axes")


@overload
def matmul(a: Node, b: ArrayOperand) -> Tensor: ...

@overload
def matmul(a: ArrayOperand, b: Node) -> Tensor: ...

@overload
def matmul(a: ArrayOperand, b: ArrayOperand) -> Any: ...


def matmul(a: ArrayOperand, b: ArrayOperand) -> Any:
    """np.matmul: the last two axes are matrices, the others broadcast; a 1-D operand is a vector.

    1-D and 2-D operands use the op table's ``dot`` (one node 'dot'); others the batched ``matmul``.
    """
    if _matrix_or_vector(a) and _matrix_or_vector(b):  # the usual case, as ``operand`` would pass them on
        return apply_tensor(ops.dot, a, b)
    a, b = operand("matmul", a), operand("matmul", b)
    a_ndim, b_ndim = len(shape_of(a)), len(shape_of(b))
    if a_ndim in (1, 2) and b_ndim in (1, 2):
        return ops.dot(a, b)
    return _matmul(a, b)


def _matrix_or_vector(x: Any) -> bool:
    """True for a Tensor, or a float ndarray, of one or two axes (what ``operand`` returns as it is)."""
    cls = x.__class__
    if cls is Tensor:
        return x._data.ndim in (1, 2)
    return cls is np.ndarray and x.dtype.kind == "f" and x.ndim in (1, 2)


@overload
def dot(a: Tensor, b: ArrayOperand) -> Tensor: ...

@overload
def dot(a: ArrayOperand, b: Tensor) -> Tensor: ...

@overload
def dot(a: ArrayOperand, b: ArrayOperand) -> Any: ...


def dot(a: ArrayOperand, b: ArrayOperand) -> Any:
    """np.dot: a product for scalars, the matrix product for 1-D and 2-D, and for N-D the sum
    over a's last axis and b's second-to-last (its only one when 1-D)."""
    a, b = operand("dot", a), operand("dot", b)
    a_ndim, b_ndim = len(shape_of(a)), len(shape_of(b))
    if a_ndim == 0 or b_ndim == 0:
        return ops.mul(a, b)
    if a_ndim <= 2 and b_ndim <= 2:
        return ops.dot(a, b)
    return _tensordot("dot", a, b, ([a_ndim - 1], [max(b_ndim - 2, 0)]))


@overload
def tensordot(a: Node, b: ArrayOperand, axes: Any = ...) -> Tensor: ...

@overload
def tensordot(a: ArrayOperand, b: Node, axes: Any = ...) -> Tensor: ...

@overload
def tensordot(a: PlainArrayLike, b: PlainArrayLike, axes: Any = ...) -> Array: ...

@overload
def tensordot(a: ArrayOperand, b: ArrayOperand, axes: Any = ...) -> Tensor | Array: ...


def tensordot(a: ArrayOperand, b: ArrayOperand, axes: Any = 2) -> Tensor | Array:
    """Sum over ``axes`` of a and b (the last n of a and the first n of b for an int n)."""
    a, b = operand("tensordot", a), operand("tensordot", b)
    a_ndim, b_ndim = len(shape_of(a)), len(shape_of(b))
    if isinstance(axes, numbers.Integral):
        if not 0 <= axes <= min(a_ndim, b_ndim):  # type: ignore[operator]  # an int: numbers.Integral has no hints for <=
            raise ValueError(f"tensordot: cannot sum over {axes} axes of shapes {shape_of(a)} and {shape_of(b)}")
        pairs = (list(range(a_ndim - axes, a_ndim)), list(range(axes)))  # type: ignore[call-overload]  # an int, as above
    else:
        try:
            a_axes, b_axes = axes
        except (TypeError, ValueError):
            raise ValueError(f"tensordot: axes must be an int or a pair of axis lists, got {axes!r}") from None
        a_axes = [a_axes] if isinstance(a_axes, numbers.Integral) else list(a_axes)
        b_axes = [b_axes] if isinstance(b_axes, numbers.Integral) else list(b_axes)
        pairs = (a_axes, b_axes)
    return _tensordot("tensordot", a, b, pairs)


def _tensordot(name: str, a: Any, b: Any, pairs: Any) -> Any:
    a_shape, b_shape = shape_of(a), shape_of(b)
    a_axes = [normalize_axis(name, i, len(a_shape)) for i in pairs[0]]
    b_axes = [normalize_axis(name, i, len(b_shape)) for i in pairs[1]]
    if len(a_axes) != len(b_axes) or any(a_shape[i] != b_shape[j] for i, j in zip(a_axes, b_axes)):
        raise ValueError(
            f"{name}: shapes {a_shape} and {b_shape} do not match along the summed axes "
            f"{tuple(a_axes)} and {tuple(b_axes)}"
        )
    a_free = [i for i in range(len(a_shape)) if i not in a_axes]
    b_free = [i for i in range(len(b_shape)) if i not in b_axes]
    summed = int(np.prod([a_shape[i] for i in a_axes]))
    a_mat = ops.reshape(ops.transpose(a, axes=tuple(a_free + a_axes)), shape=(-1, summed))
    b_mat = ops.reshape(ops.transpose(b, axes=tuple(b_axes + b_free)), shape=(summed, -1))
    product = ops.dot(a_mat, b_mat)
    return ops.reshape(product, shape=tuple(a_shape[i] for i in a_free) + tuple(b_shape[i] for i in b_free))


@overload
def inner(a: Tensor, b: ArrayOperand) -> Tensor: ...

@overload
def inner(a: ArrayOperand, b: Tensor) -> Tensor: ...

@overload
def inner(a: ArrayOperand, b: ArrayOperand) -> Any: ...


def inner(a: ArrayOperand, b: ArrayOperand) -> Any:
    """Sum over the last axes of a and b (a product when either is a scalar)."""
    a, b = operand("inner", a), operand("inner", b)
    if not shape_of(a) or not shape_of(b):
        return ops.mul(a, b)
    return _tensordot("inner", a, b, ([-1], [-1]))


@overload
def outer(a: Node, b: ArrayOperand, out: None = ...) -> Tensor: ...

@overload
def outer(a: ArrayOperand, b: Node, out: None = ...) -> Tensor: ...

@overload
def outer(a: PlainArrayLike, b: PlainArrayLike, out: None = ...) -> Array: ...

@overload
def outer(a: ArrayOperand, b: ArrayOperand, out: None = ...) -> Tensor | Array: ...


def outer(a: ArrayOperand, b: ArrayOperand, out: None = None) -> Tensor | Array:
    """a_i · b_j of the flattened inputs."""
    if out is not None:
        raise TypeError("outer: the out= argument is not supported on nodes")
    a, b = operand("outer", a), operand("outer", b)
    return ops.mul(ops.reshape(a, shape=(-1, 1)), ops.reshape(b, shape=(1, -1)))


@overload
def kron(a: Node, b: ArrayOperand) -> Tensor: ...

@overload
def kron(a: ArrayOperand, b: Node) -> Tensor: ...

@overload
def kron(a: PlainArrayLike, b: PlainArrayLike) -> Array: ...

@overload
def kron(a: ArrayOperand, b: ArrayOperand) -> Tensor | Array: ...


def kron(a: ArrayOperand, b: ArrayOperand) -> Tensor | Array:
    """The Kronecker product: blocks a_ij · b, by reshaping both to interleaved axes and multiplying."""
    a, b = operand("kron", a), operand("kron", b)
    a_shape, b_shape = shape_of(a), shape_of(b)
    ndim = max(len(a_shape), len(b_shape))
    a_shape = (1,) * (ndim - len(a_shape)) + a_shape
    b_shape = (1,) * (ndim - len(b_shape)) + b_shape
    spread_a = ops.reshape(a, shape=tuple(n for d in a_shape for n in (d, 1)))
    spread_b = ops.reshape(b, shape=tuple(n for d in b_shape for n in (1, d)))
    return ops.reshape(ops.mul(spread_a, spread_b), shape=tuple(p * q for p, q in zip(a_shape, b_shape)))


@overload
def cross(a: Node, b: ArrayOperand, axisa: int = ..., axisb: int = ..., axisc: int = ...,
          axis: int | None = ...) -> Tensor: ...

@overload
def cross(a: ArrayOperand, b: Node, axisa: int = ..., axisb: int = ..., axisc: int = ...,
          axis: int | None = ...) -> Tensor: ...

@overload
def cross(a: PlainArrayLike, b: PlainArrayLike, axisa: int = ..., axisb: int = ..., axisc: int = ...,
          axis: int | None = ...) -> Array: ...

@overload
def cross(a: ArrayOperand, b: ArrayOperand, axisa: int = ..., axisb: int = ..., axisc: int = ...,
          axis: int | None = ...) -> Tensor | Array: ...


def cross(a: ArrayOperand, b: ArrayOperand, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> Tensor | Array:
    """The cross product of 3-vectors along the given axes (the others broadcast)."""
    a, b = operand("cross", a), operand("cross", b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a_shape, b_shape = shape_of(a), shape_of(b)
    if not a_shape or not b_shape:
        raise ValueError(f"cross: needs vectors, got shapes {a_shape} and {b_shape}")
    a = moveaxis(a, normalize_axis("cross", axisa, len(a_shape)), -1)
    b = moveaxis(b, normalize_axis("cross", axisb, len(b_shape)), -1)
    if shape_of(a)[-1] != 3 or shape_of(b)[-1] != 3:
        raise ValueError(
            f"cross: needs 3-element vectors, got shapes {a_shape} and {b_shape} "
            "(2-element vectors are deprecated in NumPy and not supported)"
        )
    a0, a1, a2 = (ops.getitem(a, index=(Ellipsis, i)) for i in range(3))
    b0, b1, b2 = (ops.getitem(b, index=(Ellipsis, i)) for i in range(3))
    c = stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    return moveaxis(c, -1, normalize_axis("cross", axisc, len(shape_of(c))))


# -- einsum ------------------------------------------------------------------------


def _parse_einsum(subscripts: str, shapes: Any) -> Any:
    """Explicit subscripts ('ij,jk->ik') with '...' spelled out as letters, and each letter's size."""
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: subscripts must be a string, got {type(subscripts).__name__}")
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(terms)} operands but {len(shapes)} were given")
    for term in terms + [output]:
        bad = set(term.replace("...", "")) - set(string.ascii_letters)
        if bad or term.replace("...", "").count(".") or term.count("...") > 1:
            raise ValueError(f"einsum: invalid subscripts {subscripts!r}; use letters, ',' '->' and one '...' per operand")
    used = set(spec)
    spare = [c for c in string.ascii_letters if c not in used]
    ellipsis_ndim = 0
    for term, shape in zip(terms, shapes):
        named = len(term.replace("...", ""))
        if "..." in term:
            if named > len(shape):
                raise ValueError(f"einsum: operand of shape {shape} has fewer axes than {term!r} names")
            ellipsis_ndim = max(ellipsis_ndim, len(shape) - named)
        elif named != len(shape):
            raise ValueError(f"einsum: subscripts {term!r} name {named} axes but the operand has shape {shape}")
    broadcast_letters = "".join(spare[:ellipsis_ndim])
    explicit_terms = []
    for term, shape in zip(terms, shapes):
        k = len(shape) - len(term.replace("...", ""))
        explicit_terms.append(term.replace("...", broadcast_letters[ellipsis_ndim - k:] if k else ""))
    if arrow:
        output = output.replace("...", broadcast_letters)
        if len(set(output)) != len(output):
            raise ValueError(f"einsum: output subscripts {output!r} repeat a letter")
        missing = set(output) - set("".join(explicit_terms))
        if missing:
            raise ValueError(f"einsum: output letter(s) {sorted(missing)} appear in no operand of {subscripts!r}")
    else:
        counts: dict[str, int] = {}
        for letter in "".join(explicit_terms):
            counts[letter] = counts.get(letter, 0) + 1
        output = broadcast_letters + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in broadcast_letters))
    sizes: dict[str, int] = {}
    for term, shape in zip(explicit_terms, shapes):
        for letter, size in zip(term, shape):
            known = sizes.get(letter)
            if known is None or known == 1 and letter in broadcast_letters:
                sizes[letter] = size
            elif size != known and not (size == 1 and letter in broadcast_letters):
                if letter in broadcast_letters:
                    raise ValueError(
                        f"einsum: the '...' axes of operand shapes {', '.join(str(s) for s in shapes)} "
                        f"do not broadcast in {subscripts!r}"
                    )
                raise ValueError(
                    f"einsum: letter {letter!r} stands for axes of sizes {known} and {size} in {subscripts!r} "
                    f"(operand shapes {', '.join(str(s) for s in shapes)})"
                )
    return ",".join(explicit_terms) + "->" + output, sizes


def _einsum_forward(*operands: Any, subscripts: str) -> Any:
    return np.einsum(subscripts, *operands)


def _einsum_vjp(position: int, g: Any, out: Any, *operands: Any, subscripts: str) -> Any:
    """∂/∂operand i: an einsum of g with the other operands onto operand i's subscripts.

    A letter repeated in operand i (a diagonal, 'ii') becomes fresh letters
    tied by identity matrices; a letter only operand i has (summed away)
    gets a vector of ones, which broadcasts g along it.
    """
    inputs, output = subscripts.split("->")
    terms = inputs.split(",")
    sizes: dict[str, int] = {}
    for term, x in zip(terms, operands):
        for letter, size in zip(term, np.shape(_data(x))):
            sizes[letter] = max(size, sizes.get(letter, 1))
    spare = iter(c for c in string.ascii_letters if c not in subscripts)
    extras: list[Any]
    target, extra_terms, extras = "", [], []
    for letter in terms[position]:
        if letter in target:
            fresh = next(spare)
            extra_terms.append(letter + fresh)
            extras.append(np.eye(sizes[letter]))
            letter = fresh
        target += letter
    others = [t for i, t in enumerate(terms) if i != position]
    present = set(output).union(*others, *extra_terms)
    for letter in dict.fromkeys(terms[position]):
        if letter not in present:
            extra_terms.append(letter)
            extras.append(np.ones(sizes[letter]))
    spec = ",".join([output, *others, *extra_terms]) + "->" + target
    rest = [x for i, x in enumerate(operands) if i != position]
    return _einsum(g, *rest, *extras, subscripts=spec)


_einsum = primitive(
    "einsum", _einsum_forward, EachInput(_einsum_vjp),
    tensor_only=True,
    doc="Einstein summation; operand i receives the einsum of g with the other operands onto its subscripts")


@overload
def einsum(subscripts: str, *operands: Node, optimize: bool | str | list[Any] = ...) -> Tensor: ...

@overload
def einsum(subscripts: str, *operands: ArrayOperand, optimize: bool | str | list[Any] = ...) -> Any: ...


def einsum(subscripts: str, *operands: ArrayOperand, optimize: bool | str | list[Any] = False) -> Any:
    """Einstein summation with explicit ('ij,jk->ik') or implicit ('ij,jk') output and '...' for broadcast axes.

    Unlike NumPy, a letter must stand for axes of one size: a length-1 axis
    does not broadcast against a longer one outside '...'.
    """
    if not operands:
        raise ValueError("einsum: give the operands after the subscripts")
    operands = [operand("einsum", x) for x in operands]
    spec, _ = _parse_einsum(subscripts, [shape_of(x) for x in operands])
    return _einsum(*operands, subscripts=spec)


# -- norms ---------------------------------------------------------------------------


def _l2_vjp(g: Any, out: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    safe = _where_nonzero(out)
    return _unreduce(g, x, axis, keepdims) * x / _unreduce(safe, x, axis, keepdims)


def _where_nonzero(out: Any) -> Any:
    return _where(out, 1.0, condition=np.asarray(_data(out)) != 0.0)


l2_norm = primitive(
    "l2_norm", lambda x, axis=None, keepdims=False: np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims)),
    (_l2_vjp,),
    symbol="‖x‖", tensor_only=True,
    doc="√Σx² over axis; dx = g·x/‖x‖, and 0 where ‖x‖ = 0 (a subgradient, as PyTorch)")

def _singular_value_norm_forward(x: Any, ord: Any) -> Any:
    s = np.linalg.svd(x, compute_uv=False)
    return s.sum(axis=-1) if ord == "nuc" else s[..., 0] if ord == 2 else s[..., -1]


def _singular_value_norm_vjp(g: Any, out: Any, x: Any, ord: Any) -> Any:
    """g·u₁v₁ᵀ (ord 2), g·uₙvₙᵀ (ord −2), g·U·Vᵀ ('nuc'), from the SVD of the data: first order only."""
    if isinstance(x, Node) and x.requires_grad:
        raise NotImplementedError(
            f"norm: the matrix norm ord={ord!r} has first derivatives only (the second need the derivatives "
            "of the singular vectors), so a recorded backward pass (create_graph, nested grad, grad of Tensor "
            "arguments) refuses it; use ord='fro', or backward() / grad on plain arrays"
        )
    u, _, vt = np.linalg.svd(np.asarray(_data(x)), full_matrices=False)
    if ord == 2:
        u, vt = u[..., :, :1], vt[..., :1, :]
    elif ord == -2:
        u, vt = u[..., :, -1:], vt[..., -1:, :]
    return ops.reshape(g, shape=np.shape(_data(out)) + (1, 1)) * (u @ vt)


singular_value_norm = primitive(
    "singular_value_norm", _singular_value_norm_forward, (_singular_value_norm_vjp,),
    symbol="‖x‖σ", tensor_only=True,
    doc="the largest (ord 2) or smallest (ord −2) singular value or their sum ('nuc') of the last two axes; "
        "dA = g·u₁v₁ᵀ, g·uₙvₙᵀ or g·U·Vᵀ from the SVD (first derivatives only)")

_VECTOR_ORDS = (None, 1, 2, np.inf, -np.inf)
_MATRIX_ORDS = (None, "fro", 1, -1, np.inf, -np.inf)


@overload
def norm(x: Node, ord: float | str | None = ..., axis: int | tuple[int, int] | None = ...,
         keepdims: bool = ...) -> Tensor: ...

@overload
def norm(x: ArrayOperand, ord: float | str | None = ..., axis: int | tuple[int, int] | None = ...,
         keepdims: bool = ...) -> Any: ...


def norm(x: ArrayOperand, ord: float | str | None = None, axis: int | tuple[int, int] | None = None,
         keepdims: bool = False) -> Any:
    """np.linalg.norm for ord None/2/1/±inf of vectors and None/'fro'/'nuc'/±1/±2/±inf of matrices.

    Kinks take a subgradient: 0 for the 2-norm and 'fro' at 0, sign(x) (0 at 0) for
    |x|, an even share among the maximising (minimising) elements, rows or columns for ±inf and ±1,
    and the singular vectors NumPy's SVD returns for ±2 and 'nuc' (first derivatives only).
    """
    x = operand("norm", x)
    ndim = len(shape_of(x))
    if axis is None:
        if ord is None:
            return l2_norm(x, axis=None, keepdims=keepdims)
        if ndim not in (1, 2):
            raise ValueError(f"norm: ord={ord!r} needs a 1-D or 2-D input or an axis, got shape {shape_of(x)}")
        axis = tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    axes = tuple(normalize_axis("norm", a, ndim) for a in axes)
    if len(axes) == 1:
        if not any(ord == o and type(ord) is not str for o in _VECTOR_ORDS):  # type: ignore[comparison-overlap]  # ord may be a str
            raise ValueError(f"norm: vector ord {ord!r} is not supported; use one of None, 1, 2, inf, -inf")
        if ord in (None, 2):
            return l2_norm(x, axis=axes[0], keepdims=keepdims)
        magnitude = ops.abs(x)
        if ord == 1:
            return ops.sum(magnitude, axis=axes[0], keepdims=keepdims)
        from .functions import min as min_

        return (ops.max if ord > 0 else min_)(magnitude, axis=axes[0], keepdims=keepdims)  # type: ignore[operator]  # a number here
    if len(axes) != 2 or axes[0] == axes[1]:
        raise ValueError(f"norm: axis must name one axis (vectors) or two different axes (matrices), got {axis!r}")
    if (ord == "nuc") if isinstance(ord, str) else (ord is not None and ord in (2, -2)):
        moved = moveaxis(x, axes, (-2, -1))
        result = singular_value_norm(moved, ord=ord)
        if keepdims:
            kept = list(shape_of(x))
            for a in axes:
                kept[a] = 1
            result = ops.reshape(result, shape=tuple(kept))
        return result
    if not any(ord == o for o in _MATRIX_ORDS):
        raise ValueError(f"norm: matrix ord {ord!r} is not supported; use None, 'fro', 'nuc', 1, -1, 2, -2, inf or -inf")
    if ord in (None, "fro"):
        return l2_norm(x, axis=axes, keepdims=keepdims)
    from .functions import min as min_

    row_axis, col_axis = axes
    summed_axis, picked_axis = (row_axis, col_axis) if ord in (1, -1) else (col_axis, row_axis)
    sums = ops.sum(ops.abs(x), axis=summed_axis, keepdims=True)
    result = (ops.max if ord > 0 else min_)(sums, axis=picked_axis, keepdims=True)  # type: ignore[operator]  # a number here
    return result if keepdims else ops.reshape(result, shape=tuple(n for i, n in enumerate(shape_of(x)) if i not in axes))


# -- determinants, inverses, solving ----------------------------------------------------


def _square(name: str, a: Any) -> Any:
    shape = np.shape(a)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"{name}: needs square matrices of shape (..., n, n), got shape {shape}")


def _checked_inverse(name: str, a: Any) -> Any:
    """inv(a), refused where a's condition number ‖a‖₁‖a⁻¹‖₁ reaches 1/ε (the inverse would be noise).

    The 1-norm condition number costs one inverse, not an SVD, and is within
    a factor n of the 2-norm one.
    """
    _square(name, a)
    if a.size == 0:
        return np.linalg.inv(a)
    try:
        with np.errstate(all="ignore"):
            inverse = np.linalg.inv(a)
        condition = _norm_1(a) * _norm_1(inverse)
    except np.linalg.LinAlgError:  # exactly singular somewhere: find which, the slow way
        with np.errstate(all="ignore"):
            inverse, condition = None, np.linalg.cond(a)
    bad = ~(condition < 1.0 / np.finfo(a.dtype).eps)
    if np.any(bad):
        where_ = f" (matrix {np.argwhere(bad)[0].tolist()} of the stack)" if np.ndim(bad) else ""
        worst = np.max(np.where(np.isnan(condition), np.inf, condition))
        raise np.linalg.LinAlgError(
            f"{name}: the matrix{where_} is singular to working precision (condition number {worst:.3g}); "
            "its inverse would be noise. Regularize it (add a multiple of the identity) or use "
            "np.linalg.lstsq / pinv on the data"
        )
    return inverse


def _norm_1(a: Any) -> Any:
    return np.abs(a).sum(axis=-2).max(axis=-1)


def _inv_forward(a: Any) -> Any:
    return _checked_inverse("inv", a)


def _transposed(x: Any) -> Any:
    return swapaxes(x, -1, -2)


_inv = primitive(
    "inv", _inv_forward,
    (lambda g, out, a: -_matmul(_matmul(_transposed(out), g), _transposed(out)),),
    symbol="A⁻¹", tensor_only=True,
    doc="matrix inverse (stacks too); dA = −A⁻ᵀ·g·A⁻ᵀ; singular matrices are refused")


def _det_forward(a: Any) -> Any:
    _square("det", a)
    return np.linalg.det(a)


def _det_vjp(g: Any, out: Any, a: Any) -> Any:
    if np.any(np.asarray(_data(out)) == 0.0):
        raise np.linalg.LinAlgError(
            "det: the gradient at a singular matrix (det = 0) is the adjugate, which is not "
            "computed here; differentiate at an invertible matrix"
        )
    scale = ops.reshape(g * out, shape=np.shape(_data(out)) + (1, 1))
    return scale * _transposed(_inv(a))


_det = primitive(
    "det", _det_forward, (_det_vjp,),
    tensor_only=True, doc="determinant (stacks too); dA = g·det(A)·A⁻ᵀ (refused where det = 0)")


def _logabsdet_forward(a: Any) -> Any:
    _square("slogdet", a)
    return np.linalg.slogdet(a)[1]


_logabsdet = primitive(
    "logabsdet", _logabsdet_forward,
    (lambda g, out, a: ops.reshape(g, shape=np.shape(_data(out)) + (1, 1)) * _transposed(_inv(a)),),
    symbol="log|det|", tensor_only=True, doc="log |det A|; dA = g·A⁻ᵀ")


@overload
def slogdet(a: Node) -> tuple[Any, Tensor]: ...

@overload
def slogdet(a: ArrayOperand) -> tuple[Any, Any]: ...


def slogdet(a: ArrayOperand) -> tuple[Any, Any]:
    """(sign, log |det a|): the sign is plain data (it is piecewise constant), the logarithm is recorded."""
    a = operand("slogdet", a)
    sign = np.linalg.slogdet(np.asarray(_data(a)))[0] if len(shape_of(a)) >= 2 else None
    return sign, _logabsdet(a)


def _solve_shapes(a: Any, b: Any) -> Any:
    """(b as matrices, its shape) following NumPy 2: b is a vector only when 1-D."""
    a_shape, b_shape = np.shape(a), np.shape(b)
    if len(a_shape) < 2 or a_shape[-1] != a_shape[-2]:
        raise ValueError(f"solve: a must be square matrices of shape (..., n, n), got shape {a_shape}")
    vector = len(b_shape) == 1
    rows = b_shape[0] if vector else (b_shape[-2] if len(b_shape) >= 2 else None)
    if rows != a_shape[-1]:
        raise ValueError(
            f"solve: a of shape {a_shape} and b of shape {b_shape} do not fit; b must be (n,) or (..., n, k) with n = {a_shape[-1]}"
        )
    return vector


def _solve_forward(a: Any, b: Any) -> Any:
    vector = _solve_shapes(a, b)
    _checked_inverse("solve", a)
    if vector:
        return np.linalg.solve(a, b[:, None])[..., 0]
    return np.linalg.solve(a, b)


def _as_matrix(x: Any, vector: bool) -> Any:
    return ops.reshape(x, shape=shape_of(x) + (1,)) if vector else x


def _solve_vjp_b(g: Any, out: Any, a: Any, b: Any) -> Any:
    vector = len(shape_of(b)) == 1
    gb = _solve(_transposed(a), _as_matrix(g, vector))
    return ops.reshape(ops.sum_to(gb, shape=shape_of(b) + ((1,) if vector else ())), shape=shape_of(b))


def _solve_vjp_a(g: Any, out: Any, a: Any, b: Any) -> Any:
    vector = len(shape_of(b)) == 1
    gb = _solve(_transposed(a), _as_matrix(g, vector))
    return ops.sum_to(-_matmul(gb, _transposed(_as_matrix(out, vector))), shape=shape_of(a))


_solve = primitive(
    "solve", _solve_forward, (_solve_vjp_a, _solve_vjp_b),
    tensor_only=True,
    doc="x with a·x = b (b (n,) or (..., n, k)); db = a⁻ᵀ·g solved, da = −db·xᵀ; singular a is refused")


@overload
def det(a: Node) -> Tensor: ...

@overload
def det(a: ArrayOperand) -> Any: ...


def det(a: ArrayOperand) -> Any:
    """The determinant of a square matrix (or of each in a stack)."""
    return _det(operand("det", a))


@overload
def inv(a: Node) -> Tensor: ...

@overload
def inv(a: PlainArrayLike) -> Array: ...

@overload
def inv(a: ArrayOperand) -> Tensor | Array: ...


def inv(a: ArrayOperand) -> Tensor | Array:
    """The inverse of a square matrix (or of each in a stack); singular matrices are refused."""
    return _inv(operand("inv", a))


@overload
def solve(a: Node, b: ArrayOperand) -> Tensor: ...

@overload
def solve(a: ArrayOperand, b: Node) -> Tensor: ...

@overload
def solve(a: PlainArrayLike, b: PlainArrayLike) -> Array: ...

@overload
def solve(a: ArrayOperand, b: ArrayOperand) -> Tensor | Array: ...


def solve(a: ArrayOperand, b: ArrayOperand) -> Tensor | Array:
    """x with a·x = b, for b of shape (n,) or (..., n, k); singular a is refused."""
    return _solve(operand("solve", a), operand("solve", b))


# -- matrix powers and decompositions ----------------------------------------------------
#
# Each decomposition's factors are separate primitives (eigvalsh and eigh_vectors;
# svdvals, svd_u and svd_vh; cholesky; qr_q and qr_r), so a loss that uses only some
# of them sends back only their VJPs: the eigenvalues' gradient never needs the
# eigenvectors' one, which is undefined where eigenvalues repeat. The VJPs and JVPs
# call the primitives themselves, so derivatives of any order are recorded.

_GAP = np.sqrt(np.finfo(np.float64).eps)  # relative gap below which 1/gap would carry more than √ε of error


def _plain_input(*xs: Any) -> bool:
    return not any(isinstance(x, Node) for x in xs)


def _stack_position(bad: Any) -> str:
    """' (matrix [i, j] of the stack)' for the first true element of a stack's boolean array, else ''."""
    return f" (matrix {np.argwhere(bad)[0].tolist()} of the stack)" if np.ndim(bad) else ""


def _is_zero(x: Any) -> bool:
    """True for a plain all-zero cotangent or tangent. A recorded one (a node that needs a gradient) is never
    taken as zero: its derivative need not be, and a higher derivative would miss it."""
    return not (isinstance(x, Node) and x.requires_grad) and not np.any(np.asarray(_data(x)))


def _sym(x: Any) -> Any:
    """(x + xᵀ)/2, as x/2 + xᵀ/2 (no overflow; a symmetric x comes back to the bit, but for subnormal
    elements): the gradients and tangents of functions of symmetric matrices live there."""
    return x * 0.5 + _transposed(x) * 0.5


def _symmetric_part(a: Node) -> Any:
    """(a + aᵀ)/2 recorded, in a "symmetric part" group: what cholesky, eigh and eigvalsh factor on nodes.

    NumPy reads one triangle of their input and ignores the other, so a
    symmetric gradient, the one wanted for a function of symmetric matrices
    (as torch and jax give), would not be the derivative of NumPy's function
    with respect to the elements of a. Of the symmetric part it is: the value
    is NumPy's for a symmetric matrix, and changing one element changes both
    triangles of what is factored. So the gradient is that of what is
    computed, as JAX's default ``symmetrize_input=True`` has it.
    """
    with group("symmetric part"):
        return _sym(a)


def _columns_times(x: Any, v: Any) -> Any:
    """x · diag(v) (column j scaled by v_j), for stacks."""
    return x * ops.reshape(v, shape=shape_of(v)[:-1] + (1, shape_of(v)[-1]))


def _rows_times(v: Any, x: Any) -> Any:
    """diag(v) · x (row i scaled by v_i), for stacks."""
    return x * ops.reshape(v, shape=shape_of(v) + (1,))


def _inverse_gaps(w: Any) -> Any:
    """F with F_ij = 1/(w_j − w_i) off the diagonal and 0 on it (the caller has refused near-equal w)."""
    n = shape_of(w)[-1]
    eye = np.eye(n)
    gaps = ops.reshape(w, shape=shape_of(w)[:-1] + (1, n)) - ops.reshape(w, shape=shape_of(w) + (1,))
    return (1.0 - eye) / (gaps + eye)


def _refuse_close(name: str, values: Any, values_name: str, factors: str, advice: str,
                  zero_too: bool = False) -> None:
    """A LinAlgError where two sorted ``values`` of a matrix are within √ε·max|value| (or, with ``zero_too``, one of 0).

    The derivatives of the factors have 1/gap in them: undefined at a tie,
    and at a gap of δ·‖A‖ the computed value carries a relative error of
    about ε/δ, so below √ε it would be mostly noise.
    """
    values = np.asarray(_data(values))
    if values.shape[-1] == 0:
        return
    tol = _GAP * np.max(np.abs(values), axis=-1)
    close = np.any(np.abs(np.diff(values, axis=-1)) <= tol[..., None], axis=-1)
    zero = np.abs(values).min(axis=-1) <= tol if zero_too else np.zeros_like(close)
    bad = close | zero
    if not np.any(bad):
        return
    index = tuple(np.argwhere(bad)[0]) if np.ndim(bad) else ()
    problem = "two are equal or nearly so" if close[index] else "one is 0 or nearly so"
    raise np.linalg.LinAlgError(
        f"{name}: the gradient of the {factors} is undefined here: the matrix{_stack_position(bad)} has "
        f"{values_name} {np.array2string(values[index], precision=6)}, of which {problem} (within √ε ≈ {_GAP:.2g} "
        f"times the largest). {advice}"
    )


# matrix_power (a composite)


@overload
def matrix_power(a: Node, n: int) -> Tensor: ...

@overload
def matrix_power(a: ArrayOperand, n: int) -> Any: ...


def matrix_power(a: ArrayOperand, n: int) -> Any:
    """aⁿ for an integer n by repeated squaring with matmul; n < 0 through inv, n = 0 the identity (stacks too)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"matrix_power: the exponent must be an integer, got {n!r}")
    a = operand("matrix_power", a)
    _square("matrix_power", _data(a))
    if _plain_input(a):
        return np.linalg.matrix_power(a, int(n))
    n = int(n)
    if n == 0:
        return a * 0.0 + np.broadcast_to(np.eye(shape_of(a)[-1]), shape_of(a))
    base = _inv(a) if n < 0 else a
    n = abs(n)
    result = None
    while True:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if not n:
            return result
        base = matmul(base, base)


# cholesky


def _cholesky_forward(a: Any) -> Any:
    _square("cholesky", a)
    try:
        return np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        flat = a.reshape((-1,) + a.shape[-2:])
        bad = np.zeros(len(flat), bool)
        for i, m in enumerate(flat):
            try:
                np.linalg.cholesky(m)
            except np.linalg.LinAlgError:
                bad[i] = True
        raise np.linalg.LinAlgError(
            f"cholesky: the matrix{_stack_position(bad.reshape(a.shape[:-2]))} is not positive definite (input of "
            f"shape {a.shape}), so it has no Cholesky factor; check that it is symmetric with positive eigenvalues "
            "(add a multiple of the identity to regularize it)"
        ) from None


def _cholesky_phi(n: int) -> Any:
    """Φ as a mask: the lower triangle, its diagonal halved."""
    return np.tril(np.ones((n, n))) - 0.5 * np.eye(n)


def _cholesky_vjp(g: Any, out: Any, a: Any) -> Any:
    """Ā = sym(L⁻ᵀ·Φ(Lᵀ·L̄)·L⁻¹), the two products by L⁻ᵀ as solves with Lᵀ."""
    lt = _transposed(out)
    p = matmul(lt, g) * _cholesky_phi(shape_of(out)[-1])
    s = _transposed(_solve(lt, _transposed(_solve(lt, p))))
    return _sym(s)


def _cholesky_jvp(t: Any, out: Any, a: Any) -> Any:
    """dL = L·Φ(L⁻¹·sym(dA)·L⁻ᵀ)."""
    c = _transposed(_solve(out, _transposed(_solve(out, _sym(t)))))
    return matmul(out, c * _cholesky_phi(shape_of(out)[-1]))


_cholesky = primitive(
    "cholesky", _cholesky_forward, (_cholesky_vjp,), jvps=(_cholesky_jvp,),
    symbol="chol", tensor_only=True, reads=((OUT,),),
    doc="lower Cholesky factor L (A = L·Lᵀ, stacks too); Ā = sym(L⁻ᵀ·Φ(Lᵀ·L̄)·L⁻¹), Φ: the lower triangle "
        "with its diagonal halved; the symmetric gradient, for symmetric A")


@overload
def cholesky(a: Node, upper: bool = ...) -> Tensor: ...

@overload
def cholesky(a: ArrayOperand, upper: bool = ...) -> Any: ...


def cholesky(a: ArrayOperand, upper: bool = False) -> Any:
    """L with a = L·Lᵀ (or Lᵀ with ``upper=True``) for symmetric positive-definite a; others are refused.

    On plain data, NumPy's: one triangle of a is read (the lower, or the
    upper with ``upper=True``). On nodes, the factor is that of a's symmetric
    part (a + aᵀ)/2, NumPy's own for a symmetric a, and the gradient, a
    symmetric one, is its derivative (see ``_symmetric_part``).
    """
    a = operand("cholesky", a)
    _square("cholesky", _data(a))
    if not _plain_input(a):
        factor = _cholesky(_symmetric_part(a))
        return _transposed(factor) if upper else factor
    if not upper:
        return _cholesky(a)
    return _transposed(_cholesky(_transposed(a)))  # U = Lᵀ of aᵀ, reading a's upper triangle as NumPy does


# eigh, eigvalsh


class EighResult(NamedTuple):
    """eigh's (eigenvalues, eigenvectors), as NumPy's."""

    eigenvalues: Any
    eigenvectors: Any


def _check_uplo(name: str, UPLO: Any) -> None:
    if UPLO not in ("L", "U"):
        raise ValueError(f"{name}: UPLO must be 'L' or 'U', got {UPLO!r}")


def _eigvalsh_forward(a: Any, UPLO: Literal["L", "U"] = "L") -> Any:
    _square("eigvalsh", a)
    return np.linalg.eigvalsh(a, UPLO)


def _eigh_vectors_forward(a: Any, UPLO: Literal["L", "U"] = "L") -> Any:
    _square("eigh", a)
    return np.linalg.eigh(a, UPLO)[1]


def _eigvalsh_vjp(g: Any, out: Any, a: Any, UPLO: Literal["L", "U"] = "L") -> Any:
    """Ā = V·diag(w̄)·Vᵀ."""
    v = _eigh_vectors(a, UPLO=UPLO)
    return matmul(_columns_times(v, g), _transposed(v))


def _eigvalsh_jvp(t: Any, out: Any, a: Any, UPLO: Literal["L", "U"] = "L") -> Any:
    """dwᵢ = vᵢᵀ·sym(dA)·vᵢ."""
    v = _eigh_vectors(a, UPLO=UPLO)
    return einsum("...ji,...jk,...ki->...i", v, _sym(t), v)


_EIGH_ADVICE = ("Differentiate the eigenvalues only (eigvalsh, or a loss of eigh's eigenvalues alone), or "
                "perturb the matrix to separate its eigenvalues")


def _eigenvector_gaps(a: Any, UPLO: str) -> Any:
    w = _eigvalsh(a, UPLO=UPLO)
    _refuse_close("eigh", w, "eigenvalues", "eigenvectors", _EIGH_ADVICE)
    return _inverse_gaps(w)


def _eigh_vectors_vjp(g: Any, out: Any, a: Any, UPLO: Literal["L", "U"] = "L") -> Any:
    """Ā = sym(V·(F ∘ Vᵀ·V̄)·Vᵀ), F_ij = 1/(w_j − w_i) off the diagonal; refused at (near-)equal eigenvalues."""
    if _is_zero(g):
        return g * 0.0
    f = _eigenvector_gaps(a, UPLO)
    return _sym(matmul(matmul(out, f * matmul(_transposed(out), g)), _transposed(out)))


def _eigh_vectors_jvp(t: Any, out: Any, a: Any, UPLO: Literal["L", "U"] = "L") -> Any:
    """dV = V·(F ∘ Vᵀ·sym(dA)·V)."""
    if _is_zero(t):
        return t * 0.0
    f = _eigenvector_gaps(a, UPLO)
    return matmul(out, f * matmul(matmul(_transposed(out), _sym(t)), out))


_eigvalsh = primitive(
    "eigvalsh", _eigvalsh_forward, (_eigvalsh_vjp,), jvps=(_eigvalsh_jvp,),
    symbol="λ", tensor_only=True, reads=((0,),),
    doc="eigenvalues of a symmetric matrix, ascending (stacks too); Ā = V·diag(w̄)·Vᵀ")

_eigh_vectors = primitive(
    "eigh_vectors", _eigh_vectors_forward, (_eigh_vectors_vjp,), jvps=(_eigh_vectors_jvp,),
    symbol="V", tensor_only=True, reads=((OUT, 0),),
    doc="eigenvectors of a symmetric matrix (columns, stacks too); Ā = sym(V·(F ∘ Vᵀ·V̄)·Vᵀ) with "
        "F_ij = 1/(w_j − w_i); refused where eigenvalues are equal or nearly so")


@overload
def eigh(a: Node, UPLO: Literal["L", "U"] = ...) -> EighResult: ...

@overload
def eigh(a: ArrayOperand, UPLO: Literal["L", "U"] = ...) -> Any: ...


def eigh(a: ArrayOperand, UPLO: Literal["L", "U"] = "L") -> Any:
    """(eigenvalues ascending, eigenvectors as columns) of a symmetric matrix, reading its ``UPLO`` triangle.

    On nodes, those of a's symmetric part (a + aᵀ)/2, NumPy's own for a
    symmetric a, whose gradient, a symmetric one, is the derivative of what
    is computed (see ``_symmetric_part``). The eigenvectors' gradient is
    refused with a LinAlgError where two eigenvalues are equal or nearly so;
    the eigenvalues' is defined everywhere.
    """
    _check_uplo("eigh", UPLO)
    a = operand("eigh", a)
    _square("eigh", _data(a))
    if _plain_input(a):
        return np.linalg.eigh(a, UPLO)
    a = _symmetric_part(a)
    return EighResult(_eigvalsh(a, UPLO=UPLO), _eigh_vectors(a, UPLO=UPLO))


@overload
def eigvalsh(a: Node, UPLO: Literal["L", "U"] = ...) -> Tensor: ...

@overload
def eigvalsh(a: ArrayOperand, UPLO: Literal["L", "U"] = ...) -> Any: ...


def eigvalsh(a: ArrayOperand, UPLO: Literal["L", "U"] = "L") -> Any:
    """The eigenvalues of a symmetric matrix, ascending; Ā = V·diag(w̄)·Vᵀ, defined at repeated eigenvalues too.

    On nodes, those of the symmetric part (a + aᵀ)/2, as ``eigh``'s.
    """
    _check_uplo("eigvalsh", UPLO)
    a = operand("eigvalsh", a)
    if not _plain_input(a):
        _square("eigvalsh", _data(a))
        a = _symmetric_part(a)
    return _eigvalsh(a, UPLO=UPLO)


# svd, svdvals


class SVDResult(NamedTuple):
    """svd's (U, S, Vh), as NumPy's."""

    U: Any
    S: Any
    Vh: Any


def _matrices(name: str, a: Any) -> None:
    if np.ndim(a) < 2:
        raise ValueError(f"{name}: needs matrices of shape (..., m, n), got shape {np.shape(a)}")


def _svdvals_forward(a: Any) -> Any:
    _matrices("svdvals", a)
    return np.linalg.svd(a, compute_uv=False)


def _svd_u_forward(a: Any, full_matrices: bool = False) -> Any:
    _matrices("svd", a)
    return np.linalg.svd(a, full_matrices=full_matrices)[0]


def _svd_vh_forward(a: Any, full_matrices: bool = False) -> Any:
    _matrices("svd", a)
    return np.linalg.svd(a, full_matrices=full_matrices)[2]


def _reduced_factors(a: Any) -> Any:
    """(U, s, Vh) of the reduced SVD, recorded when a is a node."""
    return _svd_u(a, full_matrices=False), _svdvals(a), _svd_vh(a, full_matrices=False)


def _svdvals_vjp(g: Any, out: Any, a: Any) -> Any:
    """Ā = U·diag(s̄)·Vᵀ (reduced U and V)."""
    u, _, vh = _reduced_factors(a)
    return matmul(_columns_times(u, g), vh)


def _svdvals_jvp(t: Any, out: Any, a: Any) -> Any:
    """dsᵢ = uᵢᵀ·dA·vᵢ."""
    u, _, vh = _reduced_factors(a)
    return einsum("...ji,...jk,...ik->...i", u, t, vh)


_SVD_ADVICE = ("Differentiate the singular values only (svdvals, or svd(..., compute_uv=False)), or perturb "
               "the matrix to separate its singular values from each other and from 0")


def _completion(a: Any, rows: bool) -> tuple[int, int] | None:
    """For a full U (rows=False) or Vh (rows=True) of a: (k, extra) when it has ``extra`` > 0 columns (rows) past k."""
    m, n = shape_of(a)[-2:]
    extra = (m - n) if not rows else (n - m)
    return (min(m, n), extra) if extra > 0 else None


def _refuse_completion(a: Any, rows: bool, extra: int) -> None:
    part = ("rows of Vh" if rows else "columns of U") if extra > 1 else ("row of Vh" if rows else "column of U")
    raise ValueError(
        f"svd: with full_matrices=True, the last {extra if extra > 1 else 'one'} {part} of a matrix of shape "
        f"{shape_of(a)[-2:]} {'are' if extra > 1 else 'is'} any orthonormal completion, with no derivative; pass "
        "full_matrices=False to differentiate the singular vectors (a recorded backward pass, for higher "
        "derivatives, and forward mode need it whenever U or Vh is used)"
    )


def _first(x: Any, k: int, rows: bool) -> Any:
    return ops.getitem(x, index=(Ellipsis, slice(0, k), slice(None)) if rows else (Ellipsis, slice(None), slice(0, k)))


def _reduced_part(g: Any, out: Any, a: Any, full_matrices: bool, rows: bool) -> Any:
    """(cotangent, factor) cut to the k = min(m, n) columns (rows) that have a derivative; the rest must have 0."""
    completion = _completion(a, rows) if full_matrices else None
    if completion is None:
        return g, out
    k, extra = completion
    rest = (Ellipsis, slice(k, None), slice(None)) if rows else (Ellipsis, slice(None), slice(k, None))
    if isinstance(g, Node) and g.requires_grad or np.any(np.asarray(_data(g))[rest]):  # see _is_zero
        _refuse_completion(a, rows, extra)
    return _first(g, k, rows), _first(out, k, rows)


def _checked_singular_values(s: Any) -> Any:
    _refuse_close("svd", s, "singular values", "singular vectors", _SVD_ADVICE, zero_too=True)
    return _inverse_gaps(s * s)


def _svd_u_vjp(g: Any, out: Any, a: Any, full_matrices: bool = False) -> Any:
    """Ā = U·((X + Xᵀ)·S)·Vᵀ + (I − U·Uᵀ)·Ū·S⁻¹·Vᵀ, X = F ∘ Uᵀ·Ū, F_ij = 1/(s_j² − s_i²)."""
    if _is_zero(g):
        return a * 0.0
    g, u = _reduced_part(g, out, a, full_matrices, False)
    _, s, vh = _reduced_factors(a)
    x = _checked_singular_values(s) * matmul(_transposed(u), g)
    projected = g - matmul(u, matmul(_transposed(u), g))
    return matmul(matmul(u, _columns_times(x + _transposed(x), s)) + _columns_times(projected, 1.0 / s), vh)


def _svd_vh_vjp(g: Any, out: Any, a: Any, full_matrices: bool = False) -> Any:
    """Ā = U·(S·(Y + Yᵀ))·Vᵀ + U·S⁻¹·V̄ᵀ·(I − V·Vᵀ), Y = F ∘ Vᵀ·V̄, F_ij = 1/(s_j² − s_i²)."""
    if _is_zero(g):
        return a * 0.0
    g, vh = _reduced_part(g, out, a, full_matrices, True)
    u, s, _ = _reduced_factors(a)
    y = _checked_singular_values(s) * matmul(vh, _transposed(g))
    projected = g - matmul(matmul(g, _transposed(vh)), vh)
    return matmul(u, matmul(_rows_times(s, y + _transposed(y)), vh) + _rows_times(1.0 / s, projected))


def _svd_tangent_parts(t: Any, a: Any) -> Any:
    u, s, vh = _reduced_factors(a)
    f = _checked_singular_values(s)
    return u, s, vh, f, matmul(matmul(_transposed(u), t), _transposed(vh))


def _svd_u_jvp(t: Any, out: Any, a: Any, full_matrices: bool = False) -> Any:
    """dU = U·(F ∘ (dP·S + S·dPᵀ)) + (I − U·Uᵀ)·dA·V·S⁻¹, dP = Uᵀ·dA·V."""
    if _is_zero(t):
        return out * 0.0
    completion = _completion(a, False) if full_matrices else None
    if completion is not None:
        _refuse_completion(a, False, completion[1])
    u, s, vh, f, dp = _svd_tangent_parts(t, a)
    omega = f * (_columns_times(dp, s) + _rows_times(s, _transposed(dp)))
    return matmul(u, omega) + _columns_times(matmul(t, _transposed(vh)) - matmul(u, dp), 1.0 / s)


def _svd_vh_jvp(t: Any, out: Any, a: Any, full_matrices: bool = False) -> Any:
    """dVh = (F ∘ (S·dP + dPᵀ·S))ᵀ·Vh + S⁻¹·(Uᵀ·dA − dP·Vh)."""
    if _is_zero(t):
        return out * 0.0
    completion = _completion(a, True) if full_matrices else None
    if completion is not None:
        _refuse_completion(a, True, completion[1])
    u, s, vh, f, dp = _svd_tangent_parts(t, a)
    omega = f * (_rows_times(s, dp) + _columns_times(_transposed(dp), s))
    return matmul(_transposed(omega), vh) + _rows_times(1.0 / s, matmul(_transposed(u), t) - matmul(dp, vh))


_svdvals = primitive(
    "svdvals", _svdvals_forward, (_svdvals_vjp,), jvps=(_svdvals_jvp,),
    symbol="σ", tensor_only=True, reads=((0,),),
    doc="singular values, descending (stacks too); Ā = U·diag(s̄)·Vᵀ")

_svd_u = primitive(
    "svd_u", _svd_u_forward, (_svd_u_vjp,), jvps=(_svd_u_jvp,),
    symbol="U", tensor_only=True, reads=((OUT, 0),),
    doc="the left singular vectors U of the SVD (stacks too); Ā = U·((X + Xᵀ)·S)·Vᵀ + (I − U·Uᵀ)·Ū·S⁻¹·Vᵀ, "
        "X = F ∘ Uᵀ·Ū, F_ij = 1/(s_j² − s_i²); refused at equal or zero singular values")

_svd_vh = primitive(
    "svd_vh", _svd_vh_forward, (_svd_vh_vjp,), jvps=(_svd_vh_jvp,),
    symbol="Vᵀ", tensor_only=True, reads=((OUT, 0),),
    doc="the right singular vectors Vh of the SVD (stacks too); Ā = U·(S·(Y + Yᵀ))·Vᵀ + U·S⁻¹·V̄ᵀ·(I − V·Vᵀ), "
        "Y = F ∘ Vᵀ·V̄; refused at equal or zero singular values")


@overload
def svd(a: Node, full_matrices: bool = ..., compute_uv: bool = ..., hermitian: bool = ...) -> Any: ...

@overload
def svd(a: ArrayOperand, full_matrices: bool = ..., compute_uv: bool = ..., hermitian: bool = ...) -> Any: ...


def svd(a: ArrayOperand, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False) -> Any:
    """(U, S, Vh) with a = U·diag(S)·Vh, or S alone with ``compute_uv=False``, as NumPy's.

    The singular values' gradient U·diag(s̄)·Vᵀ is defined everywhere except
    where singular values tie or are 0 (there it is one subgradient, exact for
    losses symmetric in the tied values). U's and Vh's gradients are refused
    with a LinAlgError where singular values are equal or 0, and, with
    ``full_matrices=True`` on a non-square matrix, for the columns (rows) past
    min(m, n), which have no derivative.
    """
    a = operand("svd", a)
    if _plain_input(a):
        return np.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv,  # type: ignore[call-overload]
                             hermitian=hermitian)  # (compute_uv is a bool here; NumPy's hints want a Literal)
    if hermitian:
        raise ValueError("svd: hermitian=True is not supported on nodes; leave it False, or use eigh for symmetric matrices")
    if not compute_uv:
        return _svdvals(a)
    full = bool(full_matrices)
    return SVDResult(_svd_u(a, full_matrices=full), _svdvals(a), _svd_vh(a, full_matrices=full))


@overload
def svdvals(x: Node) -> Tensor: ...

@overload
def svdvals(x: ArrayOperand) -> Any: ...


def svdvals(x: ArrayOperand) -> Any:
    """The singular values, descending; Ā = U·diag(s̄)·Vᵀ."""
    return _svdvals(operand("svdvals", x))


# qr (primitives for m ≥ n; wide matrices through their leading square block), and pinv and lstsq of
# full-rank matrices through it


class QRResult(NamedTuple):
    """qr's (Q, R), as NumPy's."""

    Q: Any
    R: Any


def _qr_shape(a: Any) -> None:
    shape = np.shape(a)
    if len(shape) < 2 or shape[-2] < shape[-1]:
        raise ValueError(
            f"qr_q and qr_r: need matrices of shape (..., m, n) with m >= n, got shape {shape}; use qr, which "
            "takes wide matrices too"
        )


def _qr_q_forward(a: Any) -> Any:
    _qr_shape(a)
    return np.linalg.qr(a).Q


def _qr_r_forward(a: Any) -> Any:
    _qr_shape(a)
    return np.linalg.qr(a).R


def _full_column_rank(r: Any) -> None:
    """A LinAlgError where R (so the matrix) is rank-deficient to working precision: Q is not unique there."""
    r = np.asarray(_data(r))
    with np.errstate(all="ignore"):
        condition = np.linalg.cond(r)
    bad = ~(condition < 1.0 / np.finfo(r.dtype).eps)
    if np.any(bad):
        raise np.linalg.LinAlgError(
            f"qr: the gradient needs a matrix of full column rank (of a wide matrix, an invertible leading "
            f"square block), and the matrix{_stack_position(bad)} is rank-deficient to working precision (R's condition number {np.max(np.where(np.isnan(condition), np.inf, condition)):.3g}); "
            "its Q and R have no derivative there"
        )


def _upper_mirrored(n: Any) -> Any:
    """(N ↦ N's upper triangle, mirrored into the strict lower one) as two masks: N·upper + Nᵀ·lower."""
    upper = np.triu(np.ones((n, n)))
    return upper, 1.0 - upper


def _qr_cotangent(q: Any, r: Any, n_matrix: Any, extra: Any) -> Any:
    """Ā = (extra + Q·M)·R⁻ᵀ, M: N's upper triangle mirrored into the lower one (R⁻ᵀ as a solve with R)."""
    upper, lower = _upper_mirrored(shape_of(r)[-1])
    _full_column_rank(r)
    m = n_matrix * upper + _transposed(n_matrix) * lower
    x = matmul(q, m) if extra is None else extra + matmul(q, m)
    return _transposed(_solve(r, _transposed(x)))


def _qr_q_vjp(g: Any, out: Any, a: Any) -> Any:
    """Ā = (Q̄ + Q·M)·R⁻ᵀ with N = −Qᵀ·Q̄."""
    return _qr_cotangent(out, _qr_r(a), -matmul(_transposed(out), g), g)


def _qr_r_vjp(g: Any, out: Any, a: Any) -> Any:
    """Ā = Q·M·R⁻ᵀ with N = R̄·Rᵀ."""
    return _qr_cotangent(_qr_q(a), out, matmul(g, _transposed(out)), None)


def _qr_tangent_parts(t: Any, a: Any) -> Any:
    """(Q, R, B = dA·R⁻¹, C − Ω): C = Qᵀ·B, Ω = C's strict lower triangle minus its transpose (Qᵀ·dQ)."""
    q, r = _qr_q(a), _qr_r(a)
    _full_column_rank(r)
    b = _transposed(_solve(_transposed(r), _transposed(t)))
    c = matmul(_transposed(q), b)
    _, lower = _upper_mirrored(shape_of(r)[-1])
    strict = c * lower
    return q, r, b, c - strict + _transposed(strict)


def _qr_q_jvp(t: Any, out: Any, a: Any) -> Any:
    """dQ = dA·R⁻¹ − Q·(C − Ω)."""
    q, _, b, rest = _qr_tangent_parts(t, a)
    return b - matmul(q, rest)


def _qr_r_jvp(t: Any, out: Any, a: Any) -> Any:
    """dR = (C − Ω)·R."""
    _, r, _, rest = _qr_tangent_parts(t, a)
    return matmul(rest, r)


_qr_q = primitive(
    "qr_q", _qr_q_forward, (_qr_q_vjp,), jvps=(_qr_q_jvp,),
    symbol="Q", tensor_only=True, reads=((OUT, 0),),
    doc="Q of the reduced QR of a matrix with m ≥ n (stacks too); Ā = (Q̄ + Q·M)·R⁻ᵀ, M: the upper triangle "
        "of −Qᵀ·Q̄ mirrored into the lower one; refused for rank-deficient matrices")

_qr_r = primitive(
    "qr_r", _qr_r_forward, (_qr_r_vjp,), jvps=(_qr_r_jvp,),
    symbol="R", tensor_only=True, reads=((OUT, 0),),
    doc="R of the reduced QR of a matrix with m ≥ n (stacks too); Ā = Q·M·R⁻ᵀ, M: the upper triangle "
        "of R̄·Rᵀ mirrored into the lower one; refused for rank-deficient matrices")


@overload
def qr(a: Node, mode: str = ...) -> Any: ...

@overload
def qr(a: ArrayOperand, mode: str = ...) -> Any: ...


def qr(a: ArrayOperand, mode: str = "reduced") -> Any:
    """(Q, R) with a = Q·R, as NumPy's; on nodes modes 'reduced', 'r' and 'complete' (of a square or wide matrix).

    A wide matrix [X | Y] (m < n) is Q·[R₁ | Qᵀ·Y] with Q·R₁ the QR of its
    leading m×m block X, as Householder QR computes it. The gradient is
    refused where R₁ (or R) is singular: Q is not unique there.
    """
    a = operand("qr", a)
    if _plain_input(a):
        return np.linalg.qr(a, mode=mode)  # type: ignore[call-overload]  # mode is a str here; NumPy's hints want a Literal
    _matrices("qr", _data(a))
    m, n = shape_of(a)[-2:]
    if mode not in ("reduced", "complete", "r") or (mode == "complete" and m > n):
        raise ValueError(
            f"qr: mode={mode!r} is not supported on nodes for shape {shape_of(a)}"
            + (" (the extra columns of a complete Q are any orthonormal completion, with no derivative)" if mode == "complete" else "")
            + "; use mode='reduced' or 'r'"
        )
    if m >= n:
        return _qr_r(a) if mode == "r" else QRResult(_qr_q(a), _qr_r(a))
    lead = ops.getitem(a, index=(Ellipsis, slice(None), slice(0, m)))
    q = _qr_q(lead)
    rest = matmul(_transposed(q), ops.getitem(a, index=(Ellipsis, slice(None), slice(m, None))))
    r = concatenate([_qr_r(lead), rest], axis=-1)
    return r if mode == "r" else QRResult(q, r)


def _rank_tolerance(a: Any, rcond: Any, rtol: Any) -> Any:
    """NumPy's cut-off for small singular values, relative to the largest: rtol, rcond, or max(m, n)·ε."""
    if rtol is not None and rtol is not np._NoValue:
        return rtol
    if rcond is not None:
        return rcond
    return max(np.shape(a)[-2:]) * np.finfo(np.float64).eps


def _refuse_rank_deficient(name: str, a: Any, tolerance: Any) -> None:
    s = np.linalg.svd(np.asarray(_data(a)), compute_uv=False)
    bad = s[..., -1:] <= np.asarray(tolerance)[..., None] * s[..., :1] if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), bool)
    bad = np.any(bad, axis=-1)
    if np.any(bad):
        index = tuple(np.argwhere(bad)[0]) if np.ndim(bad) else ()
        raise np.linalg.LinAlgError(
            f"{name}: the matrix{_stack_position(bad)} of shape {np.shape(_data(a))} is rank-deficient (singular values "
            f"{np.array2string(s[index], precision=6)}, the smallest within the cut-off {float(np.max(tolerance)):.3g} "
            f"times the largest); the pseudo-inverse jumps where the rank changes, so it has no derivative there. "
            "Regularize (e.g. solve with a·aᵀ + λ·I), or use the plain data"
        )


def _full_rank_pinv(a: Any) -> Any:
    """a⁺ of a full-rank matrix: R⁻¹·Qᵀ from the QR of a (m ≥ n), or of aᵀ transposed (m < n)."""
    m, n = shape_of(a)[-2:]
    if m < n:
        return _transposed(_full_rank_pinv(_transposed(a)))
    q, r = _qr_q(a), _qr_r(a)
    return _solve(r, _transposed(q))


@overload
def pinv(a: Node, rcond: Any = ..., hermitian: bool = ..., *, rtol: Any = ...) -> Tensor: ...

@overload
def pinv(a: ArrayOperand, rcond: Any = ..., hermitian: bool = ..., *, rtol: Any = ...) -> Any: ...


def pinv(a: ArrayOperand, rcond: Any = None, hermitian: bool = False, *, rtol: Any = np._NoValue) -> Any:
    """The Moore–Penrose pseudo-inverse; on nodes only of full-rank matrices (stacks too), as R⁻¹·Qᵀ.

    NumPy's cut-off (rtol, default max(m, n)·ε times the largest singular
    value) decides the rank; a rank-deficient matrix is refused with a
    LinAlgError, since the pseudo-inverse is not differentiable where the
    rank changes.
    """
    a = operand("pinv", a)
    if _plain_input(a):
        if rtol is np._NoValue:
            return np.linalg.pinv(a, rcond=rcond, hermitian=hermitian)
        return np.linalg.pinv(a, rcond=rcond, hermitian=hermitian, rtol=rtol)
    _matrices("pinv", _data(a))
    _refuse_rank_deficient("pinv", a, _rank_tolerance(_data(a), rcond, rtol))
    return _full_rank_pinv(a)


@overload
def lstsq(a: Node, b: ArrayOperand, rcond: Any = ...) -> tuple[Tensor, Any, int, Any]: ...

@overload
def lstsq(a: ArrayOperand, b: Node, rcond: Any = ...) -> tuple[Tensor, Any, int, Any]: ...

@overload
def lstsq(a: ArrayOperand, b: ArrayOperand, rcond: Any = ...) -> Any: ...


def lstsq(a: ArrayOperand, b: ArrayOperand, rcond: Any = None) -> Any:
    """(x, residuals, rank, s) as NumPy's: x minimises ‖b − a·x‖ (the least-norm one for m < n).

    On nodes a must have full rank (x = a⁺·b, a⁺ as in pinv); residuals (the
    squared norms of b − a·x for m > n, else empty) and s (svdvals) are
    recorded; rank is a plain int.
    """
    a, b = operand("lstsq", a), operand("lstsq", b)
    if _plain_input(a, b):
        return np.linalg.lstsq(a, b, rcond=rcond)
    a_shape, b_shape = shape_of(a), shape_of(b)
    if len(a_shape) != 2 or len(b_shape) not in (1, 2) or b_shape[0] != a_shape[0]:
        raise ValueError(
            f"lstsq: a must be a matrix (m, n) and b of shape (m,) or (m, k), got shapes {a_shape} and {b_shape}"
        )
    m, n = a_shape
    _refuse_rank_deficient("lstsq", a, rcond if rcond is not None else max(m, n) * np.finfo(np.float64).eps)
    x = matmul(_full_rank_pinv(a), b)
    if m > n:
        residuals = ops.sum((b - matmul(a, x)) ** 2, axis=0)
        residuals = ops.reshape(residuals, shape=(1,)) if len(b_shape) == 1 else residuals
    else:
        residuals = np.empty((0,))
    return x, residuals, min(m, n), _svdvals(a)


def _refuse_complex_decomposition(name: str) -> Any:
    def refuse(a: ArrayOperand, *args: Any, **kwargs: Any) -> Any:
        a = operand(name, a)
        if _plain_input(a):
            return getattr(np.linalg, name)(a, *args, **kwargs)
        raise TypeError(
            f"{name}: the eigenvalues and eigenvectors of a general matrix are complex, and autograd "
            f"differentiates real numbers only, so {name} does not record on nodes; for a symmetric matrix "
            f"use eigh (or eigvalsh), whose results are real"
        )

    refuse.__name__ = refuse.__qualname__ = name
    refuse.__doc__ = f"np.linalg.{name} on plain data; refused on nodes (complex results): use eigh for symmetric matrices."
    return refuse


eig = _refuse_complex_decomposition("eig")
eigvals = _refuse_complex_decomposition("eigvals")


# -- the names NumPy gives them ------------------------------------------------------------

PRIMITIVES = tuple(p.name for p in (_matmul, _einsum, l2_norm, singular_value_norm, _det, _logabsdet, _inv, _solve,
                                    _cholesky, _eigvalsh, _eigh_vectors, _svdvals, _svd_u, _svd_vh, _qr_q, _qr_r))

ARRAY_FUNCTIONS = {
    np.matmul: matmul, np.dot: dot, np.tensordot: tensordot, np.inner: inner, np.outer: outer,
    np.kron: kron, np.cross: cross, np.einsum: einsum,
    np.linalg.norm: norm, np.linalg.det: det, np.linalg.inv: inv, np.linalg.solve: solve,
    np.linalg.slogdet: slogdet, np.linalg.matrix_power: matrix_power, np.linalg.cholesky: cholesky,
    np.linalg.eigh: eigh, np.linalg.eigvalsh: eigvalsh, np.linalg.svd: svd, np.linalg.svdvals: svdvals,
    np.linalg.qr: qr, np.linalg.pinv: pinv, np.linalg.lstsq: lstsq, np.linalg.eig: eig, np.linalg.eigvals: eigvals,
}

def _rmatmul(self: Any, other: ArrayOperand) -> Any:
    return matmul(other, self)


METHODS = {"dot": dot, "__matmul__": matmul, "__rmatmul__": _rmatmul}
