"""ProgbarLogger: the progress bar (verbose=1) or one line per epoch (verbose=2) printed by fit."""

from __future__ import annotations

import sys
import time

from ..distribution import is_chief
from .base import Callback

__all__ = ["ProgbarLogger", "format_logs"]

# Seconds between two redraws of the bar: the postfix is formatted only when the bar is redrawn, so a
# training batch costs one clock read and a comparison.
_REDRAW_INTERVAL = 0.1


def _format_value(value) -> str:
    """Keras' number format: 4 decimals, or scientific notation for magnitudes ≤ 1e-3."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = float(value)
        return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"
    try:
        return _format_value(float(value))
    except (TypeError, ValueError):
        return str(value)


def format_logs(logs: dict | None) -> str:
    """``'loss: 0.4123 - accuracy: 0.8100'`` for a logs dict, keys in the dict's order."""
    if not logs:
        return ""
    return " - ".join(f"{key}: {_format_value(value)}" for key, value in logs.items())


def _format_time(seconds: float) -> str:
    return f"{seconds:.2f}s" if seconds < 100 else f"{seconds:.0f}s"


class ProgbarLogger(Callback):
    """Prints training progress to ``sys.stdout``; ``fit``, ``evaluate`` and ``predict`` add one.

    - ``verbose=1``: an ``Epoch 3/10`` header (when there is more than one epoch), then a tqdm bar per
      epoch showing steps done, elapsed time, ETA and the running loss and metrics; at the end of the
      epoch the bar shows the epoch's final values including ``val_*``.
    - ``verbose=2``: exactly one line per epoch, e.g.
      ``Epoch 3/10 - 0.05s - loss: 0.4123 - accuracy: 0.8100 - val_loss: 0.4500 - val_accuracy: 0.8000``.
    - ``verbose=0``: nothing.

    Values use 4 decimals (scientific notation for magnitudes ≤ 1e-3, as Keras). The bar is redrawn at
    most 10 times per second and the running values are formatted only when it is. Inside ``fit`` the
    validation pass prints nothing of its own; its values appear in the epoch's line.

    The stream is looked up at call time (``sys.stdout``), so redirections and pytest's ``capsys`` see
    the output.
    """

    def __init__(self):
        super().__init__()
        self.verbose = 1
        self.epochs = 1
        self.target = None
        self.seen = 0
        self._bar = None
        self._start = 0.0
        self._last_draw = 0.0
        self._called_in_fit = False

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else int(verbose)
        if not is_chief():  # data-parallel training: rank 0 alone prints
            self.verbose = 0
        self.epochs = int(params.get("epochs") or 1)
        self.target = params.get("steps")

    # -- fit ------------------------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_train_end(self, logs=None):
        self._close_bar()
        self._called_in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose == 1 and self.epochs > 1:
            sys.stdout.write(f"Epoch {epoch + 1}/{self.epochs}\n")
        self._start_progress()

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose == 2:
            parts = [f"Epoch {epoch + 1}/{self.epochs}", _format_time(time.perf_counter() - self._start)]
            text = format_logs(logs)
            if text:
                parts.append(text)
            sys.stdout.write(" - ".join(parts) + "\n")
            sys.stdout.flush()
        else:
            self._finish(logs)

    # -- evaluate -------------------------------------------------------------------------------------------
    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._start_progress()

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update(batch, logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finish_or_line(logs)

    # -- predict --------------------------------------------------------------------------------------------
    def on_predict_begin(self, logs=None):
        self._start_progress()

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch, None)

    def on_predict_end(self, logs=None):
        self._finish_or_line(None)

    # -- drawing --------------------------------------------------------------------------------------------
    def _start_progress(self) -> None:
        self._close_bar()
        self.seen = 0
        self._start = time.perf_counter()
        # The first draw waits one interval too: an epoch shorter than that is drawn once, at its end.
        self._last_draw = self._start

    def _open_bar(self):
        """The tqdm bar of this epoch, created at its first draw (so no empty '0/n' line is printed)."""
        from tqdm import tqdm

        # mininterval=0 and miniters=1: tqdm redraws whenever we call update, and we call it at most
        # every _REDRAW_INTERVAL seconds (see _update).
        self._bar = tqdm(
            total=self.target, file=sys.stdout, unit="step", mininterval=0, miniters=1, leave=True,
            ascii=not _stdout_supports_unicode(), delay=1e9,
            bar_format="{n_fmt}/{total_fmt} |{bar:20}| {elapsed}<{remaining}, {rate_fmt}{postfix}"
            if self.target else "{n_fmt} steps {elapsed}, {rate_fmt}{postfix}",
        )
        # Count time from the start of the epoch, not from the first draw; `delay` only kept tqdm from
        # drawing an empty bar when it was created.
        self._bar.start_t = self._bar.last_print_t = time.time() - (time.perf_counter() - self._start)
        self._bar.delay = 0
        return self._bar

    def _update(self, batch: int, logs) -> None:
        self.seen = batch + 1
        if self.verbose != 1:
            return
        now = time.perf_counter()
        if now - self._last_draw < _REDRAW_INTERVAL:
            return
        self._last_draw = now
        bar = self._bar or self._open_bar()
        if logs:
            bar.set_postfix_str(format_logs(logs), refresh=False)
        bar.update(self.seen - bar.n)

    def _finish(self, logs) -> None:
        if self.verbose != 1:
            return
        bar = self._bar or self._open_bar()
        if self.target is None:
            bar.total = self.seen
        # The steps actually run: fewer than the target when training was stopped mid-epoch.
        final = self.seen or self.target or 0
        if logs:
            bar.set_postfix_str(format_logs(logs), refresh=False)
        if final > bar.n:
            bar.n = final
        self._close_bar()

    def _finish_or_line(self, logs) -> None:
        if self.verbose == 2:
            steps = self.target or self.seen
            parts = [f"{steps}/{steps}", _format_time(time.perf_counter() - self._start)]
            text = format_logs(logs)
            if text:
                parts.append(text)
            sys.stdout.write(" - ".join(parts) + "\n")
            sys.stdout.flush()
        else:
            self._finish(logs)

    def _close_bar(self) -> None:
        if self._bar is not None:
            bar, self._bar = self._bar, None
            bar.close()
            sys.stdout.flush()


def _stdout_supports_unicode() -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or ""
    return encoding.lower().replace("-", "") in ("utf8", "utf16", "utf32")
