"""model.summary(): Keras 3's layout — column widths, word wrapping, the "Connected to" column of
non-sequential functional models, expand_nested, show_trainable, layer_range and the totals — checked
as text, and line for line against real Keras where it is installed."""

import numpy as np
import pytest

import neuronet as nn
from neuronet.models.summary import _wrap, summary_text


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # the default width depends on the terminal, as in Keras


def two_input_model(lib):
    layers = lib.layers
    a = lib.Input(shape=(8,), name="numeric")
    b = lib.Input(shape=(5,), name="tokens")
    x = layers.Dense(16, activation="relu", name="dense_a")(a)
    y = layers.Dense(16, activation="relu", name="dense_b")(b)
    z = layers.Concatenate(name="concat")([x, y])
    out1 = layers.Dense(1, name="score")(z)
    out2 = layers.Dense(3, activation="softmax", name="label")(z)
    return lib.Model([a, b], [out1, out2], name="two_in_two_out")


def nested_model(lib):
    layers = lib.layers
    inner = lib.Sequential([layers.Dense(4, name="inner_1"), layers.Dense(2, name="inner_2")], name="inner")
    c = lib.Input(shape=(3,), name="x")
    frozen = layers.Dense(3, name="frozen")
    frozen.trainable = False
    return lib.Model(c, inner(frozen(c)), name="outer")


def attention_model(lib):
    layers = lib.layers
    tokens = lib.Input(shape=(10,), dtype="int32", name="tokens")
    x = layers.Embedding(50, 8, name="embed")(tokens)
    shared = layers.Dense(8, name="shared")
    attended = layers.MultiHeadAttention(2, 4, name="mha")(shared(x), x)
    pooled = layers.GlobalAveragePooling1D(name="pool")(shared(attended))
    return lib.Model(tokens, layers.Dense(2, name="head")(pooled), name="attention")


def _text(model, **kwargs):
    out = []
    model.summary(print_fn=out.append, **kwargs)
    assert len(out) == 1  # one call with the whole text, as Keras 3
    return out[0]


def test_connected_to_column_for_two_inputs():
    text = _text(two_input_model(nn))
    lines = text.splitlines()
    assert lines[0] == 'Model: "two_in_two_out"'
    assert lines[1] == "┏" + "━" * 21 + "┳" + "━" * 19 + "┳" + "━" * 12 + "┳" + "━" * 19 + "┓"
    assert lines[2] == "┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃"
    assert "│ numeric             │ (None, 8)         │          0 │ -                 │" in lines
    assert "│ (InputLayer)        │                   │            │                   │" in lines
    assert "│ concat              │ (None, 32)        │          0 │ dense_a[0][0],    │" in lines
    assert "│ (Concatenate)       │                   │            │ dense_b[0][0]     │" in lines
    assert "│ label (Dense)       │ (None, 3)         │         99 │ concat[0][0]      │" in lines
    assert lines[-3:] == [" Total params: 372 (1.45 KB)", " Trainable params: 372 (1.45 KB)",
                          " Non-trainable params: 0 (0.00 B)"]


def test_shared_layers_show_their_node_index_and_both_inputs():
    text = _text(attention_model(nn), line_length=120)
    assert "shared[0][0], embed[0][0]" in text  # the attention's query and value
    assert "│ pool (GlobalAveragePooling1D)" in text and "shared[1][0]" in text


def test_expand_nested_and_show_trainable():
    text = _text(nested_model(nn), expand_nested=True, show_trainable=True)
    assert "│    └ inner_1 (Dense)" in text and "│    └ inner_2 (Dense)" in text
    assert "Trai… ┃" in text
    row = next(line for line in text.splitlines() if "frozen (Dense)" in line)
    assert row.endswith("│   N   │")
    assert "│   -   │" in next(line for line in text.splitlines() if "(InputLayer)" in line)
    assert " Non-trainable params: 12 (48.00 B)" in text
    assert "inner_1" not in _text(nested_model(nn))


def test_layer_range_and_unbuilt_and_optimizer_rows():
    text = _text(two_input_model(nn), layer_range=["dense_a", "concat"])
    assert "dense_a (Dense)" in text and "concat" in text and "(InputLayer)" not in text and "score" not in text
    unbuilt = nn.Sequential([nn.layers.Dense(3, name="d")], name="s")
    assert "│ d (Dense)                       │ ?                      │   0 (unbuilt) │" in _text(unbuilt)
    model = nn.Sequential([nn.Input((4,)), nn.layers.Dense(3)], name="s2")
    model.compile("adam", "mse")
    model.fit(np.ones((8, 4)), np.ones((8, 3)), verbose=0)
    assert " Optimizer params: 32 (132.00 B)" in _text(model)  # iteration, learning rate, 2 slots × 15
    with pytest.raises(ValueError, match="layer_range"):
        _text(two_input_model(nn), layer_range=["nope", "concat"])


def test_wrap_follows_rich():
    assert _wrap("numeric (InputLayer)", 19) == ["numeric", "(InputLayer)"]
    assert _wrap("Trainable", 5) == ["Trai…"]
    assert _wrap("a b c", 10) == ["a b c"]
    assert _wrap("dense_a[0][0], dense_b[0][0]", 17) == ["dense_a[0][0],", "dense_b[0][0]"]


@pytest.mark.parametrize("make,kwargs", [
    (two_input_model, {}), (two_input_model, dict(show_trainable=True)), (two_input_model, dict(line_length=150)),
    (nested_model, dict(expand_nested=True)), (nested_model, dict(expand_nested=True, show_trainable=True)),
    (attention_model, {}), (attention_model, dict(line_length=130, show_trainable=True)),
])
def test_summary_text_equals_keras(make, kwargs, monkeypatch):
    keras = pytest.importorskip("keras")
    if "line_length" in kwargs:  # Keras's console must be wider than the table, or rich cuts its lines
        monkeypatch.setenv("COLUMNS", "200")
    theirs = []
    make(keras).summary(print_fn=theirs.append, **kwargs)
    assert summary_text(make(nn), **kwargs) == theirs[0].rstrip("\n")
