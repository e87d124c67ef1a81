"""Save and load network parameters as ``.npz`` files.

``save_params`` writes atomically (:mod:`autograd.atomicfile`): the archive goes
to a temporary file in the destination directory, is flushed and fsync'ed,
then renamed over the destination with ``os.replace``.  A crash or error
mid-save therefore leaves the previous checkpoint intact; a temporary file
left by a killed process is removed by the next save of the same path.

``load_params(path, into=net)`` copies the stored arrays into the network's
existing arrays (``arr[...] = loaded``), so layers that share those arrays
see the loaded values.  Every member's ``.npy`` header is read and checked
first (a plain numeric array, sizes that agree with the zip entry, within
``max_bytes``), then names and shapes against the target; any difference
raises :class:`CheckpointMismatch` listing every problem at once, before
any array data is inflated."""

from __future__ import annotations

import math
import numbers
import os
import zipfile
import zlib
from collections.abc import Iterable, MutableMapping
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from autograd.atomicfile import atomic_write

__all__ = ["CheckpointMismatch", "save_params", "load_params", "CHECKPOINT_MAX_BYTES"]


class CheckpointMismatch(ValueError):
    """The checkpoint's names, shapes or dtypes do not fit the target.

    Attributes: ``missing`` (names the target has but the file lacks),
    ``unexpected`` (names in the file the target lacks), ``shape_mismatches``
    (list of ``(name, expected_shape, found_shape)``) and ``dtype_mismatches``
    (list of ``(name, expected_dtype, found_dtype)``, for values that cannot
    be cast safely, e.g. float into int).
    """

    def __init__(self, path: str | os.PathLike[str], missing: Iterable[str] = (), unexpected: Iterable[str] = (),
                 shape_mismatches: Iterable[Any] = (), dtype_mismatches: Iterable[Any] = ()) -> None:
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


def _param_dict(obj: Any, what: Any) -> Any:
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


def _write_npz(fileobj: Any, arrays: Any) -> None:
    """Write ``arrays`` to ``fileobj`` in the layout of ``numpy.savez``.

    Done with ``zipfile`` directly so any parameter name works (``np.savez``
    reserves the keywords ``file`` and ``allow_pickle``).
    """
    with zipfile.ZipFile(fileobj, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, arr in arrays.items():
            with zf.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, arr, allow_pickle=False)


def save_params(params: Mapping[str, Any], path: str | os.PathLike[str]) -> Any:
    """Save a dict of arrays (or ``obj.params``) to ``path`` as an ``.npz``.

    The file is written exactly at ``path`` (no suffix is added) and
    atomically replaces any existing file there (see :mod:`autograd.atomicfile`:
    a save that fails or is killed never leaves a partial checkpoint, and
    the next save removes the temporary file a killed one left behind).
    Returns ``path`` as a ``Path``.  Arrays of ``dtype=object`` are refused
    because they cannot be loaded back without pickle.
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
    with atomic_write(path) as f:
        _write_npz(f, arrays)
    return path


#: Default limit on the bytes of array data :func:`load_params` will read.
CHECKPOINT_MAX_BYTES = 1 << 30

_NPY_HEADER_MAX = 1 << 16  # numpy refuses .npy headers over 10,000 bytes by default

_NPY_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


class _Refused(ValueError):
    """A checkpoint member that is not a plain array of the declared size."""


def _member_header(zf: Any, info: Any, max_bytes: Any) -> Any:
    """``(array name, shape, dtype, header bytes)`` of one ``.npy`` member, checked.

    Only the member's header is inflated.  The zip entry's declared size must
    equal the header's size plus ``prod(shape) * itemsize``, so reading the
    data later inflates exactly that much (``zipfile`` stops at the declared
    size and checks the CRC).
    """
    member = info.filename
    if not member.endswith(".npy") or info.is_dir():
        raise _Refused(f"member {member!r} is not a .npy array; save checkpoints with save_params")
    if info.flag_bits & 0x1:
        raise _Refused(f"member {member!r} is encrypted")
    if info.file_size > max_bytes + _NPY_HEADER_MAX:
        raise _Refused(
            f"member {member!r} declares {info.file_size} bytes, more than max_bytes={max_bytes}; "
            f"if the file is trusted, pass load_params(..., max_bytes={info.file_size}) or more"
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Refused(
            f"member {member!r} uses zip compression method {info.compress_type}; only stored and "
            "deflated members (as written by numpy.savez and savez_compressed) are read"
        )
    with zf.open(info) as fp:
        version = np.lib.format.read_magic(fp)
        reader = _NPY_HEADER_READERS.get(version)
        if reader is None:
            raise _Refused(f"member {member!r} is .npy format version {version}; versions 1.0 and 2.0 are read")
        shape, _fortran, dtype = reader(fp)
        header_len = fp.tell()
    if dtype.hasobject:
        raise _Refused(
            f"member {member!r} holds Python objects (dtype {dtype}); loading it would need pickle, "
            "which can run arbitrary code, so it is refused (allow_pickle stays False). "
            "Only load such a file with numpy.load(..., allow_pickle=True) if you trust who made it"
        )
    if any(d < 0 for d in shape):
        raise _Refused(f"member {member!r} declares a negative dimension in shape {shape}")
    nbytes = math.prod(shape) * dtype.itemsize
    if header_len + nbytes != info.file_size:
        raise _Refused(
            f"member {member!r} declares shape {shape} of {dtype} ({nbytes} bytes of data after a "
            f"{header_len}-byte header) but its zip entry holds {info.file_size} bytes; the file is "
            "damaged or not written by save_params"
        )
    return member[: -len(".npy")], shape, dtype, nbytes


def _read_headers(zf: Any, max_bytes: Any) -> Any:
    """name -> ``(ZipInfo, shape, dtype)`` for every member, before any data is read."""
    headers, total = {}, 0
    for info in zf.infolist():
        name, shape, dtype, nbytes = _member_header(zf, info, max_bytes - total)
        if name in headers:
            raise _Refused(f"member {info.filename!r} appears twice; which one to load is ambiguous")
        total += nbytes
        if total > max_bytes:
            raise _Refused(
                f"its arrays declare at least {total} bytes of data, more than max_bytes={max_bytes}; "
                f"if the file is trusted, pass load_params(..., max_bytes={total}) or more"
            )
        headers[name] = (info, shape, dtype)
    return headers


def _check_target(into: Any) -> Any:
    target = _param_dict(into, "into")
    for name, arr in target.items():
        if not isinstance(arr, np.ndarray):
            raise TypeError(
                f"target parameter {name!r} is a {type(arr).__name__}, not a numpy array; "
                "it cannot be loaded into in place"
            )
        if not arr.flags.writeable:
            raise TypeError(f"target parameter {name!r} is a read-only array; it cannot be loaded into")
    return target


def _mismatches(path: Any, target: Any, headers: Any) -> Any:
    """Raise :class:`CheckpointMismatch` if the declared arrays do not fit ``target``."""
    missing = [n for n in target if n not in headers]
    unexpected = [n for n in headers if n not in target]
    shapes = []
    dtypes = []
    for name, arr in target.items():
        if name not in headers:
            continue
        _, shape, dtype = headers[name]
        if shape != arr.shape:
            shapes.append((name, arr.shape, shape))
        elif not np.can_cast(dtype, arr.dtype, casting="same_kind"):
            dtypes.append((name, arr.dtype, dtype))
    if missing or unexpected or shapes or dtypes:
        raise CheckpointMismatch(path, missing, unexpected, shapes, dtypes)


def load_params(path: str | os.PathLike[str], into: MutableMapping[str, Any] | None = None, *,
                max_bytes: int = CHECKPOINT_MAX_BYTES) -> Any:
    """Load a checkpoint written by :func:`save_params` (or ``np.savez``).

    Without ``into``: return a new dict name -> array.

    With ``into`` (a dict of arrays or an object with a ``.params`` dict):
    check that the file has exactly the target's names, each with the
    target's shape and a safely castable dtype, then copy every value into
    the existing array in place and return the target's dict.  On any
    mismatch raise :class:`CheckpointMismatch` listing all of them; nothing
    is modified in that case.

    Hostile files cost bounded memory: every member's ``.npy`` header is
    read and checked before any data is inflated.  A member that is not a
    plain numeric array (an object array, which would need pickle), whose
    header disagrees with its zip entry's size, or arrays adding up to more
    than ``max_bytes`` (default 1 GiB) raise ``ValueError`` naming the file
    and the member.
    """
    path = Path(os.fspath(path))
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not an .npz checkpoint (not a zip archive); save it with save_params")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, numbers.Integral) or max_bytes < 0:
        raise ValueError(f"max_bytes must be an integer >= 0, got {max_bytes!r}")
    target = None if into is None else _check_target(into)
    try:
        with zipfile.ZipFile(path) as zf:
            headers = _read_headers(zf, max_bytes)
            if target is not None:
                _mismatches(path, target, headers)
            loaded = {}
            for name, (info, _, _) in headers.items():
                with zf.open(info) as fp:
                    loaded[name] = np.lib.format.read_array(fp, allow_pickle=False)
    except CheckpointMismatch:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise ValueError(f"cannot read checkpoint {path}: {exc}") from exc

    if target is None:
        return loaded
    for name, arr in target.items():
        arr[...] = loaded[name]
    return target
