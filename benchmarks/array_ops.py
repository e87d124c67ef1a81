"""einsum, concatenate, where and batched matmul, forward and backward, side by side.

    python benchmarks/array_ops.py [--rounds 200]

Each workload computes one operation's output and the gradients of
L = Σ out ⊙ G (a fixed G) with respect to every input, three ways in this process:

- autograd: Tensors, the operation recorded, then ``out.backward(G)``;
- numpy: the same forward and the VJPs written out by hand in NumPy;
- torch: PyTorch on the CPU, float64, when it is installed.

The gradients of autograd (and torch) are checked against the NumPy ones
before timing. Each round runs every contestant once per workload, in an
order that rotates from round to round; the figure is the median time. The
ratio is against hand-written NumPy, so it is what recording and the engine
cost on top of the same arithmetic.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import autograd as ag  # noqa: E402
from autograd import Tensor  # noqa: E402

rng = np.random.default_rng(0)


def workload_einsum():
    a, b = rng.normal(size=(32, 16, 24)), rng.normal(size=(32, 24, 16))
    G = rng.normal(size=(32, 16, 16))

    def autograd_step():
        A, B = Tensor(a), Tensor(b)
        ag.einsum("bij,bjk->bik", A, B).backward(G)
        return A.grad, B.grad

    def numpy_step():
        np.einsum("bij,bjk->bik", a, b)
        return np.einsum("bik,bjk->bij", G, b), np.einsum("bij,bik->bjk", a, G)

    def torch_step(torch):
        A, B = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        torch.einsum("bij,bjk->bik", A, B).backward(torch.tensor(G))
        return A.grad.numpy(), B.grad.numpy()

    return "einsum 'bij,bjk->bik' (32×16×24 · 32×24×16)", autograd_step, numpy_step, torch_step


def workload_concatenate():
    parts = [rng.normal(size=(100, 50)) for _ in range(4)]
    G = rng.normal(size=(400, 50))

    def autograd_step():
        nodes = [Tensor(p) for p in parts]
        ag.concatenate(nodes).backward(G)
        return tuple(n.grad for n in nodes)

    def numpy_step():
        np.concatenate(parts)
        return tuple(np.split(G, 4))

    def torch_step(torch):
        nodes = [torch.tensor(p, requires_grad=True) for p in parts]
        torch.cat(nodes).backward(torch.tensor(G))
        return tuple(n.grad.numpy() for n in nodes)

    return "concatenate 4 × (100, 50)", autograd_step, numpy_step, torch_step


def workload_where():
    x, y = rng.normal(size=(1000, 100)), rng.normal(size=(1000, 100))
    cond = x > 0
    G = rng.normal(size=(1000, 100))

    def autograd_step():
        X, Y = Tensor(x), Tensor(y)
        ag.where(cond, X, Y).backward(G)
        return X.grad, Y.grad

    def numpy_step():
        np.where(cond, x, y)
        return np.where(cond, G, 0.0), np.where(cond, 0.0, G)

    def torch_step(torch):
        X, Y = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
        torch.where(torch.tensor(cond), X, Y).backward(torch.tensor(G))
        return X.grad.numpy(), Y.grad.numpy()

    return "where on (1000, 100)", autograd_step, numpy_step, torch_step


def workload_matmul():
    a, b = rng.normal(size=(16, 64, 64)), rng.normal(size=(16, 64, 64))
    G = rng.normal(size=(16, 64, 64))

    def autograd_step():
        A, B = Tensor(a), Tensor(b)
        (A @ B).backward(G)
        return A.grad, B.grad

    def numpy_step():
        a @ b
        return G @ b.transpose(0, 2, 1), a.transpose(0, 2, 1) @ G

    def torch_step(torch):
        A, B = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        (A @ B).backward(torch.tensor(G))
        return A.grad.numpy(), B.grad.numpy()

    return "batched matmul (16, 64, 64) @ (16, 64, 64)", autograd_step, numpy_step, torch_step


WORKLOADS = (workload_einsum, workload_concatenate, workload_where, workload_matmul)


def _torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_default_dtype(torch.float64)
    return torch


def _timed(step):
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="timed rounds per contestant (default 200)")
    args = parser.parse_args(argv)
    torch = _torch()
    print(f"NumPy {np.__version__}; " + (f"PyTorch {torch.__version__} CPU" if torch else "PyTorch not installed"))
    print(f"{'workload':46} {'numpy':>10} {'autograd':>10} {'ratio':>7}" + (f" {'torch':>10} {'ratio':>7}" if torch else ""))
    for make in WORKLOADS:
        name, autograd_step, numpy_step, torch_step = make()
        contestants = {"numpy": numpy_step, "autograd": autograd_step}
        if torch:
            contestants["torch"] = lambda step=torch_step: step(torch)
        expected = numpy_step()
        for label, step in contestants.items():
            for got, want in zip(step(), expected):
                np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10, err_msg=f"{label} on {name}")
        times = {label: [] for label in contestants}
        labels = list(contestants)
        for round_ in range(args.rounds):
            for label in labels[round_ % len(labels):] + labels[:round_ % len(labels)]:
                times[label].append(_timed(contestants[label]))
        median = {label: statistics.median(ts) * 1e6 for label, ts in times.items()}
        line = f"{name:46} {median['numpy']:8.0f}us {median['autograd']:8.0f}us {median['autograd'] / median['numpy']:6.2f}×"
        if torch:
            line += f" {median['torch']:8.0f}us {median['torch'] / median['numpy']:6.2f}×"
        print(line)


if __name__ == "__main__":
    main()
