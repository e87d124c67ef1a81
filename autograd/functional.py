"""Derivatives as function transformations: ``grad(f)`` and ``value_and_grad(f)``.

``grad(f)`` is a new function that returns ∂f/∂x at the point it is called
with. It composes: ``grad(grad(f))`` is the second derivative, because inside
an enclosing ``grad`` the backward pass is itself recorded
(``create_graph``) and the gradients come back as nodes.

>>> grad(grad(grad(lambda x: x**4)))(2.0)       # d³/dx³ x⁴ = 24x
48.0
"""

import threading

import numpy as np

from . import engine, ops
from .node import Node, Tensor, Value

_NUMBER_TYPES = (bool, int, float, np.integer, np.floating)


class _Nesting(threading.local):
    depth = 0  # how many grad-transformed functions are running in this thread


_nesting = _Nesting()


def grad(f, argnums=0):
    """The gradient of a scalar-valued ``f`` as a function of the same arguments.

    ``grad(f)(x)`` is ∂f/∂x at x; with ``argnums=(0, 1)`` it is the tuple
    (∂f/∂x, ∂f/∂y). Each gradient comes back in the kind of its argument: a
    float for a number, an ndarray for an array, a node for a Value or Tensor
    (recorded, so it can be differentiated again; a Value that met Tensors
    gets a 0-d Tensor). Inside another ``grad``, gradients are always nodes. Arguments not in ``argnums`` and keyword
    arguments are passed through unchanged; each differentiated argument is an
    independent variable, even when two of them are the same object. Nothing
    is left in the ``.grad`` of any node ``f`` touches.
    """
    evaluate = _transformation(f, argnums, "grad")

    def gradient(*args, **kwargs):
        return evaluate(args, kwargs)[1]

    return _named(gradient, "grad", f, argnums)


def value_and_grad(f, argnums=0):
    """Like ``grad`` but returns ``(f(*args), gradient)`` from a single forward pass.

    The value is the output node when the pass is recorded (arguments that
    are nodes needing gradients, or inside another ``grad``), else a float.
    """
    evaluate = _transformation(f, argnums, "value_and_grad")

    def value_and_gradient(*args, **kwargs):
        return evaluate(args, kwargs)

    return _named(value_and_gradient, "value_and_grad", f, argnums)


def _named(function, transform, f, argnums):
    name = getattr(f, "__name__", type(f).__name__)
    function.__name__ = function.__qualname__ = f"{transform}({name})"
    function.__doc__ = f"{transform} of {name} with respect to argument(s) {argnums}."
    function.__wrapped__ = f
    return function


def _transformation(f, argnums, transform):
    """Validate once, and return ``evaluate(args, kwargs) -> (value, gradients)``."""
    if not callable(f):
        raise TypeError(f"{transform}: expected a function, got {type(f).__name__}")
    positions, single = _check_argnums(argnums, transform)
    name = getattr(f, "__name__", type(f).__name__)

    def evaluate(args, kwargs):
        wanted = _resolve(positions, len(args), transform, name)
        nested = _nesting.depth > 0
        variables, kinds = [], []
        call_args = list(args)
        for position in wanted:
            variable, kind = _as_variable(args[position], position, transform, name)
            variables.append(variable)
            kinds.append(kind)
            call_args[position] = variable
        create_graph = nested or any(k == "node" and args[p].requires_grad for k, p in zip(kinds, wanted))

        _nesting.depth += 1
        try:
            if engine.is_grad_enabled():
                out = f(*call_args, **kwargs)
            else:
                with engine.enable_grad():
                    out = f(*call_args, **kwargs)
        finally:
            _nesting.depth -= 1

        _check_scalar_output(out, transform, name)
        raw_grads = _gradients(out, variables, create_graph)
        grads = tuple(
            _in_kind(g, variable, kind, nested) for g, variable, kind in zip(raw_grads, variables, kinds)
        )
        value = out if create_graph and isinstance(out, Node) else _plain_scalar(out)
        return value, grads[0] if single else grads

    return evaluate


def _check_argnums(argnums, transform):
    """(positions, single) from an int or a non-empty sequence of distinct ints."""
    if isinstance(argnums, (int, np.integer)) and not isinstance(argnums, bool):
        return (int(argnums),), True
    if isinstance(argnums, (tuple, list)) and argnums:
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in argnums):
            positions = tuple(int(a) for a in argnums)
            if len(set(positions)) != len(positions):
                raise ValueError(f"{transform}: argnums {argnums!r} names an argument more than once")
            return positions, False
    raise TypeError(f"{transform}: argnums must be an int or a non-empty tuple of ints, got {argnums!r}")


def _resolve(positions, count, transform, name):
    resolved = []
    for position in positions:
        if not -count <= position < count:
            raise ValueError(
                f"{transform}: argnums asks for argument {position} of {name}, "
                f"but it was called with {count} positional argument{'s' if count != 1 else ''}"
            )
        resolved.append(position % count)
    if len(set(resolved)) != len(resolved):
        raise ValueError(f"{transform}: argnums {positions} name the same argument twice for {count} arguments")
    return resolved


def _as_variable(arg, position, transform, name):
    """A fresh node to differentiate with respect to, and the kind to answer in.

    A node that needs a gradient is wrapped in a recorded identity (× 1.0):
    the backward pass stops there, yet the enclosing graph still sees the
    dependence on the caller's node.
    """
    if isinstance(arg, Node):
        if arg.requires_grad:
            return ops.mul(arg, 1.0), "node"
        return type(arg)(arg.data), "node"
    if isinstance(arg, _NUMBER_TYPES):
        return Value(float(arg)), "number"
    if isinstance(arg, np.ndarray):
        return Tensor(arg), "array"
    raise TypeError(
        f"{transform}: argument {position} of {name} is a {type(arg).__name__}; "
        "differentiate with respect to a number, a NumPy array, a Value or a Tensor"
    )


def _check_scalar_output(out, transform, name):
    if isinstance(out, Node):
        if out.__class__ is Value or out.data.ndim == 0:
            return
        shape = out.data.shape
    elif isinstance(out, _NUMBER_TYPES):
        return
    elif isinstance(out, np.ndarray):
        if out.ndim == 0:
            return
        shape = out.shape
    else:
        raise TypeError(f"{transform}: {name} must return a scalar (a Value, a 0-d Tensor or a number), "
                        f"got {type(out).__name__}")
    raise ValueError(
        f"{transform}: {name} must return a scalar, but it returned shape {shape}; "
        "reduce it first, e.g. with .sum() or .mean()"
    )


def _plain_scalar(out):
    return float(out.data) if isinstance(out, Node) else float(out)


def _gradients(root, wrt, create_graph):
    """[∂root/∂w for w in wrt], None where root does not depend on w.

    Runs the engine's backward pass over the nodes between ``wrt`` and
    ``root`` only, then puts back every ``.grad`` it changed, so no node in
    the caller's graph keeps anything from this pass.
    """
    if not isinstance(root, Node) or not root.requires_grad:
        return [None] * len(wrt)
    targets = set(wrt)
    if root in targets:  # f returned one of its arguments
        seed = engine._seed(root, None, create_graph)
        return [seed if w is root else None for w in wrt]
    reached = set(targets)
    between = []
    for node in engine.topological_order(root):
        if node not in targets and any(parent in reached for parent in node._inputs):
            reached.add(node)
            between.append(node)
    if root not in reached:
        return [None] * len(wrt)

    saved = {}
    for node in between:
        saved[node] = node.grad
        for parent in node._inputs:
            if parent not in saved:
                saved[parent] = parent.grad
    try:
        for node in (*between, *wrt):
            node.grad = None
        seed = engine._seed(root, None, create_graph)
        with engine._grad_mode(create_graph):
            engine._backward_pass(between, seed, create_graph)
        return [w.grad for w in wrt]
    finally:
        for node, previous in saved.items():
            node.grad = previous


def _in_kind(g, variable, kind, nested):
    """A raw or node gradient answered as the caller's kind (zero when None)."""
    if g is None:
        g = 0.0 if variable.__class__ is Value else np.zeros_like(variable.data)
    if kind == "node" or nested:
        if isinstance(g, Node):
            return g
        return type(variable)(g, requires_grad=False)
    if isinstance(g, Node):  # a node argument elsewhere made the pass record
        g = g.data
    return float(g) if kind == "number" else np.asarray(g)
