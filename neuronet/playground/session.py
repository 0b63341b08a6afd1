"""One page's playground: its data, its model, at most one training job, and the frames it streams.

A :class:`Session` owns a data set and a compiled model. Everything that touches the model holds the
session's lock, so the training thread, a single step, an export and a frame never overlap; the training
thread takes the lock for one mini-batch at a time, so commands from the page are answered between two
steps. After changes the session *publishes* a frame (JSON text): listeners wait on a condition and send
the newest one, so a slow page skips frames instead of piling them up.

Bounds: one training thread per session; a run pauses by itself after ``MAX_RUN_SECONDS`` or when no page
has listened for ``IDLE_SECONDS``, and stops when the loss becomes NaN or infinite. :class:`Sessions` keeps
at most ``MAX_SESSIONS`` (the least recently used one is closed to make room).
"""

from __future__ import annotations

import json
import math
import os
import secrets
import tempfile
import threading
import time

import numpy as np

from . import build, export, spec, views
from .spec import PlaygroundError

__all__ = ["Session", "Sessions"]

MAX_RUN_SECONDS = 600.0  # one press of Train runs at most 10 minutes
IDLE_SECONDS = 60.0  # training pauses when no page has listened for this long
FRAME_INTERVAL = 0.2  # at most 5 frames a second while training
HEALTH_INTERVAL = 1.0  # the health monitor runs at most once a second while training
MAX_HISTORY_POINTS = 400  # loss curves are sent thinned to this many points
MAX_STORED_EPOCHS = 20000  # beyond this the stored history keeps every other epoch


class Session:
    """A playground session: data settings, network settings, model, training state and published frames.

    Args:
        data: data settings (see :func:`spec.data_spec`); None for the defaults.
        network: network settings (see :func:`spec.network_spec`); None for the defaults.
    """

    def __init__(self, data=None, network=None):
        self.id = secrets.token_hex(8)
        self.lock = threading.RLock()
        self.changed = threading.Condition()
        self.version = self.data_version = 0
        self.frame = self.data_json = None
        self.listeners = 0
        self.stream = 0  # the newest event stream; older ones end
        self.last_seen = time.monotonic()
        self.running = False
        self._thread = None
        self._stop = threading.Event()
        self.closed = False
        self.data_cfg, self.net_cfg = None, None
        self.configure(data if data is not None else {}, network if network is not None else {})

    # --- settings -------------------------------------------------------------------------------------------

    def configure(self, data=None, network=None) -> None:
        """Check new settings (None keeps the current ones), build the data and the model, then swap them in.

        A bad setting raises :class:`PlaygroundError` before anything changes; a running job is paused.
        """
        data_cfg = spec.data_spec(self.data_cfg if data is None else data)
        dataset = build.make_data(data_cfg)
        net_cfg = spec.network_spec(self.net_cfg if network is None else network, n_train=len(dataset.x_train))
        model = build.build_model(dataset, net_cfg)
        self.pause(publish=False)
        with self.lock:
            self.data_cfg, self.net_cfg, self.data, self.model = data_cfg, net_cfg, dataset, model
            self.epoch = self.steps = 0
            self.history = {"epoch": [], "train_loss": [], "test_loss": [], "train_metric": [], "test_metric": []}
            self.rng = np.random.default_rng(net_cfg["seed"])
            self.order, self.cursor = np.arange(0), 0
            self.diverged = False
            self.message = None
            self.health, self.health_start = views.health(model, dataset, None, net_cfg["learning_rate"])
            self.data_json = json.dumps({"type": "data", **dataset.points()}, allow_nan=False)
        self.publish(data=True)

    def reset(self) -> None:
        """New starting weights (the network seed + 1), same settings; training state cleared."""
        self.configure(network={**self.net_cfg, "seed": (self.net_cfg["seed"] + 1) % spec.LIMITS["max_seed"]})

    # --- training -------------------------------------------------------------------------------------------

    def train(self) -> None:
        """Start the training job (a thread) unless it runs already: one job per session."""
        with self.lock:
            if self.closed:
                raise PlaygroundError("this session was closed; reload the page", 410)
            if self.diverged:
                raise PlaygroundError("the loss is not finite any more: lower the learning rate and press Reset", 409)
            if self.running:
                return
            self.running, self.message = True, None
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=f"playground-{self.id}", daemon=True)
            self._thread.start()
        self.publish()

    def pause(self, publish: bool = True) -> None:
        """Stop the training job after its current mini-batch and wait for it."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        if publish:
            self.publish(health=True)

    def step(self) -> dict:
        """One mini-batch, explained: ``diagnostics.explain_step`` on the batch, then the model's real step.

        Returns:
            The explanation as JSON-ready numbers (see :meth:`_explained`), with ``matches_step``: whether the
            real step produced exactly the weights ``explain_step`` predicted.
        """
        with self.lock:
            if self.running:
                raise PlaygroundError("training is running: press Pause before stepping one mini-batch", 409)
            if self.diverged:
                raise PlaygroundError("the loss is not finite any more: lower the learning rate and press Reset", 409)
            explained = self._one_batch(explain=True)
        self.publish(health=True)
        return explained

    def _run(self) -> None:
        started = last_frame = last_health = time.monotonic()
        try:
            while not self._stop.is_set():
                with self.lock:
                    self._one_batch()
                    if self.diverged:
                        break
                now = time.monotonic()
                if now - started > MAX_RUN_SECONDS:
                    self.message = {"level": "info", "text": f"training paused after {MAX_RUN_SECONDS / 60:g} "
                                    "minutes; press Train to go on"}
                    break
                if self.listeners == 0 and now - self.last_seen > IDLE_SECONDS:
                    self.message = {"level": "info", "text": "training paused: no page was watching"}
                    break
                if now - last_frame >= FRAME_INTERVAL:
                    health = now - last_health >= HEALTH_INTERVAL
                    self.publish(health=health)
                    last_frame = time.monotonic()
                    last_health = last_frame if health else last_health
                time.sleep(0)  # let the server's threads in between two mini-batches
        except Exception as err:  # the job ends with a message on the page; the server lives on
            self.message = {"level": "error", "text": f"training stopped: {type(err).__name__}: {err}"}
        finally:
            with self.lock:
                self.running = False
            self.publish(health=True)

    def _one_batch(self, explain: bool = False):
        """One mini-batch of the current epoch (a new shuffled epoch when the last one is used up)."""
        n = len(self.data.x_train)
        if self.cursor >= len(self.order):
            self.order, self.cursor = self.rng.permutation(n), 0
        idx = self.order[self.cursor:self.cursor + self.net_cfg["batch_size"]]
        self.cursor += len(idx)
        x, y = self.data.x_train[idx], self.data.y_train[idx]
        explained = None
        if explain:
            from ..diagnostics import explain_step

            steps = explain_step(self.model, x, y, print_fn=None)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss = self.model.train_on_batch(x, y)
        self.steps += 1
        if explain:
            explained = self._explained(steps, idx, y)
        if self.cursor >= n:
            self.epoch += 1
            self._record_epoch()
        elif not math.isfinite(float(np.asarray(loss).ravel()[0])):
            self._diverge()
        return explained

    def _explained(self, steps, idx, y) -> dict:
        layers = []
        matches = True
        for rec in steps:
            layer = self.model.get_layer(rec.name)
            matches &= bool(np.array_equal(rec.W_new, layer.kernel.data) and np.array_equal(rec.b_new, layer.bias.data))
            layers.append({"name": rec.name, "activation": rec.activation,
                           **{key: views.jsonable(getattr(rec, key))
                              for key in ("x", "W", "b", "z", "a", "delta", "dW", "db", "W_new", "b_new")}})
        return {"step": self.steps, "epoch": self.epoch, "indices": idx.tolist(), "y": views.jsonable(y),
                "loss": _finite(steps.loss), "optimizer": steps.optimizer, "learning_rate": steps.learning_rate,
                "text": steps.text, "matches_step": matches, "layers": layers}

    def _metrics(self) -> dict:
        data, model = self.data, self.model
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            train = model.evaluate(data.x_train, data.y_train, batch_size=len(data.x_train), verbose=0,
                                   return_dict=True)
            test = model.evaluate(data.x_test, data.y_test, batch_size=len(data.x_test), verbose=0, return_dict=True)
        name = "accuracy" if data.task == "binary" else "mae"
        return {"metric": name, "train_loss": _finite(train["loss"]), "test_loss": _finite(test["loss"]),
                "train_metric": _finite(train[name]), "test_metric": _finite(test[name])}

    def _record_epoch(self) -> None:
        m = self._metrics()
        self.history["epoch"].append(self.epoch)
        for key in ("train_loss", "test_loss", "train_metric", "test_metric"):
            self.history[key].append(m[key])
        if len(self.history["epoch"]) > MAX_STORED_EPOCHS:
            self.history = {key: values[::2] for key, values in self.history.items()}
        if m["train_loss"] is None:
            self._diverge()

    def _diverge(self) -> None:
        self.diverged = True
        self._stop.set()
        self.message = {"level": "error", "text": f"the loss became NaN or infinite at epoch {self.epoch}: the "
                        f"learning rate {self.net_cfg['learning_rate']:g} is too high for this network; lower it "
                        "and press Reset"}

    # --- frames ---------------------------------------------------------------------------------------------

    def publish(self, data: bool = False, health: bool = False) -> None:
        """Compute a frame of the current state and wake the listeners (``data``: the data set changed too)."""
        with self.lock:
            if health and not self.diverged:
                try:
                    self.health, _ = views.health(self.model, self.data, self.health_start,
                                                  self.net_cfg["learning_rate"])
                except Exception as err:  # a report that cannot be made is said, not raised
                    self.health = {"problems": [], "layers": [], "dead_units": [],
                                   "error": f"{type(err).__name__}: {err}"}
            frame = {"type": "frame", "task": self.data.task, "epoch": self.epoch, "steps": self.steps,
                     "running": self.running, "diverged": self.diverged, "message": self.message,
                     "config": {"data": self.data_cfg, "network": self.net_cfg}, "metrics": self._metrics(),
                     "history": self._thinned_history(), "weights": views.weights(self.model),
                     "maps": views.maps(self.model, self.data), "health": self.health}
            text = json.dumps(frame, allow_nan=False)
        with self.changed:
            self.version += 1
            if data:
                self.data_version = self.version
            self.frame = text
            self.changed.notify_all()

    def _thinned_history(self) -> dict:
        n = len(self.history["epoch"])
        stride = max(1, math.ceil(n / MAX_HISTORY_POINTS))
        keep = list(range(0, n, stride))
        if n and keep[-1] != n - 1:
            keep.append(n - 1)
        return {key: [values[i] for i in keep] for key, values in self.history.items()}

    # --- exports --------------------------------------------------------------------------------------------

    def export_script(self) -> str:
        """The network as a runnable Keras script (see :func:`export.script`)."""
        with self.lock:
            m = self._metrics()
            summary = (f"On the page it trained for {self.epoch} epochs: test loss {_text(m['test_loss'])}, test "
                       f"{m['metric']} {_text(m['test_metric'])}.")
            return export.script(self.data_cfg, self.net_cfg, self.epoch, self.data.task, summary)

    def export_keras(self) -> bytes:
        """The trained model as the bytes of a ``.keras`` file (``model.save``)."""
        with self.lock, tempfile.TemporaryDirectory(prefix="neuronet-playground-") as folder:
            path = os.path.join(folder, "playground.keras")
            self.model.save(path)
            with open(path, "rb") as f:
                return f.read()

    def close(self) -> None:
        """Stop training and end the event streams."""
        self.closed = True
        self._stop.set()
        with self.changed:
            self.changed.notify_all()


def _finite(v):
    v = float(v)
    return v if math.isfinite(v) else None


def _text(v) -> str:
    return "n/a" if v is None else f"{v:.4f}"


class Sessions:
    """The server's sessions by id, at most ``limit`` (the least recently used is closed to make room)."""

    def __init__(self, limit: int = 8):
        self.limit = limit
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, data=None, network=None) -> Session:
        session = Session(data, network)  # raises PlaygroundError on bad settings, before anything is kept
        with self._lock:
            while len(self._by_id) >= self.limit:
                oldest = min(self._by_id.values(), key=lambda s: s.last_seen)
                del self._by_id[oldest.id]
                oldest.close()
            self._by_id[session.id] = session
        return session

    def get(self, session_id) -> Session:
        with self._lock:
            session = self._by_id.get(session_id) if isinstance(session_id, str) else None
        if session is None:
            raise PlaygroundError("unknown or expired session: reload the page", 404)
        session.last_seen = time.monotonic()
        return session

    def close_all(self) -> None:
        with self._lock:
            sessions, self._by_id = list(self._by_id.values()), {}
        for session in sessions:
            session.close()
