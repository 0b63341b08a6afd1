"""``keras.utils.Progbar``: a text progress bar for loops you write yourself (custom training loops)."""

from __future__ import annotations

import sys
import time

import numpy as np

__all__ = ["Progbar"]


class Progbar:
    """A progress bar with running averages of the values it is given.

    Args:
        target: total number of steps expected, or None when unknown.
        width: width of the bar in characters. Defaults to 20.
        verbose: 0 silent, 1 a bar redrawn in place, 2 one line when the target is reached. Defaults to 1.
        interval: least seconds between two redraws. Defaults to 0.05.
        stateful_metrics: names of values shown as given (e.g. a metric's running result) instead of
            averaged over the steps. Defaults to none.
        unit_name: the unit named in the time per step. Defaults to 'step'.

    Example::

        bar = neuronet.utils.Progbar(target=len(batches))
        for i, batch in enumerate(batches):
            loss = train_step(batch)
            bar.update(i + 1, values=[("loss", loss)])
    """

    def __init__(self, target, width: int = 20, verbose: int = 1, interval: float = 0.05, stateful_metrics=None,
                 unit_name: str = "step"):
        if target is not None and (isinstance(target, bool) or not isinstance(target, (int, np.integer))
                                   or target < 0):
            raise ValueError(f"Progbar: expected target to be a non-negative integer or None, received {target!r}")
        if verbose not in (0, 1, 2):
            raise ValueError(f"Progbar: expected verbose to be 0, 1 or 2, received {verbose!r}")
        self.target, self.width, self.verbose, self.interval = target, int(width), verbose, float(interval)
        self.stateful_metrics = set(stateful_metrics or ())
        self.unit_name = unit_name
        self._values: dict = {}  # name -> [weighted sum, weight] (averaged) or the value itself (stateful)
        self._seen = 0
        self._start = time.time()
        self._last_draw = 0.0
        self._finished = False

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        """Move the bar to step ``current`` and record ``values``, a list of ``(name, value)``.

        A non-stateful value is averaged over steps, weighted by the steps since the last update.
        ``finalize`` (default: whether ``current`` reached the target) ends the bar with a newline.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or ():
            value = float(np.mean(np.asarray(value, dtype=np.float64)))
            if name in self.stateful_metrics:
                self._values[name] = value
            else:
                weight = max(current - self._seen, 1)
                total, count = self._values.get(name, (0.0, 0))
                self._values[name] = (total + value * weight, count + weight)
        self._seen = current
        now = time.time()
        if self.verbose == 0 or self._finished:
            return
        if not finalize and now - self._last_draw < self.interval:
            return
        self._last_draw = now
        if self.verbose == 1:
            sys.stdout.write("\r" + self._line(current, now, finalize) + ("\n" if finalize else ""))
            sys.stdout.flush()
        elif finalize:
            sys.stdout.write(self._line(current, now, True) + "\n")
            sys.stdout.flush()
        self._finished = finalize

    def add(self, n: int, values=None) -> None:
        """Advance the bar by ``n`` steps (see :meth:`update`)."""
        self.update(self._seen + n, values)

    def _line(self, current: int, now: float, finalize: bool) -> str:
        elapsed = now - self._start
        if self.target is not None:
            digits = len(str(self.target))
            done = int(self.width * min(current, self.target) / self.target) if self.target else self.width
            arrow = ">" if done < self.width else "="
            bar = "=" * max(done - 1, 0) + (arrow if done else "") + "." * (self.width - done)
            head = f"{current:{digits}d}/{self.target} [{bar}]"
        else:
            head = f"{current:7d}/Unknown"
        per_unit = elapsed / current if current else 0.0
        if finalize or self.target is None:
            timing = f"{elapsed:.0f}s {per_unit * 1000:.0f}ms/{self.unit_name}"
        else:
            timing = f"ETA: {per_unit * (self.target - current):.0f}s"
        parts = [head, timing]
        for name, value in self._values.items():
            shown = value if name in self.stateful_metrics else value[0] / max(value[1], 1)
            parts.append(f"{name}: {shown:.4f}" if abs(shown) >= 1e-3 or shown == 0 else f"{name}: {shown:.4e}")
        return " - ".join(parts)
