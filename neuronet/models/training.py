"""``Model``: compile, fit, evaluate, predict — the ONE training loop that Sequential, functional and
subclassed models share.

One training step is the guide's loop: forward propagation, loss, backward (the chain rule through the
recorded ops), optimizer update::

    outputs = model(x, training=True)
    loss = loss_fn(y, outputs, sample_weight) + sum(model.losses)
    loss.backward()
    optimizer.apply([v.grad for v in variables], variables)

A sigmoid or softmax output carries its logits (``_keras_logits``, as in tf.keras), and the
cross-entropies on probabilities use them: the loss of a sigmoid output trained with binary
cross-entropy is computed from the logits — the same value, but numerically stable and with the short
gradient ``p - y`` — with no special path in the trainer. ``predict`` returns probabilities.

The data go through an adapter (``data_adapters/``: arrays, generators, PyDatasets), which converts
and checks them and makes the batches; the trainer builds the model on the adapter's first inputs, so
the targets can be checked against the output shapes before any training.

Masks (as Keras): when an output Tensor carries a Keras mask (``_keras_mask``, e.g. padded sequences
through ``Embedding(mask_zero=True)`` → ``LSTM(return_sequences=True)`` → ``Dense``), the loss leaves
the masked entries out — ``sum(loss · sample_weight · mask) / sum(mask)`` — and the compiled metrics
receive the mask as sample weights (times ``sample_weight`` for ``weighted_metrics``). Sequence targets
are ``(n, time)`` integer labels for sparse cross-entropy, ``(n, time, classes)`` one-hot rows, or
``(n, time)`` values for an ``(n, time, 1)`` output; ``class_weight`` then weights each time step by
its class.

Where Keras leaves a choice open:

* ``predict`` on a model none of whose layers was ever built (no input shape given, never called or
  fitted) raises instead of predicting from freshly drawn random weights.
* Mismatches of loss and output activation (softmax with binary cross-entropy, sigmoid with
  categorical cross-entropy, ``from_logits=True`` after a sigmoid/softmax) warn once per process for
  each kind of mismatch (see ``training_checks.py``).
* A ``class_weight`` must give a weight to every class present in the targets (Keras gives missing
  classes 1.0 silently), and applies to generators and PyDatasets as to arrays.
* Metrics are computed on the batch outputs of the training step (weights before the update), as Keras.
"""

from __future__ import annotations

import numbers
import sys

import numpy as np

from ..config import is_interactive_logging_enabled, max_epochs, max_steps_per_epoch
from ..autograd import Tensor, no_grad
from ..distribution.api import distributed_run
from ..layers import base as layer_base
from ..layers.base import Layer
from . import data_adapters
from .compile_utils import CompiledOutput, metrics_per_output, per_output, resolve_metrics
from .data_adapters import DataSpec, TargetSpec
from .data_adapters.inputs import InputStructure, batch_length
from .saving_methods import SavingMixin
from .training_checks import check_training_setup

__all__ = ["Model"]


def _nonnegative_int(where: str, name: str, value, allow_none: bool = False, positive: bool = False):
    if value is None and allow_none:
        return None
    if type(value) is int and value >= (1 if positive else 0):  # the common case, without the ABC check below
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < (1 if positive else 0):
        bound = "a positive" if positive else "a non-negative"
        raise ValueError(f"{where}: expected {name} to be {bound} integer, received {name}={value!r}")
    return int(value)


class Model(SavingMixin, Layer):
    """A trainable stack of layers: ``compile``, ``fit``, ``evaluate``, ``predict``.

    Three ways to make one, all trained by the same loop:

    * ``Sequential([...])`` — a plain stack (see :class:`neuronet.models.Sequential`);
    * ``Model(inputs, outputs)`` — the functional API, from ``Input`` and layer calls;
    * a subclass defining ``__init__`` (creating layers) and ``call(inputs, training=None)``.

    Example (subclassing)::

        class TwoLayer(Model):
            def __init__(self):
                super().__init__()
                self.hidden = Dense(64, activation="relu")
                self.out = Dense(1, activation="sigmoid")

            def call(self, inputs, training=None):
                return self.out(self.hidden(inputs))
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from .functional import Functional

            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs:
            raise TypeError(f"{type(self).__name__}: a subclassed Model takes no inputs/outputs; use "
                            "Model(inputs, outputs) for the functional API")
        super().__init__(**kwargs)
        self._init_training_state()

    def _init_training_state(self) -> None:
        object.__setattr__(self, "optimizer", None)
        object.__setattr__(self, "compiled", False)
        self.loss = None
        self.stop_training = False
        self.history = None
        self._heads: list = []  # one CompiledOutput per model output, made by compile
        self._metric_entries: list | None = None  # (log key, metric, output, weighted) once resolved
        self._setup_checked = False  # training_checks run once per compile
        self._train_vars = None
        self._last_head_losses = None
        self._replica = None  # this process's part in data-parallel training, during fit/evaluate (distribution)

    # ------------------------------------------------------------------ shapes and structure
    def build(self, input_shape=None) -> None:
        """Create the weights of a subclassed model by running ``call`` once on zeros of ``input_shape``
        (the batch axis first, e.g. ``(None, 20)``). Without a shape it only marks the model built."""
        self.built = True
        if input_shape is None or getattr(self, "_building", False):
            return
        self._building = True
        multi = isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (tuple, list))
        shapes = input_shape if multi else [input_shape]
        try:
            dummies = [np.zeros([1 if d is None else int(d) for d in shape], self.dtype) for shape in shapes]
            with no_grad():
                out = self(dummies if multi else dummies[0])
        finally:
            self._building = False
        built = [(None,) + tuple(shape)[1:] for shape in shapes]
        self._build_input_shape = built if multi else built[0]
        if isinstance(out, Tensor):
            self._output_shape_cache = (None,) + tuple(out.shape[1:])

    def _maybe_build(self, inputs) -> None:
        """Before the first call on real data (an array, a list, a dict of arrays, text): the call itself
        creates the weights, each layer building on its first input, so only the input shape is noted."""
        if self.built:
            return

        def batch_shape(x):
            return (None,) + tuple(x.shape[1:])

        if isinstance(inputs, dict):
            self._build_input_shape = {key: batch_shape(x) for key, x in inputs.items()}
        elif isinstance(inputs, (list, tuple)):
            self._build_input_shape = [batch_shape(x) for x in inputs]
        else:
            self._build_input_shape = batch_shape(inputs)
        self.built = True

    def _output_layer(self, index: int = 0):
        """The layer producing output ``index`` (for the setup checks), or None when not known."""
        return None

    def _forward(self, x, training: bool):
        """The model's output for a batch ``x`` of converted arrays."""
        return self(x, training=training)

    def _output_count(self) -> int:
        return 1

    def _pack_outputs(self, outputs):
        """Several outputs (a list, in the model's order) in the structure the user built: a list here."""
        return outputs

    def _output_names(self) -> list:
        return ["output"]

    def _output_shapes(self):
        shape = getattr(self, "_output_shape_cache", None)
        if shape is None:
            return None
        return shape if isinstance(shape, list) else [shape]

    def _units(self, index: int = 0):
        shapes = self._output_shapes()
        if shapes is None or index >= len(shapes) or len(shapes[index]) < 1:
            return None
        return shapes[index][-1]

    def _expected_input_shape(self):
        """The batch input shape the model expects, or None when it is not known yet."""
        return getattr(self, "_build_input_shape", None) if self.built else None

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer of the model by ``name`` or by ``index`` (position in ``model.layers``)."""
        layers = self.layers
        if index is not None:
            if name is not None:
                raise ValueError("get_layer: give either name or index, not both")
            if not -len(layers) <= int(index) < len(layers):
                raise ValueError(f"get_layer: index {index} is out of range for a model of {len(layers)} layers")
            return layers[int(index)]
        for layer in layers:
            if layer.name == name:
                return layer
        from ..utils.naming import closest_match

        names = [layer.name for layer in layers]
        raise ValueError(f"get_layer: no layer named {name!r}{closest_match(name, names)}; layers: {names}")

    @property
    def metrics_names(self) -> list:
        """The keys of the logs: 'loss', each output's loss (several outputs), then the metrics."""
        names = ["loss"]
        if len(self._heads) > 1:
            names += [f"{h.name}_loss" for h in self._heads if h.loss_fn is not None]
        names += [key for key, _, _, _ in self._metric_entries or []]
        return names

    @property
    def metrics(self) -> list:
        """The compiled metric objects (resolved at the first fit/evaluate)."""
        return [m for _, m, _, _ in self._metric_entries or []]

    def summary(self, line_length: int | None = None, positions=None, print_fn=None, expand_nested: bool = False,
                show_trainable: bool = False, layer_range=None) -> None:
        """Print a Keras-style table of the layers, their output shapes and parameter counts.

        Args:
            line_length: total width of the table. Defaults to 65 (more with wide shapes).
            print_fn: function called with the whole summary text. Defaults to ``print``.
            show_trainable: add a column saying whether each layer is trainable. Defaults to False.
            expand_nested, positions, layer_range: as ``neuronet.models.summary.print_summary``.
        """
        from .summary import print_summary

        print_summary(self, line_length, positions, print_fn, expand_nested, show_trainable, layer_range)

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, weighted_metrics=None,
                run_eagerly=None, steps_per_execution=1, jit_compile=None, auto_scale_loss=None) -> None:
        """Configure the model for training.

        Args:
            optimizer: name ('adam', 'sgd', 'rmsprop', ...) or optimizer object. Defaults to 'rmsprop'.
            loss: name ('binary_crossentropy', 'categorical_crossentropy',
                'sparse_categorical_crossentropy', 'mse', ...), Loss object or function
                ``(y_true, y_pred) -> per-sample losses``. For a model with several outputs: one loss for
                all, a list (one per output) or a dict keyed by output name (the output layer's name).
            metrics: list of names or Metric objects. ``'accuracy'`` means binary accuracy for one
                output unit or binary cross-entropy, sparse categorical accuracy for sparse
                cross-entropy, categorical accuracy otherwise (as Keras). With several outputs a flat
                list applies to every output; a list of lists or a dict gives each its own.
            loss_weights: scale of each output's loss in the total (a number, list or dict). Defaults
                to 1.0 for every output.
            weighted_metrics: metrics that also receive ``sample_weight`` / ``class_weight``.

        The other arguments are accepted for Keras compatibility and ignored (training is eager).
        """
        from .. import losses, optimizers
        from .. import metrics as metrics_module

        count, names = self._output_count(), self._output_names()
        loss_specs = per_output("loss", loss, count, names)
        weight_specs = per_output("loss_weights", loss_weights, count, names)
        metric_specs = metrics_per_output("metrics", metrics, count, names)
        weighted_specs = metrics_per_output("weighted_metrics", weighted_metrics, count, names)
        opt = optimizers.get(optimizer)
        loss_fns = [None if spec is None else losses.get(spec) for spec in loss_specs]
        for i, w in enumerate(weight_specs):
            if w is not None and (isinstance(w, bool) or not isinstance(w, numbers.Real)):
                raise ValueError(f"compile: expected loss_weights to be numbers, received {w!r} for output "
                                 f"{names[i]!r}")
        for spec in [m for group in metric_specs + weighted_specs for m in group]:
            if isinstance(spec, str) and spec.lower() in ("accuracy", "acc"):
                continue
            metrics_module.get(spec)  # unknown names fail here, before any training
        object.__setattr__(self, "optimizer", opt)
        self.loss = loss
        self._heads = [
            CompiledOutput(names[i], i, loss_specs[i], loss_fns[i], 1.0 if weight_specs[i] is None else weight_specs[i],
                           metric_specs[i], weighted_specs[i])
            for i in range(count)
        ]
        self._metric_entries = None
        self._setup_checked = False
        self._train_vars = None
        object.__setattr__(self, "compiled", True)

    def _assert_compiled(self, method: str) -> None:
        if not self.compiled or not any(h.loss_fn is not None for h in self._heads):
            raise ValueError(
                f"{method}: the model must be compiled with a loss first, e.g. "
                "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])"
            )

    # ------------------------------------------------------------------ data
    def _adapt(self, where: str, x, y=None, sample_weight=None, class_weight=None, *, batch_size: int = 32,
               shuffle: bool = False, steps=None, validation_split: float = 0.0, targets: bool = True):
        """The data adapter for ``x`` (and ``y``), every check done before any training.

        With ``targets`` the model is built on the adapter's first inputs (if it was not), so the
        targets can then be checked against the output shapes; ``predict`` needs no targets."""
        data = data_adapters.get_data_adapter(x, y, sample_weight, class_weight, spec=self._data_spec(where),
                                              batch_size=batch_size, shuffle=shuffle, steps=steps,
                                              validation_split=validation_split)
        if targets:
            self._build_on(data)
            data.prepare_targets(self._target_specs())
        return data

    def _data_spec(self, where: str) -> DataSpec:
        expected = self._expected_input_shape()
        shapes = None if expected is None else expected if isinstance(expected, list) else [expected]
        return DataSpec(where, self.dtype, self.name, self._input_count(), shapes,
                        tuple([h.name for h in self._heads]), structure=self._input_structure())

    def _input_structure(self) -> InputStructure:
        """How the model takes its inputs; a subclassed model takes x in whatever structure it comes."""
        return InputStructure.open()

    def _target_specs(self) -> list:
        shapes = self._output_shapes()
        return [None if h.loss_fn is None else
                TargetSpec(h.kind, shapes[h.index] if shapes is not None and h.index < len(shapes) else None,
                           h.ignore_class)
                for h in self._heads]

    def _build_on(self, data) -> None:
        """Build the model (weights and output shapes) by running it on the data's first sample."""
        if getattr(self, "_output_shape_cache", None) is not None and self.built:
            return
        with no_grad():
            out = self(data.first_inputs(), training=False)
        if isinstance(out, (list, tuple)):
            self._output_shape_cache = [(None,) + tuple(o.shape[1:]) for o in out]
        else:
            self._output_shape_cache = (None,) + tuple(out.shape[1:])

    def _prepare_batch(self, x, y, sample_weight=None, class_weight=None, where: str = "train_on_batch"):
        """One batch ``(x, y, sample_weight)`` as checked arrays (the model built)."""
        data = self._adapt(where, x, y, sample_weight, class_weight)
        return data.x, data.y, data.sample_weight

    def _prepare_inputs(self, x, where: str):
        """The inputs ``x`` as checked arrays (the model built on them)."""
        data = self._adapt(where, x, targets=False)
        self._build_on(data)
        return data.x

    def _input_count(self) -> int:
        return 1

    # ------------------------------------------------------------------ one step
    def _compute_loss(self, y, outputs, sample_weight, scales=None):
        """The loss minimized: the (weighted) data loss of every output plus ``model.losses``. Also keeps
        each output's own loss in ``_last_head_losses`` when there are several outputs.

        ``scales`` (data-parallel training) is ``(one factor per output, factor of the weight penalties,
        factor of the losses computed from the data)``: this process's share of the global batch's loss
        (see ``neuronet/distribution/replica.py``)."""
        heads = self._heads
        head_scales, extra_scale, data_scale = scales if scales is not None else ([1.0] * len(heads), 1.0, 1.0)
        if len(heads) == 1:
            head = heads[0]
            loss = head.loss_fn(y, outputs, sample_weight=sample_weight)
            if head_scales[0] != 1.0:
                loss = loss * head_scales[0]
            if head.weight != 1.0:
                loss = loss * head.weight
            parts = None
        else:
            loss, parts = None, []
            for head, target, out in zip(heads, y, outputs):
                if head.loss_fn is None:
                    parts.append(None)
                    continue
                part = head.loss_fn(target, out, sample_weight=sample_weight)
                if head_scales[head.index] != 1.0:
                    part = part * head_scales[head.index]
                parts.append(part)
                term = part * head.weight if head.weight != 1.0 else part
                loss = term if loss is None else loss + term
        if self._has_extra_losses or layer_base._ADDED_LOSSES["used"]:
            extra = self.losses
            if extra:
                total = extra[0]
                for term in extra[1:]:
                    total = total + term
                if data_scale == extra_scale or type(self).losses is not Layer.losses:
                    loss = loss + (total * extra_scale if extra_scale != 1.0 else total)
                else:
                    # data-parallel, shares of unequal size: the weight penalties (the same on every process)
                    # count extra_scale, the losses computed from the data (activity regularizers, add_loss:
                    # means over this process's rows) its share of the rows
                    loss = loss + total * data_scale
                    penalties = _weight_penalties(self)
                    if penalties is not None:
                        loss = loss + penalties * (extra_scale - data_scale)
        self._last_head_losses = None if parts is None else [0.0 if p is None else float(p.data) for p in parts]
        return loss

    def _update_metrics(self, y, outputs, sw) -> None:
        if len(self._heads) == 1:
            pairs = [(self._heads[0], y, outputs)]
        else:
            pairs = zip(self._heads, y, outputs)
        for head, target, out in pairs:
            if (head.metrics or head.weighted) and target is not None:
                probs = out.data
                mask = _output_mask(out, probs.shape)
                if mask is None:
                    for m in head.metrics:
                        m.update_state(target, probs)
                    for m in head.weighted:
                        m.update_state(target, probs, sample_weight=sw)
                    continue
                # a masked output (e.g. padded sequences): masked entries get weight 0, as Keras
                masked_sw = mask
                if sw is not None:
                    weights = np.asarray(sw, dtype=mask.dtype)
                    masked_sw = weights.reshape(weights.shape + (1,) * (mask.ndim - weights.ndim)) * mask
                for m in head.metrics:
                    m.update_state(target, probs, sample_weight=mask)
                for m in head.weighted:
                    m.update_state(target, probs, sample_weight=masked_sw)

    def _prepare_step(self) -> None:
        """Once per fit/evaluate: metrics resolved, the setup checked, regularization looked up."""
        if self._metric_entries is None:
            self._metric_entries = resolve_metrics(self._heads, self._units)
        if not self._setup_checked:
            check_training_setup(self)
            self._setup_checked = True
        self._train_vars = None  # re-read: trainable flags may have changed since the last fit
        self._has_metrics = bool(self._metric_entries)
        self._has_extra_losses = bool(
            any(w.regularizer is not None for w in self.weights)
            or any(getattr(layer, "activity_regularizer", None) is not None for layer in _all_layers(self))
            or type(self).losses is not Layer.losses
        )

    def _training_variables(self) -> list:
        """The variables the optimizer updates (the optimizer's state slots numbered by them, created once)."""
        variables = self._train_vars
        if variables is None:
            variables = self._train_vars = [v for v in self.trainable_weights]
            # number the optimizer's state slots by the model's variables, not by the first gradients seen
            self.optimizer.build(variables)
        return variables

    def _train_step(self, x, y, sw) -> float:
        replica = self._replica  # None unless training data-parallel (neuronet.distribution)
        variables = self._training_variables()
        for v in variables:
            v.grad = None
        value = 0.0
        # a process whose share of this global batch is empty only takes part in the sums
        if replica is None or replica.begin_step(self):
            outputs = self._forward(x, training=True)
            scales = None if replica is None else replica.loss_scales(self, y, outputs, sw)
            loss = self._compute_loss(y, outputs, sw, scales)
            if loss.requires_grad:
                loss.backward()
            if self._has_metrics:
                self._update_metrics(y, outputs, sw)
            value = float(loss.data)
        if replica is not None:  # gradients, loss and metrics summed over the processes
            value = replica.sum_step(self, variables, value)
        grads, used = [], []
        for v in variables:
            if v.grad is not None:
                grads.append(v.grad)
                used.append(v)
        if grads:
            if len(used) == len(variables):
                used = variables
            self.optimizer.apply(grads, used)  # the optimizer also applies each variable's constraint
        return value

    def _test_step(self, x, y, sw) -> float:
        replica = self._replica
        value = 0.0
        if replica is None or replica.begin_step(self):
            with no_grad():
                outputs = self._forward(x, training=False)
                scales = None if replica is None else replica.loss_scales(self, y, outputs, sw)
                loss = self._compute_loss(y, outputs, sw, scales)
            if self._has_metrics:
                self._update_metrics(y, outputs, sw)
            value = float(loss.data)
        if replica is not None:
            value = replica.sum_step(self, [], value)
        return value

    def _reset_metrics(self) -> None:
        for _, m, _, _ in self._metric_entries or []:
            m.reset_state()

    def _logs(self, loss_total: float, count: int, head_totals=None) -> dict:
        logs = {"loss": loss_total / count if count else float("nan")}
        if head_totals is not None:
            for head, total in zip(self._heads, head_totals):
                if head.loss_fn is not None:
                    logs[f"{head.name}_loss"] = total / count if count else float("nan")
        for key, m, _, _ in self._metric_entries or []:
            value = m.result()
            # one value per class (F1Score, Precision with several thresholds) stays an array, as in Keras
            logs[key] = float(value) if np.ndim(value) == 0 else np.asarray(value)
        return logs

    # ------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size: int | None = None, epochs: int = 1, verbose="auto", callbacks=None,
            validation_split: float = 0.0, validation_data=None, shuffle: bool = True, class_weight=None,
            sample_weight=None, initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None, validation_freq=1):
        """Train the model for ``epochs`` passes over the data.

        Args:
            x: inputs — an ndarray, a list of arrays (one per model input), a pandas DataFrame, or a
               generator / :class:`neuronet.utils.PyDataset` yielding ``(x, y[, sample_weight])`` batches.
            y: targets (integer labels or one-hot rows, as the loss expects); None with a generator.
            batch_size: samples per gradient update. Defaults to 32.
            epochs: number of passes over the data. Defaults to 1.
            verbose: 0 silent, 1 progress bar, 2 one line per epoch; 'auto' is 1 on a terminal, else 2.
            callbacks: list of :class:`neuronet.callbacks.Callback`.
            validation_split: fraction of the data held out for validation — the LAST samples, taken
                before shuffling (as Keras). Defaults to 0.0.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``; overrides
                ``validation_split``.
            shuffle: reshuffle the training data every epoch. Defaults to True.
            class_weight: ``{class: weight}`` scaling each sample's loss by its class; every class
                present in ``y`` needs a weight. Applies to arrays, generators and PyDatasets alike.
            sample_weight: one weight per training sample.
            initial_epoch: epoch to start at (to resume training). Defaults to 0.
            steps_per_epoch: batches per epoch. Defaults to all the data (or the PyDataset's length).
            validation_freq: validate every N epochs (int), or on the listed epochs (1-based).

        Returns:
            A ``History`` whose ``.history`` maps 'loss', each metric and their 'val_' versions to
            per-epoch values.
        """
        where = "fit"
        self._assert_compiled(where)
        epochs = _nonnegative_int(where, "epochs", epochs)
        if max_epochs() is not None:  # keras.config.set_max_epochs: a cap for quick runs
            epochs = min(epochs, max_epochs())
        initial_epoch = _nonnegative_int(where, "initial_epoch", initial_epoch)
        batch_size = _nonnegative_int(where, "batch_size", 32 if batch_size is None else batch_size, positive=True)
        steps_per_epoch = _nonnegative_int(where, "steps_per_epoch", steps_per_epoch, allow_none=True, positive=True)
        if not isinstance(validation_split, numbers.Real) or not 0.0 <= validation_split < 1.0:
            raise ValueError(f"{where}: expected validation_split in [0, 1), received {validation_split!r}")
        if isinstance(validation_freq, numbers.Integral):
            validation_freq = _nonnegative_int(where, "validation_freq", validation_freq, positive=True)
        elif not isinstance(validation_freq, (list, tuple, set)):
            raise ValueError(f"{where}: expected validation_freq to be an int or a list of epochs, received "
                             f"{validation_freq!r}")
        verbose = _resolve_verbose(verbose)

        with distributed_run(self) as replica:  # None unless training data-parallel (neuronet.distribution)
            split = validation_split if validation_data is None else 0.0  # validation_data overrides the split
            train = self._adapt(where, x, y, sample_weight, class_weight, batch_size=batch_size, shuffle=shuffle,
                                steps=steps_per_epoch, validation_split=split)
            val_batch_size = validation_batch_size or batch_size
            if split:
                val = train.validation_adapter(val_batch_size, validation_steps)
            else:
                val = self._validation_adapter(validation_data, val_batch_size, validation_steps)

            from .. import callbacks as callbacks_module

            if replica is not None:  # rank 0's weights, optimizer and random state everywhere; each rank its share
                replica.begin(self, training=True, verbose=verbose,
                              plan={"epochs": epochs, "initial_epoch": initial_epoch, "steps": train.steps,
                                    "validation steps": None if val is None else val.steps})
                train = data_adapters.shard_for_replica(train, replica, training=True)
                val = data_adapters.shard_for_replica(val, replica)
            self._prepare_step()
            self.stop_training = False
            max_steps = max_steps_per_epoch()  # keras.config.set_max_steps_per_epoch
            steps = train.steps if max_steps is None or train.steps is None else min(train.steps, max_steps)
            cbs = callbacks_module.CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                                                verbose=verbose, epochs=epochs, steps=steps)
            batch_hooks = _wants_batch_hooks(cbs, verbose)
            logs: dict = {}
            cbs.on_train_begin()
            initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch  # set by BackupAndRestore
            for epoch in range(initial_epoch, epochs):
                self._reset_metrics()
                cbs.on_epoch_begin(epoch)
                logs = self._run_batches(train, self._train_step, batch_hooks, cbs.on_train_batch_begin,
                                         cbs.on_train_batch_end, stop_on_request=True, max_steps=max_steps)
                if val is not None and _validate_now(epoch, validation_freq):
                    val_logs = self._run_evaluation(val, cbs, verbose=0, inside_fit=True)
                    logs.update({"val_" + k: v for k, v in val_logs.items()})
                cbs.on_epoch_end(epoch, logs)
                if replica is not None:
                    replica.agree(self)  # every process stops when one does, with rank 0's learning rate
                train.on_epoch_end()
                if self.stop_training:
                    break
            cbs.on_train_end(logs)
        return self.history

    def _validation_adapter(self, validation_data, batch_size: int, steps):
        if validation_data is None:
            return None
        where = "fit (validation_data)"
        if data_adapters.is_batch_source(validation_data):
            return self._adapt(where, validation_data, steps=steps)
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError(f"{where}: expected a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val), "
                             f"received {type(validation_data).__name__}")
        return self._adapt(where, *validation_data, batch_size=batch_size, steps=steps)

    def _run_evaluation(self, adapter, cbs, verbose: int, inside_fit: bool = False) -> dict:
        self._reset_metrics()
        batch_hooks = _wants_batch_hooks(cbs, verbose, kind="test")
        cbs.on_test_begin()
        logs = self._run_batches(adapter, self._test_step, batch_hooks, cbs.on_test_batch_begin,
                                 cbs.on_test_batch_end, stop_on_request=False)
        cbs.on_test_end(logs)
        return logs

    def _run_batches(self, adapter, step_fn, batch_hooks: bool, on_batch_begin, on_batch_end,
                     stop_on_request: bool, max_steps: int | None = None) -> dict:
        """One pass of ``step_fn`` over the adapter's batches (at most ``max_steps`` of them); the epoch logs
        (losses weighted by samples)."""
        loss_total, count = 0.0, 0
        multi = len(self._heads) > 1
        head_totals = [0.0] * len(self._heads) if multi else None
        for step, (xb, yb, swb) in enumerate(adapter.epoch()):
            if batch_hooks:
                on_batch_begin(step)
            loss = step_fn(xb, yb, swb)
            n = batch_length(xb) if self._replica is None else self._replica.global_rows  # the global batch's rows
            loss_total += loss * n
            count += n
            if multi:
                head_totals = [t + v * n for t, v in zip(head_totals, self._last_head_losses)]
            if batch_hooks:
                on_batch_end(step, self._logs(loss_total, count, head_totals))
            if (stop_on_request and self.stop_training) or (max_steps is not None and step + 1 >= max_steps):
                break
        return self._logs(loss_total, count, head_totals)

    # ------------------------------------------------------------------ evaluate / predict
    def evaluate(self, x=None, y=None, batch_size: int | None = None, verbose="auto", sample_weight=None,
                 steps: int | None = None, callbacks=None, return_dict: bool = False):
        """Loss and metrics of the model on ``(x, y)`` (in inference mode: no dropout).

        Args:
            x, y: data as for :meth:`fit` (a generator/PyDataset in ``x`` with ``y=None`` works too).
            batch_size: samples per batch. Defaults to 32.
            verbose: 0 silent, 1 progress bar, 2 one line; 'auto' as in fit.
            sample_weight: one weight per sample for the loss.
            return_dict: return ``{'loss': ..., 'accuracy': ...}`` instead of a list.

        Returns:
            The loss (a float) when there are no metrics, else ``[loss, *metrics]`` — or a dict.
        """
        where = "evaluate"
        self._assert_compiled(where)
        batch_size = _nonnegative_int(where, "batch_size", 32 if batch_size is None else batch_size, positive=True)
        verbose = _resolve_verbose(verbose)
        from .. import callbacks as callbacks_module

        with distributed_run(self) as replica:  # None unless data-parallel: then each rank evaluates its share
            adapter = self._adapt(where, x, y, sample_weight, batch_size=batch_size, steps=steps)
            if replica is not None:
                replica.begin(self, training=False, verbose=verbose, plan={"steps": adapter.steps})
                adapter = data_adapters.shard_for_replica(adapter, replica)
            self._prepare_step()
            cbs = callbacks_module.CallbackList(callbacks, add_history=False, add_progbar=verbose != 0, model=self,
                                                verbose=verbose, epochs=1, steps=adapter.steps)
            logs = self._run_evaluation(adapter, cbs, verbose)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size: int | None = None, verbose="auto", steps: int | None = None, callbacks=None):
        """The model's outputs for ``x`` as an ndarray (inference mode, no graph recorded).

        Args:
            x: inputs (ndarray, list of arrays, DataFrame, or a generator/PyDataset of batches).
            batch_size: samples per batch. Defaults to 32.

        Returns:
            An ndarray of shape ``(n, *output_shape)``: probabilities for a sigmoid/softmax output.
        """
        where = "predict"
        batch_size = _nonnegative_int(where, "batch_size", 32 if batch_size is None else batch_size, positive=True)
        self._assert_buildable(where)
        source = self._adapt(where, x, batch_size=batch_size, steps=steps, targets=False)
        batches = (b[0] for b in source.epoch())
        verbose = _resolve_verbose(verbose)
        if verbose == 0 and (callbacks is None or (type(callbacks) in (list, tuple) and not callbacks)):
            cbs, hooks = None, False  # nothing would be called: no callback machinery to build
        else:
            from .. import callbacks as callbacks_module

            cbs = callbacks_module.CallbackList(callbacks, add_history=False, add_progbar=verbose != 0, model=self,
                                                verbose=verbose, epochs=1, steps=source.steps)
            hooks = _wants_batch_hooks(cbs, verbose, kind="predict")
            cbs.on_predict_begin()
        outputs = []
        with no_grad():
            for step, xb in enumerate(batches):
                if hooks:
                    cbs.on_predict_batch_begin(step)
                out = self._forward(xb, training=False)
                outputs.append([_numpy(o) for o in out] if isinstance(out, (list, tuple)) else _numpy(out))
                if hooks:
                    cbs.on_predict_batch_end(step, {"outputs": outputs[-1]})
        if cbs is not None:
            cbs.on_predict_end()
        if not outputs:
            raise ValueError(f"{where}: received no data")
        if isinstance(outputs[0], list):  # several model outputs: one array each
            return self._pack_outputs([np.concatenate([batch[i] for batch in outputs], axis=0)
                                       for i in range(len(outputs[0]))])
        return outputs[0] if len(outputs) == 1 else np.concatenate(outputs, axis=0)

    def _assert_buildable(self, where: str) -> None:
        """Predicting needs weights: a model never built (no input shape, never called or fit) is refused
        rather than silently predicting from freshly drawn random weights."""
        if not self.built and not any(layer.built for layer in _all_layers(self)):
            raise ValueError(
                f"{where}: model '{self.name}' has not been built: it has no input shape and has never been "
                "trained or called. Give its first layer input_shape=..., call model.build((None, n_features)), "
                "or fit it first"
            )

    def predict_on_batch(self, x) -> np.ndarray:
        """The outputs for one batch ``x`` (no batching, no callbacks)."""
        self._assert_buildable("predict_on_batch")
        xs = self._adapt("predict_on_batch", x, targets=False).x
        with no_grad():
            out = self._forward(xs, training=False)
        return self._pack_outputs([_numpy(o) for o in out]) if isinstance(out, (list, tuple)) else _numpy(out)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict: bool = False):
        """One gradient update on the batch ``(x, y)``; returns the loss (and metrics) of that batch."""
        self._assert_compiled("train_on_batch")
        xs, ys, sws = self._prepare_batch(x, y, sample_weight, class_weight, "train_on_batch")
        self._prepare_step()
        self._reset_metrics()
        loss = self._train_step(xs, ys, sws)
        return self._single_logs(loss, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict: bool = False):
        """Loss (and metrics) on one batch ``(x, y)`` in inference mode."""
        self._assert_compiled("test_on_batch")
        xs, ys, sws = self._prepare_batch(x, y, sample_weight, None, "test_on_batch")
        self._prepare_step()
        self._reset_metrics()
        loss = self._test_step(xs, ys, sws)
        return self._single_logs(loss, return_dict)

    def _single_logs(self, loss: float, return_dict: bool):
        logs = self._logs(loss, 1, self._last_head_losses if len(self._heads) > 1 else None)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict_classes(self, x, batch_size: int = 32, verbose=0) -> np.ndarray:
        """Class predictions as in Keras 2: for one output unit, ``(n, 1)`` int32 of ``p > 0.5``; for
        several units, the argmax of each row, shape ``(n,)``."""
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if isinstance(proba, list):
            raise ValueError("predict_classes: the model has several outputs; use predict() and pick one")
        if proba.ndim >= 2 and proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size: int = 32, verbose=0) -> np.ndarray:
        """The predicted probabilities (Keras 2's ``predict_proba``: the same as ``predict``)."""
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    # Sequential and Functional describe and rebuild their layers themselves (model_config.py calls these);
    # a subclassed model has neither and is written through get_config()
    _layers_config = None
    _from_layers_config = None

    def get_config(self) -> dict:
        cfg = {"name": self.name, "trainable": self.trainable}
        return cfg

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """Rebuild a model from ``get_config()``: a functional graph config (with 'input_layers' and
        'output_layers') goes to :meth:`Functional.from_config`; other configs to the constructor."""
        if isinstance(config, dict) and "input_layers" in config and "output_layers" in config:
            from .functional import Functional

            return Functional.from_config(config, custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    def export(self, filepath, format: str = "onnx", verbose: bool | None = None, input_signature=None, **kwargs):
        """Write the model for inference as ONNX (Keras 3's signature; ``opset_version=`` in kwargs).
        See :func:`neuronet.export.export_model`."""
        from ..export import export_model

        export_model(self, filepath, format=format, verbose=verbose, input_signature=input_signature, **kwargs)


def _output_mask(out, shape: tuple):
    """The Keras mask an output Tensor carries (``_keras_mask``) as a float array of weights, when it
    covers the output's leading axes (e.g. (batch, time) for (batch, time, units)); else None."""
    mask = getattr(out, "_keras_mask", None)
    if mask is None:
        return None
    mask = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if mask.ndim > len(shape) or mask.shape != tuple(shape[:mask.ndim]):
        return None
    return mask.astype(out.data.dtype if isinstance(out, Tensor) else np.float64)


def _numpy(x) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _weight_penalties(layer):
    """The sum of the weight regularization penalties among ``layer.losses`` (the same walk over the
    layers), or None when no weight has a regularizer."""
    total = None
    for w in layer._own_weights:
        if w.regularizer is not None and w.trainable:
            term = w.regularizer(w)
            total = term if total is None else total + term
    for sub in layer._layers:
        term = _weight_penalties(sub)
        if term is not None:
            total = term if total is None else total + term
    return total


def _all_layers(layer) -> list:
    out = []
    for sub in layer._layers:
        out.append(sub)
        out.extend(_all_layers(sub))
    return out


def _resolve_verbose(verbose) -> int:
    if verbose == "auto":
        verbose = 1 if sys.stdout.isatty() else 2
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"expected verbose to be 'auto', 0, 1 or 2, received {verbose!r}")
    # keras.config.disable_interactive_logging: no redrawn bar, one line per epoch
    return 2 if verbose == 1 and not is_interactive_logging_enabled() else int(verbose)


def _validate_now(epoch: int, freq) -> bool:
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq


def _wants_batch_hooks(cbs, verbose: int, kind: str = "train") -> bool:
    """Whether any callback overrides a batch hook (History and epoch-only loggers do not): skipping
    the calls and the per-batch log dicts otherwise keeps the loop lean."""
    from .. import callbacks as callbacks_module

    base = callbacks_module.Callback
    hooks = {"test": ("on_test_batch_begin", "on_test_batch_end"),
             "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
             "train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end")}[kind]
    progbar = getattr(callbacks_module, "ProgbarLogger", None)
    for cb in getattr(cbs, "callbacks", []):
        if (progbar is not None and type(cb) is progbar and getattr(cb, "verbose", 1) != 1
                and getattr(cb, "target", None) is not None):
            continue  # the one-line-per-epoch logger (verbose=2) draws nothing per batch
        for hook in hooks:
            if getattr(type(cb), hook, None) is not getattr(base, hook, None):
                return True
    return False

