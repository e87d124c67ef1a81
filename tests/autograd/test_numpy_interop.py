"""NumPy's functions on nodes: ufuncs and array functions that are primitives record."""

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value

rng = np.random.default_rng(3)

UFUNCS = {  # NumPy ufunc -> the autograd function it must record as
    "add": (np.add, autograd.add), "subtract": (np.subtract, autograd.sub),
    "multiply": (np.multiply, autograd.mul), "divide": (np.divide, autograd.div),
    "power": (np.power, autograd.pow), "matmul": (np.matmul, autograd.dot),
}
UNARY = {"exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tanh": np.tanh, "neg": np.negative,
         "abs": np.abs}


def grads_of(build, *arrays):
    nodes = [Tensor(a.copy()) for a in arrays]
    out = build(*nodes)
    out.sum().backward()
    return out, [n.grad for n in nodes]


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ufuncs_record_the_primitive(name):
    data = rng.uniform(0.5, 2.0, size=(3, 2))
    via_numpy, numpy_grads = grads_of(UNARY[name], data)
    via_autograd, autograd_grads = grads_of(getattr(autograd, name), data)
    assert via_numpy.op == name
    np.testing.assert_array_equal(via_numpy.data, via_autograd.data)
    np.testing.assert_array_equal(numpy_grads[0], autograd_grads[0])


@pytest.mark.parametrize("name", sorted(UFUNCS))
def test_binary_ufuncs_record_with_an_array_on_either_side(name):
    ufunc, function = UFUNCS[name]
    a, b = rng.uniform(0.5, 2.0, size=(2, 2)), rng.uniform(0.5, 2.0, size=(2, 2))
    expected_op = "dot" if name == "matmul" else function.name
    for left_is_array in (True, False):
        node = Tensor(b.copy() if left_is_array else a.copy())
        out = ufunc(a, node) if left_is_array else ufunc(node, b)
        assert out.op == expected_op
        out.sum().backward()
        reference = Tensor(node.data.copy())
        (function(a, reference) if left_is_array else function(reference, b)).sum().backward()
        np.testing.assert_allclose(node.grad, reference.grad, rtol=1e-15)


def test_operators_with_arrays_and_numpy_scalars_still_record():
    t = Tensor([1.0, 2.0])
    out = np.array([3.0, 4.0]) * t
    assert out.op == "mul"
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [3.0, 4.0])
    v = Value(3.0)
    w = np.float64(2.0) * v
    assert isinstance(w, Value) and w.op == "mul" and w.data == 6.0
    assert np.exp(v).data == pytest.approx(np.e ** 3)


def test_array_functions_record_like_the_methods():
    x, W = rng.standard_normal((4, 3)), Tensor(rng.standard_normal((3, 2)))
    loss = np.sum(np.mean(np.tanh(np.dot(x, W)), axis=0) * np.max(np.reshape(np.transpose(W), (6,))))
    assert loss.op == "sum"
    loss.backward()
    reference = Tensor(W.data.copy())
    (autograd.tanh(x @ reference).mean(axis=0) * reference.T.reshape(6).max()).sum().backward()
    np.testing.assert_allclose(W.grad, reference.grad, rtol=1e-14)
    wide = np.broadcast_to(Tensor([1.0, 2.0]), (3, 2))
    assert wide.op == "broadcast_to" and wide.shape == (3, 2)
    t = Tensor([3.0, -1.0, 0.5])
    (np.min(t) + np.clip(t, 0.0, 1.0).sum()).backward()
    np.testing.assert_array_equal(t.grad, [0.0, 1.0, 1.0])


def test_functions_without_a_gradient_see_the_plain_data():
    t = Tensor(np.array([[0.0, 5.0, -1.0], [2.0, np.nan, 1.0]]))
    assert np.shape(t) == (2, 3) and np.ndim(t) == 2 and np.size(t) == 6
    assert np.argmax(t[0]) == 1 and np.argmin(t[0]) == 2 and np.count_nonzero(t) == 5
    np.testing.assert_array_equal(np.isnan(t), np.isnan(t.data))
    np.testing.assert_array_equal(np.isfinite(t), np.isfinite(t.data))
    assert np.allclose(t, t.data, equal_nan=True) and np.array_equal(t, t.data, equal_nan=True)
    assert np.result_type(t) == np.float64 and not np.iscomplexobj(t)
    for name in ("shape", "argmax", "allclose", "nonzero"):
        assert getattr(np, name) in autograd.numpy_dispatch.NO_GRADIENT_FUNCTIONS


@pytest.mark.parametrize("call, named", [
    (lambda t: np.gradient(t), "np.gradient"),
    (lambda t: np.histogram(t), "np.histogram"),
    (lambda t: np.ediff1d(t), "np.ediff1d"),
    (lambda t: np.unique(t), "np.unique"),
    (lambda t: np.polyfit(t, t, 1), "np.polyfit"),
    (lambda t: np.interp(1.5, t, t), "np.interp"),
    (lambda t: np.cumulative_sum(t), "np.cumulative_sum"),
    (lambda t: np.polyval(t, 2.0), "np.polyval"),
])
def test_numpy_functions_that_would_drop_the_gradient_are_refused(call, named):
    with pytest.raises(TypeError, match=rf"{named} does not record on Tensor nodes.*no gradient.*t\.data"):
        call(Tensor([1.0, -1.0]))


@pytest.mark.parametrize("call, named, hint", [
    (lambda t: np.spacing(t), "np.spacing is not supported on Tensor nodes", "x.data"),
    (lambda t: np.add(t, 1.0, out=np.zeros(2)), "np.add with out= is not supported", "returned node"),
    (lambda t: np.add.reduce(t), "np.add.reduce is not supported", "autograd.sum"),
    (lambda t: np.multiply.accumulate(t), "np.multiply.accumulate is not supported", "autograd.cumprod"),
    (lambda t: np.sum(t, dtype=np.float32), "np.sum: the argument dtype= is not supported", "astype"),
    (lambda t: np.mean(t, where=np.array([True, False])), "np.mean: the argument where= is not supported", "mask"),
    (lambda t: np.sum(t, out=np.zeros(())), "np.sum: the argument out= is not supported", "returned node"),
])
def test_ufuncs_and_arguments_without_a_recorded_form_are_refused_clearly(call, named, hint):
    with pytest.raises(TypeError, match=named) as error:
        call(Tensor([1.0, -1.0]))
    assert hint in str(error.value)


def test_numpy_keywords_and_positional_arguments_reach_the_recorded_function():
    t = Tensor([3.0, -1.0, 0.5])
    out = np.clip(t, a_min=0.0, a_max=1.0)
    assert out.op == "clip"
    np.testing.assert_array_equal(out.data, [1.0, 0.0, 0.5])
    np.testing.assert_array_equal(np.clip(t, min=0.0, max=1.0).data, out.data)
    m = Tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(np.sum(m, 0, None, None, True).data, [[3.0, 5.0, 7.0]])
    np.testing.assert_allclose(np.var(m, axis=1, ddof=1).data, np.var(m.data, axis=1, ddof=1))
    np.testing.assert_allclose(np.std(m, correction=1).data, np.std(m.data, ddof=1))
    assert np.reshape(m, (3, 2)).shape == (3, 2) and np.max(m, axis=(0, 1)).data == 5.0


def test_register_adds_a_recorded_counterpart():
    from autograd import numpy_dispatch

    def doubled(x):
        return x * 2.0

    numpy_dispatch.register(np.unwrap, doubled)
    try:
        t = Tensor([1.5])
        out = np.unwrap(t)
        assert out.op == "mul"
        out.backward(np.ones(1))
        assert t.grad[0] == 2.0
    finally:
        del numpy_dispatch.ARRAY_FUNCTIONS[np.unwrap]
    with pytest.raises(TypeError, match="expected a NumPy function or ufunc"):
        numpy_dispatch.register("np.unwrap", doubled)


def test_arrays_and_nodes_compare_by_identity_as_nodes_do():
    t, a = Tensor([1.0, 2.0]), np.array([1.0, 2.0])
    assert (a == t) is False and (a != t) is True
    assert t in [a, t] and [a, t].index(t) == 1


def test_orderings_compare_the_data_and_record_nothing():
    a, b = Value(1.0), Value(2.0)
    assert (a < b) is True and (a >= b) is False and (3 > a) is True and (a <= 1) is True
    assert max(a, b) is b and sorted([b, a]) == [a, b]
    top = max(a * 2, b * 3)  # the builtin picks a node; the gradient flows through it alone
    top.backward()
    assert a.grad is None and b.grad == 3.0
    t = Tensor([1.0, -2.0])
    for mask in (t > 0, np.zeros(2) < t, 0 < t, t >= Tensor([1.0, 1.0])):
        assert type(mask) is np.ndarray and mask.dtype == bool
        np.testing.assert_array_equal(mask, [True, False])
