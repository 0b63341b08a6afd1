"""The pictures: each draws what it claims (checked on the matplotlib objects) and saves a PNG."""

import numpy as np
import pytest

import neuronet
from neuronet import diagnostics, layers
from neuronet.callbacks import GradientMonitor


@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def _model():
    model = neuronet.Sequential([layers.Input((3,)), layers.Dense(4, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    return x, (x[:, :1] > 0).astype("float32")


def test_plot_gradient_flow_rejects_bad_input_before_importing():
    with pytest.raises(ValueError, match="plot_gradient_flow"):
        diagnostics.plot_gradient_flow([])


def test_plot_gradient_flow(plt):
    model = _model()
    x, y = _data()
    ax = diagnostics.plot_gradient_flow(diagnostics.layer_gradients(model, x, y))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["dense", "dense_1"]
    assert len(ax.patches) == 2
    monitor = GradientMonitor(verbose=0)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[monitor])
    ax = diagnostics.plot_gradient_flow(monitor.history["grad_norm"])
    assert len(ax.get_lines()) == 3  # one line per recorded epoch
    np.testing.assert_allclose(ax.get_lines()[-1].get_ydata(), [v[-1] for v in monitor.history["grad_norm"].values()])


def test_importing_neuronet_does_not_import_matplotlib():
    import subprocess
    import sys

    code = "import sys, neuronet, neuronet.diagnostics; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_plot_history_and_save(plt, tmp_path):
    model = _model()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x, y = _data()
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0)
    axes = diagnostics.plot_history(history)
    assert len(axes) == 2 and [ax.get_ylabel() for ax in axes] == ["loss", "mae"]
    np.testing.assert_allclose(axes[0].get_lines()[1].get_ydata(), history.history["val_loss"])
    path = diagnostics.save_figure(axes, str(tmp_path / "out" / "history.png"))
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="no \\['acc'\\] in the history"):
        diagnostics.plot_history(history, keys=["acc"])


def test_plot_confusion_matrix_counts(plt):
    ax = diagnostics.plot_confusion_matrix([0, 1, 2, 2, 1], np.eye(3)[[0, 2, 2, 2, 1]])
    np.testing.assert_array_equal(ax.matrix, [[1, 0, 0], [0, 1, 1], [0, 0, 2]])
    assert "2" in [t.get_text() for t in ax.texts]


def test_plot_activations_derivatives_come_from_backprop(plt):
    axes = diagnostics.plot_activations(["sigmoid", "relu", "tanh"])
    x, y, dy = axes[0].curves
    np.testing.assert_allclose(dy, y * (1 - y), rtol=1e-5, atol=1e-7)  # sigmoid' = s(1 - s), at most 1/4
    assert dy.max() == pytest.approx(0.25, rel=1e-4)
    x, y, dy = axes[1].curves
    np.testing.assert_array_equal(dy[x > 0.01], 1.0)
    np.testing.assert_array_equal(dy[x < -0.01], 0.0)
    with pytest.raises(ValueError):
        diagnostics.plot_activations(["no_such_activation"])


def test_plot_lr_finder_and_step_gradients(plt):
    model = _model()
    x, y = _data()
    result = diagnostics.find_learning_rate(model, x, y, steps=30, batch_size=16)
    ax = result.plot()
    assert ax.get_xscale() == "log" and len(ax.get_lines()) >= 2
    ax = diagnostics.plot_step_gradients({"rnn": np.array([1e-6, 1e-3, 1.0])})
    assert ax.get_yscale() == "log"
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [1e-6, 1e-3, 1.0])
