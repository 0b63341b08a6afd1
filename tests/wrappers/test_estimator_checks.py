"""scikit-learn's own estimator checks on the three wrappers, with no expected failures.

The models are small (one hidden layer of 8) and trained full-batch for 30 epochs, so each of the
~180 checks' fits takes milliseconds. They compute in float64: ``check_sample_weight_equivalence``
compares fitting with integer weights and fitting on repeated rows to a relative 1e-7, which full-batch
training meets exactly up to float64 rounding (with minibatches the batches differ, and float32
rounding alone exceeds 1e-7).
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import neuronet  # noqa: E402
from neuronet import layers  # noqa: E402
from neuronet.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer  # noqa: E402


def small_model(X, y, task="classification", hidden=8):
    """One tanh layer of ``hidden`` units, in float64; the output fits ``y`` as the wrapper gives it."""
    inputs = layers.Input((X.shape[1],), dtype="float64")
    h = layers.Dense(hidden, activation="tanh", dtype="float64")(inputs)
    if task == "classification" and isinstance(y, list):  # multiclass-multioutput: one softmax per column
        outputs = [layers.Dense(t.shape[1], activation="softmax", dtype="float64")(h) for t in y]
        loss = "categorical_crossentropy"
    elif task == "classification" and not np.allclose(y.sum(axis=1), 1.0):  # multilabel: rows are not one-hot
        outputs, loss = layers.Dense(y.shape[1], activation="sigmoid", dtype="float64")(h), "binary_crossentropy"
    elif task == "classification":
        outputs, loss = layers.Dense(y.shape[1], activation="softmax", dtype="float64")(h), "categorical_crossentropy"
    else:
        outputs, loss = layers.Dense(1 if y.ndim == 1 else y.shape[1], dtype="float64")(h), "mse"
    model = neuronet.Model(inputs, outputs, dtype="float64")
    model.compile(optimizer=neuronet.optimizers.Adam(0.05), loss=loss)
    return model


FIT = {"epochs": 30, "batch_size": 100_000}
ESTIMATORS = [
    SKLearnClassifier(small_model, fit_kwargs=FIT),
    SKLearnRegressor(small_model, model_kwargs={"task": "regression"}, fit_kwargs=FIT),
    SKLearnTransformer(small_model, model_kwargs={"task": "regression"}, fit_kwargs=FIT),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_array_api_check_in_a_process_with_scipy_array_api():
    """``check_array_api_input`` skips itself unless SCIPY_ARRAY_API=1 was set before SciPy was imported,
    which this process cannot do any more; so it runs in a fresh interpreter, for the three wrappers."""
    code = textwrap.dedent("""
        import sys
        sys.path.insert(0, sys.argv[1])
        from test_estimator_checks import ESTIMATORS
        from sklearn.utils.estimator_checks import check_array_api_input
        for estimator in ESTIMATORS:
            # as check_estimator yields it for an estimator without array API support
            check_array_api_input(type(estimator).__name__, estimator, array_namespace="numpy",
                                  expect_only_array_outputs=False)
        print("ok")
    """)
    env = {**os.environ, "SCIPY_ARRAY_API": "1"}
    done = subprocess.run([sys.executable, "-c", code, os.path.dirname(__file__)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")
