import os

import numpy as np
import pytest

from nn.checkpoint import CheckpointMismatch, load_params, save_params


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
