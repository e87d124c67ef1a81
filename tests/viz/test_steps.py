"""Tests for ``viz.steps``: the frames of one forward and one backward pass."""

import json
import math
import re

import numpy as np
import pytest

import autograd
import nn
import viz
from autograd import Tensor, Value
from viz.figures import apple_graph, apple_orange_graph, sigmoid_graph
from viz.steps import walkthrough


def layout(frame):
    """{node name: (position, width, height)} and the bounding box, as real dot lays the frame out."""
    graph = json.loads(frame.pipe(format="json"))
    nodes = {obj["name"]: (obj["pos"], obj["width"], obj["height"]) for obj in graph["objects"] if "pos" in obj}
    return nodes, graph["bb"]


def red_numbers(frame):
    return re.findall(r'<font color="red">([^<]*)</font>', frame.source)


def shown_values(frame):
    """The texts above the arrows that are not transparent."""
    return re.findall(r"<tr><td>([^<&][^<]*)</td></tr>", frame.source)


def test_apple_frames_forward_then_backward_with_the_local_rules():
    frames = viz.steps(apple_graph())
    assert [frame.phase for frame in frames] == ["graph", "forward", "forward", "backward", "backward", "backward"]
    assert [frame.number for frame in frames] == list(range(6))
    captions = [frame.caption for frame in frames]
    assert "no values yet" in captions[0]
    assert captions[1] == "× node: 100 × 2 = 200"
    assert captions[2] == "× node: 200 × 1.1 = 220"
    assert captions[3].endswith("∂price/∂price = 1")
    assert captions[4] == "× node: upstream 1 × other input 1.1 = 1.1 (to input 1); upstream 1 × other input 200 = 200 (to tax)"
    assert captions[5] == (
        "× node: upstream 1.1 × other input 2 = 2.2 (to apple); upstream 1.1 × other input 100 = 110 (to apple count)"
    )
    # Frame 0 shows no number at all; the forward frames add values, the backward ones red gradients.
    assert shown_values(frames[0]) == [] and red_numbers(frames[0]) == []
    assert shown_values(frames[1]) == ["100", "2", "200"] and red_numbers(frames[2]) == []
    assert shown_values(frames[2]) == ["100", "2", "200", "1.1", "220"]
    assert red_numbers(frames[3]) == ["1"]
    assert sorted(red_numbers(frames[4])) == ["1", "1.1", "200"]
    assert sorted(red_numbers(frames[5])) == ["1", "1.1", "110", "2.2", "200"]


def test_the_operation_being_computed_is_filled():
    frames = viz.steps(apple_graph())
    filled = [re.findall(r"(n\d+) \[[^\]]*fillcolor", frame.source) for frame in frames]
    assert filled == [[], ["n2"], ["n4"], ["n4"], ["n4"], ["n2"]]


def test_sigmoid_captions_follow_the_textbook():
    captions = [frame.caption for frame in viz.steps(sigmoid_graph(), collapse=False)]
    assert captions[1:5] == [
        "× −1 node: 0.5 × −1 = −0.5",
        "exp: exp(−0.5) = 0.6065",
        "+ 1 node: 1 + 0.6065 = 1.607",
        "1/x node: 1 / 1.607 = 0.6225",
    ]
    assert captions[6:] == [
        "1/x node: upstream 1 × −0.6225² = −0.3875",
        "+ 1 node: upstream −0.3875 passes unchanged = −0.3875",
        "exp: upstream −0.3875 × exp(−0.5) = −0.235",
        "× −1 node: upstream −0.235 × −1 = 0.235 (to x)",
    ]


def test_a_collapsed_group_is_one_step_with_the_same_gradient():
    frames = viz.steps(sigmoid_graph(), collapse="sigmoid")
    assert [frame.phase for frame in frames] == ["graph", "forward", "backward", "backward"]
    assert frames[1].caption == "sigmoid (collapsed group): 0.5 → 0.6225"
    assert frames[3].caption.endswith("= 0.235 (to x)")
    assert "0.235" in red_numbers(frames[3])


@pytest.mark.parametrize(
    "make, options",
    [(apple_orange_graph, {}), (sigmoid_graph, {"collapse": False}), (sigmoid_graph, {"collapse": True})],
    ids=["apple-orange", "sigmoid", "sigmoid-collapsed"],
)
def test_every_frame_has_the_same_layout_in_real_dot(make, options):
    frames = viz.steps(make(), **options)
    first = layout(frames[0])
    assert len(first[0]) >= 5
    for frame in frames[1:]:
        assert layout(frame) == first, frame.number


def test_steps_need_no_backward_and_change_no_gradient():
    x = Value(3.0, name="x")
    y = x * x + 2 * x
    frames = viz.steps(y)
    assert x.grad is None and y.grad is None
    assert frames[-1].caption.count("=") >= 2
    assert "8" in red_numbers(frames[-1]) or sorted(red_numbers(frames[-1])).count("3") == 2


def test_the_gradient_of_each_edge_is_the_engines():
    x, w = Value(0.7, name="x"), Value(-1.3, name="w")
    y = autograd.tanh(x * w).exp() / (x + 2)
    walk = walkthrough(y)
    y.backward()
    final = walk.steps[-1]
    into_x = [edge.grad for edge in walk.scene.edges if edge.source is x]
    into_w = [edge.grad for edge in walk.scene.edges if edge.source is w]
    assert math.isclose(sum(into_x), x.grad, rel_tol=1e-12) and math.isclose(sum(into_w), w.grad, rel_tol=1e-12)
    assert {edge for edge in walk.scene.edges if edge.grad is not None} <= final.grads


def test_backward_frames_come_in_the_engines_reverse_order():
    a, b = Value(1.0, name="a"), Value(2.0, name="b")
    c = a * b
    d = c + a
    e = d.exp()
    order = [step.item.node for step in walkthrough(e).steps if step.phase == "backward" and step.caption[:3] != "the"]
    assert order == [e, d, c]


def test_a_two_layer_net_loss_steps_through_every_layer():
    rng = np.random.default_rng(0)
    net = nn.TwoLayerNet(4, 3, 2, seed=0)
    loss = net(rng.normal(size=(2, 4)), np.array([0, 1]))
    frames = viz.steps(loss)
    forward = [frame.caption.split(":")[0] for frame in frames if frame.phase == "forward"]
    assert forward == ["x·W + b", "ReLU", "x·W + b", "Softmax-with-Loss"]
    assert any("Xᵀ ·" in frame.caption and "(to W1)" in frame.caption for frame in frames)
    assert layout(frames[0]) == layout(frames[-1])


def test_a_tensor_output_needs_a_gradient_to_start_from():
    t = Tensor(np.array([1.0, 2.0]), name="t")
    with pytest.raises(ValueError, match=r"shape \(2,\).*grad="):
        viz.steps(t * 2)
    frames = viz.steps(t * 2, grad=np.array([1.0, -1.0]))
    assert "[2, −2]" in red_numbers(frames[-1])
    with pytest.raises(ValueError, match="grad has shape"):
        viz.steps(t * 2, grad=np.ones(3))


def test_bad_input_gets_one_clear_error():
    x = Value(1.0, name="x")
    with pytest.raises(TypeError, match="unknown option 'colapse'.*collapse"):
        viz.steps(x * 2, colapse=True)
    with pytest.raises(ValueError, match="'x' is a leaf.*no graph"):
        viz.steps(x)
    with pytest.raises(TypeError, match="expected a Value or Tensor, got float"):
        viz.steps(1.0)
    with pytest.raises(ValueError, match="digits"):
        viz.steps(x * 2, digits=0)


def test_forward_only_when_gradients_are_off():
    frames = viz.steps(apple_graph(), gradients=False)
    assert [frame.phase for frame in frames] == ["graph", "forward", "forward"]
    assert all(red_numbers(frame) == [] for frame in frames)
