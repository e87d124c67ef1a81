"""A small define-by-run automatic differentiation engine.

``Value`` wraps a Python float and ``Tensor`` a NumPy array; every operation
on them is recorded, and ``.backward()`` applies the chain rule in reverse.

>>> from autograd import Value
>>> x = Value(3.0); y = x * x + 2 * x; y.backward(); x.grad
8.0

Derivatives as functions (``grad``, ``value_and_grad``), gradient checking
(``numerical_grad``, ``gradcheck``) and ``detect_anomaly()`` live here too;
``autograd.testing`` (which needs hypothesis) has strategies for property
tests of derivatives.
"""

from ._guard import check_sole_owner as _check_sole_owner; _check_sole_owner(__name__)  # first: a clash over the name

from .node import Node, Tensor, Value
from .engine import Group, InPlaceEditError, enable_grad, group, is_grad_enabled, no_grad
from .ops import TABLE as PRIMITIVES, Primitive, abs, add, affine, cos, div, exp, log, mul, neg, pow, relu, sin, sub, tanh
from .ops import softmax_cross_entropy
from .functions import (
    broadcast_to,
    clip,
    dot,
    getitem,
    log_softmax,
    matmul,
    max,
    mean,
    min,
    reshape,
    sigmoid,
    sigmoid_composite,
    softmax,
    sqrt,
    sum,
    sum_to,
    transpose,
    zero_grad,
)
from .functional import grad, value_and_grad
from .conv import col2im, conv2d, conv_output_size, im2col, max_pool2d
from .gradcheck import GradcheckError, GradcheckReport, gradcheck, numerical_grad
from .anomaly import AnomalyError, detect_anomaly

__all__ = [
    "Node", "Value", "Tensor", "Group", "Primitive", "PRIMITIVES", "InPlaceEditError",
    "no_grad", "enable_grad", "is_grad_enabled", "group", "zero_grad",
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sin", "cos", "tanh",
    "sigmoid", "sigmoid_composite", "relu", "abs", "clip", "sqrt", "dot", "matmul", "sum", "mean", "max", "min",
    "reshape", "transpose", "broadcast_to", "sum_to", "getitem", "softmax", "log_softmax",
    "affine", "softmax_cross_entropy",
    "grad", "value_and_grad", "numerical_grad", "gradcheck", "GradcheckError", "GradcheckReport",
    "detect_anomaly", "AnomalyError",
    "im2col", "col2im", "conv2d", "max_pool2d", "conv_output_size",
]
