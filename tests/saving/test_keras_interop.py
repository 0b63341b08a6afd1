"""Round trips with real Keras 3: Keras loads what neuronet writes and the other way round, predicting
the same within 1e-5, and training resumes from either side's optimizer state.

Needs Keras (skipped without it); run in the benchmark venv, with either backend::

    PYTHONPATH=. KERAS_BACKEND=tensorflow /work/main/.venv-bench/bin/python -m pytest tests/saving -q
    PYTHONPATH=. KERAS_BACKEND=jax /work/main/.venv-bench/bin/python -m pytest tests/saving -q
"""

import os
import warnings

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from neuronet import constraints as NC  # noqa: E402
from neuronet import layers as L  # noqa: E402
from neuronet import losses as NL  # noqa: E402
from neuronet import metrics as NM  # noqa: E402
from neuronet import optimizers as NO  # noqa: E402
from neuronet import saving  # noqa: E402
from neuronet.models import Input, Model, Sequential  # noqa: E402

rng = np.random.default_rng(0)


def _f2():
    return rng.normal(size=(4, 6)).astype("float32")


def _f3():
    return rng.normal(size=(4, 6, 3)).astype("float32")


def _f4():
    return rng.normal(size=(4, 6, 6, 2)).astype("float32")


def _f4_rgb():
    return rng.uniform(0, 1, size=(4, 6, 6, 3)).astype("float32")


def _f5():
    return rng.normal(size=(4, 4, 4, 4, 2)).astype("float32")


def _ids():
    return rng.integers(0, 10, size=(4, 5))


LAYERS = {
    "Dense": (lambda: L.Dense(3, activation="tanh", kernel_regularizer="l2"), _f2),
    "Activation": (lambda: L.Activation("gelu"), _f2), "ReLU": (lambda: L.ReLU(max_value=1.0), _f2),
    "LeakyReLU": (lambda: L.LeakyReLU(0.2), _f2), "ELU": (lambda: L.ELU(), _f2), "Softmax": (lambda: L.Softmax(), _f2),
    "PReLU": (lambda: L.PReLU(), _f3),
    "Conv1D": (lambda: L.Conv1D(2, 3, padding="causal", dilation_rate=2), _f3),
    "Conv2D": (lambda: L.Conv2D(2, 3, strides=2), _f4),
    "Conv1DTranspose": (lambda: L.Conv1DTranspose(2, 3, strides=2), _f3),
    "Conv2DTranspose": (lambda: L.Conv2DTranspose(2, 3, strides=2, padding="same"), _f4),
    "DepthwiseConv1D": (lambda: L.DepthwiseConv1D(3, depth_multiplier=2), _f3),
    "DepthwiseConv2D": (lambda: L.DepthwiseConv2D(3, depth_multiplier=2), _f4),
    "SeparableConv1D": (lambda: L.SeparableConv1D(2, 3, depth_multiplier=2), _f3),
    "SeparableConv2D": (lambda: L.SeparableConv2D(2, 3), _f4),
    "Identity": (lambda: L.Identity(), _f2), "Masking": (lambda: L.Masking(0.0), _f3),
    "BatchNormalization": (lambda: L.BatchNormalization(momentum=0.5, center=False), _f4),
    "LayerNormalization": (lambda: L.LayerNormalization(), _f3),
    "MaxPooling1D": (lambda: L.MaxPooling1D(2), _f3), "MaxPooling2D": (lambda: L.MaxPooling2D(2, padding="same"), _f4),
    "AveragePooling1D": (lambda: L.AveragePooling1D(2), _f3), "AveragePooling2D": (lambda: L.AveragePooling2D(2), _f4),
    "GlobalAveragePooling1D": (lambda: L.GlobalAveragePooling1D(), _f3),
    "GlobalAveragePooling2D": (lambda: L.GlobalAveragePooling2D(), _f4),
    "GlobalMaxPooling1D": (lambda: L.GlobalMaxPooling1D(keepdims=True), _f3),
    "GlobalMaxPooling2D": (lambda: L.GlobalMaxPooling2D(), _f4),
    "SimpleRNN": (lambda: L.SimpleRNN(3, return_sequences=True), _f3),
    "LSTM": (lambda: L.LSTM(3, go_backwards=True), _f3),
    "GRU": (lambda: L.GRU(3), _f3), "GRU_reset_before": (lambda: L.GRU(3, reset_after=False), _f3),
    "RNN_LSTMCell": (lambda: L.RNN(L.LSTMCell(3)), _f3),
    "Dropout": (lambda: L.Dropout(0.3), _f2), "SpatialDropout1D": (lambda: L.SpatialDropout1D(0.3), _f3),
    "SpatialDropout2D": (lambda: L.SpatialDropout2D(0.3), _f4), "GaussianNoise": (lambda: L.GaussianNoise(0.1), _f2),
    "GaussianDropout": (lambda: L.GaussianDropout(0.1), _f2),
    "ActivityRegularization": (lambda: L.ActivityRegularization(l1=0.01), _f2),
    "Flatten": (lambda: L.Flatten(), _f4), "Reshape": (lambda: L.Reshape((3, 2)), _f2),
    "Permute": (lambda: L.Permute((2, 1)), _f3), "RepeatVector": (lambda: L.RepeatVector(2), _f2),
    "ZeroPadding1D": (lambda: L.ZeroPadding1D(1), _f3), "ZeroPadding2D": (lambda: L.ZeroPadding2D(1), _f4),
    "Cropping1D": (lambda: L.Cropping1D(1), _f3), "Cropping2D": (lambda: L.Cropping2D(1), _f4),
    "UpSampling1D": (lambda: L.UpSampling1D(2), _f3), "UpSampling2D": (lambda: L.UpSampling2D(2), _f4),
    "Bidirectional": (lambda: L.Bidirectional(L.GRU(2), merge_mode="sum"), _f3),
    "TimeDistributed": (lambda: L.TimeDistributed(L.Dense(2)), _f3),
    "Embedding": (lambda: L.Embedding(10, 3), _ids),
    "RNN_stacked_cells": (lambda: L.RNN([L.GRUCell(3), L.SimpleRNNCell(2)]), _f3),
    "Conv3D": (lambda: L.Conv3D(2, 2), _f5), "MaxPooling3D": (lambda: L.MaxPooling3D(2), _f5),
    "AveragePooling3D": (lambda: L.AveragePooling3D(2), _f5),
    "GlobalMaxPooling3D": (lambda: L.GlobalMaxPooling3D(), _f5),
    "GlobalAveragePooling3D": (lambda: L.GlobalAveragePooling3D(), _f5),
    "UpSampling3D": (lambda: L.UpSampling3D(2), _f5),
    "ZeroPadding3D": (lambda: L.ZeroPadding3D(1), _f5), "Cropping3D": (lambda: L.Cropping3D(1), _f5),
    "EinsumDense": (lambda: L.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c"), _f2),
    "UpSampling2D_bilinear": (lambda: L.UpSampling2D(2, interpolation="bilinear"), _f4),
    "Normalization": (lambda: _adapted(L.Normalization()), _f2), "Rescaling": (lambda: L.Rescaling(0.5, 1.0), _f2),
    "Discretization": (lambda: _adapted(L.Discretization(num_bins=3)), _f2),
    "Resizing": (lambda: L.Resizing(3, 3), _f4), "CenterCrop": (lambda: L.CenterCrop(4, 4), _f4),
    "RandomFlip": (lambda: L.RandomFlip(), _f4), "RandomRotation": (lambda: L.RandomRotation(0.1), _f4),
    "RandomZoom": (lambda: L.RandomZoom(0.1), _f4),
    "RandomTranslation": (lambda: L.RandomTranslation(0.1, 0.1), _f4),
    "RandomContrast": (lambda: L.RandomContrast(0.1), _f4), "RandomBrightness": (lambda: L.RandomBrightness(0.1), _f4),
    "Dense_constraints": (lambda: L.Dense(3, kernel_constraint=NC.MaxNorm(2.0), bias_constraint="non_neg"), _f2),
    "GroupNormalization": (lambda: L.GroupNormalization(groups=2, epsilon=0.01), _f4),
    "RMSNormalization": (lambda: L.RMSNormalization(), _f3), "UnitNormalization": (lambda: L.UnitNormalization(), _f3),
    "AlphaDropout": (lambda: L.AlphaDropout(0.2), _f2),
    "AdaptiveAveragePooling1D": (lambda: L.AdaptiveAveragePooling1D(4), _f3),
    "AdaptiveMaxPooling2D": (lambda: L.AdaptiveMaxPooling2D((4, 3)), _f4),
    "AdaptiveAveragePooling3D": (lambda: L.AdaptiveAveragePooling3D(3), _f5),
    "SpectralNormalization": (lambda: L.SpectralNormalization(L.Dense(3), power_iterations=2), _f2),
    "RandomInvert": (lambda: L.RandomInvert(0.5), _f4), "Solarization": (lambda: L.Solarization(0.1, 0.5), _f4),
    "AutoContrast": (lambda: L.AutoContrast(value_range=(0, 1)), _f4),
    "Pipeline": (lambda: L.Pipeline([L.Rescaling(0.5)]), _f4), "RandomShear": (lambda: L.RandomShear(0.2), _f4),
    "ConvLSTM2D": (lambda: L.ConvLSTM2D(3, 2, padding="same", return_sequences=True), _f5),
    "ConvLSTM1D": (lambda: L.ConvLSTM1D(2, 3, go_backwards=True), _f4),
    "RandomGaussianBlur": (lambda: L.RandomGaussianBlur(kernel_size=5), _f4),
    "RandomErasing": (lambda: L.RandomErasing(fill_value=3.0), _f4),
    "MelSpectrogram": (lambda: L.MelSpectrogram(fft_length=4, sequence_stride=2, num_mel_bins=2, sampling_rate=100,
                                                power_to_db=False, mag_exp=1.0), _f2),
    # (not Equalization: Keras 3.15 cannot build a model holding its own Equalization, whose output spec is
    # its input tensor, "part of a cycle")
    "RandomSharpness": (lambda: L.RandomSharpness(0.5), _f4),
    "RandomPosterization": (lambda: L.RandomPosterization(4), _f4_rgb),
    "RandAugment": (lambda: L.RandAugment(factor=0.2), _f4_rgb),
    "MixUp": (lambda: L.MixUp(0.3), _f4), "CutMix": (lambda: L.CutMix(0.5), _f4),
    "RandomSaturation": (lambda: L.RandomSaturation(0.3), _f4_rgb), "RandomHue": (lambda: L.RandomHue(0.3), _f4_rgb),
    "RandomColorDegeneration": (lambda: L.RandomColorDegeneration(0.3), _f4_rgb),
    "RandomColorJitter": (lambda: L.RandomColorJitter((0, 1), 0.1, 0.2, 0.3, 0.1), _f4_rgb),
}


def _adapted(layer):
    layer.adapt(rng.normal(size=(20, 6)).astype("float32"))
    return layer


def _outputs(model, x):
    out = model.predict(x, verbose=0)
    return out if isinstance(out, list) else [out]


def _both_ways(model, x, tmp_path, name="m"):
    """neuronet → Keras → neuronet; returns the largest difference of the predictions."""
    model.save(tmp_path / f"{name}.keras")
    k = keras.saving.load_model(tmp_path / f"{name}.keras")
    ours, theirs = _outputs(model, x), _outputs(k, x)
    k.save(tmp_path / f"{name}_k.keras")
    back = _outputs(saving.load_model(tmp_path / f"{name}_k.keras"), x)
    return max(float(np.max(np.abs(a - b))) for a, b in zip(ours + back, theirs + theirs))


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_every_layer_round_trips_through_keras(tmp_path, name):
    make, data = LAYERS[name]
    x = data()
    body = [make()] if name == "Flatten" else [make(), L.Flatten()]
    model = Sequential([Input(shape=x.shape[1:]), *body, L.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, rng.normal(size=(4, 1)).astype("float32"), epochs=1, verbose=0)  # BN statistics move
    assert _both_ways(model, x, tmp_path) < 1e-5


def _merges():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    outs = [L.Add()([a, b]), L.Subtract()([a, b]), L.Multiply()([a, b]), L.Average()([a, b]), L.Maximum()([a, b]),
            L.Minimum()([a, b]), L.Dot(axes=1)([a, b])]
    return Model([a, b], L.Concatenate()(outs)), [_f2()[:, :3], _f2()[:, :3]]


def _operators():
    a = Input(shape=(4, 3))
    y = a[:, -1] + a[:, 0, ...] - 2.0 ** a[:, 1] + L.Maximum()([a[:, 2], -a[:, 2]]) / (abs(a[:, 3]) + 1.0)
    return Model(a, L.Dense(2)(y * 0.5)), rng.normal(size=(3, 4, 3)).astype("float32")


def _two_inputs_two_outputs():
    a, b = Input(shape=(4,), name="a"), Input(shape=(3,), name="b")
    shared = L.Dense(5, activation="relu", name="shared")
    merged = L.Concatenate()([shared(a), b])
    o1 = L.Dense(2, activation="softmax", name="o1")(merged)
    o2 = L.Dense(1, name="o2")(L.Dropout(0.1)(merged))
    return Model([a, b], [o1, o2]), [_f2()[:, :4], _f2()[:, :3]]


def _nested_and_shared():
    inner = Sequential([L.Dense(4, activation="relu"), L.Dense(3)], name="inner")
    a, b = Input(shape=(3,)), Input(shape=(3,))
    d = L.Dense(2, name="d")
    return Model([a, b], [d(inner(a)), d(b)]), [_f2()[:, :3], _f2()[:, :3]]


def _seq2seq():
    a, b = Input(shape=(5, 3)), Input(shape=(4, 3))
    _, h, c = L.LSTM(4, return_state=True)(a)
    y = L.LSTM(4, return_sequences=True)(b, initial_state=[h, c])
    return Model([a, b], L.TimeDistributed(L.Dense(2))(y)), [rng.normal(size=(2, 5, 3)).astype("float32"),
                                                             rng.normal(size=(2, 4, 3)).astype("float32")]


def _masked_bidirectional():
    a = Input(shape=(5,))
    e = L.Embedding(10, 4, mask_zero=True)(a)
    y = L.GRU(2)(L.Bidirectional(L.LSTM(3, return_sequences=True))(e))
    x = rng.integers(1, 10, size=(4, 5))
    x[:, 3:] = 0
    return Model(a, L.Dense(1)(y)), x


def _nested_functional_with_operators():
    a = Input(shape=(3,))
    inner = Model(a, L.Dense(3)(a) * 2.0 + a, name="inner")
    return Sequential([Input(shape=(3,)), inner, L.Dense(1)]), _f2()[:, :3]


def _attention():
    a, b = Input(shape=(5, 4)), Input(shape=(3, 4))
    y = L.Concatenate()([L.MultiHeadAttention(2, 3)(a, b), L.Attention()([a, b]), L.AdditiveAttention()([a, b])])
    x = [rng.normal(size=(2, 5, 4)).astype("float32"), rng.normal(size=(2, 3, 4)).astype("float32")]
    return Model([a, b], y), x


def _integer_lookup():
    a = Input(shape=(3,), dtype="int64")
    index = L.IntegerLookup(vocabulary=[3, 5, 7])
    return Model(a, L.Flatten()(L.Embedding(5, 2)(index(a)))), np.array([[3, 5, 9], [7, 7, 3]])


GRAPHS = {"attention": _attention, "integer_lookup": _integer_lookup,
          "nested_functional_with_operators": _nested_functional_with_operators, "merges": _merges,
          "operators": _operators, "two_inputs_two_outputs": _two_inputs_two_outputs,
          "nested_and_shared": _nested_and_shared, "seq2seq": _seq2seq, "masked_bidirectional": _masked_bidirectional}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_functional_graphs_round_trip_through_keras(tmp_path, name):
    model, x = GRAPHS[name]()
    model.compile(optimizer="adam", loss="mse")
    assert _both_ways(model, x, tmp_path) < 1e-5


@saving.register_keras_serializable(package="interop")
class InteropScale(L.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.gain = self.add_weight((input_shape[-1],), "ones", name="gain")

    def call(self, inputs):
        return inputs * self.gain * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@saving.register_keras_serializable(package="interop")
class InteropHead(Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = L.Dense(units, activation="tanh")
        self.scale = InteropScale(1.5)
        self.out = L.Dense(1)

    def call(self, inputs, training=None):
        return self.out(self.scale(self.hidden(inputs)))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def _keras_twins():
    """The same two classes for Keras, under the same class and registered names (Keras names the
    weights of layers held in lists by their class name)."""

    @keras.saving.register_keras_serializable(package="interop")
    class InteropScale(keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="gain")

        def call(self, inputs):
            return inputs * self.gain * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    @keras.saving.register_keras_serializable(package="interop")
    class InteropHead(keras.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.hidden = keras.layers.Dense(units, activation="tanh")
            self.scale = InteropScale(1.5)
            self.out = keras.layers.Dense(1)

        def call(self, inputs):
            return self.out(self.scale(self.hidden(inputs)))

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    return InteropScale, InteropHead


_keras_twins()


def test_subclassed_model_with_a_registered_custom_layer(tmp_path):
    x, y = _f2()[:, :4], rng.normal(size=(4, 1)).astype("float32")
    model = InteropHead(5)
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, verbose=0)
    assert _both_ways(model, x, tmp_path) < 1e-5


def test_weight_files_both_ways(tmp_path):
    x = _f4()
    model = Sequential([Input(shape=(6, 6, 2)), L.Conv2D(3, 3, activation="relu"), L.BatchNormalization(),
                        L.MaxPooling2D(), L.Flatten(), L.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, rng.normal(size=(4, 2)).astype("float32"), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "ours.weights.h5")
    k = keras.saving.load_model(tmp_path / "m.keras", compile=False)
    k.set_weights([np.zeros_like(w) for w in k.get_weights()])
    k.load_weights(tmp_path / "ours.weights.h5")
    np.testing.assert_allclose(k.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)
    k.save_weights(tmp_path / "theirs.weights.h5")
    fresh = Sequential([Input(shape=(6, 6, 2)), L.Conv2D(3, 3, activation="relu"), L.BatchNormalization(),
                        L.MaxPooling2D(), L.Flatten(), L.Dense(2)])
    fresh.load_weights(tmp_path / "theirs.weights.h5")
    np.testing.assert_allclose(fresh.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)


OPTIMIZERS = {
    "SGD": (lambda: NO.SGD(0.05), lambda: keras.optimizers.SGD(0.05)),
    "SGD_nesterov": (lambda: NO.SGD(0.05, momentum=0.9, nesterov=True),
                     lambda: keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True)),
    "RMSprop_centered": (lambda: NO.RMSprop(0.01, momentum=0.5, centered=True),
                         lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True)),
    "Adagrad": (lambda: NO.Adagrad(0.05), lambda: keras.optimizers.Adagrad(0.05)),
    "Adadelta": (lambda: NO.Adadelta(1.0), lambda: keras.optimizers.Adadelta(1.0)),
    "Adam_amsgrad": (lambda: NO.Adam(0.01, amsgrad=True), lambda: keras.optimizers.Adam(0.01, amsgrad=True)),
    "AdamW": (lambda: NO.AdamW(0.01, weight_decay=0.1), lambda: keras.optimizers.AdamW(0.01, weight_decay=0.1)),
    "Adamax": (lambda: NO.Adamax(0.01), lambda: keras.optimizers.Adamax(0.01)),
    "Nadam": (lambda: NO.Nadam(0.01), lambda: keras.optimizers.Nadam(0.01)),
    "Adam_exponential_decay": (lambda: NO.Adam(NO.schedules.ExponentialDecay(0.01, 3, 0.5)),
                               lambda: keras.optimizers.Adam(
                                   keras.optimizers.schedules.ExponentialDecay(0.01, 3, 0.5))),
    "SGD_cosine_decay": (lambda: NO.SGD(NO.schedules.CosineDecay(0.05, 10, alpha=0.1)),
                         lambda: keras.optimizers.SGD(keras.optimizers.schedules.CosineDecay(0.05, 10, alpha=0.1))),
    "SGD_piecewise": (lambda: NO.SGD(NO.schedules.PiecewiseConstantDecay([3, 6], [0.1, 0.05, 0.01])),
                      lambda: keras.optimizers.SGD(keras.optimizers.schedules.PiecewiseConstantDecay(
                          [3, 6], [0.1, 0.05, 0.01]))),
    "SGD_polynomial": (lambda: NO.SGD(NO.schedules.PolynomialDecay(0.1, 10, 0.01)),
                       lambda: keras.optimizers.SGD(keras.optimizers.schedules.PolynomialDecay(0.1, 10, 0.01))),
    "SGD_inverse_time": (lambda: NO.SGD(NO.schedules.InverseTimeDecay(0.1, 3, 0.5)),
                         lambda: keras.optimizers.SGD(keras.optimizers.schedules.InverseTimeDecay(0.1, 3, 0.5))),
    "SGD_cosine_restarts": (lambda: NO.SGD(NO.schedules.CosineDecayRestarts(0.1, 3)),
                            lambda: keras.optimizers.SGD(keras.optimizers.schedules.CosineDecayRestarts(0.1, 3))),
    "Adam_clipnorm": (lambda: NO.Adam(0.01, clipnorm=0.5), lambda: keras.optimizers.Adam(0.01, clipnorm=0.5)),
    "Lion": (lambda: NO.Lion(0.001), lambda: keras.optimizers.Lion(0.001)),
    "Lamb": (lambda: NO.Lamb(0.01), lambda: keras.optimizers.Lamb(0.01)),
    "Ftrl": (lambda: NO.Ftrl(0.1, l1_regularization_strength=0.01), lambda: keras.optimizers.Ftrl(
        0.1, l1_regularization_strength=0.01)),
}


def _relative(a, b):
    return max(float(np.max(np.abs(p - q) / (1e-3 + np.abs(q)))) for p, q in zip(a, b))


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_training_resumes_from_either_sides_optimizer_state(tmp_path, name):
    ours, theirs = OPTIMIZERS[name]
    x, y = rng.normal(size=(16, 5)).astype("float32"), rng.normal(size=(16, 2)).astype("float32")
    fit = dict(batch_size=4, shuffle=False, verbose=0)
    # neuronet trains, Keras continues (and neuronet continues too: the two must agree)
    model = Sequential([Input(shape=(5,)), L.Dense(4, activation="tanh"), L.BatchNormalization(), L.Dense(2)])
    model.compile(optimizer=ours(), loss="mse")
    model.fit(x, y, epochs=2, **fit)
    model.save(tmp_path / "n.keras")
    k = keras.saving.load_model(tmp_path / "n.keras")
    assert int(k.optimizer.iterations.numpy()) == model.optimizer.iterations == 8
    model.fit(x, y, epochs=1, **fit)
    k.fit(x, y, epochs=1, **fit)
    assert _relative(model.get_weights(), k.get_weights()) < 1e-3
    # Keras trains, neuronet continues
    k = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="tanh"),
                          keras.layers.BatchNormalization(), keras.layers.Dense(2)])
    k.compile(optimizer=theirs(), loss="mse")
    k.fit(x, y, epochs=2, **fit)
    k.save(tmp_path / "k.keras")
    resumed, restarted = saving.load_model(tmp_path / "k.keras"), saving.load_model(tmp_path / "k.keras")
    restarted.compile(optimizer=ours(), loss="mse")  # the same weights, a fresh optimizer state
    for m in (resumed, restarted):
        m.fit(x, y, epochs=1, **fit)
    k.fit(x, y, epochs=1, **fit)
    assert _relative(resumed.get_weights(), k.get_weights()) < 1e-3
    if name not in ("SGD",) and not name.startswith("SGD_") or name == "SGD_nesterov":
        assert _relative(restarted.get_weights(), k.get_weights()) > 1e-2  # the state mattered


# CTC needs sequences and Circle embeddings: tested with their own data
LOSSES = sorted(n for n, c in saving.registry.builtin_classes("losses").items()
                if c.__name__ == n and n not in ("Loss", "LossFunctionWrapper", "CTC", "Circle"))
METRICS = sorted(n for n, c in saving.registry.builtin_classes("metrics").items()
                 if c.__name__ == n and n not in ("Metric", "MeanMetricWrapper", "Reduce", "Mean", "Sum"))


def _evaluate_both(model, x, y, tmp_path):
    model.save(tmp_path / "m.keras")
    k = keras.saving.load_model(tmp_path / "m.keras")
    ours, theirs = model.evaluate(x, y, verbose=0, return_dict=True), k.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(np.asarray(ours[key]), np.asarray(theirs[key]), rtol=1e-4, atol=1e-6)
    k.save(tmp_path / "k.keras")
    back = saving.load_model(tmp_path / "k.keras").evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(back) == sorted(ours)
    for key in ours:
        np.testing.assert_allclose(np.asarray(back[key]), np.asarray(ours[key]), rtol=1e-6)


def _task(name):
    x = rng.normal(size=(16, 5)).astype("float32")
    if "Sparse" in name or "Generalized" in name:
        return x, rng.integers(0, 3, size=(16,)).astype("float32"), "softmax"
    y = rng.integers(0, 2, size=(16, 3)).astype("float32")
    return x, y, "softmax" if ("Categorical" in name or "KL" in name) else "sigmoid"


@pytest.mark.parametrize("name", LOSSES)
def test_every_loss_round_trips_through_keras(tmp_path, name):
    x, y, act = _task(name)
    model = Sequential([Input(shape=(5,)), L.Dense(3, activation=act)])
    model.compile(optimizer="sgd", loss=getattr(NL, name)())
    _evaluate_both(model, x, y, tmp_path)


@pytest.mark.parametrize("name", METRICS)
def test_every_metric_round_trips_through_keras(tmp_path, name):
    x, y, act = _task(name)
    cls = getattr(NM, name)
    needs = {"F1Score": dict(average="macro"), "FBetaScore": dict(average="macro"), "IoU": (2, [1]),
             "MeanIoU": (2,), "OneHotIoU": (3, [0, 2]), "OneHotMeanIoU": (3,), "PrecisionAtRecall": (0.5,),
             "RecallAtPrecision": (0.5,), "SensitivityAtSpecificity": (0.5,), "SpecificityAtSensitivity": (0.5,)}
    arguments = needs.get(name, ())
    metric = cls(**arguments) if isinstance(arguments, dict) else cls(*arguments)
    model = Sequential([Input(shape=(5,)), L.Dense(3, activation=act)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy" if "Sparse" in name else "mse",
                  metrics=[metric] if "Sparse" in name else [metric, "mae"])
    _evaluate_both(model, x, y, tmp_path)


def test_lambda_layers_never_load_code(tmp_path):
    k = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 2.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k.save(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match=r"lambda\.keras.*never loads code"):
        saving.load_model(tmp_path / "lambda.keras")


def test_versions_verified():
    print(f"\nverified with Keras {keras.__version__}, backend {keras.backend.backend()}")
    assert keras.__version__.startswith("3.")
    assert os.environ.get("KERAS_BACKEND", "tensorflow") == keras.backend.backend()


def test_text_inputs_with_a_vocabulary_and_normalization(tmp_path):
    """Preprocessing inside the model (the neuronet command saves such models): a text input ('object'
    in NumPy, 'string' in Keras), an adapted StringLookup and Normalization."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip("Keras runs string tensors (StringLookup) on the TensorFlow backend only")
    tf = pytest.importorskip("tensorflow")
    text, numbers = Input(shape=(1,), dtype="object", name="cat"), Input(shape=(2,), name="num")
    lookup = L.StringLookup()
    lookup.adapt(np.array([["a"], ["b"], ["c"], ["a"]], dtype=object))
    norm = L.Normalization()
    norm.adapt(rng.normal(size=(20, 2)).astype("float32"))
    encoded = L.CategoryEncoding(num_tokens=lookup.vocabulary_size(), output_mode="one_hot")(lookup(text))
    model = Model([text, numbers], L.Dense(1, activation="sigmoid")(L.Concatenate()([L.Flatten()(encoded),
                                                                                        norm(numbers)])))
    model.save(tmp_path / "m.keras")
    k = keras.saving.load_model(tmp_path / "m.keras")
    xs, xn = np.array([["a"], ["z"], ["c"]], dtype=object), rng.normal(size=(3, 2)).astype("float32")
    ours = model([xs, xn]).data
    theirs = np.asarray(k([tf.constant(xs.astype(str)), tf.constant(xn)]))
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    k.save(tmp_path / "k.keras")
    np.testing.assert_allclose(saving.load_model(tmp_path / "k.keras")([xs, xn]).data, theirs, atol=1e-6)


def test_mixed_precision_keras_models_load_in_float32(tmp_path):
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        k = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(1, dtype="float32")])
    finally:
        keras.mixed_precision.set_global_policy("float32")
    k.save(tmp_path / "mixed.keras")
    ours = saving.load_model(tmp_path / "mixed.keras")
    assert [layer.dtype for layer in ours.layers] == ["float32", "float32"]
    x = rng.normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), k.predict(x, verbose=0), atol=5e-3)  # Keras: float16
