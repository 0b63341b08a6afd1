"""CutMix: paste a random box of another image of the batch into each image (mixing labels by area)."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...random import beta, shuffle, uniform
from .image_layer import ImagePreprocessingLayer, factor_pair
from .mix_up import blend_with_permuted

__all__ = ["CutMix"]


class CutMix(ImagePreprocessingLayer):
    """CutMix augmentation (Yun et al. 2019, Keras ``CutMix``); training only.

    Per batch, ``a`` is drawn from the ``factor`` range; per image, ``λ ~ Beta(a, a)`` sets a box of
    ``sqrt(1 - λ)`` times the height and width at a random place, and the box is filled from another
    image of the batch (a random permutation). Labels are mixed by the box's area::

        images[b] ← where(box_b, images[permutation[b]], images[b])
        labels ← w·labels + (1 - w)·labels[permutation],   w = 1 - box area / image area

    Called on images it returns images; on ``{"images": ..., "labels": ...}`` the dict with both mixed.
    A single image (no batch axis) is returned unchanged, as in Keras.

    Args:
        factor: a number f in [0, 1] (the range (0, f)) or a pair: the range of ``a``. Defaults to 1.0.
        seed: an integer seed. Defaults to None.

    Differentiable in the images.
    """

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair("CutMix", "factor", factor, 0.0, 1.0)
        self._make_generator(seed)

    def _bounds(self, n: int, length: int, ratio: np.ndarray) -> tuple:
        crop = (ratio * length).astype(self.dtype)
        start = uniform((n,), 0.0, 1.0, dtype=self.dtype, seed=self.generator).data * (length - crop)
        return start, start + crop

    def call(self, inputs, training=True):
        data = dict(inputs) if isinstance(inputs, dict) else {"images": inputs}
        unknown = sorted(set(data) - {"images", "labels"})
        if "images" not in data or unknown:
            raise ValueError(f"CutMix '{self.name}': expected images or a dict with 'images' (and 'labels'), "
                             f"received keys {sorted(data)}")
        batched = data["images"].ndim == 4
        x, _ = self._images(data["images"])
        if training and batched:
            n, height, width = x.shape[0], x.shape[1], x.shape[2]
            # Keras's draw order: a, the weights, the x bounds, the y bounds, the permutation
            a = float(uniform((), self.factor[0], self.factor[1], dtype=self.dtype, seed=self.generator).data) + 1e-6
            ratio = np.sqrt(1.0 - beta((n,), a, a, dtype=self.dtype, seed=self.generator).data)
            x0, x1 = self._bounds(n, width, ratio)
            y0, y1 = self._bounds(n, height, ratio)
            order = shuffle(np.arange(n, dtype="int32"), seed=self.generator).data.astype(np.int64)
            rows = np.arange(height, dtype=self.dtype)[None, :, None, None]
            cols = np.arange(width, dtype=self.dtype)[None, None, :, None]
            box = ((cols >= x0[:, None, None, None]) & (cols < x1[:, None, None, None])
                   & (rows >= y0[:, None, None, None]) & (rows < y1[:, None, None, None]))
            x = ops.where(np.broadcast_to(box, x.shape), ops.take(x, order, axis=0), x)
            if "labels" in data:
                kept = (1.0 - (x1 - x0) * (y1 - y0) / (width * height)).astype(x.dtype)  # the image's own share
                data["labels"] = blend_with_permuted(data["labels"], order, kept)
        data["images"] = self._restore(x, batched)
        return data if isinstance(inputs, dict) else data["images"]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(factor=list(self.factor), seed=self.seed)
        return cfg
