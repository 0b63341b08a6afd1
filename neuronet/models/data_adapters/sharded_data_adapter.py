"""One process's share of every batch, for data-parallel training (``neuronet.distribution``).

Every process walks the same batches (the same shuffle, the same generator or PyDataset) and keeps its
own contiguous slice of each: with ``count`` processes and a batch of ``n`` rows, process ``index``
takes rows ``[floor(index·n/count), floor((index+1)·n/count))``. ``fit``'s ``batch_size`` therefore stays
the global batch, as in Keras, and the shares of a batch that does not divide evenly differ by one row.
Arrays are sliced as views; a generator's or PyDataset's batch is loaded whole, then sliced.
"""

from __future__ import annotations

from .array_data_adapter import ArrayDataAdapter
from .data_adapter import DataAdapter
from .inputs import batch_length

__all__ = ["ShardedDataAdapter", "shard_for_replica"]


def _rows_of(data, start: int, stop: int):
    """``data[start:stop]`` through lists, tuples and dicts of arrays (None stays None)."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {k: _rows_of(v, start, stop) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(_rows_of(v, start, stop) for v in data)
    return data[start:stop]


class ShardedDataAdapter(DataAdapter):
    """Wraps an adapter so that each batch it yields is this process's share of the global batch.

    Args:
        adapter: the adapter of the whole data (its batches are the global batches).
        index: this process's position among the ``count`` processes.
        count: the number of processes sharing each batch; 1 passes the batches through (data that is
            already split between the processes, e.g. a PyDataset reading its own part).
        on_batch: called as ``on_batch(shard_rows, global_rows)`` before each batch is handed out;
            ``global_rows`` is None when ``count`` is 1 (the other processes' shares are unknown here).
        sync_random: called before each epoch's first batch (before a shuffle is drawn) and before the
            wrapped adapter's ``on_epoch_end`` (a PyDataset may reshuffle there), so every process can
            draw the same random numbers. Defaults to None.

    Raises:
        ValueError: from the first batch of an epoch when it has fewer rows than there are processes.
    """

    def __init__(self, adapter: DataAdapter, index: int, count: int, on_batch=None, sync_random=None):
        self.adapter = adapter
        self.index, self.count = int(index), int(count)
        self.on_batch, self.sync_random = on_batch, sync_random
        self.steps = adapter.steps
        self.num_samples = adapter.num_samples
        self.spec = getattr(adapter, "spec", None)

    def first_inputs(self):
        return self.adapter.first_inputs()

    def prepare_targets(self, targets: list) -> None:
        self.adapter.prepare_targets(targets)

    def on_epoch_end(self) -> None:
        if self.sync_random is not None:
            self.sync_random()
        self.adapter.on_epoch_end()

    def epoch(self):
        if self.sync_random is not None:
            self.sync_random()
        for step, (x, y, sw) in enumerate(self.adapter.epoch()):
            n = batch_length(x)
            if self.count == 1:
                if self.on_batch is not None:
                    self.on_batch(n, None)
                yield x, y, sw
                continue
            if step == 0 and n < self.count:
                where = getattr(self.spec, "where", "fit")
                raise ValueError(f"{where}: the first batch has {n} sample(s), fewer than the {self.count} processes "
                                 f"sharing it; give a batch_size of at least {self.count}")
            start, stop = self.index * n // self.count, (self.index + 1) * n // self.count
            if self.on_batch is not None:
                self.on_batch(stop - start, n)
            yield _rows_of(x, start, stop), _rows_of(y, start, stop), _rows_of(sw, start, stop)


def shard_for_replica(adapter, replica, training: bool = False):
    """``adapter`` wrapped so that it yields this rank's share of each global batch (None stays None).

    ``replica`` is the process's data-parallel replica (``neuronet.distribution``): it says which share
    is this rank's and hears of each batch's rows; for ``training`` its random state is synchronised
    around each epoch. Arrays are always split; generators and PyDatasets as the distribution says.
    """
    if adapter is None:
        return None
    index, count = replica.share(isinstance(adapter, ArrayDataAdapter))
    return ShardedDataAdapter(adapter, index, count, on_batch=replica.set_rows,
                              sync_random=replica.sync_random if training else None)
