"""Metrics by name: :func:`get`, :func:`serialize` / :func:`deserialize`, and :func:`resolve_accuracy`
for the name ``'accuracy'``, whose meaning depends on the loss and the output width."""

from __future__ import annotations

import inspect
from typing import Callable

from ..utils.naming import closest_match, to_snake_case
from . import (
    accuracy_metrics, base, confusion_metrics, correlation_metrics, f_score_metrics, hinge_metrics, iou_metrics,
    metric_functions,
    probabilistic_metrics, regression_metrics,
)
from .accuracy_metrics import (
    BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
)
from .base import Mean, MeanMetricWrapper, Metric, Sum
from .confusion_metrics import AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives
from .correlation_metrics import ConcordanceCorrelation, PearsonCorrelation
from .f_score_metrics import F1Score, FBetaScore
from .hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from .probabilistic_metrics import (
    BinaryCrossentropy, CategoricalCrossentropy, KLDivergence, Poisson, SparseCategoricalCrossentropy,
)
from .regression_metrics import (
    CosineSimilarity, LogCoshError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
    MeanSquaredLogarithmicError, R2Score, RootMeanSquaredError,
)

__all__ = ["get", "serialize", "deserialize", "resolve_accuracy", "ALL_NAMES"]

_MODULES = (base, accuracy_metrics, confusion_metrics, f_score_metrics, regression_metrics, probabilistic_metrics,
            hinge_metrics, iou_metrics, correlation_metrics)
_PUBLIC = [getattr(module, name) for module in _MODULES for name in module.__all__]

# The metric classes deserialize() may create, by class name (nothing else is ever instantiated).
CLASSES: dict[str, type] = {
    obj.__name__: obj for obj in _PUBLIC if isinstance(obj, type) and issubclass(obj, Metric) and obj is not Metric
}

# The per-sample functions a MeanMetricWrapper config may name (``{'fn': 'hinge', ...}``).
FUNCTIONS: dict[str, Callable] = metric_functions.FUNCTIONS

# String identifiers accepted by get(): snake-case names (Keras' function and class names) and aliases.
NAMES: dict[str, type] = {
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "precision": Precision,
    "recall": Recall,
    "auc": AUC,
    "mean": Mean,
    "sum": Sum,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    "root_mean_squared_error": RootMeanSquaredError,
    "rmse": RootMeanSquaredError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "true_positives": TruePositives,
    "false_positives": FalsePositives,
    "true_negatives": TrueNegatives,
    "false_negatives": FalseNegatives,
    "f1_score": F1Score,
    "fbeta_score": FBetaScore,
    "r2_score": R2Score,
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
    "kl_divergence": KLDivergence,
    "kld": KLDivergence,
    "poisson": Poisson,
    "logcosh": LogCoshError,
    "log_cosh": LogCoshError,
    "log_cosh_error": LogCoshError,
    "cosine_similarity": CosineSimilarity,
    "pearson_correlation": PearsonCorrelation,
    "concordance_correlation": ConcordanceCorrelation,
}

_ACCURACY_NAMES = ("accuracy", "acc")

#: Every name :func:`get` accepts: the snake-case names and aliases (``'accuracy'`` resolved by the
#: model), then the class names.
_SNAKE_NAMES = tuple(sorted(set(NAMES) | set(_ACCURACY_NAMES)))
def _required_arguments(cls: type) -> list:
    """The constructor arguments of ``cls`` without a default (``num_classes`` of MeanIoU, ...)."""
    return [p.name for p in inspect.signature(cls.__init__).parameters.values()
            if p.default is inspect.Parameter.empty and p.name != "self"
            and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]


# classes that cannot be made from a name alone (as in Keras): get('MeanIoU') explains what to pass
_NEEDS_ARGUMENTS = {name: _required_arguments(cls) for name, cls in CLASSES.items() if _required_arguments(cls)}
ALL_NAMES = _SNAKE_NAMES + tuple(sorted(set(CLASSES) - {"MeanMetricWrapper"} - set(_NEEDS_ARGUMENTS)))


def get(identifier) -> Metric | None:
    """A metric object from a name, class, instance, config dict or per-sample function.

    Args:
        identifier: a Keras name ('binary_accuracy', 'categorical_accuracy',
            'sparse_categorical_accuracy', 'top_k_categorical_accuracy', 'precision', 'recall', 'auc',
            'mse'/'mean_squared_error', 'mae', 'rmse', 'mape', ...; all in :data:`ALL_NAMES`) or class
            name ('BinaryAccuracy'); a Metric instance (returned as is); a Metric subclass (instantiated
            with defaults); a config dict ``{'class_name': ..., 'config': {...}}``; a function
            ``fn(y_true, y_pred)`` returning per-sample values, such as
            ``neuronet.losses.mean_squared_error`` (wrapped in :class:`MeanMetricWrapper` named after the
            function); a loss object such as ``neuronet.losses.Huber()`` (its per-sample values are
            averaged, named after the loss); or None.

    Returns:
        A fresh metric (for names, named exactly as written, so ``'mse'`` logs as ``'mse'`` as in Keras),
        the given instance, or None.

    Raises:
        ValueError: for unknown names (one line naming the closest ones), and for ``'accuracy'``/``'acc'``,
            whose meaning depends on the loss: the model resolves those with :func:`resolve_accuracy`.
        TypeError: for anything else.

    Example::

        >>> get("mse")
        <MeanSquaredError name=mse>
    """
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        key = identifier if identifier in CLASSES else identifier.lower()
        if key in _ACCURACY_NAMES:
            raise ValueError(
                f"metrics.get: {identifier!r} depends on the loss and the output width (binary, categorical "
                "or sparse categorical accuracy); the model resolves it at compile time. Outside a model use "
                "metrics.resolve_accuracy(loss, output_units) or a class such as BinaryAccuracy()"
            )
        if key in NAMES:
            return NAMES[key](name=identifier)
        if key in _NEEDS_ARGUMENTS and key != "MeanMetricWrapper":
            raise ValueError(f"metrics.get: {key} needs arguments ({', '.join(_NEEDS_ARGUMENTS[key])}); pass an "
                             f"instance such as metrics.{key}({_NEEDS_ARGUMENTS[key][0]}=...)")
        if key in CLASSES and key != "MeanMetricWrapper":
            return CLASSES[key]()
        raise ValueError(f"metrics.get: unknown metric {identifier!r}{closest_match(identifier, _SNAKE_NAMES, n=3)}; "
                         "all names: neuronet.metrics.ALL_NAMES")
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    fn = getattr(identifier, "fn", None)
    if callable(fn) and isinstance(getattr(identifier, "name", None), str):
        # A loss object wrapping a per-sample function (neuronet.losses.MeanSquaredError(), ...): track
        # the per-sample values, so the epoch value is weighted by samples like every other metric.
        return MeanMetricWrapper(fn, name=identifier.name, **dict(getattr(identifier, "_fn_kwargs", {}) or {}))
    if callable(identifier):
        name = getattr(identifier, "__name__", None) or getattr(identifier, "name", None)
        return MeanMetricWrapper(identifier, name=name if isinstance(name, str) else None)
    raise TypeError(
        f"metrics.get: expected a metric name, Metric instance or class, config dict or function, "
        f"received {identifier!r} of type {type(identifier).__name__}"
    )


def serialize(metric: Metric) -> dict:
    """``{'class_name': ..., 'config': ...}`` for a metric (plain data, JSON-serializable)."""
    if not isinstance(metric, Metric):
        raise TypeError(f"metrics.serialize: expected a Metric, received {metric!r}")
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config: dict) -> Metric:
    """A metric from :func:`serialize`'s output. Only registered classes are created (nothing is imported)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"metrics.deserialize: expected a dict with 'class_name' and 'config', received {config!r}")
    name = config["class_name"]
    if name not in CLASSES:
        raise ValueError(f"metrics.deserialize: unknown metric class {name!r}{closest_match(name, CLASSES, n=3)}; "
                         "all classes: neuronet.metrics.ALL_NAMES (the capitalized ones)")
    return CLASSES[name].from_config(dict(config.get("config", {})))


def _loss_name(loss) -> str:
    """A lowercase name for a loss given as a string, Loss object, class or function."""
    if loss is None:
        return ""
    if isinstance(loss, str):
        return loss.lower()
    name = getattr(loss, "name", None)
    if isinstance(name, str):
        return name.lower()
    fn = getattr(loss, "fn", None)
    target = loss if inspect.isclass(loss) or inspect.isfunction(loss) else type(loss)
    if fn is not None and hasattr(fn, "__name__"):
        target = fn
    return to_snake_case(getattr(target, "__name__", "")).lower()


_BINARY_LOSSES = ("binary_crossentropy", "bce", "binary_focal_crossentropy", "hinge", "squared_hinge")


def resolve_accuracy(loss_name=None, output_units: int | None = None, name: str = "accuracy") -> Metric:
    """The accuracy metric meant by the string ``'accuracy'`` for a given loss and output width.

    Keras picks: binary accuracy for one output unit or a binary cross-entropy loss, sparse categorical
    accuracy for sparse categorical cross-entropy, categorical accuracy otherwise. The returned metric
    keeps the given name so logs say ``'accuracy'`` / ``'val_accuracy'``.

    Args:
        loss_name: the compiled loss (name, Loss object, class or function). Defaults to None.
        output_units: size of the model output's last axis. Defaults to None (unknown).
        name: the metric's name in logs. Defaults to ``'accuracy'``.

    Example::

        >>> resolve_accuracy("sparse_categorical_crossentropy", 10)
        <SparseCategoricalAccuracy name=accuracy>
    """
    loss = _loss_name(loss_name)
    if output_units == 1 or loss in _BINARY_LOSSES:
        return BinaryAccuracy(name=name)
    if "sparse_categorical" in loss or loss == "sparse_categorical_crossentropy":
        return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)
