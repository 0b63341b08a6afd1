"""The benchmark workloads of /work/shared/BENCHMARKS.md, written once for every framework.

neuronet speaks the Keras API, so one builder per workload, written against a ``keras``-like module
``K``, builds both the neuronet model (``K = neuronet``) and the Keras one (``K = keras``). PyTorch
gets the same architectures written with ``torch.nn`` (its native NCHW layout for the CNN).

Every training workload: float32, Adam(learning_rate=1e-3), softmax cross-entropy on 10 classes from
logits (MSE for the autoencoder), random inputs of the stated shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NUM_CLASSES = 10


@dataclass(frozen=True)
class Workload:
    """One throughput workload.

    Args:
        name: short name used on the command line and in the results.
        input_shape: shape of one sample (channels-last for images, (time, features) for sequences).
        batch_size: samples per training step.
        batches_per_epoch: fixed random batches in the data set one timed ``fit`` epoch runs over.
        description: the model in words, for the results table.
        autoencoder: when True the target is the input itself (MSE loss), otherwise 10-class labels.
    """

    name: str
    input_shape: tuple
    batch_size: int
    batches_per_epoch: int
    description: str
    autoencoder: bool = False


WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in [
        Workload("tiny", (20,), 32, 512, "Dense 20 → 64 relu → 10"),
        Workload("mlp", (784,), 128, 64, "Dense 784 → 512 relu → 512 relu → 10"),
        Workload("cnn", (28, 28, 1), 64, 32, "Conv2D(32,3) → pool → Conv2D(64,3) → pool → Dense(128) → 10"),
        Workload("lstm", (50, 32), 64, 32, "LSTM(128) over 50 steps × 32 features → Dense(10)"),
        Workload("gru", (50, 32), 64, 32, "GRU(128) over 50 steps × 32 features → Dense(10)"),
        Workload("autoencoder", (784,), 128, 64, "Dense 784 → 128 → 32 → 128 → 784 sigmoid, MSE", autoencoder=True),
        Workload("cifar", (32, 32, 3), 128, 16,
                 "32×32×3: Conv2D(32,3,same)×2 → pool → Conv2D(64,3,same)×2 → pool → Dense(256) → 10"),
        Workload("lstm_long", (400, 32), 32, 16, "LSTM(128) over 400 steps × 32 features → Dense(10)"),
    ]
}

# Inference: ``model.predict`` over PREDICT_ROWS rows in batches of PREDICT_BATCH, with the model of the
# named training workload (its weights as built: the speed does not depend on their values).
PREDICT_ROWS = 100_000
PREDICT_BATCH = 1024
PREDICTS = {"predict_mlp": "mlp", "predict_cnn": "cnn"}

# Smoke mode: the same architectures on a handful of samples, so CI checks the harness in seconds.
SMOKE_BATCHES_PER_EPOCH = 2

# Floating-point operations of one mlp training step (forward GEMMs + two backward GEMMs per layer),
# used to report the fraction of the machine's GEMM peak the mlp step reaches.
MLP_LAYER_SHAPES = [(784, 512), (512, 512), (512, 10)]


def mlp_step_flops(batch_size: int) -> float:
    """FLOPs of the mlp workload's GEMMs in one training step: 3 GEMMs of 2·B·n_in·n_out per layer."""
    return float(sum(3 * 2 * batch_size * n_in * n_out for n_in, n_out in MLP_LAYER_SHAPES))


def make_data(workload: Workload, num_batches: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Fixed random float32 inputs and targets for ``num_batches`` batches of ``workload``.

    Returns ``(x, y)``: x of shape ``(num_batches * batch_size, *input_shape)``; y int64 class ids of
    shape ``(n,)``, or for the autoencoder a copy of x (inputs in [0, 1) to suit the sigmoid output).
    """
    rng = np.random.default_rng(seed)
    n = num_batches * workload.batch_size
    if workload.autoencoder:
        x = rng.random((n, *workload.input_shape), dtype=np.float32)
        return x, x.copy()
    x = rng.standard_normal((n, *workload.input_shape), dtype=np.float32)
    y = rng.integers(0, NUM_CLASSES, size=n, dtype=np.int64)
    return x, y


# ---------------------------------------------------------------------------------------------------
# Keras-API builders: K is `neuronet` or `keras`.
# ---------------------------------------------------------------------------------------------------


def _input(K, shape):
    """``K.Input(shape)``, the Keras 3 way to give a Sequential model its input shape."""
    make = getattr(K, "Input", None) or K.layers.Input
    return make(shape=shape)


def build_keras_model(K, workload: Workload):
    """Build and compile the workload's model with the Keras-API module ``K``."""
    L = K.layers
    name = workload.name
    if name == "tiny":
        body = [L.Dense(64, activation="relu"), L.Dense(NUM_CLASSES)]
    elif name == "mlp":
        body = [L.Dense(512, activation="relu"), L.Dense(512, activation="relu"), L.Dense(NUM_CLASSES)]
    elif name == "cnn":
        body = [
            L.Conv2D(32, 3, activation="relu"),
            L.MaxPooling2D(2),
            L.Conv2D(64, 3, activation="relu"),
            L.MaxPooling2D(2),
            L.Flatten(),
            L.Dense(128, activation="relu"),
            L.Dense(NUM_CLASSES),
        ]
    elif name in ("lstm", "lstm_long"):
        body = [L.LSTM(128), L.Dense(NUM_CLASSES)]
    elif name == "gru":
        body = [L.GRU(128), L.Dense(NUM_CLASSES)]
    elif name == "cifar":
        body = [
            L.Conv2D(32, 3, padding="same", activation="relu"),
            L.Conv2D(32, 3, padding="same", activation="relu"),
            L.MaxPooling2D(2),
            L.Conv2D(64, 3, padding="same", activation="relu"),
            L.Conv2D(64, 3, padding="same", activation="relu"),
            L.MaxPooling2D(2),
            L.Flatten(),
            L.Dense(256, activation="relu"),
            L.Dense(NUM_CLASSES),
        ]
    elif name == "autoencoder":
        body = [
            L.Dense(128, activation="relu"),
            L.Dense(32, activation="relu"),
            L.Dense(128, activation="relu"),
            L.Dense(784, activation="sigmoid"),
        ]
    else:
        raise ValueError(f"unknown workload {name!r}; expected one of {sorted(WORKLOADS)}")
    model = K.Sequential([_input(K, workload.input_shape), *body])
    if workload.autoencoder:
        loss = K.losses.MeanSquaredError()
    else:
        loss = K.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=K.optimizers.Adam(learning_rate=1e-3), loss=loss)
    return model


def build_keras_tiny_inference(K):
    """The tiny model, built (weights created) for the single-sample predict latency."""
    return build_keras_model(K, WORKLOADS["tiny"])


# ---------------------------------------------------------------------------------------------------
# PyTorch builders (the same architectures; the CNN in PyTorch's native NCHW layout).
# ---------------------------------------------------------------------------------------------------


def build_torch_model(torch, workload: Workload):
    """Return ``(model, loss_fn, optimizer, prepare)`` for the workload; ``prepare(x)`` converts inputs."""
    nn = torch.nn
    name = workload.name
    prepare = torch.from_numpy
    if name == "tiny":
        model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, NUM_CLASSES))
    elif name == "mlp":
        model = nn.Sequential(
            nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, NUM_CLASSES)
        )
    elif name == "cnn":
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, NUM_CLASSES),
        )

        def prepare(x):  # channels-last data → NCHW, made contiguous once, outside the timed loop
            return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    elif name == "cifar":
        model = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 8 * 8, 256), nn.ReLU(), nn.Linear(256, NUM_CLASSES),
        )

        def prepare(x):
            return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    elif name in ("lstm", "gru", "lstm_long"):
        rnn_class = nn.GRU if name == "gru" else nn.LSTM

        class LastStep(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = rnn_class(32, 128, batch_first=True)
                self.head = nn.Linear(128, NUM_CLASSES)

            def forward(self, x):
                out, _ = self.rnn(x)
                return self.head(out[:, -1])

        model = LastStep()
    elif name == "autoencoder":
        model = nn.Sequential(
            nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 32), nn.ReLU(),
            nn.Linear(32, 128), nn.ReLU(), nn.Linear(128, 784), nn.Sigmoid(),
        )
    else:
        raise ValueError(f"unknown workload {name!r}; expected one of {sorted(WORKLOADS)}")
    loss_fn = nn.MSELoss() if workload.autoencoder else nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    return model, loss_fn, optimizer, prepare


# ---------------------------------------------------------------------------------------------------
# The seed example (end to end).
# ---------------------------------------------------------------------------------------------------

SEED_EPOCHS = 10
SEED_BATCH = 32


def seed_data(path: str | None = None):
    """make_classification(1000, 20, informative 10, random_state 42), 80/20 split (random_state 42).

    Returns ``(x_train, x_test, y_train, y_test)`` as float32. With ``path``, loads the arrays that
    :func:`save_seed_data` wrote there, so a framework's worker need not import scikit-learn (whose
    memory would otherwise count in that framework's peak RSS).
    """
    if path is not None:
        with np.load(path, allow_pickle=False) as data:
            return data["x_train"], data["x_test"], data["y_train"], data["y_test"]
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    x, y = make_classification(n_samples=1000, n_features=20, n_informative=10, random_state=42)
    x = x.astype(np.float32)
    y = y.astype(np.float32)
    return train_test_split(x, y, test_size=0.2, random_state=42)


def save_seed_data(path: str) -> None:
    """Write the seed example's split to ``path`` (an .npz of plain arrays, loaded without pickle)."""
    x_train, x_test, y_train, y_test = seed_data()
    np.savez(path, x_train=x_train, x_test=x_test, y_train=y_train, y_test=y_test)


def build_keras_seed_model(K):
    """The seed example's model: Dense(64, relu, input_dim=20) → Dense(1, sigmoid), Adam(1e-3), BCE."""
    model = K.Sequential()
    model.add(K.layers.Dense(units=64, activation="relu", input_dim=20))
    model.add(K.layers.Dense(units=1, activation="sigmoid"))
    model.compile(optimizer=K.optimizers.Adam(learning_rate=0.001), loss="binary_crossentropy", metrics=["accuracy"])
    return model
