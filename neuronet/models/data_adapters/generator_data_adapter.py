"""Batches from a Python generator (or any iterator) of ``(x, y[, sample_weight])`` tuples."""

from __future__ import annotations

from .data_adapter import BatchSourceAdapter

__all__ = ["GeneratorDataAdapter"]

_END = object()  # what _next returns once the iterator has ended


class GeneratorDataAdapter(BatchSourceAdapter):
    """Reads batches from one iterator across epochs: an epoch is ``steps`` batches, or the batches
    until the iterator ends when ``steps`` is None. Each batch is checked as it arrives.

    Args:
        source: a generator or other iterable of ``(x, y)`` / ``(x, y, sample_weight)`` tuples.
        spec: the model's :class:`DataSpec`.
        steps: batches per epoch. Defaults to None (until the iterator ends).
        class_weight: ``{class: weight}`` applied to every batch's samples. Defaults to None.
    """

    def __init__(self, source, *, spec, steps: int | None = None, class_weight=None):
        super().__init__(spec, class_weight)
        self.steps = None if steps is None else int(steps)
        self._iterator = iter(source)
        self._pending = None  # a batch read by first_inputs, handed out first by the next epoch

    def first_inputs(self):
        if self._pending is None:
            batch = self._next()
            if batch is _END:
                raise self._exhausted()
            self._pending = batch
        return self._first_inputs_of(self._pending)

    def _next(self):
        if self._pending is not None:
            batch, self._pending = self._pending, None
            return batch
        return next(self._iterator, _END)

    def _exhausted(self) -> ValueError:
        return ValueError(f"{self.spec.where}: the generator is exhausted; give steps_per_epoch with an endless "
                          "generator, or pass a PyDataset")

    def epoch(self):
        count = 0
        while self.steps is None or count < self.steps:
            batch = self._next()
            if batch is _END:
                if count == 0:
                    raise self._exhausted()
                return
            count += 1
            yield self.convert(batch)
