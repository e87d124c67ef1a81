"""Raw math on the two kinds of data: Python floats (Value) and NumPy arrays (Tensor).

Each function takes either kind and answers in the same kind, so a
primitive's forward is written once for both. On floats they follow IEEE 754
the way NumPy does: where Python's ``math`` would raise (``log(0)``,
``exp(1000)``, ``1 / 0``, a negative base to a fractional power) they return
``-inf``, ``inf`` or ``nan`` and emit NumPy's usual ``RuntimeWarning``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .typing import Data

_ARITHMETIC_ERRORS = (OverflowError, ValueError, ZeroDivisionError)


def _unary(math_fn: Callable[[float], float], numpy_fn: Callable[..., Any]) -> Callable[[Data], Data]:
    """``math_fn`` on floats (NumPy's answer where it would raise), ``numpy_fn`` on arrays."""

    def fn(x: Data) -> Data:
        if x.__class__ is float:
            try:
                return math_fn(x)
            except _ARITHMETIC_ERRORS:
                return float(numpy_fn(np.float64(x)))
        return numpy_fn(x)

    fn.__name__ = numpy_fn.__name__
    return fn


exp = _unary(math.exp, np.exp)
log = _unary(math.log, np.log)
sin = _unary(math.sin, np.sin)
cos = _unary(math.cos, np.cos)
tanh = _unary(math.tanh, np.tanh)


def div(x: Data, y: Data) -> Data:
    try:
        return x / y
    except ZeroDivisionError:
        return float(np.divide(np.float64(x), y))


def pow(x: Data, y: Data) -> Data:
    if x.__class__ is float and y.__class__ is float:
        try:
            result = x ** y
        except _ARITHMETIC_ERRORS:
            return float(np.power(np.float64(x), y))
        if result.__class__ is complex:  # a negative base to a fractional power
            return float(np.power(np.float64(x), y))
        return result
    return np.power(x, y)


def sigmoid(x: Data) -> Data:
    """1 / (1 + e^−x) without overflow: only e^−|x| ≤ 1 is ever computed."""
    if x.__class__ is float:
        if x >= 0.0:
            return 1.0 / (1.0 + math.exp(-x))
        z: Data = math.exp(x)  # nan falls through to here and stays nan
        return z / (1.0 + z)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def relu(x: Data) -> Data:
    if x.__class__ is float:
        return x if x > 0.0 or x != x else 0.0  # nan stays nan, as np.maximum(nan, 0)
    return np.maximum(x, 0.0)


def abs(x: Data) -> Data:
    return math.fabs(x) if x.__class__ is float else np.abs(x)


def clip(x: Data, low: float | None, high: float | None) -> Data:
    """x limited to [low, high]; either bound may be None (no limit on that side)."""
    if x.__class__ is float:
        if low is not None and x < low:
            return float(low)
        if high is not None and x > high:
            return float(high)
        return x
    return np.clip(x, low, high)


# NumPy's other ufuncs, on floats through ``math`` where it has them.

tan = _unary(math.tan, np.tan)
sinh = _unary(math.sinh, np.sinh)
cosh = _unary(math.cosh, np.cosh)
arcsin = _unary(math.asin, np.arcsin)
arccos = _unary(math.acos, np.arccos)
arctan = _unary(math.atan, np.arctan)
arcsinh = _unary(math.asinh, np.arcsinh)
arccosh = _unary(math.acosh, np.arccosh)
arctanh = _unary(math.atanh, np.arctanh)
expm1 = _unary(math.expm1, np.expm1)
log2 = _unary(math.log2, np.log2)
log10 = _unary(math.log10, np.log10)
log1p = _unary(math.log1p, np.log1p)
fabs = _unary(math.fabs, np.fabs)


def numpy_on_floats(numpy_fn: Callable[..., Any]) -> Callable[..., Any]:
    """``numpy_fn``, answering a float when every argument is a float (NumPy's IEEE results and warnings)."""

    def fn(*args: Any) -> Any:
        if all(a.__class__ is float for a in args):
            return float(numpy_fn(*(np.float64(a) for a in args)))
        return numpy_fn(*args)

    fn.__name__ = numpy_fn.__name__
    return fn
