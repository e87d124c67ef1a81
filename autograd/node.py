"""Graph nodes: ``Value`` holds a Python float, ``Tensor`` a NumPy array.

Both share one engine. A node made by an operation remembers the primitive
(``node.op``), its input nodes (``node.inputs``) and the primitive's
parameters; ``backward()`` fills ``.grad`` on every node that leads to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

import numpy as np

from .context import next_seq, note_rebind, state

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Sequence

    from numpy.typing import ArrayLike, DTypeLike, NDArray
    from typing_extensions import Self

    from .engine import Group
    from .ops import Primitive
    from .typing import Axis, Checksum, Data, Operand, Scalar


class Node:
    """What Value and Tensor share: data, grad and the record of how it was made."""

    # One tracked object per node, eight slots: the inputs are kept in ``_x``
    # and ``_y`` (see ``_inputs``), a constant operand as its raw number or
    # array, and the fields most nodes never set live in ``_rare``.
    __slots__ = ("_data", "_grad", "requires_grad", "_op", "_x", "_y", "_seq", "_rare")

    if TYPE_CHECKING:
        _data: Any
        _grad: Any
        requires_grad: bool
        _op: Primitive | None
        _x: Any
        _y: Any
        _seq: float
        _rare: _Rare | None

    # -- data and gradient ---------------------------------------------------

    @property
    def data(self) -> Any:
        """The node's number (Value: a float) or array (Tensor: an ndarray)."""
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        if value is self._data:  # ``t.data -= u`` edits in place and assigns the same array back: no rebinding
            return
        value = self._checked_data(value)
        note_rebind(self)
        self._data = value

    @property
    def grad(self) -> Any:
        """d(output)/d(this node) after ``backward()``; None before, or after ``zero_grad()``."""
        grad = self._grad
        return None if grad is _PENDING else grad

    @grad.setter
    def grad(self, value: Any) -> None:
        self._grad = None if value is None else self._checked_grad(value)

    def _init(self, data: Data, requires_grad: bool, name: str | None) -> None:
        if requires_grad.__class__ is not bool and not isinstance(requires_grad, np.bool_):
            raise TypeError(
                f"{type(self).__name__}: requires_grad must be True or False, got {requires_grad!r}"
            )
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: name must be a string, got {type(name).__name__}")
        self._data = data
        self._grad = None
        self.requires_grad = bool(requires_grad)
        self._op = None
        self._x = self._y = None
        self._seq = next_seq()
        self._rare = _rare_in(state.group)
        if name is not None:
            self._rare_fields().name = name

    # -- the record -------------------------------------------------------

    @property
    def op(self) -> str | None:
        """Name of the primitive that made this node ('mul', 'exp', …), or None for a leaf."""
        return None if self._op is None else self._op.name

    @property
    def inputs(self) -> tuple[Node, ...]:
        """The nodes this one was computed from (constants included)."""
        return self._inputs

    @property
    def _inputs(self) -> tuple[Node, ...]:
        """The input nodes. A constant operand is kept as its raw number or array;
        the first call makes it a leaf node and keeps that node, so the graph
        shows the same constant node every time."""
        x, y = self._x, self._y
        if y is None:
            return ()
        if y is _UNARY:
            if not isinstance(x, Node):
                x = self._x = _constant_node(x, self, 0, 1)
            return (x,)
        if y is _MANY:
            if not all(isinstance(item, Node) for item in x):
                x = self._x = tuple(
                    item if isinstance(item, Node) else _constant_node(item, self, i, len(x))
                    for i, item in enumerate(x)
                )
            return x
        if not isinstance(x, Node):
            x = self._x = _constant_node(x, self, 0, 2)
        if not isinstance(y, Node):
            y = self._y = _constant_node(y, self, 1, 2)
        return (x, y)

    @_inputs.setter
    def _inputs(self, inputs: Iterable[Any]) -> None:
        inputs = tuple(inputs)
        if not inputs:
            self._x = self._y = None
        elif len(inputs) == 1:
            self._x, self._y = inputs[0], _UNARY
        elif len(inputs) == 2:
            self._x, self._y = inputs
        else:
            self._x, self._y = inputs, _MANY

    def _stored_inputs(self) -> tuple[Any, ...]:
        """The inputs as kept: nodes, and constants as raw numbers or arrays."""
        y = self._y
        if y is None:
            return ()
        if y is _UNARY:
            return (self._x,)
        if y is _MANY:
            return self._x
        return (self._x, y)

    @property
    def params(self) -> dict[str, Any]:
        """The primitive's keyword parameters (axis, shape, …)."""
        return dict(self._params or {})

    # The fields few nodes set, kept in ``_rare`` (None until one is set).

    def _rare_fields(self) -> _Rare:
        rare = self._rare
        if rare is None:
            rare = self._rare = _Rare()
        return rare

    @property
    def name(self) -> str | None:
        """A label for diagrams and messages, or None."""
        rare = self._rare
        return None if rare is None else rare.name

    @name.setter
    def name(self, value: str | None) -> None:
        self._rare_fields().name = value

    @property
    def group(self) -> Group | None:
        """The ``autograd.group`` open when this node was created, or None."""
        rare = self._rare
        return None if rare is None else rare.group

    @group.setter
    def group(self, value: Group | None) -> None:
        if value is not None or self._rare is not None:
            self._rare_fields().group = value

    @property
    def _origin(self) -> str | None:
        rare = self._rare
        return None if rare is None else rare.origin

    @_origin.setter
    def _origin(self, value: str | None) -> None:
        if value is not None or self._rare is not None:
            self._rare_fields().origin = value

    @property
    def _params(self) -> dict[str, Any] | None:
        rare = self._rare
        return None if rare is None else rare.params

    @_params.setter
    def _params(self, value: dict[str, Any] | None) -> None:
        if value is not None or self._rare is not None:
            self._rare_fields().params = value

    @property
    def _saved(self) -> tuple[tuple[int, Checksum], ...]:
        rare = self._rare
        return () if rare is None else rare.saved

    @_saved.setter
    def _saved(self, value: tuple[tuple[int, Checksum], ...]) -> None:
        self._rare_fields().saved = value

    @property
    def _edited(self) -> int:
        rare = self._rare
        return -1 if rare is None else rare.edited

    @_edited.setter
    def _edited(self, value: int) -> None:
        self._rare_fields().edited = value

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    # -- gradients (``backward`` is in ``autograd.operators``) --------------

    def zero_grad(self) -> None:
        """Forget this node's accumulated gradient."""
        self._grad = None

    def detach(self) -> Self:
        """The same data as a new leaf that no gradient flows through."""
        return type(self)._leaf(self.data)

    @classmethod
    def _leaf(cls, data: Data) -> Self:
        node = cls.__new__(cls)
        node._init(data, False, None)
        return node

    # -- comparisons: on the data, with no gradient (== stays identity) ------

    def __lt__(self, other: Operand) -> Any:
        return self.data < _plain(other)

    def __le__(self, other: Operand) -> Any:
        return self.data <= _plain(other)

    def __gt__(self, other: Operand) -> Any:
        return self.data > _plain(other)

    def __ge__(self, other: Operand) -> Any:
        return self.data >= _plain(other)

    def __float__(self) -> float:
        return float(self._data)

    def __format__(self, spec: str) -> str:
        """``f"{x:.2f}"`` formats the data (of a Value or a one-element Tensor); no spec gives ``str``."""
        if not spec:
            return str(self)
        if np.size(self._data) != 1:
            raise TypeError(
                f"format: a {type(self).__name__} of shape {np.shape(self._data)} has no single number "
                f"to format with {spec!r}; format an element (x.data[0]) or np.array2string(x.data)"
            )
        return format(float(np.asarray(self._data).reshape(())), spec)

    # -- what ``autograd.operators`` and ``numpy_dispatch`` give every node, typed
    # here for the checker (they sit above the op table, so are set on the class
    # when the package is imported; tests/test_types.py keeps the two in step).

    if TYPE_CHECKING:
        @staticmethod
        def _checked_data(value: Any) -> Any: ...

        def _checked_grad(self, value: Any) -> Any: ...

        def backward(self, grad: Any = None, create_graph: bool = False) -> None: ...

        def __add__(self, other: Operand) -> Node: ...

        def __radd__(self, other: Operand) -> Node: ...

        def __sub__(self, other: Operand) -> Node: ...

        def __rsub__(self, other: Operand) -> Node: ...

        def __mul__(self, other: Operand) -> Node: ...

        def __rmul__(self, other: Operand) -> Node: ...

        def __truediv__(self, other: Operand) -> Node: ...

        def __rtruediv__(self, other: Operand) -> Node: ...

        def __pow__(self, other: Operand) -> Node: ...

        def __rpow__(self, other: Operand) -> Node: ...

        def __mod__(self, other: Operand) -> Node: ...

        def __rmod__(self, other: Operand) -> Node: ...

        def __floordiv__(self, other: Operand) -> Node: ...

        def __rfloordiv__(self, other: Operand) -> Node: ...

        def __neg__(self) -> Self: ...

        def __pos__(self) -> Self: ...

        def __abs__(self) -> Self: ...

        def exp(self) -> Self: ...

        def log(self) -> Self: ...

        def sin(self) -> Self: ...

        def cos(self) -> Self: ...

        def tanh(self) -> Self: ...

        def sigmoid(self) -> Self: ...

        def relu(self) -> Self: ...

        def abs(self) -> Self: ...

        def clip(self, low: float | None = None, high: float | None = None) -> Self: ...

        def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any: ...

        def __array_function__(
            self, func: Callable[..., Any], types: Collection[type], args: tuple[Any, ...], kwargs: dict[str, Any]
        ) -> Any: ...


class Value(Node):
    """A scalar node on a Python float, micrograd style.

    >>> a = Value(2.0, name="a"); b = a * a + 1; b.backward(); a.grad
    4.0
    """

    __slots__ = ()

    def __init__(self, data: Scalar | NDArray[Any], requires_grad: bool = True, name: str | None = None) -> None:
        if isinstance(data, Node):
            raise TypeError("Value: data is already a node; use node.detach() for a copy without history")
        if isinstance(data, (bool, int, float, np.integer, np.floating, np.bool_)):
            data = float(data)
        elif isinstance(data, np.ndarray) and data.ndim == 0 and data.dtype.kind in "biuf":
            data = float(data)
        else:
            raise TypeError(
                f"Value: expected a number, got {type(data).__name__}; "
                "use Tensor for arrays"
            )
        self._init(data, requires_grad, name)

    @staticmethod
    def _checked_data(value: Any) -> float:
        if isinstance(value, Node):
            raise TypeError("Value.data: got a node; assign its number (node.data) or use the node itself")
        if isinstance(value, (bool, int, float, np.integer, np.floating, np.bool_)):
            return float(value)
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "biuf":
            return float(value)
        raise TypeError(f"Value.data must be a real number, got {type(value).__name__}")

    def _checked_grad(self, value: Any) -> Any:
        if isinstance(value, Node):  # a recorded gradient (backward(create_graph=True)) restored by hand
            if np.size(value.data) != 1:
                raise ValueError(f"Value.grad: a Value's gradient is one number, got a node of shape {np.shape(value.data)}")
            return value
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating, np.ndarray)):
            raise TypeError(f"Value.grad must be a real number or None, got {type(value).__name__}")
        if np.ndim(value) != 0 or np.asarray(value).dtype.kind not in "iuf":
            raise ValueError(f"Value.grad must be one real number, got an array of shape {np.shape(value)}")
        return float(value)

    def __repr__(self) -> str:
        parts = [f"data={self._data!r}"]
        if self.grad is not None:
            parts.append(f"grad={self.grad!r}")
        if self._op is not None:
            parts.append(f"op={self._op.name!r}")
        if self.name is not None:
            parts.append(f"name={self.name!r}")
        return f"Value({', '.join(parts)})"

    def item(self) -> float:
        return self.data

    if TYPE_CHECKING:  # see Node: set by ``autograd.operators`` and ``numpy_dispatch``

        @property
        def data(self) -> float: ...

        @data.setter
        def data(self, value: Scalar | NDArray[Any]) -> None: ...

        @overload
        def __add__(self, other: Value | Scalar) -> Value: ...

        @overload
        def __add__(self, other: Tensor | NDArray[Any]) -> Tensor: ...

        @overload
        def __add__(self, other: Node) -> Node: ...

        def __add__(self, other: Operand) -> Value | Tensor: ...

        @overload
        def __radd__(self, other: Value | Scalar) -> Value: ...

        @overload
        def __radd__(self, other: Tensor | NDArray[Any]) -> Tensor: ...

        @overload
        def __radd__(self, other: Node) -> Node: ...

        def __radd__(self, other: Operand) -> Value | Tensor: ...

        @overload
        def __sub__(self, other: Value | Scalar) -> Value: ...

        @overload
        def __sub__(self, other: Tensor | NDArray[Any]) -> Tensor: ...

        @overload
        def __sub__(self, other: Node) -> Node: ...

        def __sub__(self, other: Operand) -> Value | Tensor: ...

        @overload
        def __rsub__(self, other: Value | Scalar) -> Value: ...

        @overload
        def __rsub__(self, other: Tensor | NDArray[Any]) -> Tensor: ...

        @overload
        def __rsub__(self, other: Node) -> Node: ...

        def __rsub__(self, other: Operand) -> Value | Tensor: ...

        @overload
        def __mul__(self, other: Value | Scalar) -> Value: ...

        @overload
        def __mul__(self, other: Tensor | NDArray[Any]) -> Tensor: ...

        @overload
        def __mul__(self, other: Node) -> Node: ...

        def __mul__(self, other: Operand) -> Value | Tensor: ...

        @overload
        def __rmul__(self, other: Value | Scalar) -> Value: ...

        @overload
        def __rmul__(self, other: Tensor | NDArray[Any]) -> Tensor: ...

        @overload
        def __rmul__(self, other: Node) -> Node: ...

        def __rmul__(self, other: Operand) -> Value | Tensor: ...

        @overload
        def __truediv__(self, other: Value | Scalar) -> Value: ...

        @overload
        def __truediv__(self, other: Tensor | NDArray[Any]) -> Tensor: ...

        @overload
        def __truediv__(self, other: Node) -> Node: ...

        def __truediv__(self, other: Operand) -> Value | Tensor: ...

        @overload
        def __rtruediv__(self, other: Value | Scalar) -> Value: ...

        @overload
        def __rtruediv__(self, other: Tensor | NDArray[Any]) -> Tensor: ...

        @overload
        def __rtruediv__(self, other: Node) -> Node: ...

        def __rtruediv__(self, other: Operand) -> Value | Tensor: ...

        @overload
        def __pow__(self, other: Value | Scalar) -> Value: ...

        @overload
        def __pow__(self, other: Tensor | NDArray[Any]) -> Tensor: ...

        @overload
        def __pow__(self, other: Node) -> Node: ...

        def __pow__(self, other: Operand) -> Value | Tensor: ...

        @overload
        def __rpow__(self, other: Value | Scalar) -> Value: ...

        @overload
        def __rpow__(self, other: Tensor | NDArray[Any]) -> Tensor: ...

        @overload
        def __rpow__(self, other: Node) -> Node: ...

        def __rpow__(self, other: Operand) -> Value | Tensor: ...

        @overload
        def __mod__(self, other: Value | Scalar) -> Value: ...

        @overload
        def __mod__(self, other: Tensor | NDArray[Any]) -> Tensor: ...

        @overload
        def __mod__(self, other: Node) -> Node: ...

        def __mod__(self, other: Operand) -> Value | Tensor: ...

        @overload
        def __rmod__(self, other: Value | Scalar) -> Value: ...

        @overload
        def __rmod__(self, other: Tensor | NDArray[Any]) -> Tensor: ...

        @overload
        def __rmod__(self, other: Node) -> Node: ...

        def __rmod__(self, other: Operand) -> Value | Tensor: ...

        @overload
        def __floordiv__(self, other: Value | Scalar) -> Value: ...

        @overload
        def __floordiv__(self, other: Tensor | NDArray[Any]) -> Tensor: ...

        @overload
        def __floordiv__(self, other: Node) -> Node: ...

        def __floordiv__(self, other: Operand) -> Value | Tensor: ...

        @overload
        def __rfloordiv__(self, other: Value | Scalar) -> Value: ...

        @overload
        def __rfloordiv__(self, other: Tensor | NDArray[Any]) -> Tensor: ...

        @overload
        def __rfloordiv__(self, other: Node) -> Node: ...

        def __rfloordiv__(self, other: Operand) -> Value | Tensor: ...


class Tensor(Node):
    """A node over a NumPy array (float64 unless given another float dtype).

    Binary operations broadcast like NumPy; in backward, each input's
    gradient is summed back to that input's shape.
    """

    # ``_from_bools``: set on a Tensor made from booleans, so that used as an
    # index it selects like NumPy's boolean mask (its data is 0.0 and 1.0).
    __slots__ = ("_from_bools",)

    def __init__(self, data: ArrayLike, requires_grad: bool = True, name: str | None = None) -> None:
        if isinstance(data, Node):
            raise TypeError("Tensor: data is already a node; use node.detach() for a copy without history")
        if isinstance(data, (list, tuple)) and _holds_node(data):
            raise TypeError(
                "Tensor: the list holds nodes, and building a Tensor from their data would drop their "
                "history; use autograd.stack([...]) to join nodes into a recorded Tensor, or pass plain numbers"
            )
        array = as_array(data, "Tensor")
        if array is not data and np.asarray(data).dtype.kind == "b":
            self._from_bools = True
        self._init(array, requires_grad, name)

    @staticmethod
    def _checked_data(value: Any) -> NDArray[Any]:
        if isinstance(value, Node):
            raise TypeError("Tensor.data: got a node; assign its array (node.data) or use the node itself")
        return as_array(value, "Tensor.data")

    def _checked_grad(self, value: Any) -> Any:
        shape, dtype = self._data.shape, self._data.dtype
        if isinstance(value, Node):  # a recorded gradient (backward(create_graph=True)) restored by hand
            if np.shape(value.data) != shape:
                raise ValueError(f"Tensor.grad: got a node of shape {np.shape(value.data)} for a Tensor of shape {shape}")
            return value
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
        if array.dtype.kind != "f":
            raise TypeError(
                f"Tensor.grad must be a float array like the data ({dtype}), got {array.dtype} "
                f"(from {type(value).__name__}); convert it with .astype(np.{dtype})"
            )
        if array.dtype != dtype:
            raise TypeError(
                f"Tensor.grad: the data is {dtype} but the gradient is {array.dtype}; "
                f"convert it with .astype(np.{dtype})"
            )
        if array.shape != shape:
            raise ValueError(f"Tensor.grad: shape {array.shape} does not match the data's shape {shape}")
        return array

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", threshold=20, edgeitems=3)
        body = body.replace("\n", "\n       ")
        extra = ""
        if self._op is not None:
            extra += f", op={self._op.name!r}"
        if self.name is not None:
            extra += f", name={self.name!r}"
        if not self.requires_grad:
            extra += ", requires_grad=False"
        return f"Tensor({body}, shape={self.data.shape}{extra})"

    # -- NumPy-like properties -------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.data.dtype

    def __len__(self) -> int:
        return len(self.data)

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> NDArray[Any]:
        """The plain array, for NumPy; refused while it would silently drop a gradient.

        NumPy asks for it where no recording hook reaches (``np.asarray(t)``,
        ``np.array([t, u])``, ``ndarray.dot(t)``, a list of Tensors given to
        ``np.sum``): whatever it computes from the plain array has no
        gradient, so a Tensor that requires one refuses while recording is
        on, as PyTorch's does. ``t.data`` is the plain array, always.
        """
        if self.requires_grad and state.grad_enabled:
            raise TypeError(
                f"NumPy asked for the plain array of a Tensor of shape {self._data.shape} that requires a gradient "
                "(np.asarray, np.array, an ndarray method such as a.dot(t), or a list of Tensors given to a NumPy "
                "function), and what it computes from it would have no gradient. Use the recorded form instead "
                "(np.dot(a, t) or a @ t, autograd.stack([...]) for a list, autograd.sum(autograd.stack(...))), "
                "or take t.data for the plain numbers without a gradient (or compute under autograd.no_grad())"
            )
        data = self._data
        if copy:  # np.array(t) asks for a copy and trusts it: editing it must leave t alone
            return data.copy() if dtype is None else data.astype(dtype)
        if dtype is None or data.dtype == np.dtype(dtype):
            return data
        if copy is False:
            raise ValueError(f"Tensor: the data is {data.dtype}, so an array of dtype {np.dtype(dtype)} needs a copy (copy=False)")
        return data.astype(dtype)

    def numpy(self) -> NDArray[Any]:
        """The data as a NumPy array (shared, not copied)."""
        return self.data

    def item(self) -> float:
        return self.data.item()

    if TYPE_CHECKING:  # see Node: set by ``autograd.operators``, ``numpy_dispatch``, ``array_ops`` and ``linalg``

        _from_bools: bool

        @property
        def data(self) -> NDArray[Any]: ...

        @data.setter
        def data(self, value: ArrayLike) -> None: ...

        def __add__(self, other: Operand) -> Tensor: ...

        def __radd__(self, other: Operand) -> Tensor: ...

        def __sub__(self, other: Operand) -> Tensor: ...

        def __rsub__(self, other: Operand) -> Tensor: ...

        def __mul__(self, other: Operand) -> Tensor: ...

        def __rmul__(self, other: Operand) -> Tensor: ...

        def __truediv__(self, other: Operand) -> Tensor: ...

        def __rtruediv__(self, other: Operand) -> Tensor: ...

        def __pow__(self, other: Operand) -> Tensor: ...

        def __rpow__(self, other: Operand) -> Tensor: ...

        def __mod__(self, other: Operand) -> Tensor: ...

        def __rmod__(self, other: Operand) -> Tensor: ...

        def __floordiv__(self, other: Operand) -> Tensor: ...

        def __rfloordiv__(self, other: Operand) -> Tensor: ...

        def __matmul__(self, other: Operand) -> Tensor: ...

        def __rmatmul__(self, other: Operand) -> Tensor: ...

        def __getitem__(self, index: Any) -> Tensor: ...

        def dot(self, other: Operand) -> Tensor: ...

        def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor: ...

        def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor: ...

        def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor: ...

        def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor: ...

        def prod(self, axis: Axis = None, keepdims: bool = False) -> Tensor: ...

        def var(self, axis: Axis = None, ddof: float = 0, keepdims: bool = False) -> Tensor: ...

        def std(self, axis: Axis = None, ddof: float = 0, keepdims: bool = False) -> Tensor: ...

        def cumsum(self, axis: int | None = None) -> Tensor: ...

        def cumprod(self, axis: int | None = None) -> Tensor: ...

        def copy(self) -> Tensor: ...

        def round(self, decimals: int = 0) -> Tensor: ...

        def reshape(self, *shape: int | Sequence[int]) -> Tensor: ...

        def transpose(self, *axes: int | Sequence[int] | None) -> Tensor: ...

        @property
        def T(self) -> Tensor: ...

        def broadcast_to(self, shape: Sequence[int]) -> Tensor: ...

        def softmax(self, axis: int = -1) -> Tensor: ...

        def log_softmax(self, axis: int = -1) -> Tensor: ...

        def flatten(self, order: str = "C") -> Tensor: ...

        def ravel(self, order: str = "C") -> Tensor: ...

        def squeeze(self, axis: Axis = None) -> Tensor: ...

        def swapaxes(self, axis1: int, axis2: int) -> Tensor: ...

        def repeat(self, repeats: int | Sequence[int], axis: int | None = None) -> Tensor: ...

        def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor: ...

        def trace(
            self, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: None = None, out: None = None
        ) -> Tensor: ...

        def take(self, indices: Any, axis: int | None = None, out: None = None, mode: str = "raise") -> Tensor: ...


class _Rare:
    """A node's fields that few nodes set: kept apart, so a node is one small object."""

    __slots__ = ("name", "group", "origin", "params", "saved", "edited")

    if TYPE_CHECKING:
        name: str | None
        group: Group | None
        origin: str | None
        params: dict[str, Any] | None
        saved: tuple[tuple[int, Checksum], ...]
        edited: int

    def __init__(self) -> None:
        self.name = self.group = self.origin = self.params = None
        self.saved = ()  # checksums of the arrays the VJPs read: ((position, checksum), ...)
        self.edited = -1  # the creation number current when ``.data`` was last rebound


def _rare_in(group: Group | None) -> _Rare | None:
    """``_rare`` for a node created inside ``group``: None outside any group."""
    if group is None:
        return None
    rare = _Rare()
    rare.group = group
    return rare


# ``node._y`` when the node has one input (in ``_x``), or three or more (a tuple in ``_x``).
_UNARY = type("_Unary", (), {"__slots__": (), "__repr__": lambda self: "<one input>"})()
_MANY = type("_Many", (), {"__slots__": (), "__repr__": lambda self: "<inputs in a tuple>"})()
# ``node._grad`` of a node made by an operation while a backward pass has found
# it but no gradient has reached it yet (read as None).
_PENDING = type("_Pending", (), {"__slots__": (), "__repr__": lambda self: "<gradient pending>"})()


def _constant_node(data: Data, consumer: Node, position: int, count: int) -> Node:
    """The leaf node for the constant operand ``position`` of ``consumer`` (one of ``count``).

    Numbered between ``consumer`` and the next node, in the group that was open
    when ``consumer`` was recorded, as the operand was.
    """
    cls = Tensor if data.__class__ is np.ndarray else Value
    node = cls.__new__(cls)
    node._data = data
    node._grad = None
    node.requires_grad = False
    node._op = None
    node._x = node._y = None
    node._seq = consumer._seq + (position + 1) / (count + 1)
    node._rare = _rare_in(consumer.group)
    return node


def _holds_node(items: Iterable[Any]) -> bool:
    return any(isinstance(item, Node) or (isinstance(item, (list, tuple)) and _holds_node(item)) for item in items)


def _plain(obj: Any) -> Any:
    """``obj`` with every node in it (in lists, tuples and dicts too) replaced by its data."""
    if isinstance(obj, Node):
        return obj.data
    if isinstance(obj, (list, tuple)):
        return type(obj)(_plain(item) for item in obj)
    if isinstance(obj, dict):
        return {key: _plain(value) for key, value in obj.items()}
    return obj


def as_array(data: Any, what: str = "Tensor") -> NDArray[Any]:
    """``data`` as a float NumPy array: ints and bools become float64."""
    array = np.asarray(data)
    kind = array.dtype.kind
    if kind == "f":
        return array
    if kind in "biu":
        return array.astype(np.float64)
    raise TypeError(
        f"{what}: unsupported dtype {array.dtype} (from {type(data).__name__}); "
        "use numbers: floats, ints or bools"
    )
