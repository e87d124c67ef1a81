"""Nested containers of arrays, as JAX's pytrees and HIPS autograd's containers.

A tree is a leaf (a number, an array, a node, anything that is not a
container) or a list, tuple, namedtuple or dict of trees; None is an empty
tree. ``flatten`` lists the leaves in a fixed order (dicts in their key
order) with a description of the structure, and ``unflatten`` builds the
same structure around new leaves: that is how ``grad(loss)(params)`` gives
gradients shaped like ``params``.

>>> leaves, structure = flatten({"W": [1.0, 2.0], "b": 3.0})
>>> leaves
[1.0, 2.0, 3.0]
>>> unflatten(structure, [10.0, 20.0, 30.0])
{'W': [10.0, 20.0], 'b': 30.0}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any


class Structure:
    """The shape of a tree without its leaves: a container type, its keys and children."""

    __slots__ = ("kind", "keys", "children", "leaves")
    kind: Any
    keys: tuple[Any, ...] | None
    children: tuple[Structure, ...]
    leaves: int

    def __init__(self, kind: Any, keys: tuple[Any, ...] | None = None, children: tuple[Structure, ...] = ()) -> None:
        self.kind = kind  # "leaf", "none", list, tuple, a namedtuple class or a dict class
        self.keys = keys
        self.children = children
        self.leaves = 1 if kind == "leaf" else sum(child.leaves for child in children)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Structure)
            and self.kind == other.kind
            and self.keys == other.keys
            and self.children == other.children
        )

    def __hash__(self) -> int:
        return hash((str(self.kind), self.keys, self.children))

    def __repr__(self) -> str:
        if self.kind == "leaf":
            return "*"
        if self.kind == "none":
            return "None"
        if self.keys is not None:
            return "{" + ", ".join(f"{key!r}: {child!r}" for key, child in zip(self.keys, self.children)) + "}"
        inside = ", ".join(repr(child) for child in self.children)
        return f"[{inside}]" if self.kind is list else f"({inside}{',' if len(self.children) == 1 else ''})"


LEAF = Structure("leaf")


def is_container(obj: object) -> bool:
    return obj is None or isinstance(obj, (list, tuple, dict))


def flatten(tree: Any) -> tuple[list[Any], Structure]:
    """(leaves, structure) of a tree; a leaf is its own one-element list."""
    leaves: list[Any] = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree: Any, leaves: list[Any]) -> Structure:
    if tree is None:
        return Structure("none")
    if isinstance(tree, dict):
        keys = tuple(tree)
        return Structure(type(tree), keys, tuple(_flatten(tree[key], leaves) for key in keys))
    if isinstance(tree, (list, tuple)):
        kind = type(tree) if type(tree) in (list, tuple) or hasattr(tree, "_fields") else (
            list if isinstance(tree, list) else tuple
        )
        return Structure(kind, None, tuple(_flatten(item, leaves) for item in tree))
    leaves.append(tree)
    return LEAF


def unflatten(structure: Structure, leaves: Iterable[Any]) -> Any:
    """The tree of ``structure`` with ``leaves`` in flatten's order."""
    leaves = list(leaves)
    if len(leaves) != structure.leaves:
        raise ValueError(f"unflatten: the structure {structure!r} has {structure.leaves} leaves, got {len(leaves)}")
    return _unflatten(structure, iter(leaves))


def _unflatten(structure: Structure, leaves: Iterator[Any]) -> Any:
    kind = structure.kind
    if kind == "leaf":
        return next(leaves)
    if kind == "none":
        return None
    children = [_unflatten(child, leaves) for child in structure.children]
    if structure.keys is not None:
        try:
            return kind(zip(structure.keys, children))
        except TypeError:  # a dict subclass with another constructor (defaultdict)
            return dict(zip(structure.keys, children))
    if kind is list:
        return children
    if kind is tuple:
        return tuple(children)
    return kind(*children)  # a namedtuple


def map_leaves(function: Callable[[Any], Any], tree: Any) -> Any:
    """The tree with ``function`` applied to every leaf."""
    leaves, structure = flatten(tree)
    return unflatten(structure, [function(leaf) for leaf in leaves])
