"""Text classification from raw strings with ``TextVectorization``, as in Keras's "Text classification
from scratch" example (there on IMDB; here on short reviews this script writes into a folder).

1. ``keras.utils.text_dataset_from_directory`` reads ``reviews/{neg,pos}/*.txt`` into a dataset of
   batches ``(texts, labels)``.
2. A ``TextVectorization`` layer learns the vocabulary with ``adapt`` on the training texts only
   (``raw_train_ds.map(lambda x, y: x)``).
3. The model takes raw strings: ``Input(shape=(1,), dtype="string")`` → the vectorize layer →
   Embedding → GlobalAveragePooling1D → Dense (the example's "option 1: make it part of the model"),
   and ``fit``/``evaluate`` read the raw text datasets directly.
4. ``predict`` then classifies new raw strings.

Usage::

    python examples/text_classifier_strings.py            # full run
    python examples/text_classifier_strings.py --quick    # fewer epochs, for the test suite
"""

from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np

import neuronet as keras
from neuronet import layers

POSITIVE = ["great", "wonderful", "moving", "brilliant", "funny", "superb", "touching", "enjoyable", "beautiful",
            "gripping"]
NEGATIVE = ["boring", "awful", "dull", "terrible", "predictable", "clumsy", "tedious", "bland", "painful", "weak"]
NEUTRAL = ["the", "film", "movie", "plot", "actors", "story", "was", "and", "a", "with", "its", "scenes", "ending",
           "director", "cast", "music", "this", "really", "quite", "rather", "i", "found", "it"]


def write_reviews(root: str, n: int = 600, seed: int = 0) -> None:
    """Short reviews: neutral words with a few sentiment words (and some of the other kind, as noise)."""
    rng = np.random.default_rng(seed)
    for label, own, other in (("pos", POSITIVE, NEGATIVE), ("neg", NEGATIVE, POSITIVE)):
        os.makedirs(os.path.join(root, label), exist_ok=True)
        for i in range(n // 2):
            words = list(rng.choice(NEUTRAL, rng.integers(6, 14)))
            words += list(rng.choice(own, rng.integers(1, 4)))
            if rng.random() < 0.3:
                words.append(str(rng.choice(other)))
            rng.shuffle(words)
            text = " ".join(words).capitalize() + rng.choice([".", "!", "..."])
            with open(os.path.join(root, label, f"{i}.txt"), "w") as f:
                f.write(text)


def main(quick: bool = False) -> dict:
    keras.utils.set_random_seed(0)
    with tempfile.TemporaryDirectory() as root:
        write_reviews(root)
        return train_and_classify(root, quick)


def train_and_classify(root: str, quick: bool) -> dict:
    """The example proper, on the review folder ``root``."""
    raw_train_ds, raw_val_ds = keras.utils.text_dataset_from_directory(
        root, batch_size=32, validation_split=0.25, subset="both", seed=1337, verbose=False)

    max_features, sequence_length = 200, 20
    vectorize_layer = layers.TextVectorization(max_tokens=max_features, output_mode="int",
                                               output_sequence_length=sequence_length)
    text_ds = raw_train_ds.map(lambda x, y: x)  # the texts only, no labels
    vectorize_layer.adapt(text_ds)

    text_input = keras.Input(shape=(1,), dtype="string", name="text")
    x = vectorize_layer(text_input)
    x = layers.Embedding(max_features, 16)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dense(16, activation="relu")(x)
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
    model = keras.Model(text_input, predictions)
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])

    model.fit(raw_train_ds, validation_data=raw_val_ds, epochs=15 if quick else 30, verbose=0)
    _, val_accuracy = model.evaluate(raw_val_ds, verbose=0)

    examples = keras.ops.convert_to_tensor(["A wonderful and moving film, the cast was superb!",
                                            "Boring plot and a predictable, tedious ending."])
    scores = model.predict(examples, verbose=0).ravel()
    val_labels = np.concatenate([labels for _, labels in raw_val_ds])
    majority = max(val_labels.mean(), 1 - val_labels.mean())
    print(f"vocabulary size: {vectorize_layer.vocabulary_size()} (first: {vectorize_layer.get_vocabulary()[:5]})")
    print(f"validation accuracy: {val_accuracy:.3f} (majority class: {majority:.3f})")
    print(f"scores for raw strings: {np.round(scores, 3).tolist()}")
    return {"val_accuracy": float(val_accuracy), "majority": float(majority), "scores": scores,
            "vectorize_layer": vectorize_layer, "model": model}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (for the test suite)")
    main(parser.parse_args().quick)
