"""Functional Model(inputs, outputs): graph recording, execution, parity with Sequential, several
inputs/outputs, shared layers, errors, summary; and subclassed models."""

import numpy as np
import pytest

from neuronet import layers, ops
from neuronet.autograd import Tensor
from neuronet.models import Functional, Model, Sequential


def pair():
    """A Sequential and a functional model with the same architecture and the same weights."""
    seq = Sequential([layers.Dense(16, activation="relu", input_dim=8), layers.Dropout(0.2),
                      layers.Dense(3, activation="softmax")])
    inputs = layers.Input(shape=(8,))
    x = layers.Dense(16, activation="relu")(inputs)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(3, activation="softmax")(x)
    fun = Model(inputs, outputs)
    fun.set_weights(seq.get_weights())
    return seq, fun


def test_model_with_inputs_is_functional():
    _, fun = pair()
    assert isinstance(fun, Functional) and isinstance(fun, Model)
    assert fun.input_shape == (None, 8) and fun.output_shape == (None, 3)
    assert [type(layer).__name__ for layer in fun.layers] == ["Dense", "Dropout", "Dense"]
    assert fun.count_params() == 8 * 16 + 16 + 16 * 3 + 3


def test_same_result_as_sequential_for_same_weights(blobs):
    X, y = blobs
    seq, fun = pair()
    np.testing.assert_allclose(fun.predict(X, verbose=0), seq.predict(X, verbose=0), rtol=1e-6)
    for model in (seq, fun):
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    import neuronet

    neuronet.utils.set_random_seed(3)
    h1 = seq.fit(X, y, epochs=2, batch_size=16, verbose=0)
    neuronet.utils.set_random_seed(3)
    h2 = fun.fit(X, y, epochs=2, batch_size=16, verbose=0)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-6)
    for a, b in zip(seq.get_weights(), fun.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_calling_functional_model_eagerly_returns_tensor():
    _, fun = pair()
    y = fun(np.ones((2, 8)))
    assert isinstance(y, Tensor) and y.shape == (2, 3)
    with pytest.raises(ValueError, match=r"expected shape \(None, 8\)"):
        fun(np.ones((2, 5)))


def test_two_inputs_and_shared_layer(blobs):
    X, y = blobs
    a, b = layers.Input(shape=(8,)), layers.Input(shape=(8,))
    shared = layers.Dense(4, activation="tanh")
    merged = layers.Lambda(lambda xs: xs[0] + xs[1])([shared(a), shared(b)])
    out = layers.Dense(3, activation="softmax")(merged)
    model = Model([a, b], out)
    assert len(model.weights) == 4  # the shared Dense counts once
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit([X, X * 0.5], y, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict([X, X], verbose=0).shape == (150, 3)
    with pytest.raises(ValueError, match="2 inputs"):
        model.predict(X, verbose=0)


def two_output_model():
    inputs = layers.Input(shape=(8,))
    h = layers.Dense(16, activation="relu")(inputs)
    cls = layers.Dense(3, activation="softmax", name="cls")(h)
    reg = layers.Dense(1, name="reg")(h)
    return Model(inputs=inputs, outputs=[cls, reg])


def test_two_outputs_predict_a_list():
    model = two_output_model()
    out = model.predict(np.ones((3, 8)), verbose=0)
    assert [o.shape for o in out] == [(3, 3), (3, 1)]


def test_two_outputs_train_with_a_loss_each(blobs):
    X, y = blobs
    target = X[:, 0]
    model = two_output_model()
    model.compile("adam", loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5],
                  metrics=[["accuracy"], ["mae"]])
    history = model.fit(X, [y, target], epochs=3, validation_split=0.2, verbose=0)
    assert list(history.history) == ["loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae", "val_loss",
                                     "val_cls_loss", "val_reg_loss", "val_cls_accuracy", "val_reg_mae"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    logs = model.evaluate(X, {"cls": y, "reg": target}, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["cls_loss"] + 0.5 * logs["reg_loss"], rel=1e-5)
    assert model.metrics_names == ["loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae"]


def test_two_outputs_dict_losses_and_errors(blobs):
    X, y = blobs
    model = two_output_model()
    with pytest.raises(ValueError, match="2 output"):
        model.compile("adam", loss=["mse", "mse", "mse"])
    with pytest.raises(ValueError, match="not output names"):
        model.compile("adam", loss={"nope": "mse"})
    model.compile("adam", loss={"cls": "sparse_categorical_crossentropy"}, metrics=["accuracy"])
    history = model.fit(X, {"cls": y}, epochs=1, verbose=0)  # no loss on 'reg': no target needed
    assert "cls_loss" in history.history and "reg_loss" not in history.history
    with pytest.raises(ValueError, match="2 outputs"):
        model.fit(X, y, verbose=0)
    with pytest.raises(ValueError, match="class_weight"):
        model.fit(X, [y, y], class_weight={0: 1.0}, verbose=0)


def test_graph_disconnected_is_reported():
    a, b = layers.Input(shape=(3,)), layers.Input(shape=(3,))
    out = layers.Lambda(lambda xs: xs[0] * xs[1])([a, b])
    with pytest.raises(ValueError, match="disconnected"):
        Model(a, out)


def test_inputs_must_be_keras_tensors():
    with pytest.raises(TypeError, match="KerasTensor"):
        Model(np.ones((2, 3)), layers.Input(shape=(3,)))


def test_functional_summary_lists_input_layer():
    _, fun = pair()
    lines = []
    fun.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "(InputLayer)" in text and "(None, 8)" in text and "(None, 16)" in text and "Total params: 195" in text


def test_nested_functional_model_as_layer():
    _, inner = pair()
    inputs = layers.Input(shape=(8,))
    outer = Model(inputs, layers.Dense(1)(inner(inputs)))
    assert outer.predict(np.ones((2, 8)), verbose=0).shape == (2, 1)


# ----------------------------------------------------------------------------- subclassed
class TwoLayer(Model):
    def __init__(self, units=3):
        super().__init__()
        self.hidden = layers.Dense(16, activation="relu")
        self.out = layers.Dense(units, activation="softmax")

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))


def test_subclassed_model_trains_with_the_same_loop(blobs):
    X, y = blobs
    model = TwoLayer()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    assert [w.path for w in model.weights][:2] == ["dense/kernel", "dense/bias"]
    assert model.predict(X[:4], verbose=0).shape == (4, 3)


def test_subclassed_model_with_custom_ops():
    class Residual(Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(4)

        def call(self, inputs):
            return ops.tanh(self.dense(inputs)) + inputs

    model = Residual()
    y = model(np.ones((2, 4)))
    assert y.shape == (2, 4) and model.built


def test_subclassed_model_rejects_inputs_arguments():
    class Bare(Model):
        pass

    with pytest.raises(TypeError, match="subclassed"):
        Bare(layers.Input(shape=(3,)))


def test_subclassed_build_creates_weights():
    model = TwoLayer()
    model.build((None, 8))
    assert [w.shape for w in model.weights] == [(8, 16), (16,), (16, 3), (3,)]
    assert model.predict(np.ones((2, 8)), verbose=0).shape == (2, 3)


def test_add_loss_is_minimized_by_fit(blobs):
    X, y = blobs

    class Penalized(Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(3, activation="softmax")

        def call(self, inputs, training=None):
            out = self.dense(inputs)
            self.add_loss(ops.sum(ops.square(self.dense.kernel)) * 0.5)
            return out

    model = Penalized()
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.build((None, 8))
    penalty = 0.5 * float(np.sum(model.dense.kernel.data.astype(float) ** 2))
    assert len(model.losses) == 1 and float(model.losses[0].data) == pytest.approx(penalty, rel=1e-5)
    logs = model.evaluate(X, y, verbose=0, return_dict=True)
    p = model.predict(X, verbose=0).astype(float)
    data_loss = -np.mean(np.log(p[np.arange(len(y)), y]))
    assert logs["loss"] == pytest.approx(data_loss + penalty, rel=1e-4)


def test_subclass_forgetting_super_init_gets_a_clear_error():
    class Forgot(Model):
        def __init__(self):
            self.dense = layers.Dense(2)

    with pytest.raises(RuntimeError, match=r"super\(\).__init__\(\)"):
        Forgot()


def test_freezing_a_layer_between_fits_is_respected(blobs):
    X, y = blobs
    model = TwoLayer()
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(X, y, epochs=1, verbose=0)
    model.hidden.trainable = False
    frozen = [w.copy() for w in model.hidden.get_weights()]
    model.fit(X, y, epochs=1, verbose=0)
    for a, b in zip(frozen, model.hidden.get_weights()):
        np.testing.assert_array_equal(a, b)
