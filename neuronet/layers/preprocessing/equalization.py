"""Equalization: histogram equalization of each channel, in training."""

from __future__ import annotations

import numpy as np

from ...autograd import Tensor
from .image_layer import ImagePreprocessingLayer, value_range_pair

__all__ = ["Equalization"]


class Equalization(ImagePreprocessingLayer):
    """Spread each channel's values evenly over the range by histogram equalization (Keras
    ``Equalization``).

    As Keras does, each channel's histogram (``bins`` bins over the value range) is taken over the
    whole batch, the cumulative histogram becomes a lookup table to [0, 255] (rounded), and a channel
    with a single occupied bin is left unchanged. Like Keras's it is applied when called directly or in
    ``fit`` and skipped in ``predict``/``evaluate``. Not differentiable (a table lookup).

    Args:
        value_range: the range of the pixel values. Defaults to (0, 255).
        bins: the number of histogram bins. Defaults to 256.
    """

    def __init__(self, value_range=(0, 255), bins: int = 256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 2:
            raise ValueError(f"Equalization: expected bins to be an integer >= 2, received bins={bins!r}")
        self.bins = int(bins)
        self.value_range = value_range_pair("Equalization", value_range)

    def _equalize(self, channel: np.ndarray) -> np.ndarray:
        """One channel (every image of the batch), on the [0, 255] scale."""
        bins = self.bins
        index = np.clip((channel * (bins - 1) / 255.0).astype(np.int32), 0, bins - 1)
        histogram = np.bincount(index.ravel(), minlength=bins)
        if np.count_nonzero(histogram) <= 1:
            return channel
        cdf = np.cumsum(histogram)
        cdf_min = cdf[np.nonzero(cdf)[0][0]]
        denominator = cdf[-1] - cdf_min or 1
        table = np.clip(np.round((cdf - cdf_min) * 255 / denominator), 0, 255)
        return table[index].astype(channel.dtype)

    def augment(self, x, batched):
        low, high = self.value_range
        scaled = (x.data - low) * (255.0 / (high - low))
        out = np.stack([self._equalize(scaled[..., c]) for c in range(x.shape[-1])], axis=-1)
        return Tensor._wrap((out * ((high - low) / 255.0) + low).astype(x.dtype))

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(bins=self.bins, value_range=list(self.value_range))
        return cfg
