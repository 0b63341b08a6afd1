"""The contract every data adapter keeps, and what the trainer tells an adapter about its model.

An adapter turns what a user passes to ``fit``/``evaluate``/``predict`` into checked batches
``(x, y, sample_weight)``. Its life, driven by the trainer (``models/training.py``)::

    data = get_data_adapter(x, y, ..., spec=DataSpec(...))   # converts and checks the inputs
    model is built on data.first_inputs()                    # by the trainer: an adapter never runs the model
    data.prepare_targets([TargetSpec(...), ...])             # checks y (and weights) against the built outputs
    for epoch ...:
        for x_batch, y_batch, weight_batch in data.epoch(): ...
        data.on_epoch_end()

``prepare_targets`` is skipped by ``predict``: the batches then hold inputs only.
"""

from __future__ import annotations

from .inputs import pack_inputs, standardize_inputs
from .targets import check_class_weight, sample_weights, standardize_targets

__all__ = ["DataAdapter", "DataSpec", "TargetSpec", "BatchSourceAdapter"]


class DataSpec:
    """What the model expects of its inputs, known before it is built.

    Attributes:
        where: the method named at the start of every error ('fit', 'fit (validation_data)', ...).
        dtype: the model's float dtype; numeric inputs are cast to it.
        model_name: named in feature-count errors ("X has 5 features, but sequential is expecting 4").
        input_count: the number of model inputs (a list of that many arrays is expected when > 1).
        input_shapes: the expected batch shape of each input, e.g. ``[(None, 20)]``; None when unknown.
        output_names: the names of the model's outputs (a dict of targets is keyed by them).
        structure: how the model takes its inputs (an :class:`~.inputs.InputStructure`: names, nesting,
            which inputs take strings); None for the plain one-array-per-input convention.
        found_nesting: for a model taking any structure, the structure of the x seen (set by
            ``standardize_inputs``, read by ``pack_inputs``).
    """

    __slots__ = ("where", "dtype", "model_name", "input_count", "input_shapes", "output_names", "structure",
                 "found_nesting")

    def __init__(self, where: str, dtype: str, model_name: str, input_count: int = 1, input_shapes=None,
                 output_names: tuple = (), structure=None):
        self.where, self.dtype, self.model_name = where, dtype, model_name
        self.input_count, self.input_shapes, self.output_names = input_count, input_shapes, tuple(output_names)
        self.structure, self.found_nesting = structure, None


class TargetSpec:
    """What the targets of one model output must look like, known once the model is built.

    Attributes:
        kind: the loss family: 'binary', 'categorical' or 'sparse' cross-entropy, or '' for any other
            loss. Sparse targets are integer labels; the others floats.
        output_shape: the output's batch shape, e.g. ``(None, 10)``; None when unknown.
        ignore_class: the label a sparse cross-entropy leaves out (no range check, no class weight).
    """

    __slots__ = ("kind", "output_shape", "ignore_class")

    def __init__(self, kind: str = "", output_shape=None, ignore_class=None):
        self.kind, self.output_shape, self.ignore_class = kind, output_shape, ignore_class

    @property
    def units(self):
        """The size of the output's last axis (classes of a softmax), or None."""
        return None if not self.output_shape else self.output_shape[-1]


class DataAdapter:
    """Base class of the adapters: one per kind of data (arrays, generators, PyDatasets).

    Attributes:
        steps: batches per epoch; None for a generator read until it ends.
        num_samples: samples per epoch when known (arrays), else None.
    """

    steps: int | None = None
    num_samples: int | None = None

    def first_inputs(self):
        """The inputs of the first sample(s), in the model's input format, for the trainer to build on."""
        raise NotImplementedError

    def prepare_targets(self, targets: list) -> None:
        """Check and convert ``y``, ``sample_weight`` and ``class_weight`` for outputs described by
        ``targets`` (one :class:`TargetSpec` per output, None for an output without a loss)."""
        raise NotImplementedError

    def epoch(self):
        """Yield the ``(x, y, sample_weight)`` batches of one epoch (``y``, ``sample_weight`` may be None)."""
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        """Called by the trainer after each epoch."""


class BatchSourceAdapter(DataAdapter):
    """Base of the adapters over sources that produce whole batches (generators, PyDatasets): each
    batch ``(x, y[, sample_weight])`` is checked and converted as it arrives, ``class_weight`` applied."""

    def __init__(self, spec: DataSpec, class_weight=None):
        self.spec = spec
        self.class_weight = None if class_weight is None else check_class_weight(class_weight, spec.where)
        self.targets = None  # set by prepare_targets; without them (predict) batches hold inputs only

    def prepare_targets(self, targets: list) -> None:
        self.targets = targets

    def _inputs_of(self, batch):
        if not isinstance(batch, (tuple, list)) or len(batch) not in (2, 3):
            raise ValueError(f"{self.spec.where}: each batch must be a tuple (x, y) or (x, y, sample_weight), "
                             f"received {type(batch).__name__}")
        return batch[0]

    def _first_inputs_of(self, batch):
        return pack_inputs([a[:1] for a in standardize_inputs(self._inputs_of(batch), self.spec)], self.spec)

    def convert(self, batch) -> tuple:
        """One batch from the source as checked ``(x, y, sample_weight)`` arrays."""
        spec = self.spec
        if self.targets is None:  # inputs only; an (x, y[, sample_weight]) batch gives its x
            x = batch[0] if isinstance(batch, (tuple, list)) and len(batch) in (2, 3) else batch
            return pack_inputs(standardize_inputs(x, spec), spec), None, None
        arrays = standardize_inputs(self._inputs_of(batch), spec)
        n = len(arrays[0])
        y = standardize_targets(batch[1], n, spec, self.targets)
        sw = batch[2] if len(batch) == 3 else None
        sw = sample_weights(sw, self.class_weight, y, n, spec.where, spec.dtype, self.targets[0])
        return pack_inputs(arrays, spec), y, sw
