"""Save and load network parameters as ``.npz`` files.

``save_params`` writes atomically: the archive goes to a temporary file in
the destination directory, is flushed and fsync'ed, then renamed over the
destination with ``os.replace``.  A crash or error mid-save therefore leaves
the previous checkpoint intact (and no temporary file behind).

``load_params(path, into=net)`` copies the stored arrays into the network's
existing arrays (``arr[...] = loaded``), so layers that share those arrays
see the loaded values.  Names and shapes are checked first; any difference
raises :class:`CheckpointMismatch` listing every problem at once.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np

__all__ = ["CheckpointMismatch", "save_params", "load_params"]


class CheckpointMismatch(ValueError):
    """The checkpoint's names, shapes or dtypes do not fit the target.

    Attributes: ``missing`` (names the target has but the file lacks),
    ``unexpected`` (names in the file the target lacks), ``shape_mismatches``
    (list of ``(name, expected_shape, found_shape)``) and ``dtype_mismatches``
    (list of ``(name, expected_dtype, found_dtype)``, for values that cannot
    be cast safely, e.g. float into int).
    """

    def __init__(self, path, missing=(), unexpected=(), shape_mismatches=(), dtype_mismatches=()):
        self.path = str(path)
        self.missing = list(missing)
        self.unexpected = list(unexpected)
        self.shape_mismatches = list(shape_mismatches)
        self.dtype_mismatches = list(dtype_mismatches)
        lines = [f"checkpoint {self.path} does not match the target parameters:"]
        if self.missing:
            lines.append(f"  missing from the checkpoint: {', '.join(map(repr, self.missing))}")
        if self.unexpected:
            lines.append(f"  unexpected in the checkpoint: {', '.join(map(repr, self.unexpected))}")
        for name, expected, found in self.shape_mismatches:
            lines.append(f"  shape mismatch for {name!r}: expected {expected}, found {found}")
        for name, expected, found in self.dtype_mismatches:
            lines.append(f"  dtype mismatch for {name!r}: expected {expected}, found {found}")
        lines.append(
            "Nothing was loaded. Build the network with the same layer sizes as the one that "
            "was saved, or load without into= to inspect the file."
        )
        super().__init__("\n".join(lines))


def _param_dict(obj, what):
    """The name -> array mapping of a dict or of an object with ``.params``."""
    if isinstance(obj, Mapping):
        params = obj
    else:
        params = getattr(obj, "params", None)
        if not isinstance(params, Mapping):
            raise TypeError(
                f"{what} must be a dict of name -> numpy array or an object with a .params dict, "
                f"got {type(obj).__name__}"
            )
    for name in params:
        if not isinstance(name, str) or not name:
            raise TypeError(f"parameter names must be non-empty strings, got {name!r}")
    return params


def _write_npz(fileobj, arrays):
    """Write ``arrays`` to ``fileobj`` in the layout of ``numpy.savez``.

    Done with ``zipfile`` directly so any parameter name works (``np.savez``
    reserves the keywords ``file`` and ``allow_pickle``).
    """
    with zipfile.ZipFile(fileobj, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, arr in arrays.items():
            with zf.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, arr, allow_pickle=False)


def _current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_params(params, path):
    """Save a dict of arrays (or ``obj.params``) to ``path`` as an ``.npz``.

    The file is written exactly at ``path`` (no suffix is added) and
    atomically replaces any existing file there.  Returns ``path`` as a
    ``Path``.  Arrays of ``dtype=object`` are refused because they cannot be
    loaded back without pickle.
    """
    params = _param_dict(params, "params")
    arrays = {}
    for name, value in params.items():
        arr = np.asarray(value)
        if arr.dtype.hasobject:
            raise TypeError(
                f"parameter {name!r} has dtype object and cannot be saved without pickle; "
                "store numeric numpy arrays"
            )
        arrays[name] = arr

    path = Path(os.fspath(path))
    directory = path.parent
    if not directory.is_dir():
        raise FileNotFoundError(f"cannot save {path}: directory {directory} does not exist; create it first")
    if path.is_dir():
        raise IsADirectoryError(f"cannot save to {path}: it is a directory; give a file name such as params.npz")

    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o666 & ~_current_umask()

    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            _write_npz(f, arrays)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)
    return path


def _fsync_directory(directory):
    """Make the rename durable (best effort; not possible on every platform)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load_params(path, into=None):
    """Load a checkpoint written by :func:`save_params` (or ``np.savez``).

    Without ``into``: return a new dict name -> array.

    With ``into`` (a dict of arrays or an object with a ``.params`` dict):
    check that the file has exactly the target's names, each with the
    target's shape and a safely castable dtype, then copy every value into
    the existing array in place and return the target's dict.  On any
    mismatch raise :class:`CheckpointMismatch` listing all of them; nothing
    is modified in that case.
    """
    path = Path(os.fspath(path))
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not an .npz checkpoint (not a zip archive); save it with save_params")
    try:
        with np.load(path, allow_pickle=False) as archive:
            loaded = {name: archive[name] for name in archive.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise ValueError(f"cannot read checkpoint {path}: {exc}") from exc

    if into is None:
        return loaded

    target = _param_dict(into, "into")
    for name, arr in target.items():
        if not isinstance(arr, np.ndarray):
            raise TypeError(
                f"target parameter {name!r} is a {type(arr).__name__}, not a numpy array; "
                "it cannot be loaded into in place"
            )
        if not arr.flags.writeable:
            raise TypeError(f"target parameter {name!r} is a read-only array; it cannot be loaded into")

    missing = [n for n in target if n not in loaded]
    unexpected = [n for n in loaded if n not in target]
    shapes = []
    dtypes = []
    for name, arr in target.items():
        if name not in loaded:
            continue
        found = loaded[name]
        if found.shape != arr.shape:
            shapes.append((name, arr.shape, found.shape))
        elif not np.can_cast(found.dtype, arr.dtype, casting="same_kind"):
            dtypes.append((name, arr.dtype, found.dtype))
    if missing or unexpected or shapes or dtypes:
        raise CheckpointMismatch(path, missing, unexpected, shapes, dtypes)

    for name, arr in target.items():
        arr[...] = loaded[name]
    return target
