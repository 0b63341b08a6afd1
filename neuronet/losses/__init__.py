"""Loss functions and classes with Keras 3 names, defaults and semantics.

Two forms, as in Keras:

* **functions** (``binary_crossentropy``, ``mean_squared_error``, ...) take ``(y_true, y_pred)`` and
  return one loss per sample: a Tensor shaped like ``y_pred`` without its last axis, e.g. ``(batch,)``;
* **classes** (``BinaryCrossentropy``, ``MeanSquaredError``, ...) are called
  ``loss(y_true, y_pred, sample_weight=None)`` and return a scalar Tensor, reduced as Keras's
  ``'sum_over_batch_size'``: the sum of the (weighted) per-sample losses divided by their count.

Cross-entropies run on the fused kernels of :mod:`neuronet.ops.losses`: from logits they are exact for
any input; from probabilities they clip to ``[ε, 1-ε]`` (``ε = config.epsilon()``, 1e-7) before the
log, as Keras does. Probabilities made by a sigmoid or softmax (``Dense(1, activation='sigmoid')``,
:func:`neuronet.ops.softmax`) carry their logits on the tensor (``_keras_logits``, as in tf.keras), and
a cross-entropy with ``from_logits=False`` computes from those: exact even where the probabilities
saturate to 0 or 1.

Each formula is one function. The classes' unweighted ``'sum_over_batch_size'`` value (the training
step's loss) comes from the same function called with ``mean_all=True``, which the fused kernels
answer in the op that computes the per-sample losses.

``y_true`` may be an ndarray, a list or a Tensor; ``y_pred`` a Tensor (or anything array-like).
Before a loss is computed, ``y_true`` of shape ``(batch,)`` against ``y_pred`` of shape
``(batch, 1)`` is expanded to ``(batch, 1)`` (and a trailing axis of 1 squeezed the other way), which
Keras does in ``compile``; any other shape mismatch is a ValueError rather than a silent broadcast.

Example::

    >>> loss = neuronet.losses.BinaryCrossentropy(from_logits=True)
    >>> value = loss(np.array([[1.0], [0.0]]), logits)     # scalar Tensor
    >>> value.backward()
"""

from . import embedding_losses, loss, losses, overlap_losses, registry
from .loss import *  # noqa: F401,F403
from .loss import _check_smoothing  # noqa: F401 - the metrics' label_smoothing check
from .losses import *  # noqa: F401,F403
from .overlap_losses import *  # noqa: F401,F403
from .embedding_losses import *  # noqa: F401,F403
from .registry import *  # noqa: F401,F403
from .registry import _CLASSES, _NAMES  # noqa: F401

__all__ = [*loss.__all__, *losses.__all__, *overlap_losses.__all__, *embedding_losses.__all__, *registry.__all__]
