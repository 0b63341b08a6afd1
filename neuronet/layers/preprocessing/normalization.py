"""Normalization: shift and scale features to mean 0 and variance 1 with statistics learned by ``adapt``."""

from __future__ import annotations

import math

import numpy as np

from ... import config
from ...autograd import Tensor
from .data_layer import PreprocessingLayer, adapt_batches, to_array

__all__ = ["Normalization"]


class Normalization(PreprocessingLayer):
    """Normalize continuous features: ``y = (x - mean) / max(sqrt(variance), ε)`` (Keras ``Normalization``).

    The mean and variance are either given or learned from data with :meth:`adapt`; learned ones are
    the layer's non-trainable weights ``mean``, ``variance`` and ``count`` (Keras's layout), so they
    are saved with the model. With ``invert=True`` the layer undoes the normalization:
    ``y = mean + x · max(sqrt(variance), ε)``. Differentiable with respect to its input.

    Args:
        axis: the axis or axes that keep separate statistics (each index along them gets its own
            mean and variance); the statistics are computed over all other axes. None: one scalar mean
            and variance for everything. Defaults to -1 (per feature of the last axis).
        mean: the mean to use instead of adapting, broadcast to the kept axes. Defaults to None.
        variance: the variance, given together with ``mean``. Defaults to None.
        invert: apply the inverse transformation. Defaults to False.

    Input shape: any, e.g. ``(batch, features)``; output shape: the same.

    Example::

        norm = Normalization()
        norm.adapt(x_train)                 # x_train: (n, features); an array, a DataFrame or batches
        model = Sequential([Input((features,)), norm, Dense(1)])
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert: bool = False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
            axis = (int(axis),)
        else:
            try:
                axis = tuple(int(a) for a in axis)
            except (TypeError, ValueError):
                raise ValueError(f"Normalization: expected axis to be an integer, a tuple of integers or None, "
                                 f"received axis={axis!r}") from None
        self.axis = axis
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization: when setting values directly, both mean and variance must be set; "
                             f"received mean={mean!r} and variance={variance!r}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(f"Normalization: mean and variance must have the same shape, received mean shape "
                                 f"{np.shape(mean)} and variance shape {np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(f"Normalization: the rank of mean must be at most the number of axes "
                                 f"({len(self.axis)}), received mean shape {np.shape(mean)} for axis {self.axis}")
            if np.any(np.asarray(variance) < 0):
                raise ValueError(f"Normalization: variance must be >= 0, received variance={variance!r}")
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.supports_masking = True
        self.mean = self.variance = None  # broadcastable arrays used by call

    # ------------------------------------------------------------------ building
    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"Normalization: all axis values must be in the range [-{ndim}, {ndim}); received "
                             f"inputs with ndim={ndim}, while axis={self.axis}")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(f"Normalization: the kept axes must have a known size; received axis={self.axis}, "
                                 f"input shape {tuple(input_shape)} with unknown axis {d}")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[d] if d in self._keep_axis else 1 for d in range(ndim))
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape, initializer="zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=self._mean_and_var_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int32", initializer="zeros",
                                         trainable=False)
            for var in (self.adapt_mean, self.adapt_variance, self.count):  # Variable makes 0-d values (1,)
                var.data = var.data.reshape(tuple(self._mean_and_var_shape) if var is not self.count else ())
        else:
            mean = np.asarray(self.input_mean, dtype=np.float64)
            variance = np.asarray(self.input_variance, dtype=np.float64)
            if mean.ndim:  # align the given values with the trailing kept axes
                expanded = [1] * ndim
                for i in range(1, mean.ndim + 1):
                    expanded[self._keep_axis[-i]] = mean.shape[-i]
                mean, variance = mean.reshape(expanded), variance.reshape(expanded)
            try:
                self.mean = np.broadcast_to(mean, self._broadcast_shape).astype(self.dtype)
                self.variance = np.broadcast_to(variance, self._broadcast_shape).astype(self.dtype)
            except ValueError:
                raise ValueError(f"Normalization: mean of shape {np.shape(self.input_mean)} does not broadcast to "
                                 f"the kept axes {self._mean_and_var_shape} of inputs of shape "
                                 f"{tuple(input_shape)}") from None
        self.built = True

    def _statistics(self) -> tuple:
        """``(mean, variance)`` shaped to broadcast against the inputs."""
        if self.input_mean is not None:
            return self.mean, self.variance
        return (self.adapt_mean.data.reshape(self._broadcast_shape),
                self.adapt_variance.data.reshape(self._broadcast_shape))

    # ------------------------------------------------------------------ adapt
    def adapt(self, data, batch_size=None, steps: int | None = None) -> None:
        """Compute the mean and variance of ``data`` (per index of the kept axes) and store them.

        Args:
            data: an array, a Tensor, a pandas DataFrame/Series, a list of array batches, a PyDataset
                or a generator of batches (``x`` or ``(x, y)``).
            batch_size: accepted for Keras compatibility (arrays are reduced in one pass).
            steps: the number of batches to read from a PyDataset or generator. Defaults to all.
        """
        where = f"Normalization '{self.name}'.adapt"
        if self.input_mean is not None:
            raise ValueError(f"{where}: the layer was given mean and variance, so there is nothing to adapt")
        total_mean = total_var = None
        total_count = 0
        for batch in adapt_batches(data, steps, where, list_is_batches=True):
            batch = np.asarray(batch)
            if batch.dtype.kind not in "fiub":
                raise ValueError(f"{where}: expected numeric data, received an array of dtype {batch.dtype}")
            if batch.ndim == 0:
                batch = batch.reshape(1)
            if not self.built:
                self.build(batch.shape)
                self._build_input_shape = tuple(batch.shape)
            for d in self._keep_axis:
                if d >= batch.ndim or batch.shape[d] != self._mean_and_var_shape[self._keep_axis.index(d)]:
                    raise ValueError(f"{where}: the layer keeps statistics for axes {self._keep_axis} of size "
                                     f"{self._mean_and_var_shape}, but received data of shape {batch.shape}")
            batch = batch.astype(np.float64)
            if batch.size and not np.all(np.isfinite(batch)):
                raise ValueError(f"{where}: the data contains NaN or Inf; remove or impute them before adapting")
            batch_mean = batch.mean(axis=self._reduce_axis)
            batch_var = batch.var(axis=self._reduce_axis)
            batch_count = math.prod(batch.shape[d] for d in self._reduce_axis) if self._reduce_axis else 1
            if batch_count == 0:
                continue
            if total_mean is None:
                total_mean, total_var, total_count = batch_mean, batch_var, batch_count
                continue
            # merge two groups' statistics (Chan et al.): weights by count, plus the spread of the means
            total_count += batch_count
            w_new = batch_count / total_count
            w_old = 1.0 - w_new
            new_mean = total_mean * w_old + batch_mean * w_new
            total_var = ((total_var + (total_mean - new_mean) ** 2) * w_old
                         + (batch_var + (batch_mean - new_mean) ** 2) * w_new)
            total_mean = new_mean
        if total_mean is None:
            raise ValueError(f"{where}: received no data (an empty array or no batches)")
        self.adapt_mean.assign(np.asarray(total_mean, dtype=self.adapt_mean.dtype))
        self.adapt_variance.assign(np.asarray(total_var, dtype=self.adapt_variance.dtype))

    # ------------------------------------------------------------------ calling
    def _check_kept_axes(self, shape) -> None:
        shape = tuple(shape)
        if len(shape) != len(self._broadcast_shape) or any(
                shape[d] is not None and shape[d] != self._broadcast_shape[d] for d in self._keep_axis):
            raise ValueError(f"Normalization '{self.name}': the layer keeps statistics of shape "
                             f"{self._mean_and_var_shape} for axes {self._keep_axis} of inputs of rank "
                             f"{len(self._broadcast_shape)}, but received inputs of shape {shape} (adapt a single "
                             "feature as a column, x.reshape(-1, 1), or use axis=None)")

    def compute_output_shape(self, input_shape):
        if self.built:
            self._check_kept_axes(input_shape)
        return tuple(input_shape)

    def call(self, inputs):
        x = inputs if isinstance(inputs, Tensor) else Tensor._wrap(to_array(inputs))
        self._check_kept_axes(x.shape)
        if x.dtype.kind not in "f":
            if x.dtype.kind not in "iub":
                raise ValueError(f"Normalization '{self.name}': expected numeric inputs, received dtype {x.dtype}")
            x = Tensor._wrap(x.data.astype(self.dtype))
        mean, variance = self._statistics()
        dtype = x.dtype
        # ε keeps a zero-variance feature finite: y = (x - mean) / max(√var, ε)
        scale = np.maximum(np.sqrt(variance.astype(np.float64)), config.epsilon()).astype(dtype)
        mean = mean.astype(dtype)
        if self.invert:
            return x * scale + mean
        return (x - mean) / scale

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(axis=list(self.axis), invert=self.invert,
                   mean=None if self.input_mean is None else np.asarray(self.input_mean).tolist(),
                   variance=None if self.input_variance is None else np.asarray(self.input_variance).tolist())
        return cfg
