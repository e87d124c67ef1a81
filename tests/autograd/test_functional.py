"""grad and value_and_grad: closed-form derivatives, kinds in and out, nesting, errors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import Tensor, Value, grad, value_and_grad


def nth_derivative(f, n):
    for _ in range(n):
        f = grad(f)
    return f


def test_third_derivative_of_x_to_the_fourth_is_exact():
    third = grad(grad(grad(lambda x: x**4)))(2.0)
    assert third == 48.0 and type(third) is float


@given(x=st.floats(-4.0, 4.0), n=st.integers(0, 6))
def test_nth_derivative_of_sin_is_a_quarter_turn_per_order(x, n):
    # dⁿ/dxⁿ sin x = sin(x + nπ/2)
    assert nth_derivative(ag.sin, n)(x) == pytest.approx(math.sin(x + n * math.pi / 2), abs=1e-12)


@given(x=st.floats(-3.0, 3.0))
def test_derivatives_of_tanh_match_their_closed_forms(x):
    t = math.tanh(x)
    closed_forms = [
        1 - t**2,  # tanh′
        -2 * t * (1 - t**2),  # tanh″
        -2 * (1 - t**2) * (1 - 3 * t**2),  # tanh‴
    ]
    for n, expected in enumerate(closed_forms, start=1):
        assert nth_derivative(ag.tanh, n)(x) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@given(x=st.floats(-1.5, 1.5))
def test_derivatives_of_exp_of_x_squared_match_their_closed_forms(x):
    e = math.exp(x * x)
    closed_forms = [2 * x * e, (2 + 4 * x**2) * e, (12 * x + 8 * x**3) * e]
    for n, expected in enumerate(closed_forms, start=1):
        assert nth_derivative(lambda x: ag.exp(x * x), n)(x) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_array_arguments_give_array_gradients_and_compose():
    x = np.array([0.5, -1.0, 2.0])
    f = lambda x: ag.sum(ag.tanh(x))  # noqa: E731
    g = grad(f)(x)
    assert type(g) is np.ndarray and g.shape == (3,)
    np.testing.assert_allclose(g, 1 - np.tanh(x) ** 2, rtol=1e-12)
    # The Hessian is diagonal, so the gradient of Σ ∂f/∂xᵢ is tanh″ elementwise.
    second = grad(lambda x: ag.sum(grad(f)(x)))(x)
    t = np.tanh(x)
    np.testing.assert_allclose(second, -2 * t * (1 - t**2), rtol=1e-12)


def test_hessian_rows_of_a_matrix_function():
    # f(x) = ½ xᵀAx has gradient Ax and Hessian A (symmetric part).
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    f = lambda x: 0.5 * ag.dot(x, ag.dot(A, x))  # noqa: E731
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(grad(f)(x), A @ x)
    for i in range(2):
        row = grad(lambda x: grad(f)(x)[i])(x)
        np.testing.assert_allclose(row, A[i])


def test_several_argnums_answer_each_in_its_own_kind():
    f = lambda w, x, b: ag.sum(ag.dot(x, w) + b)  # noqa: E731
    w, x, b = np.ones((3, 2)), np.arange(6.0).reshape(2, 3), 0.5
    dw, db = grad(f, argnums=(0, 2))(w, x, b)
    np.testing.assert_array_equal(dw, np.tile(x.sum(axis=0)[:, None], (1, 2)))
    assert db == 4.0 and type(db) is float  # b is broadcast over a 2×2 output
    assert grad(f, argnums=-1)(w, x, b) == 4.0


def test_numbers_of_any_numeric_type_give_floats_and_0d_arrays_give_0d_arrays():
    square = lambda x: x * x  # noqa: E731
    for number in (3, 3.0, np.float32(3.0), np.int64(3), True):
        result = grad(square)(number)
        assert type(result) is float and result == 2.0 * float(number)
    result = grad(square)(np.array(3.0))
    assert type(result) is np.ndarray and result.shape == () and result == 6.0


def test_node_arguments_give_node_gradients_that_differentiate_again():
    x = Value(3.0)
    g = grad(lambda a: a * a * a)(x)
    assert isinstance(g, Value) and g.data == 27.0
    assert x.grad is None  # grad leaves nothing on the caller's node
    g.backward()
    assert x.grad == 18.0  # d/dx 3x² = 6x
    t = Tensor([1.0, 2.0])
    gt = grad(lambda a: ag.sum(a * a * a))(t)
    assert isinstance(gt, Tensor)
    np.testing.assert_array_equal(gt.data, [3.0, 12.0])
    ag.sum(gt).backward()
    np.testing.assert_array_equal(t.grad, [6.0, 12.0])


def test_gradients_of_nodes_that_need_none_are_plain_nodes():
    x = Value(2.0, requires_grad=False)
    g = grad(lambda a: a * a)(x)
    assert isinstance(g, Value) and g.data == 4.0 and not g.requires_grad


def test_no_gradient_is_left_on_closed_over_parameters_or_arguments():
    w = Tensor([1.0, -1.0])
    w.grad = np.array([10.0, 10.0])  # accumulated by an earlier training step
    x = Tensor([2.0, 3.0])
    f = lambda x: ag.sum(w * x * x)  # noqa: E731
    np.testing.assert_array_equal(grad(f)(x).data, [4.0, -6.0])
    np.testing.assert_array_equal(w.grad, [10.0, 10.0])
    assert x.grad is None
    # Fresh leaves per call: calling twice does not accumulate.
    np.testing.assert_array_equal(grad(f)(x.data), grad(f)(x.data))


def test_each_differentiated_argument_is_an_independent_variable():
    v = Value(3.0)
    assert [g.data for g in grad(lambda x, y: x * y, argnums=(0, 1))(v, v)] == [3.0, 3.0]
    assert grad(lambda x, y: x * y, argnums=(0, 1))(2.0, 2.0) == (2.0, 2.0)


def test_inner_grads_see_the_outer_variable_they_close_over():
    # d/dx [x · (d/dy x·y)] = d/dx x² = 2x, not x (no perturbation confusion).
    assert grad(lambda x: x * grad(lambda y: x * y)(1.0))(3.0) == 6.0
    # The inner argument is x itself, but only its own occurrence is varied.
    assert grad(lambda x: grad(lambda y: x * y)(x))(3.0) == 1.0


def test_value_and_grad_returns_the_value_from_the_same_pass():
    value, gradient = value_and_grad(lambda x, y: x * ag.exp(y), argnums=(0, 1))(2.0, 0.0)
    assert (value, gradient) == (2.0, (1.0, 2.0)) and type(value) is float
    # Nested, the value is a node: d/dx of (value · gradient) = d/dx (x³ · 3x²) = 15x⁴.
    assert grad(lambda x: ag.mul(*value_and_grad(lambda y: y**3)(x)))(1.0) == 15.0


def test_outputs_that_do_not_depend_on_the_argument_have_zero_gradient():
    assert grad(lambda x: 3.0)(1.0) == 0.0
    np.testing.assert_array_equal(grad(lambda x, y: ag.sum(y), argnums=0)(np.ones(2), Tensor([1.0])), [0.0, 0.0])
    assert grad(lambda x: x)(5.0) == 1.0  # f returns its argument


def test_grad_records_even_inside_no_grad():
    with ag.no_grad():
        assert grad(lambda x: x * x)(3.0) == 6.0


def test_a_non_scalar_output_is_an_error_naming_its_shape():
    with pytest.raises(ValueError, match=r"square must return a scalar, but it returned shape \(3,\).*\.sum\(\)"):
        def square(x):
            return x * x

        grad(square)(np.ones(3))
    with pytest.raises(ValueError, match=r"shape \(1, 2\)"):
        grad(lambda x: ag.reshape(x, (1, 2)))(np.ones(2))


@pytest.mark.parametrize("shape", [(1,), (1, 1)])
def test_an_output_of_one_element_counts_as_a_scalar_as_in_hips_autograd(shape):
    value, g = value_and_grad(lambda x: ag.reshape(x * x, shape))(np.array([3.0]))
    assert value == 9.0 and type(value) is float
    np.testing.assert_array_equal(g, [6.0])


@pytest.mark.parametrize(
    "argnums, error, message",
    [
        (2, ValueError, r"argnums asks for argument 2 of <lambda>, but it was called with 2 positional arguments"),
        (-3, ValueError, r"argument -3"),
        ((0, -2), ValueError, r"the same argument twice"),
    ],
)
def test_argnums_out_of_range_is_an_error_at_call_time(argnums, error, message):
    g = grad(lambda x, y: x * y, argnums=argnums)
    with pytest.raises(error, match=message):
        g(1.0, 2.0)


@pytest.mark.parametrize("argnums", [1.0, "0", (), (0, 0), [0, True], None])
def test_bad_argnums_are_refused_when_the_transformation_is_made(argnums):
    with pytest.raises((TypeError, ValueError), match="argnums"):
        grad(lambda x, y: x * y, argnums=argnums)


def test_unsupported_arguments_and_functions_are_refused_clearly():
    with pytest.raises(TypeError, match=r"argument 0 of <lambda> is or holds a str; differentiate with respect to numbers"):
        grad(lambda x: x)({"a": [1.0, "2"]})
    with pytest.raises(TypeError, match="expected a function"):
        grad(3.0)
    with pytest.raises(TypeError, match="must return a scalar .* got str"):
        grad(lambda x: "nope")(1.0)


def test_transformed_functions_are_named_after_the_original():
    def loss(w):
        return w * w

    assert grad(loss).__name__ == "grad(loss)"
    assert value_and_grad(loss, argnums=(0,)).__name__ == "value_and_grad(loss)"
    assert grad(grad(loss)).__name__ == "grad(grad(loss))"


# -- higher-order cases the property suite found in the core --------------------


def test_repeated_derivatives_of_powers_reach_zero_instead_of_nan():
    # y·x^(y−1) with y = 0 used to give 0·∞ at x = 0.
    assert nth_derivative(lambda x: x**2, 3)(0.0) == 0.0
    assert nth_derivative(lambda x: x**3, 4)(0.0) == 0.0


def test_third_derivative_of_x_to_the_x_keeps_the_exponents_dependence():
    # (xˣ)‴ = xˣ((ln x + 1)³ + 3(ln x + 1)/x − 1/x²), which is 3 at x = 1
    assert nth_derivative(lambda x: x**x, 3)(1.0) == pytest.approx(3.0, rel=1e-12)


def test_gradients_through_a_reused_single_element():
    # x[0] of a 1-D tensor is 0-d; the gradients of its two uses add up to a
    # NumPy scalar, which must still scatter back into x.
    def f(x):
        first = x[0]
        return (first + first) * first

    np.testing.assert_array_equal(grad(f)(np.array([3.0, 1.0])), [12.0, 0.0])
    np.testing.assert_array_equal(grad(lambda x: ag.sum(grad(f)(x)))(np.array([3.0, 1.0])), [4.0, 0.0])


def test_second_derivatives_through_transpose_and_size_one_broadcasting():
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    f = lambda x: ag.sum(ag.transpose(x) * A * x)  # noqa: E731
    # ∂f/∂x = (A + Aᵀ) ⊙ xᵀ, so the gradient of Σ A ⊙ ∂f/∂x is ((A + Aᵀ) ⊙ A)ᵀ
    np.testing.assert_array_equal(grad(lambda x: ag.sum(grad(f)(x) * A))(np.ones((2, 2))), ((A + A.T) * A).T)
    g = lambda u, v: ag.sum((ag.reshape(u, (1,)) + v) ** 2)  # noqa: E731  (a (1,) value meets a (2,))
    assert grad(lambda u: grad(g)(u, np.array([1.0, 2.0])))(0.5) == 4.0


def test_third_derivative_through_a_reshaped_scalar():
    # The gradient reaching a Value reshaped to (1,) is a float, summed back with sum_to.
    f = lambda x: ag.sum(ag.reshape((x * x) * (x * x), (1,)) ** 2)  # noqa: E731  x⁸
    assert nth_derivative(f, 3)(1.0) == pytest.approx(336.0)
    assert nth_derivative(f, 3)(0.0) == 0.0


# -- containers: lists, tuples and dicts of arguments (issue 10.3) ---------------------


def test_grad_of_a_dict_of_parameters_is_a_dict_of_arrays_in_the_same_order():
    params = {"W": np.array([[1.0, 2.0], [3.0, 4.0]]), "b": np.array([0.5, -0.5]), "scale": 2.0}
    x = np.array([1.0, -1.0])

    def loss(p):
        return ag.sum(ag.tanh(x @ p["W"] + p["b"]) * p["scale"])

    g = grad(loss)(params)
    assert list(g) == ["W", "b", "scale"] and type(g["W"]) is np.ndarray and type(g["scale"]) is float
    h = 1 - np.tanh(x @ params["W"] + params["b"]) ** 2
    np.testing.assert_allclose(g["W"], 2.0 * np.outer(x, h), rtol=1e-12)
    np.testing.assert_allclose(g["b"], 2.0 * h, rtol=1e-12)
    assert g["scale"] == pytest.approx(np.tanh(x @ params["W"] + params["b"]).sum(), rel=1e-12)


def test_nested_lists_tuples_and_namedtuples_keep_their_structure():
    from collections import namedtuple

    Pair = namedtuple("Pair", "left right")
    args = [Pair(1.0, np.array([2.0, 3.0])), (4.0, {"deep": [5.0]}), None]

    def f(tree):
        pair, (four, inner), _ = tree
        return pair.left * ag.sum(pair.right) * four * inner["deep"][0]

    value, g = value_and_grad(f)(args)
    assert value == 1.0 * 5.0 * 4.0 * 5.0
    assert isinstance(g, list) and isinstance(g[0], Pair) and isinstance(g[1], tuple) and g[2] is None
    assert g[0].left == 100.0 and g[1][0] == 25.0 and g[1][1]["deep"] == [20.0]
    np.testing.assert_array_equal(g[0].right, [20.0, 20.0])


def test_containers_compose_with_argnums_and_higher_order():
    f = lambda xs, y: xs[0] ** 3 * y + xs[1] * y  # noqa: E731
    gx, gy = grad(f, argnums=(0, 1))([2.0, 3.0], 5.0)
    assert gx == [60.0, 5.0] and gy == 11.0
    second = grad(lambda xs: grad(f)(xs, 5.0)[0])([2.0, 3.0])  # ∂²f/∂x₀∂xs
    assert second == [60.0, 0.0]


def test_container_gradients_match_central_differences():
    p = {"a": np.array([0.3, -0.2]), "b": [np.array([[0.1, 0.4]]), 0.7]}
    loss = lambda p: ag.sum(ag.sin(p["a"] * p["b"][0]) * p["b"][1])  # noqa: E731
    g = grad(loss)(p)
    a_num, b0_num, b1_num = ag.numerical_grad(lambda a, b0, b1: loss({"a": a, "b": [b0, b1]}), p["a"], *p["b"])
    np.testing.assert_allclose(g["a"], a_num, rtol=1e-7)
    np.testing.assert_allclose(g["b"][0], b0_num, rtol=1e-7)
    assert g["b"][1] == pytest.approx(b1_num, rel=1e-7)


def test_tree_flatten_and_unflatten_round_trip():
    from autograd import tree

    value = {"x": [1.0, (2.0, np.ones(2))], "y": None, "z": {"w": 3.0}}
    leaves, structure = tree.flatten(value)
    assert leaves[:2] == [1.0, 2.0] and len(leaves) == 4 and structure.leaves == 4
    rebuilt = tree.unflatten(structure, [10.0, 20.0, "array", 30.0])
    assert rebuilt == {"x": [10.0, (20.0, "array")], "y": None, "z": {"w": 30.0}}
    with pytest.raises(ValueError, match="has 4 leaves, got 3"):
        tree.unflatten(structure, [1, 2, 3])
    assert tree.flatten(np.ones(3))[0][0].shape == (3,)  # an array is one leaf


# -- jacobian, hessian, hvp --------------------------------------------------------------


def test_jacobian_has_shape_out_plus_in_and_the_closed_form():
    W = np.arange(6.0).reshape(2, 3)
    x = np.array([0.5, -1.0, 2.0])
    J = ag.jacobian(lambda x: ag.tanh(W @ x))(x)
    assert J.shape == (2, 3)
    np.testing.assert_allclose(J, (1 - np.tanh(W @ x) ** 2)[:, None] * W, rtol=1e-12)
    JW = ag.jacobian(lambda W: W @ x)(W)
    assert JW.shape == (2, 2, 3)
    np.testing.assert_array_equal(JW, np.einsum("ij,k->ijk", np.eye(2), x))


def test_jacobian_matches_central_differences_row_by_row():
    x = np.array([[0.2, -0.4], [1.1, 0.3]])
    f = lambda x: ag.sin(x) * ag.sum(x * x, axis=0)  # noqa: E731
    J = ag.jacobian(f)(x)
    for index in np.ndindex(2, 2):
        np.testing.assert_allclose(J[index], ag.numerical_grad(lambda x: f(x)[index], x), rtol=1e-6, atol=1e-9)


def test_jacobian_of_containers_and_several_outputs():
    f = lambda p: (p["a"] * p["b"], ag.sum(p["a"]))  # noqa: E731
    out_product, out_sum = ag.jacobian(f)({"a": np.array([1.0, 2.0]), "b": 3.0})
    np.testing.assert_array_equal(out_product["a"], 3.0 * np.eye(2))
    np.testing.assert_array_equal(out_product["b"], [1.0, 2.0])
    np.testing.assert_array_equal(out_sum["a"], [1.0, 1.0])
    assert out_sum["b"] == 0.0
    ja, jb = ag.jacobian(lambda a, b: a * b, argnums=(0, 1))(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    np.testing.assert_array_equal(ja, np.diag([3.0, 4.0]))
    np.testing.assert_array_equal(jb, np.diag([1.0, 2.0]))


def test_hessian_is_the_jacobian_of_the_gradient_and_symmetric():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -0.25])
    H = ag.hessian(lambda x: 0.5 * ag.sum(x * (A @ x)) + ag.sum(x**4))(x)
    np.testing.assert_allclose(H, A + np.diag(12 * x**2), rtol=1e-12)
    assert ag.hessian(lambda x: x**3)(2.0) == 12.0
    (Hxx, Hxy), (Hyx, Hyy) = ag.hessian(lambda x, y: ag.sum(x * x * y), argnums=(0, 1))(x, np.array([1.0, 2.0]))
    np.testing.assert_array_equal(Hxy, np.diag(2 * x))
    np.testing.assert_array_equal(Hyx, np.diag(2 * x))
    np.testing.assert_array_equal(Hxx, np.diag([2.0, 4.0]))
    np.testing.assert_array_equal(Hyy, np.zeros((2, 2)))


def test_hessian_of_a_matrix_argument_and_a_third_derivative_through_jacobian():
    X = np.array([[0.3, -0.1], [0.2, 0.4]])
    H = ag.hessian(lambda X: ag.sum(ag.sin(X)))(X)
    assert H.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(H.reshape(4, 4), np.diag(-np.sin(X).ravel()), rtol=1e-12)
    third = ag.jacobian(ag.hessian(lambda x: ag.sum(x**4)))(np.array([1.0, 2.0]))
    expected = np.zeros((2, 2, 2))
    expected[0, 0, 0], expected[1, 1, 1] = 24.0, 48.0
    np.testing.assert_array_equal(third, expected)


def test_hvp_equals_the_hessian_times_the_vector():
    f = lambda x: ag.sum(ag.exp(x[0] * x) * x)  # noqa: E731
    x, v = np.array([0.3, -0.7, 0.2]), np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(ag.hvp(f)(x, v), ag.hessian(f)(x) @ v, rtol=1e-12)
    p, direction = {"a": np.array([0.5, 1.5])}, {"a": np.array([1.0, 0.0])}
    np.testing.assert_allclose(ag.hvp(lambda p: ag.sum(p["a"] ** 3))(p, direction)["a"], [3.0, 0.0])
    with pytest.raises(ValueError, match="hvp: the direction v must be shaped like"):
        ag.hvp(f)(x, np.ones(2))


def test_jacobian_refuses_outputs_that_are_not_arrays():
    with pytest.raises(TypeError, match="jacobian: <lambda> returned a str as output 0"):
        ag.jacobian(lambda x: "no")(1.0)


def test_jacobian_of_an_empty_output_is_empty():
    J = ag.jacobian(lambda x: x[:0] * 2.0)(np.ones(3))
    assert J.shape == (0, 3)
