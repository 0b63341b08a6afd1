"""Raw strings through fit/evaluate/predict into the preprocessing layers: an Input(dtype="string"), or
an input feeding only preprocessing layers, takes str/bytes/object arrays and lists of str unconverted,
decided input by input; numeric inputs keep their checks."""

import numpy as np
import pytest

import neuronet as keras
from neuronet import layers

TEXTS = np.array(["good movie great", "bad film awful", "great fun", "awful boring bad"] * 8)
LABELS = np.array([1, 0, 1, 0] * 8)


def text_model(with_input: bool = True):
    keras.utils.set_random_seed(0)
    vectorize = layers.TextVectorization(max_tokens=20, output_sequence_length=5)
    vectorize.adapt(TEXTS)
    head = [layers.Embedding(20, 4), layers.GlobalAveragePooling1D(), layers.Dense(1, activation="sigmoid")]
    if with_input:
        text = keras.Input(shape=(1,), dtype="string", name="text")
        x = vectorize(text)
        for layer in head:
            x = layer(x)
        model = keras.Model(text, x)
    else:
        model = keras.Sequential([vectorize] + head)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return model


def test_string_input_is_an_object_keras_tensor():
    text = keras.Input(shape=(1,), dtype="string")
    assert text.dtype == "object"
    assert text._node.layer.get_config()["dtype"] == "string"  # Keras's name in the config


@pytest.mark.parametrize("with_input", [True, False], ids=["functional", "sequential"])
def test_fit_predict_evaluate_on_raw_strings(with_input):
    model = text_model(with_input)
    history = model.fit(TEXTS, LABELS, epochs=40, batch_size=8, verbose=0, validation_data=(TEXTS, LABELS))
    assert history.history["val_accuracy"][-1] == 1.0  # the words decide the label
    expected = model.predict(TEXTS[:4], verbose=0)
    assert expected[0, 0] > 0.5 > expected[1, 0]
    for same in (TEXTS[:4, None], list(TEXTS[:4]), TEXTS[:4].astype(object), np.char.encode(TEXTS[:4]),
                 keras.ops.convert_to_tensor(list(TEXTS[:4]))):
        np.testing.assert_allclose(model.predict(same, verbose=0), expected, rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(TEXTS[:4]), expected, rtol=1e-6)
    assert model.evaluate(TEXTS, LABELS, verbose=0, return_dict=True)["accuracy"] == 1.0


def test_string_batches_from_a_generator_and_a_dataset():
    model = text_model()

    def batches():
        while True:
            yield TEXTS[:16], LABELS[:16]

    dataset = keras.utils.Dataset(lambda idx: (TEXTS[idx], LABELS[idx]), len(TEXTS), batch_size=8)
    model.fit(batches(), steps_per_epoch=4, epochs=10, verbose=0)
    model.fit(dataset, epochs=10, verbose=0)
    assert model.evaluate(dataset, verbose=0)[1] == 1.0


def test_strings_decided_per_input_and_numeric_checks_kept(tmp_path):
    keras.utils.set_random_seed(0)
    number = keras.Input((2,), name="number")
    colour = keras.Input((1,), dtype="string", name="colour")
    lookup = layers.StringLookup(vocabulary=["red", "green", "blue"], output_mode="one_hot")
    model = keras.Model([number, colour], layers.Dense(1)(layers.Concatenate()([number, lookup(colour)])))
    model.compile("sgd", "mse")
    x_number = np.random.default_rng(0).normal(size=(6, 2))
    x_colour = np.array(["red", "blue", "green", "red", "purple", "blue"])
    model.fit({"number": x_number, "colour": x_colour}, np.ones(6), verbose=0)
    with pytest.raises(ValueError, match=r"fit: x\['number'\] contains nan at row 2, column 1"):
        model.fit({"number": np.where([[0, 0], [0, 0], [0, 1], [0, 0], [0, 0], [0, 0]], np.nan, x_number),
                   "colour": x_colour}, np.ones(6), verbose=0)
    with pytest.raises(TypeError, match=r"fit: x\['number'\]: expected numeric data, received an array of dtype <U"):
        model.fit({"number": x_colour[:, None].repeat(2, 1), "colour": x_colour}, np.ones(6), verbose=0)
    out = model.predict({"number": x_number, "colour": x_colour}, verbose=0)
    model.save(tmp_path / "mixed.keras")
    loaded = keras.saving.load_model(tmp_path / "mixed.keras")
    np.testing.assert_allclose(loaded.predict({"number": x_number, "colour": x_colour}, verbose=0), out, rtol=1e-6)


def test_numeric_model_still_refuses_strings():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(TypeError, match="fit: x: expected numeric data, received an array of dtype <U1"):
        model.fit(np.array([["a", "b", "c"]] * 4), np.ones(4), verbose=0)


def test_rank_adjusted_for_a_one_column_input():
    keras.utils.set_random_seed(0)
    age = keras.Input((1,), name="age")
    model = keras.Model(age, layers.Dense(1)(age))
    model.compile("sgd", "mse")
    column = np.linspace(0, 1, 8).astype("float32")
    np.testing.assert_allclose(model.predict(column, verbose=0), model.predict(column[:, None], verbose=0))
    model.fit(column, column, verbose=0)
    np.testing.assert_allclose(model(column).numpy(), model.predict(column[:, None], verbose=0), rtol=1e-6)


def test_integer_input_keeps_integers():
    seen = []

    class Spy(layers.Layer):
        def call(self, inputs):
            seen.append(inputs.dtype)
            return keras.ops.cast(inputs, "float32")

    ids = keras.Input((3,), dtype="int64")
    model = keras.Model(ids, layers.Dense(1)(Spy()(ids)))
    model.predict(np.array([[1, 2, 3], [4, 5, 6]]), verbose=0)
    assert seen[-1] == np.int64


def test_hashing_and_hashed_crossing_on_string_inputs():
    keras.utils.set_random_seed(0)
    a, b = keras.Input((1,), dtype="string", name="a"), keras.Input((1,), dtype="string", name="b")
    crossed = layers.HashedCrossing(num_bins=8, output_mode="one_hot")((a, b))
    hashed = layers.Hashing(num_bins=5, output_mode="one_hot")(a)
    joined = layers.Concatenate()([crossed, hashed])
    model = keras.Model({"a": a, "b": b}, layers.Dense(1, activation="sigmoid")(joined))
    model.compile("adam", "binary_crossentropy")
    x = {"a": np.array(["x", "y", "z", "x"] * 4), "b": np.array(["p", "q", "p", "q"] * 4)}
    model.fit(x, np.array([1, 0, 1, 0] * 4), epochs=2, verbose=0)
    out = model.predict(x, verbose=0)
    np.testing.assert_allclose(out[0], out[4])  # the same strings hash the same way
    assert out.shape == (16, 1)
