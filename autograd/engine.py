"""The engine: recording operations as nodes, and the backward pass over them.

``apply(prim, *args)`` runs a primitive's forward on raw data and, when any
input needs a gradient and recording is on, returns a node that remembers the
primitive, its inputs and its parameters. ``backward(root)`` visits the
recorded graph in reverse topological order (found without recursion) and
multiplies each upstream gradient by the primitive's vector-Jacobian products.
"""

from __future__ import annotations

import contextlib
import operator
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import context
from .context import next_seq, state
from .node import _MANY, _PENDING, _UNARY, Node, Tensor, Value, _rare_in, as_array

if TYPE_CHECKING:
    from .ops import Primitive
    from .typing import Array, Checksum, Data


# How many switches are away from their defaults, over all threads. While it
# is zero (nearly always) the hot path skips reading the thread-local state.
_switched = 0
_switch_lock = threading.Lock()

# The creation number of the latest node that keeps checksums: a backward
# pass over a graph older than it and than the latest ``.data`` rebinding
# (``context.last_rebind``) has nothing to verify and skips the check.
_last_checksummed: float = -1


class InPlaceEditError(RuntimeError):
    """Data that a recorded operation needs for its gradient was changed after it was recorded."""


# Arrays up to this size are fingerprinted by their bytes (the hot paths inline it).
EXACT_BYTES = 65536

# Weights of the block sums in ``checksum``: fixed, positive, all different.
_BLOCK = 4096
_WEIGHTS: dict[np.dtype[Any], Array] = {np.dtype(np.float64): np.random.default_rng(20261201).uniform(0.5, 1.5, _BLOCK)}
_WEIGHTS[np.dtype(np.float32)] = _WEIGHTS[np.dtype(np.float64)].astype(np.float32)


def checksum(array: Array) -> Checksum:
    """A cheap fingerprint of an array's contents, to tell whether it changed.

    Arrays up to 64 kB, and larger ones of a dtype other than float64 and
    float32, keep their bytes (an exact comparison). Larger float
    arrays keep two sums, each of them computed in one pass:

    - the sum of their bit patterns as 64-bit words, modulo 2⁶⁴, which any
      change of one value alters, and any set of small changes (a few units
      in the last place) unless they cancel exactly;
    - the sums of each block of 4,096 values weighted by fixed weights in
      [0.5, 1.5), wᵢ·xᵢ in floating point, which the structured edits that
      keep the first sum alter: a change of sign of an even number of
      values (``x *= -1``), a scaling by a power of two, a swap of two values.

    What the two miss is an edit built to keep both: values moved by a few
    units in the last place in opposite directions, which cancel in the
    first sum, by amounts the second rounds away.
    """
    if array.nbytes <= EXACT_BYTES:
        return array.tobytes()
    weights = _WEIGHTS.get(array.dtype)  # native float64 and float32 only
    if weights is None:
        return array.tobytes()
    if not array.flags.c_contiguous:
        array = np.ascontiguousarray(array)
    flat = array.reshape(-1)
    words = int(flat.view(np.uint64).sum()) if flat.nbytes % 8 == 0 else int(
        np.add.reduce(flat.view(np.uint32), dtype=np.uint64))
    rows, tail = divmod(flat.size, _BLOCK)
    blocks = np.dot(flat[:rows * _BLOCK].reshape(rows, _BLOCK), weights).tobytes()
    if tail:
        blocks += np.dot(flat[rows * _BLOCK:], weights[:tail]).tobytes()
    return words, blocks


class switch(contextlib.ContextDecorator):
    """Set one of this thread's switches for the duration of a block (or a decorated call)."""

    __slots__ = ("name", "value", "previous")

    name: str
    value: Any
    previous: Any

    def __init__(self, name: str, value: Any) -> None:
        self.name = name
        self.value = value

    def __enter__(self) -> Any:
        global _switched
        self.previous = getattr(state, self.name)
        with _switch_lock:
            _switched += 1
        setattr(state, self.name, self.value)
        return self.value

    def __exit__(self, *exc_info: object) -> None:
        global _switched
        setattr(state, self.name, self.previous)
        with _switch_lock:
            _switched -= 1

    def _recreate_cm(self) -> switch:
        return switch(self.name, self.value)  # a decorated function may run again inside itself


def is_grad_enabled() -> bool:
    return state.grad_enabled


def _grad_mode(enabled: bool) -> contextlib.AbstractContextManager[bool]:
    return switch("grad_enabled", enabled)


def no_grad() -> contextlib.AbstractContextManager[bool]:
    """Context manager: operations inside it are computed but not recorded."""
    return _grad_mode(False)


def enable_grad() -> contextlib.AbstractContextManager[bool]:
    """Context manager: record operations even inside ``no_grad()``."""
    return _grad_mode(True)


def skip_edit_checks() -> contextlib.AbstractContextManager[bool]:
    """Context manager: record without guarding data against in-place edits.

    Inside it, operations keep no checksums and copy no constant arrays (nor
    the arrays among their parameters, such as an index), so backward cannot
    tell whether recorded data was edited in place. For code
    that records and backpropagates in one call, with no user code in
    between that could edit the data (``nn``'s ``gradient``), and only there.
    """
    return switch("check_edits", False)


class Group:
    """A labelled region of the graph (a composite function or a layer call).

    Every node created while the group is open carries it in ``node.group``,
    so the visualizer can draw the region as a cluster or collapse it.
    """

    __slots__ = ("name", "parent", "__weakref__")

    def __init__(self, name: str, parent: Group | None = None) -> None:
        self.name = name
        self.parent = parent

    @property
    def path(self) -> tuple[str, ...]:
        """Names from the outermost group to this one."""
        names, group = [], self
        while group is not None:
            names.append(group.name)
            group = group.parent
        return tuple(reversed(names))

    def __repr__(self) -> str:
        return f"Group({'/'.join(self.path)!r})"


@contextlib.contextmanager
def group(name: str) -> Iterator[Group]:
    """Label every node created inside the block as belonging to ``name``."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"group: the name must be a non-empty string, got {name!r}")
    with switch("group", Group(name, state.group)) as current:
        yield current


# ---------------------------------------------------------------------------
# Recording


def _type_error(prim: Primitive, value: object) -> TypeError:
    return TypeError(
        f"{prim.name}: unsupported operand type '{type(value).__name__}'; "
        "expected a Value, a Tensor, an int or float, or a NumPy array of numbers"
    )


def _raw(prim: Primitive, arg: Any) -> tuple[Data, bool]:
    """(data, is_tensor) of a constant operand; refuses anything not numeric."""
    cls = type(arg)
    if cls is float:
        return arg, False
    if cls is int or cls is bool:
        return float(arg), False
    if isinstance(arg, np.ndarray):
        return as_array(arg, prim.name), True
    if isinstance(arg, (np.floating, np.integer, np.bool_)):
        return float(arg), False
    if isinstance(arg, (float, int)):  # subclasses
        return float(arg), False
    raise _type_error(prim, arg)


def apply(prim: Primitive, *args: Any, **params: Any) -> Any:
    """Run ``prim`` on ``args`` and record it when a gradient may be needed.

    Plain numbers and arrays are constants. The result is a Value when every
    operand is scalar, a Tensor when any is an array (or the primitive works
    on arrays only), and raw data when no operand is a node at all. A
    constant is kept in the record as its raw number or array (``_inputs``
    makes it a node when asked).
    """
    datas = []
    # What the record keeps per input: the node, or a constant's raw data (the
    # tuple args until a constant is converted, then a list).
    stored: Any = args
    tensor_mode = prim.tensor_only
    any_node = False
    needs = 0  # bit i set: input i is a node that needs a gradient
    bit = 1
    for arg in args:
        cls = arg.__class__
        if cls is Tensor or cls is Value or isinstance(arg, Node):
            any_node = True
            if arg.requires_grad:
                needs |= bit
            if cls is not Value:
                tensor_mode = True
            datas.append(arg._data)
        else:
            data, is_tensor = _raw(prim, arg)
            if is_tensor:
                tensor_mode = True
            if data is not arg:
                if stored is args:
                    stored = list(args)
                stored[len(datas)] = data
            datas.append(data)
        bit <<= 1

    try:
        out = prim.forward(*datas, **params)
    except ValueError as error:
        if str(error).startswith(prim.name + ":"):
            raise
        shapes = " and ".join(str(np.shape(d)) for d in datas)
        raise ValueError(f"{prim.name}: cannot combine operands of shapes {shapes}: {error}") from None

    if not any_node:
        return out
    if tensor_mode:
        if out.__class__ is not np.ndarray:
            out = np.asarray(out)
        node = _new(Tensor)
    else:
        node = _new(Value)

    node._data = out
    node._grad = None
    node._seq = next_seq()
    if needs and (not _switched or state.grad_enabled):
        node.requires_grad = True
        node._op = prim
        count = len(stored)
        if count == 2:
            node._x, node._y = stored
        elif count == 1:
            node._x, node._y = stored[0], _UNARY
        else:
            node._x, node._y = tuple(stored), _MANY
        if _switched:
            node._rare = _rare_in(state.group)
            if params:
                node._rare_fields().params = owned_params(params) if state.check_edits else params
            if tensor_mode and state.check_edits:
                _keep_checksums(node, prim, args, stored, needs)
            if state.anomaly:
                _check_forward(node)
        else:
            node._rare = None
            if params:
                node._rare_fields().params = owned_params(params)
            if tensor_mode and prim.read_plan.get(needs | 1 << count) != ():  # () when nothing is read
                _keep_checksums(node, prim, args, stored, needs)
    else:
        _unrecorded(node)
        if _switched and state.anomaly:
            _check_forward(node, prim, args)
    return node


_new = object.__new__


def _unrecorded(node: Node) -> None:
    node.requires_grad = False
    node._op = None
    node._x = node._y = node._rare = None


def _recorded_scalar(node: Value, prim: Primitive, x: Any, y: Any) -> None:
    """Fill in the record of a Value made by the hot paths below."""
    node.requires_grad = True
    node._op = prim
    node._x = x
    node._y = y
    if _switched:
        node._rare = _rare_in(state.group)
        if state.anomaly:
            _check_forward(node)
    else:
        node._rare = None


def scalar_operator(prim: Primitive, reflected: bool = False) -> Callable[[Any, Any], Any]:
    """``apply`` for a binary primitive on a Value and a Value or number: the hot path, one call per node.

    Value's operators are these functions: ``Value.__mul__`` is
    ``scalar_operator(ops.mul)``, ``Value.__rmul__`` (``2.0 * v``) the same
    ``reflected``. Operands other than floats, ints and Values go through ``apply``.
    """
    forward = prim.forward

    def binary(x: Any, y: Any) -> Any:
        xc = x.__class__
        yc = y.__class__
        if xc is Value:
            xd = x._data
            if yc is Value:
                yd = y._data
                needs = x.requires_grad or y.requires_grad
            elif yc is float:
                yd = y
                needs = x.requires_grad
            elif yc is int:
                yd = y = float(y)
                needs = x.requires_grad
            else:
                return apply(prim, x, y)
        elif yc is Value:  # a reflected operator: the number comes first
            yd = y._data
            if xc is float:
                xd = x
            elif xc is int:
                xd = x = float(x)
            else:
                return apply(prim, x, y)
            needs = y.requires_grad
        else:
            return apply(prim, x, y)
        node = _new(Value)
        node._data = forward(xd, yd)
        node._grad = None
        node._seq = next_seq()
        if not _switched and needs:  # the common case, inline
            node.requires_grad = True
            node._op = prim
            node._x = x
            node._y = y
            node._rare = None
        elif needs and state.grad_enabled:
            _recorded_scalar(node, prim, x, y)
        else:
            _unrecorded(node)
            if _switched and state.anomaly:
                _check_forward(node, prim, (xd, yd))
        return node

    if reflected:
        def reflected_binary(value: Any, other: Any) -> Any:
            return binary(other, value)
        return reflected_binary
    return binary


def _tensor_node(out: Any) -> Tensor:
    """A new Tensor holding a primitive's output (as an ndarray), numbered, with no gradient yet."""
    node = _new(Tensor)
    node._data = out if out.__class__ is np.ndarray else np.asarray(out)
    node._grad = None
    node._seq = next_seq()
    return node


def apply_tensor(prim: Primitive, x: Any, y: Any) -> Any:
    """``apply`` for a binary primitive on a Tensor and a Tensor or number (the hot path of Tensor's operators)."""
    if _switched:
        return apply(prim, x, y)
    xc = x.__class__
    yc = y.__class__
    if xc is Tensor:
        xd = x._data
        needs = 1 if x.requires_grad else 0
        if yc is Tensor:
            yd = y._data
            if y.requires_grad:
                needs |= 2
        elif yc is float:
            yd = y
        elif yc is int:
            yd = y = float(y)
        elif yc is np.ndarray and y.dtype.kind == "f":  # a constant array, as ``_raw`` keeps it
            yd = y
        else:
            return apply(prim, x, y)
    elif yc is Tensor:
        if xc is float or xc is int:  # a reflected operator: the number comes first
            xd = x = float(x)
        elif xc is np.ndarray and x.dtype.kind == "f":  # a constant array first (array @ tensor)
            xd = x
        else:
            return apply(prim, x, y)
        yd = y._data
        needs = 2 if y.requires_grad else 0
    else:
        return apply(prim, x, y)
    try:
        out = prim.forward(xd, yd)
    except ValueError:
        return apply(prim, x, y)  # which says which operation and shapes
    node = _tensor_node(out)
    if needs:
        node.requires_grad = True
        node._op = prim
        node._x = x
        node._y = y
        node._rare = None
        if prim.read_plan.get(needs | 4) != ():  # () when nothing is read
            _keep_checksums(node, prim, (x, y), (x, y), needs)
    else:
        _unrecorded(node)
    return node


def scalar_function(prim: Primitive) -> Callable[[Value], Value]:
    """``apply`` for a one-input primitive on a Value (the hot path): ``Value.exp`` is ``scalar_function(ops.exp)``."""
    forward = prim.forward

    def function(x: Value) -> Value:
        node = _new(Value)
        node._data = forward(x._data)
        node._grad = None
        node._seq = next_seq()
        if not _switched and x.requires_grad:  # the common case, inline
            node.requires_grad = True
            node._op = prim
            node._x = x
            node._y = _UNARY
            node._rare = None
        elif x.requires_grad and state.grad_enabled:
            _recorded_scalar(node, prim, x, _UNARY)
        else:
            _unrecorded(node)
            if _switched and state.anomaly:
                _check_forward(node, prim, (x,))
        return node

    return function


def apply_tensor_unary(prim: Primitive, x: Tensor) -> Tensor:
    """``apply`` for a one-input primitive on a Tensor (the hot path of Tensor's methods)."""
    if _switched:
        return apply(prim, x)
    try:
        out = prim.forward(x._data)
    except ValueError:
        return apply(prim, x)  # which says which operation and shape
    node = _tensor_node(out)
    if x.requires_grad:
        node.requires_grad = True
        node._op = prim
        node._x = x
        node._y = _UNARY
        node._rare = None
        if prim.read_plan.get(3) != ():  # () when nothing is read (key: input 0 needs a gradient, of one)
            _keep_checksums(node, prim, (x,), (x,), 1)
    else:
        _unrecorded(node)
    return node


def _keep_checksums(node: Node, prim: Primitive, args: Sequence[Any], stored: Sequence[Any], needs: int) -> None:
    """Guard the arrays ``node``'s VJPs will read (``prim.reads``) against later edits.

    ``needs`` has bit i set when input i needs a gradient. A plain array
    given as an operand (a constant) is copied: the graph keeps the values
    the forward pass used, whatever happens to the caller's array. The
    output and arrays of nodes get a checksum, compared by backward.
    """
    global _last_checksummed
    positions = read_plan(prim, needs, len(stored))
    if not positions:
        return
    kept = []
    for position in positions:
        if position == OUT:
            data = node._data
        else:
            item = stored[position]
            if item.__class__ is np.ndarray:  # a constant
                # The caller's own array, or a view of it (np.asarray of a memmap or
                # another subclass): keep a copy. A converted one (ints) is already ours.
                if args[position] is item or not item.flags.owndata:
                    _replace_input(node, position, item.copy())
                continue
            data = item._data if isinstance(item, Node) else item
        if data.__class__ is np.ndarray:
            kept.append((position, data.tobytes() if data.nbytes <= EXACT_BYTES else checksum(data)))
    if kept:
        node._rare_fields().saved = tuple(kept)
        # Only ever raised: another thread may have recorded a newer node while these
        # checksums were taken (no call between the test and the store, so no switch).
        if node._seq > _last_checksummed:
            _last_checksummed = node._seq


def owned_params(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` as a record keeps them: every array in them (an index, a mask, a condition) copied.

    The VJPs read them in backward, so an array the caller edits after the
    forward pass (``index[:] = …``) must not change the gradient; like a
    constant operand, the record keeps the values the forward pass used.
    """
    for value in params.values():
        if value.__class__ is np.ndarray or (value.__class__ is tuple and _holds_array(value)):
            return {key: _owned(value) for key, value in params.items()}
    return params


def _holds_array(items: tuple[Any, ...]) -> bool:
    return any(item.__class__ is np.ndarray or (item.__class__ is tuple and _holds_array(item)) for item in items)


def _owned(value: Any) -> Any:
    if value.__class__ is np.ndarray:
        return value.copy()
    if value.__class__ is tuple:
        return tuple(_owned(item) for item in value)
    return value


def _replace_input(node: Node, position: int, value: Any) -> None:
    y = node._y
    if y is _UNARY or (y is not _MANY and position == 0):
        node._x = value
    elif y is _MANY:
        node._x = node._x[:position] + (value,) + node._x[position + 1:]
    else:
        node._y = value


def read_plan(prim: Primitive, needs: int, count: int) -> tuple[int, ...]:
    """The positions (inputs, OUT) whose values the VJPs of ``prim`` read for the inputs that need a
    gradient: bit i of ``needs`` for input i of ``count``; cached on the primitive."""
    key = needs | 1 << count  # the top bit tells the number of inputs apart
    positions = prim.read_plan.get(key)
    if positions is None:
        positions = prim.read_plan[key] = _read_positions(prim.reads, tuple(bool(needs >> i & 1) for i in range(count)))
    return positions


def _read_positions(reads: Sequence[Sequence[int]] | None, needs: Sequence[bool]) -> tuple[int, ...]:
    """The positions whose values the VJPs of the inputs that need a gradient read."""
    if reads is None:
        return (OUT, *range(len(needs)))
    positions: set[int] = set()
    for need, read in zip(needs, reads):
        if need:
            positions.update(read)
    return tuple(sorted(positions))


OUT = -1  # a position in ``Primitive.reads`` and ``node._saved``: the output


def _check_forward(node: Node, prim: Primitive | None = None, args: Sequence[Any] | None = None) -> None:
    state.anomaly.check_forward(node, prim, args)


# ---------------------------------------------------------------------------
# Backward


def topological_order(root: Node) -> list[Node]:
    """Nodes that need a gradient and lead to ``root``, inputs before users.

    Every node is numbered when it is created, after its inputs, so creation
    order is a topological order: collect the ancestors with an explicit
    stack (no recursion, so a chain of a million nodes is fine) and sort.
    """
    visited = {root}
    stack = [root]
    while stack:
        for parent in stack.pop()._stored_inputs():
            if isinstance(parent, Node) and parent.requires_grad and parent not in visited:
                visited.add(parent)
                if parent._op is not None:  # a leaf has no inputs to visit
                    stack.append(parent)
    return sorted(visited, key=_by_creation)


def _backward_order(root: Node) -> list[Node]:
    """``topological_order(root)`` for a backward pass, leaves first, with the gradients it starts from.

    A node made by an operation is marked found by setting its gradient to
    ``_PENDING`` (read as None: no gradient has reached it yet), so only
    leaves, which keep their gradients, need a set. They come first, in no
    particular order; the nodes made by operations follow in creation order.
    Each node's last input is visited first, which for chains and sums
    finds them newest first, so the sort finds long runs.
    """
    leaves: list[Node] = []
    if root._op is None:
        return [root]
    root._grad = None
    found = [root]
    stack = [root]
    seen: set[Node] = set()
    pop, push, keep, leaf, see = stack.pop, stack.append, found.append, leaves.append, seen.add
    ndarray = np.ndarray
    value = Value
    pending = _PENDING
    try:
        while stack:
            node = pop()
            y = node._y
            if y is _UNARY:
                parents: Sequence[Any] = (node._x,)
            elif y is _MANY:
                parents = node._x[::-1]
            elif y is None:
                continue
            else:  # two inputs, most nodes: each checked in place, with no tuple built
                yc = y.__class__
                if (yc is value or (yc is not float and yc is not ndarray)) and y.requires_grad:
                    if y._op is not None:
                        if y._grad is not pending:
                            y._grad = pending
                            keep(y)
                            push(y)
                    elif y not in seen:
                        see(y)
                        leaf(y)
                x = node._x
                xc = x.__class__
                if (xc is value or (xc is not float and xc is not ndarray)) and x.requires_grad:
                    if x._op is not None:
                        if x._grad is not pending:
                            x._grad = pending
                            keep(x)
                            push(x)
                    elif x not in seen:
                        see(x)
                        leaf(x)
                continue
            for parent in parents:
                cls = parent.__class__
                if cls is not float and cls is not ndarray and parent.requires_grad:
                    if parent._op is not None:
                        if parent._grad is not pending:
                            parent._grad = pending
                            keep(parent)
                            push(parent)
                    elif parent not in seen:
                        see(parent)
                        leaf(parent)
    except BaseException:
        _clear_pending(found)
        raise
    found.reverse()
    found.sort(key=_by_creation)
    leaves += found
    return leaves


def _clear_pending(nodes: Sequence[Node]) -> None:
    """After a backward pass that raised: gradients still pending are None again."""
    for node in nodes:
        if node._grad is _PENDING:
            node._grad = None


_by_creation = operator.attrgetter("_seq")


def _fit_array(grad: Any, node: Node) -> Data:
    """Shape a raw gradient like ``node``, summing away broadcast axes, in ``node``'s dtype."""
    if node.__class__ is Value:
        return grad if grad.__class__ is float else float(np.sum(grad))
    return fit_gradient(grad, node._data)


def fit_gradient(grad: Any, data: Array) -> Array:
    """A raw gradient for the array ``data``: its shape (broadcast axes summed away), its dtype, writeable."""
    if grad.__class__ is not np.ndarray:
        grad = np.asarray(grad, dtype=data.dtype)
    if grad.shape != data.shape:
        grad = sum_to(grad, data.shape) if grad.ndim >= data.ndim else np.broadcast_to(grad, data.shape)
    if grad.dtype != data.dtype:
        grad = grad.astype(data.dtype)  # a float32 leaf in float64 arithmetic gets a float32 gradient
    elif not grad.flags.writeable:
        grad = grad.copy()  # a broadcast view; gradients are ordinary arrays
    return grad


def sum_to(array: Array, shape: tuple[int, ...]) -> Array:
    """Sum ``array`` over the axes that broadcasting added to reach ``shape``."""
    if array.shape == shape:
        return array
    lead = array.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, size in enumerate(shape) if size == 1 and array.shape[lead + i] != 1
    )
    # The ufunc's reduction, as ``array.sum`` calls it, without the wrapper.
    if len(axes) == lead:  # only leading axes: the sum has the shape already, as an array of its own
        return np.add.reduce(array, axis=axes)
    summed = np.add.reduce(array, axis=axes, keepdims=True)
    return summed.reshape(shape) if lead else summed


# The primitives that fit a recorded gradient to its node's shape, and the one
# that copies it (× 1): the op table, which sits above this module, hands them
# over when it is imported.
_fitting: tuple[Primitive, Primitive, Primitive] | None = None
_copying: Primitive | None = None


def use_for_fitting(sum: Primitive, sum_to: Primitive, broadcast_to: Primitive, mul: Primitive) -> None:
    """Record gradient fitting and copying under ``create_graph`` with these primitives (called by ``ops``)."""
    global _fitting, _copying
    _fitting = (sum, sum_to, broadcast_to)
    _copying = mul


def _own_node(grad: Any, upstream: Any) -> Any:
    """``own_gradient`` for a recorded gradient (create_graph): a node, and data, of its own.

    The upstream gradient passed on (add) becomes a recorded copy (× 1), so
    two nodes never hold the same gradient node; a view that the VJP has just
    made (reshape, transpose) gets its own copy of the same values.
    """
    if grad is upstream:
        return apply(_copying, grad, 1.0)  # type: ignore[arg-type]  # handed over by ops at import, before any backward
    data = getattr(grad, "_data", None)
    if data.__class__ is np.ndarray and data.base is not None:
        grad._data = data.copy()
    return grad


def _fit_node(grad: Any, node: Node) -> Any:
    """Like ``_fit_array`` for gradients that are themselves nodes (create_graph)."""
    sum, sum_to, broadcast_to = _fitting  # type: ignore[misc]  # handed over by ops at import, before any backward
    if node.__class__ is Value:
        return grad if grad.__class__ is Value or not isinstance(grad, Node) else apply(sum, grad)
    shape = node._data.shape
    if grad.__class__ is Value or grad._data.shape != shape:
        if np.ndim(grad._data) >= len(shape) and np.shape(grad._data) != shape:
            return apply(sum_to, grad, shape=shape)  # sum broadcast axes away, size-1 axes included
        return apply(broadcast_to, grad, shape=shape) if np.shape(grad._data) != shape else grad
    return grad


def backward(root: Node, grad: Any = None, create_graph: bool = False) -> None:
    """Accumulate d(root)/d(node) into ``node.grad`` for every node that needs it."""
    if not root.requires_grad:
        raise RuntimeError(
            "backward: this node does not require a gradient (it was made from constants, "
            "under no_grad(), or with requires_grad=False), so there is nothing to differentiate"
        )
    if create_graph is not True and create_graph is not False:
        raise TypeError(f"backward: create_graph must be True or False, got {create_graph!r}")
    seed = _seed(root, grad, create_graph)
    if root.__class__ is Value and not create_graph and not _switched and root._op is not None:
        if _sweep_values(root, seed):
            return
    order = _backward_order(root)
    try:
        verify_unchanged(order)
        if create_graph or _switched:
            with _grad_mode(create_graph):
                _backward_pass(order, seed, create_graph)
        else:  # the VJPs get raw data, which records nothing: recording need not be switched off
            _backward_pass(order, seed, False)
    except BaseException:
        _clear_pending(order)
        raise


def _sweep_values(root: Value, seed: float) -> bool:
    """The backward pass of a graph of Values in one sweep, newest node first; False if it cannot.

    Creation numbers say the order: every node is numbered after its
    inputs, so going down from the root's number, a node's turn comes after
    every node that uses it. A node made by an operation joins ``pending``
    (keyed by its number) when the first gradient reaches it, which also
    replaces what it held from an earlier pass; the sweep takes the numbers
    one by one, so it needs no search for the order and no sort. What
    leaves receive waits in ``receivers`` and ``received`` and is added only
    once the sweep is through, in the order ``_chain_rule_raw`` would add
    it (the same numbers to the bit). So no leaf has changed when a VJP
    raises, or when the sweep gives up (returns False), after which
    ``backward`` runs the general pass. It gives up on what that pass handles: a node
    with parameters or many inputs, a rebinding of ``.data`` since the node
    was made (to be checked), an input that is not a Value, a gradient that
    is not a float, two nodes with one number (a copied node), or numbers
    so sparse that going down one by one would cost more than sorting.
    """
    value = Value
    pending = {root._seq: root}
    take = pending.pop
    peek = pending.get
    receivers: list[Value] = []  # leaves, and what each receives, in two lists: no object per delivery
    received: list[float] = []
    receiver, receive = receivers.append, received.append
    last_rebind = context.last_rebind
    root._grad = seed
    top = number = root._seq
    skipped = 0
    while pending:
        if number <= last_rebind:  # this node, or one below it, may have had its data rebound: to check
            return False
        node = take(number, None)
        number -= 1
        if node is None:
            skipped += 1
            if skipped > 1024 and skipped > 2 * (top - number - skipped):  # twice the nodes done
                return False
            continue
        y = node._y
        rare = node._rare
        if y is _MANY or (rare is not None and rare.params is not None):
            return False
        prim = node._op
        g = node._grad
        out = node._data
        x = node._x
        if y is _UNARY:
            vjp = prim.vjps[0](g, out, x._data)  # type: ignore[union-attr]  # made by an operation
            if vjp.__class__ is not float or x.__class__ is not value:
                return False
            if x._op is None:
                receiver(x)
                receive(vjp)
            else:
                other = peek(x._seq)
                if other is None:
                    pending[x._seq] = x
                    x._grad = vjp
                elif other is x:
                    x._grad += vjp
                else:
                    return False
            continue
        xc = x.__class__
        yc = y.__class__
        if xc is value:
            xd = x._data
            if not x.requires_grad:
                x = None
        elif xc is float:
            xd, x = x, None
        else:
            return False
        if yc is value:
            yd = y._data
            if not y.requires_grad:
                y = None
        elif yc is float:
            yd, y = y, None
        else:
            return False
        # The two inputs spelled out (a loop over them costs a tenth more).
        if x is not None:
            vjp = prim.vjps[0]  # type: ignore[union-attr]  # made by an operation
            vjp = g if vjp is upstream else vjp(g, out, xd, yd)
            if vjp.__class__ is not float:
                return False
            if x._op is None:
                receiver(x)
                receive(vjp)
            else:
                other = peek(x._seq)
                if other is None:
                    pending[x._seq] = x
                    x._grad = vjp
                elif other is x:
                    x._grad += vjp
                else:
                    return False
        if y is not None:
            vjp = prim.vjps[1]  # type: ignore[union-attr]
            vjp = g if vjp is upstream else vjp(g, out, xd, yd)
            if vjp.__class__ is not float:
                return False
            if y._op is None:
                receiver(y)
                receive(vjp)
            else:
                other = peek(y._seq)
                if other is None:
                    pending[y._seq] = y
                    y._grad = vjp
                elif other is y:
                    y._grad += vjp
                else:
                    return False
    for leaf, vjp in zip(receivers, received):
        previous = leaf._grad
        leaf._grad = vjp if previous is None else previous + vjp
    return True


def verify_unchanged(order: list[Node]) -> None:
    """Raise InPlaceEditError if data the VJPs of ``order`` (nodes, oldest first) will read was edited.

    What ``backward`` checks before it runs; the function transformations
    (``grad``, ``vjp``, ``linearize``, …) check the nodes they run over too.
    """
    # Checksums and rebinding numbers only matter on nodes made by operations:
    # a graph whose oldest such node is newer than both has nothing to verify.
    oldest = next((node._seq for node in order if node._op is not None), None)
    last_rebind = context.last_rebind
    if oldest is not None and (_last_checksummed >= oldest or last_rebind >= oldest):
        _verify_unchanged(order, rebinds=last_rebind >= oldest)


def _verify_unchanged(order: list[Node], rebinds: bool) -> None:
    """Raise InPlaceEditError if data a VJP will read changed since it was recorded.

    Arrays are compared by the checksums ``apply`` kept (``node._saved``);
    rebinding ``.data`` of a node after an operation used it is caught by the
    creation number of the rebinding (``node._edited``).
    """
    # Each array's fingerprint now, taken once however many records read it (one
    # operation's output is often the next one's input); by id, as every array
    # here stays referenced by its node for the whole pass.
    now: dict[int, Checksum] = {}
    for node in order:
        if node._op is None:
            continue
        rare = node._rare
        if rare is not None:
            for position, kept in rare.saved:
                if position == OUT:
                    data = node._data
                else:  # the stored input (a node: constants are copied, not checksummed)
                    y = node._y
                    data = (node._x[position] if y is _MANY else node._x if position == 0 else y)._data
                if data.__class__ is not np.ndarray:
                    raise _edit_error(node, position, "changed in place")
                fingerprint = now.get(id(data))
                if fingerprint is None:
                    fingerprint = now[id(data)] = data.tobytes() if data.nbytes <= EXACT_BYTES else checksum(data)
                if fingerprint != kept:
                    raise _edit_error(node, position, "changed in place")
        if rebinds:
            for position, parent in enumerate(node._stored_inputs()):
                if isinstance(parent, Node) and parent._edited > node._seq:
                    raise _edit_error(node, position, "given new data (.data = ...)")
            if node._edited > node._seq:
                raise _edit_error(node, OUT, "given new data (.data = ...)")


def _edit_error(node: Node, position: int, how: str) -> InPlaceEditError:
    name = node._op.name  # type: ignore[union-attr]  # only nodes made by an operation are checked
    if position == OUT:
        what, source = f"the output of '{name}'", node
    else:
        what, source = f"input {position} of '{name}'", node._inputs[position]
    shape = f" of shape {source._data.shape}" if source.__class__ is not Value else ""
    if source._op is not None:
        kind = f"the result of '{source._op.name}'{shape}"
    elif source.requires_grad:
        kind = f"a leaf {type(source).__name__}{shape}" + (f" named {source.name!r}" if source.name else "")
    else:
        kind = f"a constant{shape}"
    where = (
        f"'{name}' was created at {node._origin}"
        if node._origin
        else "run the forward pass inside autograd.detect_anomaly() to have the line that created it named"
    )
    return InPlaceEditError(
        f"backward: {what} ({kind}) was {how} after '{name}' recorded it, so its gradient would be "
        f"computed from the new values, not the ones the forward pass used; {where}. Make the change "
        "before the operations that use the data are recorded (or after backward), or record them on a "
        "copy that you leave alone, e.g. Tensor(x.data.copy())"
    )


def _backward_pass(order: list[Node], seed: Any, graph: bool) -> None:
    """The chain rule over ``order`` (inputs before users), from the last node back.

    Leaves add the new gradient to what they hold; nodes made by operations
    must start from None or ``_PENDING`` (``_backward_order``) and hold
    this pass's gradient afterwards. A node's gradient is complete when its
    turn comes, since every node that uses it comes later in ``order``. The
    VJPs receive raw data, or the nodes themselves when the backward pass is
    recorded (``graph``). Every gradient array a node keeps is its own: a VJP
    that passes its upstream gradient on (add) or returns a view (reshape)
    is copied the first time it reaches a node.
    """
    root = order[-1]
    root._grad = _accumulate(root._grad, seed)
    if graph or (_switched and state.anomaly):
        _chain_rule(order, graph)
    else:
        _chain_rule_raw(order)


def upstream(g: Any, out: Any, *inputs: Any) -> Any:
    """The VJP that passes the upstream gradient on unchanged (d(x + y)/dx = 1); the raw backward loop skips the call."""
    return g


def _chain_rule_raw(order: list[Node]) -> None:
    """The backward loop on raw data: the common case, kept lean.

    Primitives without parameters (add, mul, exp, … : most of any graph) with
    one or two inputs get their VJPs called with the inputs' data spelled
    out, so no argument list is built per node; a Value's float gradient
    is added in place here, anything else goes through ``_deliver``.
    """
    ndarray = np.ndarray
    deliver = _deliver
    value = Value
    pending = _PENDING
    for node in reversed(order):
        prim = node._op
        if prim is None:
            continue
        g = node._grad
        out = node._data
        y = node._y
        rare = node._rare
        if y is _MANY or (rare is not None and rare.params is not None):
            _node_vjps(node, prim, g, out, rare)
            continue
        x = node._x
        xc = x.__class__
        if y is _UNARY:
            vjp = prim.vjps[0](g, out, x._data)
            if xc is value and vjp.__class__ is float:
                previous = x._grad
                x._grad = vjp if previous is pending or previous is None else previous + vjp
            else:
                deliver(x, vjp, g)
            continue
        yc = y.__class__
        if xc is value or (xc is not float and xc is not ndarray):
            xd = x._data
            if not x.requires_grad:
                x = None
        else:  # a constant, kept as its number or array
            xd, x = x, None
        if yc is value or (yc is not float and yc is not ndarray):
            yd = y._data
            if not y.requires_grad:
                y = None
        else:
            yd, y = y, None
        if x is not None:
            vjp = prim.vjps[0]
            vjp = g if vjp is upstream else vjp(g, out, xd, yd)
            if xc is value and vjp.__class__ is float:
                previous = x._grad
                x._grad = vjp if previous is pending or previous is None else previous + vjp
            else:
                deliver(x, vjp, g)
        if y is not None:
            vjp = prim.vjps[1]
            vjp = g if vjp is upstream else vjp(g, out, xd, yd)
            if yc is value and vjp.__class__ is float:
                previous = y._grad
                y._grad = vjp if previous is pending or previous is None else previous + vjp
            else:
                deliver(y, vjp, g)


def _node_vjps(node: Node, prim: Primitive, g: Any, out: Any, rare: Any) -> None:
    """The VJPs of a node with parameters or more than two inputs, on raw data."""
    inputs = node._stored_inputs()
    args = [item._data if isinstance(item, Node) else item for item in inputs]
    params = rare.params if rare is not None and rare.params is not None else {}
    for position, parent in enumerate(inputs):
        if isinstance(parent, Node) and parent.requires_grad:
            _deliver(parent, prim.vjps[position](g, out, *args, **params), g)


def _deliver(parent: Node, parent_grad: Any, g: Any) -> None:
    """Add a raw gradient to ``parent._grad``, shaped and typed like ``parent``'s data.

    Every gradient array a node keeps is its own: one that is the upstream
    gradient ``g`` passed on (add) or a view (reshape) is copied the first
    time it reaches a node.
    """
    data = parent._data
    if parent_grad.__class__ is not np.ndarray or data.__class__ is not np.ndarray:
        parent_grad = _fit_array(parent_grad, parent)
    elif parent_grad.shape != data.shape or parent_grad.dtype != data.dtype or not parent_grad.flags.writeable:
        parent_grad = fit_gradient(parent_grad, data)
    previous = parent._grad
    if previous is not None and previous is not _PENDING:
        parent_grad = previous + parent_grad
        if parent_grad.__class__ is not float and parent_grad.__class__ is not np.ndarray:
            parent_grad = np.asarray(parent_grad)  # NumPy makes a sum of two 0-d arrays a scalar
    elif parent_grad.__class__ is np.ndarray and (parent_grad is g or parent_grad.base is not None):
        parent_grad = parent_grad.copy()  # type: ignore[union-attr]  # an ndarray: its class was checked
    parent._grad = parent_grad


def owned_gradient(grad: Any, data: Array, upstream: Any) -> Array:
    """``own_gradient(fit_gradient(grad, data), upstream)``: a raw gradient a node of ``data`` may keep.

    One call, with the usual case (an array already of the data's shape and
    dtype, writeable) recognised inline.
    """
    if grad.__class__ is not np.ndarray or grad.shape != data.shape or grad.dtype != data.dtype or (
            not grad.flags.writeable):
        grad = fit_gradient(grad, data)
    if grad is upstream or grad.base is not None:
        return grad.copy()
    return grad


def own_gradient(grad: Any, upstream: Any) -> Any:
    """``grad`` as an array a node may keep: copied when it is ``upstream`` passed on (add) or a view."""
    if grad.__class__ is np.ndarray and (grad is upstream or grad.base is not None):
        return grad.copy()
    return grad


def _accumulate(previous: Any, grad: Any) -> Any:
    """previous + grad, where a sum of two 0-d arrays stays an array (NumPy makes it a scalar)."""
    if previous is None:
        return grad
    total = previous + grad
    if total.__class__ is not float and isinstance(total, np.generic):
        total = np.asarray(total)
    return total


def _chain_rule(order: list[Node], graph: bool) -> None:
    """The backward loop in general form: recorded (``graph``) or under detect_anomaly()."""
    anomaly: Any = _switched and state.anomaly  # the checks of detect_anomaly(), or a false value
    _clear_pending(order)
    fit = _fit_node if graph else _fit_array
    own = _own_node if graph else own_gradient
    for node in reversed(order):
        prim = node._op
        if prim is None:
            continue
        g = node._grad
        inputs = node._inputs
        params = node._params or {}
        if graph:
            out, args = node, inputs
        else:
            out, args = node._data, [parent._data for parent in inputs]
        for position, parent in enumerate(inputs):
            if parent.requires_grad:
                with _computing_gradient(anomaly and graph, node, position):
                    parent_grad = prim.vjps[position](g, out, *args, **params)
                    if parent.__class__ is not Value or parent_grad.__class__ is not float:
                        parent_grad = fit(parent_grad, parent)
                if anomaly:
                    anomaly.check_backward(node, parent, position, parent_grad)
                if parent._grad is None:
                    parent_grad = own(parent_grad, g)
                parent._grad = _accumulate(parent._grad, parent_grad)


@contextlib.contextmanager
def _computing_gradient(active: bool, node: Node, position: int) -> Iterator[None]:
    """Under detect_anomaly() with create_graph, the nodes a VJP records belong to a backward step."""
    if not active:
        yield
        return
    with switch("backward_of", (node, position)):
        yield


def _seed(root: Node, grad: Any, create_graph: bool) -> Any:
    data = root._data
    if grad is None:
        if root.__class__ is Value:
            seed = 1.0
        elif data.size == 1:
            seed = ones(data.shape, data.dtype)
        else:
            raise RuntimeError(
                f"backward: the output has shape {data.shape}, so the gradient to start from is "
                "ambiguous; pass one of that shape, out.backward(grad), or reduce the output "
                "to a scalar first, e.g. out.sum().backward()"
            )
    else:
        if isinstance(grad, Node):
            grad = grad._data
        if isinstance(grad, (str, bytes)) or (
            not isinstance(grad, (int, float, np.number, np.bool_, np.ndarray, list, tuple))
        ):
            raise TypeError(
                f"backward: grad must be a number or an array of numbers shaped like the output, "
                f"got {type(grad).__name__}"
            )
        if root.__class__ is Value:
            if np.ndim(grad) != 0:
                raise ValueError(f"backward: the output is a scalar Value but grad has shape {np.shape(grad)}")
            seed = float(as_array(grad, "backward"))
        else:
            seed = as_array(grad, "backward")
            if seed is grad or not seed.flags.owndata:
                seed = seed.copy()  # the caller's array (or a view of it, from a subclass) stays the caller's
            if seed.shape != data.shape:
                raise ValueError(
                    f"backward: grad has shape {seed.shape} but the output has shape {data.shape}; "
                    "they must match"
                )
            if seed.dtype != data.dtype:
                seed = seed.astype(data.dtype)
    if create_graph:
        seed = (Value if root.__class__ is Value else Tensor)(seed, requires_grad=False)
    return seed


def ones(shape: tuple[int, ...], dtype: np.dtype[Any]) -> Array:
    """``np.ones(shape, dtype)`` (a new array of ones) at a fifth of its cost for a small array."""
    array = np.empty(shape, dtype)
    array.fill(1)
    return array


def _library_folders() -> tuple[str, ...]:
    """The folders whose frames are not the user's: this library's packages, NumPy and contextlib's."""
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folders = [os.path.join(root, name) + os.sep for name in ("autograd", "nn", "viz")]
    folders.append(os.path.dirname(os.path.abspath(np.__file__)) + os.sep)
    return tuple(folders)


_LIBRARY_FOLDERS = _library_folders()


def _caller_line() -> str | None:
    """'file:line in function' of the first frame of user code (outside autograd, nn, viz and NumPy)."""
    frame = sys._getframe(1)
    while frame is not None and (
        frame.f_code.co_filename.startswith(_LIBRARY_FOLDERS) or frame.f_code.co_filename == contextlib.__file__
    ):
        frame = frame.f_back
    if frame is None:
        return None
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"
