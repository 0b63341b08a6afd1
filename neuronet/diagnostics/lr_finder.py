"""Two sanity checks before a long training run, each on a copy of the model (the model is unchanged).

* :func:`find_learning_rate` — the learning-rate range test (L. Smith, "Cyclical Learning Rates", 2017):
  train for a few hundred steps while the rate grows exponentially from ``min_lr`` to ``max_lr``; the
  loss first barely moves (rate too small), then falls fastest, then blows up (rate too large). A good
  rate is where it falls fastest.
* :func:`check_overfit_batch` — can the model drive the loss of ONE small batch near zero? A network
  that cannot memorize 32 samples has a bug (labels that do not match the loss or the output, gradients
  that do not reach the first layers, a learning rate far off), and training on more data won't help.
"""

from __future__ import annotations

import math

import numpy as np

from . import _access

__all__ = ["LRFinderResult", "OverfitResult", "check_overfit_batch", "find_learning_rate"]


class LRFinderResult:
    """The range test's numbers.

    Attributes:
        rates: the learning rate of each step.
        losses: each step's batch loss.
        smoothed: the losses smoothed by an exponential moving average (bias-corrected, factor ``beta``).
        suggestion: the rate where the smoothed loss falls fastest (steepest negative slope against
            ``log(rate)``), before its minimum; None if it never falls.
        min_loss_rate: the rate at the smoothed loss's minimum (a rate ~10× smaller is a common choice).
        stopped_early: True when the loss diverged (non-finite, or ``stop_factor`` × its best) before
            ``max_lr``.
    """

    def __init__(self, rates, losses, smoothed, suggestion, min_loss_rate, stopped_early):
        self.rates, self.losses, self.smoothed = rates, losses, smoothed
        self.suggestion, self.min_loss_rate, self.stopped_early = suggestion, min_loss_rate, stopped_early

    def plot(self, ax=None):
        """Loss against learning rate (log scale) with the suggestion marked; needs matplotlib."""
        from .plots import plot_lr_finder

        return plot_lr_finder(self, ax=ax)

    def __str__(self) -> str:
        if self.suggestion is None:
            return (f"learning-rate range test: {len(self.rates)} steps from {self.rates[0]:.1e} to "
                    f"{self.rates[-1]:.1e}; the loss never fell: check the model and data (check_overfit_batch)")
        return (f"learning-rate range test: {len(self.rates)} steps from {self.rates[0]:.1e} to {self.rates[-1]:.1e}"
                f"{' (stopped: the loss diverged)' if self.stopped_early else ''}; the loss falls fastest at "
                f"{self.suggestion:.1e} (suggested learning rate); lowest loss at {self.min_loss_rate:.1e}")

    __repr__ = __str__


def _training_copy(model, x, y, sample_weight, loss, optimizer, where: str):
    """Checked inputs, and a copy of ``model`` training with a fresh optimizer of the model's kind."""
    _access.check_model(model, where)
    if loss is None and not _access.is_compiled(model):
        raise ValueError(f"{where}: model '{model.name}' is not compiled with a loss; compile it or pass loss=... "
                         "(e.g. loss='mse')")
    xs = _access.as_inputs(model, x, where)
    _access.check_targets(xs, y, where)
    _access.ensure_built(model, xs, where)
    twin = _access.copy_model(model)
    from .. import optimizers

    if optimizer is not None:
        opt = optimizers.get(optimizer)
    elif getattr(model, "optimizer", None) is not None:
        opt = type(model.optimizer).from_config(model.optimizer.get_config())
    else:
        opt = optimizers.get("rmsprop")  # Keras's compile default
    catcher = _access.prepare_step(twin, loss=loss, optimizer=opt)
    return xs, twin, catcher, opt


def _take(data, index):
    if data is None:
        return None
    if isinstance(data, list):
        return [a[index] for a in data]
    if isinstance(data, dict):
        return {k: np.asarray(v)[index] for k, v in data.items()}
    if isinstance(data, tuple):
        return [np.asarray(a)[index] for a in data]
    return np.asarray(data)[index]


def find_learning_rate(model, x, y, sample_weight=None, loss=None, optimizer=None, *, min_lr: float = 1e-6,
                       max_lr: float = 10.0, steps: int = 200, batch_size: int = 32, beta: float = 0.9,
                       stop_factor: float = 4.0, seed: int = 0) -> LRFinderResult:
    """The learning-rate range test: ``steps`` training steps with the rate growing from ``min_lr`` to ``max_lr``.

    Step ``i`` uses the rate ``min_lr · (max_lr / min_lr)^(i / (steps − 1))`` on the next batch of the
    (shuffled) data, with a fresh optimizer of the model's kind; the test stops early once the
    smoothed loss exceeds ``stop_factor`` times its lowest value or turns non-finite. The model,
    its optimizer and the random generators are unchanged.

    Args:
        model: a compiled neuronet model (or pass ``loss``).
        x, y: training data (a few thousand samples are plenty).
        sample_weight: optional per-sample weights. Defaults to None.
        loss: the loss for a model that is not compiled. Defaults to None.
        optimizer: the optimizer to test (name or object). Defaults to a fresh copy of the model's.
        min_lr: the first rate. Defaults to 1e-6.
        max_lr: the last rate. Defaults to 10.0.
        steps: number of steps. Defaults to 200.
        batch_size: samples per step. Defaults to 32.
        beta: smoothing factor of the moving average of the loss. Defaults to 0.9.
        stop_factor: stop when the smoothed loss exceeds this multiple of its lowest value. Defaults to 4.0.
        seed: seed of the batch order. Defaults to 0.

    Returns:
        A :class:`LRFinderResult` (``rates``, ``losses``, ``smoothed``, ``suggestion``, ``min_loss_rate``;
        ``result.plot()`` draws the curve).

    Example::

        result = diagnostics.find_learning_rate(model, x_train, y_train)
        print(result)                        # ... falls fastest at 3.2e-03 (suggested learning rate)
        model.optimizer.learning_rate = result.suggestion
    """
    where = "find_learning_rate"
    min_lr = _access.number(where, "min_lr", min_lr, 1e-12, None)
    max_lr = _access.number(where, "max_lr", max_lr, 1e-12, None)
    if max_lr <= min_lr:
        raise ValueError(f"{where}: expected max_lr > min_lr, received min_lr={min_lr:g} and max_lr={max_lr:g}")
    steps = _access.number(where, "steps", steps, 2, None, integer=True)
    batch_size = _access.number(where, "batch_size", batch_size, 1, None, integer=True)
    beta = _access.number(where, "beta", beta, 0.0, 0.999)
    stop_factor = _access.number(where, "stop_factor", stop_factor, 1.0, None)
    saved = _access.RandomState(model)
    try:
        xs, twin, catcher, opt = _training_copy(model, x, y, sample_weight, loss, optimizer, where)
        n = _access.rows(xs)
        order = np.random.default_rng(seed).permutation(n)
        rates, losses, smoothed = [], [], []
        average, best, stopped = 0.0, math.inf, False
        for i in range(steps):
            rate = min_lr * (max_lr / min_lr) ** (i / (steps - 1))
            start = (i * batch_size) % n
            index = order[np.arange(start, start + batch_size) % n] if n > batch_size else order
            opt.learning_rate = rate
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is part of the test
                value, _ = _access.train_step(twin, catcher, _take(xs, index), _take(y, index),
                                              _take(sample_weight, index))
            rates.append(rate)
            losses.append(value)
            if not math.isfinite(value):
                smoothed.append(math.inf)
                stopped = i < steps - 1
                break
            average = beta * average + (1 - beta) * value
            smooth = average / (1 - beta ** (i + 1))
            smoothed.append(smooth)
            best = min(best, smooth)
            if smooth > stop_factor * best and i > 10:
                stopped = i < steps - 1
                break
    finally:
        saved.restore()
    suggestion, min_rate = _suggest(np.array(rates), np.array(smoothed))
    return LRFinderResult(rates, losses, smoothed, suggestion, min_rate, stopped)


def _suggest(rates: np.ndarray, smoothed: np.ndarray) -> tuple:
    """The rate of steepest descent of the smoothed loss before its minimum (the slope against
    ``log(rate)`` over a window of ±5 % of the steps, ignoring the first 10 %, where the moving average
    is still settling), and the rate at the minimum."""
    finite = np.isfinite(smoothed)
    r, s = rates[finite], smoothed[finite]
    if len(s) < 5:
        return None, None
    low = int(np.argmin(s))
    min_rate = float(r[low])
    k = max(1, len(rates) // 20)
    start = max(k, len(rates) // 10)
    if low - start < 1:
        return None, min_rate
    idx = np.arange(start, low + 1)
    hi = np.minimum(idx + k, len(s) - 1)
    slope = (s[hi] - s[idx - k]) / (np.log(r[hi]) - np.log(r[idx - k]))
    steepest = int(np.argmin(slope))
    return (float(r[idx[steepest]]) if slope[steepest] < 0 else None), min_rate


class OverfitResult:
    """The verdict of :func:`check_overfit_batch`.

    Attributes:
        passed: True when the loss fell to ``tolerance`` × its first value (or below).
        initial_loss, final_loss: the first and last step's loss.
        losses: every step's loss.
        verdict: one paragraph saying what happened and what to check.
    """

    def __init__(self, passed: bool, losses: list, verdict: str):
        self.passed, self.losses, self.verdict = passed, losses, verdict
        self.initial_loss = losses[0] if losses else math.nan
        self.final_loss = losses[-1] if losses else math.nan

    def __str__(self) -> str:
        return self.verdict

    def __repr__(self) -> str:
        return f"<OverfitResult passed={self.passed}, loss {self.initial_loss:.4g} -> {self.final_loss:.4g}>"

    def __bool__(self) -> bool:
        return self.passed


def check_overfit_batch(model, x, y, sample_weight=None, loss=None, optimizer=None, *, steps: int = 300,
                        max_samples: int = 32, tolerance: float = 0.05) -> OverfitResult:
    """Can the model memorize one small batch? Train a copy on it alone and give a clear verdict.

    The copy trains ``steps`` times on the same batch (the first ``max_samples`` rows of ``x``/``y``)
    with a fresh optimizer of the model's kind. It passes when the loss ends at most ``tolerance`` times
    its first value. Failing this usually means a bug, not too little training: targets that do not
    match the loss or the output layer (softmax over 1 unit, probabilities into a loss expecting logits),
    gradients that do not reach the first layers, or a learning rate far too small or too large.

    Args:
        model: a compiled neuronet model (or pass ``loss``).
        x, y: data; the first ``max_samples`` rows form the batch.
        sample_weight: optional per-sample weights. Defaults to None.
        loss: the loss for a model that is not compiled. Defaults to None.
        optimizer: the optimizer to use. Defaults to a fresh copy of the model's.
        steps: training steps on the batch. Defaults to 300.
        max_samples: the batch size. Defaults to 32.
        tolerance: pass when ``final loss ≤ tolerance · first loss``. Defaults to 0.05.

    Returns:
        An :class:`OverfitResult`: ``passed`` (also its truth value), ``initial_loss``, ``final_loss``,
        ``losses`` and ``verdict`` (printed by ``print(result)``).

    Example::

        result = diagnostics.check_overfit_batch(model, x_train, y_train)
        print(result)        # PASSED: the loss fell from 0.69 to 0.012 ... / FAILED: ... what to check
    """
    where = "check_overfit_batch"
    steps = _access.number(where, "steps", steps, 1, None, integer=True)
    max_samples = _access.number(where, "max_samples", max_samples, 1, None, integer=True)
    tolerance = _access.number(where, "tolerance", tolerance, 0.0, 1.0)
    saved = _access.RandomState(model)
    try:
        xs, twin, catcher, opt = _training_copy(model, x, y, sample_weight, loss, optimizer, where)
        index = np.arange(min(max_samples, _access.rows(xs)))
        xb, yb, swb = _take(xs, index), _take(y, index), _take(sample_weight, index)
        losses = []
        for _ in range(steps):
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging loss is reported, not warned
                value, _ = _access.train_step(twin, catcher, xb, yb, swb)
            losses.append(value)
            if not math.isfinite(value):
                break
    finally:
        saved.restore()
    from .compile_checks import loss_output_warnings

    mismatches = loss_output_warnings(model, loss if loss is not None else model.loss)
    return _verdict(losses, len(index), steps, tolerance, float(opt.learning_rate), mismatches)


def _verdict(losses: list, n: int, steps: int, tolerance: float, lr: float, mismatches: list) -> OverfitResult:
    first, last = losses[0], losses[-1]
    where = f"in {len(losses)} steps on one batch of {n} samples"
    if not math.isfinite(last):
        text = (f"FAILED: the loss became {last} at step {len(losses)} ({where}): the learning rate {lr:g} is too "
                "high for this model; lower it, or add clipnorm=1.0 to the optimizer.")
        return OverfitResult(False, losses, text)
    passed = last <= tolerance * first
    share = f"{100 * last / first:.1f} % of its start" if first > 0 else "from 0"
    if passed:
        text = (f"PASSED: the loss fell from {first:.4g} to {last:.4g} ({share}) {where}: the model, its loss and "
                "its gradients can fit data. If it does not learn the full data set, look at the data, the "
                "regularization or the capacity rather than for a bug.")
        return OverfitResult(True, losses, text)
    if last >= first:
        cause = (f"the loss did not fall ({first:.4g} → {last:.4g}) {where}. ")
    else:
        cause = f"the loss only fell from {first:.4g} to {last:.4g} ({share}) {where}. "
    checks = [m for m in mismatches]
    checks += ["the targets match the loss (integer labels → sparse_categorical_crossentropy, one-hot → "
               "categorical_crossentropy, 0/1 → binary_crossentropy with a sigmoid output)",
               "gradients reach the first layers (diagnostics.layer_gradients, GradientMonitor; deep sigmoid/tanh "
               "stacks vanish: use ReLU with he_normal)",
               f"the learning rate ({lr:g}): try diagnostics.find_learning_rate"]
    text = "FAILED: " + cause + "Check that:\n" + "\n".join(f"  - {c}" for c in checks)
    return OverfitResult(False, losses, text)
