"""NumPy's ufuncs and reductions as primitives: derivatives, the three ways in, kinks, ties and nan."""

import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, grad, jvp
from autograd.testing import assert_grads_match_numeric

rng = np.random.default_rng(7)
POINT = np.array([[0.3, -0.7, 1.2], [0.9, -1.4, 0.45]])
PAIRED = np.array([[1.1, 0.4, -0.8], [-0.35, 0.6, 1.3]])

# name -> (inputs at which it is smooth); each is checked as np.name, autograd.name and on Values
UNARY = {
    "tan": POINT * 0.8, "sinh": POINT, "cosh": POINT, "arcsin": POINT * 0.6, "arccos": POINT * 0.6,
    "arctan": POINT, "arcsinh": POINT, "arccosh": np.abs(POINT) + 1.2, "arctanh": POINT * 0.6,
    "exp2": POINT, "expm1": POINT, "log2": np.abs(POINT), "log10": np.abs(POINT), "log1p": POINT * 0.6,
    "square": POINT, "reciprocal": POINT, "fabs": POINT, "deg2rad": POINT, "rad2deg": POINT,
    "sign": POINT, "floor": POINT, "ceil": POINT,
}
BINARY = {
    "arctan2": (POINT, np.abs(PAIRED)), "hypot": (POINT, PAIRED), "logaddexp": (POINT, PAIRED),
    "logaddexp2": (POINT, PAIRED), "maximum": (POINT, PAIRED), "minimum": (POINT, PAIRED),
    "fmax": (POINT, PAIRED), "fmin": (POINT, PAIRED), "remainder": (POINT, PAIRED + 2.3),
}
NUMPY_NAME = {"degrees": "rad2deg", "radians": "deg2rad", "mod": "remainder"}
REDUCTIONS = [  # (function of a Tensor, its NumPy twin)
    (lambda t: autograd.prod(t, axis=1), lambda a: np.prod(a, axis=1)),
    (lambda t: autograd.prod(t), np.prod),
    (lambda t: autograd.var(t, axis=0, ddof=1), lambda a: np.var(a, axis=0, ddof=1)),
    (lambda t: autograd.std(t, axis=(0, 1), keepdims=True), lambda a: np.std(a, axis=(0, 1), keepdims=True)),
    (lambda t: autograd.cumsum(t, axis=1), lambda a: np.cumsum(a, axis=1)),
    (lambda t: autograd.cumsum(t), np.cumsum),
    (lambda t: autograd.cumprod(t, axis=0), lambda a: np.cumprod(a, axis=0)),
    (lambda t: autograd.logsumexp(t, axis=1, keepdims=True),
     lambda a: np.log(np.sum(np.exp(a), axis=1, keepdims=True))),
    (lambda t: autograd.max(t, axis=(0, 1)), lambda a: np.max(a, axis=(0, 1))),
    (lambda t: autograd.min(t, axis=(1, 0), keepdims=True), lambda a: np.min(a, axis=(1, 0), keepdims=True)),
    (lambda t: autograd.ptp(t, axis=0), lambda a: np.ptp(a, axis=0)),
    (lambda t: autograd.sort(t, axis=0), lambda a: np.sort(a, axis=0)),
    (lambda t: np.sort(t, axis=None), lambda a: np.sort(a, axis=None)),
]
WEIGHTS = np.round(1.0 + 0.1 * np.arange(1, 7), 2).reshape(2, 3)


def _weighted(out):
    """Σ w·out with distinct weights per element, so a gradient sent to the wrong element shows."""
    w = np.resize(WEIGHTS.ravel(), np.shape(out.data) if isinstance(out, autograd.Node) else np.shape(out))
    return (out * w).sum() if np.ndim(w) else out * 1.3


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ufuncs_match_central_differences_to_second_order_both_modes(name):
    f = getattr(autograd, name)
    for order in (1, 2):
        assert_grads_match_numeric(lambda x: _weighted(f(x)), UNARY[name], order=order)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_ufuncs_match_central_differences_to_second_order_both_modes(name):
    f = getattr(autograd, name)
    for order in (1, 2):
        assert_grads_match_numeric(lambda x, y: _weighted(f(x, y)), *BINARY[name], order=order)


@pytest.mark.parametrize("index", range(len(REDUCTIONS)))
def test_reductions_match_numpy_and_central_differences_to_second_order_both_modes(index):
    f, reference = REDUCTIONS[index]
    np.testing.assert_allclose(f(Tensor(POINT)).data, reference(POINT), rtol=1e-12)
    for order in (1, 2):
        assert_grads_match_numeric(lambda x: _weighted(f(x)), POINT, order=order)


@pytest.mark.parametrize("name", sorted(UNARY) + sorted(BINARY) + sorted(NUMPY_NAME))
def test_each_ufunc_is_reached_through_numpy_autograd_and_on_values(name):
    numpy_name = NUMPY_NAME.get(name, name)
    ufunc, f = getattr(np, name), getattr(autograd, name)
    inputs = UNARY[numpy_name][:1, :2] if numpy_name in UNARY else tuple(a[:1, :2] for a in BINARY[numpy_name])
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    via_numpy = ufunc(*[Tensor(a) for a in inputs])
    via_autograd = f(*[Tensor(a) for a in inputs])
    assert via_numpy.op == via_autograd.op == numpy_name
    np.testing.assert_array_equal(via_numpy.data, ufunc(*inputs))
    np.testing.assert_array_equal(via_autograd.data, ufunc(*inputs))
    scalars = [Value(float(a.flat[0])) for a in inputs]
    on_values = ufunc(*scalars)
    assert type(on_values) is Value and type(on_values.data) is float
    assert on_values.data == pytest.approx(float(ufunc(*[a.flat[0] for a in inputs])), rel=1e-14)
    on_values.backward()
    tensors = [Tensor(a.flat[:1]) for a in inputs]
    f(*tensors).sum().backward()
    for value, tensor in zip(scalars, tensors):
        assert value.grad == pytest.approx(tensor.grad[0], rel=1e-14, abs=0.0)


def test_reductions_are_tensor_methods_and_numpy_functions():
    t = Tensor(POINT)
    for method in ("prod", "var", "std", "cumsum", "cumprod"):
        via_method, via_numpy = getattr(t, method)(axis=1), getattr(np, method)(t, axis=1)
        assert via_method.op == via_numpy.op == method
        np.testing.assert_allclose(via_method.data, getattr(np, method)(POINT, axis=1), rtol=1e-12)
    assert np.ptp(t).op == "sub" and np.ptp(t).group.name == "ptp"


def test_remainder_is_the_percent_operator_with_numbers_either_side():
    x = Value(5.5)
    out = x % 2.0 + 7.0 % x
    assert out.data == pytest.approx(5.5 % 2.0 + 7.0 % 5.5)
    out.backward()
    assert x.grad == pytest.approx(1.0 - 1.0)  # d/dx (x % 2) = 1; d/dx (7 % x) = −⌊7/x⌋ = −1
    t = Tensor([5.5, -3.0])
    np.testing.assert_array_equal((t % 2.0).data, np.remainder([5.5, -3.0], 2.0))


# -- kinks and ties: the documented subgradients ---------------------------------------


def test_maximum_and_minimum_split_a_tie_half_and_half_as_torch():
    x, y = Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 0.0, 5.0])
    (autograd.maximum(x, y) + 10 * autograd.minimum(x, y)).sum().backward()
    np.testing.assert_array_equal(x.grad, [5.5, 1.0, 10.0])
    np.testing.assert_array_equal(y.grad, [5.5, 10.0, 1.0])


def test_fmax_sends_the_gradient_to_the_number_where_the_other_is_nan():
    x, y = Tensor([np.nan, 1.0]), Tensor([2.0, np.nan])
    out = autograd.fmax(x, y)
    np.testing.assert_array_equal(out.data, [2.0, 1.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0])
    np.testing.assert_array_equal(y.grad, [1.0, 0.0])


def test_full_max_and_min_with_ties_split_the_gradient_evenly_on_values_and_tensors():
    t = Tensor([[2.0, 7.0], [7.0, 7.0]])
    autograd.max(t).backward()
    np.testing.assert_allclose(t.grad, [[0.0, 1 / 3], [1 / 3, 1 / 3]])
    v = Value(3.0)
    for reduce in (np.max, np.min, autograd.max, autograd.min, np.amax):
        v.zero_grad()
        out = reduce(v)
        assert float(out.data) == 3.0
        out.backward()
        assert v.grad == 1.0


def test_sign_floor_and_ceil_have_zero_gradient_everywhere():
    x = Tensor([-1.5, 0.0, 2.0, 2.5])
    (autograd.sign(x) + autograd.floor(x) + autograd.ceil(x)).sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(4))


def test_prod_and_cumprod_with_zeros_are_exact_to_second_order():
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 1.5]])
    gx = grad(lambda x: autograd.prod(x, axis=1).sum())(x)
    np.testing.assert_array_equal(gx, [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0]])
    for order in (1, 2):
        assert_grads_match_numeric(lambda x: _weighted(autograd.prod(x, axis=1)), x, order=order)
        assert_grads_match_numeric(lambda x: _weighted(autograd.cumprod(x, axis=1)), x, order=order)
        assert_grads_match_numeric(lambda x: _weighted(autograd.prod(x, axis=(0, 1))), x[:1], order=order)


# -- the op table's defects, each with its regression -----------------------------------


def test_power_at_zero_follows_torch():
    # d/dy x**y at x = 0 is 0 for y ≥ 0 (it was nan); d/dx is y·0^(y−1): 0 at y = 0, inf in (0, 1), 1 at 1, 0 above
    y = Tensor([0.0, 0.5, 1.0, 2.0])
    x = Tensor(np.zeros(4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        (x ** y).sum().backward()
    np.testing.assert_array_equal(y.grad, [0.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(x.grad, [0.0, np.inf, 1.0, 0.0])
    for exponent, base_grad in ((0.0, 0.0), (1.0, 1.0), (2.0, 0.0)):
        a, b = Value(0.0), Value(exponent)
        (a ** b).backward()
        assert (a.grad, b.grad) == (base_grad, 0.0)
    e = Value(3.0)
    (0.0 ** e).backward()  # a constant zero base
    assert e.grad == 0.0
    second = grad(grad(lambda x, y: x ** y, argnums=1), argnums=0)(0.0 + 1e-300, 2.0)  # smooth nearby
    assert np.isfinite(second)


def test_relu_abs_and_clip_agree_on_nan_for_values_and_tensors():
    v, t = Value(float("nan")), Tensor([np.nan])
    rv, rt = v.relu(), t.relu()
    assert np.isnan(rv.data) and np.isnan(rt.data[0])
    rv.backward()
    rt.sum().backward()
    assert np.isnan(v.grad) and np.isnan(t.grad[0])
    v.zero_grad()
    t.zero_grad()
    abs(v).backward()
    abs(t).sum().backward()
    assert np.isnan(v.grad) and np.isnan(t.grad[0])
    for x in (Value(1.0), Tensor([1.0])):
        with pytest.raises(ValueError, match="clip: a bound is nan"):
            autograd.clip(x, float("nan"), 2.0)
        with pytest.raises(ValueError, match="clip: a bound is nan"):
            np.clip(x, 0.0, np.nan)


def test_the_mean_of_an_empty_tensor_backpropagates_nan_as_numpy():
    t = Tensor(np.zeros((0, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = t.mean(axis=0)
        assert np.all(np.isnan(out.data)) and out.shape == (3,)
        out.sum().backward()
        assert t.grad.shape == (0, 3)
        empty = Tensor(np.zeros(0))
        whole = empty.mean()
        assert np.isnan(whole.data)
        whole.backward()
    assert empty.grad.shape == (0,)


@pytest.mark.parametrize("a, b", [
    (Value(2.0), Tensor([1.0, 2.0])),
    (Tensor([1.0, 2.0]), 3.0),
    (Tensor(np.arange(8.0).reshape(2, 2, 2)), Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]))),
])
def test_dot_with_a_scalar_or_3d_operand_gives_numpys_result_and_its_gradient(a, b):
    raw = [x.data if isinstance(x, (Value, Tensor)) else x for x in (a, b)]
    for out in (autograd.dot(a, b), np.dot(a, b)):
        np.testing.assert_allclose(out.data, np.dot(*raw))
    leaves = [x for x in (a, b) if isinstance(x, Tensor)]
    for i, leaf in enumerate(leaves):
        def f(t, i=i):
            args = [t if x is leaf else x for x in (a, b)]
            return autograd.dot(*args).sum()
        assert_grads_match_numeric(f, leaf.data)


def test_dot_of_misaligned_operands_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 3\)"):
        autograd.dot(Tensor(np.ones((2, 3))), Tensor(np.ones((2, 3))))


@pytest.mark.parametrize("axis, error, message", [
    (1.5, TypeError, r"axis must be None, an int or a tuple of ints, got 1.5"),
    (2, ValueError, r"axis 2 is out of range for 2 dimension"),
    ((0, 0), ValueError, r"repeats an axis"),
])
def test_a_bad_axis_is_a_clear_error(axis, error, message):
    t = Tensor(POINT)
    for reduce in (t.min, t.max, t.sum, t.prod, t.var, lambda axis: autograd.logsumexp(t, axis=axis)):
        with pytest.raises(error, match=message):
            reduce(axis=axis)


def test_forward_mode_of_the_new_primitives_agrees_with_backprop():
    x = Tensor(POINT)
    direction = rng.normal(size=POINT.shape)

    def f(x):
        return (autograd.logsumexp(x, axis=0) * autograd.std(x, axis=0)).sum() + autograd.prod(x * 0.5 + 1.0)

    value, tangent = jvp(f, (POINT,), (direction,))
    assert value == pytest.approx(float(f(x).data))
    assert tangent == pytest.approx(float(np.sum(grad(f)(POINT) * direction)), rel=1e-10)


def test_sort_sends_each_positions_gradient_to_the_element_the_stable_sort_put_there():
    t = Tensor([[3.0, 1.0, 2.0], [5.0, 0.0, 5.0]])
    out = np.sort(t)
    assert out.op == "getitem"
    np.testing.assert_array_equal(out.data, np.sort(t.data))
    (out * np.array([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(t.grad, [[3.0, 1.0, 2.0], [2.0, 1.0, 3.0]])  # tied 5s keep their order
    with pytest.raises(ValueError, match="sort: cannot sort a scalar"):
        autograd.sort(Value(1.0))


@pytest.mark.parametrize("point", [np.array([-2.5, 0.3, 1.7]), np.array([0.0]), np.array([9e-4, -1.1e-3, 2e-4])])
def test_sinc_matches_numpy_and_central_differences_at_zero_and_across_its_branches(point):
    t = Tensor(point)
    np.testing.assert_allclose(np.sinc(t).data, np.sinc(point), rtol=1e-15, atol=1e-16)
    assert np.sinc(t).group.name == "sinc"
    assert_grads_match_numeric(lambda x: autograd.sinc(x).sum(), point)
    assert_grads_match_numeric(lambda x: autograd.sinc(x).sum(), point, order=2)


def test_sinc_derivatives_at_zero_are_exact_on_values():
    assert autograd.sinc(Value(0.0)).data == 1.0
    assert grad(autograd.sinc)(0.0) == 0.0
    assert grad(grad(autograd.sinc))(0.0) == pytest.approx(-np.pi ** 2 / 3, rel=1e-12)
    # away from 0: d/dx sin(πx)/(πx) = (cos(πx) − sinc(x)) / x
    x = 0.4
    assert grad(autograd.sinc)(x) == pytest.approx((np.cos(np.pi * x) - np.sinc(x)) / x, rel=1e-12)
