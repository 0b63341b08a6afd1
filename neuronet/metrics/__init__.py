"""Metrics with Keras names: stateful objects that accumulate a score over batches.

A metric is updated once per batch and read at the end of an epoch::

    m = neuronet.metrics.BinaryAccuracy()
    m.update_state([1, 0, 1], [0.9, 0.2, 0.4])    # batch 1
    m.update_state([0, 1], [0.1, 0.7])            # batch 2
    m.result()                                    # 0.8: 4 of 5 samples right
    m.reset_state()                               # start a new epoch

Metrics work on plain ndarrays (a :class:`~neuronet.Tensor` is read through its ``.data``); they never
build an autograd graph. Epoch values are weighted by samples (and by ``sample_weight`` when given),
exactly as Keras does: the mean over all samples seen, not the mean of per-batch means.

The metrics that track a loss wrap the loss function itself, as Keras does: ``MeanSquaredError`` is a
:class:`MeanMetricWrapper` around :func:`neuronet.losses.mean_squared_error`, and
``neuronet.metrics.mean_squared_error is neuronet.losses.mean_squared_error``. Each formula lives once.

One module per kind, named as Keras names them:

    base.py                   Metric, Mean, Sum, MeanMetricWrapper
    accuracy_metrics.py       Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, top-k
    confusion_metrics.py      TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall,
                              AUC, PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
                              SpecificityAtSensitivity
    iou_metrics.py            IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU
    correlation_metrics.py    PearsonCorrelation, ConcordanceCorrelation
    f_score_metrics.py        FBetaScore, F1Score
    regression_metrics.py     MeanSquaredError, MeanAbsoluteError, MAPE, MSLE, RootMeanSquaredError,
                              LogCoshError, CosineSimilarity, R2Score
    probabilistic_metrics.py  BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
                              KLDivergence, Poisson
    hinge_metrics.py          Hinge, SquaredHinge, CategoricalHinge
    registry.py               get, serialize, deserialize, resolve_accuracy, ALL_NAMES

``metrics.get(name)`` turns a Keras name ('binary_accuracy', 'mse', 'auc', ...; all in
:data:`ALL_NAMES`) into a fresh metric named as written. The name ``'accuracy'`` depends on the loss and
the output width, so the model resolves it with :func:`resolve_accuracy`.
"""

from . import (
    accuracy_metrics, base, confusion_metrics, correlation_metrics, f_score_metrics, hinge_metrics, iou_metrics,
    probabilistic_metrics, registry, regression_metrics,
)
from .accuracy_metrics import *  # noqa: F401,F403
from .base import *  # noqa: F401,F403
from .confusion_metrics import *  # noqa: F401,F403
from .correlation_metrics import *  # noqa: F401,F403
from .f_score_metrics import *  # noqa: F401,F403
from .hinge_metrics import *  # noqa: F401,F403
from .iou_metrics import *  # noqa: F401,F403
from .probabilistic_metrics import *  # noqa: F401,F403
from .registry import *  # noqa: F401,F403
from .registry import CLASSES as _CLASSES  # noqa: F401 - read by callbacks (a metric's direction by name)
from .registry import FUNCTIONS as _FUNCTIONS  # noqa: F401
from .registry import NAMES as _NAMES  # noqa: F401
from .regression_metrics import *  # noqa: F401,F403

__all__ = [name for module in (base, accuracy_metrics, confusion_metrics, f_score_metrics, regression_metrics,
                               probabilistic_metrics, hinge_metrics, iou_metrics, correlation_metrics, registry)
           for name in module.__all__]
