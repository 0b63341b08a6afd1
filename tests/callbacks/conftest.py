import numpy as np
import pytest


class FakeOptimizer:
    def __init__(self, learning_rate=0.01):
        self.learning_rate = learning_rate


class FakeModel:
    """The attributes callbacks rely on: stop_training, get/set_weights, optimizer.learning_rate."""

    def __init__(self, learning_rate=0.01):
        self.stop_training = False
        self.optimizer = FakeOptimizer(learning_rate)
        self.weights = [np.zeros((2, 2)), np.zeros(2)]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w, copy=True) for w in weights]


def run_epochs(callbacks, model, values, key="val_loss", steps=2, epochs=None, extra=None):
    """Drive the hooks like fit would: weights are set to the epoch index, logs[key] = values[epoch].

    Returns the index of the last epoch run.
    """
    from neuronet.callbacks import CallbackList

    cl = CallbackList(callbacks, model=model, verbose=0, epochs=epochs or len(values), steps=steps)
    cl.on_train_begin()
    epoch = -1
    for epoch, value in enumerate(values):
        cl.on_epoch_begin(epoch)
        model.weights = [np.full_like(w, epoch) for w in model.weights]
        for b in range(steps):
            cl.on_train_batch_begin(b)
            cl.on_train_batch_end(b, {"loss": float(value)})
        logs = {"loss": float(value), key: float(value)}
        if extra:
            logs.update(extra)
        cl.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cl.on_train_end(logs if values else {})
    return epoch


@pytest.fixture
def model():
    return FakeModel()
