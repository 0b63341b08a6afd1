"""GradientMonitor: one warning per problem, naming the layer, the evidence and the remedy; silent when healthy."""

import numpy as np
import pytest

import neuronet
from neuronet import layers
from neuronet.callbacks import GradientMonitor, LearningRateScheduler


def _moons(n=512, seed=0):
    rng = np.random.default_rng(seed)
    t = rng.random(n) * np.pi
    label = rng.integers(0, 2, n)
    x = np.where(label[:, None] == 0, np.stack([np.cos(t), np.sin(t)], 1),
                 np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], 1)) + rng.normal(scale=0.15, size=(n, 2))
    x = (x - x.mean(0)) / x.std(0)
    return x.astype("float32"), label.astype("float32")


def _mlp(depth, activation, initializer="he_normal", bias=0.0, optimizer="adam", width=32):
    hidden = [layers.Dense(width, activation=activation, kernel_initializer=initializer,
                           bias_initializer=neuronet.initializers.Constant(bias), name=f"{activation}_{i + 1}")
              for i in range(depth)]
    model = neuronet.Sequential([layers.Input((2,))] + hidden + [layers.Dense(1, activation="sigmoid", name="out")])
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _fit(model, x, y, monitor, epochs=3, **kwargs):
    with np.errstate(all="ignore"):
        return model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[monitor], **kwargs)


def _only(monitor, kind):
    found = [w for w in monitor.warnings if w["kind"] == kind]
    assert len(found) == 1, monitor.warnings  # once, not once per epoch
    return found[0]


def test_silent_on_a_healthy_network(capsys):
    x, y = _moons()
    model = _mlp(3, "relu")
    monitor = GradientMonitor(x=x[:256], y=y[:256])
    history = _fit(model, x, y, monitor, epochs=4)
    assert monitor.warnings == [] and capsys.readouterr().out == ""
    assert history.history["accuracy"][-1] > 0.85
    assert monitor.history["epoch"] == [0, 1, 2, 3]
    assert set(monitor.history["grad_norm"]) == {"relu_1", "relu_2", "relu_3", "out"}
    assert all(len(v) == 4 for v in monitor.history["dead_fraction"].values())


def test_silent_on_a_healthy_lstm_and_records_steps_and_gates():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(256, 12, 3)).astype("float32")
    y = (x[:, -3:, 0].sum(axis=1) > 0).astype("float32")
    model = neuronet.Sequential([layers.Input((12, 3)), layers.LSTM(16, name="lstm"),
                                 layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    monitor = GradientMonitor(x=x[:128], y=y[:128], verbose=0)
    _fit(model, x, y, monitor, epochs=2)
    assert monitor.warnings == []
    steps = monitor.history["step_grad_norms"]["lstm"]
    assert len(steps) == 2 and steps[0].shape == (12,) and steps[0][-1] > steps[0][0] > 0  # recent steps matter more
    gates = monitor.history["gate_saturation"]["lstm"][0]
    assert set(gates) == {"input", "forget", "cell", "output"} and all(0.0 <= v <= 1.0 for v in gates.values())


def test_dead_relu_named_once_with_remedy(capsys):
    x, y = _moons()
    model = _mlp(3, "relu", bias=-3.0, optimizer="sgd")  # most pre-activations negative for every sample
    monitor = GradientMonitor(x=x[:256], y=y[:256])
    _fit(model, x, y, monitor, epochs=3)
    dead = _only(monitor, "dead")
    assert dead["layer"] == "relu_1" and dead["epoch"] == 0
    assert "of ReLU layer 'relu_1' are dead" in dead["message"] and "also dead: 'relu_2' 100%" in dead["message"]
    assert "LeakyReLU or ELU" in dead["remedy"] and "he_normal" in dead["remedy"]
    out = capsys.readouterr().out
    assert out.count("GradientMonitor:") == len(monitor.warnings) == 1
    assert "vanish" not in out and "no gradient reaches" not in out


def test_deep_sigmoid_stuck_at_half_is_called_vanishing_once():
    x, y = _moons()
    model = _mlp(10, "sigmoid", initializer="glorot_uniform",
                 optimizer=neuronet.optimizers.SGD(learning_rate=0.05, momentum=0.9))
    monitor = GradientMonitor(x=x[:256], y=y[:256], verbose=0)
    history = _fit(model, x, y, monitor, epochs=3)
    assert history.history["accuracy"][-1] < 0.65  # stuck near chance
    vanishing = _only(monitor, "vanishing")
    assert vanishing["layer"] == "sigmoid_1" and vanishing["epoch"] == 0
    assert "gradients vanish towards the input" in vanishing["evidence"] and "sigmoid' ≤ 0.25" in vanishing["evidence"]
    assert "ReLU activations with He initialization" in vanishing["remedy"]
    assert "BatchNormalization" in vanishing["remedy"]
    assert [w["kind"] for w in monitor.warnings] == ["vanishing"]


def test_exploding_rnn_is_called_exploding_not_vanishing():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 20, 2)).astype("float32")
    y = (x[:, :, 0].sum(axis=1) > 0).astype("float32")
    model = neuronet.Sequential([layers.Input((20, 2)), layers.SimpleRNN(16, name="rnn"),
                                 layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=neuronet.optimizers.SGD(learning_rate=1000.0), loss="binary_crossentropy")
    monitor = GradientMonitor(x=x[:128], y=y[:128], verbose=0)
    _fit(model, x, y, monitor, epochs=3)
    exploding = _only(monitor, "exploding")
    assert exploding["layer"] == "rnn"
    assert "its weight norm grew from" in exploding["evidence"] and "recurrent kernel" in exploding["evidence"]
    assert "pinned at ±1" in exploding["evidence"] and "the gradient did not vanish" in exploding["evidence"]
    assert "lower the learning rate (now 1000)" in exploding["remedy"] and "clipnorm" in exploding["remedy"]
    kinds = {w["kind"] for w in monitor.warnings}
    assert not kinds & {"vanishing", "no_gradient", "dead"}, monitor.warnings
    assert monitor.history["weight_norm"]["rnn"][0] > 1e5  # from about 4.5 at the start


def test_loss_spike_caught_mid_epoch():
    x, y = _moons(1024)
    model = _mlp(2, "relu", optimizer=neuronet.optimizers.Adam(learning_rate=0.01))
    # two healthy epochs, then the rate jumps a thousandfold
    schedule = LearningRateScheduler(lambda epoch, lr: 0.01 if epoch < 2 else 10.0)
    monitor = GradientMonitor(x=x[:256], y=y[:256], verbose=0)
    with np.errstate(all="ignore"):
        model.fit(x, y, epochs=3, batch_size=32, verbose=0, callbacks=[schedule, monitor])
    spikes = [w for w in monitor.warnings if w["kind"] in ("loss_spike", "non_finite")]
    assert len(spikes) == 1, monitor.warnings
    spike = spikes[0]
    assert spike["epoch"] == 2 and spike["batch"] is not None and spike["batch"] < 31  # during the epoch
    assert "the loss jumped to" in spike["message"] and "× the median of the last" in spike["message"]
    assert "lower the learning rate (now 10)" in spike["remedy"] and "clipnorm" in spike["remedy"]
    assert spike["layer"] is not None


def test_last_batch_mode_and_every():
    x, y = _moons(128)
    model = _mlp(1, "relu", optimizer="sgd")
    monitor = GradientMonitor(every=2, verbose=0)
    _fit(model, x, y, monitor, epochs=5)
    assert monitor.history["epoch"] == [0, 2, 4]
    assert monitor.history["dead_fraction"] == {}  # no data given: gradients only
    last = np.sqrt(sum(np.sum(v.grad.astype(np.float64) ** 2) for v in model.layers[0].trainable_weights))
    assert monitor.history["grad_norm"]["relu_1"][-1] == pytest.approx(last)


def test_positional_arguments_follow_the_interface():
    monitor = GradientMonitor(2, 1e-6, 1e2, 0.25, 0)
    assert (monitor.every, monitor.vanishing, monitor.exploding, monitor.dead_fraction, monitor.verbose) == (
        2, 1e-6, 1e2, 0.25, 0)


@pytest.mark.parametrize("kwargs, match", [
    ({"every": 0}, "every"), ({"vanishing": -1.0}, "vanishing"), ({"exploding": 0.5}, "exploding"),
    ({"dead_fraction": 1.5}, "dead_fraction"), ({"verbose": 3}, "verbose"), ({"y": np.ones(3)}, "y was given"),
    ({"x": np.ones((4, 3)), "y": np.ones(3)}, "x has 4, y has 3"), ({"x": np.ones((0, 3))}, "empty"),
    ({"spike": 0.5}, "spike"),
])
def test_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GradientMonitor(**kwargs)
