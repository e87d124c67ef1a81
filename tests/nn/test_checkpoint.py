import io
import os
import signal
import subprocess
import sys
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nn.checkpoint import CHECKPOINT_MAX_BYTES, CheckpointMismatch, load_params, save_params


class Net:
    """Stand-in for TwoLayerNet: a .params dict whose arrays layers share."""

    def __init__(self, sizes=(4, 3, 2), seed=0):
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": rng.standard_normal((sizes[0], sizes[1])),
            "b1": np.zeros(sizes[1]),
            "W2": rng.standard_normal((sizes[1], sizes[2])),
            "b2": np.zeros(sizes[2]),
        }


def test_round_trip_dict(tmp_path):
    params = {
        "W": np.arange(6, dtype=np.float32).reshape(2, 3),
        "b": np.array([1.5, -2.5]),
        "step": np.array(7, dtype=np.int64),
        "file": np.ones(1),  # a name numpy.savez could not take as a keyword
    }
    path = save_params(params, tmp_path / "ckpt.npz")
    assert path == tmp_path / "ckpt.npz" and path.is_file()
    loaded = load_params(path)
    assert set(loaded) == set(params)
    for k, v in params.items():
        assert loaded[k].dtype == v.dtype and loaded[k].shape == v.shape
        np.testing.assert_array_equal(loaded[k], v)
    # it is a standard .npz: plain numpy reads it too
    with np.load(path, allow_pickle=False) as z:
        np.testing.assert_array_equal(z["W"], params["W"])


def test_round_trip_object_with_params_and_exact_path(tmp_path):
    net = Net()
    path = tmp_path / "weights.bin"  # no suffix is added
    save_params(net, path)
    assert os.listdir(tmp_path) == ["weights.bin"]
    loaded = load_params(path)
    for k in net.params:
        np.testing.assert_array_equal(loaded[k], net.params[k])


def test_load_into_copies_in_place(tmp_path):
    src, dst = Net(seed=1), Net(seed=2)
    save_params(src, tmp_path / "p.npz")
    shared = dst.params["W1"]  # e.g. held by an Affine layer
    ids = {k: id(v) for k, v in dst.params.items()}
    out = load_params(tmp_path / "p.npz", into=dst)
    assert out is dst.params
    assert {k: id(v) for k, v in dst.params.items()} == ids
    np.testing.assert_array_equal(shared, src.params["W1"])
    for k in src.params:
        np.testing.assert_array_equal(dst.params[k], src.params[k])


def test_load_into_dict_casts_to_target_dtype(tmp_path):
    save_params({"w": np.array([0.1, 0.2])}, tmp_path / "p.npz")
    target = {"w": np.zeros(2, dtype=np.float32)}
    arr = target["w"]
    load_params(tmp_path / "p.npz", into=target)
    assert target["w"] is arr and arr.dtype == np.float32
    np.testing.assert_allclose(arr, [0.1, 0.2], rtol=1e-6)


def test_mismatch_lists_every_problem_and_loads_nothing(tmp_path):
    saved = {
        "W1": np.zeros((4, 3)),
        "b1": np.zeros(5),  # wrong shape
        "W2": np.zeros((2, 3)),  # wrong shape (transposed)
        "extra": np.zeros(1),  # unexpected
        "gamma": np.zeros(3),  # unexpected
    }  # b2 and beta are missing
    save_params(saved, tmp_path / "p.npz")
    net = Net()
    net.params["beta"] = np.ones(3)
    before = {k: v.copy() for k, v in net.params.items()}
    with pytest.raises(CheckpointMismatch) as err:
        load_params(tmp_path / "p.npz", into=net)
    e = err.value
    assert isinstance(e, ValueError)
    assert e.missing == ["b2", "beta"]
    assert e.unexpected == ["extra", "gamma"]
    assert e.shape_mismatches == [("b1", (3,), (5,)), ("W2", (3, 2), (2, 3))]
    msg = str(e)
    for fragment in [
        "missing from the checkpoint: 'b2', 'beta'",
        "unexpected in the checkpoint: 'extra', 'gamma'",
        "shape mismatch for 'b1': expected (3,), found (5,)",
        "shape mismatch for 'W2': expected (3, 2), found (2, 3)",
        str(tmp_path / "p.npz"),
    ]:
        assert fragment in msg
    # W1 matched, but nothing is copied when anything mismatches
    for k, v in before.items():
        np.testing.assert_array_equal(net.params[k], v)


def test_unsafe_dtype_is_a_mismatch(tmp_path):
    save_params({"n": np.array([1.5, 2.5])}, tmp_path / "p.npz")
    target = {"n": np.zeros(2, dtype=np.int64)}
    with pytest.raises(CheckpointMismatch, match="dtype mismatch for 'n': expected int64, found float64"):
        load_params(tmp_path / "p.npz", into=target)
    np.testing.assert_array_equal(target["n"], [0, 0])


def test_crash_mid_save_keeps_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    old = {"W": np.full((3, 3), 1.0), "b": np.full(3, 2.0)}
    save_params(old, path)
    old_bytes = path.read_bytes()

    real_write_array = np.lib.format.write_array
    calls = []

    def failing_write_array(fp, array, *args, **kwargs):
        calls.append(array.shape)
        if len(calls) == 2:  # the first array is already in the temp file
            raise OSError("disk full")
        return real_write_array(fp, array, *args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", failing_write_array)
    with pytest.raises(OSError, match="disk full"):
        save_params({"W": np.zeros((3, 3)), "b": np.zeros(3)}, path)
    assert len(calls) == 2
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["ckpt.npz"]  # no temp file left behind
    monkeypatch.undo()
    loaded = load_params(path)
    np.testing.assert_array_equal(loaded["W"], old["W"])


def test_failed_fsync_keeps_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    save_params({"W": np.ones(2)}, path)

    def boom(fd):
        raise OSError("I/O error")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="I/O error"):
        save_params({"W": np.zeros(2)}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["ckpt.npz"]
    np.testing.assert_array_equal(load_params(path)["W"], np.ones(2))


def test_save_keeps_existing_file_mode(tmp_path):
    path = tmp_path / "p.npz"
    save_params({"a": np.ones(1)}, path)
    os.chmod(path, 0o640)
    save_params({"a": np.zeros(1)}, path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_bad_inputs(tmp_path):
    with pytest.raises(TypeError, match=r"\.params dict"):
        save_params([np.ones(2)], tmp_path / "p.npz")
    with pytest.raises(TypeError, match="dtype object"):
        save_params({"a": np.array([{}, 1], dtype=object)}, tmp_path / "p.npz")
    with pytest.raises(FileNotFoundError, match="does not exist; create it first"):
        save_params({"a": np.ones(1)}, tmp_path / "nope" / "p.npz")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_params(tmp_path / "missing.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="not an .npz checkpoint"):
        load_params(junk)


def test_pickled_content_is_refused(tmp_path):
    path = tmp_path / "obj.npz"
    np.savez(path, a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError, match="cannot read checkpoint"):
        load_params(path)


def test_numpy_savez_files_load(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {"W": rng.random((60, 60)), "F": np.asfortranarray(rng.random((3, 4))), "n": np.arange(5, dtype=">i4")}
    for save in (np.savez, np.savez_compressed):
        path = tmp_path / f"{save.__name__}.npz"
        save(path, **arrays)
        loaded = load_params(path)
        assert set(loaded) == set(arrays)
        for k, v in arrays.items():
            assert loaded[k].dtype == v.dtype
            np.testing.assert_array_equal(loaded[k], v)


def test_damaged_compressed_checkpoint_is_a_clear_error(tmp_path):
    # np.savez_compressed checkpoints load too; a damaged deflate stream used
    # to escape as a bare zlib.error.
    path = tmp_path / "compressed.npz"
    np.savez_compressed(path, W=np.random.default_rng(0).random((60, 60)))
    data = bytearray(path.read_bytes())
    for i in range(200, 400):
        data[i] ^= 0x55
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=f"cannot read checkpoint {path}"):
        load_params(path)


# ------------------------------------------------------- hostile checkpoints


def npy_member(shape, descr="<f8", data=b""):
    """Bytes of a .npy member whose header declares ``shape`` and ``descr``, followed by ``data``."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue() + data


def write_zip(path, members, compression=zipfile.ZIP_STORED):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are the point of one test
        with zipfile.ZipFile(path, "w", compression=compression) as zf:
            for name, data in members:
                zf.writestr(name, data)
    return path


def test_object_array_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "obj.npz"
    np.savez(path, W=np.ones(2), a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError) as err:
        load_params(path)
    msg = str(err.value)
    assert f"cannot read checkpoint {path}" in msg
    assert "member 'a.npy' holds Python objects (dtype object)" in msg
    assert "allow_pickle stays False" in msg


def test_absurd_declared_shape_is_refused_before_allocating(tmp_path):
    path = write_zip(tmp_path / "huge.npz", [("W.npy", npy_member((10**12,), data=b"\0" * 64))])
    with pytest.raises(ValueError, match=r"member 'W.npy' declares shape \(1000000000000,\) of float64 "
                                         r"\(8000000000000 bytes of data after a 128-byte header\) "
                                         r"but its zip entry holds 192 bytes"):
        load_params(path)


def test_total_size_limit(tmp_path):
    path = save_params({"a": np.zeros(100), "b": np.zeros(100)}, tmp_path / "p.npz")
    assert load_params(path, max_bytes=1600)["b"].shape == (100,)
    with pytest.raises(ValueError, match=r"at least 1600 bytes of data, more than max_bytes=1599; .*"
                                         r"load_params\(\.\.\., max_bytes=1600\)"):
        load_params(path, max_bytes=1599)
    with pytest.raises(ValueError, match="max_bytes must be an integer >= 0"):
        load_params(path, max_bytes=-1)


def test_declared_entry_size_is_checked_before_opening(tmp_path, monkeypatch):
    path = save_params({"a": np.zeros(1000), "b": np.zeros(300_000)}, tmp_path / "p.npz")

    real_read_magic = np.lib.format.read_magic
    opened = []
    monkeypatch.setattr(np.lib.format, "read_magic", lambda fp: opened.append(1) or real_read_magic(fp))
    with pytest.raises(ValueError, match=r"member 'b.npy' declares 2400128 bytes, more than max_bytes=(\d+)"):
        load_params(path, max_bytes=100_000)
    assert len(opened) == 1  # only a.npy's header was read


def deflated_zeros_member(zf, name, header, n_zeros, chunk=1 << 22):
    with zf.open(name, "w", force_zip64=True) as member:
        member.write(header)
        zeros = bytes(chunk)
        for start in range(0, n_zeros, chunk):
            member.write(zeros[: min(chunk, n_zeros - start)])


def peak_traced_bytes(fn):
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("declared", ["small", "consistent"])
def test_zip_bomb_is_refused_before_inflating(tmp_path, declared):
    # 64 MiB of zeros deflate to about 64 KiB.  Either the .npy header says
    # (10,) float64 while the zip entry holds 64 MiB (within the default
    # limit), or header and entry agree on 64 MiB, more than the max_bytes
    # asked for: neither may be inflated.
    n = 64 << 20
    path = tmp_path / f"bomb-{declared}.npz"
    shape = (10,) if declared == "small" else (n // 8,)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        deflated_zeros_member(zf, "W.npy", npy_member(shape), n)
    assert path.stat().st_size < 1 << 20
    match, limit = ("zip entry holds", CHECKPOINT_MAX_BYTES) if declared == "small" else ("more than max_bytes", 1 << 20)

    def load():
        with pytest.raises(ValueError, match=match):
            load_params(path, max_bytes=limit)

    assert peak_traced_bytes(load) < 4 << 20


def test_header_is_checked_against_entry_size(tmp_path):
    # A header declaring 3 floats over 4 floats of data: the data is not
    # silently cut (today's wrong number), nor read past.
    for data, shape in [(np.arange(4.0).tobytes(), (3,)), (np.arange(2.0).tobytes(), (3,))]:
        path = write_zip(tmp_path / "p.npz", [("W.npy", npy_member(shape, data=data))])
        with pytest.raises(ValueError, match=rf"declares shape \(3,\) of float64 \(24 bytes .* holds {128 + len(data)}"):
            load_params(path)


def test_mismatch_is_found_from_headers_before_reading_data(tmp_path, monkeypatch):
    path = save_params({"W": np.zeros((3, 2))}, tmp_path / "p.npz")

    def no_reading(*args, **kwargs):
        raise AssertionError("array data was read before the names and shapes were checked")

    monkeypatch.setattr(np.lib.format, "read_array", no_reading)
    with pytest.raises(CheckpointMismatch, match=r"shape mismatch for 'W': expected \(2, 3\), found \(3, 2\)"):
        load_params(path, into={"W": np.zeros((2, 3))})


@pytest.mark.parametrize(
    "members, compression, match",
    [
        ([("W.npy", npy_member((1,), data=bytes(8))), ("W.npy", npy_member((1,), data=bytes(8)))],
         zipfile.ZIP_STORED, "member 'W.npy' appears twice"),
        ([("notes.txt", b"hello")], zipfile.ZIP_STORED, "member 'notes.txt' is not a .npy array"),
        ([("W.npy", npy_member((1,), data=bytes(8)))], zipfile.ZIP_BZIP2, "compression method 12"),
        ([("W.npy", b"\x93NUMPY\x09\x00" + bytes(10))], zipfile.ZIP_STORED, "version"),
    ],
    ids=["duplicate", "not-npy", "bzip2", "npy-version"],
)
def test_strange_members_are_refused(tmp_path, members, compression, match):
    path = write_zip(tmp_path / "odd.npz", members, compression)
    with pytest.raises(ValueError, match=match) as err:
        load_params(path)
    assert str(path) in str(err.value)


# ------------------------------------------------- a save killed mid-write

KILLED_SAVE = """
import sys, time
import numpy as np
from nn.checkpoint import save_params

real = np.lib.format.write_array
def write_then_hang(fp, array, *args, **kwargs):
    real(fp, array, *args, **kwargs)
    print("writing", flush=True)
    time.sleep(60)

np.lib.format.write_array = write_then_hang
save_params({"W": np.full(1000, 5.0), "b": np.zeros(3)}, sys.argv[1])
"""


def test_save_killed_mid_write_leaves_no_lasting_debris(tmp_path):
    path = tmp_path / "ckpt.npz"
    save_params({"W": np.ones(1000), "b": np.ones(3)}, path)
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen([sys.executable, "-c", KILLED_SAVE, str(path)], cwd=root,
                             env={**os.environ, "PYTHONPATH": str(root)}, stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline() == b"writing\n"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
    debris = sorted(set(os.listdir(tmp_path)) - {"ckpt.npz"})
    assert len(debris) == 1 and debris[0].startswith(f".ckpt.npz.{child.pid}.")  # the kill left it
    np.testing.assert_array_equal(load_params(path)["W"], np.ones(1000))  # the old file is intact

    # A temporary file of a process that still runs is not touched.
    live = tmp_path / f".ckpt.npz.{os.getppid()}.abcdef.tmp"
    live.write_bytes(b"in progress elsewhere")
    other = tmp_path / f".other.npz.{child.pid}.abcdef.tmp"  # a different checkpoint's
    other.write_bytes(b"")
    save_params({"W": np.full(1000, 2.0), "b": np.zeros(3)}, path)
    assert sorted(os.listdir(tmp_path)) == sorted(["ckpt.npz", live.name, other.name])
    np.testing.assert_array_equal(load_params(path)["W"], np.full(1000, 2.0))
