"""MixUp: blend each image (and its label) with another image of the batch, during training."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...autograd import Tensor
from ...random import beta, shuffle
from .image_layer import ImagePreprocessingLayer

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
            x = ops.add(ops.multiply(x, weight.reshape(-1, 1, 1, 1)),
                        ops.multiply(ops.take(x, order, axis=0), (1.0 - weight).reshape(-1, 1, 1, 1)))
            if "labels" in data:
                labels = data["labels"]
                labels = labels if isinstance(labels, Tensor) else Tensor._wrap(np.asarray(labels, x.dtype))
                w = weight.reshape(-1, *([1] * (labels.ndim - 1)))
                data["labels"] = ops.add(ops.multiply(labels, w), ops.multiply(ops.take(labels, order, axis=0), 1 - w))
        data["images"] = self._restore(x, batched)
        return data if isinstance(inputs, dict) else data["images"]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(alpha=self.alpha, seed=self.seed)
        return cfg
