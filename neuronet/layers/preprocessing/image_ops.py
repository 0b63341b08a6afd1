"""The image kernels of the preprocessing layers, handed on from :mod:`neuronet.ops.resampling`
(where they live, beside the other ops)."""

from ...ops.resampling import (AFFINE_INTERPOLATIONS, FILL_MODES, RESIZE_INTERPOLATIONS, AffineSample,  # noqa: F401
                               ResizeAxis, affine_transform, crop, resize, resize_weights)
