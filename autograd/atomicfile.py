"""Write a file so that readers see either the old contents or the new, never a part.

Every file the packages write goes through here: checkpoints and downloads
(``nn``), player pages, GIFs and frames (``viz``).

:func:`atomic_write` writes ``DIR/NAME`` through a temporary file
``DIR/.NAME.<pid>.<random>.tmp``: the data is flushed and fsync'ed, then the
temporary file is renamed over ``DIR/NAME`` (``os.replace``) and the directory
is fsync'ed.  On any error (or Ctrl-C) the temporary file is removed.  A
process killed mid-write cannot remove its own, so every write first removes
the temporary files of the same ``NAME`` left by processes that no longer run
(on POSIX, where that can be checked; a temporary file of a running process is
never touched).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["atomic_write", "remove_stale_temporaries"]

_SUFFIX = ".tmp"


def _prefix(path: Any) -> str:
    return f".{path.name}."


def _current_umask() -> Any:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _process_is_gone(pid: Any) -> bool:
    if os.name != "posix" or pid <= 0:
        return False  # cannot tell safely (os.kill(pid, 0) is no probe on Windows)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # e.g. PermissionError: it exists, owned by someone else
        return False
    return False


def remove_stale_temporaries(path: str | os.PathLike[str]) -> Any:
    """Remove ``.NAME.<pid>.*.tmp`` files next to ``path`` whose process is gone.

    Returns the list of removed paths.  Errors (a file removed meanwhile, a
    directory that cannot be listed) are ignored: this is housekeeping.
    """
    path = Path(path)
    prefix = _prefix(path)
    removed: list[Any] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(_SUFFIX)):
            continue
        pid_text = name[len(prefix):].split(".", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or not _process_is_gone(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def fsync_directory(directory: str | os.PathLike[str]) -> Any:
    """Make a rename in ``directory`` durable (best effort; not possible on every platform)."""
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


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[Any]:
    """Context manager yielding a binary file; on a clean exit it becomes ``path``.

    The new file keeps the permission bits of the file it replaces (a new
    file gets ``0o666`` minus the umask, as ``open`` would give it).  If the
    block raises, ``path`` is untouched and the temporary file is removed.
    """
    path = Path(os.fspath(path))
    directory = path.parent
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o666 & ~_current_umask()
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f"{_prefix(path)}{os.getpid()}.", suffix=_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_directory(directory)
