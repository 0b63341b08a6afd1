"""A model with two inputs and two outputs, fed by dicts — the "ticket" model of Keras's Functional API
guide ("Models with multiple inputs and outputs"), on tickets this script makes.

Each ticket has a title (a sequence of word indices) and tags (a multi-hot vector of 12 tags). The model
predicts its priority (one logit: urgent or not) and the department that should handle it (4 logits).
Inputs and targets are dicts keyed by the names of the ``Input`` layers and of the output layers, for
``fit``, ``validation_data``, ``evaluate`` and ``predict`` alike; ``predict`` returns a dict.

The tickets follow simple rules the model has to find: a title containing one of the "urgent" words,
or the "outage" tag, makes a ticket urgent; the department is the one whose tag is set (tags 0-3),
with 10 % label noise.

Usage::

    python examples/multi_input_output.py            # full run
    python examples/multi_input_output.py --quick    # fewer epochs, for the test suite
"""

from __future__ import annotations

import argparse

import numpy as np

import neuronet as keras
from neuronet import layers

NUM_TAGS = 12  # number of unique issue tags
NUM_WORDS = 200  # size of the vocabulary of the titles
NUM_DEPARTMENTS = 4  # number of departments for predictions
TITLE_LENGTH = 10
URGENT_WORDS = (7, 13, 42)  # word indices that make a ticket urgent
OUTAGE_TAG = 11


def make_tickets(n: int, seed: int = 0) -> tuple:
    """``(inputs, targets)`` dicts of ``n`` tickets (see the module docstring for the rules)."""
    rng = np.random.default_rng(seed)
    title = rng.integers(1, NUM_WORDS, size=(n, TITLE_LENGTH))
    title[rng.random((n, TITLE_LENGTH)) < 0.3] = 0  # padding
    tags = (rng.random((n, NUM_TAGS)) < 0.15).astype("float32")
    department = rng.integers(0, NUM_DEPARTMENTS, n)
    tags[:, :NUM_DEPARTMENTS] = 0
    tags[np.arange(n), department] = 1
    noisy = rng.random(n) < 0.1
    department[noisy] = rng.integers(0, NUM_DEPARTMENTS, noisy.sum())
    urgent = np.isin(title, URGENT_WORDS).any(axis=1) | (tags[:, OUTAGE_TAG] == 1)
    inputs = {"title": title, "tags": tags}
    targets = {"priority": urgent.astype("float32")[:, None],
               "department": keras.utils.to_categorical(department, NUM_DEPARTMENTS)}
    return inputs, targets


def build_model() -> keras.Model:
    title_input = keras.Input(shape=(None,), name="title")  # variable-length sequence of ints
    tags_input = keras.Input(shape=(NUM_TAGS,), name="tags")  # binary vectors of size `num_tags`

    # embed each word in the title into a 32-dimensional vector, then reduce the sequence to one vector
    title_features = layers.Embedding(NUM_WORDS, 32)(title_input)
    title_features = layers.LSTM(32)(title_features)

    # merge all available features into a single large vector via concatenation
    x = layers.concatenate([title_features, tags_input])

    # stick a logistic regression for priority prediction on top of the features
    priority_pred = layers.Dense(1, name="priority")(x)
    # stick a department classifier on top of the features
    department_pred = layers.Dense(NUM_DEPARTMENTS, name="department")(x)

    return keras.Model(inputs={"title": title_input, "tags": tags_input},
                       outputs={"priority": priority_pred, "department": department_pred})


def main(quick: bool = False) -> dict:
    keras.utils.set_random_seed(0)
    model = build_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(3e-3),
        loss={"priority": keras.losses.BinaryCrossentropy(from_logits=True),
              "department": keras.losses.CategoricalCrossentropy(from_logits=True)},
        loss_weights={"priority": 1.0, "department": 0.5},
        metrics={"priority": ["accuracy"], "department": ["accuracy"]},
    )
    x_train, y_train = make_tickets(1600, seed=1)
    x_val, y_val = make_tickets(400, seed=2)
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=6 if quick else 15,
                        batch_size=32, verbose=0)
    scores = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
    predictions = model.predict(x_val, verbose=0)  # a dict, keyed as the outputs

    urgent_rate = float(y_val["priority"].mean())
    department_majority = float(y_val["department"].mean(axis=0).max())
    print(f"logs: {sorted(history.history)}")
    print(f"priority accuracy {scores['priority_accuracy']:.3f} (always the majority: "
          f"{max(urgent_rate, 1 - urgent_rate):.3f})")
    print(f"department accuracy {scores['department_accuracy']:.3f} (majority department: "
          f"{department_majority:.3f})")
    return {"model": model, "scores": scores, "predictions": predictions, "x_val": x_val, "y_val": y_val,
            "priority_baseline": max(urgent_rate, 1 - urgent_rate), "department_baseline": department_majority,
            "history": history.history}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (for the test suite)")
    main(parser.parse_args().quick)
