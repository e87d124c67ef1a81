"""What every node is created under: this thread's switches and the creation clock.

The lowest layer of the package: it imports nothing from it. ``node`` numbers
and groups new nodes from here; ``engine`` sets the switches.
"""

from __future__ import annotations

import itertools
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Group
    from .node import Node


class _State(threading.local):
    """Per-thread switches: recording on or off, the open group, anomaly mode."""

    grad_enabled = True
    group: Group | None = None
    anomaly: Any = None  # the checks to run under detect_anomaly() (see ``autograd.anomaly``), or None
    # (node, input position) while a recorded VJP runs under detect_anomaly()
    backward_of: tuple[Node, int] | None = None
    check_edits = True  # False inside skip_edit_checks()


state = _State()

# Creation numbers: a node is always numbered after its inputs.
next_seq = itertools.count().__next__

# The creation number current at the latest ``.data`` rebinding: a backward
# pass over a graph older than it has no rebinding to look for.
last_rebind = -1


def note_rebind(node: Node) -> None:
    """``node.data`` was just bound to another object: remember when."""
    global last_rebind
    stamp = node._edited = next_seq()
    if stamp > last_rebind:  # only ever raised, whichever thread stores last
        last_rebind = stamp
