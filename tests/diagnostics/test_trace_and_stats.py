"""Diagnostics: backward traces, per-layer gradient norms, dead and saturated units."""

import numpy as np
import pytest

import neuronet
from neuronet import config, diagnostics, layers, ops
from neuronet.autograd import Tensor, Variable


# ------------------------------------------------------------------------------------------------ helpers
def _two_layer_graph(rng, dtype="float64"):
    """loss = mean((relu(x @ W1 + b1) @ W2 + b2 - y)²) with its leaves."""
    W1 = Variable(rng.normal(size=(3, 4)), name="W1", dtype=dtype)
    b1 = Variable(rng.normal(size=(4,)) * 0.1, name="b1", dtype=dtype)
    W2 = Variable(rng.normal(size=(4, 1)), name="W2", dtype=dtype)
    b2 = Variable(np.zeros(1), name="b2", dtype=dtype)
    x = rng.normal(size=(5, 3)).astype(dtype)
    y = rng.normal(size=(5, 1)).astype(dtype)

    def loss_fn():
        z = Tensor(x) @ W1 + b1
        return ((ops.relu(z) @ W2 + b2 - y) ** 2).mean()

    return loss_fn, (W1, b1, W2, b2), x, y


def _mlp(units, activation, input_dim=3, **kwargs):
    model = neuronet.Sequential([layers.Input((input_dim,))]
                                + [layers.Dense(u, activation=a, **kwargs) for u, a in zip(units, activation)])
    return model


# ------------------------------------------------------------------------------------------------ trace_backward
def test_trace_lists_ops_in_backward_order_with_shapes(rng):
    loss_fn, (W1, b1, W2, b2), _, _ = _two_layer_graph(rng)
    trace = diagnostics.trace_backward(loss_fn())
    assert trace.ops == ["Mean", "Power", "Subtract", "Add", "MatMul", "ReLU", "Add", "MatMul"]
    assert [s["output_shapes"] for s in trace.steps] == [[()], [(5, 1)], [(5, 1)], [(5, 1)], [(5, 1)], [(5, 4)],
                                                         [(5, 4)], [(5, 4)]]
    first_matmul = trace.steps[-1]
    assert first_matmul["inputs"] == [("const", (5, 3)), ("W1", (3, 4))]
    assert trace.steps[3]["inputs"] == [("#5", (5, 1)), ("b2", (1,))]  # the Add consumes step 5's output
    assert [leaf["label"] for leaf in trace.leaves] == ["b2", "W2", "b1", "W1"]
    relu = trace.steps[5]
    assert relu["op"] == "ReLU" and "max(x, 0)" in relu["rule"] and "dx" in relu["rule"]  # the op's own comment
    text = str(trace)
    for name in ("Mean", "ReLU", "MatMul", "W1", "(5, 4)", "|dL/d output|"):
        assert name in text
    assert text.index("ReLU") < text.index("W1 (3, 4)")  # backward order: relu before the first matmul


def test_trace_gives_the_same_gradients_as_backward_and_restores_flags(rng):
    loss_fn, leaves, _, _ = _two_layer_graph(rng)
    loss = loss_fn()
    loss.backward()
    plain = [v.grad.copy() for v in leaves]
    for v in leaves:
        v.grad = None
    loss = loss_fn()
    diagnostics.trace_backward(loss)
    for v, g in zip(leaves, plain):
        np.testing.assert_array_equal(v.grad, g)
    assert loss.grad is None and not loss._retains_grad  # the loss is an op output: no grad kept, as backward
    fn = loss._ctx
    assert fn.inputs is None  # graph freed like a plain backward (retain_graph=False)


def test_trace_norms_match_torch(rng):
    torch = pytest.importorskip("torch")
    loss_fn, (W1, b1, W2, b2), x, y = _two_layer_graph(rng)
    trace = diagnostics.trace_backward(loss_fn())
    tW1, tb1, tW2, tb2 = (torch.tensor(v.data, requires_grad=True) for v in (W1, b1, W2, b2))
    z = torch.tensor(x) @ tW1
    zb = z + tb1
    h = torch.relu(zb)
    o = h @ tW2
    ob = o + tb2
    d = ob - torch.tensor(y)
    sq = d ** 2
    for t in (z, zb, h, o, ob, d, sq):
        t.retain_grad()
    sq.mean().backward()
    expected = [1.0] + [float(t.grad.norm()) for t in (sq, d, ob, o, h, zb, z)]
    got = [s["grad_norms"][0] for s in trace.steps]
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    leaf_norms = {leaf["label"]: leaf["grad_norm"] for leaf in trace.leaves}
    for name, t in zip(("W1", "b1", "W2", "b2"), (tW1, tb1, tW2, tb2)):
        assert leaf_norms[name] == pytest.approx(float(t.grad.norm()), rel=1e-10)


def test_trace_order_follows_consumers_when_a_tensor_is_reused(rng):
    w = Variable(rng.normal(size=(3,)), name="w", dtype="float64")
    a = ops.exp(w)
    loss = (a * ops.sin(a) + a).sum()
    trace = diagnostics.trace_backward(loss)
    position = {id(s): i for i, s in enumerate(trace.steps)}
    exp_step = next(s for s in trace.steps if s["op"] == "Exp")
    consumers = [s for s in trace.steps if any(label == f"#{exp_step['step']}" for label, _ in s["inputs"])]
    assert len(consumers) == 3  # Multiply, Sin and Add all use exp(w)
    assert all(position[id(c)] < position[id(exp_step)] for c in consumers)
    # the gradient reaching exp(w) is the sum from its three consumers: d/da [a·sin a + a] = sin a + a·cos a + 1
    e = np.exp(w.data)
    assert exp_step["grad_norms"][0] == pytest.approx(np.linalg.norm(np.sin(e) + e * np.cos(e) + 1.0), rel=1e-10)
    np.testing.assert_allclose(w.grad, (np.sin(e) + e * np.cos(e) + 1.0) * e, rtol=1e-10)


def test_trace_labels_unnamed_leaves_consistently():
    a = Tensor(np.ones(2), requires_grad=True)
    b = Tensor(np.full(2, 2.0), requires_grad=True)
    trace = diagnostics.trace_backward((a * b + a).sum())
    assert [leaf["label"] for leaf in trace.leaves] == ["leaf0", "leaf1"]
    labels = [label for s in trace.steps for label, _ in s["inputs"]]
    assert labels.count("leaf0") == 2 and labels.count("leaf1") == 1  # a is used twice, under one label
    assert {leaf["label"]: leaf["grad_norm"] for leaf in trace.leaves} == pytest.approx(
        {"leaf0": np.linalg.norm([3.0, 3.0]), "leaf1": np.linalg.norm([1.0, 1.0])})


def test_trace_without_backward_and_retain_graph(rng):
    loss_fn, leaves, _, _ = _two_layer_graph(rng)
    loss = loss_fn()
    trace = diagnostics.trace_backward(loss, run_backward=False)
    assert all(g is None for s in trace.steps for g in s["grad_norms"])
    assert all(v.grad is None for v in leaves)
    trace = diagnostics.trace_backward(loss, retain_graph=True)
    first = [v.grad.copy() for v in leaves]
    loss.backward()  # the graph was kept: a second backward accumulates
    for v, g in zip(leaves, first):
        np.testing.assert_allclose(v.grad, 2 * g)


def test_trace_keeps_a_user_retained_gradient(rng):
    w = Variable(rng.normal(size=(2, 2)), name="w", dtype="float64")
    h = (w * 3.0).retain_grad()
    diagnostics.trace_backward((h * h).sum())
    np.testing.assert_allclose(h.grad, 2 * h.data)


def test_explain_prints_the_table(rng, capsys):
    loss_fn, _, _, _ = _two_layer_graph(rng)
    trace = diagnostics.explain(loss_fn())
    out = capsys.readouterr().out
    assert out.strip() == trace.table().strip()
    assert "Backward pass" in out and "MatMul" in out


def test_trace_errors(rng):
    with pytest.raises(TypeError, match="expected loss to be a Tensor"):
        diagnostics.trace_backward(np.ones(3))
    with pytest.raises(ValueError, match="does not require grad"):
        diagnostics.trace_backward(Tensor(np.ones(3)).sum())
    loss_fn, _, _, _ = _two_layer_graph(rng)
    loss = loss_fn()
    loss.backward()
    with pytest.raises(RuntimeError, match="already freed"):
        diagnostics.trace_backward(loss)
    w = Variable(np.ones(2), name="w", dtype="float64")
    shared = ops.exp(w)
    shared.sum().backward()  # frees exp's part of the graph
    with pytest.raises(RuntimeError, match="already freed"):
        diagnostics.trace_backward((shared * 2.0).sum())


def test_trace_of_a_model_loss_names_the_weights():
    model = _mlp([4, 1], ["relu", None])
    x = np.ones((2, 3), dtype="float32")
    loss = neuronet.losses.MeanSquaredError()(np.zeros((2, 1), "float32"), model(x, training=True))
    trace = diagnostics.trace_backward(loss)
    labels = [leaf["label"] for leaf in trace.leaves]
    assert set(labels) == {"dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"}
    assert all(isinstance(leaf["grad_norm"], float) for leaf in trace.leaves)


# ------------------------------------------------------------------------------------------------ layer_gradients
def test_layer_gradients_match_torch_mse(float64):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    model = _mlp([4, 2], ["tanh", None])
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    stats = diagnostics.layer_gradients(model, x, y)
    assert list(stats) == ["dense", "dense_1"] and list(stats["dense"]) == ["kernel", "bias"]
    k1, b1, k2, b2 = (torch.tensor(w, requires_grad=True) for w in model.get_weights())
    out = torch.tanh(torch.tensor(x) @ k1 + b1) @ k2 + b2
    ((out - torch.tensor(y)) ** 2).mean().backward()  # Keras mse: mean over features, then over the batch
    for (layer, name), t in zip([("dense", "kernel"), ("dense", "bias"), ("dense_1", "kernel"), ("dense_1", "bias")],
                                (k1, b1, k2, b2)):
        entry = stats[layer][name]
        assert entry["shape"] == tuple(t.shape)
        assert entry["grad_norm"] == pytest.approx(float(t.grad.norm()), rel=1e-9)
        assert entry["weight_norm"] == pytest.approx(float(t.detach().norm()), rel=1e-12)
        if entry["weight_norm"] > 0:
            assert entry["ratio"] == pytest.approx(entry["grad_norm"] / entry["weight_norm"])
        else:
            assert entry["ratio"] is None  # zero-initialized bias
    norms = diagnostics.layer_grad_norms(stats)
    assert norms["dense"] == pytest.approx(float(torch.sqrt(k1.grad.norm() ** 2 + b1.grad.norm() ** 2)), rel=1e-9)


def test_layer_gradients_hand_computed_single_dense():
    # one Dense(1), no activation, loss = mean((x·w + b - y)²): dL/dw = 2/n · xᵀ(r), dL/db = 2/n · Σ r
    model = _mlp([1], [None], input_dim=2)
    model.compile(optimizer="sgd", loss="mse")
    model.set_weights([np.array([[1.0], [-2.0]], "float32"), np.array([0.5], "float32")])
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], "float32")
    y = np.array([[0.0], [0.0], [1.0]], "float32")
    r = x @ np.array([[1.0], [-2.0]]) + 0.5 - y  # residuals 1.5, -1.5, -1.5
    stats = diagnostics.layer_gradients(model, x, y)
    assert stats["dense"]["kernel"]["grad_norm"] == pytest.approx(np.linalg.norm(2 / 3 * x.T @ r), rel=1e-6)
    assert stats["dense"]["bias"]["grad_norm"] == pytest.approx(abs(2 / 3 * r.sum()), rel=1e-6)
    assert isinstance(stats["dense"]["kernel"]["grad_norm"], float)


def test_layer_gradients_fused_sigmoid_cross_entropy_matches_torch(float64):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    model = _mlp([3, 1], ["relu", "sigmoid"], input_dim=4)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    x, y = rng.normal(size=(8, 4)), (rng.random(8) > 0.5).astype("float64")
    stats = diagnostics.layer_gradients(model, x, y)
    k1, b1, k2, b2 = (torch.tensor(w, requires_grad=True) for w in model.get_weights())
    logits = torch.relu(torch.tensor(x) @ k1 + b1) @ k2 + b2
    torch.nn.functional.binary_cross_entropy_with_logits(logits[:, 0], torch.tensor(y)).backward()
    assert stats["dense"]["kernel"]["grad_norm"] == pytest.approx(float(k1.grad.norm()), rel=1e-7)
    assert stats["dense_1"]["bias"]["grad_norm"] == pytest.approx(float(b2.grad.norm()), rel=1e-7)


def test_layer_gradients_changes_nothing():
    rng = np.random.default_rng(0)
    model = neuronet.Sequential([layers.Input((3,)), layers.Dense(8, activation="relu"), layers.Dropout(0.5),
                                 layers.BatchNormalization(), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x, y = rng.normal(size=(32, 3)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    before = [w.copy() for w in model.get_weights()]
    grads_before = [None if v.grad is None else v.grad.copy() for v in model.weights]
    iterations = model.optimizer.iterations
    rng_state = config.rng().bit_generator.state
    stats = diagnostics.layer_gradients(model, x, y)
    assert all(entry["grad_norm"] > 0 for layer in stats.values() for entry in layer.values())
    for a, b in zip(before, model.get_weights()):  # also BatchNorm's moving mean/variance
        np.testing.assert_array_equal(a, b)
        assert b.dtype == np.float32
    for v, g in zip(model.weights, grads_before):
        if g is None:
            assert v.grad is None
        else:
            np.testing.assert_array_equal(v.grad, g)
    assert model.optimizer.iterations == iterations
    assert config.rng().bit_generator.state == rng_state  # dropout masks drawn and given back
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0)  # training still works afterwards
    assert np.isfinite(history.history["loss"][0])


def test_layer_gradients_with_an_explicit_loss_and_errors():
    model = _mlp([2], [None])
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")
    with pytest.raises(ValueError, match="not compiled with a loss"):
        diagnostics.layer_gradients(model, x, y)
    stats = diagnostics.layer_gradients(model, x, y, loss="mse")
    assert stats["dense"]["kernel"]["grad_norm"] > 0
    with pytest.raises(TypeError, match="expected a neuronet Model"):
        diagnostics.layer_gradients(layers.Dense(2), x, y, loss="mse")
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="x has 4, y has 3"):
        diagnostics.layer_gradients(model, x, y[:3])
    with pytest.raises(ValueError, match=r"layer_gradients: .*layer 'dense'.* value 3, .* shape \(4, 5\)"):
        diagnostics.layer_gradients(model, np.ones((4, 5), "float32"), y)


def test_layer_gradients_builds_an_unbuilt_model_first():
    model = neuronet.Sequential([layers.Dense(4, activation="relu"), layers.Dense(1)])
    stats = diagnostics.layer_gradients(model, np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), loss="mse")
    assert stats["dense_1"]["kernel"]["shape"] == (4, 1)
    assert stats["dense_1"]["bias"]["grad_norm"] > 0  # the weights made by the build are the ones measured


def test_layer_gradients_table():
    model = _mlp([2], [None])
    model.compile(optimizer="sgd", loss="mse")
    text = str(diagnostics.layer_gradients(model, np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")))
    assert "kernel" in text and "|grad|/|weight|" in text and "(3, 2)" in text


# ------------------------------------------------------------------------------------------------ activation_stats
def test_dead_fraction_exact_on_a_constructed_layer():
    model = _mlp([4, 1], ["relu", None])
    kernel = np.array([[1.0, 0.0, -1.0, 0.0], [0.5, 0.0, 2.0, 0.0], [0.0, 0.0, 1.0, 0.0]], "float32")
    bias = np.array([0.1, -1.0, 0.2, -0.5], "float32")  # units 1 and 3: input always negative → dead
    model.layers[0].set_weights([kernel, bias])
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    stats = diagnostics.activation_stats(model, x)
    assert stats["dense"]["activation"] == "relu"
    assert stats["dense"]["dead_fraction"] == 0.5
    out = np.maximum(x @ kernel + bias, 0)
    assert stats["dense"]["mean"] == pytest.approx(float(out.mean()), rel=1e-6)
    assert stats["dense"]["std"] == pytest.approx(float(out.std()), rel=1e-5)
    assert stats["dense"]["saturated_fraction"] is None
    assert stats["dense"]["shape"] == (4,)
    assert list(stats) == ["dense", "dense_1"]


def test_a_unit_alive_for_one_sample_is_not_dead():
    model = _mlp([2], ["relu"], input_dim=1)
    model.layers[0].set_weights([np.array([[1.0, -1.0]], "float32"), np.zeros(2, "float32")])
    stats = diagnostics.activation_stats(model, np.array([[-1.0], [-2.0], [3.0]], "float32"))
    assert stats["dense"]["dead_fraction"] == 0.0  # unit 0 fires for the last sample, unit 1 for the first two
    stats = diagnostics.activation_stats(model, np.array([[-1.0], [-2.0]], "float32"))
    assert stats["dense"]["dead_fraction"] == 0.5


def test_saturated_fraction_sigmoid_and_tanh():
    model = neuronet.Sequential([layers.Input((2,)), layers.Dense(2, activation="sigmoid", name="sig"),
                                 layers.Dense(4, activation="tanh", name="th")])
    model.layers[0].set_weights([np.zeros((2, 2), "float32"), np.array([10.0, 0.0], "float32")])
    model.layers[1].set_weights([np.zeros((2, 4), "float32"), np.array([-5.0, 0.0, 3.0, 0.1], "float32")])
    stats = diagnostics.activation_stats(model, np.ones((5, 2), "float32"))
    assert stats["sig"]["saturated_fraction"] == 0.5  # sigmoid(10) > 0.99; sigmoid(0) = 0.5
    assert stats["th"]["saturated_fraction"] == 0.5  # |tanh(-5)|, |tanh(3)| > 0.99
    assert stats["sig"]["dead_fraction"] == 0.0
    assert "saturated" in str(stats) and "sigmoid" in str(stats)


def test_dead_channels_of_a_conv_layer_and_a_relu_layer():
    model = neuronet.Sequential([layers.Input((5, 5, 1)), layers.Conv2D(4, 3, name="conv"),
                                 layers.ReLU(name="act"), layers.Flatten()])
    kernel = np.zeros((3, 3, 1, 4), "float32")
    model.layers[0].set_weights([kernel, np.array([1.0, -1.0, -1.0, 1.0], "float32")])
    stats = diagnostics.activation_stats(model, np.ones((3, 5, 5, 1), "float32"))
    assert stats["act"]["activation"] == "relu"
    assert stats["act"]["dead_fraction"] == 0.5  # channels 1 and 2
    assert stats["conv"]["dead_fraction"] == 0.0  # before the ReLU nothing is exactly zero
    assert "call" not in model.layers[0].__dict__  # the recording hooks are removed


def test_activation_stats_functional_model_and_float64(float64):
    inputs = layers.Input((3,))
    hidden = layers.Dense(4, activation="relu", name="hidden")(inputs)
    outputs = layers.Dense(1, activation="sigmoid", name="out")(hidden)
    model = neuronet.Model(inputs, outputs)
    stats = diagnostics.activation_stats(model, np.random.default_rng(0).normal(size=(10, 3)))
    assert list(stats) == ["hidden", "out"]
    assert stats["out"]["activation"] == "sigmoid"
    assert 0.0 <= stats["hidden"]["dead_fraction"] <= 1.0


def test_activation_stats_errors():
    model = _mlp([2], ["relu"])
    with pytest.raises(ValueError, match=r"activation_stats: .*value 3, .*shape \(2, 4\)"):
        diagnostics.activation_stats(model, np.ones((2, 4), "float32"))
    with pytest.raises(TypeError, match="expected a neuronet Model"):
        diagnostics.activation_stats("model", np.ones((2, 3)))


@pytest.mark.parametrize("reset_after", [True, False])
def test_gate_saturation_of_a_gru_names_the_gate_its_bias_pins(reset_after):
    # tiny kernels, so each gate sits where its bias puts it: update and candidate pinned, reset at 0.5
    layer = layers.GRU(4, reset_after=reset_after)
    x = np.random.default_rng(0).normal(size=(6, 5, 3))
    layer(x.astype("float32"))
    kernel, recurrent, bias = layer.get_weights()
    rng = np.random.default_rng(1)
    bias = np.zeros_like(bias)
    row = bias[0] if bias.ndim == 2 else bias
    row[:4], row[8:] = 10.0, 10.0
    layer.set_weights([0.01 * rng.normal(size=kernel.shape), 0.01 * rng.normal(size=recurrent.shape), bias])
    assert diagnostics.gate_saturation(layer, x) == {"update": 1.0, "reset": 0.0, "candidate": 1.0}


def test_gate_saturation_of_an_lstm_and_of_a_layer_without_gates():
    layer = layers.LSTM(3)
    x = np.random.default_rng(0).normal(size=(4, 6, 2))
    layer(x.astype("float32"))
    kernel, recurrent, bias = layer.get_weights()
    bias = np.zeros_like(bias)
    bias[3:6] = -10.0  # the forget gate shut for every step: the cell forgets at once
    layer.set_weights([0.01 * kernel, 0.01 * recurrent, bias])
    saturation = diagnostics.gate_saturation(layer, x)
    assert saturation == {"input": 0.0, "forget": 1.0, "cell": 0.0, "output": 0.0}
    assert diagnostics.gate_saturation(layers.Dense(2), x) == {}
