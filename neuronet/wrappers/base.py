"""What the three scikit-learn wrappers share: parameters, building the model, seeding, sample weights.

A wrapper holds a *recipe* for a model (``model``: a compiled model to copy, or a function building
one) and the arguments of ``fit``. ``fit`` validates the data with scikit-learn's ``validate_data``,
encodes the target (see :mod:`.targets` for classifiers), builds a fresh model, trains it and keeps it
as ``model_``; ``predict``/``transform`` validate again and decode the model's outputs.
"""

from __future__ import annotations

import contextlib
import copy
import numbers
import warnings

import numpy as np

from .. import config

try:
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
except ImportError:  # the classes still import; creating one raises an ImportError naming the extra
    sklearn = None

    class BaseEstimator:
        pass

    class ClassifierMixin:
        pass

    class RegressorMixin:
        pass

    class TransformerMixin:
        pass

__all__ = ["SKLBase", "BaseEstimator", "ClassifierMixin", "RegressorMixin", "TransformerMixin"]


def assert_sklearn_installed(name: str) -> None:
    if sklearn is None:
        raise ImportError(f"{name} needs scikit-learn, which is not installed: pip install 'neuronet[sklearn]'")


@contextlib.contextmanager
def seeded(random_state):
    """Within the block, the library generator (``config.rng()``: weight initializers, dropout,
    shuffling) draws from ``random_state``; afterwards it continues where it was.

    ``random_state`` follows scikit-learn: None (use the library generator as it is), an int (the same
    numbers every time) or a ``np.random.RandomState`` (a seed is drawn from it).
    """
    if random_state is None:
        yield
        return
    from sklearn.utils import check_random_state

    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        seed = int(random_state)
    else:
        seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    generator = config.rng()
    saved = generator.bit_generator.state
    generator.bit_generator.state = type(generator.bit_generator)(seed).state
    try:
        yield
    finally:
        generator.bit_generator.state = saved


def check_sample_weight(sample_weight, n: int, where: str):
    """``sample_weight`` as float64 weights of mean 1 (or None).

    Weights are relative, as in scikit-learn: the loss is the weighted mean, so a weight of 2 counts a
    sample twice and a weight of 0 leaves it out. (The model's loss divides the weighted sum by the
    number of samples, so dividing the weights by their mean makes it the weighted mean.)
    """
    if sample_weight is None:
        return None
    sw = np.asarray(sample_weight, dtype=np.float64)
    if sw.ndim == 0:
        sw = np.full(n, float(sw))
    if sw.shape != (n,):
        raise ValueError(f"{where}: expected sample_weight of shape ({n},) (one weight per sample), received shape "
                         f"{sw.shape}")
    if not np.all(np.isfinite(sw)):
        raise ValueError(f"{where}: sample_weight contains NaN or infinity")
    if np.any(sw < 0):
        raise ValueError(f"{where}: sample_weight must be non-negative, found {sw.min()}")
    if not np.any(sw > 0):
        raise ValueError(f"{where}: every sample weight is zero; at least one must be positive")
    return sw / sw.mean()


def fresh_copy(model):
    """A copy of a compiled model with newly initialized weights (Keras clones the model given to a
    wrapper): a deep copy keeps the compile settings, ``clone_model`` draws the new weights."""
    from ..models import clone_model

    twin = copy.deepcopy(model)
    fresh = clone_model(model).get_weights()
    if fresh:
        twin.set_weights(fresh)
    return twin


def check_model(model, where: str) -> None:
    """A model the wrapper can train: a neuronet Model, compiled with a loss and an optimizer."""
    from ..models import Model

    if not isinstance(model, Model):
        raise TypeError(f"{where}: `model` must be a neuronet Model or a function returning one, got "
                        f"{type(model).__name__}")
    if not getattr(model, "compiled", False) or model.loss is None or model.optimizer is None:
        raise RuntimeError(f"{where}: the model must be compiled with a loss and an optimizer before fitting: call "
                           "model.compile(optimizer=..., loss=...) (in your model function too)")


def as_numpy(outputs):
    """Model outputs as float64 ndarrays (a list for a model with several outputs)."""
    if isinstance(outputs, (list, tuple)):
        return [np.asarray(o, dtype=np.float64) for o in outputs]
    return np.asarray(outputs, dtype=np.float64)


class SKLBase(BaseEstimator):
    """Base of the scikit-learn wrappers (see :class:`~neuronet.wrappers.SKLearnClassifier` for the
    arguments). Subclasses define how the target is encoded and how outputs are decoded."""

    _multi_output_target = True  # validate_data(multi_output=...): y may be 2-D

    def __init__(self, model, warm_start: bool = False, model_kwargs: dict | None = None,
                 fit_kwargs: dict | None = None, random_state=None):
        assert_sklearn_installed(type(self).__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False  # with random_state set, fits repeat exactly
        tags.target_tags.multi_output = self._multi_output_target
        return tags

    @property
    def epoch_(self) -> int:
        """The number of epochs the last ``fit`` ran (0 before fitting)."""
        return len(getattr(self, "history_", {}).get("loss", []))

    # ------------------------------------------------------------------ steps of fit
    def _validate_fit_data(self, X, y, y_numeric: bool):
        from sklearn.exceptions import DataConversionWarning
        from sklearn.utils.validation import validate_data

        X, y = validate_data(self, X, y, multi_output=self._multi_output_target, y_numeric=y_numeric,
                             dtype="numeric")
        if hasattr(y, "toarray"):  # validate_data accepts a sparse multi-output y
            y = y.toarray()
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn("A column-vector y was passed when a 1d array was expected. Please change the shape of y "
                          "to (n_samples,), for example using ravel().", DataConversionWarning, stacklevel=3)
            y = y[:, 0]
        return X, y

    def _get_model(self, X, y_for_builder):
        """The model to train: the previous one (warm start), a fresh copy of a given model, or the
        result of calling ``model(X=X, y=y, **model_kwargs)``."""
        from ..models import Model

        where = type(self).__name__
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if isinstance(self.model, Model):
            model = fresh_copy(self.model)
        elif callable(self.model):
            model = self.model(X=X, y=y_for_builder, **(self.model_kwargs or {}))
        else:
            raise TypeError(f"{where}: `model` must be a compiled neuronet Model or a function returning one, got "
                            f"{self.model!r}")
        check_model(model, where)
        return model

    def _fit_model(self, X, y_for_builder, y_for_fit, sample_weight, kwargs: dict):
        """Build (or reuse) the model and train it; ``y_for_fit(model)`` gives the targets in the form
        the built model's loss expects."""
        where = type(self).__name__
        fit_kwargs = {"verbose": 0, **(self.fit_kwargs or {}), **kwargs}
        if "sample_weight" in fit_kwargs:
            raise ValueError(f"{where}: pass sample_weight to fit(X, y, sample_weight=...), not through fit_kwargs")
        with seeded(self.random_state):
            model = self._get_model(X, y_for_builder)
            targets = y_for_fit(model)
            history = model.fit(X, targets, sample_weight=sample_weight, **fit_kwargs)
        self.model_ = model
        self.history_ = dict(getattr(history, "history", None) or {})
        return self

    def _raw_predict(self, X):
        """The fitted model's outputs on validated X, as float64 arrays."""
        from sklearn.utils.validation import check_is_fitted, validate_data

        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype="numeric")
        return as_numpy(self.model_.predict(X, verbose=0, batch_size=max(1, min(len(X), 4096))))
