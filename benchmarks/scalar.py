"""Scalar engine vs micrograd, side by side in one process.

    pip install -e '.[benchmark]' && python benchmarks/scalar.py [--quick]

(a) micrograd's own demo: MLP 2-16-16-1 over 100 two-moons points, hinge loss
    plus L2 term, forward + backward, run on micrograd and on this library with
    the same weights and data (the losses and gradients are checked equal). The
    same network is also run batched on Tensors, as a user of this library
    would write it.
(b) Memory per scalar multiply node, measured with tracemalloc over a chain.
(c) The deepest chain each engine can backpropagate.

Each figure is printed, then the ratios. Timing: the median of interleaved
repetitions, with garbage collected between repetitions (not during them);
the forward pass (building the loss, zeroing the gradients) and the
backward pass are shown apart.
"""

import argparse
import gc
import math
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograd import Tensor, Value  # noqa: E402

try:
    from micrograd import engine as mg_engine
    from micrograd import nn as mg_nn
except ImportError:  # pragma: no cover - the benchmark extra installs it
    sys.exit("micrograd is not installed: pip install -e '.[benchmark]'")


def two_moons(n=100, noise=0.1, seed=1337):
    """sklearn's make_moons (the data of micrograd's demo) without sklearn."""
    rng = np.random.default_rng(seed)
    half = n // 2
    outer = np.linspace(0, np.pi, n - half)
    inner = np.linspace(0, np.pi, half)
    x = np.concatenate([np.c_[np.cos(outer), np.sin(outer)], np.c_[1 - np.cos(inner), 1 - np.sin(inner) - 0.5]])
    y = np.concatenate([np.zeros(n - half), np.ones(half)]) * 2 - 1  # labels -1, +1 as in the demo
    return (x + rng.normal(scale=noise, size=x.shape)).tolist(), y.tolist()


class ScalarMLP:
    """micrograd's MLP (sum of w·x plus b, ReLU except the last layer) on our Value."""

    def __init__(self, reference):
        self.layers = [
            [([Value(w.data) for w in neuron.w], Value(neuron.b.data), neuron.nonlin) for neuron in layer.neurons]
            for layer in reference.layers
        ]

    def __call__(self, x):
        for layer in self.layers:
            out = []
            for w, b, nonlin in layer:
                act = sum((wi * xi for wi, xi in zip(w, x)), b)
                out.append(act.relu() if nonlin else act)
            x = out
        return x[0]

    def parameters(self):
        return [p for layer in self.layers for w, b, _ in layer for p in (*w, b)]


class TensorMLP:
    """The same network as three weight matrices, over the whole batch at once."""

    def __init__(self, reference):
        self.weights = [Tensor([[w.data for w in n.w] for n in layer.neurons]).T for layer in reference.layers]
        self.weights = [Tensor(w.data.copy()) for w in self.weights]
        self.biases = [Tensor([n.b.data for n in layer.neurons]) for layer in reference.layers]

    def __call__(self, x):
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = x @ w + b
            if i < len(self.weights) - 1:
                x = x.relu()
        return x[:, 0]

    def parameters(self):
        return self.weights + self.biases


def hinge_loss(model, make_value, xs, ys, alpha=1e-4):
    """micrograd's demo loss: mean of relu(1 − y·score) plus alpha · Σ p²."""
    inputs = [list(map(make_value, row)) for row in xs]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * score).relu() for yi, score in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def tensor_hinge_loss(model, xs, ys, alpha=1e-4):
    scores = model(np.asarray(xs))
    data_loss = (1 - np.asarray(ys) * scores).relu().mean()
    reg_loss = alpha * sum((p * p).sum() for p in model.parameters())
    return data_loss + reg_loss


def step_micrograd(model, xs, ys):
    loss = hinge_loss(model, mg_engine.Value, xs, ys)
    model.zero_grad()
    return loss


def step_scalar(model, xs, ys):
    loss = hinge_loss(model, Value, xs, ys)
    for p in model.parameters():
        p.zero_grad()
    return loss


def step_tensor(model, xs, ys):
    loss = tensor_hinge_loss(model, xs, ys)
    for p in model.parameters():
        p.zero_grad()
    return loss


def timed(step, *args):
    """(forward seconds, backward seconds) of one step: loss and zeroed grads, then backward."""
    gc.collect()
    start = time.perf_counter()
    loss = step(*args)
    middle = time.perf_counter()
    loss.backward()
    return middle - start, time.perf_counter() - middle


def demo_network(repeats):
    import random

    random.seed(1337)
    reference = mg_nn.MLP(2, [16, 16, 1])
    xs, ys = two_moons()
    scalar, tensor = ScalarMLP(reference), TensorMLP(reference)

    # Same network, same data: the three must agree before they are timed.
    steps = {"micrograd": (step_micrograd, reference), "ours (Value)": (step_scalar, scalar),
             "ours (Tensor)": (step_tensor, tensor)}
    losses = []
    for step, model in steps.values():
        loss = step(model, xs, ys)
        loss.backward()
        losses.append(float(loss.data))
    assert max(losses) - min(losses) < 1e-9, losses
    first = reference.layers[0].neurons[0].w[0].grad
    assert math.isclose(first, scalar.layers[0][0][0][0].grad, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(first, tensor.weights[0].grad[0, 0], rel_tol=1e-9, abs_tol=1e-12)

    times = {name: [] for name in steps}
    for _ in range(repeats):
        for name, (step, model) in steps.items():
            times[name].append(timed(step, model, xs, ys))
    medians = {}
    for name, runs in times.items():
        totals = [forward + backward for forward, backward in runs]
        middle = runs[totals.index(statistics.median_low(totals))]
        medians[name] = (sum(middle), *middle)
    return medians, losses[0]


def bytes_per_mul_node(make_value, n=100_000):
    constant = make_value(1.000001)
    x = make_value(1.0)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    y = x
    for _ in range(n):
        y = y * constant
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del y
    return (after - before) / n


def chain_backprops(make_value, depth):
    x = make_value(1.0)
    y = x
    for _ in range(depth):
        y = y * 1.0
    try:
        y.backward()
    except RecursionError:
        return False
    return x.grad == 1.0


def deepest_chain(make_value, depths):
    deepest = 0
    for depth in depths:
        if not chain_backprops(make_value, depth):
            break
        deepest = depth
    return deepest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and shallower chains")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 9
    depths = [10**3 // 2, 10**3, 10**4, 10**5] + ([] if args.quick else [10**6])

    print(f"Python {sys.version.split()[0]}, NumPy {np.__version__}, micrograd 0.1.0\n")
    times, loss = demo_network(repeats)
    print(f"(a) micrograd's demo, MLP 2-16-16-1, 100 points, forward + backward (loss {loss:.6f}):")
    for name, (total, forward, backward) in times.items():
        print(f"    {name:<15} {total * 1e3:9.1f} ms  (forward {forward * 1e3:.1f}, backward {backward * 1e3:.1f})")
    times = {name: total for name, (total, _, _) in times.items()}
    memory = {"micrograd": bytes_per_mul_node(mg_engine.Value), "ours (Value)": bytes_per_mul_node(Value)}
    print("(b) memory per scalar multiply node:")
    for name, size in memory.items():
        print(f"    {name:<15} {size:9.0f} bytes")
    deepest = {"micrograd": deepest_chain(mg_engine.Value, depths), "ours (Value)": deepest_chain(Value, depths)}
    print(f"(c) deepest chain that backpropagates (tried {', '.join(f'{d:,}' for d in depths)}):")
    for name, depth in deepest.items():
        print(f"    {name:<15} {depth:>9,}")

    print("\nRatios (micrograd / ours; higher is better for us):")
    print(f"    demo step, Value:   {times['micrograd'] / times['ours (Value)']:6.1f}x faster")
    print(f"    demo step, Tensor:  {times['micrograd'] / times['ours (Tensor)']:6.1f}x faster")
    print(f"    memory per node:    {memory['micrograd'] / memory['ours (Value)']:6.1f}x smaller")
    print(f"    deepest chain:      {deepest['ours (Value)'] / max(deepest['micrograd'], 1):6.0f}x deeper")


if __name__ == "__main__":
    main()
