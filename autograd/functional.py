"""Derivatives as function transformations: ``grad``, ``value_and_grad``, ``jacobian``, ``hessian``, ``hvp``.

``grad(f)`` is a new function that returns ∂f/∂x at the point it is called
with. It composes: ``grad(grad(f))`` is the second derivative, because inside
an enclosing ``grad`` the backward pass is itself recorded
(``create_graph``) and the gradients come back as nodes.

>>> grad(grad(grad(lambda x: x**4)))(2.0)       # d³/dx³ x⁴ = 24x
48.0
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import array_ops, engine, ops, tree
from .node import Node, Tensor, Value

_NUMBER_TYPES = (bool, int, float, np.integer, np.floating)


class _Nesting(threading.local):
    depth = 0  # how many grad-transformed functions are running in this thread


_nesting = _Nesting()


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
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

    def gradient(*args: Any, **kwargs: Any) -> Any:
        return evaluate(args, kwargs)[1]

    return _named(gradient, "grad", f, argnums)


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """Like ``grad`` but returns ``(f(*args), gradient)`` from a single forward pass.

    The value is the output node when the pass is recorded (arguments that
    are nodes needing gradients, or inside another ``grad``), else a float.
    """
    evaluate = _transformation(f, argnums, "value_and_grad")

    def value_and_gradient(*args: Any, **kwargs: Any) -> Any:
        return evaluate(args, kwargs)

    return _named(value_and_gradient, "value_and_grad", f, argnums)


def jacobian(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The full derivative of ``f`` as a function: shape ``out.shape + x.shape``, as JAX's jacrev.

    Reverse mode, one backward pass per output element. Arguments may be
    containers (the Jacobian is then shaped like the argument, one array per
    leaf), as may the output (one such answer per output leaf, in its
    structure). Inside ``grad`` or another ``jacobian`` the result is a
    recorded node, so ``jacobian(grad(f))`` is the Hessian.
    """
    prepare = _preparation(f, argnums, "jacobian")

    def jacobian_of_f(*args: Any, **kwargs: Any) -> Any:
        point = prepare(args, kwargs)
        out_leaves, out_structure = tree.flatten(point.out)
        answers = [_jacobian_of_leaf(point, out, f"output {i}") for i, out in enumerate(out_leaves)]
        return tree.unflatten(out_structure, answers)

    return _named(jacobian_of_f, "jacobian", f, argnums)


def _jacobian_of_leaf(point: Any, out: Any, what: Any) -> Any:
    if isinstance(out, Node):
        out_shape = np.shape(out.data)
    elif isinstance(out, (*_NUMBER_TYPES, np.ndarray)):
        out_shape = np.shape(out)
    else:
        raise TypeError(f"jacobian: {point.name} returned a {type(out).__name__} as {what}; "
                        "return numbers, arrays or nodes (or containers of them)")
    pull = _backprop(out, point.variables, point.create_graph)
    rows = []
    for index in np.ndindex(out_shape):
        seed = None
        if out_shape:
            seed = np.zeros(out_shape)
            seed[index] = 1.0
        rows.append([_in_kind(g, v, "array" if k == "number" and out_shape else k, point.nested)
                     for g, v, k in zip(pull(seed), point.variables, point.kinds)])
    per_leaf = []
    for position, variable in enumerate(point.variables):
        in_shape = np.shape(variable.data)
        column = [row[position] for row in rows]
        if not column:  # an empty output
            per_leaf.append(np.zeros(out_shape + in_shape))
        elif not out_shape:
            per_leaf.append(column[0])
        elif isinstance(column[0], Node):
            per_leaf.append(array_ops.reshape_(array_ops.stack(column), out_shape + in_shape))
        else:
            per_leaf.append(np.stack(column).reshape(out_shape + in_shape))
    return point.arrange(per_leaf)


def hessian(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The matrix of second derivatives of a scalar ``f``: ``jacobian(grad(f))``, shape x.shape + x.shape.

    With ``argnums=(0, 1)`` it is the nested tuple ((H₀₀, H₀₁), (H₁₀, H₁₁)), as JAX's.
    """
    function = jacobian(grad(f, argnums), argnums)
    return _named(function, "hessian", f, argnums)


def hvp(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The Hessian of scalar ``f`` times a vector, without forming the Hessian: ``h(*args, v) = ∇(∇f · v)``.

    The last positional argument ``v`` is the direction, shaped like the
    differentiated argument (a tuple of them for several argnums); it costs
    two backward passes.
    """
    _check_argnums(argnums, "hvp")
    gradient = grad(f, argnums)

    def directional(*args: Any, **kwargs: Any) -> Any:
        *point, v = args
        g_leaves, g_structure = tree.flatten(gradient(*point, **kwargs))
        v_leaves, v_structure = tree.flatten(v)
        if g_structure != v_structure or any(np.shape(_data(a)) != np.shape(_data(b)) for a, b in zip(g_leaves, v_leaves)):
            raise ValueError(
                f"hvp: the direction v must be shaped like the argument(s) {argnums}: "
                f"got {tree.map_leaves(lambda x: np.shape(_data(x)), v)}, expected "
                f"{tree.map_leaves(lambda x: np.shape(_data(x)), tree.unflatten(g_structure, g_leaves))}"
            )
        total = 0.0
        for g, direction in zip(g_leaves, v_leaves):
            total = total + ops.sum(ops.mul(g, direction))
        return total

    def product(*args: Any, **kwargs: Any) -> Any:
        if not args:
            raise TypeError("hvp: call it as h(*args, v), the direction v last")
        return grad(directional, argnums)(*args, **kwargs)

    return _named(product, "hvp", f, argnums)


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Node) else x


def _named(function: Any, transform: Any, f: Any, argnums: Any) -> Any:
    name = getattr(f, "__name__", type(f).__name__)
    function.__name__ = function.__qualname__ = f"{transform}({name})"
    function.__doc__ = f"{transform} of {name} with respect to argument(s) {argnums}."
    function.__wrapped__ = f
    return function


def _transformation(f: Any, argnums: Any, transform: Any) -> Any:
    """Validate once, and return ``evaluate(args, kwargs) -> (value, gradients)``."""
    prepare = _preparation(f, argnums, transform)

    def evaluate(args: Any, kwargs: Any) -> Any:
        point = prepare(args, kwargs)
        _check_scalar_output(point.out, transform, point.name)
        raw_grads = _backprop(point.out, point.variables, point.create_graph)(None)
        return _value(point), point.answer(raw_grads)

    return evaluate


class _Point:
    """f evaluated at arguments made into fresh variables, and how to answer in the caller's kinds."""

    __slots__ = ("out", "name", "variables", "kinds", "structures", "single", "nested", "create_graph")

    if TYPE_CHECKING:
        out: Any
        name: str
        variables: list[Node]
        kinds: list[str]
        structures: list[tree.Structure]
        single: bool
        nested: bool
        create_graph: bool

    def answer(self, raw_grads: Any) -> Any:
        """Per differentiated argument, its gradient(s) in its kind and container structure."""
        grads = [_in_kind(g, v, k, self.nested) for g, v, k in zip(raw_grads, self.variables, self.kinds)]
        return self.arrange(grads)

    def arrange(self, per_leaf: Any) -> Any:
        """One item per variable, regrouped as the differentiated arguments."""
        answers, start = [], 0
        for structure in self.structures:
            answers.append(tree.unflatten(structure, per_leaf[start:start + structure.leaves]))
            start += structure.leaves
        return answers[0] if self.single else tuple(answers)


def _preparation(f: Any, argnums: Any, transform: Any) -> Any:
    """``prepare(args, kwargs)``: f run once on variables for the arguments in argnums, as a _Point.

    An argument may be a number, an array, a node or a list, tuple or dict
    of them (nested); each leaf becomes one variable.
    """
    if not callable(f):
        raise TypeError(f"{transform}: expected a function, got {type(f).__name__}")
    positions, single = _check_argnums(argnums, transform)
    name = getattr(f, "__name__", type(f).__name__)

    def prepare(args: Any, kwargs: Any) -> Any:
        wanted = _resolve(positions, len(args), transform, name)
        point = _Point()
        point.name, point.single = name, single
        point.nested = _nesting.depth > 0
        point.variables, point.kinds, point.structures = [], [], []
        call_args = list(args)
        create_graph = point.nested
        for position in wanted:
            leaves, structure = tree.flatten(args[position])
            made = []
            for leaf in leaves:
                variable, kind = _as_variable(leaf, position, transform, name)
                made.append(variable)
                point.kinds.append(kind)
                create_graph = create_graph or (kind == "node" and leaf.requires_grad)
            point.variables.extend(made)
            point.structures.append(structure)
            call_args[position] = tree.unflatten(structure, made)
        point.create_graph = create_graph

        _nesting.depth += 1
        try:
            if engine.is_grad_enabled():
                point.out = f(*call_args, **kwargs)
            else:
                with engine.enable_grad():
                    point.out = f(*call_args, **kwargs)
        finally:
            _nesting.depth -= 1
        return point

    return prepare


def _value(point: Any) -> Any:
    out = point.out
    return out if point.create_graph and isinstance(out, Node) else _plain_scalar(out)


def _check_argnums(argnums: Any, transform: Any) -> Any:
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


def _resolve(positions: Any, count: Any, transform: Any, name: Any) -> Any:
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


def _as_variable(arg: Any, position: Any, transform: Any, name: Any) -> Any:
    """A fresh node to differentiate with respect to, and the kind to answer in.

    A node that needs a gradient is wrapped in a recorded identity (× 1.0):
    the backward pass stops there, yet the enclosing graph still sees the
    dependence on the caller's node.
    """
    if isinstance(arg, Node):
        if arg.requires_grad:
            return ops.mul(arg, 1.0), "node"
        return type(arg)(arg.data), "node"  # type: ignore[call-arg]  # a Value or a Tensor
    if isinstance(arg, _NUMBER_TYPES):
        return Value(float(arg)), "number"
    if isinstance(arg, np.ndarray):
        return Tensor(arg), "array"
    raise TypeError(
        f"{transform}: argument {position} of {name} is or holds a {type(arg).__name__}; "
        "differentiate with respect to numbers, NumPy arrays, Values or Tensors, "
        "or lists, tuples and dicts of them"
    )


def _check_scalar_output(out: Any, transform: Any, name: Any) -> Any:
    """A scalar, or an array of one element (shape (1,) or (1, 1)), as HIPS autograd accepts."""
    if isinstance(out, Node):
        if out.__class__ is Value or out.data.size == 1:
            return
        shape = out.data.shape
    elif isinstance(out, _NUMBER_TYPES):
        return
    elif isinstance(out, np.ndarray):
        if out.size == 1:
            return
        shape = out.shape
    else:
        raise TypeError(f"{transform}: {name} must return a scalar (a Value, a 0-d Tensor or a number), "
                        f"got {type(out).__name__}")
    raise ValueError(
        f"{transform}: {name} must return a scalar, but it returned shape {shape}; "
        "reduce it first, e.g. with .sum() or .mean(), or use jacobian for the full matrix"
    )


def _plain_scalar(out: Any) -> Any:
    return float(np.asarray(out.data if isinstance(out, Node) else out).item())


def nodes_between(wrt: Iterable[Node], root: Node) -> list[Node]:
    """The recorded nodes that depend on ``wrt`` and lead to ``root``, inputs first (``root`` last if it depends)."""
    reached = set(wrt)
    between = []
    for node in engine.topological_order(root):
        if node not in reached and any(parent in reached for parent in node._inputs):
            reached.add(node)
            between.append(node)
    return between


def _backprop(root: Any, wrt: Any, create_graph: Any) -> Any:
    """``pull(seed) -> [∂(seed · root)/∂w for w in wrt]``, None where root does not depend on w.

    ``seed=None`` starts from 1 (root is a scalar). Each pull runs the
    engine's backward pass over the nodes between ``wrt`` and ``root`` only
    (found once), then puts back every ``.grad`` it changed, so no node in
    the caller's graph keeps anything from it.
    """
    if not isinstance(root, Node) or not root.requires_grad:
        return lambda seed: [None] * len(wrt)
    targets = set(wrt)
    if root in targets:  # f returned one of its arguments
        return lambda seed: [engine._seed(root, seed, create_graph) if w is root else None for w in wrt]
    between = nodes_between(wrt, root)
    if not between or between[-1] is not root:
        return lambda seed: [None] * len(wrt)
    engine.verify_unchanged(between)  # as backward() does: no edit since recording goes unnoticed
    touched = set(between)
    for node in between:
        touched.update(node._inputs)

    def pull(seed: Any) -> Any:
        saved = {node: node.grad for node in touched}
        try:
            for node in (*between, *wrt):
                node.grad = None
            start = engine._seed(root, seed, create_graph)
            with engine._grad_mode(create_graph):
                engine._backward_pass(between, start, create_graph)
            return [w.grad for w in wrt]
        finally:
            for node, previous in saved.items():
                node.grad = previous

    return pull


def _in_kind(g: Any, variable: Any, kind: Any, nested: Any) -> Any:
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
