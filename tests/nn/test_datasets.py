import contextlib
import functools
import gzip
import hashlib
import http.server
import json
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from nn import datasets
from nn.datasets import (
    DatasetUnavailable,
    IDXError,
    download_mnist,
    load_mnist,
    load_mnist_test,
    one_hot,
    read_idx,
    regress_plane,
    spiral,
)

REAL_MNIST = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mnist"
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

CODES = {np.dtype("u1"): 0x08, np.dtype("i1"): 0x09, np.dtype("i2"): 0x0B,
         np.dtype("i4"): 0x0C, np.dtype("f4"): 0x0D, np.dtype("f8"): 0x0E}


def idx_bytes(arr):
    arr = np.asarray(arr)
    header = bytes([0, 0, CODES[arr.dtype.newbyteorder("=")], arr.ndim])
    header += struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def write_idx(path, arr, compress=False):
    data = idx_bytes(arr)
    path = Path(path)
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def real_file(name):
    path = REAL_MNIST / name
    if not path.is_file():
        pytest.skip(f"real MNIST test set not available: {path} is missing (see ../shared/data/mnist/README.md)")
    return path


# --------------------------------------------------------------------- IDX


def test_read_idx_real_mnist_test_images():
    x = read_idx(real_file("t10k-images-idx3-ubyte.gz"))
    assert x.shape == (10000, 28, 28) and x.dtype == np.uint8
    assert x.min() == 0 and x.max() == 255


def test_read_idx_real_mnist_test_labels():
    t = read_idx(real_file("t10k-labels-idx1-ubyte.gz"))
    assert t.shape == (10000,) and t.dtype == np.uint8
    assert np.bincount(t, minlength=10).tolist() == MNIST_TEST_COUNTS
    assert t[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # well-known first test digits


def test_load_mnist_test_real_files():
    real_file("t10k-images-idx3-ubyte.gz")
    real_file("t10k-labels-idx1-ubyte.gz")
    x, t = load_mnist_test(REAL_MNIST, one_hot_label=True, download=False)
    assert x.shape == (10000, 784) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() == 1.0
    assert t.shape == (10000, 10) and t.dtype == np.float32
    assert t.sum(axis=0).tolist() == MNIST_TEST_COUNTS


@pytest.mark.parametrize("dtype", ["u1", "i1", "i2", "i4", "f4", "f8"])
def test_read_idx_all_dtypes_big_endian_round_trip(tmp_path, dtype):
    arr = (np.arange(24).reshape(2, 3, 4) - 7).astype(dtype)
    if np.dtype(dtype).kind == "u":
        arr = np.arange(24, dtype=dtype).reshape(2, 3, 4)
    out = read_idx(write_idx(tmp_path / "a.idx", arr))
    assert out.shape == (2, 3, 4) and out.dtype == np.dtype(dtype)
    assert out.dtype.isnative
    np.testing.assert_array_equal(out, arr)
    out[0, 0, 0] = 1  # returned array is writable


def test_read_idx_big_endian_on_disk(tmp_path):
    # 0x0C int, 1 dim of size 2, values 1 and 258 stored big-endian
    path = tmp_path / "be.idx"
    path.write_bytes(bytes([0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 2]))
    assert read_idx(path).tolist() == [1, 258]


def test_gzip_and_raw_identical_and_detected_by_content(tmp_path):
    arr = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    raw = write_idx(tmp_path / "images.gz", arr)  # misleading name: raw bytes
    gz = write_idx(tmp_path / "images.idx", arr, compress=True)  # gzip, no .gz suffix
    a, b = read_idx(raw), read_idx(gz)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, arr)


def test_read_idx_real_gzip_equals_raw(tmp_path):
    src = real_file("t10k-labels-idx1-ubyte.gz")
    raw = tmp_path / "labels"
    raw.write_bytes(gzip.decompress(src.read_bytes()))
    np.testing.assert_array_equal(read_idx(src), read_idx(raw))


GOOD = idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3))


@pytest.mark.parametrize(
    "data, match",
    [
        (b"\x01" + GOOD[1:], "not an IDX file: magic number 0x01000802"),
        (GOOD[:2] + b"\x0a" + GOOD[3:], "unknown IDX data type code 0x0A"),
        (GOOD[:3] + b"\x00", "declares 0 dimensions"),
        (GOOD[:2], "too short"),
        (GOOD[:6], "truncated header"),
        (GOOD[:-2], r"data section is 4 bytes .* need exactly 6 bytes \(truncated: 2 bytes missing\)"),
        (GOOD + b"\x00\x00\x00", r"data section is 9 bytes .* need exactly 6 bytes \(3 trailing bytes"),
        (bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 0]), r"dimension sizes \(2, 0\) contain 0"),
        (idx_bytes(np.zeros((2, 2), np.int16))[:-1], "need exactly 8 bytes"),
        # Well formed, but more axes than a NumPy array can have.
        (bytes([0, 0, 8, 65]) + b"\x00\x00\x00\x01" * 65 + b"\x07", "65 dimensions; NumPy arrays have at most"),
    ],
    ids=["magic", "dtype", "ndim0", "short", "header", "truncated", "trailing", "zero-dim", "int16-trunc",
         "too-many-dims"],
)
@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gz"])
def test_read_idx_strict_errors(tmp_path, data, match, compress):
    path = tmp_path / "bad.idx"
    path.write_bytes(gzip.compress(data) if compress else data)
    with pytest.raises(IDXError, match=match) as err:
        read_idx(path)
    assert isinstance(err.value, ValueError)
    assert str(path) in str(err.value)


def test_read_idx_corrupt_gzip(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(gzip.compress(GOOD)[:-10])
    with pytest.raises(IDXError, match="corrupt or truncated gzip"):
        read_idx(path)


# ------------------------------------------------- hostile IDX files

BOMB_CHILD = """
import json, resource, sys, tracemalloc
import numpy
from nn.datasets import read_idx

# Cap the address space 512 MiB above what the interpreter uses now, so that a
# reader inflating a bomb fails here instead of taking the machine's memory.
vm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmSize:")) * 1024
resource.setrlimit(resource.RLIMIT_AS, (vm + (512 << 20), resource.RLIM_INFINITY))
results = {}
tracemalloc.start()
for path in sys.argv[1:]:
    tracemalloc.reset_peak()
    try:
        read_idx(path)
        outcome = ["returned", ""]
    except Exception as exc:
        outcome = [type(exc).__name__, str(exc)]
    results[path] = outcome + [tracemalloc.get_traced_memory()[1]]
print(json.dumps(results))
"""

ZEROS_16M = 16 << 20


def gzip_bomb(path, header, members=128):
    """``header`` then ``members`` x 16 MiB of zeros, as a multi-member gzip of about 16 KiB per member."""
    zeros = gzip.compress(bytes(ZEROS_16M))
    with open(path, "wb") as f:
        f.write(gzip.compress(header))
        for _ in range(members):
            f.write(zeros)
    return path


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the memory cap uses /proc and RLIMIT_AS")
def test_hostile_gzip_costs_bounded_memory(tmp_path):
    two_gib = 128  # members of 16 MiB
    images = idx_bytes(np.zeros((10, 28, 28), np.uint8))
    cases = {
        # 7,850 bytes declared, then 2 GiB of zeros: trailing garbage, found after one chunk
        "trailing": (gzip_bomb(tmp_path / "trailing.gz", images, two_gib), "at least 1048577 trailing bytes", 4 << 20),
        # 64 GiB declared: refused from the header alone
        "over-limit": (gzip_bomb(tmp_path / "over.gz", bytes([0, 0, 8, 3]) + struct.pack(">3I", 1 << 16, 1 << 16, 16),
                                 two_gib), "more than max_bytes=1073741824", 1 << 20),
        # 47 MB declared (the MNIST training images' size) over 2 GiB: memory stays near the declared size
        "mnist-sized": (gzip_bomb(tmp_path / "big.gz", bytes([0, 0, 8, 3]) + struct.pack(">3I", 60000, 28, 28),
                                  two_gib), "trailing bytes after the data", 60 << 20),
        # 100 MB declared, 1 KB present
        "short": (gzip_bomb(tmp_path / "short.gz", bytes([0, 0, 8, 1]) + struct.pack(">I", 100_000_000) + bytes(1000),
                            0), "truncated: 99999000 bytes missing", 2 << 20),
    }
    for path, _, _ in cases.values():
        assert path.stat().st_size < 3 << 20
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", BOMB_CHILD, *(str(p) for p, _, _ in cases.values())],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    for case, (path, match, bound) in cases.items():
        kind, message, peak = results[str(path)]
        assert kind == "IDXError", (case, kind, message)
        assert match in message and str(path) in message, (case, message)
        assert peak < bound, (case, peak, bound)


def test_raw_file_size_is_checked_before_reading(tmp_path):
    path = tmp_path / "raw.idx"
    path.write_bytes(bytes([0, 0, 8, 1]) + struct.pack(">I", 4_000_000_000) + bytes(10))
    with pytest.raises(IDXError, match=r"data section is 10 bytes .* need exactly 4000000000 bytes "
                                       r"\(truncated: 3999999990 bytes missing\)"):
        read_idx(path)
    # 10 bytes declared in a (sparse) 64 MiB file: refused without reading it
    path.write_bytes(idx_bytes(np.arange(10, dtype=np.uint8)))
    with open(path, "r+b") as f:
        f.truncate(64 << 20)
    tracemalloc.start()
    try:
        with pytest.raises(IDXError, match=rf"{(64 << 20) - 8 - 10} trailing bytes"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_read_idx_max_bytes(tmp_path):
    path = write_idx(tmp_path / "a.gz", np.zeros((4, 5), np.int16), compress=True)
    assert read_idx(path, max_bytes=40).shape == (4, 5)
    with pytest.raises(IDXError, match=r"40 bytes of data, more than max_bytes=39; .*read_idx\(\.\.\., max_bytes=40\)"):
        read_idx(path, max_bytes=39)
    with pytest.raises(ValueError, match="max_bytes must be an integer >= 0"):
        read_idx(path, max_bytes=-1)


# ------------------------------------------------------------ load_mnist


def make_mnist_dir(directory, n_train=6, n_test=4, compress=True, seed=0):
    """Write small synthetic MNIST files; return the arrays written."""
    rng = np.random.default_rng(seed)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train).astype(np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test).astype(np.uint8),
    }
    for i, (name, arr) in enumerate(arrays.items()):
        gz = compress if isinstance(compress, bool) else compress[i]
        write_idx(directory / (name + ".gz" if gz else name), arr, compress=gz)
    return arrays


def test_load_mnist_defaults(tmp_path):
    arrays = make_mnist_dir(tmp_path, compress=[True, False, False, True])
    (x_train, t_train), (x_test, t_test) = load_mnist(data_dir=tmp_path, download=False)
    assert x_train.shape == (6, 784) and x_train.dtype == np.float32
    assert x_test.shape == (4, 784)
    np.testing.assert_allclose(x_train, arrays["train-images-idx3-ubyte"].reshape(6, 784) / 255.0, rtol=1e-6)
    assert t_train.dtype == np.int64 and t_train.shape == (6,)
    np.testing.assert_array_equal(t_train, arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(t_test, arrays["t10k-labels-idx1-ubyte"])


def test_load_mnist_all_options(tmp_path):
    arrays = make_mnist_dir(tmp_path)
    (x_train, t_train), (x_test, t_test) = load_mnist(
        normalize=False, flatten=False, one_hot_label=True, data_dir=str(tmp_path), download=False
    )
    assert x_train.dtype == np.uint8 and x_train.shape == (6, 1, 28, 28)
    np.testing.assert_array_equal(x_train[:, 0], arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(x_test[:, 0], arrays["t10k-images-idx3-ubyte"])
    assert t_train.shape == (6, 10) and t_train.dtype == np.float32
    np.testing.assert_array_equal(t_train.argmax(axis=1), arrays["train-labels-idx1-ubyte"])
    assert (t_train.sum(axis=1) == 1).all() and set(np.unique(t_train)) == {0.0, 1.0}

    (x_n, _), _ = load_mnist(normalize=True, flatten=False, data_dir=tmp_path, download=False)
    assert x_n.shape == (6, 1, 28, 28) and x_n.dtype == np.float32
    assert 0.0 <= x_n.min() and x_n.max() <= 1.0
    np.testing.assert_allclose(x_n * 255.0, x_train.astype(np.float32), atol=1e-4)


def test_load_mnist_uses_env_cache_dir(tmp_path, monkeypatch):
    arrays = make_mnist_dir(tmp_path / "cache")
    monkeypatch.setenv("BACKPROP_GRAPH_DATA", str(tmp_path / "cache"))
    assert datasets.mnist_cache_dir() == tmp_path / "cache"
    (_, t_train), _ = load_mnist(download=False)
    np.testing.assert_array_equal(t_train, arrays["train-labels-idx1-ubyte"])
    # load_mnist_test reads the same cache when no directory is given, as its docstring says
    _, t_test = load_mnist_test(download=False)
    np.testing.assert_array_equal(t_test, arrays["t10k-labels-idx1-ubyte"])


def test_default_cache_dir(monkeypatch):
    monkeypatch.delenv("BACKPROP_GRAPH_DATA", raising=False)
    assert datasets.mnist_cache_dir() == Path.home() / ".cache" / "backprop-graph" / "mnist"


def test_load_mnist_test_only_needs_test_files(tmp_path):
    arrays = make_mnist_dir(tmp_path)
    for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]:
        (tmp_path / name).unlink()
    x, t = load_mnist_test(tmp_path, normalize=False, download=False)
    assert x.shape == (4, 784) and x.dtype == np.uint8
    np.testing.assert_array_equal(t, arrays["t10k-labels-idx1-ubyte"])
    with pytest.raises(DatasetUnavailable, match="train-images-idx3-ubyte"):
        load_mnist(data_dir=tmp_path, download=False)


def test_load_mnist_rejects_swapped_or_inconsistent_files(tmp_path):
    arrays = make_mnist_dir(tmp_path, compress=False)
    # labels file where the images file should be
    write_idx(tmp_path / "t10k-images-idx3-ubyte", arrays["t10k-labels-idx1-ubyte"])
    with pytest.raises(IDXError, match=r"expected uint8 images of shape \(N, rows, cols\)"):
        load_mnist(data_dir=tmp_path, download=False)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", arrays["train-images-idx3-ubyte"])  # 6 images, 4 labels
    with pytest.raises(IDXError, match="has 6 images but .* has 4 labels"):
        load_mnist(data_dir=tmp_path, download=False)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", arrays["t10k-images-idx3-ubyte"])
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.array([1, 2, 3, 12], np.uint8))
    with pytest.raises(IDXError, match="labels must be digits 0-9, found 12"):
        load_mnist(data_dir=tmp_path, download=False)


def test_missing_files_without_download_names_directory(tmp_path):
    with pytest.raises(DatasetUnavailable) as err:
        load_mnist(data_dir=tmp_path / "empty", download=False)
    e = err.value
    assert isinstance(e, RuntimeError)
    assert e.directory == tmp_path / "empty"
    assert len(e.missing) == 4
    assert f"into\n  {tmp_path / 'empty'}" in str(e)


# ---------------------------------------------------------------- one_hot


def test_one_hot():
    out = one_hot([2, 0, 1], 4)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]])
    assert one_hot(np.array([[1], [3]])).shape == (2, 1, 4)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]"):
        one_hot([0, 3], 3)
    with pytest.raises(ValueError, match=r"labels must lie in"):
        one_hot([-1, 0], 3)
    with pytest.raises(TypeError, match="labels must be integers"):
        one_hot([0.5, 1.0])


# --------------------------------------------------------------- download


class MirrorHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the files under the root; the first path segment picks a behaviour.

    ``/good/`` and ``/bad/`` are plain directories.  The others serve the
    good file ``NAME`` badly: ``/trickle/`` one byte per 0.2 s after honest
    headers, ``/slow-headers/`` the status line and headers one byte per
    0.2 s, ``/endless/`` zeros without a length (stopping at 64 MiB, the
    most any test may take), ``/liar-big/`` a Content-Length of a gigabyte,
    ``/hang-half/`` half the file and then nothing, ``/cut-half/`` half the
    file and then a closed connection, ``/redirect-endless/`` a redirect to
    ``/good/`` with an endless body.  Every slow loop ends when the
    client goes away or the server stops.
    """

    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def do_GET(self):
        mode, _, name = self.path.strip("/").partition("/")
        handler = getattr(self, "serve_" + mode.replace("-", "_"), None)
        if handler is None:
            return super().do_GET()
        data = (Path(self.directory) / "good" / name).read_bytes()
        try:
            handler(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def waited(self, seconds):
        """Sleep; False if the server is stopping."""
        return not self.server.stopping.wait(seconds)

    def send_headers(self, length):
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.flush()

    def trickle(self, data):
        for i in range(len(data)):
            if not self.waited(0.2):
                return
            self.wfile.write(data[i:i + 1])
            self.wfile.flush()

    def serve_trickle(self, data):
        self.send_headers(len(data))
        self.trickle(data)

    def serve_slow_headers(self, data):
        self.trickle(b"HTTP/1.0 200 OK\r\nX-Padding: " + b"a" * 100_000 + b"\r\n\r\n")

    def serve_endless(self, data):
        self.send_headers(None)
        self.serve_endless_body()

    def serve_endless_body(self):
        chunk = bytes(1 << 16)
        for _ in range(1024):
            self.wfile.write(chunk)

    def serve_liar_big(self, data):
        self.send_headers(1 << 30)
        self.wfile.write(data)

    def serve_hang_half(self, data):
        self.send_headers(len(data))
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.waited(30)

    def serve_redirect_endless(self, data):
        self.send_response(302)
        self.send_header("Location", "/good/" + self.path.rsplit("/", 1)[1])
        self.end_headers()
        self.serve_endless_body()

    def serve_cut_half(self, data):
        self.send_headers(len(data))
        self.wfile.write(data[: len(data) // 2])


@contextlib.contextmanager
def serve(directory):
    handler = functools.partial(MirrorHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.stopping = threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A local web server (:class:`MirrorHandler`) with synthetic MNIST .gz files; /bad/ has corrupt ones."""
    root = tmp_path / "www"
    arrays = make_mnist_dir(root / "good")
    (root / "bad").mkdir()
    digests, sizes = {}, {}
    for name in arrays:
        data = (root / "good" / f"{name}.gz").read_bytes()
        digests[f"{name}.gz"] = hashlib.sha256(data).hexdigest()
        sizes[f"{name}.gz"] = len(data)
        (root / "bad" / f"{name}.gz").write_bytes(data[:-5] + b"XXXXX")
    monkeypatch.setattr(datasets, "MNIST_SHA256", digests)
    monkeypatch.setattr(datasets, "MNIST_SIZES", sizes)
    with serve(root) as base:
        yield base, arrays


def test_download_success_is_atomic(tmp_path, mirror):
    base, arrays = mirror
    dest = tmp_path / "dl"
    paths = download_mnist(dest, mirrors=[base + "/good/"])
    assert sorted(os.listdir(dest)) == sorted(f"{n}.gz" for n in arrays)  # no temp files left
    for name, arr in arrays.items():
        assert paths[name] == dest / f"{name}.gz"
        np.testing.assert_array_equal(read_idx(paths[name]), arr)
    # a second call finds the files and does not need any mirror
    assert download_mnist(dest, mirrors=[]) == paths


def test_corrupt_mirror_is_skipped_for_next(tmp_path, mirror):
    base, arrays = mirror
    dest = tmp_path / "dl"
    missing_mirror = base + "/nothing-here/"
    paths = download_mnist(dest, mirrors=[base + "/bad/", missing_mirror, base + "/good/"],
                           names=["t10k-labels-idx1-ubyte"])
    assert os.listdir(dest) == ["t10k-labels-idx1-ubyte.gz"]
    np.testing.assert_array_equal(read_idx(paths["t10k-labels-idx1-ubyte"]), arrays["t10k-labels-idx1-ubyte"])


def test_all_mirrors_fail(tmp_path, mirror):
    base, _ = mirror
    dest = tmp_path / "dl"
    dead = closed_port_url()
    with pytest.raises(DatasetUnavailable) as err:
        download_mnist(dest, mirrors=[base + "/bad/", dead, base + "/nothing-here/"])
    e = err.value
    msg = str(e)
    assert os.listdir(dest) == []  # corrupt downloads were discarded, no temp files
    assert e.directory == dest and f"into\n  {dest}" in msg
    assert len(e.missing) == 4
    for name in e.missing:
        assert f"missing: {name}.gz" in msg
    assert "SHA-256 mismatch" in msg
    assert "HTTP 404" in msg
    assert "cannot connect" in msg
    # the unreachable mirror is tried once, then skipped for the other files
    assert msg.count("skipped, mirror unreachable earlier") == 3
    assert len(e.errors) == 12


def test_load_mnist_downloads_into_cache(tmp_path, mirror, monkeypatch):
    base, arrays = mirror
    cache = tmp_path / "cache" / "mnist"
    monkeypatch.setenv("BACKPROP_GRAPH_DATA", str(cache))
    monkeypatch.setattr(datasets, "MNIST_MIRRORS", [closed_port_url(), base + "/good/"])
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=False)
    assert sorted(os.listdir(cache)) == sorted(f"{n}.gz" for n in arrays)
    np.testing.assert_array_equal(x_test.reshape(-1, 28, 28), arrays["t10k-images-idx3-ubyte"])
    np.testing.assert_array_equal(t_train, arrays["train-labels-idx1-ubyte"])


def test_download_only_fetches_missing(tmp_path, mirror):
    base, arrays = mirror
    dest = tmp_path / "dl"
    dest.mkdir()
    # raw local copy of one file: found on disk, not checksummed, not downloaded
    write_idx(dest / "t10k-labels-idx1-ubyte", arrays["t10k-labels-idx1-ubyte"])
    paths = download_mnist(dest, mirrors=[base + "/good/"])
    assert paths["t10k-labels-idx1-ubyte"] == dest / "t10k-labels-idx1-ubyte"
    assert not (dest / "t10k-labels-idx1-ubyte.gz").exists()
    assert len(os.listdir(dest)) == 4


def failing_load(dest, mirrors, timeout):
    """load_mnist that must fail: returns the error and the seconds it took."""
    start = time.monotonic()
    with pytest.raises(DatasetUnavailable) as err:
        load_mnist(data_dir=dest, mirrors=mirrors, timeout=timeout)
    return err.value, time.monotonic() - start


@pytest.mark.parametrize("mode", ["trickle", "slow-headers", "hang-half"])
def test_stalling_server_fails_within_the_deadline(tmp_path, mirror, mode):
    base, _ = mirror
    dest = tmp_path / "dl"
    e, seconds = failing_load(dest, [base + f"/{mode}/"], timeout=1.0)
    msg = str(e)
    assert msg.count("timed out: no complete file within the 1 s deadline") == 1, msg
    assert msg.count("skipped, mirror unreachable earlier: timed out (1 s deadline)") == 3  # one deadline, not four
    assert seconds < 6.0  # 1 s deadline; without one, this server takes minutes
    assert os.listdir(dest) == []
    if mode == "hang-half":
        size = datasets.MNIST_SIZES["train-images-idx3-ubyte.gz"]
        assert f"({size // 2} of {size} bytes received)" in msg


def test_a_socket_timeout_before_the_timer_counts_as_the_deadline(tmp_path, mirror, monkeypatch):
    # On a busy machine the one-read socket timeout can fire before the timer does.
    monkeypatch.setattr(datasets._Deadline, "_expire", lambda self: None)
    base, _ = mirror
    e, _ = failing_load(tmp_path / "dl", [base + "/hang-half/"], timeout=0.5)
    msg = str(e)
    assert msg.count("timed out: no complete file within the 0.5 s deadline") == 1, msg
    assert msg.count("skipped, mirror unreachable earlier: timed out (0.5 s deadline)") == 3


@pytest.mark.parametrize(
    "mode, match",
    [
        ("endless", "the body is longer than the expected {size} bytes; download stopped"),
        ("liar-big", "the server announces 1073741824 bytes (Content-Length) but the file has {size}"),
        ("cut-half", "the body ended after {half} of the expected {size} bytes"),
    ],
)
def test_server_sending_the_wrong_size_is_refused(tmp_path, mirror, monkeypatch, mode, match):
    base, _ = mirror
    dest = tmp_path / "dl"
    written = {}
    real_atomic_write = datasets.atomic_write

    @contextlib.contextmanager
    def measured_atomic_write(path):
        with real_atomic_write(path) as f:
            try:
                yield f
            finally:
                written[Path(path).name] = f.tell()

    monkeypatch.setattr(datasets, "atomic_write", measured_atomic_write)
    e, seconds = failing_load(dest, [base + f"/{mode}/"], timeout=30.0)
    size = datasets.MNIST_SIZES["train-images-idx3-ubyte.gz"]
    assert match.format(size=size, half=size // 2) in str(e)
    assert len(e.errors) == 4 and seconds < 10.0  # cut off at the size, not at the 30 s deadline
    assert os.listdir(dest) == []
    for name, n in written.items():  # the disk never held more than the file's size
        assert n <= datasets.MNIST_SIZES[name], (name, n)
    assert len(written) == (0 if mode == "liar-big" else 4)


def test_hostile_mirrors_then_a_good_one(tmp_path, mirror):
    base, arrays = mirror
    dest = tmp_path / "dl"
    hostile = [base + f"/{mode}/" for mode in ["trickle", "endless", "liar-big", "cut-half"]]
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=False, data_dir=dest, timeout=1.0,
                                                      mirrors=hostile + [base + "/good/"])
    np.testing.assert_array_equal(x_train.reshape(-1, 28, 28), arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(t_test, arrays["t10k-labels-idx1-ubyte"])
    assert sorted(os.listdir(dest)) == sorted(f"{n}.gz" for n in arrays)
    assert (dest / "t10k-labels-idx1-ubyte.gz").stat().st_mode & 0o777 == 0o666 & ~current_umask()


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_load_mnist_test_takes_mirrors_and_timeout(tmp_path, mirror):
    base, arrays = mirror
    x, t = load_mnist_test(tmp_path / "dl", mirrors=[base + "/good/"], timeout=5)
    np.testing.assert_array_equal(t, arrays["t10k-labels-idx1-ubyte"])
    assert sorted(os.listdir(tmp_path / "dl")) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


@pytest.mark.parametrize("timeout", [0, -1.0, float("inf"), float("nan"), True, "10"])
def test_bad_timeout(tmp_path, timeout):
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds"):
        load_mnist(data_dir=tmp_path, timeout=timeout, download=False)


def test_mirrors_must_be_a_list(tmp_path):
    with pytest.raises(TypeError, match=r"write mirrors=\[\.\.\.\]"):
        download_mnist(tmp_path, mirrors="http://127.0.0.1/mnist/")


def test_download_removes_temporaries_of_killed_downloads(tmp_path, mirror):
    base, _ = mirror
    dest = tmp_path / "dl"
    dest.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    stale = dest / f".t10k-labels-idx1-ubyte.gz.{int(gone.stdout)}.k1ll3d.tmp"
    stale.write_bytes(b"half a download")
    download_mnist(dest, mirrors=[base + "/good/"], names=["t10k-labels-idx1-ubyte"])
    assert os.listdir(dest) == ["t10k-labels-idx1-ubyte.gz"]


def test_redirect_body_is_not_read(tmp_path, mirror):
    base, arrays = mirror
    dest = tmp_path / "dl"
    tracemalloc.start()
    try:
        paths = download_mnist(dest, mirrors=[base + "/redirect-endless/"], names=["t10k-labels-idx1-ubyte"], timeout=10)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(read_idx(paths["t10k-labels-idx1-ubyte"]), arrays["t10k-labels-idx1-ubyte"])
    assert peak < 8 << 20  # urllib alone reads the whole redirect body into memory


def test_https_mirror_that_never_answers_times_out(tmp_path):
    # A TCP listener that accepts and stays silent: the TLS handshake stalls.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        e, seconds = failing_load(tmp_path / "dl", [f"https://127.0.0.1:{port}/mnist/"], timeout=0.5)
    msg = str(e)
    assert "timed out" in msg and msg.count("skipped, mirror unreachable earlier") == 3, msg
    assert seconds < 5.0


# ----------------------------------------------------------------- spiral


def test_spiral_shapes_balance_and_determinism():
    x, t = spiral()
    assert x.shape == (300, 2) and x.dtype == np.float64
    assert t.shape == (300,) and t.dtype == np.int64
    assert np.bincount(t).tolist() == [100, 100, 100]
    assert (np.linalg.norm(x, axis=1) <= 1.0 + 1e-12).all()
    x2, t2 = spiral()
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(t, t2)
    x3, _ = spiral(seed=1)
    assert not np.array_equal(x, x3)
    x4, t4 = spiral(n_per_class=7, n_classes=5)
    assert x4.shape == (35, 2) and np.bincount(t4).tolist() == [7] * 5


def test_spiral_without_noise_lies_on_the_arms():
    x, t = spiral(n_per_class=50, noise=0.0, shuffle=False)
    r = np.linalg.norm(x, axis=1)
    np.testing.assert_allclose(np.sort(r[t == 0]), np.linspace(0, 1, 50), atol=1e-12)
    keep = r > 0
    angle = np.arctan2(x[keep, 0], x[keep, 1])  # x = r sin(theta), y = r cos(theta)
    expected = 4.0 * t[keep] + 4.0 * r[keep]
    diff = np.angle(np.exp(1j * (angle - expected)))  # wrap to (-pi, pi]
    np.testing.assert_allclose(diff, 0.0, atol=1e-9)


def test_spiral_does_not_touch_global_rng():
    state = np.random.get_state()
    spiral()
    assert np.array_equal(np.random.get_state()[1], state[1])


@pytest.mark.parametrize("kwargs", [{"n_per_class": 0}, {"n_classes": 1.5}, {"noise": -1.0}])
def test_spiral_bad_args(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        spiral(**kwargs)


# ---------------------------------------------------------- regress_plane


def test_regress_plane_shapes_range_and_target():
    pytest.importorskip("plygdata", reason="playground-data is an optional dependency")
    (x_tr, y_tr), (x_te, y_te) = regress_plane(n=200)
    assert x_tr.shape == (100, 2) and y_tr.shape == (100, 1)
    assert x_te.shape == (100, 2) and y_te.shape == (100, 1)
    for x, y in [(x_tr, y_tr), (x_te, y_te)]:
        assert x.dtype == np.float64 and y.dtype == np.float64
        assert (np.abs(x) <= 6.0).all()
        assert (-1.0 <= y).all() and (y <= 1.0).all()
        # RegressPlane without noise: y = (x1 + x2) / 10, clipped to [-1, 1]
        np.testing.assert_allclose(y[:, 0], np.clip(x.sum(axis=1) / 10.0, -1.0, 1.0), atol=1e-12)
    # train and test are disjoint halves of one sample
    assert not (x_tr[:, None, :] == x_te[None, :, :]).all(axis=2).any()


def test_regress_plane_deterministic_and_restores_global_rngs():
    pytest.importorskip("plygdata", reason="playground-data is an optional dependency")
    np.random.seed(123)
    random.seed(456)
    np_before, py_before = np.random.get_state(), random.getstate()
    a = regress_plane(n=50, noise=0.2, seed=7)
    assert random.getstate() == py_before
    assert np.array_equal(np.random.get_state()[1], np_before[1])
    b = regress_plane(n=50, noise=0.2, seed=7)
    c = regress_plane(n=50, noise=0.2, seed=8)
    for (xa, ya), (xb, yb) in zip(a, b):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(a[0][0], c[0][0])


def test_regress_plane_sizes_and_clip_option():
    pytest.importorskip("plygdata", reason="playground-data is an optional dependency")
    (x_tr, _), (x_te, _) = regress_plane(n=1500, test_ratio=0.2)  # more than one batch of 1200
    assert len(x_tr) == 1200 and len(x_te) == 300
    (_, y_raw), _ = regress_plane(n=1500, clip=False, test_ratio=0.0)
    assert y_raw.shape == (1500, 1)
    assert np.abs(y_raw).max() > 1.0  # the package itself goes past [-1, 1] at the corners


@pytest.mark.parametrize("kwargs, match", [({"n": 0}, "n must be"), ({"test_ratio": 1.5}, "test_ratio"),
                                           ({"noise": -0.1}, "noise"), ({"seed": -1}, "seed")])
def test_regress_plane_bad_args(kwargs, match):
    pytest.importorskip("plygdata", reason="playground-data is an optional dependency")
    with pytest.raises(ValueError, match=match):
        regress_plane(**kwargs)


def test_regress_plane_without_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "plygdata", None)  # makes `import plygdata` fail
    with pytest.raises(ImportError, match=r"pip install 'backprop-graph\[demos\]'"):
        regress_plane()
