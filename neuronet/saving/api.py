"""Model files: ``save_model``/``load_model`` and ``save_weights``/``load_weights``, in Keras's formats.

=================================  ==========================================  =======================
file                               written by                                  read from
=================================  ==========================================  =======================
``model.keras``                    ``model.save`` (Keras 3's layout, see        neuronet, Keras 3
                                   keras_format.py)
``model.weights.h5``               ``model.save_weights`` (Keras 3's layout)    neuronet, Keras 3
``model.h5`` / ``weights.h5``      Keras 2 / tf.keras ``model.save``,           read only (legacy_h5.py)
                                   ``save_weights``; Keras 3's legacy writer
``model.weights.safetensors``      ``model.save_weights`` (with a checksum)     neuronet
``weights.npz``                    ``np.savez`` / ``model.save_weights``         neuronet
=================================  ==========================================  =======================

Files are recognised by their content (zip, HDF5 or safetensors), not their extension. Every write
is atomic (files.py): a failed or killed save leaves the previous file intact and no temporary file.
Every read checks the whole file (structure, names, shapes, dtypes) before a single weight is
assigned, and any problem is one ValueError naming the file and what is wrong. Nothing read from a
file is executed or imported: classes come from the registry and ``custom_objects`` only.

Example::

    model.save("model.keras")                       # Keras 3 can load this file
    model = neuronet.saving.load_model("model.keras")
    model = neuronet.saving.load_model("keras2_model.h5")
    model.save_weights("model.weights.h5")
    model.load_weights("model.weights.h5")
"""

from __future__ import annotations

import contextlib
import json
import warnings

import numpy as np

from ..models.saving_methods import SavingMixin  # handed on: neuronet.saving.SavingMixin
from . import (files, h5io, keras_config, keras_format, legacy_h5, legacy_neuronet, random_state, registry,
               safetensors_io, serialization)

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "model_to_json", "model_from_json",
           "SavingMixin"]

_ZIP_MAGIC = b"PK\x03\x04"
_atomic_write = files.atomic_write  # kept under its old name for callers of neuronet 0.1


# ------------------------------------------------------------------------------------ helpers
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


def _head(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read(8)


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
        elif (builtins.get(cls.__name__) is not cls and registry.get_registered_name(cls) == cls.__name__
              and not cls.__module__.startswith("neuronet.")):  # the library's inner parts (a ConvLSTM's cell)
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


def _compiled(model) -> bool:
    return bool(getattr(model, "compiled", False)) and getattr(model, "optimizer", None) is not None


# ------------------------------------------------------------------------------------ whole models
def save_model(model, filepath, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """Save ``model`` (architecture, weights, compile settings, optimizer state, random state) to a
    ``.keras`` file in Keras 3's layout, which Keras 3 loads too.

    Args:
        model: a neuronet Model (Sequential, functional or a registered subclass).
        filepath: path ending in ``.keras``.
        overwrite: replace an existing file. Defaults to True.
        include_optimizer: store the optimizer's state so ``fit`` continues exactly. Defaults to True.

    The file also stores the state of the random generators training draws from (neuronet's
    extension of ``metadata.json``, which Keras ignores), so ``load_model`` followed by ``fit``
    continues with the draws an uninterrupted run would have made.

    Raises:
        ValueError: for a path not ending in ``.keras``, or a model part that cannot be described as
            plain data (checked before anything is written).
    """
    from ..models import Model

    where = "save_model"
    path = files.fspath(filepath, where)
    if not isinstance(model, Model):
        raise TypeError(f"{where}: expected a Model, received {model!r} of type {type(model).__name__}")
    if path.endswith((".h5", ".hdf5")):
        warnings.warn(f"{where}: neuronet does not write HDF5 model files (Keras 2's legacy format); '{path}' will be "
                      "a .keras zip archive under that name, readable by neuronet.saving.load_model (and by Keras "
                      "once renamed to .keras). Prefer the '.keras' extension", UserWarning, stacklevel=2)
    elif not path.endswith(".keras"):
        raise ValueError(f"{where}: expected a filepath ending in '.keras', received '{path}'. For weights only "
                         "use save_weights('….weights.h5')")
    files.check_overwrite(path, overwrite, where)
    _warn_unloadable(model, where)
    keras_format.save_keras(model, path, include_optimizer, where)


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True):  # noqa: A002
    """Load a model from a ``.keras`` file (written by neuronet or by Keras 3) or a legacy ``.h5``
    model file (Keras 2 / tf.keras, or Keras 3's legacy writer).

    The architecture is rebuilt through the registry of known classes only, every weight is checked
    (shapes, dtypes) before any is loaded, and, when the model was compiled, it is compiled again
    with the optimizer state restored. Building the layers leaves the global random generator as it
    was; with ``compile=True`` a file written by neuronet then restores the random state saved with
    it, so ``fit(..., initial_epoch=...)`` continues with the draws (shuffles, dropout masks) the
    uninterrupted training would have made.

    Args:
        filepath: path of the file.
        custom_objects: ``{name: class or function}`` for your own layers, losses or metrics that
            were not registered with :func:`register_keras_serializable`.
        compile: recompile the model with the saved settings (and restore the optimizer and random
            state). Defaults to True.
        safe_mode: accepted for Keras compatibility; loading is always safe (no code in files).

    Returns:
        The model, built and with its weights loaded.

    Raises:
        FileNotFoundError: when the file does not exist.
        ValueError: for a file that is not a model file, is truncated or damaged, names a class that
            is not known, or holds a weight that disagrees with the architecture.
    """
    where = "load_model"
    path = files.fspath(filepath, where)
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(f"{where}: expected custom_objects to be a dict {{name: class}}, received {custom_objects!r}")
    files.require_file(path, where)
    label = f"{where}: '{path}'"
    if h5io.is_hdf5(_head(path)):
        with h5io.H5Reader(path, label) as h5:
            if not legacy_h5.is_full_model(h5):
                raise ValueError(f"{label} is an HDF5 weights file (no model_config): build the model in code and "
                                 "call model.load_weights on it")
            return legacy_h5.load_legacy_model(h5, custom_objects, compile, label, _rebuilder(path))
    config, metadata, weights, assets = keras_format.read_keras_archive(path, where)
    if config is None:
        return _load_v1(path, custom_objects, compile, where)
    ours = keras_format.check_metadata(metadata, label)
    native = keras_config.from_keras(config, "models", custom_objects, f"{label} config.json")
    compile_config = None
    if compile and config.get("compile_config"):  # Keras writes {} for a model that was not compiled
        compile_config = keras_config.compile_from_keras(config["compile_config"], custom_objects,
                                                         f"{label} config.json compile_config")
    model = _rebuild_model(path, native, custom_objects, f"{label} config.json")
    keras_format.load_assets(model, assets, label)
    with h5io.H5Reader(weights, f"{label} {keras_format.WEIGHTS}") as h5:
        if compile_config is not None:
            with random_state.untouched():
                _rebuilder(path)(lambda: serialization.compile_from_config(
                    model, compile_config, custom_objects, f"{label} config.json compile_config"),
                    f"{label} config.json compile_config")
        loaded = keras_format.read_weights(model, h5, f"{label} {keras_format.WEIGHTS}", exact_dtype=True,
                                           with_optimizer=compile_config is not None)
    state = ours.get("random_state")
    random_state.restore(model, state, f"{label} metadata.json", restore_global=False)  # checks it first
    keras_format.assign(model, loaded, f"{label} {keras_format.WEIGHTS}")
    if compile_config is not None:
        random_state.restore(model, state, f"{label} metadata.json")
    return model


def _rebuilder(path: str):
    def run(fn, label: str):
        with _as_file_error(path, label, "the model could not be rebuilt"):
            return fn()

    return run


def _rebuild_model(path: str, native: dict, custom_objects, label: str):
    """The model of a (neuronet) config, built, without consuming draws of the global generator."""
    with random_state.untouched(), registry.custom_object_scope(custom_objects), \
            _as_file_error(path, label, "the architecture could not be rebuilt"):
        model = serialization.model_from_config(native, custom_objects, label)  # nested from_configs see them too
        build = native.get("build_config")
        if isinstance(build, dict) and build.get("input_shape") is not None:
            serialization.build_from_config(model, build, label)
    return model


def _load_v1(path: str, custom_objects, compile: bool, where: str):  # noqa: A002
    label = f"{where}: '{path}'"
    config, _, (keys, arrays), optimizer_state = legacy_neuronet.read_v1(path, where)
    model = _rebuild_model(path, config, custom_objects, f"{label} config.json")
    safetensors_io.assign_arrays(model, keys, arrays, f"{label} {legacy_neuronet.WEIGHTS_V1}", exact_dtype=True)
    compile_config = config.get("compile_config")
    if compile and compile_config is not None:
        with _as_file_error(path, f"{label} config.json compile_config", "the model could not be compiled"):
            serialization.compile_from_config(model, compile_config, custom_objects,
                                              f"{label} config.json compile_config")
        if optimizer_state is not None:
            legacy_neuronet.restore_optimizer_v1(model, optimizer_state, f"{label} {legacy_neuronet.OPTIMIZER_V1}")
    return model


# ------------------------------------------------------------------------------------ weights only
def save_weights(model, filepath, overwrite: bool = True) -> None:
    """Save only the weights of ``model`` (Keras 3's ``model.save_weights``).

    Args:
        model: a built model (or layer).
        filepath: a path ending in ``.weights.h5`` (Keras 3's HDF5 layout, which Keras loads too; a
            compiled model's optimizer state is included, as Keras does), ``.weights.safetensors``
            (neuronet's format, with a checksum) or ``.npz`` (a NumPy archive).
        overwrite: replace an existing file. Defaults to True.

    Raises:
        ValueError: for another extension, or a model that has not been built (it has no weights).
    """
    where = "save_weights"
    path = files.fspath(filepath, where)
    if not path.endswith((".h5", ".hdf5", ".safetensors", ".npz")):
        raise ValueError(f"{where}: expected a filepath ending in '.weights.h5' or '.weights.safetensors' (or "
                         f"'.npz'), received '{path}'; to save the whole model use model.save('model.keras')")
    files.check_overwrite(path, overwrite, where)
    items = safetensors_io.weight_items(model)
    if not items and not getattr(model, "built", False):
        raise ValueError(f"{where}: model '{model.name}' has not been built yet, so it has no weights; build it "
                         "(give an input shape, call model.build(...) or fit it) first")
    if path.endswith(".npz"):
        def write(f):
            np.savez(f, **{key: var.data for key, var in items})
    else:
        data = (safetensors_io.weights_bytes(items) if path.endswith(".safetensors")
                else keras_format.weights_bytes(model, include_optimizer=_compiled(model)))

        def write(f):
            f.write(data)

    files.atomic_write(path, write)


def load_weights(model, filepath, skip_mismatch: bool = False) -> None:
    """Load weights into ``model`` from a ``.weights.h5`` (Keras 3, or Keras 2's ``save_weights``),
    ``.keras``, legacy ``.h5`` model, ``.weights.safetensors`` or ``.npz`` file.

    Every weight's shape and dtype kind is checked before any is assigned: on error the model is
    unchanged. float32/float64 are converted to the model's dtype. From a Keras 3 file the optimizer
    state is loaded too when the model is compiled with a matching optimizer (else it is skipped with
    a warning). Weights of safetensors and npz files are matched by path when the names agree, else
    by position in Keras order.

    Args:
        model: a built model (or layer) with the same architecture.
        filepath: the file.
        skip_mismatch: load what matches and skip (with a warning) layers or weights whose shapes
            differ. Defaults to False (any mismatch is an error).

    Raises:
        ValueError: naming the weight, the expected and the received shape (or dtype), or what is wrong
            with the file.
    """
    where = "load_weights"
    path = files.fspath(filepath, where)
    files.require_file(path, where)
    label = f"{where}: '{path}'"
    head = _head(path)
    if h5io.is_hdf5(head):
        with h5io.H5Reader(path, label) as h5:
            _load_h5_weights(model, h5, label, skip_mismatch)
        return
    if head.startswith(_ZIP_MAGIC):
        archive = files.Archive(path, label)
        names = archive.names()
        archive.close()
        if keras_format.WEIGHTS in names:
            _, _, weights, _ = keras_format.read_keras_archive(path, where, with_config=False)
            with h5io.H5Reader(weights, f"{label} {keras_format.WEIGHTS}") as h5:
                _load_h5_weights(model, h5, f"{label} {keras_format.WEIGHTS}", skip_mismatch)
            return
        if legacy_neuronet.WEIGHTS_V1 in names:
            _, _, (keys, arrays), _ = legacy_neuronet.read_v1(path, where, with_config=False)
        else:
            largest = max([w.data.nbytes for w in model.weights] + [0])
            keys, arrays, _ = safetensors_io.read_npz(path, label, largest)
    else:
        with open(path, "rb") as f:
            data = f.read()
        keys, arrays, _ = safetensors_io.parse(data, label)
    safetensors_io.assign_arrays(model, keys, arrays, label, exact_dtype=False, skip_mismatch=skip_mismatch)


def _load_h5_weights(model, h5: h5io.H5Reader, label: str, skip_mismatch: bool) -> None:
    _require_built(model, label)
    if not keras_format.is_keras3_layout(h5):
        group = h5.group("model_weights") if legacy_h5.is_full_model(h5) else h5.file
        if group is None:
            raise ValueError(f"{label}: the file has a model_config but no 'model_weights' group")
        for var, arr in legacy_h5.read_legacy_weights(model, h5, group, label, skip_mismatch=skip_mismatch):
            var.data[...] = arr
        return
    loaded = keras_format.read_weights(model, h5, label, skip_mismatch=skip_mismatch, with_optimizer=_compiled(model),
                                       optimizer_mismatch="warn")
    keras_format.assign(model, loaded, label)


def _require_built(model, label: str) -> None:
    if not model.weights and not getattr(model, "built", False):
        raise ValueError(f"{label}: model '{model.name}' has not been built yet, so it has no weights to load into; "
                         "build it first (give an input shape, call model.build(...) or fit it)")


# ------------------------------------------------------------------------------------ JSON
def model_to_json(model, **kwargs) -> str:
    """The architecture of ``model`` as a JSON string in Keras 3's serialization (Keras
    ``model.to_json()``): no weights, no compile settings. ``kwargs`` go to ``json.dumps``."""
    native = serialization.model_to_config(model)
    config = keras_config.model_to_keras(model, native)
    return json.dumps(json.loads(serialization.to_json(config, f"to_json: model '{model.name}'")), **kwargs)


def model_from_json(json_string: str, custom_objects: dict | None = None):
    """A new model (fresh weights) from the JSON of :func:`model_to_json` or Keras's ``to_json``;
    classes are found through the registry only.

    Raises:
        ValueError: for malformed JSON or an unknown class name.
    """
    where = "model_from_json"
    if not isinstance(json_string, (str, bytes)):
        raise TypeError(f"{where}: expected a JSON string, received {type(json_string).__name__}")
    try:
        config = json.loads(json_string)
    except (ValueError, RecursionError) as err:
        raise ValueError(f"{where}: not valid JSON: {err}") from None
    if not isinstance(config, dict):
        raise ValueError(f"{where}: expected a JSON object {{'class_name': ..., 'config': ...}}, found "
                         f"{type(config).__name__}")
    native = keras_config.from_keras(config, "models", custom_objects, where)
    return _rebuild_model("", native, custom_objects, where)
