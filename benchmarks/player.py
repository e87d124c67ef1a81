"""The step-by-step player on a 100-operation graph: frames made and written as HTML.

    python benchmarks/player.py [--operations 100] [--rounds 3]

Prints the seconds ``viz.animate(output, "steps.html")`` takes (steps, one
Graphviz layout, every frame's SVG, the page written), the median over
rounds, and beside it what rendering each frame with Graphviz would cost (a
few frames rendered, the rest extrapolated), with the ratio. The target is
under 5 s for 100 operations.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import viz  # noqa: E402
from autograd import Value  # noqa: E402
from viz.steps import walkthrough  # noqa: E402


def graph(operations):
    """A chain of tanh(0.9·y + x) steps: ``operations`` operations in all."""
    x = Value(0.3, name="x")
    y = x
    for _ in range(operations // 3):
        y = (0.9 * y + x).tanh()
    for _ in range(operations % 3):
        y = y * 1.01
    y.name = "y"
    return y


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sampled", type=int, default=4, help="frames rendered one by one for the comparison")
    args = parser.parse_args()
    output = graph(args.operations)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "steps.html"
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            viz.animate(output, path, collapse=False)
            times.append(time.perf_counter() - start)
        size = path.stat().st_size
    walk = walkthrough(output, collapse=False)
    frames = len(walk.steps)
    start = time.perf_counter()
    for number in range(0, frames, max(1, frames // args.sampled))[: args.sampled]:
        walk.frame(number).pipe(format="svg")
    per_frame = (time.perf_counter() - start) / args.sampled
    ours = statistics.median(times)
    naive = per_frame * frames
    print(f"graph: {args.operations} operations, {len(walk.scene.items)} boxes, {frames} frames")
    print(f"viz.animate to .html: {ours:.2f} s (median of {args.rounds}; {size / 1e6:.1f} MB page)")
    print(f"one Graphviz run per frame instead: {naive:.1f} s ({per_frame * 1000:.0f} ms a frame, extrapolated)")
    print(f"ratio: {naive / ours:.1f}x faster; target under 5 s: {'met' if ours < 5 else 'MISSED'}")


if __name__ == "__main__":
    main()
