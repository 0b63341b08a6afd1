"""A table's columns → a neuronet model that reads them raw, and back: the layout of a tabular model.

``neuronet train`` makes a functional model whose file holds everything needed to predict from the raw
columns of a CSV:

* one input per feature column, named after it, shape ``(batch, 1)``: float for numeric columns,
  ``object`` (strings) for categorical ones;
* numeric inputs → ``Concatenate`` → ``Normalization`` (adapted on the training rows; its mean is also
  the value a missing number is replaced with, so a missing value normalizes to 0);
* each categorical input → ``StringLookup(output_mode='one_hot')`` adapted on the training rows (the
  100 most frequent categories; a missing value is the category ``''``, an unseen one the OOV slot);
* ``Concatenate`` → the ``network`` (a Sequential of Dense layers) →
  for classification, one output per class, named after the class (its probability, ``(batch, 1)``);
  for regression, one output named after the target, un-standardized by ``Normalization(invert=True)``.

The model is named after the target column. Calling it on the raw columns (``model(inputs)``) runs the
whole chain; :class:`TabularModel` builds those inputs from a DataFrame. One step stays outside the
file's layers: filling a missing number (NaN) with the Normalization mean before the call, because no
layer maps NaN to a number and ``fit``/``predict`` refuse NaN.
"""

from __future__ import annotations

import re

import numpy as np

from .common import CLIError, closest

__all__ = ["describe_columns", "category_strings", "infer_task", "sort_labels", "build_model", "TabularModel"]

MAX_CATEGORIES = 100  # one-hot columns per categorical feature (the most frequent; the rest share the OOV slot)
LOW_CARDINALITY = 10  # integer columns with at most this many distinct values are categories
_ID_NAME = re.compile(r"(^|[_\s.\-])(id|uuid|key|index)$|[a-z]ID$|[a-z]Id$|^ID$", re.IGNORECASE)


# ------------------------------------------------------------------------------------------ values
def category_strings(values) -> np.ndarray:
    """Values as the strings a categorical input receives: missing → ``''``, whole numbers without a
    decimal point (``3.0`` and ``3`` are both ``'3'``), booleans ``'True'``/``'False'``, text as is."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(np.asarray(values, dtype=object).tolist()):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out[i] = ""
        elif isinstance(v, (bool, np.bool_)):
            out[i] = str(bool(v))
        elif isinstance(v, (int, np.integer)):
            out[i] = str(int(v))
        elif isinstance(v, (float, np.floating)):
            out[i] = str(int(v)) if float(v).is_integer() and abs(v) < 2**53 else repr(float(v))
        else:
            out[i] = str(v)
    return out


def numeric_values(series, column: str, source: str) -> np.ndarray:
    """A column as float64 with NaN for missing values; a CLIError naming the first value that is not a
    number."""
    pd = _pandas()
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() & series.notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise CLIError(f"{source}: column '{column}' must be numeric, but row {row + 1} holds "
                       f"{series.iloc[row]!r}")
    return values.to_numpy(dtype=np.float64)


def _pandas():
    import pandas

    return pandas


def sort_labels(labels) -> list:
    """Class labels in natural order: numerically when every label is a number, else as text."""
    labels = list(labels)
    try:
        return sorted(labels, key=float)
    except ValueError:
        return sorted(labels)


# ------------------------------------------------------------------------------------------ columns
def _is_whole(values: np.ndarray) -> bool:
    return bool(np.all(np.mod(values, 1) == 0))


def describe_columns(frame, target: str) -> tuple:
    """The feature columns ``[(name, 'numeric' | 'categorical')]`` and the dropped ones
    ``[(name, reason)]``, in the CSV's order.

    Categorical: text, booleans, and integers with at most ``LOW_CARDINALITY`` distinct values.
    Dropped: empty and constant columns, and ID-like ones — every value distinct and either text or
    integers named like an identifier ('id', 'customer_id', 'CustomerID') or counting up row by row —
    and text with more than half its values distinct (free text).
    """
    features, dropped = [], []
    for name in frame.columns:
        if name == target:
            continue
        series = frame[name]
        present = series.dropna()
        distinct = present.nunique()
        if distinct == 0:
            dropped.append((name, "empty"))
            continue
        if distinct == 1:
            dropped.append((name, "constant"))
            continue
        all_distinct = distinct == len(present)
        if series.dtype == bool or (series.dtype == object and set(present.map(type)) <= {bool}):
            features.append((name, "categorical"))
        elif series.dtype.kind in "iuf":
            values = present.to_numpy(dtype=np.float64)
            whole = _is_whole(values)
            counting = whole and len(values) > 2 and (np.all(np.diff(values) > 0) or np.all(np.diff(values) < 0))
            if all_distinct and whole and (_ID_NAME.search(name) or counting):
                dropped.append((name, "ID-like: every value distinct"))
            elif whole and distinct <= LOW_CARDINALITY:
                features.append((name, "categorical"))
            else:
                features.append((name, "numeric"))
        elif all_distinct and len(present) > 1:
            dropped.append((name, "ID-like: every value distinct"))
        elif distinct > max(MAX_CATEGORIES, len(present) // 2):
            dropped.append((name, f"free text: {distinct} distinct values"))
        else:
            features.append((name, "categorical"))
    return features, dropped


def infer_task(series) -> str:
    """'classification' for text, booleans and integers with few distinct values (at most 20, and
    under 5 % of the rows); 'regression' otherwise."""
    present = series.dropna()
    if series.dtype.kind not in "iuf" or series.dtype == bool:
        return "classification"
    values = present.to_numpy(dtype=np.float64)
    distinct = len(np.unique(values))
    if _is_whole(values) and distinct <= 20 and distinct <= max(2, 0.05 * len(values)):
        return "classification"
    return "regression"


# ------------------------------------------------------------------------------------------ building
class _Names:
    """Layer names: the columns' and classes' names are the model's interface, so internal layers get
    names that avoid them (a trailing '_' added until free)."""

    def __init__(self, taken):
        self.used = set(taken)

    def __call__(self, base: str) -> str:
        name = base
        while name in self.used:
            name += "_"
        self.used.add(name)
        return name


def build_model(frame, features: list, task: str, target: str, classes: list, hidden: list, y_stats=None):
    """The tabular model (see the module docstring), its preprocessing part ``Model(inputs, features)``
    and its ``network``, with every preprocessing layer adapted on ``frame`` (the training rows).

    Returns ``(model, preprocess, network)``; ``network`` is compiled by the caller and trained on
    ``preprocess``'s outputs — its weights are the model's.
    """
    from .. import Input, Model, layers, models

    clash = sorted({name for name, _ in features} & set(classes))
    if clash:
        raise CLIError(f"class {clash[0]!r} of '{target}' is also the name of a column; rename the column")
    names = _Names([name for name, _ in features] + list(classes) + [target])
    inputs, numeric_inputs, numeric_columns, encoded = [], [], [], []
    for name, kind in features:
        if kind == "numeric":
            tensor = Input((1,), name=name)
            numeric_inputs.append(tensor)
            numeric_columns.append(numeric_values(frame[name], name, "training data"))
        else:
            tensor = Input((1,), dtype="object", name=name)
            lookup = layers.StringLookup(max_tokens=MAX_CATEGORIES + 1, output_mode="one_hot",
                                         name=names(f"{name}_lookup"))
            lookup.adapt(category_strings(frame[name]))
            encoded.append(lookup(tensor))
        inputs.append(tensor)
    parts = []
    if numeric_inputs:
        matrix = np.column_stack(numeric_columns)
        means = np.nanmean(matrix, axis=0)
        matrix = np.where(np.isnan(matrix), means, matrix)  # mean imputation: the adapted mean is unchanged
        normalization = layers.Normalization(name=names("numeric_normalization"))
        normalization.adapt(matrix)
        joined = numeric_inputs[0] if len(numeric_inputs) == 1 else \
            layers.Concatenate(name=names("numeric"))(numeric_inputs)
        parts.append(normalization(joined))
    parts += encoded
    joined = parts[0] if len(parts) == 1 else layers.Concatenate(name=names("features"))(parts)
    width = joined.shape[-1]
    stack = [layers.Input((width,))] + [layers.Dense(units, activation="relu") for units in hidden]
    if task == "classification":
        stack.append(layers.Dense(len(classes), activation="softmax"))
    else:
        stack.append(layers.Dense(1))
    network = models.Sequential(stack, name=names("network"))
    out = network(joined)
    if task == "classification":
        outputs = [layers.OperatorLayer("getitem", index=[{"slice": [None, None, None]}, {"slice": [k, k + 1, None]}],
                                        name=label)(out) for k, label in enumerate(classes)]
    else:
        mean, variance = y_stats
        outputs = layers.Normalization(mean=mean, variance=variance, invert=True, name=target)(out)
    return Model(inputs, outputs, name=target), Model(inputs, joined), network


def call_in_batches(model, inputs: list, batch_size: int = 8192) -> np.ndarray:
    """``model(inputs)`` without gradients, a batch of rows at a time; the outputs side by side."""
    from ..autograd import no_grad

    n = len(inputs[0])
    chunks = []
    with no_grad():
        for start in range(0, n, batch_size):
            out = model([x[start:start + batch_size] for x in inputs] if len(inputs) > 1
                        else inputs[0][start:start + batch_size])
            out = out if isinstance(out, (list, tuple)) else [out]
            chunks.append(np.column_stack([np.asarray(o, dtype=np.float64).reshape(len(o), -1) for o in out]))
    return np.concatenate(chunks, axis=0)


# ------------------------------------------------------------------------------------------ reading back
class TabularModel:
    """A model made by ``neuronet train``, read back: its target, task, classes and inputs, and how to
    feed it a DataFrame.

    Raises CLIError when the model does not have the layout of the module docstring.
    """

    def __init__(self, model, path: str):
        from ..layers import Normalization

        self.model, self.path = model, path
        inputs, outputs = getattr(model, "inputs", None), getattr(model, "outputs", None)
        made_here = (inputs and outputs and all(tuple(t.shape) == (None, 1) for t in inputs + outputs))
        if not made_here:
            raise CLIError(f"'{path}' is a neuronet model, but not one made by `neuronet train` (expected one input "
                           "per column and outputs of shape (None, 1)); load it in Python with load_model")
        self.target = model.name
        self.columns = [t.name for t in inputs]
        self.kinds = ["categorical" if t.dtype == "object" else "numeric" for t in inputs]
        self.output_names = [t._keras_history[0].name for t in outputs]
        self.task = "classification" if len(outputs) > 1 else "regression"
        self.classes = self.output_names if self.task == "classification" else []
        numeric = [c for c, k in zip(self.columns, self.kinds) if k == "numeric"]
        self.fill = {}
        if numeric:
            norms = [layer for layer in model.layers if isinstance(layer, Normalization) and not layer.invert]
            mean = norms[0].get_weights()[0].reshape(-1) if norms else np.zeros(0)
            if len(mean) != len(numeric):
                raise CLIError(f"'{path}' is not a model made by `neuronet train`: its {len(numeric)} numeric inputs "
                               f"have no Normalization layer of that width")
            self.fill = dict(zip(numeric, mean.astype(np.float64).tolist()))

    def inputs_from(self, frame, source: str) -> list:
        """The model's inputs from the raw columns of ``frame``: strings for categorical columns, floats
        for numeric ones with missing values replaced by the training mean."""
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            listed = ", ".join(f"'{c}'" for c in missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise CLIError(f"{source} lacks {len(missing)} column(s) the model needs: {listed}"
                           f"{closest(missing[0], frame.columns)}")
        inputs = []
        for column, kind in zip(self.columns, self.kinds):
            if kind == "categorical":
                inputs.append(category_strings(frame[column]).reshape(-1, 1))
            else:
                values = numeric_values(frame[column], column, source)
                values = np.where(np.isnan(values), self.fill[column], values)
                inputs.append(values.astype(np.float32).reshape(-1, 1))
        return inputs

    def predict(self, frame, source: str) -> np.ndarray:
        """Class probabilities ``(n, n_classes)`` (columns in the order of ``classes``) or predicted values
        ``(n,)``."""
        out = call_in_batches(self.model, self.inputs_from(frame, source))
        return out if self.task == "classification" else out[:, 0]
