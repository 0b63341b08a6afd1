"""Normalization, Rescaling, Discretization, CategoryEncoding, Hashing, HashedCrossing: Keras's values,
adapt() from arrays/DataFrames/batches, gradients, configs and one-line errors."""

import numpy as np
import pytest

import neuronet
from neuronet import layers
from neuronet.autograd import gradcheck
from neuronet.utils import PyDataset


class Batches(PyDataset):
    def __init__(self, x, size):
        super().__init__()
        self.x, self.size = x, size

    def __len__(self):
        return int(np.ceil(len(self.x) / self.size))

    def __getitem__(self, i):
        s = slice(i * self.size, (i + 1) * self.size)
        return self.x[s], np.zeros(len(self.x[s]))


# ----------------------------------------------------------------------------- Normalization
def test_normalization_keras_docstring_examples():
    layer = layers.Normalization(axis=None)
    layer.adapt(np.array([1.0, 2.0, 3.0, 4.0, 5.0], "float32"))
    np.testing.assert_allclose(layer(np.array([1.0, 2.0, 3.0], "float32")).data, [-1.4142135, -0.70710677, 0.0],
                               rtol=1e-6)
    layer = layers.Normalization(axis=-1)
    layer.adapt(np.array([[0, 7, 4], [2, 9, 6], [0, 7, 4], [2, 9, 6]], "float32"))
    np.testing.assert_allclose(layer(np.array([[0, 7, 4]], "float32")).data, [[-1, -1, -1]], atol=1e-6)
    layer = layers.Normalization(mean=3.0, variance=2.0)
    np.testing.assert_allclose(layer(np.array([[1.0], [2.0], [3.0]])).data.ravel(), [-1.4142135, -0.70710677, 0],
                               rtol=1e-6)
    layer = layers.Normalization(axis=-1, invert=True)
    layer.adapt(np.array([[0, 7, 4], [2, 9, 6], [0, 7, 4], [2, 9, 6]], "float32"))
    np.testing.assert_allclose(layer(np.array([[1.0, 2.0, 3.0]])).data, [[2, 10, 8]], rtol=1e-6)


def test_normalization_adapt_sources_agree(rng):
    x = rng.normal(size=(103, 4)) * [1, 2, 3, 4] + [5, 0, -5, 1]
    want_mean, want_var = x.mean(0), x.var(0)
    pd = pytest.importorskip("pandas")
    sources = [x, x.tolist() if False else x.astype("float32"), pd.DataFrame(x), Batches(x, 10),
               (b for b in np.array_split(x, 7)), [x[:50], x[50:]]]
    for source in sources:
        layer = layers.Normalization()
        layer.adapt(source)
        np.testing.assert_allclose(layer.adapt_mean.data, want_mean, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(layer.adapt_variance.data, want_var, rtol=1e-5)


def test_normalization_weights_layout_and_axes(rng):
    layer = layers.Normalization(axis=(1, 2))
    x = rng.normal(size=(20, 3, 4))
    layer.adapt(x)
    assert [(w.path, w.shape, str(w.dtype)) for w in layer.weights] == [
        ("normalization/mean", (3, 4), "float32"), ("normalization/variance", (3, 4), "float32"),
        ("normalization/count", (), "int32")]
    np.testing.assert_allclose(layer(x).data, (x - x.mean(0)) / x.std(0), rtol=1e-4, atol=1e-4)


def test_normalization_gradcheck(float64, rng):
    layer = layers.Normalization(mean=[1.0, -2.0, 0.5], variance=[4.0, 0.25, 1.0])
    gradcheck(lambda t: layer(t), [rng.normal(size=(5, 3))])
    inverse = layers.Normalization(mean=[1.0, -2.0, 0.5], variance=[4.0, 0.25, 1.0], invert=True)
    gradcheck(lambda t: inverse(t), [rng.normal(size=(5, 3))])


def test_normalization_in_a_model_saves_its_statistics(tmp_path, rng):
    x = rng.normal(size=(64, 3)).astype("float32") * 10 + 4
    norm = layers.Normalization()
    norm.adapt(x)
    model = neuronet.Sequential([neuronet.Input((3,)), norm, layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(x, x[:, :1], epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = neuronet.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.layers[0].adapt_mean.data, norm.adapt_mean.data)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert layers.Normalization.from_config(norm.get_config()).get_config()["axis"] == [-1]


@pytest.mark.parametrize("make, message", [
    (lambda: layers.Normalization(mean=1.0), "both mean and variance"),
    (lambda: layers.Normalization(mean=[1.0, 2.0], variance=[1.0]), "same shape"),
    (lambda: layers.Normalization(axis="x"), "axis"),
    (lambda: layers.Normalization(mean=1.0, variance=-1.0), "variance must be >= 0"),
])
def test_normalization_bad_arguments(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert message in str(info.value) and "\n" not in str(info.value)


def test_normalization_adapt_errors():
    layer = layers.Normalization()
    layer.adapt(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="axes"):
        layer.adapt(np.zeros((4, 5)))
    with pytest.raises(ValueError, match="numeric"):
        layers.Normalization().adapt(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="NaN"):
        layers.Normalization().adapt(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="no data"):
        layers.Normalization().adapt(iter([]))
    with pytest.raises(ValueError, match="given mean and variance"):
        layers.Normalization(mean=0.0, variance=1.0).adapt(np.zeros((2, 1)))


# ----------------------------------------------------------------------------- Rescaling
def test_rescaling_values_dtype_and_gradcheck(float64, rng):
    out = layers.Rescaling(1 / 127.5, offset=-1)(np.array([[0, 127, 255]], "uint8"))
    np.testing.assert_allclose(out.data, [[-1.0, 127 / 127.5 - 1, 1.0]], rtol=1e-6)
    per_channel = layers.Rescaling([1.0, 2.0, 3.0])
    np.testing.assert_allclose(per_channel(np.ones((2, 3))).data, [[1, 2, 3], [1, 2, 3]])
    gradcheck(lambda t: layers.Rescaling(0.5, 2.0)(t), [rng.normal(size=(3, 4))])
    cfg = layers.Rescaling(0.25, offset=1.0).get_config()
    assert (cfg["scale"], cfg["offset"]) == (0.25, 1.0)
    with pytest.raises(ValueError, match="scale"):
        layers.Rescaling("big")


# ----------------------------------------------------------------------------- Discretization
def test_discretization_boundaries_and_modes():
    layer = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    assert layer(np.array([[-1.5, 1.0, 3.4, 0.5]])).data.tolist() == [[0, 2, 3, 1]]
    count = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0], output_mode="count")
    assert count(np.array([[-1.5, 1.0, 3.4, 0.5, 1.2]])).data.tolist() == [[1, 1, 2, 1]]
    one_hot = layers.Discretization(bin_boundaries=[0.0], output_mode="one_hot")
    assert one_hot(np.array([-1.0, 1.0])).data.tolist() == [[1, 0], [0, 1]]


def test_discretization_adapt_quantiles_and_config():
    layer = layers.Discretization(num_bins=3, epsilon=0.01)
    layer.adapt(np.arange(10.0))
    np.testing.assert_allclose(layer.bin_boundaries, [2.3333333, 5.6666665], rtol=1e-6)  # Keras's values
    again = layers.Discretization.from_config(layer.get_config())
    assert again.bin_boundaries == layer.bin_boundaries and again.num_bins == 3
    big = layers.Discretization(num_bins=4)
    big.adapt((b for b in np.array_split(np.random.default_rng(0).uniform(0, 1, 4000), 5)))
    np.testing.assert_allclose(big.bin_boundaries, [0.25, 0.5, 0.75], atol=0.03)


@pytest.mark.parametrize("kwargs, message", [
    (dict(), "either num_bins or bin_boundaries"), (dict(num_bins=2, bin_boundaries=[1.0]), "not both"),
    (dict(num_bins=-1), "num_bins"), (dict(bin_boundaries=[2.0, 1.0]), "sorted"),
    (dict(num_bins=3, output_mode="tf_idf"), "output_mode"), (dict(num_bins=3, sparse=True), "sparse"),
])
def test_discretization_bad_arguments(kwargs, message):
    with pytest.raises(ValueError) as info:
        layers.Discretization(**kwargs)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_discretization_not_adapted():
    with pytest.raises(ValueError, match="adapt"):
        layers.Discretization(num_bins=3)(np.zeros((2, 1)))


# ----------------------------------------------------------------------------- CategoryEncoding
def test_category_encoding_modes():
    one_hot = layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")
    assert one_hot(np.array([3, 2, 0, 1])).data.tolist() == np.eye(4)[[3, 2, 0, 1]].tolist()
    multi = layers.CategoryEncoding(num_tokens=4, output_mode="multi_hot")
    assert multi(np.array([[0, 1], [0, 0], [1, 2], [3, 1]])).data.tolist() == [[1, 1, 0, 0], [1, 0, 0, 0],
                                                                              [0, 1, 1, 0], [0, 1, 0, 1]]
    count = layers.CategoryEncoding(num_tokens=4, output_mode="count")
    out = count(np.array([[0, 1, 1], [2, 2, 3]]), count_weights=np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]))
    np.testing.assert_allclose(out.data, [[0.1, 0.5, 0, 0], [0, 0, 0.9, 0.6]], rtol=1e-6)
    assert multi.compute_output_shape((None, 2)) == (None, 4)
    assert one_hot.compute_output_shape((None, 1)) == (None, 4)
    assert layers.CategoryEncoding(num_tokens=3, output_mode="binary").output_mode == "multi_hot"


def test_category_encoding_errors():
    with pytest.raises(ValueError, match="num_tokens must be set"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="output_mode"):
        layers.CategoryEncoding(3, output_mode="int")
    with pytest.raises(ValueError, match=r"out of range; expected ids in \[0, 3\)"):
        layers.CategoryEncoding(3)(np.array([[0, 3]]))
    with pytest.raises(ValueError, match="count_weights"):
        layers.CategoryEncoding(3, output_mode="one_hot")(np.array([0]), count_weights=np.array([1.0]))


# ----------------------------------------------------------------------------- Hashing and HashedCrossing
def test_hashing_equals_keras():
    strings = np.array([["A"], ["B"], ["C"], ["D"], ["E"]])
    assert layers.Hashing(num_bins=3)(strings).data.ravel().tolist() == [1, 0, 1, 1, 2]  # Keras docstring
    assert layers.Hashing(num_bins=3, mask_value="")(np.array([["A"], ["B"], [""], ["C"], ["D"]])).data.ravel(
    ).tolist() == [1, 1, 0, 2, 2]  # Keras docstring
    assert layers.Hashing(num_bins=3, salt=133)(strings).data.ravel().tolist() == [0, 0, 2, 1, 0]  # docstring
    # integers hash as their decimal text, floats are truncated first (Keras: tf.as_string(tf.cast(x, int64)))
    ints = layers.Hashing(num_bins=11)(np.array([[1], [22], [-3]])).data
    np.testing.assert_array_equal(layers.Hashing(num_bins=11)(np.array([["1"], ["22"], ["-3"]])).data, ints)
    np.testing.assert_array_equal(layers.Hashing(num_bins=11)(np.array([[1.7], [22.2], [-3.9]])).data, ints)


def test_hashing_output_modes_and_config():
    layer = layers.Hashing(num_bins=4, output_mode="multi_hot")
    out = layer(np.array([["a", "b"], ["c", "c"]])).data
    ids = layers.Hashing(num_bins=4)(np.array([["a", "b"], ["c", "c"]])).data
    assert out.shape == (2, 4)
    for row, row_ids in zip(out, ids):
        assert np.flatnonzero(row).tolist() == sorted(set(row_ids.tolist()))
    cfg = layers.Hashing(num_bins=5, salt=[1, 2], mask_value="x").get_config()
    assert (cfg["num_bins"], cfg["salt"], cfg["mask_value"], cfg["dtype"]) == (5, [1, 2], "x", "int64")
    with pytest.raises(ValueError, match="num_bins"):
        layers.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="salt"):
        layers.Hashing(num_bins=3, salt="a")


def test_hashed_crossing_equals_keras():
    layer = layers.HashedCrossing(num_bins=5)
    assert layer([np.array([1, 2, 1]), np.array(["A", "B", "A"])]).data.tolist() == [2, 3, 2]  # Keras's values
    one_hot = layers.HashedCrossing(num_bins=5, output_mode="one_hot")
    assert one_hot([np.array([[1], [2]]), np.array([["A"], ["B"]])]).shape == (2, 5)
    with pytest.raises(ValueError, match="at least two inputs"):
        layer([np.array([1, 2])])
    with pytest.raises(ValueError, match="equal shape"):
        layer([np.array([1, 2]), np.array([1])])
