"""Recurrent layers in ONNX (RNN/LSTM/GRU operators): gate orders, go_backwards, return_sequences and
return_state, Bidirectional, stacked cells, initial states and masks, at several sequence lengths."""

import itertools

import numpy as np
import pytest

from ._onnx_check import assert_matches

import neuronet as keras  # noqa: E402
from neuronet import layers as L  # noqa: E402

RNG = np.random.default_rng(3)


def _ids(length: int) -> np.ndarray:
    """Token ids with padding (id 0) before, after, in the middle, everywhere, and nowhere."""
    ids = RNG.integers(1, 20, (7, length))
    ids[0, : length // 2] = 0
    ids[1, length - 2:] = 0
    ids[2, 1:3] = 0
    ids[3, :] = 0
    return ids


VARIANTS = [(L.LSTM, {}), (L.GRU, {}), (L.GRU, {"reset_after": False}), (L.SimpleRNN, {}),
            (L.LSTM, {"recurrent_activation": "hard_sigmoid", "use_bias": False}), (L.GRU, {"activation": "relu"}),
            (L.SimpleRNN, {"activation": "linear"}), (L.LSTM, {"activation": "softsign"})]


@pytest.mark.parametrize("cls,options", VARIANTS, ids=[f"{c.__name__}-{o}" for c, o in VARIANTS])
@pytest.mark.parametrize("return_sequences,go_backwards", list(itertools.product([False, True], [False, True])))
def test_recurrent_layer(cls, options, return_sequences, go_backwards):
    model = keras.Sequential([L.Input((None, 3)), cls(4, return_sequences=return_sequences,
                                                       go_backwards=go_backwards, **options)])
    for length in (1, 6):
        assert_matches(model, RNG.standard_normal((7, length, 3)).astype(np.float32))


@pytest.mark.parametrize("cls", [L.LSTM, L.GRU, L.SimpleRNN])
@pytest.mark.parametrize("return_sequences,go_backwards", list(itertools.product([False, True], [False, True])))
def test_masked_sequences(cls, return_sequences, go_backwards):
    # Embedding(mask_zero=True): masked steps keep the state and repeat the previous output
    model = keras.Sequential([L.Input((None,), dtype="int64"), L.Embedding(20, 3, mask_zero=True),
                              cls(4, return_sequences=return_sequences, go_backwards=go_backwards)])
    for length in (5, 9):
        assert_matches(model, _ids(length))


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("masked", [False, True])
def test_bidirectional(merge_mode, masked):
    inputs = keras.Input((None,), dtype="int64")
    x = L.Embedding(20, 3, mask_zero=masked)(inputs)
    seq = L.Bidirectional(L.LSTM(4, return_sequences=True), merge_mode=merge_mode)(x)
    last = L.Bidirectional(L.GRU(3), merge_mode=merge_mode)(x)
    outputs = (list(seq) + list(last)) if merge_mode is None else [seq, last]
    model = keras.Model(inputs, outputs)
    for length in (4, 8):
        assert_matches(model, _ids(length))


def test_bidirectional_states_and_mixed_directions():
    inputs = keras.Input((None,), dtype="int64")
    x = L.Embedding(20, 3, mask_zero=True)(inputs)
    with_states = L.Bidirectional(L.LSTM(4, return_sequences=True, return_state=True))(x)
    reversed_first = L.Bidirectional(L.GRU(3, go_backwards=True, return_sequences=True), merge_mode="sum")(x)
    mixed = L.Bidirectional(L.LSTM(3, return_sequences=True),
                            backward_layer=L.GRU(3, go_backwards=True, return_sequences=True))(x)
    model = keras.Model(inputs, [*with_states, reversed_first, mixed])
    assert_matches(model, _ids(7))


@pytest.mark.parametrize("masked", [False, True])
def test_stacked_and_cell_layers(masked):
    inputs = keras.Input((None,), dtype="int64")
    x = L.Embedding(20, 3, mask_zero=masked)(inputs)
    stacked = L.LSTM(3)(L.GRU(4, return_sequences=True)(L.LSTM(4, return_sequences=True)(x)))
    cells = L.RNN([L.LSTMCell(4), L.GRUCell(3)], return_sequences=True, go_backwards=True)(x)
    cell_states = L.RNN(L.LSTMCell(2), return_state=True)(x)
    zeros = L.SimpleRNN(3, return_sequences=True, zero_output_for_mask=True)(x)
    # stacked cells return their states grouped per cell, (output, [h1, c1], h2), as Keras
    stacked_states = L.RNN([L.LSTMCell(3), L.GRUCell(2)], return_state=True, return_sequences=True)(x)
    model = keras.Model(inputs, [stacked, cells, *cell_states, zeros, stacked_states])
    assert len(model.outputs) == 10
    for length in (3, 8):
        assert_matches(model, _ids(length))


@pytest.mark.parametrize("masked", [False, True])
def test_stacked_cells_encoder_decoder(masked):
    # the grouped states of a stacked encoder are the initial_state of a stacked decoder
    encoder_in, decoder_in = keras.Input((None,), dtype="int64"), keras.Input((None, 2))
    embedded = L.Embedding(20, 3, mask_zero=masked)(encoder_in)
    _, lstm_states, gru_state = L.RNN([L.LSTMCell(4), L.GRUCell(3)], return_state=True)(embedded)
    decoded = L.RNN([L.LSTMCell(4), L.GRUCell(3)], return_sequences=True)(decoder_in,
                                                                           initial_state=[lstm_states, gru_state])
    model = keras.Model([encoder_in, decoder_in], [decoded, *lstm_states, gru_state])
    for length in (4, 7):
        assert_matches(model, [_ids(length), RNG.standard_normal((7, 5, 2)).astype(np.float32)])


@pytest.mark.parametrize("masked", [False, True])
def test_encoder_decoder_with_initial_state(masked):
    encoder_in, decoder_in = keras.Input((None,), dtype="int64"), keras.Input((None, 2))
    embedded = L.Embedding(20, 3, mask_zero=masked)(encoder_in)
    _, h, c = L.LSTM(4, return_state=True)(embedded)
    decoded = L.LSTM(4, return_sequences=True)(decoder_in, initial_state=[h, c])
    _, gh = L.GRU(3, return_state=True, go_backwards=True)(embedded)
    bi = L.Bidirectional(L.GRU(3))(decoder_in, initial_state=[gh, gh])
    model = keras.Model([encoder_in, decoder_in], [L.Dense(2)(decoded), h, c, bi])
    assert_matches(model, [_ids(6), RNG.standard_normal((7, 5, 2)).astype(np.float32)])


def test_masking_layer_before_lstm_and_masked_pooling():
    x = RNG.standard_normal((7, 6, 3)).astype(np.float32)
    x[0, :2] = 0.0
    x[2, 4:] = 0.0
    x[4] = 0.0
    model = keras.Sequential([L.Input((None, 3)), L.Masking(), L.LSTM(4, return_sequences=True),
                              L.TimeDistributed(L.Dense(2)), L.GlobalAveragePooling1D()])
    assert_matches(model, x)


def test_masks_reach_merges_and_softmax():
    inputs = keras.Input((None,), dtype="int64")
    a = L.Embedding(20, 4, mask_zero=True)(inputs)
    b = L.Embedding(20, 4)(inputs)
    merged = L.Concatenate()([L.Maximum()([a, L.Dense(4)(a)]), L.Add()([a, b])])
    out = L.LSTM(3)(merged)
    model = keras.Model(inputs, out)
    assert_matches(model, _ids(6))
