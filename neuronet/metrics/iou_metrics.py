"""Intersection-over-union metrics for segmentation (Keras ``iou_metrics``): IoU, MeanIoU, BinaryIoU,
OneHotIoU, OneHotMeanIoU.

Each accumulates a confusion matrix over all batches (rows: true class, columns: predicted class,
entries weighted by ``sample_weight``) and reads, for each class ``c``::

    IoU_c = TP_c / (TP_c + FP_c + FN_c) = cm[c, c] / (Σ_col cm[c, :] + Σ_row cm[:, c] - cm[c, c])

The result is the mean of ``IoU_c`` over the target classes that appeared at all (in the labels
or the predictions); a class never seen is left out of the mean, and with none seen the result is 0.
"""

from __future__ import annotations

import numpy as np

from .. import config
from .base import Metric, _array

__all__ = ["BinaryIoU", "IoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU"]


def _class_ids(where: str, name: str, value, num_classes: int) -> list:
    ids = [value] if np.ndim(value) == 0 else list(np.asarray(value).reshape(-1))
    if not ids or any(isinstance(i, bool) or int(i) != i or not 0 <= int(i) < num_classes for i in ids):
        raise ValueError(f"{where}: expected {name} to be class ids in [0, {num_classes}), received {value!r}")
    return [int(i) for i in ids]


def _num_classes(where: str, num_classes) -> int:
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"{where}: expected num_classes to be a positive integer, received {num_classes!r}")
    return int(num_classes)


class _IoUBase(Metric):
    """The confusion matrix and the mean IoU over ``target_class_ids`` (see the module docstring).

    Args:
        num_classes: the number of classes (>= 2 for a meaningful IoU, 1 accepted).
        target_class_ids: the classes averaged in the result.
        ignore_class: a label whose entries are not counted. Defaults to None.
        sparse_y_true: y_true holds class ids (True) or one-hot / scores along ``axis`` (False, argmax taken).
        sparse_y_pred: likewise for y_pred.
        axis: the class axis for the non-sparse inputs. Defaults to -1.
        name, dtype: as :class:`Metric`.
    """

    _direction = "up"

    def __init__(self, num_classes: int, target_class_ids, name: str | None = None, dtype: str | None = None,
                 ignore_class: int | None = None, sparse_y_true: bool = True, sparse_y_pred: bool = True,
                 axis: int = -1):
        # Keras writes an integer dtype (its confusion matrix's); results here are floats whatever it says
        super().__init__(name=name, dtype=None if dtype is not None and np.dtype(dtype).kind != "f" else dtype)
        cls = type(self).__name__
        self.num_classes = _num_classes(cls, num_classes)
        self.target_class_ids = _class_ids(cls, "target_class_ids", target_class_ids, self.num_classes)
        self.ignore_class = None if ignore_class is None else int(ignore_class)
        self.sparse_y_true, self.sparse_y_pred, self.axis = bool(sparse_y_true), bool(sparse_y_pred), int(axis)
        self.reset_state()

    def reset_state(self) -> None:
        self.total_cm = np.zeros((self.num_classes, self.num_classes), dtype=np.float64)

    def _labels(self, y_true, y_pred) -> tuple:
        yt, yp = _array(y_true), _array(y_pred)
        if not self.sparse_y_true:
            yt = np.argmax(yt, axis=self.axis)
        if not self.sparse_y_pred:
            yp = np.argmax(yp, axis=self.axis)
        return yt, yp

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Add one batch to the confusion matrix.

        Args:
            y_true: class ids (or one-hot when ``sparse_y_true=False``).
            y_pred: class ids (or scores when ``sparse_y_pred=False``); float ids are truncated, as Keras casts.
            sample_weight: weights broadcastable to the ids. Defaults to 1. They stay floats (Keras casts
                them to its integer dtype, truncating fractional weights, and warns).
        """
        yt, yp = self._labels(y_true, y_pred)
        yt, yp = yt.reshape(-1).astype(np.int64), yp.reshape(-1).astype(np.int64)
        if yt.size != yp.size:
            raise ValueError(f"{self.name}: y_true has {yt.size} labels but y_pred {yp.size}")
        if sample_weight is None:
            weight = np.ones(yt.size)
        else:
            weight = np.asarray(_array(sample_weight), dtype=np.float64)
            try:
                weight = np.broadcast_to(weight.reshape(-1) if weight.ndim > 1 else weight, yt.shape)
            except ValueError:
                raise ValueError(f"{self.name}: sample_weight of shape {weight.shape} does not match the "
                                 f"{yt.size} labels") from None
        keep = (yt >= 0) & (yt < self.num_classes) & (yp >= 0) & (yp < self.num_classes)  # out of range: dropped
        if self.ignore_class is not None:
            keep &= yt != self.ignore_class
        cells = yt[keep] * self.num_classes + yp[keep]
        self.total_cm += np.bincount(cells, weights=weight[keep], minlength=self.num_classes ** 2).reshape(
            self.num_classes, self.num_classes)

    def result(self) -> float:
        true_positives = np.diag(self.total_cm)
        union = self.total_cm.sum(axis=0) + self.total_cm.sum(axis=1) - true_positives
        ids = self.target_class_ids
        union, true_positives = union[ids], true_positives[ids]
        seen = union > 1e-9
        if not seen.any():
            return 0.0
        return float((true_positives[seen] / (union[seen] + config.epsilon())).sum() / seen.sum())

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "num_classes": self.num_classes,
                "target_class_ids": list(self.target_class_ids), "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class IoU(_IoUBase):
    """Mean IoU over the classes ``target_class_ids`` (see :class:`_IoUBase` for the arguments).

    Example::

        >>> m = IoU(num_classes=2, target_class_ids=[0])
        >>> m([0, 0, 1, 1], [0, 1, 0, 1])      # class 0: 1 / (2 + 2 - 1)
        0.3333333
    """


class MeanIoU(_IoUBase):
    """Mean IoU over every class (see :class:`_IoUBase`; no ``target_class_ids``)."""

    def __init__(self, num_classes: int, name: str | None = None, dtype: str | None = None,
                 ignore_class: int | None = None, sparse_y_true: bool = True, sparse_y_pred: bool = True,
                 axis: int = -1):
        target_class_ids = list(range(_num_classes(type(self).__name__, num_classes)))
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(_IoUBase):
    """IoU for one-hot labels (argmax along ``axis``) and scores (argmax unless ``sparse_y_pred``)."""

    def __init__(self, num_classes: int, target_class_ids, name: str | None = None, dtype: str | None = None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """Mean IoU over every class, for one-hot labels and scores (see :class:`OneHotIoU`)."""

    def __init__(self, num_classes: int, name: str | None = None, dtype: str | None = None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class BinaryIoU(_IoUBase):
    """IoU of two classes from probabilities: a prediction is class 1 when ``y_pred >= threshold``.

    Args:
        target_class_ids: the classes averaged, from (0, 1). Defaults to (0, 1).
        threshold: Defaults to 0.5.
        name, dtype: as :class:`Metric`.
    """

    def __init__(self, target_class_ids=(0, 1), threshold: float = 0.5, name: str | None = None,
                 dtype: str | None = None):
        super().__init__(2, target_class_ids, name=name, dtype=dtype)
        self.threshold = float(threshold)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        predicted = (np.asarray(_array(y_pred), dtype=np.float64) >= self.threshold).astype(np.int64)
        super().update_state(_array(y_true), predicted, sample_weight)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "target_class_ids": list(self.target_class_ids),
                "threshold": self.threshold}
