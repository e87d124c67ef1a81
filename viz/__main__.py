"""``python -m viz``: see ``python -m viz --help``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any

import sys

from .cli import main

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike, NDArray

    from autograd import Node

sys.exit(main())
