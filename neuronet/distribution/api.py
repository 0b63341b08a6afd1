"""Keras 3's ``keras.distribution`` names for neuronet's data-parallel training over MPI processes.

A device is one MPI process (``'cpu:0'``, ``'cpu:1'``, ... — one per rank of the job, on any host);
``DataParallel`` keeps one replica of the model per process. Outside ``mpiexec`` there is one process
and training runs exactly as without a distribution.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import os

import numpy as np

from .communicator import Communicator, DistributionError, launched_size

__all__ = ["list_devices", "get_device_count", "initialize", "DeviceMesh", "TensorLayout", "Distribution",
           "DataParallel", "distribution", "set_distribution", "process_id", "num_processes", "is_chief"]

DEFAULT_BATCH_DIM_NAME = "batch"
_STATE: dict = {"distribution": None, "comm": None}


# ----------------------------------------------------------------------------- processes
def _communicator(timeout: float | None = None) -> Communicator | None:
    """The job's communicator, started on first use when the launcher started several processes."""
    comm = _STATE["comm"]
    if comm is None and launched_size() > 1:
        comm = _STATE["comm"] = Communicator(600.0 if timeout is None else timeout)
        _share_cores(comm)
    elif comm is not None and timeout is not None:
        comm.timeout = float(timeout)
    return comm


def _share_cores(comm: Communicator) -> None:
    """Split this host's cores between its ranks: each rank's ops cut batches into at most cores ÷
    ranks-on-this-host slices (``runtime.policy.num_threads``), unless NEURONET_NUM_THREADS chose."""
    if os.environ.get("NEURONET_NUM_THREADS", "").isdigit():
        return
    from ..runtime import policy

    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    policy.num_threads = max(1, cores // comm.local_size)


def initialize(job_addresses=None, num_processes: int | None = None, process_id: int | None = None) -> None:
    """Start the communication between the processes of an MPI job now (it otherwise starts with the first
    :class:`DataParallel`). The launcher (``mpiexec``) decides the processes: ``num_processes`` and
    ``process_id``, when given, are checked against it; ``job_addresses`` is not used (the launcher's
    hostfile places the processes).

    Raises:
        ValueError: when ``num_processes`` or ``process_id`` differ from what the launcher started.
    """
    comm = _communicator()
    size, rank = (comm.size, comm.rank) if comm is not None else (1, 0)
    if num_processes is not None and int(num_processes) != size:
        raise ValueError(f"initialize: expected num_processes={size} (the processes mpiexec started), received "
                         f"num_processes={num_processes}")
    if process_id is not None and int(process_id) != rank:
        raise ValueError(f"initialize: this process has rank {rank}, received process_id={process_id}")


def num_processes() -> int:
    """The number of processes training together (1 outside ``mpiexec``)."""
    comm = _STATE["comm"] if _STATE["comm"] is not None else _communicator()
    return 1 if comm is None else comm.size


def process_id() -> int:
    """This process's rank in ``[0, num_processes())`` (0 outside ``mpiexec``)."""
    comm = _STATE["comm"] if _STATE["comm"] is not None else _communicator()
    return 0 if comm is None else comm.rank


def is_chief() -> bool:
    """True on the process that prints progress and writes files (rank 0), and in a single process.

    Callbacks that write (ModelCheckpoint, CSVLogger, TensorBoard, the progress bar) ask it, so a script
    run under ``mpiexec -n 4`` writes each file once. Without a distribution set it is always True: each
    process then trains on its own and writes its own files."""
    dist = _STATE["distribution"]
    return dist is None or dist._process_id == 0


def list_devices(device_type: str | None = None) -> list:
    """The devices of the job: ``['cpu:0', ..., 'cpu:N-1']``, one per MPI process (global, as Keras).

    Args:
        device_type: 'cpu', or None for the default ('cpu'). 'gpu' and 'tpu' list nothing (neuronet runs on CPUs).
    """
    if device_type is not None and str(device_type).lower() not in ("cpu", "gpu", "tpu"):
        raise ValueError(f"list_devices: expected device_type 'cpu', 'gpu' or 'tpu', received {device_type!r}")
    if device_type is not None and str(device_type).lower() != "cpu":
        return []
    return [f"cpu:{i}" for i in range(num_processes())]


def get_device_count(device_type: str | None = None) -> int:
    """The number of devices :func:`list_devices` lists."""
    return len(list_devices(device_type))


# ----------------------------------------------------------------------------- mesh and layouts
class DeviceMesh:
    """The devices arranged on named axes (Keras's ``DeviceMesh``); data parallelism uses a 1-D mesh.

    Args:
        shape: the mesh's shape, e.g. ``(4,)``.
        axis_names: one name per axis, e.g. ``['batch']``.
        devices: the devices, defaults to :func:`list_devices`.

    Example::

        mesh = DeviceMesh((2,), ["batch"], ["cpu:0", "cpu:1"])
    """

    def __init__(self, shape, axis_names, devices=None):
        if not shape or not axis_names:
            raise ValueError(f"DeviceMesh: shape and axis_names cannot be empty, received shape={shape}, "
                             f"axis_names={axis_names}")
        if len(shape) != len(axis_names):
            raise ValueError(f"DeviceMesh: shape and axis_names should have the same size, received shape={shape}, "
                             f"axis_names={axis_names}")
        devices = np.array(list_devices() if devices is None else devices)
        if math.prod(shape) != devices.size:
            raise ValueError(f"DeviceMesh: shape {tuple(shape)} does not match the number of devices "
                             f"({devices.size}: {devices.ravel().tolist()})")
        self._shape, self._axis_names = tuple(shape), list(axis_names)
        self._devices = devices.reshape(shape)

    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def axis_names(self) -> list:
        return self._axis_names

    @property
    def devices(self) -> np.ndarray:
        return self._devices

    def __repr__(self) -> str:
        return f"<DeviceMesh shape={self.shape}, axis_names={self.axis_names}>"


class TensorLayout:
    """How a tensor's axes map to a mesh's axes (Keras's ``TensorLayout``: None for an unsharded axis)."""

    def __init__(self, axes, device_mesh: DeviceMesh | None = None):
        self._axes = tuple(axes)
        self._device_mesh = device_mesh

    @property
    def axes(self) -> tuple:
        return self._axes

    @property
    def device_mesh(self):
        return self._device_mesh

    def __repr__(self) -> str:
        return f"<TensorLayout axes={self.axes}, device_mesh={self.device_mesh}>"


# ----------------------------------------------------------------------------- distributions
class Distribution:
    """Base class of distributions (Keras's): a device mesh and the name of the batch axis."""

    def __init__(self, device_mesh: DeviceMesh, batch_dim_name: str | None = None, auto_shard_dataset: bool = True):
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self._auto_shard_dataset = bool(auto_shard_dataset)
        self._num_processes = num_processes()
        self._process_id = process_id()

    @property
    def num_processes(self) -> int:
        """The number of processes of the job."""
        return self._num_processes

    @property
    def device_mesh(self) -> DeviceMesh:
        return self._device_mesh

    @property
    def batch_dim_name(self):
        return self._batch_dim_name

    @property
    def auto_shard_dataset(self) -> bool:
        return self._auto_shard_dataset

    @auto_shard_dataset.setter
    def auto_shard_dataset(self, value: bool) -> None:
        self._auto_shard_dataset = bool(value)

    @contextlib.contextmanager
    def scope(self):
        """Make this distribution current inside a ``with`` block."""
        previous = distribution()
        set_distribution(self)
        try:
            yield
        finally:
            set_distribution(previous)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} device_mesh={self.device_mesh}>"


class DataParallel(Distribution):
    """Synchronous data-parallel training on every process of an MPI job (Keras's ``DataParallel``).

    Set it once, then ``fit`` as usual, and launch the script with ``mpiexec -n N python train.py``::

        keras.distribution.set_distribution(keras.distribution.DataParallel())
        model.fit(x, y, batch_size=256, epochs=10)      # 256 = the global batch, 256 / N per process

    Each process takes its share of every global batch (``fit``'s ``batch_size``), computes its
    gradients, and the gradients are summed over the processes (weighted by each share, fused into a few
    in-place allreduces), so every process applies the same update: the weights stay identical and the
    result equals one process training on the global batches. Rank 0's weights, optimizer state and
    random state are broadcast when ``fit`` starts (a model loaded on rank 0 only resumes the whole job);
    metrics and validation are summed over the processes, so every process logs the same numbers; only
    rank 0 prints progress and writes checkpoints, CSV logs and TensorBoard files (see :func:`is_chief`).
    ``predict``, ``train_on_batch`` and ``test_on_batch`` run on each process's own data.

    BatchNormalization normalizes with each process's own batch statistics (Keras's default
    ``synchronized=False``); its moving statistics are kept identical on every process (the rows-weighted
    mean of the processes' changes: the moving mean equals one process's exactly, the moving variance
    averages the shards' variances).

    Without ``mpiexec`` (one process) fitting runs exactly as with no distribution.

    Args:
        device_mesh: a 1-D :class:`DeviceMesh` over all the processes. Defaults to one built from ``devices``.
        devices: the devices; must be all of :func:`list_devices` (one replica per process). Defaults to all.
        auto_shard_dataset: split each batch of a generator or PyDataset between the processes (True), or
            take each process's batches as its own share (False: each process's source reads its part,
            the same number of batches everywhere). Arrays are always split. Defaults to True.
        timeout: seconds a process waits for the others in any one exchange before the watchdog stops the
            job with an error. Defaults to 600.
    """

    def __init__(self, device_mesh: DeviceMesh | None = None, devices=None, auto_shard_dataset: bool = True,
                 timeout: float = 600.0):
        if not isinstance(timeout, numbers.Real) or isinstance(timeout, bool) or not timeout > 0:
            raise ValueError(f"DataParallel: expected timeout to be a positive number of seconds, received {timeout!r}")
        self._comm = _communicator(float(timeout))
        everything = list_devices()
        if device_mesh is not None:
            if not isinstance(device_mesh, DeviceMesh):
                raise ValueError(f"DataParallel: expected device_mesh to be a DeviceMesh, received "
                                 f"{type(device_mesh).__name__}")
            mesh, batch_name = device_mesh, device_mesh.axis_names[0]
        else:
            mesh = DeviceMesh((len(devices),) if devices else (len(everything),), [DEFAULT_BATCH_DIM_NAME],
                              devices if devices else everything)
            batch_name = DEFAULT_BATCH_DIM_NAME
        if sorted(np.ravel(mesh.devices).tolist()) != everything:
            raise ValueError(f"DataParallel: neuronet keeps one replica on each process of the job, so the devices "
                             f"must be all of {everything}, received {np.ravel(mesh.devices).tolist()}")
        super().__init__(mesh, batch_name, auto_shard_dataset)

    @property
    def num_model_replicas(self) -> int:
        """One replica per process."""
        return self._num_processes

    @property
    def data_shard_id(self) -> int:
        """The share of each batch this process takes (its rank)."""
        return self._process_id

    def get_data_layout(self, data_shape) -> TensorLayout:
        """Data is split along its first (batch) axis."""
        return TensorLayout([self.batch_dim_name] + [None] * (len(data_shape) - 1), self.device_mesh)

    def get_variable_layout(self, variable) -> TensorLayout:
        """Variables are replicated on every process."""
        return TensorLayout([None] * len(variable.shape), self.device_mesh)

    def get_tensor_layout(self, path):
        return None

    def _replica(self):
        """The trainer's partner for one fit/evaluate (None in a single process)."""
        if self._comm is None or self._comm.size == 1:
            return None
        from .replica import Replica

        return Replica(self._comm, self.auto_shard_dataset)


def distribution():
    """The current distribution (None until :func:`set_distribution`)."""
    return _STATE["distribution"]


def set_distribution(value) -> None:
    """Make ``value`` (a :class:`Distribution`, or None) the distribution every ``fit`` uses."""
    if value is not None and not isinstance(value, Distribution):
        raise ValueError(f"set_distribution: expected a neuronet.distribution.Distribution or None, received "
                         f"{type(value).__name__}")
    _STATE["distribution"] = value


@contextlib.contextmanager
def distributed_run(model):
    """The replica of the current distribution for one ``fit``/``evaluate`` of ``model`` (None unless a
    :class:`DataParallel` spans several processes), kept in ``model._replica`` meanwhile. An exception
    raised inside is told to the other processes, so they stop with an error naming this one instead of
    waiting for it. (A context manager, not a decorator: warnings raised inside keep pointing at the
    user's ``fit`` call.)"""
    dist = _STATE["distribution"]
    replica = dist._replica() if isinstance(dist, DataParallel) else None
    if replica is None:
        yield None
        return
    previous, model._replica = getattr(model, "_replica", None), replica
    try:
        yield replica
    except DistributionError:
        raise
    except BaseException as exc:
        replica.comm.report_failure(exc)
        raise
    finally:
        model._replica = previous
