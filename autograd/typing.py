"""Names for the types that the public API's hints use.

Hints only: nothing here runs in an operation. ``Operand`` is what an
operation takes (a node, a plain number or anything NumPy makes an array
of); an operation on nodes returns a node, on plain data plain data, which
the hints of the functions that take either say as ``Any``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from .node import Node, Tensor, Value

__all__ = ["Array", "ArrayLike", "Axis", "Data", "NodeOrArray", "NodeOrData", "Operand", "Scalar", "Shape"]

Operand = Union["Value", "Tensor", ArrayLike]
"""An operand: a Value, a Tensor, a number or anything ``np.asarray`` accepts."""

NodeOrArray = Union["Node", ArrayLike]
"""A node or plain data, as given to a function that does not record."""

Array = NDArray[Any]
"""A NumPy array (a Tensor's ``.data``)."""

Axis = Union[int, Sequence[int], None]
"""An axis argument: an int, a sequence of ints, or None for all axes."""

Shape = Union[int, Sequence[int]]
"""A shape: an int or a sequence of ints."""

Scalar = Union[float, np.floating[Any], np.integer[Any]]

Data = Union[float, NDArray[Any]]
"""A node's data: a float (Value) or an array (Tensor)."""

NodeOrData = Union["Value", "Tensor", float, NDArray[Any]]
"""A node, a number or an array (where an operation needs arithmetic on its argument)."""
