"""SimpleRNN, LSTM, GRU layers: Keras arguments and layouts, gradients, masks, states, errors."""

import numpy as np
import pytest

import neuronet
from neuronet import layers
from neuronet.autograd import Tensor, gradcheck

LAYERS = [layers.SimpleRNN, layers.LSTM, layers.GRU]


def _x(rng, batch=2, steps=4, features=3):
    return rng.standard_normal((batch, steps, features))


def _perturb_bias(layer, rng):
    # zero-initialized biases would hide bias gradient bugs behind symmetric values
    if layer.bias is not None:
        layer.bias.data[...] = rng.standard_normal(layer.bias.shape) * 0.3


@pytest.mark.parametrize("cls", LAYERS)
@pytest.mark.parametrize("options", [
    {}, {"return_sequences": True}, {"go_backwards": True, "return_sequences": True},
    {"return_state": True}, {"use_bias": False},
])
def test_layer_gradcheck(float64, rng, cls, options):
    layer = cls(3, **options)
    x = _x(rng)
    layer(x)
    _perturb_bias(layer, rng)
    gradcheck(lambda t: layer(t), [x], params=layer.weights)


@pytest.mark.parametrize("cls", LAYERS)
def test_layer_gradcheck_with_mask_and_initial_state(float64, rng, cls):
    layer = cls(2, return_sequences=True)
    x = _x(rng)
    layer(x)
    _perturb_bias(layer, rng)
    mask = np.array([[True, True, True, False], [False, True, True, True]])
    n_states = 2 if cls is layers.LSTM else 1
    states = [rng.standard_normal((2, 2)) * 0.5 for _ in range(n_states)]

    def f(t, *s):
        return layer(t, initial_state=list(s), mask=mask)

    gradcheck(f, [x, *states], params=layer.weights)


def test_gru_reset_before_gradcheck(float64, rng):
    layer = layers.GRU(3, reset_after=False, return_sequences=True)
    x = _x(rng)
    layer(x)
    assert layer.bias.shape == (9,)
    _perturb_bias(layer, rng)
    gradcheck(lambda t: layer(t), [x], params=layer.weights)


def test_keras_weight_layouts_and_initializers(rng):
    x = _x(rng, features=5).astype(np.float32)
    lstm, gru, rnn = layers.LSTM(4), layers.GRU(4), layers.SimpleRNN(4)
    for layer in (lstm, gru, rnn):
        assert layer(x).dtype == np.float32
    assert [w.shape for w in lstm.weights] == [(5, 16), (4, 16), (16,)]
    assert [w.shape for w in gru.weights] == [(5, 12), (4, 12), (2, 12)]
    assert [w.shape for w in rnn.weights] == [(5, 4), (4, 4), (4,)]
    # unit_forget_bias: ones on the forget gate (second block of i, f, c, o), zeros elsewhere
    np.testing.assert_array_equal(lstm.bias.data, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    np.testing.assert_array_equal(layers.LSTM(4, unit_forget_bias=False)(x) is not None, True)
    # orthogonal recurrent kernels
    np.testing.assert_allclose(rnn.recurrent_kernel.data.T @ rnn.recurrent_kernel.data, np.eye(4), atol=1e-5)
    np.testing.assert_allclose(lstm.recurrent_kernel.data @ lstm.recurrent_kernel.data.T, np.eye(4), atol=1e-5)
    assert [w.path.split("/")[-1] for w in lstm.weights] == ["kernel", "recurrent_kernel", "bias"]


def test_keras_defaults():
    layer = layers.LSTM(8)
    cfg = layer.get_config()
    assert cfg["activation"] == "tanh" and cfg["recurrent_activation"] == "sigmoid"
    assert cfg["unit_forget_bias"] is True and cfg["return_sequences"] is False
    assert cfg["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert cfg["recurrent_initializer"]["class_name"] == "Orthogonal"
    assert layers.GRU(8).get_config()["reset_after"] is True
    assert layers.SimpleRNN(8).get_config()["activation"] == "tanh"


def test_activation_functions_are_accepted_by_identity():
    layer = layers.SimpleRNN(2, activation=neuronet.activations.relu)
    assert layer.get_config()["activation"] == "relu"
    assert layers.LSTM(2, activation=None).get_config()["activation"] == "linear"


@pytest.mark.parametrize("cls", LAYERS)
def test_config_round_trip_gives_same_outputs(rng, cls):
    layer = cls(3, return_sequences=True, go_backwards=True, kernel_regularizer="l2")
    x = _x(rng).astype(np.float32)
    y = layer(x).data
    clone = cls.from_config(layer.get_config())
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x).data, y)
    assert clone.get_config() == layer.get_config()
    assert len(layer.losses) == 1  # the kernel regularizer


@pytest.mark.parametrize("cls", LAYERS)
@pytest.mark.parametrize("padding", ["pre", "post"])
def test_padded_masked_batch_equals_unpadded_sequences(float64, rng, cls, padding):
    lengths = [4, 2, 1]
    layer = cls(3, return_sequences=False)
    seqs = [rng.standard_normal((n, 2)) for n in lengths]
    padded = neuronet.utils.pad_sequences(seqs, dtype="float64", padding=padding)
    mask = np.zeros(padded.shape[:2], bool)
    for i, n in enumerate(lengths):
        if padding == "post":
            mask[i, :n] = True
        else:
            mask[i, len(mask[i]) - n:] = True
    xb = Tensor(padded, requires_grad=True)
    out = layer(xb, mask=mask)
    _perturb_bias(layer, rng)
    out = layer(xb, mask=mask)
    w = rng.standard_normal(out.shape)
    (out * Tensor(w)).sum().backward()
    batch_grads = [v.grad.copy() for v in layer.weights]
    for v in layer.weights:
        v.grad = None
    for i, s in enumerate(seqs):
        xi = Tensor(s[None], requires_grad=True)
        yi = layer(xi)
        np.testing.assert_allclose(out.data[i], yi.data[0], atol=1e-12)
        (yi * Tensor(w[i:i + 1])).sum().backward()
        valid = mask[i]
        np.testing.assert_allclose(xb.grad[i][valid], xi.grad[0], atol=1e-12)
        np.testing.assert_array_equal(xb.grad[i][~valid], 0.0)  # padded steps get no gradient
    for v, g in zip(layer.weights, batch_grads):
        np.testing.assert_allclose(v.grad, g, atol=1e-12)


def test_return_sequences_with_mask_repeats_previous_output(rng):
    layer = layers.GRU(3, return_sequences=True)
    x = _x(rng, steps=5)
    mask = np.array([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1]], bool)
    y = layer(x, mask=mask)
    np.testing.assert_array_equal(y.data[0, 3], y.data[0, 2])
    np.testing.assert_array_equal(y.data[0, 4], y.data[0, 2])
    np.testing.assert_array_equal(y.data[1, :2], 0.0)
    np.testing.assert_array_equal(y._keras_mask, mask)  # the mask flows on with return_sequences
    assert getattr(layers.GRU(3)(x, mask=mask), "_keras_mask", None) is None


@pytest.mark.parametrize("cls", LAYERS)
def test_return_state(rng, cls):
    x = _x(rng)
    out = cls(3, return_state=True, return_sequences=True)(x)
    n_states = 2 if cls is layers.LSTM else 1
    assert isinstance(out, tuple) and len(out) == 1 + n_states
    np.testing.assert_array_equal(out[0].data[:, -1], out[1].data)
    assert cls(3, return_state=True).compute_output_shape((None, 4, 3)) == [(None, 3)] * (1 + n_states)


def test_go_backwards_is_reversed_input(rng):
    x = _x(rng)
    fwd = layers.LSTM(3, return_sequences=True)
    bwd = layers.LSTM(3, return_sequences=True, go_backwards=True)
    fwd(x)
    bwd(x)
    bwd.set_weights(fwd.get_weights())
    np.testing.assert_allclose(bwd(x).data, fwd(x[:, ::-1]).data, atol=1e-6)


@pytest.mark.parametrize("cls", LAYERS)
def test_stateful_carries_state_and_resets(rng, cls):
    x = _x(rng, steps=6).astype(np.float32)
    full = cls(3, return_sequences=True)
    whole = full(x).data
    layer = cls(3, return_sequences=True, stateful=True)
    layer(x[:, :3])
    layer.set_weights(full.get_weights())
    layer.reset_states()
    first, second = layer(x[:, :3]).data, layer(x[:, 3:]).data
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, atol=1e-6)
    layer.reset_states()
    np.testing.assert_allclose(layer(x[:, :3]).data, first, atol=1e-7)
    with pytest.raises(ValueError, match="same batch size"):
        layer(x[:1, :3])
    with pytest.raises(AttributeError, match="stateful"):
        full.reset_states()


def test_dropout_only_in_training(rng):
    x = _x(rng, batch=8, steps=5, features=6).astype(np.float32)
    plain = layers.LSTM(4)
    drop = layers.LSTM(4, dropout=0.5, recurrent_dropout=0.5, seed=3)
    plain(x)
    drop(x)
    drop.set_weights(plain.get_weights())
    np.testing.assert_array_equal(drop(x, training=False).data, plain(x).data)
    a = drop(x, training=True).data
    assert not np.allclose(a, plain(x).data)
    assert a.dtype == np.float32


def test_dropout_gradcheck(float64, rng):
    # with a fixed seed the same masks are drawn for every evaluation of the function
    layer = layers.GRU(2, dropout=0.3, recurrent_dropout=0.3, return_sequences=True)
    x = _x(rng)
    layer(x)

    def f(t):
        layer.cell._rng = np.random.default_rng(5)
        return layer(t, training=True)

    gradcheck(f, [x], params=layer.weights)


def test_masks_from_embedding_and_masking_reach_the_rnn(rng):
    emb = layers.Embedding(10, 3, mask_zero=True)
    lstm = layers.LSTM(2)
    ids = np.array([[0, 0, 4, 5], [6, 7, 8, 9]])
    y = lstm(emb(ids))
    y_short = lstm(emb(ids[:1, 2:]))
    np.testing.assert_allclose(y.data[0], y_short.data[0], atol=1e-6)
    x = _x(rng).astype(np.float32)
    x[0, 2:] = 0.0
    gru = layers.GRU(2)
    np.testing.assert_allclose(gru(layers.Masking()(x)).data[0], gru(x[:1, :2]).data[0], atol=1e-6)


def test_in_sequential_model_with_mask():
    if not hasattr(neuronet, "Sequential"):
        pytest.skip("Sequential is not available yet")
    model = neuronet.Sequential([layers.Embedding(20, 4, mask_zero=True), layers.LSTM(3), layers.Dense(2)])
    ids = np.array([[0, 0, 3, 4], [5, 6, 7, 8]])
    y = model(ids)
    y_short = model(ids[:1, 2:])
    np.testing.assert_allclose(y.data[0], y_short.data[0], atol=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    ({"units": 0}, "units must be a positive integer"),
    ({"units": 2.5}, "units must be a positive integer"),
    ({"units": 2, "dropout": 1.0}, "dropout must be a float in"),
    ({"units": 2, "recurrent_dropout": -0.1}, "recurrent_dropout must be a float in"),
    ({"units": 2, "activation": "gelu"}, "activation='gelu' is not supported"),
    ({"units": 2, "recurrent_activation": "nope"}, "recurrent_activation='nope'"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.LSTM(**kwargs)


def test_bad_inputs(rng):
    layer = layers.LSTM(2)
    with pytest.raises(ValueError, match="expected ndim=3"):
        layer(np.zeros((2, 3)))
    layer(_x(rng))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(np.zeros((2, 4, 5)))
    with pytest.raises(ValueError, match="initial_state expected 2"):
        layer(_x(rng), initial_state=[np.zeros((2, 2))])
    with pytest.raises(ValueError, match=r"initial_state expected shape \(2, 2\)"):
        layer(_x(rng), initial_state=[np.zeros((2, 3)), np.zeros((2, 3))])
    with pytest.raises(ValueError, match="expected a mask of shape"):
        layer(_x(rng), mask=np.ones((2, 3), bool))


# ----------------------------------------------------------------------------- against Keras itself
@pytest.mark.parametrize("kind, kwargs", [("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False}),
                                          ("SimpleRNN", {})])
@pytest.mark.parametrize("options", [{"return_sequences": True}, {"go_backwards": True, "return_sequences": True},
                                     {"return_state": True}])
def test_matches_keras_with_exchanged_weights_and_masks(rng, kind, kwargs, options):
    keras = pytest.importorskip("keras")  # skipped unless Keras 3 is installed (e.g. in .venv-bench)
    x = rng.standard_normal((3, 6, 4)).astype(np.float32)
    mask = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1]], bool)
    theirs = getattr(keras.layers, kind)(5, **kwargs, **options)
    ours = getattr(layers, kind)(5, **kwargs, **options)
    theirs(x)
    ours(x)
    weights = theirs.get_weights()
    weights[-1] = (rng.standard_normal(weights[-1].shape) * 0.3).astype(np.float32)
    theirs.set_weights(weights)
    ours.set_weights(weights)  # Keras layouts load unchanged
    for m in (None, mask):
        expected, got = theirs(x, mask=m), ours(x, mask=m)
        expected = expected if isinstance(expected, (list, tuple)) else [expected]
        got = got if isinstance(got, (list, tuple)) else [got]
        for e, g in zip(expected, got):
            np.testing.assert_allclose(g.data, np.asarray(e), atol=1e-5)


# ----------------------------------------------------------------------------- cells and RNN(cell)
CELLS = [(layers.SimpleRNNCell, layers.SimpleRNN), (layers.LSTMCell, layers.LSTM), (layers.GRUCell, layers.GRU)]


@pytest.mark.parametrize("cell_cls, layer_cls", CELLS)
def test_rnn_of_cell_equals_layer_fused_and_generic(rng, cell_cls, layer_cls):
    x = _x(rng, steps=5).astype(np.float32)
    mask = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1]], bool)
    opts = {"return_sequences": True, "return_state": True, "go_backwards": True}
    layer = layer_cls(3, **opts)
    layer(x)
    _perturb_bias(layer, rng)
    fused = layers.RNN(cell_cls(3), **opts)
    generic = layers.RNN(layers.StackedRNNCells([cell_cls(3)]), **opts)  # the step-by-step loop
    for rnn in (fused, generic):
        rnn(x)
        rnn.set_weights(layer.get_weights())
        for m in (None, mask):
            got = rnn(x, mask=m)
            if rnn is generic:  # stacked cells return their states grouped per cell, as Keras
                got = (got[0], *got[1])
            expected = layer(x, mask=m)
            assert len(got) == len(expected)
            for g, e in zip(got, expected):
                np.testing.assert_allclose(g.data, e.data, atol=1e-6)
    cell = fused.cell
    states = cell.get_initial_state(2)
    out, new = cell(x[:, 0], states)
    np.testing.assert_allclose(out.data, layers.RNN(cell)(x[:, :1]).data, atol=1e-6)  # one step
    assert len(new) == len(states)


@pytest.mark.parametrize("layer_cls, cell_cls, cell_name", [(layers.SimpleRNN, layers.SimpleRNNCell, "simple_rnn_cell"),
                                                            (layers.LSTM, layers.LSTMCell, "lstm_cell"),
                                                            (layers.GRU, layers.GRUCell, "gru_cell")])
def test_layers_own_their_cells_as_keras(rng, layer_cls, cell_cls, cell_name):
    layer = layer_cls(3, dropout=0.25, kernel_regularizer="l2", name="seq")
    layer(_x(rng))
    cell = layer.cell
    assert isinstance(layer, layers.RNN) and type(cell) is cell_cls and layer.layers == [cell]
    assert cell.name == cell_name and cell.dtype == layer.dtype
    assert [w.path for w in layer.weights] == [f"{layer.name}/{cell.name}/{n}"
                                               for n in ("kernel", "recurrent_kernel", "bias")]
    assert layer.kernel is cell.kernel and layer.bias is cell.bias and layer.dropout == cell.dropout == 0.25
    cfg = layer.get_config()  # the cell's arguments in the layer's config, as Keras (no 'cell' entry)
    assert "cell" not in cfg and cfg["units"] == 3 and cfg["dropout"] == 0.25
    layer.trainable = False
    assert not cell.trainable and layer.trainable_weights == []


@pytest.mark.parametrize("cell_cls", [layers.SimpleRNNCell, layers.LSTMCell, layers.GRUCell])
def test_dropout_masks_are_one_per_sequence_in_the_fused_and_the_step_by_step_loop(rng, cell_cls):
    # Keras's DropoutRNNCell: the same masks at every step, drawn afresh for each call of the layer
    x = _x(rng, batch=3, steps=6).astype(np.float32)
    options = dict(dropout=0.4, recurrent_dropout=0.4, seed=7)
    fused = layers.RNN(cell_cls(3, **options), return_sequences=True)
    generic = layers.RNN(layers.StackedRNNCells([cell_cls(3, **options)]), return_sequences=True)
    fused(x)
    generic(x)
    generic.set_weights(fused.get_weights())
    first = fused(x, training=True).data
    np.testing.assert_allclose(generic(x, training=True).data, first, atol=1e-6)
    assert fused.cell._dropout_mask is None and fused.cell._recurrent_dropout_mask is None  # reset after the call
    assert not np.allclose(fused(x, training=True).data, first)  # new masks for the next sequence


def test_generic_rnn_gradcheck_with_mask(float64, rng):
    rnn = layers.RNN([layers.GRUCell(2), layers.SimpleRNNCell(3)], return_sequences=True)
    x = _x(rng)
    rnn(x)
    for w in rnn.weights:
        if w.name == "bias":
            w.data[...] = rng.standard_normal(w.shape) * 0.3
    mask = np.array([[True, True, True, False], [False, True, True, True]])
    gradcheck(lambda t: rnn(t, mask=mask), [x], params=rnn.weights)
    assert rnn.compute_output_shape((None, 4, 3)) == (None, 4, 3)


def test_rnn_with_a_user_cell_like_the_keras_docs(rng):
    class MinimalRNNCell(layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight((input_shape[-1], self.units), "random_uniform", name="kernel")
            self.recurrent_kernel = self.add_weight((self.units, self.units), "random_uniform", name="recurrent_kernel")

        def call(self, inputs, states):
            output = neuronet.ops.matmul(inputs, self.kernel) + neuronet.ops.matmul(states[0], self.recurrent_kernel)
            return output, [output]

    x = _x(rng, steps=6).astype(np.float32)
    layer = layers.RNN(MinimalRNNCell(4), return_sequences=True)
    y = layer(x)
    assert y.shape == (2, 6, 4) and len(layer.weights) == 2
    k, r = layer.cell.kernel.data, layer.cell.recurrent_kernel.data
    h = np.zeros((2, 4), np.float32)
    for t in range(6):
        h = x[:, t] @ k + h @ r
    np.testing.assert_allclose(y.data[:, -1], h, atol=1e-5)


def test_rnn_config_round_trip_and_errors(rng):
    x = _x(rng).astype(np.float32)
    rnn = layers.RNN(layers.LSTMCell(3, unit_forget_bias=False), return_sequences=True)
    y = rnn(x).data
    clone = layers.RNN.from_config(rnn.get_config())
    clone(x)
    clone.set_weights(rnn.get_weights())
    np.testing.assert_array_equal(clone(x).data, y)
    assert not clone.cell.unit_forget_bias
    with pytest.raises(ValueError, match="cell must have a call method and a state_size"):
        layers.RNN("lstm")
    with pytest.raises(ValueError, match="units must be a positive integer"):
        layers.LSTMCell(0)
    with pytest.raises(ValueError, match="expected 2 state"):
        rnn.cell(x[:, 0], [np.zeros((2, 3), np.float32)])


def test_stacked_cells_return_states_grouped_per_cell_as_keras(rng):
    x = _x(rng).astype(np.float32)
    rnn = layers.RNN([layers.LSTMCell(4), layers.GRUCell(3)], return_state=True)
    out, lstm_states, gru_states = rnn(x)
    assert out.shape == (2, 3) and [s.shape for s in lstm_states] == [(2, 4), (2, 4)]
    np.testing.assert_array_equal(gru_states[0].data, out.data)
    again = rnn(x, initial_state=[[s.data for s in lstm_states], [gru_states[0].data]])
    assert not np.allclose(again[0].data, out.data)  # started from the given states, not zeros


def _structure(value):
    """The nesting of a layer's result: 'T' for a tensor, a tuple/list of the parts' structures."""
    if isinstance(value, (list, tuple)):
        return type(value)(_structure(v) for v in value)
    return "T"


def _stacked_model(cells):
    inputs = neuronet.Input((5, 4))
    result = layers.RNN(cells, return_state=True)(inputs)
    return inputs, result


@pytest.mark.parametrize("cells, symbolic", [
    (lambda: [layers.LSTMCell(4), layers.GRUCell(3)], ("T", ["T", "T"], "T")),
    (lambda: [layers.SimpleRNNCell(2), layers.LSTMCell(3)], ("T", "T", ["T", "T"])),
])
def test_stacked_cells_return_state_in_a_functional_model(rng, cells, symbolic):
    # Keras 3 returns the states grouped per cell: eagerly every group is a list, symbolically a
    # one-state group is a bare tensor; the model records the four outputs flat
    x = rng.standard_normal((3, 5, 4)).astype(np.float32)
    inputs, result = _stacked_model(cells())
    assert _structure(result) == symbolic
    model = neuronet.Model(inputs, result)
    assert len(model.outputs) == 4
    rnn = model.layers[-1]
    eager = rnn(x)
    assert _structure(eager) == ("T",) + tuple(["T"] * len(g) for g in eager[1:])
    flat = [eager[0]] + [s for group in eager[1:] for s in group]
    predicted = model.predict(x, verbose=0)
    assert len(predicted) == 4
    for p, e in zip(predicted, flat):
        np.testing.assert_allclose(p, e.data, atol=1e-6)
    # the same model rebuilt from its config and cloned replays the same four outputs
    rebuilt = neuronet.Model.from_config(model.get_config())
    rebuilt.set_weights(model.get_weights())
    cloned = neuronet.models.clone_model(model)
    cloned.set_weights(model.get_weights())
    for other in (rebuilt, cloned):
        for p, q in zip(other.predict(x, verbose=0), predicted):
            np.testing.assert_allclose(p, q, atol=1e-6)


def test_stacked_cell_states_feed_a_stacked_decoder(rng):
    # the encoder-decoder of the Keras docs with stacked cells: the grouped states are the decoder's
    # initial_state, the functional replay passes them grouped as the eager call does
    enc_in, dec_in = neuronet.Input((None, 3)), neuronet.Input((None, 2))
    encoder = layers.RNN([layers.LSTMCell(4), layers.GRUCell(5)], return_state=True)
    decoder = layers.RNN([layers.LSTMCell(4), layers.GRUCell(5)], return_sequences=True)
    _, *states = encoder(enc_in)
    model = neuronet.Model([enc_in, dec_in], decoder(dec_in, initial_state=states))
    a = rng.standard_normal((2, 6, 3)).astype(np.float32)
    b = rng.standard_normal((2, 4, 2)).astype(np.float32)
    _, lstm_states, gru_states = encoder(a)
    expected = decoder(b, initial_state=[lstm_states, gru_states]).data
    np.testing.assert_allclose(model.predict([a, b], verbose=0), expected, atol=1e-6)
    zeros = decoder(b).data
    assert not np.allclose(expected, zeros)  # the states were used


def test_stacked_cells_return_state_structure_matches_keras(rng):
    keras = pytest.importorskip("keras")  # skipped unless Keras 3 is installed (e.g. in .venv-bench)
    x = rng.standard_normal((3, 5, 4)).astype(np.float32)
    for make in (lambda m: [m.LSTMCell(4), m.GRUCell(3)], lambda m: [m.SimpleRNNCell(2), m.LSTMCell(3)]):
        theirs_eager = keras.layers.RNN(make(keras.layers), return_state=True)(x)
        ours_eager = layers.RNN(make(layers), return_state=True)(x)
        assert _structure(ours_eager) == _structure(theirs_eager)
        theirs_symbolic = keras.layers.RNN(make(keras.layers), return_state=True)(keras.Input((5, 4)))
        ours_symbolic = layers.RNN(make(layers), return_state=True)(neuronet.Input((5, 4)))
        assert _structure(ours_symbolic) == _structure(theirs_symbolic)
