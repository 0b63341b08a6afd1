"""RandomCrop: cut a random height × width window of the images during training; at inference, cut
the centre to the target's aspect ratio and resize."""

from __future__ import annotations

from ...random import uniform
from .image_layer import SizedLayer
from ...ops.resampling import crop, resize

__all__ = ["RandomCrop"]


class RandomCrop(SizedLayer):
    """Randomly crop images to ``(height, width)`` (Keras ``RandomCrop``).

    In training, one window position is drawn per call (the whole batch shares it, as Keras) when the
    images are larger than the target; otherwise — and always at inference — the largest centred
    window with the target's aspect ratio is cut and resized (bilinear) to the target.

    Args:
        height, width: the output size.
        seed: an integer seed. Defaults to None.
        data_format: 'channels_last' (or None).

    Input: ``(batch, H, W, C)`` or one image; output: ``(batch, height, width, C)``. Differentiable in
    the images.
    """

    def __init__(self, height: int, width: int, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(data_format=data_format, name=name, **kwargs)
        self._set_size(height, width)
        self._make_generator(seed)

    def call(self, inputs, training=True):
        x, batched = self._images(inputs)
        h, w = x.shape[1], x.shape[2]
        if training and h > self.height and w > self.width:
            top = int(uniform((), 0, float(h - self.height + 1), seed=self.generator).data)
            left = int(uniform((), 0, float(w - self.width + 1), seed=self.generator).data)
            out = crop(x, top, left, self.height, self.width)
        else:
            out = resize(x, (self.height, self.width), "bilinear", crop_to_aspect_ratio=True)
        return self._restore(out, batched)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["seed"] = self.seed
        return cfg
