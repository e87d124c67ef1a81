"""nn's layers: the textbook's numbers, both protocols, and the fused primitives under them."""

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, ops
from nn import Affine, AddLayer, IdentityWithLoss, MulLayer, Relu, Sigmoid, SoftmaxWithLoss, numerical_gradient

rng = np.random.default_rng(7)


def one_hot(indices, classes):
    return np.eye(classes)[indices]


# -- fused primitives agree with their compositions ----------------------------


def affine_composite(x, W, b):
    return ops.dot(x, W) + b


def cross_entropy_composite(x, t):
    data = x.data if isinstance(x, Tensor) else x
    target = one_hot(t, data.shape[-1]) if np.shape(t) != data.shape else t
    rows = data.size // data.shape[-1]
    return -(target * ops.log_softmax(x, axis=-1)).sum() * (1.0 / rows)


def first_and_second_order(build, arrays, probe):
    """Value, gradients, and gradients of (gradient · probe) for every input."""
    nodes = [Tensor(a.copy()) for a in arrays]
    out = build(*nodes)
    out.backward(create_graph=True)
    first = [node.grad for node in nodes]
    for node in nodes:
        node.grad = None
    sum((g * p).sum() for g, p in zip(first, probe)).backward()
    second = [node.grad if node.grad is not None else np.zeros_like(node.data) for node in nodes]
    return out.data, [g.data for g in first], second


@pytest.mark.parametrize("x_shape", [(4, 3), (3,)])
def test_fused_affine_agrees_with_dot_plus_bias_up_to_second_order(x_shape):
    arrays = [rng.standard_normal(x_shape), rng.standard_normal((3, 5)), rng.standard_normal(5)]
    probe = [rng.standard_normal(a.shape) for a in arrays]
    # Square the output so that second derivatives are not all zero.
    fused = first_and_second_order(lambda x, W, b: (ops.affine(x, W, b) ** 2).sum(), arrays, probe)
    composite = first_and_second_order(lambda x, W, b: (affine_composite(x, W, b) ** 2).sum(), arrays, probe)
    np.testing.assert_allclose(fused[0], composite[0], rtol=1e-13)
    for f, c in zip(fused[1] + fused[2], composite[1] + composite[2]):
        assert f.shape == c.shape
        np.testing.assert_allclose(f, c, rtol=1e-12, atol=1e-13)
    assert np.any(fused[2][1] != 0)  # d²/dW dx really was exercised


def test_fused_affine_refuses_a_bias_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"affine: b has shape \(1, 5\).*must have shape \(5,\)"):
        ops.affine(Tensor(np.ones((2, 3))), np.ones((3, 5)), np.ones((1, 5)))


@pytest.mark.parametrize("labels", ["indices", "one_hot", "probabilities", "rows_not_summing_to_one"])
def test_fused_cross_entropy_agrees_with_the_composition_up_to_second_order(labels):
    x = rng.standard_normal((5, 4)) * 3
    t = rng.integers(0, 4, 5)
    if labels == "one_hot":
        t = one_hot(t, 4)
    elif labels == "probabilities":
        t = rng.dirichlet(np.ones(4), size=5)
    elif labels == "rows_not_summing_to_one":  # e.g. label smoothing gone wrong, or soft counts
        t = rng.random((5, 4)) * 2
    probe = [rng.standard_normal(x.shape)]
    fused = first_and_second_order(lambda x: ops.softmax_cross_entropy(x, t), [x], probe)
    composite = first_and_second_order(lambda x: cross_entropy_composite(x, t), [x], probe)
    np.testing.assert_allclose(fused[0], composite[0], rtol=1e-13)
    np.testing.assert_allclose(fused[1][0], composite[1][0], atol=1e-15)
    np.testing.assert_allclose(fused[2][0], composite[2][0], atol=1e-15)
    assert np.abs(fused[2][0]).max() > 1e-3


def test_fused_cross_entropy_gradient_for_probability_labels_matches_central_differences():
    x = rng.standard_normal((3, 4))
    t = rng.dirichlet(np.ones(4), size=3)
    labels = Tensor(t.copy())
    ops.softmax_cross_entropy(Tensor(x), labels).backward()
    expected = numerical_gradient(lambda t_: float(ops.softmax_cross_entropy(x, t_)), t.copy(), h=1e-6)
    np.testing.assert_allclose(labels.grad, expected, atol=1e-8)


def test_fused_primitives_pass_the_engines_gradient_check():
    gradcheck = autograd.gradcheck
    labels = np.array([0, 2, 1])
    gradcheck(lambda x, W, b: (ops.affine(x, W, b) ** 2).sum(),
              rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal(2))
    gradcheck(lambda x: ops.softmax_cross_entropy(x, labels), rng.standard_normal((3, 3)))
    gradcheck(lambda x, t: ops.softmax_cross_entropy(x, t), rng.standard_normal((3, 3)),
              rng.dirichlet(np.ones(3), size=3))
    gradcheck(lambda x, t: ops.softmax_cross_entropy(x, t), rng.standard_normal((3, 3)),
              rng.random((3, 3)) * 2)  # label rows that do not sum to 1


def test_fused_cross_entropy_is_finite_for_huge_scores_and_zero_probabilities():
    x = Tensor(np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]]))
    loss = ops.softmax_cross_entropy(x, np.array([[1.0, 0, 0], [1.0, 0, 0]]))
    loss.backward()
    assert loss.data == pytest.approx(1000.0)  # (0 + 2000) / 2 rows
    np.testing.assert_allclose(x.grad, [[0, 0, 0], [-0.5, 0.5, 0]], atol=1e-300)
    with np.errstate(divide="ignore"):
        scores = np.log([0.01, 0.99, 0.0])  # one score is −inf
    assert float(ops.softmax_cross_entropy(scores, np.array([0.0, 1.0, 0.0]))) == pytest.approx(-np.log(0.99))


@pytest.mark.parametrize(
    "labels, message",
    [
        (np.array([0, 4]), r"class indices must lie in \[0, 4\), got values from 0 to 4"),
        (np.array([0.5, 1]), r"class-index labels must be whole numbers"),
        (np.ones((2, 3)), r"labels of shape \(2, 3\) do not fit scores of shape \(2, 4\)"),
    ],
)
def test_fused_cross_entropy_explains_bad_labels(labels, message):
    with pytest.raises(ValueError, match="softmax_cross_entropy: " + message):
        ops.softmax_cross_entropy(Tensor(np.zeros((2, 4))), labels)


# -- the shopping examples (SEEDS §4) -----------------------------------------


def test_apples_with_mul_layers_give_the_textbooks_numbers():
    mul_apple, mul_tax = MulLayer(), MulLayer()
    apple_price = mul_apple.forward(100, 2)
    price = mul_tax.forward(apple_price, 1.1)
    assert price == 220.00000000000003
    d_apple_price, d_tax = mul_tax.backward(1)
    d_apple, d_apple_num = mul_apple.backward(d_apple_price)
    assert (d_apple, d_apple_num, d_tax) == (2.2, 110.00000000000001, 200)
    assert all(type(v) is float for v in (price, d_apple, d_apple_num, d_tax))


def test_apples_and_oranges_with_add_layer():
    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    total = add.forward(mul_apple.forward(100, 2), mul_orange.forward(150, 3))
    price = mul_tax.forward(total, 1.1)
    assert price == pytest.approx(715)
    d_total, d_tax = mul_tax.backward(1)
    d_apple_price, d_orange_price = add.backward(d_total)
    d_apple, d_apple_num = mul_apple.backward(d_apple_price)
    d_orange, d_orange_num = mul_orange.backward(d_orange_price)
    assert d_tax == 650 and d_apple_price == d_orange_price == pytest.approx(1.1)
    assert (d_apple, d_apple_num, d_orange, d_orange_num) == pytest.approx((2.2, 110, 3.3, 165))


def test_mul_and_add_layers_sum_broadcast_gradients_back_to_each_input():
    x, y = rng.standard_normal((3, 4)), rng.standard_normal(4)
    mul = MulLayer()
    mul.forward(x, y)
    dout = rng.standard_normal((3, 4))
    dx, dy = mul.backward(dout)
    np.testing.assert_allclose(dx, dout * y)
    np.testing.assert_allclose(dy, (dout * x).sum(axis=0))
    add = AddLayer()
    add.forward(x, 2.0)
    dx, dscalar = add.backward(dout)
    np.testing.assert_array_equal(dx, dout)
    assert dscalar == pytest.approx(dout.sum())


# -- Affine (SEEDS §6) -----------------------------------------------------------


def test_affine_one_sample_has_the_textbooks_shapes_and_gradients():
    X, W, B = rng.standard_normal(2), rng.standard_normal((2, 3)), rng.standard_normal(3)
    layer = Affine(W, B)
    Y = layer.forward(X)
    assert Y.shape == (3,)
    np.testing.assert_allclose(Y, X @ W + B)
    dY = rng.standard_normal(3)
    dX = layer.backward(dY)
    np.testing.assert_allclose(dX, dY @ W.T)
    np.testing.assert_allclose(layer.dW, np.outer(X, dY))
    np.testing.assert_allclose(layer.db, dY)


def test_batched_affine_sums_the_bias_gradient_over_the_batch():
    X, W = rng.standard_normal((2, 2)), rng.standard_normal((2, 3))
    layer = Affine(W, np.zeros(3))
    layer.forward(X)
    dY = np.array([[1.0, 2, 3], [4, 5, 6]])
    dX = layer.backward(dY)
    np.testing.assert_array_equal(layer.db, [5, 7, 9])
    np.testing.assert_allclose(layer.dW, X.T @ dY)
    np.testing.assert_allclose(dX, dY @ W.T)


def test_affine_shares_the_callers_arrays_so_in_place_updates_train_it():
    W, b = rng.standard_normal((4, 3)), np.zeros(3)
    layer = Affine(W, b)
    assert np.shares_memory(layer.W, W) and np.shares_memory(layer.b, b)
    x = rng.standard_normal((5, 4))
    before = layer.forward(x)
    layer.backward(np.ones((5, 3)))
    W -= 0.1 * layer.dW
    b -= 0.1 * layer.db
    np.testing.assert_allclose(layer.forward(x), x @ W + b)
    assert not np.allclose(layer.forward(x), before)


def test_affine_backward_twice_gives_the_same_gradients():
    layer = Affine(rng.standard_normal((4, 3)), np.zeros(3))
    layer.forward(rng.standard_normal((5, 4)))
    dout = rng.standard_normal((5, 3))
    dx1 = layer.backward(dout)
    dW1 = layer.dW.copy()
    dx2 = layer.backward(dout)
    np.testing.assert_array_equal(dx1, dx2)
    np.testing.assert_array_equal(layer.dW, dW1)


def test_affine_flattens_images_and_returns_dx_in_their_shape():
    images = rng.standard_normal((2, 1, 3, 3))
    W = rng.standard_normal((9, 4))
    layer = Affine(W, np.zeros(4))
    out = layer.forward(images)
    np.testing.assert_allclose(out, images.reshape(2, 9) @ W)
    dx = layer.backward(np.ones((2, 4)))
    assert dx.shape == images.shape
    np.testing.assert_allclose(dx.reshape(2, 9), np.ones((2, 4)) @ W.T)


def test_affine_explains_inputs_and_parameters_that_do_not_fit():
    layer = Affine(np.zeros((784, 50)), np.zeros(50), name="Affine1")
    with pytest.raises(ValueError, match=r"Affine1: input of shape \(100, 3\) has 3 features.*expects 784"):
        layer.forward(np.zeros((100, 3)))
    with pytest.raises(ValueError, match=r"b must have shape \(50,\).*got shape \(10,\)"):
        Affine(np.zeros((784, 50)), np.zeros(10))
    with pytest.raises(ValueError, match="W must be a 2-D array"):
        Affine(np.zeros(3), np.zeros(3))


def test_textbook_protocol_misuse_gets_clear_errors():
    layer = Relu(name="Relu1")
    with pytest.raises(RuntimeError, match=r"Relu1.backward\(\) called before forward\(\)"):
        layer.backward(np.ones(3))
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"Relu1.backward: dout has shape \(3,\) but forward returned shape \(2, 3\)"):
        layer.backward(np.ones(3))
    with pytest.raises(TypeError, match=r"takes NumPy arrays.*call the layer instead"):
        layer.forward(Tensor(np.ones(3)))


# -- activations (SEEDS §5) ------------------------------------------------------


def test_relu_passes_the_gradient_only_where_the_input_was_positive():
    x = np.array([[1.0, -0.5], [-2.0, 3.0]])
    layer = Relu()
    np.testing.assert_array_equal(layer.forward(x), [[1, 0], [0, 3]])
    np.testing.assert_array_equal(layer.mask, x <= 0)
    np.testing.assert_array_equal(layer.backward(np.array([[5.0, 6], [7, 8]])), [[5, 0], [0, 8]])


@pytest.mark.parametrize("fused", [True, False])
def test_sigmoid_backward_is_dout_times_y_times_one_minus_y(fused):
    x = rng.standard_normal((3, 4)) * 3
    layer = Sigmoid(fused=fused)
    y = layer.forward(x)
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-x)))
    np.testing.assert_array_equal(layer.out, y)
    dout = rng.standard_normal(x.shape)
    np.testing.assert_allclose(layer.backward(dout), dout * y * (1 - y), rtol=1e-12)


def test_unfused_sigmoid_records_the_textbooks_four_nodes_inside_the_layers_group():
    x = Tensor(rng.standard_normal(3))
    y = Sigmoid(name="Sigmoid1", fused=False)(x)
    ops_seen, node, stack = [], y, [y]
    while stack:
        node = stack.pop()
        if node.op is not None:
            ops_seen.append(node.op)
            assert node.group.path[0] == "Sigmoid1"
            stack.extend(node.inputs)
    assert sorted(ops_seen) == sorted(["neg", "exp", "add", "div"])


def test_calling_a_layer_on_nodes_groups_its_nodes_under_its_name():
    layer = Affine(rng.standard_normal((3, 2)), np.zeros(2), name="Affine1")
    out = Relu(name="Relu1")(layer(Tensor(rng.standard_normal((4, 3)))))
    assert out.op == "relu" and out.group.name == "Relu1"
    assert out.inputs[0].op == "affine" and out.inputs[0].group.name == "Affine1"
    out.sum().backward()
    assert layer.weight.grad.shape == (3, 2)


# -- SoftmaxWithLoss (SEEDS §6) ----------------------------------------------------


@pytest.mark.parametrize(
    "probabilities, label, expected",
    [((0.3, 0.2, 0.5), 1, (0.3, -0.8, 0.5)), ((0.01, 0.99, 0.0), 1, (0.01, -0.01, 0.0))],
)
def test_softmax_with_loss_sends_back_y_minus_t(probabilities, label, expected):
    with np.errstate(divide="ignore"):
        scores = np.log(probabilities)  # so that softmax(scores) is exactly these probabilities
    for t in (label, one_hot(label, 3)):
        layer = SoftmaxWithLoss()
        loss = layer.forward(scores, t)
        assert loss == pytest.approx(-np.log(probabilities[label]))
        np.testing.assert_allclose(layer.y, probabilities, atol=1e-15)
        np.testing.assert_allclose(layer.backward(), expected, atol=1e-15)


def test_softmax_with_loss_averages_over_the_batch_for_index_and_one_hot_labels():
    x, t = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    by_index, by_one_hot = SoftmaxWithLoss(), SoftmaxWithLoss()
    loss = by_index.forward(x, t)
    assert by_one_hot.forward(x, one_hot(t, 4)) == pytest.approx(loss, rel=1e-14)
    y = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.log(y[np.arange(6), t]).mean(), rel=1e-13)
    expected = (y - one_hot(t, 4)) / 6
    np.testing.assert_allclose(by_index.backward(), expected, atol=1e-15)
    np.testing.assert_allclose(by_one_hot.backward(), expected, atol=1e-15)
    assert by_index.loss == loss and by_index.t is t


def test_softmax_with_loss_composite_agrees_with_fused():
    x, t = rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
    fused, composite = SoftmaxWithLoss(), SoftmaxWithLoss(fused=False)
    assert composite.forward(x, t) == pytest.approx(fused.forward(x, t), rel=1e-14)
    np.testing.assert_allclose(composite.backward(), fused.backward(), atol=1e-16)


def test_softmax_with_loss_stays_finite_for_scores_of_plus_minus_1000():
    layer = SoftmaxWithLoss()
    loss = layer.forward(np.array([[1000.0, -1000.0], [-1000.0, 1000.0]]), np.array([0, 0]))
    dx = layer.backward()
    assert loss == pytest.approx(1000.0)
    assert np.all(np.isfinite(dx))
    np.testing.assert_allclose(dx, [[0, 0], [-0.5, 0.5]])


def test_softmax_with_loss_names_itself_when_labels_do_not_fit():
    layer = SoftmaxWithLoss(name="Loss")
    with pytest.raises(ValueError, match=r"^Loss: class indices must lie in \[0, 3\)"):
        layer.forward(np.zeros((2, 3)), np.array([1, 3]))
    with pytest.raises(ValueError, match=r"^Loss: labels of shape \(2, 4\) do not fit scores of shape \(2, 3\)"):
        layer.forward(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"^Loss: labels of shape \(2, 4\)"):
        SoftmaxWithLoss(name="Loss", fused=False).forward(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(TypeError, match="labels must be numbers"):
        layer.forward(np.zeros((2, 3)), np.array(["a", "b"]))


# -- IdentityWithLoss (SEEDS §8) ----------------------------------------------------


def test_identity_with_loss_is_half_the_squared_error_averaged_over_rows():
    y, t = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    layer = IdentityWithLoss()
    assert layer.forward(y, t) == pytest.approx(0.5 * ((y - t) ** 2).sum() / 4)
    np.testing.assert_allclose(layer.backward(), (y - t) / 4)
    np.testing.assert_array_equal(layer.y, y)


def test_identity_with_loss_takes_flat_targets_for_one_output_and_refuses_others():
    y, t = rng.standard_normal((4, 1)), rng.standard_normal(4)
    layer = IdentityWithLoss()
    assert layer.forward(y, t) == pytest.approx(0.5 * ((y[:, 0] - t) ** 2).mean())
    np.testing.assert_allclose(layer.backward(), (y - t[:, None]) / 4)
    with pytest.raises(ValueError, match=r"targets of shape \(3,\) do not match predictions of shape \(4, 1\)"):
        layer.forward(y, np.zeros(3))


def test_identity_with_loss_takes_targets_as_lists_like_softmax_with_loss():
    y = np.array([[1.0], [2.0]])
    layer = IdentityWithLoss()
    assert layer.forward(y, [0.0, 0.0]) == pytest.approx(1.25)
    np.testing.assert_allclose(layer.backward(), [[0.5], [1.0]])
    assert layer.forward(y[:, 0], [0.5, 0.5]) == pytest.approx(1.25)  # a 1-D y is one row
    with pytest.raises(TypeError, match="IdentityWithLoss: targets must be numbers"):
        layer.forward(y, ["a", "b"])


def test_identity_with_loss_records_on_scalar_values():
    y, t = Value(2.5), Value(1.0)
    loss = IdentityWithLoss()(y, t)
    assert isinstance(loss, Value) and loss.data == pytest.approx(0.5 * 1.5 ** 2)
    loss.backward()
    assert (y.grad, t.grad) == (pytest.approx(1.5), pytest.approx(-1.5))
    assert IdentityWithLoss()(Value(2.5), 1.0).data == pytest.approx(1.125)  # a plain number as the target


def test_layers_work_on_scalar_values_too():
    layer = MulLayer()
    x, y = Value(3.0), Value(4.0)
    z = layer(x, y)
    z.backward()
    assert (z.data, x.grad, y.grad) == (12.0, 4.0, 3.0)
    assert z.group.name == "MulLayer"
