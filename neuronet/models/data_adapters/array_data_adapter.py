"""Data held in memory: NumPy arrays, nested lists, Tensors, pandas DataFrames/Series."""

from __future__ import annotations

from ... import config
from ...utils.data import split_train_validation
from .data_adapter import DataAdapter
from .inputs import check_features, check_finite, input_labels, pack_inputs, standardize_inputs, to_numpy
from .targets import check_class_weight, sample_weights, standardize_targets

__all__ = ["ArrayDataAdapter"]


class ArrayDataAdapter(DataAdapter):
    """Batches of in-memory arrays, every check done before the first batch.

    The constructor converts and checks ``x`` (numeric, finite, not empty, the model's feature count)
    and its length against ``y``; :meth:`prepare_targets` then converts ``y`` for the built outputs,
    folds ``class_weight`` into the sample weights and holds out the validation split — the LAST
    ``validation_split`` fraction of the samples, taken before shuffling (as Keras), rounded down
    (``floor(n · (1 - split))`` samples train).

    Each epoch with ``shuffle`` gathers the data once in a new order (``config.rng()``), then every
    batch is a contiguous slice (a view, no copy).

    Args:
        x, y, sample_weight, class_weight: as given to ``fit``.
        spec: the model's :class:`DataSpec`.
        batch_size: samples per batch. Defaults to 32.
        shuffle: reshuffle the samples every epoch. Defaults to False.
        steps: batches per epoch (cycling through the data). Defaults to all the data once.
        validation_split: fraction in [0, 1) held out by :meth:`prepare_targets`. Defaults to 0.
    """

    def __init__(self, x, y=None, sample_weight=None, class_weight=None, *, spec, batch_size: int = 32,
                 shuffle: bool = False, steps: int | None = None, validation_split: float = 0.0):
        self.spec = spec
        arrays = standardize_inputs(x, spec)
        n = len(arrays[0])
        if n == 0:
            raise ValueError(f"{spec.where}: received empty data (0 samples)")
        for a, label in zip(arrays, input_labels(arrays, spec)):
            check_finite(a, f"{spec.where}: {label}")
        if y is not None and len(spec.output_names) <= 1:
            y = to_numpy(y, f"{spec.where}: y")
            n_y = len(y) if y.ndim else n  # a scalar y is refused with its own message by prepare_targets
            if n_y != n:
                raise ValueError(f"{spec.where}: x and y have different numbers of samples: x has {n}, y has {n_y}")
        check_features(arrays, spec)
        if class_weight is not None:
            check_class_weight(class_weight, spec.where)
        self._raw = (y, sample_weight, class_weight)
        self._steps_arg = steps
        self._set_arrays(arrays, None, None, batch_size, shuffle, steps)
        self.validation_split = float(validation_split)
        self.validation = None

    def _set_arrays(self, arrays: list, y, sw, batch_size: int, shuffle: bool, steps) -> None:
        self.arrays, self.y, self.sample_weight = arrays, y, sw
        self.num_samples = len(arrays[0])
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        batches = -(-self.num_samples // self.batch_size)
        self.steps = batches if steps is None else int(steps)
        self._bounds = [(0, self.num_samples)] if batches == 1 else \
            [(i * self.batch_size, min((i + 1) * self.batch_size, self.num_samples)) for i in range(batches)]

    @property
    def x(self):
        """The inputs in the model's format (one array, or a list with one per input)."""
        return pack_inputs(self.arrays, self.spec)

    def first_inputs(self):
        return pack_inputs([a[:1] for a in self.arrays], self.spec)

    def prepare_targets(self, targets: list) -> None:
        y, sample_weight, class_weight = self._raw
        n = self.num_samples
        y = standardize_targets(y, n, self.spec, targets)
        sw = sample_weights(sample_weight, class_weight, y, n, self.spec.where, self.spec.dtype, targets[0])
        self.y, self.sample_weight = y, sw
        if self.validation_split:
            (arrays, y, sw), held_out = split_train_validation([self.arrays, y, sw], self.validation_split)
            self.validation = held_out
            self._set_arrays(arrays, y, sw, self.batch_size, self.shuffle, self._steps_arg)
        self._raw = None

    def validation_adapter(self, batch_size: int, steps: int | None = None) -> ArrayDataAdapter | None:
        """The samples held out by ``validation_split`` as an adapter (no shuffling), or None."""
        if self.validation is None:
            return None
        arrays, y, sw = self.validation
        return ArrayDataAdapter._prepared(self.spec, arrays, y, sw, batch_size, steps)

    @classmethod
    def _prepared(cls, spec, arrays: list, y, sw, batch_size: int, steps) -> ArrayDataAdapter:
        """An adapter over data already converted and checked (the held-out part of a split)."""
        adapter = cls.__new__(cls)
        adapter.spec, adapter._raw, adapter._steps_arg = spec, None, steps
        adapter.validation_split, adapter.validation = 0.0, None
        adapter._set_arrays(arrays, y, sw, batch_size, False, steps)
        return adapter

    def _take(self, a, index):
        if a is None:
            return None
        if isinstance(a, list):  # one array per model input or output (None for an output without a loss)
            return [None if x is None else x[index] for x in a]
        return a[index]

    def epoch(self):
        arrays, y, sw = self.arrays, self.y, self.sample_weight
        if self.shuffle:
            perm = config.rng().permutation(self.num_samples)
            arrays, y, sw = self._take(arrays, perm), self._take(y, perm), self._take(sw, perm)
        spec = self.spec
        single = len(arrays) == 1 and spec.input_count == 1 and spec.found_nesting is None
        multi_y = isinstance(y, list)
        bounds = self._bounds
        for step in range(self.steps):
            start, stop = bounds[step % len(bounds)]
            xb = arrays[0][start:stop] if single else pack_inputs([a[start:stop] for a in arrays], spec)
            if multi_y:
                yb = [None if a is None else a[start:stop] for a in y]
            else:
                yb = None if y is None else y[start:stop]
            yield xb, yb, None if sw is None else sw[start:stop]
