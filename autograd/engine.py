"""The engine: recording operations as nodes, and the backward pass over them.

``apply(prim, *args)`` runs a primitive's forward on raw data and, when any
input needs a gradient and recording is on, returns a node that remembers the
primitive, its inputs and its parameters. ``backward(root)`` visits the
recorded graph in reverse topological order (found without recursion) and
multiplies each upstream gradient by the primitive's vector-Jacobian products.
"""

import contextlib
import itertools
import operator
import sys
import threading

import numpy as np

from .node import Node, Tensor, Value


class _State(threading.local):
    """Per-thread switches: recording on or off, the open group, anomaly mode."""

    grad_enabled = True
    group = None
    anomaly = False
    backward_of = None  # (node, input position) while a recorded VJP runs under detect_anomaly()


state = _State()

# How many switches are away from their defaults, over all threads. While it
# is zero (nearly always) the hot path skips reading the thread-local state.
_switched = 0
_switch_lock = threading.Lock()

# Creation numbers: a node is always numbered after its inputs.
next_seq = itertools.count().__next__

# The creation number current at the latest ``.data`` rebinding, and that of
# the latest node that keeps checksums: a backward pass over a graph older
# than both has nothing to verify and skips the check.
_last_rebind = -1
_last_checksummed = -1


class InPlaceEditError(RuntimeError):
    """Data that a recorded operation needs for its gradient was changed after it was recorded."""


def note_rebind(node):
    """``node.data`` was just bound to another object: remember when."""
    global _last_rebind
    node._edited = _last_rebind = next_seq()


def checksum(array):
    """A cheap fingerprint of an array's contents, to tell whether it changed.

    Arrays up to 64 kB keep their bytes (an exact comparison); larger ones the
    sum of their bit patterns as unsigned words, modulo 2⁶⁴, which changes
    with any change of the words except rearrangements that keep their sum
    (a sort or shuffle in place of an array over 64 kB).
    """
    if array.nbytes <= 65536:
        return array.tobytes()
    if not array.flags.c_contiguous:
        array = np.ascontiguousarray(array)
    flat = array.reshape(-1)
    return int(np.add.reduce(flat.view(f"u{flat.dtype.itemsize}"), dtype=np.uint64))


@contextlib.contextmanager
def switch(name, value):
    """Set one of this thread's switches for the duration of a block."""
    global _switched
    previous = getattr(state, name)
    with _switch_lock:
        _switched += 1
    setattr(state, name, value)
    try:
        yield value
    finally:
        setattr(state, name, previous)
        with _switch_lock:
            _switched -= 1


def is_grad_enabled():
    return state.grad_enabled


def _grad_mode(enabled):
    return switch("grad_enabled", enabled)


def no_grad():
    """Context manager: operations inside it are computed but not recorded."""
    return _grad_mode(False)


def enable_grad():
    """Context manager: record operations even inside ``no_grad()``."""
    return _grad_mode(True)


class Group:
    """A labelled region of the graph (a composite function or a layer call).

    Every node created while the group is open carries it in ``node.group``,
    so the visualizer can draw the region as a cluster or collapse it.
    """

    __slots__ = ("name", "parent", "__weakref__")

    def __init__(self, name, parent=None):
        self.name = name
        self.parent = parent

    @property
    def path(self):
        """Names from the outermost group to this one."""
        names, group = [], self
        while group is not None:
            names.append(group.name)
            group = group.parent
        return tuple(reversed(names))

    def __repr__(self):
        return f"Group({'/'.join(self.path)!r})"


@contextlib.contextmanager
def group(name):
    """Label every node created inside the block as belonging to ``name``."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"group: the name must be a non-empty string, got {name!r}")
    with switch("group", Group(name, state.group)) as current:
        yield current


# ---------------------------------------------------------------------------
# Recording


def _type_error(prim, value):
    return TypeError(
        f"{prim.name}: unsupported operand type '{type(value).__name__}'; "
        "expected a Value, a Tensor, an int or float, or a NumPy array of numbers"
    )


def as_array(data, what="Tensor"):
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


def _raw(prim, arg):
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


def apply(prim, *args, **params):
    """Run ``prim`` on ``args`` and record it when a gradient may be needed.

    Plain numbers and arrays are constants. The result is a Value when every
    operand is scalar, a Tensor when any is an array (or the primitive works
    on arrays only), and raw data when no operand is a node at all.
    """
    datas = []
    tensor_mode = prim.tensor_only
    any_node = False
    needs_grad = False
    for arg in args:
        if isinstance(arg, Node):
            any_node = True
            if arg.requires_grad:
                needs_grad = True
            if arg.__class__ is not Value:
                tensor_mode = True
            datas.append(arg._data)
        else:
            data, is_tensor = _raw(prim, arg)
            if is_tensor:
                tensor_mode = True
            datas.append(data)

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
        node = Tensor.__new__(Tensor)
    else:
        node = Value.__new__(Value)

    node._data = out
    node._grad = None
    node.name = None
    node._origin = None
    node._seq = next_seq()
    if needs_grad and (not _switched or state.grad_enabled):
        node.requires_grad = True
        node._op = prim
        node._inputs = tuple([a if isinstance(a, Node) else _constant(d, tensor_mode) for a, d in zip(args, datas)])
        node._params = params or None
        node.group = state.group if _switched else None
        if tensor_mode:
            _keep_checksums(node, prim, args)
        if _switched and state.anomaly:
            _check_forward(node)
    else:
        node.requires_grad = False
        node._op = None
        node._inputs = ()
        node._params = None
        node.group = None
        if _switched and state.anomaly:
            _check_forward(node, prim, args)
    return node


def apply_scalar(prim, x, y):
    """``apply`` for a binary primitive on a Value and a Value or number (the hot path)."""
    xc = x.__class__
    yc = y.__class__
    if xc is Value:
        xd = x._data
        if yc is Value:
            yd = y._data
        elif yc is float:
            yd = y
            y = None
        elif yc is int:
            yd = float(y)
            y = None
        else:
            return apply(prim, x, y)
    elif yc is Value:  # a reflected operator: the number comes first
        yd = y._data
        if xc is float:
            xd = x
            x = None
        elif xc is int:
            xd = float(x)
            x = None
        else:
            return apply(prim, x, y)
    else:
        return apply(prim, x, y)
    node = Value.__new__(Value)
    node._data = prim.forward(xd, yd)
    node._seq = next_seq()
    node._grad = None
    node.name = None
    node._origin = None
    node._params = None
    if ((x is not None and x.requires_grad) or (y is not None and y.requires_grad)) and (
        not _switched or state.grad_enabled
    ):
        node.requires_grad = True
        node._op = prim
        node._inputs = (
            _constant(xd, False) if x is None else x,
            _constant(yd, False) if y is None else y,
        )
        if _switched:
            node.group = state.group
            if state.anomaly:
                _check_forward(node)
        else:
            node.group = None
    else:
        node.requires_grad = False
        node._op = None
        node._inputs = ()
        node.group = None
        if _switched and state.anomaly:
            _check_forward(node, prim, (xd, yd))
    return node


def apply_scalar_unary(prim, x):
    """``apply`` for a one-input primitive on a Value (the hot path)."""
    node = Value.__new__(Value)
    node._data = prim.forward(x._data)
    node._seq = next_seq()
    node._grad = None
    node.name = None
    node._origin = None
    node._params = None
    if x.requires_grad and (not _switched or state.grad_enabled):
        node.requires_grad = True
        node._op = prim
        node._inputs = (x,)
        if _switched:
            node.group = state.group
            if state.anomaly:
                _check_forward(node)
        else:
            node.group = None
    else:
        node.requires_grad = False
        node._op = None
        node._inputs = ()
        node.group = None
        if _switched and state.anomaly:
            _check_forward(node, prim, (x,))
    return node


def _keep_checksums(node, prim, args):
    """Guard the arrays ``node``'s VJPs will read (``prim.reads``) against later edits.

    A plain array given as an operand (a constant) is copied: the graph keeps
    the values the forward pass used, whatever happens to the caller's array.
    The output and arrays of nodes get a checksum, compared by backward.
    """
    global _last_checksummed
    inputs = node._inputs
    needs = tuple([parent.requires_grad for parent in inputs])
    positions = prim.read_plan.get(needs)
    if positions is None:
        positions = prim.read_plan[needs] = _read_positions(prim.reads, needs)
    kept = []
    for position in positions:
        if position == OUT:
            data = node._data
        else:
            data = inputs[position]._data
            if args[position] is data:  # a constant: keep a copy of the caller's array
                if data.__class__ is np.ndarray:
                    inputs[position]._data = data.copy()
                continue
        if data.__class__ is np.ndarray:
            kept.append((position, checksum(data)))
    if kept:
        node._saved = tuple(kept)
        _last_checksummed = node._seq


def _read_positions(reads, needs):
    """The positions whose values the VJPs of the inputs that need a gradient read."""
    if reads is None:
        return (OUT, *range(len(needs)))
    positions = set()
    for need, read in zip(needs, reads):
        if need:
            positions.update(read)
    return tuple(sorted(positions))


OUT = -1  # a position in ``Primitive.reads`` and ``node._saved``: the output


def _check_forward(node, prim=None, args=None):
    from .anomaly import check_forward

    check_forward(node, prim, args)


def _constant(data, tensor_mode):
    cls = Tensor if tensor_mode and data.__class__ is np.ndarray else Value
    node = cls.__new__(cls)
    node._data = data
    node._grad = None
    node.requires_grad = False
    node._op = None
    node._inputs = ()
    node._params = None
    node.name = None
    node.group = state.group if _switched else None
    node._origin = None
    node._seq = next_seq()
    return node


# ---------------------------------------------------------------------------
# Backward


def topological_order(root, forget_grads=False):
    """Nodes that need a gradient and lead to ``root``, inputs before users.

    Every node is numbered when it is created, after its inputs, so creation
    order is a topological order: collect the ancestors with an explicit
    stack (no recursion, so a chain of a million nodes is fine) and sort.
    ``forget_grads`` also clears ``.grad`` of every node made by an
    operation on the way (what a backward pass starts with; leaves keep theirs).
    """
    visited = {root}
    stack = [root]
    pop, push, visit = stack.pop, stack.append, visited.add
    while stack:
        node = pop()
        if forget_grads and node._op is not None:
            node._grad = None
        for parent in node._inputs:
            if parent not in visited and parent.requires_grad:
                visit(parent)
                if parent._op is not None:  # a leaf has no inputs to visit
                    push(parent)
    return sorted(visited, key=_by_creation)


_by_creation = operator.attrgetter("_seq")


def _fit_array(grad, node):
    """Shape a raw gradient like ``node``, summing away broadcast axes, in ``node``'s dtype."""
    if node.__class__ is Value:
        return grad if grad.__class__ is float else float(np.sum(grad))
    data = node._data
    if grad.__class__ is not np.ndarray:
        grad = np.asarray(grad, dtype=data.dtype)
    if grad.shape != data.shape:
        grad = sum_to(grad, data.shape) if grad.ndim >= data.ndim else np.broadcast_to(grad, data.shape)
    if grad.dtype != data.dtype:
        grad = grad.astype(data.dtype)  # a float32 leaf in float64 arithmetic gets a float32 gradient
    elif not grad.flags.writeable:
        grad = grad.copy()  # a broadcast view; gradients are ordinary arrays
    return grad


def sum_to(array, shape):
    """Sum ``array`` over the axes that broadcasting added to reach ``shape``."""
    if array.shape == shape:
        return array
    lead = array.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, size in enumerate(shape) if size == 1 and array.shape[lead + i] != 1
    )
    summed = array.sum(axis=axes, keepdims=True)
    return summed.reshape(shape) if lead else summed


def _fit_node(grad, node):
    """Like ``_fit`` for gradients that are themselves nodes (create_graph)."""
    from . import ops

    if node.__class__ is Value:
        return grad if grad.__class__ is Value or not isinstance(grad, Node) else ops.sum(grad)
    shape = node._data.shape
    if grad.__class__ is Value or grad._data.shape != shape:
        if np.ndim(grad._data) >= len(shape) and np.shape(grad._data) != shape:
            return ops.sum_to(grad, shape=shape)  # sum broadcast axes away, size-1 axes included
        return ops.broadcast_to(grad, shape=shape) if np.shape(grad._data) != shape else grad
    return grad


def backward(root, grad=None, create_graph=False):
    """Accumulate d(root)/d(node) into ``node.grad`` for every node that needs it."""
    if not root.requires_grad:
        raise RuntimeError(
            "backward: this node does not require a gradient (it was made from constants, "
            "under no_grad(), or with requires_grad=False), so there is nothing to differentiate"
        )
    if create_graph is not True and create_graph is not False:
        raise TypeError(f"backward: create_graph must be True or False, got {create_graph!r}")
    seed = _seed(root, grad, create_graph)
    order = topological_order(root, forget_grads=True)
    oldest = order[0]._seq
    if _last_checksummed >= oldest or _last_rebind >= oldest:
        _verify_unchanged(order, rebinds=_last_rebind >= oldest)
    with _grad_mode(create_graph):
        _backward_pass(order, seed, create_graph)


def _verify_unchanged(order, rebinds):
    """Raise InPlaceEditError if data a VJP will read changed since it was recorded.

    Arrays are compared by the checksums ``apply`` kept (``node._saved``);
    rebinding ``.data`` of a node after an operation used it is caught by the
    creation number of the rebinding (``node._edited``).
    """
    for node in order:
        if node._op is None:
            continue
        for position, kept in getattr(node, "_saved", ()):
            data = (node if position == OUT else node._inputs[position])._data
            if data.__class__ is not np.ndarray or checksum(data) != kept:
                raise _edit_error(node, position, "changed in place")
        if rebinds:
            for position, parent in enumerate(node._inputs):
                if getattr(parent, "_edited", -1) > node._seq:
                    raise _edit_error(node, position, "given new data (.data = ...)")
            if getattr(node, "_edited", -1) > node._seq:
                raise _edit_error(node, OUT, "given new data (.data = ...)")


def _edit_error(node, position, how):
    name = node._op.name
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


def _backward_pass(order, seed, graph):
    """The chain rule over ``order`` (inputs before users), from the last node back.

    Leaves add the new gradient to what they hold; nodes made by operations
    must start from None (``topological_order(forget_grads=True)``) and hold
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


def _chain_rule_raw(order):
    """The backward loop on raw data: the common case, kept lean.

    Primitives without parameters (add, mul, exp, … : most of any graph) with
    one or two inputs get their VJPs called with the inputs' data spelled
    out, so no argument list is built per node.
    """
    fit = _fit_array
    ndarray = np.ndarray
    for node in reversed(order):
        prim = node._op
        if prim is None:
            continue
        g = node._grad
        out = node._data
        inputs = node._inputs
        params = node._params
        arity = len(inputs)
        if params is None and arity <= 2:
            xd = inputs[0]._data
            yd = inputs[1]._data if arity == 2 else None
        else:
            args = [parent._data for parent in inputs]
            params = params or {}
        position = 0
        for parent in inputs:
            if parent.requires_grad:
                vjp = prim.vjps[position]
                if params is not None:
                    parent_grad = vjp(g, out, *args, **params)
                elif arity == 2:
                    parent_grad = vjp(g, out, xd, yd)
                else:
                    parent_grad = vjp(g, out, xd)
                if parent_grad.__class__ is not float or parent.__class__ is not Value:
                    parent_grad = fit(parent_grad, parent)
                previous = parent._grad
                if previous is not None:
                    parent_grad = previous + parent_grad
                    if parent_grad.__class__ is not float and parent_grad.__class__ is not ndarray:
                        parent_grad = np.asarray(parent_grad)  # _accumulate, inlined: ~10 % of this loop
                elif parent_grad.__class__ is ndarray and (parent_grad is g or parent_grad.base is not None):
                    parent_grad = parent_grad.copy()  # passed on or a view: the node gets its own array
                parent._grad = parent_grad
            position += 1


def _accumulate(previous, grad):
    """previous + grad, where a sum of two 0-d arrays stays an array (NumPy makes it a scalar)."""
    if previous is None:
        return grad
    total = previous + grad
    if total.__class__ is not float and isinstance(total, np.generic):
        total = np.asarray(total)
    return total


def _chain_rule(order, graph):
    """The backward loop in general form: recorded (``graph``) or under detect_anomaly()."""
    anomaly = _switched and state.anomaly
    fit = _fit_node if graph else _fit_array
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
                    from .anomaly import check_backward

                    check_backward(node, parent, position, parent_grad)
                if parent._grad is None and parent_grad.__class__ is np.ndarray and (
                    parent_grad is g or parent_grad.base is not None
                ):
                    parent_grad = parent_grad.copy()
                parent._grad = _accumulate(parent._grad, parent_grad)


@contextlib.contextmanager
def _computing_gradient(active, node, position):
    """Under detect_anomaly() with create_graph, the nodes a VJP records belong to a backward step."""
    if not active:
        yield
        return
    with switch("backward_of", (node, position)):
        yield


def _seed(root, grad, create_graph):
    data = root._data
    if grad is None:
        if root.__class__ is Value:
            seed = 1.0
        elif data.size == 1:
            seed = np.ones_like(data)
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
            if seed is grad:
                seed = seed.copy()  # the caller's array stays the caller's
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


def _library_folders():
    """The folders whose frames are not the user's: this library's packages, NumPy and contextlib's."""
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folders = [os.path.join(root, name) + os.sep for name in ("autograd", "nn", "viz")]
    folders.append(os.path.dirname(os.path.abspath(np.__file__)) + os.sep)
    return tuple(folders)


_LIBRARY_FOLDERS = _library_folders()


def _caller_line():
    """'file:line in function' of the first frame of user code (outside autograd, nn, viz and NumPy)."""
    frame = sys._getframe(1)
    while frame is not None and (
        frame.f_code.co_filename.startswith(_LIBRARY_FOLDERS) or frame.f_code.co_filename == contextlib.__file__
    ):
        frame = frame.f_back
    if frame is None:
        return None
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"
