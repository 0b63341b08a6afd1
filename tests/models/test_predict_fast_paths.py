"""predict's fast paths (no callback machinery when nothing would be called, an ndarray already in the
model's dtype and rank taken as is, the cached input structure) give the same results and the same
one-line errors as the general path."""

import numpy as np
import pytest

from neuronet import callbacks, layers
from neuronet.layers.base import InputSpec
from neuronet.models import Model, Sequential
from neuronet.models.data_adapters import DataSpec
from neuronet.models.data_adapters.inputs import standardize_inputs


def _model():
    model = Sequential([layers.Input((6,)), layers.Dense(5, activation="relu"), layers.Dense(3)])
    return model


def _data(dtype="float32", rows=9):
    return np.random.default_rng(0).standard_normal((rows, 6)).astype(dtype)


def test_plain_array_gives_the_general_paths_result():
    model = _model()
    x32 = _data()
    fast = model.predict(x32, batch_size=4, verbose=0)
    # float64 and a list of rows are converted on the general path: the same float32 data, the same bits
    np.testing.assert_array_equal(model.predict(x32.astype("float64"), batch_size=4, verbose=0), fast)
    np.testing.assert_array_equal(model.predict(x32.tolist(), batch_size=4, verbose=0), fast)
    np.testing.assert_array_equal(model.predict([x32], batch_size=4, verbose=0), fast)


@pytest.mark.parametrize("x,match", [
    (_data()[:, :4], "X has 4 features, but sequential.* is expecting 6 features as input"),
    (np.where(np.arange(54).reshape(9, 6) == 13, np.nan, _data()).astype("float32"),
     "x contains nan at row 2, column 1"),
    (_data()[:0], "received empty data"),
    (np.float32(1.0), "scalar"),
])
def test_plain_array_errors_are_the_general_paths(x, match):
    model = _model()
    with pytest.raises(ValueError, match=match):
        model.predict(x, verbose=0)
    with pytest.raises(ValueError, match=match):  # the same data through the general path (float64)
        model.predict(np.asarray(x, "float64"), verbose=0)


def test_rank_adjustment_still_applies():
    model = Sequential([layers.Input((1,)), layers.Dense(2)])
    x = np.arange(5, dtype="float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x[:, None], verbose=0))


def test_standardize_inputs_takes_a_plain_array_as_is():
    from neuronet.models.data_adapters.inputs import InputStructure

    spec = DataSpec("predict", "float32", "m", 1, [(None, 6)], structure=InputStructure([None], 0, [False], [None]))
    x = _data()
    assert standardize_inputs(x, spec)[0] is x
    other = standardize_inputs(x.astype("float64"), spec)[0]
    assert other.dtype == np.float32 and other is not x
    ints = InputStructure([None], 0, [False], ["int64"])  # an integer Input keeps integer data: not the fast path
    got = standardize_inputs(np.arange(6, dtype="float32")[None], DataSpec("predict", "float32", "m", 1, [(None, 6)],
                                                                            structure=ints))[0]
    assert got.dtype == np.float32


def test_callbacks_and_progress_still_run():
    model = _model()
    seen = []

    class Recorder(callbacks.Callback):
        def on_predict_begin(self, logs=None):
            seen.append("begin")

        def on_predict_batch_end(self, batch, logs=None):
            seen.append(batch)

        def on_predict_end(self, logs=None):
            seen.append("end")

    quiet = model.predict(_data(), batch_size=4, verbose=0)
    np.testing.assert_array_equal(model.predict(_data(), batch_size=4, verbose=0, callbacks=[Recorder()]), quiet)
    assert seen == ["begin", 0, 1, 2, "end"]
    with pytest.raises(TypeError, match="CallbackList"):  # a bad callbacks value is still refused
        model.predict(_data(), verbose=0, callbacks=[object()])


def test_sequential_input_structure_follows_its_first_layer():
    model = Sequential([layers.Dense(2, input_shape=(3,))])
    first = model._input_structure()
    assert model._input_structure() is first  # kept while nothing changed
    model.pop()
    model.add(layers.StringLookup(vocabulary=["a", "b"]))
    assert model._input_structure().strings == (True,)


def test_functional_input_structure_is_kept():
    inputs = layers.Input((3,), name="features")
    model = Model(inputs, layers.Dense(2)(inputs))
    structure = model._input_structure()
    assert model._input_structure() is structure and structure.names == ("features",)


def test_input_spec_messages_unchanged():
    spec = InputSpec(ndim=2, axes={-1: 4})
    spec.check("dense", (None, 4))
    with pytest.raises(ValueError, match=r"Input 1 of layer 'dense' is incompatible with the layer: expected ndim=2, "
                                         r"found ndim=3. Full shape received: \(2, 3, 4\)"):
        spec.check("dense", (2, 3, 4), 1)
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 4, but received input with "
                                         r"shape \(2, 5\)"):
        spec.check("dense", (2, 5))
    for bounds, shape in (({"min_ndim": 3}, (1, 2)), ({"max_ndim": 2}, (1, 2, 3))):
        with pytest.raises(ValueError, match="_ndim="):
            InputSpec(**bounds).check("dense", shape)
    InputSpec(axes={-1: None}).check("dense", (1, 7))


def test_batch_size_checks_unchanged():
    model = _model()
    full = model.predict(_data(), batch_size=4, verbose=0)
    np.testing.assert_array_equal(model.predict(_data(), batch_size=np.int64(4), verbose=0), full)
    np.testing.assert_array_equal(model.predict(_data(), batch_size=100, verbose=0), full)  # one batch
    for bad in (0, -3, True, 2.0):
        with pytest.raises(ValueError, match=rf"predict: expected batch_size to be a positive integer, received "
                                             rf"batch_size={bad!r}"):
            model.predict(_data(), batch_size=bad, verbose=0)
