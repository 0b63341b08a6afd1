"""Discretization: continuous values → bucket indices, with boundaries given or learned as quantiles."""

from __future__ import annotations

import numpy as np

from ...autograd import Tensor
from .category_encoding import check_output_mode, encode_categorical, encoded_shape
from .data_layer import PreprocessingLayer, adapt_batches, to_array

__all__ = ["Discretization"]


# Approximate quantiles as in Keras: a "summary" is a 2-row array (sorted values, weights), merged batch
# by batch and compressed to about 1/epsilon points, so adapt runs in bounded memory.
def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    values = np.sort(values.reshape(-1))
    step = max(values.size / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_percents, summary[0])
    cum_weights = np.interp(percents, cum_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")


def _merge(a: np.ndarray, b: np.ndarray, epsilon: float) -> np.ndarray:
    merged = np.concatenate((a, b), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return _compress(merged, epsilon)


class Discretization(PreprocessingLayer):
    """Bucket continuous values (Keras ``Discretization``): value ``x`` goes to bucket ``i`` when
    ``boundaries[i-1] <= x < boundaries[i]`` (``np.digitize``), so ``n`` boundaries make ``n + 1`` buckets.

    Args:
        bin_boundaries: sorted boundaries, e.g. ``[0., 1., 2.]`` → buckets (-inf, 0), [0, 1), [1, 2),
            [2, inf). Defaults to None (learn them with :meth:`adapt`).
        num_bins: the number of buckets :meth:`adapt` learns, at approximately equal quantiles.
            Give either this or ``bin_boundaries``.
        epsilon: the error tolerance of the quantile summary (its size is ~1/epsilon). Defaults to 0.01.
        output_mode: 'int' (bucket indices), 'one_hot', 'multi_hot' or 'count'. Defaults to 'int'.
        sparse: must be False (outputs are dense).

    The boundaries (given or learned) are saved in ``get_config``, as Keras does.

    Example::

        >>> Discretization(bin_boundaries=[0., 1., 2.])(np.array([[-1.5, 1.0, 3.4, 0.5]]))
        Tensor([[0, 2, 3, 1]], dtype=int32)
    """

    def __init__(self, bin_boundaries=None, num_bins: int | None = None, epsilon: float = 0.01,
                 output_mode: str = "int", sparse: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.output_mode = check_output_mode("Discretization", output_mode)
        if sparse:
            raise ValueError("Discretization: sparse=True is not supported (neuronet has no sparse tensors)")
        if num_bins is not None and (isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer))
                                     or num_bins < 0):
            raise ValueError(f"Discretization: expected num_bins to be a non-negative integer, received "
                             f"num_bins={num_bins!r}")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"Discretization: give either num_bins or bin_boundaries, not both; received "
                             f"num_bins={num_bins} and bin_boundaries={bin_boundaries!r}")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("Discretization: you need to set either num_bins or bin_boundaries")
        if not 0.0 < float(epsilon) < 1.0:
            raise ValueError(f"Discretization: expected epsilon in (0, 1), received epsilon={epsilon!r}")
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in np.asarray(bin_boundaries, dtype=np.float64).reshape(-1)]
            if any(b2 < b1 for b1, b2 in zip(bin_boundaries, bin_boundaries[1:])):
                raise ValueError(f"Discretization: bin_boundaries must be sorted in increasing order, received "
                                 f"{bin_boundaries}")
        self.bin_boundaries = bin_boundaries
        self.num_bins = None if num_bins is None else int(num_bins)
        self.epsilon = float(epsilon)
        self.sparse = False
        self.summary = None if bin_boundaries else np.array([[], []], dtype="float32")

    @property
    def _output_dtype(self) -> str:
        return "int32" if self.output_mode == "int" else self.dtype

    def adapt(self, data, batch_size=None, steps: int | None = None) -> None:
        """Learn ``num_bins - 1`` boundaries at approximately equal quantiles of ``data`` (an array, a
        DataFrame, a PyDataset or a generator of batches)."""
        where = f"Discretization '{self.name}'.adapt"
        if self.num_bins is None:
            raise ValueError(f"{where}: the layer was initialized with bin_boundaries; use num_bins to adapt")
        summary = np.array([[], []], dtype="float32")
        seen = False
        for batch in adapt_batches(data, steps, where):
            batch = np.asarray(batch)
            if batch.dtype.kind not in "fiub":
                raise ValueError(f"{where}: expected numeric data, received an array of dtype {batch.dtype}")
            if batch.size == 0:
                continue
            seen = True
            summary = _merge(_summarize(batch.astype("float32"), self.epsilon), summary, self.epsilon)
        if not seen:
            raise ValueError(f"{where}: received no data (an empty array or no batches)")
        self.summary = summary
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization '{self.name}': pass bin_boundaries at construction or call adapt(data) "
                             "before using the layer")
        x = to_array(inputs)
        if x.dtype.kind not in "fiub":
            raise ValueError(f"Discretization '{self.name}': expected numeric inputs, received dtype {x.dtype}")
        indices = np.digitize(x, np.asarray(self.bin_boundaries, dtype=np.float64))
        out = encode_categorical(indices, self.output_mode, len(self.bin_boundaries) + 1, self._output_dtype,
                                 where=f"Discretization '{self.name}'")
        return Tensor._wrap(out)

    def compute_output_shape(self, input_shape):
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        return encoded_shape(input_shape, self.output_mode, depth)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(bin_boundaries=self.bin_boundaries, num_bins=self.num_bins, epsilon=self.epsilon,
                   output_mode=self.output_mode, sparse=self.sparse)
        return cfg

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")  # learned by adapt: restore them without re-adapting
            layer = cls(**config)
            layer.bin_boundaries = [float(b) for b in boundaries]
            return layer
        return cls(**config)
