"""Tests for viz.format: the numbers and arrays written on edges."""

import numpy as np
import pytest

from viz.format import MINUS, format_edge_value, format_number, format_shape, format_values


@pytest.mark.parametrize(
    "value, digits, expected",
    [
        (220.00000000000003, 4, "220"),
        (110.00000000000001, 4, "110"),
        (2.2, 4, "2.2"),
        (1.0, 4, "1"),
        (100, 4, "100"),
        (0.6224593312018546, 4, "0.6225"),
        (0.6224593312018546, 2, "0.62"),
        (-0.3874556190002601, 4, MINUS + "0.3875"),
        (-0.0, 4, "0"),
        (0.0, 4, "0"),
        (1.5e-7, 4, "1.5e" + MINUS + "7"),
        (123456789.0, 4, "1.235e8"),
        (float("inf"), 4, "inf"),
        (float("-inf"), 4, MINUS + "inf"),
        (float("nan"), 4, "nan"),
        (np.float32(0.5), 4, "0.5"),
    ],
)
def test_format_number(value, digits, expected):
    assert format_number(value, digits) == expected


def test_format_shape():
    assert format_shape((100, 784)) == "(100, 784)"
    assert format_shape((3,)) == "(3,)"
    assert format_shape(()) == "()"


def test_small_arrays_are_written_out():
    assert format_values(np.array([1.0, -2.0, 0.5])) == [f"[1, {MINUS}2, 0.5]"]
    assert format_values(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])) == ["[1, 2, 3]", "[4, 5, 6]"]
    # a tall matrix stays on one line instead of eight
    assert format_values(np.arange(8.0).reshape(8, 1)) == ["[[0], [1], [2], [3], [4], [5], [6], [7]]"]
    assert format_values(np.ones((2, 2, 2))) == ["[[[1, 1], [1, 1]], [[1, 1], [1, 1]]]"]
    assert format_values(np.array(2.5)) == ["2.5"]
    assert format_values(np.zeros((0, 3))) == ["[]"]
    assert format_values(3.14159, digits=3) == ["3.14"]


def test_the_element_limit_is_inclusive_and_configurable():
    assert format_values(np.arange(8.0)) == ["[0, 1, 2, 3, 4, 5, 6, 7]"]
    assert format_values(np.arange(9.0)) == ["mean 4", "[0, 8]"]
    assert format_values(np.arange(9.0), max_elements=9) == ["[0, 1, 2, 3, 4, 5, 6, 7, 8]"]
    assert format_values(np.arange(3.0), max_elements=2) == ["mean 1", "[0, 2]"]


def test_large_arrays_are_summarised():
    data = np.linspace(-1.0, 3.0, 100 * 784).reshape(100, 784)
    assert format_values(data) == ["mean 1", f"[{MINUS}1, 3]"]
    assert format_values(np.zeros((784, 50))) == ["all 0"]
    with_bad = np.arange(20.0)
    with_bad[[3, 4]] = np.nan
    with_bad[5] = np.inf
    mean = format_number(np.delete(np.arange(20.0), [3, 4, 5]).mean())
    assert format_values(with_bad) == [f"mean {mean}", "[0, 19], 2 nan, 1 inf"]
    assert format_values(np.full(10, np.nan)) == ["10 nan"]


def test_edge_values_start_with_the_shape_of_an_array():
    assert format_edge_value(np.array([1.0, 2.0, 3.0])) == ["(3,)", "[1, 2, 3]"]
    assert format_edge_value(np.zeros((100, 784))) == ["(100, 784)", "all 0"]
    assert format_edge_value(np.array(2.0)) == ["2"]  # a 0-d array is a number
    assert format_edge_value(2.0) == ["2"]
    assert format_edge_value(np.array([1.0, 2.0]), shape=False) == ["[1, 2]"]
