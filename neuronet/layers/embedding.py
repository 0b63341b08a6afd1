"""Embedding: integer ids → dense vectors, the usual first layer for text and other tokens."""

from __future__ import annotations

import numpy as np

from .. import constraints, initializers, ops, regularizers
from ..autograd import Tensor
from .base import Layer

__all__ = ["Embedding"]


class Embedding(Layer):
    """Turns non-negative integer ids into dense vectors: ``output = embeddings[inputs]``.

    Args:
        input_dim: size of the vocabulary (largest id + 1).
        output_dim: size of each vector.
        embeddings_initializer: Defaults to 'uniform' (uniform in [-0.05, 0.05], as Keras).
        embeddings_regularizer: penalty on the table added to the loss. Defaults to None.
        embeddings_constraint: applied to the table after every update (see ``neuronet.constraints``).
            Defaults to None.
        mask_zero: treat id 0 as padding and emit a mask (batch, time) that is False there, which
            recurrent layers downstream use to skip the padded steps. Then id 0 cannot be a real
            token, so ``input_dim`` should be vocabulary size + 1. Defaults to False.
        weights: optional list with one initial table of shape (input_dim, output_dim).

    Input shape: integer ids (batch, ...), typically (batch, time).
    Output shape: (batch, ..., output_dim).

    Example::

        >>> layer = Embedding(1000, 64, mask_zero=True)
        >>> y = layer(np.array([[4, 25, 0, 0]]))
        >>> y.shape, y._keras_mask
        ((1, 4, 64), array([[ True,  True, False, False]]))
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero: bool = False, weights=None,
                 lora_rank=None, **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(f"Embedding: {arg} must be a positive integer, received {arg}={value!r}")
        if lora_rank is not None:
            raise ValueError(f"Embedding: lora_rank is not supported, received lora_rank={lora_rank!r}")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self._initializer_id = embeddings_initializer
        if isinstance(embeddings_initializer, str) and embeddings_initializer.lower() == "uniform":
            embeddings_initializer = initializers.RandomUniform(-0.05, 0.05)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self._initial_weights = weights

    def build(self, input_shape=None) -> None:
        self.embeddings = self.add_weight((self.input_dim, self.output_dim), self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint, name="embeddings")
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def _ids(self, inputs) -> np.ndarray:
        ids = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        if not np.issubdtype(ids.dtype, np.integer):
            if not np.issubdtype(ids.dtype, np.floating) or not np.all(ids == np.round(ids)):
                raise TypeError(f"Embedding '{self.name}': expected integer ids, received dtype {ids.dtype}"
                                + (" with non-integer values" if np.issubdtype(ids.dtype, np.floating) else ""))
            ids = ids.astype(np.int64)
        if ids.size:
            lo, hi = int(ids.min()), int(ids.max())
            if lo < 0 or hi >= self.input_dim:
                bad = lo if lo < 0 else hi
                raise ValueError(f"Embedding '{self.name}': ids must be in [0, {self.input_dim}) (input_dim="
                                 f"{self.input_dim}), received id {bad}")
        return ids

    def call(self, inputs):
        return ops.take(self.embeddings, self._ids(inputs), axis=0)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        ids = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        return ids != 0

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self) -> dict:
        cfg = super().get_config()
        init, reg = self._initializer_id, self.embeddings_regularizer
        if not isinstance(init, str):
            init = self.embeddings_initializer
            init = initializers.serialize(init) if isinstance(init, initializers.Initializer) else None
        reg = regularizers.serialize(reg) if isinstance(reg, regularizers.Regularizer) else None
        cfg.update({
            "input_dim": self.input_dim, "output_dim": self.output_dim,
            "embeddings_initializer": init,
            "embeddings_regularizer": reg,
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        })
        return cfg
