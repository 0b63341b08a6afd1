"""RandomColorJitter: random brightness, contrast, saturation and hue changes in one layer, in training."""

from __future__ import annotations

from .image_layer import ImagePreprocessingLayer
from .random_brightness import RandomBrightness
from .random_contrast import RandomContrast
from .random_hue import RandomHue
from .random_saturation import RandomSaturation

__all__ = ["RandomColorJitter"]


class RandomColorJitter(ImagePreprocessingLayer):
    """Apply, in this order, RandomBrightness, RandomContrast, RandomSaturation and RandomHue, each only
    when its factor is given (Keras ``RandomColorJitter``); training only.

    The four draw from this layer's one seeded stream, in Keras's order, so a seed gives Keras's result.

    Args:
        value_range: the range of the pixel values. Defaults to (0, 255).
        brightness_factor, contrast_factor, saturation_factor, hue_factor: the factor of each change,
            as the layers of those names read it; None (the default) leaves that change out.
        seed: an integer seed. Defaults to None.

    Differentiable in the images (almost everywhere).
    """

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None, saturation_factor=None,
                 hue_factor=None, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = tuple(value_range) if isinstance(value_range, (tuple, list)) else value_range
        self.brightness_factor, self.contrast_factor = brightness_factor, contrast_factor
        self.saturation_factor, self.hue_factor = saturation_factor, hue_factor
        self._make_generator(seed)
        steps = [(RandomBrightness, brightness_factor), (RandomContrast, contrast_factor),
                 (RandomSaturation, saturation_factor), (RandomHue, hue_factor)]
        changes = [cls(factor, value_range=value_range, dtype=self.dtype) for cls, factor in steps
                   if factor is not None]
        for change in changes:  # every change draws from this layer's stream
            object.__setattr__(change, "generator", self.generator)
        object.__setattr__(self, "_changes", changes)  # no weights: not tracked as sublayers

    def augment(self, x, batched):
        for change in self._changes:
            x = change(x, training=True)
        return x

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(value_range=list(self.value_range), brightness_factor=self.brightness_factor,
                   contrast_factor=self.contrast_factor, saturation_factor=self.saturation_factor,
                   hue_factor=self.hue_factor, seed=self.seed)
        return cfg
