"""The numbers the CLI prints: accuracy, F1 and ROC AUC with a confusion matrix for classification;
MAE, RMSE and R² for regression — computed by ``neuronet.metrics``."""

from __future__ import annotations

import numpy as np

__all__ = ["classification_metrics", "regression_metrics", "format_metrics", "confusion_matrix",
           "format_confusion"]


def classification_metrics(y_true: np.ndarray, proba: np.ndarray) -> dict:
    """``{'accuracy', 'f1', 'auc'}`` for class indices ``y_true`` ``(n,)`` and probabilities ``proba``
    ``(n, n_classes)``.

    F1 is the second class's for two classes (the positive one: 'yes', '1', '>50K' sort last) and the
    macro average over classes otherwise; AUC is the ROC AUC of the second class's probability for
    two classes and the mean one-vs-rest AUC otherwise (classes absent from ``y_true`` are left out).
    """
    from .. import metrics

    n_classes = proba.shape[1]
    predicted = proba.argmax(axis=1)
    onehot = np.eye(n_classes)[y_true]
    accuracy = metrics.Accuracy()
    accuracy.update_state(y_true, predicted)
    if n_classes == 2:
        f1 = metrics.F1Score(average=None)
        f1.update_state(onehot, np.eye(n_classes)[predicted])
        f1_value = float(np.asarray(f1.result())[1])
        auc = metrics.AUC(num_thresholds=1000) if 0 < y_true.sum() < len(y_true) else None
        if auc is not None:
            auc.update_state(y_true, proba[:, 1])
    else:
        f1 = metrics.F1Score(average="macro")
        f1.update_state(onehot, np.eye(n_classes)[predicted])
        f1_value = float(f1.result())
        present = [k for k in range(n_classes) if 0 < onehot[:, k].sum() < len(y_true)]
        auc = metrics.AUC(num_thresholds=1000, multi_label=True, num_labels=len(present)) if present else None
        if auc is not None:
            auc.update_state(onehot[:, present], proba[:, present])
    return {"accuracy": float(accuracy.result()), "f1": f1_value,
            "auc": float(auc.result()) if auc is not None else float("nan")}


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """``{'mae', 'rmse', 'r2'}`` of predictions ``y_pred`` against ``y_true`` (both ``(n,)``)."""
    from .. import metrics

    values = {}
    for key, metric in (("mae", metrics.MeanAbsoluteError()), ("rmse", metrics.RootMeanSquaredError()),
                        ("r2", metrics.R2Score())):
        metric.update_state(y_true.reshape(-1, 1), y_pred.reshape(-1, 1))
        values[key] = float(metric.result())
    return values


def format_metrics(values: dict) -> str:
    labels = {"accuracy": "accuracy", "f1": "F1", "auc": "AUC", "mae": "MAE", "rmse": "RMSE", "r2": "R²"}
    return "  ".join(f"{labels[k]} {v:.4f}" for k, v in values.items())


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts ``[true class, predicted class]``."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def format_confusion(counts: np.ndarray, classes: list) -> str:
    """The matrix as text: one row per true class, one column per predicted class."""
    names = [str(c) for c in classes]
    first = max([len("true \\ predicted")] + [len(n) for n in names])
    widths = [max(len(n), len(str(counts[:, j].max(initial=0)))) for j, n in enumerate(names)]
    lines = ["true \\ predicted".ljust(first) + "  " + "  ".join(n.rjust(w) for n, w in zip(names, widths))]
    for i, name in enumerate(names):
        lines.append(name.ljust(first) + "  " + "  ".join(str(v).rjust(w) for v, w in zip(counts[i], widths)))
    return "\n".join(lines)
