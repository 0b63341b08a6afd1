"""TensorBoard: write training logs as TensorBoard event files (with tensorboardX, the ``tensorboard`` extra)."""

from __future__ import annotations

import json
import numbers
import os

import numpy as np

from ._monitor import learning_rate
from ..distribution import is_chief
from .base import Callback

__all__ = ["TensorBoard"]


def _tensorboardx():
    try:
        from tensorboardX import SummaryWriter
    except ImportError as exc:
        raise ImportError("TensorBoard needs tensorboardX: pip install tensorboardX (or neuronet[tensorboard])") \
            from exc
    return SummaryWriter


class _NoWriter:
    """Stands in for the event writer on the processes that do not write (data-parallel ranks other than 0)."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


_NO_WRITER = _NoWriter()


class TensorBoard(Callback):
    """Write the training's numbers where TensorBoard reads them (Keras's callback, names and layout).

    Under ``log_dir``, the folder ``train`` gets ``epoch_loss``, ``epoch_<metric>`` and
    ``epoch_learning_rate`` after each epoch (``batch_<name>`` every ``update_freq`` batches when it is not
    'epoch'), and the weight histograms (``<layer>/<weight>/histogram``); the folder ``validation`` gets
    the ``val_`` logs as ``epoch_loss``, ``epoch_<metric>``. Watch with ``tensorboard --logdir logs``.

    Given a :class:`~neuronet.callbacks.GradientMonitor` as ``monitor``, its per-layer numbers are
    written too, at the epochs it checked: ``monitor/grad_norm/<layer>``, ``monitor/weight_norm/<layer>``,
    ``monitor/dead_fraction/<layer>``, ``monitor/saturated_fraction/<layer>``,
    ``monitor/gate_saturation/<layer>/<gate>``, ``monitor/first_step_gradient/<layer>`` (the gradient
    reaching a recurrent layer's first time step over its last one) and its warnings as text.

    Where it differs from Keras: ``write_graph`` writes the model's configuration (JSON) and summary as
    text (``model/config``, ``model/summary``) instead of a TensorFlow graph; ``write_images``,
    ``profile_batch`` and ``embeddings_freq`` are accepted only at their defaults (off).

    Args:
        log_dir: the folder of the event files. Defaults to 'logs'.
        histogram_freq: write weight histograms every this many epochs; 0 for never. Defaults to 0.
        write_graph: write the model's configuration and summary as text. Defaults to True.
        write_steps_per_second: also write ``epoch_steps_per_second``. Defaults to False.
        update_freq: 'epoch', 'batch', or an integer N: write batch logs every N batches. Defaults to 'epoch'.
        monitor: a GradientMonitor in the same ``fit`` whose numbers to write. Defaults to None.

    Example::

        monitor = GradientMonitor(x=x_train[:256], y=y_train[:256])
        model.fit(x_train, y_train, epochs=10, callbacks=[monitor, TensorBoard("logs/run1", histogram_freq=1,
                                                                               monitor=monitor)])
    """

    def __init__(self, log_dir: str = "logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, write_steps_per_second: bool = False, update_freq="epoch",
                 profile_batch=0, embeddings_freq: int = 0, embeddings_metadata=None, monitor=None):
        super().__init__()
        where = "TensorBoard"
        if not isinstance(log_dir, (str, os.PathLike)) or not str(log_dir):
            raise ValueError(f"{where}: expected log_dir to be a folder path, received {log_dir!r}")
        if isinstance(histogram_freq, bool) or not isinstance(histogram_freq, numbers.Integral) or histogram_freq < 0:
            raise ValueError(f"{where}: expected histogram_freq to be a non-negative integer, received "
                             f"{histogram_freq!r}")
        if update_freq not in ("epoch", "batch") and (isinstance(update_freq, bool) or not isinstance(
                update_freq, numbers.Integral) or update_freq < 1):
            raise ValueError(f"{where}: expected update_freq to be 'epoch', 'batch' or a positive integer, received "
                             f"{update_freq!r}")
        for name, value, default in (("write_images", write_images, False), ("profile_batch", profile_batch, 0),
                                     ("embeddings_freq", embeddings_freq, 0),
                                     ("embeddings_metadata", embeddings_metadata, None)):
            if value != default:
                raise ValueError(f"{where}: {name}={value!r} is not supported by neuronet (only {default!r})")
        if monitor is not None and not hasattr(monitor, "history"):
            raise ValueError(f"{where}: expected monitor to be a GradientMonitor, received {type(monitor).__name__}")
        self._writer_class = _tensorboardx()  # a missing extra fails here, before training
        self.log_dir = str(log_dir)
        self.histogram_freq = int(histogram_freq)
        self.write_graph = bool(write_graph)
        self.write_steps_per_second = bool(write_steps_per_second)
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.monitor = monitor
        self._writers: dict = {}
        self._batch = 0
        self._written_checks = 0
        self._written_warnings = 0

    def _writer(self, run: str):
        if not is_chief():  # data-parallel training: rank 0 alone writes event files
            return _NO_WRITER
        if run not in self._writers:
            self._writers[run] = self._writer_class(os.path.join(self.log_dir, run))
        return self._writers[run]

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs=None):
        self._batch = 0
        self._written_checks = 0
        self._written_warnings = 0
        if self.write_graph:
            writer = self._writer("train")
            try:
                config = json.dumps({"class_name": type(self.model).__name__, "config": self.model.get_config()},
                                    indent=1, default=str)
            except Exception as err:  # a model without a config: say so instead of failing the training
                config = f"(no configuration: {err})"
            writer.add_text("model/config", f"```\n{config}\n```", 0)
            lines = []
            try:
                self.model.summary(print_fn=lines.append)
            except Exception as err:
                lines = [f"(no summary: {err})"]
            writer.add_text("model/summary", "```\n" + "\n".join(lines) + "\n```", 0)

    def on_epoch_begin(self, epoch, logs=None):
        import time

        self._epoch_start = time.perf_counter()
        self._epoch_batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self._batch += 1
        self._epoch_batches = getattr(self, "_epoch_batches", 0) + 1
        if self.update_freq == "epoch" or self._batch % self.update_freq:
            return
        writer = self._writer("train")
        for name, value in (logs or {}).items():
            if np.ndim(value) == 0:
                writer.add_scalar(f"batch_{name}", float(value), self._batch)

    def on_epoch_end(self, epoch, logs=None):
        import time

        logs = dict(logs or {})
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        lr = learning_rate(self.model)
        if lr is not None:
            train["learning_rate"] = lr
        if self.write_steps_per_second:
            elapsed = time.perf_counter() - getattr(self, "_epoch_start", time.perf_counter())
            train["steps_per_second"] = getattr(self, "_epoch_batches", 0) / elapsed if elapsed > 0 else 0.0
        for run, values in (("train", train), ("validation", val)):
            if not values:
                continue
            writer = self._writer(run)
            for name, value in values.items():
                if np.ndim(value) == 0:
                    writer.add_scalar(f"epoch_{name}", float(value), epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            writer = self._writer("train")
            for layer in self.model.layers:
                for w in layer.weights:
                    name = (getattr(w, "path", None) or f"{layer.name}/{w.name}").replace(":", "_")
                    data = np.asarray(w.data, dtype=np.float64)
                    if data.size and np.all(np.isfinite(data)):
                        writer.add_histogram(f"{name}/histogram", data, epoch)
        self._write_monitor()
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        self._write_monitor()
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # ------------------------------------------------------------------ helpers
    def _write_monitor(self) -> None:
        """The monitor's checks not written yet (whatever the order of the callbacks), and its new warnings."""
        monitor = self.monitor
        if monitor is None:
            return
        hist = monitor.history
        epochs = hist.get("epoch", [])
        writer = self._writer("train") if len(epochs) > self._written_checks or \
            len(monitor.warnings) > self._written_warnings else None
        for i in range(self._written_checks, len(epochs)):
            step = epochs[i]
            for key in ("grad_norm", "weight_norm", "dead_fraction", "saturated_fraction"):
                for layer, values in hist.get(key, {}).items():
                    if i < len(values) and np.isfinite(values[i]):
                        writer.add_scalar(f"monitor/{key}/{layer}", float(values[i]), step)
            for layer, values in hist.get("gate_saturation", {}).items():
                if i < len(values):
                    for gate, value in values[i].items():
                        writer.add_scalar(f"monitor/gate_saturation/{layer}/{gate}", float(value), step)
            for layer, values in hist.get("step_grad_norms", {}).items():
                if i < len(values) and len(values[i]) and values[i][-1] > 0:
                    writer.add_scalar(f"monitor/first_step_gradient/{layer}", float(values[i][0] / values[i][-1]),
                                      step)
        self._written_checks = len(epochs)
        for w in monitor.warnings[self._written_warnings:]:
            writer.add_text("monitor/warnings", w["message"], w["epoch"])
        self._written_warnings = len(monitor.warnings)
