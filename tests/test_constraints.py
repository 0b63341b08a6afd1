"""neuronet.constraints: Keras's formulas, names, get/serialize/deserialize, and every layer saving its
constraints in get_config so a saved model applies them again after loading."""

import numpy as np
import pytest

import neuronet as nn
from neuronet import constraints, layers


def _w():
    return np.array([[3.0, 0.1, -1.0], [4.0, 0.2, 1.0]])  # column norms 5, √0.05, √2


def test_max_norm_rescales_only_long_vectors():
    out = constraints.MaxNorm(max_value=2.0)(_w())
    norms = np.sqrt((out ** 2).sum(axis=0))
    np.testing.assert_allclose(norms, [2.0, np.sqrt(0.05), np.sqrt(2.0)], rtol=1e-6)
    np.testing.assert_allclose(out[:, 0], [1.2, 1.6], rtol=1e-6)


def test_min_max_norm_with_rate():
    w = _w()
    out = constraints.MinMaxNorm(min_value=1.0, max_value=2.0, rate=0.5)(w)
    norms = np.sqrt((w ** 2).sum(axis=0))
    expected = 0.5 * np.clip(norms, 1.0, 2.0) + 0.5 * norms
    np.testing.assert_allclose(np.sqrt((out ** 2).sum(axis=0)), expected, rtol=1e-6)


def test_non_neg_and_unit_norm():
    np.testing.assert_array_equal(constraints.NonNeg()(_w()), np.maximum(_w(), 0))
    out = constraints.UnitNorm(axis=1)(_w())
    np.testing.assert_allclose(np.sqrt((out ** 2).sum(axis=1)), [1.0, 1.0], rtol=1e-6)


def test_axis_list_norms_over_several_axes():
    w = np.random.default_rng(0).normal(size=(3, 3, 2, 4))
    out = constraints.MaxNorm(1.0, axis=[0, 1, 2])(w)
    np.testing.assert_allclose(np.sqrt((out ** 2).sum(axis=(0, 1, 2))), np.ones(4), rtol=1e-5)


def test_get_by_name_alias_and_errors():
    assert isinstance(constraints.get("max_norm"), constraints.MaxNorm)
    assert isinstance(constraints.get("NonNeg"), constraints.NonNeg)
    assert isinstance(constraints.get(constraints.UnitNorm), constraints.UnitNorm)
    assert constraints.get(None) is None
    with pytest.raises(ValueError, match="Unknown constraint 'max_nrm'.*max_norm"):
        constraints.get("max_nrm")
    with pytest.raises(ValueError, match="unknown constraint class 'Bogus'"):
        constraints.deserialize({"class_name": "Bogus", "config": {}})
    with pytest.raises(ValueError, match="min_value <= max_value"):
        constraints.MinMaxNorm(2.0, 1.0)


def test_serialize_round_trip():
    c = constraints.MinMaxNorm(0.5, 3.0, rate=0.25, axis=[0, 1])
    data = constraints.serialize(c)
    assert data == {"class_name": "MinMaxNorm", "config": {"min_value": 0.5, "max_value": 3.0, "rate": 0.25,
                                                           "axis": [0, 1]}}
    back = constraints.deserialize(data)
    assert isinstance(back, constraints.MinMaxNorm) and back.get_config() == c.get_config()
    assert constraints.serialize(None) is None
    assert constraints.serialize(lambda w: w) is None  # a lambda cannot be written to a file


def test_registered_custom_constraint_round_trips():
    @nn.saving.register_keras_serializable(package="test_constraints")
    class Clip(constraints.Constraint):
        def __init__(self, limit=1.0):
            self.limit = limit

        def __call__(self, w):
            return np.clip(np.asarray(getattr(w, "data", w)), -self.limit, self.limit)

        def get_config(self):
            return {"limit": self.limit}

    layer = layers.Dense(2, kernel_constraint=Clip(0.5))
    cfg = layer.get_config()
    assert cfg["kernel_constraint"] == {"class_name": "test_constraints>Clip", "config": {"limit": 0.5}}
    rebuilt = layers.Dense.from_config(cfg)
    assert isinstance(rebuilt.kernel_constraint, Clip) and rebuilt.kernel_constraint.limit == 0.5


# every layer that takes constraints saves them (each: the layer, the input, the constraint arguments)
_LAYERS = [
    (lambda **c: layers.Dense(3, **c), (2, 4), ("kernel_constraint", "bias_constraint")),
    (lambda **c: layers.Conv1D(2, 3, **c), (2, 6, 3), ("kernel_constraint", "bias_constraint")),
    (lambda **c: layers.Conv2D(2, 3, **c), (2, 5, 5, 3), ("kernel_constraint", "bias_constraint")),
    (lambda **c: layers.Conv2DTranspose(2, 3, **c), (2, 4, 4, 3), ("kernel_constraint", "bias_constraint")),
    (lambda **c: layers.DepthwiseConv2D(3, **c), (2, 5, 5, 3), ("depthwise_constraint", "bias_constraint")),
    (lambda **c: layers.SeparableConv2D(2, 3, **c), (2, 5, 5, 3),
     ("depthwise_constraint", "pointwise_constraint", "bias_constraint")),
    (lambda **c: layers.BatchNormalization(**c), (4, 3), ("beta_constraint", "gamma_constraint")),
    (lambda **c: layers.LayerNormalization(**c), (4, 3), ("beta_constraint", "gamma_constraint")),
    (lambda **c: layers.Embedding(10, 3, **c), (2, 3), ("embeddings_constraint",)),
    (lambda **c: layers.PReLU(**c), (2, 3), ("alpha_constraint",)),
    (lambda **c: layers.SimpleRNN(3, **c), (2, 4, 3), ("kernel_constraint", "recurrent_constraint", "bias_constraint")),
    (lambda **c: layers.LSTM(3, **c), (2, 4, 3), ("kernel_constraint", "recurrent_constraint", "bias_constraint")),
    (lambda **c: layers.GRU(3, **c), (2, 4, 3), ("kernel_constraint", "recurrent_constraint", "bias_constraint")),
    (lambda **c: layers.Conv3D(2, 2, **c), (2, 4, 4, 4, 1), ("kernel_constraint", "bias_constraint")),
    (lambda **c: layers.EinsumDense("ab,bc->ac", 3, bias_axes="c", **c), (2, 4),
     ("kernel_constraint", "bias_constraint")),
    (lambda **c: layers.MultiHeadAttention(2, 4, **c), (2, 3, 4), ("kernel_constraint", "bias_constraint")),
]


@pytest.mark.parametrize("make, shape, names", _LAYERS)
def test_every_layer_saves_its_constraints(make, shape, names):
    given = {name: constraints.MaxNorm(1.5 + i) for i, name in enumerate(names)}
    layer = make(**given)
    cfg = layer.get_config()
    for i, name in enumerate(names):
        assert cfg[name] == {"class_name": "MaxNorm", "config": {"max_value": 1.5 + i, "axis": 0}}, name
    rebuilt = type(layer).from_config(cfg)
    assert {n: rebuilt.get_config()[n] for n in names} == {n: cfg[n] for n in names}
    if shape is not None:  # built from the rebuilt config, the weights carry the constraints
        rebuilt(*[np.zeros(shape)] * (2 if isinstance(rebuilt, layers.MultiHeadAttention) else 1))
        assert all(isinstance(w.constraint, constraints.MaxNorm) for w in rebuilt.weights if w.trainable)


def test_constraint_applied_in_fit_and_kept_by_save_and_load(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 4)), rng.normal(size=(64, 2)) * 10
    model = nn.Sequential([layers.Input((4,)), layers.Dense(2, kernel_constraint="non_neg",
                                                            bias_constraint=constraints.MaxNorm(0.5))])
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=2, verbose=0)
    kernel, bias = model.layers[0].get_weights()
    assert kernel.min() >= 0 and np.linalg.norm(bias) <= 0.5 + 1e-6
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = nn.saving.load_model(path)
    assert isinstance(loaded.layers[0].kernel_constraint, constraints.NonNeg)
    assert loaded.layers[0].kernel.constraint is loaded.layers[0].kernel_constraint
    loaded.layers[0].kernel.assign(-np.ones((4, 2)))
    loaded.fit(x, y, epochs=1, verbose=0)
    assert loaded.layers[0].get_weights()[0].min() >= 0


def test_matches_keras():
    keras = pytest.importorskip("keras")
    w = np.random.default_rng(1).normal(size=(4, 3)).astype("float32") * 2
    pairs = [(constraints.MaxNorm(1.5), keras.constraints.MaxNorm(1.5)),
             (constraints.MinMaxNorm(0.5, 1.0, 0.7, axis=1), keras.constraints.MinMaxNorm(0.5, 1.0, 0.7, axis=1)),
             (constraints.NonNeg(), keras.constraints.NonNeg()),
             (constraints.UnitNorm(axis=[0, 1]), keras.constraints.UnitNorm(axis=[0, 1]))]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours(w), keras.ops.convert_to_numpy(theirs(w)), atol=1e-6)
        assert ours.get_config() == {k: (list(v) if isinstance(v, tuple) else v)
                                     for k, v in theirs.get_config().items()}
