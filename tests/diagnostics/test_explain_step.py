"""explain_step: the numbers of one training step equal the chain rule by hand, and the real step's update."""

import numpy as np
import pytest

import neuronet
from neuronet import config, diagnostics, layers


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _net(optimizer, hidden="tanh"):
    model = neuronet.Sequential([layers.Input((3,)), layers.Dense(4, activation=hidden, name="hidden"),
                                 layers.Dense(1, activation="sigmoid", name="out")])
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    return model


def _batch():
    rng = np.random.default_rng(0)
    return rng.normal(size=(5, 3)), np.array([0.0, 1.0, 1.0, 0.0, 1.0])


def test_equals_the_chain_rule_by_hand_in_float64(float64):
    model = _net(neuronet.optimizers.SGD(learning_rate=0.3))
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(size=(3, 4)), rng.normal(size=(4,)) * 0.1, rng.normal(size=(4, 1)),
                       np.array([0.2])])
    x, y = _batch()
    W1, b1, W2, b2 = model.get_weights()
    steps = diagnostics.explain_step(model, x, y, print_fn=None)

    # the guide's six steps, written out with NumPy
    z1 = x @ W1 + b1
    a1 = np.tanh(z1)
    z2 = a1 @ W2 + b2
    a2 = _sigmoid(z2)
    n = len(x)
    t = y[:, None]
    loss = -np.mean(t * np.log(a2) + (1 - t) * np.log(1 - a2))
    d2 = (a2 - t) / n                      # output error for sigmoid + binary cross-entropy
    d1 = (d2 @ W2.T) * (1 - a1 ** 2)       # backpropagated through tanh
    dW2, db2 = a1.T @ d2, d2.sum(axis=0)
    dW1, db1 = x.T @ d1, d1.sum(axis=0)

    hidden, out = steps["hidden"], steps["out"]
    assert steps.loss == pytest.approx(loss, rel=1e-12)
    for got, want in ((hidden.z, z1), (hidden.a, a1), (out.z, z2), (out.a, a2), (out.delta, d2),
                      (hidden.delta, d1), (out.dW, dW2), (out.db, db2), (hidden.dW, dW1), (hidden.db, db1),
                      (hidden.x, x), (out.x, a1), (hidden.W, W1), (out.b, b2),
                      (out.W_new, W2 - 0.3 * dW2), (hidden.b_new, b1 - 0.3 * db1)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)
    assert "W ← W − 0.3 · dW" in steps.text
    # the model itself did not move
    for a, b in zip(model.get_weights(), (W1, b1, W2, b2)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", lambda: neuronet.optimizers.SGD(0.1, momentum=0.9)])
def test_the_update_shown_is_the_models_next_real_step(optimizer):
    model = _net(optimizer() if callable(optimizer) else optimizer, hidden="relu")
    x, y = _batch()
    x = x.astype("float32")
    model.fit(x, y, epochs=3, batch_size=5, verbose=0)  # the optimizer has state (moments, momentum)
    rng_state = config.rng().bit_generator.state
    steps = diagnostics.explain_step(model, x, y, print_fn=None)
    assert config.rng().bit_generator.state == rng_state
    model.train_on_batch(x, y)
    hidden, out = steps["hidden"], steps["out"]
    for want, got in zip(model.get_weights(), (hidden.W_new, hidden.b_new, out.W_new, out.b_new)):
        np.testing.assert_array_equal(got, want)
    assert "ΔW" in steps.text


def test_printed_text_shows_the_six_steps(capsys):
    model = _net("sgd")
    x, y = _batch()
    steps = diagnostics.explain_step(model, x.astype("float32"), y)
    out = capsys.readouterr().out
    assert out.strip() == steps.text.strip()
    for heading in ("1. Forward propagation", "2. Loss: binary_crossentropy", "3. Output error of layer 'out'",
                    "4. Backpropagate the error", "5. Gradients", "6. Update (SGD"):
        assert heading in out
    assert "(first 4 of 5 rows)" in out
    assert [r.name for r in steps] == ["hidden", "out"] and steps[0].is_dense


def test_non_dense_layers_and_errors():
    model = neuronet.Sequential([layers.Input((3,)), layers.Dense(4, activation="relu"), layers.Dropout(0.5),
                                 layers.Dense(1)])
    x, y = _batch()
    with pytest.raises(ValueError, match="not compiled with a loss"):
        diagnostics.explain_step(model, x, y)
    steps = diagnostics.explain_step(model, x, y, loss="mse", optimizer="sgd", print_fn=None)
    assert [r.is_dense for r in steps] == [True, False, True]
    assert steps[1].delta.shape == (5, 4)
    with pytest.raises(ValueError, match="no Dense layer"):
        conv = neuronet.Sequential([layers.Input((4, 4, 1)), layers.Conv2D(1, 3), layers.Flatten()])
        diagnostics.explain_step(conv, np.ones((2, 4, 4, 1)), np.ones((2, 4)), loss="mse")
    with pytest.raises(KeyError, match="no layer named 'nope'"):
        steps["nope"]
