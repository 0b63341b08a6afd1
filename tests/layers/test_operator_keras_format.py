"""A functional model with ops nodes, written by real Keras 3 (its config.json layout), replayed in neuronet
through ``call_keras_operation``: the ops nodes of a Keras file are expressible as OperatorLayers."""

import numpy as np
import pytest

import neuronet as nn
from neuronet.layers.operator import call_keras_operation
from neuronet.ops import keras_names

keras = pytest.importorskip("keras")


def _replay(config: dict, weights: dict):
    """A minimal reader of Keras's functional config for Input, Dense and ops nodes."""
    tensors, inputs = {}, {}

    def decode(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return tensors[tuple(value["config"]["keras_history"])]
        if isinstance(value, dict) and value.get("class_name") == "__slice__":
            return slice(*(value["config"][k] for k in ("start", "stop", "step")))
        if isinstance(value, (list, tuple)):
            return [decode(v) for v in value]
        if isinstance(value, dict):
            return {k: decode(v) for k, v in value.items()}
        return value

    for entry in config["layers"]:
        name, cfg = entry["name"], entry["config"]
        if entry["class_name"] == "InputLayer":
            tensors[(name, 0, 0)] = inputs[name] = nn.Input(batch_shape=cfg["batch_shape"], name=name)
            continue
        for i, node in enumerate(entry["inbound_nodes"]):
            args, kwargs = decode(node["args"]), decode(node["kwargs"])
            if entry["module"].startswith("keras.src.ops"):
                out = call_keras_operation(entry["class_name"], cfg, args, kwargs)
            else:
                layer = nn.layers.Dense(cfg["units"], name=name)
                out = layer(*args)
                layer.set_weights(weights[name])
            for j, t in enumerate(out if isinstance(out, (list, tuple)) else [out]):
                tensors[(name, i, j)] = t
    outputs = [tensors[tuple(ref)] for ref in config["output_layers"]]
    return nn.Model([inputs[ref[0]] for ref in config["input_layers"]], outputs)


def test_keras_ops_nodes_replay():
    a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    x = keras.ops.concatenate([a, b], axis=-1)
    x = keras.layers.Dense(5, name="dense")(x)
    outputs = [keras.ops.softmax(x), keras.ops.sum(keras.ops.abs(x), axis=1, keepdims=True), x[:, 1:3] * 2.0]
    model = keras.Model([a, b], outputs)
    weights = {"dense": [w.numpy() if hasattr(w, "numpy") else np.asarray(w) for w in model.get_layer("dense").weights]}
    replayed = _replay(model.get_config(), weights)
    kinds = {layer.keras_class_name for layer in replayed.layers if hasattr(layer, "keras_class_name")}
    assert {"Concatenate", "Softmax", "Sum", "Absolute", "GetItem", "Multiply"} <= kinds
    data = [np.random.default_rng(0).normal(size=(3, 4)), np.random.default_rng(1).normal(size=(3, 3))]
    for ours, theirs in zip(replayed.predict(data, verbose=0), model.predict(data, verbose=0)):
        np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(theirs), rtol=1e-5, atol=1e-6)


def test_unknown_keras_operation_is_refused():
    x = nn.Input((3,))
    with pytest.raises(ValueError, match="unknown Keras operation 'Frobnicate'"):
        call_keras_operation("Frobnicate", {"name": "f"}, [x], {})
    assert keras_names.op_name_of_keras_class("Absolute") == "abs"
