"""Nested structures (``keras.tree``): flatten, map and rebuild lists, tuples, dicts and namedtuples.

A structure is a leaf or a container of structures. Containers are lists, tuples (namedtuples
included) and dicts (mappings); anything else — numbers, strings, arrays, tensors, None — is a leaf.
The order of the leaves is Keras's: sequences in order, a plain dict by sorted key, an
``OrderedDict`` in insertion order. Rebuilt dicts keep the key order of the structure they copy.

Example::

    >>> tree.flatten({"b": 2, "a": (1, [None])})
    [1, None, 2]
    >>> tree.map_structure(lambda x: x * 10, {"b": 2, "a": (1, [3])})
    {'b': 20, 'a': (10, [30])}
"""

from __future__ import annotations

import collections
from collections.abc import Mapping

__all__ = ["MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten", "flatten_with_path", "is_nested",
           "lists_to_tuples", "map_shape_structure", "map_structure", "map_structure_up_to", "pack_sequence_as",
           "traverse"]


class MAP_TO_NONE:  # noqa: N801 - Keras's name
    """Returned by a :func:`traverse` function to put None in place of a node (None itself means "keep
    going")."""


def is_nested(structure) -> bool:
    """True for a list, tuple (namedtuple included) or mapping; False for a leaf."""
    return isinstance(structure, (list, tuple, Mapping))


def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def _keys(mapping) -> list:
    """A mapping's keys in flattening order: insertion order for an OrderedDict, else sorted."""
    if isinstance(mapping, collections.OrderedDict):
        return list(mapping)
    try:
        return sorted(mapping)
    except TypeError as err:
        raise TypeError(f"tree: the keys of a dict must be sortable, received {list(mapping)!r}") from err


def _children(structure) -> list:
    """``[(key, child), ...]`` of a container, in flattening order."""
    if isinstance(structure, Mapping):
        return [(key, structure[key]) for key in _keys(structure)]
    return list(enumerate(structure))


def _rebuild(structure, values: list):
    """A container of ``structure``'s type holding ``values`` (in flattening order)."""
    if isinstance(structure, Mapping):
        by_key = dict(zip(_keys(structure), values))
        items = [(key, by_key[key]) for key in structure]  # the original key order
        if isinstance(structure, collections.defaultdict):
            rebuilt = collections.defaultdict(structure.default_factory)
            rebuilt.update(items)
            return rebuilt
        try:
            return type(structure)(items)
        except TypeError:  # a mapping type without a constructor from pairs
            return dict(items)
    if _is_namedtuple(structure):
        return type(structure)(*values)
    if isinstance(structure, tuple):
        return tuple(values)
    return list(values) if type(structure) is list else type(structure)(values)


def flatten(structure) -> list:
    """The leaves of ``structure`` as a flat list (a leaf gives ``[leaf]``)."""
    return [leaf for _, leaf in flatten_with_path(structure)]


def flatten_with_path(structure) -> list:
    """``[(path, leaf), ...]``: each leaf with the tuple of indices and keys leading to it."""
    result = []

    def walk(node, path):
        if not is_nested(node):
            result.append((path, node))
            return
        for key, child in _children(node):
            walk(child, path + (key,))

    walk(structure, ())
    return result


def _check_same(a, b, check_types: bool, where: str) -> None:
    """Raise ValueError where ``a`` and ``b`` differ in nesting, length, keys (or container types)."""
    if is_nested(a) != is_nested(b):
        raise ValueError(f"{where}: the structures differ: {_short(a)} and {_short(b)}")
    if not is_nested(a):
        return
    if check_types and type(a) is not type(b) and not (isinstance(a, Mapping) and isinstance(b, Mapping)):
        raise ValueError(f"{where}: expected an instance of {type(a).__name__}, received {_short(b)}")
    if isinstance(a, Mapping) != isinstance(b, Mapping):
        raise ValueError(f"{where}: the structures differ: {_short(a)} and {_short(b)}")
    if isinstance(a, Mapping):
        if set(a) != set(b):
            raise ValueError(f"{where}: the dicts have different keys: {sorted(map(str, a))} and "
                             f"{sorted(map(str, b))}")
    elif len(a) != len(b):
        raise ValueError(f"{where}: {type(a).__name__} length mismatch: expected {len(a)}, received {len(b)} "
                         f"in {_short(b)}")
    pairs = [(a[key], b[key]) for key in _keys(a)] if isinstance(a, Mapping) else zip(a, b)
    for x, y in pairs:
        _check_same(x, y, check_types, where)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def assert_same_structure(a, b, check_types=None) -> None:
    """Raise ValueError unless ``a`` and ``b`` nest the same way (same container types, lengths and keys;
    the leaves may differ). ``check_types=False`` lets a list match a tuple. Defaults to checking types.
    """
    _check_same(a, b, check_types is None or bool(check_types), "assert_same_structure")


def assert_same_paths(a, b) -> None:
    """Raise ValueError unless ``a`` and ``b`` have leaves at the same paths (container types may differ)."""
    paths_a = {path for path, _ in flatten_with_path(a)}
    paths_b = {path for path, _ in flatten_with_path(b)}
    if paths_a != paths_b:
        only_a, only_b = sorted(map(str, paths_a - paths_b)), sorted(map(str, paths_b - paths_a))
        raise ValueError(f"assert_same_paths: `a` and `b` don't have the same paths: only in a {only_a}, only in "
                         f"b {only_b}")


def map_structure(func, *structures, none_is_leaf: bool = True):
    """``func`` applied to the leaves at the same place in every structure, in a structure like the first.

    With ``none_is_leaf=False`` a None is kept as None without calling ``func``.

    Raises:
        ValueError: when no structure is given, or the structures differ (see :func:`assert_same_structure`).
    """
    if not callable(func):
        raise TypeError(f"map_structure: expected func to be callable, received {func!r}")
    if not structures:
        raise ValueError("map_structure: expected at least one structure")
    for other in structures[1:]:
        _check_same(structures[0], other, True, "map_structure")
    columns = [flatten(s) for s in structures]
    results = [None if not none_is_leaf and leaves[0] is None else func(*leaves) for leaves in zip(*columns)]
    return pack_sequence_as(structures[0], results)


def map_structure_up_to(shallow_structure, func, *structures):
    """Like :func:`map_structure`, but stop at the leaves of ``shallow_structure``: whatever the
    structures hold there (a leaf or a whole sub-structure) is given to ``func``.

    Raises:
        ValueError: when a structure does not contain ``shallow_structure``'s nesting.
    """
    if not structures:
        raise ValueError("map_structure_up_to: expected at least one structure")

    def walk(shallow, nodes):
        if not is_nested(shallow):
            return func(*nodes)
        for node in nodes:
            if not is_nested(node) or isinstance(node, Mapping) != isinstance(shallow, Mapping):
                raise ValueError(f"map_structure_up_to: expected a structure like {_short(shallow)}, received "
                                 f"{_short(node)}")
            if isinstance(shallow, Mapping) and not set(shallow) <= set(node):
                raise ValueError(f"map_structure_up_to: missing keys {sorted(map(str, set(shallow) - set(node)))} "
                                 f"in {_short(node)}")
            if not isinstance(shallow, Mapping) and len(node) != len(shallow):
                raise ValueError(f"map_structure_up_to: expected {len(shallow)} items, received {len(node)} in "
                                 f"{_short(node)}")
        return _rebuild(shallow, [walk(child, [node[key] for node in nodes]) for key, child in _children(shallow)])

    return walk(shallow_structure, list(structures))


def pack_sequence_as(structure, flat_sequence):
    """``flat_sequence``'s items put back in the shape of ``structure`` (the inverse of :func:`flatten`).

    Raises:
        ValueError: when the number of items differs from the number of leaves of ``structure``.
    """
    flat = list(flat_sequence)
    count = len(flatten(structure))
    if len(flat) != count:
        raise ValueError(f"pack_sequence_as: the structure has {count} leaves, but received {len(flat)} values")
    position = iter(flat)

    def build(node):
        if not is_nested(node):
            return next(position)
        return _rebuild(node, [build(child) for _, child in _children(node)])

    return build(structure)


def lists_to_tuples(structure):
    """``structure`` with every list turned into a tuple (dicts and leaves kept)."""
    if not is_nested(structure):
        return structure
    values = [lists_to_tuples(child) for _, child in _children(structure)]
    return tuple(values) if isinstance(structure, list) else _rebuild(structure, values)


def _is_shape(value) -> bool:
    return isinstance(value, (list, tuple)) and not _is_namedtuple(value) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in value)


def map_shape_structure(func, structure):
    """``func`` applied to every shape in ``structure``: a tuple or list of ints and Nones counts as one
    leaf (a shape), not as a container."""
    if _is_shape(structure) or not is_nested(structure):
        return func(structure)
    return _rebuild(structure, [map_shape_structure(func, child) for _, child in _children(structure)])


def traverse(func, structure, top_down: bool = True):
    """Visit every node (containers and leaves), letting ``func`` replace it.

    Top down (the default), ``func(node)`` returning None means "keep the node and visit its
    children"; any other value replaces the node without visiting further (:class:`MAP_TO_NONE`
    replaces it with None). Bottom up, the children are visited first and ``func`` gets the rebuilt
    node; None keeps it.
    """

    def finish(value):
        return None if value is MAP_TO_NONE else value

    def down(node):
        result = func(node)
        if result is not None:
            return finish(result)
        if not is_nested(node):
            return node
        return _rebuild(node, [down(child) for _, child in _children(node)])

    def up(node):
        if is_nested(node):
            node = _rebuild(node, [up(child) for _, child in _children(node)])
        result = func(node)
        return node if result is None else finish(result)

    return down(structure) if top_down else up(structure)
