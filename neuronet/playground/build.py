"""From checked settings to the things that train: the data set (with the plane it is drawn on) and the model.

The page draws every input on a plane (two axes) or, for the 1-D regression curve, a line. For 2-D data
the plane is the input space itself; for more features (the guide's 20-feature classification) it is the
plane of the two principal components through the training data's mean, so a grid point ``(u, v)`` is the
input ``mean + u·c₁ + v·c₂`` and the heat maps show the network's outputs on that slice of its input space.
"""

from __future__ import annotations

import numpy as np

from .datasets import GENERATORS, TASKS, split
from .spec import OPTIMIZERS

__all__ = ["Data", "build_model", "make_data"]


class Data:
    """A generated data set: ``x_train, y_train, x_test, y_test`` (float32; ``y`` of shape (n, 1)), its
    ``task`` ('binary' or 'regression'), ``features``, and the drawing plane (``origin``, ``axes``,
    ``extent``)."""

    def __init__(self, spec: dict):
        rng = np.random.default_rng(spec["seed"])
        name = spec["dataset"]
        if name == "classification":
            x, y = GENERATORS[name](spec["samples"], spec["noise"], rng, n_features=spec["features"])
        else:
            x, y = GENERATORS[name](spec["samples"], spec["noise"], rng)
        x_train, y_train, x_test, y_test = split(x, y, spec["test_fraction"], rng)
        self.spec, self.task, self.features = spec, TASKS[name], x.shape[1]
        self.x_train, self.x_test = x_train, x_test
        self.y_train, self.y_test = y_train.reshape(-1, 1), y_test.reshape(-1, 1)
        if self.features > 2:  # principal plane through the mean: rows of ``axes`` are c₁, c₂
            self.origin = x_train.mean(axis=0)
            _, _, vt = np.linalg.svd(x_train - self.origin, full_matrices=False)
            self.axes = vt[:2]
        else:
            self.origin = np.zeros(self.features, np.float32)
            self.axes = np.eye(self.features, dtype=np.float32)
        coords = np.vstack([self.project(x_train), self.project(x_test)])
        reach = float(np.abs(coords).max()) * 1.1 if len(coords) else 1.0
        self.extent = float(np.ceil(max(reach, 0.5) * 10) / 10)  # the plane shows [-extent, extent] on each axis

    def project(self, x: np.ndarray) -> np.ndarray:
        """Plane coordinates of inputs ``x`` (n, features) → (n, 2), or (n, 1) for 1-D data."""
        return ((x - self.origin) @ self.axes.T).astype(np.float32)

    def grid(self, resolution: int) -> np.ndarray:
        """Inputs at a ``resolution``² grid over the plane (row-major, top row = largest second coordinate),
        or ``resolution`` points along the line for 1-D data. Shape (points, features), float32."""
        ticks = np.linspace(-self.extent, self.extent, resolution, dtype=np.float32)
        if self.features == 1:
            return ticks[:, None]
        u, v = np.meshgrid(ticks, ticks[::-1])
        plane = np.stack([u.ravel(), v.ravel()], axis=1)
        return (self.origin + plane @ self.axes).astype(np.float32)

    def points(self) -> dict:
        """The data as the page plots it: plane coordinates (x, y for the curve) and targets, rounded."""
        def rows(x, y):
            if self.features == 1:
                return np.round(np.hstack([x, y]), 4).tolist()
            return np.round(np.hstack([self.project(x), y]), 4).tolist()

        return {"task": self.task, "features": self.features, "extent": self.extent,
                "train": rows(self.x_train, self.y_train), "test": rows(self.x_test, self.y_test),
                "plane": "inputs" if self.features <= 2 else "principal components"}


def make_data(spec: dict) -> Data:
    """Generate the data set of checked data settings (see :func:`spec.data_spec`)."""
    return Data(spec)


def build_model(data: Data, net: dict):
    """The compiled Sequential model of checked network settings (see :func:`spec.network_spec`).

    Hidden layers are Dense layers with the chosen activations; the output is one sigmoid unit with binary
    cross-entropy for classification, one linear unit with mean squared error for regression. Kernels start
    from Glorot-uniform draws seeded by ``net['seed']`` (layer ``i`` uses ``seed + i``), biases at zero.
    """
    from .. import initializers, layers, models, optimizers, regularizers

    def regularizer():
        rate = net["regularization_rate"]
        if net["regularization"] == "none" or rate == 0:
            return None
        return regularizers.L1(rate) if net["regularization"] == "l1" else regularizers.L2(rate)

    stack = [layers.Input(shape=(data.features,))]
    for i, hidden in enumerate(net["layers"]):
        stack.append(layers.Dense(hidden["units"], activation=hidden["activation"], name=f"hidden_{i + 1}",
                                  kernel_initializer=initializers.GlorotUniform(seed=net["seed"] + i),
                                  kernel_regularizer=regularizer()))
    binary = data.task == "binary"
    stack.append(layers.Dense(1, activation="sigmoid" if binary else "linear", name="output",
                              kernel_initializer=initializers.GlorotUniform(seed=net["seed"] + len(net["layers"])),
                              kernel_regularizer=regularizer()))
    model = models.Sequential(stack, name="playground")
    class_name, extra = OPTIMIZERS[net["optimizer"]]
    classes = {"SGD": optimizers.SGD, "RMSprop": optimizers.RMSprop, "Adagrad": optimizers.Adagrad,
               "Adam": optimizers.Adam}
    optimizer = classes[class_name](learning_rate=net["learning_rate"], **extra)
    model.compile(optimizer=optimizer, loss="binary_crossentropy" if binary else "mse",
                  metrics=["accuracy"] if binary else ["mae"])
    return model
