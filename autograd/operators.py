"""Python's operators, the methods that compute, and NumPy's protocols, on nodes.

``node.py`` defines what a node holds; this module, above the op table, gives
``Node``, ``Value`` and ``Tensor`` the methods that record operations
(``a * b``, ``t.sum()``, ``np.exp(t)``, ``y.backward()``), so every import in
the package points one way: context → node → engine → ops → functions →
array_ops, linalg → numpy_dispatch → operators. The package imports it
before anything else can use a node.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import array_ops, functions, linalg, numpy_dispatch, ops
from .engine import apply_tensor, apply_tensor_unary, scalar_function, scalar_operator
from .engine import backward as _backward
from .node import Node, Tensor, Value

if TYPE_CHECKING:
    from .typing import Axis, Operand


class _NodeMethods:
    """Methods every node has.

    These classes only hold the methods until ``_give`` sets them on the node
    classes, so ``self`` is hinted ``Any`` here; ``node.py`` declares what
    each returns on Value and Tensor, for the type checker.
    """

    def backward(self: Any, grad: Any = None, create_graph: bool = False) -> None:
        """Fill ``.grad`` of every node leading here with d(self)/d(node).

        Gradients add up over calls until ``zero_grad()``. ``grad`` is the
        upstream gradient (needed when self is not a scalar). With
        ``create_graph=True`` the gradients are nodes themselves, so they can
        be differentiated again.
        """
        _backward(self, grad, create_graph)

    # -- operators ---------------------------------------------------------

    def __add__(self: Any, other: Operand) -> Node:
        return ops.add(self, other)

    def __radd__(self: Any, other: Operand) -> Node:
        return ops.add(other, self)

    def __sub__(self: Any, other: Operand) -> Node:
        return ops.sub(self, other)

    def __rsub__(self: Any, other: Operand) -> Node:
        return ops.sub(other, self)

    def __mul__(self: Any, other: Operand) -> Node:
        return ops.mul(self, other)

    def __rmul__(self: Any, other: Operand) -> Node:
        return ops.mul(other, self)

    def __truediv__(self: Any, other: Operand) -> Node:
        return ops.div(self, other)

    def __rtruediv__(self: Any, other: Operand) -> Node:
        return ops.div(other, self)

    def __pow__(self: Any, other: Operand) -> Node:
        return ops.pow(self, other)

    def __rpow__(self: Any, other: Operand) -> Node:
        return ops.pow(other, self)

    def __neg__(self: Any) -> Node:
        return ops.neg(self)

    def __pos__(self: Any) -> Node:
        return self

    # -- elementwise functions ----------------------------------------------

    def exp(self: Any) -> Node:
        return ops.exp(self)

    def log(self: Any) -> Node:
        return ops.log(self)

    def sin(self: Any) -> Node:
        return ops.sin(self)

    def cos(self: Any) -> Node:
        return ops.cos(self)

    def tanh(self: Any) -> Node:
        return ops.tanh(self)

    def sigmoid(self: Any) -> Node:
        return ops.sigmoid(self)

    def relu(self: Any) -> Node:
        return ops.relu(self)

    def abs(self: Any) -> Node:
        return ops.abs(self)

    __abs__ = abs

    def clip(self: Any, low: float | None = None, high: float | None = None) -> Node:
        return functions.clip(self, low, high)

    # -- NumPy interoperability ---------------------------------------------

    def __array_ufunc__(self: Any, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """NumPy's ufuncs on nodes record, or refuse clearly (``autograd.numpy_dispatch``)."""
        return numpy_dispatch.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self: Any, func: Callable[..., Any], types: Collection[type], args: tuple[Any, ...],
                           kwargs: dict[str, Any]) -> Any:
        """NumPy's functions on nodes record, refuse clearly, or (with no gradient) see the data."""
        return numpy_dispatch.array_function(func, types, args, kwargs)


class _ValueMethods:
    """Scalar arithmetic on a Value takes the engine's fast path, in one call."""

    __neg__ = scalar_function(ops.neg)
    exp = scalar_function(ops.exp)
    log = scalar_function(ops.log)
    sin = scalar_function(ops.sin)
    cos = scalar_function(ops.cos)
    tanh = scalar_function(ops.tanh)
    sigmoid = scalar_function(ops.sigmoid)
    relu = scalar_function(ops.relu)
    abs = __abs__ = scalar_function(ops.abs)
    __add__ = scalar_operator(ops.add)
    __radd__ = scalar_operator(ops.add, reflected=True)
    __sub__ = scalar_operator(ops.sub)
    __rsub__ = scalar_operator(ops.sub, reflected=True)
    __mul__ = scalar_operator(ops.mul)
    __rmul__ = scalar_operator(ops.mul, reflected=True)
    __truediv__ = scalar_operator(ops.div)
    __rtruediv__ = scalar_operator(ops.div, reflected=True)
    __pow__ = scalar_operator(ops.pow)
    __rpow__ = scalar_operator(ops.pow, reflected=True)


class _TensorMethods:
    """Array operations on a Tensor; the elementwise ones take the engine's fast path."""

    def __neg__(self: Any) -> Tensor:
        return apply_tensor_unary(ops.neg, self)

    def exp(self: Any) -> Tensor:
        return apply_tensor_unary(ops.exp, self)

    def log(self: Any) -> Tensor:
        return apply_tensor_unary(ops.log, self)

    def sin(self: Any) -> Tensor:
        return apply_tensor_unary(ops.sin, self)

    def cos(self: Any) -> Tensor:
        return apply_tensor_unary(ops.cos, self)

    def tanh(self: Any) -> Tensor:
        return apply_tensor_unary(ops.tanh, self)

    def sigmoid(self: Any) -> Tensor:
        return apply_tensor_unary(ops.sigmoid, self)

    def relu(self: Any) -> Tensor:
        return apply_tensor_unary(ops.relu, self)

    def abs(self: Any) -> Tensor:
        return apply_tensor_unary(ops.abs, self)

    __abs__ = abs

    def __add__(self: Any, other: Operand) -> Tensor:
        return apply_tensor(ops.add, self, other)

    def __radd__(self: Any, other: Operand) -> Tensor:
        return apply_tensor(ops.add, other, self)

    def __sub__(self: Any, other: Operand) -> Tensor:
        return apply_tensor(ops.sub, self, other)

    def __rsub__(self: Any, other: Operand) -> Tensor:
        return apply_tensor(ops.sub, other, self)

    def __mul__(self: Any, other: Operand) -> Tensor:
        return apply_tensor(ops.mul, self, other)

    def __rmul__(self: Any, other: Operand) -> Tensor:
        return apply_tensor(ops.mul, other, self)

    def __truediv__(self: Any, other: Operand) -> Tensor:
        return apply_tensor(ops.div, self, other)

    def __rtruediv__(self: Any, other: Operand) -> Tensor:
        return apply_tensor(ops.div, other, self)

    def __matmul__(self: Any, other: Operand) -> Tensor:
        return ops.dot(self, other)

    def __rmatmul__(self: Any, other: Operand) -> Tensor:
        return ops.dot(other, self)

    def __getitem__(self: Any, index: Any) -> Tensor:
        return functions.getitem(self, index)

    def dot(self: Any, other: Operand) -> Tensor:
        return ops.dot(self, other)

    def sum(self: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return ops.sum(self, axis=axis, keepdims=keepdims)

    def mean(self: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return ops.mean(self, axis=axis, keepdims=keepdims)

    def max(self: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return ops.max(self, axis=axis, keepdims=keepdims)

    def min(self: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return functions.min(self, axis=axis, keepdims=keepdims)

    def reshape(self: Any, *shape: int | Sequence[int]) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return ops.reshape(self, shape=tuple(shape))

    def transpose(self: Any, *axes: int | Sequence[int] | None) -> Tensor:
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0] or ()  # like NumPy: t.transpose(None) reverses the axes
        return ops.transpose(self, axes=tuple(axes) if axes else None)

    @property
    def T(self: Any) -> Tensor:
        return ops.transpose(self, axes=None)

    def broadcast_to(self: Any, shape: Sequence[int]) -> Tensor:
        return ops.broadcast_to(self, shape=tuple(shape))

    def softmax(self: Any, axis: int = -1) -> Tensor:
        return ops.softmax(self, axis=axis)

    def log_softmax(self: Any, axis: int = -1) -> Tensor:
        return ops.log_softmax(self, axis=axis)


def _give(methods: type, cls: type) -> None:
    """Make the methods defined in class ``methods`` methods of ``cls``."""
    for name, member in vars(methods).items():
        if name in ("__module__", "__qualname__", "__doc__", "__dict__", "__weakref__"):
            continue
        function = member.fget if isinstance(member, property) else member
        function.__qualname__ = f"{cls.__name__}.{name}"  # type: ignore[union-attr]  # every property here has a getter
        setattr(cls, name, member)


_give(_NodeMethods, Node)
_give(_ValueMethods, Value)
_give(_TensorMethods, Tensor)

# np.f(node) and node.method() for array_ops and linalg. matmul and dot keep
# the op table's 'dot' node for 1-D and 2-D operands and use the batched
# primitive otherwise.
for _module in (array_ops, linalg):
    for _np_func, _function in _module.ARRAY_FUNCTIONS.items():
        numpy_dispatch.register(_np_func, _function)
    for _name, _function in _module.METHODS.items():
        setattr(Tensor, _name, _function)
numpy_dispatch.register(np.matmul, linalg.matmul)
del _module, _np_func, _name, _function
