"""Keras's ``keras.backend`` names that scripts commonly call: session reset and float settings.

neuronet has one backend — NumPy with its own autograd — so this module only forwards to
``neuronet.config`` and ``neuronet.utils``.
"""

from __future__ import annotations

from .config import epsilon, floatx, set_epsilon, set_floatx
from .utils import clear_session

__all__ = ["backend", "clear_session", "epsilon", "floatx", "image_data_format", "set_epsilon", "set_floatx",
           "set_image_data_format"]


def backend() -> str:
    """The name of the computation backend: ``'numpy'``."""
    return "numpy"


def image_data_format() -> str:
    """Always ``'channels_last'``: images are (batch, height, width, channels)."""
    return "channels_last"


def set_image_data_format(data_format: str) -> None:
    """Accept ``'channels_last'``; neuronet's image layers are channels-last only."""
    if data_format != "channels_last":
        raise ValueError(
            f"set_image_data_format: neuronet supports only 'channels_last', received {data_format!r}"
        )
