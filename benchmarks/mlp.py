"""One SGD step of the textbook's MNIST network, 784-50-10, batch 100, side by side.

    python benchmarks/mlp.py [--rounds 300] [--steps 5] [--dtype float64|float32] [--tiny-only]

Contestants, all in this process, with the same starting weights and batch:

- numpy (textbook): the textbook's layer math written out in NumPy, as its
  Affine, Relu and SoftmaxWithLoss compute it (Affine1's backward also
  computes the gradient for the images, which the book's layer always does);
- numpy (lean): the same without that unused image gradient;
- nn: ``TwoLayerNet.gradient`` and ``nn.SGD.update`` (``gradient`` runs in one
  call with no caller's code in between, so it needs no in-place edit guard;
  a network that is a chain of primitives, as this one, calls their forwards
  and the op table's VJPs directly, without building nodes);
- Tensor by hand: the network written on Tensors, ``(x @ W1 + b1).relu() @ W2
  + b2``, then ``softmax_cross_entropy``, ``.backward()`` and an update in place;
- by hand, no edit guard: the same inside ``autograd.engine.skip_edit_checks()``,
  which keeps no copy of the batch and no checksums: the difference is what
  the guard costs;
- nn's math, no graph: the forward and VJP functions of the primitives nn
  records, called directly on arrays: the same arithmetic without the graph,
  so ``nn`` minus this is what the engine (and the optimizer's checks) cost;
- nn layer by layer: the textbook's protocol on nn's layers (forward through
  the layers, backward through them reversed), for comparison;
- torch: PyTorch on the CPU, when it is installed.

Before timing, the gradients of every contestant are checked against the
textbook NumPy ones. Timing: each round runs every contestant for ``--steps``
steps, in an order that rotates from round to round; the figure is the
median per-step time over the rounds (the minimum is shown too, and the
ratios by it). Ratios are against the two NumPy versions. BLAS threads
matter a great deal for these small matrices: compare
``OPENBLAS_NUM_THREADS=1 python benchmarks/mlp.py``.
Where OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are set (they slow a current
NumPy), unset both for the run alone:
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/mlp.py``.
Other processes on the machine move these figures by 10 % or more: run it
twice. ``--dtype float32`` runs every contestant in float32 (the gradients
are then checked to a relative 1e-4, float64 ones to 1e-10).

Then the overhead on tiny arrays: a chain of elementwise operations
(alternately ``y * w`` and ``y + w``) on shape (10,), forward and backward,
per operation, against the same arithmetic written in NumPy, and PyTorch
when installed.
"""

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nn  # noqa: E402

import autograd  # noqa: E402
from autograd import Tensor  # noqa: E402

N, D, H, C = 100, 784, 50, 10
LR = 0.1


def make_problem(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.random((N, D)).astype(dtype)
    t = rng.integers(0, C, N)
    params = {"W1": 0.01 * rng.standard_normal((D, H)), "b1": np.zeros(H),
              "W2": 0.01 * rng.standard_normal((H, C)), "b2": np.zeros(C)}
    return x, t, {key: value.astype(dtype) for key, value in params.items()}


def numpy_gradients(params, x, t, input_gradient):
    """The textbook's layer math: Affine → Relu → Affine → SoftmaxWithLoss, forward then backward."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    batch_size = x.shape[0]
    # Affine1, Relu1
    a1 = np.dot(x, W1) + b1
    mask = a1 <= 0
    z1 = a1.copy()
    z1[mask] = 0
    # Affine2
    a2 = np.dot(z1, W2) + b2
    # SoftmaxWithLoss: softmax, then cross-entropy on index labels
    shifted = a2 - np.max(a2, axis=-1, keepdims=True)
    y = np.exp(shifted) / np.sum(np.exp(shifted), axis=-1, keepdims=True)
    loss = -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size
    # backward: SoftmaxWithLoss
    dout = y.copy()
    dout[np.arange(batch_size), t] -= 1
    dout = dout / batch_size
    # Affine2
    dW2 = np.dot(z1.T, dout)
    db2 = np.sum(dout, axis=0)
    dout = np.dot(dout, W2.T)
    # Relu1
    dout[mask] = 0
    # Affine1
    dW1 = np.dot(x.T, dout)
    db1 = np.sum(dout, axis=0)
    if input_gradient:
        np.dot(dout, W1.T)  # dx: the book's Affine.backward always returns it
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def numpy_step(params, x, t, input_gradient):
    loss, grads = numpy_gradients(params, x, t, input_gradient)
    for key in ("W1", "b1", "W2", "b2"):
        params[key] -= LR * grads[key]
    return loss


def nn_network(params):
    network = nn.TwoLayerNet(D, H, C)
    for key in params:
        network.params[key] = params[key].copy()  # in the problem's dtype
    network._sync_params()  # the layers compute with these arrays from now on
    return network


class TensorNetwork:
    """The same network written by hand on Tensors, as a user of the engine would."""

    def __init__(self, params):
        self.params = {key: Tensor(value.copy()) for key, value in params.items()}

    def gradients(self, x, t):
        p = self.params
        for w in p.values():
            w.zero_grad()
        scores = (x @ p["W1"] + p["b1"]).relu() @ p["W2"] + p["b2"]
        loss = autograd.softmax_cross_entropy(scores, t)
        loss.backward()
        return {key: w.grad for key, w in p.items()}

    def step(self, x, t):
        grads = self.gradients(x, t)
        for key, w in self.params.items():
            w.data -= LR * grads[key]


def unguarded(run, x, t):
    """``run(x, t)`` inside ``skip_edit_checks()``: no copy of the batch, no checksums (what the guard costs)."""
    with autograd.engine.skip_edit_checks():
        return run(x, t)


def layer_by_layer_gradients(network, x, t):
    """The textbook's gradient(): forward through the layers, backward through them reversed."""
    out = x
    for layer in network.layers.values():
        out = layer.forward(out)
    network.lastLayer.forward(out, t)
    dout = network.lastLayer.backward(1)
    for layer in reversed(network.layers.values()):
        dout = layer.backward(dout)
    affine1, affine2 = network.layers["Affine1"], network.layers["Affine2"]
    return {"W1": affine1.dW, "b1": affine1.db, "W2": affine2.dW, "b2": affine2.db}


def graphless_gradients(params, x, t):
    """nn's fused primitives' forward and VJP functions called directly: the same math, no graph."""
    from autograd import ops

    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    labels = t.astype(np.float64)  # as the engine hands constants to a primitive
    a1 = ops.affine.forward(x, W1, b1)
    h = ops.relu.forward(a1)
    a2 = ops.affine.forward(h, W2, b2)
    loss = ops.softmax_cross_entropy.forward(a2, labels)
    d_a2 = ops.softmax_cross_entropy.vjps[0](np.ones(()), loss, a2, labels)
    affine_x, affine_W, affine_b = ops.affine.vjps
    d_h = affine_x(d_a2, a2, h, W2, b2)
    d_a1 = ops.relu.vjps[0](d_h, h, a1)
    return {"W1": affine_W(d_a1, a1, x, W1, b1), "b1": affine_b(d_a1, a1, x, W1, b1),
            "W2": affine_W(d_a2, a2, h, W2, b2), "b2": affine_b(d_a2, a2, h, W2, b2)}


def plain_step(params, gradients):
    for key, grad in gradients.items():
        params[key] -= LR * grad


def torch_contestant(params, x, t):
    try:
        import torch
    except ImportError:
        return None
    weights = {key: torch.tensor(value, requires_grad=True) for key, value in params.items()}
    xt, tt = torch.tensor(x), torch.tensor(t)

    def gradients():
        for w in weights.values():
            w.grad = None
        hidden = torch.relu(xt @ weights["W1"] + weights["b1"])
        loss = torch.nn.functional.cross_entropy(hidden @ weights["W2"] + weights["b2"], tt)
        loss.backward()
        return {key: w.grad.numpy() for key, w in weights.items()}

    def step():
        gradients()
        with torch.no_grad():
            for w in weights.values():
                w -= LR * w.grad

    return f"torch {torch.__version__} (CPU, {torch.get_num_threads()} threads)", gradients, step


def contestants(x, t, params):
    """name -> (gradients at the starting weights, one SGD step)."""
    textbook, lean, graphless = ({k: v.copy() for k, v in params.items()} for _ in range(3))
    network, chained = nn_network(params), nn_network(params)
    sgd, chained_sgd = nn.SGD(lr=LR), nn.SGD(lr=LR)
    by_hand = TensorNetwork(params)
    table = {
        "numpy (textbook)": (lambda: numpy_gradients(textbook, x, t, True)[1],
                             lambda: numpy_step(textbook, x, t, True)),
        "numpy (lean)": (lambda: numpy_gradients(lean, x, t, False)[1], lambda: numpy_step(lean, x, t, False)),
        "nn": (lambda: network.gradient(x, t), lambda: sgd.update(network.params, network.gradient(x, t))),
        "Tensor by hand": (lambda: by_hand.gradients(x, t), lambda: by_hand.step(x, t)),
        "by hand, no edit guard": (lambda: unguarded(by_hand.gradients, x, t), lambda: unguarded(by_hand.step, x, t)),
        "nn's math, no graph": (lambda: graphless_gradients(graphless, x, t),
                                lambda: plain_step(graphless, graphless_gradients(graphless, x, t))),
        "nn layer by layer": (lambda: layer_by_layer_gradients(chained, x, t),
                              lambda: chained_sgd.update(chained.params, layer_by_layer_gradients(chained, x, t))),
    }
    torch_entry = torch_contestant(params, x, t)
    if torch_entry is not None:
        name, gradients, step = torch_entry
        table[name] = (gradients, step)
    return table


def check_gradients(table, tolerance, relative):
    """Every contestant's gradients against the textbook NumPy ones (relative: to their largest element)."""
    reference = table["numpy (textbook)"][0]()
    for name, (gradients, _) in table.items():
        grads = gradients()
        worst = max(float(np.max(np.abs(grads[k] - reference[k])))
                    / (max(float(np.max(np.abs(reference[k]))), 1e-30) if relative else 1.0) for k in reference)
        if worst > tolerance:
            sys.exit(f"{name}: gradients differ from the textbook NumPy ones by {worst:.2e}; not timing")
    return worst


def time_steps(table, rounds, steps):
    names = list(table)
    per_step = {name: [] for name in names}
    for round_number in range(rounds):
        order = names[round_number % len(names):] + names[:round_number % len(names)]
        for name in order:
            step = table[name][1]
            started = time.perf_counter()
            for _ in range(steps):
                step()
            per_step[name].append((time.perf_counter() - started) / steps)
        if round_number % 20 == 19:
            gc.collect()
    return per_step


def blas_description():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or f"default ({os.cpu_count()} CPUs)"
        return f"BLAS threads: {threads} (install threadpoolctl for details)"
    pools = [f"{p.get('internal_api')} {p.get('version')} {p.get('architecture')}, {p.get('num_threads')} threads"
             for p in threadpool_info() if p.get("user_api") == "blas"]
    return "BLAS: " + "; ".join(pools)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300, help="interleaved rounds (default 300)")
    parser.add_argument("--steps", type=int, default=5, help="steps per contestant per round (default 5)")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                        help="the weights' and the batch's dtype (default float64)")
    parser.add_argument("--tiny-only", action="store_true", help="only the tiny-array overhead")
    args = parser.parse_args(argv)
    if not args.tiny_only:
        network_step(args)
    tiny_arrays(args.rounds)
    return 0


def network_step(args):
    dtype = np.dtype(args.dtype)
    x, t, params = make_problem(dtype=dtype)
    table = contestants(x, t, params)
    tolerance, relative = (1e-10, False) if dtype == np.float64 else (1e-4, True)
    check_gradients(table, tolerance, relative)
    print(f"one SGD step, {D}-{H}-{C}, batch {N}, {dtype}; numpy {np.__version__}, Python {sys.version.split()[0]}")
    print(blas_description())
    for variable in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if variable in os.environ:
            print(f"note: {variable}={os.environ[variable]} is set; it can slow a current NumPy")
    print(f"gradients agree with the textbook NumPy step to {'a relative ' if relative else ''}{tolerance:g} "
          "for every contestant")
    for _ in range(3):  # warm up caches and allocators
        for _, step in table.values():
            step()
    per_step = time_steps(table, args.rounds, args.steps)

    medians = {name: statistics.median(times) for name, times in per_step.items()}
    textbook, lean = medians["numpy (textbook)"], medians["numpy (lean)"]
    width = max(len(name) for name in table)
    print(f"\n{'':<{width}}  median µs    min µs   ÷ numpy (textbook)   ÷ numpy (lean)")
    for name, times in per_step.items():
        median = medians[name]
        print(f"{name:<{width}}  {median * 1e6:9.1f} {min(times) * 1e6:9.1f}   {median / textbook:18.3f}   "
              f"{median / lean:14.3f}")
    overhead = medians["nn"] - medians["nn's math, no graph"]
    print(f"\nratio nn / numpy (textbook): {medians['nn'] / textbook:.3f}   "
          f"nn / numpy (lean): {medians['nn'] / lean:.3f}   (target ≤ 1.10)")
    print(f"graph, engine and optimizer overhead per step: {overhead * 1e6:.0f} µs "
          "(nn minus the same math on raw arrays)")
    print(f"Tensor by hand / numpy (lean): {medians['Tensor by hand'] / lean:.3f} (target ≤ 1.15); "
          f"without the in-place edit guard: {medians['by hand, no edit guard'] / lean:.3f}")
    fastest = {name: min(times) for name, times in per_step.items()}
    print(f"by the minimum (the rounds the machine slowed least): nn / numpy (lean) "
          f"{fastest['nn'] / fastest['numpy (lean)']:.3f}, Tensor by hand / numpy (lean) "
          f"{fastest['Tensor by hand'] / fastest['numpy (lean)']:.3f}")


def tiny_chain_ours(length, size=10):
    w = Tensor(np.full(size, 0.5))
    x = Tensor(np.linspace(-1.0, 1.0, size))

    def run():
        w.zero_grad()
        x.zero_grad()
        y = x
        for i in range(length):
            y = y * w if i % 2 == 0 else y + w
        y.backward(np.ones(size))
        return x.grad

    return run


def tiny_chain_numpy(length, size=10):
    """The same forward and backward arithmetic, written out on arrays."""
    w = np.full(size, 0.5)
    x = np.linspace(-1.0, 1.0, size)

    def run():
        values = [x]
        y = x
        for i in range(length):
            y = y * w if i % 2 == 0 else y + w
            values.append(y)
        g = np.ones(size)
        dw = np.zeros(size)
        for i in reversed(range(length)):
            if i % 2 == 0:
                dw = dw + g * values[i]
                g = g * w
            else:
                dw = dw + g
        return g

    return run


def tiny_chain_torch(length, size=10):
    try:
        import torch
    except ImportError:
        return None
    w = torch.full((size,), 0.5, dtype=torch.float64, requires_grad=True)
    x = torch.linspace(-1.0, 1.0, size, dtype=torch.float64, requires_grad=True)

    def run():
        w.grad = x.grad = None
        y = x
        for i in range(length):
            y = y * w if i % 2 == 0 else y + w
        y.backward(torch.ones(size, dtype=torch.float64))
        return x.grad.numpy()

    return f"torch {torch.__version__}", run


def tiny_arrays(rounds, length=100):
    """µs per elementwise operation, forward and backward, on shape (10,)."""
    table = {"ours (Tensor)": tiny_chain_ours(length), "numpy, by hand": tiny_chain_numpy(length)}
    torch_entry = tiny_chain_torch(length)
    if torch_entry is not None:
        table[torch_entry[0]] = torch_entry[1]
    reference = table["numpy, by hand"]()
    for name, run in table.items():
        np.testing.assert_allclose(run(), reference, rtol=1e-12, err_msg=name)
    times = {name: [] for name in table}
    names = list(table)
    for round_number in range(rounds):
        for name in names[round_number % len(names):] + names[:round_number % len(names)]:
            started = time.perf_counter()
            table[name]()
            times[name].append((time.perf_counter() - started) / length)
    print(f"\nelementwise chain on shape (10,), {length} operations (y * w, y + w), forward + backward:")
    for name, values in times.items():
        print(f"{name:<16} {statistics.median(values) * 1e6:7.2f} µs per operation")
    print("(target: ≤ 6 µs per operation for ours)")


if __name__ == "__main__":
    sys.exit(main())
