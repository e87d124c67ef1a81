"""Textbook-style diagrams of autograd graphs.

``draw(output)`` returns a ``graphviz.Digraph`` (shown inline in Jupyter):
operations in circles, left to right, the forward value above every arrow
and the gradient flowing back along it below, in red. ``render(output,
"graph.svg")`` writes .svg, .png, .pdf or .dot. ``python -m viz --help``
draws expressions and the textbook's figures from the command line.
``steps(output)`` gives the frames of one forward and one backward pass,
``animate(output, "steps.html")`` writes them as a player page (or .gif),
and ``player(output)`` shows that player in Jupyter.
"""

from . import _guard  # noqa: F401  (first: refuses a clash over the name viz or autograd)

from .draw import FORMATS, Diagram, DotNotFoundError, draw, render
from .format import format_number
from .player import Player, animate, player
from .scene import edge_gradient
from .steps import Frame, steps

__all__ = [
    "draw", "render", "Diagram", "DotNotFoundError", "FORMATS", "format_number", "edge_gradient",
    "steps", "Frame", "animate", "player", "Player",
]
