"""MixUp: blend each image (and its label) with another image of the batch, during training."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...autograd import Tensor
from ...random import beta, shuffle
from .image_layer import ImagePreprocessingLayer


def blend_with_permuted(values, order: np.ndarray, weight: np.ndarray):
    """``values · w + values[order] · (1 − w)`` per sample, ``w`` broadcast over the trailing axes: the
    images (MixUp) or the labels (MixUp, CutMix) mixed with the batch's permutation ``order``."""
    if not isinstance(values, Tensor):
        values = Tensor._wrap(np.asarray(values, weight.dtype))
    w = weight.reshape(-1, *([1] * (values.ndim - 1)))
    return ops.add(ops.multiply(values, w), ops.multiply(ops.take(values, order, axis=0), 1 - w))

__all__ = ["MixUp"]


class MixUp(ImagePreprocessingLayer):
    """MixUp augmentation (Zhang et al. 2018, Keras ``MixUp``); training only.

    The batch is paired with a random permutation of itself, and each pair blended with a weight
    ``λ ~ Beta(alpha, alpha)``::

        images ← λ·images + (1 - λ)·images[permutation]
        labels ← λ·labels + (1 - λ)·labels[permutation]

    Called on images it returns images; called on ``{"images": ..., "labels": ...}`` (one-hot or soft
    labels) it returns the same dict with both mixed, which is how it is used in a data pipeline.

    Args:
        alpha: the Beta distribution's parameter (> 0). Defaults to 0.2.
        seed: an integer seed. Defaults to None.

    Differentiable in the images.
    """

    def __init__(self, alpha: float = 0.2, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha > 0:
            raise ValueError(f"MixUp: expected alpha to be a positive number, received alpha={alpha!r}")
        self.alpha = float(alpha)
        self._make_generator(seed)

    def call(self, inputs, training=True):
        data = dict(inputs) if isinstance(inputs, dict) else {"images": inputs}
        unknown = sorted(set(data) - {"images", "labels"})
        if "images" not in data or unknown:
            raise ValueError(f"MixUp '{self.name}': expected images or a dict with 'images' (and 'labels'), "
                             f"received keys {sorted(data)}")
        x, batched = self._images(data["images"])
        if training:
            n = x.shape[0]
            # Keras's draw order: the permutation, then the weights
            order = shuffle(np.arange(n, dtype="int64"), seed=self.generator).data.astype(np.int64)
            weight = beta((n,), self.alpha, self.alpha, seed=self.generator).data.astype(x.dtype)
            x = blend_with_permuted(x, order, weight)
            if "labels" in data:
                data["labels"] = blend_with_permuted(data["labels"], order, weight)
        data["images"] = self._restore(x, batched)
        return data if isinstance(inputs, dict) else data["images"]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(alpha=self.alpha, seed=self.seed)
        return cfg
