"""neuronet's own weight files: ``.weights.safetensors`` (with a checksum) and ``.npz`` archives.

A ``.weights.safetensors`` file holds every weight under its path (``dense/kernel``) in Keras order,
and in its metadata::

    format          "neuronet"
    format_version  "2"
    weight_order    the paths in Keras order (JSON list)
    checksum        "sha256:<hex>" of the tensor table (names, dtypes, shapes, offsets), the order and
                    every data byte

so a flipped byte anywhere — in the data, the table or the order — is an error naming the file,
never silently different weights. Files without a checksum (written by neuronet 0.1 or by other
tools) load unchecked.

``.npz`` archives (``np.savez``) are read with pickling off and each array's declared size checked
against the model's largest weight before it is read.
"""

from __future__ import annotations

import hashlib
import json
import warnings

import numpy as np

from . import files

__all__ = ["weights_bytes", "parse", "read_npz", "weight_items", "assign_arrays", "SAFETENSORS_VERSION"]

SAFETENSORS_VERSION = 2


def weight_items(model) -> list:
    """``[(key, variable)]`` for every weight of ``model`` in Keras order; keys are the weights' paths
    ('dense/kernel'), made unique with a suffix in the rare case two weights share one."""
    items, used = [], set()
    for i, var in enumerate(model.weights):
        key = str(getattr(var, "path", None) or getattr(var, "name", None) or f"weight_{i}")
        base, n = key, 1
        while key in used:
            key = f"{base}_{n}"
            n += 1
        used.add(key)
        items.append((key, var))
    return items


def _digest(table: dict, order: list, payload) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(table, sort_keys=True).encode())
    h.update(json.dumps(order).encode())
    h.update(payload)
    return "sha256:" + h.hexdigest()


def _table(header: dict) -> dict:
    return {k: v for k, v in header.items() if k != "__metadata__"}


def weights_bytes(items: list) -> bytes:
    """The weights ``[(key, variable)]`` as safetensors bytes with the checksum of the module docstring."""
    from safetensors.numpy import save

    arrays = {key: np.ascontiguousarray(var.data) for key, var in items}
    order = [key for key, _ in items]
    meta = {"format": "neuronet", "format_version": str(SAFETENSORS_VERSION), "weight_order": json.dumps(order)}
    data = save(arrays, metadata=meta)
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + size])
    meta["checksum"] = _digest(_table(header), order, memoryview(data)[8 + size:])
    return save(arrays, metadata=meta)  # the same table and payload: only the metadata grew


def parse(data: bytes, where: str) -> tuple:
    """``(ordered keys, {key: array}, metadata)`` from safetensors bytes, or a ValueError saying what is
    wrong (including a checksum that does not match)."""
    from safetensors.numpy import load

    if len(data) < 8:
        raise ValueError(f"{where}: the safetensors data is truncated ({len(data)} bytes, less than its 8-byte "
                         "header length)")
    size = int.from_bytes(data[:8], "little")
    if size > len(data) - 8:
        raise ValueError(f"{where}: corrupted safetensors header: it announces {size} bytes of header but the data "
                         f"holds only {len(data) - 8} (truncated or not a safetensors file)")
    try:
        header = json.loads(data[8:8 + size].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ValueError(f"{where}: corrupted safetensors header (not valid JSON: {err})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{where}: corrupted safetensors header (expected a JSON object)")
    meta = header.get("__metadata__") or {}
    if not isinstance(meta, dict):
        raise ValueError(f"{where}: corrupted safetensors header ('__metadata__' is not an object)")
    keys = [k for k in header if k != "__metadata__"]
    order = meta.get("weight_order")
    if order is not None:
        try:
            order = json.loads(order)
        except (TypeError, ValueError, RecursionError):
            order = None
    try:
        arrays = load(bytes(data))
    except Exception as err:  # the safetensors reader's own error type: report it as a corrupt file
        raise ValueError(f"{where}: corrupted safetensors data: {err}") from None
    checksum = meta.get("checksum")
    if checksum is not None:
        expected = _digest(_table(header), order if order is not None else meta.get("weight_order"),
                           memoryview(data)[8 + size:])
        if checksum != expected:
            raise ValueError(f"{where}: checksum mismatch: the file was damaged or altered after it was written "
                             "(nothing was loaded)")
    if isinstance(order, list) and sorted(map(str, order)) == sorted(keys):
        keys = [str(k) for k in order]
    return keys, arrays, meta


def read_npz(path: str, where: str, max_bytes: int) -> tuple:
    """``(keys, {key: array}, {})`` from an ``np.savez`` archive; no pickle, each array's declared size
    checked (at most ``max_bytes``) before it is read."""
    from numpy.lib import format as npy

    arrays, keys = {}, []
    with files.Archive(path, where) as archive:
        for name in archive.names():
            if not name.endswith(".npy"):
                continue
            data = archive.read(name, limit=max_bytes + 4096, max_ratio=1000)
            key = name[:-4]
            try:
                stream = _Reader(data)
                version = npy.read_magic(stream)
                if version not in ((1, 0), (2, 0)):
                    raise ValueError(f"array '{key}' has .npy format version {version}, expected 1.0 or 2.0")
                read_header = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
                shape, fortran, dtype = read_header(stream, max_header_size=10000)
                if dtype.hasobject or dtype.kind not in "fiub":
                    raise ValueError(f"array '{key}' holds {dtype}, not numbers (object arrays are never unpickled)")
                count = int(np.prod(shape, dtype=np.int64)) if shape else 1
                if count * dtype.itemsize != len(data) - stream.pos:
                    raise ValueError(f"array '{key}' declares shape {shape} of {dtype}, which its "
                                     f"{len(data) - stream.pos} data bytes do not hold")
                flat = np.frombuffer(data, dtype=dtype, count=count, offset=stream.pos)
                arr = flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
            except ValueError as err:
                raise ValueError(f"{where}: not a readable .npz weight archive: {err}") from None
            arrays[key] = np.array(arr)
            keys.append(key)
    if keys and all(k.startswith("arr_") and k[4:].isdigit() for k in keys):  # np.savez(f, *arrays)
        keys.sort(key=lambda k: int(k[4:]))
    return keys, arrays, {}


class _Reader:
    """A minimal file object over bytes for numpy's header reader."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def read(self, n: int = -1) -> bytes:
        end = len(self.data) if n is None or n < 0 else min(len(self.data), self.pos + n)
        out = self.data[self.pos:end]
        self.pos = end
        return out


def assign_arrays(model, keys: list, arrays: dict, where: str, exact_dtype: bool, skip_mismatch: bool = False) -> None:
    """Check every file weight against ``model``'s weights, then assign them all (or none on error).

    Weights are matched by name when the file and the model have the same names, else by position in
    Keras order (so weights saved from one model load into a fresh copy whose layers got other names).
    """
    items = weight_items(model)
    model_keys = [k for k, _ in items]
    if not items and keys:
        raise ValueError(f"{where}: model '{model.name}' has not been built yet, so it has no weights to load "
                         f"{len(keys)} arrays into; build it first (give an input shape, call model.build(...) "
                         "or fit it)")
    if set(keys) == set(model_keys) and len(keys) == len(model_keys):
        pairs = [(key, var, key) for key, var in items]
    elif len(keys) == len(items):
        pairs = [(key, var, file_key) for (key, var), file_key in zip(items, keys)]
    elif skip_mismatch:
        pairs = [(key, var, key) for key, var in items if key in arrays]
    else:
        missing = [k for k in model_keys if k not in arrays][:5]
        extra = [k for k in keys if k not in set(model_keys)][:5]
        raise ValueError(f"{where}: the file holds {len(keys)} weights but model '{model.name}' has {len(items)} "
                         f"(model weights not in the file: {missing}; file entries not in the model: {extra})")
    checked, skipped = [], []
    for key, var, file_key in pairs:
        arr = arrays[file_key]
        label = f"weight '{key}'" if key == file_key else f"weight '{key}' (file entry '{file_key}')"
        problem = None
        if tuple(arr.shape) != tuple(var.shape):
            problem = f"{label} expected shape {tuple(var.shape)}, received {tuple(arr.shape)}"
        elif arr.dtype.kind != var.data.dtype.kind or (exact_dtype and arr.dtype != var.data.dtype):
            problem = f"{label} expected dtype {var.data.dtype}, received {arr.dtype}"
        if problem is None:
            checked.append((var, arr))
        elif skip_mismatch:
            skipped.append(problem)
        else:
            raise ValueError(f"{where}: {problem}; nothing was loaded")
    if skipped:
        warnings.warn(f"{where}: skipped {len(skipped)} mismatched weight(s): " + "; ".join(skipped), UserWarning,
                      stacklevel=3)
    for var, arr in checked:
        var.data[...] = arr
