"""StringLookup and IntegerLookup: vocabularies (given, adapted, from files), special slots, OOV hashing,
the vector modes, invert, string inputs of every kind, configs that carry the vocabulary, errors."""

import numpy as np
import pytest

import neuronet
from neuronet import layers

DATA = np.array([["a", "b", "c"], ["b", "c", "d"], ["c", "x", "b"], ["b", "b", "z"]])


def test_string_lookup_keras_examples():
    layer = layers.StringLookup(vocabulary=["a", "b", "c", "d"])
    assert layer(np.array([["a", "c", "d"], ["d", "z", "b"]])).data.tolist() == [[1, 3, 4], [4, 0, 2]]
    adapted = layers.StringLookup()
    adapted.adapt(np.array([["d", "z", "b"], ["c", "c", "c"], ["a", "d", "d"]]))
    assert adapted.get_vocabulary() == ["[UNK]", "d", "c", "z", "b", "a"]  # by count, ties: larger token first
    two_oov = layers.StringLookup(vocabulary=["a", "b", "c", "d"], num_oov_indices=2)
    assert two_oov(np.array([["a", "c", "d"], ["m", "z", "b"]])).data.tolist() == [[2, 4, 5], [0, 1, 3]]
    one_hot = layers.StringLookup(vocabulary=["a", "b", "c", "d"], output_mode="one_hot")
    assert one_hot(np.array(["a", "b", "c", "d", "z"])).data.tolist() == np.eye(5)[[1, 2, 3, 4, 0]].tolist()
    multi = layers.StringLookup(vocabulary=["a", "b", "c", "d"], output_mode="multi_hot")
    assert multi(np.array([["a", "c", "d", "d"], ["d", "z", "b", "z"]])).data.tolist() == [[0, 1, 0, 1, 1],
                                                                                         [1, 0, 1, 0, 1]]
    count = layers.StringLookup(vocabulary=["a", "b", "c", "d"], output_mode="count")
    assert count(np.array([["a", "c", "d", "d"], ["d", "z", "b", "z"]])).data.tolist() == [[0, 1, 0, 1, 2],
                                                                                         [2, 0, 1, 0, 1]]
    tf_idf = layers.StringLookup(output_mode="tf_idf", vocabulary=["a", "b", "c", "d"],
                                 idf_weights=[0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(tf_idf(np.array([["a", "c", "d", "d"], ["d", "z", "b", "z"]])).data,
                               [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    inverse = layers.StringLookup(vocabulary=["a", "b", "c", "d"], invert=True)
    assert inverse(np.array([[1, 3, 4], [4, 0, 2]])).data.tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]


def test_string_inputs_of_every_kind():
    layer = layers.StringLookup(vocabulary=["a", "b"])
    want = [[1, 2, 0]]
    assert layer(np.array([["a", "b", "q"]])).data.tolist() == want
    assert layer(np.array([["a", "b", "q"]], dtype=object)).data.tolist() == want
    assert layer(np.array([[b"a", b"b", b"q"]])).data.tolist() == want
    assert layer([["a", "b", "q"]]).data.tolist() == want
    assert layer(["a", "b", "q"]).data.tolist() == want[0]
    pd = pytest.importorskip("pandas")
    assert layer(pd.Series(["a", "b", "q"])).data.tolist() == want[0]
    with pytest.raises(ValueError, match="expected strings"):
        layer(np.array([["a", 3]], dtype=object))


def test_mask_token_and_oov_hashing():
    layer = layers.StringLookup(mask_token="", vocabulary=["a", "b"])
    assert layer(np.array([["a", "", "z"]])).data.tolist() == [[2, 0, 1]]
    assert layer.get_vocabulary() == ["", "[UNK]", "a", "b"]
    assert layer(np.array([["a", "", "z"]])).data.dtype == np.int64
    counted = layers.StringLookup(mask_token="x", output_mode="count")
    counted.adapt(DATA)
    assert "x" not in counted.get_vocabulary()
    hashed = layers.StringLookup(vocabulary=["a"], num_oov_indices=4)
    out = hashed(np.array(["p", "q", "r", "s", "a"])).data
    assert out[-1] == 4 and set(out[:-1].tolist()) <= {0, 1, 2, 3}
    np.testing.assert_array_equal(hashed(np.array(["p", "q", "r", "s"])).data, out[:-1])  # deterministic


def test_adapt_sources_and_max_tokens():
    pd = pytest.importorskip("pandas")
    want = layers.StringLookup()
    want.adapt(DATA)
    for source in [DATA.tolist(), pd.DataFrame(DATA), (row for row in DATA), DATA.astype(object)]:
        layer = layers.StringLookup()
        layer.adapt(source)
        assert layer.get_vocabulary() == want.get_vocabulary()
    capped = layers.StringLookup(max_tokens=3)
    capped.adapt(DATA)
    assert capped.get_vocabulary() == ["[UNK]", "b", "c"]


def test_vocabulary_file_and_special_tokens_in_vocabulary(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("a\nb\nc\n")
    layer = layers.StringLookup(vocabulary=str(path))
    assert layer.get_vocabulary() == ["[UNK]", "a", "b", "c"]
    assert layer.get_config()["vocabulary"] == ["a", "b", "c"]  # the file's tokens, not its path
    with_special = layers.StringLookup(vocabulary=["[UNK]", "a", "b"])
    assert with_special.get_vocabulary() == ["[UNK]", "a", "b"]


def test_integer_lookup():
    layer = layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    assert layer(np.array([[12, 1138, 42], [42, 1000, 36]])).data.tolist() == [[1, 3, 4], [4, 0, 2]]
    adapted = layers.IntegerLookup()
    adapted.adapt(np.array([[12, 1138, 42], [42, 1000, 36], [12, 42, 42]]))
    assert adapted.get_vocabulary() == [-1, 42, 12, 1138, 1000, 36]
    floats = layers.IntegerLookup(vocabulary=[12, 36])
    assert floats(np.array([[12.0, 36.0, 5.0]])).data.tolist() == [[1, 2, 0]]  # a numeric model input
    floor = layers.IntegerLookup(vocabulary=[12, 36], num_oov_indices=3)
    assert floor(np.array([7, 8, 9])).data.tolist() == [1, 2, 0]  # token mod 3
    masked = layers.IntegerLookup(vocabulary=[12, 36], mask_token=0)
    assert masked(np.array([[0, 12, 99]])).data.tolist() == [[0, 2, 1]]
    inverse = layers.IntegerLookup(vocabulary=[12, 36], invert=True)
    assert inverse(np.array([[1, 2, 0]])).data.tolist() == [[12, 36, -1]]
    with pytest.raises(ValueError, match="integer tokens"):
        layers.IntegerLookup(vocabulary=[1])(np.array([0.5]))


def test_config_round_trip_carries_adapted_vocabulary_and_idf():
    layer = layers.StringLookup(output_mode="tf_idf")
    layer.adapt(DATA)
    cfg = layer.get_config()
    assert cfg["vocabulary"] == layer.get_vocabulary() and cfg["has_input_vocabulary"] is False
    again = layers.StringLookup.from_config(cfg)
    assert again.get_vocabulary() == layer.get_vocabulary()
    x = np.array([["a", "b", "q"], ["c", "c", "d"]])
    np.testing.assert_allclose(again(x).data, layer(x).data)
    with pytest.raises(RuntimeError, match="cannot change after the layer is used"):  # as Keras
        again.adapt(np.array([["q", "q"]]))
    ints = layers.StringLookup()
    ints.adapt(DATA)
    reloaded = layers.StringLookup.from_config(ints.get_config())
    reloaded.adapt(np.array([["q", "q"]]))  # an adapted layer can be adapted again after loading
    assert reloaded.get_vocabulary() == ["[UNK]", "q"]


def test_lookup_in_a_saved_functional_model(tmp_path):
    lookup = layers.IntegerLookup()
    lookup.adapt(np.array([3, 5, 5, 7, 9]))
    inp = neuronet.Input((1,), dtype="int64")
    out = layers.Dense(1)(layers.Flatten()(layers.Embedding(lookup.vocabulary_size(), 4)(lookup(inp))))
    model = neuronet.Model(inp, out)
    x = np.array([[3], [5], [7], [11]])
    model.compile("adam", "mse")
    model.fit(x, np.ones((4, 1)), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = neuronet.saving.load_model(tmp_path / "m.keras")
    assert loaded.get_layer(lookup.name).get_vocabulary() == lookup.get_vocabulary()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize("kwargs, message", [
    (dict(max_tokens=1), "max_tokens"), (dict(pad_to_max_tokens=True), "needs max_tokens"),
    (dict(num_oov_indices=-1), "num_oov_indices"), (dict(output_mode="bag"), "output_mode"),
    (dict(invert=True, output_mode="count"), "invert=True"), (dict(sparse=True), "sparse"),
    (dict(idf_weights=[1.0]), "idf_weights"), (dict(vocabulary=["a", "a"]), "repeated"),
    (dict(vocabulary=["a"], output_mode="tf_idf"), "idf_weights must also"),
    (dict(vocabulary=["a", "b", "c"], max_tokens=3), "more than max_tokens"),
    (dict(vocabulary=[]), "empty vocabulary"), (dict(salt="x"), "salt"),
])
def test_string_lookup_bad_arguments(kwargs, message):
    with pytest.raises(ValueError) as info:
        layers.StringLookup(**kwargs)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_lookup_runtime_errors():
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        layers.StringLookup(vocabulary=["a"], num_oov_indices=0)(np.array(["b"]))
    with pytest.raises(RuntimeError, match="set the vocabulary"):
        layers.StringLookup(output_mode="multi_hot")(np.array([["a"]]))
    fixed = layers.StringLookup(vocabulary=["a"])
    with pytest.raises(ValueError, match="cannot adapt"):
        fixed.adapt(np.array(["b"]))
    with pytest.raises(ValueError, match="no tokens"):
        layers.StringLookup().adapt(np.array([], dtype=str))
