"""Guarding a primitive called outside the graph against edits of what its VJPs will read.

The engine guards every recorded operation itself (``Primitive.reads``,
checksums compared by ``backward``). Code that calls a primitive's forward
and later its VJPs directly, as ``nn``'s layers do in the textbook's
``forward``/``backward(dout)`` protocol, keeps the same promise with these
two functions:

>>> kept = guard(prim, args, out, needed)         # doctest: +SKIP
>>> verify(prim, args, out, kept, "Affine.backward")  # raises InPlaceEditError if one changed

Inside ``engine.skip_edit_checks()`` ``guard`` keeps nothing, as ``apply``
does: for code that runs forward and backward with nothing in between that
could edit the arrays (the textbook's ``TwoLayerNet.gradient``), or forward
alone. Inside ``forward_only()`` (``nn.numerical_gradient`` calls its
function there) ``guard`` keeps nothing either, but says so: ``verify`` of
what it returned there raises, as no backward may follow such a forward.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .context import state
from .engine import OUT, InPlaceEditError, checksum, read_plan

if TYPE_CHECKING:
    from .ops import Primitive
    from .typing import Checksum


class _Switch(threading.local):
    forward_only = False


_switch = _Switch()


@contextlib.contextmanager
def forward_only() -> Iterator[None]:
    """Context manager for code that runs forward passes only, such as a numerical gradient.

    Inside it ``guard`` keeps no checksums and returns None, which ``verify``
    refuses: a backward after such a forward is an error, not a guess.
    Operations recorded on nodes keep their checksums as ever.
    """
    previous = _switch.forward_only
    _switch.forward_only = True
    try:
        yield
    finally:
        _switch.forward_only = previous


def guard(prim: Primitive, args: Sequence[Any], out: Any,
          needed: Iterable[int]) -> tuple[tuple[int, Checksum], ...] | None:
    """Checksums of the arrays (inputs ``args``, output ``out``) that the VJPs of inputs ``needed`` read.

    Empty inside ``engine.skip_edit_checks()``, as operations recorded there
    keep none; None inside ``forward_only()``.
    """
    if not state.check_edits:
        return ()
    if _switch.forward_only:
        return None
    needs = 0
    for i in needed:
        needs |= 1 << i
    kept = []
    for position in read_plan(prim, needs, len(args)):
        data = out if position == OUT else args[position]
        if data.__class__ is np.ndarray:
            kept.append((position, checksum(data)))
    return tuple(kept)


def verify(prim: Primitive, args: Sequence[Any], out: Any, kept: Iterable[tuple[int, Checksum]] | None,
           caller: str) -> None:
    """Raise InPlaceEditError naming ``caller`` if an array ``guard`` saw has changed since.

    ``kept`` None (a forward inside ``forward_only()``) raises too.
    """
    if kept is None:
        raise InPlaceEditError(
            f"{caller}: the last forward() ran inside nn.numerical_gradient (autograd.edits.forward_only()), "
            "which keeps nothing for a backward pass, so edits since then cannot be ruled out; run forward() "
            "again, outside it, before backward()"
        )
    for position, before in kept:
        data = out if position == OUT else args[position]
        if checksum(data) != before:
            what = f"the output of '{prim.name}'" if position == OUT else f"input {position} of '{prim.name}'"
            raise InPlaceEditError(
                f"{caller}: {what} (an array of shape {data.shape}) was changed in place after forward() "
                "used it, so the gradients would be computed from the new values, not the ones forward used; "
                "change the array before forward() or after backward(), or give forward() a copy"
            )
