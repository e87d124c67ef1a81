"""Tests for viz.draw and viz.render: the DOT, and pictures rendered by the real ``dot`` program."""

import html
import re
import time
import xml.etree.ElementTree as ET

import graphviz
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import viz
from autograd import Primitive, Tensor, Value
from viz import DotNotFoundError, draw, render
from viz.figures import apple_graph, apple_orange_graph, chain_graph, figure
from viz.format import MINUS
from viz.scene import build_scene

SVG = "{http://www.w3.org/2000/svg}"


# -- reading the DOT back -------------------------------------------------------------


def _html_label(statement):
    """The text between label=< and its matching >."""
    start = statement.index("label=<") + len("label=<")
    depth = 1
    for position in range(start, len(statement)):
        char = statement[position]
        depth += char == "<"
        depth -= char == ">"
        if depth == 0:
            return statement[start:position]
    raise AssertionError(f"unbalanced label in {statement!r}")


def _texts(fragment):
    """The lines of text in an HTML-like label fragment."""
    lines = re.split(r"<br/>|</td>", fragment)
    texts = [html.unescape(re.sub(r"<[^>]*>", "", line)).strip() for line in lines]
    return [text for text in texts if text and text != "\xa0"]


def parse_dot(source):
    """(labels, edges): node name -> label text, and one dict per drawn arrow.

    Each arrow is two DOT edges through a label node: tail -> eK:line:w and
    eK:line:e -> head. Its dict holds the tail and head names, the lines
    written above the line (forward) and below it (backward), and whether
    every line below is red.
    """
    labels, tables, tails, heads = {}, {}, {}, {}
    for statement in source.splitlines():
        statement = statement.strip()
        arrow = re.fullmatch(r"(\S+) -> (\S+)(?: \[.*\])?", statement)
        if arrow and "style=invis" in statement:
            continue  # keeps the inputs in order; draws nothing
        if arrow:
            tail, head = arrow.groups()
            if head.endswith(":line:w"):
                tails[head.split(":")[0]] = tail
            elif tail.endswith(":line:e"):
                heads[tail.split(":")[0]] = head
            else:
                raise AssertionError(f"an edge that does not pass through a label node: {statement}")
            continue
        node = re.match(r"(\w+) \[", statement)
        if node and "label=<" in statement:
            label = _html_label(statement)
            if "<table" in label:
                tables[node.group(1)] = label
            else:  # a leaf's total gradient, in red under its name, is read by leaf_totals
                label = re.sub(r'<br/><font color="red" point-size="10">grad [^<]*</font>$', "", label)
                labels[node.group(1)] = "\n".join(_texts(label))
        elif node and 'label=""' in statement:
            labels[node.group(1)] = ""
    edges = []
    for middle, table in tables.items():
        above, below = table.split('<td port="line"')
        below_lines = _texts(below.split("</tr>", 1)[1])
        red = re.findall(r'<font color="red">([^<]*)</font>', below)
        edges.append({
            "tail": tails[middle], "head": heads[middle], "middle": middle,
            "above": _texts(above), "below": below_lines,
            "below_red": [html.unescape(text) for text in red] == below_lines,
        })
    return labels, edges


def labelled_edges(source):
    """Each arrow as (tail label, head label, lines above, lines below)."""
    labels, edges = parse_dot(source)
    for edge in edges:
        assert edge["below_red"], edge
    return [(labels[e["tail"]], labels[e["head"]], e["above"], e["below"]) for e in edges]


def edges_from(source, tail_label):
    return [edge for edge in labelled_edges(source) if edge[0] == tail_label]


# -- the textbook's shopping examples -----------------------------------------------


def test_apple_dot_puts_each_forward_and_backward_value_on_its_edge():
    labels, edges = parse_dot(draw(apple_graph()).source)
    by_values = {(tuple(e["above"]), tuple(e["below"])): e for e in edges}
    assert set(by_values) == {
        (("100",), ("2.2",)),
        (("2",), ("110",)),
        (("200",), ("1.1",)),
        (("1.1",), ("200",)),
        (("220",), ("1",)),
    }
    assert all(edge["below_red"] for edge in edges)
    apple, count, subtotal = by_values[("100",), ("2.2",)], by_values[("2",), ("110",)], by_values[("200",), ("1.1",)]
    tax, price = by_values[("1.1",), ("200",)], by_values[("220",), ("1",)]
    assert labels[apple["tail"]] == "apple" and labels[count["tail"]] == "apple count"
    assert labels[tax["tail"]] == "tax" and labels[price["head"]] == "price"
    first, second = apple["head"], tax["head"]
    assert first != second and labels[first] == labels[second] == "×"
    assert count["head"] == first
    assert (subtotal["tail"], subtotal["head"]) == (first, second)
    assert price["tail"] == second


def test_apple_orange_dot():
    edges = labelled_edges(draw(apple_orange_graph()).source)
    assert ("apple", "×", ["100"], ["2.2"]) in edges
    assert ("apple count", "×", ["2"], ["110"]) in edges
    assert ("orange", "×", ["150"], ["3.3"]) in edges
    assert ("orange count", "×", ["3"], ["165"]) in edges
    assert ("×", "+", ["200"], ["1.1"]) in edges
    assert ("×", "+", ["450"], ["1.1"]) in edges
    assert ("+", "×", ["650"], ["1.1"]) in edges
    assert ("tax", "×", ["1.1"], ["650"]) in edges
    assert ("×", "price", ["715"], ["1"]) in edges
    assert len(edges) == 9


def _svg_label_nodes(svg_text):
    """SVG node title -> list of (text, fill, y) for every text drawn in it."""
    root = ET.fromstring(svg_text)
    nodes, edges = {}, []
    for group in root.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if title is None:
            continue
        if group.get("class") == "node":
            nodes[title.text] = [(t.text, t.get("fill", "black"), float(t.get("y"))) for t in group.iter(f"{SVG}text")]
        elif group.get("class") == "edge":
            edges.append(title.text)
    return nodes, edges


def test_apple_svg_from_the_dot_program_shows_values_above_and_red_gradients_below(tmp_path):
    path = render(apple_graph(), tmp_path / "apple.svg")
    svg = path.read_text(encoding="utf-8")
    nodes, svg_edges = _svg_label_nodes(svg)
    _, edges = parse_dot(draw(apple_graph()).source)
    assert len(edges) == 5
    for edge in edges:
        texts = nodes[edge["middle"]]
        (forward, forward_fill, forward_y), (backward, backward_fill, backward_y) = texts
        assert [forward] == edge["above"] and [backward] == edge["below"]
        assert forward_fill == "black" and backward_fill == "red"
        assert forward_y < backward_y  # SVG y grows downwards: the forward value is above
        assert f"{edge['tail']}->{edge['middle']}:w" in svg_edges  # SVG titles keep only the compass point
        assert f"{edge['middle']}:e->{edge['head']}" in svg_edges
    drawn = {(text, fill) for texts in nodes.values() for text, fill, _ in texts}
    for value in ("100", "2", "200", "1.1", "220"):
        assert (value, "black") in drawn
    for grad in ("2.2", "110", "1.1", "200", "1"):
        assert (grad, "red") in drawn
    assert {("apple", "black"), ("apple count", "black"), ("tax", "black"), ("price", "black")} <= drawn


def test_chain_rule_figure_names_the_intermediate_value():
    edges = labelled_edges(draw(chain_graph()).source)
    assert ("x", "+", ["1"], ["6"]) in edges
    assert ("y", "+", ["2"], ["6"]) in edges
    assert ("+", "**2", ["t = 3"], ["6"]) in edges
    assert ("**2", "z", ["9"], ["1"]) in edges


# -- edges and gradients ---------------------------------------------------------------


def test_a_value_used_twice_sends_each_edge_its_own_share():
    x = Value(2.0, name="x")
    y = x * x + 3 * x
    y.backward()
    edges = edges_from(draw(y).source, "x")
    assert sorted(edges) == [("x", "×", ["2"], ["2"]), ("x", "×", ["2"], ["2"]), ("x", "× 3", ["2"], ["3"])]
    assert x.grad == 7.0  # the shares add up to the gradient
    assert leaf_totals(draw(y).source) == {"x": "7"}  # and the leaf shows that total


def leaf_totals(source):
    """{leaf label: the total gradient written in red under it}."""
    found = re.findall(r'label=<([^<>]*)<br/><font color="red" point-size="10">grad ([^<]*)</font>>', source)
    return dict(found)


def test_a_leaf_used_once_shows_no_total_and_steps_show_it_once_complete():
    x, w = Value(2.0, name="x"), Value(5.0, name="w")
    y = x * w + x
    y.backward()
    assert leaf_totals(draw(y).source) == {"x": "6"}  # w is used once: its arrow already says 2
    frames = viz.steps(y)
    shown = [re.findall(r'<font color="red" point-size="10">grad ([^<]*)</font>', frame.source) for frame in frames]
    assert shown[-1] == ["6"] and all(found == [] for found in shown[:-1])


def _leaves(node, seen=None):
    seen = set() if seen is None else seen
    stack, leaves = [node], []
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if current.op is None and current.requires_grad:
            leaves.append(current)
        stack.extend(current.inputs)
    return leaves


OPERATIONS = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (b * b + 1.0),
    lambda a, b: (a * 0.5).tanh() * b,
    lambda a, b: a.sin() + b.exp() * 0.1,
    lambda a, b: 2.0 - a,
]


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    steps=st.lists(st.tuples(st.integers(0, len(OPERATIONS) - 1), st.integers(0, 50), st.integers(0, 50)),
                   min_size=1, max_size=12),
)
def test_edge_gradients_out_of_each_leaf_add_up_to_its_gradient(values, steps):
    pool = [Value(v, name=f"v{i}") for i, v in enumerate(values)]
    for operation, i, j in steps:
        pool.append(OPERATIONS[operation](pool[i % len(pool)], pool[j % len(pool)]))
    output = pool[-1]
    if output.op is None:
        return
    output.backward()
    scene = build_scene(output)
    for leaf in _leaves(output):
        shares = [edge.grad for edge in scene.edges if edge.source is leaf]
        assert shares and sum(shares) == pytest.approx(leaf.grad, rel=1e-9, abs=1e-12)


def test_no_gradients_before_backward_or_when_turned_off():
    a, b = Value(3.0, name="a"), Value(4.0, name="b")
    y = a * b
    before = draw(y).source
    assert 'color="red"' not in before
    assert ("a", "×", ["3"], []) in labelled_edges(before)
    y.backward()
    assert ("a", "×", ["3"], ["4"]) in labelled_edges(draw(y).source)
    assert 'color="red"' not in draw(y, gradients=False).source


def test_gradients_recorded_as_nodes_are_drawn_as_numbers():
    x = Value(3.0, name="x")
    y = x * x * x
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value)
    edges = edges_from(draw(y).source, "x")
    assert [e[3] for e in edges] == [["9"], ["9"], ["9"]]  # x·x twice into x·x, and x² into the last ×


def test_the_picture_shows_the_gradient_of_its_own_output_when_another_backward_ran_last():
    x = Value(1.0, name="x")
    a = x * 2
    a.name = "a"
    y1, y2 = a + 1, a * 3
    y1.backward()
    y2.backward()  # a.grad is now dy2/da = 3, but y1 still holds its own gradient, 1
    scene = build_scene(y1)
    grads = {edge.source.name: edge.grad for edge in scene.edges}
    assert grads == {"x": 2.0, "a": 1.0, None: 1.0}  # dy1/dx, not dy2/dx = 6


def test_an_intermediate_node_shows_what_flows_through_it_and_its_shares_add_up():
    x = Value(1.5, name="x")
    a = x.exp()
    h = a * a
    h.name = "h"
    loss = h + a * 5  # a also reaches the loss without passing through h
    loss.backward()
    scene = build_scene(h)
    (into_a,) = [edge for edge in scene.edges if edge.source is x]
    out_of_a = [edge.grad for edge in scene.edges if edge.source is a]
    assert sum(out_of_a) == pytest.approx(into_a.grad / a.data)  # d exp(x)/dx = exp(x)
    assert into_a.grad == pytest.approx(2 * a.data * a.data)  # d(h)/dx times dloss/dh = 1


def test_a_gradient_graph_shows_no_gradients_until_it_is_differentiated():
    x = Value(3.0, name="x")
    y = x * x * x
    y.backward(create_graph=True)
    dydx = x.grad
    assert 'color="red"' not in draw(dydx).source  # the forward pass's gradients are not dydx's
    x.grad = None
    dydx.backward()
    shares = [edge.grad for edge in build_scene(dydx).edges if edge.source is x]
    assert sum(shares) == pytest.approx(x.grad) == pytest.approx(6 * 3.0)


def test_digits_option():
    x = Value(1.0 / 3.0, name="x")
    y = x * 3
    y.backward()
    assert ("x", "× 3", ["0.33"], ["3"]) in labelled_edges(draw(y, digits=2).source)
    assert ("x", "× 3", ["0.333333"], ["3"]) in labelled_edges(draw(y, digits=6).source)


def test_an_unknown_primitive_is_drawn_by_its_name():
    cube = Primitive("cube", lambda x: x**3, (lambda g, out, x: g * 3 * x * x,))
    x = Value(2.0, name="x")
    y = cube(x)
    y.backward()
    assert labelled_edges(draw(y).source) == [("x", "cube", ["2"], ["12"]), ("cube", "", ["8"], ["1"])]


def test_a_leaf_alone_is_drawn_with_its_output_edge():
    x = Value(5.0, name="x")
    x.backward()
    assert labelled_edges(draw(x, output_label="out").source) == [("x", "out", ["5"], ["1"])]


def test_unnamed_leaves_are_labelled_with_their_values():
    y = Value(2.5) * Value(4.0)
    y.backward()
    edges = labelled_edges(draw(y).source)
    assert ("2.5", "×", ["2.5"], ["4"]) in edges
    assert ("4", "×", ["4"], ["2.5"]) in edges


def test_draw_refuses_what_is_not_a_node_and_bad_options():
    with pytest.raises(TypeError, match="expected a Value or Tensor"):
        draw(3.0)
    with pytest.raises(ValueError, match="constants must be 'fold' or 'nodes'"):
        draw(Value(1.0), constants="hide")


@pytest.mark.parametrize(
    "options, message",
    [
        ({"digits": 0}, "digits must be a whole number of at least 1, got 0"),
        ({"digits": -1}, "digits must be a whole number of at least 1, got -1"),
        ({"digits": 2.5}, "digits must be a whole number of at least 1, got 2.5"),
        ({"digits": "3"}, "digits must be a whole number of at least 1, got '3'"),
        ({"digits": True}, "digits must be a whole number of at least 1, got True"),
        ({"max_elements": None}, "max_elements must be a non-negative whole number, got None"),
        ({"max_elements": -1}, "max_elements must be a non-negative whole number, got -1"),
    ],
)
def test_draw_says_which_number_option_is_wrong(options, message):
    y = Tensor(np.arange(20.0)).sum()  # an array too large to write out, so max_elements matters
    with pytest.raises(ValueError, match=re.escape(f"draw: {message}")):
        draw(y, **options)
    assert draw(y, digits=20, max_elements=0).source


# -- constants ----------------------------------------------------------------------------


def op_labels(source):
    """The text in each circle, lines joined by newlines."""
    return ["\n".join(_texts(_html_label(line))) for line in source.splitlines() if "shape=circle" in line]


def textbook_sigmoid(x=0.5):
    """(x, y) with y = 1 / (1 + exp(−x)) recorded as four nodes in a 'sigmoid' group, after backward."""
    x = Value(x, name="x")
    y = autograd.sigmoid_composite(x)
    y.backward()
    return x, y


def test_sigmoid_draws_as_the_textbook_with_constants_folded():
    _, y = textbook_sigmoid()
    source = draw(y, output_label="y").source
    assert op_labels(source) == [f"× {MINUS}1", "exp", "+ 1", "1/x"]
    edges = labelled_edges(source)
    assert sorted(edges) == sorted([
        ("x", f"× {MINUS}1", ["0.5"], ["0.235"]),
        (f"× {MINUS}1", "exp", [f"{MINUS}0.5"], [f"{MINUS}0.235"]),
        ("exp", "+ 1", ["0.6065"], [f"{MINUS}0.3875"]),
        ("+ 1", "1/x", ["1.607"], [f"{MINUS}0.3875"]),
        ("1/x", "y", ["0.6225"], ["1"]),
    ])


def test_constants_can_be_drawn_as_nodes():
    _, y = textbook_sigmoid()
    source = draw(y, constants="nodes").source
    assert op_labels(source) == [f"× {MINUS}1", "exp", "+", "/"]
    edges = labelled_edges(source)
    assert ("1", "+", ["1"], []) in edges and ("1", "/", ["1"], []) in edges  # no gradient: constants need none
    assert len(edges) == 7


@pytest.mark.parametrize(
    "build, label",
    [
        (lambda x: x - 2, f"− 2"),
        (lambda x: 2 - x, f"2 −"),
        (lambda x: x / 4, "/ 4"),
        (lambda x: 3 / x, "3/x"),
        (lambda x: 1 / x, "1/x"),
        (lambda x: x**2, "**2"),
        (lambda x: 2**x, "2**x"),
        (lambda x: x * -1, f"× {MINUS}1"),
        (lambda x: x + 0.5, "+ 0.5"),
        (lambda x: Tensor([1.0, 2.0]) * 3.0, "× 3"),
    ],
)
def test_folded_constant_labels(build, label):
    y = build(Value(1.5, name="x"))
    assert op_labels(draw(y).source) == [label]


def test_array_constants_and_named_constants_stay_nodes():
    x = Tensor([1.0, 2.0], name="x")
    y = x * np.array([3.0, 4.0])
    assert op_labels(draw(y).source) == ["×"]
    assert ("[3, 4]", "×", ["(2,)", "[3, 4]"], []) in labelled_edges(draw(y).source)
    c = Value(2.0, requires_grad=False, name="c")
    z = Value(1.0, name="v") * c
    assert ("c", "×", ["2"], []) in labelled_edges(draw(z).source)


# -- tensors ------------------------------------------------------------------------------------


def test_small_tensors_show_shape_and_values_large_ones_a_summary():
    x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], name="x")
    w = Tensor(np.full((3, 4), 0.5), name="W")
    y = autograd.sum(x @ w)
    y.backward()
    edges = labelled_edges(draw(y).source)
    assert ("x", "dot", ["(2, 3)", "[1, 2, 3]", "[4, 5, 6]"], ["[2, 2, 2]", "[2, 2, 2]"]) in edges
    (w_edge,) = edges_from(draw(y).source, "W")
    assert w_edge[2] == ["(3, 4)", "all 0.5"]
    assert w_edge[3] == ["mean 7", "[5, 9]"]  # columns of x summed: 5, 7, 9 on each row
    (out,) = [e for e in edges if e[0] == "Σ"]
    assert out[2] == ["42"] and out[3] == ["1"]  # a 0-d result is a number
    more = labelled_edges(draw(y, max_elements=12).source)
    assert ("W", "dot", ["(3, 4)"] + ["[0.5, 0.5, 0.5, 0.5]"] * 3,
            ["[5, 5, 5, 5]", "[7, 7, 7, 7]", "[9, 9, 9, 9]"]) in more


def test_op_parameters_are_shown_under_the_symbol():
    x = Tensor(np.ones((2, 3)), name="x")
    y = autograd.sum(autograd.max(x, axis=1))
    assert op_labels(draw(y).source) == ["max\naxis=1", "Σ"]


def test_indexing_shows_its_index():
    x = Tensor(np.arange(24.0).reshape(4, 6), name="x")
    picks = np.arange(4)
    parts = [x[1:], x[:, ::2], x[-1], x[np.array([0, 2])], x[picks, picks], x[..., None, 0:3]]
    y = sum(autograd.sum(part) for part in parts)
    y.backward()
    labels = [label for label in op_labels(draw(y).source) if label.startswith("[]")]
    assert labels == [
        "[]\n[1:]", "[]\n[:, ::2]", f"[]\n[{MINUS}1]", "[]\n[[0, 2]]", "[]\n[(4,), (4,)]",
        "[]\n[...,\nNone,\n0:3]",  # a long index: one part per line
    ]
    masked = Tensor(np.arange(6.0), name="m")[np.arange(6) > 2]
    assert op_labels(draw(autograd.sum(masked)).source)[0] == "[]\n[(6,) mask]"


# -- groups -------------------------------------------------------------------------------------


def clusters(source):
    """Cluster label -> the names of the nodes declared directly inside it."""
    found, stack = {}, []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("subgraph cluster"):
            stack.append([])
            continue
        if "label=" in stripped and stack and stack[-1] == []:  # the cluster's attributes
            stack[-1].append(re.search(r"label=(\w+)", stripped).group(1))
            continue
        if stripped == "}" and stack:
            label, *names = stack.pop()
            found.setdefault(label, []).append(names)
            continue
        node = re.match(r"(\w+) \[", stripped)
        if node and stack:
            stack[-1].append(node.group(1))
    return found


def test_groups_are_drawn_as_labelled_clusters():
    x = Value(0.5, name="x")
    y = autograd.sigmoid_composite(x) * 2
    y.backward()
    source = draw(y).source
    labels, _ = parse_dot(source)
    (members,) = clusters(source)["sigmoid"]
    ops = [labels[name] for name in members if name in labels]
    assert ops == [f"× {MINUS}1", "exp", "+ 1", "1/x"]
    assert "x" not in ops and "× 2" not in ops


@pytest.mark.parametrize("x", [-3.0, 0.0, 0.5, 4.0])
def test_collapsed_sigmoid_shows_the_same_gradient_as_the_four_nodes_and_the_fused_op(x):
    _, y = textbook_sigmoid(x)
    fused = autograd.sigmoid(Value(x, name="x"))
    fused.backward()
    scenes = [build_scene(y, collapse=False), build_scene(y, collapse="sigmoid"), build_scene(fused)]
    local = y.data * (1 - y.data)  # the textbook's y(1 − y)
    for scene in scenes:
        (edge,) = [e for e in scene.edges if e.source.name == "x"]
        assert edge.grad == pytest.approx(local, rel=1e-12)
    assert [item.kind for item in scenes[1].items] == ["leaf", "group", "output"]
    assert [item.label for item in scenes[1].items][:2] == ["x", "sigmoid"]


def test_collapsed_sigmoid_dot_has_one_box_and_the_same_red_value():
    _, y = textbook_sigmoid()
    expanded_dot = draw(y, collapse=False).source
    collapsed_dot = draw(y, collapse=True).source
    assert op_labels(collapsed_dot) == []
    assert "shape=box" in collapsed_dot
    assert labelled_edges(collapsed_dot) == [("x", "sigmoid", ["0.5"], ["0.235"]), ("sigmoid", "", ["0.6225"], ["1"])]
    assert edges_from(expanded_dot, "x") == [("x", f"× {MINUS}1", ["0.5"], ["0.235"])]


def nested_graph():
    x = Value(1.0, name="x")
    with autograd.group("outer"):
        h = x * 2
        with autograd.group("inner"):
            h = h.exp() + 1
        y = h * h
    y.backward()
    return x, y


def test_nested_groups_nest_clusters_and_collapse_by_name_or_path():
    x, y = nested_graph()
    source = draw(y).source
    assert "label=outer" in source and "label=inner" in source
    assert source.index("label=outer") < source.index("label=inner")
    by_name = build_scene(y, collapse="inner")
    by_path = build_scene(y, collapse="outer/inner")
    for scene in (by_name, by_path):
        assert [item.label for item in scene.items if item.kind == "group"] == ["inner"]
        assert [item.label for item in scene.items if item.kind == "op"] == ["× 2", "×"]
        assert [g.name for g in scene.clusters()] == ["outer"]
    outer = build_scene(y, collapse=True)
    assert [item.label for item in outer.items] == ["x", "outer", ""]  # the outermost group wins
    (into,) = [edge for edge in outer.edges if edge.source is x]
    assert into.grad == pytest.approx(x.grad)
    only_inner = build_scene(y, collapse=lambda group: group.name == "inner")
    assert [item.label for item in only_inner.items if item.kind == "group"] == ["inner"]
    kept = build_scene(y, collapse=True, expand=["outer"])
    assert [item.label for item in kept.items if item.kind == "group"] == ["inner"]
    assert build_scene(y, collapse=["inner", "outer"]).items[1].label == "outer"


def test_collapse_and_expand_name_groups_that_exist():
    _, y = nested_graph()
    with pytest.raises(ValueError, match=r"no group named 'sigmoid' in this graph to collapse; groups: inner, outer"):
        draw(y, collapse="sigmoid")
    with pytest.raises(ValueError, match="no group named 'Affine1' in this graph to expand"):
        draw(y, expand="Affine1")
    with pytest.raises(TypeError, match="collapse must be"):
        draw(y, collapse=3)
    with pytest.raises(TypeError, match="group names"):
        draw(y, collapse=[1])
    with pytest.raises(ValueError, match="collapse_above"):
        draw(y, collapse_above=-1)


def scalar_mlp(sizes=(2, 8, 8, 1), seed=0):
    """A micrograd-style network of Values: every layer and neuron in its own group."""
    rng = np.random.default_rng(seed)
    inputs = [Value(float(v), name=f"x{i}") for i, v in enumerate(rng.uniform(-1, 1, sizes[0]))]
    xs = inputs
    for layer, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:]), 1):
        with autograd.group(f"Layer{layer}"):
            outputs = []
            for _ in range(fan_out):
                with autograd.group("Neuron"):
                    activation = Value(0.0)
                    for x, w in zip(xs, rng.uniform(-1, 1, fan_in)):
                        activation = activation + Value(float(w)) * x
                    outputs.append(activation.tanh())
            xs = outputs
    (output,) = xs
    output.backward()
    return inputs, output


def test_large_graphs_collapse_the_deepest_groups_first_by_default():
    inputs, output = scalar_mlp()
    expanded = build_scene(output, collapse=False)
    assert len([item for item in expanded.items if item.kind == "op"]) > 150
    auto = build_scene(output)  # more than 50 nodes: neurons become boxes, layers stay clusters
    assert [item.label for item in auto.items if item.kind == "group"] == ["Neuron"] * 17
    assert not [item for item in auto.items if item.kind == "op"]
    assert [group.name for group in auto.clusters()] == ["Layer1", "Layer2", "Layer3"]
    shares = [edge.grad for edge in auto.edges if edge.source is inputs[0]]
    assert len(shares) == 8 and sum(shares) == pytest.approx(inputs[0].grad)
    tighter = build_scene(output, collapse_above=10)  # neurons are not enough: whole layers
    assert [item.label for item in tighter.items if item.kind == "group"] == ["Layer1", "Layer2", "Layer3"]
    assert not build_scene(output, collapse_above=10_000).collapsed
    one_open = build_scene(output, collapse_above=10, expand=["Layer2"])
    assert [item.label for item in one_open.items if item.kind == "group"] == ["Layer1"] + ["Neuron"] * 8 + ["Layer3"]
    assert [group.name for group in one_open.clusters()] == ["Layer2"]


def test_a_collapsed_scalar_mlp_renders(tmp_path):
    _, output = scalar_mlp()
    svg = render(output, tmp_path / "mlp.svg").read_text(encoding="utf-8")
    assert svg.count(">Neuron</text>") == 17
    assert "Layer2" in svg


# -- a TwoLayerNet-sized graph ---------------------------------------------------------------


def two_layer_net_loss(batch=100, seed=0):
    """The textbook's 784-50-10 network on a batch, built with autograd in the layers' groups."""
    rng = np.random.default_rng(seed)
    x = Tensor(rng.random((batch, 784)), requires_grad=False, name="x")
    labels = rng.integers(0, 10, batch)
    w1, b1 = Tensor(0.01 * rng.standard_normal((784, 50)), name="W1"), Tensor(np.zeros(50), name="b1")
    w2, b2 = Tensor(0.01 * rng.standard_normal((50, 10)), name="W2"), Tensor(np.zeros(10), name="b2")
    with autograd.group("Affine1"):
        a1 = x @ w1 + b1
    with autograd.group("Relu1"):
        z1 = autograd.relu(a1)
    with autograd.group("Affine2"):
        a2 = z1 @ w2 + b2
    with autograd.group("SoftmaxWithLoss"):
        loss = -autograd.mean(autograd.log_softmax(a2)[np.arange(batch), labels])
    loss.name = "loss"
    loss.backward()
    return loss


def test_two_layer_net_renders_quickly_with_shapes_and_summaries(tmp_path):
    loss = two_layer_net_loss()
    start = time.perf_counter()
    svg = render(loss, tmp_path / "net.svg").read_text(encoding="utf-8")
    collapsed = render(loss, tmp_path / "net-collapsed.svg", collapse=True).read_text(encoding="utf-8")
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, f"rendering took {elapsed:.1f} s"
    for text in ("(100, 784)", "(784, 50)", "(100, 10)", ">W1<", ">dot<", "Affine1", "SoftmaxWithLoss"):
        assert text in svg
    for name in ("Affine1", "Relu1", "Affine2", "SoftmaxWithLoss"):
        assert f">{name}</text>" in collapsed
    assert ">dot<" not in collapsed
    labels, edges = parse_dot(draw(loss).source)
    (w1,) = [e for e in edges if labels[e["tail"]] == "W1"]
    assert w1["above"][0] == "(784, 50)" and w1["above"][1].startswith("mean ")
    assert w1["below"][0].startswith("mean ") and w1["below"][1].startswith("[")
    (x,) = [e for e in edges if labels[e["tail"]] == "x"]
    assert x["below"] == []  # x needs no gradient


def test_nn_two_layer_net_draws_as_the_textbooks_layers(tmp_path):
    import nn

    rng = np.random.default_rng(0)
    net = nn.TwoLayerNet(784, 50, 10)
    loss = net(rng.random((100, 784)), rng.integers(0, 10, 100))
    loss.backward()
    start = time.perf_counter()
    svg = render(loss, tmp_path / "net.svg", collapse=True).read_text(encoding="utf-8")
    assert time.perf_counter() - start < 5.0
    scene = build_scene(loss, collapse=True)
    assert [item.label for item in scene.items if item.kind == "group"] == [
        "Affine1", "Relu1", "Affine2", "SoftmaxWithLoss"]
    # the batch and the labels are data flowing into the layers, drawn outside their boxes
    inputs = {(edge.tail.label, edge.head.label) for edge in scene.edges if edge.tail.kind == "constant"}
    assert inputs == {("(100, 784)", "Affine1"), ("(100,)", "SoftmaxWithLoss")}
    assert ">SoftmaxWithLoss</text>" in svg and ">(784, 50)</text>" in svg
    expanded = [label.split("\n") for label in op_labels(draw(loss, collapse=False).source)]
    assert len(expanded) == 4 and any(len(lines) > 1 for lines in expanded)  # long names wrap...
    assert all(len(line) <= 9 for lines in expanded for line in lines)  # ...into short lines


# -- render ---------------------------------------------------------------------------------------


def test_render_picks_the_format_from_the_suffix(tmp_path):
    price = apple_graph()
    assert render(price, tmp_path / "a.png").read_bytes().startswith(b"\x89PNG")
    assert render(price, tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    assert render(price, tmp_path / "a.SVG").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert render(price, tmp_path / "a.dot").read_text(encoding="utf-8") == draw(price).source
    assert render(price, tmp_path / "a.gv", digits=2).read_text(encoding="utf-8") == draw(price, digits=2).source
    small = render(price, tmp_path / "small.png", dpi=50).read_bytes()
    large = render(price, tmp_path / "large.png", dpi=200).read_bytes()
    assert len(small) < len(large)
    with pytest.raises(ValueError, match="cannot tell the format of .*a.txt.*\\.svg"):
        render(price, tmp_path / "a.txt")


def test_render_takes_a_drawn_graph(tmp_path):
    graph = figure("sigmoid")
    svg = render(graph, tmp_path / "sigmoid.svg").read_text(encoding="utf-8")
    assert svg.count(">sigmoid</text>") == 2  # the cluster's label and the collapsed box
    assert svg.count(">0.235</text>") == 2  # the same gradient into x in both
    with pytest.raises(TypeError, match="only apply when given a node"):
        render(graph, tmp_path / "again.svg", digits=2)


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_a_missing_dot_program_says_how_to_install_it(no_dot, tmp_path):
    price = apple_graph()
    for suffix in (".svg", ".png", ".pdf"):
        with pytest.raises(DotNotFoundError) as info:
            render(price, tmp_path / f"apple{suffix}")
        message = str(info.value)
        assert "apt-get install graphviz" in message and "brew install graphviz" in message
        assert "\n" not in message
        assert not (tmp_path / f"apple{suffix}").exists()
    with pytest.raises(DotNotFoundError, match="apt-get install graphviz"):
        draw(price)._repr_mimebundle_()  # what Jupyter calls
    with pytest.raises(DotNotFoundError, match="brew install graphviz"):
        render(graphviz.Digraph(), tmp_path / "plain.svg")
    assert "220" in render(price, tmp_path / "apple.dot").read_text(encoding="utf-8")
    assert "2.2" in draw(price).source


def test_jupyter_displays_the_drawing_inline():
    bundle = draw(apple_graph())._repr_mimebundle_()
    assert ">2.2</text>" in bundle["image/svg+xml"]


# -- text that is special to DOT or HTML ------------------------------------------------------


def _svg_texts(svg_text):
    """Every text drawn, and every tooltip, in a rendered SVG."""
    root = ET.fromstring(svg_text)
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    tooltips = [a.get("{http://www.w3.org/1999/xlink}title") for a in root.iter(f"{SVG}a")]
    return texts, tooltips


@pytest.mark.parametrize("name", ["C:\\new", "ends in \\", "\\N", "\\G and \\L", 'say "hi"\\', "<b>", "a & b", "&amp; &#65;", "x;}{"])
def test_names_titles_and_group_labels_are_drawn_literally(name, tmp_path):
    x = Value(2.0, name=name)
    with autograd.group(name):
        y = x * 3
    y.backward()
    graph = draw(y, title=name, output_label=name)
    texts, tooltips = _svg_texts(render(graph, tmp_path / "names.svg").read_text(encoding="utf-8"))
    assert texts.count(name) == 4  # the title, the group's label, the leaf and the output
    shown = name.replace("\\", "\u29f5")  # backslashes do not survive in tooltips
    assert f"leaf {name!r}".replace("\\", "\u29f5") in tooltips
    assert any(tooltip.endswith(f"in {shown}") for tooltip in tooltips)
    collapsed = render(y, tmp_path / "collapsed.svg", collapse=True, title=name)
    texts, tooltips = _svg_texts(collapsed.read_text(encoding="utf-8"))
    assert texts.count(name) == 3  # the title, the box and the leaf
    assert f"collapsed group {shown}" in tooltips


def test_line_breaks_and_control_characters_in_text_stay_visible(tmp_path):
    x = Value(2.0, name="two\nlines")
    with autograd.group("tab\there"):
        y = x * Value(3.0, name="nul\x00, bell\x07, cr\r\n")
    y.backward()
    graph = draw(y, title="first\nsecond")
    texts, _ = _svg_texts(render(graph, tmp_path / "lines.svg").read_text(encoding="utf-8"))
    for line in ("two", "lines", "first", "second", "tab here", "nul\\x00, bell\\x07, cr"):
        assert line in texts
