"""The random state training consumes, stored with a model so training resumes with the same draws.

Shuffling, dropout masks and noise layers draw from the library's generator
(``neuronet.config.rng()``), or from a layer's own generator when the layer was given a ``seed``.
A model file stores both, as neuronet's extension of Keras's ``metadata.json`` (Keras ignores keys
it does not know)::

    "neuronet": {"random_state": {"global": {"bit_generator": "PCG64", "state": {...}, ...},
                                  "layers": {"layers/dropout/_rng": {...}}}}

so ``fit`` for 5 epochs, save, load in a new process, ``fit`` 5 more gives the very weights of 10
epochs straight. Loading also leaves the global generator as it found it while the model is built
(:func:`untouched`): creating layers draws their initial weights, which the file then replaces.
"""

from __future__ import annotations

import contextlib

import numpy as np

from .. import config
from . import layout

__all__ = ["capture", "restore", "untouched"]


def _layer_generators(model) -> dict:
    """``{"<layer path>/<attribute>": generator}`` for every layer holding its own NumPy generator."""
    out, seen = {}, set()
    for entry in layout.walk(model):
        for name, value in entry.obj.__dict__.items():
            if isinstance(value, np.random.Generator) and id(value) not in seen:
                seen.add(id(value))
                out[f"{entry.path}/{name}" if entry.path else name] = (entry.obj, name, value)
    return out


def capture(model) -> dict:
    """The global generator's state and the state of every layer's own generator, as JSON data."""
    layers = {key: config.generator_state(gen) for key, (_, _, gen) in _layer_generators(model).items()}
    return {"global": config.get_rng_state(), "layers": layers}


def restore(model, state, where: str, restore_global: bool = True) -> None:
    """Put the generators back in the state :func:`capture` returned (all checked before any is set).

    Raises:
        ValueError: for a malformed state.
    """
    if state is None:
        return
    if not isinstance(state, dict):
        raise ValueError(f"{where}: the saved random state must be a dict, found {type(state).__name__}")
    layers = state.get("layers") or {}
    if not isinstance(layers, dict):
        raise ValueError(f"{where}: the saved random state of the layers must be a dict")
    targets = _layer_generators(model)
    probe = np.random.default_rng(0)
    checked = []
    for key, value in layers.items():
        target = targets.get(key)
        if target is None:
            continue  # a generator the rebuilt model does not have (e.g. its layer lost its seed)
        try:
            config.set_generator_state(probe, value)
        except ValueError as err:
            raise ValueError(f"{where}: the saved random state of '{key}' is malformed: {err}") from None
        checked.append((target, value))
    if restore_global and state.get("global") is not None:
        try:
            config.set_generator_state(probe, state["global"])
        except ValueError as err:
            raise ValueError(f"{where}: the saved global random state is malformed: {err}") from None
        config.set_rng_state(state["global"])
    for (layer, name, generator), value in checked:
        new = config.set_generator_state(generator, value)
        if new is not generator:
            object.__setattr__(layer, name, new)


@contextlib.contextmanager
def untouched():
    """Leave the global generator's state as it was before the block (however many draws it made)."""
    saved = config.get_rng_state()
    try:
        yield
    finally:
        config.set_rng_state(saved)
