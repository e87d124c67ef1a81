"""common/functions.py: the book's activation and loss functions on NumPy arrays, computed by autograd.

The derivatives (``sigmoid_grad``, ``relu_grad``) are autograd's
vector-Jacobian products with a vector of ones, not formulas written again;
``relu_grad`` is therefore 0 at x = 0 (the book's is 1 there).
``cross_entropy_error`` takes probabilities, as the book's does, and adds
1e-7 inside the log; ``softmax_loss`` takes scores and is exact.
"""

import numpy as np

import autograd

__all__ = ["identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
           "sum_squared_error", "mean_squared_error", "cross_entropy_error", "softmax_loss"]


def _array(x):
    return np.asarray(x, dtype=np.result_type(np.asarray(x).dtype, np.float64))


def identity_function(x):
    """y = x."""
    return x


def step_function(x):
    """1 where x > 0, else 0 (as ints)."""
    return (np.asarray(x) > 0).astype(int)


def sigmoid(x):
    """1 / (1 + exp(−x)), elementwise."""
    return autograd.sigmoid(_array(x))


def _elementwise_derivative(function, x):
    x = _array(x)
    _, pullback = autograd.vjp(function, x)
    return pullback(np.ones_like(x))[0]


def sigmoid_grad(x):
    """dσ/dx at every element of x (= σ(x)·(1 − σ(x)))."""
    return _elementwise_derivative(autograd.sigmoid, x)


def relu(x):
    """max(0, x), elementwise."""
    return autograd.relu(_array(x))


def relu_grad(x):
    """d relu/dx at every element of x: 1 where x > 0, else 0."""
    return _elementwise_derivative(autograd.relu, x)


def softmax(x):
    """exp(x) / Σ exp(x) along the last axis (the largest entry subtracted first)."""
    return autograd.softmax(_array(x), axis=-1)


def sum_squared_error(y, t):
    """½ Σ (y − t)² over every element."""
    difference = _array(y) - _array(t)
    return 0.5 * float(np.sum(difference * difference))


mean_squared_error = sum_squared_error  # the name chapter 4 uses for the same ½ Σ (y − t)²


def cross_entropy_error(y, t):
    """−(1/N) Σₙ log(y[n, tₙ] + 1e-7) for probabilities y (N, classes); t one-hot or class indices; 1-D y is one row."""
    y, t = _array(y), np.asarray(t)
    if y.ndim == 1:
        y, t = y.reshape(1, -1), t.reshape(1, -1)
    if t.size == y.size:
        t = t.reshape(y.shape).argmax(axis=-1)
    t = t.reshape(-1)
    if t.shape[0] != y.shape[0] or t.dtype.kind not in "iu" or t.min() < 0 or t.max() >= y.shape[1]:
        raise ValueError(
            f"cross_entropy_error: labels of shape {np.shape(t)} do not fit probabilities of shape {y.shape}; give "
            f"one-hot labels of shape {y.shape} or class indices in [0, {y.shape[1]}) of shape ({y.shape[0]},)"
        )
    rows = np.arange(y.shape[0])
    return float(-np.sum(np.log(y[rows, t] + 1e-7)) / y.shape[0])


def softmax_loss(X, t):
    """Cross-entropy of softmax(X) against t (one-hot or class indices), averaged over the rows."""
    return float(autograd.softmax_cross_entropy(_array(X), np.asarray(t)))
