"""Textbook-style diagrams: ``draw`` makes a Graphviz graph, ``render`` writes a file.

The picture follows the textbook's figures: left to right, operations in
circles, the forward value written above each arrow in black and the
gradient flowing back along it below the arrow in red. Each arrow is drawn
through a small label node whose middle row is a line segment continuing the
arrow, which is what puts one number exactly above and the other exactly
below it (Graphviz's own edge labels sit beside an edge, not across it).
"""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path
from typing import Any

import graphviz

from .format import DIGITS, MAX_ELEMENTS, format_edge_value, format_values
from .scene import COLLAPSE_ABOVE, build_scene

__all__ = ["draw", "render", "Diagram", "DotNotFoundError", "FORMATS"]

#: File suffixes ``render`` understands, and the Graphviz output format for each (None: DOT text).
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": None, ".gv": None}

FONT = "Helvetica,Arial,sans-serif"
GRADIENT_COLOR = "red"
SHAPE_COLOR = "#666666"
CONSTANT_COLOR = "#666666"
CLUSTER_COLOR = "#8c8c8c"
HIGHLIGHT_COLOR = "#ffe08a"
HIDDEN_COLOR = "transparent"

INSTALL_HINT = (
    "install Graphviz: 'apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS), "
    "'conda install -c conda-forge graphviz' or see https://graphviz.org/download/"
)


class DotNotFoundError(RuntimeError):
    """Rendering needs the Graphviz ``dot`` program and it is not on PATH."""


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering errors say how to install Graphviz.

    In Jupyter it displays inline as SVG; ``.source`` is the DOT text.
    """

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise _dot_not_found(kwargs.get("format") or (args[0] if args else None) or self.format) from None

    def render(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise _dot_not_found(kwargs.get("format") or self.format) from None

    def _repr_image_svg_xml(self) -> Any:
        """The SVG Jupyter shows: as wide as the cell at most, never wider than drawn."""
        return fit_width(super()._repr_image_svg_xml())


_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="[\d.]+pt"')


def fit_width(svg: Any) -> Any:
    """``svg`` scaled down to its container's width (its viewBox keeps the proportions)."""
    return _SVG_SIZE.sub(lambda found: f'<svg width="100%" style="max-width: {found.group(1)}pt; height: auto"', svg, 1)


def _dot_not_found(fmt: Any) -> Any:
    return DotNotFoundError(
        f"rendering to {fmt} needs the Graphviz 'dot' program, which was not found on PATH; {INSTALL_HINT}. "
        "DOT text (a .dot file, or draw(...).source) works without it."
    )


def draw(
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
    title: Any | None = None,
) -> Any:
    """A ``graphviz.Digraph`` of everything ``output`` was computed from.

    Each arrow shows the value flowing forward above it and, below it in
    red, the gradient flowing back along it from ``output.grad`` (what the
    latest backward pass through ``output`` left there): the input's share of
    d(output)/d(input) through that arrow, which is the input's ``.grad`` of
    that pass when it is used once (see ``viz.scene``).

    - ``digits``: significant digits of every number shown.
    - ``max_elements``: arrays with at most this many elements are written
      out; larger ones show their shape, mean and range.
    - ``constants``: "fold" writes a scalar constant into its operation's
      circle (``+ 1``, ``× −1``, ``1/x``); "nodes" draws it as its own node.
    - ``collapse``: which groups (``autograd.group`` blocks: composites,
      layers) to draw as one box: a name or path, a collection of them, a
      predicate on ``autograd.Group``, True for all or False for none. With
      None (the default), groups are collapsed, deepest first, only when the
      graph has more than ``collapse_above`` nodes.
    - ``expand``: names of groups never collapsed.
    - ``gradients``: write the gradients in red; before any backward pass
      the picture says "no gradients yet" instead.
    - ``output_label``: text at the end of the output arrow (default: the
      output's name).
    - ``title``: a caption above the picture.
    """
    scene = build_scene(
        output,
        digits=digits,
        max_elements=max_elements,
        constants=constants,
        collapse=collapse,
        expand=expand,
        collapse_above=collapse_above,
        gradients=gradients,
        output_label=output_label,
    )
    if gradients and output.grad is None:  # say so, rather than silently leave the red out
        note = "no gradients yet: call backward() on the output to see them in red"
        title = f"{title}\n({note})" if title else note
    graph = new_diagram(title)
    emit_scene(graph, scene, digits=digits, max_elements=max_elements)
    return graph


def render(output: Any, path: Any, *, dpi: Any | None = None, **options: Any) -> Any:
    """Draw ``output`` (or take an already drawn graph) and write it to ``path``.

    The suffix picks the format: .svg, .png, .pdf, or .dot/.gv for DOT text,
    which needs no Graphviz program. ``dpi`` sets the resolution of a .png.
    Raises DotNotFoundError, with install instructions, when ``dot`` is missing.
    Returns the path written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        raise ValueError(f"render: cannot tell the format of {str(path)!r}; use one of the suffixes {known}")
    if isinstance(output, graphviz.Digraph):
        if options:
            raise TypeError(f"render: drawing options ({', '.join(options)}) only apply when given a node")
        graph = output
    else:
        graph = draw(output, **options)
    fmt = FORMATS[suffix]
    if fmt is None:
        data = graph.source.encode("utf-8")
    else:
        if dpi is not None and fmt == "png":
            graph = graph.copy()
            graph.graph_attr["dpi"] = str(dpi)
        try:
            data = graph.pipe(format=fmt)
        except graphviz.ExecutableNotFound:  # a plain graphviz.Digraph was given
            raise _dot_not_found(fmt) from None
    path.write_bytes(data)
    return path


# -- DOT -------------------------------------------------------------------------------


def new_diagram(title: Any | None = None, cls: type[Diagram] = Diagram) -> Any:
    """An empty left-to-right diagram with the house style, named after its title.

    The name is what an SVG viewer shows as the picture's title (Graphviz's
    own is "%3").
    """
    graph = cls(
        name=" ".join(_printable(title).replace("\\", "\u29f5").split()) if title else "computational graph",
        graph_attr={
            "rankdir": "LR",
            "newrank": "true",  # rank constraints hold across clusters
            "ordering": "in",
            "nodesep": "0.12",
            "ranksep": "0.18",
            "bgcolor": "white",
            "fontname": FONT,
            "fontsize": "12",
        },
        node_attr={"fontname": FONT, "fontsize": "13"},
        edge_attr={"arrowsize": "0.7"},
    )
    if title:
        graph.attr(label=_literal(title), labelloc="t", fontsize="14")
    return graph


def emit_scene(graph: Any, scene: Any, *, digits: Any = DIGITS, max_elements: Any = MAX_ELEMENTS, prefix: str = "",
               values: Any | None = None, grads: Any | None = None, highlight: Any = ()) -> None:
    """Write ``scene``'s nodes, clusters and edges into ``graph`` (a Digraph or subgraph).

    ``prefix`` keeps node names apart when several scenes share one graph.
    ``values`` and ``grads`` are the edges whose forward value and gradient
    are shown (None: all); the others keep their place, in transparent ink,
    so every box has the same size whatever is shown. ``highlight`` holds
    the items drawn filled (the operation being computed).
    """
    names = {item: f"{prefix}{item.key}" for item in scene.items}
    members: dict[Any, Any] = {}  # cluster (None: top level) -> node statements as (name, attributes)
    totals = None if grads is None else totals_shown(scene, grads)
    for item in scene.items:
        attributes = _item_attributes(item, digits, max_elements, item in highlight, totals is None or item in totals)
        members.setdefault(item.cluster, []).append((names[item], attributes))
    edge_statements = []
    for index, edge in enumerate(scene.edges):
        middle = f"{prefix}e{index}"
        shown = (values is None or edge in values, grads is None or edge in grads)
        members.setdefault(edge.cluster, []).append((middle, _label_node_attributes(edge, digits, max_elements, *shown)))
        edge_statements.append((names[edge.tail], f"{middle}:line:w", {"arrowhead": "none"}))
        edge_statements.append((f"{middle}:line:e", names[edge.head], {}))

    children: dict[Any, Any] = {}
    for group in scene.clusters():
        children.setdefault(group.parent, []).append(group)
    counter = itertools.count()

    def emit(container: Any, cluster: Any) -> None:
        for name, attributes in members.get(cluster, ()):
            container.node(name, **attributes)
        for child in children.get(cluster, ()):
            with container.subgraph(name=f"cluster_{prefix}{next(counter)}") as sub:
                sub.attr(
                    # top right: the arrows come in from the left, so none crosses the name there
                    label=_literal(child.name), labeljust="r", style="rounded,dashed", color=CLUSTER_COLOR,
                    fontcolor=CLUSTER_COLOR, fontsize="11", fontname=FONT, margin="10",
                )
                emit(sub, child)

    emit(graph, None)
    for tail, head, attributes in edge_statements:
        graph.edge(tail, head, **attributes)
    _inputs_on_the_left(graph, [names[item] for item in scene.inputs])


def _inputs_on_the_left(graph: Any, inputs: Any) -> None:
    """The inputs in one column on the left, top to bottom in the order they were created.

    Invisible edges between them in a ``rank=min`` subgraph fix that order
    (left to right becomes top to bottom in a left-to-right graph); each
    group's nodes then sit beside their own inputs, so the groups come out in
    creation order too.
    """
    if len(inputs) < 2:
        return
    with graph.subgraph() as column:
        column.attr(rank="min")
        for name in inputs:
            column.node(name)
        for upper, lower in zip(inputs, inputs[1:]):
            column.edge(upper, lower, style="invis")


# Characters that would corrupt DOT or its HTML-like labels, or vanish from the picture:
# control characters (line breaks and tabs aside) and lone surrogates.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _printable(text: Any) -> Any:
    """``text`` with every line break as "\\n", tabs as spaces, other control characters spelled out ("\\x00")."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _UNPRINTABLE.sub(lambda found: found.group().encode("unicode_escape", "backslashreplace").decode(), text)


def _escape(text: Any) -> Any:
    """One line of user text for an HTML-like label.

    Graphviz reads backslash escapes even there (\\N is the node's name,
    \\G the graph's), so a backslash is written as two.
    """
    return html.escape(_printable(text)).replace("\\", "\\\\")


def _html(lines: Any) -> Any:
    return "<br/>".join(_escape(line) for part in lines for line in _printable(part).split("\n"))


def _literal(text: Any) -> Any:
    """User text for a plain DOT attribute (a title, a cluster's label), shown as written.

    Graphviz reads backslashes in these as escapes (\\N is the node's name, a
    trailing one breaks the quoting), entities such as &amp; and &#65;, and
    <...> as an HTML-like label; line breaks become \\n.
    """
    text = _printable(text).replace("&", "&amp;")
    return graphviz.nohtml(text.replace("\\", "\\\\").replace("\n", "\\n"))


def _tooltip_text(text: Any) -> Any:
    """Text for a tooltip, shown as written but on one line and with backslashes as "⧵".

    Graphviz undoes backslash escapes in tooltips, and some versions (2.43)
    do it twice, so no escaping keeps a backslash there in every version.
    """
    text = _printable(text).replace("&", "&amp;").replace("\n", " ")
    return graphviz.nohtml(text.replace("\\", "\u29f5"))


def totals_shown(scene: Any, grads: Any) -> Any:
    """The leaves whose total gradient is complete once the edges in ``grads`` show theirs."""
    pending = {edge.tail for edge in scene.edges if edge.grad is not None and edge not in grads}
    return {item for item in scene.items if item.total is not None and item not in pending}


def _item_attributes(item: Any, digits: Any, max_elements: Any, highlight: bool = False,
                     show_total: bool = True) -> Any:
    label = _html([item.label])
    if item.kind == "leaf" and item.total is not None:  # the shares on its arrows add up to this
        ink = GRADIENT_COLOR if show_total else HIDDEN_COLOR
        total = " ".join(format_values(item.total, digits, max_elements))
        label += f'<br/><font color="{ink}" point-size="10">{_escape("grad " + total)}</font>'
    tooltip = _tooltip_text(_tooltip(item))
    if item.kind == "op":
        if len(item.label) > 5:  # smaller, and wrapped, so the circle stays small
            label = f'<font point-size="10">{_html(_wrap_symbol(item.label))}</font>'
        elif len(item.label) == 1:  # × and + are small glyphs
            label = f'<font point-size="18">{label}</font>'
        if item.detail:
            label += f'<br/><font point-size="9">{_html([item.detail])}</font>'
        attributes = {"label": f"<{label}>", "shape": "circle", "width": "0.5", "margin": "0.03", "tooltip": tooltip}
        if highlight:
            attributes.update(style="filled", fillcolor=HIGHLIGHT_COLOR)
        return attributes
    if item.kind == "group":
        return {
            "label": f"<<b>{label}</b>>", "shape": "box", "style": "rounded,filled" if highlight else "rounded",
            "margin": "0.12,0.06", "tooltip": tooltip, **({"fillcolor": HIGHLIGHT_COLOR} if highlight else {}),
        }
    if item.kind == "output" and not item.label:
        return {"label": "", "shape": "point", "width": "0.06"}
    attributes = {"label": f"<{label}>", "shape": "plaintext", "width": "0", "height": "0", "margin": "0.06,0.03"}
    if item.kind == "constant":
        attributes["fontcolor"] = CONSTANT_COLOR
    if tooltip:
        attributes["tooltip"] = tooltip
    return attributes


def _wrap_symbol(text: Any, width: Any = 9) -> Any:
    """Break a long op name into short lines: 'log_softmax' -> log / softmax."""
    words = [word for word in re.split(r"_|\s+|(?<=-)", text) if word]
    lines: list[Any] = []
    for word in words:
        joiner = "" if lines and lines[-1].endswith("-") else " "
        if lines and len(lines[-1]) + len(joiner) + len(word) <= width:
            lines[-1] += joiner + word
        else:
            lines.append(word)
    return lines


def _tooltip(item: Any) -> Any:
    if item.kind == "group":
        return "collapsed group " + "/".join(item.group.path)
    node = item.node
    if node is None:
        return ""
    parts = [node.op or ("constant" if item.kind == "constant" else "leaf")]
    if node.name is not None:
        parts.append(repr(node.name))
    if node.group is not None:
        parts.append("in " + "/".join(node.group.path))
    return " ".join(parts)


def _label_node_attributes(edge: Any, digits: Any, max_elements: Any, show_value: bool = True,
                           show_grad: bool = True) -> Any:
    """A node drawn as: forward value, a line continuing the arrow, gradient in red.

    A value or gradient not shown keeps its place in transparent ink.
    """
    value = format_edge_value(edge.value, digits, max_elements)
    above = [_escape(line) for line in value]
    if len(value) > len(format_values(edge.value, digits, max_elements)):  # the first line is a shape
        above[0] = f'<font color="{SHAPE_COLOR if show_value else HIDDEN_COLOR}" point-size="9">{above[0]}</font>'
    source = edge.source
    if source.name is not None and source._op is not None and edge.head.kind != "output":
        above[0] = _escape(f"{source.name} = " if len(value) == 1 else f"{source.name} ") + above[0]
    below = [] if edge.grad is None else format_values(edge.grad, digits, max_elements)
    below = [f'<font color="{GRADIENT_COLOR if show_grad else HIDDEN_COLOR}">{_escape(line)}</font>' for line in below]
    if not show_value:
        above = [f'<font color="{HIDDEN_COLOR}">{line}</font>' for line in above]
    blank = "&#160;"  # padding keeps the line in the middle, so the arrow stays straight
    size = max(len(above), len(below))
    above = [blank] * (size - len(above)) + above
    below = below + [blank] * (size - len(below))
    rows = [f"<tr><td>{text}</td></tr>" for text in above]
    rows.append('<tr><td port="line" height="1" cellpadding="0" border="1" sides="T"></td></tr>')
    rows += [f"<tr><td>{text}</td></tr>" for text in below]
    table = '<table border="0" cellborder="0" cellspacing="0" cellpadding="1">' + "".join(rows) + "</table>"
    return {"label": f"<{table}>", "shape": "plain", "fontsize": "11"}
