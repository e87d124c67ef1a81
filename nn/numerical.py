"""Numerical differentiation: the textbook's simple, hard-to-get-wrong oracle.

``numerical_gradient(f, x)`` estimates ∂f/∂x element by element with central
differences, (f(x + h) − f(x − h)) / 2h, nudging ``x`` in place and putting
every element back. ``gradient_check(network, x, t)`` compares it with the
network's backprop gradient, as the textbook does on three MNIST images.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd.edits import forward_only

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray


__all__ = ["numerical_gradient", "gradient_check"]


def numerical_gradient(f: Callable[..., Any], x: Any, h: float = 1e-4) -> NDArray[Any]:
    """∂f/∂x by central differences: (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for every element i.

    The denominator is the step x's dtype really took (in float32, 1000 + 10⁻⁴
    is 1000.0001220703125), so float32 and float16 arrays get the right
    quotient; a step lost to rounding altogether is a ValueError.

    ``f`` is called as ``f(x)`` and must return a number; ``x`` must be a
    float array, which is modified in place during the call and restored
    exactly afterwards (also when ``f`` raises). Costs 2·x.size calls of f.

    ``f`` runs inside ``autograd.edits.forward_only()``: the textbook
    protocol's layers keep no in-place guard for these loss-only calls, so
    a ``backward(dout)`` after one of them (inside ``f`` or later) raises
    until ``forward`` runs again outside.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(
            f"numerical_gradient: x must be a float NumPy array (it is nudged in place), got "
            f"{type(x).__name__}{'' if not isinstance(x, np.ndarray) else ' of dtype ' + str(x.dtype)}"
        )
    if not x.flags.writeable:
        raise ValueError("numerical_gradient: x is read-only; it must be nudged in place")
    grad = np.zeros(x.shape, dtype=np.float64)
    with forward_only():  # nn's layers keep no in-place guard for these loss-only calls
        _difference_quotients(f, x, h, grad)
    return grad


def _difference_quotients(f: Callable[..., Any], x: Any, h: float, grad: NDArray[Any]) -> None:
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            above = float(x[index])  # x ± h as x's dtype holds it: in float32 or float16, not x ± h exactly
            up = float(f(x))
            x[index] = original - h
            below = float(x[index])
            down = float(f(x))
        finally:
            x[index] = original
        if above == below:
            raise ValueError(
                f"numerical_gradient: x{list(index)} = {original} does not change when nudged by h = {h} in "
                f"{x.dtype}, so the difference quotient would be 0/0; use a float64 x (x.astype(np.float64)) "
                "or a larger h"
            )
        grad[index] = (up - down) / (above - below)  # the step x's dtype really took


def gradient_check(network: Any, x: Any, t: ArrayLike) -> Any:
    """Mean |backprop − numerical| per parameter, e.g. {'W1': 5.7e-10, 'b1': …}.

    Uses ``network.gradient(x, t)`` and ``network.numerical_gradient(x, t)``
    (the textbook's pair), so keep the batch small: the numerical side calls
    the loss twice per parameter element.
    """
    backprop = network.gradient(x, t)
    numerical = network.numerical_gradient(x, t)
    return {key: float(np.mean(np.abs(backprop[key] - numerical[key]))) for key in backprop}
