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

from .node import Node, Tensor, Value
from .engine import Group, enable_grad, group, is_grad_enabled, no_grad
from .ops import TABLE as PRIMITIVES, Primitive, abs, add, affine, cos, div, exp, log, mul, neg, pow, relu, sin, sub, tanh
from .ops import softmax_cross_entropy
from .ops import (  # NumPy's ufuncs as primitives
    arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh, ceil, cosh, deg2rad, exp2, expm1, fabs, floor,
    fmax, fmin, hypot, log1p, log2, log10, logaddexp, logaddexp2, maximum, minimum, rad2deg, reciprocal,
    remainder, sign, sinh, square, tan,
)
from .ops import remainder as mod, rad2deg as degrees, deg2rad as radians, neg as negative
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
from .functions import cumprod, cumsum, logsumexp, positive, prod, ptp, sort, std, var
from .functional import grad, value_and_grad
from .forward import jvp, linearize, vjp
from .gradcheck import GradcheckError, GradcheckReport, gradcheck, numerical_grad
from .anomaly import AnomalyError, detect_anomaly

__all__ = [
    "Node", "Value", "Tensor", "Group", "Primitive", "PRIMITIVES",
    "no_grad", "enable_grad", "is_grad_enabled", "group", "zero_grad",
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sin", "cos", "tanh",
    "sigmoid", "sigmoid_composite", "relu", "abs", "clip", "sqrt", "dot", "matmul", "sum", "mean", "max", "min",
    "reshape", "transpose", "broadcast_to", "sum_to", "getitem", "softmax", "log_softmax",
    "affine", "softmax_cross_entropy",
    "grad", "value_and_grad", "numerical_grad", "gradcheck", "GradcheckError", "GradcheckReport",
    "detect_anomaly", "AnomalyError",
]
__all__ += [
    "tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "arctan2", "hypot",
    "exp2", "expm1", "log2", "log10", "log1p", "logaddexp", "logaddexp2", "square", "reciprocal", "sign",
    "floor", "ceil", "fabs", "maximum", "minimum", "fmax", "fmin", "remainder", "mod", "deg2rad", "rad2deg",
    "degrees", "radians", "negative", "positive",
    "prod", "var", "std", "cumsum", "cumprod", "ptp", "logsumexp", "sort",
    "jvp", "linearize", "vjp",
]
