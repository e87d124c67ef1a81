"""Hypothesis strategies for property-testing derivatives.

- ``values()`` and ``tensors()`` draw leaves with finite data in a safe range.
- ``expressions()`` draws a random differentiable expression: a DAG of the
  op table's primitives over a few inputs, with shared subexpressions and
  broadcasting, where every operation stays inside its domain at the drawn
  inputs (with a margin wider than numerical differentiation's steps). Call
  it on its inputs; its ``repr`` is a short program, so a shrunk
  counterexample reads like one.
- ``assert_grads_match_numeric(f, *inputs)`` checks backprop (and with
  ``order=k``, k-th derivatives) against central differences.

>>> from hypothesis import given
>>> @given(expressions())
... def test_backprop_matches_central_differences(expr):
...     assert_grads_match_numeric(expr, *expr.inputs)
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .functional import grad
from .gradcheck import GradcheckError, GradcheckReport, gradcheck
from .node import Node, Tensor, Value
from .ops import TABLE

__all__ = ["values", "tensors", "expressions", "Expression", "assert_grads_match_numeric"]


def _floats(min_value: Any, max_value: Any) -> Any:
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def values(min_value: float = -3.0, max_value: float = 3.0, requires_grad: bool = True) -> st.SearchStrategy[Value]:
    """``Value`` leaves with finite data in [min_value, max_value]."""
    return _floats(min_value, max_value).map(lambda x: Value(x, requires_grad=requires_grad))


def tensors(shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
            elements: st.SearchStrategy[float] | None = None, min_value: float = -3.0, max_value: float = 3.0,
            requires_grad: bool = True) -> st.SearchStrategy[Tensor]:
    """``Tensor`` leaves (float64) of ``shape`` (a tuple, or a strategy for one).

    By default the shape has 0 to 3 axes of 1 to 4 elements, and the elements
    are finite floats in [min_value, max_value]; ``elements`` replaces them.
    """
    if shape is None:
        shape = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
    if elements is None:
        elements = _floats(min_value, max_value)
    return hnp.arrays(np.float64, shape, elements=elements).map(lambda a: Tensor(a, requires_grad=requires_grad))


# ---------------------------------------------------------------------------
# Expressions

# Domain margins, in units of the values (numerical differentiation moves a
# value by about 1e-6 times its derivative, far less than any margin).
LOG_MIN = 0.1  # log and fractional powers: every element ≥ 0.1
DIVISOR_MIN = 0.25  # division and negative powers: every |element| ≥ 0.25
KINK_MARGIN = 0.01  # relu, abs: |x| ≥ 0.01; clip: |x − bound| ≥ 0.01; max: the top two differ by ≥ 0.01
EXP_MAX = 4.0  # exp: x ≤ 4
VALUE_LIMIT = 100.0  # every intermediate |value| ≤ 100
INPUT_RANGE = 2.0  # drawn inputs lie in [−2, 2]

ARC_MAX = 0.9  # arcsin, arccos, arctanh: |x| ≤ 0.9
TAN_MAX = 1.2  # tan: |x| ≤ 1.2, well inside (−π/2, π/2)
ARCCOSH_MIN = 1.1  # arccosh: x ≥ 1.1
SPREAD_MIN = 0.05  # std: every standard deviation ≥ 0.05

ELEMENTWISE = ("add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sin", "cos", "tanh", "sigmoid", "relu",
               "abs", "clip", "mask",
               "tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "arctan2",
               "hypot", "exp2", "expm1", "log2", "log10", "log1p", "logaddexp", "logaddexp2", "square",
               "reciprocal", "sign", "floor", "ceil", "fabs", "maximum", "minimum", "fmax", "fmin", "remainder",
               "deg2rad", "rad2deg",
               "copy", "cbrt", "copysign", "fmod", "round", "rint", "trunc", "floor_divide", "heaviside")
ARRAY_OPS = ("sum", "mean", "max", "dot", "reshape", "transpose", "broadcast_to", "sum_to",
             "getitem", "scatter", "softmax", "log_softmax", "affine", "softmax_cross_entropy",
             "prod", "var", "std", "logsumexp", "cumsum", "cumprod")
# Primitives on 4-D images (N, C, H, W), outside the shapes expressions draw (at most 3 axes):
# checked to second order by their own gradchecks (tests/nn/test_conv.py) instead.
IMAGE_OPS = ("im2col", "col2im")


@dataclass(frozen=True)
class Constant:
    """A literal operand: the exponent in ``x ** 2.0``, class indices for a loss."""

    value: Any  # a float or an integer array

    def __repr__(self) -> str:
        return repr(np.asarray(self.value).item()) if np.ndim(self.value) == 0 else _literal(self.value)


@dataclass(frozen=True)
class Step:
    """``values.append(TABLE[op](*args, **params))``; int args refer to earlier values."""

    op: str
    args: tuple
    params: tuple  # (name, value) pairs


class Expression:
    """A scalar function built from primitives; call it like ``expr(*expr.inputs)``.

    Values are numbered inputs first (x0, x1, …), then step results (v2, …).
    The result is Σₖ sum(wₖ · sinkₖ) over every value no step uses, with
    fixed weights wₖ that differ per element (so a gradient sent to the wrong
    element shows). It runs on plain data, on Values and Tensors, and on
    inputs broadcast to larger shapes (elementwise expressions).
    """

    __name__ = "expression"

    def __init__(self, inputs: Any, steps: Iterable[Any], readout: Iterable[tuple[int, Any]]) -> None:
        self.inputs = tuple(inputs)
        self.steps = tuple(steps)
        self.readout = tuple(readout)  # (value index, weights)
        parameters = [inspect.Parameter(f"x{i}", inspect.Parameter.POSITIONAL_ONLY) for i in range(len(inputs))]
        self.__signature__ = inspect.Signature(parameters)

    def __call__(self, *inputs: Any) -> Any:
        if len(inputs) != len(self.inputs):
            raise TypeError(f"expression: takes {len(self.inputs)} inputs, got {len(inputs)}")
        computed = list(inputs)
        for step in self.steps:
            args = [computed[a] if isinstance(a, int) else a.value for a in step.args]
            computed.append(TABLE[step.op](*args, **dict(step.params)))
        return _weighted_sum((computed[index], weights) for index, weights in self.readout)

    @property
    def ops(self) -> tuple[str, ...]:
        """The primitives used, in order of use."""
        return tuple(step.op for step in self.steps)

    @property
    def shared(self) -> bool:
        """Whether some value feeds more than one operation (or one operation twice)."""
        uses = [a for step in self.steps for a in step.args if isinstance(a, int)]
        return len(uses) != len(set(uses))

    def __repr__(self) -> str:
        lines = [f"Expression with {len(self.inputs)} input(s) and {len(self.steps)} operation(s):"]
        for i, x in enumerate(self.inputs):
            lines.append(f"  x{i} = {_literal(x)}")
        for i, step in enumerate(self.steps, start=len(self.inputs)):
            lines.append(f"  v{i} = {_format_step(step, len(self.inputs))}")
        terms = []
        for index, weights in self.readout:
            name = _name(index, len(self.inputs))
            terms.append(f"{_literal(weights)} * {name}" if np.ndim(weights) == 0
                         else f"sum({_literal(weights)} * {name})")
        lines.append(f"  out = {' + '.join(terms)}")
        return "\n".join(lines)


_INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}


def _name(index: Any, n_inputs: Any) -> Any:
    return f"x{index}" if index < n_inputs else f"v{index}"


def _literal(x: Any) -> Any:
    if np.ndim(x) == 0:
        return repr(float(x))
    return np.array2string(np.asarray(x), precision=6, separator=", ").replace("\n", "")


def _format_step(step: Any, n_inputs: Any) -> str:
    args = [_name(a, n_inputs) if isinstance(a, int) else repr(a) for a in step.args]
    params = dict(step.params)
    if step.op in _INFIX:
        return f"{args[0]} {_INFIX[step.op]} {args[1]}"
    if step.op == "neg":
        return f"-{args[0]}"
    if step.op == "getitem":
        index = params["index"]
        return f"{args[0]}[{index.tolist() if isinstance(index, np.ndarray) else index}]"
    shown = [f"{k}={v.tolist() if isinstance(v, np.ndarray) else v!r}" for k, v in step.params]
    return f"{step.op}({', '.join(args + shown)})"


def _family(base: Any) -> Any:
    """Every shape that broadcasts to ``base`` with each axis either 1 or base's size.

    Any two of them broadcast together to another one, so binary operations
    can combine any values of an expression.
    """
    shapes: list[tuple[int, ...]] = [()]
    for length in range(1, len(base) + 1):
        tail = base[len(base) - length:]
        combos: list[tuple[int, ...]] = [()]
        for size in tail:
            combos = [c + (d,) for c in combos for d in sorted({1, size})]
        shapes.extend(combos)
    return shapes


def _readout_weights(shape: Any, k: Any) -> Any:
    """1.1, 1.2, … over the elements (shifted by 0.25 per sink k): distinct and readable."""
    if shape == ():
        return round(1.1 + 0.25 * k, 2)
    size = int(np.prod(shape))
    return np.round(1.0 + 0.25 * k + 0.1 * np.arange(1, size + 1), 2).reshape(shape)


# Strategies are built once and reused, not rebuilt for every draw.
_BOOLEANS = st.booleans()
_INPUT_FLOATS = _floats(-INPUT_RANGE, INPUT_RANGE)


@functools.lru_cache(maxsize=None)
def _below(n: Any) -> Any:
    return st.integers(0, n - 1)


@functools.lru_cache(maxsize=None)
def _float_lists(size: Any) -> Any:
    return st.lists(_INPUT_FLOATS, min_size=size, max_size=size)


@functools.lru_cache(maxsize=None)
def _integer_lists(bound: Any, size: Any) -> Any:
    return st.lists(_below(bound), min_size=size, max_size=size)


@st.composite
def _inputs(draw: Any, shapes: Any) -> Any:
    """A number or an array of one of ``shapes``, drawn as one unit the shrinker can drop."""
    shape = _choose(draw, shapes)
    if shape == ():
        return draw(_INPUT_FLOATS)
    return np.array(draw(_float_lists(int(np.prod(shape))))).reshape(shape)


def _choose(draw: Any, options: Any) -> Any:
    """One of ``options``, shrinking towards the first."""
    options = list(options)
    return options[draw(_below(len(options)))]


class _Builder:
    """Draws steps that stay inside each primitive's domain at the current values."""

    def __init__(self, computed: Any, base: Any) -> None:
        self.draw: Any = None  # the current step's draw function
        self.computed = computed  # raw values: inputs, then step results
        self.base = base
        self.family = set(_family(base))
        self.distributions: set[int] = set()  # values that are softmax rows along the last axis, for any inputs

    def record(self, step: Any, value: Any) -> None:
        if step.op == "softmax" and dict(step.params)["axis"] == np.ndim(value) - 1:
            self.distributions.add(len(self.computed))
        self.computed.append(value)

    def choose(self, options: Any) -> Any:
        return _choose(self.draw, options)

    def pick(self, accept: Any = lambda v: True) -> Any:
        """Index of an existing value satisfying ``accept`` (shrinks towards x0), or None."""
        candidates = [i for i in range(len(self.computed)) if accept(self.computed[i])]
        return self.choose(candidates) if candidates else None

    def unary(self, op: Any, accept: Any = lambda v: True) -> Any:
        x = self.pick(accept)
        return None if x is None else Step(op, (x,), ())

    def binary(self, op: Any, accept_second: Any = lambda v: True) -> Any:
        y = self.pick(accept_second)
        return None if y is None else Step(op, (self.pick(), y), ())

    def pair(self, op: Any, accept: Any) -> Any:
        """A binary step whose operands (a, b) satisfy ``accept(a, b)`` together."""
        b = self.pick()
        a = self.pick(lambda v: bool(accept(v, self.computed[b])))
        return None if a is None else Step(op, (a, b), ())

    def build(self, op: Any) -> Any:
        return getattr(self, "_" + op)(op)

    # -- elementwise --------------------------------------------------------

    _add = _sub = _mul = binary
    _neg = _sin = _cos = _tanh = _sigmoid = unary

    def _div(self, op: Any) -> Any:
        return self.binary(op, lambda v: np.min(np.abs(v)) >= DIVISOR_MIN)

    def _exp(self, op: Any) -> Any:
        return self.unary(op, lambda v: np.max(v) <= EXP_MAX)

    def _log(self, op: Any) -> Any:
        return self.unary(op, lambda v: np.min(v) >= LOG_MIN)

    def _relu(self, op: Any) -> Any:
        return self.unary(op, lambda v: np.min(np.abs(v)) >= KINK_MARGIN)

    _abs = _sign = _fabs = _relu

    # NumPy's ufuncs
    _arctan = _arcsinh = _square = _deg2rad = _rad2deg = unary
    _logaddexp = _logaddexp2 = binary
    _sinh = _cosh = _exp2 = _expm1 = _exp

    def _tan(self, op: Any) -> Any:
        return self.unary(op, lambda v: np.max(np.abs(v)) <= TAN_MAX)

    def _arcsin(self, op: Any) -> Any:
        return self.unary(op, lambda v: np.max(np.abs(v)) <= ARC_MAX)

    _arccos = _arctanh = _arcsin

    def _arccosh(self, op: Any) -> Any:
        return self.unary(op, lambda v: np.min(v) >= ARCCOSH_MIN)

    _log2 = _log10 = _log

    def _log1p(self, op: Any) -> Any:
        return self.unary(op, lambda v: np.min(v) >= LOG_MIN - 1.0)

    def _reciprocal(self, op: Any) -> Any:
        return self.unary(op, lambda v: np.min(np.abs(v)) >= DIVISOR_MIN)

    def _floor(self, op: Any) -> Any:
        return self.unary(op, lambda v: np.min(np.abs(v - np.round(v))) >= KINK_MARGIN)

    _ceil = _floor

    def _maximum(self, op: Any) -> Any:
        return self.pair(op, lambda a, b: np.min(np.abs(a - b)) >= KINK_MARGIN)

    _minimum = _fmax = _fmin = _maximum

    def _hypot(self, op: Any) -> Any:
        return self.pair(op, lambda a, b: np.min(np.hypot(a, b)) >= DIVISOR_MIN)

    def _arctan2(self, op: Any) -> Any:
        """arctan2(y, x) away from the origin and from its jump along x < 0, y = 0."""
        return self.pair(op, lambda y, x: np.min(np.hypot(y, x)) >= DIVISOR_MIN
                         and np.all((x > 0) | (np.abs(y) >= KINK_MARGIN)))

    def _remainder(self, op: Any) -> Any:
        """x % y with |y| ≥ DIVISOR_MIN and x/y off the integers (where x % y jumps)."""
        def clear(x: Any, y: Any) -> Any:
            if np.min(np.abs(y)) < DIVISOR_MIN:
                return False
            quotient = x / y
            return np.min(np.abs(quotient - np.round(quotient))) >= KINK_MARGIN

        return self.pair(op, clear)

    _copy = unary

    def _cbrt(self, op: Any) -> Any:
        return self.unary(op, lambda v: np.min(np.abs(v)) >= DIVISOR_MIN)

    def _copysign(self, op: Any) -> Any:
        """copysign(x, y) off x = 0 (the kink of |x|) and y = 0 (where the sign flips)."""
        return self.pair(op, lambda x, y: np.min(np.abs(x)) >= KINK_MARGIN and np.min(np.abs(y)) >= KINK_MARGIN)

    _fmod = _floor_divide = _remainder

    def _round(self, op: Any) -> Any:
        """round, rint: off the halves, where they jump."""
        return self.unary(op, lambda v: np.min(np.abs(np.abs(v - np.floor(v)) - 0.5)) >= KINK_MARGIN)

    _rint = _round
    _trunc = _floor

    def _heaviside(self, op: Any) -> Any:
        return self.pair(op, lambda x, y: np.min(np.abs(x)) >= KINK_MARGIN)

    def _mask(self, op: Any) -> Any:
        x = self.pick()
        keep = np.array(self.draw(st.lists(_BOOLEANS, min_size=int(np.size(self.computed[x])),
                                           max_size=int(np.size(self.computed[x]))))).reshape(np.shape(self.computed[x]))
        return Step(op, (x,), (("keep", keep if keep.ndim else bool(keep)),))

    def _clip(self, op: Any) -> Any:
        """clip(x, low, high) or one-sided, with every element off both bounds by the margin."""
        low, high = self.choose([(-1.0, 1.0), (0.0, None), (None, 0.5), (-0.5, 1.5)])

        def clear(v: Any) -> Any:
            return all(bound is None or np.min(np.abs(v - bound)) >= KINK_MARGIN for bound in (low, high))

        x = self.pick(clear)
        return None if x is None else Step(op, (x,), (("low", low), ("high", high)))

    def _pow(self, op: Any) -> Any:
        form = self.choose(["x ** c", "x ** y", "c ** y"])
        if form == "c ** y":
            return Step(op, (Constant(2.0), self.pick()), ())
        if form == "x ** y":
            base = self.pick(lambda v: np.min(v) >= LOG_MIN)
            return None if base is None else Step(op, (base, self.pick()), ())
        exponent = self.choose([2.0, 3.0, 0.5, -1.0, 1.5])
        if exponent in (2.0, 3.0):
            base = self.pick()
        elif exponent == -1.0:
            base = self.pick(lambda v: np.min(np.abs(v)) >= DIVISOR_MIN)
        else:
            base = self.pick(lambda v: np.min(v) >= LOG_MIN)
        return None if base is None else Step(op, (base, Constant(exponent)), ())

    # -- reductions ---------------------------------------------------------

    def _reduction(self, op: Any, accept: Any = lambda v, axis: True) -> Any:
        x = self.pick(lambda v: np.ndim(v) >= 1)
        if x is None:
            return None
        shape = np.shape(self.computed[x])
        axis = self.choose([None, *range(len(shape))] + ([tuple(range(len(shape)))] if len(shape) > 1 else []))
        keepdims = self.draw(_BOOLEANS)
        if _reduced_shape(shape, axis, keepdims) not in self.family:
            keepdims = True
        if not accept(self.computed[x], axis):
            return None
        return Step(op, (x,), (("axis", axis), ("keepdims", keepdims)))

    _sum = _mean = _prod = _logsumexp = _reduction

    def _max(self, op: Any) -> Any:
        return self._reduction(op, _no_ties)

    def _var(self, op: Any, accept: Any = lambda v, axis, ddof: True) -> Any:
        step = self._reduction(op)
        if step is None:
            return None
        params = dict(step.params)
        x = self.computed[step.args[0]]
        n = int(np.prod([np.shape(x)[a] for a in _axes_of(params["axis"], np.ndim(x))]))
        ddof = self.choose([0, 1] if n > 1 else [0])
        if not accept(x, params["axis"], ddof):
            return None
        return Step(op, step.args, step.params + (("ddof", ddof),))

    def _std(self, op: Any) -> Any:
        return self._var(op, lambda v, axis, ddof: np.min(np.std(v, axis=axis, ddof=ddof)) >= SPREAD_MIN)

    def _cumsum(self, op: Any) -> Any:
        x = self.pick(lambda v: np.ndim(v) >= 1)
        if x is None:
            return None
        return Step(op, (x,), (("axis", self.choose(range(np.ndim(self.computed[x])))),))

    _cumprod = _cumsum

    def _softmax(self, op: Any) -> Any:
        x = self.pick(lambda v: np.ndim(v) >= 1)
        if x is None:
            return None
        axis = self.choose(range(np.ndim(self.computed[x])))
        return Step(op, (x,), (("axis", axis),))

    _log_softmax = _softmax

    # -- linear algebra and shape -------------------------------------------

    def _dot(self, op: Any) -> Any:
        def aligned(a: Any, b: Any) -> Any:
            sa, sb = np.shape(a), np.shape(b)
            return (len(sa) in (1, 2) and len(sb) in (1, 2) and sa[-1] == sb[0]
                    and sa[:-1] + sb[1:] in self.family)

        b = self.pick(lambda v: any(aligned(a, v) for a in self.computed))
        if b is None:
            return None
        return Step(op, (self.pick(lambda v: aligned(v, self.computed[b])), b), ())

    def _affine(self, op: Any) -> Any:
        """x·W + b, taking b as row 0 of a matrix (W itself will do) when no value fits it."""
        def rows_for(W: Any) -> Any:
            return [i for i, v in enumerate(self.computed)
                    if np.ndim(v) in (1, 2) and np.shape(v)[-1] == np.shape(W)[0]
                    and np.shape(v)[:-1] + np.shape(W)[1:] in self.family]

        W = self.pick(lambda v: np.ndim(v) == 2 and bool(rows_for(v)))
        if W is None:
            return None
        x = self.choose(rows_for(self.computed[W]))
        outputs = np.shape(self.computed[W])[1:]
        b = self.pick(lambda v: np.shape(v) == outputs)
        if b is not None:
            return Step(op, (x, W, b), ())
        matrix = self.pick(lambda v: np.ndim(v) == 2 and np.shape(v)[1:] == outputs)
        return [Step("getitem", (matrix,), (("index", 0),)), Step(op, (x, W, len(self.computed)), ())]

    def _softmax_cross_entropy(self, op: Any) -> Any:
        logits = self.pick(lambda v: np.ndim(v) >= 1)
        if logits is None:
            return None
        shape = np.shape(self.computed[logits])
        form = self.choose(["indices", "probabilities", "softmax", "weights"])
        if form == "indices":  # constant class indices
            indices = np.array(self.draw(_integer_lists(shape[-1], int(np.prod(shape[:-1]))))).reshape(shape[:-1])
            return Step(op, (logits, Constant(indices)), ())
        rows = [i for i in self.distributions if np.shape(self.computed[i]) == shape]
        if form == "softmax" and rows:  # a differentiable distribution
            return Step(op, (logits, self.choose(sorted(rows))), ())
        weights = np.array(self.draw(_integer_lists(4, int(np.prod(shape)))), dtype=float).reshape(shape) + 1.0
        if form == "weights":  # rows that do not sum to 1 (soft counts)
            return Step(op, (logits, Constant(weights / 2.0)), ())
        return Step(op, (logits, Constant(weights / weights.sum(axis=-1, keepdims=True))), ())

    def _transpose(self, op: Any) -> Any:
        return self.unary(op, lambda v: np.ndim(v) == 2 and np.shape(v)[::-1] in self.family)

    def _shape_change(self, op: Any, related: Any) -> Any:
        """reshape, broadcast_to or sum_to: to another family shape ``related`` to x's."""
        def targets(v: Any) -> Any:
            return [s for s in _family(self.base) if s != np.shape(v) and related(np.shape(v), s)]

        x = self.pick(lambda v: bool(targets(v)))
        if x is None:
            return None
        shape = self.choose(targets(self.computed[x]))
        return Step(op, (x,), (("shape", shape),))

    def _reshape(self, op: Any) -> Any:
        return self._shape_change(op, lambda old, new: np.prod(old) == np.prod(new))

    def _broadcast_to(self, op: Any) -> Any:
        return self._shape_change(op, _broadcasts_to)

    def _sum_to(self, op: Any) -> Any:
        return self._shape_change(op, lambda old, new: _broadcasts_to(new, old))

    def _getitem(self, op: Any) -> Any:
        x = self.pick(lambda v: np.ndim(v) >= 1)
        if x is None:
            return None
        length = np.shape(self.computed[x])[0]
        if self.draw(_BOOLEANS):
            index = self.choose(range(length))  # drops the first axis
        else:  # a gather keeping the shape, repeats allowed
            index = np.array(self.draw(_integer_lists(length, length)))
        return Step(op, (x,), (("index", index),))

    def _scatter(self, op: Any) -> Any:
        def new_shape(v: Any) -> Any:
            shape = np.shape(v)
            if not 1 <= len(shape) < len(self.base):
                return None
            return (self.base[len(self.base) - len(shape) - 1],) + shape

        x = self.pick(lambda v: new_shape(v) is not None)
        if x is None:
            return None
        shape = new_shape(self.computed[x])
        index = self.choose(range(shape[0]))
        return Step(op, (x,), (("index", index), ("shape", shape)))


def _weighted_sum(pairs: Any) -> Any:
    """Σ sum(w · x) over (x, w) pairs: a scalar node, or a float on plain data."""
    total = None
    for x, w in pairs:
        term = x * w
        if np.ndim(term.data if isinstance(term, Node) else term) > 0:
            term = TABLE["sum"](term)
        total = term if total is None else total + term
    return total


@st.composite
def _steps(draw: Any, builder: Any, groups: Any) -> Any:
    """One step (or a short run of steps) with values, or ([], []): one unit for the shrinker to drop."""
    builder.draw = draw
    group = builder.choose(groups)  # elementwise or array primitives
    steps = builder.build(builder.choose(group))
    if steps is None:
        return [], []
    steps = steps if isinstance(steps, list) else [steps]
    values: list[Any] = []
    for step in steps:
        known = builder.computed + values
        args = [known[a] if isinstance(a, int) else a.value for a in step.args]
        with np.errstate(all="ignore"):
            value = TABLE[step.op](*args, **dict(step.params))
        if np.shape(value) not in builder.family or not _acceptable(value):
            return [], []
        values.append(value)
    return steps, values


def _axes_of(axis: Any, ndim: Any) -> Any:
    return tuple(range(ndim)) if axis is None else axis if isinstance(axis, tuple) else (axis,)


def _reduced_shape(shape: Any, axis: Any, keepdims: Any) -> Any:
    axes = _axes_of(axis, len(shape))
    if keepdims:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _broadcasts_to(old: Any, new: Any) -> Any:
    return len(old) <= len(new) and all(o in (1, n) for o, n in zip(old[::-1], new[::-1]))


def _reduced_last(v: Any, axis: Any) -> Any:
    """v with the axes a reduction runs over moved last and flattened into one."""
    v = np.asarray(v)
    axes = _axes_of(axis, v.ndim)
    moved = np.transpose(v, [a for a in range(v.ndim) if a not in axes] + list(axes))
    return moved.reshape(moved.shape[:v.ndim - len(axes)] + (-1,))


def _no_ties(v: Any, axis: Any) -> Any:
    """The largest element along ``axis`` (an int, a tuple or None) beats the runner-up by KINK_MARGIN."""
    top = np.sort(_reduced_last(v, axis), axis=-1)
    if top.shape[-1] < 2:
        return True
    return bool(np.min(top[..., -1] - top[..., -2]) >= KINK_MARGIN)


def _acceptable(value: Any) -> Any:
    return bool(np.all(np.isfinite(value))) and float(np.max(np.abs(value))) <= VALUE_LIMIT


def _plain_input(x: Any) -> Any:
    if isinstance(x, Node):
        x = x.data
    return np.array(x, dtype=np.float64) if np.ndim(x) else float(x)


def expressions(*, max_inputs: int = 3, min_ops: int = 1, max_ops: int = 6, scalar: bool = False,
                ops: Collection[str] | None = None,
                inputs: Sequence[Any] | None = None) -> st.SearchStrategy[tuple[Expression, tuple[Any, ...]]]:
    """Random differentiable expressions (``Expression``) with their inputs.

    Up to ``max_inputs`` inputs in [−2, 2]. ``scalar=True`` keeps to
    numbers and elementwise primitives, so the
    expression also runs on Values and on broadcast tensors. Otherwise a base
    shape of up to two axes is drawn (the first input's), the other inputs
    take shapes that broadcast to it (numbers included), and every primitive
    in the op table may appear.
    Between ``min_ops`` and ``max_ops`` primitives are applied (fewer when,
    after a few tries, none of those drawn applies to any value).
    ``ops`` restricts the primitives by name; ``inputs`` fixes the inputs
    (their shapes must broadcast together). Each primitive is applied only
    where it is smooth and defined at the drawn inputs.
    """
    if not (isinstance(max_inputs, int) and max_inputs >= 1):
        raise ValueError(f"expressions: max_inputs must be a positive int, got {max_inputs!r}")
    if not (isinstance(min_ops, int) and isinstance(max_ops, int) and 0 <= min_ops <= max_ops):
        raise ValueError(f"expressions: need 0 ≤ min_ops ≤ max_ops, got {min_ops!r} and {max_ops!r}")
    elementwise, array_ops = ELEMENTWISE, () if scalar else ARRAY_OPS
    if ops is not None:
        unknown = set(ops) - set(elementwise + array_ops)
        if unknown:
            raise ValueError(f"expressions: cannot generate {sorted(unknown)}"
                             f"{' with scalar=True' if scalar else ''}; choose from {elementwise + array_ops}")
        elementwise = tuple(op for op in elementwise if op in ops)
        array_ops = tuple(op for op in array_ops if op in ops)
        if not elementwise + array_ops:
            raise ValueError("expressions: ops is empty")
    point = None
    if inputs is not None:
        point = [_plain_input(x) for x in inputs]
        try:
            base = np.broadcast_shapes(*[np.shape(x) for x in point])
        except ValueError:
            raise ValueError(f"expressions: the inputs' shapes {[np.shape(x) for x in point]} "
                             "do not broadcast together") from None
        if scalar and base != ():
            raise ValueError(f"expressions: scalar=True needs scalar inputs, got shapes broadcasting to {base}")
        if base == () and not elementwise:
            raise ValueError(f"expressions: none of {sorted(ops)} applies to scalar inputs")  # type: ignore[arg-type]  # given: ELEMENTWISE is never empty
    return _expressions(max_inputs, min_ops, max_ops, scalar, elementwise, array_ops, point)


@st.composite
def _expressions(draw: Any, max_inputs: Any, min_ops: Any, max_ops: Any, scalar: Any, elementwise: Any, array_ops: Any,
                 point: Any) -> Any:
    if point is not None:  # fixed inputs; each expression gets its own copies
        point = [np.copy(x) if np.ndim(x) else x for x in point]
        base = np.broadcast_shapes(*[np.shape(x) for x in point])
    else:
        if scalar:
            base = ()
        else:  # one or two axes; square matrices let dot and transpose apply
            side = 1 + draw(_below(3))
            bases = [(side,), (side, side), (1 + draw(_below(3)), side)]
            base = _choose(draw, bases + [()] if elementwise else bases)
        point = [draw(_inputs((base,)))]  # x0 has the base shape
        for _ in range(draw(_below(max_inputs))):
            point.append(draw(_inputs(tuple(_family(base)))))
    groups = [group for group in (elementwise, array_ops if base != () else ()) if group]

    computed = list(point)
    builder = _Builder(computed, base)
    steps: list[Any] = []
    wanted = _choose(draw, range(min_ops, max_ops + 1))
    for _ in range(3 * wanted):  # some draws find no operand in the domain; try again
        if len(steps) >= wanted:
            break
        new_steps, values = draw(_steps(builder, groups))
        for step, value in zip(new_steps, values):
            steps.append(step)
            builder.record(step, value)

    used = {a for step in steps for a in step.args if isinstance(a, int)}
    sinks = [i for i in range(len(computed)) if i not in used]
    readout = [(i, _readout_weights(np.shape(computed[i]), k)) for k, i in enumerate(sinks)]
    return Expression(point, steps, readout)


# ---------------------------------------------------------------------------
# Assertions


def assert_grads_match_numeric(f: Callable[..., Any], *inputs: Any, order: int = 1, eps: float = 1e-6,
                               atol: float = 1e-5, rtol: float = 1e-3,
                               modes: Sequence[str] = ("rev", "fwd")) -> GradcheckReport:
    """Assert the derivatives of scalar ``f``, by backprop and forward mode, agree with central differences.

    ``order=1`` checks the gradient (``gradcheck``). ``order=k`` checks the
    k-th derivative: with fixed weights w, the gradient of
    d(x) = Σᵢ sum(wᵢ · ∂f/∂xᵢ) (a Hessian-vector product for k = 2), computed
    through ``grad`` nested k times (forward mode: forward over k − 1
    reverse passes), against central differences of d, which backprop
    evaluates to order k − 1. ``modes`` is passed to ``gradcheck``. Returns
    the ``GradcheckReport``.
    """
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"assert_grads_match_numeric: order must be a positive int, got {order!r}")
    point = [_plain_input(x) for x in inputs]
    target = f
    for _ in range(order - 1):
        target = _weighted_gradient(target, point)
    try:
        return gradcheck(target, *point, eps=eps, atol=atol, rtol=rtol, modes=modes)
    except GradcheckError as error:
        raise AssertionError(str(error) if order == 1 else f"order {order}: {error}") from None


def _weighted_gradient(f: Any, point: Any) -> Any:
    """x ↦ Σᵢ sum(wᵢ · ∂f/∂xᵢ(x)), the derivative of f along the direction w."""
    gradient = grad(f, argnums=tuple(range(len(point))))
    weights = [_readout_weights(np.shape(x), k) for k, x in enumerate(point)]

    def directional(*xs: Any) -> Any:
        return _weighted_sum(zip(gradient(*xs), weights))

    directional.__name__ = f"grad({getattr(f, '__name__', 'f')})·w"
    try:
        directional.__signature__ = inspect.signature(f)  # type: ignore[attr-defined]  # what inspect reads
    except (TypeError, ValueError):
        pass
    return directional
