import numpy as np
import pytest
from conftest import FakeModel, run_epochs

from neuronet import callbacks


class SavingModel(FakeModel):
    """A fake model whose save/save_weights write the current weights' first value to a text file."""

    def save_weights(self, path, overwrite=True):
        assert overwrite is True
        with open(path, "w") as f:
            f.write(str(float(self.weights[0].flat[0])))

    save = save_weights


def test_saves_every_epoch_with_formatted_names(tmp_path):
    pattern = str(tmp_path / "ckpt" / "{epoch:02d}-{val_loss:.2f}.weights.h5")
    run_epochs([callbacks.ModelCheckpoint(pattern, save_weights_only=True)], SavingModel(), [0.5, 0.25])
    assert sorted(p.name for p in (tmp_path / "ckpt").iterdir()) == ["01-0.50.weights.h5", "02-0.25.weights.h5"]


def test_save_best_only_keeps_the_best_epoch(tmp_path, capsys):
    path = tmp_path / "best.keras"
    cb = callbacks.ModelCheckpoint(path, save_best_only=True, verbose=1)
    run_epochs([cb], SavingModel(), [1.0, 0.4, 0.6, 0.3, 0.9])
    assert path.read_text() == "3.0"  # weights of epoch index 3 (val_loss 0.3)
    assert cb.best == 0.3
    out = capsys.readouterr().out
    assert "val_loss improved from 0.40000 to 0.30000" in out and "did not improve from 0.30000" in out


def test_max_mode_threshold_and_batch_frequency(tmp_path):
    path = tmp_path / "acc.keras"
    cb = callbacks.ModelCheckpoint(path, monitor="val_accuracy", save_best_only=True, initial_value_threshold=0.7)
    run_epochs([cb], SavingModel(), [0.5, 0.6, 0.8, 0.75], key="val_accuracy")
    assert path.read_text() == "2.0"
    every_three = callbacks.ModelCheckpoint(str(tmp_path / "b{epoch}-{batch}.keras"), save_freq=3)
    run_epochs([every_three], SavingModel(), [1.0, 1.0], steps=4)
    assert sorted(p.name for p in tmp_path.glob("b*.keras")) == ["b1-3.keras", "b2-2.keras"]


def test_clear_errors(tmp_path):
    with pytest.raises(TypeError, match="no save_weights"):
        run_epochs([callbacks.ModelCheckpoint(tmp_path / "w.h5", save_weights_only=True)], FakeModel(), [1.0])
    with pytest.raises(KeyError, match="val_auc"):
        run_epochs([callbacks.ModelCheckpoint(str(tmp_path / "{val_auc}.keras"))], SavingModel(), [1.0])
    with pytest.raises(ValueError, match="save_freq"):
        callbacks.ModelCheckpoint("x.keras", save_freq=0)


def test_checkpoint_with_a_real_model_restores_the_best_epoch(tmp_path):
    import neuronet as keras

    if not hasattr(keras.Sequential, "save_weights"):
        pytest.skip("the model cannot save weights yet")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    path = tmp_path / "best.weights.safetensors"
    snapshots = []
    scores = [1.0, 0.2, 0.5]
    model.fit(x, y, epochs=3, verbose=0, callbacks=[
        callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: (logs.__setitem__("score", scores[epoch]),
                                                                   snapshots.append(model.get_weights()))),
        callbacks.ModelCheckpoint(path, monitor="score", mode="min", save_best_only=True, save_weights_only=True),
    ])
    model.load_weights(path)
    for got, best in zip(model.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(got, best)
