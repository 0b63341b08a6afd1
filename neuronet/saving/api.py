"""Model files: ``save_model``/``load_model`` (``.keras``) and ``save_weights``/``load_weights``.

A ``.keras`` file is a zip archive holding only data (no pickle, nothing that is executed)::

    config.json                 the architecture ({"class_name", "config"}) and compile settings
    metadata.json               neuronet version, date, format version
    model.weights.safetensors   every weight by path ("dense/kernel"), in Keras order
    optimizer.safetensors       the optimizer's state_dict(), so training resumes exactly (optional)

Weight files are safetensors (``.weights.safetensors``); ``.npz`` archives written with ``np.savez``
are read too (with ``allow_pickle=False``). Every write goes to a temporary file in the same directory
which then replaces the target, so a failed save never destroys an existing file. Every read checks
the whole file (structure, names, shapes, dtypes) before a single weight is assigned, and any
problem is one ValueError naming the file and what is wrong.

Example::

    model.save("model.keras")                       # or neuronet.saving.save_model(model, "model.keras")
    model = neuronet.saving.load_model("model.keras")
    model.save_weights("model.weights.safetensors")
    model.load_weights("model.weights.safetensors")
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import tempfile
import warnings
import zipfile

import numpy as np

from . import serialization

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "model_to_json", "model_from_json",
           "SavingMixin"]

FORMAT_VERSION = 1
CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.safetensors"
OPTIMIZER = "optimizer.safetensors"
_MAX_JSON_BYTES = 64 * 2**20  # a JSON member larger than this is refused rather than parsed
_ZIP_MAGIC = b"PK\x03\x04"
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


# ------------------------------------------------------------------------------------ paths and writing
def _fspath(filepath, where: str) -> str:
    try:
        return os.fspath(filepath)
    except TypeError:
        raise TypeError(f"{where}: expected filepath to be a str or os.PathLike, received {filepath!r} of type "
                        f"{type(filepath).__name__}") from None


def _check_overwrite(path: str, overwrite: bool, where: str) -> None:
    if os.path.isdir(path):
        raise IsADirectoryError(f"{where}: '{path}' is a directory; give a file name")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{where}: '{path}' already exists and overwrite=False")


def _atomic_write(path: str, write) -> None:
    """Call ``write(file)`` on a temporary file next to ``path``, then move it onto ``path`` in one step."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot write '{path}': the directory '{directory}' does not exist")
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _file_mode(path))  # mkstemp makes 0o600 files; give what open() would have
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _file_mode(path: str) -> int:
    """The permission bits for ``path``: those of the file it replaces, else 0o666 minus the umask."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        pass
    try:  # Linux exposes the umask without changing it (os.umask would, for every thread)
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


# ------------------------------------------------------------------------------------ weights <-> arrays
def _weight_items(model) -> list:
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


def _safetensors_bytes(arrays: dict, metadata: dict) -> bytes:
    from safetensors.numpy import save

    return save({k: np.asarray(v, order="C") for k, v in arrays.items()}, metadata=metadata)  # keeps 0-d


def _weights_bytes(items: list) -> bytes:
    arrays = {key: var.data for key, var in items}
    meta = {"format": "neuronet", "format_version": str(FORMAT_VERSION),
            "weight_order": json.dumps([key for key, _ in items])}
    return _safetensors_bytes(arrays, meta)


def _parse_safetensors(data: bytes, where: str) -> tuple:
    """``(ordered keys, {key: array}, metadata)`` from safetensors bytes, or a ValueError saying what is wrong."""
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
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ValueError(f"{where}: corrupted safetensors header (not valid JSON: {err})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{where}: corrupted safetensors header (expected a JSON object)")
    meta = header.get("__metadata__") or {}
    if not isinstance(meta, dict):
        raise ValueError(f"{where}: corrupted safetensors header ('__metadata__' is not an object)")
    try:
        arrays = load(bytes(data))
    except Exception as err:  # the safetensors reader's own error type: report it as a corrupt file
        raise ValueError(f"{where}: corrupted safetensors data: {err}") from None
    keys = [k for k in header if k != "__metadata__"]
    order = meta.get("weight_order")
    if order is not None:
        try:
            order = json.loads(order)
        except (TypeError, json.JSONDecodeError):
            order = None
        if isinstance(order, list) and sorted(map(str, order)) == sorted(keys):
            keys = [str(k) for k in order]
    return keys, arrays, meta


def _read_npz(path: str, where: str) -> tuple:
    try:
        with np.load(path, allow_pickle=False) as npz:
            keys = list(npz.files)
            arrays = {k: npz[k] for k in keys}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, NotImplementedError) as err:
        raise ValueError(f"{where}: not a readable .npz weight archive: {err}") from None
    if keys and all(k.startswith("arr_") and k[4:].isdigit() for k in keys):  # np.savez(f, *arrays)
        keys.sort(key=lambda k: int(k[4:]))
    return keys, arrays, {}


def _read_weights_file(path: str, where: str) -> tuple:
    """``(keys, arrays, metadata)`` from a .weights.safetensors, .npz or .keras file."""
    _require_file(path, where)
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(_HDF5_MAGIC):
        raise ValueError(f"{where}: '{path}' is an HDF5 (.h5) file, which neuronet does not read; save weights "
                         "with model.save_weights('model.weights.safetensors')")
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
                if CONFIG in names or WEIGHTS in names:  # a whole .keras model: take its weights
                    data = _read_member(zf, WEIGHTS, path, where)
                    return _parse_safetensors(data, f"{where}: '{path}' member {WEIGHTS}")
        except (zipfile.BadZipFile, NotImplementedError, EOFError) as err:
            raise ValueError(f"{where}: '{path}' is not a valid zip archive (truncated or corrupted): {err}") from None
        return _read_npz(path, f"{where}: '{path}'")
    with open(path, "rb") as f:
        data = f.read()
    return _parse_safetensors(data, f"{where}: '{path}'")


def _require_file(path: str, where: str) -> None:
    if not os.path.exists(path):
        raise FileNotFoundError(f"{where}: no such file: '{path}'")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{where}: '{path}' is a directory, not a model or weight file")


def _assign(model, keys: list, arrays: dict, where: str, exact_dtype: bool, skip_mismatch: bool = False) -> None:
    """Check every file weight against ``model``'s weights, then assign them all (or none on error).

    Weights are matched by name when the file and the model have the same names, else by position in
    Keras order (so weights saved from one model load into a fresh copy whose layers got other names).
    """
    items = _weight_items(model)
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


# ------------------------------------------------------------------------------------ zip members
def _read_member(zf: zipfile.ZipFile, name: str, path: str, where: str, limit: int | None = None) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        hint = ""
        if name == WEIGHTS and "model.weights.h5" in zf.namelist():
            hint = " (it holds 'model.weights.h5': a Keras HDF5 weight file, which neuronet does not read)"
        raise ValueError(f"{where}: '{path}' is missing the member '{name}'{hint}; members found: "
                         f"{zf.namelist()[:10]}") from None
    if limit is not None and info.file_size > limit:
        raise ValueError(f"{where}: '{path}' member '{name}' is {info.file_size} bytes, more than the {limit} allowed")
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
        raise ValueError(f"{where}: '{path}' member '{name}' is corrupted or truncated: {err}") from None
    except Exception as err:  # zlib.error and friends from a damaged compressed stream
        raise ValueError(f"{where}: '{path}' member '{name}' is corrupted: {err}") from None


def _read_json(zf: zipfile.ZipFile, name: str, path: str, where: str) -> dict:
    data = _read_member(zf, name, path, where, limit=_MAX_JSON_BYTES)
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ValueError(f"{where}: '{path}' member '{name}' is not valid JSON: {err}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{where}: '{path}' member '{name}' must hold a JSON object, found {type(value).__name__}")
    return value


# ------------------------------------------------------------------------------------ public API
def save_model(model, filepath, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """Save a whole model (architecture, weights, compile settings, optimizer state) to a ``.keras`` file.

    The file is a zip archive of JSON and safetensors only (see the module docstring); it can be read
    back with :func:`load_model` and contains nothing that is executed when loading.

    Args:
        model: the model (Sequential, functional, or a subclassed model whose class is registered
            with :func:`register_keras_serializable` and defines ``get_config``).
        filepath: path ending in ``.keras`` (a ``.h5`` name is accepted with a warning, for Keras
            scripts; the file is still this zip format, not HDF5).
        overwrite: replace an existing file. Defaults to True; with False an existing file raises
            FileExistsError.
        include_optimizer: also save the optimizer's state (moments, step count) so training resumes
            exactly. Defaults to True.

    Raises:
        ValueError: for a path not ending in ``.keras`` (or ``.h5``), or a model part that cannot be
            described as plain data (checked before anything is written).
    """
    from ..models import Model

    where = "save_model"
    path = _fspath(filepath, where)
    if not isinstance(model, Model):
        raise TypeError(f"{where}: expected a Model, received {model!r} of type {type(model).__name__}")
    if path.endswith((".h5", ".hdf5")):
        warnings.warn(f"{where}: neuronet does not write HDF5; '{path}' will be a .keras zip archive (JSON + "
                      "safetensors) under that name, readable by neuronet.saving.load_model. Prefer the '.keras' "
                      "extension", UserWarning, stacklevel=2)
    elif not path.endswith(".keras"):
        raise ValueError(f"{where}: expected a filepath ending in '.keras', received '{path}'. For weights only "
                         "use save_weights('….weights.safetensors')")
    _check_overwrite(path, overwrite, where)
    _warn_unloadable(model, where)
    # everything is serialized in memory first: an error here leaves the disk untouched
    config = serialization.model_to_config(model)
    build = serialization.build_config(model)
    if build is not None:
        config["build_config"] = build
    if getattr(model, "compiled", False) and getattr(model, "optimizer", None) is not None:
        try:
            config["compile_config"] = serialization.compile_to_config(model)
        except ValueError as err:
            warnings.warn(f"{where}: the compile settings of model '{model.name}' cannot be saved ({err}); the model "
                          "is saved uncompiled", UserWarning, stacklevel=2)
    import neuronet

    metadata = {"format": "neuronet.keras", "format_version": FORMAT_VERSION,
                "neuronet_version": getattr(neuronet, "__version__", "unknown"),
                "date_saved": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d@%H:%M:%S")}
    items = _weight_items(model)
    members = [(CONFIG, serialization.to_json(config, f"{where}: model '{model.name}'"), zipfile.ZIP_DEFLATED),
               (METADATA, serialization.to_json(metadata, where), zipfile.ZIP_DEFLATED),
               (WEIGHTS, _weights_bytes(items), zipfile.ZIP_STORED)]
    if include_optimizer and "compile_config" in config:
        state = _optimizer_bytes(model, items, where)
        if state is not None:
            members.append((OPTIMIZER, state, zipfile.ZIP_STORED))

    def write(f):
        with zipfile.ZipFile(f, "w") as zf:
            for name, data, compression in members:
                zf.writestr(name, data, compress_type=compression)

    _atomic_write(path, write)


def _warn_unloadable(model, where: str) -> None:
    """Warn about layers load_model will not rebuild by itself: Lambda layers (their function is code,
    never stored) and user classes that are not registered (they will need ``custom_objects``)."""
    from ..layers import Lambda
    from . import registry

    builtins = registry.builtin_classes("layers")
    lambdas, unregistered, stack, seen = [], [], [model], set()
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        cls = type(layer)
        if isinstance(layer, Lambda):
            lambdas.append(layer.name)
        elif builtins.get(cls.__name__) is not cls and registry.get_registered_name(cls) == cls.__name__:
            unregistered.append(cls.__name__)
        stack.extend(layer.layers)
    if lambdas:
        warnings.warn(f"{where}: model '{model.name}' has Lambda layer(s) {lambdas}; a Lambda's function is code, "
                      "which is never stored in a file, so load_model will refuse this file. Rebuild the model in "
                      "code and use load_weights, or replace the Lambda by a registered Layer subclass",
                      UserWarning, stacklevel=3)
    if unregistered:
        names = sorted(set(unregistered))
        warnings.warn(f"{where}: the class(es) {names} are not registered, so load_model will need "
                      f"custom_objects={{{', '.join(repr(n) + ': ...' for n in names)}}}; decorate them with "
                      "@neuronet.saving.register_keras_serializable() to avoid this", UserWarning, stacklevel=3)


def _optimizer_bytes(model, items: list, where: str) -> bytes | None:
    """The optimizer's ``state_dict()`` as safetensors; the metadata maps each optimizer variable index to
    the position of that weight in the model's Keras-ordered weights (names can change on reload)."""
    optimizer = model.optimizer
    if not callable(getattr(optimizer, "state_dict", None)):
        return None
    position = {id(var): i for i, (_, var) in enumerate(items)}
    variables = list(getattr(optimizer, "variables", []) or [])
    positions = [position.get(id(v)) for v in variables]
    if any(p is None for p in positions):
        warnings.warn(f"{where}: the optimizer holds state for variables that are not weights of model "
                      f"'{model.name}'; its state is not saved (training will restart its moments)", UserWarning,
                      stacklevel=3)
        return None
    state = optimizer.state_dict()
    meta = {"format": "neuronet", "weight_positions": json.dumps(positions),
            "weight_paths": json.dumps([items[p][0] for p in positions])}
    return _safetensors_bytes(state, meta)


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True):  # noqa: A002
    """Load a model saved by :func:`save_model` (or ``model.save``).

    The architecture is rebuilt from ``config.json`` through the registry of known classes only, the
    weights are checked (names, shapes, dtypes) and loaded, and, when the model was compiled, it is
    compiled again with the optimizer state restored, so ``fit`` continues where it stopped.

    Args:
        filepath: path of the ``.keras`` file.
        custom_objects: ``{name: class or function}`` for your own layers, losses or metrics that
            were not registered with :func:`register_keras_serializable`.
        compile: recompile the model with the saved settings. Defaults to True.
        safe_mode: accepted for Keras compatibility; loading is always safe (no code in files).

    Returns:
        The model, built and with its weights loaded.

    Raises:
        FileNotFoundError: when the file does not exist.
        ValueError: when the file is not a zip, is truncated, lacks a member, holds malformed JSON or a
            corrupted safetensors header, names a class that is not known (a tampered or custom class
            name), or holds a weight whose shape or dtype disagrees with the architecture.
    """
    where = "load_model"
    path = _fspath(filepath, where)
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(f"{where}: expected custom_objects to be a dict {{name: class}}, received {custom_objects!r}")
    _require_file(path, where)
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(_HDF5_MAGIC):
        raise ValueError(f"{where}: '{path}' is an HDF5 (.h5) file, which neuronet does not read; only .keras zip "
                         "files written by neuronet")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as err:
        raise ValueError(f"{where}: '{path}' is not a .keras model file: not a zip archive, or truncated ({err})") \
            from None
    with zf:
        metadata = _read_json(zf, METADATA, path, where)
        version = metadata.get("format_version", FORMAT_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
            raise ValueError(f"{where}: '{path}' has format_version {version!r}; this neuronet reads up to "
                             f"{FORMAT_VERSION} (was it written by a newer version?)")
        config = _read_json(zf, CONFIG, path, where)
        keys, arrays, _ = _parse_safetensors(_read_member(zf, WEIGHTS, path, where), f"{where}: '{path}' {WEIGHTS}")
        optimizer_state = None
        if OPTIMIZER in zf.namelist():
            optimizer_state = _parse_safetensors(_read_member(zf, OPTIMIZER, path, where),
                                                 f"{where}: '{path}' {OPTIMIZER}")
    label = f"{where}: '{path}' {CONFIG}"
    with _as_file_error(path, label, "the architecture could not be rebuilt"):
        model = serialization.model_from_config(config, custom_objects, label)
        serialization.build_from_config(model, config.get("build_config"), label)
    _assign(model, keys, arrays, f"{where}: '{path}' {WEIGHTS}", exact_dtype=True)
    compile_config = config.get("compile_config")
    if compile and compile_config is not None:
        with _as_file_error(path, f"{label} compile_config", "the model could not be compiled"):
            serialization.compile_from_config(model, compile_config, custom_objects, f"{label} compile_config")
        if optimizer_state is not None:
            _restore_optimizer(model, optimizer_state, f"{where}: '{path}' {OPTIMIZER}")
    return model


@contextlib.contextmanager
def _as_file_error(path: str, label: str, what: str):
    """Report any failure while rebuilding from a file's config as one ValueError naming the file.

    A tampered config can hand constructors values of any type (or sizes that cannot be allocated);
    whatever they raise, the user learns which file and which part could not be rebuilt.
    """
    try:
        yield
    except ValueError as err:
        if (path or label) in str(err):
            raise
        raise ValueError(f"{label}: {err}") from err
    except Exception as err:  # TypeError, AttributeError, MemoryError, RecursionError from a bad config
        raise ValueError(f"{label}: {what} ({type(err).__name__}: {err})") from err


def _restore_optimizer(model, parsed: tuple, where: str) -> None:
    _, state, meta = parsed
    optimizer = model.optimizer
    if not callable(getattr(optimizer, "load_state_dict", None)):
        return
    try:
        positions = json.loads(meta.get("weight_positions", "[]"))
    except (TypeError, json.JSONDecodeError) as err:
        raise ValueError(f"{where}: malformed 'weight_positions' metadata: {err}") from None
    weights = model.weights
    if not isinstance(positions, list) or not all(
            isinstance(p, int) and not isinstance(p, bool) and 0 <= p < len(weights) for p in positions):
        raise ValueError(f"{where}: the optimizer state refers to weights the model does not have "
                         f"(positions {str(positions)[:80]} for a model of {len(weights)} weights)")
    try:
        optimizer.build([weights[p] for p in positions])
        optimizer.load_state_dict(state)
    except Exception as err:  # whatever a damaged state makes the optimizer raise, name the file
        raise ValueError(f"{where}: the optimizer state does not fit the model: {err}") from None


def save_weights(model, filepath, overwrite: bool = True) -> None:
    """Save only the weights of ``model`` (every weight by path, in Keras order).

    Args:
        model: a built model (or layer).
        filepath: path ending in ``.weights.safetensors`` (any ``.safetensors`` name works), or in
            ``.npz`` for a NumPy archive. A Keras-style ``.weights.h5`` name is accepted with a warning
            and holds safetensors.
        overwrite: replace an existing file. Defaults to True.

    Raises:
        ValueError: for another extension, or a model that has not been built (it has no weights).
    """
    where = "save_weights"
    path = _fspath(filepath, where)
    if path.endswith((".h5", ".hdf5")):  # Keras 3 names weight files '.weights.h5'
        warnings.warn(f"{where}: neuronet does not write HDF5; '{path}' will be a safetensors file under that name, "
                      "readable by load_weights. Prefer the '.weights.safetensors' extension", UserWarning,
                      stacklevel=2)
    elif not path.endswith((".safetensors", ".npz")):
        raise ValueError(f"{where}: expected a filepath ending in '.weights.safetensors' (or '.npz'), received "
                         f"'{path}'; to save the whole model use model.save('model.keras')")
    _check_overwrite(path, overwrite, where)
    items = _weight_items(model)
    if not items and not getattr(model, "built", False):
        raise ValueError(f"{where}: model '{model.name}' has not been built yet, so it has no weights; build it "
                         "(give an input shape, call model.build(...) or fit it) first")
    if path.endswith(".npz"):
        def write(f):
            np.savez(f, **{key: var.data for key, var in items})
    else:
        data = _weights_bytes(items)

        def write(f):
            f.write(data)

    _atomic_write(path, write)


def load_weights(model, filepath, skip_mismatch: bool = False) -> None:
    """Load weights saved by :func:`save_weights` (or from a ``.keras`` model file) into ``model``.

    Weights are matched by path when the names agree, else by position in Keras order (weights saved
    from one model load into a freshly built copy whose layers got other names). Every weight's shape
    and dtype kind is checked before any is assigned: on error the model is unchanged. float32/float64
    are converted to the model's dtype.

    Args:
        model: a built model (or layer) with the same architecture.
        filepath: a ``.weights.safetensors``, ``.npz`` (read with ``allow_pickle=False``) or ``.keras`` file.
        skip_mismatch: load what matches and skip (with a warning) weights whose shape differs or that
            are missing. Defaults to False (any mismatch is an error).

    Raises:
        ValueError: naming the weight, the expected and the received shape (or dtype), or what is wrong
            with the file.
    """
    where = "load_weights"
    path = _fspath(filepath, where)
    keys, arrays, _ = _read_weights_file(path, where)
    _assign(model, keys, arrays, f"{where}: '{path}'", exact_dtype=False, skip_mismatch=skip_mismatch)


def model_to_json(model, **kwargs) -> str:
    """The architecture of ``model`` as a JSON string (Keras ``model.to_json()``): no weights, no
    compile settings. ``kwargs`` are passed to ``json.dumps`` (e.g. ``indent=2``)."""
    config = serialization.model_to_config(model)
    return json.dumps(json.loads(serialization.to_json(config, f"to_json: model '{model.name}'")), **kwargs)


def model_from_json(json_string: str, custom_objects: dict | None = None):
    """A new model (fresh weights) from the JSON of :func:`model_to_json` (Keras
    ``keras.models.model_from_json``); classes are found through the registry only.

    Raises:
        ValueError: for malformed JSON or an unknown class name.
    """
    where = "model_from_json"
    if not isinstance(json_string, (str, bytes)):
        raise TypeError(f"{where}: expected a JSON string, received {type(json_string).__name__}")
    try:
        config = json.loads(json_string)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
        raise ValueError(f"{where}: not valid JSON: {err}") from None
    if not isinstance(config, dict):
        raise ValueError(f"{where}: expected a JSON object {{'class_name': ..., 'config': ...}}, found "
                         f"{type(config).__name__}")
    with _as_file_error("", where, "the architecture could not be rebuilt"):
        model = serialization.model_from_config(config, custom_objects, where)
        serialization.build_from_config(model, config.get("build_config"), where)
    return model


class SavingMixin:
    """``save``, ``save_weights`` and ``load_weights`` methods for models (Keras 3 signatures)."""

    def save(self, filepath, overwrite: bool = True, **kwargs) -> None:
        """Save the whole model to a ``.keras`` file (see :func:`neuronet.saving.save_model`)."""
        save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Save the weights to a ``.weights.safetensors`` file (see :func:`neuronet.saving.save_weights`)."""
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch: bool = False) -> None:
        """Load weights from a ``.weights.safetensors``, ``.npz`` or ``.keras`` file (see
        :func:`neuronet.saving.load_weights`)."""
        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs) -> str:
        """The architecture as a JSON string (see :func:`neuronet.saving.model_to_json`)."""
        return model_to_json(self, **kwargs)
