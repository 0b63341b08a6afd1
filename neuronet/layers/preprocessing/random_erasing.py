"""RandomErasing: blank out a random box of a random share of the images, during training."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...random import normal, uniform
from .image_layer import ImagePreprocessingLayer, factor_pair, value_range_pair

__all__ = ["RandomErasing"]


class RandomErasing(ImagePreprocessingLayer):
    """Random erasing (Zhong et al. 2017, Keras ``RandomErasing``); training only.

    Per image, a box of ``sqrt(u_w)`` times the width and ``sqrt(u_h)`` times the height (``u`` drawn
    from ``scale``'s range) is placed at random and, with a probability drawn from ``factor``'s range,
    filled with ``fill_value`` — or, when it is None, with noise ``N(0, 1)·value_range[1]`` — clipped to
    ``value_range``.

    Args:
        factor: a number f in [0, 1] (the range (0, f)) or a pair: the erasing probability. Defaults to 1.0.
        scale: a pair in [0, 1]: the range of the box's area fraction per axis. Defaults to (0.02, 0.33).
        fill_value: a number, three numbers (per channel), or None for noise. Defaults to None.
        value_range: the range of the pixel values. Defaults to (0, 255).
        seed: an integer seed. Defaults to None.

    Differentiable in the images (zero gradient where erased).
    """

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255), seed=None,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair("RandomErasing", "factor", factor, 0.0, 1.0)
        self.scale = factor_pair("RandomErasing", "scale", scale, 0.0, 1.0)
        if fill_value is not None and not (isinstance(fill_value, (int, float)) and not isinstance(fill_value, bool)
                                           or isinstance(fill_value, (tuple, list)) and len(fill_value) == 3):
            raise ValueError(f"RandomErasing: the fill_value argument should be a number (or a list of three "
                             f"numbers) or None, received fill_value={fill_value!r}")
        self.fill_value = list(fill_value) if isinstance(fill_value, (tuple, list)) else fill_value
        self.value_range = value_range_pair("RandomErasing", value_range, ordered=False)
        self._make_generator(seed)

    def _bounds(self, n: int, length: int, ratio: np.ndarray) -> tuple:
        crop = (ratio * length).astype(self.dtype)
        start = uniform((n,), 0.0, 1.0, dtype=self.dtype, seed=self.generator).data * (length - crop)
        return start, start + crop

    def augment(self, x, batched):
        n, height, width = x.shape[0], x.shape[1], x.shape[2]
        # Keras's draw order: the box sizes, x and y starts, the probability, its threshold, the noise
        ratio = np.sqrt(uniform((n, 2), self.scale[0], self.scale[1], dtype=self.dtype, seed=self.generator).data)
        x0, x1 = self._bounds(n, width, ratio[:, 0])
        y0, y1 = self._bounds(n, height, ratio[:, 1])
        probability = uniform((n,), self.factor[0], self.factor[1], seed=self.generator).data
        apply = uniform((n,), 0.0, 1.0, seed=self.generator).data < probability
        if self.fill_value is None:
            fill = normal(tuple(x.shape), dtype=self.dtype, seed=self.generator).data * self.value_range[1]
        else:
            fill = np.broadcast_to(np.asarray(self.fill_value, self.dtype), tuple(x.shape))
        fill = np.clip(fill, self.value_range[0], self.value_range[1]).astype(x.dtype)
        rows = np.arange(height, dtype=self.dtype)[None, :, None, None]
        cols = np.arange(width, dtype=self.dtype)[None, None, :, None]
        box = ((cols >= x0[:, None, None, None]) & (cols < x1[:, None, None, None])
               & (rows >= y0[:, None, None, None]) & (rows < y1[:, None, None, None]))
        erase = np.broadcast_to(box & apply[:, None, None, None], tuple(x.shape))
        return ops.where(erase, fill, x)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(factor=list(self.factor), scale=list(self.scale), fill_value=self.fill_value,
                   value_range=list(self.value_range), seed=self.seed)
        return cfg
