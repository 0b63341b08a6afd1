"""What ``compile`` records for each model output: its loss, loss weight and metrics (Keras:
``trainers/compile_utils.py``), and how per-output arguments are spread over the outputs."""

from __future__ import annotations

__all__ = ["CompiledOutput", "per_output", "metrics_per_output", "loss_kind", "resolve_metrics"]


def loss_kind(loss) -> str:
    """'binary', 'categorical', 'sparse' for the three cross-entropies (object or function), else ''."""
    from .. import losses

    fn = getattr(loss, "fn", None)
    if isinstance(loss, losses.BinaryCrossentropy) or fn is losses.binary_crossentropy:
        return "binary"
    if isinstance(loss, losses.CategoricalCrossentropy) or fn is losses.categorical_crossentropy:
        return "categorical"
    if isinstance(loss, losses.SparseCategoricalCrossentropy) or fn is losses.sparse_categorical_crossentropy:
        return "sparse"
    return ""


def _ignore_class(loss):
    """The ``ignore_class`` of a sparse categorical cross-entropy loss (object or wrapped function), or None."""
    value = getattr(loss, "ignore_class", None)
    if value is None:
        value = getattr(loss, "_fn_kwargs", {}).get("ignore_class")
    return value


class CompiledOutput:
    """The training configuration of one model output.

    Attributes:
        name: the output's name (its layer's name), used in log keys and dict arguments.
        index: its position among the model's outputs.
        loss: the loss as given to ``compile``; ``loss_fn`` the resolved Loss object (None: untrained).
        weight: the scale of this output's loss in the total.
        kind: 'binary', 'categorical', 'sparse' or '' (see :func:`loss_kind`).
        ignore_class: the label a sparse cross-entropy leaves out, or None.
        metrics, weighted: the resolved metric objects (``weighted`` also receive sample weights).
    """

    def __init__(self, name, index: int, loss, loss_fn, weight: float, metric_specs: list, weighted_specs: list):
        self.name, self.index = name, index
        self.loss, self.loss_fn, self.weight = loss, loss_fn, float(weight)
        self.kind = loss_kind(loss_fn) if loss_fn is not None else ""
        self.ignore_class = _ignore_class(loss_fn)
        self.metric_specs, self.weighted_specs = metric_specs, weighted_specs
        self.metrics: list = []
        self.weighted: list = []


def per_output(arg: str, value, count: int, names: list) -> list:
    """``value`` spread over the outputs: one for all, a list (one each) or a dict by output name."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(f"compile: {arg} has keys {unknown} that are not output names; outputs: {names}")
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise ValueError(f"compile: {arg} has {len(value)} entries but the model has {count} output(s) "
                             f"{names}; give one per output")
        return list(value)
    return [value] * count


def metrics_per_output(arg: str, metrics, count: int, names: list) -> list:
    """One list of metric specs per output: a flat list applies to every output (each gets its own
    objects), a list of lists or a dict by output name gives each its own."""
    from .. import metrics as metrics_module

    def as_list(m):
        if m is None:
            return []
        return list(m) if isinstance(m, (list, tuple)) else [m]

    if metrics is None:
        return [[] for _ in range(count)]
    if isinstance(metrics, dict):
        unknown = [k for k in metrics if k not in names]
        if unknown:
            raise ValueError(f"compile: {arg} has keys {unknown} that are not output names; outputs: {names}")
        return [as_list(metrics.get(name)) for name in names]
    metrics = as_list(metrics)
    if count > 1 and len(metrics) == count and all(m is None or isinstance(m, (list, tuple)) for m in metrics):
        return [as_list(m) for m in metrics]
    if count == 1:
        return [metrics]

    def copy(m):  # a metric object cannot accumulate two outputs at once: each output gets its own
        if isinstance(m, metrics_module.Metric):
            return type(m).from_config(m.get_config())
        return m

    return [[copy(m) for m in metrics] for _ in range(count)]


def resolve_metrics(outputs: list, units_of) -> list:
    """Metric names turned into objects once the output widths are known ('accuracy' depends on them).

    Args:
        outputs: the :class:`CompiledOutput` of each output; their ``metrics``/``weighted`` are filled.
        units_of: ``units_of(index)`` gives the last axis of output ``index`` (or None).

    Returns:
        ``(log key, metric, output, weighted)`` for every metric, in log order.
    """
    from .. import metrics as metrics_module

    def make(spec, out):
        if isinstance(spec, str) and spec.lower() in ("accuracy", "acc"):
            return metrics_module.resolve_accuracy(out.loss_fn or out.loss, units_of(out.index), name=spec)
        return metrics_module.get(spec)

    multi = len(outputs) > 1
    entries = []
    for out in outputs:
        out.metrics = [make(spec, out) for spec in out.metric_specs]
        out.weighted = [make(spec, out) for spec in out.weighted_specs]
        for weighted, group in ((False, out.metrics), (True, out.weighted)):
            for m in group:
                entries.append((f"{out.name}_{m.name}" if multi else m.name, m, out, weighted))
    return entries
