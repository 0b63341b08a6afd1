"""pad_sequences with Keras semantics."""

import numpy as np
import pytest

from neuronet.utils import pad_sequences

SEQS = [[1, 2, 3, 4], [5, 6], [7]]


def test_defaults_pre_padding_and_int32():
    x = pad_sequences(SEQS)
    np.testing.assert_array_equal(x, [[1, 2, 3, 4], [0, 0, 5, 6], [0, 0, 0, 7]])
    assert x.dtype == np.int32


def test_post_padding_and_truncation():
    np.testing.assert_array_equal(pad_sequences(SEQS, padding="post"), [[1, 2, 3, 4], [5, 6, 0, 0], [7, 0, 0, 0]])
    np.testing.assert_array_equal(pad_sequences(SEQS, maxlen=2), [[3, 4], [5, 6], [0, 7]])
    np.testing.assert_array_equal(pad_sequences(SEQS, maxlen=2, truncating="post"), [[1, 2], [5, 6], [0, 7]])
    np.testing.assert_array_equal(pad_sequences(SEQS, maxlen=3, padding="post", truncating="post", value=-1),
                                  [[1, 2, 3], [5, 6, -1], [7, -1, -1]])


def test_float_values_vectors_and_empty_sequences():
    x = pad_sequences([[0.5, 1.5], []], dtype="float32", value=9.0)
    np.testing.assert_array_equal(x, [[0.5, 1.5], [9.0, 9.0]])
    assert x.dtype == np.float32
    v = pad_sequences([np.ones((2, 3)), np.ones((1, 3))], dtype="float64")
    assert v.shape == (2, 2, 3)
    np.testing.assert_array_equal(v[1, 0], 0.0)
    assert pad_sequences([]).shape == (0, 0)
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)


def test_truncating_int_dtype_casts_like_keras():
    np.testing.assert_array_equal(pad_sequences([[1.7, 2.2]]), [[1, 2]])


def test_errors():
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post'"):
        pad_sequences(SEQS, padding="middle")
    with pytest.raises(ValueError, match="truncating must be 'pre' or 'post'"):
        pad_sequences(SEQS, truncating="both")
    with pytest.raises(ValueError, match="maxlen must be a non-negative integer"):
        pad_sequences(SEQS, maxlen=-1)
    with pytest.raises(ValueError, match="every element must have shape"):
        pad_sequences([np.ones((2, 3)), np.ones((1, 4))])
    with pytest.raises(ValueError, match="sequence 1 is"):
        pad_sequences([[1], 5])


@pytest.mark.parametrize("kwargs", [{}, {"maxlen": 2}, {"padding": "post"}, {"truncating": "post", "maxlen": 3},
                                    {"value": -1, "dtype": "float32"}])
def test_matches_keras(kwargs):
    keras = pytest.importorskip("keras")  # skipped unless Keras 3 is installed
    seqs = [[1, 2, 3, 4], [5, 6], [7], []]
    expected = keras.utils.pad_sequences(seqs, **kwargs)
    got = pad_sequences(seqs, **kwargs)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
