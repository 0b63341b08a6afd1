"""Layers with the Keras contract (``keras.layers``), one family per file."""

from .activation import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .base import InputSpec, Layer  # noqa: F401
from .conv import *  # noqa: F401,F403
from .conv3d import *  # noqa: F401,F403
from .core import *  # noqa: F401,F403
from .einsum_dense import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .masking import *  # noqa: F401,F403
from .merge import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .operator import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403
from .reshaping import *  # noqa: F401,F403
from .spatial import *  # noqa: F401,F403
from .wrappers import *  # noqa: F401,F403
from .preprocessing import *  # noqa: F401,F403
