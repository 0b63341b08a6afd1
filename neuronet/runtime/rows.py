"""Row plans: how an op whose rows (samples) are independent runs them — whole, or in slices over threads.

An op describes its work and leaves the rest to the runtime::

    plan = runtime.plan_rows(n, work_per_row)        # in forward; kept for backward
    outs = plan.map(self._forward_rows)              # [f(i, s) for each slice s of range(n)]
    gw, gb = plan.map_sum(self._backward_rows)       # the same slices; their (gw, gb) added in slice order

``work_per_row`` is roughly the number of array elements one row's work reads or writes (a GEMM's
multiply-add counts 1/16). The plan is one of:

- **as is** — one call ``f(0, slice(None))`` with BLAS as configured: work below ``policy.tiny_work``
  (BLAS would not thread such small products anyway), a dense product of at least
  ``policy.threaded_blas_macs`` multiply-adds while no op has split its batch recently, or an
  optimizer's update after such a product (the dense rule, below);
- **whole** — one call under ``policy.blas_threads`` BLAS threads (1 by default): the batch is too
  small to cut, splitting is off (``policy.num_threads`` = 1), or this runs inside a slice already;
- **slices** — one slice per thread (``policy.num_threads``), each with at least
  ``policy.min_slice_work`` work and ``min_rows`` rows, run in parallel or one after the other as
  timed faster at this call site (:mod:`neuronet.runtime.threads`), under the BLAS setting.

The dense rule (``policy.threaded_blas_macs``, 2²³ multiply-adds by default; never when
``policy.num_threads`` is 1). A dense product at least that large (``gemm_macs``) runs whole on
OpenBLAS's own threads while none of the last ``policy.recent_calls`` slicing decisions cut a batch
into slices (counted, never timed, so every run of a model chooses alike): on a quiet machine
OpenBLAS's threads run a large product faster than row slices on Python threads (their hand-off spins
instead of sleeping). Where another op of the model splits its batch, the products are sliced too,
since OpenBLAS's idle threads keep spinning after each call and would take the core those slices need.
For the same reason an optimizer's update (``update=True``) runs whole while the model's last large
product went to BLAS's threads, and its slices never count as splits. The cost: when other work shares
the cores, OpenBLAS's threads wait at barriers for a descheduled partner and such a product runs
several times slower; ``None`` cuts every dense product into row slices like any other op (the same
bits whatever the load, one core's speed at worst) — benchmarks/README.md has both measured.

The slices depend only on ``n``, the work and ``policy.num_threads``, and sums over the batch are
added in slice order, so parallel and serial runs of a plan give the same bits.
"""

from __future__ import annotations

from . import memory
from .blas import blas_threads
from .policy import policy
from . import threads

_AS_IS, _WHOLE, _SLICES = 0, 1, 2
# for the dense rule: slicing decisions so far, the count at the last one that cut a batch, and whether
# a large product went to BLAS's threads after that
_SPLITS = {"calls": 0, "last": None, "on_blas": False}


class RowPlan:
    """The slices of ``range(n)`` an op's rows run in, and how (see the module docstring)."""

    __slots__ = ("slices", "mode", "work")

    def __init__(self, slices: list, mode: int, work: float = 0.0):
        self.slices, self.mode, self.work = slices, mode, work

    def map(self, fn) -> list:
        """``[fn(i, s) for i, s in enumerate(self.slices)]`` run the planned way (``s``: a slice of
        the rows; ``slice(None)`` when the plan is one whole call)."""
        if self.mode == _AS_IS:
            return [fn(0, self.slices[0])]
        with blas_threads():
            if self.mode == _WHOLE:
                return [fn(0, self.slices[0])]
            return threads.run_slices(fn, self.slices, (fn.__code__, self.slices[-1].stop, len(self.slices), self.work))

    def map_sum(self, fn):
        """The per-slice results of ``fn`` (each a tuple, e.g. a weight and a bias gradient) added up
        component by component in slice order (None stays None): ``fn(0, s)`` itself for one slice."""
        if len(self.slices) == 1:
            if self.mode == _AS_IS:
                return fn(0, self.slices[0])
            with blas_threads():
                return fn(0, self.slices[0])
        parts = self.map(fn)
        return tuple(add_up([p[k] for p in parts]) for k in range(len(parts[0])))

    @property
    def split(self) -> bool:
        """True when the rows run in several slices."""
        return len(self.slices) > 1


_AS_IS_PLAN = RowPlan([slice(None)], _AS_IS)
_WHOLE_PLAN = RowPlan([slice(None)], _WHOLE)


def slices_for(n: int, work_per_row: float, min_rows: int = 1, count: bool = True) -> list:
    """The consecutive slices of ``range(n)``: one per thread as long as each gets at least
    ``policy.min_slice_work`` work and ``min_rows`` rows, else one. Counts as a slicing decision for
    the dense rule unless ``count`` is False."""
    parts = 1 if threads.in_slice() else policy.num_threads
    if parts > 1:
        parts = max(1, min(parts, n // max(min_rows, 1), int(n * work_per_row // max(policy.min_slice_work, 1e-9))))
    if count:
        _SPLITS["calls"] += 1
        if parts > 1:
            _SPLITS["last"], _SPLITS["on_blas"] = _SPLITS["calls"], False
    return [slice(n * i // parts, n * (i + 1) // parts) for i in range(parts)]


def split_recently() -> bool:
    """True when one of the last ``policy.recent_calls`` slicing decisions cut a batch into slices."""
    last = _SPLITS["last"]
    return last is not None and _SPLITS["calls"] - last < policy.recent_calls


def plan_rows(n: int, work_per_row: float, *, min_rows: int = 1, gemm_macs: float = 0,
              update: bool = False) -> RowPlan:
    """How to run an op's ``n`` independent rows (see the module docstring).

    Args:
        n: the number of rows (samples).
        work_per_row: array elements one row's work reads or writes, roughly.
        min_rows: the fewest rows a slice may have. Defaults to 1.
        gemm_macs: multiply-adds of the op's largest matrix product over all rows, for the dense
            rule; 0 (the default) for ops it does not apply to.
        update: True for an optimizer's elementwise update of a variable's ``n`` elements: it runs
            whole while the dense rule has the model's products on BLAS's threads, and its slices do
            not count as splits. Defaults to False.
    """
    memory.first_use()
    if n * work_per_row < policy.tiny_work:
        return _AS_IS_PLAN
    big = policy.threaded_blas_macs
    if big is not None and policy.num_threads > 1:  # one thread asked for: BLAS's threads are not taken
        if update and _SPLITS["on_blas"]:
            return _AS_IS_PLAN
        if gemm_macs >= big and not split_recently():
            _SPLITS["on_blas"] = True
            return _AS_IS_PLAN
    slices = slices_for(n, work_per_row, min_rows, count=not update)
    if len(slices) == 1:
        return _WHOLE_PLAN
    return RowPlan(slices, _SLICES, work_per_row)


def add_up(parts: list):
    """The sum of per-slice partial results (kernel gradients) in slice order; None stays None."""
    total = parts[0]
    if total is None or len(parts) == 1:
        return total
    total = total + parts[1]
    for part in parts[2:]:
        total += part
    return total
