import pytest
from conftest import FakeModel, run_epochs

from neuronet import callbacks


def test_reduce_lr_after_patience_with_cooldown_and_min_lr():
    model = FakeModel(learning_rate=0.1)
    cb = callbacks.ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.02)
    h = callbacks.History()
    run_epochs([cb, h], model, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    # Keras' counting: the cooldown epoch also counts towards the next patience, so reductions happen at
    # the end of epochs 2 (0.1→0.05), 4 (→0.025) and 6 (0.0125 clipped to min_lr 0.02); logs show the
    # rate in effect during the epoch.
    assert h.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02])
    assert model.optimizer.learning_rate == pytest.approx(0.02)


def test_reduce_lr_improvement_resets_wait(model):
    cb = callbacks.ReduceLROnPlateau(patience=2)
    run_epochs([cb], model, [1.0, 0.9, 0.95, 0.8, 0.85])
    assert model.optimizer.learning_rate == 0.01


def test_reduce_lr_max_mode_for_accuracy(model):
    cb = callbacks.ReduceLROnPlateau(monitor="val_accuracy", patience=1)
    run_epochs([cb], model, [0.5, 0.6, 0.55], key="val_accuracy")
    assert model.optimizer.learning_rate == pytest.approx(0.001)


def test_reduce_lr_validation_and_missing_monitor(model):
    with pytest.raises(ValueError, match="factor >= 1.0"):
        callbacks.ReduceLROnPlateau(factor=1.0)
    with pytest.warns(UserWarning, match="Available metrics are"):
        run_epochs([callbacks.ReduceLROnPlateau(monitor="val_nope")], model, [1.0])


def test_reduce_lr_verbose_message(model, capsys):
    run_epochs([callbacks.ReduceLROnPlateau(patience=0, verbose=1)], model, [1.0, 1.0])
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.001" in capsys.readouterr().out


def test_scheduler_two_argument_and_one_argument_forms(model):
    seen = []

    def halve_after_one(epoch, lr):
        seen.append(lr)
        return lr if epoch < 1 else lr * 0.5

    h = callbacks.History()
    run_epochs([callbacks.LearningRateScheduler(halve_after_one), h], model, [1.0, 1.0, 1.0])
    assert seen == pytest.approx([0.01, 0.01, 0.005])
    assert h.history["learning_rate"] == pytest.approx([0.01, 0.005, 0.0025])

    run_epochs([callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))], model, [1.0, 1.0])
    assert model.optimizer.learning_rate == pytest.approx(0.05)


def test_scheduler_rejects_non_numbers(model):
    with pytest.raises(ValueError, match="must return a float"):
        run_epochs([callbacks.LearningRateScheduler(lambda epoch, lr: "fast")], model, [1.0])
    with pytest.raises(TypeError):
        callbacks.LearningRateScheduler(0.1)


def test_scheduler_errors_inside_schedule_propagate(model):
    def broken(epoch, lr):
        raise TypeError("bug in my schedule")

    with pytest.raises(TypeError, match="bug in my schedule"):
        run_epochs([callbacks.LearningRateScheduler(broken)], model, [1.0])
