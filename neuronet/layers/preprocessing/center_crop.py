"""CenterCrop: cut the central height × width window of images (in training and inference)."""

from __future__ import annotations

from .image_layer import SizedLayer
from ...ops.resampling import crop, resize

__all__ = ["CenterCrop"]


class CenterCrop(SizedLayer):
    """Crop the centre of images to ``(height, width)`` (Keras ``CenterCrop``), always active.

    An image smaller than the target in either side is instead cropped to the target's aspect ratio
    and resized (bilinear), as Keras's ``smart_resize``.

    Args:
        height, width: the output size.
        data_format: 'channels_last' (or None).

    Input: ``(batch, H, W, C)`` or ``(H, W, C)``; output: ``(batch, height, width, C)`` floats.
    Differentiable in the images.
    """

    _random = False

    def __init__(self, height: int, width: int, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_size(height, width)

    def call(self, inputs):
        x, batched = self._images(inputs)
        h, w = x.shape[1], x.shape[2]
        if h >= self.height and w >= self.width:
            out = crop(x, (h - self.height) // 2, (w - self.width) // 2, self.height, self.width)
        else:
            out = resize(x, (self.height, self.width), "bilinear", crop_to_aspect_ratio=True)
        return self._restore(out, batched)
