"""plot_model / model_to_dot: the boxes and arrows Keras draws, the image file, and one-line errors
when pydot or Graphviz's dot is missing."""

import re
import shutil
import sys

import numpy as np
import pytest

import neuronet as nn
from neuronet import layers

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/models")
from test_summary import attention_model, nested_model, two_input_model  # noqa: E402


def _digest(dot):
    """(sorted labels, sorted edges named by layer) of a pydot graph, nested clusters included."""
    nodes, edges = {}, []

    def collect(graph):
        for node in graph.get_nodes():
            if node.get_name() not in ("node", "graph", "edge"):
                nodes[node.get_name()] = node.get("label")
        edges.extend(graph.get_edges())
        for sub in graph.get_subgraphs():
            collect(sub)

    collect(dot)
    names = {k: re.search(r"<b>([^<]*)</b>", v).group(1) for k, v in nodes.items()}
    return sorted(nodes.values()), sorted((names[e.get_source()], names[e.get_destination()]) for e in edges)


def test_model_to_dot_boxes_and_arrows():
    pytest.importorskip("pydot")
    labels, edges = _digest(nn.utils.model_to_dot(two_input_model(nn), show_shapes=True, show_dtype=True,
                                                  show_trainable=True, show_layer_activations=True))
    assert edges == [("concat", "label"), ("concat", "score"), ("dense_a", "concat"), ("dense_b", "concat"),
                     ("numeric", "dense_a"), ("tokens", "dense_b")]
    concat = next(text for text in labels if "<b>concat</b>" in text)
    assert "Input shape: <b>[(None, 16), (None, 16)]</b>" in concat and "Output shape: <b>(None, 32)</b>" in concat
    dense = next(text for text in labels if "<b>dense_a</b>" in text)
    assert "Activation: <b>relu</b>" in dense and "Trainable" in dense and "Output dtype: <b>float32</b>" in dense
    names_only = _digest(nn.utils.model_to_dot(two_input_model(nn), show_layer_names=False))[0]
    assert all("<b>Dense</b>" in t or "<b>InputLayer</b>" in t or "<b>Concatenate</b>" in t for t in names_only)


def test_expand_nested_draws_inner_layers_in_a_cluster():
    pytest.importorskip("pydot")
    dot = nn.utils.model_to_dot(nested_model(nn), expand_nested=True, show_shapes=True)
    labels, edges = _digest(dot)
    assert edges == [("frozen", "inner_1"), ("inner_1", "inner_2"), ("x", "frozen")]
    assert [sub.get_name() for sub in dot.get_subgraphs()] == ["cluster_inner"]
    inner = next(text for text in labels if "<b>inner_1</b>" in text)
    assert "Input shape: <b>(None, 3)</b>" in inner and "Output shape: <b>(None, 4)</b>" in inner


def test_plot_model_writes_an_image(tmp_path):
    pytest.importorskip("pydot")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    path = tmp_path / "model.png"
    nn.utils.plot_model(attention_model(nn), to_file=path, show_shapes=True, rankdir="LR")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "model.svg"
    nn.utils.plot_model(two_input_model(nn), to_file=str(svg))
    assert "<svg" in svg.read_text()


def test_missing_pydot_or_graphviz_gives_one_line(monkeypatch, tmp_path):
    model = two_input_model(nn)
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match=r"^plot_model needs pydot, the optional extra 'plot_model'[^\n]*$"):
        nn.utils.plot_model(model, to_file=tmp_path / "m.png")
    monkeypatch.undo()
    pytest.importorskip("pydot")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ImportError, match=r"^plot_model needs Graphviz's 'dot' program[^\n]*$"):
        nn.utils.plot_model(model, to_file=tmp_path / "m.png")
    assert not (tmp_path / "m.png").exists()


def test_unbuilt_model_and_bad_arguments():
    pytest.importorskip("pydot")
    with pytest.raises(ValueError, match="has not been built"):
        nn.utils.plot_model(nn.Sequential([layers.Dense(2)]))
    model = nn.Sequential([nn.Input((3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="rankdir"):
        nn.utils.model_to_dot(model, rankdir="up")
    with pytest.raises(ValueError, match="unexpected keyword"):
        nn.utils.model_to_dot(model, colour=True)
    model.predict(np.ones((1, 3)), verbose=0)
    assert len(_digest(nn.utils.model_to_dot(model))[0]) == 1  # a Sequential shows no input box


@pytest.mark.parametrize("make", [two_input_model, nested_model, attention_model])
@pytest.mark.parametrize("kwargs", [dict(show_shapes=True, show_dtype=True, show_trainable=True,
                                         show_layer_activations=True),
                                    dict(expand_nested=True, show_shapes=True, show_layer_names=False)])
def test_model_to_dot_matches_keras(make, kwargs):
    keras = pytest.importorskip("keras")
    pytest.importorskip("pydot")
    assert _digest(nn.utils.model_to_dot(make(nn), **kwargs)) == _digest(keras.utils.model_to_dot(make(keras),
                                                                                                   **kwargs))
