"""Refuse to import when another installed distribution owns the same package name.

backprop-graph installs three top-level packages, ``autograd``, ``nn`` and
``viz``. Other distributions on PyPI use those names too (HIPS ``autograd``
is the best known); installed side by side, one shadows or overwrites the
other, and code silently runs against the wrong library. Each package calls
:func:`check_sole_owner` first thing, which raises an ``ImportError`` naming
the other distribution and the way out (a virtual environment of its own).

The check is cheap: it parses no package metadata unless a clash is likely.
Once per process, for all three names, it lists each directory on
``sys.path``; where one holds an ``autograd``, ``nn`` or ``viz``, it reads
the ``top_level.txt`` (or, for wheels without one, the ``RECORD``) of the
``*.dist-info`` and ``*.egg-info`` folders beside it. Only when a folder
other than ours claims a name does
``importlib.metadata.packages_distributions()`` (a second or more in a
large environment) confirm it and give the distribution's name and version.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

__all__ = ["DISTRIBUTION", "PACKAGES", "check_dependent", "check_sole_owner", "foreign_owners", "shadowed_autograd"]

DISTRIBUTION = "backprop-graph"
PACKAGES = ("autograd", "nn", "viz")

_suspects = None  # {package: [metadata folder, ...]} from the first pass, computed once


def _normalized(name: str) -> str:
    """A distribution name as PEP 503 compares them: lower case, runs of -_. as one '-'."""
    out, previous = [], ""
    for char in name.lower():
        char = "-" if char in "-_." else char
        if not (char == "-" and previous == "-"):
            out.append(char)
        previous = char
    return "".join(out)


def _folder_distribution(folder: Any) -> Any:
    """'HIPS_autograd-1.7.0.dist-info' -> 'hips-autograd' (the name part of a metadata folder)."""
    stem = folder.rsplit(".", 1)[0]
    return _normalized(stem.split("-", 1)[0])


def _claimed(path: Any, names: Any) -> Any:
    """Which of ``names`` the metadata folder ``path`` says it installs."""
    try:
        with open(os.path.join(path, "top_level.txt"), "rb") as file:
            listed = set(file.read().split())
        return {name for name in names if name.encode() in listed}
    except OSError:
        pass
    try:
        with open(os.path.join(path, "RECORD"), "rb") as file:
            record = b"\n" + file.read()
    except OSError:
        return set()
    return {name for name in names
            if b"\n" + name.encode() + b"/" in record or b"\n" + name.encode() + b".py," in record}


def _scan() -> Any:
    """{package: [metadata folders other than ours that claim it]} over the directories on sys.path.

    A distribution's files sit beside its metadata folder, so only a directory
    that holds an ``autograd``, ``nn`` or ``viz`` of some kind is looked into;
    the others cost one ``listdir``.
    """
    suspects: dict[str, list[Any]] = {name: [] for name in PACKAGES}
    ours = _normalized(DISTRIBUTION)
    for entry in dict.fromkeys(sys.path):  # in order, each directory once
        directory = entry or "."
        try:
            listing = set(os.listdir(directory))
        except OSError:  # a zip file, a missing directory
            continue
        present = [name for name in PACKAGES if name in listing or name + ".py" in listing]
        if not present:
            continue
        for folder in listing:
            if folder.endswith((".dist-info", ".egg-info")) and _folder_distribution(folder) != ours:
                for name in _claimed(os.path.join(directory, folder), present):
                    suspects[name].append(os.path.join(directory, folder))
    return suspects


def foreign_owners(package: str) -> list[tuple[str, str | None]]:
    """``[(distribution, version), ...]`` of the installed distributions other than ours that own ``package``."""
    global _suspects
    if _suspects is None:
        _suspects = _scan()
    if not _suspects.get(package):
        return []
    from importlib import metadata

    ours = _normalized(DISTRIBUTION)
    names = [name for name in metadata.packages_distributions().get(package, []) if _normalized(name) != ours]
    if not names:  # metadata without a Name: fall back to the folders' names
        names = [_folder_distribution(os.path.basename(path)) for path in _suspects[package]]
    owners = []
    for name in dict.fromkeys(names):
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = None
        owners.append((name, version))
    return owners


def _named(owners: Iterable[tuple[str, str | None]]) -> str:
    return ", ".join(f"'{name}' {version}" if version else f"'{name}'" for name, version in owners)


def check_sole_owner(package: str) -> None:
    """Raise ``ImportError`` if a distribution other than backprop-graph also installs ``package``."""
    owners = foreign_owners(package)
    if not owners:
        return
    raise ImportError(
        f"cannot import '{package}' from {DISTRIBUTION}: the installed distribution {_named(owners)} also "
        f"provides a top-level package named '{package}', so one shadows or overwrites the other. Install "
        f"{DISTRIBUTION} in a virtual environment of its own (python3 -m venv .venv && .venv/bin/pip install "
        f"-e .), or remove the other one from this environment (pip uninstall {owners[0][0]})."
    )


def shadowed_autograd(package: str) -> ImportError:
    """The ImportError for ``nn`` or ``viz`` when the importable ``autograd`` is another distribution's.

    The module cannot be imported by name then, which is why ``nn`` and
    ``viz`` load this file by its path.
    """
    where = getattr(sys.modules.get("autograd"), "__file__", None) or "elsewhere on sys.path"
    owner = f"the distribution {_named(foreign_owners('autograd'))}" if foreign_owners("autograd") else "another library"
    return ImportError(
        f"cannot import '{package}' from {DISTRIBUTION}: it needs {DISTRIBUTION}'s 'autograd', but the "
        f"'autograd' imported here is {owner}'s ({where}). Install {DISTRIBUTION} in a virtual environment "
        f"of its own (python3 -m venv .venv && .venv/bin/pip install -e .), or remove the other one from "
        f"this environment."
    )


def check_dependent(package: str) -> None:
    """For ``nn`` and ``viz``: the ``autograd`` they import must be this one, and ``package`` theirs alone."""
    import autograd  # ours checks its own name as it loads

    here = os.path.dirname(os.path.realpath(__file__))
    theirs = getattr(autograd, "__file__", None)
    if theirs is None or os.path.dirname(os.path.realpath(theirs)) != here:
        raise shadowed_autograd(package)
    check_sole_owner(package)
