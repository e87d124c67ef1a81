"""Anomaly mode: stop at the first operation that produces NaN or infinity.

Inside ``detect_anomaly()`` every node remembers the line of user code that
created it (``node._origin``), each forward result and each gradient the
backward pass computes is checked, and the first non-finite one raises
``AnomalyError`` naming the operation, its inputs and that line. Outside the
block the engine never calls into this module: the switch it sets holds the
checks (``CHECKS``), so the engine reaches them without importing this module.
"""

import math

import numpy as np

from . import engine
from .node import Node


class AnomalyError(FloatingPointError):
    """An operation produced NaN or infinity inside ``detect_anomaly()``."""


def detect_anomaly():
    """Context manager: raise ``AnomalyError`` at the first NaN or inf, forward or backward.

    >>> with detect_anomaly():                              # doctest: +SKIP
    ...     loss = (x / y).sum()   # AnomalyError: forward of 'div' produced inf ...
    """
    return engine.switch("anomaly", CHECKS)


def check_forward(node, prim=None, args=None):
    """Record where ``node`` was created, and raise if its data is not finite.

    A node that was not recorded (no input needs a gradient, or ``no_grad()``)
    keeps no op or inputs, so the engine passes the primitive and its operands.
    """
    node._origin = engine._caller_line()
    problem = _non_finite(node.data)
    if problem:
        name = prim.name if prim is not None else _op_name(node)
        operands = node._inputs if args is None else args
        inputs = "; ".join(_describe(operand) for operand in operands)
        during = engine.state.backward_of
        if during is not None:  # a VJP recorded on nodes: backward(create_graph=True)
            consumer, position = during
            origin = consumer._origin or "an unknown line (run the forward pass inside detect_anomaly() to record it)"
            raise AnomalyError(
                f"backward of '{_op_name(consumer)}' (the gradient for input {position}): "
                f"its step '{name}' produced {problem}\n"
                f"  inputs: {inputs}\n"
                f"  node created at {origin}"
            )
        raise AnomalyError(
            f"forward of '{name}' produced {problem}\n"
            f"  inputs: {inputs}\n"
            f"  created at {node._origin}"
        )


def check_backward(node, parent, position, parent_grad):
    """Raise if the gradient ``node``'s VJP sent to input ``position`` is not finite."""
    data = parent_grad.data if isinstance(parent_grad, Node) else parent_grad
    problem = _non_finite(data)
    if problem:
        upstream = node.grad.data if isinstance(node.grad, Node) else node.grad
        origin = node._origin or "an unknown line (run the forward pass inside detect_anomaly() to record it)"
        raise AnomalyError(
            f"backward of '{_op_name(node)}' produced {problem} in the gradient for input {position}\n"
            f"  upstream gradient: {_summary(upstream)}; inputs: "
            + "; ".join(_describe(p) for p in node._inputs)
            + f"\n  node created at {origin}"
        )


def _op_name(node):
    return node.op or "leaf"


def _non_finite(data):
    """'' when all finite, else e.g. 'nan' or 'inf and nan (2 of 6 elements, first at index (0, 1))'."""
    if data.__class__ is float:
        return "" if math.isfinite(data) else repr(data)
    array = np.asarray(data)
    bad = ~np.isfinite(array)
    if not bad.any():
        return ""
    kinds = []
    if np.isnan(array).any():
        kinds.append("nan")
    if np.isposinf(array).any():
        kinds.append("inf")
    if np.isneginf(array).any():
        kinds.append("-inf")
    what = " and ".join(kinds)
    if array.ndim == 0:
        return what
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    return f"{what} ({int(bad.sum())} of {array.size} elements, first at index {first})"


def _describe(operand):
    """e.g. "Value 0.5", "Tensor from 'exp' (3,) [1 2.718 inf]", "constant 2.0"."""
    if not isinstance(operand, Node):
        return f"constant {_summary(operand)}"
    if not operand.requires_grad and operand._op is None:
        return f"constant {_summary(operand.data)}"
    made_by = f" from '{operand.op}'" if operand._op is not None else ""
    return f"{type(operand).__name__}{made_by} {_summary(operand.data)}"


def _summary(data, shown=4):
    if data is None:
        return "none"
    if data.__class__ is float:
        return repr(data)
    array = np.asarray(data)
    if array.ndim == 0:
        return repr(float(array))
    values = " ".join(f"{v:.4g}" for v in array.ravel()[:shown])
    more = " …" if array.size > shown else ""
    return f"{array.shape} [{values}{more}]"


class _Checks:
    """What the engine calls under ``detect_anomaly()``: this module's checks."""

    __slots__ = ()

    def check_forward(self, node, prim=None, args=None):
        check_forward(node, prim, args)

    def check_backward(self, node, parent, position, parent_grad):
        check_backward(node, parent, position, parent_grad)

    def __repr__(self):
        return "<anomaly checks>"


CHECKS = _Checks()
