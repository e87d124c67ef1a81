"""Data sets for the examples: MNIST (IDX files), spiral, and RegressPlane.

MNIST
    :func:`load_mnist` returns the textbook's
    ``((x_train, t_train), (x_test, t_test))``.  The four IDX files are looked
    for, as ``NAME.gz`` or uncompressed ``NAME``, in ``data_dir`` if given,
    otherwise in :func:`mnist_cache_dir` (``$BACKPROP_GRAPH_DATA`` or
    ``~/.cache/backprop-graph/mnist``).  Missing files are downloaded into that
    same directory from :data:`MNIST_MIRRORS`; each download has a deadline
    for the whole transfer, is cut off past the file's known size
    (:data:`MNIST_SIZES`) and is checked against :data:`MNIST_SHA256` before
    it is moved into place, so a slow or hostile server costs bounded time
    and disk.  Files already on disk are not checksummed (recompressed copies
    are fine); they are only validated structurally by :func:`read_idx`,
    which reads the header first and never inflates more than it declares.
    :func:`load_mnist_test` loads the 10,000-image test set alone.

Toy data
    :func:`spiral` (CS231n / DeZero spiral classification) and
    :func:`regress_plane` (the "playground-data" RegressPlane regression set).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import math
import numbers
import os
import random
import socket
import struct
import threading
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd.atomicfile import atomic_write

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike, NDArray


__all__ = [
    "IDXError",
    "DatasetUnavailable",
    "IDX_MAX_BYTES",
    "read_idx",
    "one_hot",
    "shuffle_dataset",
    "mnist_cache_dir",
    "download_mnist",
    "load_mnist",
    "load_mnist_test",
    "spiral",
    "regress_plane",
    "MNIST_MIRRORS",
    "MNIST_SHA256",
    "MNIST_SIZES",
    "DOWNLOAD_TIMEOUT",
]


class IDXError(ValueError):
    """A file is not a well-formed IDX file (or not the IDX data expected)."""


class DatasetUnavailable(RuntimeError):
    """Data files are missing and could not be downloaded.

    Attributes: ``missing`` (file names), ``directory`` (where they belong),
    ``errors`` (list of ``(url, message)`` for every download attempt).
    """

    def __init__(self, message: str, *, missing: Iterable[str] = (), directory: str | os.PathLike[str] | None = None,
                 errors: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.missing = list(missing)
        self.directory = directory
        self.errors = list(errors)


# --------------------------------------------------------------------------
# IDX reader
# --------------------------------------------------------------------------

#: IDX type code -> big-endian numpy dtype.
IDX_DTYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(">u1"),  # unsigned byte
    0x09: np.dtype(">i1"),  # signed byte
    0x0B: np.dtype(">i2"),  # short
    0x0C: np.dtype(">i4"),  # int
    0x0D: np.dtype(">f4"),  # float
    0x0E: np.dtype(">f8"),  # double
}

_GZIP_MAGIC = b"\x1f\x8b"
_NUMPY_MAX_DIMS = 64 if int(np.__version__.split(".")[0]) >= 2 else 32


#: Default limit on the data section :func:`read_idx` will read (MNIST's largest file has 47 MB).
IDX_MAX_BYTES = 1 << 30

_CHUNK = 1 << 20
_TRAILING_COUNTED = 1 << 20  # trailing bytes counted for the message before giving up


def _check_limit(name: Any, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)


class _IDXStream:
    """Reads of a raw or gzip-compressed file, with gzip failures as :class:`IDXError`."""

    def __init__(self, stream: Any, path: str | os.PathLike[str], compressed: Any) -> None:
        self.stream = stream
        self.what = f"read_idx: {path}" + (" (gzip, decompressed)" if compressed else "")

    def error(self, message: str,
              hint: str = "the file is damaged or not an IDX file; delete it and download it again") -> Any:
        return IDXError(f"{self.what}: {message}; {hint}")

    def read(self, n: int) -> Any:
        """Up to ``n`` bytes (fewer only at the end of the data)."""
        out = bytearray()
        try:
            while len(out) < n:
                chunk = self.stream.read(min(_CHUNK, n - len(out)))
                if not chunk:
                    break
                out += chunk
        except (OSError, EOFError, zlib.error) as exc:
            raise self.error(f"corrupt or truncated gzip data ({exc})") from exc
        return out

    def count_rest(self, limit: Any) -> Any:
        """How many bytes are left, counting no further than just past ``limit``."""
        n = 0
        while n <= limit and (chunk := self.read(min(_CHUNK, limit + 1 - n))):
            n += len(chunk)
        return n


def read_idx(path: str | os.PathLike[str], *, max_bytes: int = IDX_MAX_BYTES) -> NDArray[Any]:
    """Read an IDX file (gzip-compressed or raw) into a numpy array.

    Layout: 2 zero bytes, a type code (0x08 ubyte, 0x09 byte, 0x0B short,
    0x0C int, 0x0D float, 0x0E double), the number of dimensions ``ndim``,
    ``ndim`` big-endian uint32 sizes, then ``prod(sizes) * itemsize`` bytes
    of big-endian data, and nothing else.  Compression is detected from the
    content (gzip magic ``1f 8b``), not from the file name.

    The header is read and checked first; then exactly the declared data is
    decompressed, in chunks, and one chunk more to make sure nothing
    follows.  So memory stays within the declared size even for a gzip bomb,
    and a declared size above ``max_bytes`` (default 1 GiB) is refused
    before any data is read.  A raw file's size is checked against the
    header before reading.

    Returns an array of shape ``sizes`` in native byte order.  Raises
    :class:`IDXError` (a ``ValueError``) naming the file, the sizes and
    what to do when anything is off.
    """
    max_bytes = _check_limit("max_bytes", max_bytes)
    path = Path(os.fspath(path))
    with open(path, "rb") as f:
        compressed = f.read(2) == _GZIP_MAGIC
        f.seek(0)
        if not compressed:
            return _read_idx(_IDXStream(f, path, False), os.fstat(f.fileno()).st_size, max_bytes)
        with gzip.GzipFile(fileobj=f, mode="rb") as gz:
            return _read_idx(_IDXStream(gz, path, True), None, max_bytes)


def _read_idx(src: Any, size: Any, max_bytes: Any) -> Any:
    """The body of :func:`read_idx`; ``size`` is the file size when it is known (raw files)."""
    magic_bytes = src.read(4)
    if len(magic_bytes) < 4:
        raise src.error(f"only {len(magic_bytes)} bytes, too short for the 4-byte IDX magic number")
    zero0, zero1, code, ndim = magic_bytes
    magic = int.from_bytes(magic_bytes, "big")
    if zero0 != 0 or zero1 != 0:
        raise src.error(
            f"not an IDX file: magic number 0x{magic:08X} does not start with two zero "
            "bytes (MNIST images have 0x00000803, labels 0x00000801)",
            "is this the right file?",
        )
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X} ({d.name})" for c, d in IDX_DTYPES.items())
        raise src.error(f"unknown IDX data type code 0x{code:02X} in magic number 0x{magic:08X}; known codes: {known}")
    if ndim == 0:
        raise src.error(f"magic number 0x{magic:08X} declares 0 dimensions; an IDX file needs at least 1")
    if ndim > _NUMPY_MAX_DIMS:
        raise src.error(
            f"magic number 0x{magic:08X} declares {ndim} dimensions; NumPy arrays have at most "
            f"{_NUMPY_MAX_DIMS}, so this is not a data file to read (MNIST images have 3, labels 1)"
        )

    header_len = 4 + 4 * ndim
    sizes = src.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise src.error(
            f"truncated header: {ndim} dimensions need {header_len} header bytes, file has {4 + len(sizes)}"
        )
    dims = struct.unpack(f">{ndim}I", sizes)
    if 0 in dims:
        raise src.error(f"dimension sizes {dims} contain 0; every dimension must be positive")

    dtype = IDX_DTYPES[code]
    expected = math.prod(dims) * dtype.itemsize

    def wrong_size(actual: Any, at_least: bool = False) -> Any:
        problem = (
            f"truncated: {expected - actual} bytes missing"
            if actual < expected
            else f"{'at least ' if at_least else ''}{actual - expected} trailing bytes after the data"
        )
        return src.error(
            f"data section is {'at least ' if at_least else ''}{actual} bytes but dimensions {dims} of "
            f"{dtype.name} ({dtype.itemsize} byte(s) each) need exactly {expected} bytes ({problem})"
        )

    if size is not None and size - header_len != expected:
        raise wrong_size(size - header_len)
    if expected > max_bytes:
        raise src.error(
            f"header declares dimensions {dims} of {dtype.name}, {expected} bytes of data, more than "
            f"max_bytes={max_bytes}",
            f"if the file is genuine, pass read_idx(..., max_bytes={expected})",
        )
    data = src.read(expected)
    if len(data) < expected:
        raise wrong_size(len(data))
    trailing = src.count_rest(_TRAILING_COUNTED)
    if trailing:
        raise wrong_size(expected + trailing, at_least=trailing > _TRAILING_COUNTED)
    arr = np.frombuffer(data, dtype=dtype).reshape(dims)  # writable: it views the bytearray
    if not dtype.isnative:
        arr = arr.byteswap(inplace=True).view(dtype.newbyteorder("="))
    return arr


def one_hot(labels: ArrayLike, n_classes: int | None = None, dtype: DTypeLike = np.float32) -> NDArray[Any]:
    """One-hot encode integer labels: shape ``labels.shape + (n_classes,)``.

    ``out[..., k] = 1`` where ``labels == k``, else 0.  ``n_classes``
    defaults to ``max(labels) + 1``.
    """
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got dtype {labels.dtype}; convert with .astype(int)")
    if n_classes is None:
        if labels.size == 0:
            raise ValueError("cannot infer n_classes from empty labels; pass n_classes")
        n_classes = int(labels.max()) + 1
    if isinstance(n_classes, bool) or not isinstance(n_classes, numbers.Integral) or n_classes < 1:
        raise ValueError(f"n_classes must be a positive integer, got {n_classes!r}")
    n_classes = int(n_classes)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"labels must lie in [0, {n_classes - 1}] for n_classes={n_classes}, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    out = np.zeros((labels.size, n_classes), dtype=dtype)
    out[np.arange(labels.size), labels.ravel()] = 1
    return out.reshape(labels.shape + (n_classes,))


# --------------------------------------------------------------------------
# MNIST files, cache and download
# --------------------------------------------------------------------------

MNIST_TRAIN_IMAGES = "train-images-idx3-ubyte"
MNIST_TRAIN_LABELS = "train-labels-idx1-ubyte"
MNIST_TEST_IMAGES = "t10k-images-idx3-ubyte"
MNIST_TEST_LABELS = "t10k-labels-idx1-ubyte"
MNIST_FILES = (MNIST_TRAIN_IMAGES, MNIST_TRAIN_LABELS, MNIST_TEST_IMAGES, MNIST_TEST_LABELS)

#: Base URLs tried in order; each must serve ``<base>/<name>.gz``.
MNIST_MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]

#: SHA-256 of the original distribution's ``.gz`` files (checked on download).
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaaee5f3ebcba3b5a5",
}

#: Size in bytes of each ``.gz`` file (a download is cut off past it).
MNIST_SIZES = {
    "train-images-idx3-ubyte.gz": 9912422,
    "train-labels-idx1-ubyte.gz": 28881,
    "t10k-images-idx3-ubyte.gz": 1648877,
    "t10k-labels-idx1-ubyte.gz": 4542,
}

#: Default seconds allowed for one file from one mirror, from connecting to the last byte.
DOWNLOAD_TIMEOUT = 120.0

DATA_DIR_ENV = "BACKPROP_GRAPH_DATA"
_USER_AGENT = "backprop-graph-datasets/0.1 (+urllib)"


def mnist_cache_dir() -> Any:
    """Directory for MNIST files: ``$BACKPROP_GRAPH_DATA`` if set, else
    ``~/.cache/backprop-graph/mnist``."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "backprop-graph" / "mnist"


def _find_local(directory: Any, name: Any) -> Any:
    """``directory/NAME.gz`` or ``directory/NAME`` if either is a file, else None."""
    for candidate in (directory / f"{name}.gz", directory / name):
        if candidate.is_file():
            return candidate
    return None


class _AttemptFailed(Exception):
    """One download from one mirror failed; the message says why."""


class _MirrorFailed(_AttemptFailed):
    """The mirror itself is unusable (too slow): skip it for the other files, saying ``reason``."""

    def __init__(self, message: str, reason: Any) -> None:
        super().__init__(message)
        self.reason = reason


def _cut(sock: Any) -> None:
    """Wake up a thread blocked on ``sock`` (the base method: also safe for an SSL socket)."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _Deadline:
    """Shut down every socket of one download once ``seconds`` have passed.

    A socket timeout bounds each read, not the whole transfer: a server
    sending one byte per second never trips it.  This timer does.
    """

    def __init__(self, seconds: Any) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[Any] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Any:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._timer.cancel()

    def watch(self, sock: Any) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _cut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _cut(sock)


class _WatchedConnection:
    """Mixin for ``http.client`` connections: every socket opened is watched by a deadline."""

    def __init__(self: Any, *args: Any, deadline: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline
        create = self._create_connection  # also catches the socket before a TLS handshake

        def create_watched(*a: Any, **kw: Any) -> Any:
            sock = create(*a, **kw)
            deadline.watch(sock)
            return sock

        self._create_connection = create_watched

    def connect(self: Any) -> None:
        super().connect()  # type: ignore[misc]  # a mixin before http.client's connection class
        self._deadline.watch(self.sock)


class _WatchedHTTPConnection(_WatchedConnection, http.client.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnection, http.client.HTTPSConnection):
    pass


class _WatchedHandler:
    """Mixin for urllib's HTTP(S) handlers: their connections are watched by ``deadline``."""

    def __init__(self, deadline: Any) -> None:
        super().__init__()
        self.deadline = deadline


class _WatchedHTTPHandler(_WatchedHandler, urllib.request.HTTPHandler):
    def http_open(self, req: Any) -> Any:
        return self.do_open(_WatchedHTTPConnection, req, deadline=self.deadline)  # type: ignore[arg-type]  # a connection class, as urllib's


class _WatchedHTTPSHandler(_WatchedHandler, urllib.request.HTTPSHandler):
    def https_open(self, req: Any) -> Any:
        return self.do_open(_WatchedHTTPSConnection, req, deadline=self.deadline)  # type: ignore[arg-type]  # a connection class, as urllib's


class _Unread:
    """A response body that is closed without being read."""

    def __init__(self, fp: Any) -> None:
        self._fp = fp

    def read(self, *args: Any) -> bytes:
        return b""

    def close(self) -> None:
        self._fp.close()


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects like urllib, without reading the redirect's body (which may not end)."""

    def http_error_302(self, req: Any, fp: Any, code: Any, msg: Any, headers: Any) -> Any:
        return super().http_error_302(req, _Unread(fp), code, msg, headers)  # type: ignore[arg-type]  # file-like enough

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _announced_length(response: Any) -> Any:
    value = response.headers.get("Content-Length")
    return int(value) if value is not None and value.strip().isdigit() else None


def _fetch(url: Any, target: Any, size: Any, sha256: Any, timeout: Any) -> Any:
    """Download ``url`` to ``target`` atomically; it must be ``size`` bytes with digest ``sha256``.

    The whole transfer (connecting, headers, body) must finish within
    ``timeout`` seconds, and at most ``size + 1`` bytes are read, so a slow
    or endless server costs bounded time and disk.  The body goes to a
    temporary file that only becomes ``target`` when size and SHA-256 match.
    """
    deadline = _Deadline(timeout)
    opener = urllib.request.build_opener(
        _WatchedHTTPHandler(deadline), _WatchedHTTPSHandler(deadline), _RedirectHandler()
    )
    received = 0

    def too_slow() -> Any:
        return _MirrorFailed(
            f"timed out: no complete file within the {timeout:g} s deadline "
            f"({received} of {size} bytes received); pass a larger timeout= for a slow connection",
            f"timed out ({timeout:g} s deadline)",
        )

    try:
        request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
        with deadline, opener.open(request, timeout=timeout) as response:
            announced = _announced_length(response)
            if announced is not None and announced != size:
                raise _AttemptFailed(
                    f"the server announces {announced} bytes (Content-Length) but the file has {size}; "
                    "not downloaded"
                )
            read = getattr(response, "read1", response.read)  # read1: return what has arrived
            digest = hashlib.sha256()
            with atomic_write(target) as out:
                while chunk := read(min(_CHUNK, size + 1 - received)):
                    received += len(chunk)
                    if received > size:
                        raise _AttemptFailed(f"the body is longer than the expected {size} bytes; download stopped")
                    digest.update(chunk)
                    out.write(chunk)
                if received < size:
                    if deadline.expired:
                        raise too_slow()
                    raise _AttemptFailed(f"the body ended after {received} of the expected {size} bytes")
                found = digest.hexdigest()
                if found != sha256.lower():
                    raise _AttemptFailed(f"SHA-256 mismatch (expected {sha256}, got {found}); download discarded")
    except (OSError, http.client.HTTPException) as exc:
        # A socket timeout (one read waiting ``timeout`` s) may beat the timer by a hair.
        timed_out = isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError)
        if deadline.expired or timed_out:
            raise too_slow() from exc
        raise
    return target


def _download_one(filename: Any, directory: Any, mirrors: Any, timeout: Any, unreachable: Any) -> Any:
    """Try every mirror in order; return ``(path or None, [(url, error), ...])``.

    ``unreachable`` maps mirror -> error; a mirror that could not be reached
    or timed out is skipped for the remaining files of the same call (so an
    offline machine or a stalled mirror costs one timeout, not one per file).
    """
    size, sha256 = MNIST_SIZES.get(filename), MNIST_SHA256.get(filename)
    if size is None or sha256 is None:
        raise KeyError(f"no size or SHA-256 known for {filename}; add them to MNIST_SIZES and MNIST_SHA256")
    errors = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + filename
        if base in unreachable:
            errors.append((url, f"skipped, mirror unreachable earlier: {unreachable[base]}"))
            continue
        try:
            return _fetch(url, directory / filename, size, sha256, timeout), errors
        except _MirrorFailed as exc:
            errors.append((url, str(exc)))
            unreachable[base] = exc.reason
        except _AttemptFailed as exc:
            errors.append((url, str(exc)))
        except urllib.error.HTTPError as exc:
            exc.close()  # its body is not wanted
            errors.append((url, f"HTTP {exc.code} {exc.reason}"))
        except urllib.error.URLError as exc:
            errors.append((url, f"cannot connect: {exc.reason}"))
            unreachable[base] = str(exc.reason)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            errors.append((url, f"{type(exc).__name__}: {exc}"))
    return None, errors


def _unavailable(directory: Any, missing: Any, errors: Any, reason: Any) -> Any:
    lines = [f"MNIST file(s) not found in {directory} and {reason}:"]
    lines += [f"  missing: {name}.gz (or uncompressed {name})" for name in missing]
    if errors:
        lines.append("Download attempts:")
        lines += [f"  {url}: {msg}" for url, msg in errors]
    lines.append(f"To fix: put the missing files (gzip-compressed NAME.gz or raw NAME) into\n  {directory}")
    lines.append(f"or pass data_dir= (or set ${DATA_DIR_ENV}) to a directory that already has them.")
    return DatasetUnavailable("\n".join(lines), missing=missing, directory=directory, errors=errors)


def _check_timeout(timeout: Any) -> Any:
    if (isinstance(timeout, bool) or not isinstance(timeout, numbers.Real)
            or not math.isfinite(timeout) or timeout <= 0):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return float(timeout)


def _ensure_files(directory: Any, names: Any, mirrors: Any, download: Any, timeout: Any) -> Any:
    """Map each IDX base name to a local file, downloading what is missing."""
    timeout = _check_timeout(timeout)
    if isinstance(mirrors, str):
        raise TypeError(f"mirrors must be a list of base URLs, got the string {mirrors!r}; write mirrors=[...]")
    found = {name: _find_local(directory, name) for name in names}
    missing = [name for name, p in found.items() if p is None]
    if not missing:
        return found
    if not download:
        raise _unavailable(directory, missing, [], "downloading is disabled (download=False)")
    mirrors = list(MNIST_MIRRORS if mirrors is None else mirrors)
    if not mirrors:
        raise _unavailable(directory, missing, [], "no download mirrors were given")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unavailable(directory, missing, [], f"the directory cannot be created ({exc})") from exc

    unreachable: dict[Any, Any]
    errors, failed, unreachable = [], [], {}
    for name in missing:
        path, errs = _download_one(f"{name}.gz", directory, mirrors, timeout, unreachable)
        errors += errs
        if path is None:
            failed.append(name)
        else:
            found[name] = path
    if failed:
        raise _unavailable(directory, failed, errors, f"could not be downloaded from {len(mirrors)} mirror(s)")
    return found


def download_mnist(data_dir: str | os.PathLike[str] | None = None, mirrors: Sequence[str] | None = None, *,
                   names: Any = MNIST_FILES, timeout: float = DOWNLOAD_TIMEOUT) -> Any:
    """Make sure the MNIST files ``names`` exist in ``data_dir``; download missing ones.

    ``data_dir`` defaults to :func:`mnist_cache_dir`; ``mirrors`` is a list of
    base URLs (default :data:`MNIST_MIRRORS`), tried in order for each file.
    Each attempt must deliver the whole file within ``timeout`` seconds and
    is cut off past its known size (:data:`MNIST_SIZES`); a mirror that
    cannot be reached or times out is skipped for the remaining files.  A
    download whose size or SHA-256 (:data:`MNIST_SHA256`) differs is
    discarded and the next mirror is tried.  Files are written atomically
    (:mod:`autograd.atomicfile`).  Returns ``{name: path}``.  Raises
    :class:`DatasetUnavailable` when a file cannot be obtained.
    """
    directory = _resolve_dir(data_dir)
    names = [names] if isinstance(names, str) else list(names)
    unknown = [n for n in names if n not in MNIST_FILES]
    if unknown:
        raise ValueError(f"unknown MNIST file name(s) {unknown}; choose from {list(MNIST_FILES)}")
    return _ensure_files(directory, names, mirrors, True, timeout)


def _load_split(images_path: Any, labels_path: Any, normalize: Any, flatten: Any, one_hot_label: Any) -> Any:
    x = read_idx(images_path)
    t = read_idx(labels_path)
    if x.ndim != 3 or x.dtype != np.uint8:
        raise IDXError(
            f"{images_path}: expected uint8 images of shape (N, rows, cols), got {x.dtype} array "
            f"of shape {x.shape}; is this the right file?"
        )
    if t.ndim != 1 or t.dtype != np.uint8:
        raise IDXError(
            f"{labels_path}: expected uint8 labels of shape (N,), got {t.dtype} array of shape "
            f"{t.shape}; is this the right file?"
        )
    if len(x) != len(t):
        raise IDXError(
            f"{images_path} has {len(x)} images but {labels_path} has {len(t)} labels; the two files do "
            "not belong together: replace them with a matching pair"
        )
    if t.max() > 9:
        raise IDXError(
            f"{labels_path}: labels must be digits 0-9, found {int(t.max())}; is this the MNIST labels file?"
        )

    if normalize:
        x = x.astype(np.float32) / np.float32(255.0)
    n, rows, cols = x.shape
    x = x.reshape(n, rows * cols) if flatten else x.reshape(n, 1, rows, cols)
    t = one_hot(t, 10, dtype=np.float32) if one_hot_label else t.astype(np.int64)
    return x, t


def _resolve_dir(data_dir: Any) -> Any:
    return mnist_cache_dir() if data_dir is None else Path(os.fspath(data_dir)).expanduser()


def load_mnist(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False,
               data_dir: str | os.PathLike[str] | None = None, *, download: bool = True,
               mirrors: Sequence[str] | None = None, timeout: float = DOWNLOAD_TIMEOUT) -> Any:
    """Load MNIST as ``((x_train, t_train), (x_test, t_test))``.

    - ``normalize``: images as float32 in [0, 1] (pixel / 255), else uint8.
    - ``flatten``: images of shape (N, 784), else (N, 1, 28, 28).
    - ``one_hot_label``: labels as (N, 10) float32 one-hot, else int64 (N,).

    Files come from ``data_dir`` (default :func:`mnist_cache_dir`); missing
    ones are downloaded there unless ``download=False``, from ``mirrors``
    (default :data:`MNIST_MIRRORS`) with ``timeout`` seconds per file and
    mirror, as in :func:`download_mnist`.  Raises
    :class:`DatasetUnavailable` if they cannot be found or downloaded.
    """
    directory = _resolve_dir(data_dir)
    paths = _ensure_files(directory, list(MNIST_FILES), mirrors, download, timeout)
    train = _load_split(paths[MNIST_TRAIN_IMAGES], paths[MNIST_TRAIN_LABELS], normalize, flatten, one_hot_label)
    test = _load_split(paths[MNIST_TEST_IMAGES], paths[MNIST_TEST_LABELS], normalize, flatten, one_hot_label)
    return train, test


def load_mnist_test(data_dir: str | os.PathLike[str] | None = None, normalize: bool = True, flatten: bool = True,
                    one_hot_label: bool = False, *, download: bool = True, mirrors: Sequence[str] | None = None,
                    timeout: float = DOWNLOAD_TIMEOUT) -> Any:
    """Load only the 10,000-image MNIST test set as ``(x_test, t_test)``.

    Needs just ``t10k-images-idx3-ubyte[.gz]`` and ``t10k-labels-idx1-ubyte[.gz]``
    in ``data_dir`` (``None`` means :func:`mnist_cache_dir`); options as in
    :func:`load_mnist`.
    """
    directory = _resolve_dir(data_dir)
    paths = _ensure_files(directory, [MNIST_TEST_IMAGES, MNIST_TEST_LABELS], mirrors, download, timeout)
    return _load_split(paths[MNIST_TEST_IMAGES], paths[MNIST_TEST_LABELS], normalize, flatten, one_hot_label)


def shuffle_dataset(x: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(x[p], t[p])`` for one random permutation ``p`` of the rows (the textbook's common/util.py helper).

    Drawn from NumPy's global generator, so ``np.random.seed`` repeats it;
    rows keep their pairing. ``x`` and ``t`` may have any number of
    dimensions but the same number of rows. Returns new arrays.
    """
    x, t = np.asarray(x), np.asarray(t)
    if x.ndim == 0 or t.ndim == 0 or len(x) != len(t):
        raise ValueError(
            f"shuffle_dataset: x of shape {x.shape} and t of shape {t.shape} must have the same number of rows "
            "(one label per sample)"
        )
    permutation = np.random.permutation(len(x))
    return x[permutation], t[permutation]


# --------------------------------------------------------------------------
# Toy data sets
# --------------------------------------------------------------------------


def _check_int(name: Any, value: Any, minimum: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_nonneg(name: Any, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def spiral(n_per_class: int = 100, n_classes: int | None = 3, noise: float = 0.2, seed: int | None = 0, *,
           shuffle: bool = True) -> Any:
    """The CS231n / DeZero spiral classification data set.

    For class j and i = 0..n-1, with r = i / (n - 1) (r = 0 when n = 1)::

        theta = 4 j + 4 r + noise * N(0, 1)
        x = (r sin(theta), r cos(theta)),   t = j

    Returns ``x`` (N, 2) float64 and ``t`` (N,) int64, N = n_per_class *
    n_classes, shuffled unless ``shuffle=False``.  Deterministic for a
    given ``seed`` (uses its own generator, not the global RNG).
    """
    n = _check_int("n_per_class", n_per_class, 1)
    k = _check_int("n_classes", n_classes, 1)
    noise = _check_nonneg("noise", noise)
    rng = np.random.default_rng(seed)
    radius = np.linspace(0.0, 1.0, n)
    x = np.empty((n * k, 2), dtype=np.float64)
    t = np.empty(n * k, dtype=np.int64)
    for j in range(k):
        theta = 4.0 * j + 4.0 * radius + noise * rng.standard_normal(n)
        rows = slice(j * n, (j + 1) * n)
        x[rows, 0] = radius * np.sin(theta)
        x[rows, 1] = radius * np.cos(theta)
        t[rows] = j
    if shuffle:
        order = rng.permutation(n * k)
        x, t = x[order], t[order]
    return x, t


_PLYGDATA_HINT = (
    "regress_plane needs the optional playground-data package: "
    "pip install 'backprop-graph[demos]'  (or: pip install playground-data)"
)


def regress_plane(n: int = 200, noise: float = 0.0, seed: int | None = 0, test_ratio: float = 0.5, *,
                  clip: bool = True) -> Any:
    """The "playground-data" RegressPlane set, split into train and test.

    Points (x1, x2) are uniform on [-6, 6]^2 and the target is
    ``y = (x1 + x2) / 10`` (computed on noisy inputs when ``noise`` > 0;
    ``noise`` is a fraction, 0 to 0.5 in the playground).  The package does
    not clamp, so corners reach |y| = 1.2; with ``clip=True`` (default) y is
    clipped to the documented range [-1, 1].

    Returns ``((x_train, y_train), (x_test, y_test))`` with x (M, 2) and
    y (M, 1) float64; ``round(n * test_ratio)`` points (give or take the
    package's rounding) go to the test split.  Deterministic for a given
    ``seed``: the package draws from the global ``random`` and ``np.random``
    generators, which are seeded for the call and restored afterwards.
    """
    try:
        import plygdata as pg
    except ImportError as exc:
        raise ImportError(f"{_PLYGDATA_HINT} ({exc})") from exc
    n = _check_int("n", n, 1)
    noise = _check_nonneg("noise", noise)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    if isinstance(test_ratio, bool) or not isinstance(test_ratio, numbers.Real) or not 0.0 <= test_ratio <= 1.0:
        raise ValueError(f"test_ratio must be a number in [0, 1], got {test_ratio!r}")

    py_state, np_state = random.getstate(), np.random.get_state()
    try:
        random.seed(int(seed))
        np.random.seed(int(seed))
        points = []
        while len(points) < n:
            points += pg.generate_data(pg.DatasetType.RegressPlane, noise)
        data = np.asarray(points[:n], dtype=np.float64)
        x_train, y_train, x_test, y_test = pg.split_data(data, validation_size=float(test_ratio), label_num=1)
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)

    def finish(x: Any, y: Any) -> Any:
        x = np.asarray(x, dtype=np.float64).reshape(-1, 2)
        y = np.asarray(y, dtype=np.float64).reshape(-1, 1)
        return x, (np.clip(y, -1.0, 1.0) if clip else y)

    return finish(x_train, y_train), finish(x_test, y_test)
