"""Confusion-matrix metrics (Keras ``confusion_metrics``): true/false positives/negatives counted at
thresholds, and what is read from them: Precision, Recall, the area under a curve (AUC), and the best
value of one rate where another reaches a target (PrecisionAtRecall, SensitivityAtSpecificity, ...).

A prediction is positive when ``y_pred > threshold``; a label is positive when it is non-zero. Every
metric here accumulates the weighted counts of :func:`_confusion_counts` and divides them in
``result()``.
"""

from __future__ import annotations

import numpy as np

from .. import config, ops
from ._arrays import (_apply_mask, _array, _broadcast_weight, _check_batch, _check_k, _divide_no_nan, _float_array,
                      _same_rank)
from .base import Metric

__all__ = ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives", "Precision", "Recall", "AUC",
           "PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity"]

# Keras' stand-in for -inf when masking predictions outside the top k.
_NEG_INF = -1e10


def _confusion_counts(y_true, y_pred, thresholds: np.ndarray, sample_weight=None, metric: str = "metric"):
    """Weighted (tp, fp, tn, fn), one entry per threshold of the ascending ``thresholds``.

    ``tp``/``fp`` weigh the positive/negative labels whose prediction is above a threshold; ``fn``/``tn``
    the rest of them. One threshold takes four weighted sums. Several are vectorized over samples:
    each prediction falls into the bucket "number of thresholds below it", and a suffix sum over the
    bucket histogram counts, for every threshold, the predictions above it.
    """
    y_true, y_pred = _same_rank(_array(y_true), _float_array(y_pred))
    _check_batch(metric, y_true, y_pred)
    try:
        labels = np.broadcast_to(y_true, y_pred.shape).reshape(-1) != 0
    except ValueError:
        raise ValueError(
            f"{metric}: y_true with shape {y_true.shape} does not match y_pred with shape {y_pred.shape}"
        ) from None
    preds = y_pred.reshape(-1)
    weight = None if sample_weight is None else _broadcast_weight(metric, sample_weight, y_pred.shape).reshape(-1)
    if thresholds.shape[0] == 1:
        above = preds > thresholds[0]
        if weight is None:
            pos_total = np.count_nonzero(labels)
            neg_total = labels.size - pos_total
            pos_above = np.count_nonzero(above & labels)
            neg_above = np.count_nonzero(above) - pos_above
        else:
            pos_total = float(np.dot(weight, labels))
            neg_total = float(weight.sum()) - pos_total
            pos_above = float(np.dot(weight, above & labels))
            neg_above = float(np.dot(weight, above)) - pos_above
        pos_above, neg_above = np.array([pos_above], np.float64), np.array([neg_above], np.float64)
    else:
        n_thr = thresholds.shape[0]
        buckets = np.searchsorted(thresholds, preds, side="left")
        buckets[np.isnan(preds)] = 0  # NaN > t is False for every threshold
        w_pos = None if weight is None else weight[labels]
        w_neg = None if weight is None else weight[~labels]
        pos_hist = np.bincount(buckets[labels], weights=w_pos, minlength=n_thr + 1).astype(np.float64)
        neg_hist = np.bincount(buckets[~labels], weights=w_neg, minlength=n_thr + 1).astype(np.float64)
        # above[j] = weight of predictions with bucket > j, i.e. y_pred > thresholds[j]
        pos_above = np.cumsum(pos_hist[::-1])[::-1][1:]
        neg_above = np.cumsum(neg_hist[::-1])[::-1][1:]
        pos_total, neg_total = pos_hist.sum(), neg_hist.sum()
    return pos_above, neg_above, neg_total - neg_above, pos_total - pos_above


def _check_thresholds(cls: str, thresholds) -> list[float]:
    values = [thresholds] if np.ndim(thresholds) == 0 else list(np.asarray(thresholds).reshape(-1))
    if not values:
        raise ValueError(f"{cls}: expected at least one threshold, received thresholds={thresholds!r}")
    for t in values:
        if not 0.0 <= float(t) <= 1.0:
            raise ValueError(f"{cls}: expected thresholds in [0, 1], received thresholds={thresholds!r}")
    return [float(t) for t in values]


def _filter_top_k(y_pred: np.ndarray, k: int) -> np.ndarray:
    """Keep the ``k`` largest predictions of each row; the others become -1e10 (never positive)."""
    if k >= y_pred.shape[-1]:
        return y_pred
    # A stable sort keeps the lower index first among ties, as Keras' top_k does.
    top = np.argsort(-y_pred, axis=-1, kind="stable")[..., :k]
    out = np.full(y_pred.shape, _NEG_INF, dtype=y_pred.dtype)
    np.put_along_axis(out, top, np.take_along_axis(y_pred, top, axis=-1), axis=-1)
    return out


class _CountsAtThresholds(Metric):
    """Weighted true/false positives/negatives per threshold: the state of the metrics below.

    ``top_k`` and ``class_id`` (Precision and Recall) narrow what is counted: only the k highest
    predictions of a row can be positive; only one class's column is counted.
    """

    def __init__(self, thresholds=None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        cls = type(self).__name__
        if top_k is not None:
            top_k = _check_k(cls, top_k)
        if class_id is not None and (isinstance(class_id, bool) or not isinstance(class_id, (int, np.integer))
                                     or class_id < 0):
            raise ValueError(f"{cls}: expected class_id to be a non-negative integer, received {class_id!r}")
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = None if class_id is None else int(class_id)
        if thresholds is None:
            # With top_k every prediction in the top k counts as positive, whatever its value.
            self.thresholds = [0.5] if top_k is None else [_NEG_INF]
        else:
            self.thresholds = _check_thresholds(cls, thresholds)
        self._single = thresholds is None or np.ndim(thresholds) == 0
        self._order = np.argsort(self.thresholds, kind="stable")
        self._sorted = np.asarray(self.thresholds, dtype=np.float64)[self._order]
        self.reset_state()

    def reset_state(self) -> None:
        n = len(self.thresholds)
        self.true_positives = np.zeros(n)
        self.false_positives = np.zeros(n)
        self.true_negatives = np.zeros(n)
        self.false_negatives = np.zeros(n)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulate weighted confusion counts of one batch.

        Args:
            y_true: binary labels (non-zero is positive), shape (batch,) or (batch, d).
            y_pred: predicted probabilities of the same shape (a trailing axis of 1 on either side is
                accepted). ``y_pred > threshold`` counts as a positive prediction.
            sample_weight: optional weights broadcastable to y_pred (usually shape (batch,)).
                Defaults to 1.
        """
        yt, yp = _array(y_true), _float_array(y_pred)
        sample_weight = _apply_mask(y_pred, sample_weight)
        if self.top_k is not None:
            yp = _filter_top_k(yp, self.top_k)
        if self.class_id is not None:
            if self.class_id >= yp.shape[-1]:
                raise ValueError(
                    f"{self.name}: class_id={self.class_id} is out of range for y_pred with {yp.shape[-1]} classes"
                )
            yt = yt[..., self.class_id]
            yp = yp[..., self.class_id]
            if sample_weight is not None:
                sw = _array(sample_weight)
                if sw.ndim == yt.ndim + 1:
                    sw = sw[..., self.class_id] if sw.shape[-1] != 1 else sw[..., 0]
                sample_weight = sw
        tp, fp, tn, fn = _confusion_counts(yt, yp, self._sorted, sample_weight, self.name)
        order = self._order
        self.true_positives[order] += tp
        self.false_positives[order] += fp
        self.true_negatives[order] += tn
        self.false_negatives[order] += fn

    def _output(self, values):
        return float(values[0]) if self._single else np.asarray(values, dtype=self.dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds}


class _Count(_CountsAtThresholds):
    """One cell of the confusion matrix, at one or several thresholds (Keras's signature: no top_k)."""

    _cell = "true_positives"

    def __init__(self, thresholds=None, name: str | None = None, dtype: str | None = None):
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)

    def result(self):
        return self._output(getattr(self, self._cell))


class TruePositives(_Count):
    """Weighted number of true positives (label non-zero and ``y_pred > threshold``).

    Args:
        thresholds: a float in [0, 1] or a list of them. Defaults to 0.5.
        name: Defaults to ``'true_positives'`` (made unique).
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> TruePositives()([0, 1, 1, 1], [1, 0, 1, 1])
        2.0
    """

    _cell = "true_positives"


class FalsePositives(_Count):
    """Weighted number of false positives (label 0 and ``y_pred > threshold``). Args as TruePositives."""

    _cell = "false_positives"


class TrueNegatives(_Count):
    """Weighted number of true negatives (label 0 and ``y_pred <= threshold``). Args as TruePositives."""

    _cell = "true_negatives"


class FalseNegatives(_Count):
    """Weighted number of false negatives (label non-zero, ``y_pred <= threshold``). Args as TruePositives."""

    _cell = "false_negatives"


class _PrecisionRecall(_CountsAtThresholds):
    _direction = "up"

    def get_config(self) -> dict:
        return {**super().get_config(), "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """Precision: the fraction of positive predictions that are right, ``tp / (tp + fp)``.

    A prediction is positive when ``y_pred > threshold``. With ``top_k`` only the k highest
    predictions of each row can be positive; with ``class_id`` only that column is scored.

    Args:
        thresholds: a float in [0, 1] or a list of them (the result is then one value per threshold).
            Defaults to 0.5 (or "any value" when top_k is set).
        top_k: optional number of top predictions per row considered. Defaults to None.
        class_id: optional class index to score in multi-class/multi-label outputs. Defaults to None.
        name: Defaults to ``'precision'`` (made unique).
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> Precision()([0, 1, 1, 1], [1, 0, 1, 1])
        0.6666666666666666
    """

    def result(self):
        return self._output(_divide_no_nan(self.true_positives, self.true_positives + self.false_positives))


class Recall(_PrecisionRecall):
    """Recall: the fraction of positive labels that are found, ``tp / (tp + fn)``.

    Args:
        thresholds: a float in [0, 1] or a list of them (the result is then one value per threshold).
            Defaults to 0.5 (or "any value" when top_k is set).
        top_k: optional number of top predictions per row considered. Defaults to None.
        class_id: optional class index to score in multi-class/multi-label outputs. Defaults to None.
        name: Defaults to ``'recall'`` (made unique).
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> Recall()([0, 1, 1, 1], [1, 0, 1, 1])
        0.6666666666666666
    """

    def result(self):
        return self._output(_divide_no_nan(self.true_positives, self.true_positives + self.false_negatives))


class AUC(Metric):
    """Area under the ROC or precision-recall curve, approximated on a grid of thresholds (as Keras).

    The predictions are bucketed at ``num_thresholds`` thresholds (evenly spaced in [0, 1], plus one
    just below 0 and one just above 1); at each threshold the true/false positive/negative counts give
    a point of the curve, and the area is a Riemann sum over the points:

    - ``curve='ROC'``: x = false-positive rate, y = recall; ``summation_method='interpolation'`` uses
      trapezoids (``(y[i] + y[i+1]) / 2``), 'minoring'/'majoring' the lower/upper rectangles.
    - ``curve='PR'``: x = recall, y = precision; 'interpolation' interpolates precision between
      thresholds as in Davis & Goadrich (2006), which keeps the PR area well-defined.

    With enough thresholds the ROC value agrees with ``sklearn.metrics.roc_auc_score`` to ~1e-3.

    Args:
        num_thresholds: number of thresholds (> 1). Defaults to 200.
        curve: 'ROC' or 'PR'. Defaults to 'ROC'.
        summation_method: 'interpolation', 'minoring' or 'majoring'. Defaults to 'interpolation'.
        name: Defaults to ``'auc'`` (made unique).
        dtype: Defaults to ``config.floatx()``.
        thresholds: optional explicit thresholds in [0, 1]; overrides num_thresholds. Defaults to None.
        multi_label: if True, y has shape (batch, labels) and the AUC is computed per label and averaged.
            If False, all entries are pooled into one curve. Defaults to False.
        num_labels: number of labels when multi_label is True (taken from the first batch if None).
        label_weights: optional weights per label: the average weights when multi_label, otherwise
            they multiply the sample weights of each label's column. Defaults to None.
        from_logits: if True, ``y_pred`` are logits and pass through a sigmoid first. Defaults to False.

    Example::

        >>> AUC()([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])   # sklearn.roc_auc_score gives 0.75
        0.75...
    """

    _direction = "up"

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", summation_method: str = "interpolation",
                 name: str | None = None, dtype: str | None = None, thresholds=None, multi_label: bool = False,
                 num_labels: int | None = None, label_weights=None, from_logits: bool = False):
        super().__init__(name=name, dtype=dtype)
        if not isinstance(curve, str) or curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: expected curve to be 'ROC' or 'PR', received {curve!r}")
        methods = ("interpolation", "minoring", "majoring")
        if not isinstance(summation_method, str) or summation_method.lower() not in methods:
            raise ValueError(f"AUC: expected summation_method in {methods}, received {summation_method!r}")
        self.curve = curve.upper()
        self.summation_method = summation_method.lower()
        self.multi_label = bool(multi_label)
        self.from_logits = bool(from_logits)
        eps = config.epsilon()
        if thresholds is not None:
            inner = sorted(_check_thresholds("AUC", thresholds))
            self._init_from_thresholds = True
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, (int, np.integer)) \
                    or num_thresholds <= 1:
                raise ValueError(f"AUC: expected num_thresholds to be an integer > 1, received {num_thresholds!r}")
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._init_from_thresholds = False
        # The outer thresholds catch predictions of exactly 0 and exactly 1.
        self.thresholds = [0.0 - eps] + inner + [1.0 + eps]
        self.num_thresholds = len(self.thresholds)
        self._thresholds = np.asarray(self.thresholds, dtype=np.float64)
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype=np.float64)
        if self.label_weights is not None and np.any(self.label_weights < 0):
            raise ValueError(f"AUC: expected non-negative label_weights, received {label_weights!r}")
        self.num_labels = None if num_labels is None else int(num_labels)
        self.reset_state()

    def reset_state(self) -> None:
        if self.multi_label and self.num_labels is None:
            self.true_positives = self.false_positives = self.true_negatives = self.false_negatives = None
            return
        shape = (self.num_thresholds, self.num_labels) if self.multi_label else (self.num_thresholds,)
        self.true_positives = np.zeros(shape)
        self.false_positives = np.zeros(shape)
        self.true_negatives = np.zeros(shape)
        self.false_negatives = np.zeros(shape)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulate weighted confusion counts of one batch at every threshold.

        Args:
            y_true: binary labels (non-zero is positive), shape (batch,) or (batch, labels).
            y_pred: probabilities (or logits with from_logits=True) of the same shape.
            sample_weight: optional weights broadcastable to y_pred (usually (batch,)). Defaults to 1.
        """
        sample_weight = _apply_mask(y_pred, sample_weight)
        yt, yp = _same_rank(_array(y_true), _float_array(y_pred))
        if self.from_logits:
            yp = ops.sigmoid(yp).data
        if sample_weight is not None:
            sample_weight = _broadcast_weight(self.name, sample_weight, yp.shape)
        if self.multi_label:
            if yp.ndim != 2:
                raise ValueError(f"{self.name}: multi_label expects y_pred of shape (batch, labels), "
                                 f"received {yp.shape}")
            if self.true_positives is None:
                self.num_labels = yp.shape[-1]
                self.reset_state()
            if yp.shape[-1] != self.num_labels:
                raise ValueError(f"{self.name}: expected {self.num_labels} labels, received y_pred with shape "
                                 f"{yp.shape}")
            yt = np.broadcast_to(yt, yp.shape)
            for j in range(yp.shape[-1]):  # a loop over labels, each vectorized over samples
                counts = _confusion_counts(yt[:, j], yp[:, j], self._thresholds,
                                           None if sample_weight is None else sample_weight[:, j], self.name)
                for state, c in zip(self._state(), counts):
                    state[:, j] += c
            return
        if self.label_weights is not None:
            lw = self.label_weights
            sample_weight = lw if sample_weight is None else sample_weight * lw
        counts = _confusion_counts(yt, yp, self._thresholds, sample_weight, self.name)
        for state, c in zip(self._state(), counts):
            state += c

    def _state(self):
        return self.true_positives, self.false_positives, self.true_negatives, self.false_negatives

    def _interpolate_pr_auc(self):
        """PR-AUC with precision interpolated between thresholds (Davis & Goadrich 2006, as Keras)."""
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        prec_slope = _divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        safe_p_ratio = np.where(both, _divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.where(safe_p_ratio > 0, np.log(np.where(safe_p_ratio > 0, safe_p_ratio, 1.0)), 0.0)
        increment = _divide_no_nan(prec_slope * (dtp + intercept * log_ratio), np.maximum(tp[1:] + fn[1:], 0))
        return self._reduce_labels(increment)

    def _reduce_labels(self, terms) -> float:
        if not self.multi_label:
            return float(terms.sum())
        by_label = terms.sum(axis=0)
        if self.label_weights is None:
            return float(by_label.mean())
        return float(_divide_no_nan((by_label * self.label_weights).sum(), self.label_weights.sum()))

    def result(self) -> float:
        if self.true_positives is None:
            return 0.0
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp, fp, tn, fn = self._state()
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._reduce_labels((x[:-1] - x[1:]) * heights)

    def get_config(self) -> dict:
        config = {
            "num_thresholds": self.num_thresholds, "curve": self.curve,
            "summation_method": self.summation_method, "multi_label": self.multi_label,
            "num_labels": self.num_labels, "from_logits": self.from_logits,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "name": self.name, "dtype": self.dtype,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


class _RateAtRate(_CountsAtThresholds):
    """The largest value of one rate over the thresholds where another rate reaches ``value``.

    The counts are kept at ``num_thresholds`` thresholds evenly spaced over [0, 1] (0 and 1
    included; a single threshold is 0.5), as Keras does. With no threshold meeting the constraint the
    result is 0.

    Args:
        value: the target of the constrained rate, in [0, 1].
        num_thresholds: Defaults to 200. class_id: count only this class's column. Defaults to None.
        name, dtype: as :class:`Metric`.
    """

    _value_name = "value"
    _direction = "up"

    def __init__(self, value: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None,
                 dtype: str | None = None):
        cls = type(self).__name__
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"{cls}: expected {self._value_name} in [0, 1], received {self._value_name}={value!r}")
        if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, (int, np.integer)) or num_thresholds < 1:
            raise ValueError(f"{cls}: expected num_thresholds to be a positive integer, received "
                             f"num_thresholds={num_thresholds!r}")
        self.value, self.num_thresholds = float(value), int(num_thresholds)
        if num_thresholds == 1:
            thresholds = [0.5]
        else:
            thresholds = [0.0] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1.0]
        super().__init__(thresholds=thresholds, class_id=class_id, name=name, dtype=dtype)

    def _rates(self) -> dict:
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        return {"recall": _divide_no_nan(tp, tp + fn), "precision": _divide_no_nan(tp, tp + fp),
                "specificity": _divide_no_nan(tn, tn + fp)}

    def _best(self, constrained: str, dependent: str) -> float:
        rates = self._rates()
        feasible = rates[constrained] >= self.value
        return float(rates[dependent][feasible].max()) if feasible.any() else 0.0

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._value_name: self.value}


class PrecisionAtRecall(_RateAtRate):
    """The best precision at the thresholds where recall is at least ``recall`` (see _RateAtRate)."""

    _value_name = "recall"

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None, name=None, dtype=None):
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> float:
        return self._best("recall", "precision")


class RecallAtPrecision(_RateAtRate):
    """The best recall at the thresholds where precision is at least ``precision`` (see _RateAtRate)."""

    _value_name = "precision"

    def __init__(self, precision: float, num_thresholds: int = 200, class_id: int | None = None, name=None,
                 dtype=None):
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> float:
        return self._best("precision", "recall")


class SensitivityAtSpecificity(_RateAtRate):
    """The best sensitivity (recall) at the thresholds where specificity ``tn / (tn + fp)`` is at least
    ``specificity`` (see _RateAtRate)."""

    _value_name = "specificity"

    def __init__(self, specificity: float, num_thresholds: int = 200, class_id: int | None = None, name=None,
                 dtype=None):
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> float:
        return self._best("specificity", "recall")


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity at the thresholds where sensitivity (recall) is at least ``sensitivity``
    (see _RateAtRate)."""

    _value_name = "sensitivity"

    def __init__(self, sensitivity: float, num_thresholds: int = 200, class_id: int | None = None, name=None,
                 dtype=None):
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> float:
        return self._best("recall", "specificity")
