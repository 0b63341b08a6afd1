"""``keras.ops.image``: resizing, affine resampling, crops and pads, colour spaces, blurs, edges, patches,
SSIM and ``map_coordinates`` (implemented in ``ops/images.py``), symbolic-aware like the other ops.

Not implemented: ``elastic_transform``, ``perspective_transform``, ``scale_and_translate`` and
``extract_patches_3d``.
"""

from __future__ import annotations

from . import images as _images
from .symbolic import keras_op as _keras_op

__all__ = list(_images.__all__)
globals().update({name: _keras_op(name, getattr(_images, name)) for name in __all__})
