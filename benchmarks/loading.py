"""The checked readers against the one-shot way of reading the same files, side by side.

    python benchmarks/loading.py [--rounds 15] [--data-dir ../shared/data/mnist]

- ``read_idx`` (header first, the declared data inflated in 1 MiB chunks)
  against ``gzip.decompress`` of the whole file and ``np.frombuffer``, on the
  MNIST test images (the real file when ``--data-dir`` has it, otherwise a
  synthetic file of the same shape);
- ``load_params`` (every ``.npy`` header checked before any data is read)
  against ``np.load(..., allow_pickle=False)``, on a 784-50-10 network's
  checkpoint and on a 4096 x 4096 float64 array.

Each round times every contestant once, in an order that rotates from round
to round; the figure is the median over the rounds.  Ratios are checked
reader / one-shot reader (above 1 means the checks cost time).
"""

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nn.checkpoint import load_params, save_params  # noqa: E402
from nn.datasets import read_idx  # noqa: E402

IMAGES = "t10k-images-idx3-ubyte.gz"


def one_shot_idx(path):
    data = gzip.decompress(Path(path).read_bytes())
    ndim = data[3]
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def one_shot_npz(path):
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def median_seconds(pairs, rounds):
    times = {name: [] for name, _ in pairs}
    for r in range(rounds):
        for name, fn in pairs[r % len(pairs):] + pairs[: r % len(pairs)]:
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        images = Path(args.data_dir) / IMAGES
        if not images.is_file():
            rng = np.random.default_rng(0)
            header = bytes([0, 0, 8, 3]) + b"".join(n.to_bytes(4, "big") for n in (10000, 28, 28))
            images = tmp / IMAGES
            images.write_bytes(gzip.compress(header + rng.integers(0, 256, 10000 * 784, np.uint8).tobytes()))
        rng = np.random.default_rng(0)
        mlp = save_params({"W1": rng.random((784, 50)), "b1": rng.random(50), "W2": rng.random((50, 10)),
                           "b2": rng.random(10)}, tmp / "mlp.npz")
        big = save_params({"W": rng.random((4096, 4096))}, tmp / "big.npz")

        cases = [
            (f"{images.name} ({'real' if images.parent != tmp else 'synthetic'})",
             lambda: read_idx(images), lambda: one_shot_idx(images)),
            ("784-50-10 checkpoint", lambda: load_params(mlp), lambda: one_shot_npz(mlp)),
            ("4096 x 4096 float64 checkpoint", lambda: load_params(big), lambda: one_shot_npz(big)),
        ]
        print(f"{'file':34} {'checked':>10} {'one-shot':>10} {'ratio':>7}")
        for label, checked, plain in cases:
            a, b = checked(), plain()
            if isinstance(a, dict):
                assert a.keys() == b.keys()
                a, b = np.concatenate([v.ravel() for v in a.values()]), np.concatenate([v.ravel() for v in b.values()])
            np.testing.assert_array_equal(a, b)  # the same numbers before any timing
            t = median_seconds([("checked", checked), ("plain", plain)], args.rounds)
            print(f"{label:34} {t['checked'] * 1e3:8.2f}ms {t['plain'] * 1e3:8.2f}ms {t['checked'] / t['plain']:7.2f}")


if __name__ == "__main__":
    main()
