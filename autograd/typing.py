"""Names for the types that the public API's hints use.

Hints only: nothing here runs in an operation. ``Operand`` is what an
operation takes: a node, a plain number or a NumPy array (a list is
refused). An operation on nodes returns a node and on plain data plain
data, and the hints say which: the operators and methods of ``Value`` and
``Tensor``, a primitive (``autograd.exp``, …) given a Tensor, and the array
functions (``autograd.concatenate``, ``autograd.linalg.solve``, …) given a
node return a Tensor (a Value where the function keeps Values, as ``clip``);
given ``PlainData`` or ``PlainArrayLike`` they return an ndarray where NumPy
always does, and ``Any`` where it gives a scalar or an array by shape (a
reduction, ``take``, ``det``). mypy answers ``Any`` as well for an array
whose type holds ``Any`` passed where any array-like is taken, as it then
matches two overloads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from .node import Node, Tensor, Value

__all__ = [
    "Array", "ArrayLike", "ArrayOperand", "Axis", "Checksum", "Data", "NodeOrData", "Operand", "PlainArrayLike",
    "PlainData", "Scalar", "Shape",
]

Scalar = Union[float, "np.number[Any]", "np.bool_"]
"""A plain number: a Python int or float, or a NumPy scalar."""

Operand = Union["Node", "Value", "Tensor", Scalar, "NDArray[Any]"]
"""What an operation takes: a Value, a Tensor, a plain number or a NumPy array."""

PlainData = Union[Scalar, "NDArray[Any]"]
"""An operand that is no node: a plain number or a NumPy array (an operation on it gives plain data)."""

PlainArrayLike = Union[Scalar, "NDArray[Any]", Sequence[Scalar], Sequence[Sequence[Scalar]], Sequence["NDArray[Any]"]]
"""Array-like data with no node in it: a number, an array, or a (nested) list of numbers or of arrays."""

ArrayOperand = Union["Node", ArrayLike, Sequence[Any]]
"""What NumPy's array functions take on nodes too: a node, array-like data, or a list holding nodes."""

NodeOrData = Union["Node", "Value", "Tensor", float, "NDArray[Any]"]
"""A node, a float or an array: what an operation that needs unary minus on its argument takes."""

Data = Union[float, "NDArray[Any]"]
"""A node's data: a float (Value) or an array (Tensor)."""

Array = NDArray[Any]
"""A NumPy array (a Tensor's ``.data``)."""

Checksum = Union[bytes, tuple[int, bytes]]
"""What ``engine.checksum`` keeps of an array: its bytes, or two sums of a large float array."""

Axis = Union[int, Sequence[int], None]
"""An axis argument: an int, a sequence of ints, or None for all axes."""

Shape = Union[int, Sequence[int]]
"""A shape: an int or a sequence of ints."""
