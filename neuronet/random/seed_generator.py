"""SeedGenerator: the state of a random stream, stored as a variable so it is saved with the model.

Every random function of :mod:`neuronet.random` is *stateless* given its ``seed``: the same integer seed
gives the same numbers on every call (as in Keras 3). To get new numbers on every call, pass a
:class:`SeedGenerator`: each draw takes its current state ``[seed, counter]`` and advances the counter.

The state is a non-trainable variable named ``seed_generator_state``. A generator assigned to a layer
attribute (``self.seed_generator = SeedGenerator(1337)``) is tracked by that layer like a sublayer, so
its state appears among the layer's (and the model's) non-trainable weights and is saved and restored
by ``model.save``/``save_weights`` with no special code: a restored model continues the random stream
where the saved one stopped.

How a state becomes numbers: ``np.random.default_rng([seed, counter])`` (NumPy's SeedSequence hashes
the pair), then the NumPy draw that Keras's NumPy backend makes — so ``neuronet.random.normal(shape,
seed=42)`` equals ``keras.random.normal(shape, seed=42)`` under ``KERAS_BACKEND=numpy`` bit for bit.
"""

from __future__ import annotations

import numpy as np

from .. import config
from ..layers.base import Layer

__all__ = ["SeedGenerator", "draw_seed", "make_default_seed"]

_STATE_DTYPE = "uint32"  # Keras's NumPy backend seed dtype; every seed is reduced to 32 bits


def make_default_seed() -> int:
    """A fresh seed in [1, 10⁹) from the library generator (so ``set_random_seed`` makes it repeatable)."""
    return int(config.rng().integers(1, int(1e9)))


class SeedGenerator(Layer):
    """A stateful source of seeds for the random functions (Keras ``keras.random.SeedGenerator``).

    Args:
        seed: initial seed, a non-negative integer. Defaults to None (a seed drawn from the library
            generator, repeatable after ``neuronet.utils.set_random_seed``).
        name: the name; defaults to ``seed_generator``, ``seed_generator_1``, ...

    Attributes:
        state: the non-trainable ``uint32`` variable ``[seed, counter]`` (path
            ``'<name>/seed_generator_state'``).

    Example::

        gen = neuronet.random.SeedGenerator(seed=42)
        a = neuronet.random.normal((2, 3), seed=gen)
        b = neuronet.random.normal((2, 3), seed=gen)   # different from a; repeatable from seed 42

        class Sampling(neuronet.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.seed_generator = neuronet.random.SeedGenerator(1337)   # saved with the model

            def call(self, inputs):
                z_mean, z_log_var = inputs
                epsilon = neuronet.random.normal(z_mean.shape, seed=self.seed_generator)
                return z_mean + neuronet.ops.exp(0.5 * z_log_var) * epsilon
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs):
        kwargs.pop("backend", None)
        if kwargs:
            raise ValueError(f"SeedGenerator: unrecognized keyword arguments {sorted(kwargs)}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"SeedGenerator: expected seed to be a non-negative integer or None, received "
                             f"seed={seed!r}")
        super().__init__(name=name, trainable=False)
        self._initial_seed = None if seed is None else int(seed)
        start = make_default_seed() if seed is None else int(seed)
        initial = np.array([start & 0xFFFFFFFF, 0], _STATE_DTYPE)
        self.state = self.add_weight(shape=(2,), initializer=lambda shape, dtype=None: initial.copy(),
                                     dtype=_STATE_DTYPE, trainable=False, name="seed_generator_state")
        self.built = True

    def next(self, ordered: bool = True) -> np.ndarray:
        """The current state ``[seed, counter]`` (a copy); then advance it: ``counter += 1`` (ordered),
        or ``state = (state + 1) · 5387 mod 933199`` (the scrambled walk Keras uses for its global
        generator)."""
        current = self.state.data.copy()
        if ordered:
            self.state.data[1] = np.uint32((int(current[1]) + 1) & 0xFFFFFFFF)
        else:
            self.state.data[...] = ((current.astype(np.int64) + 1) * 5387 % 933199).astype(_STATE_DTYPE)
        return current

    def __call__(self, *args, **kwargs):
        raise TypeError(f"SeedGenerator '{self.name}' is not a layer to call; pass it as seed= to a "
                        "neuronet.random function")

    def compute_output_shape(self, input_shape):
        raise TypeError(f"SeedGenerator '{self.name}' has no output")

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name}, state={self.state.data.tolist()}>"


def draw_seed(seed, where: str = "neuronet.random") -> np.random.Generator:
    """The NumPy generator for one draw: ``seed`` an int (the same numbers every call), a
    :class:`SeedGenerator` (advanced by one), or None (the library generator ``config.rng()``)."""
    if isinstance(seed, SeedGenerator):
        return np.random.default_rng(seed.next())
    if seed is None:
        return config.rng()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"{where}: expected seed to be a non-negative integer, a SeedGenerator or None, "
                             f"received seed={seed}")
        return np.random.default_rng(np.array([int(seed) & 0xFFFFFFFF, 0], dtype=_STATE_DTYPE))
    raise ValueError(f"{where}: expected seed to be an integer, a SeedGenerator or None, received seed={seed!r} "
                     f"of type {type(seed).__name__}")
