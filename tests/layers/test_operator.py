"""OperatorLayer: Python arithmetic and indexing on KerasTensors record layers; values, gradchecks,
shapes, errors, configs and masks."""

import json

import numpy as np
import pytest

import neuronet
from neuronet import layers
from neuronet.autograd import Tensor, gradcheck
from neuronet.models import Model


def _inputs(rng, shapes):
    return [rng.normal(size=s) for s in shapes]


def test_arithmetic_on_keras_tensors_builds_a_model(rng):
    a, b = layers.Input(shape=(3,)), layers.Input(shape=(3,))
    out = (a + b) * 2.0 - a / (abs(b) + 1.0) + (-a) ** 2 + 1.0 - b + np.arange(3.0) * a
    model = Model([a, b], out)
    x1, x2 = _inputs(rng, [(5, 3), (5, 3)])
    expected = (x1 + x2) * 2.0 - x1 / (np.abs(x2) + 1.0) + x1 ** 2 + 1.0 - x2 + np.arange(3.0) * x1
    np.testing.assert_allclose(model.predict([x1, x2], verbose=0), expected, rtol=1e-5, atol=1e-5)
    assert {type(layer).__name__ for layer in model.layers} == {"OperatorLayer"}
    rsub = Model(a, 1.0 - a)
    np.testing.assert_allclose(rsub.predict(x1, verbose=0), 1.0 - x1, rtol=1e-6)
    rdiv = Model(a, 2.0 / (a * a + 1.0))
    np.testing.assert_allclose(rdiv.predict(x1, verbose=0), 2.0 / (x1 * x1 + 1.0), rtol=1e-5)


def test_operator_layer_gradcheck(float64, rng):
    cases = [layers.OperatorLayer("add"), layers.OperatorLayer("subtract"), layers.OperatorLayer("multiply"),
             layers.OperatorLayer("divide")]
    a, b = _inputs(rng, [(3, 4), (1, 4)])
    b = np.abs(b) + 0.5
    for layer in cases:
        gradcheck(lambda p, q: layer([p, q]), [a, b])
    for layer in [layers.OperatorLayer("multiply", constant=[1.0, -2.0, 0.5, 3.0]),
                  layers.OperatorLayer("subtract", constant=2.0, constant_first=True),
                  layers.OperatorLayer("power", constant=3), layers.OperatorLayer("negative")]:
        gradcheck(lambda p: layer(p), [a])


def test_operator_shapes_and_errors():
    a = layers.Input(shape=(4, 3))
    assert (a * np.ones(3)).shape == (None, 4, 3)
    assert (a + layers.Input(shape=(1, 3))).shape == (None, 4, 3)
    with pytest.raises(ValueError, match=r"operands of shapes \(None, 4, 3\) and \(None, 5\) do not broadcast"):
        a + layers.Input(shape=(5,))
    with pytest.raises(TypeError, match="unsupported operand"):
        a + "text"
    with pytest.raises(ValueError, match="unknown operator 'modulo'"):
        layers.OperatorLayer("modulo")
    with pytest.raises(TypeError, match="no values"):
        np.asarray(a)


def test_operator_layer_config_round_trips():
    layer = layers.OperatorLayer("multiply", constant=np.array([[1.0, 2.0]]), constant_first=True, name="scale")
    config = json.loads(json.dumps(layer.get_config()))
    twin = layers.OperatorLayer.from_config(config)
    assert twin.get_config() == config
    np.testing.assert_allclose(twin(np.ones((1, 2))).numpy(), [[1.0, 2.0]])


def test_operator_on_one_tensor_keeps_the_mask():
    x = Tensor(np.ones((1, 3, 2), "float32"))
    x._keras_mask = np.array([[True, True, False]])
    np.testing.assert_array_equal(layers.OperatorLayer("multiply", constant=2.0)(x)._keras_mask, x._keras_mask)
    assert getattr(layers.OperatorLayer("add")([x, x]), "_keras_mask", None) is None


@pytest.mark.parametrize("index", [np.s_[:, -1], np.s_[..., 1:], np.s_[:, None, 2:4], np.s_[:, ::2, 0]])
def test_indexing_keras_tensors(rng, index):
    x = layers.Input(shape=(5, 3))
    y = x[index]
    data = rng.normal(size=(4, 5, 3)).astype("float32")
    expected = data[index]
    assert y.shape == (None,) + expected.shape[1:]
    model = Model(x, y)
    np.testing.assert_array_equal(model.predict(data, verbose=0), expected)
    twin = Model.from_config(json.loads(json.dumps(model.get_config())))
    assert twin.output_shape == model.output_shape
    np.testing.assert_array_equal(twin.predict(data, verbose=0), expected)


def test_indexing_gradcheck_and_errors(float64, rng):
    layer = layers.OperatorLayer("getitem", index=[{"slice": [None, None, None]}, -1, {"slice": [1, None, None]}])
    gradcheck(lambda t: layer(t), [rng.normal(size=(2, 3, 4))])
    x = layers.Input(shape=(5, 3))
    with pytest.raises(TypeError, match="integers, slices, None and ... only"):
        x[[0, 1]]
    with pytest.raises(ValueError, match=r"does not fit inputs of shape \(None, 5, 3\)"):
        x[:, 7]
    with pytest.raises(TypeError, match="cannot be iterated"):
        list(x)
    with pytest.raises(ValueError, match="malformed index"):
        layers.OperatorLayer("getitem", index=["os.system"])
    with pytest.raises(ValueError, match="needed by 'getitem' and only by it"):
        layers.OperatorLayer("add", index=[0])


@pytest.mark.parametrize("make, expected", [
    (lambda x: x > 0.5, lambda a: a > 0.5),
    (lambda x: x <= 0.5, lambda a: a <= 0.5),
    (lambda x: 0.5 < x, lambda a: a > 0.5),
    (lambda x: x >= x[:, :1], lambda a: a >= a[:, :1]),
    (lambda x: x // 0.25, lambda a: a // 0.25),
    (lambda x: 1.0 // (x + 1.0), lambda a: 1.0 // (a + 1.0)),
    (lambda x: x % 0.3, lambda a: a % np.float32(0.3)),
    (lambda x: x @ np.ones((3, 2), "float32"), lambda a: a @ np.ones((3, 2), "float32")),
    (lambda x: (x > 0.2) & (x < 0.8), lambda a: (a > 0.2) & (a < 0.8)),
    (lambda x: (x > 0.8) | (x < 0.2), lambda a: (a > 0.8) | (a < 0.2)),
    (lambda x: (x > 0.5) ^ (x > 0.7), lambda a: (a > 0.5) ^ (a > 0.7)),
    (lambda x: ~(x > 0.5), lambda a: ~(a > 0.5)),
    (lambda x: round(x * 10.0), lambda a: np.round(a * 10.0)),
], ids=["gt", "le", "reflected lt", "ge", "floordiv", "rfloordiv", "mod", "matmul", "and", "or", "xor", "invert",
        "round"])
def test_every_python_operator_of_keras_tensors_records_an_op(make, expected, tmp_path):
    x = neuronet.Input((3,))
    model = neuronet.Model(x, make(x))
    data = np.array([[0.1, 0.6, 0.9], [0.55, 0.3, 0.75]], "float32")
    out = model.predict(data, verbose=0)
    np.testing.assert_allclose(np.asarray(out, dtype="float64"), np.asarray(expected(data), dtype="float64"),
                               rtol=1e-6, atol=1e-6)
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = neuronet.saving.load_model(path)
    np.testing.assert_array_equal(again.predict(data, verbose=0), out)


def test_keras_tensors_compare_equal_by_identity():
    x = neuronet.Input((3,))
    assert (x == x) is True and (x != x) is False and len({x, x}) == 1
