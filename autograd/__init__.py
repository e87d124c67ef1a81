"""A small define-by-run automatic differentiation engine.

``Value`` wraps a Python float and ``Tensor`` a NumPy array; every operation
on them is recorded, and ``.backward()`` applies the chain rule in reverse.

>>> from autograd import Value
>>> x = Value(3.0); y = x * x + 2 * x; y.backward(); x.grad
8.0

Derivatives as functions (``grad``, ``value_and_grad``, ``jacobian``,
``hessian``, ``hvp``, on containers of arguments too), gradient checking
(``numerical_grad``, ``gradcheck``) and ``detect_anomaly()`` live here too;
``autograd.testing`` (which needs hypothesis) has strategies for property
tests of derivatives. NumPy's array and linear-algebra functions record on
nodes (``array_ops``, ``linalg``): ``np.concatenate(ts)``, ``np.einsum``,
``np.linalg.solve``, batched ``@``.
"""

from ._guard import check_sole_owner as _check_sole_owner; _check_sole_owner(__name__)  # first: a clash over the name

from .node import Node, Tensor, Value
from . import operators as _operators  # noqa: F401  (gives nodes their operators and methods)
from .engine import Group, InPlaceEditError, enable_grad, group, is_grad_enabled, no_grad
from .ops import TABLE as PRIMITIVES, Primitive, abs, add, affine, cos, div, exp, log, mul, neg, pow, relu, sin, sub, tanh
from .ops import softmax_cross_entropy
from .ops import (  # NumPy's ufuncs as primitives
    arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh, ceil, cosh, deg2rad, exp2, expm1, fabs, floor,
    fmax, fmin, hypot, log1p, log2, log10, logaddexp, logaddexp2, maximum, minimum, rad2deg, reciprocal,
    remainder, sign, sinh, square, tan,
)
from .ops import remainder as mod, rad2deg as degrees, deg2rad as radians, neg as negative, pow as power
from .functions import (
    broadcast_to,
    clip,
    getitem,
    log_softmax,
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
from .functions import cumprod, cumsum, logsumexp, positive, prod, ptp, sinc, std, var
from .functional import grad, hessian, hvp, jacobian, value_and_grad
from .forward import jvp, linearize, vjp
from .conv import col2im, conv2d, conv_output_size, im2col, max_pool2d
from .gradcheck import GradcheckError, GradcheckReport, gradcheck, numerical_grad
from .anomaly import AnomalyError, detect_anomaly
from . import array_ops, linalg
from .array_ops import (
    array, array_split, atleast_1d, atleast_2d, atleast_3d, column_stack, concatenate, diag, diagonal, diff,
    dsplit, dstack, expand_dims, flatten, flip, fliplr, flipud, hsplit, hstack, moveaxis, pad, partition, ravel,
    repeat, roll, rollaxis, rot90, select, sort, split, squeeze, stack, swapaxes, take, take_along_axis, tile,
    trace, tril, triu, vsplit, vstack, where,
)
from .linalg import cross, det, dot, einsum, inner, inv, kron, matmul, norm, outer, slogdet, solve, tensordot
from .ops import cbrt, copysign, floor_divide, fmod, heaviside, rint, trunc
from .functions import around, copy, fix, float_power, round
from .array_ops import (
    append, broadcast_arrays, convolve, correlate, delete, insert, meshgrid, nan_to_num, trapezoid, vdot,
)
from . import statistics
from .statistics import (
    average, corrcoef, cov, median, nancumprod, nancumsum, nanmax, nanmean, nanmedian, nanmin, nanpercentile,
    nanprod, nanquantile, nanstd, nansum, nanvar, percentile, quantile,
)

__all__ = [
    "Node", "Value", "Tensor", "Group", "Primitive", "PRIMITIVES", "InPlaceEditError",
    "no_grad", "enable_grad", "is_grad_enabled", "group", "zero_grad",
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sin", "cos", "tanh",
    "sigmoid", "sigmoid_composite", "relu", "abs", "clip", "sqrt", "dot", "matmul", "sum", "mean", "max", "min",
    "reshape", "transpose", "broadcast_to", "sum_to", "getitem", "softmax", "log_softmax",
    "affine", "softmax_cross_entropy",
    "grad", "value_and_grad", "jacobian", "hessian", "hvp", "numerical_grad", "gradcheck", "GradcheckError", "GradcheckReport",
    "detect_anomaly", "AnomalyError",
    "im2col", "col2im", "conv2d", "max_pool2d", "conv_output_size",
    "array", "array_split", "atleast_1d", "atleast_2d", "atleast_3d", "column_stack", "concatenate", "diag",
    "diagonal", "diff", "dsplit", "dstack", "expand_dims", "flatten", "flip", "fliplr", "flipud", "hsplit",
    "hstack", "moveaxis", "pad", "partition", "ravel", "repeat", "roll", "rollaxis", "rot90", "select", "sort",
    "split", "squeeze", "stack", "swapaxes", "take", "take_along_axis", "tile", "trace", "tril", "triu",
    "vsplit", "vstack", "where",
    "cross", "det", "einsum", "inner", "inv", "kron", "norm", "outer", "slogdet", "solve", "tensordot",
]
__all__ += [
    "tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "arctan2", "hypot",
    "exp2", "expm1", "log2", "log10", "log1p", "logaddexp", "logaddexp2", "square", "reciprocal", "sign",
    "floor", "ceil", "fabs", "maximum", "minimum", "fmax", "fmin", "remainder", "mod", "deg2rad", "rad2deg",
    "degrees", "radians", "negative", "positive", "power",
    "prod", "var", "std", "cumsum", "cumprod", "ptp", "logsumexp", "sinc",
    "jvp", "linearize", "vjp",
]
__all__ += [
    "copy", "cbrt", "float_power", "copysign", "fmod", "round", "around", "rint", "trunc", "fix", "floor_divide",
    "heaviside", "nan_to_num",
    "average", "nansum", "nanmean", "nanmax", "nanmin", "nanvar", "nanstd", "nanprod", "nancumsum", "nancumprod",
    "median", "percentile", "quantile", "nanmedian", "nanpercentile", "nanquantile", "cov", "corrcoef",
    "vdot", "trapezoid", "append", "insert", "delete", "broadcast_arrays", "meshgrid", "convolve", "correlate",
]
