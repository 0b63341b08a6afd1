"""The wrappers in scikit-learn's tools (Pipeline, GridSearchCV, cross_val_score with n_jobs=2), with
string and multi-output labels, sample weights, encoders, given models, warm starts and bad input."""

import pickle
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import make_blobs, make_multilabel_classification, make_regression  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import neuronet  # noqa: E402
from neuronet import layers, losses, models, optimizers  # noqa: E402
from neuronet.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer  # noqa: E402


def mlp(X, y, hidden=16, loss="categorical_crossentropy", output_activation="softmax", units=None):
    model = models.Sequential([layers.Input((X.shape[1],)), layers.Dense(hidden, activation="relu"),
                               layers.Dense(units or (y.shape[1] if y.ndim > 1 else 1),
                                            activation=output_activation)])
    model.compile(optimizer=optimizers.Adam(0.03), loss=loss)
    return model


def regression_mlp(X, y, hidden=16):
    return mlp(X, y, hidden=hidden, loss="mse", output_activation=None)


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=150, centers=3, n_features=4, cluster_std=1.5, random_state=0)
    names = np.array(["setosa", "versicolor", "virginica"], dtype=object)[y]
    return X, names


def test_pipeline_with_string_labels(blobs):
    X, y = blobs
    pipe = make_pipeline(StandardScaler(), SKLearnClassifier(mlp, fit_kwargs={"epochs": 40}, random_state=0))
    pipe.fit(X, y)
    pred = pipe.predict(X)
    assert set(pred) <= {"setosa", "versicolor", "virginica"} and pred.dtype == object
    assert pipe.score(X, y) > 0.9
    proba = pipe.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(pipe[-1].classes_[proba.argmax(axis=1)], pred)


def test_cross_val_score_with_two_jobs_repeats_one_job(blobs):
    X, y = blobs
    est = make_pipeline(StandardScaler(), SKLearnClassifier(mlp, fit_kwargs={"epochs": 20}, random_state=0))
    parallel = cross_val_score(est, X, y, cv=3, n_jobs=2)
    serial = cross_val_score(est, X, y, cv=3, n_jobs=1)
    assert parallel.shape == (3,) and parallel.min() > 0.8
    np.testing.assert_allclose(parallel, serial)  # random_state=0: the same fits in the worker processes


def test_grid_search_with_two_jobs_over_model_and_fit_arguments(blobs):
    X, y = blobs
    X = StandardScaler().fit_transform(X)
    search = GridSearchCV(SKLearnClassifier(mlp, fit_kwargs={"epochs": 5}, random_state=0),
                          {"model_kwargs": [{"hidden": 2}, {"hidden": 32}],
                           "fit_kwargs": [{"epochs": 1}, {"epochs": 40}]}, cv=3, n_jobs=2)
    search.fit(X, y)
    assert search.best_params_ == {"model_kwargs": {"hidden": 32}, "fit_kwargs": {"epochs": 40}}
    assert search.best_estimator_.model_.layers[0].units == 32
    assert search.score(X, y) > 0.9
    assert len(search.cv_results_["mean_test_score"]) == 4


def test_compiled_model_is_copied_with_new_weights_and_never_trained(blobs):
    X, y = blobs
    template = mlp(X, np.zeros((1, 3)))
    before = [w.copy() for w in template.get_weights()]
    clf = SKLearnClassifier(template, fit_kwargs={"epochs": 5}, random_state=0).fit(X, y)
    for a, b in zip(before, template.get_weights()):
        np.testing.assert_array_equal(a, b)  # the model given is untouched
    assert clf.model_ is not template and clf.model_.optimizer is not template.optimizer
    again = SKLearnClassifier(template, fit_kwargs={"epochs": 5}, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), again.predict_proba(X))
    other_seed = SKLearnClassifier(template, fit_kwargs={"epochs": 5}, random_state=1).fit(X, y)
    assert not np.allclose(clf.predict_proba(X), other_seed.predict_proba(X))
    # the compiled model's own settings are kept (its optimizer type, here Adam)
    assert type(clf.model_.optimizer).__name__ == "Adam"


def test_cross_val_score_with_a_compiled_model_in_two_processes(blobs):
    X, y = blobs
    X = StandardScaler().fit_transform(X)
    scores = cross_val_score(SKLearnClassifier(mlp(X, np.zeros((1, 3))), fit_kwargs={"epochs": 20}, random_state=0),
                             X, y, cv=3, n_jobs=2)
    assert scores.min() > 0.8


def test_regressor_single_and_multi_output():
    X, y = make_regression(n_samples=120, n_features=5, n_targets=2, noise=0.1, random_state=0)
    y = y / y.std(axis=0)
    multi = SKLearnRegressor(regression_mlp, fit_kwargs={"epochs": 150}, random_state=0).fit(X, y)
    assert multi.predict(X).shape == (120, 2) and multi.predict(X).dtype == np.float64
    assert multi.score(X, y) > 0.9
    single = SKLearnRegressor(regression_mlp, fit_kwargs={"epochs": 150}, random_state=0).fit(X, y[:, 0])
    assert single.predict(X).shape == (120,)
    assert single.score(X, y[:, 0]) > 0.9
    assert single.history_["loss"][-1] < single.history_["loss"][0] and single.epoch_ == 150


def test_multilabel_targets():
    X, Y = make_multilabel_classification(n_samples=200, n_features=6, n_classes=3, random_state=0)
    clf = SKLearnClassifier(mlp, model_kwargs={"loss": "binary_crossentropy", "output_activation": "sigmoid"},
                            fit_kwargs={"epochs": 60}, random_state=0).fit(X, Y)
    pred = clf.predict(X)
    assert pred.shape == (200, 3) and pred.dtype == Y.dtype
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal((proba > 0.5).astype(int), pred)
    assert (pred == Y).mean() > 0.8


def two_heads(X, y):
    inputs = layers.Input((X.shape[1],))
    h = layers.Dense(16, activation="relu")(inputs)
    model = neuronet.Model(inputs, [layers.Dense(t.shape[1], activation="softmax")(h) for t in y])
    model.compile(optimizer=optimizers.Adam(0.03), loss="categorical_crossentropy")
    return model


def test_multiclass_multioutput_string_labels(blobs):
    X, names = blobs
    X = StandardScaler().fit_transform(X)
    size = np.where(X[:, 0] > 0, "big", "small").astype(object)
    Y = np.column_stack([names, size])
    clf = SKLearnClassifier(two_heads, fit_kwargs={"epochs": 60}, random_state=0).fit(X, Y)
    assert [list(c) for c in clf.classes_] == [["setosa", "versicolor", "virginica"], ["big", "small"]]
    pred = clf.predict(X)
    assert pred.shape == (150, 2) and (pred == Y).mean() > 0.9
    proba = clf.predict_proba(X)
    assert [p.shape for p in proba] == [(150, 3), (150, 2)]


def test_sample_weight_zero_is_leaving_the_sample_out(blobs):
    X, y = blobs
    X = StandardScaler().fit_transform(X)

    def model64(X, y):
        inputs = layers.Input((X.shape[1],), dtype="float64")
        out = layers.Dense(y.shape[1], activation="softmax", dtype="float64")(inputs)
        model = neuronet.Model(inputs, out, dtype="float64")
        model.compile(optimizer=optimizers.SGD(0.5), loss="categorical_crossentropy")
        return model

    fit = {"epochs": 20, "batch_size": 1000}
    keep = np.arange(150) % 3 != 0
    weights = np.where(keep, 2.0, 0.0)
    weighted = SKLearnClassifier(model64, fit_kwargs=fit, random_state=0).fit(X, y, sample_weight=weights)
    removed = SKLearnClassifier(model64, fit_kwargs=fit, random_state=0).fit(X[keep], y[keep])
    np.testing.assert_allclose(weighted.predict_proba(X), removed.predict_proba(X), rtol=1e-10)
    plain = SKLearnClassifier(model64, fit_kwargs=fit, random_state=0).fit(X, y)
    assert not np.allclose(plain.predict_proba(X), removed.predict_proba(X))


def test_model_output_forms(blobs):
    X, y = blobs
    X = StandardScaler().fit_transform(X)
    binary = y != "virginica"
    Xb, yb = X[binary], y[binary]
    # one sigmoid unit for two classes: fit gets a 0/1 column, predict_proba has two columns
    sig = SKLearnClassifier(mlp, model_kwargs={"units": 1, "loss": "binary_crossentropy",
                                               "output_activation": "sigmoid"},
                            fit_kwargs={"epochs": 30}, random_state=0).fit(Xb, yb)
    assert sig.predict_proba(Xb).shape == (100, 2) and sig.score(Xb, yb) > 0.9
    assert sig.decision_function(Xb).shape == (100,)
    np.testing.assert_array_equal(sig.classes_[(sig.decision_function(Xb) > 0).astype(int)], sig.predict(Xb))
    # sparse cross-entropy: fit gets class indices
    sparse = SKLearnClassifier(mlp, model_kwargs={"loss": "sparse_categorical_crossentropy"},
                               fit_kwargs={"epochs": 30}, random_state=0).fit(X, y)
    assert sparse.score(X, y) > 0.9
    # logits: a linear output with from_logits=True is read through softmax
    logits = SKLearnClassifier(mlp, model_kwargs={"loss": losses.CategoricalCrossentropy(from_logits=True),
                                                  "output_activation": None},
                               fit_kwargs={"epochs": 30}, random_state=0).fit(X, y)
    raw = logits.model_.predict(X, verbose=0).astype(np.float64)
    expected = np.exp(raw - raw.max(1, keepdims=True))
    np.testing.assert_allclose(logits.predict_proba(X), expected / expected.sum(1, keepdims=True), rtol=1e-6)


def autoencoder(X, y, code=2):
    encoder = models.Sequential([layers.Input((X.shape[1],)), layers.Dense(8, activation="tanh"),
                                 layers.Dense(code)], name="encoder")
    model = models.Sequential([encoder, layers.Dense(8, activation="tanh"), layers.Dense(X.shape[1])])
    model.compile(optimizer=optimizers.Adam(0.02), loss="mse")
    return model


def functional_autoencoder(X, y):
    inputs = layers.Input((X.shape[1],))
    code = layers.Dense(3, name="encoder")(layers.Dense(8, activation="tanh")(inputs))
    model = neuronet.Model(inputs, layers.Dense(X.shape[1])(code))
    model.compile(optimizer=optimizers.Adam(0.02), loss="mse")
    return model


def test_transformer_returns_the_encoders_output(blobs):
    X, y = blobs
    X = StandardScaler().fit_transform(X)
    trs = SKLearnTransformer(autoencoder, fit_kwargs={"epochs": 80}, random_state=0)
    codes = trs.fit_transform(X)  # no y: the model learns to reproduce X
    assert codes.shape == (150, 2)
    np.testing.assert_allclose(codes, trs.model_.get_layer("encoder").predict(X, verbose=0), rtol=1e-6)
    reconstruction = trs.model_.predict(X, verbose=0)
    assert np.mean((reconstruction - X) ** 2) < 0.5 * np.mean(X ** 2)
    assert list(trs.get_feature_names_out()) == ["sklearntransformer0", "sklearntransformer1"]
    functional = SKLearnTransformer(functional_autoencoder, fit_kwargs={"epochs": 5}, random_state=0).fit(X)
    assert functional.transform(X).shape == (150, 3)
    # codes from the encoder feed a classifier in a pipeline
    pipe = make_pipeline(SKLearnTransformer(autoencoder, fit_kwargs={"epochs": 60}, random_state=0),
                         SKLearnClassifier(mlp, fit_kwargs={"epochs": 60}, random_state=0))
    assert pipe.fit(X, y).score(X, y) > 0.8


def test_warm_start_continues_the_same_model(blobs):
    X, y = blobs
    clf = SKLearnClassifier(mlp, warm_start=True, fit_kwargs={"epochs": 3}, random_state=0).fit(X, y)
    first = clf.model_
    loss_after_first = clf.history_["loss"][-1]
    clf.fit(X, y)
    assert clf.model_ is first and clf.history_["loss"][0] < loss_after_first + 1e-6
    with pytest.raises(ValueError, match="classes must stay"):
        clf.fit(X, np.where(y == "setosa", "a", "b"))
    cold = SKLearnClassifier(mlp, fit_kwargs={"epochs": 3}, random_state=0).fit(X, y)
    model = cold.model_
    assert cold.fit(X, y).model_ is not model


def test_pickle_round_trip(blobs):
    X, y = blobs
    clf = SKLearnClassifier(mlp, fit_kwargs={"epochs": 5}, random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_bad_models_and_labels(blobs):
    X, y = blobs

    def uncompiled(X, y):
        return models.Sequential([layers.Input((X.shape[1],)), layers.Dense(3)])

    with pytest.raises(RuntimeError, match="must be compiled"):
        SKLearnClassifier(uncompiled).fit(X, y)
    with pytest.raises(TypeError, match="must be a neuronet Model"):
        SKLearnClassifier(lambda X, y: "not a model").fit(X, y)
    with pytest.raises(TypeError, match="must be a compiled neuronet Model or a function"):
        SKLearnClassifier(42).fit(X, y)
    with pytest.raises(ValueError, match="has 5 units but y has 3 classes"):
        SKLearnClassifier(mlp, model_kwargs={"units": 5}).fit(X, y)
    with pytest.raises(ValueError, match="only one class"):
        SKLearnClassifier(mlp).fit(X, np.full(len(y), "a"))
    with pytest.raises(ValueError, match="Unknown label type"):
        SKLearnClassifier(mlp).fit(X, np.linspace(0, 1, len(y)))
    with pytest.raises(ValueError, match=r"sample_weight of shape \(150,\)"):
        SKLearnClassifier(mlp).fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="pass sample_weight to fit"):
        SKLearnClassifier(mlp, fit_kwargs={"sample_weight": np.ones(150)}).fit(X, y)
    clf = SKLearnClassifier(mlp, fit_kwargs={"epochs": 1}).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but SKLearnClassifier is expecting 4"):
        clf.predict(X[:, :2])


def test_missing_scikit_learn_names_the_extra(monkeypatch):
    from neuronet.wrappers import base

    monkeypatch.setattr(base, "sklearn", None)
    with pytest.raises(ImportError, match=r"pip install 'neuronet\[sklearn\]'"):
        SKLearnRegressor(regression_mlp)


def test_import_neuronet_imports_neither_sklearn_nor_the_wrappers_or_cli():
    code = ("import sys, neuronet; print(sorted(m for m in ('sklearn', 'pandas', 'neuronet.wrappers', "
            "'neuronet.cli') if m in sys.modules)); print(neuronet.wrappers.SKLearnClassifier.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[]", "SKLearnClassifier"]
