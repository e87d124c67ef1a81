"""The sigmoid as four nodes, and as one (SEEDS §5).

y = 1 / (1 + exp(−x)) is drawn as × −1 → exp → + 1 → 1/x. Backward through the
four nodes gives (∂L/∂y) · y² · exp(−x), which simplifies to (∂L/∂y) · y(1 − y):
the whole group can be one node whose backward needs only its output y.

Run: python demos/sigmoid.py [x] [upstream]
"""

import math
import sys

import autograd
from autograd import Value


def four_nodes(x, upstream):
    """Build the decomposition step by step and return every intermediate node."""
    vx = Value(x, name="x")
    with autograd.group("sigmoid"):
        negated = -vx
        exponential = negated.exp()
        plus_one = exponential + 1
        y = 1 / plus_one
    y.backward(upstream)
    return vx, negated, exponential, plus_one, y


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    x = float(args[0]) if args else 0.5
    upstream = float(args[1]) if len(args) > 1 else 1.0

    vx, negated, exponential, plus_one, y = four_nodes(x, upstream)
    print(f"forward:  x = {x} -> x(-1) = {negated.data:.6g} -> exp = {exponential.data:.6g} "
          f"-> +1 = {plus_one.data:.6g} -> 1/x = y = {y.data:.6g}")
    print(f"backward from dL/dy = {upstream}:")
    print(f"  '/' node:   -dL/dy * y^2            = {plus_one.grad:.6g}")
    print(f"  '+' node:   unchanged               = {exponential.grad:.6g}")
    print(f"  'exp' node: -dL/dy * y^2 * exp(-x)  = {negated.grad:.6g}")
    print(f"  'x -1':     dL/dy * y^2 * exp(-x)   = {vx.grad:.6g}")

    fused_x = Value(x)
    fused = fused_x.sigmoid()
    fused.backward(upstream)
    closed = upstream * fused.data * (1 - fused.data)
    print(f"one sigmoid node: dL/dy * y(1 - y) = {closed:.6g}; backward gives {fused_x.grad:.6g}")
    assert math.isclose(vx.grad, fused_x.grad, rel_tol=1e-12)
    print("Draw both:  python -m viz demo sigmoid -o sigmoid.svg")


if __name__ == "__main__":
    main()
