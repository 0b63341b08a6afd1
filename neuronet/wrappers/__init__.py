"""Wrappers making neuronet models scikit-learn estimators (Keras 3 ``keras.wrappers``).

``SKLearnClassifier``, ``SKLearnRegressor`` and ``SKLearnTransformer`` follow scikit-learn's estimator
API (``get_params``/``set_params``, ``clone``, ``fit`` returning self, ``score``), so a neuronet model
runs in ``Pipeline``, ``GridSearchCV`` and ``cross_val_score``. They need scikit-learn
(``pip install 'neuronet[sklearn]'``), imported with this module, never by ``import neuronet``.

Example::

    from sklearn.model_selection import GridSearchCV
    from neuronet.wrappers import SKLearnClassifier

    search = GridSearchCV(SKLearnClassifier(build_mlp, fit_kwargs={"epochs": 30}, random_state=0),
                          {"model_kwargs": [{"hidden": 16}, {"hidden": 64}]}, cv=3, n_jobs=2)
    search.fit(X, y)
"""

from .sklearn_wrapper import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]
