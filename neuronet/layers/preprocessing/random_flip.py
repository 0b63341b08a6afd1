"""RandomFlip: mirror images left-right and/or top-bottom at random, during training."""

from __future__ import annotations

from ... import ops
from .image_layer import ImagePreprocessingLayer, check_choice

__all__ = ["RandomFlip"]

_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


class RandomFlip(ImagePreprocessingLayer):
    """Flip each image with probability 1/2 (Keras ``RandomFlip``); active in training only.

    Args:
        mode: 'horizontal' (left-right), 'vertical' (top-bottom) or 'horizontal_and_vertical'
            (one coin per image: flipped both ways or not at all, as Keras). Defaults to
            'horizontal_and_vertical'.
        seed: an integer seed. Defaults to None.
        data_format: 'channels_last' (or None).

    Input: ``(batch, height, width, channels)`` or one image; output: the same shape, float.
    Differentiable with respect to the images.
    """

    def __init__(self, mode: str = "horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.mode = check_choice("RandomFlip", "mode", mode, _MODES)
        self._make_generator(seed)

    def augment(self, x, batched):
        flips = self._per_image_uniform(x, batched, 0.0, 1.0) <= 0.5
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            x = ops.where(flips, ops.flip(x, axis=2), x)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            x = ops.where(flips, ops.flip(x, axis=1), x)
        return x

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(seed=self.seed, mode=self.mode)
        return cfg


