"""The sigmoid as four nodes, and as one (SEEDS §5).

y = 1 / (1 + exp(−x)) is drawn as × −1 → exp → + 1 → 1/x. Backward through the
four nodes gives (∂L/∂y) · y² · exp(−x), which simplifies to (∂L/∂y) · y(1 − y):
the whole group can be one node whose backward needs only its output y.

    python demos/sigmoid.py [x] [upstream]      # defaults: x = 0.5, upstream dL/dy = 1
"""

import argparse
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


def finite_number(text):
    """argparse type: a finite float, else a one-line error naming the text."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="The sigmoid as four nodes (× −1, exp, + 1, 1/x) and as one, with every node's gradient.")
    parser.add_argument("x", nargs="?", type=finite_number, default=0.5, help="the input (default 0.5)")
    parser.add_argument("upstream", nargs="?", type=finite_number, default=1.0,
                        help="the gradient dL/dy arriving from above (default 1.0)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    x, upstream = args.x, args.upstream

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
    if not math.isclose(vx.grad, fused_x.grad, rel_tol=1e-9, abs_tol=1e-12 * max(1.0, abs(upstream))):
        print(f"the four nodes fail at x = {x:g}: exp(-x) = {exponential.data:.6g} overflows, so "
              f"y^2 * exp(-x) is 0 * inf = {vx.grad:.6g}; one sigmoid node, which needs only y, "
              f"gives {fused_x.grad:.6g}", file=sys.stderr)
        return 1
    print("Draw both:  python -m viz demo sigmoid -o sigmoid.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
