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
