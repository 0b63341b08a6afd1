"""Core layers: Dense (gradcheck, torch parity, Keras weight layout), Input/InputLayer, Activation,
Lambda, Identity, and the Layer base contract (names, weights, shape errors, config)."""

import numpy as np
import pytest

import neuronet
from neuronet import layers
from neuronet.autograd import Tensor, gradcheck


def _x(rng, *shape):
    return rng.normal(size=shape)


# ----------------------------------------------------------------------------- Dense
@pytest.mark.parametrize("shape,units", [((3, 4), 2), ((1, 1), 1), ((2, 3, 5), 4)])
@pytest.mark.parametrize("activation", [None, "tanh", "sigmoid", "softmax"])
def test_dense_gradcheck(float64, rng, shape, units, activation):
    layer = layers.Dense(units, activation=activation)
    layer.build(shape)
    layer.bias.data[...] = rng.normal(size=units)
    assert all(w.dtype == np.float64 for w in layer.weights)
    gradcheck(lambda x: layer(x), [_x(rng, *shape)], params=layer.weights)


def test_dense_relu_gradcheck_away_from_kink(float64, rng):
    layer = layers.Dense(3, activation="relu")
    x = _x(rng, 4, 5)
    layer.build(x.shape)
    z = x @ layer.kernel.data
    layer.bias.data[...] = 0.0
    # shift rows so every pre-activation is at least 0.1 from the kink at 0
    keep = np.abs(z) >= 0.1
    x = x[keep.all(axis=1)] if keep.all(axis=1).any() else x
    z = x @ layer.kernel.data
    if np.abs(z).min() < 0.1:
        pytest.skip("random draw too close to the kink")
    gradcheck(lambda t: layer(t), [x], params=layer.weights)


def test_dense_without_bias_has_only_kernel(float64, rng):
    layer = layers.Dense(2, use_bias=False)
    y = layer(_x(rng, 3, 4))
    assert [w.name for w in layer.weights] == ["kernel"]
    assert y.shape == (3, 2)
    gradcheck(lambda x: layer(x), [_x(rng, 3, 4)], params=layer.weights)


def test_dense_matches_torch_linear(float64, rng):
    torch = pytest.importorskip("torch")
    layer = layers.Dense(5, activation="tanh")
    x = _x(rng, 6, 4)
    layer.build(x.shape)
    layer.bias.data[...] = rng.normal(size=5)
    lin = torch.nn.Linear(4, 5).double()
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(layer.kernel.data.T.copy()))  # Keras kernel = torch weight.T
        lin.bias.copy_(torch.from_numpy(layer.bias.data.copy()))
    g = rng.normal(size=(6, 5))
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.tanh(lin(xt))
    (yt * torch.from_numpy(g)).sum().backward()
    xn = Tensor(x, requires_grad=True)
    y = layer(xn)
    (y * g).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(layer.kernel.grad, lin.weight.grad.numpy().T, atol=1e-6)
    np.testing.assert_allclose(layer.bias.grad, lin.bias.grad.numpy(), atol=1e-6)


@pytest.mark.parametrize("activation", ["sigmoid", "softmax"])
def test_dense_output_carries_its_logits(float64, activation):
    """A sigmoid/softmax Dense output carries its pre-activation values for the cross-entropies."""
    layer = layers.Dense(3, activation=activation, bias_initializer="random_normal")
    x = np.random.default_rng(3).normal(size=(2, 4))
    out = layer(x)
    z = out._keras_logits
    assert getattr(out, "_keras_logits_axis", None) == (1 if activation == "softmax" else None)
    np.testing.assert_allclose(z.data, x @ layer.kernel.data + layer.bias.data, rtol=1e-12)
    np.testing.assert_allclose(out.data, neuronet.ops.sigmoid(z).data if activation == "sigmoid"
                               else neuronet.ops.softmax(z).data, rtol=1e-12)


@pytest.mark.parametrize("activation", [None, "relu", "tanh"])
def test_dense_fused_activations_carry_no_logits(float64, activation):
    out = layers.Dense(3, activation=activation)(np.ones((2, 4)))
    assert getattr(out, "_keras_logits", None) is None


def test_dense_keras_weight_layout_and_order():
    layer = layers.Dense(3)
    layer(np.zeros((2, 7), "float32"))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (7, 3) and bias.shape == (3,)
    assert [w.path for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]
    assert layer.count_params() == 7 * 3 + 3


def test_dense_stays_float32():
    layer = layers.Dense(4, activation="relu")
    y = layer(np.ones((2, 3)))  # float64 input is cast to the layer's dtype
    assert y.dtype == np.float32
    assert all(w.dtype == np.float32 for w in layer.weights)


def test_dense_wrong_feature_count_names_layer_and_shapes():
    layer = layers.Dense(2, name="hidden")
    layer(np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"'hidden'.*value 4.*\(3, 5\)"):
        layer(np.zeros((3, 5)))


@pytest.mark.parametrize("units", [0, -3, 2.5, True])
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match="units"):
        layers.Dense(units)


def test_dense_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match="relu"):
        layers.Dense(2, activation="rellu")


def test_dense_regularizers_add_losses():
    layer = layers.Dense(2, kernel_regularizer="l2", activity_regularizer=neuronet.regularizers.L1(0.1))
    y = layer(np.ones((4, 3), "float32"))
    losses = layer.losses
    assert len(losses) == 2
    expected_kernel = 0.01 * float(np.sum(layer.kernel.data ** 2))
    expected_activity = 0.1 * float(np.abs(y.data).sum()) / 4
    assert sorted(float(v.data) for v in losses) == pytest.approx(sorted([expected_kernel, expected_activity]),
                                                                 rel=1e-5)


def test_dense_config_round_trip():
    layer = layers.Dense(3, activation="relu", use_bias=False, name="d")
    cfg = layer.get_config()
    assert cfg["units"] == 3 and cfg["activation"] == "relu" and cfg["use_bias"] is False
    clone = layers.Dense.from_config({**cfg, "name": "d2"})
    assert clone.units == 3 and clone.activation is layer.activation and not clone.use_bias


# ----------------------------------------------------------------------------- Layer base
def test_auto_names_are_unique_snake_case():
    names = [layers.Dense(1).name, layers.Dense(1).name, layers.Dense(1).name, layers.Flatten().name]
    assert names == ["dense", "dense_1", "dense_2", "flatten"]


def test_trainable_flag_moves_weights():
    layer = layers.Dense(2)
    layer.build((None, 3))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    layer.trainable = True
    assert len(layer.trainable_weights) == 2 and layer.non_trainable_weights == []


def test_set_weights_checks_every_shape_before_changing_anything():
    layer = layers.Dense(2)
    layer.build((None, 3))
    before = layer.get_weights()
    with pytest.raises(ValueError, match=r"expected shape \(2,\)"):
        layer.set_weights([np.ones((3, 2)), np.ones(5)])
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="list of 2"):
        layer.set_weights([np.ones((3, 2))])
    layer.set_weights([np.ones((3, 2)), np.full(2, 3.0)])
    np.testing.assert_array_equal(layer.bias.data, [3.0, 3.0])


def test_calling_on_tensor_or_array_returns_tensor():
    layer = layers.Dense(2)
    assert isinstance(layer(np.ones((1, 3))), Tensor)
    assert isinstance(layer(Tensor(np.ones((1, 3)))), Tensor)


def test_input_dim_and_input_shape_are_recorded():
    assert layers.Dense(2, input_dim=20)._batch_input_shape == (None, 20)
    assert layers.Dense(2, input_shape=(5, 7))._batch_input_shape == (None, 5, 7)


def test_unexpected_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected keyword"):
        layers.Dense(2, unit=3)


# ----------------------------------------------------------------------------- Input / Activation / Lambda / Identity
def test_input_gives_symbolic_tensor_and_records_calls():
    x = layers.Input(shape=(20,))
    assert isinstance(x, neuronet.KerasTensor) and x.shape == (None, 20) and x.dtype == "float32"
    h = layers.Dense(4)(x)
    assert h.shape == (None, 4)
    assert h._node.layer.built and h._node.inputs is x
    with pytest.raises(TypeError, match="symbolic"):
        np.asarray(h)


def test_input_layer_validates_shape():
    with pytest.raises(ValueError, match="shape"):
        layers.InputLayer()
    layer = layers.InputLayer(shape=(3,))
    assert layer.batch_shape == (None, 3)
    assert layer(np.ones((2, 3))).shape == (2, 3)


def test_symbolic_call_with_wrong_shape_fails_at_definition():
    x = layers.Input(shape=(3,))
    dense = layers.Dense(2)
    dense(layers.Input(shape=(5,)))
    with pytest.raises(ValueError, match="value 5"):
        dense(x)


def test_activation_layer(float64, rng):
    layer = layers.Activation("tanh")
    x = _x(rng, 3, 4)
    np.testing.assert_allclose(layer(x).data, np.tanh(x))
    gradcheck(lambda t: layer(t), [x])
    assert layer.get_config()["activation"] == "tanh"


def test_lambda_layer(float64, rng):
    layer = layers.Lambda(lambda t, scale: t * scale, arguments={"scale": 3.0})
    x = _x(rng, 2, 3)
    np.testing.assert_allclose(layer(x).data, 3.0 * x)
    gradcheck(lambda t: layer(t), [x])
    assert layer.compute_output_shape((None, 3)) == (None, 3)
    with pytest.raises(TypeError, match="callable"):
        layers.Lambda("x * 2")


def test_lambda_is_never_rebuilt_from_a_config():
    layer = layers.Lambda(lambda t: t)
    with pytest.raises(ValueError, match="cannot be rebuilt"):
        layers.Lambda.from_config(layer.get_config())


def test_identity_layer(float64, rng):
    x = _x(rng, 2, 2)
    layer = layers.Identity()
    np.testing.assert_array_equal(layer(x).data, x)
    gradcheck(lambda t: layer(t), [x])


@pytest.mark.parametrize("make", [
    lambda: layers.Dense(3, activation="tanh", kernel_regularizer="l2"),
    lambda: layers.Activation("relu"),
    lambda: layers.Identity(),
    lambda: layers.ReLU(max_value=6.0),
    lambda: layers.LeakyReLU(0.2),
    lambda: layers.ELU(0.5),
    lambda: layers.Softmax(axis=1),
    lambda: layers.PReLU(shared_axes=[1]),
    lambda: layers.Dropout(0.3, seed=1),
    lambda: layers.SpatialDropout1D(0.2),
    lambda: layers.GaussianNoise(0.1),
    lambda: layers.GaussianDropout(0.1),
    lambda: layers.Flatten(),
    lambda: layers.Reshape((2, -1)),
    lambda: layers.Permute((2, 1)),
    lambda: layers.RepeatVector(4),
    lambda: layers.InputLayer(shape=(3,)),
])
def test_config_round_trip_is_plain_data(make):
    import json

    layer = make()
    cfg = layer.get_config()
    json.dumps(cfg)  # plain data only
    clone = type(layer).from_config({**cfg, "name": cfg["name"] + "_clone"})
    again = clone.get_config()
    assert {k: v for k, v in again.items() if k != "name"} == {k: v for k, v in cfg.items() if k != "name"}
