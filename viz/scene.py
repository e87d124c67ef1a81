"""What a diagram shows, worked out from a recorded graph before any drawing.

``build_scene(output)`` walks everything reachable from ``output`` and
decides the boxes (operations, leaves, collapsed groups, the output's end),
the edges between them with the forward value and the gradient each one
carries, and the groups drawn as clusters. ``viz.draw`` turns a scene into
DOT; tests can check a scene's numbers directly.

The gradient on an edge from input ``I`` to its consumer ``C`` is the part of
d(output)/dI that flows through that edge: ``C``'s vector-Jacobian product
for that input, applied to the gradient reaching ``C`` from the output and
summed back to ``I``'s shape. The gradients start from ``output.grad``, what
the latest backward pass through the output left there, and flow back
through the drawn graph only, so every number in the picture belongs to the
same output and pass even when another backward pass ran over some of its
nodes later, or when the output is an intermediate node of a larger graph.
When the output is what backward started from, an input used once shows
``I.grad`` (the textbook's figures) and the edges out of an input used
several times add up to ``I.grad`` (of that pass: a leaf's ``.grad`` adds up
over passes). An edge into a collapsed group carries the sum over every edge
it stands for, so a collapsed sigmoid shows the same gradient as its four
expanded nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd.engine import Group, _fit_array
from autograd.node import Node

from .format import DIGITS, MAX_ELEMENTS, MINUS, format_number, format_shape, format_values

#: Binary primitives whose constant operand is written into the circle (``+ 1``, ``× −1``, ``1/x``).
FOLDABLE_OPS = frozenset({"add", "sub", "mul", "div", "pow"})

#: Above this many boxes, groups are collapsed unless told otherwise.
COLLAPSE_ABOVE = 50

CONSTANT_MODES = ("fold", "nodes")


@dataclass(eq=False)
class Item:
    """One box of the diagram.

    ``kind`` is "op" (a primitive, drawn as a circle), "leaf", "constant",
    "group" (a collapsed group) or "output" (where the output edge ends).
    ``cluster`` is the innermost expanded group the box is drawn in.
    """

    key: str
    kind: str
    label: str
    detail: str = ""
    cluster: Group | None = None
    node: Node | None = None
    group: Group | None = None
    total: object = None  # a leaf used several times: the sum of the shares on its arrows (its .grad)


@dataclass(eq=False)
class Edge:
    """An arrow carrying ``source``'s value forward and ``grad`` backward (None when unknown)."""

    tail: Item
    head: Item
    source: Node
    value: object
    grad: object = None
    cluster: Group | None = None
    position: int | None = None  # which input of ``head``'s operation (None: output, collapsed group)


@dataclass(eq=False)
class Scene:
    """The boxes and arrows of one diagram, and the groups drawn collapsed."""

    items: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    collapsed: frozenset = frozenset()
    inputs: list = field(default_factory=list)  # the leaves outside every group, in creation order

    def clusters(self) -> Any:
        """Every expanded group drawn as a cluster, outermost first."""
        seen: dict[Any, Any] = {}
        for cluster in [item.cluster for item in self.items] + [edge.cluster for edge in self.edges]:
            for group in group_chain(cluster):
                seen.setdefault(group, None)
        return sorted(seen, key=lambda group: len(group.path))


def build_scene(
    output: Any,
    *,
    digits: Any = DIGITS,
    max_elements: Any = MAX_ELEMENTS,
    constants: str = "fold",
    collapse: Any | None = None,
    expand: Any = (),
    collapse_above: Any = COLLAPSE_ABOVE,
    gradients: bool = True,
    output_label: Any | None = None,
    seed: Any | None = None,
) -> Any:
    """The scene for everything reachable from ``output``; see ``viz.draw`` for the options.

    ``seed`` is the gradient the flow starts from at ``output`` (default: ``output.grad``).
    """
    if not isinstance(output, Node):
        raise TypeError(f"draw: expected a Value or Tensor to draw, got {type(output).__name__}")
    if constants not in CONSTANT_MODES:
        raise ValueError(f"draw: constants must be 'fold' or 'nodes', got {constants!r}")
    if not _whole(digits) or digits < 1:
        raise ValueError(f"draw: digits must be a whole number of at least 1, got {digits!r}")
    if not _whole(max_elements) or max_elements < 0:
        raise ValueError(f"draw: max_elements must be a non-negative whole number, got {max_elements!r}")
    nodes = reachable(output)
    chains = {node: group_chain(home_group(node)) for node in nodes}
    collapsed = _collapsed_groups(nodes, chains, collapse, expand, collapse_above)
    if seed is None:
        seed = output.grad
    flow = gradient_flow(nodes, output, seed) if gradients else {}
    return _SceneBuilder(nodes, chains, collapsed, digits, max_elements, constants, flow).build(
        output, output_label, _raw(seed) if gradients else None
    )


def _whole(number: Any) -> Any:
    return isinstance(number, (int, np.integer)) and not isinstance(number, bool)


def reachable(output: Any) -> Any:
    """Every node ``output`` was computed from (constants included), in creation order."""
    seen = {output}
    stack = [output]
    while stack:
        for parent in stack.pop()._inputs:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return sorted(seen, key=lambda node: node._seq)


def group_chain(group: Any) -> Any:
    """``group`` and its ancestors, outermost first; () for None."""
    chain = []
    while group is not None:
        chain.append(group)
        group = group.parent
    return tuple(reversed(chain))


def home_group(node: Any) -> Any:
    """The group a node is drawn in: its own, except for data that flows into one.

    An array the engine wrapped as a constant inside a group (the batch fed to
    a layer, the labels fed to a loss) is drawn outside it, as an input, like
    the textbook's X going into Affine; scalar constants stay inside.
    """
    if node._op is None and not node.requires_grad and node.name is None and np.ndim(node.data) > 0:
        return None
    return node.group


def edge_gradient(consumer: Any, position: Any) -> Any:
    """The gradient flowing back from ``consumer`` to its input number ``position``, or None.

    It is the primitive's vector-Jacobian product for that input applied to
    ``consumer.grad``, shaped like the input: the input's share of its gradient.
    """
    return _share(consumer, position, consumer.grad)


def _share(consumer: Any, position: Any, upstream: Any) -> Any:
    """The vector-Jacobian product of ``consumer``'s input ``position`` applied to ``upstream``."""
    source = consumer._inputs[position]
    if upstream is None or not source.requires_grad or consumer._op is None:
        return None
    args = [parent.data for parent in consumer._inputs]
    vjp = consumer._op.vjps[position]
    grad = vjp(_raw(upstream), consumer.data, *args, **(consumer._params or {}))
    return _fit_array(_raw(grad), source)


def gradient_flow(nodes: Any, output: Any, seed: Any | None = None) -> Any:
    """{(consumer, position): gradient} for every edge of ``nodes`` that a gradient flows back along.

    The reverse pass of backward, run again over ``nodes`` (everything
    ``output`` was computed from, in creation order) from ``seed`` (by
    default ``output.grad``): a node's gradient here is what reaches it from
    the output through the drawn graph, whatever other backward passes left
    in its ``.grad``.
    """
    reaching = {output: output.grad if seed is None else seed}
    shares = {}
    for node in reversed(nodes):
        upstream = reaching.pop(node, None)
        if upstream is None or node._op is None:
            continue
        for position, source in enumerate(node._inputs):
            share = _share(node, position, upstream)
            if share is not None:
                shares[(node, position)] = share
                reaching[source] = _add(reaching.get(source), share)
    return shares


def is_foldable_constant(node: Any) -> Any:
    """An unnamed scalar leaf that needs no gradient, e.g. the 1 in ``1 + x``."""
    return node._op is None and not node.requires_grad and node.name is None and np.ndim(node.data) == 0


def group_matches(group: Any, names: Any) -> bool:
    """Whether ``names`` holds the group's name or its path ('Net/Affine1')."""
    return group.name in names or "/".join(group.path) in names


# -- collapsing --------------------------------------------------------------------


def _names(option: Any, what: Any) -> Any:
    if isinstance(option, str):
        return {option}
    try:
        names = set(option)
    except TypeError:
        raise TypeError(f"draw: {what} must be a group name or a collection of names, got {option!r}") from None
    if not all(isinstance(name, str) for name in names):
        raise TypeError(f"draw: {what} must hold group names (strings), got {option!r}")
    return names


def _check_known(names: Any, groups: Any, what: Any) -> Any:
    unknown = sorted(name for name in names if not any(group_matches(group, {name}) for group in groups))
    if unknown:
        available = sorted({group.name for group in groups})
        listing = ", ".join(available) if available else "none"
        raise ValueError(f"draw: no group named {', '.join(map(repr, unknown))} in this graph to {what}; groups: {listing}")


def _collapsed_groups(nodes: Any, chains: Any, collapse: Any, expand: Any, collapse_above: Any) -> Any:
    """The groups to draw as single boxes (the outermost collapsed one wins)."""
    groups = list({group: None for node in nodes for group in chains[node]})
    expanded = _names(expand, "expand")
    _check_known(expanded, groups, "expand")
    candidates = [group for group in groups if not group_matches(group, expanded)]
    if collapse is False:
        return frozenset()
    if collapse is True:
        return frozenset(candidates)
    if callable(collapse):
        return frozenset(group for group in candidates if collapse(group))
    if collapse is not None:
        names = _names(collapse, "collapse")
        _check_known(names, groups, "collapse")
        return frozenset(group for group in candidates if group_matches(group, names))
    # Automatic: keep the most detail that fits, collapsing the deepest groups first.
    if not isinstance(collapse_above, int) or collapse_above < 0:
        raise ValueError(f"draw: collapse_above must be a non-negative int, got {collapse_above!r}")
    counted = [node for node in nodes if not is_foldable_constant(node)]
    if len(counted) <= collapse_above:
        return frozenset()
    chosen: frozenset[Any] = frozenset()
    for depth in sorted({len(group.path) for group in candidates}, reverse=True):
        chosen = frozenset(group for group in candidates if len(group.path) >= depth)
        boxes = {_outermost(chains[node], chosen) or node for node in counted}
        if len(boxes) <= collapse_above:
            break
    return chosen


def _outermost(chain: Any, collapsed: Any) -> Any:
    for group in chain:
        if group in collapsed:
            return group
    return None


def _common_cluster(a: Any, b: Any) -> Any:
    common = None
    for x, y in zip(group_chain(a), group_chain(b)):
        if x is not y:
            break
        common = x
    return common


def _raw(x: Any) -> Any:
    return x.data if isinstance(x, Node) else x


def _add(a: Any, b: Any) -> Any:
    if a is None:
        return b
    return a if b is None else a + b


# -- building ------------------------------------------------------------------------


class _SceneBuilder:
    def __init__(self, nodes: Any, chains: Any, collapsed: Any, digits: Any, max_elements: Any, constants: Any,
                 flow: Any) -> None:
        self.nodes = nodes
        self.chains = chains
        self.collapsed = collapsed
        self.digits = digits
        self.max_elements = max_elements
        self.fold = constants == "fold"
        self.flow = flow  # (consumer, position) -> the gradient along that edge
        self.scene = Scene(collapsed=collapsed)
        self.items: dict[Any, Any] = {}  # node or group -> Item
        self.group_inputs: dict[Any, Any] = {}  # (outside source, collapsed group) -> its one Edge into the group

    def build(self, output: Any, output_label: Any, grad: Any) -> Any:
        for node in self.nodes:
            if node._op is not None:
                self.add_consumer(node)
        tail = self.item_for(output)
        end = self.new_item("output", (output.name or "") if output_label is None else output_label)
        self.scene.edges.append(Edge(tail, end, output, output.data, grad, None))
        shares: dict[Any, Any] = {}
        for edge in self.scene.edges:
            if edge.tail.kind == "leaf" and edge.grad is not None:
                shares.setdefault(edge.tail, []).append(edge.grad)
        for item, grads in shares.items():
            if len(grads) > 1:
                item.total = sum(grads[1:], grads[0])
        created = {node: index for index, node in enumerate(self.nodes)}
        self.scene.inputs = sorted(
            (item for item in self.scene.items if item.kind == "leaf" and item.cluster is None and item.node is not None),
            key=lambda item: created[item.node],
        )
        return self.scene

    def add_consumer(self, node: Any) -> None:
        head_group = _outermost(self.chains[node], self.collapsed)
        folded = None if head_group is not None else self.folded_position(node)
        drawn = [
            (position, source)
            for position, source in enumerate(node._inputs)
            if position != folded
            and (head_group is None or _outermost(self.chains[source], self.collapsed) is not head_group)
        ]  # a folded constant, and edges inside a collapsed box, are not drawn
        for _, source in drawn:
            self.item_for(source)  # inputs are declared before their consumer
        head = self.item_for(node)
        for position, source in drawn:
            grad = self.flow.get((node, position))
            if head_group is not None:
                edge = self.group_inputs.get((source, head_group))
                if edge is not None:
                    edge.grad = _add(edge.grad, grad)
                    continue
            tail = self.item_for(source)
            edge = Edge(
                tail, head, source, source.data, grad, _common_cluster(tail.cluster, head.cluster),
                None if head_group is not None else position,
            )
            self.scene.edges.append(edge)
            if head_group is not None:
                self.group_inputs[(source, head_group)] = edge

    def folded_position(self, node: Any) -> Any:
        """Which input is written into the op's label, or None."""
        if not self.fold or node.op not in FOLDABLE_OPS or len(node._inputs) != 2:
            return None
        first, second = (is_foldable_constant(parent) for parent in node._inputs)
        if second and not first:
            return 1
        if first and not second:
            return 0
        return None

    def new_item(self, kind: Any, label: Any, detail: str = "", cluster: Any | None = None, node: Any | None = None,
                 group: Any | None = None) -> Any:
        item = Item(f"n{len(self.scene.items)}", kind, label, detail, cluster, node, group)
        self.scene.items.append(item)
        return item

    def item_for(self, node: Any) -> Any:
        group = _outermost(self.chains[node], self.collapsed)
        if group is not None:
            item = self.items.get(group)
            if item is None:
                item = self.new_item("group", group.name, cluster=group.parent, group=group)
                self.items[group] = item
            return item
        item = self.items.get(node)
        if item is None:
            cluster = home_group(node)
            if node._op is not None:
                label = self.op_label(node)
                item = self.new_item("op", label, _op_detail(node), cluster, node)
            else:
                kind = "leaf" if node.requires_grad or node.name is not None else "constant"
                item = self.new_item(kind, self.leaf_label(node), cluster=cluster, node=node)
            self.items[node] = item
        return item

    def leaf_label(self, node: Any) -> Any:
        if node.name is not None:
            return node.name
        data = node.data
        if isinstance(data, np.ndarray) and data.size > self.max_elements:
            return format_shape(data.shape)
        return "\n".join(format_values(data, self.digits, self.max_elements))

    def op_label(self, node: Any) -> Any:
        symbol = getattr(node._op, "symbol", None) or node.op
        position = self.folded_position(node)
        if position is None:
            return symbol
        constant = format_number(node._inputs[position].data, self.digits)
        name = node.op
        if name in ("add", "mul"):
            return f"{symbol} {constant}"
        if name == "sub":
            return f"{symbol} {constant}" if position == 1 else f"{constant} {symbol}"
        if name == "div":
            return f"/ {constant}" if position == 1 else f"{constant}/x"
        return f"**{constant}" if position == 1 else f"{constant}**x"  # pow


def _op_detail(node: Any) -> Any:
    """A short second line for parameters that change what the op does (axis, shape)."""
    params = node._params or {}
    parts = []
    for key in ("axis", "axes"):
        value = params.get(key)
        if value is not None:
            parts.append(f"{key}={value}".replace("-", MINUS))
    shape = params.get("shape")
    if shape is not None and node.op != "scatter":
        parts.append(f"→ {format_shape(tuple(shape))}")
    if node.op == "getitem" and "index" in params:
        parts.append(_index_text(params["index"]))
    return " ".join(parts)


def _index_text(index: Any) -> Any:
    """An index as written in Python: [1:], [:, ::2], [−1], [[0, 2]]; a longer array by its shape.

    A long index gets one part per line, so the circle stays small.
    """
    parts = []
    for part in index if isinstance(index, tuple) else (index,):
        if isinstance(part, slice):
            text = ":".join("" if bound is None else str(bound) for bound in (part.start, part.stop, part.step))
            parts.append(text.removesuffix(":") if part.step is None else text)
        elif part is None:
            parts.append("None")
        elif part is Ellipsis:
            parts.append("...")
        elif isinstance(part, np.ndarray) and part.ndim > 0:
            if part.dtype.kind == "b":
                parts.append(f"{format_shape(part.shape)} mask")
            else:
                parts.append(str(part.tolist()) if part.ndim == 1 and part.size <= 3 else format_shape(part.shape))
        else:
            parts.append(str(part))
    separator = ", " if len(", ".join(parts)) <= 12 else ",\n"
    return ("[" + separator.join(parts) + "]").replace("-", MINUS)
