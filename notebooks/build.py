"""Write the notebooks of this folder, one per section of the reference material.

The cells are kept here, as text, so that a change reads as a diff; run
``python notebooks/build.py`` after editing and commit both. The notebooks
are stored without outputs (tests/test_notebooks.py checks that they match
this file and runs each one top to bottom). ``--check`` only compares.
"""

import argparse
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def md(text):
    return nbformat.v4.new_markdown_cell(text.strip("\n"))


def code(text):
    return nbformat.v4.new_code_cell(text.strip("\n"))


NOTEBOOKS = {}


def notebook(name):
    def register(cells):
        NOTEBOOKS[name] = cells()
        return cells
    return register


@notebook("01_computational_graphs.ipynb")
def _():
    return [
        md("""
# 1. Computational graphs: buying apples

A computation drawn as a graph: the operations are nodes, the values flow
along the arrows. **Forward propagation** evaluates it left to right;
**backward propagation** sends derivatives right to left, each node
multiplying what arrives from upstream by its own local derivative. One
backward pass answers, for every input at once, "if this grew by 1, how much
more would I pay?".

Run the cells top to bottom (from the repository's root or from `notebooks/`).
"""),
        code("""
from autograd import Value
import viz
"""),
        md("""
## 100 yen × 2 apples × tax 1.1

Every operation on a `Value` is recorded; `backward()` starts from
d(price) = 1.
"""),
        code("""
apple, apple_num, tax = Value(100.0, name="apple"), Value(2.0, name="apple_num"), Value(1.1, name="tax")
apple_price = apple * apple_num
apple_price.name = "apple_price"
price = apple_price * tax
price.name = "price"
price.backward()

print(price.data)                                                # 220.00000000000003
print(apple.grad, apple_num.grad, apple_price.grad, tax.grad)    # 2.2 110.00000000000001 1.1 200.0
assert (apple.grad, tax.grad) == (2.2, 200.0)
"""),
        md("""
The textbook's figure, drawn from the recorded graph: forward values above
the arrows, the gradients flowing back below them in red.
"""),
        code("""
viz.draw(price)
"""),
        md("""
## Apples and oranges: (100 × 2 + 150 × 3) × 1.1

An add node passes its upstream derivative to both inputs unchanged; a
multiply node passes upstream × the *other* input.
"""),
        code("""
orange, orange_num = Value(150.0, name="orange"), Value(3.0, name="orange_num")
apple, apple_num, tax = Value(100.0, name="apple"), Value(2.0, name="apple_num"), Value(1.1, name="tax")
all_price = apple * apple_num + orange * orange_num
all_price.name = "all_price"
price = all_price * tax
price.name = "price"
price.backward()

print(price.data)   # 715.0000000000001
for node in (apple, apple_num, orange, orange_num, all_price, tax):
    print(f"d(price)/d({node.name}) = {node.grad:.4g}")
assert round(orange.grad, 10) == 3.3 and round(tax.grad, 10) == 650.0
viz.draw(price)
"""),
        md("""
## The textbook's layers: `MulLayer` and `AddLayer`

The notes write each node as a layer with `forward(x, y)` and
`backward(dout)` returning `(dx, dy)`, and call backward by hand in reverse
order. `nn` keeps that protocol, with the derivatives computed by the engine.
"""),
        code("""
import nn

mul_apple, mul_tax = nn.MulLayer(), nn.MulLayer()
apple_price = mul_apple.forward(100.0, 2.0)
price = mul_tax.forward(apple_price, 1.1)

dapple_price, dtax = mul_tax.backward(1.0)
dapple, dapple_num = mul_apple.backward(dapple_price)
print(price, dapple, dapple_num, dtax)   # 220.00000000000003 2.2 110.00000000000001 200.0
"""),
    ]


@notebook("02_chain_rule.ipynb")
def _():
    return [
        md("""
# 2. The chain rule

The derivative of a composite function is the product of the derivatives of
its parts. Backpropagation is the chain rule applied node by node, from the
output back to the inputs.
"""),
        code("""
from autograd import Value
import viz
"""),
        md("""
## z = t², t = x + y

∂z/∂x = ∂z/∂t · ∂t/∂x = 2t · 1 = 2(x + y).
"""),
        code("""
x, y = Value(1.0, name="x"), Value(2.0, name="y")
t = x + y
t.name = "t"
z = t ** 2
z.name = "z"
z.backward()
print(f"dz/dt = {t.grad}, dz/dx = {x.grad}, dz/dy = {y.grad}; 2(x + y) = {2 * (x.data + y.data)}")
assert x.grad == y.grad == 2 * (x.data + y.data)
viz.draw(z)
"""),
        md("""
## f(x1, x2) = (2·x1 + 3·x2) × 4

∂f/∂x1 = 2 · 4 = 8 and ∂f/∂x2 = 3 · 4 = 12, whatever x1 and x2 are.
"""),
        code("""
x1, x2 = Value(1.0, name="x1"), Value(-0.5, name="x2")
f = (2 * x1 + 3 * x2) * 4
f.backward()
print(x1.grad, x2.grad)   # 8.0 12.0
assert (x1.grad, x2.grad) == (8.0, 12.0)
"""),
        md("""
## What one node passes back

A node y = f(x) that receives the upstream derivative E passes E · ∂y/∂x
on: for y = x², that is E · 2x. `backward(E)` starts from E instead of 1.
"""),
        code("""
x = Value(3.0)
(x ** 2).backward(1.3)
print(x.grad, 1.3 * 2 * 3.0)   # both 7.8 (up to rounding)
assert abs(x.grad - 7.8) < 1e-12
"""),
    ]


@notebook("03_basic_nodes_and_sigmoid.ipynb")
def _():
    return [
        md("""
# 3. The basic nodes, and the sigmoid as four of them

Local derivatives: **add** passes upstream through to both inputs;
**multiply** passes upstream × the other input; **exp** passes upstream ×
exp(x); **reciprocal** 1/x passes upstream × (−1/x²).
"""),
        code("""
import math

import autograd
import viz
from autograd import Value
"""),
        code("""
a, b = Value(10.0), Value(5.0)
(a * b).backward(1.3)
print("multiply 10 × 5, upstream 1.3:", a.grad, b.grad)   # 6.5 to the 10-side, 13 to the 5-side

x = Value(0.7)
x.exp().backward(2.0)
print("exp:", x.grad, "=", 2.0 * math.exp(0.7))

x = Value(4.0)
(1 / x).backward(1.0)
print("reciprocal:", x.grad, "=", -1 / 4.0 ** 2)
"""),
        md("""
## The sigmoid, expanded

y = 1 / (1 + exp(−x)) as `× −1` → `exp` → `+ 1` → `1/x`. `fused=False`
records those four nodes, in a group named "sigmoid".
"""),
        code("""
x = Value(0.5, name="x")
y = autograd.sigmoid(x, fused=False)
y.name = "y"
y.backward()
print(f"y = {y.data:.6f}, dy/dx = {x.grad:.6f}")
viz.draw(y, digits=3, collapse=False)
"""),
        md("""
Backward through the four nodes gives (∂L/∂y) · y² · exp(−x), which
simplifies to (∂L/∂y) · y · (1 − y): the whole group can be one node whose
backward needs only its output y.
"""),
        code("""
closed_form = y.data * (1 - y.data)
print(closed_form, x.grad)
assert math.isclose(closed_form, x.grad, rel_tol=1e-12)
"""),
        md("""
## Collapsed into one box

The same graph, the group drawn as one node: the same value, the same
gradient (0.235).
"""),
        code("""
viz.draw(y, digits=3, collapse="sigmoid")
"""),
        md("""
The fused primitive `x.sigmoid()` is one node in the graph, with the same
derivative.
"""),
        code("""
x_fused = Value(0.5)
x_fused.sigmoid().backward()
assert math.isclose(x_fused.grad, x.grad, rel_tol=1e-12)
x_fused.grad
"""),
    ]


@notebook("04_affine_and_softmax_with_loss.ipynb")
def _():
    return [
        md("""
# 4. Affine and Softmax-with-Loss

**Affine**: Y = X·W + B. Backward: ∂L/∂X = ∂L/∂Y · Wᵀ, ∂L/∂W = Xᵀ · ∂L/∂Y,
∂L/∂B = ∂L/∂Y summed over the batch.
"""),
        code("""
import numpy as np

import nn
import viz
from autograd import Tensor
"""),
        md("""
## One sample: X (2,), W (2, 3), B (3,)
"""),
        code("""
X = Tensor(np.array([1.0, 2.0]), name="X")
W = Tensor(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), name="W")
B = Tensor(np.array([0.1, 0.2, 0.3]), name="B")
Y = X @ W + B
Y.name = "Y"
Y.backward(np.array([1.0, 0.0, -1.0]))
print(Y.data)
print("dX =", X.grad, "= dY · Wᵀ =", np.array([1.0, 0.0, -1.0]) @ W.data.T)
print("dW =\\n", W.grad)
viz.draw(Y)
"""),
        md("""
## A batch: the bias gradient is the sum over the rows

dY = [[1, 2, 3], [4, 5, 6]] gives dB = [5, 7, 9].
"""),
        code("""
affine = nn.Affine(np.ones((2, 3)), np.zeros(3))
affine.forward(np.array([[1.0, 2.0], [3.0, 4.0]]))
dx = affine.backward(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
print("db =", affine.db, " dW =", affine.dW.tolist(), " dx =", dx.tolist())
assert affine.db.tolist() == [5.0, 7.0, 9.0]
"""),
        md("""
## Softmax-with-Loss

Softmax, then the cross-entropy error L = −Σ t·log y. Its backward is
(y − t) / batch size: labels (0, 1, 0) with output (0.3, 0.2, 0.5) send back
(0.3, −0.8, 0.5).
"""),
        code("""
scores = np.log(np.array([[0.3, 0.2, 0.5]]))   # softmax of these is (0.3, 0.2, 0.5)
layer = nn.SoftmaxWithLoss()
loss = layer.forward(scores, np.array([[0, 1, 0]]))
print(f"loss = {loss:.4f} (-log 0.2 = {-np.log(0.2):.4f})")
print("softmax:", layer.y.round(6), " backward:", layer.backward(1.0).round(6))
assert np.allclose(layer.backward(1.0), [[0.3, -0.8, 0.5]])
"""),
        md("""
The same layers, called on nodes, record their operations in groups, and
the picture shows each layer as a box.
"""),
        code("""
x = Tensor(np.array([[1.0, -1.0]]), requires_grad=False)
hidden = nn.Affine(np.array([[0.5, -0.3], [0.2, 0.8]]), np.zeros(2), name="Affine1")
loss = nn.SoftmaxWithLoss()(nn.Relu()(hidden(x)), np.array([1]))
loss.backward()
viz.draw(loss, collapse=True, expand=["SoftmaxWithLoss"], digits=3)
"""),
    ]


@notebook("05_two_layer_network_mnist.ipynb")
def _():
    return [
        md("""
# 5. The two-layer network, the gradient check, and MNIST

`nn.TwoLayerNet` is the textbook's Affine1 → Relu1 → Affine2 →
SoftmaxWithLoss, with its `params` (W1, b1, W2, b2), `predict`, `loss`,
`accuracy`, `numerical_gradient` and `gradient` (backprop).

The data: the real MNIST test set in `../shared/data/mnist` (relative to the
repository's root); the first 8,000 images train, the last 2,000 test. Without
it the notebook says so and uses the spiral instead.
"""),
        code("""
from pathlib import Path

import numpy as np

import nn

candidates = [Path("../shared/data/mnist"), Path("../../shared/data/mnist")]  # from the root, or from notebooks/
data_dir = next((path for path in candidates if path.is_dir()), None)
try:
    if data_dir is None:
        raise nn.DatasetUnavailable("no ../shared/data/mnist next to the repository")
    x, t = nn.load_mnist_test(data_dir, download=False)
    (x_train, t_train), (x_test, t_test) = (x[:8000], t[:8000]), (x[8000:], t[8000:])
    sizes = (784, 50, 10)
    print(f"MNIST test set from {data_dir}: {len(x_train)} images to train, {len(x_test)} to test, {x.shape[1]} pixels")
except nn.DatasetUnavailable as error:
    print(f"MNIST is not available ({str(error).splitlines()[0]}); using the spiral")
    x, t = nn.spiral(n_per_class=100, seed=0)
    (x_train, t_train), (x_test, t_test) = (x[:240], t[:240]), (x[240:], t[240:])
    sizes = (2, 30, 3)
"""),
        md("""
## Gradient check

Backprop against central differences on 3 samples: the mean absolute
difference per parameter. The textbook saw 1e-13 to 1e-7. Central
differences cost two forward passes per parameter, so this runs on a narrow
hidden layer of 5 (the 39,760 parameters of 784-50-10 take about 15 s;
`demos/train_mnist.py` checks those).
"""),
        code("""
small = nn.TwoLayerNet(sizes[0], 5, sizes[2], weight_init_std=0.01 if sizes[0] == 784 else 1.0, seed=0)
differences = nn.gradient_check(small, x_train[:3], t_train[:3])
for key, difference in differences.items():
    print(f"{key}: {difference:.2e}  ({small.params[key].size} values)")
assert max(differences.values()) < 1e-6
"""),
        md("""
## A short training run

Mini-batches of 100, learning rate 0.1 (the textbook runs 10,000 iterations;
here 2 epochs, a few seconds). `nn.train` evaluates before the first update
and after every epoch, and returns the history.
"""),
        code("""
network = nn.TwoLayerNet(*sizes, weight_init_std=0.01 if sizes[0] == 784 else 1.0, seed=0)
settings = dict(batch_size=100, lr=0.1) if sizes[0] == 784 else dict(batch_size=30, lr=1.0)
history = nn.train(network, x_train, t_train, x_test=x_test, t_test=t_test,
                   epochs=2 if sizes[0] == 784 else 40, progress="lines", seed=0, **settings)
print(f"test accuracy {history.test_acc[0]:.3f} before, {history.test_acc[-1]:.3f} after {history.step[-1]} updates")
assert history.test_acc[-1] > 0.8
"""),
        code("""
import matplotlib.pyplot as plt

figure, axes = plt.subplots(figsize=(5, 3))
axes.plot(history.epoch, history.train_acc, "o-", label="train")
axes.plot(history.epoch, history.test_acc, "s--", label="test")
axes.set_xlabel("epoch")
axes.set_ylabel("accuracy")
axes.set_ylim(0, 1)
axes.legend()
plt.show()
"""),
    ]


@notebook("06_numpy_notebook_regress_plane.ipynb")
def _():
    return [
        md("""
# 6. The NumPy notebook's formulation: regression on RegressPlane

The second reference: a model given as node counts per layer, [2, 3, 1];
a sigmoid hidden layer (derivative f(1 − f)), an identity output for
regression, the sum-of-squares loss ½(ŷ − y)², plain gradient descent. The
data come from the `playground-data` package (import `plygdata`): 2-D points
with a target from −1 to 1, split 50/50. Here `nn.MultiLayerNet` plays the
model, starting from zero weights, with every derivative from the engine.
"""),
        code("""
import matplotlib.pyplot as plt
import numpy as np
import plygdata as pg

import nn

train, test = nn.regress_plane(n=400, seed=0, test_ratio=0.5)
print("train", train[0].shape, train[1].shape, " test", test[0].shape, " y from", train[1].min().round(2),
      "to", train[1].max().round(2))
"""),
        md("""
Batches of 4, learning rate 0.02, as in the notebook (30 epochs instead of
100, to stay quick).
"""),
        code("""
network = nn.MLP([2, 3, 1], activation="sigmoid", output="identity", weight_init=0)
history = nn.train(network, *train, x_test=test[0], t_test=test[1], epochs=30, batch_size=4, lr=0.02,
                   progress=False, seed=0)
print(f"test loss {history.test_loss[0]:.4f} before, {history.test_loss[-1]:.4f} after")
assert history.test_loss[-1] < history.test_loss[0] / 2
"""),
        code("""
figure, axes = plt.subplots(figsize=(5, 3))
axes.plot(history.epoch, history.train_loss, "o-", markersize=3, label="train")
axes.plot(history.epoch, history.test_loss, "s--", markersize=3, label="test")
axes.set_yscale("log")
axes.set_xlabel("epoch")
axes.set_ylabel("loss ½(ŷ − y)²")
axes.legend()
plt.show()
"""),
        md("""
## The prediction as the background

plygdata draws the points (white edges: training, dark edges: test) and
colours the plane with the model's output, calling `network.predict`.
"""),
        code("""
figure, axes = pg.plot_points_with_playground_style(train[0], train[1], test[0], test[1], figsize=(5, 5.5), dpi=80)
pg.draw_decision_boundary(figure, axes, node_id=None, trained_model=network, discretize=False)
axes.set_title("RegressPlane: network [2, 3, 1] after 30 epochs")
plt.show()
"""),
        md("""
The network computes u = x·W + b per layer (the textbook's layout: W is
(inputs, outputs)); the notebook's own layout is its transpose, W·x.
"""),
        code("""
for key, value in network.params.items():
    print(key, value.shape)
"""),
    ]


@notebook("07_derivatives_you_can_check.ipynb")
def _():
    return [
        md("""
# 7. Derivatives you can check

Numerical differentiation is the simple, hard-to-get-wrong oracle:
`gradcheck` compares backprop with central differences, `autograd.testing`
draws random expressions for property tests, and `grad` composes for
derivatives of any order.
"""),
        code("""
import numpy as np

import autograd
from autograd import GradcheckError, Value, grad, gradcheck, value_and_grad
"""),
        md("""
## gradcheck

It returns a report; a wrong gradient raises `GradcheckError` naming the
input, the element and both values.
"""),
        code("""
def f(x, W):
    return autograd.tanh(x @ W).sum()

print(gradcheck(f, np.array([[0.5, -1.0]]), np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])))
"""),
        code("""
def leaky(x):  # a bug: np.exp of the raw data is invisible to backprop
    raw = x.data if isinstance(x, autograd.Tensor) else x
    return (x * np.exp(raw)).sum()

try:
    gradcheck(leaky, np.array([0.0, 1.0]))
except GradcheckError as error:
    print(error)
else:
    raise AssertionError("gradcheck should have caught the bug")
"""),
        md("""
## Higher order

`backward(create_graph=True)` records the backward pass too, so a gradient
can be differentiated again; `grad` does the same as a function transform.
"""),
        code("""
x = Value(3.0)
(x ** 3).backward(create_graph=True)
dydx = x.grad                  # 3x² = 27, a node
x.zero_grad()
dydx.backward()                # 6x = 18
print(dydx.data, x.grad)

print(grad(grad(grad(lambda x: x ** 4)))(2.0))   # 24x = 48
print(value_and_grad(lambda x: x ** 2)(3.0))     # (9.0, 6.0)
"""),
        md("""
## Property tests with hypothesis

`expressions()` draws random differentiable expressions (DAGs of the op
table's primitives); `assert_grads_match_numeric` checks first and second
derivatives against central differences. A failure would shrink to a short
program.
"""),
        code("""
from hypothesis import given, settings

from autograd.testing import assert_grads_match_numeric, expressions

checked = []

@settings(max_examples=25, derandomize=True, deadline=None)
@given(expressions(max_ops=4))
def first_and_second_derivatives_match(expr):
    assert_grads_match_numeric(expr, *expr.inputs)
    assert_grads_match_numeric(expr, *expr.inputs, order=2)
    checked.append(expr)

first_and_second_derivatives_match()
print(f"{len(checked)} random expressions checked, for example:")
print(checked[-1])
"""),
    ]


@notebook("08_step_through_player.ipynb")
def _():
    return [
        md("""
# 8. Backprop step by step: the player

`viz.steps(output)` draws the graph once per step of one forward and one
backward pass: the values appear left to right, one operation a frame, then
the gradients right to left, each frame captioned with the node's local rule
and its numbers. `viz.player(output)` shows the frames inline, with
Previous, Next, Play and a slider (the stepping runs in the page, with no
kernel round-trips).
"""),
        code("""
import autograd
import viz
from autograd import Value
"""),
        md("""
## The sigmoid, one operation a frame

The sigmoid as the textbook's four nodes, at x = 0.5. The frames compute
their own gradients: `backward()` has not run, and no `.grad` changes.
"""),
        code("""
x = Value(0.5, name="x")
y = autograd.sigmoid(x, fused=False)
y.name = "y"

frames = viz.steps(y)
for frame in frames:
    print(f"{frame.number:2d} {frame.phase:8s} {frame.caption}")

assert [frame.phase for frame in frames] == ["graph"] + ["forward"] * 4 + ["backward"] * 5
assert frames[6].caption == "1/x node: upstream 1 × −0.6225² = −0.3875"
assert frames[8].caption == "exp: upstream −0.3875 × exp(−0.5) = −0.235"
assert frames[9].caption.endswith("= 0.235 (to x)") and x.grad is None
"""),
        md("""
Each frame is a `graphviz.Digraph` and displays inline; the node being
computed is filled. Frame 8, the exp node passing the gradient back:
"""),
        code("""
frames[8]
"""),
        md("""
## The player

All the frames in one page, cut from one Graphviz layout so that every node
stays in its place. Use the buttons, the slider, or the ← and → keys.
"""),
        code("""
viz.player(y)
"""),
        md("""
Collapsed, the group is one box and one step each way: the backward step
uses only y(1 − y).
"""),
        code("""
collapsed = viz.steps(y, collapse=True)
for frame in collapsed:
    print(f"{frame.number:2d} {frame.phase:8s} {frame.caption}")
assert len(collapsed) == 4 and collapsed[3].caption.endswith("= 0.235 (to x)")
viz.player(y, collapse=True)
"""),
        md("""
## Buying apples

100 yen × 2 apples × tax 1.1: a multiply node sends upstream × the *other*
input to each side.
"""),
        code("""
apple, apple_num, tax = Value(100.0, name="apple"), Value(2.0, name="apple_num"), Value(1.1, name="tax")
apple_price = apple * apple_num
apple_price.name = "apple_price"
price = apple_price * tax
price.name = "price"

apple_frames = viz.steps(price)
for frame in apple_frames:
    print(f"{frame.number:2d} {frame.phase:8s} {frame.caption}")
assert apple_frames[4].caption == ("× node: upstream 1 × other input 1.1 = 1.1 (to apple_price); "
                                   "upstream 1 × other input 200 = 200 (to tax)")
assert apple_frames[5].caption.startswith("× node: upstream 1.1 × other input 2 = 2.2 (to apple)")
viz.player(price, duration=800)
"""),
        md("""
The same frames go to files with `viz.animate(y, "sigmoid.html")` (one
self-contained page), `viz.animate(y, "sigmoid.gif")` or a folder of PNG
frames, and from the command line:
`python -m viz demo sigmoid --steps -o sigmoid.gif`.
"""),
    ]


_MNIST_CELL = '''
from pathlib import Path

import numpy as np

import nn

candidates = [Path("../shared/data/mnist"), Path("../../shared/data/mnist")]  # from the root, or from notebooks/
data_dir = next((path for path in candidates if path.is_dir()), None)  # None: the cache (nn.mnist_cache_dir())
x, t = nn.load_mnist_test(data_dir, download=False, flatten=FLATTEN)   # raises DatasetUnavailable, saying where to put it
(x_train, t_train), (x_test, t_test) = (x[:8000], t[:8000]), (x[8000:], t[8000:])
print(f"MNIST test set from {data_dir}: {len(x_train)} images to train, {len(x_test)} to test, shape {x.shape[1:]}")
'''


@notebook("09_chapter6_training_techniques.ipynb")
def _():
    return [
        md("""
# 9. Chapter 6: training techniques

The textbook's chapter 6 on the engine: the optimizers, weight
initialization, Batch Normalization, and the two cures for overfitting,
weight decay and Dropout. The book's class names and signatures
(`nn.SGD`, `nn.MultiLayerNet`, `nn.MultiLayerNetExtend`, `nn.Trainer`), every
gradient from autograd. The MNIST parts use the real test set in
`../shared/data/mnist` (the first 8,000 images train, the last 2,000 test),
on small subsets and short runs so the notebook takes well under a minute;
`demos/optimizer_compare.py`, `demos/batch_norm.py` and `demos/dropout.py`
run the book's full experiments.
"""),
        md("""
## The optimizers on f(x, y) = x²/20 + y²

From (−7, 2), 30 updates each, with the book's learning rates. As in its
`optimizer_compare_naive.py`, the parameters are Python floats; the
gradient comes from `autograd.grad`.
"""),
        code("""
import matplotlib.pyplot as plt
import numpy as np

import autograd
import nn


def f(x, y):
    return x * x / 20.0 + y * y


df = autograd.grad(f, argnums=(0, 1))
rates = {"SGD": 0.95, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 1.5, "RMSprop": 0.3, "Adam": 0.3}
paths = {}
for name, lr in rates.items():
    optimizer = getattr(nn, name)(lr=lr)
    params = {"x": -7.0, "y": 2.0}
    path = [(params["x"], params["y"])]
    for _ in range(30):
        gx, gy = df(params["x"], params["y"])
        optimizer.update(params, {"x": gx, "y": gy})
        path.append((params["x"], params["y"]))
    paths[name] = path
    print(f"{name:9s} lr {lr:<4g} ends at ({params['x']: .4f}, {params['y']: .4f}), f = {f(*path[-1]):.6f}")

assert all(type(value) is float for value in params.values())
assert paths["SGD"][1] == (-7.0 + 0.95 * 7.0 / 10.0, 2.0 - 0.95 * 2.0 * 2.0)   # x − lr·x/10, y − lr·2y
assert all(f(*path[-1]) < 0.15 for path in paths.values())   # from f(−7, 2) = 6.45
"""),
        code("""
xs, ys = np.meshgrid(np.linspace(-10, 10, 200), np.linspace(-5, 5, 200))
figure, axes = plt.subplots(2, 3, figsize=(10, 5), sharex=True, sharey=True)
for ax, (name, path) in zip(axes.flat, paths.items()):
    ax.contour(xs, ys, f(xs, ys), levels=np.logspace(-1, 2, 12), colors="0.75", linewidths=0.6)
    ax.plot(*zip(*path), "o-", color="red", markersize=2)
    ax.plot(0, 0, "+", color="black")
    ax.set_title(name)
figure.tight_layout()
plt.show()
"""),
        md("""
## MNIST

`load_mnist_test` reads the two t10k files; without them it raises
`nn.DatasetUnavailable`, saying where to put them.
"""),
        code(_MNIST_CELL.replace("FLATTEN", "True")),
        md("""
## Weight initialization

`MultiLayerNet(784, [100] * 4, 10)` from three starts, the same batches for
each: a standard deviation of 0.01 (the activations vanish and nothing
learns), Xavier's 1/√n with sigmoid, He's √(2/n) with ReLU; SGD, lr 0.01,
batches of 128. In these 200 updates only He's start gets going; the book's
2,000 show Xavier's following it.
"""),
        code("""
starts = {"std 0.01": (0.01, "relu"), "Xavier, sigmoid": ("xavier", "sigmoid"), "He, ReLU": ("he", "relu")}
init_losses = {}
for label, (weight_init_std, activation) in starts.items():
    np.random.seed(0)
    network = nn.MultiLayerNet(784, [100] * 4, 10, activation=activation, weight_init_std=weight_init_std)
    optimizer = nn.SGD(lr=0.01)
    init_losses[label] = []
    for _ in range(200):
        rows = np.random.choice(len(x_train), 128)
        loss, grads = network.loss_and_gradient(x_train[rows], t_train[rows])
        optimizer.update(network.params, grads)
        init_losses[label].append(loss)
    print(f"{label:16s} loss {init_losses[label][0]:.3f} first, {np.mean(init_losses[label][-20:]):.3f} at the end")

assert np.mean(init_losses["He, ReLU"][-20:]) < 1.5
assert np.mean(init_losses["std 0.01"][-20:]) > 2.2
"""),
        code("""
figure, ax = plt.subplots(figsize=(5, 3))
for label, losses in init_losses.items():
    ax.plot(np.convolve(losses, np.ones(10) / 10, mode="valid"), label=label)
ax.set_xlabel("updates")
ax.set_ylabel("training loss (mean of 10)")
ax.legend()
plt.show()
"""),
        md("""
## Batch Normalization

`MultiLayerNetExtend(784, [100] * 5, 10, use_batchnorm=True)` normalizes
each hidden layer's input over the batch (then scales by γ and shifts by β,
both learned). From the same small weights (standard deviation 0.05), on
1,000 images, SGD lr 0.01, through the book's `Trainer`: with Batch
Normalization the training accuracy climbs at once, without it the net
hardly moves.
"""),
        code("""
bn_curves = {}
for use_batchnorm in (True, False):
    np.random.seed(0)
    network = nn.MultiLayerNetExtend(784, [100] * 5, 10, weight_init_std=0.05, use_batchnorm=use_batchnorm)
    trainer = nn.Trainer(network, x_train[:1000], t_train[:1000], x_test, t_test, epochs=10, mini_batch_size=100,
                         optimizer="SGD", optimizer_param={"lr": 0.01}, verbose=False)
    trainer.train()
    bn_curves["batch norm" if use_batchnorm else "plain"] = trainer.train_acc_list
    print(f"use_batchnorm={use_batchnorm}: train accuracy per epoch {np.round(trainer.train_acc_list, 3)}")

assert bn_curves["batch norm"][-1] > 0.6 and bn_curves["batch norm"][-1] > bn_curves["plain"][-1] + 0.3
"""),
        code("""
figure, ax = plt.subplots(figsize=(5, 3))
for label, curve in bn_curves.items():
    ax.plot(curve, "o-" if label == "batch norm" else "s--", markersize=3, label=label)
ax.set_xlabel("epochs")
ax.set_ylabel("train accuracy")
ax.set_ylim(0, 1)
ax.legend()
plt.show()
"""),
        md("""
## Overfitting: weight decay and Dropout

Six hidden layers of 100 on only 300 images learn them by heart: the
training accuracy reaches 1 while the test accuracy stays far below. Weight
decay (λ = 0.1, adding ½·λ·Σ‖W‖² to the loss) and Dropout (ratio 0.2, a
fresh mask each forward pass in training) narrow the gap. SGD lr 0.05, 50
epochs, tested on 1,000 of the held-out images. Dropout also learns more
slowly: in these 50 epochs it stays far from its final accuracy (the book
trains 301).
"""),
        code("""
variants = {
    "plain": {},
    "weight decay λ = 0.1": {"weight_decay_lambda": 0.1},
    "Dropout 0.2": {"use_dropout": True, "dropout_ration": 0.2},
}
gaps, overfit_curves = {}, {}
for label, options in variants.items():
    np.random.seed(0)
    network = nn.MultiLayerNetExtend(784, [100] * 6, 10, **options)
    trainer = nn.Trainer(network, x_train[:300], t_train[:300], x_test[:1000], t_test[:1000], epochs=50,
                         mini_batch_size=100, optimizer="SGD", optimizer_param={"lr": 0.05}, verbose=False)
    trainer.train()
    overfit_curves[label] = trainer.train_acc_list, trainer.test_acc_list
    gaps[label] = trainer.train_acc_list[-1] - trainer.test_acc_list[-1]
    print(f"{label:21s} train {trainer.train_acc_list[-1]:.3f}, test {trainer.test_acc_list[-1]:.3f}, "
          f"gap {gaps[label]:.3f}")

assert overfit_curves["plain"][0][-1] > 0.95                  # 300 images learned by heart
assert gaps["weight decay λ = 0.1"] < gaps["plain"] and gaps["Dropout 0.2"] < gaps["plain"]
"""),
        code("""
figure, axes = plt.subplots(1, 3, figsize=(10, 3), sharey=True)
for ax, (label, (train_acc, test_acc)) in zip(axes, overfit_curves.items()):
    ax.plot(train_acc, label="train")
    ax.plot(test_acc, "--", label="test")
    ax.set_title(label)
    ax.set_xlabel("epochs")
axes[0].set_ylabel("accuracy")
axes[0].legend()
figure.tight_layout()
plt.show()
"""),
    ]


@notebook("10_chapter7_convolution.ipynb")
def _():
    return [
        md("""
# 10. Chapter 7: convolution and pooling

The textbook's `Convolution` and `Pooling` layers work on NCHW arrays
(batch, channels, height, width) through **im2col**: every filter-sized
window of the input becomes one row of a matrix, so a convolution is one
matrix product. Here `autograd.im2col` and its adjoint `autograd.col2im`
are primitives of the op table, each the other's VJP, and convolution and
pooling are built from them: every derivative comes from the engine, to any
order.
"""),
        code("""
import matplotlib.pyplot as plt
import numpy as np

import autograd
import nn
import viz
from autograd import gradcheck
"""),
        md("""
## im2col

A 4 × 4 image, 2 × 2 windows, stride 2: four windows, four pixels each.
`col2im` adds each row back onto its window; it is im2col's adjoint,
⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩, which is why each is the other's
gradient.
"""),
        code("""
image = np.arange(16.0).reshape(1, 1, 4, 4)
col = autograd.im2col(image, filter_h=2, filter_w=2, stride=2)
print(image[0, 0])
print(col)
assert col.shape == (4, 4) and col[1].tolist() == [2.0, 3.0, 6.0, 7.0]

rng = np.random.default_rng(0)
x = rng.standard_normal((2, 3, 7, 7))
c = rng.standard_normal((2 * 5 * 5, 3 * 3 * 3))   # (N·OH·OW, C·FH·FW) for 3 × 3 windows, stride 1
lhs = np.sum(autograd.im2col(x, filter_h=3, filter_w=3) * c)
rhs = np.sum(x * autograd.col2im(c, input_shape=x.shape, filter_h=3, filter_w=3))
print(lhs, rhs)
assert np.isclose(lhs, rhs)
"""),
        md("""
## Convolution against the definition

out[n, f, i, j] = Σ x_padded[n, c, i·stride + p, j·stride + q] · W[f, c, p, q] + b[f],
written out in loops here, against the layer's im2col; then its backward in
the book's protocol (`dW`, `db` kept on the layer), and `gradcheck` of the
primitive-built `autograd.conv2d` against central differences.
"""),
        code("""
W, b = rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
conv = nn.Convolution(W, b, stride=2, pad=1)
out = conv.forward(x)

padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
reference = np.zeros_like(out)
for n in range(out.shape[0]):
    for f in range(out.shape[1]):
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                reference[n, f, i, j] = np.sum(padded[n, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3] * W[f]) + b[f]
print("output", out.shape, "largest difference from the loops", np.abs(out - reference).max())
assert np.allclose(out, reference)

dx = conv.backward(np.ones_like(out))
print("dx", dx.shape, "dW", conv.dW.shape, "db", conv.db)
assert np.allclose(conv.db, out.shape[0] * out.shape[2] * out.shape[3])   # db sums the upstream 1s

report = gradcheck(lambda x, W, b: (autograd.conv2d(x, W, b, stride=2, pad=1) ** 2).sum(),
                   x[:1, :, :5, :5], W[:2], b[:2])
print(report)
assert report.passed
"""),
        md("""
## Max pooling

The largest value of each 2 × 2 window; the gradient goes back to it
(tied maxima share it equally).
"""),
        code("""
pool = nn.Pooling(2, 2, stride=2)
pooled = pool.forward(image)
print(pooled[0, 0])
print(pool.backward(np.ones_like(pooled))[0, 0])
assert pooled[0, 0].tolist() == [[5.0, 7.0], [13.0, 15.0]]
"""),
        md("""
## SimpleConvNet on MNIST

The book's Conv → ReLU → Pool → Affine → ReLU → Affine network, trained
briefly: 10 filters of 5 × 5 (the book has 30), 3,000 images of the real
MNIST test set's training split, one epoch of batches of 50, Adam lr
0.001, through the book's `Trainer`. (`demos/train_convnet.py` runs the
book's 20 epochs.)
"""),
        code(_MNIST_CELL.replace("FLATTEN", "False")),
        code("""
np.random.seed(0)
network = nn.SimpleConvNet(input_dim=(1, 28, 28),
                           conv_param={"filter_num": 10, "filter_size": 5, "pad": 0, "stride": 1},
                           hidden_size=100, output_size=10, weight_init_std=0.01)
filters_before = network.params["W1"].copy()
trainer = nn.Trainer(network, x_train[:3000], t_train[:3000], x_test, t_test, epochs=1, mini_batch_size=50,
                     optimizer="Adam", optimizer_param={"lr": 0.001}, evaluate_sample_num_per_epoch=500,
                     verbose=False)
trainer.train()
accuracy = network.accuracy(x_test, t_test)
print(f"{trainer.max_iter} updates: test accuracy {accuracy:.3f} on {len(x_test)} images")
assert accuracy > 0.6   # measured 0.767
"""),
        md("""
The first layer's filters, `params["W1"]` (10, 1, 5, 5), before and after
these 60 updates: they have begun to move away from the random start; after
the book's 20 epochs they become edge and blob detectors.
"""),
        code("""
figure, axes = plt.subplots(2, 10, figsize=(10, 2.4))
for row, (label, filters) in enumerate((("before", filters_before), ("after", network.params["W1"]))):
    for k, ax in enumerate(axes[row]):
        ax.imshow(filters[k, 0], cmap="gray_r", interpolation="nearest")
        ax.set_axis_off()
    axes[row][0].set_title(label, loc="left", fontsize=9)
plt.show()
"""),
        md("""
## The network's graph, each layer one box

Called on nodes, the network records every layer in its group; drawn with
`collapse=True`, each group is one box, with the values and gradients on
the arrows between layers (two images here).
"""),
        code("""
loss = network(x_train[:2], t_train[:2])
loss.backward()
graph = viz.draw(loss, collapse=True, title="SimpleConvNet on two images")
for layer in ("Conv1", "Relu1", "Pool1", "Affine1", "Relu2", "Affine2", "SoftmaxWithLoss"):
    assert layer in graph.source, layer
graph
"""),
    ]


@notebook("11_forward_mode.ipynb")
def _():
    return [
        md("""
# 11. Forward mode, and derivatives as functions

Reverse mode (`backward`, `grad`, `vjp`) gives a row of the Jacobian per
pass, cotangentᵀ·J; forward mode (`jvp`, `linearize`) gives a column per
pass, J·tangent, by running each primitive's JVP rule from the op table
over the recorded graph, inputs first. `jacobian`, `hessian` and `hvp`
build on them. Each is checked here against the other mode, against the
formula, and against central differences.
"""),
        code("""
import numpy as np

import autograd
from autograd import grad, hessian, hvp, jacobian, jvp, linearize, numerical_grad, vjp
"""),
        md("""
## jvp: the derivative along a direction

f(x) = tanh(x) · x², elementwise, so J is diagonal with
f'(x) = (1 − tanh² x) · x² + 2x · tanh x.
"""),
        code("""
def f(x):
    return autograd.tanh(x) * x ** 2


x = np.array([-1.0, 0.5, 2.0])
v = np.array([1.0, -2.0, 0.5])
value, tangent = jvp(f, (x,), (v,))
derivative = (1 - np.tanh(x) ** 2) * x ** 2 + 2 * x * np.tanh(x)
print("J·v     ", tangent)
print("formula ", derivative * v)
assert np.allclose(value, np.tanh(x) * x ** 2) and np.allclose(tangent, derivative * v)
"""),
        md("""
## A matrix that is not diagonal: forward columns, reverse rows

g(x) = sin(A·x) with A of shape (2, 3): J = cos(A·x)·A is 2 × 3.
`linearize` records g once and pushes any number of tangents through that
recording; three unit tangents give J's columns. `vjp` gives cotangentᵀ·J,
J's rows from two unit cotangents, and `jacobian` builds J by reverse mode.
"""),
        code("""
A = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])


def g(x):
    return autograd.sin(A @ x)


value, g_jvp = linearize(g, x)
value, g_vjp = vjp(g, x)
columns = np.stack([g_jvp(e) for e in np.eye(3)], axis=1)        # forward: one pass per input
rows = np.stack([g_vjp(e)[0] for e in np.eye(2)])                 # reverse: one pass per output
formula = np.cos(A @ x)[:, None] * A
numeric = np.stack([numerical_grad(lambda x, i=i: g(x)[i], x) for i in range(2)])
print(np.round(columns, 6))
print("largest differences: rows", np.abs(rows - columns).max(), " jacobian", np.abs(jacobian(g)(x) - columns).max(),
      " formula", np.abs(formula - columns).max(), " central differences", np.abs(numeric - columns).max())
assert np.allclose(columns, rows) and np.allclose(columns, jacobian(g)(x)) and np.allclose(columns, formula)
assert np.allclose(numeric, columns, atol=1e-8)
"""),
        md("""
## Second derivatives: hessian and hvp

h(x) = Σ exp(xᵢ) · sin(x₃₋ᵢ). `hessian(h)` is `jacobian(grad(h))`;
`hvp(h)(x, v)` is H·v without the matrix, in two backward passes; forward
over reverse, `jvp(grad(h), (x,), (v,))`, gives the same in one forward
pass over a backward pass, and reverse over forward, `grad` of a `jvp`,
too. Central differences of the gradient check them all.
"""),
        code("""
def h(x):
    return autograd.sum(autograd.exp(x) * autograd.sin(x[::-1]))


H = hessian(h)(x)
numeric_H = np.stack([numerical_grad(lambda x, i=i: grad(h)(x)[i], x) for i in range(3)])
forward_over_reverse = jvp(grad(h), (x,), (v,))[1]
reverse_over_forward = grad(lambda x: jvp(h, (x,), (v,))[1])(x)
print(np.round(H, 6))
print("H·v:", H @ v)
assert np.allclose(H, H.T) and np.allclose(H, numeric_H, atol=1e-7)
for product in (hvp(h)(x, v), forward_over_reverse, reverse_over_forward):
    assert np.allclose(product, H @ v)
"""),
        md("""
## gradcheck checks both modes

`gradcheck` compares backprop (`"rev"`) and forward mode (`"fwd"`, one
tangent per element) with central differences, and reports both.
"""),
        code("""
report = autograd.gradcheck(lambda x, W: autograd.tanh(x @ W).sum(),
                            np.array([[0.5, -1.0]]), np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]))
print(report)
assert report.passed
"""),
    ]


def build(name):
    notebook = nbformat.v4.new_notebook(cells=NOTEBOOKS[name], metadata={"kernelspec": KERNEL,
                                                                         "language_info": {"name": "python"}})
    for number, cell in enumerate(notebook.cells):
        cell.id = f"{Path(name).stem[:2]}-{number:02d}"  # stable ids, so rebuilding changes nothing
    return nbformat.writes(notebook) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say which notebooks differ from this file")
    args = parser.parse_args(argv)
    stale = []
    for name in NOTEBOOKS:
        path, text = HERE / name, build(name)
        if (path.read_text() if path.exists() else None) != text:
            stale.append(name)
            if not args.check:
                partial = path.with_suffix(".ipynb.partial")
                partial.write_text(text)
                partial.replace(path)  # atomic: a notebook is never half written
    if args.check and stale:
        print("out of date (run python notebooks/build.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    print(("checked" if args.check else "wrote") + f" {len(NOTEBOOKS)} notebooks" +
          (f", {len(stale)} changed" if not args.check else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
