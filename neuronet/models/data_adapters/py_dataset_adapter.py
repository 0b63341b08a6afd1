"""Batches from a :class:`neuronet.utils.PyDataset` (``__len__`` batches, ``__getitem__(i)`` each)."""

from __future__ import annotations

from .data_adapter import BatchSourceAdapter

__all__ = ["PyDatasetAdapter"]


class PyDatasetAdapter(BatchSourceAdapter):
    """Walks a PyDataset's batches in order, each checked as it is loaded; ``on_epoch_end`` is passed on
    to the dataset after every epoch (to reshuffle).

    Args:
        dataset: a PyDataset, or any object with ``__len__`` and ``__getitem__`` giving batches.
        spec: the model's :class:`DataSpec`.
        steps: batches per epoch (cycling through the dataset). Defaults to ``len(dataset)``.
        class_weight: ``{class: weight}`` applied to every batch's samples. Defaults to None.
    """

    def __init__(self, dataset, *, spec, steps: int | None = None, class_weight=None):
        super().__init__(spec, class_weight)
        self.dataset = dataset
        self.steps = int(steps) if steps is not None else len(dataset)
        self._first = None  # batch 0, loaded by first_inputs and reused by the first epoch

    def first_inputs(self):
        if self._first is None:
            self._first = self.dataset[0]
        return self._first_inputs_of(self._first)

    def epoch(self):
        n = len(self.dataset)
        for i in range(self.steps):
            if i % n == 0 and self._first is not None:
                batch, self._first = self._first, None
            else:
                batch = self.dataset[i % n]
            yield self.convert(batch)

    def on_epoch_end(self) -> None:
        if hasattr(self.dataset, "on_epoch_end"):
            self.dataset.on_epoch_end()
