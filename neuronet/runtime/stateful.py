"""Stateful slices: an op whose forward keeps state for its backward, run on slices of its batch.

The recurrent ops are such ops: each slice of samples runs the whole loop over time as an op of its
own and keeps its states until its backward. The op hands its forward to the runtime::

    self.run = runtime.forward_in_slices(self, args, batched=2, keyword_arrays={"mask": mask},
                                         options=kwargs, work_per_row=w)
    return self.run.outputs                       # in forward
    return self.run.backward(gy, self.needs_input_grad)   # in backward

A *slice op* class (the protocol) has:

- ``KIND``: a unique name, entered in the helpers' table by :func:`register_slice_op`;
- ``_forward(*args, **keyword_arrays, **options)``: the forward of a slice on raw arrays; returns a
  tuple of arrays batched along axis 0 and keeps on ``self`` what ``_backward`` needs;
- ``_backward(grads)``: one gradient per positional argument (None where ``needs_input_grad``, set by
  the runtime, is False);
- ``_reply_nbytes(args, options)`` (a classmethod): an upper bound of the bytes of either result for a
  slice with these arguments (the size of a helper's shared buffer).

The first ``batched`` positional arguments and every keyword array are cut along axis 0 (None stays
None); the others (weights) go whole to every slice. Outputs and the batched inputs' gradients are put
back together along axis 0, the other gradients summed in slice order: the same bits whichever way the
slices ran. Slices beyond the first run in helper processes where there are any
(:mod:`neuronet.runtime.helpers`), else on threads; either way each call site is timed against running
all slices here, one after the other.
"""

from __future__ import annotations

import time
import weakref

import numpy as np

from . import helpers as _helpers
from . import memory
from .blas import blas_threads
from .policy import policy
from .rows import add_up, slices_for
from . import threads


def forward_in_slices(op, args, *, batched: int, keyword_arrays: dict | None = None, options: dict | None = None,
                      work_per_row: float, min_rows: int | None = None) -> SlicedRun:
    """Run ``type(op)._forward`` on slices of the batch (see the module docstring).

    Args:
        op: the op being applied; each slice runs in a new ``type(op)()``.
        args: the positional arrays of ``_forward``.
        batched: how many of ``args``, from the first, are cut along axis 0.
        keyword_arrays: arrays passed to ``_forward`` by keyword, cut along axis 0 (None stays None).
        options: other keyword arguments of ``_forward`` (JSON values: they may travel to a helper).
        work_per_row: array elements one sample's work reads or writes, roughly.
        min_rows: the fewest samples a slice may have. Defaults to ``policy.sequence_min_rows``.

    Returns:
        A :class:`SlicedRun`: its ``outputs``, and its ``backward``.
    """
    memory.first_use()
    run = SlicedRun(type(op), batched, args, keyword_arrays or {}, options or {}, work_per_row)
    run.forward(policy.sequence_min_rows if min_rows is None else min_rows)
    return run


class SlicedRun:
    """The forward of one op call, run in slices, kept until its backward."""

    def __init__(self, cls, batched, args, keyword_arrays, options, work):
        self.cls, self.batched, self.work = cls, batched, work
        self.args, self.keyword_arrays, self.options = args, keyword_arrays, options
        self.parts = self.helpers = self.slices = None
        self.outputs = None

    # ------------------------------------------------------------------ forward
    def forward(self, min_rows: int) -> None:
        args, n = self.args, len(self.args[0])
        self.slices = slices = slices_for(n, self.work, min_rows)
        if len(slices) == 1:
            with blas_threads():
                op = self.cls()
                self.outputs = op._forward(*args, **self.keyword_arrays, **self.options)
            self.parts = [op]
            self.args = self.keyword_arrays = None  # not needed again
            return
        cls = self.cls
        registered = _helpers.SLICE_OPS.get(getattr(cls, "KIND", None)) is cls
        team = _helpers.helpers(len(slices) - 1) if registered else None
        if team is None:
            results = self._on_threads(self._part, "forward")
        else:
            results = self._with_helpers(team)
        self.parts = [op for op, _ in results]
        if self.helpers is None:
            self.args = self.keyword_arrays = None
        self.outputs = tuple(np.concatenate([out[k] for _, out in results]) for k in range(len(results[0][1])))

    def _slice(self, s):
        """The positional and keyword arrays of ``_forward`` for the samples ``s``."""
        b = self.batched
        args = [a if k >= b or a is None else a[s] for k, a in enumerate(self.args)]
        return args, {name: None if a is None else a[s] for name, a in self.keyword_arrays.items()}

    def _part(self, _, s):
        op = self.cls()
        args, keyword = self._slice(s)
        return op, op._forward(*args, **keyword, **self.options)

    def _on_threads(self, part, way: str) -> list:
        slices = self.slices
        with blas_threads():
            return threads.run_slices(part, slices, (self.cls, way, slices[-1].stop, len(slices), self.work))

    def _with_helpers(self, team) -> list:
        """``[part(i, s) for each slice]``, slices 1… in the helpers when that was faster here. A helper
        keeps its slice's op (this run keeps (helper, key) in its place, and the inputs in case the
        helper is lost before the backward)."""
        slices = self.slices
        site = threads.timed_site((self.cls, "helpers", slices[-1].stop, len(slices), self.work))
        use = site.choose()
        start = time.perf_counter()
        try:
            if use:
                requests, keys = [], []
                names = list(self.keyword_arrays)
                for helper, s in zip(team, slices[1:]):
                    args, keyword = self._slice(s)
                    keys.append(helper.next_key)
                    helper.next_key += 1
                    fields = dict(op=self.cls.KIND, key=keys[-1], names=names, options=self.options)
                    requests.append((helper, "forward", args + [keyword[k] for k in names],
                                     self.cls._reply_nbytes(args, self.options), fields))
                try:
                    first, outputs = _helpers.run(requests, lambda: self._here(self._part, 0, slices[0]))
                except (_helpers.HelperError, _helpers.HelperSkip) as error:
                    if isinstance(error, _helpers.HelperError):
                        _helpers.failed()
                    use = None  # not timed: on threads this time
                    return self._on_threads(self._part, "forward")
                self.helpers = list(zip(team, keys))
                for helper, key in self.helpers:
                    weakref.finalize(self, helper.drop, key)
                return [first] + [(None, out) for out in outputs]
            return [self._here(self._part, i, s) for i, s in enumerate(slices)]
        finally:
            for helper in team:
                helper.lock.release()
            if use is not None:
                site.record(use, time.perf_counter() - start)

    @staticmethod
    def _here(work, *args):
        with blas_threads():
            return work(*args)

    # ------------------------------------------------------------------ backward
    def backward(self, gy: tuple, needs_input_grad: tuple) -> tuple:
        """The gradients of the op's positional inputs, from the gradients of its outputs."""
        if len(self.slices) == 1:
            op = self.parts[0]
            op.needs_input_grad = needs_input_grad
            with blas_threads():
                return op._backward(gy)
        if self.helpers is None:
            def part(i, s):
                op = self.parts[i]
                op.needs_input_grad = needs_input_grad
                return op._backward(tuple(g[s] for g in gy))

            results = self._on_threads(part, "backward")
        else:
            results = self._backward_with_helpers(gy, needs_input_grad)
        grads = [[r[k] for r in results] for k in range(len(results[0]))]
        return tuple(None if got[0] is None else np.concatenate(got) if k < self.batched else add_up(got)
                     for k, got in enumerate(grads))

    def _backward_with_helpers(self, gy, needs_input_grad) -> list:
        op, slices = self.parts[0], self.slices
        op.needs_input_grad = needs_input_grad
        team = [helper for helper, _ in self.helpers]
        requests = [(helper, "backward", [g[s] for g in gy], self.cls._reply_nbytes(self._slice(s)[0], self.options),
                     dict(key=key, needs=list(needs_input_grad)))
                    for (helper, key), s in zip(self.helpers, slices[1:])]
        for helper in team:
            helper.lock.acquire()
        try:
            first, rest = _helpers.run(requests, lambda: self._here(op._backward, tuple(g[slices[0]] for g in gy)))
            return [first] + [tuple(r) for r in rest]
        except (_helpers.HelperError, _helpers.HelperSkip) as error:  # redo the helpers' slices here
            if isinstance(error, _helpers.HelperError):
                _helpers.failed()
            return [self._here(op._backward, tuple(g[slices[0]] for g in gy))] + [
                self._redo_slice(s, gy, needs_input_grad) for s in slices[1:]]
        finally:
            for helper in team:
                helper.lock.release()

    def _redo_slice(self, s, gy, needs_input_grad):
        """Forward and backward of slice ``s`` here, when its helper was lost after the forward."""
        with blas_threads():
            op, _ = self._part(0, s)
            op.needs_input_grad = needs_input_grad
            return op._backward(tuple(g[s] for g in gy))
