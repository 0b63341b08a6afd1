"""Structured data with preprocessing layers, in the shape of Keras's "Structured data classification
from scratch" example: numeric columns through ``Normalization.adapt``, a string column through
``StringLookup``, and a categorical integer column through ``IntegerLookup``.

The table (a pandas DataFrame when pandas is installed, else a dict of arrays) is a synthetic
heart-disease-like dataset this script makes: the label depends on age, cholesterol, a thallium
test result given as a string ("normal", "fixed", "reversible") and a chest-pain type (an integer
code). Each numeric feature gets its own adapted ``Normalization``; the string column comes in raw
through an ``Input(shape=(1,), dtype="string")`` and is one-hot encoded by an adapted
``StringLookup(output_mode="one_hot")``, and the integer column by an ``IntegerLookup``, all inside
the model. A functional model concatenates the encoded features, and ``fit``/``evaluate`` take the
table's columns as a dict keyed by input name, as in Keras's example.

Usage::

    python examples/tabular_preprocessing.py            # full run
    python examples/tabular_preprocessing.py --quick    # fewer epochs, for the test suite
"""

from __future__ import annotations

import argparse

import numpy as np

import neuronet as keras
from neuronet import layers

NUMERIC = ["age", "chol", "thalach"]


def make_table(n: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    table = {
        "age": rng.normal(55, 9, n).round(), "chol": rng.normal(245, 50, n).round(),
        "thalach": rng.normal(150, 22, n).round(),
        "thal": rng.choice(["normal", "fixed", "reversible"], n, p=[0.55, 0.1, 0.35]).astype(object),
        "cp": rng.choice([1, 2, 3, 4], n),
    }
    score = (0.06 * (table["age"] - 55) + 0.02 * (table["chol"] - 245) - 0.03 * (table["thalach"] - 150)
             + np.select([table["thal"] == "reversible", table["thal"] == "fixed"], [1.8, 1.0], -0.8)
             + np.where(table["cp"] == 4, 1.2, -0.4) + rng.normal(0, 0.6, n))
    table["target"] = (score > 0).astype("int64")
    return table


def main(quick: bool = False) -> dict:
    keras.utils.set_random_seed(0)
    data = make_table(1200)
    try:
        import pandas as pd

        data = pd.DataFrame(data)
    except ImportError:
        pass
    cut = 900
    train = {k: np.asarray(v)[:cut] for k, v in dict(data).items()}
    val = {k: np.asarray(v)[cut:] for k, v in dict(data).items()}

    # one Normalization per numeric column, adapted on the training data (a DataFrame column adapts too)
    inputs, encoded, norms = [], [], {}
    for name in NUMERIC:
        norm = layers.Normalization(name=f"norm_{name}")
        # a (samples, 1) column: a one-column DataFrame, or the array with a feature axis (Keras's expand_dims)
        norm.adapt(data[[name]][:cut] if hasattr(data, "iloc") else train[name].reshape(-1, 1))
        norms[name] = norm
        inp = keras.Input(shape=(1,), name=name)
        inputs.append(inp)
        encoded.append(norm(inp))
    # the string column: raw strings in, a StringLookup one-hot encoder inside the model
    thal_lookup = layers.StringLookup(output_mode="one_hot", name="thal_lookup")
    thal_lookup.adapt(train["thal"])
    thal_input = keras.Input(shape=(1,), name="thal", dtype="string")
    inputs.append(thal_input)
    encoded.append(thal_lookup(thal_input))
    # an integer column: IntegerLookup + one-hot inside the model
    cp_lookup = layers.IntegerLookup(output_mode="one_hot", name="cp_lookup")
    cp_lookup.adapt(train["cp"])
    cp_input = keras.Input(shape=(1,), name="cp", dtype="int64")
    inputs.append(cp_input)
    encoded.append(cp_lookup(cp_input))

    x = layers.Concatenate()(encoded)
    x = layers.Dense(32, activation="relu")(x)
    x = layers.Dropout(0.3)(x)
    output = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, output)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])

    def features(part: dict) -> dict:
        """The model's inputs: the table's columns keyed by input name (the target left out)."""
        return {name: column for name, column in part.items() if name != "target"}

    model.fit(features(train), train["target"], epochs=10 if quick else 40, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(features(val), val["target"], verbose=0)
    majority = max(val["target"].mean(), 1 - val["target"].mean())
    print(f"thal vocabulary: {thal_lookup.get_vocabulary()}; cp vocabulary: {cp_lookup.get_vocabulary()}")
    print(f"age statistics: mean {float(norms['age'].adapt_mean.numpy()[0]):.1f}, "
          f"variance {float(norms['age'].adapt_variance.numpy()[0]):.1f}")
    print(f"validation accuracy: {accuracy:.3f} (majority class: {majority:.3f})")
    return {"accuracy": float(accuracy), "majority": float(majority), "model": model, "norms": norms,
            "thal_lookup": thal_lookup, "features": features(val), "val": val}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (for the test suite)")
    main(parser.parse_args().quick)
