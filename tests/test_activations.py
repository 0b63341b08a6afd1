"""neuronet.activations: Keras names and signatures, the get/serialize/deserialize registry."""

import numpy as np
import pytest

import neuronet as nn
from neuronet import activations
from neuronet.autograd import gradcheck

NAMES = ["relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "tanh", "silu", "swish", "softplus",
         "softsign", "hard_sigmoid", "hard_silu", "hard_swish", "softmax", "log_softmax", "log_sigmoid", "mish",
         "exponential", "linear", "celu", "hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink", "squareplus",
         "sparse_plus", "sparse_sigmoid"]


@pytest.mark.parametrize("name", NAMES)
def test_get_returns_the_same_module_level_function(name):
    fn = activations.get(name)
    assert fn is getattr(activations, name) and activations.get(name) is fn
    assert activations.serialize(fn) == name
    assert activations.deserialize(name) is fn


@pytest.mark.parametrize("name", NAMES)
def test_every_activation_takes_arrays_and_returns_float32_tensors(name):
    y = activations.get(name)(np.linspace(-2, 2, 6, dtype=np.float32).reshape(2, 3))
    assert isinstance(y, nn.Tensor) and y.shape == (2, 3) and y.dtype == np.float32


def test_get_none_is_linear_and_callables_pass_through():
    assert activations.get(None) is activations.linear

    def custom(x):
        return x * 2.0

    assert activations.get(custom) is custom
    assert activations.get("ReLU") is activations.relu


def test_unknown_name_lists_valid_names_and_the_closest_match():
    with pytest.raises(ValueError, match=r"Unknown activation 'sigmiod' \(did you mean 'sigmoid'\?\).*relu"):
        activations.get("sigmiod")


def test_get_rejects_non_callables():
    with pytest.raises(TypeError, match="activation identifier"):
        activations.get(3)


def test_keras_dict_configs_deserialize():
    config = {"module": "keras.activations", "class_name": "function", "config": "softmax",
              "registered_name": "softmax"}
    assert activations.get(config) is activations.softmax
    assert activations.deserialize(config) is activations.softmax


def test_serialize_rejects_unknown_functions():
    with pytest.raises(ValueError, match="not a built-in activation"):
        activations.serialize(lambda x: x)


def test_keras_defaults():
    x = np.array([-2.0, 1.0])
    np.testing.assert_allclose(activations.leaky_relu(x).data, [-0.4, 1.0])     # negative_slope=0.2
    np.testing.assert_allclose(activations.elu(x).data, [np.expm1(-2.0), 1.0])  # alpha=1.0
    exact = activations.gelu(np.array([1.0])).item()                            # approximate=False
    assert exact == pytest.approx(0.8413447460685429, abs=1e-12)
    assert activations.gelu(np.array([1.0]), approximate=True).item() != pytest.approx(exact, abs=1e-6)
    np.testing.assert_allclose(activations.hard_sigmoid(np.array([-3.0, 0.0, 1.5])).data, [0.0, 0.5, 0.75])


@pytest.mark.parametrize("kwargs", [dict(), dict(negative_slope=0.1), dict(max_value=1.5), dict(threshold=0.5),
                                    dict(negative_slope=0.1, max_value=2.0, threshold=-0.5), dict(max_value=6.0)])
def test_relu_options_follow_keras(kwargs):
    x = np.array([-3.0, -0.7, -0.2, 0.3, 0.8, 1.7, 2.5, 7.0])
    slope = kwargs.get("negative_slope", 0.0)
    max_value = kwargs.get("max_value")
    threshold = kwargs.get("threshold", 0.0)
    expected = np.where(x > threshold, x, slope * (x - threshold))
    if max_value is not None:
        expected = np.where(x > threshold, np.clip(x, 0.0, max_value), expected)
    np.testing.assert_allclose(activations.relu(x, **kwargs).data, expected)
    gradcheck(lambda t: activations.relu(t, **kwargs), [x])


def test_relu_options_match_torch_for_the_standard_forms():
    torch = pytest.importorskip("torch")
    x = np.linspace(-8, 8, 33) + 0.05
    for kwargs, torch_fn in [(dict(negative_slope=0.3), lambda t: torch.nn.functional.leaky_relu(t, 0.3)),
                             (dict(max_value=6.0), torch.nn.functional.relu6),
                             (dict(threshold=1.0), lambda t: torch.nn.functional.threshold(t, 1.0, 0.0))]:
        t = nn.Tensor(x, requires_grad=True)
        activations.relu(t, **kwargs).sum().backward()
        tx = torch.tensor(x, requires_grad=True)
        torch_fn(tx).sum().backward()
        np.testing.assert_allclose(activations.relu(x, **kwargs).data, torch_fn(torch.tensor(x)).numpy(), atol=1e-6)
        np.testing.assert_allclose(t.grad, tx.grad.numpy(), atol=1e-6)


def test_relu_rejects_negative_options():
    with pytest.raises(ValueError, match="relu: negative_slope must be >= 0, received -1"):
        activations.relu(np.ones(2), negative_slope=-1)


@pytest.mark.parametrize("name", ["mish", "gelu", "softmax", "log_softmax", "swish", "hard_swish", "exponential",
                                  "linear"])
def test_activation_gradients(name, rng):
    gradcheck(activations.get(name), [rng.standard_normal((2, 3))])


def test_mish_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.linspace(-6, 6, 25)
    t = nn.Tensor(x, requires_grad=True)
    activations.mish(t).sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    torch.nn.functional.mish(tx).sum().backward()
    np.testing.assert_allclose(activations.mish(x).data, torch.nn.functional.mish(torch.tensor(x)).numpy(), atol=1e-6)
    np.testing.assert_allclose(t.grad, tx.grad.numpy(), atol=1e-6)


X_AWAY = np.array([-2.3, -1.4, -0.8, -0.3, 0.2, 0.65, 1.3, 2.2])  # ≥ 0.1 from every kink (0, ±0.5, ±1)


@pytest.mark.parametrize("name,torch_name,kwargs", [
    ("celu", "celu", dict(alpha=1.5)), ("hard_tanh", "hardtanh", {}), ("hard_shrink", "hardshrink", {}),
    ("soft_shrink", "softshrink", {}), ("tanh_shrink", "tanhshrink", {}),
])
def test_more_keras_activations_match_torch(name, torch_name, kwargs):
    fn = getattr(activations, name)
    gradcheck(lambda t: fn(t, **kwargs), [X_AWAY])
    torch = pytest.importorskip("torch")
    t = nn.Tensor(X_AWAY, requires_grad=True)
    fn(t, **kwargs).sum().backward()
    torch_fn = getattr(torch.nn.functional, torch_name)
    tx = torch.tensor(X_AWAY, requires_grad=True)
    torch_fn(tx, **kwargs).sum().backward()
    np.testing.assert_allclose(fn(X_AWAY, **kwargs).data, torch_fn(torch.tensor(X_AWAY), **kwargs).numpy(), atol=1e-6)
    np.testing.assert_allclose(t.grad, tx.grad.numpy(), atol=1e-6)


def test_glu_and_threshold_match_torch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 6))
    t = nn.Tensor(x, requires_grad=True)
    activations.glu(t).sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    torch.nn.functional.glu(tx, dim=-1).sum().backward()
    np.testing.assert_allclose(t.grad, tx.grad.numpy(), atol=1e-6)
    gradcheck(activations.glu, [x])
    with pytest.raises(ValueError, match="glu: axis -1 must have an even length"):
        activations.glu(np.ones((2, 3)))
    expected = torch.nn.functional.threshold(torch.tensor(X_AWAY), 0.5, -2.0).numpy()
    np.testing.assert_allclose(activations.threshold(X_AWAY, 0.5, -2.0).data, expected)


def test_piecewise_smooth_activations_follow_their_formulas():
    x = X_AWAY
    np.testing.assert_allclose(activations.squareplus(x, b=2.0).data, (x + np.sqrt(x * x + 2.0)) / 2)
    np.testing.assert_allclose(activations.sparse_plus(x).data,
                               np.where(x <= -1, 0.0, np.where(x >= 1, x, (x + 1) ** 2 / 4)))
    np.testing.assert_allclose(activations.sparse_sigmoid(x).data, np.clip((x + 1) / 2, 0, 1))
    for name in ["squareplus", "sparse_plus", "sparse_sigmoid"]:
        gradcheck(getattr(activations, name), [x])


def test_sparsemax_by_name_projects_onto_the_simplex(float64):
    fn = activations.get("sparsemax")
    assert fn is activations.sparsemax and activations.serialize(fn) == "sparsemax"
    y = fn(np.array([[0.1, 1.5, 0.2, 1.1]])).data
    # the projection: tau with sum(max(z - tau, 0)) = 1 → tau = (1.5 + 1.1 - 1) / 2 = 0.8
    np.testing.assert_allclose(y, [[0.0, 0.7, 0.0, 0.3]], atol=1e-12)
    gradcheck(lambda t: fn(t), [np.array([[0.1, 1.5, 0.2, 1.1], [0.3, -0.4, 0.9, 0.05]])])
