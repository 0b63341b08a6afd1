"""ops.dense (activation(x @ W + b) as one op): gradients, the composed ops and PyTorch as oracles,
the relu kink, stability, dtypes, errors, and the Dense layer built on it."""

import numpy as np
import pytest

import neuronet as nn
from neuronet import ops
from neuronet.autograd import Tensor, gradcheck

ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh"]
# (input shape, units): a batch, a single sample, a sequence batch (leading axes flattened)
SHAPES = [((3, 4), 5), ((4,), 3), ((2, 3, 4), 2)]


def composed(x, w, b, activation):
    """The same computation from separate ops: matmul, bias add, activation."""
    z = ops.matmul(x, w)
    if b is not None:
        z = z + b
    return {"linear": lambda t: t, "relu": ops.relu, "sigmoid": ops.sigmoid, "tanh": ops.tanh}[activation](z)


def data_away_from_kink(x_shape, units, seed=0):
    """float64 x, W, b whose pre-activations x @ W + b are all at least 0.1 away from relu's kink at 0."""
    for s in range(seed, seed + 500):
        rng = np.random.default_rng(s)
        x = rng.uniform(-1.5, 1.5, size=x_shape)
        w = rng.uniform(-1.0, 1.0, size=(x_shape[-1], units))
        b = rng.uniform(-0.5, 0.5, size=units)
        if np.abs(x @ w + b).min() >= 0.1:
            return x, w, b
    raise AssertionError("no data away from the kink found")  # pragma: no cover


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("x_shape,units", SHAPES)
@pytest.mark.parametrize("use_bias", [True, False])
def test_gradcheck(float64, activation, x_shape, units, use_bias):
    x, w, b = data_away_from_kink(x_shape, units)
    if use_bias:
        assert gradcheck(lambda x_, w_, b_: ops.dense(x_, w_, b_, activation=activation), [x, w, b])
    else:
        assert gradcheck(lambda x_, w_: ops.dense(x_, w_, activation=activation), [x, w])


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("x_shape,units", SHAPES)
def test_matches_composed_ops(float64, activation, x_shape, units):
    x, w, b = data_away_from_kink(x_shape, units, seed=7)
    results = []
    for fn in (lambda *t: ops.dense(*t, activation=activation), lambda *t: composed(*t, activation)):
        tx, tw, tb = (Tensor(a, requires_grad=True) for a in (x, w, b))
        y = fn(tx, tw, tb)
        (y * np.cos(np.arange(y.data.size)).reshape(y.shape)).sum().backward()  # a non-uniform upstream grad
        results.append((y.data, tx.grad, tw.grad, tb.grad))
    for got, want in zip(*results):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("x_shape,units", SHAPES)
def test_matches_torch(float64, activation, x_shape, units):
    torch = pytest.importorskip("torch")
    x, w, b = data_away_from_kink(x_shape, units, seed=3)
    tx, tw, tb = (Tensor(a, requires_grad=True) for a in (x, w, b))
    y = ops.dense(tx, tw, tb, activation=activation)
    upstream = np.sin(np.arange(y.data.size)).reshape(y.shape) + 1.5
    (y * upstream).sum().backward()

    px, pw, pb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    pz = torch.nn.functional.linear(px, pw.T, pb)
    py = {"linear": pz, "relu": torch.relu(pz), "sigmoid": torch.sigmoid(pz), "tanh": torch.tanh(pz)}[activation]
    (py * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(y.data, py.detach().numpy(), atol=1e-6)
    for ours, theirs in ((tx, px), (tw, pw), (tb, pb)):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=1e-6)


def test_relu_kink_has_zero_gradient_as_torch(float64):
    # zero kernel and bias put every pre-activation exactly at 0, where relu's gradient is 0 (PyTorch)
    x = np.random.default_rng(0).normal(size=(3, 4))
    tx, tw, tb = Tensor(x, requires_grad=True), Tensor(np.zeros((4, 2)), requires_grad=True), \
        Tensor(np.zeros(2), requires_grad=True)
    y = ops.dense(tx, tw, tb, activation="relu")
    y.sum().backward()
    np.testing.assert_array_equal(y.data, 0.0)
    np.testing.assert_array_equal(tb.grad, 0.0)
    np.testing.assert_array_equal(tw.grad, 0.0)
    np.testing.assert_array_equal(tx.grad, 0.0)


def test_sigmoid_and_tanh_stable_for_large_inputs(float64):
    x = np.array([[1000.0], [-1000.0]])
    for activation, want in (("sigmoid", [[1.0], [0.0]]), ("tanh", [[1.0], [-1.0]])):
        tw = Tensor(np.ones((1, 1)), requires_grad=True)
        y = ops.dense(x, tw, activation=activation)
        y.sum().backward()
        np.testing.assert_array_equal(y.data, want)
        assert np.isfinite(tw.grad).all()


def test_constant_input_gets_no_gradient_work():
    # a plain array input (a model's first layer) needs no input gradient; the weights still get theirs
    x = np.ones((2, 3), dtype=np.float32)
    w = Tensor(np.full((3, 2), 0.5, dtype=np.float32), requires_grad=True)
    y = ops.dense(x, w, activation="relu")
    y.sum().backward()
    np.testing.assert_allclose(w.grad, np.full((3, 2), 2.0))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_float32_stays_float32(activation):
    rng = np.random.default_rng(0)
    tx = Tensor(rng.normal(size=(2, 3, 4)).astype(np.float32), requires_grad=True)
    tw = Tensor(rng.normal(size=(4, 5)).astype(np.float32), requires_grad=True)
    tb = Tensor(rng.normal(size=5).astype(np.float32), requires_grad=True)
    y = ops.dense(tx, tw, tb, activation=activation)
    (y * 2.0).sum().backward()
    assert y.dtype == np.float32
    assert tx.grad.dtype == tw.grad.dtype == tb.grad.dtype == np.float32


@pytest.mark.parametrize("args,kwargs,message", [
    ((np.ones((2, 3)), np.ones((3, 4))), {"activation": "softmax"}, "activation must be one of"),
    ((np.ones((2, 3)), np.ones((3,))), {}, "kernel must be 2-D"),
    ((np.ones((2, 3)), np.ones((4, 2))), {}, "must match the kernel's first axis"),
    ((np.ones((2, 3)), np.ones((3, 2)), np.ones(3)), {}, r"bias must have shape \(2,\)"),
])
def test_errors(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ops.dense(*args, **kwargs)


# ----------------------------------------------------------------------------- the Dense layer on it
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", None, "softmax", "gelu"])
@pytest.mark.parametrize("x_shape", [(4, 3), (2, 5, 3)])
def test_dense_layer_matches_composed_ops(float64, activation, x_shape):
    x = np.random.default_rng(1).normal(size=x_shape)
    layer = nn.layers.Dense(4, activation=activation, bias_initializer="random_normal")
    y = layer(x)
    act = nn.activations.get(activation)
    want = act(ops.matmul(x, layer.kernel.data) + layer.bias.data).data
    assert y.shape == x_shape[:-1] + (4,)
    np.testing.assert_allclose(y.data, want, rtol=1e-12, atol=1e-12)


def test_dense_layer_gradients(float64):
    layer = nn.layers.Dense(3, activation="tanh", bias_initializer="random_normal")
    x = np.random.default_rng(2).normal(size=(2, 4, 5))
    layer.build(x.shape)
    assert gradcheck(lambda t: layer(t), [x], params=[layer.kernel, layer.bias])


def test_dense_model_trains_in_float32():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    model = nn.Sequential([nn.Input((6,)), nn.layers.Dense(8, activation="relu"),
                           nn.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=nn.optimizers.Adam(0.05), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x, verbose=0).dtype == np.float32
