"""metrics.get / serialize / deserialize / resolve_accuracy, names and the docstring examples."""

import numpy as np
import pytest

import neuronet
from neuronet import metrics

skm = pytest.importorskip("sklearn.metrics")


@pytest.mark.parametrize("name,cls", [
    ("binary_accuracy", metrics.BinaryAccuracy), ("categorical_accuracy", metrics.CategoricalAccuracy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
    ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy), ("precision", metrics.Precision),
    ("recall", metrics.Recall), ("auc", metrics.AUC), ("mse", metrics.MeanSquaredError),
    ("mean_squared_error", metrics.MeanSquaredError), ("mae", metrics.MeanAbsoluteError),
    ("rmse", metrics.RootMeanSquaredError), ("BinaryAccuracy", metrics.BinaryAccuracy),
])
def test_get_names(name, cls):
    m = metrics.get(name)
    assert type(m) is cls
    if name.islower():
        assert m.name == name  # logged under the name the user wrote, as Keras compile does


def test_get_instance_class_function_and_none():
    m = metrics.AUC()
    assert metrics.get(m) is m
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)
    assert metrics.get(None) is None

    def within_half(y_true, y_pred):
        return (np.abs(y_true - y_pred) < 0.5).astype(np.float32)

    wrapped = metrics.get(within_half)
    assert wrapped.name == "within_half"
    assert wrapped(np.array([1.0, 2.0]), np.array([1.2, 3.0])) == 0.5


def test_get_unknown_name_names_the_closest_and_where_all_are():
    # one short line: the closest names and where the full list is (not the 100+ names themselves)
    with pytest.raises(ValueError, match=r"^metrics.get: unknown metric 'binary_acuracy' \(did you mean "
                                         r"'binary_accuracy'\?\); all names: neuronet.metrics.ALL_NAMES$") as err:
        metrics.get("binary_acuracy")
    assert "\n" not in str(err.value) and len(str(err.value)) < 160
    with pytest.raises(ValueError, match=r"unknown metric 'acurracy' \(did you mean 'accuracy'\?\)"):
        metrics.get("acurracy")
    with pytest.raises(ValueError, match=r"unknown metric 'zzz'; all names"):
        metrics.get("zzz")
    assert "binary_accuracy" in metrics.ALL_NAMES and "accuracy" in metrics.ALL_NAMES and "AUC" in metrics.ALL_NAMES
    for name in metrics.ALL_NAMES:  # every listed name is accepted ('accuracy' is resolved by the model)
        if name not in ("accuracy", "acc"):
            metrics.get(name)
    with pytest.raises(ValueError, match="resolve"):
        metrics.get("accuracy")
    with pytest.raises(TypeError):
        metrics.get(3)


@pytest.mark.parametrize("loss,units,cls", [
    ("binary_crossentropy", 1, metrics.BinaryAccuracy),
    ("mse", 1, metrics.BinaryAccuracy),
    ("sparse_categorical_crossentropy", 10, metrics.SparseCategoricalAccuracy),
    ("categorical_crossentropy", 10, metrics.CategoricalAccuracy),
    ("binary_crossentropy", 3, metrics.BinaryAccuracy),
])
def test_resolve_accuracy(loss, units, cls):
    m = metrics.resolve_accuracy(loss, units)
    assert type(m) is cls and m.name == "accuracy"


def test_resolve_accuracy_accepts_loss_objects():
    class SparseCategoricalCrossentropy:
        name = "sparse_categorical_crossentropy"

    assert isinstance(metrics.resolve_accuracy(SparseCategoricalCrossentropy(), 4), metrics.SparseCategoricalAccuracy)


def test_auto_names_are_unique_and_config_round_trips():
    assert metrics.Precision().name == "precision"
    assert metrics.Precision().name == "precision_1"
    for m in (metrics.BinaryAccuracy(threshold=0.3), metrics.AUC(curve="PR", num_thresholds=50),
              metrics.Precision(thresholds=[0.2, 0.6]), metrics.SparseTopKCategoricalAccuracy(k=2)):
        again = metrics.deserialize(metrics.serialize(m))
        assert type(again) is type(m) and again.get_config() == m.get_config()


def test_module_is_exposed():
    assert neuronet.metrics.get("mae").name == "mae"


def test_docstring_examples_run():
    import doctest

    attempted = failed = 0
    for module in (metrics.base, metrics.accuracy_metrics, metrics.confusion_metrics, metrics.f_score_metrics,
                   metrics.regression_metrics, metrics.probabilistic_metrics, metrics.hinge_metrics, metrics.registry):
        result = doctest.testmod(module, extraglobs={"np": np}, optionflags=doctest.ELLIPSIS)
        attempted, failed = attempted + result.attempted, failed + result.failed
    assert attempted > 10 and failed == 0


def test_get_accepts_loss_functions_and_loss_objects(rng):
    y = rng.normal(size=(20, 2)).astype(np.float32)
    p = rng.normal(size=(20, 2)).astype(np.float32)
    w = rng.uniform(size=20)
    from_fn = metrics.get(neuronet.losses.mean_squared_error)
    from_obj = metrics.get(neuronet.losses.MeanSquaredError())
    expected = skm.mean_squared_error(y, p, sample_weight=w)
    assert from_fn.name == "mean_squared_error" and from_obj.name == "mean_squared_error"
    assert from_fn(y, p, sample_weight=w) == pytest.approx(expected, rel=1e-5)
    assert from_obj(y, p, sample_weight=w) == pytest.approx(expected, rel=1e-5)



def test_a_wrapped_loss_function_is_better_smaller():
    assert metrics.get(neuronet.losses.mean_squared_error)._direction == "down"  # as Keras decides
    assert metrics.get(lambda y_true, y_pred: y_pred)._direction is None
