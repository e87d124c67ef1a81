"""The textbook's figures, built with autograd and drawn with ``viz.draw``.

Each ``*_graph()`` function records a graph, runs backward and returns the
output node; ``figure(name)`` returns the finished drawing. ``python -m viz
demo NAME`` renders them, and ``python -m viz demo all -o docs/`` writes the
README's pictures.
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Value

from .draw import emit_scene, new_diagram
from .scene import build_scene

def apple_graph() -> Any:
    """100 yen × 2 apples × 1.1 tax = 220; backward gives 2.2, 110 and 200."""
    apple = Value(100.0, name="apple")
    count = Value(2.0, name="apple count")
    tax = Value(1.1, name="tax")
    price = apple * count * tax
    price.name = "price"
    price.backward()
    return price


def apple_orange_graph() -> Any:
    """(100 × 2 + 150 × 3) × 1.1 = 715; backward gives 2.2, 110, 3.3, 165 and 650."""
    apple, apple_count = Value(100.0, name="apple"), Value(2.0, name="apple count")
    orange, orange_count = Value(150.0, name="orange"), Value(3.0, name="orange count")
    tax = Value(1.1, name="tax")
    price = (apple * apple_count + orange * orange_count) * tax
    price.name = "price"
    price.backward()
    return price


def sigmoid_graph(x: float = 0.5) -> Any:
    """y = 1 / (1 + exp(−x)) as the textbook's four nodes, in a group named 'sigmoid'."""
    y = autograd.sigmoid_composite(Value(x, name="x"))
    y.name = "y"
    y.backward()
    return y


def chain_graph(x: float = 1.0, y: float = 2.0) -> Any:
    """The chain rule's example z = t², t = x + y: dz/dx = dz/dt · dt/dx = 2t · 1."""
    t = Value(x, name="x") + Value(y, name="y")
    t.name = "t"
    z = t**2
    z.name = "z"
    z.backward()
    return z


def _single(graph_function: Any, title: Any, **options: Any) -> Any:
    def make() -> Any:
        return _draw(graph_function(), title, **options)

    return make


def _draw(output: Any, title: Any, **options: Any) -> Any:
    graph = new_diagram(title)
    emit_scene(graph, build_scene(output, **options))
    return graph


def sigmoid_figure() -> Any:
    """The sigmoid expanded into four nodes above, collapsed into one below: same gradient."""
    graph = new_diagram("sigmoid: backward through four nodes, or through one that only needs y(1 − y)")
    panels = (
        ("expanded", False, "1 / (1 + exp(−x)), expanded"),
        ("collapsed", True, "the same graph, collapsed"),
    )
    for prefix, collapse, caption in reversed(panels):  # Graphviz stacks the last one on top
        scene = build_scene(sigmoid_graph(), collapse=collapse)
        with graph.subgraph(name=f"cluster_{prefix}") as panel:
            panel.attr(label=caption, labeljust="l", color="white", fontcolor="#444444", fontsize="12")
            emit_scene(panel, scene, prefix=f"{prefix}_")
    return graph


FIGURES = {
    "apple": _single(apple_graph, "buying apples: 100 yen × 2 apples × tax 1.1"),
    "apple-orange": _single(apple_orange_graph, "apples and oranges: (100 × 2 + 150 × 3) × 1.1"),
    "sigmoid": sigmoid_figure,
    "sigmoid-expanded": _single(sigmoid_graph, "sigmoid: y = 1 / (1 + exp(−x))", collapse=False),
    "sigmoid-collapsed": _single(sigmoid_graph, "sigmoid collapsed: backward needs only y(1 − y)", collapse=True),
    "chain": _single(chain_graph, "the chain rule: z = t², t = x + y"),
}


#: The graph behind each figure, and the drawing options, for ``python -m viz demo NAME --steps``.
GRAPHS = {
    "apple": (apple_graph, {}),
    "apple-orange": (apple_orange_graph, {}),
    "sigmoid": (sigmoid_graph, {"collapse": False}),
    "sigmoid-expanded": (sigmoid_graph, {"collapse": False}),
    "sigmoid-collapsed": (sigmoid_graph, {"collapse": True}),
    "chain": (chain_graph, {}),
}

#: The step-by-step animations ``demo all`` writes beside the figures (README: docs/sigmoid-steps.gif).
ANIMATIONS = {"sigmoid-steps.gif": "sigmoid"}


def figure(name: str) -> Any:
    """The drawing of one of ``FIGURES`` by name."""
    try:
        make = FIGURES[name]
    except KeyError:
        raise ValueError(f"no figure named {name!r}; figures: {', '.join(FIGURES)}") from None
    return make()
