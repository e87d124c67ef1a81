"""numerical_grad and gradcheck: the oracle, the report, and errors that point at the element."""

import numpy as np
import pytest

import autograd as ag
from autograd import GradcheckError, GradcheckReport, Tensor, Value, gradcheck, numerical_grad
from autograd import ops


def test_numerical_grad_of_a_number_and_of_an_array():
    assert numerical_grad(lambda x: x**3, 2.0) == pytest.approx(12.0, rel=1e-9)
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = numerical_grad(lambda x: ag.sum(x * x), x)
    assert g.shape == x.shape
    np.testing.assert_allclose(g, 2 * x, rtol=1e-9)


def test_numerical_grad_of_several_inputs_is_a_tuple_in_input_order():
    gx, gy = numerical_grad(lambda x, y: ag.sum(x * y), np.array([1.0, 2.0]), 3.0)
    np.testing.assert_allclose(gx, [3.0, 3.0], rtol=1e-9)
    assert gy == pytest.approx(3.0, rel=1e-9)


def test_numerical_grad_calls_f_on_leaves_over_copies_with_recording_off_and_leaves_the_callers_data_alone():
    seen = []

    def f(x, y):
        seen.append((type(x), type(y), x.requires_grad, y.requires_grad, ag.is_grad_enabled()))
        out = ag.sum(x) * y
        assert out.op is None  # nothing is recorded
        return out

    x, y = np.array([1, 2, 3]), Value(2.0)
    gx, gy = numerical_grad(f, x, y)
    assert set(seen) == {(Tensor, Value, False, False, False)}
    np.testing.assert_array_equal(x, [1, 2, 3])
    assert x.dtype.kind == "i" and gx.dtype == np.float64
    np.testing.assert_allclose(gx, [2.0, 2.0, 2.0], rtol=1e-9)
    assert gy == pytest.approx(6.0, rel=1e-9)
    t = Tensor([1.0, 2.0])
    numerical_grad(lambda t: ag.sum(t * t), t)
    np.testing.assert_array_equal(t.data, [1.0, 2.0])


def test_the_step_grows_with_the_input_so_large_inputs_stay_accurate():
    # With a fixed h = 1e-6 at x = 1e8, rounding alone would be off by ~1e3.
    assert numerical_grad(lambda x: x * x, 1e8) == pytest.approx(2e8, rel=1e-9)


def test_numerical_grad_refuses_bad_calls():
    with pytest.raises(ValueError, match=r"must return a scalar, but it returned shape \(2,\)"):
        numerical_grad(lambda x: x * 2, np.ones(2))
    with pytest.raises(ValueError, match="eps must be positive"):
        numerical_grad(lambda x: x, 1.0, eps=0.0)
    with pytest.raises(TypeError, match="at least one input"):
        numerical_grad(lambda: 1.0)
    with pytest.raises(TypeError, match="input 0 is a str"):
        numerical_grad(lambda x: x, "1.0")


def affine_tanh(x, w, b):
    return ag.sum(ag.tanh(ag.dot(x, w) + b))


def test_gradcheck_passes_a_correct_layer_and_reports_every_input():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), 0.1
    report = gradcheck(affine_tanh, x, w, b)
    assert isinstance(report, GradcheckReport) and report.passed and report.failures == ()
    assert [(c.position, c.name, c.shape, c.mode) for c in report.inputs] == [
        (0, "x", (4, 3), "rev"), (1, "w", (3, 2), "rev"), (2, "b", (), "rev"),
        (0, "x", (4, 3), "fwd"), (1, "w", (3, 2), "fwd"), (2, "b", (), "fwd")]
    for check in report.inputs:
        assert check.max_abs_error < 1e-8 and check.max_rel_error < 1e-6
        assert check.backprop == pytest.approx(check.numerical, rel=1e-6)
    lines = str(report).splitlines()
    assert lines[0].startswith("gradcheck of affine_tanh: passed") and len(lines) == 7
    assert "ok   input 2 'b' (a number) forward mode: max abs error" in lines[6] and "forward mode 4.87" in lines[6]
    assert len(gradcheck(affine_tanh, x, w, b, modes="rev").inputs) == 3


def test_gradcheck_finds_the_one_wrong_element():
    # relu has a kink at 0: backprop sends 0 there, central differences see 1/2.
    x = np.array([[1.0, -1.0, 2.0], [3.0, 0.0, -2.0]])

    def relu_sum(x):
        return ag.sum(ag.relu(x))

    with pytest.raises(GradcheckError) as caught:
        gradcheck(relu_sum, x)
    message = str(caught.value)
    assert "relu_sum with respect to input 0 'x' (shape (2, 3)) is wrong at index (1, 1)" in message
    assert "backprop gives 0 but central differences give 0.5" in message
    check = caught.value.report.inputs[0]
    assert (check.worst_index, check.backprop, check.max_abs_error) == ((1, 1), 0.0, pytest.approx(0.5))
    assert check.numerical == pytest.approx(0.5)


def test_a_planted_wrong_derivative_is_caught_and_located(monkeypatch):
    # tanh′ written as 1 − y instead of 1 − y².
    monkeypatch.setattr(ops.tanh, "vjps", (lambda g, out, x: g * (1.0 - out),))
    x, w = np.array([[0.5, -1.0, 2.0]]), np.array([[1.0], [0.5], [-0.25]])
    with pytest.raises(GradcheckError, match=r"input 0 'x' \(shape \(1, 3\)\) is wrong at index \(0, \d\).*2 more checks also fail"):
        gradcheck(affine_tanh, x, w, 0.0)
    report = gradcheck(affine_tanh, x, w, 0.0, raise_on_failure=False)
    # tanh's forward-mode rule was fixed when the primitive was made, so only backprop goes wrong
    assert not report.passed and [c.passed for c in report.inputs] == [False, False, False, True, True, True]
    assert str(report).startswith("gradcheck of affine_tanh: FAILED")


def test_tolerances_decide_what_counts_as_wrong():
    # A derivative off by one part in 10⁴: fine at rtol 1e-3, wrong at 1e-5.
    slightly_off = ops.Primitive("double", lambda x: 2.0 * x, (lambda g, out, x: g * 2.0002,))

    def f(x):
        return slightly_off(x)

    assert gradcheck(f, 1.0, rtol=1e-3).passed
    with pytest.raises(GradcheckError):
        gradcheck(f, 1.0, rtol=1e-5, atol=0.0)


@pytest.mark.filterwarnings("ignore:.*encountered in.*power:RuntimeWarning")
def test_non_finite_gradients_fail_and_are_reported_as_such():
    report = gradcheck(lambda x: x**0.5, 0.0, raise_on_failure=False, modes=("rev",))
    (check,) = report.inputs
    assert not check.passed and np.isinf(check.backprop) and check.worst_index == ()
    with pytest.raises(GradcheckError, match=r"input 0 'x' \(a number\) is wrong: backprop gives inf"):
        gradcheck(lambda x: x**0.5, 0.0)


def test_gradcheck_works_in_float64_whatever_the_input_dtype():
    x = np.array([0.3, 0.7], dtype=np.float32)
    report = gradcheck(lambda x: ag.sum(ag.exp(x) * ag.sin(x)), x)
    assert report.inputs[0].max_rel_error < 1e-8  # float32 would give ~1e-3
    assert x.dtype == np.float32


def test_empty_arrays_pass_trivially():
    report = gradcheck(lambda x, y: ag.sum(x) + y, np.zeros((0, 2)), 1.0)
    assert report.passed and report.inputs[0].worst_index is None


# -- functions that only run on nodes; forward mode --------------------------------


@pytest.mark.parametrize("f, point", [
    (lambda x: (x * x).sum() + 0.0 * x.detach().sum(), np.array([1.0, -2.0, 3.0])),
    (lambda x: x.relu().sum(), np.array([1.0, -2.0, 3.0])),
    (lambda x: (x.T @ x).sum(), np.array([[1.0, 2.0], [0.5, -1.0]])),
    (lambda x: x.relu() * x.sigmoid(), 0.7),
])
def test_functions_that_only_run_on_nodes_are_checked(f, point):
    report = gradcheck(f, point)
    assert report.passed and {c.mode for c in report.inputs} == {"rev", "fwd"}


def test_detach_makes_half_the_derivative_disappear_and_gradcheck_sees_it():
    # d/dx of x · stop(x) is x by the engine's rules, 2x numerically: a wrong gradient, named.
    point = np.array([2.0, -1.0])
    with pytest.raises(GradcheckError, match=r"input 0 'x' \(shape \(2,\)\) is wrong at index \(0,\): "
                                             r"backprop gives 2 but central differences give 4"):
        gradcheck(lambda x: (x * x.detach()).sum(), point)
    np.testing.assert_allclose(numerical_grad(lambda x: (x * x.detach()).sum(), point), 2 * point, rtol=1e-9)


def test_a_wrong_forward_mode_rule_is_caught_and_named(monkeypatch):
    monkeypatch.setattr(ops.sin, "jvps", (lambda t, out, x: t * ag.sin(x),))  # should be cos
    with pytest.raises(GradcheckError, match=r"input 0 'x' \(a number\) is wrong: "
                                             r"forward mode gives 0.4794255386 but central differences give 0.8775825619"):
        gradcheck(lambda x: ag.sin(x), 0.5)
    assert gradcheck(lambda x: ag.sin(x), 0.5, modes="rev").passed


def test_modes_and_complex_inputs_are_checked():
    with pytest.raises(ValueError, match=r"modes must be some of \('rev', 'fwd'\)"):
        gradcheck(lambda x: x, 1.0, modes=("backward",))
    with pytest.raises(TypeError, match="input 0 is complex; derivatives here are for real numbers"):
        gradcheck(lambda x: x, np.array([1.0 + 2.0j]))
    with pytest.raises(TypeError, match="input 0 is complex"):
        numerical_grad(lambda x: x, 1j)
