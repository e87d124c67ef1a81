"""NumPy's protocols on nodes: every NumPy function either records or says what to use.

``np.exp(t)``, ``array * t`` and ``np.sum(t, axis=0)`` reach a node's
``__array_ufunc__`` or ``__array_function__``, which hand them here:

- a ufunc named in ``UFUNCS`` or a function in ``ARRAY_FUNCTIONS`` runs its
  recorded counterpart (a primitive, or a composite of primitives);
- a function in ``NO_GRADIENT_FUNCTIONS`` or a ufunc in ``NO_GRADIENT_UFUNCS``
  has no gradient to give (shapes, comparisons, arg-max, tests for nan, …)
  and runs on the plain data;
- anything else is a ``TypeError`` naming the function and what to use
  instead, so no NumPy function computes on the plain data and silently
  drops the gradient;
- where NumPy takes the plain array without either hook (``np.asarray(t)``,
  ``np.array([t, u])``, ``ndarray.dot(t)``, a list of Tensors given to
  ``np.sum``), a Tensor that requires a gradient refuses while recording is
  on (``Tensor.__array__``), a ``TypeError`` too.

Other modules add their NumPy counterparts with ``register(np.func, fn)``;
``fn`` takes NumPy's signature, or is wrapped by ``numpy_signature`` first.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

import numpy as np

from . import functions, ops, statistics
from .node import Node, Tensor, _plain

if TYPE_CHECKING:
    from .typing import Operand

UFUNCS: dict[str, Callable[..., Any]] = {}  # ufunc name -> recorded function of the ufunc's inputs
# NumPy function -> recorded function with NumPy's signature
ARRAY_FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {}

# Answers about the data that have no gradient: they run on the plain data.
NO_GRADIENT_UFUNCS = frozenset({
    "less", "less_equal", "greater", "greater_equal", "isfinite", "isinf", "isnan", "signbit",
    "logical_not", "logical_and", "logical_or", "logical_xor",
})
NO_GRADIENT_FUNCTIONS = frozenset({
    np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj, np.iscomplex, np.isreal,
    np.argmax, np.argmin, np.argsort, np.argwhere, np.nonzero, np.flatnonzero, np.count_nonzero,
    np.searchsorted, np.array_equal, np.array_equiv, np.allclose, np.isclose, np.all, np.any,
    np.isposinf, np.isneginf, np.shares_memory, np.may_share_memory,
    np.array_repr, np.array_str, np.array2string,
})
_METHOD_HINTS = {  # ufunc methods with a recorded equivalent
    ("add", "reduce"): "autograd.sum", ("multiply", "reduce"): "autograd.prod",
    ("maximum", "reduce"): "autograd.max", ("minimum", "reduce"): "autograd.min",
    ("add", "accumulate"): "autograd.cumsum", ("multiply", "accumulate"): "autograd.cumprod",
}
_ARGUMENT_HINTS = {
    "out": "use the returned node (nodes are never written in place)",
    "dtype": "convert the data first, e.g. Tensor(t.data.astype(np.float32))",
    "where": "mask the input instead, e.g. np.sum(t * mask)",
    "initial": "combine the result with the initial value afterwards",
}


def register(np_func: Any, fn: Any) -> Any:
    """Make ``np_func`` record on nodes by calling ``fn`` (a ufunc by name, any other function by identity)."""
    if isinstance(np_func, np.ufunc):
        UFUNCS[np_func.__name__] = fn
    elif callable(np_func):
        ARRAY_FUNCTIONS[np_func] = fn
    else:
        raise TypeError(f"register: expected a NumPy function or ufunc, got {type(np_func).__name__}")
    return fn


def _kind(inputs: tuple[Any, ...]) -> str:
    return next((type(x).__name__ for x in inputs if isinstance(x, Node)), "Tensor")


def array_ufunc(ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Node.__array_ufunc__``: record, answer on the plain data, or refuse clearly."""
    name = ufunc.__name__
    if name in ("equal", "not_equal") and method == "__call__" and not kwargs:
        # Nodes compare by identity (they are hashed so); an array is never a node.
        same = len(inputs) == 2 and inputs[0] is inputs[1]
        return same if name == "equal" else not same
    if method == "__call__" and not kwargs:
        if name in NO_GRADIENT_UFUNCS:
            return ufunc(*_plain(inputs))
        recorded = UFUNCS.get(name)
        if recorded is not None:
            return recorded(*inputs)
    call = f"np.{name}" + ("" if method == "__call__" else f".{method}")
    if kwargs:
        hint = "; ".join(f"instead of {key}=, {_ARGUMENT_HINTS.get(key, 'leave it out')}" for key in sorted(kwargs))
        raise TypeError(f"{call} with {', '.join(sorted(kwargs))}= is not supported on {_kind(inputs)} nodes: {hint}")
    if method != "__call__":
        instead = _METHOD_HINTS.get((name, method))
        use = f"use {instead}" if instead else "use autograd's functions"
    else:
        use = "use autograd's functions"
    raise TypeError(
        f"{call} is not supported on {_kind(inputs)} nodes, as it has no recorded counterpart; {use} "
        f"(the ufuncs that record: {', '.join('np.' + n for n in sorted(UFUNCS))}), "
        "or x.data for the plain numbers without a gradient"
    )


def array_function(func: Callable[..., Any], types: Collection[type], args: tuple[Any, ...],
                   kwargs: dict[str, Any]) -> Any:
    """``Node.__array_function__``: record, answer on the plain data, or refuse clearly."""
    recorded = ARRAY_FUNCTIONS.get(func)
    if recorded is not None:
        return recorded(*args, **kwargs)
    if func in NO_GRADIENT_FUNCTIONS:
        return func(*_plain(args), **_plain(kwargs))
    name = getattr(func, "__name__", repr(func))
    module = getattr(func, "__module__", "numpy") or "numpy"
    qualified = f"np.{name}" if module.startswith("numpy") and "linalg" not in module else f"{module}.{name}"
    kind = next((t.__name__ for t in types if issubclass(t, Node)), "Tensor")
    raise TypeError(
        f"{qualified} does not record on {kind} nodes, so its result would have no gradient; "
        "use autograd's functions (autograd.PRIMITIVES lists the primitives), or pass t.data "
        "for the plain numbers without a gradient"
    )


def numpy_signature(np_func: Callable[..., Any], fn: Callable[..., Any], arrays: int = 1,
                    rename: dict[str, str] | None = None) -> Callable[..., Any]:
    """``fn`` called the way ``np_func`` is: positional or keyword arguments by NumPy's names.

    The first ``arrays`` arguments go to ``fn`` positionally, the rest by
    keyword (renamed by ``rename``). An argument given as NumPy's default is
    dropped (so ``fn``'s own default applies); one that ``fn`` does not take (``out=``, ``dtype=``, ``where=``,
    …) is a ``TypeError`` that says what to do instead.
    """
    signature = inspect.signature(np_func)
    accepted = set(inspect.signature(fn).parameters)
    rename = rename or {}
    name = f"np.{np_func.__name__}"

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{name}: {error}") from None
        given: list[tuple[str, Any, Any]] = []
        for key, value in bound.arguments.items():
            parameter = signature.parameters[key]
            if parameter.kind is parameter.VAR_KEYWORD:
                given.extend((k, v, inspect.Parameter.empty) for k, v in value.items())
            else:
                given.append((key, value, parameter.default))
        positional = [value for _, value, _ in given[:arrays]]
        options = {}
        for key, value, default in given[arrays:]:
            if value is np._NoValue or value is default or (
                    isinstance(value, (str, bool)) and value == default):
                continue
            target = rename.get(key, key)
            if target not in accepted:
                hint = _ARGUMENT_HINTS.get(key, "leave it out")
                raise TypeError(f"{name}: the argument {key}= is not supported on nodes; {hint}")
            options[target] = value
        return fn(*positional, **options)

    call.__name__ = np_func.__name__
    call.__doc__ = f"{name} on nodes, recorded as {getattr(fn, '__qualname__', fn)}."
    return call


# -- the op table's counterparts of NumPy's ufuncs -------------------------------

for _name in ("add", "subtract", "multiply", "divide", "true_divide", "negative", "power", "exp", "log", "sin",
              "cos", "tanh", "absolute", "tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh",
              "arccosh", "arctanh", "arctan2", "hypot", "exp2", "expm1", "log2", "log10", "log1p", "logaddexp",
              "logaddexp2", "square", "reciprocal", "sign", "floor", "ceil", "fabs", "maximum", "minimum", "fmax",
              "fmin", "remainder", "deg2rad", "rad2deg", "sqrt", "positive", "matmul"):
    register(getattr(np, _name), {
        "subtract": ops.sub, "multiply": ops.mul, "divide": ops.div, "true_divide": ops.div,
        "negative": ops.neg, "power": ops.pow, "absolute": ops.abs, "matmul": ops.dot,
        "sqrt": functions.sqrt, "positive": functions.positive}.get(_name) or getattr(ops, _name))
register(np.mod, ops.remainder)  # np.mod is np.remainder; spelled out for the reader
for _name in ("cbrt", "copysign", "fmod", "rint", "trunc", "floor_divide", "heaviside"):
    register(getattr(np, _name), getattr(ops, _name))
register(np.float_power, functions.float_power)
UFUNCS["degrees"] = UFUNCS["rad2deg"]
UFUNCS["radians"] = UFUNCS["deg2rad"]

# -- NumPy's functions with a recorded counterpart -----------------------------------

for _np_func, _fn, _options in (
    (np.sum, functions.sum, {}), (np.mean, functions.mean, {}), (np.max, functions.max, {}),
    (np.amax, functions.max, {}), (np.min, functions.min, {}), (np.amin, functions.min, {}),
    (np.prod, functions.prod, {}), (np.var, functions.var, {"rename": {"correction": "ddof"}}),
    (np.std, functions.std, {"rename": {"correction": "ddof"}}), (np.ptp, functions.ptp, {}),
    (np.cumsum, functions.cumsum, {}), (np.cumprod, functions.cumprod, {}), (np.sinc, functions.sinc, {}),
    (np.dot, functions.dot, {"arrays": 2}), (np.reshape, functions.reshape, {}),
    (np.transpose, functions.transpose, {}), (np.broadcast_to, functions.broadcast_to, {}),
    (np.clip, functions.clip, {"rename": {"a_min": "low", "a_max": "high", "min": "low", "max": "high"}}),
    (np.copy, functions.copy, {}), (np.round, functions.round, {}), (np.around, functions.around, {}),
    (np.fix, functions.fix, {}),
):
    register(_np_func, numpy_signature(_np_func, _fn, **_options))
for _np_func, _fn in statistics.ARRAY_FUNCTIONS.items():  # average, the nan-reductions, quantiles, cov, …
    register(_np_func, numpy_signature(_np_func, _fn, rename={"correction": "ddof"}))


# -- ndarray's methods and operators that nodes have too ----------------------------

def _mod(self: Any, other: Operand) -> Node:
    return ops.remainder(self, other)


def _rmod(self: Any, other: Operand) -> Node:
    return ops.remainder(other, self)


def _floordiv(self: Any, other: Operand) -> Node:
    return ops.floor_divide(self, other)


def _rfloordiv(self: Any, other: Operand) -> Node:
    return ops.floor_divide(other, self)


def _install_methods() -> None:
    """x % y and x // y for every node; t.prod(), .var(), .std(), .cumsum(), .cumprod(), .copy(), .round()."""
    Node.__mod__, Node.__rmod__ = _mod, _rmod  # type: ignore[method-assign]  # declared in node.py
    Node.__floordiv__, Node.__rfloordiv__ = _floordiv, _rfloordiv  # type: ignore[method-assign]  # (so are these)
    for method in (functions.prod, functions.var, functions.std, functions.cumsum, functions.cumprod,
                   functions.copy, functions.round):
        setattr(Tensor, method.__name__, method)


_install_methods()
