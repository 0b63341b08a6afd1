"""RandAugment: a few augmentations chosen at random from a fixed list, for each batch, in training."""

from __future__ import annotations

from ...random import randint
from .auto_contrast import AutoContrast
from .equalization import Equalization
from .image_layer import ImagePreprocessingLayer, factor_pair
from .random_brightness import RandomBrightness
from .random_color_degeneration import RandomColorDegeneration
from .random_contrast import RandomContrast
from .random_posterization import RandomPosterization
from .random_rotation import RandomRotation
from .random_sharpness import RandomSharpness
from .random_shear import RandomShear
from .random_translation import RandomTranslation
from .solarization import Solarization

__all__ = ["RandAugment"]


class RandAugment(ImagePreprocessingLayer):
    """RandAugment (Cubuk et al. 2019, Keras ``RandAugment``); training only.

    For each batch, ``num_ops`` operations are picked at random (with repetition) from Keras's list —
    shear, translation, rotation, brightness, colour degeneration, contrast, sharpness, posterization,
    solarization, auto-contrast, equalization — and applied in turn, each with the magnitude range
    ``factor`` (posterization keeps ``max(1, int(8·upper))`` bits at most).

    The operations are those of Keras and read ``factor`` as Keras passes it to them, but the random
    draws are made as each operation runs rather than all up front as Keras does, so a seed gives a
    repeatable result that differs from Keras's.

    Args:
        value_range: the range of the pixel values. Defaults to (0, 255).
        num_ops: operations per batch. Defaults to 2.
        factor: a number f in [0, 1] (the range (0, f)) or a pair: the operations' magnitude. Defaults to 0.5.
        interpolation: of the geometric operations, 'bilinear' or 'nearest'. Defaults to 'bilinear'.
        seed: an integer seed. Defaults to None.
    """

    def __init__(self, value_range=(0, 255), num_ops: int = 2, factor=0.5, interpolation: str = "bilinear",
                 seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if isinstance(num_ops, bool) or not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError(f"RandAugment: expected num_ops to be a non-negative integer, received "
                             f"num_ops={num_ops!r}")
        self.value_range = tuple(value_range) if isinstance(value_range, (tuple, list)) else value_range
        self.num_ops, self.interpolation = num_ops, interpolation
        self.factor = factor_pair("RandAugment", "factor", factor, 0.0, 1.0)
        self._make_generator(seed)
        f, vr, dt = self.factor, value_range, self.dtype
        operations = [
            RandomShear(f, f, interpolation=interpolation, dtype=dt),
            RandomTranslation(f, f, interpolation=interpolation, dtype=dt),
            RandomRotation(f, interpolation=interpolation, dtype=dt),
            RandomBrightness(f, value_range=vr, dtype=dt), RandomColorDegeneration(f, value_range=vr, dtype=dt),
            RandomContrast(f, value_range=vr, dtype=dt), RandomSharpness(f, value_range=vr, dtype=dt),
            RandomPosterization(max(1, int(8 * f[1])), value_range=vr, dtype=dt),
            Solarization(f, f, value_range=vr, dtype=dt), AutoContrast(value_range=vr, dtype=dt),
            Equalization(value_range=vr, dtype=dt),
        ]
        for operation in operations:  # every operation draws from this layer's stream
            if hasattr(operation, "generator"):
                object.__setattr__(operation, "generator", self.generator)
        object.__setattr__(self, "_operations", operations)  # no weights: not tracked as sublayers

    def augment(self, x, batched):
        if self.num_ops:
            chosen = randint((self.num_ops,), 0, len(self._operations), seed=self.generator).data
            for index in chosen:
                x = self._operations[int(index)](x, training=True)
        return x

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(value_range=list(self.value_range), num_ops=self.num_ops, factor=list(self.factor),
                   interpolation=self.interpolation, seed=self.seed)
        return cfg
