"""What must be the same on every rank, and how it is made so: the model's weights, the optimizer's
state and the random generators (broadcast from rank 0), and the accumulated state of the metrics and
of non-trainable variables such as BatchNormalization's moving statistics (summed as per-step changes).

Arrays travel fused: every array of one dtype is packed into one flat buffer, sent in one call, and
unpacked. Nothing is pickled: the random states travel as JSON text.
"""

from __future__ import annotations

import hashlib
import json
import random
import numbers

import numpy as np

from .. import config
from .communicator import DistributionError

__all__ = ["broadcast_model", "broadcast_random_state", "numeric_state", "restore_state", "fork_random_stream"]


# ----------------------------------------------------------------------------- fused broadcast
def _broadcast_arrays(comm, arrays: list, what: str) -> list:
    """Rank 0's values of ``arrays`` (the same shapes and dtypes on every rank), one call per dtype."""
    out = [None] * len(arrays)
    groups: dict = {}
    for i, a in enumerate(arrays):
        groups.setdefault(np.dtype(a.dtype).str, []).append(i)
    for indices in groups.values():
        flat = np.concatenate([np.ravel(arrays[i]) for i in indices]) if indices else np.zeros(0)
        comm.bcast_(flat, what)
        offset = 0
        for i in indices:
            size = arrays[i].size
            out[i] = flat[offset:offset + size].reshape(arrays[i].shape)
            offset += size
    return out


def _check_same_structure(comm, signature: str, what: str) -> None:
    """Raise on every rank when some rank's model or optimizer differs from rank 0's (names, shapes, dtypes)."""
    digest = np.frombuffer(hashlib.sha256(signature.encode("utf-8")).digest(), dtype=np.uint8).copy()
    digests = comm.allgather_(digest, what)
    differ = [r for r in range(comm.size) if not np.array_equal(digests[r], digests[0])]
    if differ:
        raise DistributionError(
            f"{what}: the model or optimizer of rank(s) {differ} differs from rank 0's (weights, shapes, dtypes or "
            "optimizer slots); every process must build and compile the same model"
        )


def broadcast_model(comm, model, with_optimizer: bool) -> None:
    """Give every rank rank 0's weights (all of ``model.weights``) and, with ``with_optimizer``, its
    optimizer state (slots, iterations, learning rate) — after checking that the structures agree."""
    weights = model.weights
    state = model.optimizer.state_dict() if with_optimizer else {}
    keys = sorted(state)
    signature = ";".join(f"{w.data.shape}:{w.data.dtype}" for w in weights)  # not the names: they count models made
    signature += "|" + ";".join(f"{k}:{np.shape(state[k])}:{np.asarray(state[k]).dtype}" for k in keys)
    what = "the broadcast of the initial weights"
    _check_same_structure(comm, signature, what)
    arrays = [w.data for w in weights] + [np.asarray(state[k]) for k in keys]
    received = _broadcast_arrays(comm, arrays, what)
    if comm.rank == 0:
        return
    for w, value in zip(weights, received):
        w.data[...] = value
    if with_optimizer:
        model.optimizer.load_state_dict(dict(zip(keys, received[len(weights):])))


# ----------------------------------------------------------------------------- random state
def _to_json(value):
    if isinstance(value, np.ndarray):
        return {"__ndarray__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _from_json(value):
    if isinstance(value, dict):
        if "__ndarray__" in value:
            return np.asarray(value["__ndarray__"], dtype=np.dtype(value["dtype"]))
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def broadcast_random_state(comm, everything: bool) -> None:
    """Give every rank rank 0's state of the library generator (``config.rng()``: shuffles, dropout,
    initializers) and, with ``everything``, of NumPy's and Python's global generators too."""
    state = {"library": config.rng().bit_generator.state}
    if everything:
        state["numpy"] = np.random.get_state(legacy=False)
        version, internal, gauss = random.getstate()
        state["python"] = [version, list(internal), gauss]
    data = json.dumps(_to_json(state)).encode("utf-8") if comm.rank == 0 else None
    received = _from_json(json.loads(comm.bcast_bytes(data, "the broadcast of the random state").decode("utf-8")))
    if comm.rank == 0:
        return
    config.rng().bit_generator.state = received["library"]
    if everything:
        np.random.set_state(received["numpy"])
        version, internal, gauss = received["python"]
        random.setstate((version, tuple(internal), gauss))


def fork_random_stream(rank: int) -> None:
    """Move ranks other than 0 to their own stream of the library generator (a jump ahead of rank 0's),
    so that dropout draws differ between ranks; rank 0 keeps the stream a single process would use."""
    bit_generator = config.rng().bit_generator
    jumped = getattr(bit_generator, "jumped", None)
    if rank and jumped is not None:
        bit_generator.state = jumped(rank).state


# ----------------------------------------------------------------------------- additive state
def numeric_state(obj) -> dict:
    """The numeric attributes of a metric (floats, ints and numeric arrays; None for an array not created
    yet): the state its ``update_state`` adds to. Copies, so later updates leave them alone."""
    out = {}
    for key, value in vars(obj).items():
        if isinstance(value, bool) or key.startswith("__"):
            continue
        if isinstance(value, numbers.Real):
            out[key] = value
        elif isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
            out[key] = value.copy()
        elif value is None:
            out[key] = None
    return out


def restore_state(obj, before: dict, total: dict) -> None:
    """Set each attribute of ``obj`` to ``before + total`` (the sum of every rank's change), keeping its type."""
    for key, change in total.items():
        old = before.get(key)
        current = getattr(obj, key)
        if isinstance(current, np.ndarray):
            base = 0.0 if old is None else old
            current[...] = (base + change.reshape(current.shape)).astype(current.dtype, copy=False)
        elif isinstance(current, numbers.Integral):
            setattr(obj, key, int(round((old or 0) + float(change[0]))))
        else:
            setattr(obj, key, float((old or 0.0) + float(change[0])))


def state_change(obj, before: dict) -> dict:
    """``obj``'s numeric state now minus ``before``, as flat float64 arrays by attribute name."""
    changes = {}
    for key, now in numeric_state(obj).items():
        if now is None:
            continue
        old = before.get(key)
        now = np.asarray(now, dtype=np.float64).ravel()
        changes[key] = now - (0.0 if old is None else np.asarray(old, dtype=np.float64).ravel())
    return changes
