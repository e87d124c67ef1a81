"""Every primitive's gradient against central differences and closed forms."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor, Value


def central_difference(f, x, eps=1e-6):
    """d f(x).sum() / dx by central differences, element by element."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = np.sum(f(x))
        x[i] = old - eps
        down = np.sum(f(x))
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def backprop(f, x):
    t = Tensor(x)
    f(t).sum().backward()
    return t.grad


def floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def arrays(low=-3.0, high=3.0, shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=4)):
    return hnp.arrays(np.float64, shape, elements=floats(low, high))


UNARY = {
    "exp": (lambda x: x.exp(), np.exp, (-3.0, 3.0)),
    "log": (lambda x: x.log(), np.log, (0.1, 5.0)),
    "sin": (lambda x: x.sin(), np.sin, (-3.0, 3.0)),
    "cos": (lambda x: x.cos(), np.cos, (-3.0, 3.0)),
    "tanh": (lambda x: x.tanh(), np.tanh, (-3.0, 3.0)),
    "sigmoid": (lambda x: x.sigmoid(), lambda x: 1 / (1 + np.exp(-x)), (-6.0, 6.0)),
    "neg": (lambda x: -x, np.negative, (-3.0, 3.0)),
    "square": (lambda x: x**2, np.square, (-3.0, 3.0)),
    "sqrt": (lambda x: x**0.5, np.sqrt, (0.1, 5.0)),
    "reciprocal": (lambda x: 1 / x, np.reciprocal, (0.2, 5.0)),
    "exp2": (lambda x: 2**x, np.exp2, (-3.0, 3.0)),
    "abs": (lambda x: x.abs(), np.abs, (0.1, 3.0)),
    "abs_of_negatives": (lambda x: abs(x), np.abs, (-3.0, -0.1)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_unary_tensor_ops_match_central_differences(name, data):
    ours, reference, (low, high) = UNARY[name]
    x = data.draw(arrays(low, high))
    np.testing.assert_allclose(ours(Tensor(x)).data, reference(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(backprop(ours, x), central_difference(reference, x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_unary_value_ops_match_the_tensor_ops(name, data):
    ours, _, (low, high) = UNARY[name]
    x = data.draw(floats(low, high))
    v, t = Value(x), Tensor(x)
    value_out, tensor_out = ours(v), ours(t)
    assert isinstance(value_out, Value) and type(value_out.data) is float
    value_out.backward()
    tensor_out.backward()
    assert value_out.data == pytest.approx(float(tensor_out.data), rel=1e-12, abs=1e-300)
    assert v.grad == pytest.approx(float(t.grad), rel=1e-12, abs=1e-12)


def test_relu_passes_the_gradient_where_positive():
    x = Tensor([-2.0, -0.5, 0.5, 3.0])
    x.relu().backward(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 3.0, 4.0])
    v = Value(-1.0)
    v.relu().backward()
    assert v.grad == 0.0


BINARY = {
    "add": (lambda a, b: a + b, (-3.0, 3.0)),
    "sub": (lambda a, b: a - b, (-3.0, 3.0)),
    "mul": (lambda a, b: a * b, (-3.0, 3.0)),
    "div": (lambda a, b: a / b, (0.5, 3.0)),
    "pow": (lambda a, b: a**b, (0.5, 2.0)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_binary_ops_broadcast_and_sum_gradients_back(name, data):
    op, (low, high) = BINARY[name]
    shape_a, shape_b = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)).input_shapes
    a = data.draw(hnp.arrays(np.float64, shape_a, elements=floats(low, high)))
    b = data.draw(hnp.arrays(np.float64, shape_b, elements=floats(low, high)))
    ta, tb = Tensor(a), Tensor(b)
    out = op(ta, tb)
    np.testing.assert_allclose(out.data, op(a, b), rtol=1e-12)
    out.sum().backward()
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape
    np.testing.assert_allclose(ta.grad, central_difference(lambda x: op(x, b), a), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(tb.grad, central_difference(lambda x: op(a, x), b), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_ops_with_plain_numbers_on_either_side(name):
    op, (low, high) = BINARY[name]
    x0, c = (low + high) / 2 + 0.1, 1.5
    for f in (lambda x: op(x, c), lambda x: op(c, x)):
        v = Value(x0)
        f(v).backward()
        numeric = (f(x0 + 1e-6) - f(x0 - 1e-6)) / 2e-6
        assert v.grad == pytest.approx(numeric, rel=1e-6)


def test_pow_closed_forms():
    x, y = Value(2.0), Value(3.0)
    (x**y).backward()
    assert x.grad == pytest.approx(12.0) and y.grad == pytest.approx(8.0 * math.log(2.0))
    z = Value(3.0)
    (z**3).backward()
    assert z.grad == 27.0


@pytest.mark.parametrize(
    "shape_a, shape_b", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((1, 1), (1, 5))]
)
def test_dot_follows_numpy_semantics_for_1d_and_2d(shape_a, shape_b):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    ta, tb = Tensor(a), Tensor(b)
    out = ta @ tb
    np.testing.assert_allclose(out.data, np.dot(a, b))
    assert out.shape == np.dot(a, b).shape
    upstream = rng.normal(size=out.shape)
    out.backward(upstream)
    np.testing.assert_allclose(ta.grad, central_difference(lambda x: np.dot(x, b) * upstream, a), rtol=1e-6)
    np.testing.assert_allclose(tb.grad, central_difference(lambda x: np.dot(a, x) * upstream, b), rtol=1e-6)


def test_matmul_with_plain_arrays_on_either_side():
    w = Tensor(np.eye(2) * 2)
    left = np.array([[1.0, 2.0]]) @ w
    right = w @ np.array([1.0, 1.0])
    assert isinstance(left, Tensor) and isinstance(right, Tensor)
    (left.sum() + right.sum()).backward()
    np.testing.assert_allclose(w.grad, [[2.0, 2.0], [3.0, 3.0]])  # outer([1, 2], 1) + outer(1, 1)


REDUCTIONS = [
    ("sum", None, False), ("sum", 0, False), ("sum", 1, True), ("sum", (0, 1), False), ("sum", -1, False),
    ("mean", None, False), ("mean", 0, True), ("mean", 1, False),
    ("max", None, False), ("max", 0, False), ("max", 1, True),
]


@pytest.mark.parametrize("name, axis, keepdims", REDUCTIONS)
def test_reductions(name, axis, keepdims):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 4))
    reference = getattr(np, name)
    t = Tensor(x)
    out = getattr(autograd, name)(t, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(out.data, reference(x, axis=axis, keepdims=keepdims))
    upstream = rng.normal(size=out.shape)
    out.backward(upstream)
    numeric = central_difference(lambda v: reference(v, axis=axis, keepdims=keepdims) * upstream, x)
    np.testing.assert_allclose(t.grad, numeric, rtol=1e-6, atol=1e-8)


def test_max_splits_the_gradient_evenly_between_tied_maxima_as_torch_amax():
    x = Tensor([[1.0, 5.0, 5.0], [7.0, 2.0, 7.0]])
    x.max(axis=1).backward(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(x.grad, [[0.0, 0.5, 0.5], [1.0, 0.0, 1.0]])
    y = Tensor([3.0, 3.0, 1.0])
    y.max().backward()
    np.testing.assert_array_equal(y.grad, [0.5, 0.5, 0.0])


def test_shape_ops():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 3, 4))
    t = Tensor(x)
    out = t.reshape(6, 4).T.transpose(1, 0).reshape((4, 6)).transpose()
    assert out.shape == (6, 4)
    upstream = rng.normal(size=(6, 4))
    out.backward(upstream)
    np.testing.assert_allclose(t.grad, upstream.T.reshape(2, 3, 4))
    u = Tensor(x)
    u.transpose(2, 0, 1).backward(np.arange(24.0).reshape(4, 2, 3))
    np.testing.assert_array_equal(u.grad, np.arange(24.0).reshape(4, 2, 3).transpose(1, 2, 0))


def test_broadcast_to_sums_back():
    b = Tensor([1.0, 2.0, 3.0])
    b.broadcast_to((4, 3)).backward(np.ones((4, 3)))
    np.testing.assert_array_equal(b.grad, [4.0, 4.0, 4.0])
    c = Tensor([[1.0], [2.0]])
    autograd.broadcast_to(c, (2, 5)).sum().backward()
    np.testing.assert_array_equal(c.grad, [[5.0], [5.0]])


def test_indexing_with_slices_and_integer_arrays():
    x = Tensor(np.arange(12.0).reshape(3, 4))
    picked = x[np.arange(3), np.array([0, 2, 2])]
    np.testing.assert_array_equal(picked.data, [0.0, 6.0, 10.0])
    picked.sum().backward()
    expected = np.zeros((3, 4))
    expected[[0, 1, 2], [0, 2, 2]] = 1.0
    np.testing.assert_array_equal(x.grad, expected)
    y = Tensor(np.arange(5.0))
    (y[1:4] * 2).sum().backward()
    np.testing.assert_array_equal(y.grad, [0.0, 2.0, 2.0, 2.0, 0.0])


def test_repeated_integer_indices_accumulate():
    x = Tensor([1.0, 2.0, 3.0])
    x[np.array([0, 0, 2, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_index_may_be_a_tensor_of_integral_floats():
    x = Tensor([10.0, 20.0, 30.0])
    labels = Tensor([2, 0], requires_grad=False)
    np.testing.assert_array_equal(x[labels].data, [30.0, 10.0])
    with pytest.raises(IndexError, match="integers"):
        x[np.array([0.5])]


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_and_log_softmax_are_stable_and_match_their_compositions(axis):
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(3, 4)) * 3
    logits[0, 0] = 1000.0
    upstream = rng.normal(size=(3, 4))

    fused = Tensor(logits)
    fused.softmax(axis=axis).backward(upstream)
    composed = Tensor(logits)
    shifted = composed - np.max(logits, axis=axis, keepdims=True)
    e = shifted.exp()
    (e / e.sum(axis=axis, keepdims=True)).backward(upstream)
    np.testing.assert_allclose(fused.grad, composed.grad, rtol=1e-9, atol=1e-12)

    fused_log = Tensor(logits)
    fused_log.log_softmax(axis=axis).backward(upstream)
    composed_log = Tensor(logits)
    shifted = composed_log - np.max(logits, axis=axis, keepdims=True)
    (shifted - shifted.exp().sum(axis=axis, keepdims=True).log()).backward(upstream)
    np.testing.assert_allclose(fused_log.grad, composed_log.grad, rtol=1e-9, atol=1e-12)
    assert np.all(np.isfinite(fused_log.grad))


@settings(max_examples=30, deadline=None)
@given(x=arrays(-5.0, 5.0, shape=hnp.array_shapes(min_dims=2, max_dims=2, max_side=4)))
def test_softmax_gradients_match_central_differences(x):
    w = np.arange(x.size, dtype=float).reshape(x.shape)
    for name in ("softmax", "log_softmax"):
        reference = {
            "softmax": lambda v: np.exp(v - v.max(1, keepdims=True)) / np.exp(v - v.max(1, keepdims=True)).sum(1, keepdims=True),
            "log_softmax": lambda v: v - v.max(1, keepdims=True) - np.log(np.exp(v - v.max(1, keepdims=True)).sum(1, keepdims=True)),
        }[name]
        got = backprop(lambda t: getattr(t, name)(axis=1) * w, x)
        np.testing.assert_allclose(got, central_difference(lambda v: reference(v) * w, x), rtol=1e-5, atol=1e-6)


def test_fused_sigmoid_matches_its_composition_on_arrays():
    x = np.linspace(-30, 30, 13)
    fused, composed = Tensor(x), Tensor(x)
    fused.sigmoid().sum().backward()
    (1 / (1 + (-composed).exp())).sum().backward()
    # y(1 − y) needs only y; for large x, 1 − y keeps fewer digits, hence atol
    np.testing.assert_allclose(fused.grad, composed.grad, rtol=1e-9, atol=1e-15)


def test_a_value_in_a_tensor_op_acts_as_a_0d_tensor():
    scale = Value(2.0)
    t = Tensor([1.0, 2.0, 3.0])
    out = t * scale
    assert isinstance(out, Tensor)
    out.sum().backward()
    assert type(scale.grad) is float and scale.grad == 6.0
    np.testing.assert_array_equal(t.grad, [2.0, 2.0, 2.0])


def test_value_with_numpy_array_gives_a_tensor():
    v = Value(3.0)
    out = v * np.array([1.0, 2.0])
    assert isinstance(out, Tensor)
    out.sum().backward()
    assert v.grad == 3.0


def test_functions_accept_values_tensors_and_plain_numbers():
    assert autograd.tanh(0.0) == 0.0
    assert isinstance(autograd.tanh(Value(0.0)), Value)
    assert isinstance(autograd.tanh(Tensor([0.0])), Tensor)
    assert autograd.sum(np.ones((2, 2)), axis=0).tolist() == [2.0, 2.0]
    assert autograd.reshape(Tensor(np.ones(4)), (2, 2)).shape == (2, 2)


def test_repr_is_readable():
    a = Value(2.0, name="a")
    b = a * 3
    b.backward()
    assert repr(a) == "Value(data=2.0, grad=3.0, name='a')"
    assert repr(b) == "Value(data=6.0, grad=1.0, op='mul')"
    assert "shape=(2,)" in repr(Tensor([1.0, 2.0]) * 2)


def test_fused_primitives_are_in_the_namespace_and_take_plain_arrays():
    x, W, b = np.arange(6.0).reshape(2, 3), np.ones((3, 4)), np.arange(4.0)
    out = autograd.affine(x, W, b)
    assert type(out) is np.ndarray
    np.testing.assert_array_equal(out, x @ W + b)
    loss = autograd.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 2]))
    assert float(loss) == pytest.approx(np.log(3.0))
    scores = Tensor(np.zeros((2, 3)))
    autograd.softmax_cross_entropy(scores, np.array([0, 2])).backward()
    np.testing.assert_allclose(scores.grad, [[-1 / 3, 1 / 6, 1 / 6], [1 / 6, 1 / 6, -1 / 3]])


def test_abs_and_clip_closed_forms_including_their_kinks():
    x = Tensor([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
    (x.abs() + 2 * x.clip(-1.0, 1.0) + 4 * x.clip(low=0.0) + 8 * autograd.clip(x, high=-1.0)).sum().backward()
    sign = [-1, -1, -1, 0, 1, 1, 1]  # |x|' = sign x, 0 at 0
    inside = [0, 1, 1, 1, 1, 1, 0]  # clip passes the gradient on [low, high], bounds included
    above_zero = [0, 0, 0, 1, 1, 1, 1]
    below_minus_one = [1, 1, 0, 0, 0, 0, 0]
    expected = np.array(sign) + 2 * np.array(inside) + 4 * np.array(above_zero) + 8 * np.array(below_minus_one)
    np.testing.assert_array_equal(x.grad, expected)
    v = Value(-3.0)
    (v.clip(-1.0, 1.0) + abs(v)).backward()
    assert v.grad == -1.0 and Value(5.0).clip(high=2.0).data == 2.0


def test_clip_refuses_missing_crossed_or_non_numeric_bounds():
    with pytest.raises(ValueError, match="clip: give low, high or both"):
        autograd.clip(Tensor([1.0]))
    with pytest.raises(ValueError, match=r"clip: low \(2.0\) is above high \(1.0\)"):
        Tensor([1.0]).clip(2.0, 1.0)
    with pytest.raises(TypeError, match="clip: bounds must be plain numbers or None, got Tensor"):
        autograd.clip(Tensor([1.0]), Tensor([0.0]))


def test_min_is_minus_the_max_of_minus_x_and_sends_the_gradient_to_the_arg_min():  # ties share it
    t = Tensor([[3.0, 1.0, 1.0], [0.5, 2.0, 4.0]])
    smallest = t.min(axis=1)
    np.testing.assert_array_equal(smallest.data, [1.0, 0.5])
    assert smallest.group.name == "min"
    (smallest * np.array([10.0, 100.0])).sum().backward()
    np.testing.assert_array_equal(t.grad, [[0, 5, 5], [100, 0, 0]])  # ties: shared evenly
    assert float(autograd.min(np.array([3.0, -1.0]))) == -1.0


def test_sqrt_records_a_power_and_matches_its_closed_form():
    x = Value(4.0)
    y = autograd.sqrt(x)
    y.backward()
    assert y.op == "pow" and y.data == 2.0 and x.grad == pytest.approx(0.25)


def test_max_pool2d_splits_a_tied_window_evenly_and_a_single_maximum_takes_all():
    x = Tensor(np.array([[[[1.0, 1.0, 0.0, 5.0], [1.0, 1.0, 2.0, 3.0]]]]))  # windows 2×2: all tied; one maximum
    autograd.max_pool2d(x, 2, 2, stride=2).sum().backward()
    assert np.array_equal(x.grad, [[[[0.25, 0.25, 0.0, 1.0], [0.25, 0.25, 0.0, 0.0]]]])
