"""One process's part in data-parallel training: what ``fit`` and ``evaluate`` ask of the distribution.

The trainer (``models/training.py``) talks to a :class:`Replica` at four seams and nowhere else:

1. **data**: :meth:`Replica.shard` wraps the adapters so that each rank gets its share of every global
   batch (``data_adapters.ShardedDataAdapter``), and re-synchronises the library's random generator at
   each epoch so every rank draws the same shuffle;
2. **start**: :meth:`Replica.begin` broadcasts rank 0's weights, optimizer state and random state;
3. **step**: :meth:`Replica.begin_step` (before the forward pass), :meth:`Replica.loss_scales` (each
   output's loss times this rank's share of the global batch's loss), :meth:`Replica.sum_step` (one
   in-place allreduce per dtype of the fused gradients, loss values and metric changes);
4. **epoch end**: :meth:`Replica.agree` — every rank stops when one wants to, and uses rank 0's
   learning rate.

Why the sum of the ranks' steps equals one process's step on the global batch. A loss with Keras's
default reduction is ``S / D``: the weighted sum of the per-entry losses over the count ``D`` of the
entries kept (the rows, or the entries a mask keeps, or the sum of the weights for
``'mean_with_sample_weight'``). With the batch split in shards, ``S = Σ_r S_r`` and ``D = Σ_r D_r``, so::

    S / D = Σ_r (D_r / D) · (S_r / D_r)          each rank's own loss times its share D_r / D

Each rank multiplies its loss by its share before ``backward``, and the sum over ranks of the gradients
(and of the loss values) is exactly the gradient (and loss) of the global batch. Shares are known
without communication when ``D`` counts rows (the adapter knows the global batch size); with masks,
``ignore_class`` or ``'mean_with_sample_weight'`` the ranks first sum their counts in one tiny
allreduce. ``'sum'`` reductions need no share (``S = Σ_r S_r``). Penalties (``model.losses``: weight
regularizers) are the same on every rank and count ``1 / A`` each, ``A`` the number of ranks whose share
of the batch is not empty (a last batch of fewer rows than ranks leaves some idle, and an idle rank runs
no forward pass). The other terms of ``model.losses``, computed from the data (activity regularizers,
``add_loss`` in ``call``: means over this rank's rows, as Keras computes them), count the rank's row share
``n_r / n``, so they too sum to one process's. (A model that overrides ``losses`` gets ``1 / A`` for all of
it: exact when the shares are equal.)

Metrics accumulate sums and counts: each rank's change during a step is summed over ranks, so every
rank holds the global state. Non-trainable variables changed by the step (BatchNormalization's moving
statistics) change by the average of the ranks' changes, weighted by their rows: the moving mean is
then exactly that of one process (the moving variance averages the shards' variances).
"""

from __future__ import annotations

import numpy as np

from .communicator import DistributionError
from .state import broadcast_model, broadcast_random_state, fork_random_stream, numeric_state, restore_state, \
    state_change

__all__ = ["Replica"]

# Gradients are fused into flat buffers of at most this many elements (one allreduce each).
_BUCKET_ELEMENTS = 1 << 25


class Replica:
    """This process's part in one ``fit`` or ``evaluate`` over MPI.

    Args:
        comm: the :class:`~neuronet.distribution.communicator.Communicator`.
        auto_shard_dataset: split each generator/PyDataset batch between the ranks (True), or take each
            rank's batches as its share already (False). Arrays are always split.
    """

    def __init__(self, comm, auto_shard_dataset: bool = True):
        self.comm = comm
        self.auto_shard_dataset = auto_shard_dataset
        self.shard_rows = 0
        self.global_rows = None  # rows of the current global batch; None until summed when not known
        self._buckets = None  # (the variables' identities, shapes and dtypes; their fused gradient buffers)
        self._exchange_done = False
        self._before = None
        self._first_step = True
        self._uses_counts = False  # whether the losses divide by counts the ranks must sum (see loss_scales)
        self._active_ranks = 1  # ranks with a non-empty share of the current batch (see _sum_counts)
        self._fork_pending = False

    # ------------------------------------------------------------------ data
    def share(self, splits_every_batch: bool) -> tuple:
        """``(index, count)``: this rank's share of each global batch. Data that ``splits_every_batch``
        (arrays, or any data when ``auto_shard_dataset``) is split between the ranks; other data is
        already this rank's part, ``(0, 1)``. The data adapters do the split
        (``models/data_adapters/sharded_data_adapter.py``)."""
        if splits_every_batch or self.auto_shard_dataset:
            return self.comm.rank, self.comm.size
        return 0, 1

    def set_rows(self, shard_rows: int, global_rows) -> None:
        """Told by the sharded data before each batch: this rank's rows and the global batch's."""
        self.shard_rows, self.global_rows = shard_rows, global_rows
        self._exchange_done = False
        if self._fork_pending:  # the epoch's shuffle is drawn: ranks other than 0 draw dropout from their own stream
            fork_random_stream(self.comm.rank)
            self._fork_pending = False

    def sync_random(self) -> None:
        """Rank 0's library generator on every rank, before an epoch's shuffle is drawn (arrays) and before
        a PyDataset's ``on_epoch_end`` (which may shuffle with it)."""
        broadcast_random_state(self.comm, everything=False)
        self._fork_pending = True

    # ------------------------------------------------------------------ start of a run
    def begin(self, model, training: bool, verbose: int = 0, plan: dict | None = None) -> None:
        """Give every rank rank 0's weights (and, for training, optimizer and random state), after checking
        that every rank runs the same ``plan`` (the loop's numbers, e.g. ``{'epochs': 10, 'steps': 32}``:
        ranks that disagree would wait for each other forever). With ``verbose``, rank 0 first names the
        processes (once per job)."""
        if verbose:
            self.comm.announce()
        if plan:
            _check_same_plan(self.comm, plan)
        if training:
            model._training_variables()  # the optimizer's slots exist before they are broadcast
        broadcast_model(self.comm, model, with_optimizer=training)
        if training:
            broadcast_random_state(self.comm, everything=True)
        self._first_step = True

    # ------------------------------------------------------------------ one step
    def begin_step(self, model) -> bool:
        """Note the state the step will change; False when this rank's share of the batch is empty."""
        self._before = ([numeric_state(m) for _, m, _, _ in model._metric_entries or []],
                        [w.data.copy() for w in _moving_state(model)])
        return self.shard_rows > 0

    def loss_scales(self, model, y, outputs, sample_weight) -> tuple:
        """``(per-output scales, penalty scale, row share)``: this rank's share of each output's global loss
        (``D_r / D``, see the module docstring; 1 for a 'sum' reduction), ``1 / A`` for the weight penalties
        in ``model.losses`` (``A`` ranks have rows in this batch) and ``n_r / n`` for its other terms."""
        heads = model._heads
        outs = outputs if len(heads) > 1 else [outputs]
        ys = y if len(heads) > 1 else [y]
        counts = [None if h.loss_fn is None else _loss_count(h, t, o, sample_weight)
                  for h, t, o in zip(heads, ys, outs)]
        self._uses_counts = any(isinstance(c, float) for c in counts)  # the same on every rank (masks, config)
        totals = self._sum_counts(counts)
        scales = []
        for count, total in zip(counts, totals):
            if count is None or count == "sum":
                scales.append(1.0)
            elif count == "rows":
                scales.append(self.shard_rows / self.global_rows)
            else:
                scales.append(count / total if total else 0.0)
        return scales, 1.0 / self._active_ranks, self.shard_rows / self.global_rows

    def _sum_counts(self, counts: list) -> list:
        """The global counts of the outputs whose counts are not rows (and the global rows when unknown):
        one small allreduce, skipped when the adapter knows the global batch size and nothing is masked.
        Also counts the ranks with rows in this batch."""
        totals = [None] * len(counts)
        self._exchange_done = True
        if self.global_rows is not None and not any(isinstance(c, float) for c in counts):
            # the adapter's split gives every rank a row until the rows run out
            self._active_ranks = max(1, min(self.global_rows, self.comm.size))
            return totals
        buf = np.array([float(self.shard_rows), float(self.shard_rows > 0)]
                       + [c if isinstance(c, float) else 0.0 for c in counts])
        self.comm.allreduce_([buf], "the sum of the loss counts")
        self.global_rows, self._active_ranks = int(buf[0]), max(1, int(buf[1]))
        return [float(t) for t in buf[2:]]

    def sum_step(self, model, variables: list, value: float) -> float:
        """Sum the step over the ranks, in place: each variable's ``.grad`` becomes the sum of the ranks'
        (None when no rank had one), the metrics and moving statistics hold every rank's changes, and the
        returned loss is the global batch's. An idle rank (empty share) takes part with zeros."""
        if not self._exchange_done and self._needs_exchange():
            self._sum_counts([None if h.loss_fn is None else 0.0 for h in model._heads])
        metrics = [m for _, m, _, _ in model._metric_entries or []]
        moving = _moving_state(model)
        before_metrics, before_moving = self._before
        metric_changes = [state_change(m, b) for m, b in zip(metrics, before_metrics)]
        share = self.shard_rows / self.global_rows if self.global_rows else 0.0
        moving_changes = [(w.data - b).ravel() * share for w, b in zip(moving, before_moving)]
        heads = model._last_head_losses if len(model._heads) > 1 else []
        if len(model._heads) > 1 and self.shard_rows == 0:
            heads = [0.0] * len(model._heads)
        scalars = [np.array([value] + list(heads), dtype=np.float64),
                   np.array([0.0 if v.grad is None else 1.0 for v in variables], dtype=np.float64)]
        scalars += [c for changes in metric_changes for c in changes.values()]
        scalars += moving_changes
        small = np.concatenate(scalars) if scalars else np.zeros(0)
        buffers = self._pack_gradients(variables)
        if self._first_step:
            self._check_layout(small, buffers)
        self.comm.allreduce_([small] + [buf for buf, _ in buffers], "the allreduce of the gradients")
        self._unpack_gradients(variables, buffers, small[1 + len(heads):1 + len(heads) + len(variables)])
        offset = 1 + len(heads) + len(variables)
        for m, b, changes in zip(metrics, before_metrics, metric_changes):
            total = {}
            for key, change in changes.items():
                total[key] = small[offset:offset + change.size]
                offset += change.size
            restore_state(m, b, total)
        for w, b in zip(moving, before_moving):
            w.data[...] = b + small[offset:offset + b.size].reshape(b.shape).astype(b.dtype, copy=False)
            offset += b.size
        if heads:
            model._last_head_losses = [float(v) for v in small[1:1 + len(heads)]]
        self._before = None
        return float(small[0])

    def _needs_exchange(self) -> bool:
        """Whether the ranks that ran this step summed their loss counts (an idle rank must join in)."""
        if self.global_rows is None:
            return True
        return self._uses_counts

    def _pack_gradients(self, variables: list) -> list:
        """Each variable's gradient copied into flat buffers (one per dtype, at most _BUCKET_ELEMENTS each):
        ``[(buffer, [(variable index, offset), ...]), ...]``, allocated once per set of variables."""
        key = tuple((id(v), v.data.shape, v.data.dtype.str) for v in variables)
        if self._buckets is None or self._buckets[0] != key:
            groups: dict = {}
            for i, v in enumerate(variables):
                groups.setdefault(v.data.dtype.str, []).append(i)
            buckets = []
            for dtype, indices in groups.items():
                layout, size = [], 0
                for i in indices:
                    n = variables[i].data.size
                    if layout and size + n > _BUCKET_ELEMENTS:
                        buckets.append((np.empty(size, dtype=np.dtype(dtype)), layout))
                        layout, size = [], 0
                    layout.append((i, size))
                    size += n
                if layout:
                    buckets.append((np.empty(size, dtype=np.dtype(dtype)), layout))
            self._buckets = (key, buckets)
        buckets = self._buckets[1]
        for buf, layout in buckets:
            for i, offset in layout:
                v = variables[i]
                view = buf[offset:offset + v.data.size]
                if v.grad is None:
                    view.fill(0)
                else:
                    np.copyto(view, np.ravel(v.grad))
        return buckets

    @staticmethod
    def _unpack_gradients(variables: list, buckets: list, had_grad: np.ndarray) -> None:
        for buf, layout in buckets:
            for i, offset in layout:
                v = variables[i]
                v.grad = buf[offset:offset + v.data.size].reshape(v.data.shape) if had_grad[i] else None

    def _check_layout(self, small: np.ndarray, buckets: list) -> None:
        """Once per run: every rank must sum buffers of the same sizes (else MPI would fail obscurely)."""
        sizes = np.array([small.size] + [buf.size for buf, _ in buckets], dtype=np.int64)
        counts = np.array([sizes.size], dtype=np.int64)
        all_counts = self.comm.allgather_(counts, "the check of the step's buffers")
        same = bool(np.all(all_counts == counts))
        if same:
            all_sizes = self.comm.allgather_(sizes, "the check of the step's buffers")
            same = bool(np.all(all_sizes == sizes))
        if not same:
            raise DistributionError("the ranks' training steps differ (gradients, metrics or their state); every "
                                    "process must build and compile the same model")
        self._first_step = False

    # ------------------------------------------------------------------ epoch end
    def agree(self, model) -> None:
        """Every rank stops when any wants to, and continues with rank 0's learning rate (the decisions of
        EarlyStopping and ReduceLROnPlateau, made on the same logs everywhere, then agree by construction)."""
        flag = np.array([1.0 if model.stop_training else 0.0])
        self.comm.allreduce_max_(flag, "the agreement on stopping")
        model.stop_training = bool(flag[0])
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and isinstance(getattr(optimizer, "_learning_rate", None), float):
            rate = np.array([optimizer.learning_rate], dtype=np.float64)
            self.comm.bcast_(rate, "the agreement on the learning rate")
            if float(rate[0]) != optimizer.learning_rate:
                optimizer.learning_rate = float(rate[0])


def _check_same_plan(comm, plan: dict) -> None:
    """Raise on every rank, naming the values, when the ranks' loops would not run the same steps."""
    mine = np.array([-1 if v is None else int(v) for v in plan.values()], dtype=np.int64)
    every = comm.allgather_(mine, "the check of fit's arguments")
    differ = [name for i, name in enumerate(plan) if len(set(every[:, i].tolist())) > 1]
    if differ:
        values = "; ".join(f"{name}: " + ", ".join(f"rank {r} {every[r, plan_index]}" for r in range(comm.size))
                           for plan_index, name in enumerate(plan) if name in differ)
        raise DistributionError(f"the processes would not run the same steps ({values}; -1 means until the data "
                                "ends); give every process the same arguments and data sizes")


def _moving_state(model) -> list:
    """The variables a training step may change besides the trained ones: float weights created
    non-trainable (BatchNormalization's moving mean and variance)."""
    return [w for w in model.weights if not w.trainable and w.data.dtype.kind == "f"]


def _loss_count(head, y, output, sample_weight):
    """This rank's count for ``head``'s loss: 'sum' (a sum needs none), 'rows' (its rows), or a float — the
    number of entries the loss keeps (the loss class's rule in ``losses/loss.py``: ``_reduce``)."""
    reduction = getattr(head.loss_fn, "reduction", "sum_over_batch_size")
    if reduction == "sum":
        return "sum"
    mask = getattr(output, "_keras_mask", None)
    mask = None if mask is None else np.asarray(getattr(mask, "data", mask), dtype=bool)
    shape = output.data.shape
    if mask is not None and (mask.ndim > len(shape) - 1 or mask.shape != shape[:mask.ndim]):
        mask = None  # a mask for another shape than the per-entry losses: the loss leaves it alone too
    if head.ignore_class is not None and y is not None:
        kept = np.asarray(y) != head.ignore_class
        if kept.ndim and kept.shape[-1] == 1 and kept.ndim > (0 if mask is None else mask.ndim):
            kept = kept[..., 0]
        mask = kept if mask is None else np.logical_and(mask, kept)
    if reduction == "mean_with_sample_weight":
        weights = np.ones(len(output.data), dtype=np.float64) if sample_weight is None else \
            np.asarray(sample_weight, dtype=np.float64)
        if mask is not None:
            weights = weights.reshape(weights.shape + (1,) * (mask.ndim - weights.ndim)) * mask
        return float(np.sum(weights))
    if mask is not None:
        return float(np.sum(mask))
    return "rows"
