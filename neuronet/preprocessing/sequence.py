"""``keras.preprocessing.sequence``: padding sequences to one length (see :mod:`neuronet.utils.sequence`)."""

from ..utils.sequence import pad_sequences

__all__ = ["pad_sequences"]
