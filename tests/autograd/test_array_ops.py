"""NumPy's shape, joining, splitting and selection functions on nodes.

Each case of the table is run three ways: autograd's function on plain data
must equal NumPy's; ``np.f`` on Tensors must record the same values; and the
first and second derivatives of a smooth readout of ``np.f`` must match
central differences of NumPy's own function.
"""

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, Value
from autograd.testing import assert_grads_match_numeric

rng = np.random.default_rng(7)


def data(*shape):
    return rng.normal(size=shape)


def readout(out):
    """A smooth scalar of an array or a list of arrays, with a different weight per element."""
    if isinstance(out, (list, tuple)):
        return sum(readout(piece) for piece in out)
    weights = 1.0 + 0.1 * np.arange(np.size(out)).reshape(np.shape(out))
    return np.sum(np.sin(out) * weights)


A23, B23, C43 = data(2, 3), data(2, 3), data(4, 3)
A234, V4 = data(2, 3, 4), data(4)
SQUARE = data(3, 3)
DISTINCT = rng.permutation(12).reshape(3, 4) * 0.3 - 1.0  # no ties for sort and partition

# (id, call(module, *inputs), inputs): module is numpy or autograd.
CASES = [
    ("concatenate", lambda m, x, y: m.concatenate([x, y], axis=0), (A23, C43)),
    ("concatenate-axis1", lambda m, x, y: m.concatenate([x, y], axis=-1), (A23, B23)),
    ("concatenate-axisNone", lambda m, x, y: m.concatenate([x, y], axis=None), (A23, V4)),
    ("stack", lambda m, x, y: m.stack([x, y]), (A23, B23)),
    ("stack-axis-1", lambda m, x, y: m.stack([x, y], axis=-1), (A23, B23)),
    ("hstack", lambda m, x, y: m.hstack([x, y]), (A23, B23)),
    ("hstack-1d", lambda m, x, y: m.hstack([x, y]), (V4, V4[:2])),
    ("vstack", lambda m, x, y: m.vstack([x, y]), (V4[:3], A23)),
    ("dstack", lambda m, x, y: m.dstack([x, y]), (A23, B23)),
    ("column_stack", lambda m, x, y: m.column_stack([x, y]), (V4[:2], A23)),
    ("split", lambda m, x: m.split(x, 2, axis=1), (data(2, 4),)),
    ("split-indices", lambda m, x: m.split(x, [1, 3], axis=-1), (data(2, 4),)),
    ("array_split", lambda m, x: m.array_split(x, 3, axis=1), (data(2, 4),)),
    ("hsplit", lambda m, x: m.hsplit(x, 2), (data(2, 4),)),
    ("vsplit", lambda m, x: m.vsplit(x, [1]), (data(3, 2),)),
    ("dsplit", lambda m, x: m.dsplit(x, 2), (data(1, 2, 4),)),
    ("squeeze", lambda m, x: m.squeeze(x), (data(1, 3, 1),)),
    ("squeeze-axis", lambda m, x: m.squeeze(x, axis=0), (data(1, 3, 1),)),
    ("expand_dims", lambda m, x: m.expand_dims(x, 1), (A23,)),
    ("expand_dims-tuple", lambda m, x: m.expand_dims(x, (0, -1)), (A23,)),
    ("ravel", lambda m, x: m.ravel(x), (A234,)),
    ("moveaxis", lambda m, x: m.moveaxis(x, 0, -1), (A234,)),
    ("moveaxis-many", lambda m, x: m.moveaxis(x, (0, 1), (2, 0)), (A234,)),
    ("swapaxes", lambda m, x: m.swapaxes(x, 0, 2), (A234,)),
    ("rollaxis", lambda m, x: m.rollaxis(x, 2, 0), (A234,)),
    ("atleast_1d", lambda m, x: m.atleast_1d(x), (np.array(0.5),)),
    ("atleast_2d", lambda m, x: m.atleast_2d(x), (V4,)),
    ("atleast_3d", lambda m, x: m.atleast_3d(x), (A23,)),
    ("repeat", lambda m, x: m.repeat(x, 2, axis=1), (A23,)),
    ("repeat-flat", lambda m, x: m.repeat(x, [1, 0, 2, 1, 1, 3]), (A23,)),
    ("tile", lambda m, x: m.tile(x, (2, 1, 2)), (A23,)),
    ("pad-constant", lambda m, x: m.pad(x, ((1, 0), (2, 1)), constant_values=0.5), (A23,)),
    ("pad-edge", lambda m, x: m.pad(x, 2, mode="edge"), (A23,)),
    ("pad-reflect", lambda m, x: m.pad(x, (1, 2), mode="reflect"), (A23,)),
    ("pad-symmetric", lambda m, x: m.pad(x, ((0, 0), (3, 1)), mode="symmetric"), (A23,)),
    ("pad-wrap", lambda m, x: m.pad(x, 1, mode="wrap"), (A23,)),
    ("roll", lambda m, x: m.roll(x, 2, axis=1), (A23,)),
    ("roll-flat", lambda m, x: m.roll(x, -4), (A23,)),
    ("roll-axes", lambda m, x: m.roll(x, (1, -1), axis=(0, 2)), (A234,)),
    ("flip", lambda m, x: m.flip(x), (A23,)),
    ("flip-axis", lambda m, x: m.flip(x, axis=(0, 2)), (A234,)),
    ("fliplr", lambda m, x: m.fliplr(x), (A23,)),
    ("flipud", lambda m, x: m.flipud(x), (A23,)),
    ("rot90", lambda m, x: m.rot90(x), (A23,)),
    ("rot90-k2", lambda m, x: m.rot90(x, 2), (A23,)),
    ("rot90-k3-axes", lambda m, x: m.rot90(x, -1, axes=(2, 0)), (A234,)),
    ("diff", lambda m, x: m.diff(x), (A234,)),
    ("diff-n2-axis0", lambda m, x: m.diff(x, n=2, axis=0, prepend=0.5), (A23,)),
    ("diff-append", lambda m, x, y: m.diff(x, axis=0, append=y), (A23, V4[:3].reshape(1, 3))),
    ("tril", lambda m, x: m.tril(x), (SQUARE,)),
    ("tril-k", lambda m, x: m.tril(x, -1), (A234,)),
    ("triu", lambda m, x: m.triu(x, 1), (A23,)),
    ("diag-matrix", lambda m, x: m.diag(x), (SQUARE,)),
    ("diag-offset", lambda m, x: m.diag(x, -1), (A23,)),
    ("diag-vector", lambda m, x: m.diag(x, 1), (V4[:3],)),
    ("diagonal", lambda m, x: m.diagonal(x, 1, 0, 2), (A234,)),
    ("trace", lambda m, x: m.trace(x), (SQUARE,)),
    ("trace-3d", lambda m, x: m.trace(x, -1, 2, 1), (A234,)),
    ("sort", lambda m, x: m.sort(x), (DISTINCT,)),
    ("sort-axis0", lambda m, x: m.sort(x, axis=0), (DISTINCT,)),
    ("sort-flat", lambda m, x: m.sort(x, axis=None), (DISTINCT,)),
    ("partition", lambda m, x: m.partition(x, 2), (DISTINCT,)),
    ("partition-kths", lambda m, x: m.partition(x, (0, 2), axis=0), (DISTINCT,)),
    ("take", lambda m, x: m.take(x, [4, 0, 4, -1]), (A23,)),
    ("take-axis", lambda m, x: m.take(x, [[2, 0], [1, 1]], axis=1), (A23,)),
    ("take_along_axis", lambda m, x: m.take_along_axis(x, np.array([[0, 2, 2], [1, 0, 1]]), axis=1), (A23,)),
    ("take_along_axis-bc", lambda m, x: m.take_along_axis(x, np.array([[1], [0]]), axis=1), (A23,)),
    ("where", lambda m, x, y: m.where(A23 > 0, x, y), (A23, B23)),
    ("where-broadcast", lambda m, x, y: m.where(A23 > 0, x, y), (V4[:3], data(2, 1))),
    ("select", lambda m, x, y: m.select([A23 > 0.5, A23 < 0], [x, y], default=0.25), (A23, B23)),
]


@pytest.mark.parametrize("call, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_on_plain_data_autograd_gives_what_numpy_gives(call, inputs):
    expected, got = call(np, *inputs), call(ag, *inputs)
    if isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected)
    else:
        expected, got = [expected], [got]
    for e, g in zip(expected, got):
        assert isinstance(g, (np.ndarray, np.generic)) and np.shape(g) == np.shape(e)
        np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize("call, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_numpy_functions_on_tensors_record_numpys_values(call, inputs):
    expected = call(np, *inputs)
    recorded = call(np, *[Tensor(x) for x in inputs])
    pieces = recorded if isinstance(recorded, list) else [recorded]
    for piece, e in zip(pieces, expected if isinstance(expected, list) else [expected]):
        assert isinstance(piece, Tensor) and piece.requires_grad
        np.testing.assert_array_equal(piece.data, e)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("call, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_derivatives_match_central_differences_of_numpy(call, inputs, order):
    assert_grads_match_numeric(lambda *xs: readout(call(np, *xs)), *inputs, order=order)


# -- gradients worked out by hand ----------------------------------------------------


def test_concatenate_sends_each_input_its_slice_of_the_gradient():
    x, y = Tensor(np.zeros((1, 2))), Tensor(np.zeros((2, 2)))
    out = ag.concatenate([x, y])
    out.backward(np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(x.grad, [[0, 1]])
    np.testing.assert_array_equal(y.grad, [[2, 3], [4, 5]])
    assert out.op == "concatenate" and out.inputs == (x, y)


def test_where_passes_the_gradient_to_the_chosen_side_only():
    x, y = Tensor(np.array([1.0, 2.0, 3.0])), Tensor(np.array(10.0))
    out = ag.where(np.array([True, False, True]), x, y)
    out.backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 3.0])
    assert y.grad == 2.0 and y.grad.shape == ()  # summed back to the 0-d input


def test_tril_and_triu_keep_infinities_out_of_the_gradient():
    m = Tensor(np.array([[1.0, np.inf], [2.0, 3.0]]))
    ag.sum(ag.tril(m)).backward()
    np.testing.assert_array_equal(m.grad, [[1.0, 0.0], [1.0, 1.0]])  # no 0·inf = nan


def test_sort_sends_each_gradient_to_the_element_that_landed_there_ties_in_input_order():
    x = Tensor(np.array([1.0, 0.0, 1.0, 1.0]))
    out = ag.sort(x)
    np.testing.assert_array_equal(out.data, [0.0, 1.0, 1.0, 1.0])
    out.backward(np.array([10.0, 20.0, 30.0, 40.0]))
    # a stable sort: the three 1s keep their order, so x[0], x[2], x[3] get 20, 30, 40
    np.testing.assert_array_equal(x.grad, [20.0, 10.0, 30.0, 40.0])


def test_array_of_values_and_tensors_records_a_tensor_that_backpropagates():
    a, b = Value(2.0), Value(3.0)
    t = ag.array([[a, b], [b * a, 1.0]])
    assert isinstance(t, Tensor) and t.shape == (2, 2)
    np.testing.assert_array_equal(t.data, [[2.0, 3.0], [6.0, 1.0]])
    ag.sum(t * t).backward()
    assert a.grad == 2 * 2.0 + 2 * 6.0 * 3.0 and b.grad == 2 * 3.0 + 2 * 6.0 * 2.0
    rows = ag.array([Tensor(np.ones(2)), np.zeros(2)])
    assert rows.shape == (2, 2) and rows.op == "concatenate"
    assert type(ag.array([[1, 2], [3, 4]])) is np.ndarray


def test_split_pieces_backpropagate_into_one_gradient():
    x = Tensor(np.arange(6.0))
    first, second, third = np.split(x, 3)
    (first * 1.0 + second * 2.0 + third * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [1, 1, 2, 2, 3, 3])


def test_methods_on_tensors_record():
    t = Tensor(np.arange(6.0).reshape(1, 2, 3))
    assert t.flatten().shape == (6,) and t.ravel().op == "reshape"
    assert t.squeeze().shape == (2, 3) and t.squeeze(0).shape == (2, 3)
    assert t.swapaxes(0, 2).shape == (3, 2, 1)
    assert t.repeat(2, axis=2).shape == (1, 2, 6)
    assert t[0].diagonal().shape == (2,) and float(t[0].trace().data) == 0.0 + 4.0
    assert t.take([0, 5]).data.tolist() == [0.0, 5.0]
    assert not hasattr(Tensor, "sort")  # ndarray.sort sorts in place; nodes never change: use np.sort(t)


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("call, error, message", [
    (lambda: ag.concatenate([np.ones((2, 3)), Tensor(np.ones((2, 4)))]), ValueError,
     r"concatenate: shapes \(2, 3\) and \(2, 4\) do not match outside axis 0"),
    (lambda: ag.concatenate([np.ones(2), np.ones((2, 1))]), ValueError, r"concatenate: shapes \(2,\) and \(2, 1\)"),
    (lambda: ag.concatenate([Tensor(np.ones(2))], axis=1), ValueError,
     "concatenate: axis 1 is out of bounds for an array of dimension 1"),
    (lambda: ag.concatenate([Tensor(np.array(1.0))]), ValueError, "zero-dimensional"),
    (lambda: ag.concatenate([]), ValueError, "concatenate: need at least one array"),
    (lambda: ag.concatenate(Tensor(np.ones(2))), TypeError, "concatenate: expected a sequence"),
    (lambda: ag.concatenate([Tensor(np.ones(2))], out=np.ones(2)), TypeError, "concatenate: the out= argument"),
    (lambda: ag.stack([Tensor(np.ones(2)), np.ones(3)]), ValueError,
     r"stack: all arrays must have the same shape, got \(2,\) and \(3,\)"),
    (lambda: ag.squeeze(Tensor(np.ones((1, 2))), axis=1), ValueError,
     r"squeeze: cannot remove axis 1 of shape \(1, 2\): its length is 2"),
    (lambda: ag.expand_dims(Tensor(np.ones(2)), 3), ValueError, "expand_dims: axis 3 is out of bounds"),
    (lambda: ag.moveaxis(Tensor(np.ones((2, 3))), 0, (0, 1)), ValueError, "moveaxis: source"),
    (lambda: ag.swapaxes(Tensor(np.ones(2)), 0, 1), ValueError, "swapaxes: axis 1 is out of bounds"),
    (lambda: ag.split(Tensor(np.ones(5)), 2), ValueError,
     r"split: an axis of length 5 \(shape \(5,\)\) does not split into 2 equal parts"),
    (lambda: ag.vsplit(Tensor(np.ones(4)), 2), ValueError, "vsplit: needs at least 2 axes"),
    (lambda: ag.repeat(Tensor(np.ones(3)), [1, 2]), ValueError, "repeat:"),
    (lambda: ag.tile(Tensor(np.ones(3)), -1), ValueError, "tile: reps must be non-negative"),
    (lambda: ag.pad(Tensor(np.ones(3)), 1, mode="mean"), ValueError, "pad: mode 'mean' is not supported"),
    (lambda: ag.pad(Tensor(np.ones(3)), -1), ValueError, "pad: pad_width must hold non-negative integers"),
    (lambda: ag.pad(Tensor(np.ones(3)), 1, constant_values=Value(1.0)), TypeError, "constant_values must be plain"),
    (lambda: ag.pad(Tensor(np.ones(3)), 1, mode="reflect", reflect_type="odd"), ValueError, "reflect_type='odd'"),
    (lambda: ag.tril(Tensor(np.ones(3))), ValueError, r"tril: needs at least 2 axes .* got shape \(3,\)"),
    (lambda: ag.diag(Tensor(np.ones((2, 2, 2)))), ValueError, r"diag: input must be 1-D or 2-D, got shape \(2, 2, 2\)"),
    (lambda: ag.diagonal(Tensor(np.ones((2, 2))), 0, 1, 1), ValueError, "diagonal: axis1 and axis2 cannot be the same"),
    (lambda: ag.take(Tensor(np.ones((2, 3))), [3], axis=1), IndexError,
     r"take: index 3 is out of bounds for an axis of length 3 \(shape \(2, 3\)\)"),
    (lambda: ag.take(Tensor(np.ones(3)), [0.5]), IndexError, "take: indices must be integers"),
    (lambda: ag.take(Tensor(np.ones((2, 2))), [-5]), IndexError, r"take: index -5 is out of bounds for an axis of length 4"),
    (lambda: ag.take_along_axis(Tensor(np.ones((2, 3))), np.array([0, 1]), axis=1), ValueError,
     "take_along_axis: indices of shape"),
    (lambda: ag.sort(Tensor(np.array(1.0))), ValueError, "sort: cannot sort a scalar"),
    (lambda: ag.where(np.array([True, False]), Tensor(np.ones(3)), 0.0), ValueError,
     r"where: the condition of shape \(2,\), x of shape \(3,\) and y of shape \(\) do not broadcast"),
    (lambda: ag.where(np.array([True]), Tensor(np.ones(1))), TypeError, "where: give both x and y"),
    (lambda: ag.select([np.array([True])], [], 0.0), ValueError, "select: 1 conditions but 0 choices"),
    (lambda: ag.concatenate([np.ones(2) + 1j, Tensor(np.ones(2))]), TypeError,
     r"concatenate: complex input \(dtype complex128\) is not supported"),
    (lambda: ag.flip(np.array([1j])), TypeError, "flip: complex input"),
    (lambda: ag.array([Value(1.0), [Value(2.0), 3.0]]), ValueError,
     r"array: the items have different shapes, \(\) and \(2,\)"),
    (lambda: ag.array([Value(1.0), 2j]), TypeError, "array: complex input"),
    (lambda: ag.ravel(np.array(["a"])), TypeError, "ravel: unsupported operand of dtype <U1"),
])
def test_bad_input_is_refused_naming_the_function(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_where_with_only_a_condition_gives_numpys_indices():
    (indices,) = ag.where(Tensor(np.array([0.0, 2.0, 0.0, 1.0])))
    assert indices.tolist() == [1, 3]


# -- properties over random shapes -----------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def pieces_along_an_axis(draw):
    ndim = draw(st.integers(1, 3))
    shape = draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim))
    axis = draw(st.integers(-ndim, ndim - 1))
    lengths = draw(st.lists(st.integers(0, 3), min_size=1, max_size=4))
    pieces = []
    for k, n in enumerate(lengths):
        piece_shape = list(shape)
        piece_shape[axis] = n
        pieces.append(np.arange(np.prod(piece_shape), dtype=float).reshape(piece_shape) + 100 * k)
    return pieces, axis


@given(pieces_along_an_axis())
def test_split_undoes_concatenate_and_each_piece_gets_its_slice_of_the_gradient(case):
    pieces, axis = case
    nodes = [Tensor(p) for p in pieces]
    joined = ag.concatenate(nodes, axis=axis)
    np.testing.assert_array_equal(joined.data, np.concatenate(pieces, axis=axis))
    bounds = np.cumsum([p.shape[axis] for p in pieces])[:-1]
    for back, piece in zip(ag.split(joined, bounds, axis=axis), pieces):
        np.testing.assert_array_equal(back.data, piece)
    G = np.sin(np.arange(joined.data.size, dtype=float)).reshape(joined.shape)
    joined.backward(G)
    for node, expected in zip(nodes, np.split(G, bounds, axis=axis)):
        np.testing.assert_array_equal(node.grad, expected)


@given(st.lists(st.floats(-3, 3), min_size=1, max_size=8), st.integers(-9, 9))
def test_sort_roll_and_flip_move_the_gradient_with_the_elements(values, shift):
    x = np.array(values)
    for function, permutation in [
        (ag.sort, np.argsort(x, kind="stable")),
        (lambda t: ag.roll(t, shift), np.roll(np.arange(x.size), shift)),
        (ag.flip, np.arange(x.size)[::-1]),
    ]:
        t = Tensor(x)
        out = function(t)
        np.testing.assert_array_equal(out.data, x[permutation])
        G = np.arange(1.0, x.size + 1)
        out.backward(G)
        expected = np.zeros(x.size)
        expected[permutation] = G
        np.testing.assert_array_equal(t.grad, expected)


def test_the_vjps_of_a_primitive_with_any_number_of_inputs_are_indexed_not_iterated():
    vjps = ag.PRIMITIVES["concatenate"].vjps
    g = vjps[1](np.arange(5.0), None, np.zeros(2), np.zeros(3), axis=0)
    np.testing.assert_array_equal(g, [2.0, 3.0, 4.0])
    with pytest.raises(TypeError, match="index them by input position"):
        list(vjps)
