"""Losses by name: :func:`get`, :func:`serialize` and :func:`deserialize`."""

from __future__ import annotations

from ..utils.naming import closest_match
from .loss import Loss, LossFunctionWrapper
from .embedding_losses import Circle, circle
from .overlap_losses import Dice, Tversky, dice, tversky
from .losses import (
    CTC, CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy, categorical_focal_crossentropy,
    categorical_generalized_cross_entropy, ctc,
)
from .losses import (
    BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalHinge, CosineSimilarity,
    Hinge, Huber, KLDivergence, LogCosh, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
    MeanSquaredLogarithmicError, Poisson, SparseCategoricalCrossentropy, SquaredHinge, binary_crossentropy,
    binary_focal_crossentropy, categorical_crossentropy, categorical_hinge, cosine_similarity, hinge, huber,
    kl_divergence, log_cosh, mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy, squared_hinge,
)

__all__ = ["get", "serialize", "deserialize", "ALL_NAMES", "FUNCTIONS"]

_CLASSES = {cls.__name__: cls for cls in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, Huber,
    LogCosh, KLDivergence, Hinge, SquaredHinge, CategoricalHinge, Poisson, CosineSimilarity,
    CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy, CTC, Dice, Tversky, Circle,
)}

# function → the class that wraps it; names (functions' and aliases) → class
_FUNCTION_CLASS = {
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError, binary_crossentropy: BinaryCrossentropy,
    binary_focal_crossentropy: BinaryFocalCrossentropy, categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy, huber: Huber, log_cosh: LogCosh,
    kl_divergence: KLDivergence, hinge: Hinge, squared_hinge: SquaredHinge, categorical_hinge: CategoricalHinge,
    poisson: Poisson, cosine_similarity: CosineSimilarity,
    categorical_focal_crossentropy: CategoricalFocalCrossentropy,
    categorical_generalized_cross_entropy: CategoricalGeneralizedCrossEntropy, ctc: CTC, dice: Dice,
    tversky: Tversky, circle: Circle,
}
#: The per-sample loss functions (``mean_squared_error``, ...).
FUNCTIONS = frozenset(_FUNCTION_CLASS)
_NAMES = {fn.__name__: cls for fn, cls in _FUNCTION_CLASS.items()}
_NAMES.update({
    "mse": MeanSquaredError, "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
    "kld": KLDivergence, "KLD": KLDivergence, "kullback_leibler_divergence": KLDivergence,
    "logcosh": LogCosh, "huber_loss": Huber,
})
_NAMES.update(_CLASSES)

#: Every name :func:`get` accepts: Keras's function names and short aliases, then the class names.
_SNAKE_NAMES = tuple(sorted(n for n in _NAMES if n.islower()))
ALL_NAMES = _SNAKE_NAMES + tuple(sorted(_CLASSES))


def get(identifier):
    """A loss object from a name, a Loss, a Loss class, a config dict or a per-sample function.

    Names are Keras's: ``'binary_crossentropy'``, ``'categorical_crossentropy'``,
    ``'sparse_categorical_crossentropy'``, ``'mse'``, ``'mean_absolute_error'``, ``'huber'``, ... and
    the class names (``'BinaryCrossentropy'``). Every result is called
    ``loss(y_true, y_pred, sample_weight=None)`` and returns a scalar Tensor.

    Args:
        identifier: the loss; None returns None.

    Raises:
        ValueError: for an unknown name, naming the closest ones (all are in :data:`ALL_NAMES`).
        TypeError: for anything else that is not callable.
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = _NAMES.get(identifier)
        if cls is None:
            raise ValueError(f"losses.get: unknown loss {identifier!r}{closest_match(identifier, _SNAKE_NAMES, n=3)}; "
                             "all names: neuronet.losses.ALL_NAMES")
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        cls = _FUNCTION_CLASS.get(identifier)
        return cls() if cls is not None else LossFunctionWrapper(identifier)
    raise TypeError(
        f"losses.get: expected a loss name, a Loss, a class or a function, received {identifier!r} "
        f"of type {type(identifier).__name__}"
    )


def serialize(loss) -> dict | str:
    """``{'class_name': ..., 'config': ...}`` for a registered Loss; a built-in function's name for a function."""
    if isinstance(loss, Loss):
        name = type(loss).__name__
        if name not in _CLASSES:
            raise ValueError(
                f"losses.serialize: {name} is not a registered loss class; registered: {', '.join(sorted(_CLASSES))}"
            )
        return {"class_name": name, "config": loss.get_config()}
    if loss in _FUNCTION_CLASS:
        return loss.__name__
    raise ValueError(f"losses.serialize: cannot serialize {loss!r}: only registered losses can be saved")


def deserialize(config, custom_objects: dict | None = None) -> Loss:
    """The loss described by :func:`serialize`'s output (looked up by registered class name only)."""
    if isinstance(config, str):
        return get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"losses.deserialize: expected {{'class_name': ..., 'config': ...}}, received {config!r}")
    name = config["class_name"]
    table = dict(_CLASSES)
    if custom_objects:
        table.update(custom_objects)
    cls = table.get(name)
    if cls is None:
        raise ValueError(
            f"losses.deserialize: unknown loss class {name!r}{closest_match(name, sorted(table), n=3)}; "
            "registered classes: neuronet.losses.ALL_NAMES (the capitalized ones) and custom_objects"
        )
    return cls.from_config(dict(config.get("config", {})))
