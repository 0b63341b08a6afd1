"""Checks run under ``mpiexec -n 2`` by test_data_parallel.py (one launch runs them all, to save the
interpreter starts); each rank writes what it saw to ``<out>/rank<r>.json`` and ``<out>/rank<r>.npz``.

Usage: ``mpiexec -n 2 python mpi_checks.py OUT_DIR [equality|faults-raise|faults-kill|faults-watchdog]``

Each equality check trains the same model twice from the same seed on rank 0: alone (no distribution,
the reference), then data-parallel on both ranks; the test compares the histories and weights.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

import neuronet as keras  # noqa: E402
from neuronet import layers  # noqa: E402

OUT = sys.argv[1]
GROUP = sys.argv[2] if len(sys.argv) > 2 else "equality"
keras.config.set_floatx("float64")
keras.runtime.policy.num_threads = 1
DP = keras.distribution.DataParallel(timeout=60)
RANK = keras.distribution.process_id()
RESULTS: dict = {}
ARRAYS: dict = {}


def flat_weights(model) -> np.ndarray:
    return np.concatenate([np.ravel(w) for w in model.get_weights()])


def both(name: str, build, train, seed: int = 7):
    """``train(build())`` alone on rank 0 (the reference), then data-parallel on every rank."""
    if RANK == 0:
        _train_and_record(f"{name}/single", None, build, train, seed)
    return _train_and_record(f"{name}/parallel", DP, build, train, seed)


def _train_and_record(key: str, distribution, build, train, seed: int):
    keras.distribution.set_distribution(distribution)
    keras.utils.set_random_seed(seed)
    model = build()
    history = train(model)
    RESULTS[key] = {k: [float(np.mean(v)) for v in vals] for k, vals in history.history.items()}
    ARRAYS[key] = flat_weights(model)
    keras.distribution.set_distribution(DP)
    return model


# ----------------------------------------------------------------------------- equality with one process
def check_mlp():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(103, 6)), rng.integers(0, 2, size=103)
    weights = rng.uniform(0.2, 2.0, size=103)

    def build():
        model = keras.Sequential([keras.Input((6,)), layers.Dense(8, activation="tanh"),
                                  layers.Dense(1, activation="sigmoid")])
        model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy",
                      metrics=["accuracy", keras.metrics.AUC(name="auc"), keras.metrics.Precision(name="precision")])
        return model

    # 103 samples, 20 validation, batches of 16: the last global batch (3 rows) splits 1 / 2
    both("mlp", build, lambda m: m.fit(x, y, sample_weight=weights, batch_size=16, epochs=3, shuffle=True,
                                       validation_split=0.2, verbose=0))


def check_masked_sequences():
    rng = np.random.default_rng(1)
    n, steps = 41, 7
    x = rng.integers(1, 20, size=(n, steps))
    lengths = rng.integers(1, steps + 1, size=n)
    x[np.arange(steps)[None, :] >= lengths[:, None]] = 0  # padded: each shard masks a different count
    y = rng.integers(0, 5, size=(n, steps))

    def build():
        model = keras.Sequential([keras.Input((steps,)), layers.Embedding(20, 4, mask_zero=True),
                                  layers.LSTM(6, return_sequences=True), layers.Dense(5, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    both("masked", build, lambda m: m.fit(x, y, batch_size=10, epochs=2, shuffle=True, verbose=0))


def check_functional_two_inputs():
    """Two inputs given as a dict keyed by input name (in the other order than the model's), two outputs
    with a dict of targets, ignore_class, a 'sum' reduction, loss weights and an L2 penalty."""
    rng = np.random.default_rng(2)
    n = 37
    xa, xb = rng.normal(size=(n, 5)), rng.normal(size=(n, 3))
    labels = rng.integers(0, 3, size=n)
    labels[rng.uniform(size=n) < 0.3] = -1  # left out of the loss: shards keep different counts
    target = rng.normal(size=(n, 1))

    def build():
        a, b = keras.Input((5,), name="a"), keras.Input((3,), name="b")
        h = layers.Dense(6, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01))(
            layers.Concatenate()([a, b]))
        out_cls = layers.Dense(3, activation="softmax", name="cls")(h)
        out_reg = layers.Dense(1, name="reg")(h)
        model = keras.Model([a, b], [out_cls, out_reg])
        model.compile("adam", loss={"cls": keras.losses.SparseCategoricalCrossentropy(ignore_class=-1),
                                    "reg": keras.losses.MeanSquaredError(reduction="sum")},
                      loss_weights={"cls": 1.0, "reg": 0.05})
        return model

    both("functional", build, lambda m: m.fit({"b": xb, "a": xa}, {"cls": labels, "reg": target}, batch_size=8,
                                              epochs=2, shuffle=True, validation_data=({"b": xb[:9], "a": xa[:9]},
                                              {"cls": labels[:9], "reg": target[:9]}), verbose=0))


def check_idle_rank_and_uneven_shares():
    """'idle': 33 rows in batches of 8, and 9 validation rows: the last batch of each has one row, so rank 1
    sits it out; the L2 penalty (the same on every rank) must still count once, not half. 'uneven': 37
    rows (a last batch of 5: shares of 2 and 3) and 11 validation rows (3: 1 and 2), with an activity
    regularizer too, a mean over each rank's rows, which must count by the rank's share of the rows."""
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(48, 4)), rng.normal(size=(48, 1))

    def build(activity=None):
        model = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="tanh",
                                                                  kernel_regularizer=keras.regularizers.L2(0.05),
                                                                  activity_regularizer=activity),
                                  layers.Dense(1)])
        model.compile(keras.optimizers.SGD(0.1), "mse")
        return model

    both("idle", build, lambda m: m.fit(x[:33], y[:33], batch_size=8, epochs=2, shuffle=True, verbose=0,
                                        validation_data=(x[33:42], y[33:42])))
    both("uneven", lambda: build(keras.regularizers.L2(0.5)),
         lambda m: m.fit(x[:37], y[:37], batch_size=8, epochs=2, shuffle=True, verbose=0,
                         validation_data=(x[37:], y[37:])))


class GlobalBatches(keras.utils.PyDataset):
    """Whole global batches, reshuffled after every epoch with NumPy's global generator."""

    def __init__(self, x, y, batch_size, share: bool = False):
        super().__init__()
        self.x, self.y, self.batch_size, self.share = x, y, batch_size, share
        self.order = np.arange(len(x))

    def __len__(self):
        return int(np.ceil(len(self.x) / self.batch_size))

    def __getitem__(self, i):
        rows = self.order[i * self.batch_size:(i + 1) * self.batch_size]
        if self.share and keras.distribution.distribution() is not None:  # this rank's part (auto_shard_dataset=False)
            size, rank = keras.distribution.num_processes(), keras.distribution.process_id()
            rows = rows[rank * len(rows) // size:(rank + 1) * len(rows) // size]
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        np.random.shuffle(self.order)


def check_pydataset():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(50, 4)), rng.integers(0, 3, size=50)

    def build():
        model = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="relu"),
                                  layers.Dense(3, activation="softmax")])
        model.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    both("pydataset", build, lambda m: m.fit(GlobalBatches(x, y, 12), epochs=3, verbose=0))
    pre_sharded = keras.distribution.DataParallel(auto_shard_dataset=False, timeout=60)
    saved = keras.distribution.distribution()
    try:
        def train(m):
            if keras.distribution.distribution() is not None:
                keras.distribution.set_distribution(pre_sharded)
            return m.fit(GlobalBatches(x, y, 12, share=True), epochs=3, verbose=0)

        both("pydataset_own_shards", build, train)
    finally:
        keras.distribution.set_distribution(saved)


def check_evaluate():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(29, 4)), rng.integers(0, 2, size=29)
    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    if RANK != 0:  # different weights on rank 1: evaluate must use rank 0's
        model.set_weights([w + 1.0 for w in model.get_weights()])
    keras.distribution.set_distribution(None)
    single = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True) if RANK == 0 else None
    keras.distribution.set_distribution(DP)
    parallel = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    RESULTS["evaluate"] = {"single": single, "parallel": parallel}


def check_batch_normalization():
    rng = np.random.default_rng(6)
    x, y = rng.normal(2.0, 3.0, size=(40, 3)), rng.normal(size=(40, 1))

    def build():
        model = keras.Sequential([keras.Input((3,)), layers.BatchNormalization(momentum=0.5), layers.Dense(1)])
        model.compile(keras.optimizers.SGD(0.0), "mse")  # weights fixed: the moving mean depends on the data only
        return model

    model = both("bn_frozen", build, lambda m: m.fit(x, y, batch_size=10, epochs=1, shuffle=False, verbose=0))
    ARRAYS["bn_frozen/moving_mean"] = model.layers[0].moving_mean.data.copy()
    if RANK == 0:
        keras.distribution.set_distribution(None)
        keras.utils.set_random_seed(7)
        single = build()
        single.fit(x, y, batch_size=10, epochs=1, shuffle=False, verbose=0)
        ARRAYS["bn_frozen/single_moving_mean"] = single.layers[0].moving_mean.data.copy()
        keras.distribution.set_distribution(DP)
    keras.utils.set_random_seed(8)
    trained = keras.Sequential([keras.Input((3,)), layers.BatchNormalization(), layers.Dense(1)])
    trained.compile("adam", "mse")
    trained.fit(x, y, batch_size=10, epochs=2, verbose=0)
    ARRAYS["bn_trained/weights"] = flat_weights(trained)  # moving statistics included: the same on both ranks


# ----------------------------------------------------------------------------- files, callbacks, resuming
def check_callbacks_and_files():
    rng = np.random.default_rng(9)
    x, y = rng.normal(size=(60, 4)), rng.integers(0, 2, size=60)
    keras.utils.set_random_seed(10)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.SGD(0.05), "binary_crossentropy", metrics=["accuracy"])
    tag = f"rank{RANK}"
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=1, min_delta=10.0)  # stops after epoch 2
    reduce = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=0, min_delta=10.0, factor=0.5)
    callbacks = [keras.callbacks.CSVLogger(os.path.join(OUT, f"log_{tag}.csv")),
                 keras.callbacks.ModelCheckpoint(os.path.join(OUT, f"ckpt_{tag}.weights.safetensors"),
                                                 save_weights_only=True, monitor="loss"),
                 keras.callbacks.TensorBoard(os.path.join(OUT, f"tb_{tag}")), stop, reduce]
    history = model.fit(x, y, batch_size=16, epochs=6, validation_split=0.25, verbose=2, callbacks=callbacks)
    RESULTS["callbacks"] = {"epochs": len(history.history["loss"]), "stopped_epoch": stop.stopped_epoch,
                            "learning_rate": model.optimizer.learning_rate}


def check_resume():
    """Rank 0 saves a checkpoint after 2 epochs; a new job loads it on rank 0 only and continues."""
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(48, 4)), rng.integers(0, 3, size=48)
    path = os.path.join(OUT, "resume.keras")

    def build(seed):
        keras.utils.set_random_seed(seed)
        model = keras.Sequential([keras.Input((4,)), layers.Dense(6, activation="relu"),
                                  layers.Dense(3, activation="softmax")], name="resumable")
        model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
        return model

    if RANK == 0:  # the reference: 4 epochs without a break
        keras.distribution.set_distribution(None)
        single = build(12)
        single.fit(x, y, batch_size=12, epochs=4, shuffle=False, verbose=0)
        ARRAYS["resume/single"] = flat_weights(single)
    keras.distribution.set_distribution(DP)
    first = build(12)
    first.fit(x, y, batch_size=12, epochs=2, shuffle=False, verbose=0,
              callbacks=[keras.callbacks.ModelCheckpoint(path)])
    # the second job: rank 0 reads the checkpoint, rank 1 starts from other weights and no optimizer state
    model = keras.saving.load_model(path) if RANK == 0 else build(99)
    model.fit(x, y, batch_size=12, initial_epoch=2, epochs=4, shuffle=False, verbose=0)
    ARRAYS["resume/parallel"] = flat_weights(model)


def check_mismatched_loops_and_dropout():
    """Ranks asked to run different loops stop at once with an error naming the values; with dropout (a
    different stream on each rank) the weights still stay identical."""
    keras.distribution.set_distribution(DP)
    rng = np.random.default_rng(14)
    x, y = rng.normal(size=(40, 4)), rng.integers(0, 2, size=40)
    keras.utils.set_random_seed(15)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"), layers.Dropout(0.5),
                              layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    try:
        model.fit(x, y, epochs=2 + RANK, verbose=0)
    except keras.distribution.DistributionError as err:
        RESULTS["mismatch"] = str(err)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    ARRAYS["dropout/weights"] = flat_weights(model)


# ----------------------------------------------------------------------------- faults
class Fail(keras.callbacks.Callback):
    def __init__(self, how):
        super().__init__()
        self.how = how

    def on_train_batch_end(self, batch, logs=None):
        if RANK == 1 and batch == 2:
            with open(os.path.join(OUT, "fault_time"), "w") as f:
                f.write(repr(time.time()))
            if self.how == "raise":
                raise ValueError("boom on purpose")
            os.kill(os.getpid(), signal.SIGKILL)


def check_fault(how):
    keras.distribution.set_distribution(DP)
    rng = np.random.default_rng(13)
    x, y = rng.normal(size=(400, 4)), rng.integers(0, 2, size=400)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy")
    model.fit(x, y, batch_size=8, epochs=5, verbose=2, callbacks=[Fail(how)])


def check_watchdog():
    """The two waits the launcher does not end: a dead rank on this host (rank 0 is told that rank 1 runs
    as a process that does not exist) and a rank that does not answer within the time limit."""
    from neuronet.distribution.communicator import Communicator, DistributionError

    comm = Communicator(timeout=30)
    if RANK == 0:
        comm.pids[1] = 2**22 + 4321  # above Linux's largest pid: no such process
        start = time.time()
        try:
            comm.allreduce_([np.zeros(1)], "a test allreduce")
        except DistributionError as err:
            RESULTS["dead"] = {"message": str(err), "seconds": time.time() - start}
    slow = Communicator(timeout=0.3)
    if RANK == 0:
        start = time.time()
        try:
            slow.allreduce_([np.zeros(1)], "a second test allreduce")
        except DistributionError as err:
            RESULTS["timeout"] = {"message": str(err), "seconds": time.time() - start}
    else:
        time.sleep(1.5)  # later than rank 0's watchdog allows


if __name__ == "__main__":
    if GROUP == "equality":
        for check in (check_mlp, check_masked_sequences, check_functional_two_inputs, check_idle_rank_and_uneven_shares,
                      check_pydataset, check_evaluate, check_batch_normalization, check_callbacks_and_files,
                      check_resume, check_mismatched_loops_and_dropout):
            check()
    elif GROUP == "faults-watchdog":
        check_watchdog()
    else:
        check_fault(GROUP.split("-", 1)[1])
    with open(os.path.join(OUT, f"rank{RANK}.json"), "w") as f:
        json.dump(RESULTS, f)
    np.savez(os.path.join(OUT, f"rank{RANK}.npz"), **{k.replace("/", "__"): v for k, v in ARRAYS.items()})
