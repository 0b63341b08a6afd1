"""TextVectorization: standardize/split/ngrams as Keras, every output mode, adapt from lists, arrays,
Series and batches, the vocabulary in the config, string inputs, errors."""

import numpy as np
import pytest

from neuronet import layers
from neuronet.saving import register_keras_serializable

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "A cat, a dog; and a bird?"]


def test_int_mode_keras_values():
    layer = layers.TextVectorization(max_tokens=10, output_sequence_length=4)
    layer.adapt(["Hello world!", "hello there"])
    assert layer.get_vocabulary() == ["", "[UNK]", "hello", "world", "there"]  # Keras's output
    assert layer(["hello world foo"]).data.tolist() == [[2, 3, 1, 0]]
    assert layer(np.array([["hello"], ["there world hello world"]])).data.tolist() == [[2, 0, 0, 0], [4, 3, 2, 3]]
    ragged = layers.TextVectorization()
    ragged.adapt(TEXTS)
    out = ragged(TEXTS).data
    assert out.shape == (3, 7) and out.dtype == np.int64  # padded to the longest text of the batch
    assert ragged.get_vocabulary()[:4] == ["", "[UNK]", "the", "a"]  # 3 each: the larger token first


def test_standardize_split_and_ngrams():
    layer = layers.TextVectorization(standardize="lower_and_strip_punctuation", split="whitespace", ngrams=2)
    assert layer._preprocess(["Hi, THERE  you!"]) == [["hi", "there", "you", "hi there", "there you"]]
    assert layers.TextVectorization(split="character")._preprocess(["Ab c"]) == [["a", "b", " ", "c"]]
    assert layers.TextVectorization(standardize=None, split=None)._preprocess(["A b!"]) == [["A b!"]]
    # Keras lowercases ASCII letters only (tf.strings.lower)
    assert layers.TextVectorization(standardize="lower")._preprocess(["ÀB"]) == [["Àb"]]
    assert layers.TextVectorization(ngrams=(2,))._preprocess(["a b c"]) == [["a b", "b c"]]


def test_vector_modes():
    for mode in ("multi_hot", "count", "tf_idf"):
        layer = layers.TextVectorization(output_mode=mode)
        layer.adapt(TEXTS)
        out = layer(TEXTS).data
        assert out.shape == (3, layer.vocabulary_size())
        cat = layer.get_vocabulary().index("cat")
        assert out[0, cat] > 0 and out[1, cat] == 0
    count = layers.TextVectorization(output_mode="count")
    count.adapt(TEXTS)
    assert count(["the the the cat"]).data[0, count.get_vocabulary().index("the")] == 3
    padded = layers.TextVectorization(output_mode="multi_hot", max_tokens=30, pad_to_max_tokens=True)
    padded.adapt(TEXTS)
    assert padded(TEXTS).shape == (3, 30)


def test_inputs_and_adapt_sources():
    pd = pytest.importorskip("pandas")
    want = layers.TextVectorization()
    want.adapt(TEXTS)
    for source in [np.array(TEXTS), np.array(TEXTS, dtype=object)[:, None], pd.Series(TEXTS),
                   (np.array(TEXTS[i:i + 2]) for i in (0, 2)), [t.encode() for t in TEXTS]]:
        layer = layers.TextVectorization()
        layer.adapt(source)
        assert layer.get_vocabulary() == want.get_vocabulary()
    np.testing.assert_array_equal(want(np.array([t.encode() for t in TEXTS])).data, want(TEXTS).data)


@register_keras_serializable(package="tests")
def keep_digits(strings):
    return np.array([''.join(c for c in s if c.isdigit() or c == " ") for s in strings.reshape(-1)],
                    dtype=object).reshape(strings.shape)


def test_config_round_trip_with_vocabulary_and_callable():
    layer = layers.TextVectorization(max_tokens=8, standardize=keep_digits, output_sequence_length=3)
    layer.adapt(["a1 2 3", "4 1"])
    cfg = layer.get_config()
    assert cfg["standardize"] == "tests>keep_digits" and cfg["vocabulary"][:2] == ["", "[UNK]"]
    again = layers.TextVectorization.from_config(cfg)
    assert again.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_array_equal(again(["1 4 9"]).data, layer(["1 4 9"]).data)
    tf_idf = layers.TextVectorization(output_mode="tf_idf")
    tf_idf.adapt(TEXTS)
    np.testing.assert_allclose(layers.TextVectorization.from_config(tf_idf.get_config())(TEXTS).data,
                               tf_idf(TEXTS).data)


def test_given_vocabulary():
    layer = layers.TextVectorization(vocabulary=["cat", "dog", "the"])
    assert layer.get_vocabulary() == ["", "[UNK]", "cat", "dog", "the"]
    assert layer(["the dog bites"]).data.tolist() == [[4, 3, 1]]


@pytest.mark.parametrize("kwargs, message", [
    (dict(standardize="upper"), "standardize"), (dict(split="comma"), "split"),
    (dict(output_mode="bag"), "output_mode"), (dict(ngrams=0), "ngrams"),
    (dict(output_mode="count", output_sequence_length=3), "output_sequence_length"),
    (dict(output_sequence_length=0), "output_sequence_length"), (dict(ragged=True), "ragged"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError) as info:
        layers.TextVectorization(**kwargs)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_bad_inputs():
    layer = layers.TextVectorization()
    layer.adapt(TEXTS)
    with pytest.raises(ValueError, match="expected string data"):
        layer(np.array([[1.0, 2.0]]))
    with pytest.raises(ValueError, match=r"shape \(batch,\) or \(batch, 1\)"):
        layer(np.array([["a", "b"]]))
