"""neuronet.ops functions called on KerasTensors become graph nodes (OperatorLayer), as Keras 3 records
operations: values, configs naming the op, save/load, summaries, dtypes, several outputs, errors."""

import json

import numpy as np
import pytest

import neuronet as keras
from neuronet import layers, ops
from neuronet.layers import OperatorLayer

RNG = np.random.default_rng(0)
XA, XB = RNG.normal(size=(5, 4)).astype("float32"), RNG.normal(size=(5, 3)).astype("float32")


def concat_softmax_model():
    keras.utils.set_random_seed(0)
    a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    x = ops.concatenate([a, b], axis=-1)
    x = layers.Dense(6)(x)
    return keras.Model([a, b], [ops.softmax(x), ops.sum(x, axis=(1,), keepdims=True)])


def test_ops_on_keras_tensors_record_nodes_and_compute_like_eager():
    a = keras.Input((4,))
    x = ops.concatenate([a, a], axis=-1)
    assert isinstance(x, keras.KerasTensor) and x.shape == (None, 8)
    assert isinstance(x._node.layer, OperatorLayer) and x._node.layer.operator == "concatenate"
    model = concat_softmax_model()
    probs, sums = model.predict([XA, XB], verbose=0)
    dense = next(layer for layer in model.layers if isinstance(layer, layers.Dense))
    logits = dense(np.concatenate([XA, XB], axis=-1)).numpy()
    np.testing.assert_allclose(probs, ops.softmax(logits).numpy(), rtol=1e-6)
    np.testing.assert_allclose(sums, logits.sum(axis=1, keepdims=True), rtol=1e-5)


def test_config_names_the_op_and_round_trips(tmp_path):
    model = concat_softmax_model()
    config = json.loads(json.dumps(model.get_config()))
    entries = {e["name"]: e for e in config["layers"]}
    assert entries["softmax"]["class_name"] == "OperatorLayer"
    assert entries["softmax"]["config"]["operator"] == "softmax"
    assert entries["sum"]["config"]["arguments"]["axis"] == {"class_name": "__tuple__", "config": {"value": [1]}}
    assert entries["concatenate"]["config"]["arguments"]["xs"] == [
        {"class_name": "__operand__", "config": {"index": i}} for i in (0, 1)]
    rebuilt = keras.Model.from_config(config)
    rebuilt.set_weights(model.get_weights())
    for got, want in zip(rebuilt.predict([XA, XB], verbose=0), model.predict([XA, XB], verbose=0)):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    model.save(tmp_path / "ops.keras")
    loaded = keras.saving.load_model(tmp_path / "ops.keras")
    np.testing.assert_allclose(loaded.predict([XA, XB], verbose=0)[0], model.predict([XA, XB], verbose=0)[0],
                               rtol=1e-6)


def test_summary_rows_name_the_op_like_keras():
    lines = []
    concat_softmax_model().summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "softmax (Softmax)" in text and "sum (Sum)" in text and "(Concatenate)" in text


def test_unknown_op_or_argument_in_a_config_is_refused():
    with pytest.raises(ValueError, match=r"unknown op 'sofmax'.*'softmax'"):
        OperatorLayer("sofmax", arguments={"x": {"class_name": "__operand__", "config": {"index": 0}}})
    with pytest.raises(ValueError, match=r"unknown op 'os.system'"):
        OperatorLayer("os.system", arguments={})
    with pytest.raises(ValueError, match=r"unknown argument\(s\) \['bogus'\]"):
        OperatorLayer("softmax", arguments={"x": {"class_name": "__operand__", "config": {"index": 0}}, "bogus": 1})
    with pytest.raises(ValueError, match="malformed operand index"):
        OperatorLayer("softmax", arguments={"x": {"class_name": "__operand__", "config": {"index": "0"}}})
    with pytest.raises(ValueError, match="array constants must be numeric"):
        OperatorLayer("add", arguments={"x1": {"class_name": "__operand__", "config": {"index": 0}},
                                        "x2": {"class_name": "__numpy__", "config": {"value": [1], "dtype": "object"}}})


def test_constants_dtypes_and_several_outputs():
    x = keras.Input((6,))
    shifted = ops.add(x, np.arange(6, dtype="float32"))  # an array constant, kept in the config
    first, second = ops.split(shifted, 2, axis=-1)  # an op with two outputs
    assert first.shape == second.shape == (None, 3)
    index = ops.argmax(second, axis=-1)
    assert index.dtype == "int64" and index.shape == (None,)
    onehot = ops.one_hot(index, 3)
    model = keras.Model(x, [first, onehot])
    data = RNG.normal(size=(4, 6)).astype("float32")
    got_first, got_onehot = model.predict(data, verbose=0)
    np.testing.assert_allclose(got_first, data[:, :3] + np.arange(3), rtol=1e-6)
    np.testing.assert_array_equal(got_onehot.argmax(-1), (data[:, 3:] + np.arange(3, 6)).argmax(-1))
    rebuilt = keras.Model.from_config(json.loads(json.dumps(model.get_config())))
    np.testing.assert_allclose(rebuilt.predict(data, verbose=0)[0], got_first, rtol=1e-6)


def test_unknown_sizes_stay_unknown():
    seq = keras.Input((None, 8))
    pooled = ops.mean(seq, axis=1)
    assert pooled.shape == (None, 8)
    flat = ops.reshape(seq, (-1, 8))
    assert flat.shape == (None, 8)
    assert ops.shape(seq) == (None, None, 8) and ops.ndim(seq) == 3 and ops.dtype(seq) == "float32"


def test_gradients_flow_through_recorded_ops():
    keras.utils.set_random_seed(0)
    a = keras.Input((4,))
    hidden = layers.Dense(8)(a)
    out = layers.Dense(1)(ops.tanh(ops.concatenate([hidden, ops.square(hidden)], axis=-1)))
    model = keras.Model(a, out)
    model.compile(keras.optimizers.Adam(0.03), "mse")
    y = XA.sum(axis=1, keepdims=True)
    first = model.evaluate(XA, y, verbose=0)
    model.fit(XA, y, epochs=100, verbose=0)
    assert model.evaluate(XA, y, verbose=0) < 0.1 * first


def test_masks_like_keras():
    keras.utils.set_random_seed(0)
    ids = keras.Input((5,), dtype="int64")
    embedding, lstm = layers.Embedding(10, 4, mask_zero=True), layers.LSTM(3)
    embedded = embedding(ids)
    via_op = ops.multiply(embedded, 2.0)  # Keras's ops output no mask: the LSTM reads all 5 steps
    via_operator = embedded * 2.0  # neuronet keeps the mask through arithmetic with a constant
    model = keras.Model(ids, [lstm(via_op), lstm(via_operator)])
    data = np.array([[1, 2, 0, 0, 0]])
    unmasked, masked = model.predict(data, verbose=0)
    doubled = embedding(data).numpy() * 2.0
    np.testing.assert_allclose(unmasked, lstm(doubled).numpy(), rtol=1e-5)
    np.testing.assert_allclose(masked, lstm(doubled[:, :2]).numpy(), rtol=1e-5)


def test_unrecordable_arguments_fail_clearly():
    x = keras.Input((3,))
    with pytest.raises(TypeError, match=r"ops.take: argument 'indices': function values cannot be recorded"):
        ops.take(x, lambda i: i)
    with pytest.raises(ValueError, match=r"ops.add on symbolic inputs of shape\(s\) \(None, 3\), \(None, 4\)"):
        ops.add(x, keras.Input((4,)))
