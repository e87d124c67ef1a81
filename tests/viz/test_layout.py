"""Layout of larger graphs, measured on real dot's -Tjson output; the picture's notes and size."""

import json

import autograd
import viz
from autograd import Value
from viz.draw import fit_width


def network():
    """A 2-3-1 network of Values: each hidden unit and the output in a group, ~50 boxes and arrows."""
    x = [Value(0.5, name="x0"), Value(-1.0, name="x1")]
    W = [[Value(0.1 * (i + j + 1), name=f"w{i}{j}") for j in range(2)] for i in range(3)]
    b = [Value(0.0, name=f"b{i}") for i in range(3)]
    v = [Value(0.3, name=f"v{i}") for i in range(3)]
    h = []
    for i in range(3):
        with autograd.group(f"h{i}"):
            h.append((W[i][0] * x[0] + W[i][1] * x[1] + b[i]).tanh())
    with autograd.group("out"):
        y = v[0] * h[0] + v[1] * h[1] + v[2] * h[2]
    loss = (y - 1.0) ** 2
    loss.name = "loss"
    return loss, [*x, *W[0], *W[1], *W[2], *b, *v]


def laid_out(graph):
    """({node label: (x, y)}, {cluster label: (x0, y0, x1, y1)}) from dot -Tjson (y grows upwards)."""
    data = json.loads(graph.pipe(format="json"))
    nodes, clusters = {}, {}
    for obj in data["objects"]:
        if "nodes" in obj and obj.get("label"):
            clusters[obj["label"]] = tuple(float(part) for part in obj["bb"].split(","))
        elif "pos" in obj and "label" in obj:
            x, y = (float(part) for part in obj["pos"].split(","))
            nodes[obj["label"].strip("<>").split("<br/>")[0]] = (x, y)
    return nodes, clusters


def test_inputs_stand_on_the_left_top_to_bottom_in_creation_order():
    loss, inputs = network()
    loss.backward()
    nodes, _ = laid_out(viz.draw(loss))
    places = [nodes[leaf.name] for leaf in inputs]
    assert len({x for x, _ in places}) == 1  # one column
    assert min(x for x, _ in nodes.values()) == places[0][0]  # the leftmost one
    heights = [y for _, y in places]
    assert heights == sorted(heights, reverse=True) and len(set(heights)) == len(heights)


def test_groups_come_in_creation_order_top_to_bottom():
    loss, _ = network()
    loss.backward()
    _, clusters = laid_out(viz.draw(loss))
    tops = [clusters[name][3] for name in ("h0", "h1", "h2")]
    assert tops == sorted(tops, reverse=True)
    for upper, lower in (("h0", "h1"), ("h1", "h2")):
        assert clusters[upper][1] >= clusters[lower][3]  # the boxes do not overlap


def test_the_textbook_figures_keep_their_inputs_in_order():
    apple, count, orange, oranges, tax = (Value(v, name=n) for v, n in (
        (100.0, "apple"), (2.0, "apple count"), (150.0, "orange"), (3.0, "orange count"), (1.1, "tax")))
    price = (apple * count + orange * oranges) * tax
    price.backward()
    nodes, _ = laid_out(viz.draw(price))
    heights = [nodes[name][1] for name in ("apple", "apple count", "orange", "orange count", "tax")]
    assert heights == sorted(heights, reverse=True)


def test_a_drawing_before_backward_says_there_are_no_gradients_yet():
    x = Value(2.0, name="x")
    y = x * x
    assert "no gradients yet" in viz.draw(y).source
    drawn = viz.draw(y, title="square").source
    assert "no gradients yet" in drawn and "label=\"square\\n(no gradients yet" in drawn
    assert "no gradients yet" not in viz.draw(y, gradients=False).source
    y.backward()
    assert "no gradients yet" not in viz.draw(y).source


def test_svg_titles_are_the_graphs_title():
    x = Value(2.0, name="x")
    y = x * 3
    y.backward()
    assert "<title>tripling</title>" in viz.draw(y, title="tripling").pipe(format="svg").decode()
    assert "%3" not in viz.draw(y).pipe(format="svg").decode()


def test_jupyter_shows_the_picture_no_wider_than_the_cell():
    x = Value(2.0, name="x")
    y = x * 3
    y.backward()
    svg = viz.draw(y)._repr_mimebundle_()["image/svg+xml"]
    assert '<svg width="100%" style="max-width: ' in svg and "viewBox=" in svg
    assert fit_width('<svg width="337pt" height="96pt"\n viewBox="0 0 337 96">') == (
        '<svg width="100%" style="max-width: 337pt; height: auto"\n viewBox="0 0 337 96">'
    )


def _bezier_points(points, samples=12):
    """Points along a Graphviz B-spline (cubic pieces sharing end points)."""
    for start in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[start : start + 4]
        for step in range(samples + 1):
            t = step / samples
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
            yield (a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1])


def test_no_arrow_crosses_a_group_label():
    loss, _ = network()
    loss.backward()
    data = json.loads(viz.draw(loss).pipe(format="json"))
    labels = []
    for obj in data["objects"]:
        if "nodes" in obj and obj.get("lp"):
            x, y = (float(part) for part in obj["lp"].split(","))
            half = len(obj["label"]) * 11 * 0.3 + 1  # 11-point text, about 0.6 em a character
            labels.append((obj["label"], x - half, y - 6, x + half, y + 6))
    assert sorted(name for name, *_ in labels) == ["h0", "h1", "h2", "out"]
    crossed = set()
    for edge in data["edges"]:
        for operation in edge.get("_draw_", []):
            if operation["op"] in ("b", "B"):
                for px, py in _bezier_points(operation["points"]):
                    crossed |= {name for name, x0, y0, x1, y1 in labels if x0 <= px <= x1 and y0 <= py <= y1}
    assert crossed == set()


def test_no_arrow_runs_through_another_groups_box():
    loss, _ = network()
    loss.backward()
    data = json.loads(viz.draw(loss).pipe(format="json"))
    boxes, groups_of = {}, {}
    for obj in data["objects"]:
        if "nodes" in obj and obj.get("label"):
            boxes[obj["label"]] = tuple(float(part) for part in obj["bb"].split(","))
            for node in obj["nodes"]:
                groups_of.setdefault(node, set()).add(obj["label"])
    assert sorted(boxes) == ["h0", "h1", "h2", "out"]
    through = set()
    for edge in data["edges"]:
        own = groups_of.get(edge["tail"], set()) | groups_of.get(edge["head"], set())
        for operation in edge.get("_draw_", []):
            if operation["op"] in ("b", "B"):
                for px, py in _bezier_points(operation["points"]):
                    through |= {
                        name for name, (x0, y0, x1, y1) in boxes.items()
                        if name not in own and x0 + 1 < px < x1 - 1 and y0 + 1 < py < y1 - 1
                    }
    assert through == set()
