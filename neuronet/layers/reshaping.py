"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector. They move numbers, never change them;
the batch axis is always kept."""

from __future__ import annotations

import numpy as np

from .. import ops
from .base import InputSpec, Layer

__all__ = ["Flatten", "Reshape", "Permute", "RepeatVector"]


def _prod(dims) -> int | None:
    out = 1
    for d in dims:
        if d is None:
            return None
        out *= int(d)
    return out


class Flatten(Layer):
    """Flattens each sample into a vector: ``(batch, d1, d2, ...)`` → ``(batch, d1·d2·...)``.

    Args:
        data_format: only 'channels_last' (the default) is supported.
    """

    def __init__(self, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"Flatten: only data_format='channels_last' is supported, received {data_format!r}")
        self.data_format = "channels_last"
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], _prod(input_shape[1:]))

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["data_format"] = self.data_format
        return cfg


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (the batch axis is kept; one entry may be -1).

    Args:
        target_shape: the new shape of one sample, e.g. ``(28, 28, 1)``.

    Shapes:
        ``(batch, *input_sample_shape)`` → ``(batch, *target_shape)``; the sizes must agree.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in target_shape) > 1 or any(d == 0 or d < -1 for d in target_shape):
            raise ValueError(f"Reshape: expected positive sizes and at most one -1, received target_shape="
                             f"{target_shape}")
        self.target_shape = target_shape

    def _resolve(self, sample_shape) -> tuple:
        size = _prod(sample_shape)
        known = _prod([d for d in self.target_shape if d != -1])
        if -1 in self.target_shape:
            if size is None:
                return tuple(None if d == -1 else d for d in self.target_shape)
            if size % known:
                raise ValueError(f"Layer '{self.name}': cannot reshape a sample of shape {tuple(sample_shape)} "
                                 f"({size} values) to {self.target_shape}")
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if size is not None and size != known:
            raise ValueError(f"Layer '{self.name}': cannot reshape a sample of shape {tuple(sample_shape)} "
                             f"({size} values) to {self.target_shape} ({known} values)")
        return self.target_shape

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0],) + self._resolve(inputs.shape[1:]))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(input_shape[1:])

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["target_shape"] = list(self.target_shape)
        return cfg


class Permute(Layer):
    """Permutes the sample axes; ``dims`` counts from 1 (the batch axis stays first).

    Args:
        dims: a permutation of ``1 .. ndim-1``, e.g. ``(2, 1)`` swaps the two axes of a sequence.

    Example::

        >>> Permute((2, 1))(np.zeros((4, 10, 64))).shape
        (4, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(int(d) for d in dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..{len(dims)}, received dims={dims}")
        self.dims = dims
        self.input_spec = InputSpec(ndim=len(dims) + 1)

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["dims"] = list(self.dims)
        return cfg


class RepeatVector(Layer):
    """Repeats each input vector ``n`` times: ``(batch, features)`` → ``(batch, n, features)``.

    Args:
        n: number of repetitions (positive integer).
    """

    def __init__(self, n: int, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
            raise ValueError(f"RepeatVector: expected n to be a positive integer, received n={n!r}")
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        # adding zeros broadcasts the copies; the engine sums their gradients back into one vector
        x = ops.reshape(inputs, (inputs.shape[0], 1, inputs.shape[1]))
        return x + np.zeros((1, self.n, inputs.shape[1]), inputs.dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["n"] = self.n
        return cfg
