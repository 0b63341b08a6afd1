"""Whole models through ``model.export(path, format="onnx")``, the input signature, opsets, and the
refusals (one line naming the layer, nothing written)."""

import os

import numpy as np
import pytest

from ._onnx_check import assert_matches, onnx, run, session

import neuronet as keras  # noqa: E402
from neuronet import layers as L  # noqa: E402
from neuronet.export import ExportError, onnx_model  # noqa: E402

RNG = np.random.default_rng(11)


def _load(path):
    return session(onnx.load(str(path)))


def test_seed_mlp_trained_then_exported(tmp_path, capsys):
    x = RNG.standard_normal((64, 20)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    model = keras.Sequential()
    model.add(L.Dense(units=64, activation="relu", input_dim=20))
    model.add(L.Dense(units=1, activation="sigmoid"))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / "mlp.onnx"
    model.export(path, format="onnx")
    assert f"Saved artifact at '{path}'." in capsys.readouterr().out
    sess = _load(path)
    assert [i.name for i in sess.get_inputs()] == ["input_layer"]
    assert sess.get_inputs()[0].shape == ["batch", 20]
    for n in (1, 7, 64):
        np.testing.assert_allclose(run(sess, [x[:n]])[0], model.predict(x[:n], verbose=0), atol=1e-5)


def test_cnn():
    model = keras.Sequential([L.Input((12, 12, 1)), L.Conv2D(8, 3, activation="relu"), L.MaxPooling2D(),
                              L.Conv2D(16, 3, padding="same", activation="relu"), L.BatchNormalization(),
                              L.MaxPooling2D(), L.Dropout(0.25), L.Flatten(), L.Dense(32, activation="relu"),
                              L.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    x = RNG.random((16, 12, 12, 1)).astype(np.float32)
    model.fit(x, RNG.integers(0, 10, 16), epochs=1, verbose=0)
    assert_matches(model, x)


def test_lstm_text_model_at_other_sequence_lengths():
    model = keras.Sequential([L.Input((None,), dtype="int64"), L.Embedding(50, 8, mask_zero=True), L.LSTM(6),
                              L.Dense(1, activation="sigmoid")])
    for length in (3, 10, 17):
        ids = RNG.integers(1, 50, (7, length))
        ids[:3, : length // 2] = 0  # padded at the front, as pad_sequences does
        assert_matches(model, ids)


def test_signature_frees_the_sequence_length_of_a_fixed_length_model():
    model = keras.Sequential([L.Input((10,), dtype="int64"), L.Embedding(50, 8), L.GRU(4)])
    proto = onnx_model(model, input_signature=(None, None))
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and dims[1].dim_param and not dims[1].dim_value
    assert_matches(model, RNG.integers(0, 50, (7, 10)), input_signature=(None, None))
    short = run(session(proto), [RNG.integers(0, 50, (2, 4))])[0]
    assert short.shape == (2, 4)


def test_two_input_two_output_functional_model(tmp_path):
    image, numbers = keras.Input((8, 8, 3), name="image"), keras.Input((5,), name="numbers")
    x = L.GlobalAveragePooling2D()(L.Conv2D(4, 3, activation="relu")(image))
    h = L.concatenate([x, L.Dense(4, activation="tanh")(numbers)])
    model = keras.Model([image, numbers], [L.Dense(3, activation="softmax", name="kind")(h),
                                           L.Dense(1, name="size")(h)])
    inputs = [RNG.random((7, 8, 8, 3)).astype(np.float32), RNG.standard_normal((7, 5)).astype(np.float32)]
    assert_matches(model, inputs)
    model.export(tmp_path / "two.onnx", verbose=False)
    sess = _load(tmp_path / "two.onnx")
    assert [i.name for i in sess.get_inputs()] == ["image", "numbers"]
    assert [o.name for o in sess.get_outputs()] == ["output_0", "output_1"]


def test_autoencoder_with_nested_encoder_and_decoder():
    encoder = keras.Sequential([L.Input((8, 8, 1)), L.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
                                L.Flatten(), L.Dense(6, activation="relu")], name="encoder")
    decoder = keras.Sequential([L.Input((6,)), L.Dense(4 * 4 * 4, activation="relu"), L.Reshape((4, 4, 4)),
                                L.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu"),
                                L.Conv2D(1, 3, padding="same", activation="sigmoid")], name="decoder")
    inputs = keras.Input((8, 8, 1))
    code = encoder(inputs)
    model = keras.Model(inputs, [decoder(code), code])
    x = RNG.random((7, 8, 8, 1)).astype(np.float32)
    model.compile("adam", ["mse", None])
    assert_matches(model, x)


def test_shared_layer_and_nested_functional_model():
    inner_in = keras.Input((4,))
    inner = keras.Model(inner_in, L.Dense(3, activation="relu")(inner_in), name="inner")
    shared = L.Dense(4)
    a, b = keras.Input((4,)), keras.Input((4,))
    out = L.subtract([inner(shared(a)), inner(shared(b))])
    model = keras.Model([a, b], out)
    assert_matches(model, [RNG.standard_normal((7, 4)).astype(np.float32)] * 2)


# ----------------------------------------------------------------------------- signature and options
def test_fixed_batch_signature_and_dtype_from_input():
    model = keras.Sequential([L.Input((6,)), L.Dense(2)])
    proto = onnx_model(model, input_signature=[keras.Input((6,), batch_size=3, dtype="float32")])
    dims = [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
    assert dims == [3, 6]
    free = onnx_model(model).graph.input[0].type.tensor_type.shape.dim
    assert free[0].dim_param == "batch" and free[1].dim_value == 6
    ids_in = keras.Input((4,), dtype="int32")
    text = keras.Model(ids_in, L.Embedding(9, 2)(ids_in))
    assert onnx_model(text).graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.INT32
    assert_matches(text, RNG.integers(0, 9, (7, 4)), input_signature=[np.zeros((1, 4), np.int64)], batches=(1,))


def test_keras_style_nested_signature_for_several_inputs():
    a, b = keras.Input((3,)), keras.Input((2,))
    model = keras.Model([a, b], L.concatenate([a, b]))
    proto = onnx_model(model, input_signature=[[(None, 3), (None, 2)]])
    assert len(proto.graph.input) == 2


@pytest.mark.parametrize("signature,message", [
    ((None, 5, 1), "rank"), ((None, 7), "does not fit"), ([(None, 6), (None, 6)], "1 input"),
    ("nonsense", "input_signature must be"),
])
def test_bad_signatures_are_refused(signature, message):
    model = keras.Sequential([L.Input((6,)), L.Dense(2)])
    with pytest.raises(ExportError, match=message):
        onnx_model(model, input_signature=signature)


@pytest.mark.parametrize("opset", [13, 17, 21])
def test_opsets(opset):
    model = keras.Sequential([L.Input((5, 4)), L.LayerNormalization(), L.LSTM(3, return_sequences=True),
                              L.GlobalMaxPooling1D(), L.Dense(2, activation="gelu")])
    proto = onnx_model(model, opset_version=opset)
    assert proto.opset_import[0].version == opset
    assert_matches(model, RNG.standard_normal((7, 5, 4)).astype(np.float32), opset=opset)


def test_default_opset_is_17():
    proto = onnx_model(keras.Sequential([L.Input((2,)), L.Dense(1)]))
    assert proto.opset_import[0].version == 17


def test_bad_options():
    model = keras.Sequential([L.Input((2,)), L.Dense(1)])
    with pytest.raises(ExportError, match="opset_version must be an integer in"):
        onnx_model(model, opset_version=9)
    with pytest.raises(ValueError, match="neuronet writes ONNX only"):
        model.export("m.tf", format="tf_saved_model")
    with pytest.raises(TypeError, match="unexpected keyword"):
        model.export("m.onnx", opset=17)


def test_unbuilt_and_subclassed_models_are_refused():
    with pytest.raises(ExportError, match="has not been built"):
        onnx_model(keras.Sequential([L.Dense(2)]))

    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(2)

        def call(self, x):
            return self.dense(x)

    model = Custom()
    model(np.zeros((1, 3), np.float32))
    with pytest.raises(ExportError, match="subclassed model"):
        onnx_model(model)


# ----------------------------------------------------------------------------- refusals
class _Doubled(L.Dense):
    def call(self, inputs, training=None):
        return super().call(inputs) * 2.0


def _refused_models():
    ids = keras.Input((4,), dtype="int64")
    lookup = L.StringLookup(vocabulary=["a", "b"])
    stateful = keras.Sequential([L.Input((3, 2), batch_size=2), L.LSTM(2, stateful=True)])
    dropout_in = keras.Input((3,))
    return {
        "Lambda": keras.Sequential([L.Input((3,)), L.Dense(2), L.Lambda(lambda t: t * 2, name="twice")]),
        "_Doubled": keras.Sequential([L.Input((3,)), _Doubled(2, name="doubled")]),
        "custom activation": keras.Sequential([L.Input((3,)), L.Dense(2, activation=lambda t: t, name="dense_c")]),
        "StringLookup": keras.Sequential([keras.Input((1,), dtype="object"), lookup]),
        "stateful": stateful,
        "training=True": keras.Model(dropout_in, L.Dropout(0.5)(dropout_in, training=True)),
        "RNN cell": keras.Model(ids, L.RNN(_PlainCell())(L.Embedding(5, 2)(ids))),
    }


class _PlainCell(L.Layer):
    state_size = 2

    def call(self, inputs, states):
        return inputs, [inputs]


@pytest.mark.parametrize("case", sorted(_refused_models()))
def test_unsupported_layers_are_named_and_nothing_is_written(case, tmp_path):
    model = _refused_models()[case]
    path = tmp_path / "model.onnx"
    path.write_bytes(b"previous")
    with pytest.raises(ExportError) as info:
        model.export(path)
    message = str(info.value)
    assert "\n" not in message and "cannot be exported to ONNX" in message
    assert "layer '" in message
    assert path.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["model.onnx"]  # no temporary file left behind


def test_missing_onnx_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"neuronet\[onnx\]"):
        onnx_model(keras.Sequential([L.Input((2,)), L.Dense(1)]))
