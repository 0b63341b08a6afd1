"""``SKLearnClassifier``, ``SKLearnRegressor``, ``SKLearnTransformer``: neuronet models as scikit-learn
estimators (Keras 3's ``keras.wrappers``), usable in ``Pipeline``, ``GridSearchCV``, ``cross_val_score``."""

from __future__ import annotations

import numpy as np

from .base import ClassifierMixin, RegressorMixin, SKLBase, TransformerMixin, check_sample_weight
from .targets import ClassifierTarget

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]

_ARGS = """
    Args:
        model: a compiled neuronet ``Model`` — copied with new weights at every ``fit`` (as Keras's
            ``clone_model``), the one given is never trained — or a function
            ``model(X=X, y=y, **model_kwargs)`` returning a compiled model, called at every ``fit``.
        warm_start: when True, a second ``fit`` continues training the model of the first instead of
            building a new one. Defaults to False.
        model_kwargs: keyword arguments for ``model`` when it is a function. Defaults to None.
        fit_kwargs: keyword arguments for ``model.fit`` (``epochs``, ``batch_size``, ``callbacks``, ...);
            those given to the wrapper's ``fit`` take precedence. ``verbose`` defaults to 0. Defaults
            to None.
        random_state: None, an int or a ``np.random.RandomState``: with an int every ``fit`` draws the
            same initial weights and shuffles, so results repeat exactly (scikit-learn's convention;
            not a Keras argument). Defaults to None.

    Attributes (after ``fit``): ``model_`` (the trained model), ``history_`` (``model.fit``'s history
    dict), ``n_features_in_``, ``feature_names_in_`` (when X has column names).
"""


class SKLearnClassifier(ClassifierMixin, SKLBase):
    __doc__ = """A neuronet model as a scikit-learn classifier (Keras 3 ``keras.wrappers.SKLearnClassifier``).

    Labels may be numbers or strings, one per sample (binary, multiclass), several 0/1 labels per
    sample (multilabel), or one label per column of a 2-D ``y`` (multiclass-multioutput). The model
    function receives ``y`` one-hot encoded, ``(n_samples, n_classes)`` — so ``y.shape[1]`` is the
    width of the last layer — or the 0/1 label matrix for multilabel targets, or a list of one-hot
    arrays (one output per column) for multiclass-multioutput. ``fit`` then gives the model the
    targets its loss expects: one-hot rows for ``categorical_crossentropy``, class indices for
    ``sparse_categorical_crossentropy``, a 0/1 column for a model with one (sigmoid) unit. Outputs are
    read as probabilities, or as logits when the loss has ``from_logits=True``.
    """ + _ARGS + """
    Also: ``classes_`` (the labels; for multilabel targets the label indices, for multi-output targets
    one array per column).

    ``sample_weight`` weights are relative (divided by their mean): with full-batch training
    (``batch_size`` at least the number of samples) a weight of 2 is exactly a repeated sample.

    Example::

        from neuronet import layers, models
        from neuronet.wrappers import SKLearnClassifier

        def mlp(X, y, hidden=16):
            model = models.Sequential([layers.Input((X.shape[1],)), layers.Dense(hidden, activation="relu"),
                                       layers.Dense(y.shape[1], activation="softmax")])
            model.compile(optimizer="adam", loss="categorical_crossentropy")
            return model

        clf = SKLearnClassifier(mlp, model_kwargs={"hidden": 32}, fit_kwargs={"epochs": 50}, random_state=0)
        clf.fit(X_train, y_train).score(X_test, y_test)
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def fit(self, X, y, sample_weight=None, **kwargs) -> "SKLearnClassifier":
        """Train a new model (or continue, with ``warm_start``) on ``X`` ``(n_samples, n_features)`` and
        labels ``y``; ``kwargs`` go to ``model.fit``. Returns self."""
        where = type(self).__name__
        X, y = self._validate_fit_data(X, y, y_numeric=False)
        sw = check_sample_weight(sample_weight, len(X), where)
        target = ClassifierTarget().fit(y, sw, where)
        if self.warm_start and hasattr(self, "model_"):
            self._target.check_same(target, where)

        def targets_for(model):
            probe = model.predict(X[:1], verbose=0)
            probe = [np.asarray(p) for p in probe] if isinstance(probe, (list, tuple)) else np.asarray(probe)
            return target.for_fit(y, model, probe, where)

        self._fit_model(X, target.for_builder(y), targets_for, sw, kwargs)
        self._target = target
        self.classes_ = target.classes_
        return self

    def predict_proba(self, X):
        """Class probabilities: ``(n_samples, n_classes)``, columns in the order of ``classes_``; for
        multilabel targets each label's probability ``(n_samples, n_labels)``; for multi-output targets
        a list with one array per column of ``y``."""
        probas = self._probabilities(X)
        return probas[0] if len(probas) == 1 else probas

    def decision_function(self, X):
        """Scores for each class (log-probabilities), or for two classes one score per sample: the
        log-odds of ``classes_[1]``, positive where it is predicted."""
        probas = self._probabilities(X)
        return self._target.decision(probas)

    def predict(self, X):
        """The most probable label of each sample, in the labels' own type (strings stay strings)."""
        probas = self._probabilities(X)
        return self._target.predict(probas)

    def _probabilities(self, X) -> list:
        raw = self._raw_predict(X)  # checks that the estimator is fitted first
        return self._target.probabilities(raw, self.model_)


class SKLearnRegressor(RegressorMixin, SKLBase):
    __doc__ = """A neuronet model as a scikit-learn regressor (Keras 3 ``keras.wrappers.SKLearnRegressor``).

    ``y`` is ``(n_samples,)`` or, for several targets, ``(n_samples, n_targets)``; the model function
    receives it as given, and ``predict`` returns the same shape (float64).
    """ + _ARGS + """
    Example::

        def mlp(X, y):
            model = models.Sequential([layers.Input((X.shape[1],)), layers.Dense(32, activation="relu"),
                                       layers.Dense(1 if y.ndim == 1 else y.shape[1])])
            model.compile(optimizer="adam", loss="mse")
            return model

        reg = SKLearnRegressor(mlp, fit_kwargs={"epochs": 100}, random_state=0).fit(X, y)
    """

    def fit(self, X, y, sample_weight=None, **kwargs) -> "SKLearnRegressor":
        """Train a new model (or continue, with ``warm_start``) on ``X`` and targets ``y``; ``kwargs`` go
        to ``model.fit``. Returns self."""
        X, y = self._validate_fit_data(X, y, y_numeric=True)
        sw = check_sample_weight(sample_weight, len(X), type(self).__name__)
        self._fit_model(X, y, lambda model: y, sw, kwargs)
        self._target_shape = y.shape[1:]
        return self

    def predict(self, X):
        """Predicted targets, ``(n_samples,)`` or ``(n_samples, n_targets)`` as in ``fit``."""
        raw = self._raw_predict(X)
        out = np.column_stack([r.reshape(len(r), -1) for r in raw]) if isinstance(raw, list) else raw
        return out.reshape((len(out),) + self._target_shape)


class SKLearnTransformer(TransformerMixin, SKLBase):
    __doc__ = """A neuronet model as a scikit-learn transformer (Keras 3 ``keras.wrappers.SKLearnTransformer``).

    ``transform(X)`` returns the model's output — or, when the model has a layer named ``'encoder'``,
    that layer's output: train an autoencoder and get its codes. ``fit(X)`` without ``y`` trains the
    model to reproduce ``X`` (an autoencoder), as does ``fit(X, y)`` when the model's output has the
    width of ``X`` and not of ``y`` (so an autoencoder works as a ``Pipeline`` step); otherwise it
    trains on ``y`` (for example a supervised embedding). The output is flattened to
    ``(n_samples, n_features_out)``.
    """ + _ARGS + """
    Example::

        def autoencoder(X, y, code=2):
            encoder = models.Sequential([layers.Input((X.shape[1],)), layers.Dense(code)], name="encoder")
            model = models.Sequential([encoder, layers.Dense(X.shape[1])])
            model.compile(optimizer="adam", loss="mse")
            return model

        codes = SKLearnTransformer(autoencoder, fit_kwargs={"epochs": 100}, random_state=0).fit_transform(X)
    """

    _multi_output_target = True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.transformer_tags.preserves_dtype = []  # the output has the model's float type
        return tags

    def fit(self, X, y=None, sample_weight=None, **kwargs) -> "SKLearnTransformer":
        """Train on ``X`` and ``y``; ``kwargs`` go to ``model.fit``. Returns self.

        The target is ``y`` — or ``X`` itself (an autoencoder) when ``y`` is None, or when the model's
        output has the width of ``X`` but not of ``y`` (an autoencoder in a ``Pipeline``, which passes
        the labels meant for the last step).
        """
        from sklearn.utils.validation import validate_data

        where = type(self).__name__
        if y is None:
            X = validate_data(self, X, dtype="numeric")
        else:
            X, y = self._validate_fit_data(X, y, y_numeric=False)
        sw = check_sample_weight(sample_weight, len(X), where)

        def target_for(model):
            if y is None:
                return np.asarray(X, dtype=np.float64)
            width = int(np.prod(np.shape(np.asarray(model.predict(X[:1], verbose=0)))[1:]))
            if width != (1 if y.ndim == 1 else y.shape[1]) and width == X.shape[1]:
                return np.asarray(X, dtype=np.float64)
            try:
                return np.asarray(y, dtype=np.float64)
            except ValueError:
                raise ValueError(f"{where}: the model's output (width {width}) is trained on y, which must then "
                                 f"be numeric; received y of dtype {y.dtype}") from None

        self._fit_model(X, X if y is None else y, target_for, sw, kwargs)
        self.encoder_ = _encoder_of(self.model_)
        self._n_features_out = self.transform(X[:1]).shape[1]
        return self

    def transform(self, X):
        """The encoder's (or the model's) output on ``X``, ``(n_samples, n_features_out)``."""
        from sklearn.utils.validation import check_is_fitted, validate_data

        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype="numeric")
        model = self.encoder_ if self.encoder_ is not None else self.model_
        out = model.predict(X, verbose=0, batch_size=max(1, min(len(X), 4096)))
        if isinstance(out, (list, tuple)):
            out = np.column_stack([np.asarray(o).reshape(len(o), -1) for o in out])
        out = np.asarray(out)
        return out.reshape(len(out), -1)

    def get_feature_names_out(self, input_features=None):
        """Output names ``sklearntransformer0``, ``sklearntransformer1``, ... (scikit-learn's
        convention for transformers that make new features)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "_n_features_out")
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}{i}" for i in range(self._n_features_out)], dtype=object)


def _encoder_of(model):
    """The part of ``model`` from its input to the layer named 'encoder', as a model (None when there is
    no such layer)."""
    from ..models import Functional, Model, Sequential

    try:
        layer = model.get_layer("encoder")
    except ValueError:
        return None
    if isinstance(model, Sequential):
        position = model.layers.index(layer)
        if position == 0 and isinstance(layer, Model):
            return layer
        return Sequential(model.layers[:position + 1])
    if isinstance(model, Functional):
        return Model(model.inputs, layer.output)
    raise ValueError(f"SKLearnTransformer: cannot take the 'encoder' part of a subclassed model "
                     f"{type(model).__name__}; make the encoder its own model and return its output")
