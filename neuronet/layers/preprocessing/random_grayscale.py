"""RandomGrayscale: turn a random share of the images to grey (kept with their channel count), in training."""

from __future__ import annotations

from ... import ops
from ...random import uniform
from .image_layer import ImagePreprocessingLayer

__all__ = ["RandomGrayscale"]


class RandomGrayscale(ImagePreprocessingLayer):
    """Replace each image, with probability ``factor``, by its luma ``0.2989·R + 0.5870·G + 0.1140·B``
    repeated on every channel (Keras ``RandomGrayscale``); training only.

    Args:
        factor: the probability, in [0, 1]. Defaults to 0.5.
        seed: an integer seed. Defaults to None.

    Input and output: RGB (or one-channel) images ``(batch, height, width, channels)`` or one image.
    Differentiable in the images.
    """

    def __init__(self, factor: float = 0.5, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0.0 <= factor <= 1.0:
            raise ValueError(f"RandomGrayscale: expected factor to be a number in [0, 1], received factor={factor!r}")
        self.factor = float(factor)
        self._make_generator(seed)

    def augment(self, x, batched):
        draw = uniform((x.shape[0],), 0.0, 1.0, seed=self.generator).data  # Keras: one draw per image
        apply = (draw < self.factor).reshape(-1, 1, 1, 1)
        grey = ops.image.rgb_to_grayscale(x)
        return ops.where(apply, ops.add(ops.zeros_like(x), grey), x)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(factor=self.factor, seed=self.seed)
        return cfg
