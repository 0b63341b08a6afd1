"""Random numbers with Keras 3's API (``keras.random``): seeded draws and the SeedGenerator.

    normal, uniform, truncated_normal, randint, categorical, dropout, shuffle, gamma, beta, binomial

Each takes ``seed``: an int (the same values on every call), a :class:`SeedGenerator` (new values on
every call, its state saved with the model when a layer holds it), or None (the library generator).
See ``random.py`` for which draws pass gradients (the reparameterisation trick).
"""

from .random import *  # noqa: F401,F403
from .random import __all__ as _draws
from .seed_generator import SeedGenerator, draw_seed, make_default_seed

__all__ = ["SeedGenerator", "draw_seed", "make_default_seed", *_draws]
