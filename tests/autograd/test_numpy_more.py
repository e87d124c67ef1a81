"""More of NumPy on nodes: copy, average, nan-reductions, quantiles, rounding, signals, covariance.

Each function is checked against NumPy's values on the same data and against
central differences (reverse and forward mode, first and second order), and
at its edges: ties, nan, all-nan slices, jumps, and bad input.
"""

import warnings

import numpy as np
import pytest

import autograd
from autograd import InPlaceEditError, Tensor, Value
from autograd.testing import assert_grads_match_numeric

X = np.array([[0.31, -0.72, 1.23], [0.94, -1.41, 0.47]])
Y = np.array([[1.12, 0.43, -0.81], [-0.36, 0.65, 1.38]])
CUBE = np.array([[[0.3, -1.2], [2.1, 0.7]], [[-0.4, 1.6], [0.9, -2.3]], [[1.1, 0.2], [-0.6, 0.5]]])
NAN = np.nan
WITH_NAN = np.array([[0.31, NAN, 1.23, -0.5], [NAN, -1.41, 0.47, 2.2], [0.8, 0.15, NAN, -0.9]])
# Central differences cannot step a nan: the checks run at a finite point, and add the nans inside f.
FILLED = np.nan_to_num(WITH_NAN, nan=0.7)


def _nans_of(a):
    return np.where(np.isnan(a), NAN, 0.0)


def _weighted(out):
    """Σ w·out with distinct weights per element (and per output, for tuples), so a misplaced gradient shows."""
    if isinstance(out, (tuple, list)):
        total = 0.0
        for k, piece in enumerate(out):
            total = total + _weighted(piece) * (1.0 + 0.5 * k)
        return total
    shape = np.shape(out.data if isinstance(out, autograd.Node) else out)
    if not shape:
        return out * 1.3
    w = np.round(1.0 + 0.1 * np.arange(1, int(np.prod(shape)) + 1), 2).reshape(shape)
    return (out * w).sum()


def _check(f, *inputs, orders=(1, 2)):
    for order in orders:
        assert_grads_match_numeric(lambda *xs: _weighted(f(*xs)), *inputs, order=order)


def _value(out):
    if isinstance(out, (tuple, list)):
        return [_value(o) for o in out]
    return out.data if isinstance(out, autograd.Node) else out


def _grad(f, x):
    t = Tensor(x)
    f(t).backward()
    return t.grad


# -- copy --------------------------------------------------------------------------------


def test_copy_is_a_new_recorded_node_whose_gradient_passes_through():
    t = Tensor(X)
    for c in (np.copy(t), autograd.copy(t), t.copy()):
        assert c is not t and c.op == "copy" and c.data is not t.data
        np.testing.assert_array_equal(c.data, X)
    assert not np.shares_memory(np.copy(t).data, t.data)
    _check(lambda x: np.copy(x) * x, X)
    v = Value(2.5)
    c = autograd.copy(v)
    assert type(c) is Value and c.data == 2.5
    (c * 3.0).backward()
    assert v.grad == 3.0
    assert isinstance(autograd.copy(X), np.ndarray) and autograd.copy(X) is not X


def test_copy_refuses_numpys_other_options_clearly():
    with pytest.raises(TypeError, match=r"np.copy: the argument order="):
        np.copy(Tensor(X), order="F")


# -- average -----------------------------------------------------------------------------

AVERAGES = [
    {},
    {"axis": 1},
    {"axis": (0, 1), "keepdims": True},
    {"axis": 1, "weights": np.array([0.5, 2.0, 1.5])},
    {"axis": 0, "weights": np.array([3.0, 1.0]), "keepdims": True},
    {"weights": np.abs(Y) + 0.5},
    {"axis": (1, 0), "weights": (np.abs(Y) + 0.5).T},
]
CUBE_AVERAGES = [
    {"axis": (0, 2), "keepdims": True},
    {"axis": (2, 0), "weights": np.array([[0.5, 1.5, 1.0], [2.0, 0.25, 1.0]])},
    {"axis": 1, "weights": np.abs(CUBE) + 0.1, "keepdims": True},
]


@pytest.mark.parametrize("options", AVERAGES)
def test_average_matches_numpy_and_central_differences(options):
    out = np.average(Tensor(X), **options)
    np.testing.assert_allclose(out.data, np.average(X, **options), rtol=1e-12)
    np.testing.assert_allclose(autograd.average(X, **options), np.average(X, **options), rtol=1e-12)
    _check(lambda x: autograd.average(x, **options), X)


@pytest.mark.parametrize("options", CUBE_AVERAGES)
def test_average_over_several_axes_of_a_cube(options):
    np.testing.assert_allclose(np.average(Tensor(CUBE), **options).data, np.average(CUBE, **options), rtol=1e-12)
    _check(lambda x: autograd.average(x, **options), CUBE, orders=(1,))


def test_average_weights_may_be_nodes_and_returned_gives_their_sum():
    w = np.array([0.5, 2.0, 1.5])
    avg, total = np.average(Tensor(X), axis=1, weights=Tensor(w), returned=True)
    expected_avg, expected_total = np.average(X, axis=1, weights=w, returned=True)
    np.testing.assert_allclose(avg.data, expected_avg, rtol=1e-12)
    np.testing.assert_allclose(_value(total), expected_total, rtol=1e-12)
    _check(lambda x, w: autograd.average(x, axis=1, weights=w), X, w)
    _check(lambda x, w: autograd.average(x, axis=1, weights=w, returned=True), X, w, orders=(1,))
    # d/dw_j of Σ w·x / Σ w is (x_j − avg)/Σ w: written out for row 0
    wt = Tensor(w)
    np.average(X[0], weights=wt).backward()
    np.testing.assert_allclose(wt.grad, (X[0] - np.average(X[0], weights=w)) / w.sum(), rtol=1e-12)
    _, count = np.average(Tensor(X), axis=1, returned=True)
    np.testing.assert_array_equal(count, [3.0, 3.0])


def test_average_refuses_what_numpy_refuses():
    t = Tensor(X)
    with pytest.raises(TypeError, match=r"average: axis must be given.*\(2, 3\).*\(3,\)"):
        np.average(t, weights=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"average: weights of shape \(2,\) do not fit a of shape \(2, 3\)"):
        np.average(t, axis=1, weights=[1.0, 2.0])
    with pytest.raises(ZeroDivisionError, match="average: the weights sum to zero"):
        np.average(t, axis=1, weights=[1.0, -1.0, 0.0])
    with pytest.raises(ZeroDivisionError):
        np.average(X, axis=1, weights=[1.0, -1.0, 0.0])  # as NumPy does on plain data


# -- nan-reductions ------------------------------------------------------------------------

NAN_REDUCTIONS = ["nansum", "nanmean", "nanmax", "nanmin", "nanvar", "nanstd", "nanprod"]
NAN_OPTIONS = [{}, {"axis": 0}, {"axis": 1, "keepdims": True}, {"axis": (0, 1)}]


@pytest.mark.parametrize("name", NAN_REDUCTIONS)
@pytest.mark.parametrize("options", NAN_OPTIONS)
def test_nan_reductions_match_numpy_and_give_nan_entries_no_gradient(name, options):
    f = getattr(autograd, name)
    out = getattr(np, name)(Tensor(WITH_NAN), **options)
    np.testing.assert_allclose(out.data, getattr(np, name)(WITH_NAN, **options), rtol=1e-12)
    g = _grad(lambda t: _weighted(f(t, **options)), WITH_NAN)
    assert np.all(g[np.isnan(WITH_NAN)] == 0.0) and np.all(np.isfinite(g))
    _check(lambda x: f(x + _nans_of(WITH_NAN), **options), FILLED, orders=(1, 2) if options.get("axis") == 1 else (1,))


def test_nanvar_and_nanstd_take_ddof_and_correction():
    for name in ("nanvar", "nanstd"):
        out = getattr(np, name)(Tensor(WITH_NAN), axis=1, ddof=1)
        np.testing.assert_allclose(out.data, getattr(np, name)(WITH_NAN, axis=1, ddof=1), rtol=1e-12)
        via_correction = getattr(np, name)(Tensor(WITH_NAN), axis=0, correction=1)
        np.testing.assert_allclose(via_correction.data, getattr(np, name)(WITH_NAN, axis=0, ddof=1), rtol=1e-12)
        _check(lambda x: getattr(autograd, name)(x + _nans_of(WITH_NAN), axis=1, ddof=1), FILLED, orders=(1,))


def test_nanvar_gradient_is_written_out_mean_deviation_over_count():
    row = np.array([1.0, NAN, 4.0, 7.0])
    g = _grad(lambda t: np.nanvar(t, ddof=1), row)
    finite = row[~np.isnan(row)]
    np.testing.assert_allclose(g[~np.isnan(row)], 2.0 * (finite - finite.mean()) / (finite.size - 1), rtol=1e-12)
    assert g[1] == 0.0


@pytest.mark.parametrize("name", ["nancumsum", "nancumprod"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_nan_cumulative_functions_match_numpy_and_central_differences(name, axis):
    f = getattr(autograd, name)
    np.testing.assert_allclose(getattr(np, name)(Tensor(WITH_NAN), axis=axis).data,
                               getattr(np, name)(WITH_NAN, axis=axis), rtol=1e-12)
    g = _grad(lambda t: _weighted(f(t, axis=axis)), WITH_NAN)
    assert np.all(g[np.isnan(WITH_NAN)] == 0.0)
    _check(lambda x: f(x + _nans_of(WITH_NAN), axis=axis), FILLED, orders=(1, 2) if axis == 1 else (1,))


ALL_NAN_ROW = np.array([[0.31, -2.0, 1.23], [NAN, NAN, NAN], [0.8, NAN, -0.9]])


@pytest.mark.parametrize("name", NAN_REDUCTIONS)
def test_an_all_nan_slice_gives_what_numpy_gives_and_no_nan_in_the_gradient(name):
    f = getattr(autograd, name)
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        out = getattr(np, name)(Tensor(ALL_NAN_ROW), axis=1)
    with warnings.catch_warnings(record=True) as numpys:
        warnings.simplefilter("always")
        expected = getattr(np, name)(ALL_NAN_ROW, axis=1)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)  # nan where NumPy gives nan
    assert [str(w.message) for w in ours] == [str(w.message) for w in numpys]
    assert all(w.category is RuntimeWarning for w in ours)
    t = Tensor(ALL_NAN_ROW)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        f(t, axis=1).sum().backward()  # the nan output is in the loss: its gradient must not leak
        g_rows = _grad(lambda u: (f(u, axis=1)[np.array([0, 2])] * np.array([1.0, 1.0])).sum(), ALL_NAN_ROW)
    assert np.all(np.isfinite(t.grad)) and np.all(t.grad[1] == 0.0) and np.all(t.grad[np.isnan(ALL_NAN_ROW)] == 0.0)
    np.testing.assert_allclose(t.grad, g_rows, rtol=1e-12)  # the finite rows' gradients, as if the nan row were absent
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _check(lambda x: f(x + _nans_of(ALL_NAN_ROW), axis=1)[np.array([0, 2])], np.nan_to_num(ALL_NAN_ROW, nan=0.4),
               orders=(1,))


@pytest.mark.parametrize("name", NAN_REDUCTIONS + ["nancumsum", "nancumprod"])
def test_nan_reductions_name_themselves_for_a_bad_axis(name):
    with pytest.raises(ValueError, match=rf"{name}: axis 2 is out of bounds for an array of dimension 2"):
        getattr(np, name)(Tensor(WITH_NAN), axis=2)
    with pytest.raises(TypeError, match=rf"np.{name}: the argument out= is not supported"):
        getattr(np, name)(Tensor(WITH_NAN), out=np.empty(4))


def test_nanmax_ties_share_the_gradient_and_nanmin_goes_to_the_smallest():
    row = np.array([2.0, NAN, 2.0, -1.0])
    np.testing.assert_array_equal(_grad(lambda t: np.nanmax(t), row), [0.5, 0.0, 0.5, 0.0])
    np.testing.assert_array_equal(_grad(lambda t: np.nanmin(t), row), [0.0, 0.0, 0.0, 1.0])
    # where the numbers are all −inf, the nans do not tie with them
    rows = np.array([[NAN, -np.inf, -np.inf], [NAN, -np.inf, 1.0], [np.inf, NAN, np.inf]])
    for f, data in ((np.nanmax, rows), (np.nanmin, -rows)):
        t = Tensor(data)
        out = f(t, axis=1)
        np.testing.assert_array_equal(out.data, f(data, axis=1))
        out.backward(np.ones(3))  # (the outputs hold inf and −inf: no sum of them)
        np.testing.assert_array_equal(t.grad, [[0.0, 0.5, 0.5], [0.0, 0.0, 1.0], [0.5, 0.0, 0.5]])


# -- median, percentile, quantile ----------------------------------------------------------

QUANTILE_CASES = [
    ("median", {}),
    ("median", {"axis": 1}),
    ("median", {"axis": 0, "keepdims": True}),
    ("median", {"axis": (0, 2)}),
    ("quantile", {"q": 0.3}),
    ("quantile", {"q": [0.0, 0.25, 1.0], "axis": 1}),
    ("quantile", {"q": [[0.1], [0.9]], "axis": -1, "keepdims": True}),
    ("percentile", {"q": 37.5, "axis": (1, 2)}),
    ("percentile", {"q": [10.0, 90.0], "axis": 0}),
    ("quantile", {"q": [0.3, 0.5], "axis": 1, "method": "lower"}),
    ("quantile", {"q": [0.3, 0.5], "axis": 1, "method": "higher"}),
    ("quantile", {"q": [0.3, 0.5], "axis": 1, "method": "midpoint"}),
    ("quantile", {"q": [0.3, 0.5, 0.75], "axis": 2, "method": "nearest"}),
]


@pytest.mark.parametrize("name, options", QUANTILE_CASES)
def test_quantiles_match_numpy_and_central_differences(name, options):
    options = dict(options)
    q = options.pop("q", None)
    args = () if q is None else (q,)
    out = getattr(np, name)(Tensor(CUBE), *args, **options)
    np.testing.assert_allclose(out.data, getattr(np, name)(CUBE, *args, **options), rtol=1e-12)
    assert out.shape == np.shape(getattr(np, name)(CUBE, *args, **options))
    _check(lambda x: getattr(autograd, name)(x, *args, **options), CUBE,
           orders=(1, 2) if name == "median" and options.get("axis") == 1 else (1,))


def test_median_gradient_interpolates_and_tied_elements_keep_their_own_gradients():
    # even count: the mean of the two middle sorted values; sort is stable, so of the tied 2s
    # (positions 2 and 3) the first sorts to position 1 and the second to position 2
    np.testing.assert_array_equal(_grad(np.median, np.array([3.0, 1.0, 2.0, 2.0])), [0.0, 0.0, 0.5, 0.5])
    # odd count: the middle sorted value is the first of the tied 2s in input order
    np.testing.assert_array_equal(_grad(np.median, np.array([2.0, 1.0, 2.0])), [1.0, 0.0, 0.0])
    # q = 0.3 of 5 values: virtual index 1.2, so 0.8 to the 2nd smallest and 0.2 to the 3rd
    np.testing.assert_allclose(_grad(lambda t: np.quantile(t, 0.3), np.array([5.0, 1.0, 4.0, 2.0, 3.0])),
                               [0.0, 0.0, 0.0, 0.8, 0.2], rtol=1e-12)


def test_a_slice_with_nan_has_nan_median_as_numpy_and_the_nan_takes_the_gradient():
    a = np.array([[1.0, NAN, 2.0], [3.0, 0.5, 2.0]])
    out = np.median(Tensor(a), axis=1)
    np.testing.assert_array_equal(out.data, np.median(a, axis=1))
    np.testing.assert_array_equal(_grad(lambda t: np.median(t, axis=1)[np.array([1])].sum(), a)[1], [0.0, 0.0, 1.0])
    t = Tensor(a)
    np.median(t, axis=1).sum().backward()
    np.testing.assert_array_equal(t.grad, [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


NAN_QUANTILE_CASES = [
    ("nanmedian", {}),
    ("nanmedian", {"axis": 1, "keepdims": True}),
    ("nanquantile", {"q": [0.2, 0.5, 0.9], "axis": 0}),
    ("nanpercentile", {"q": 60.0, "axis": 1}),
    ("nanquantile", {"q": [0.3, 0.6], "axis": 1, "method": "nearest"}),
]


@pytest.mark.parametrize("name, options", NAN_QUANTILE_CASES)
def test_nan_quantiles_count_the_numbers_of_each_slice(name, options):
    options = dict(options)
    q = options.pop("q", None)
    args = () if q is None else (q,)
    out = getattr(np, name)(Tensor(WITH_NAN), *args, **options)
    np.testing.assert_allclose(out.data, getattr(np, name)(WITH_NAN, *args, **options), rtol=1e-12)
    g = _grad(lambda t: _weighted(getattr(autograd, name)(t, *args, **options)), WITH_NAN)
    assert np.all(g[np.isnan(WITH_NAN)] == 0.0)
    _check(lambda x: getattr(autograd, name)(x + _nans_of(WITH_NAN), *args, **options), FILLED, orders=(1,))


def test_nan_quantiles_of_an_all_nan_slice_are_nan_with_numpys_warning_and_gradient_zero():
    with pytest.warns(RuntimeWarning, match="All-NaN slice encountered"):
        out = np.nanmedian(Tensor(ALL_NAN_ROW), axis=1)
    np.testing.assert_allclose(out.data, [0.31, NAN, np.nanmedian(ALL_NAN_ROW[2])], rtol=1e-14)
    t = Tensor(ALL_NAN_ROW)
    with pytest.warns(RuntimeWarning, match="All-NaN slice encountered"):
        np.nanquantile(t, [0.25, 0.75], axis=1).sum().backward()
    assert np.all(np.isfinite(t.grad)) and np.all(t.grad[np.isnan(ALL_NAN_ROW)] == 0.0)
    np.testing.assert_allclose(t.grad[2], [1.0, 0.0, 1.0])  # the 25th and 75th percentiles of 2 numbers: 3/4 + 1/4


def test_quantiles_refuse_bad_input_clearly():
    t = Tensor(CUBE)
    with pytest.raises(ValueError, match=r"percentile: q must lie in \[0, 100\], got \[101.0\]"):
        np.percentile(t, [101.0])
    with pytest.raises(ValueError, match=r"quantile: q must lie in \[0, 1\]"):
        np.quantile(t, -0.1)
    with pytest.raises(ValueError, match="quantile: method 'inverted_cdf' is not supported on nodes; use one of lin"):
        np.quantile(t, 0.5, method="inverted_cdf")
    with pytest.raises(TypeError, match="quantile: q must be plain numbers"):
        autograd.quantile(t, Tensor(0.5))
    with pytest.raises(ValueError, match=r"median: a of shape \(0, 2\) has no entries"):
        np.median(Tensor(np.zeros((0, 2))), axis=0)
    with pytest.raises(ValueError, match="median: axis 3 is out of bounds"):
        np.median(t, axis=3)
    with pytest.raises(TypeError, match="np.quantile: the argument weights= is not supported"):
        np.quantile(t, 0.5, weights=np.ones_like(CUBE))


# -- elementwise ----------------------------------------------------------------------------

SMOOTH = {
    "cbrt": (X,),
    "float_power": (np.abs(X) + 0.5, Y),
    "copysign": (X, Y),
    "fmod": (X * 3.0, np.abs(Y) + 0.7),
}
PIECEWISE_CONSTANT = {
    "round": (X * 3.0,), "around": (X * 3.0,), "rint": (X * 3.0,), "trunc": (X * 3.0,), "fix": (X * 3.0,),
    "floor_divide": (X * 3.0, Y + 2.0), "heaviside": (X, Y),
}


@pytest.mark.parametrize("name", sorted(SMOOTH) + sorted(PIECEWISE_CONSTANT))
def test_elementwise_functions_match_numpy_and_central_differences(name):
    inputs = SMOOTH.get(name) or PIECEWISE_CONSTANT[name]
    via_numpy = getattr(np, name)(*[Tensor(a) for a in inputs])
    via_autograd = getattr(autograd, name)(*[Tensor(a) for a in inputs])
    np.testing.assert_allclose(via_numpy.data, getattr(np, name)(*inputs), rtol=1e-13)
    np.testing.assert_array_equal(via_numpy.data, via_autograd.data)
    assert via_numpy.op == via_autograd.op
    _check(getattr(autograd, name), *inputs)
    if name in PIECEWISE_CONSTANT:
        tensors = [Tensor(a) for a in inputs]
        getattr(np, name)(*tensors).sum().backward()
        assert all(np.array_equal(t.grad, np.zeros_like(t.data)) for t in tensors)


def test_the_derivatives_written_out():
    x = np.array([-8.0, -0.5, 0.125, 27.0])
    np.testing.assert_allclose(_grad(lambda t: np.cbrt(t).sum(), x), 1.0 / (3.0 * np.cbrt(x) ** 2), rtol=1e-14)
    with np.errstate(divide="ignore"):
        assert _grad(lambda t: np.cbrt(t).sum(), np.array([0.0]))[0] == np.inf
    a, b = np.array([-2.0, 3.0, -0.0, 0.0, 1.5]), np.array([5.0, -1.0, 2.0, -0.0, -2.0])
    ta, tb = Tensor(a), Tensor(b)
    np.copysign(ta, tb).sum().backward()
    np.testing.assert_array_equal(ta.grad, [-1.0, -1.0, -1.0, -1.0, -1.0])  # copysign(1, x)·copysign(1, y)
    np.testing.assert_array_equal(tb.grad, np.zeros(5))
    x, y = Tensor(np.array([7.5, -7.5, 2.0])), Tensor(np.array([2.0, 2.0, -3.0]))
    np.fmod(x, y).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(y.grad, -np.trunc(np.array([7.5, -7.5, 2.0]) / np.array([2.0, 2.0, -3.0])))
    base = Tensor(np.array([2.0, 3.0]))
    np.float_power(base, 3).sum().backward()
    np.testing.assert_allclose(base.grad, 3.0 * np.array([2.0, 3.0]) ** 2, rtol=1e-14)


def test_float_power_computes_in_float64_like_numpy():
    t = Tensor(np.array([2.0, 3.0], dtype=np.float32))
    out = np.float_power(t, 2.0)
    assert out.dtype == np.float64 == np.float_power(t.data, 2.0).dtype
    assert autograd.float_power(np.array([2, 3]), -1).dtype == np.float64


def test_elementwise_functions_on_values_give_values():
    v, w = Value(-2.7), Value(1.3)
    for f, args, expected in ((np.cbrt, (v,), np.cbrt(-2.7)), (np.copysign, (v, w), 2.7),
                              (np.fmod, (v, w), np.fmod(-2.7, 1.3)), (np.rint, (v,), -3.0), (np.trunc, (v,), -2.0),
                              (np.floor_divide, (v, w), -3.0), (np.heaviside, (v, w), 0.0),
                              (autograd.round, (v,), -3.0), (np.float_power, (w, 2.0), 1.69)):
        out = f(*args)
        assert type(out) is Value and type(out.data) is float
        assert out.data == pytest.approx(float(expected), rel=1e-14)


def test_floor_division_is_the_double_slash_operator_with_gradient_zero():
    x, t = Value(7.5), Tensor(np.array([7.5, -3.0]))
    out = x // 2.0 + 20.0 // x + (t // 2.0).sum() + (5.0 // t).sum()
    assert out.op == "add" and out.data == pytest.approx(3.0 + 2.0 + 3.0 - 2.0 + 0.0 - 2.0)
    out.backward()
    assert x.grad == 0.0 and np.array_equal(t.grad, [0.0, 0.0])
    np.testing.assert_array_equal((t // np.array([2.0, 2.0])).data, np.floor_divide([7.5, -3.0], 2.0))


def test_round_takes_decimals_as_numpy_and_as_a_method():
    t = Tensor(X)
    for out in (np.round(t, 1), np.around(t, decimals=1), t.round(1), autograd.round(t, decimals=1)):
        assert out.op == "round"
        np.testing.assert_array_equal(out.data, np.round(X, 1))
    with pytest.raises(TypeError, match="round: decimals must be an int"):
        autograd.round(t, 1.5)
    with pytest.raises(TypeError, match="np.round: the argument out="):
        np.round(t, 1, out=np.empty_like(X))


def test_nan_to_num_passes_the_gradient_where_the_value_is_kept():
    a = np.array([1.5, NAN, np.inf, -np.inf, -2.0])
    t = Tensor(a)
    out = np.nan_to_num(t, nan=-1.0, posinf=9.0, neginf=-9.0)
    np.testing.assert_array_equal(out.data, np.nan_to_num(a, nan=-1.0, posinf=9.0, neginf=-9.0))
    (out * np.arange(1.0, 6.0)).sum().backward()
    np.testing.assert_array_equal(t.grad, [1.0, 0.0, 0.0, 0.0, 5.0])
    np.testing.assert_array_equal(autograd.nan_to_num(Tensor(X)).data, X)
    _check(lambda x: autograd.nan_to_num(x * x), X)
    v = Value(float("inf"))
    out = np.nan_to_num(v)
    assert type(out) is Value and out.data == np.finfo(float).max
    out.backward()
    assert v.grad == 0.0


def test_backward_refuses_inputs_edited_in_place_where_the_vjp_reads_them():
    x = Tensor(np.array([1.0, 8.0]))
    out = np.cbrt(x)  # the VJP reads the output
    out.data[0] = 5.0
    with pytest.raises(InPlaceEditError):
        out.sum().backward()
    x, y = Tensor(np.array([1.5, -2.0])), Tensor(np.array([2.0, 3.0]))
    out = np.copysign(x, y)  # d/dx reads x and y
    y.data[1] = -3.0
    with pytest.raises(InPlaceEditError, match="input 1 of 'copysign'"):
        out.sum().backward()
    x, y = Tensor(np.array([7.5, -1.0])), Tensor(np.array([2.0, 3.0]))
    out = np.fmod(x, y)  # d/dy reads x and y
    x.data[0] = 1.0
    with pytest.raises(InPlaceEditError, match="input 0 of 'fmod'"):
        out.sum().backward()
    x, y = Tensor(np.array([7.5, -1.0])), Tensor(np.array([2.0, 3.0]), requires_grad=False)
    out = np.fmod(x, y)  # only d/dx = 1 is needed: nothing is read, so an edit does not matter
    y.data[0] = 1.0
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


# -- array functions --------------------------------------------------------------------------

ARRAY_CASES = [  # (name, function of the inputs, inputs)
    ("vdot", lambda a, b: np.vdot(a, b), (X, Y)),
    ("trapezoid", lambda y: np.trapezoid(y), (X,)),
    ("trapezoid dx", lambda y: np.trapezoid(y, dx=0.5, axis=0), (X,)),
    ("trapezoid x", lambda y, x: np.trapezoid(y, x), (X, np.array([0.0, 0.4, 1.5]))),
    ("trapezoid x N-D", lambda y, x: np.trapezoid(y, x, axis=0), (X, np.cumsum(np.abs(Y), axis=0))),
    ("append", lambda a, b: np.append(a, b), (X, Y[0])),
    ("append axis", lambda a, b: np.append(a, b, axis=0), (X, Y)),
    ("insert", lambda a, b: np.insert(a, 1, b, axis=1), (X, Y[:, 0])),
    ("insert many", lambda a, b: np.insert(a, [0, 2, 2], b), (X, Y[0])),
    ("insert broadcast", lambda a, b: np.insert(a, slice(0, 3, 2), b, axis=1), (X, Y[0, :1])),
    ("delete", lambda a: np.delete(a, 1, axis=1), (X,)),
    ("delete flat", lambda a: np.delete(a, [0, 4]), (X,)),
    ("delete mask", lambda a: np.delete(a, np.array([True, False, True]), axis=1), (X,)),
    ("broadcast_arrays", lambda a, b: np.broadcast_arrays(a, b), (X, Y[0])),
    ("meshgrid", lambda a, b: np.meshgrid(a, b), (X[0], Y[0, :2])),
    ("meshgrid ij sparse", lambda a, b, c: np.meshgrid(a, b, c, indexing="ij", sparse=True), (X[0], Y[0, :2], X[1])),
    ("meshgrid 3", lambda a, b, c: np.meshgrid(a, b, c), (X[0], Y[0, :2], X[1, :2])),
    ("cov", lambda m: np.cov(m), (CUBE[:, 0].T,)),
    ("cov y", lambda m, y: np.cov(m, y, rowvar=False), (X.T, Y.T)),
    ("cov bias", lambda m: np.cov(m, bias=True), (X,)),
    ("cov ddof", lambda m: np.cov(m, ddof=0), (X[0],)),
    ("cov weights", lambda m: np.cov(m, fweights=[1, 2, 1], aweights=[0.5, 1.0, 2.0]), (X,)),
    ("cov aweights ddof", lambda m: np.cov(m, aweights=[0.5, 1.0, 2.0], ddof=2), (X,)),
    ("corrcoef", lambda x: np.corrcoef(x), (np.vstack([X, Y]),)),
    ("corrcoef y", lambda x, y: np.corrcoef(x, y, rowvar=False), (X.T, Y.T)),
    ("convolve", lambda a, v: np.convolve(a, v), (X.ravel(), Y[0])),
    ("convolve same", lambda a, v: np.convolve(a, v, mode="same"), (X[0], Y.ravel()[:4])),
    ("convolve valid", lambda a, v: np.convolve(a, v, "valid"), (X.ravel(), Y[0, :2])),
    ("correlate", lambda a, v: np.correlate(a, v), (X.ravel(), Y[0])),
    ("correlate full", lambda a, v: np.correlate(a, v, "full"), (X[0], Y.ravel()[:4])),
    ("correlate same", lambda a, v: np.correlate(a, v, mode="same"), (X.ravel()[:5], Y[0, :2])),
]


@pytest.mark.parametrize("name, f, inputs", ARRAY_CASES, ids=[case[0] for case in ARRAY_CASES])
def test_array_functions_match_numpy_and_central_differences(name, f, inputs):
    recorded = f(*[Tensor(a) for a in inputs])
    expected = f(*inputs)
    if isinstance(expected, tuple):
        assert isinstance(recorded, tuple) and len(recorded) == len(expected)
    for ours, theirs in zip(np.atleast_1d(*_value(recorded)) if isinstance(expected, tuple) else [recorded.data],
                            np.atleast_1d(*expected) if isinstance(expected, tuple) else [expected]):
        assert np.shape(ours) == np.shape(theirs)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    second = ("vdot", "cov", "corrcoef", "convolve", "convolve same", "correlate", "correlate full", "insert")
    _check(f, *inputs, orders=(1, 2) if name in second else (1,))


def test_each_array_function_is_reached_as_autograd_f_too():
    np.testing.assert_allclose(autograd.vdot(Tensor(X), Y).data, np.vdot(X, Y))
    np.testing.assert_allclose(autograd.trapezoid(Tensor(X), dx=2.0).data, np.trapezoid(X, dx=2.0))
    np.testing.assert_allclose(autograd.cov(Tensor(X)).data, np.cov(X))
    np.testing.assert_allclose(autograd.corrcoef(Tensor(np.vstack([X, Y]))).data, np.corrcoef(np.vstack([X, Y])))
    np.testing.assert_allclose(autograd.correlate(Tensor(X[0]), Y[0], "full").data, np.correlate(X[0], Y[0], "full"))
    assert autograd.insert(X, 1, 5.0).shape == np.insert(X, 1, 5.0).shape
    assert isinstance(autograd.meshgrid(X[0], Y[0]), tuple)


def test_convolve_is_one_primitive_whose_gradients_are_correlations_and_guard_what_they_read():
    a, v = Tensor(np.array([1.0, 2.0, -1.0, 0.5])), Tensor(np.array([0.5, -2.0]))
    out = np.convolve(a, v)
    assert out.op == "convolve" and np.convolve(a, v, "same").op == "getitem"
    g = np.array([1.0, 0.1, 0.01, 0.001, 0.0001])
    out.backward(g)
    np.testing.assert_allclose(a.grad, [g[i] * 0.5 + g[i + 1] * -2.0 for i in range(4)], rtol=1e-14)
    np.testing.assert_allclose(v.grad, [sum(g[i + j] * a.data[i] for i in range(4)) for j in range(2)], rtol=1e-14)
    a, v = Tensor(np.array([1.0, 2.0, -1.0])), Tensor(np.array([0.5, -2.0]))
    out = np.convolve(a, v)
    v.data[0] = 3.0  # da reads v
    with pytest.raises(InPlaceEditError, match="input 1 of 'convolve'"):
        out.sum().backward()
    a, v = Tensor(np.array([1.0, 2.0, -1.0])), Tensor(np.array([0.5, -2.0]), requires_grad=False)
    out = np.convolve(a, v)
    a.data[0] = 3.0  # only da is needed, and it does not read a
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, [-1.5, -1.5, -1.5])


def test_trapezoid_gradient_written_out():
    y, x = np.array([1.0, 4.0, 2.0]), np.array([0.0, 1.0, 3.0])
    ty, tx = Tensor(y), Tensor(x)
    np.trapezoid(ty, tx).backward()
    np.testing.assert_allclose(ty.grad, [0.5, 1.5, 1.0])  # half of each neighbouring interval
    np.testing.assert_allclose(tx.grad, [-(1.0 + 4.0) / 2, (1.0 + 4.0) / 2 - (4.0 + 2.0) / 2, (4.0 + 2.0) / 2])


@pytest.mark.parametrize("m, ddof", [(np.array([[1.0], [2.0]]), None), (np.array([1.0, 2.0]), 2),
                                     (np.array([[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]]), 5)])
def test_corrcoef_of_one_variable_is_one_and_cov_of_too_few_observations_is_numpys_with_its_warning(m, ddof):
    """N − ddof ≤ 0: NumPy divides by 0, so inf, or nan where the sum of products is 0."""
    np.testing.assert_allclose(np.corrcoef(Tensor(X[0])).data, np.corrcoef(X[0]))
    with pytest.warns(RuntimeWarning, match="Degrees of freedom <= 0"), np.errstate(invalid="ignore", divide="ignore"):
        out = np.cov(Tensor(m), ddof=ddof)  # (0 · inf where the sum of products is 0: nan, as NumPy's)
    with pytest.warns(RuntimeWarning, match="Degrees of freedom <= 0"), np.errstate(invalid="ignore", divide="ignore"):
        expected = np.cov(m, ddof=ddof)
    assert np.any(np.isinf(expected)) or np.all(np.isnan(expected))
    np.testing.assert_array_equal(out.data, expected)


def test_array_functions_refuse_bad_input_clearly():
    t = Tensor(X)
    with pytest.raises(ValueError, match=r"vdot: a of shape \(2, 3\) and b of shape \(4,\) have different sizes"):
        np.vdot(t, np.ones(4))
    with pytest.raises(ValueError, match=r"trapezoid: x of shape \(2,\) does not match y of shape \(2, 3\)"):
        np.trapezoid(t, np.ones(2))
    with pytest.raises(ValueError, match=r"append: arr of shape \(2, 3\) and values of shape \(3,\)"):
        np.append(t, np.ones(3), axis=0)
    with pytest.raises(IndexError, match=r"insert: .*\(arr of shape \(2, 3\)"):
        np.insert(t, 7, 1.0, axis=1)
    with pytest.raises(TypeError, match="insert: obj must be plain indices"):
        np.insert(t, Tensor(1.0), 1.0)
    with pytest.raises(IndexError, match=r"delete: .*\(arr of shape \(2, 3\)"):
        np.delete(t, 5, axis=0)
    with pytest.raises(ValueError, match=r"broadcast_arrays: shapes \(2, 3\), \(2,\) do not broadcast"):
        np.broadcast_arrays(t, np.ones(2))
    with pytest.raises(ValueError, match="meshgrid: indexing must be 'xy' or 'ij'"):
        np.meshgrid(t[0], indexing="yx")
    with pytest.raises(ValueError, match=r"convolve: supports 1-D sequences only, got shape \(2, 3\)"):
        np.convolve(t, np.ones(2))
    with pytest.raises(ValueError, match="convolve: the sequences must not be empty"):
        np.convolve(t[0], np.ones(0))
    with pytest.raises(ValueError, match="correlate: mode must be one of"):
        np.correlate(t[0], np.ones(2), mode="circular")
    with pytest.raises(ValueError, match=r"cov: m and y hold 3 and 2 observations"):
        np.cov(t, np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"cov: aweights must be 1-D with one weight per observation \(3\)"):
        np.cov(t, aweights=[1.0, 2.0])
    with pytest.raises(TypeError, match="cov: fweights must be integers"):
        np.cov(t, fweights=[1.0, 2.5, 1.0])
    with pytest.raises(ValueError, match="cov: fweights cannot be negative"):
        np.cov(t, fweights=[1, -2, 1])
    with pytest.raises(TypeError, match="cov: fweights and aweights must be plain arrays"):
        np.cov(t, aweights=Tensor(np.ones(3)))
    with pytest.raises(TypeError, match="np.cov: the argument dtype="):
        np.cov(t, dtype=np.float32)


def test_plain_data_gives_numpys_results():
    for name, args in (("median", (CUBE,)), ("nanmean", (WITH_NAN,)), ("cov", (X,)), ("convolve", (X[0], Y[0])),
                       ("vdot", (X, Y)), ("delete", (X, 1)), ("nan_to_num", (WITH_NAN,)), ("cbrt", (X,)),
                       ("average", (X, 1)), ("quantile", (CUBE, [0.2, 0.7])), ("trapezoid", (X,))):
        out = getattr(autograd, name)(*args)
        assert isinstance(out, (np.ndarray, np.floating, float))
        np.testing.assert_array_equal(out, getattr(np, name)(*args))
