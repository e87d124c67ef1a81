"""Python's operators, the methods that compute, and NumPy's protocols, on nodes.

``node.py`` defines what a node holds; this module, above the op table, gives
``Node``, ``Value`` and ``Tensor`` the methods that record operations
(``a * b``, ``t.sum()``, ``np.exp(t)``, ``y.backward()``), so every import in
the package points one way: context → node → engine → ops → functions →
array_ops, linalg → numpy_dispatch → operators. The package imports it
before anything else can use a node.
"""

import numpy as np

from . import array_ops, functions, linalg, numpy_dispatch, ops
from .engine import apply_scalar, apply_scalar_unary
from .engine import backward as _backward
from .node import Node, Tensor, Value


class _NodeMethods:
    """Methods every node has."""

    def backward(self, grad=None, create_graph=False):
        """Fill ``.grad`` of every node leading here with d(self)/d(node).

        Gradients add up over calls until ``zero_grad()``. ``grad`` is the
        upstream gradient (needed when self is not a scalar). With
        ``create_graph=True`` the gradients are nodes themselves, so they can
        be differentiated again.
        """
        _backward(self, grad, create_graph)

    # -- operators ---------------------------------------------------------

    def __add__(self, other):
        return ops.add(self, other)

    def __radd__(self, other):
        return ops.add(other, self)

    def __sub__(self, other):
        return ops.sub(self, other)

    def __rsub__(self, other):
        return ops.sub(other, self)

    def __mul__(self, other):
        return ops.mul(self, other)

    def __rmul__(self, other):
        return ops.mul(other, self)

    def __truediv__(self, other):
        return ops.div(self, other)

    def __rtruediv__(self, other):
        return ops.div(other, self)

    def __pow__(self, other):
        return ops.pow(self, other)

    def __rpow__(self, other):
        return ops.pow(other, self)

    def __neg__(self):
        return ops.neg(self)

    def __pos__(self):
        return self

    # -- elementwise functions ----------------------------------------------

    def exp(self):
        return ops.exp(self)

    def log(self):
        return ops.log(self)

    def sin(self):
        return ops.sin(self)

    def cos(self):
        return ops.cos(self)

    def tanh(self):
        return ops.tanh(self)

    def sigmoid(self):
        return ops.sigmoid(self)

    def relu(self):
        return ops.relu(self)

    def abs(self):
        return ops.abs(self)

    __abs__ = abs

    def clip(self, low=None, high=None):
        return functions.clip(self, low, high)

    # -- NumPy interoperability ---------------------------------------------

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """NumPy's ufuncs on nodes record, or refuse clearly (``autograd.numpy_dispatch``)."""
        return numpy_dispatch.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        """NumPy's functions on nodes record, refuse clearly, or (with no gradient) see the data."""
        return numpy_dispatch.array_function(func, types, args, kwargs)


class _ValueMethods:
    """Scalar arithmetic on a Value takes the engine's fast path."""

    def __neg__(self):
        return apply_scalar_unary(ops.neg, self)

    def exp(self):
        return apply_scalar_unary(ops.exp, self)

    def log(self):
        return apply_scalar_unary(ops.log, self)

    def sin(self):
        return apply_scalar_unary(ops.sin, self)

    def cos(self):
        return apply_scalar_unary(ops.cos, self)

    def tanh(self):
        return apply_scalar_unary(ops.tanh, self)

    def sigmoid(self):
        return apply_scalar_unary(ops.sigmoid, self)

    def relu(self):
        return apply_scalar_unary(ops.relu, self)

    def abs(self):
        return apply_scalar_unary(ops.abs, self)

    __abs__ = abs

    def __add__(self, other):
        return apply_scalar(ops.add, self, other)

    def __radd__(self, other):
        return apply_scalar(ops.add, other, self)

    def __sub__(self, other):
        return apply_scalar(ops.sub, self, other)

    def __rsub__(self, other):
        return apply_scalar(ops.sub, other, self)

    def __mul__(self, other):
        return apply_scalar(ops.mul, self, other)

    def __rmul__(self, other):
        return apply_scalar(ops.mul, other, self)

    def __truediv__(self, other):
        return apply_scalar(ops.div, self, other)

    def __rtruediv__(self, other):
        return apply_scalar(ops.div, other, self)

    def __pow__(self, other):
        return apply_scalar(ops.pow, self, other)

    def __rpow__(self, other):
        return apply_scalar(ops.pow, other, self)


class _TensorMethods:
    """Array operations on a Tensor."""

    def __matmul__(self, other):
        return ops.dot(self, other)

    def __rmatmul__(self, other):
        return ops.dot(other, self)

    def __getitem__(self, index):
        return functions.getitem(self, index)

    def dot(self, other):
        return ops.dot(self, other)

    def sum(self, axis=None, keepdims=False):
        return ops.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return ops.mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return ops.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return functions.min(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return ops.reshape(self, shape=tuple(shape))

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0] or ()  # like NumPy: t.transpose(None) reverses the axes
        return ops.transpose(self, axes=tuple(axes) if axes else None)

    @property
    def T(self):
        return ops.transpose(self, axes=None)

    def broadcast_to(self, shape):
        return ops.broadcast_to(self, shape=tuple(shape))

    def softmax(self, axis=-1):
        return ops.softmax(self, axis=axis)

    def log_softmax(self, axis=-1):
        return ops.log_softmax(self, axis=axis)


def _give(methods, cls):
    """Make the methods defined in class ``methods`` methods of ``cls``."""
    for name, member in vars(methods).items():
        if name in ("__module__", "__qualname__", "__doc__", "__dict__", "__weakref__"):
            continue
        function = member.fget if isinstance(member, property) else member
        function.__qualname__ = f"{cls.__name__}.{name}"
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
