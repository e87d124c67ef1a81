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
alone (its ``numerical_gradient``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .context import state
from .engine import OUT, InPlaceEditError, checksum, read_plan

if TYPE_CHECKING:
    from .ops import Primitive
    from .typing import Checksum


def guard(prim: Primitive, args: Sequence[Any], out: Any,
          needed: Iterable[int]) -> tuple[tuple[int, Checksum], ...]:
    """Checksums of the arrays (inputs ``args``, output ``out``) that the VJPs of inputs ``needed`` read.

    Empty inside ``engine.skip_edit_checks()``, as operations recorded there keep none.
    """
    if not state.check_edits:
        return ()
    needs = 0
    for i in needed:
        needs |= 1 << i
    kept = []
    for position in read_plan(prim, needs, len(args)):
        data = out if position == OUT else args[position]
        if data.__class__ is np.ndarray:
            kept.append((position, checksum(data)))
    return tuple(kept)


def verify(prim: Primitive, args: Sequence[Any], out: Any, kept: Iterable[tuple[int, Checksum]],
           caller: str) -> None:
    """Raise InPlaceEditError naming ``caller`` if an array ``guard`` saw has changed since."""
    for position, before in kept:
        data = out if position == OUT else args[position]
        if checksum(data) != before:
            what = f"the output of '{prim.name}'" if position == OUT else f"input {position} of '{prim.name}'"
            raise InPlaceEditError(
                f"{caller}: {what} (an array of shape {data.shape}) was changed in place after forward() "
                "used it, so the gradients would be computed from the new values, not the ones forward used; "
                "change the array before forward() or after backward(), or give forward() a copy"
            )
