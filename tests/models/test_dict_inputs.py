"""Inputs given as dicts keyed by input name, and nested lists, everywhere Keras 3 accepts them: fit,
evaluate, predict, train_on_batch, test_on_batch, predict_on_batch, validation_data, generators,
PyDatasets and neuronet.utils.Dataset; functional (list-, dict- and nested-built), Sequential and
subclassed models. Each case was checked against Keras 3.15."""

import warnings

import numpy as np
import pytest

import neuronet as keras
from neuronet import layers

A, B, C = (np.random.default_rng(i).normal(size=(8, n)).astype("float32") for i, n in enumerate((3, 2, 2)))
Y = np.random.default_rng(9).normal(size=(8, 1)).astype("float32")


def two_input_model(structure: str) -> keras.Model:
    keras.utils.set_random_seed(0)
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    out = layers.Dense(1)(layers.Concatenate()([a, b]))
    inputs = {"list": [a, b], "dict": {"a": a, "b": b}, "keyed": {"k1": a, "k2": b}}[structure]
    model = keras.Model(inputs, out)
    model.compile("sgd", "mse")
    return model


@pytest.mark.parametrize("structure", ["list", "dict"])
def test_dict_by_input_name_equals_list(structure):
    model = two_input_model(structure)
    expected = model.predict([A, B], verbose=0)
    np.testing.assert_allclose(model.predict({"a": A, "b": B}, verbose=0), expected, rtol=1e-6)
    np.testing.assert_allclose(model.predict({"b": B, "a": A}, verbose=0), expected, rtol=1e-6)  # any key order
    np.testing.assert_allclose(model.predict_on_batch({"b": B, "a": A}), expected, rtol=1e-6)
    np.testing.assert_allclose(model({"b": B, "a": A}).numpy(), expected, rtol=1e-6)
    assert model.evaluate({"a": A, "b": B}, Y, verbose=0) == pytest.approx(model.evaluate([A, B], Y, verbose=0))
    assert np.isfinite(model.test_on_batch({"a": A, "b": B}, Y))


def test_fit_with_dicts_trains_as_with_lists():
    by_list, by_dict = two_input_model("list"), two_input_model("list")
    by_list.fit([A, B], Y, epochs=3, batch_size=4, shuffle=False, verbose=0)
    history = by_dict.fit({"a": A, "b": B}, Y, epochs=3, batch_size=4, shuffle=False, verbose=0,
                          validation_data=({"b": B, "a": A}, Y))
    for w1, w2 in zip(by_list.get_weights(), by_dict.get_weights()):
        np.testing.assert_allclose(w1, w2, rtol=1e-6)
    assert len(history.history["val_loss"]) == 3
    loss = by_dict.train_on_batch({"a": A, "b": B}, Y)
    assert np.isfinite(loss)


def test_model_built_on_a_dict_is_keyed_by_the_dict_keys():
    model = two_input_model("keyed")  # Input names 'a' and 'b', dict keys 'k1' and 'k2': the keys count (Keras)
    expected = model.predict([A, B], verbose=0)
    np.testing.assert_allclose(model.predict({"k1": A, "k2": B}, verbose=0), expected, rtol=1e-6)
    with pytest.raises(ValueError, match=r"no data for the input\(s\) \['k1', 'k2'\].*inputs are \['k1', 'k2'\]"):
        model.predict({"a": A, "b": B}, verbose=0)


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict", "train_on_batch", "predict_on_batch"])
def test_missing_key_names_the_inputs_in_one_line(method):
    model = two_input_model("list")
    call = {"fit": lambda x: model.fit(x, Y, verbose=0), "evaluate": lambda x: model.evaluate(x, Y, verbose=0),
            "predict": lambda x: model.predict(x, verbose=0), "train_on_batch": lambda x: model.train_on_batch(x, Y),
            "predict_on_batch": model.predict_on_batch}[method]
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError) as info:
        call({"a": A, "c": C})
    message = str(info.value)
    assert "\n" not in message and message.startswith(method)
    assert "['b']" in message and "['a', 'b']" in message and "['a', 'c']" in message
    for w, old in zip(model.get_weights(), before):  # nothing trained
        np.testing.assert_array_equal(w, old)


def test_unknown_keys_are_ignored_with_a_warning_naming_the_inputs():
    model = two_input_model("dict")
    with pytest.warns(UserWarning, match=r"x has keys \['extra'\] that are not inputs.*\['a', 'b'\]"):
        out = model.predict({"a": A, "b": B, "extra": C}, verbose=0)
    np.testing.assert_allclose(out, model.predict([A, B], verbose=0), rtol=1e-6)


def test_single_input_models_take_a_dict():
    keras.utils.set_random_seed(0)
    a = keras.Input((3,), name="a")
    functional = keras.Model(a, layers.Dense(1)(a))
    sequential = keras.Sequential([keras.Input((3,), name="a"), layers.Dense(1)])
    for model in (functional, sequential):
        model.compile("sgd", "mse")
        model.fit({"a": A}, Y, verbose=0)
        np.testing.assert_allclose(model.predict({"a": A}, verbose=0), model.predict(A, verbose=0), rtol=1e-6)
        with pytest.raises(ValueError, match=r"no data for the input\(s\) \['a'\]"):
            model.predict({"z": A}, verbose=0)


def test_nested_inputs():
    keras.utils.set_random_seed(0)
    a, b, c = keras.Input((3,), name="a"), keras.Input((2,), name="b"), keras.Input((2,), name="c")
    out = layers.Dense(1)(layers.Concatenate()([a, b, c]))
    nested = keras.Model([[a, b], c], out)
    nested.compile("sgd", "mse")
    expected = nested.predict([[A, B], C], verbose=0)
    np.testing.assert_allclose(nested.predict([A, B, C], verbose=0), expected, rtol=1e-6)  # flat, as Keras
    nested.fit([[A, B], C], Y, verbose=0)
    dict_of_lists = keras.Model({"ab": [a, b], "c": c}, out)
    dict_of_lists.compile("sgd", "mse")
    expected = dict_of_lists.predict({"ab": [A, B], "c": C}, verbose=0)
    np.testing.assert_allclose(dict_of_lists.predict({"a": A, "b": B, "c": C}, verbose=0), expected, rtol=1e-6)
    with pytest.raises(ValueError, match=r"x\['ab'\] must be a list of 2"):
        dict_of_lists.predict({"ab": A, "c": C}, verbose=0)


def test_dict_batches_from_generators_pydatasets_and_datasets():
    model = two_input_model("list")

    def generator():
        while True:
            yield {"a": A, "b": B}, Y

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return {"b": B[i * 4:(i + 1) * 4], "a": A[i * 4:(i + 1) * 4]}, Y[i * 4:(i + 1) * 4]

    dataset = keras.utils.Dataset(lambda idx: ({"a": A[idx], "b": B[idx]}, Y[idx]), 8, batch_size=4)
    model.fit(generator(), steps_per_epoch=2, verbose=0)
    model.fit(Batches(), validation_data=dataset, verbose=0)
    expected = model.predict([A, B], verbose=0)
    np.testing.assert_allclose(model.predict(Batches(), verbose=0), expected, rtol=1e-6)
    np.testing.assert_allclose(model.predict(dataset, verbose=0), expected, rtol=1e-6)
    assert model.evaluate(dataset, verbose=0) == pytest.approx(model.evaluate([A, B], Y, verbose=0), rel=1e-6)


class DictModel(keras.Model):
    """A subclassed model reading its inputs by key, as Keras passes the dict through to call()."""

    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1)

    def call(self, inputs):
        return self.dense(keras.ops.concatenate([inputs["a"], inputs["b"]], axis=-1))


def test_subclassed_model_receives_the_dict():
    keras.utils.set_random_seed(0)
    model = DictModel()
    model.compile("sgd", "mse")
    model.fit({"a": A, "b": B}, Y, batch_size=4, verbose=0)
    out = model.predict({"a": A, "b": B}, verbose=0)
    assert out.shape == (8, 1)
    np.testing.assert_allclose(model.predict_on_batch({"a": A, "b": B}), out, rtol=1e-6)
    with pytest.raises(ValueError, match=r"x\['b'\] contains nan at row 1"):
        model.fit({"a": A, "b": np.where(np.arange(8)[:, None] == 1, np.nan, B)}, Y, verbose=0)


def test_dict_inputs_and_outputs_save_and_load(tmp_path):
    keras.utils.set_random_seed(0)
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    x = layers.Concatenate()([a, b])
    model = keras.Model({"a": a, "b": b}, {"p": layers.Dense(1, name="p")(x), "q": layers.Dense(2, name="q")(x)})
    model.compile("sgd", {"p": "mse", "q": "mse"})
    model.fit({"a": A, "b": B}, {"p": Y, "q": np.concatenate([Y, -Y], 1)}, verbose=0)
    out = model.predict({"a": A, "b": B}, verbose=0)
    assert isinstance(out, dict) and set(out) == {"p", "q"} and out["q"].shape == (8, 2)  # as Keras
    config = model.get_config()
    assert config["input_layers"] == {"a": ["a", 0, 0], "b": ["b", 0, 0]}
    assert config["output_layers"] == {"p": ["p", 0, 0], "q": ["q", 0, 0]}
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    again = loaded.predict({"b": B, "a": A}, verbose=0)
    for key in out:
        np.testing.assert_allclose(again[key], out[key], rtol=1e-6)


def test_no_warning_for_exact_dicts():
    model = two_input_model("dict")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit({"a": A, "b": B}, Y, verbose=0)


def test_a_dict_model_called_on_a_dict_of_symbolic_tensors():
    inner = two_input_model("dict")
    x, y = keras.Input((3,), name="x"), keras.Input((2,), name="y")
    outer = keras.Model([x, y], inner({"b": y, "a": x}))  # keyed as inner's inputs, any order
    np.testing.assert_allclose(outer.predict([A, B], verbose=0), inner.predict({"a": A, "b": B}, verbose=0),
                               rtol=1e-6)
