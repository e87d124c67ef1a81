"""Forward mode, and both modes as function transformations (as JAX's ``jvp``, ``linearize``, ``vjp``).

- ``jvp(f, primals, tangents)`` gives ``(f(*primals), J·tangents)``: the
  derivative of f at the primals along the tangents, in one pass.
- ``linearize(f, *primals)`` gives ``(f(*primals), f_jvp)``, where
  ``f_jvp(*tangents)`` is J·tangents at that point, for many tangents.
- ``vjp(f, *primals)`` gives ``(f(*primals), f_vjp)``, where
  ``f_vjp(cotangent)`` is the tuple of cotangentᵀ·J, one per primal.

Forward mode runs over the graph ``f`` records, inputs first: a node's
tangent is Σᵢ jvpᵢ(tᵢ, out, *inputs), with each primitive's JVP rules from
the op table. A primitive without them (``Primitive.jvps`` is None) gets
them from its VJPs: a VJP is linear in the upstream gradient g, so for a
tangent t, ⟨VJP(g), t⟩ = ⟨g, J·t⟩ and J·t is its gradient with respect to g
(the linear-transpose trick). The rules are written with primitives, so
when the primals are nodes that need gradients (or inside ``grad``) the
tangents are recorded too, and forward and reverse mode compose:
``grad`` of a ``jvp``, or ``jvp`` of a ``grad``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import engine, functional, ops, tree
from .node import Node, Tensor, Value

if TYPE_CHECKING:
    from .ops import Primitive

__all__ = ["jvp", "linearize", "vjp"]


def jvp(f: Callable[..., Any], primals: Any, tangents: Any) -> tuple[Any, Any]:
    """``(f(*primals), J·tangents)``: the value and the directional derivative along ``tangents``.

    ``primals`` and ``tangents`` are sequences of the same length; each
    tangent has its primal's shape. Numbers and arrays give a float or an
    array back; nodes that need gradients (or a call inside ``grad``) give
    nodes, recorded so they can be differentiated again.
    """
    primals, tangents = _sequence(primals, "primals"), _sequence(tangents, "tangents")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: got {len(primals)} primal(s) but {len(tangents)} tangent(s); give one tangent per primal")
    value, push = linearize(f, *primals)
    return value, push(*tangents)


def linearize(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """``(f(*primals), f_jvp)`` with ``f_jvp(*tangents)`` = J·tangents at the primals (None: a zero tangent).

    A primal may be a list, tuple or dict of numbers and arrays (nested); its
    tangent then has the same structure.
    """
    name = _name(f)
    flat_f, leaves, structure = _flat(f, primals)
    variables, kinds, nested = _variables(leaves, "linearize", name)
    out = _record(flat_f, variables)
    between = _between(out, variables)

    def f_jvp(*tangents: Any) -> Any:
        if len(tangents) != len(primals):
            raise TypeError(f"linearize: {name} takes {len(primals)} tangent(s), got {len(tangents)}")
        flat = _flat_tangents(tangents, primals, name)
        seeds = [_tangent(t, v, i, nested) for i, (t, v) in enumerate(zip(flat, variables))]
        record = nested or any(isinstance(t, Node) and t.requires_grad for t in seeds)
        engine.verify_unchanged(between)  # the rules read what the VJPs read: edited since linearize(), it raises
        return _push(out, between, variables, seeds, record)

    f_jvp.__name__ = f"jvp({name})"
    return _answer(out, nested), f_jvp


def _flat(f: Any, primals: Any) -> Any:
    """f as a function of the leaves of its arguments, the leaves, and the arguments' structure."""
    leaves, structure = tree.flatten(tuple(primals))

    def flat_f(*values: Any) -> Any:
        return f(*tree.unflatten(structure, values))

    flat_f.__name__ = _name(f)
    return flat_f, leaves, structure


def _flat_tangents(tangents: Any, primals: Any, name: Any) -> Any:
    """The tangents' leaves in the primals' order; None is a zero tangent (for a whole container too)."""
    if not all(_same_shape_tree(t, p) for t, p in zip(tangents, primals)):
        raise ValueError(
            f"linearize: the tangents of {name} are not shaped like its arguments: give one tangent per "
            "number or array, in the same lists, tuples and dicts (None for a zero tangent)"
        )
    return [leaf for tangent, primal in zip(tangents, primals) for leaf in _leaves_or_none(tangent, primal)]


def _same_shape_tree(tangent: Any, primal: Any) -> Any:
    if tangent is None:
        return True
    if tree.is_container(primal) and primal is not None:
        if isinstance(primal, dict):
            return isinstance(tangent, dict) and tangent.keys() == primal.keys() and all(
                _same_shape_tree(tangent[k], primal[k]) for k in primal)
        return isinstance(tangent, (list, tuple)) and len(tangent) == len(primal) and all(
            _same_shape_tree(t, p) for t, p in zip(tangent, primal))
    return not tree.is_container(tangent)


def _leaves_or_none(tangent: Any, primal: Any) -> Any:
    """The leaves of one tangent, None standing for a zero leaf, in its primal's order."""
    if tangent is None:
        return [None] * len(tree.flatten(primal)[0])
    if isinstance(primal, dict):
        return [leaf for key in primal for leaf in _leaves_or_none(tangent[key], primal[key])]
    if isinstance(primal, (list, tuple)):
        return [leaf for t, p in zip(tangent, primal) for leaf in _leaves_or_none(t, p)]
    return [tangent]


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """``(f(*primals), f_vjp)`` with ``f_vjp(cotangent)`` the tuple (cotangentᵀ·∂f/∂primalᵢ for each i).

    The cotangent has the output's shape. Each gradient comes back in its
    primal's kind, as with ``grad``.
    """
    name = _name(f)
    flat_f, leaves, structure = _flat(f, primals)
    variables, kinds, nested = _variables(leaves, "vjp", name)
    out = _record(flat_f, variables)

    def f_vjp(cotangent: Any) -> Any:
        _refuse_complex(cotangent, "vjp", "the cotangent")
        shape = np.shape(_data(out))
        if np.shape(_data(cotangent)) != shape:
            raise ValueError(f"vjp: the cotangent has shape {np.shape(_data(cotangent))} but {name} "
                             f"returned shape {shape}; they must match")
        record = nested or (isinstance(cotangent, Node) and cotangent.requires_grad)
        grads = [None] * len(variables)
        if isinstance(out, Node) and out.requires_grad:
            with engine.enable_grad():
                product = out * cotangent
                root = ops.sum(product) if np.ndim(product.data) else product
            grads = functional._backprop(root, variables, record)(None)
        flat = [functional._in_kind(g, v, kind, record) for g, v, kind in zip(grads, variables, kinds)]
        return tree.unflatten(structure, flat)

    f_vjp.__name__ = f"vjp({name})"
    return _answer(out, nested), f_vjp


# -- the forward pass over the recorded graph --------------------------------------


def _push(out: Any, between: Any, variables: Any, seeds: Any, record: Any) -> Any:
    """The tangent of ``out`` given the variables' tangents (None: zero)."""
    tangents = {v: t for v, t in zip(variables, seeds) if t is not None}
    with engine._grad_mode(record):
        for node in between:
            inputs = node._inputs
            args = inputs if record else [parent.data for parent in inputs]
            here = node if record else node.data
            params = node._params or {}
            total = None
            for position, parent in enumerate(inputs):
                t = tangents.get(parent)
                if t is not None:
                    part = rule(node._op, position)(t, here, *args, **params)
                    total = part if total is None else total + part
            if total is not None:
                tangents[node] = _fit(total, node, record)
    result = tangents.get(out) if isinstance(out, Node) else None
    if result is None:  # f does not depend on the variables
        result = np.zeros(np.shape(_data(out)))
    if record:
        return result if isinstance(result, Node) else _node_like(out, result)
    return _plain_like(out, result.data if isinstance(result, Node) else result)


_RULES: dict[tuple[Primitive, int], Callable[..., Any]] = {}


def rule(prim: Primitive, position: int) -> Callable[..., Any]:
    """The JVP rule of ``prim`` for input ``position``: the op table's, or one derived from its VJP."""
    jvps = prim.jvps
    if jvps is not None and jvps[position] is not None:
        return jvps[position]
    key = (prim, position)
    if key not in _RULES:
        _RULES[key] = _transposed_vjp(prim, position)
    return _RULES[key]


def _transposed_vjp(prim: Any, position: Any) -> Any:
    """J·t from the VJP g ↦ Jᵀ·g: the gradient with respect to g of ⟨Jᵀ·g, t⟩."""
    vjp_rule = prim.vjps[position]

    def jvp_rule(t: Any, out: Any, *inputs: Any, **params: Any) -> Any:
        out_data = _data(out)
        g = Tensor(np.zeros_like(out_data)) if isinstance(out_data, np.ndarray) else Value(0.0)
        record = isinstance(t, Node) or isinstance(out, Node)
        with engine.enable_grad():
            u = vjp_rule(g, out, *inputs, **params)
            if not (isinstance(u, Node) and u.requires_grad):
                return np.zeros_like(out_data) if isinstance(out_data, np.ndarray) else 0.0
            u = _fit_shape(u, np.shape(_data(inputs[position])))
            product = u * t
            root = ops.sum(product) if np.ndim(product.data) else product
            (tangent,) = functional._backprop(root, [g], record)(None)
        if tangent is None:
            return np.zeros_like(out_data) if isinstance(out_data, np.ndarray) else 0.0
        return tangent

    jvp_rule.__name__ = f"{prim.name}_jvp_{position}_from_vjp"
    return jvp_rule


def _fit_shape(u: Any, shape: Any) -> Any:
    """A VJP's result (a node) summed or broadcast to its input's shape, as the backward pass does."""
    current = np.shape(u.data)
    if current == shape:
        return u
    if len(current) >= len(shape):
        return ops.sum_to(u, shape=shape)
    return ops.broadcast_to(u, shape=shape)


def _fit(tangent: Any, node: Any, record: Any) -> Any:
    """A tangent shaped like ``node`` (contributions from broadcast inputs are smaller)."""
    shape = np.shape(node.data)
    if np.shape(_data(tangent)) == shape:
        if not record and node.__class__ is Value and not isinstance(tangent, float):
            return float(tangent)
        return tangent
    if record:
        return ops.broadcast_to(tangent, shape=shape) if node.__class__ is not Value else ops.sum(tangent)
    if node.__class__ is Value:
        return float(np.sum(tangent))
    return np.broadcast_to(tangent, shape)


# -- arguments and answers ----------------------------------------------------------


def _name(f: Any) -> Any:
    return getattr(f, "__name__", type(f).__name__)


def _sequence(items: Any, what: Any) -> Any:
    if not isinstance(items, (tuple, list)):
        raise TypeError(f"jvp: {what} must be a tuple or list (one entry per argument), got {type(items).__name__}")
    return tuple(items)


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Node) else x


def _refuse_complex(x: Any, transform: Any, what: Any) -> Any:
    if np.iscomplexobj(_data(x)):
        raise TypeError(f"{transform}: {what} is complex ({np.asarray(_data(x)).dtype}); derivatives here are "
                        "for real numbers: pass the real and imaginary parts as separate real inputs")


def _variables(primals: Any, transform: Any, name: Any) -> Any:
    if not primals:
        raise TypeError(f"{transform}: give at least one primal to differentiate with respect to")
    variables, kinds = [], []
    for position, primal in enumerate(primals):
        _refuse_complex(primal, transform, f"primal {position}")
        variable, kind = functional._as_variable(primal, position, transform, name)
        variables.append(variable)
        kinds.append(kind)
    nested = functional._nesting.depth > 0 or any(
        kind == "node" and primal.requires_grad for kind, primal in zip(kinds, primals))
    return variables, kinds, nested


def _record(f: Any, variables: Any) -> Any:
    if not callable(f):
        raise TypeError(f"expected a function, got {type(f).__name__}")
    with engine.enable_grad():
        return f(*variables)


def _between(out: Any, variables: Any) -> Any:
    """The recorded nodes that depend on the variables and lead to ``out``, inputs first."""
    if not (isinstance(out, Node) and out.requires_grad):
        return []
    return functional.nodes_between(variables, out)


def _tangent(t: Any, variable: Any, position: Any, nested: Any) -> Any:
    """A tangent checked against its variable: None, raw float64 data, or a node."""
    if t is None:
        return None
    _refuse_complex(t, "jvp", f"tangent {position}")
    if isinstance(t, Node):
        data = t.data
    elif isinstance(t, (bool, int, float, np.integer, np.floating, np.ndarray)):
        data = np.asarray(t, dtype=np.float64)
    else:
        raise TypeError(f"jvp: tangent {position} is a {type(t).__name__}; give a number, an array or a node")
    if np.shape(data) != np.shape(variable.data):
        raise ValueError(f"jvp: tangent {position} has shape {np.shape(data)} but its primal has shape "
                         f"{np.shape(variable.data)}; they must match")
    if isinstance(t, Node):
        return t
    if variable.__class__ is Value:
        return float(data)
    return data


def _is_array(out: Any) -> Any:
    return isinstance(_data(out), np.ndarray)


def _answer(out: Any, nested: Any) -> Any:
    """f's value: the node when recording, else a float (a Value or a number) or an array."""
    if nested and isinstance(out, Node):
        return out
    return _plain_like(out, _data(out))


def _plain_like(out: Any, data: Any) -> Any:
    return np.array(data, dtype=np.float64) if _is_array(out) else float(data)


def _node_like(out: Any, data: Any) -> Any:
    return Tensor(np.asarray(data), requires_grad=False) if _is_array(out) else Value(float(data), requires_grad=False)
