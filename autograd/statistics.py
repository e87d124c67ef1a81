"""NumPy's statistics on nodes: weighted averages, nan-ignoring reductions, quantiles, covariance.

Everything here is a composite of the op table's primitives and of
``array_ops`` (where, sort, getitem), each in a group of its name, so
reverse mode, forward mode and derivatives of any order come from the
primitives' rules. On plain data each function returns what NumPy returns
(it runs NumPy's own function).

- ``nan*`` reductions send gradient 0 to nan entries: a nan is replaced (by 0,
  1 or −inf) through ``mask`` or ``where``, whose VJPs put 0 there, so no nan
  reaches the gradient of a finite entry. An all-nan slice gives what NumPy
  gives (nan, or 0 for ``nansum`` and 1 for ``nanprod``) with NumPy's warning.
- ``median``, ``percentile`` and ``quantile`` sort (stably) and interpolate
  between the two neighbouring order statistics: weights 1 − f and f. Tied
  elements keep their own gradients, as in ``sort``: the gradient goes to the
  element the stable sort put at the chosen position. A slice holding a nan
  gives nan, as NumPy, and the nan element receives the gradient;
  ``nanmedian``, ``nanpercentile`` and ``nanquantile`` interpolate among the
  numbers of each slice instead.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from . import array_ops, functions, ops
from .array_ops import numpy_function, operand, shape_of
from .engine import group
from .node import Node

if TYPE_CHECKING:
    from .typing import ArrayOperand, Axis


def _any_node(*items: Any) -> bool:
    return any(isinstance(item, Node) or array_ops._holds_node(item) for item in items)


def _reduced_axes(name: str, axis: Axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    return array_ops._axes_tuple(name, axis, ndim)


def _warn(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=4)


def _nonzero_or_nan(count: Any) -> Any:
    """count where positive, nan elsewhere: a divisor that makes an empty slice nan without a warning."""
    return np.where(np.asarray(count) > 0, count, np.nan)


# -- the weighted average --------------------------------------------------------


def average(a: ArrayOperand, axis: Axis = None, weights: ArrayOperand | None = None, returned: bool = False, *,
            keepdims: bool = False) -> Any:
    """Σ w·a / Σ w over axis, as np.average; the weights may be nodes too (weights of a's shape, or of the
    averaged axes' lengths); ``returned=True`` also gives Σ w broadcast to the average's shape."""
    if not _any_node(a, weights):
        options = {"keepdims": keepdims} if keepdims else {}
        return numpy_function("average")(a, axis=axis, weights=weights, returned=returned, **options)
    a = operand("average", a)
    shape = shape_of(a)
    axes = _reduced_axes("average", axis, len(shape))
    with group("average"):
        if weights is None:
            avg = functions.mean(a, axis=axes, keepdims=keepdims)
            total: Any = np.full(shape_of(avg), float(np.prod([shape[i] for i in axes])))
        else:
            w = operand("average", weights)
            w_shape = shape_of(w)
            if w_shape != shape:
                if axis is None:
                    raise TypeError(f"average: axis must be given when the shapes of a {shape} and of the weights "
                                    f"{w_shape} differ")
                given = axis if isinstance(axis, (tuple, list)) else (axis,)
                along = array_ops._axes_tuple("average", given, len(shape))
                fitting = tuple(shape[i] for i in along)
                if w_shape != fitting:
                    raise ValueError(f"average: weights of shape {w_shape} do not fit a of shape {shape} along axis "
                                     f"{axis!r}; give weights of a's shape or of shape {fitting}")
                order = tuple(int(i) for i in np.argsort(along))
                w = ops.reshape(ops.transpose(w, axes=order) if len(along) > 1 else w,
                                shape=tuple(n if i in along else 1 for i, n in enumerate(shape)))
            # summed over a's shape, so Σ w has the average's shape, as returned=True gives it
            total = ops.sum(ops.broadcast_to(w, shape=shape) if shape_of(w) != shape else w,
                            axis=axes, keepdims=keepdims)
            sums = np.asarray(total.data if isinstance(total, Node) else total)
            if np.any(sums == 0.0):
                raise ZeroDivisionError(f"average: the weights sum to zero along axis {axis!r}, so they cannot be "
                                        "normalized")
            avg = ops.sum(a * w, axis=axes, keepdims=keepdims) / total
    return (avg, total) if returned else avg


# -- reductions that ignore nan ------------------------------------------------------


def _finite_part(name: str, a: ArrayOperand, axis: Axis = None) -> tuple[Any, Any]:
    """a as an operand (its axis checked), and where it is not nan (plain booleans)."""
    a = operand(name, a)
    if axis is not None:
        _reduced_axes(name, axis, len(shape_of(a)))
    return a, ~np.isnan(_plain(a))


def _plain(a: Any) -> Any:
    return np.asarray(a.data if isinstance(a, Node) else a)


def nansum(a: ArrayOperand, axis: Axis = None, keepdims: bool = False) -> Any:
    """Σ over axis with nan counted as 0, as np.nansum; nan entries get gradient 0."""
    if not _any_node(a):
        return numpy_function("nansum")(a, axis=axis, keepdims=keepdims)
    a, keep = _finite_part("nansum", a, axis)
    with group("nansum"):
        return functions.sum(ops.mask(a, keep=keep), axis=axis, keepdims=keepdims)


def _count(keep: Any, axis: Axis, keepdims: bool) -> Any:
    return np.sum(keep, axis=functions._axis(axis), keepdims=keepdims)


def _nanmean(a: Any, keep: Any, axis: Axis, keepdims: bool) -> tuple[Any, Any]:
    """The mean of the non-nan entries (nan for none, without a warning), and their count."""
    total = functions.sum(ops.mask(a, keep=keep), axis=axis, keepdims=keepdims)
    count = _count(keep, axis, keepdims)
    return total / _nonzero_or_nan(count), count


def nanmean(a: ArrayOperand, axis: Axis = None, keepdims: bool = False) -> Any:
    """The mean of the non-nan entries over axis, as np.nanmean; nan entries get gradient 0.

    An all-nan slice gives nan with NumPy's warning ('Mean of empty slice'), and gradient 0.
    """
    if not _any_node(a):
        return numpy_function("nanmean")(a, axis=axis, keepdims=keepdims)
    a, keep = _finite_part("nanmean", a, axis)
    with group("nanmean"):
        mean, count = _nanmean(a, keep, axis, keepdims)
    if np.any(count == 0):
        _warn("Mean of empty slice")
    return mean


def _nanvar(name: str, a: ArrayOperand, axis: Axis, ddof: float, keepdims: bool) -> Any:
    a, keep = _finite_part(name, a, axis)
    mean, _ = _nanmean(a, keep, axis, keepdims=True)
    centered = ops.mask(a - mean, keep=keep)
    dof = _count(keep, axis, keepdims) - ddof
    if np.any(dof <= 0):
        _warn("Degrees of freedom <= 0 for slice.")
    return functions.sum(centered * centered, axis=axis, keepdims=keepdims) / _nonzero_or_nan(dof)


def nanvar(a: ArrayOperand, axis: Axis = None, ddof: float = 0, keepdims: bool = False) -> Any:
    """The variance of the non-nan entries, Σ(x − mean)²/(n − ddof), as np.nanvar; nan entries get gradient 0.

    Where n − ddof ≤ 0 (an all-nan slice among them) it is nan with NumPy's warning.
    """
    if not _any_node(a):
        return numpy_function("nanvar")(a, axis=axis, ddof=ddof, keepdims=keepdims)
    with group("nanvar"):
        return _nanvar("nanvar", a, axis, ddof, keepdims)


def nanstd(a: ArrayOperand, axis: Axis = None, ddof: float = 0, keepdims: bool = False) -> Any:
    """√nanvar, as np.nanstd; nan entries get gradient 0 (finite ones nan where the deviation is 0, as std)."""
    if not _any_node(a):
        return numpy_function("nanstd")(a, axis=axis, ddof=ddof, keepdims=keepdims)
    with group("nanstd"):
        return functions.sqrt(_nanvar("nanstd", a, axis, ddof, keepdims))


def nanmax(a: ArrayOperand, axis: Axis = None, keepdims: bool = False) -> Any:
    """The largest non-nan entry over axis, as np.nanmax; tied maxima share the gradient (as max), nan entries
    get 0. An all-nan slice gives nan with NumPy's warning ('All-NaN slice encountered'), and gradient 0."""
    if not _any_node(a):
        return numpy_function("nanmax")(a, axis=axis, keepdims=keepdims)
    with group("nanmax"):
        return _nanmax("nanmax", operand("nanmax", a), axis, keepdims)


def nanmin(a: ArrayOperand, axis: Axis = None, keepdims: bool = False) -> Any:
    """The smallest non-nan entry over axis, as np.nanmin: −nanmax(−a)."""
    if not _any_node(a):
        return numpy_function("nanmin")(a, axis=axis, keepdims=keepdims)
    with group("nanmin"):
        return -_nanmax("nanmin", -operand("nanmin", a), axis, keepdims)


def _nanmax(name: str, a: Any, axis: Axis, keepdims: bool) -> Any:
    a, keep = _finite_part(name, a, axis)
    top = functions.max(array_ops.where(keep, a, -np.inf), axis=axis, keepdims=keepdims)
    count = _count(keep, axis, keepdims)
    empty = count == 0
    # Where every number of a slice is −inf, its nans (filled with −inf) would tie with them and take a
    # share of the gradient: there the −inf entries share it alone, as their nanmean (also −inf) does.
    tied_with_nans = (np.asarray(top.data) == -np.inf) & ~empty & (_count(~keep, axis, keepdims) > 0)
    if np.any(tied_with_nans):
        top = array_ops.where(tied_with_nans, _nanmean(a, keep, axis, keepdims)[0], top)
    if not np.any(empty):
        return top
    _warn("All-NaN slice encountered")
    return array_ops.where(empty, np.nan, top)


def nanprod(a: ArrayOperand, axis: Axis = None, keepdims: bool = False) -> Any:
    """Π over axis with nan counted as 1, as np.nanprod; nan entries get gradient 0."""
    if not _any_node(a):
        return numpy_function("nanprod")(a, axis=axis, keepdims=keepdims)
    a, keep = _finite_part("nanprod", a, axis)
    with group("nanprod"):
        return functions.prod(array_ops.where(keep, a, 1.0), axis=axis, keepdims=keepdims)


def nancumsum(a: ArrayOperand, axis: int | None = None) -> Any:
    """Running sum with nan counted as 0 (of the flattened a for axis=None), as np.nancumsum."""
    if not _any_node(a):
        return numpy_function("nancumsum")(a, axis=axis)
    a, keep = _finite_part("nancumsum", a, axis)
    with group("nancumsum"):
        return functions.cumsum(ops.mask(a, keep=keep), axis=axis)


def nancumprod(a: ArrayOperand, axis: int | None = None) -> Any:
    """Running product with nan counted as 1 (of the flattened a for axis=None), as np.nancumprod."""
    if not _any_node(a):
        return numpy_function("nancumprod")(a, axis=axis)
    a, keep = _finite_part("nancumprod", a, axis)
    with group("nancumprod"):
        return functions.cumprod(array_ops.where(keep, a, 1.0), axis=axis)


# -- median, percentiles and quantiles ---------------------------------------------------

QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _positions(h: Any, n: Any, method: str) -> tuple[Any, Any, Any]:
    """For virtual indices h into n sorted values: the lower and upper positions and the weight of the upper."""
    below = np.floor(h).astype(np.intp)
    above = np.minimum(below + 1, n - 1)
    if method == "linear":
        return below, above, h - below
    if method == "lower":
        return below, above, np.zeros_like(h)
    if method == "higher":
        return np.ceil(h).astype(np.intp), above, np.zeros_like(h)
    if method == "nearest":
        return np.around(h).astype(np.intp), above, np.zeros_like(h)
    return below, above, np.where(np.ceil(h) > below, 0.5, 0.0)  # midpoint


def _quantile(name: str, a: Any, q: Any, axis: Axis, method: str, keepdims: bool, skip_nan: bool = False) -> Any:
    """Quantiles q ∈ [0, 1] of a over axis: the sorted values at (n − 1)·q, interpolated by ``method``.

    ``skip_nan``: n counts the entries that are not nan, slice by slice (the sort puts the nans last).
    """
    if method not in QUANTILE_METHODS:
        raise ValueError(f"{name}: method {method!r} is not supported on nodes; use one of "
                         f"{', '.join(QUANTILE_METHODS)} ('linear' is the default)")
    a = operand(name, a)
    shape = shape_of(a)
    axes = _reduced_axes(name, axis, len(shape))
    kept = tuple(1 if i in axes else n for i, n in enumerate(shape))
    rest = tuple(n for i, n in enumerate(shape) if i not in axes)
    n = int(np.prod([shape[i] for i in axes])) if axes else 1
    if n == 0:
        raise ValueError(f"{name}: a of shape {shape} has no entries along axis {axis!r}")
    order = tuple(i for i in range(len(shape)) if i not in axes) + axes
    flat = ops.reshape(ops.transpose(a, axes=order) if order != tuple(range(len(shape))) else a,
                       shape=rest + (n,))
    ordered = array_ops.sort(flat, axis=-1)
    nan = np.isnan(_plain(flat))
    counts = (n - np.sum(nan, axis=-1) if skip_nan else np.full(rest, n))[..., None]  # (…rest, 1)
    below, above, upper_weight = _positions(np.ravel(q) * (np.maximum(counts, 1) - 1), np.maximum(counts, 1), method)
    value = array_ops.take_along_axis(ordered, below, axis=-1)  # (…rest, len(q))
    if np.any(upper_weight):
        value = value + (array_ops.take_along_axis(ordered, above, axis=-1) - value) * upper_weight
    if skip_nan and np.any(counts == 0):
        _warn("All-NaN slice encountered")
        value = array_ops.where(counts == 0, np.nan, value)
    elif not skip_nan and nan.any():  # a slice holding nan: the sort put it last; it is the result, and takes g
        value = array_ops.where(nan.any(axis=-1)[..., None], ops.getitem(ordered, index=(Ellipsis, slice(n - 1, n))),
                                value)
    value = ops.transpose(value, axes=(len(rest),) + tuple(range(len(rest))))  # the q axis first
    return ops.reshape(value, shape=np.shape(q) + (kept if keepdims else rest))


def _quantiles(name: str, q: Any, scale: float) -> Any:
    if isinstance(q, Node) or array_ops._holds_node(q):
        raise TypeError(f"{name}: q must be plain numbers; the gradient with respect to q is not computed")
    q = np.asarray(q, dtype=np.float64) / scale
    if not np.all((q >= 0.0) & (q <= 1.0)):
        bound = "[0, 100]" if scale == 100.0 else "[0, 1]"
        raise ValueError(f"{name}: q must lie in {bound}, got {np.asarray(q * scale).tolist()}")
    return q


def quantile(a: ArrayOperand, q: Any, axis: Axis = None, overwrite_input: bool = False, method: str = "linear",
             keepdims: bool = False) -> Any:
    """The q-th quantiles (q in [0, 1]) over axis, as np.quantile; methods linear (default), lower, higher,
    midpoint, nearest. The result has q's shape in front."""
    if not _any_node(a):
        return numpy_function("quantile")(a, q, axis=axis, method=method, keepdims=keepdims)
    with group("quantile"):
        return _quantile("quantile", a, _quantiles("quantile", q, 1.0), axis, method, keepdims)


def percentile(a: ArrayOperand, q: Any, axis: Axis = None, overwrite_input: bool = False, method: str = "linear",
               keepdims: bool = False) -> Any:
    """The q-th percentiles (q in [0, 100]) over axis, as np.percentile: quantile(a, q / 100)."""
    if not _any_node(a):
        return numpy_function("percentile")(a, q, axis=axis, method=method, keepdims=keepdims)
    with group("percentile"):
        return _quantile("percentile", a, _quantiles("percentile", q, 100.0), axis, method, keepdims)


def median(a: ArrayOperand, axis: Axis = None, overwrite_input: bool = False, keepdims: bool = False) -> Any:
    """The median over axis, as np.median: the middle sorted value, or the mean of the middle two."""
    if not _any_node(a):
        return numpy_function("median")(a, axis=axis, keepdims=keepdims)
    with group("median"):
        return _quantile("median", a, np.float64(0.5), axis, "linear", keepdims)


def nanquantile(a: ArrayOperand, q: Any, axis: Axis = None, overwrite_input: bool = False, method: str = "linear",
                keepdims: bool = False) -> Any:
    """quantile over the entries that are not nan, as np.nanquantile; nan entries get gradient 0, and an
    all-nan slice gives nan with NumPy's warning."""
    if not _any_node(a):
        options = {"keepdims": keepdims} if keepdims else {}
        return numpy_function("nanquantile")(a, q, axis=axis, method=method, **options)
    with group("nanquantile"):
        return _quantile("nanquantile", a, _quantiles("nanquantile", q, 1.0), axis, method, keepdims, True)


def nanpercentile(a: ArrayOperand, q: Any, axis: Axis = None, overwrite_input: bool = False, method: str = "linear",
                  keepdims: bool = False) -> Any:
    """percentile over the entries that are not nan, as np.nanpercentile: nanquantile(a, q / 100)."""
    if not _any_node(a):
        options = {"keepdims": keepdims} if keepdims else {}
        return numpy_function("nanpercentile")(a, q, axis=axis, method=method, **options)
    with group("nanpercentile"):
        return _quantile("nanpercentile", a, _quantiles("nanpercentile", q, 100.0), axis, method, keepdims, True)


def nanmedian(a: ArrayOperand, axis: Axis = None, overwrite_input: bool = False, keepdims: bool = False) -> Any:
    """median over the entries that are not nan, as np.nanmedian."""
    if not _any_node(a):
        options = {"keepdims": keepdims} if keepdims else {}
        return numpy_function("nanmedian")(a, axis=axis, **options)
    with group("nanmedian"):
        return _quantile("nanmedian", a, np.float64(0.5), axis, "linear", keepdims, True)


# -- covariance and correlation ----------------------------------------------------------


def _observations(name: str, m: Any, rowvar: bool) -> Any:
    m = operand(name, m)
    shape = shape_of(m)
    if len(shape) > 2:
        raise ValueError(f"{name}: m and y must have at most 2 axes, got shape {shape}")
    x = array_ops.atleast_2d(m)
    return ops.transpose(x, axes=None) if not rowvar and shape_of(x)[0] != 1 else x


def _frequency_weights(name: str, fweights: Any, aweights: Any, n: int) -> tuple[Any, Any]:
    """The product of fweights and aweights (plain, checked as NumPy checks them), and aweights as an array."""
    if _any_node(fweights, aweights):
        raise TypeError(f"{name}: fweights and aweights must be plain arrays; weights that are nodes are "
                        "not supported here (np.average takes node weights)")
    w = None
    for label, given in (("fweights", fweights), ("aweights", aweights)):
        if given is None:
            continue
        weights = np.asarray(given, dtype=np.float64)
        if label == "fweights" and not np.all(weights == np.around(weights)):
            raise TypeError(f"{name}: fweights must be integers")
        if weights.ndim != 1 or weights.shape[0] != n:
            raise ValueError(f"{name}: {label} must be 1-D with one weight per observation ({n}), "
                             f"got shape {weights.shape}")
        if np.any(weights < 0):
            raise ValueError(f"{name}: {label} cannot be negative")
        w = weights if w is None else w * weights
    return w, None if aweights is None else np.asarray(aweights, dtype=np.float64)


def cov(m: ArrayOperand, y: ArrayOperand | None = None, rowvar: bool = True, bias: bool = False,
        ddof: int | None = None, fweights: Any = None, aweights: Any = None) -> Any:
    """The covariance matrix of the variables (rows, or columns if not rowvar), as np.cov: the centred
    observations times their transpose over N − ddof (ddof 1, or 0 with bias); plain fweights, aweights."""
    if not _any_node(m, y):
        return numpy_function("cov")(m, y, rowvar=rowvar, bias=bias, ddof=ddof, fweights=fweights, aweights=aweights)
    if ddof is not None and (isinstance(ddof, bool) or not isinstance(ddof, (int, np.integer))):
        raise ValueError(f"cov: ddof must be an integer, got {ddof!r}")
    with group("cov"):
        x = _observations("cov", m, rowvar)
        if y is not None:
            other = _observations("cov", y, rowvar)
            if shape_of(other)[1] != shape_of(x)[1]:
                raise ValueError(f"cov: m and y hold {shape_of(x)[1]} and {shape_of(other)[1]} observations; "
                                 "they must hold as many")
            x = array_ops.concatenate([x, other], axis=0)
        ddof = (0 if bias else 1) if ddof is None else int(ddof)
        n = shape_of(x)[1]
        w, a_weights = _frequency_weights("cov", fweights, aweights, n)
        if w is None:
            mean = functions.mean(x, axis=1, keepdims=True)
            fact = float(n - ddof)
        else:
            w_sum = float(np.sum(w))
            mean = ops.sum(x * w, axis=1, keepdims=True) / w_sum
            fact = w_sum if ddof == 0 else w_sum - ddof if a_weights is None else \
                w_sum - ddof * float(np.sum(w * a_weights)) / w_sum
        if fact <= 0:  # NumPy divides by 0 then: inf, or nan where the sum of products is 0
            _warn("Degrees of freedom <= 0 for slice")
            scale = np.inf
        else:
            scale = 1.0 / fact
        centered = x - mean
        weighted = centered if w is None else centered * w
        c = ops.dot(centered, ops.transpose(weighted, axes=None)) * scale
        return array_ops.squeeze(c)


def corrcoef(x: ArrayOperand, y: ArrayOperand | None = None, rowvar: bool = True) -> Any:
    """Pearson correlation coefficients, as np.corrcoef: cov / √(diag·diagᵀ), clipped to [−1, 1]."""
    if not _any_node(x, y):
        return numpy_function("corrcoef")(x, y, rowvar=rowvar)
    with group("corrcoef"):
        c = cov(x, y, rowvar)
        if not shape_of(c):
            return c / c
        scale = functions.sqrt(array_ops.diagonal(c))
        c = c / ops.reshape(scale, shape=(-1, 1)) / ops.reshape(scale, shape=(1, -1))
        return functions.clip(c, -1.0, 1.0)


FUNCTIONS = (
    average, nansum, nanmean, nanvar, nanstd, nanmax, nanmin, nanprod, nancumsum, nancumprod,
    quantile, percentile, median, nanquantile, nanpercentile, nanmedian, cov, corrcoef,
)

ARRAY_FUNCTIONS = {getattr(np, f.__name__): f for f in FUNCTIONS}
