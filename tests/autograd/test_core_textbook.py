"""The reference material's worked examples (SEEDS §2–§4, §6), on Value and Tensor."""

import numpy as np
import pytest

from autograd import Tensor, Value


def test_apples():
    apple, count, tax = Value(100.0), Value(2.0), Value(1.1)
    apple_price = apple * count
    price = apple_price * tax
    price.backward()
    assert price.data == pytest.approx(220.0)
    assert apple.grad == pytest.approx(2.2)
    assert count.grad == pytest.approx(110.0)
    assert tax.grad == pytest.approx(200.0)
    assert apple_price.grad == pytest.approx(1.1)


def test_apples_keep_the_textbooks_rounding_noise():
    apple, count, tax = Value(100.0), Value(2.0), Value(1.1)
    price = apple * count * tax
    price.backward()
    assert price.data == 220.00000000000003
    assert count.grad == 110.00000000000001


def test_apples_and_oranges():
    apple, apples, orange, oranges, tax = (Value(v) for v in (100.0, 2.0, 150.0, 3.0, 1.1))
    apple_price = apple * apples
    orange_price = orange * oranges
    total = apple_price + orange_price
    price = total * tax
    price.backward()
    assert price.data == pytest.approx(715.0)
    assert total.grad == pytest.approx(1.1)
    assert tax.grad == pytest.approx(650.0)
    assert apple_price.grad == pytest.approx(1.1) and orange_price.grad == pytest.approx(1.1)
    assert apple.grad == pytest.approx(2.2) and apples.grad == pytest.approx(110.0)
    assert orange.grad == pytest.approx(3.3) and oranges.grad == pytest.approx(165.0)


@pytest.mark.parametrize("x, y", [(1.0, 2.0), (-3.0, 0.5), (0.0, 0.0)])
def test_chain_rule_square_of_sum(x, y):
    vx, vy = Value(x), Value(y)
    t = vx + vy
    z = t**2
    z.backward()
    assert vx.grad == pytest.approx(2 * (x + y))
    assert vy.grad == pytest.approx(2 * (x + y))
    assert t.grad == pytest.approx(2 * (x + y))


def test_slide_example_gives_8_and_12():
    x1, x2 = Value(1.5), Value(-0.7)
    f = (2 * x1 + 3 * x2) * 4
    f.backward()
    assert (x1.grad, x2.grad) == (8.0, 12.0)


def test_multiply_node_swaps_the_inputs():
    a, b = Value(10.0), Value(5.0)
    out = a * b
    out.backward(1.3)
    assert out.data == 50.0
    assert a.grad == pytest.approx(6.5) and b.grad == pytest.approx(13.0)


def test_sigmoid_four_nodes_match_y_times_one_minus_y():
    x = Value(0.3)
    y = 1 / (1 + (-x).exp())
    y.backward(0.7)
    s = 1 / (1 + np.exp(-0.3))
    assert x.grad == pytest.approx(0.7 * s * (1 - s))


def test_batched_affine_bias_gradient_is_the_batch_sum():
    X = Tensor(np.arange(4.0).reshape(2, 2))
    W = Tensor(np.ones((2, 3)))
    B = Tensor(np.zeros(3))
    Y = X @ W + B
    Y.backward(np.array([[1.0, 2, 3], [4, 5, 6]]))
    np.testing.assert_array_equal(B.grad, [5.0, 7.0, 9.0])
    dY = np.array([[1.0, 2, 3], [4, 5, 6]])
    np.testing.assert_allclose(X.grad, dY @ W.data.T)
    np.testing.assert_allclose(W.grad, X.data.T @ dY)


def test_affine_for_one_sample_has_the_textbooks_shapes():
    X, W, B = Tensor(np.ones(2)), Tensor(np.ones((2, 3))), Tensor(np.ones(3))
    Y = X @ W + B
    assert Y.shape == (3,)
    Y.backward(np.ones(3))
    assert X.grad.shape == (2,) and W.grad.shape == (2, 3) and B.grad.shape == (3,)


@pytest.mark.parametrize(
    "y, expected", [([0.3, 0.2, 0.5], [0.3, -0.8, 0.5]), ([0.01, 0.99, 0.0], [0.01, -0.01, 0.0])]
)
def test_softmax_with_loss_sends_back_y_minus_t(y, expected):
    # logits whose softmax is y (up to the zero entry, where log would be -inf)
    probabilities = np.clip(np.array(y), 1e-300, None)
    logits = Tensor(np.log(probabilities))
    t = np.array([0.0, 1.0, 0.0])
    loss = -(logits.log_softmax() * t).sum()
    loss.backward()
    np.testing.assert_allclose(logits.grad, expected, atol=1e-12)
