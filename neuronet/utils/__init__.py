"""Utilities: seeding, one-hot labels, padding sequences, data adapters, naming, plot_model."""

from ..config import set_random_seed
from . import naming
from .data import *  # noqa: F401,F403
from .model_visualization import model_to_dot, plot_model
from .naming import reset_names
from .sequence import *  # noqa: F401,F403


def clear_session() -> None:
    """Reset layer-name counters (as ``keras.backend.clear_session``): the next Dense is 'dense' again."""
    reset_names()


__all__ = ["clear_session", "model_to_dot", "naming", "plot_model", "set_random_seed"]
