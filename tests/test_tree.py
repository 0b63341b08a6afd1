"""neuronet.tree (keras.tree): the expected values are Keras 3.15's outputs, written out; the last test
compares with Keras itself when it is installed."""

import collections

import numpy as np
import pytest

from neuronet import tree

Point = collections.namedtuple("Point", "y x")
NESTED = [None, 1, {"b": 2, "a": (3, [4])}]


def test_flatten_orders_dicts_by_key_and_keeps_none():
    assert tree.flatten(NESTED) == [None, 1, 3, 4, 2]
    assert tree.flatten(1) == [1]
    assert tree.flatten(collections.OrderedDict(b=1, a=2)) == [1, 2]  # insertion order
    assert tree.flatten(Point(1, 2)) == [1, 2]
    array = np.zeros(3)
    assert tree.flatten([array])[0] is array and tree.flatten("ab") == ["ab"]


def test_flatten_with_path():
    assert tree.flatten_with_path(NESTED) == [((0,), None), ((1,), 1), ((2, "a", 0), 3), ((2, "a", 1, 0), 4),
                                              ((2, "b"), 2)]


def test_pack_sequence_as_inverts_flatten_and_keeps_key_order():
    packed = tree.pack_sequence_as({"b": 0, "a": [0, 0]}, [1, 2, 3])
    assert packed == {"b": 3, "a": [1, 2]} and list(packed) == ["b", "a"]
    assert tree.pack_sequence_as(NESTED, tree.flatten(NESTED)) == NESTED
    assert tree.pack_sequence_as(Point(0, 0), [5, 6]) == Point(5, 6)
    assert tree.pack_sequence_as(1, [5]) == 5
    with pytest.raises(ValueError, match="has 2 leaves, but received 1"):
        tree.pack_sequence_as([0, 0], [5])


def test_map_structure():
    assert tree.map_structure(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)]) == [11, (22, 33)]
    assert tree.map_structure(lambda a: a, [1, None]) == [1, None]
    assert tree.map_structure(lambda a: a * 2, [1, None], none_is_leaf=False) == [2, None]
    assert tree.map_structure(lambda a: a, []) == []
    with pytest.raises(ValueError, match="expected an instance of tuple"):
        tree.map_structure(lambda a, b: a + b, [1, (2, 3)], [10, [20, 30]])
    with pytest.raises(ValueError, match="length mismatch"):
        tree.map_structure(lambda a, b: a, [1, 2], [1])


def test_map_structure_up_to_stops_at_the_shallow_leaves():
    assert tree.map_structure_up_to([0, 0], str, [1, (2, 3)]) == ["1", "(2, 3)"]
    with pytest.raises(ValueError, match="expected 2 items, received 3"):
        tree.map_structure_up_to([0, 0], str, [1, 2, 3])


def test_assert_same_structure_and_paths():
    tree.assert_same_structure([1, (2,)], [5, (6,)])
    tree.assert_same_structure([1, (2,)], [1, [2]], check_types=False)
    with pytest.raises(ValueError, match="expected an instance of tuple"):
        tree.assert_same_structure([1, (2,)], [1, [2]])
    with pytest.raises(ValueError, match="length mismatch"):
        tree.assert_same_structure([1, (2,)], [1, (2, 3)])
    tree.assert_same_paths({"a": [1]}, {"a": (2,)})
    for other in ({"a": [2]}, {"b": 1}):
        with pytest.raises(ValueError, match="don't have the same paths"):
            tree.assert_same_paths({"a": 1}, other)


def test_lists_to_tuples_and_shapes():
    assert tree.lists_to_tuples([1, [2, {"a": [3]}]]) == (1, (2, {"a": (3,)}))
    shapes = {"a": (1, None), "b": [(3,), (4, 5)]}
    assert tree.map_shape_structure(lambda s: s, shapes) == shapes
    assert tree.map_shape_structure(len, shapes) == {"a": 2, "b": [1, 2]}


def test_traverse():
    assert tree.traverse(lambda x: None, [1, (2,)]) == [1, (2,)]
    assert tree.traverse(lambda x: x * 2 if isinstance(x, int) else None, [1, (2,)]) == [2, (4,)]
    assert tree.traverse(lambda x: tree.MAP_TO_NONE if x == 1 else None, [1, 2]) == [None, 2]
    assert tree.traverse(lambda x: (9,) if isinstance(x, tuple) else None, [1, (2,)], top_down=False) == [1, (9,)]


def test_is_nested():
    assert tree.is_nested([]) and tree.is_nested({}) and tree.is_nested(Point(1, 2))
    assert not tree.is_nested("ab") and not tree.is_nested(np.zeros(2)) and not tree.is_nested(None)


def test_agrees_with_keras():
    keras_tree = pytest.importorskip("keras").tree
    structures = [NESTED, {"z": [1, {"y": 2, "x": (3,)}], "a": None}, Point(1, [2, 3])]
    for structure in structures:
        assert tree.flatten(structure) == keras_tree.flatten(structure)
        assert tree.flatten_with_path(structure) == keras_tree.flatten_with_path(structure)
        assert tree.lists_to_tuples(structure) == keras_tree.lists_to_tuples(structure)
        doubled = tree.map_structure(lambda v: None if v is None else v * 2, structure)
        assert doubled == keras_tree.map_structure(lambda v: None if v is None else v * 2, structure)
