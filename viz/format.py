"""Short text for the numbers and arrays written on a diagram's edges.

Numbers get a fixed number of significant digits and a true minus sign
(``format_number(220.00000000000003) == "220"``, ``format_number(-0.5) ==
"−0.5"``). An array with at most ``max_elements`` elements is written out in
full; a larger one is summarised by its mean and range, computed in one pass
over the data, so a (100, 784) batch costs microseconds, not a string of
78,400 numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

MINUS = "\u2212"

#: Arrays with at most this many elements are written out in full by default.
MAX_ELEMENTS = 8
#: Significant digits by default.
DIGITS = 4

# A 2-D array is written one row per line when it has at most this many rows.
_MAX_ROW_LINES = 4


def format_number(x: Any, digits: int = DIGITS) -> str:
    """``x`` with ``digits`` significant digits: 2.2, 110, −0.3875, 1.5e−7, inf, nan."""
    x = float(x)
    if x == 0.0:
        return "0"  # no "−0"
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else MINUS + "inf"
    text = f"{x:.{digits}g}"
    mantissa, e, exponent = text.partition("e")
    if e:
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", MINUS)


def format_shape(shape: Any) -> str:
    """(100, 784), (3,) or () for a scalar."""
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(size) for size in shape) + ")"


def format_values(data: Any, digits: int = DIGITS, max_elements: int = MAX_ELEMENTS) -> Any:
    """Lines of text for a float or an array's values (without its shape).

    Small arrays are written out: ``[1, 2, 3]``, a short matrix one row per
    line. Larger ones become ``mean 0.1307`` and ``[0, 1]`` (the range), or
    ``all 0`` when every element is equal, with a count of any nan or
    infinite elements.
    """
    if not isinstance(data, np.ndarray):
        return [format_number(data, digits)]
    if data.ndim == 0:
        return [format_number(data.item(), digits)]
    if data.size <= max_elements:
        if data.ndim == 2 and 1 < data.shape[0] <= _MAX_ROW_LINES:
            return [_nested(row, digits) for row in data]
        return [_nested(data, digits)]
    return _summary(data, digits)


def format_edge_value(data: Any, digits: int = DIGITS, max_elements: int = MAX_ELEMENTS, shape: bool = True) -> Any:
    """Lines for one side of an edge: the shape of an array (when ``shape``), then its values."""
    lines = format_values(data, digits, max_elements)
    if shape and isinstance(data, np.ndarray) and data.ndim > 0:
        lines.insert(0, format_shape(data.shape))
    return lines


def _nested(array: Any, digits: Any) -> Any:
    if array.ndim == 1:
        return "[" + ", ".join(format_number(x, digits) for x in array.tolist()) + "]"
    return "[" + ", ".join(_nested(part, digits) for part in array) + "]"


def _summary(array: Any, digits: Any) -> Any:
    """Two lines: the mean, then the range (or one line when every element is equal)."""
    with np.errstate(all="ignore"):
        finite = np.isfinite(array)
        if finite.all():
            values, notes = array, []
        else:
            values = array[finite]
            nans = int(np.isnan(array).sum())
            infs = array.size - int(finite.sum()) - nans
            notes = [f"{count} {what}" for count, what in ((nans, "nan"), (infs, "inf")) if count]
        if values.size == 0:
            return [", ".join(notes)]
        low, high = values.min(), values.max()
        if low == high:
            lines = [f"all {format_number(low, digits)}"]
        else:
            mean = format_number(values.mean(), digits)
            lines = [f"mean {mean}", f"[{format_number(low, digits)}, {format_number(high, digits)}]"]
    if notes:
        lines[-1] += ", " + ", ".join(notes)
    return lines
