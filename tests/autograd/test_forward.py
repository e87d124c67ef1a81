"""Forward mode and the JAX-style transformations: jvp, linearize, vjp."""

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, grad, jvp, linearize, ops, vjp
from autograd.forward import rule

rng = np.random.default_rng(11)


def test_jvp_of_a_number_and_of_an_array():
    assert jvp(lambda x: x ** 3, (2.0,), (1.0,)) == (8.0, 12.0)
    x, y = rng.normal(size=3), rng.normal(size=3)
    tx, ty = rng.normal(size=3), rng.normal(size=3)
    value, tangent = jvp(lambda x, y: autograd.sum(autograd.sin(x) * y), (x, y), (tx, ty))
    assert value == pytest.approx(np.sum(np.sin(x) * y))
    assert tangent == pytest.approx(np.sum(np.cos(x) * y * tx + np.sin(x) * ty))


def test_jvp_of_a_non_scalar_output_is_the_jacobian_times_the_tangent():
    A = rng.normal(size=(4, 3))
    x, t = rng.normal(size=3), rng.normal(size=3)
    value, tangent = jvp(lambda x: autograd.tanh(A @ x), (x,), (t,))
    assert isinstance(value, np.ndarray) and isinstance(tangent, np.ndarray) and tangent.shape == (4,)
    np.testing.assert_allclose(tangent, (1 - np.tanh(A @ x) ** 2) * (A @ t), rtol=1e-12)


def test_broadcast_inputs_get_tangents_of_the_output_shape():
    x, b = rng.normal(size=(2, 3)), 0.5
    _, tangent = jvp(lambda x, b: x * b + b, (x, b), (np.zeros((2, 3)), 1.0))
    np.testing.assert_allclose(tangent, x + 1.0)


def test_linearize_gives_one_jacobian_column_per_tangent():
    x = rng.normal(size=(2, 2))
    value, f_jvp = linearize(lambda x: autograd.logsumexp(x, axis=1), x)
    np.testing.assert_allclose(value, np.log(np.exp(x).sum(axis=1)))
    softmax = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    for index in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[index] = 1.0
        expected = np.zeros(2)
        expected[index[0]] = softmax[index]
        np.testing.assert_allclose(f_jvp(e), expected, rtol=1e-12)


def test_vjp_gives_the_cotangent_times_the_jacobian_for_each_primal():
    A = rng.normal(size=(3, 2))
    x, c = rng.normal(size=2), rng.normal(size=3)
    value, f_vjp = vjp(lambda A, x: A @ x, A, x)
    np.testing.assert_allclose(value, A @ x)
    gA, gx = f_vjp(c)
    np.testing.assert_allclose(gA, np.outer(c, x))
    np.testing.assert_allclose(gx, A.T @ c)
    (again,) = vjp(lambda x: x * 2.0, 1.5)[1](1.0)
    assert again == 2.0 and type(again) is float


def test_forward_and_reverse_mode_compose_both_ways():
    f = lambda x: autograd.sin(x) * x ** 2  # noqa: E731
    # forward over reverse: the second derivative, d/dx of f′
    _, second = jvp(grad(f), (0.7,), (1.0,))
    assert second == pytest.approx(-np.sin(0.7) * 0.49 + 4 * 0.7 * np.cos(0.7) + 2 * np.sin(0.7))
    # reverse over forward
    assert grad(lambda x: jvp(f, (x,), (1.0,))[1])(0.7) == pytest.approx(second)
    # forward over forward, and once more over reverse
    assert jvp(lambda x: jvp(f, (x,), (1.0,))[1], (0.7,), (1.0,))[1] == pytest.approx(second)
    _, third = jvp(lambda x: jvp(grad(f), (x,), (1.0,))[1], (0.7,), (1.0,))
    assert third == pytest.approx(-6 * 0.7 * np.sin(0.7) + (6 - 0.49) * np.cos(0.7))
    assert third == pytest.approx(float(grad(grad(grad(f)))(0.7)))


def test_a_primitive_without_jvps_gets_them_from_its_vjps():
    cube = ops.Primitive("cube", lambda x: x ** 3, (lambda g, out, x: g * 3.0 * x * x,))
    assert cube.jvps is None
    assert jvp(lambda x: cube(x), (2.0,), (0.5,)) == (8.0, 6.0)
    x, t = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    derived = rule(ops.softmax_cross_entropy, 0)  # the op table gives no JVP for it
    labels = np.array([0.0, 2.0, 1.0])
    assert ops.softmax_cross_entropy.jvps is None
    _, tangent = jvp(lambda x: ops.softmax_cross_entropy(x, labels), (x,), (t,))
    assert tangent == pytest.approx(float(np.sum(grad(lambda x: ops.softmax_cross_entropy(x, labels))(x) * t)))
    assert derived.__name__ == "softmax_cross_entropy_jvp_0_from_vjp"


def test_nodes_in_give_nodes_out_recorded_so_they_can_be_differentiated():
    x = Value(0.3)
    value, tangent = jvp(lambda x: autograd.exp(x) * x, (x,), (1.0,))
    assert isinstance(value, Value) and isinstance(tangent, Value) and tangent.requires_grad
    tangent.backward()
    assert x.grad == pytest.approx(np.exp(0.3) * 2.3)  # d/dx (e^x (1 + x))
    t = Tensor([1.0, 2.0])
    _, tangent = jvp(lambda t: t * t, (t,), (np.ones(2),))
    assert isinstance(tangent, Tensor)
    np.testing.assert_array_equal(tangent.data, [2.0, 4.0])


def test_a_function_that_ignores_its_input_has_a_zero_tangent():
    assert jvp(lambda x: 3.0, (1.0,), (1.0,)) == (3.0, 0.0)
    _, tangent = jvp(lambda x: Tensor(np.ones(2), requires_grad=False), (np.zeros(3),), (np.ones(3),))
    np.testing.assert_array_equal(tangent, np.zeros(2))


@pytest.mark.parametrize("call, error, message", [
    (lambda: jvp(lambda x: x, (1.0 + 2.0j,), (1.0,)), TypeError, "primal 0 is complex"),
    (lambda: jvp(lambda x: x, (1.0,), (1j,)), TypeError, "tangent 0 is complex"),
    (lambda: vjp(lambda x: x, np.array([1j])), TypeError, "primal 0 is complex"),
    (lambda: jvp(lambda x: x, (np.ones(2),), (np.ones(3),)), ValueError,
     r"tangent 0 has shape \(3,\) but its primal has shape \(2,\)"),
    (lambda: jvp(lambda x: x, (1.0, 2.0), (1.0,)), ValueError, "2 primal"),
    (lambda: jvp(lambda x: x, 1.0, 1.0), TypeError, "primals must be a tuple or list"),
    (lambda: jvp(lambda x: x, ("a",), (1.0,)), TypeError, "argument 0 of <lambda> is or holds a str"),
    (lambda: vjp(lambda x: x * 2.0, np.ones(2))[1](np.ones(3)), ValueError,
     r"the cotangent has shape \(3,\) but <lambda> returned shape \(2,\)"),
])
def test_bad_calls_are_refused_clearly(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_primals_may_be_containers_and_tangents_follow_their_structure():
    def f(params):
        return params["w"][0] * params["w"][1] + params["b"]

    primals = {"w": [2.0, np.array([1.0, 3.0])], "b": 0.5}
    value, tangent = autograd.jvp(f, (primals,), ({"w": [1.0, np.zeros(2)], "b": 0.0},))
    np.testing.assert_allclose(value, [2.5, 6.5])
    np.testing.assert_allclose(tangent, [1.0, 3.0])  # d/dw0 of w0·w1 along 1 is w1
    _, zero = autograd.jvp(f, (primals,), (None,))
    np.testing.assert_allclose(zero, [0.0, 0.0])
    out, f_vjp = autograd.vjp(f, primals)
    (grads,) = f_vjp(np.ones(2))
    assert set(grads) == {"w", "b"} and isinstance(grads["w"], list)
    assert grads["w"][0] == pytest.approx(4.0) and grads["b"] == pytest.approx(2.0)
    np.testing.assert_allclose(grads["w"][1], [2.0, 2.0])
    with pytest.raises(ValueError, match="not shaped like its arguments"):
        autograd.jvp(f, (primals,), ({"w": [1.0], "b": 0.0},))
