"""neuronet.ops activations: gradients, PyTorch oracle, kinks, stability at ±1000, dtypes."""

import math
import warnings

import numpy as np
import pytest

import neuronet as nn
from neuronet import ops
from neuronet.autograd import gradcheck
from neuronet.ops.activations import FUSED_ACTIVATIONS, fused_activation

SHAPES = [(), (3,), (2, 3), (2, 1, 4)]

# name -> (neuronet function, kink points to keep away from)
ELEMENTWISE = {
    "relu": (ops.relu, [0.0]),
    "relu6": (ops.relu6, [0.0, 6.0]),
    "leaky_relu": (lambda x: ops.leaky_relu(x, negative_slope=0.2), [0.0]),
    "elu": (lambda x: ops.elu(x, alpha=1.3), [0.0]),
    "selu": (ops.selu, [0.0]),
    "gelu_tanh": (lambda x: ops.gelu(x, approximate=True), []),
    "gelu_exact": (lambda x: ops.gelu(x, approximate=False), []),
    "sigmoid": (ops.sigmoid, []),
    "tanh": (ops.tanh, []),
    "silu": (ops.silu, []),
    "log_sigmoid": (ops.log_sigmoid, []),
    "softplus": (ops.softplus, []),
    "softsign": (ops.softsign, [0.0]),
    "hard_sigmoid": (ops.hard_sigmoid, [-3.0, 3.0]),
    "hard_silu": (ops.hard_silu, [-3.0, 3.0]),
    "erf": (ops.erf, []),
}


def away_from(points, shape, rng, scale=4.0):
    """Random values in [-scale, scale] kept at least 0.1 away from every kink point."""
    x = rng.uniform(-scale, scale, size=shape)
    for p in points:
        close = np.abs(x - p) < 0.1
        x = np.where(close, p + np.where(x >= p, 0.15, -0.15), x)
    return x


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("shape", SHAPES)
def test_elementwise_activation_gradients(name, shape, rng):
    fn, kinks = ELEMENTWISE[name]
    gradcheck(fn, [away_from(kinks, shape, rng)])


@pytest.mark.parametrize("op", [ops.softmax, ops.log_softmax])
@pytest.mark.parametrize("shape,axis", [((5,), -1), ((2, 3), -1), ((2, 3), 0), ((2, 3, 4), 1)])
def test_softmax_gradients(op, shape, axis, rng):
    gradcheck(lambda x: op(x, axis=axis), [rng.standard_normal(shape)])


def test_softmax_gradients_along_random_directions_for_a_larger_input(rng):
    gradcheck(lambda x: ops.softmax(x), [rng.standard_normal((8, 12))])


# ----------------------------------------------------------------------------- PyTorch oracle
def _torch_functions(torch):
    F = torch.nn.functional
    return {
        "relu": torch.relu,
        "relu6": F.relu6,
        "leaky_relu": lambda x: F.leaky_relu(x, 0.2),
        "elu": lambda x: F.elu(x, alpha=1.3),
        "selu": F.selu,
        "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
        "gelu_exact": F.gelu,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "silu": F.silu,
        "log_sigmoid": F.logsigmoid,
        "softplus": F.softplus,
        "softsign": F.softsign,
        "hard_sigmoid": F.hardsigmoid,
        "hard_silu": F.hardswish,
        "erf": torch.erf,
    }


def compare_with_torch(fn, torch_fn, x, torch, atol=1e-6):
    """Forward values and input gradients (for a random upstream gradient) agree in float64."""
    w = np.random.default_rng(7).standard_normal(np.shape(fn(nn.Tensor(x)).data))
    t = nn.Tensor(x, requires_grad=True)
    (fn(t) * nn.Tensor(w)).sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    ty = torch_fn(tx)
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(fn(nn.Tensor(x)).data, ty.detach().numpy(), atol=atol, rtol=1e-6)
    np.testing.assert_allclose(t.grad, tx.grad.numpy(), atol=atol, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_activations_match_torch(name):
    torch = pytest.importorskip("torch")
    x = np.concatenate([np.linspace(-8, 8, 41), [-30.0, -3.0, 0.0, 3.0, 6.0, 30.0]])  # kinks included
    compare_with_torch(ELEMENTWISE[name][0], _torch_functions(torch)[name], x.reshape(-1, 1), torch)


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_and_log_softmax_match_torch(axis, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 4, 5)) * 3
    compare_with_torch(lambda t: ops.softmax(t, axis=axis), lambda t: torch.softmax(t, dim=axis), x, torch)
    compare_with_torch(lambda t: ops.log_softmax(t, axis=axis), lambda t: torch.log_softmax(t, dim=axis), x, torch)


# ----------------------------------------------------------------------------- kinks
def grad_at(fn, values):
    x = nn.Tensor(np.array(values, dtype=np.float64), requires_grad=True)
    fn(x).sum().backward()
    return x.grad


def test_gradients_at_kinks_follow_torch():
    assert grad_at(ops.relu, [0.0]).tolist() == [0.0]
    assert grad_at(ops.relu6, [0.0, 6.0]).tolist() == [0.0, 0.0]
    assert grad_at(lambda x: ops.leaky_relu(x, 0.3), [0.0]).tolist() == [pytest.approx(0.3)]
    assert grad_at(lambda x: ops.elu(x, alpha=2.0), [0.0]).tolist() == [2.0]
    assert grad_at(ops.hard_sigmoid, [-3.0, 3.0]).tolist() == [0.0, 0.0]
    assert grad_at(ops.hard_silu, [-3.0, 3.0]).tolist() == [0.0, 1.0]


def test_relu_values():
    y = ops.relu(np.array([-2.0, 0.0, 3.0]))
    assert y.data.tolist() == [0.0, 0.0, 3.0]


def test_hard_sigmoid_is_keras3_relu6_form():
    x = np.array([-4.0, -3.0, 0.0, 1.5, 3.0, 4.0])
    np.testing.assert_allclose(ops.hard_sigmoid(x).data, np.clip(x + 3, 0, 6) / 6)


def test_erf_matches_math_erf():
    x = np.linspace(-6, 6, 1001)
    np.testing.assert_allclose(ops.erf(x).data, [math.erf(v) for v in x], atol=1e-14)


def test_softmax_sums_to_one_along_axis(rng):
    y = ops.softmax(rng.standard_normal((3, 4)), axis=0).data
    np.testing.assert_allclose(y.sum(axis=0), np.ones(4))


def test_softmax_rejects_a_bad_axis():
    with pytest.raises(ValueError, match=r"softmax: axis .* received axis=2"):
        ops.softmax(np.ones((2, 3)), axis=2)


# ----------------------------------------------------------------------------- stability
ALL = dict(ELEMENTWISE, softmax=(ops.softmax, []), log_softmax=(ops.log_softmax, []))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(ALL))
def test_large_inputs_give_finite_values_and_gradients_without_warnings(name, dtype):
    x = nn.Tensor(np.array([[-1000.0, 1000.0, -1000.0], [0.0, 1000.0, 1000.0]], dtype=dtype), requires_grad=True)
    # underflow of exp to 0 is harmless and NumPy ignores it by default; everything else must not happen
    with np.errstate(over="raise", invalid="raise", divide="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        y = ALL[name][0](x)
        (y * 1.0).sum().backward()
    assert y.dtype == dtype and x.grad.dtype == dtype
    assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(x.grad))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_large_input_values_are_exact(dtype):
    x = np.array([-1000.0, 1000.0], dtype=dtype)
    np.testing.assert_array_equal(ops.sigmoid(x).data, [0.0, 1.0])
    np.testing.assert_array_equal(ops.softplus(x).data, [0.0, 1000.0])
    np.testing.assert_array_equal(ops.log_sigmoid(x).data, [-1000.0, 0.0])
    np.testing.assert_array_equal(ops.log_softmax(x).data, [-2000.0, 0.0])
    np.testing.assert_array_equal(ops.softmax(x).data, [0.0, 1.0])
    np.testing.assert_array_equal(ops.elu(x).data, [-1.0, 1000.0])
    np.testing.assert_array_equal(ops.silu(x).data, [-0.0, 1000.0])


@pytest.mark.parametrize("name", sorted(ALL))
def test_float32_in_float32_out(name):
    x = nn.Tensor(np.linspace(-2, 2, 6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    y = ALL[name][0](x)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


def test_float32_erf_and_gelu_stay_within_float32_resolution():
    x = np.linspace(-6, 6, 401)
    exact = ops.erf(x).data
    fast = ops.erf(x.astype(np.float32)).data
    assert fast.dtype == np.float32
    np.testing.assert_allclose(fast, exact, atol=5e-7)
    np.testing.assert_allclose(ops.gelu(x.astype(np.float32), approximate=False).data,
                               ops.gelu(x, approximate=False).data, atol=3e-6)


def test_softmax_accepts_lists():
    np.testing.assert_allclose(ops.softmax([0.0, 0.0]).data, [0.5, 0.5])


# ----------------------------------------------------------------------------- the table for fused kernels
# FUSED_ACTIVATIONS entry -> the public activation it must equal, and its kinks to keep away from
FUSED = {
    "linear": (nn.activations.linear, []),
    "relu": (ops.relu, [0.0]),
    "sigmoid": (ops.sigmoid, []),
    "tanh": (ops.tanh, []),
    "hard_sigmoid": (ops.hard_sigmoid, [-3.0, 3.0]),
    "softsign": (ops.softsign, [0.0]),
    "elu": (ops.elu, [0.0]),
}


def test_the_fused_table_covers_the_recurrent_activations():
    assert set(FUSED_ACTIVATIONS) == set(FUSED) == set(ops.RECURRENT_ACTIVATIONS)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(FUSED))
def test_fused_table_equals_the_activation_and_its_gradient_from_the_output(name, dtype, rng):
    public, kinks = FUSED[name]
    entry = FUSED_ACTIVATIONS[name]
    x = away_from(kinks, (3, 5), rng).astype(dtype)
    g = rng.standard_normal((3, 5)).astype(dtype)
    t = nn.Tensor(x, requires_grad=True)
    expected = public(t)
    (expected * nn.Tensor(g)).sum().backward()
    tol = dict(rtol=1e-6, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-14)
    y = entry.forward(x)
    assert y.dtype == dtype and y is not x
    np.testing.assert_allclose(y, expected.data, **tol)
    a = x.copy()
    assert entry.forward(a, out=a) is a  # in place: a ← act(a)
    np.testing.assert_array_equal(a, y)
    gx = entry.backward(g, y)
    assert gx.dtype == dtype and gx is not g
    np.testing.assert_allclose(gx, t.grad, **tol)
    g_in_place = g.copy()
    assert entry.backward(g_in_place, y, out=g_in_place) is g_in_place  # g ← g·act'(x), act' from y
    np.testing.assert_array_equal(g_in_place, gx)


def test_fused_table_writes_into_views_and_refuses_unknown_names():
    block = np.linspace(-4, 4, 12).reshape(3, 4)
    rows = block[1:]  # a view, as the recurrent kernels pass gate blocks of their buffers
    FUSED_ACTIVATIONS["sigmoid"].forward(rows, out=rows)
    np.testing.assert_allclose(block[1:], ops.sigmoid(np.linspace(-4, 4, 12).reshape(3, 4)[1:]).data, rtol=1e-15)
    np.testing.assert_array_equal(block[0], np.linspace(-4, 4, 12)[:4])
    with pytest.raises(ValueError, match=r"LSTM: activation 'gelu' is not supported; expected one of \("):
        fused_activation("gelu", "LSTM")
