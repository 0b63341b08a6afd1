"""Keras 3 files, both ways: ``.keras`` model archives and ``.weights.h5`` weight files.

A ``.keras`` file is a zip archive (members stored uncompressed, as Keras writes them)::

    metadata.json       {"keras_version": "3.15.1", "date_saved": ...,
                         "neuronet": {"version", "format_version": 2, "random_state": {...}}}
    config.json         the model as Keras serializes it: {"module", "class_name", "config",
                        "registered_name", "build_config", "compile_config"} (keras_config.py)
    model.weights.h5    every layer's variables and the optimizer's, in Keras's HDF5 layout
                        (layout.py, optimizer_state.py)

A ``.weights.h5`` file is that HDF5 file alone (with the optimizer's variables when the model is
compiled, as Keras 3 writes them). Real Keras 3 loads what neuronet writes and the other way round.

Reading checks everything before assigning anything: each layer's variables are read only when the
file holds exactly the shapes the architecture expects, and an error leaves the model unchanged.
"""

from __future__ import annotations

import datetime
import json
import warnings

import numpy as np
import zipfile

from . import files, h5io, keras_config, layout, optimizer_state, random_state, serialization

__all__ = ["weights_bytes", "read_weights", "assign", "save_keras", "read_keras_archive", "FORMAT_VERSION",
           "CONFIG", "METADATA", "WEIGHTS"]

FORMAT_VERSION = 2  # neuronet's own extension of the metadata (1 was JSON + safetensors)
CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
JSON_LIMIT = 16 << 20  # config.json / metadata.json larger than this are refused unread
WEIGHTS_LIMIT = 1 << 40  # the weights member may be as large as the model: bounded by the ratio below
MAX_RATIO = 50  # stored members are 1:1; DEFLATE of float weights ~1.1:1; zeros ~1000:1
ASSETS_LIMIT = 64 << 20  # all assets (lookup vocabularies) together


# ------------------------------------------------------------------------------------ weights
def _vars_path(path: str) -> str:
    return f"{path}/vars" if path else "vars"


def weights_bytes(model, include_optimizer: bool = True, root_attrs: dict | None = None) -> bytes:
    """The model's variables (and its optimizer's) as the bytes of a Keras 3 HDF5 weight file."""
    groups = []
    for entry in layout.walk(model):
        groups.append((_vars_path(entry.path), {"name": entry.name},
                       [(str(i), var.data, None) for i, var in enumerate(entry.variables)]))
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None and callable(getattr(optimizer, "state_dict", None)):
        arrays = optimizer_state.keras_arrays(model)
        groups.append(("optimizer/vars", {"name": optimizer.name},
                       [(str(i), arr, attrs) for i, (arr, attrs) in enumerate(arrays)]))
    return h5io.write_h5(groups, root_attrs)


class Loaded:
    """What :func:`read_weights` found, checked and ready to assign: ``pairs`` of (variable, array)
    and the optimizer's variables (or None)."""

    def __init__(self, pairs: list, optimizer: list | None, skipped: list):
        self.pairs, self.optimizer, self.skipped = pairs, optimizer, skipped


def _entry_group(h5: h5io.H5Reader, path: str):
    group = h5.group(_vars_path(path))
    if group is None and path.startswith("layers"):  # .keras files of Keras 2.13 / TF 2.13
        group = h5.group(_vars_path(path.replace("layers", "_layer_checkpoint_dependencies", 1)))
    return group


def read_weights(model, h5: h5io.H5Reader, where: str, exact_dtype: bool = False, skip_mismatch: bool = False,
                 with_optimizer: bool = True, optimizer_mismatch: str = "raise") -> Loaded:
    """Read and check every variable of ``model`` (and, with ``with_optimizer``, its optimizer's) from a
    Keras 3 layout HDF5 file; nothing is assigned until :func:`assign`.

    Args:
        optimizer_mismatch: 'raise' when the optimizer's variables do not fit the model's optimizer,
            or 'warn' to skip them with a warning (load_weights: the weights are what was asked for).

    Raises:
        ValueError: naming the layer and the path when a group is missing, holds another number of
            variables, or a variable has another shape (or dtype, with ``exact_dtype``).
    """
    pairs, skipped = [], []
    for entry in layout.walk(model):
        if not entry.variables:
            continue
        label = f"layer '{entry.name}' (at '{_vars_path(entry.path)}')"
        try:
            group = _entry_group(h5, entry.path)
            if group is None and type(entry.obj).__name__ == "SeedGenerator":
                continue  # Keras does not save a random stream's state: it keeps its own
            if group is None:
                raise ValueError(f"{where}: the file holds no variables for {label}, which has "
                                 f"{len(entry.variables)}")
            names = h5.keys(group)
            if sorted(names) != sorted(str(i) for i in range(len(names))) or len(names) != len(entry.variables):
                raise ValueError(f"{where}: {label} expects {len(entry.variables)} variables, the file holds "
                                 f"{len(names)} ({sorted(names)[:6]})")
            found = []
            for i, var in enumerate(entry.variables):
                what = f"weight '{getattr(var, 'path', None) or var.name}'"
                arr = h5.dataset(group, str(i), shape=tuple(var.shape), what=what)
                found.append((var, _checked_dtype(arr, var.data.dtype, exact_dtype,
                                                  f"{where}: {what}", f"'{_vars_path(entry.path)}/{i}'")))
        except ValueError as err:
            if not skip_mismatch:
                raise
            skipped.append(str(err).removeprefix(f"{where}: "))
            continue
        pairs.extend(found)
    load_optimizer = None
    model_optimizer = getattr(model, "optimizer", None)
    if with_optimizer and model_optimizer is not None and callable(getattr(model_optimizer, "state_dict", None)):
        group = h5.group("optimizer/vars")
        if group is not None:
            arrays = _optimizer_arrays(model, h5, group, where)  # a damaged file is an error either way
            try:
                load_optimizer = optimizer_state.plan(model, arrays, f"{where} (optimizer)")
            except ValueError as err:
                if optimizer_mismatch == "raise":
                    raise
                warnings.warn(f"{err}; the weights are loaded, the optimizer state is not", UserWarning, stacklevel=3)
    return Loaded(pairs, load_optimizer, skipped)


def _optimizer_arrays(model, h5: h5io.H5Reader, group, where: str) -> list:
    names = h5.keys(group)
    if sorted(names) != sorted(str(i) for i in range(len(names))):
        raise ValueError(f"{where}: the optimizer's variables are not numbered 0..{len(names) - 1}")
    largest = max([v.data.nbytes for v in model.trainable_weights] + [8])
    out = []
    for i in range(len(names)):
        arr = h5.dataset(group, str(i), max_bytes=largest)
        exact = None
        if arr.shape == ():
            with h5.errors(f"optimizer variable {i}"):
                exact = h5.attr(group[str(i)], optimizer_state.EXACT)
        out.append((arr, {optimizer_state.EXACT: exact} if exact is not None else {}))
    return out


def _checked_dtype(arr, want, exact: bool, what: str, at: str):
    """``arr`` for a variable of dtype ``want``: floats of the same kind (the same dtype with ``exact``),
    or integers of another width whose values fit (Keras counts in int64 where neuronet uses int32)."""
    if arr.dtype.kind in "iu" and want.kind in "iu":
        info = np.iinfo(want)
        if arr.size and (arr.min() < info.min or arr.max() > info.max):
            raise ValueError(f"{what} holds values outside {want} (at {at})")
        return arr.astype(want)
    if arr.dtype.kind != want.kind or (exact and arr.dtype != want):
        raise ValueError(f"{what} expected dtype {want}, received {arr.dtype} (at {at})")
    return arr


def assign(model, loaded: Loaded, where: str) -> None:
    """Assign what :func:`read_weights` checked (weights, then the optimizer's state)."""
    if loaded.skipped:
        warnings.warn(f"{where}: skipped {len(loaded.skipped)} mismatched layer(s): " + "; ".join(loaded.skipped),
                      UserWarning, stacklevel=3)
    for var, arr in loaded.pairs:
        var.data[...] = arr
    if loaded.optimizer is not None:
        loaded.optimizer()


# ------------------------------------------------------------------------------------ .keras archives
def _metadata(model) -> dict:
    import neuronet

    return {"keras_version": keras_config.KERAS_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "neuronet": {"version": getattr(neuronet, "__version__", "unknown"), "format_version": FORMAT_VERSION,
                         "random_state": random_state.capture(model)}}


def save_keras(model, path: str, include_optimizer: bool, where: str) -> None:
    """Write ``model`` to ``path`` as a Keras 3 ``.keras`` archive (atomically)."""
    native = serialization.model_to_config(model)
    config = keras_config.model_to_keras(model, native)
    compiled = getattr(model, "compiled", False) and getattr(model, "optimizer", None) is not None
    if compiled:
        try:
            config["compile_config"] = keras_config.compile_to_keras(serialization.compile_to_config(model))
        except ValueError as err:
            warnings.warn(f"{where}: the compile settings of model '{model.name}' cannot be saved ({err}); the model "
                          "is saved uncompiled", UserWarning, stacklevel=3)
            compiled = False
    members = [(METADATA, serialization.to_json(_metadata(model), where)),
               (CONFIG, serialization.to_json(config, f"{where}: model '{model.name}'")),
               (WEIGHTS, weights_bytes(model, include_optimizer=include_optimizer and compiled))]

    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as zf:
            for name, data in members:
                zf.writestr(name, data)

    files.atomic_write(path, write)


def json_object(data, what: str) -> dict:
    """The JSON object in ``data`` (bytes or str), or a ValueError starting with ``what`` (e.g.
    "load_model: 'm.keras' member 'config.json'") saying it is not valid JSON or not an object."""
    try:
        value = json.loads(data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ValueError(f"{what} is not valid JSON: {err}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{what} must hold a JSON object, found {type(value).__name__}")
    return value


def read_json(archive: files.Archive, name: str) -> dict:
    return json_object(archive.read(name, limit=JSON_LIMIT), f"{archive.where} member '{name}'")


def check_metadata(metadata: dict, where: str) -> dict:
    """neuronet's part of the metadata (``{}`` for a file written by Keras); refuses newer formats."""
    version = metadata.get("format_version")  # neuronet 0.1's files kept it at the top
    ours = metadata.get("neuronet")
    if isinstance(ours, dict):
        version = ours.get("format_version", version)
    elif ours is not None:
        raise ValueError(f"{where}: the 'neuronet' entry of metadata.json must be a dict")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version > FORMAT_VERSION):
        raise ValueError(f"{where}: has format_version {version!r}; this neuronet reads up to {FORMAT_VERSION} "
                         "(was it written by a newer version?)")
    return ours or {}


def read_keras_archive(path: str, where: str, with_config: bool = True):
    """``(config, metadata, weights bytes, assets)`` of a ``.keras`` file (config None when not asked
    for); ``assets`` maps each ``assets/...`` member's path to its bytes."""
    label = f"{where}: '{path}'"
    with files.Archive(path, label) as archive:
        if WEIGHTS not in archive and "model.weights.safetensors" in archive:
            return None, None, None, None  # neuronet 0.1's format: the caller reads it
        if WEIGHTS not in archive and "model.weights.npz" in archive:
            raise ValueError(f"{label} holds its weights as 'model.weights.npz' (Keras's experimental npz weights "
                             "format), which neuronet does not read; save it with the default h5 weights")
        metadata = read_json(archive, METADATA)
        config = read_json(archive, CONFIG) if with_config else None
        weights = archive.read(WEIGHTS, limit=WEIGHTS_LIMIT, max_ratio=MAX_RATIO)
        assets, total = {}, 0
        for name in archive.names():
            if name.startswith("assets/") and not name.endswith("/"):
                total += archive.size(name)
                if total > ASSETS_LIMIT:
                    raise ValueError(f"{label} holds more than {ASSETS_LIMIT} bytes of assets")
                assets[name[len("assets/"):]] = archive.read(name, limit=ASSETS_LIMIT, max_ratio=MAX_RATIO)
    if not h5io.is_hdf5(weights[:8]):
        raise ValueError(f"{label} member '{WEIGHTS}' is not an HDF5 file")
    return config, metadata, weights, assets


def load_assets(model, assets: dict, where: str) -> None:
    """Give lookup layers the vocabulary Keras keeps beside the weights (``assets/<path>/vocabulary.txt``,
    one token per line, special tokens first) when their config does not hold it. Every vocabulary is
    read and checked before any is set."""
    plans = []
    for entry in layout.walk(model):
        data = assets.get(f"{entry.path}/vocabulary.txt")
        layer = entry.obj
        if data is None or not callable(getattr(layer, "set_vocabulary", None)) \
                or getattr(layer, "_has_input_vocabulary", False):
            continue
        label = f"{where} assets/{entry.path}/vocabulary.txt"
        try:
            tokens = data.decode("utf-8").split("\n")
            if getattr(layer, "_vocabulary_dtype", "string") != "string":
                tokens = [int(t) for t in tokens]
        except (UnicodeDecodeError, ValueError) as err:
            raise ValueError(f"{label}: not a vocabulary ({err})") from None
        plans.append((layer, tokens, label))
    for layer, tokens, label in plans:
        try:
            layer.set_vocabulary(tokens)
        except (ValueError, TypeError) as err:
            raise ValueError(f"{label}: {err}") from None


def is_keras3_layout(h5: h5io.H5Reader) -> bool:
    """True for Keras 3's layout (``layers/``, ``vars``, ``optimizer/``), False for Keras 2's
    (``layer_names`` / ``model_weights``)."""
    with h5.errors("the file's layout"):
        keys = set(h5.keys(h5.file))
        if "model_weights" in keys or h5.attr(h5.file, "layer_names") is not None:
            return False
        return bool(keys & {"layers", "vars", "optimizer", "_layer_checkpoint_dependencies"}) or not keys
