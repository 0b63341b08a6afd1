"""Data-parallel training over MPI processes, with Keras 3's ``keras.distribution`` names.

    keras.distribution.set_distribution(keras.distribution.DataParallel())
    model.fit(x, y, batch_size=256, epochs=10)

and launch with ``mpiexec -n 4 python train.py`` (``pip install 'neuronet[mpi]'`` brings mpi4py, the
MPICH library and its ``mpiexec``). Each process trains on its share of every global batch; gradients,
losses and metrics are summed over the processes, so all of them hold the same weights and log the same
numbers, and rank 0 alone prints and writes files. See :class:`DataParallel` for what is synchronised,
``replica.py`` for why the result equals one process's, and ``communicator.py`` for what happens when a
process fails or dies.

Keras's model-parallel names (``ModelParallel``, ``LayoutMap``, ``distribute_tensor``) are not provided:
neuronet keeps a whole replica of the model on each process.
"""

from .api import (DataParallel, DeviceMesh, Distribution, TensorLayout, distribution, get_device_count, initialize,
                  is_chief, list_devices, num_processes, process_id, set_distribution)
from .communicator import DistributionError

__all__ = ["DataParallel", "DeviceMesh", "Distribution", "TensorLayout", "distribution", "set_distribution",
           "list_devices", "get_device_count", "initialize", "num_processes", "process_id", "is_chief",
           "DistributionError"]

_MODEL_PARALLEL = ("ModelParallel", "LayoutMap", "distribute_tensor")


def __getattr__(name: str):
    if name in _MODEL_PARALLEL:
        raise AttributeError(f"neuronet.distribution has no {name}: neuronet trains data-parallel only (a whole "
                             "replica of the model on each MPI process); use DataParallel()")
    raise AttributeError(f"module 'neuronet.distribution' has no attribute {name!r}")
