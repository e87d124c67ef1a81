"""Scalar engine vs micrograd, side by side in one process.

    pip install -e '.[benchmark]' && python benchmarks/scalar.py [--quick]

(a) micrograd's own demo: MLP 2-16-16-1 over 100 two-moons points, hinge loss
    plus L2 term, forward + backward, run on micrograd and on this library with
    the same weights and data (the losses and gradients are checked equal). The
    same network is also run batched on Tensors, as a user of this library
    would write it.
(b) Memory per scalar multiply node, measured with tracemalloc over a chain:
    Value × Value, and Value × a float constant (ours; micrograd makes a node
    of the constant).
(c) The deepest chain each engine can backpropagate.
(d) Scaling: µs per node of the chain y = y * c + c at 10², 10⁴ and 10⁶
    nodes (``--quick``: 10⁵), forward and backward, with the garbage
    collector on (as users run it) and off; the 10²-node chain is built and
    backpropagated 100 times per figure.
(e) The fastest a node can be made in Python here: a bare ``__slots__``
    object created and filled by a function call, the bound on (a) and (d).

(a) runs with the garbage collector on, as users run it, and again with it
off (``gc.disable()`` around each timed step); then how many collections of
each generation our forward pass sets off, and their time.

Each figure is printed, then the ratios. Timing: the median of interleaved
repetitions, with garbage collected between repetitions (not during them);
the forward pass (building the loss, zeroing the gradients) and the
backward pass are shown apart. For (a) the fastest of the runs is shown
too: on a shared machine the same code runs 1.6-1.8 times slower for
spells of seconds (our step more than micrograd's), and the fastest run
is the one no spell slowed.
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


def timed(step, *args, collector=True):
    """(forward seconds, backward seconds) of one step: loss and zeroed grads, then backward."""
    gc.collect()
    if not collector:
        gc.disable()
    try:
        start = time.perf_counter()
        loss = step(*args)
        middle = time.perf_counter()
        loss.backward()
        end = time.perf_counter()
    finally:
        gc.enable()
    return middle - start, end - middle


def demo_network(repeats, collector=True):
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
            times[name].append(timed(step, model, xs, ys, collector=collector))
    medians, fastest = {}, {}
    for name, runs in times.items():
        totals = [forward + backward for forward, backward in runs]
        middle = runs[totals.index(statistics.median_low(totals))]
        medians[name] = (sum(middle), *middle)
        fastest[name] = min(totals)
    return medians, fastest, losses[0]


def collector_time(repeats=5):
    """{generation: (collections, ms)} during our forward pass of the demo (the median run by total)."""
    import random

    random.seed(1337)
    model = ScalarMLP(mg_nn.MLP(2, [16, 16, 1]))
    xs, ys = two_moons()
    runs = []
    started = [0.0]

    def watch(phase, info):
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            count, spent = log.get(info["generation"], (0, 0.0))
            log[info["generation"]] = (count + 1, spent + (time.perf_counter() - started[0]) * 1e3)

    for _ in range(repeats):
        log = {}
        gc.collect()
        gc.callbacks.append(watch)
        try:
            loss = step_scalar(model, xs, ys)
        finally:
            gc.callbacks.remove(watch)
        del loss
        runs.append(log)
    runs.sort(key=lambda log: sum(spent for _, spent in log.values()))
    return runs[len(runs) // 2]


def bytes_per_mul_node(make_value, n=100_000, constant=None):
    constant = make_value(1.000001) if constant is None else constant
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


def chain_costs(nodes, collector):
    """(forward, backward) µs per node of y = y * c + c over ``nodes`` nodes (two per step).

    A graph smaller than 10⁴ nodes is built and backpropagated again and again
    (10⁴ nodes in all, each graph freed before the next), so that the figure
    is the cost per node of graphs that size, not the timer's resolution or
    the cold caches after the garbage collection that precedes each run.
    """
    graphs = max(1, 10**4 // nodes)
    forward = backward = 0.0
    gc.collect()
    if not collector:
        gc.disable()
    try:
        for _ in range(graphs):
            c, y = Value(1.0001), Value(0.5)
            start = time.perf_counter()
            for _ in range(nodes // 2):
                y = y * c + c
            middle = time.perf_counter()
            y.backward()
            end = time.perf_counter()
            forward += middle - start
            backward += end - middle
            del y
    finally:
        gc.enable()
    gc.collect()
    return forward / (nodes * graphs) * 1e6, backward / (nodes * graphs) * 1e6


def scaling(sizes, repeats):
    """{(nodes, collector): (forward, backward) medians}, runs interleaved."""
    runs = {(n, on): [] for n in sizes for on in (True, False)}
    for _ in range(repeats):
        for key in runs:
            if key[0] < 10**5 or len(runs[key]) < max(1, repeats // 3):
                runs[key].extend(chain_costs(*key) for _ in range(5 if key[0] < 10**5 else 1))
    return {key: tuple(statistics.median(r[i] for r in values) for i in (0, 1)) for key, values in runs.items()}


class _Bare:
    __slots__ = ("a", "b", "c", "d", "e", "f", "g", "h")


def _bare_node(x, y):
    node = _new(_Bare)
    node.a = x.a * y.a
    node.b = None
    node.c = True
    node.d = None
    node.e = x
    node.f = y
    node.g = 0
    node.h = None
    return node


_new = object.__new__


def fastest_node(n=10_000, repeats=51):
    """µs per node of the leanest node Python can make: one call, one eight-slot object, one float
    (over a chain of ``n``, the size of the middle row of (d))."""
    x, y = _new(_Bare), _new(_Bare)
    x.a, y.a = 1.0, 1.0
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        z = x
        for _ in range(n):
            z = _bare_node(z, y)
        times.append((time.perf_counter() - start) / n * 1e6)
        del z
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and shallower chains")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 9
    demo_repeats = 3 if args.quick else 15
    depths = [10**3 // 2, 10**3, 10**4, 10**5] + ([] if args.quick else [10**6])

    print(f"Python {sys.version.split()[0]}, NumPy {np.__version__}, micrograd 0.1.0\n")
    all_times, all_fastest = {}, {}
    for collector in (True, False):
        times, fastest, loss = demo_network(demo_repeats, collector)
        print(f"(a) micrograd's demo, MLP 2-16-16-1, 100 points, forward + backward (loss {loss:.6f}), "
              f"garbage collector {'on' if collector else 'off'}, median of {demo_repeats} runs:")
        for name, (total, forward, backward) in times.items():
            print(f"    {name:<15} {total * 1e3:9.1f} ms  (forward {forward * 1e3:.1f}, backward {backward * 1e3:.1f}); "
                  f"fastest run {fastest[name] * 1e3:.1f} ms")
        all_times[collector] = {name: total for name, (total, _, _) in times.items()}
        all_fastest[collector] = fastest
    spent = collector_time()
    print("    the collector in our forward pass: " + "; ".join(
        f"generation {generation}: {count} collections, {ms:.1f} ms" for generation, (count, ms) in sorted(spent.items())))
    times = all_times[True]
    memory = {"micrograd": bytes_per_mul_node(mg_engine.Value), "ours (Value)": bytes_per_mul_node(Value)}
    with_float = bytes_per_mul_node(Value, constant=1.0001)
    print("(b) memory per scalar multiply node (target: ≤ 150 bytes Value × Value, ≤ 250 with a float constant):")
    for name, size in memory.items():
        print(f"    {name:<15} {size:9.0f} bytes")
    print(f"    {'ours, × 1.0001':<15} {with_float:9.0f} bytes")
    deepest = {"micrograd": deepest_chain(mg_engine.Value, depths), "ours (Value)": deepest_chain(Value, depths)}
    print(f"(c) deepest chain that backpropagates (tried {', '.join(f'{d:,}' for d in depths)}):")
    for name, depth in deepest.items():
        print(f"    {name:<15} {depth:>9,}")

    sizes = [10**2, 10**4, 10**5 if args.quick else 10**6]
    costs = scaling(sizes, repeats)
    print("(d) the chain y = y * c + c, µs per node (target: within 1.5x of each other):")
    print(f"    {'nodes':>9}   forward (gc on)  backward (gc on)   forward (gc off)  backward (gc off)")
    for n in sizes:
        (f_on, b_on), (f_off, b_off) = costs[(n, True)], costs[(n, False)]
        print(f"    {n:>9,}   {f_on:15.2f}  {b_on:16.2f}   {f_off:16.2f}  {b_off:17.2f}")
    for on in (True, False):
        spread = [max(costs[(n, on)][i] for n in sizes) / min(costs[(n, on)][i] for n in sizes) for i in (0, 1)]
        print(f"    spread, gc {'on ' if on else 'off'}: forward {spread[0]:.2f}x, backward {spread[1]:.2f}x")
    largest = sizes[-1]
    print(f"    {largest:,} nodes: built in {costs[(largest, True)][0] * largest / 1e6:.2f} s, "
          f"backpropagated in {costs[(largest, True)][1] * largest / 1e6:.2f} s (gc on)")
    print(f"(e) the fastest node Python makes here (a call filling an eight-slot object): {fastest_node():.2f} µs")

    print("\nRatios (micrograd / ours; higher is better for us):")
    fastest = all_fastest[True]
    print(f"    demo step, Value:   {times['micrograd'] / times['ours (Value)']:6.1f}x faster by the medians, "
          f"{fastest['micrograd'] / fastest['ours (Value)']:.1f}x by the fastest runs (target 10x; garbage "
          f"collector off: {all_times[False]['micrograd'] / all_times[False]['ours (Value)']:.1f}x, "
          f"{all_fastest[False]['micrograd'] / all_fastest[False]['ours (Value)']:.1f}x)")
    print(f"    demo step, Tensor:  {times['micrograd'] / times['ours (Tensor)']:6.1f}x faster")
    print(f"    memory per node:    {memory['micrograd'] / memory['ours (Value)']:6.1f}x smaller")
    print(f"    deepest chain:      {deepest['ours (Value)'] / max(deepest['micrograd'], 1):6.0f}x deeper")


if __name__ == "__main__":
    main()
