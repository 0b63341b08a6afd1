"""CenterCrop: cut the central height × width window of images (in training and inference)."""

from __future__ import annotations

from .image_layer import ImagePreprocessingLayer
from .image_ops import crop, resize
from .resizing import _positive

__all__ = ["CenterCrop"]


class CenterCrop(ImagePreprocessingLayer):
    """Crop the centre of images to ``(height, width)`` (Keras ``CenterCrop``), always active.

    An image smaller than the target in either side is instead cropped to the target's aspect ratio
    and resized (bilinear), as Keras's ``smart_resize``.

    Args:
        height, width: the output size.
        data_format: 'channels_last' (or None).

    Input: ``(batch, H, W, C)`` or ``(H, W, C)``; output: ``(batch, height, width, C)`` floats.
    Differentiable in the images.
    """

    def __init__(self, height: int, width: int, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = _positive("CenterCrop", "height", height)
        self.width = _positive("CenterCrop", "width", width)

    def __call__(self, inputs, *args, training=None, **kwargs):
        return super(ImagePreprocessingLayer, self).__call__(inputs, *args, training=training, **kwargs)

    def call(self, inputs):
        x, batched = self._images(inputs)
        h, w = x.shape[1], x.shape[2]
        if h >= self.height and w >= self.width:
            out = crop(x, (h - self.height) // 2, (w - self.width) // 2, self.height, self.width)
        else:
            out = resize(x, (self.height, self.width), "bilinear", crop_to_aspect_ratio=True)
        return self._restore(out, batched)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[-3], shape[-2] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(height=self.height, width=self.width)
        return cfg
