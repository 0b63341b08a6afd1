"""Op nodes (``keras.ops`` calls on symbolic tensors) in .keras files: neuronet writes each as Keras 3 writes it
(module, class, constructor config, call arguments) and reads Keras's back, so models with ops round-trip
through neuronet, through real Keras (skipped without it) and from a Keras-made fixture; entries neuronet
cannot express, or that are not Keras's, get a one-line error before anything is written or run.

The Keras tests run in the benchmark venv::

    /work/main/.venv-bench/bin/python -m pytest tests/saving/test_keras_op_nodes.py -q
"""

import json
import os
import zipfile

import numpy as np
import pytest

import neuronet as nn
from neuronet import ops, saving
from neuronet.saving import keras_ops

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
RNG = np.random.default_rng(0)
XA, XB = RNG.normal(size=(3, 6)).astype("float32"), RNG.normal(size=(3, 6)).astype("float32")


def op_model(K, O):
    """The same functional model of op nodes in Keras or in neuronet (``K`` the library, ``O`` its ops): one
    output per kind of op. Returns the model and the outputs' names."""
    K.utils.set_random_seed(0)
    a, b = K.Input((6,), name="a"), K.Input((6,), name="b")
    h = K.layers.Dense(6, name="dense")(a)
    r = O.reshape(h, (-1, 2, 3))
    outputs = {
        "unary": O.exp(O.tanh(h)), "constant": O.add(h, 2.0), "array_constant": O.subtract(h, np.arange(6.0)),
        "operators": 2.0 * h - b, "sum": O.sum(h, axis=1, keepdims=True), "mean": O.mean(h, axis=(1,)),
        "max": O.max(h, axis=-1), "concatenate": O.concatenate([h, b], axis=-1), "stack": O.stack([h, b], axis=1),
        "transpose": O.transpose(r, (0, 2, 1)), "expand_dims": O.expand_dims(h, axis=1),
        "softmax": O.softmax(h, axis=-1), "relu": O.relu(h), "leaky_relu": O.leaky_relu(h, negative_slope=0.1),
        "gelu": O.gelu(h, approximate=False), "log_softmax": O.log_softmax(h), "getitem": h[:, 1:4],
        "matmul": O.matmul(r, O.transpose(r, (0, 2, 1))), "einsum": O.einsum("bi,bj->bij", h, b),
        "cast": O.cast(O.greater(h, 0.0), "float32"), "where": O.where(O.greater(h, b), h, 0.0),
        "clip": O.clip(h, -0.5, 0.5), "take": O.take(h, [0, 2], axis=1),
    }
    return K.Model([a, b], list(outputs.values())), list(outputs)


def _config(path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("config.json"))


def _op_entries(config: dict) -> dict:
    return {e["name"]: e for e in config["config"]["layers"] if e["module"].startswith("keras.src.ops")}


def test_models_with_op_nodes_round_trip_through_a_keras_file(tmp_path):
    model, names = op_model(nn, ops)
    model.save(tmp_path / "ops.keras")
    loaded = saving.load_model(tmp_path / "ops.keras")
    for name, want, got in zip(names, model.predict([XA, XB], verbose=0), loaded.predict([XA, XB], verbose=0)):
        np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=name)
    assert {layer.keras_class_name for layer in loaded.layers if hasattr(layer, "keras_class_name")} >= {
        "Exp", "Add", "Sum", "Concatenate", "Stack", "Reshape", "Transpose", "Softmax", "LeakyRelu", "GetItem",
        "Matmul", "Einsum", "Cast", "Where", "Take"}


def test_op_entries_are_written_as_keras_writes_them(tmp_path):
    model, _ = op_model(nn, ops)
    model.save(tmp_path / "ops.keras")
    entries = _op_entries(_config(tmp_path / "ops.keras"))
    sums = entries["sum"]
    assert {k: sums[k] for k in ("module", "class_name", "registered_name")} == {
        "module": "keras.src.ops.numpy", "class_name": "Sum", "registered_name": "Sum"}
    assert sums["config"] == {"name": "sum", "axis": 1, "keepdims": True}
    [node] = sums["inbound_nodes"]
    assert node["kwargs"] == {} and node["args"][0]["class_name"] == "__keras_tensor__"
    assert node["args"][0]["config"]["keras_history"] == ["dense", 0, 0]
    assert entries["softmax"]["module"] == "keras.src.ops.nn" and entries["softmax"]["config"] == {
        "name": "softmax", "axis": -1}
    assert entries["cast"]["module"] == "keras.src.ops.core" and entries["cast"]["config"]["dtype"] == "float32"
    assert entries["transpose"]["config"]["axes"] == [0, 2, 1]  # tuples as lists, as Keras writes them
    assert entries["einsum"]["config"] == {"name": "einsum", "subscripts": "bi,bj->bij"}
    assert len(entries["einsum"]["inbound_nodes"][0]["args"]) == 2  # the operands, one argument each
    concat_args = entries["concatenate"]["inbound_nodes"][0]["args"]
    assert len(concat_args) == 1 and [t["config"]["keras_history"][0] for t in concat_args[0]] == ["dense", "b"]
    subtract = entries["subtract"]["inbound_nodes"][0]["args"][1]
    assert subtract == {"class_name": "__numpy__", "config": {"value": list(np.arange(6.0)), "dtype": "float64"}}
    where = entries["where"]["inbound_nodes"][0]["args"]
    assert where[2] == 0.0 and [a["config"]["keras_history"][0] for a in where[:2]] == ["greater_1", "dense"]
    getitem = entries["getitem"]["inbound_nodes"][0]["args"][1]
    assert getitem == [{"class_name": "__slice__", "config": {"start": None, "stop": None, "step": None}},
                       {"class_name": "__slice__", "config": {"start": 1, "stop": 4, "step": None}}]


def test_a_keras_made_file_with_op_nodes_predicts_what_keras_predicted():
    model = saving.load_model(os.path.join(HERE, "k3_ops.keras"))
    expected = np.load(os.path.join(HERE, "k3_ops.expected.npz"))
    outputs = model.predict([expected["x0"], expected["x1"]], verbose=0)
    assert len(outputs) == 20
    for i, got in enumerate(outputs):
        np.testing.assert_allclose(got, expected[f"y{i}"], rtol=1e-5, atol=1e-6, err_msg=f"output {i}")
    kinds = {layer.keras_class_name for layer in model.layers if hasattr(layer, "keras_class_name")}
    assert {"Concatenate", "Stack", "Einsum", "Gelu", "Where", "Cast", "Greater", "ExpandDims", "Clip"} <= kinds


# ------------------------------------------------------------------------------------ what cannot be written
def test_an_op_keras_cannot_hold_is_refused_before_anything_is_written(tmp_path):
    x = nn.Input((4,))
    model = nn.Model(x, ops.amax(x, axis=1, initial=0.0))  # Keras's amax has no 'initial'
    path = tmp_path / "amax.keras"
    with pytest.raises(ValueError, match=r"ops.amax.*'initial' has no place in Keras's Amax") as err:
        model.save(path)
    assert "\n" not in str(err.value)
    assert not path.exists() and os.listdir(tmp_path) == []


# ------------------------------------------------------------------------------------ hostile entries
def _graph(entry: dict) -> dict:
    tensor = {"class_name": "__keras_tensor__", "config": {"shape": [None, 4], "dtype": "float32",
                                                           "keras_history": ["x", 0, 0]}}
    entry = {"registered_name": None, "name": "op", **entry}
    entry.setdefault("inbound_nodes", [{"args": [tensor], "kwargs": {}}])
    return {"layers": [{"module": "keras.layers", "class_name": "InputLayer", "name": "x", "inbound_nodes": [],
                        "config": {"batch_shape": [None, 4], "dtype": "float32", "name": "x"}}, entry],
            "input_layers": [["x", 0, 0]], "output_layers": [["op", 0, 0]]}


HOSTILE = {
    "unknown class": ({"module": "keras.src.ops.numpy", "class_name": "Frobnicate", "config": {"name": "op"}},
                      r"unknown Keras operation 'Frobnicate' in module 'keras.src.ops.numpy'"),
    "class of another module": ({"module": "keras.src.ops.nn", "class_name": "Sum", "config": {"name": "op"}},
                                r"unknown Keras operation 'Sum' in module 'keras.src.ops.nn'"),
    "module outside keras.ops": ({"module": "keras.src.ops.os", "class_name": "System", "config": {"name": "op"}},
                                 r"unknown Keras operation 'System' in module 'keras.src.ops.os'"),
    "unknown config key": ({"module": "keras.src.ops.numpy", "class_name": "Sum",
                            "config": {"name": "op", "axis": 1, "bogus": 2}}, r"unknown argument\(s\) \['bogus'\]"),
    "axis of the wrong type": ({"module": "keras.src.ops.numpy", "class_name": "Sum",
                                "config": {"name": "op", "axis": {"evil": 1}}}, r"unsupported argument"),
    "too many call arguments": ({"module": "keras.src.ops.nn", "class_name": "Softmax", "config": {"name": "op"},
                                 "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
                                     "keras_history": ["x", 0, 0]}}, 3], "kwargs": {}}]}, r"1 more positional"),
    "args not a list": ({"module": "keras.src.ops.nn", "class_name": "Softmax", "config": {"name": "op"},
                         "inbound_nodes": [{"args": "x", "kwargs": {}}]}, r"malformed node"),
    "no tensor": ({"module": "keras.src.ops.nn", "class_name": "Softmax", "config": {"name": "op"},
                   "inbound_nodes": [{"args": [[1.0, 2.0]], "kwargs": {}}]}, r"without a tensor operand"),
    "config not a dict": ({"module": "keras.src.ops.nn", "class_name": "Softmax", "config": ["os.system"]},
                          r"config of Softmax must be a dict"),
    "object marker in arguments": ({"module": "keras.src.ops.numpy", "class_name": "Add", "config": {"name": "op"},
                                    "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
                                        "keras_history": ["x", 0, 0]}}, {"module": "os", "class_name": "system",
                                                                         "config": {}}], "kwargs": {}}]},
                                   r"unsupported argument"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_op_entries_get_a_one_line_error(case):
    entry, message = HOSTILE[case]
    with pytest.raises(ValueError, match=message) as err:
        graph = keras_ops.from_keras_graph(_graph(entry), "model.keras")
        nn.Model.from_config(graph)  # a translated entry must still be refused when built
    assert "\n" not in str(err.value) and str(err.value).startswith("model.keras")


def _rewritten(tmp_path, change) -> str:
    """A copy of a neuronet-written file of ops.sum then ops.softmax, its config.json changed by ``change``."""
    x = nn.Input((6,), name="x")
    nn.Model(x, ops.softmax(ops.sum(ops.reshape(x, (-1, 2, 3)), axis=1))).save(tmp_path / "ops.keras")
    with zipfile.ZipFile(tmp_path / "ops.keras") as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    config = json.loads(files["config.json"])
    change({e["class_name"]: e for e in config["config"]["layers"]})
    files["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(tmp_path / "hostile.keras", "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return str(tmp_path / "hostile.keras")


def test_a_hostile_op_class_in_a_file_names_the_file(tmp_path):
    def change(entries):
        entries["Softmax"].update(class_name="Popen", module="keras.src.ops.subprocess")

    with pytest.raises(ValueError, match=r"hostile.keras.*unknown Keras operation 'Popen'") as err:
        saving.load_model(_rewritten(tmp_path, change))
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("axis", ["abc", [1, "x"], 1.5, [[1]]])
def test_op_arguments_of_the_wrong_type_in_a_file_are_refused(tmp_path, axis):
    def change(entries):
        entries["Sum"]["config"]["axis"] = axis

    with pytest.raises(ValueError, match=r"hostile.keras.*layer 'sum'.*axis must be") as err:
        saving.load_model(_rewritten(tmp_path, change))
    assert "\n" not in str(err.value)


# ------------------------------------------------------------------------------------ with real Keras
@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _same_entry(theirs: dict, ours: dict) -> None:
    """Keras's and neuronet's op entries agree but for the names of the layers (made unique differently)."""
    def plain(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return ("tensor", value["config"]["shape"], value["config"]["dtype"], value["config"]["keras_history"][1:])
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if k != "name"}
        return value

    assert plain(ours) == plain(theirs)


def test_neuronet_writes_the_op_entries_keras_writes(keras, tmp_path):
    ours, _ = op_model(nn, ops)
    ours.save(tmp_path / "ours.keras")
    theirs, _ = op_model(keras, keras.ops)
    theirs.save(tmp_path / "theirs.keras")
    our_entries = list(_op_entries(_config(tmp_path / "ours.keras")).values())
    their_entries = list(_op_entries(_config(tmp_path / "theirs.keras")).values())
    assert [e["class_name"] for e in our_entries] == [e["class_name"] for e in their_entries]
    for theirs_entry, ours_entry in zip(their_entries, our_entries):
        _same_entry(theirs_entry, ours_entry)


def test_keras_loads_what_neuronet_wrote_and_predicts_the_same(keras, tmp_path):
    model, names = op_model(nn, ops)
    model.save(tmp_path / "ours.keras")
    loaded = keras.saving.load_model(tmp_path / "ours.keras")
    for name, want, got in zip(names, model.predict([XA, XB], verbose=0), loaded.predict([XA, XB], verbose=0)):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(got), want, rtol=1e-5, atol=1e-6, err_msg=name)


def test_neuronet_loads_what_keras_wrote_and_predicts_the_same(keras, tmp_path):
    model, names = op_model(keras, keras.ops)
    model.save(tmp_path / "theirs.keras")
    loaded = saving.load_model(tmp_path / "theirs.keras")
    for name, want, got in zip(names, model.predict([XA, XB], verbose=0), loaded.predict([XA, XB], verbose=0)):
        np.testing.assert_allclose(got, keras.ops.convert_to_numpy(want), rtol=1e-5, atol=1e-6, err_msg=name)
