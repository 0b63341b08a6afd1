"""Classification targets: labels in, what the model trains on, and model outputs back to labels.

Four kinds of ``y`` (scikit-learn's ``type_of_target``):

* ``'binary'`` / ``'multiclass'``: one label per sample (numbers or strings). The model function gets
  one-hot rows ``(n, n_classes)`` (as Keras's wrapper); ``fit`` gets one-hot rows, the class indices
  for a sparse cross-entropy, or a 0/1 column for a model with one output unit.
* ``'multilabel-indicator'``: ``(n, n_labels)`` of 0/1, several labels per sample; the model has one
  sigmoid unit per label.
* ``'multiclass-multioutput'``: ``(n, n_outputs)``, one label per output column; the model gets a list
  of one-hot arrays and has one softmax output per column.

Model outputs are read as probabilities, or as logits when the model's loss has ``from_logits=True``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ClassifierTarget"]

_TINY = np.nextafter(0.0, 1.0)
_ALMOST_ONE = np.nextafter(1.0, 0.0)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + e^-z), without overflow


def _losses_of(model, count: int) -> list:
    """The model's loss for each output (a list of ``count`` entries, None where unknown)."""
    loss = model.loss
    if isinstance(loss, dict):
        names = getattr(model, "output_names", None) or []
        return [loss.get(n) for n in names] if len(names) == count else [None] * count
    if isinstance(loss, (list, tuple)):
        return list(loss) + [None] * (count - len(loss))
    return [loss] * count


def _loss_name(loss) -> str:
    if loss is None:
        return ""
    if isinstance(loss, str):
        return loss.lower()
    name = getattr(loss, "name", None) or getattr(loss, "__name__", None) or type(loss).__name__
    return str(name).lower()


def _from_logits(loss) -> bool:
    if loss is None or isinstance(loss, str):
        return False
    return bool(getattr(loss, "from_logits", False))


def _is_sparse(loss) -> bool:
    name = _loss_name(loss).replace("_", "")
    return "sparse" in name


class ClassifierTarget:
    """Encodes a classifier's ``y`` for the model and decodes the model's outputs.

    Attributes after :meth:`fit`: ``kind`` (scikit-learn's target type), ``classes`` (one array of
    labels per output column), ``classes_`` (what the estimator exposes), ``ndim`` (of ``y``).
    """

    def fit(self, y: np.ndarray, sample_weight, where: str) -> "ClassifierTarget":
        from sklearn.utils.multiclass import type_of_target

        kind = type_of_target(y, input_name="y")
        if kind not in ("binary", "multiclass", "multilabel-indicator", "multiclass-multioutput"):
            raise ValueError(f"Unknown label type: {kind!r}. {where} expects class labels (binary, multiclass, "
                             "multilabel-indicator or multiclass-multioutput targets)")
        self.kind, self.ndim = kind, y.ndim
        columns = [y] if y.ndim == 1 else [y[:, j] for j in range(y.shape[1])]
        if kind == "multilabel-indicator":
            self.classes = [np.array([0, 1]) for _ in columns]
            self.classes_ = np.arange(len(columns))
            self.label_dtype = y.dtype
            return self
        self.classes = [np.unique(c) for c in columns]
        for j, (column, classes) in enumerate(zip(columns, self.classes)):
            label = "y" if y.ndim == 1 else f"y[:, {j}]"
            if len(classes) < 2:
                raise ValueError(f"{where}: {label} has only one class ({classes[0]!r}); a classifier needs at least "
                                 "2 classes")
            if sample_weight is not None:
                weighted = np.unique(column[sample_weight > 0])
                if len(weighted) < 2:
                    raise ValueError(f"{where}: only one class ({weighted[0]!r}) of {label} has a non-zero "
                                     "sample_weight; a classifier needs at least 2 classes with weight")
        self.classes_ = self.classes[0] if y.ndim == 1 else self.classes
        return self

    def check_same(self, other: "ClassifierTarget", where: str) -> None:
        """For ``warm_start``: the new labels must be the ones the model was built for."""
        same = (self.kind == other.kind and len(self.classes) == len(other.classes)
                and all(np.array_equal(a, b) for a, b in zip(self.classes, other.classes)))
        if not same:
            raise ValueError(f"{where}: with warm_start=True the classes must stay those of the first fit "
                             f"({self.classes_!r}), received {other.classes_!r}")

    # ------------------------------------------------------------------ encoding
    def _indices(self, y: np.ndarray) -> list:
        columns = [y] if y.ndim == 1 else [y[:, j] for j in range(y.shape[1])]
        return [np.searchsorted(classes, column) for classes, column in zip(self.classes, columns)]

    def for_builder(self, y: np.ndarray):
        """What the model function receives as ``y``: one-hot rows (a list of them for
        multiclass-multioutput), or the 0/1 indicator matrix for multilabel targets."""
        if self.kind == "multilabel-indicator":
            return y.astype(np.float64)
        onehots = [np.eye(len(c))[idx] for c, idx in zip(self.classes, self._indices(y))]
        return onehots[0] if self.kind in ("binary", "multiclass") else onehots

    def for_fit(self, y: np.ndarray, model, probe: np.ndarray, where: str):
        """The targets ``model.fit`` gets, matching each output's loss and width (``probe``: the model's
        outputs on one sample)."""
        if self.kind == "multilabel-indicator":
            return y.astype(np.float64)
        outputs = probe if isinstance(probe, list) else [probe]
        if len(outputs) != len(self.classes):
            raise ValueError(f"{where}: the model has {len(outputs)} output(s) but y has {len(self.classes)} output "
                             "column(s); build one output per column of y")
        targets = []
        for j, (classes, idx, out, loss) in enumerate(zip(self.classes, self._indices(y), outputs,
                                                         _losses_of(model, len(outputs)))):
            units = out.shape[-1] if out.ndim > 1 else 1
            if _is_sparse(loss):
                targets.append(idx)
            elif units == 1 and len(classes) == 2:
                targets.append(idx.astype(np.float64))
            elif units == len(classes):
                targets.append(np.eye(len(classes))[idx])
            else:
                raise ValueError(f"{where}: output {j} of the model has {units} units but y has {len(classes)} "
                                 f"classes; give the last layer {len(classes)} units (or 1 for two classes)")
        return targets[0] if len(targets) == 1 else targets

    # ------------------------------------------------------------------ decoding
    def probabilities(self, raw, model) -> list:
        """One ``(n, n_classes)`` array of probabilities per output column (for multilabel targets:
        one ``(n, n_labels)`` array of each label's probability)."""
        outputs = raw if isinstance(raw, list) else [raw]
        losses = _losses_of(model, len(outputs))
        if self.kind == "multilabel-indicator":
            z = outputs[0].reshape(len(outputs[0]), -1)
            p = _sigmoid(z) if _from_logits(losses[0]) else z
            return [np.clip(p, _TINY, _ALMOST_ONE)]
        probas = []
        for classes, out, loss in zip(self.classes, outputs, losses):
            out = out.reshape(len(out), -1)
            if out.shape[1] == 1:  # one unit for two classes: the probability of the second
                p1 = _sigmoid(out[:, 0]) if _from_logits(loss) else np.clip(out[:, 0], 0.0, 1.0)
                probas.append(np.column_stack([1.0 - p1, p1]))
                continue
            p = _softmax(out) if _from_logits(loss) else np.clip(out, 0.0, None)
            total = p.sum(axis=1, keepdims=True)
            probas.append(np.where(total > 0, p / np.where(total > 0, total, 1.0), 1.0 / p.shape[1]))
        return probas

    def predict(self, probas: list) -> np.ndarray:
        if self.kind == "multilabel-indicator":
            return (probas[0] > 0.5).astype(self.label_dtype)
        labels = [classes[np.argmax(p, axis=1)] for classes, p in zip(self.classes, probas)]
        return labels[0] if self.ndim == 1 else np.column_stack(labels)

    def decision(self, probas: list):
        """Scores whose sign or argmax gives the prediction: the log-odds of the second class for binary
        targets (``(n,)``), log-probabilities ``(n, n_classes)`` for multiclass ones, each label's
        log-odds for multilabel targets (a list for multiclass-multioutput)."""
        if self.kind == "multilabel-indicator":
            p = probas[0]
            return np.log(p) - np.log1p(-p)
        scores = []
        for p in probas:
            logp = np.log(np.clip(p, _TINY, None))
            scores.append(logp[:, 1] - logp[:, 0] if p.shape[1] == 2 else logp)
        return scores[0] if self.ndim == 1 else scores
