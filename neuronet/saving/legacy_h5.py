"""Legacy HDF5 model and weight files: ``model.save("m.h5")`` of Keras 2 / tf.keras, and the ``.h5``
that Keras 3 still writes when asked.

Layout (the file is read, never written)::

    attrs  model_config          the architecture as JSON (Keras 2's or Keras 3's serialization)
           training_config       the compile settings as JSON (optimizer_config, loss, metrics, ...)
    model_weights/               (a weights-only file has this group's content at its root)
        attrs layer_names        the layers, in the model's order
        <layer>/ attrs weight_names   e.g. ['dense/kernel:0', 'dense/bias:0'], in the layer's weight order
        <layer>/<weight name>    one dataset per weight
    optimizer_weights/           not read: a legacy model is compiled with a fresh optimizer state

Weights are matched layer by layer: by name when every named layer of the file exists in the model
(always so for a full model rebuilt from its own config), else by position among the layers that
have weights, as Keras does. Within a layer they go in order into its weights (Keras order, the
order ``weight_names`` lists them in), each shape checked before anything is assigned.
"""

from __future__ import annotations

from . import h5io, keras_config, keras_format, layout, random_state, serialization

__all__ = ["load_legacy_model", "read_legacy_weights", "is_full_model"]

_JSON_LIMIT = 16 << 20


def is_full_model(h5: h5io.H5Reader) -> bool:
    return h5.attr(h5.file, "model_config") is not None


def _json_attr(h5: h5io.H5Reader, name: str):
    text = h5.text_attr(h5.file, name)
    if text is None:
        return None
    if len(text) > _JSON_LIMIT:
        raise ValueError(f"{h5.where}: the attribute '{name}' is larger than {_JSON_LIMIT} bytes")
    return keras_format.json_object(text, f"{h5.where}: the attribute '{name}'")


def _layers_with_weights(model) -> list:
    """The model's layers that own weights, in Keras's order (a nested model counts as one layer)."""
    from ..models import Functional, Sequential

    if isinstance(model, Functional):
        layers = layout.functional_layer_order(model)
    elif isinstance(model, Sequential):
        layers = list(model.layers)
    else:
        layers = list(model.layers)
    return [layer for layer in layers if layer.weights]


def read_legacy_weights(model, h5: h5io.H5Reader, group, where: str, exact_dtype: bool = False,
                        skip_mismatch: bool = False) -> list:
    """``[(variable, array)]`` for every weight of ``model``, from a legacy weights group (checked,
    nothing assigned)."""
    import warnings

    names = h5.text_list_attr(group, "layer_names")
    if names is None:
        raise ValueError(f"{where}: not a Keras weights file: it has no 'layer_names' attribute")
    file_layers = []
    for name in names:
        layer_group = h5.group(name, group) if name and "/" not in name else None
        if layer_group is None:
            raise ValueError(f"{where}: the file lists the layer {name!r} but holds no group for it")
        weight_names = h5.text_list_attr(layer_group, "weight_names") or []
        if weight_names:
            file_layers.append((name, layer_group, weight_names))
    model_layers = _layers_with_weights(model)
    by_name = {layer.name: layer for layer in model_layers}
    if all(name in by_name for name, _, _ in file_layers) and len(file_layers) == len(model_layers):
        matched = [(by_name[name], name, g, w) for name, g, w in file_layers]
    elif len(file_layers) == len(model_layers):
        matched = [(layer, name, g, w) for layer, (name, g, w) in zip(model_layers, file_layers)]
    else:
        raise ValueError(f"{where}: the file holds weights for {len(file_layers)} layers "
                         f"({[n for n, _, _ in file_layers][:6]}), model '{model.name}' has {len(model_layers)} "
                         f"layers with weights ({[layer.name for layer in model_layers][:6]})")
    pairs, skipped = [], []
    for layer, name, layer_group, weight_names in matched:
        weights = layer.weights
        try:
            if len(weight_names) != len(weights):
                raise ValueError(f"{where}: layer '{layer.name}' has {len(weights)} weights, the file's layer "
                                 f"'{name}' holds {len(weight_names)}")
            found = []
            for var, weight_name in zip(weights, weight_names):
                arr = h5.dataset(layer_group, weight_name, shape=tuple(var.shape))
                want = var.data.dtype
                if arr.dtype.kind != want.kind or (exact_dtype and arr.dtype != want):
                    raise ValueError(f"{where}: weight '{weight_name}' of layer '{name}' expected dtype {want}, "
                                     f"received {arr.dtype}")
                found.append((var, arr))
        except ValueError as err:
            if not skip_mismatch:
                raise
            skipped.append(str(err).removeprefix(f"{where}: "))
            continue
        pairs.extend(found)
    if skipped:
        warnings.warn(f"{where}: skipped {len(skipped)} mismatched layer(s): " + "; ".join(skipped), UserWarning,
                      stacklevel=3)
    return pairs


def load_legacy_model(h5: h5io.H5Reader, custom_objects, compile: bool, where: str, rebuild):  # noqa: A002
    """A model from a legacy ``.h5`` file: architecture, weights and (with ``compile``) a fresh compile.

    ``rebuild(config_fn, label)`` runs the construction inside the caller's error translation.
    """
    config = _json_attr(h5, "model_config")
    native = keras_config.from_keras(config, "models", custom_objects, f"{where} model_config")
    with random_state.untouched():
        model = rebuild(lambda: serialization.model_from_config(native, custom_objects, f"{where} model_config"),
                        f"{where} model_config")
    group = h5.group("model_weights")
    if group is None:
        raise ValueError(f"{where}: the file has a model_config but no 'model_weights' group")
    pairs = read_legacy_weights(model, h5, group, where, exact_dtype=False)
    training = _json_attr(h5, "training_config") if compile else None
    if training is not None:
        settings = keras_config.compile_from_keras(training, custom_objects, f"{where} training_config")
        for key in ("metrics", "weighted_metrics"):  # Keras 2 nests them per output, even for one output
            value = settings.get(key)
            if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list) \
                    and getattr(model, "_output_count", lambda: 1)() == 1:
                settings[key] = value[0]
        rebuild(lambda: serialization.compile_from_config(model, settings, custom_objects,
                                                          f"{where} training_config"),
                f"{where} training_config")
    for var, arr in pairs:
        var.data[...] = arr
    return model
