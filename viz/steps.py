"""Backprop step by step: the frames of one forward and one backward pass.

``steps(output)`` draws the graph ``viz.draw`` would draw, once per step:

- frame 0: the graph with no values;
- one forward frame per operation, in topological order (creation order),
  adding its input and output values;
- the first backward frame puts the output's gradient (1 for a scalar) on
  the output arrow; then one frame per operation, in the engine's reverse
  order, adding the gradients it sends to its inputs.

The operation being computed is filled, and each frame's ``caption`` states
the local rule with the numbers (``× node: upstream 1.1 × other input 200 =
220``). A collapsed group is one step. Every frame has the same layout: a
number not shown yet keeps its place in transparent ink, and the caption
below the graph is a box of one fixed size, so Graphviz places every node
at the same spot in every frame.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import Node, Value

from .draw import Diagram, _html, draw, emit_scene, new_diagram
from .format import DIGITS, MAX_ELEMENTS, MINUS, format_edge_value, format_number
from .scene import build_scene

__all__ = ["steps", "Frame", "Walkthrough", "walkthrough"]

#: The caption box: its font size, and the widest it gets before lines wrap (points).
CAPTION_FONT_SIZE = 12
CAPTION_MAX_WIDTH = 560
# Helvetica's widest common glyphs are about 0.6 em; overestimating only adds margin.
_CHAR_WIDTH = 0.6 * CAPTION_FONT_SIZE
_LINE_HEIGHT = 1.25 * CAPTION_FONT_SIZE

_DRAW_OPTIONS = tuple(name for name in inspect.signature(draw).parameters if name != "output")


@dataclass(frozen=True)
class Step:
    """What one frame shows: the edges with their value and their gradient, the item computed."""

    phase: str  # "graph", "forward" or "backward"
    caption: str
    values: frozenset
    grads: frozenset
    item: object = None  # the scene Item being computed, if any


class Frame(Diagram):
    """One frame of ``steps``: a ``graphviz.Digraph`` with its ``caption``, ``phase`` and ``number``."""

    caption = ""
    phase = ""
    number = 0


@dataclass
class Walkthrough:
    """A scene and its steps; ``frames()`` draws them."""

    scene: object
    steps: list
    title: str | None
    digits: int
    max_elements: int

    def frame(self, number: Any, caption: bool = True) -> Any:
        """Frame ``number`` as a Digraph; ``caption=False`` leaves the caption box out."""
        step = self.steps[number]
        frame = new_diagram(self.title, Frame)
        frame.caption, frame.phase, frame.number = step.caption, step.phase, number
        emit_scene(
            frame, self.scene, digits=self.digits, max_elements=self.max_elements,
            values=step.values, grads=step.grads, highlight={step.item} if step.item is not None else (),
        )
        if caption:
            frame.attr(label=self._caption_label(step), labelloc="b", labeljust="l")
        return frame

    def frames(self) -> Any:
        return [self.frame(number) for number in range(len(self.steps))]

    def full(self) -> Any:
        """Every value and gradient shown, nothing filled, no caption: what each frame is cut from."""
        graph = new_diagram(self.title)
        emit_scene(graph, self.scene, digits=self.digits, max_elements=self.max_elements)
        return graph

    def _caption_label(self, step: Any) -> str:
        width, lines = self._caption_box
        text = _wrap(f"{step.phase}: {step.caption}", width)
        rows = "<br/>".join(_html([line]) for line in text)
        height = math.ceil(lines * _LINE_HEIGHT) + 4
        return (
            f'<<table border="0" cellborder="0" fixedsize="true" width="{width}" height="{height}">'
            f'<tr><td align="left" balign="left" valign="top">'
            f'<font point-size="{CAPTION_FONT_SIZE}">{rows}</font></td></tr></table>>'
        )

    @property
    def _caption_box(self) -> Any:
        """(width in points, lines): one size that holds every caption."""
        texts = [f"{step.phase}: {step.caption}" for step in self.steps]
        width = min(CAPTION_MAX_WIDTH, math.ceil(max(len(text) for text in texts) * _CHAR_WIDTH) + 8)
        return width, max(len(_wrap(text, width)) for text in texts)


def _wrap(text: Any, width: Any) -> Any:
    """Greedy word wrap to ``width`` points at the estimated character width."""
    per_line = max(20, int((width - 8) / _CHAR_WIDTH))
    lines: list[Any] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def steps(output: Any, grad: Any | None = None, **options: Any) -> Any:
    """The frames of one forward and one backward pass over ``output``'s graph.

    ``options`` are the options of ``viz.draw`` (``collapse``, ``constants``, ``digits``,
    ``title``, ...). The backward pass starts from ``grad``, by default 1 for
    a scalar output; it is computed here, so ``output.backward()`` need not
    have run and no ``.grad`` is changed. Returns a list of frames (``Frame`` objects).
    """
    return walkthrough(output, grad, **options).frames()


def walkthrough(output: Any, grad: Any | None = None, *, what: str = "steps", **options: Any) -> Any:
    """The ``Walkthrough`` behind ``steps`` (the scene, and what each frame shows)."""
    unknown = sorted(set(options) - set(_DRAW_OPTIONS))
    if unknown:
        raise TypeError(
            f"{what}: unknown option{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"the options are {', '.join(_DRAW_OPTIONS)}"
        )
    if not isinstance(output, Node):
        raise TypeError(f"{what}: expected a Value or Tensor, got {type(output).__name__}")
    if output.op is None:
        raise ValueError(
            f"{what}: {_called(output)} is a leaf: it was not computed from anything, so there is no graph "
            "to step through; pass the result of an operation"
        )
    title = options.pop("title", None)
    gradients = options.get("gradients", True) and output.requires_grad
    seed = _seed(output, grad, what) if gradients else None
    options["gradients"] = gradients
    scene = build_scene(output, seed=seed, **options)
    digits = options.get("digits", DIGITS)
    max_elements = options.get("max_elements", MAX_ELEMENTS)
    plan = _Planner(scene, output, _Numbers(digits, max_elements)).plan(gradients)
    return Walkthrough(scene, plan, title, digits, max_elements)


def _called(node: Any) -> Any:
    return repr(node.name) if node.name is not None else "the output"


def _seed(output: Any, grad: Any, what: Any) -> Any:
    data = output.data
    if grad is None:
        if isinstance(output, Value):
            return 1.0
        if data.size == 1:
            return np.ones_like(data)
        raise ValueError(
            f"{what}: the output has shape {data.shape}, so the gradient to start the backward pass from is "
            f"ambiguous; pass one of that shape, {what}(output, grad=...), or reduce the output to a scalar "
            "first, e.g. output.sum()"
        )
    if isinstance(grad, Node):
        grad = grad.data
    if isinstance(output, Value):
        if np.ndim(grad) != 0:
            raise ValueError(f"{what}: the output is a scalar but grad has shape {np.shape(grad)}")
        return float(grad)
    grad = np.asarray(grad, dtype=data.dtype)
    if grad.shape != data.shape:
        raise ValueError(f"{what}: grad has shape {grad.shape} but the output has shape {data.shape}; they must match")
    return grad


class _Numbers:
    """Numbers and arrays as caption text."""

    def __init__(self, digits: Any, max_elements: Any) -> None:
        self.digits, self.max_elements = digits, max_elements

    def __call__(self, x: Any) -> Any:
        if isinstance(x, np.ndarray) and x.ndim == 0:
            x = x.item()
        if not isinstance(x, np.ndarray):
            return format_number(x, self.digits)
        return " ".join(format_edge_value(x, self.digits, min(self.max_elements, 6)))

    def wrapped(self, x: Any) -> Any:
        """A negative number in parentheses, as an argument of a power or a product."""
        text = self(x)
        return f"({text})" if text.startswith(MINUS) else text


class _Planner:
    def __init__(self, scene: Any, output: Any, numbers: Any) -> None:
        self.scene = scene
        self.output = output
        self.n = numbers
        self.into: dict[Any, Any] = {}
        self.out_of: dict[Any, Any] = {}
        for edge in scene.edges:
            self.into.setdefault(edge.head, []).append(edge)
            self.out_of.setdefault(edge.tail, []).append(edge)

    def plan(self, gradients: Any) -> Any:
        computed = [item for item in self.scene.items if item.kind in ("op", "group")]
        values, grads = set(), set()
        steps = [Step("graph", self._start_caption(computed, gradients), frozenset(), frozenset())]
        for item in computed:
            values.update(self.into.get(item, ()))
            values.update(self.out_of.get(item, ()))
            steps.append(Step("forward", self.forward_caption(item), frozenset(values), frozenset(), item))
        if not gradients:
            return steps
        (end_edge,) = [edge for edge in self.scene.edges if edge.head.kind == "output"]
        grads.add(end_edge)
        name = self.output.name or "output"
        steps.append(Step(
            "backward", f"the backward pass starts at the output: ∂{name}/∂{name} = {self.n(end_edge.grad)}",
            frozenset(values), frozenset(grads), end_edge.tail,
        ))
        for item in reversed(computed):
            edges = [edge for edge in self.into.get(item, ()) if edge.grad is not None]
            if not edges:
                continue  # nothing it feeds needs a gradient
            grads.update(edges)
            steps.append(Step("backward", self.backward_caption(item, edges), frozenset(values), frozenset(grads), item))
        return steps

    def _start_caption(self, computed: Any, gradients: Any) -> str:
        count = len(computed)
        then = " and one backward" if gradients else ""
        return f"the graph: {count} operation{'s' if count != 1 else ''}, no values yet; one forward{then} pass follow"

    # -- captions -----------------------------------------------------------------

    @staticmethod
    def who(item: Any) -> Any:
        """'× node', 'exp', 'sigmoid (collapsed group)'."""
        if item.kind == "group":
            return f"{item.label} (collapsed group)"
        label = item.label
        return label if label[:1].isalpha() or label == "σ" else f"{label} node"

    def upstream(self, item: Any) -> Any:
        total = None
        for edge in self.out_of.get(item, ()):
            if edge.grad is not None:
                total = edge.grad if total is None else total + edge.grad
        return total

    def forward_caption(self, item: Any) -> str:
        n = self.n
        if item.kind == "group":
            ins = ", ".join(n(edge.value) for edge in self.into.get(item, ()))
            outs = ", ".join(n(edge.value) for edge in self.out_of.get(item, ()))
            return f"{self.who(item)}: {ins} → {outs}"
        node = item.node
        args = [parent.data for parent in node.inputs]
        out = n(node.data)
        infix = {"add": "+", "sub": MINUS, "mul": "×", "div": "/", "pow": "**"}
        if node.op in infix and len(args) == 2:
            text = f"{n.wrapped(args[0])} {infix[node.op]} {n.wrapped(args[1])} = {out}"
        elif node.op == "neg":
            text = f"{n.wrapped(args[0])} × {MINUS}1 = {out}"
        elif node.op == "abs":
            text = f"|{n(args[0])}| = {out}"
        else:
            text = f"{node.op}({', '.join(n(arg) for arg in args)}) = {out}"
        return f"{self.who(item)}: {text}"

    def backward_caption(self, item: Any, edges: Any) -> Any:
        g = self.upstream(item)
        parts = []
        for edge in edges:
            rule = self.rule(item, edge, g)
            target = f" (to {edge.source.name})" if edge.source.name is not None else ""
            if len(edges) > 1 and not target:
                target = f" (to input {edge.position + 1})" if edge.position is not None else ""
            parts.append(f"{rule} = {self.n(edge.grad)}{target}")
        return f"{self.who(item)}: " + "; ".join(parts)

    def rule(self, item: Any, edge: Any, g: Any) -> Any:
        """The local rule for the gradient along ``edge``, upstream ``g``, with the numbers."""
        n = self.n
        up = f"upstream {n(g)}"
        if item.kind == "group" or g is None:
            return f"{up} back through the group"
        node, p = item.node, edge.position
        op, xs, y = node.op, [parent.data for parent in node.inputs], node.data
        x = xs[p]
        if op == "add" or (op == "sub" and p == 0):
            text = f"{up} passes unchanged"
        elif op == "sub":
            text = f"{up} × {MINUS}1"
        elif op == "neg":
            text = f"{up} × {MINUS}1"
        elif op == "mul":
            other = node.inputs[1 - p]
            drawn = any(e.position == 1 - p for e in self.into.get(item, ()))
            text = f"{up} × {'other input ' if drawn else ''}{n(other.data)}"
        elif op == "div" and p == 0:
            text = f"{up} / {n.wrapped(xs[1])}"
        elif op == "div" and _is_one(xs[0]):
            text = f"{up} × {MINUS}{n.wrapped(y)}²"
        elif op == "div":
            text = f"{up} × {MINUS}{n.wrapped(xs[0])} / {n.wrapped(xs[1])}²"
        elif op == "pow" and p == 0:
            text = f"{up} × {n(xs[1])} · {n.wrapped(xs[0])}^{n.wrapped(xs[1] - 1)}"
        elif op == "pow":
            text = f"{up} × {n.wrapped(y)} · ln {n.wrapped(xs[0])}"
        elif op == "exp":
            text = f"{up} × exp({n(x)})"
        elif op == "log":
            text = f"{up} / {n.wrapped(x)}"
        elif op == "sin":
            text = f"{up} × cos({n(x)})"
        elif op == "cos":
            text = f"{up} × {MINUS}sin({n(x)})"
        elif op == "tanh":
            text = f"{up} × (1 {MINUS} {n.wrapped(y)}²)"
        elif op == "sigmoid":
            text = f"{up} × y(1 {MINUS} y), y = {n(y)}"
        elif op == "relu" and np.ndim(x) == 0:
            text = f"{up} passes ({n(x)} > 0)" if x > 0 else f"{up} is stopped ({n(x)} ≤ 0)"
        elif op == "relu":
            text = f"{up} passes where the input > 0"
        elif op == "abs":
            text = f"{up} × sign({n(x)})"
        elif op == "affine":
            text = (f"{up} · Wᵀ", f"Xᵀ · {up}", f"{up} summed over the batch")[p]
        elif op == "dot":
            text = (f"{up} · Bᵀ", f"Aᵀ · {up}")[p]
        elif op in ("sum", "sum_to"):
            text = f"{up} copied to every summed element"
        elif op == "mean":
            text = f"{up} / {np.size(x) // max(1, np.size(y))} to every element"
        elif op == "softmax_cross_entropy" and p == 0:
            text = f"{up} × (softmax − one-hot labels) / batch size"
        else:
            text = f"{up} through {op}'s vector-Jacobian product for input {p + 1}"
        if np.shape(edge.grad) != np.shape(g) and op in ("add", "sub", "mul", "div", "pow"):
            text += f", summed to shape {np.shape(edge.grad)}"
        return text


def _is_one(x: Any) -> Any:
    return np.ndim(x) == 0 and float(x) == 1.0
