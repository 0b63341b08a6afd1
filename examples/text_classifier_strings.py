"""Text classification from raw strings with ``TextVectorization``, as in Keras's "Text classification
from scratch" example (there on IMDB; here on short reviews this script writes into a folder).

1. ``keras.utils.text_dataset_from_directory`` reads ``reviews/{neg,pos}/*.txt`` into batches of
   (texts, labels).
2. A ``TextVectorization`` layer learns the vocabulary with ``adapt`` on the training texts only.
3. The texts are vectorized into padded index sequences, and an Embedding → GlobalAveragePooling1D →
   Dense model is trained on them (neuronet's ``fit`` does not take string arrays yet, so the
   vectorizing runs before the model, as in the example's "option 2").
4. An end-to-end model ``Sequential([vectorize_layer, model])`` then classifies raw strings.

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
        raw_train_ds, raw_val_ds = keras.utils.text_dataset_from_directory(
            root, batch_size=32, validation_split=0.25, subset="both", seed=1337, verbose=False)
        train_texts = np.concatenate([texts for texts, _ in raw_train_ds])
        train_labels = np.concatenate([labels for _, labels in raw_train_ds])
        val_texts = np.concatenate([texts for texts, _ in raw_val_ds])
        val_labels = np.concatenate([labels for _, labels in raw_val_ds])

    max_features, sequence_length = 200, 20
    vectorize_layer = layers.TextVectorization(max_tokens=max_features, output_mode="int",
                                               output_sequence_length=sequence_length)
    vectorize_layer.adapt(train_texts)

    model = keras.Sequential([
        keras.Input(shape=(sequence_length,), dtype="int64"),
        layers.Embedding(max_features, 16),
        layers.GlobalAveragePooling1D(),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    x_train, x_val = vectorize_layer(train_texts).numpy(), vectorize_layer(val_texts).numpy()
    model.fit(x_train, train_labels, validation_data=(x_val, val_labels), epochs=15 if quick else 30, verbose=0)
    _, val_accuracy = model.evaluate(x_val, val_labels, verbose=0)

    end_to_end = keras.Sequential([vectorize_layer, model])
    examples = np.array(["A wonderful and moving film, the cast was superb!",
                         "Boring plot and a predictable, tedious ending."])
    scores = end_to_end(examples).numpy().ravel()
    majority = max(val_labels.mean(), 1 - val_labels.mean())
    print(f"vocabulary size: {vectorize_layer.vocabulary_size()} (first: {vectorize_layer.get_vocabulary()[:5]})")
    print(f"validation accuracy: {val_accuracy:.3f} (majority class: {majority:.3f})")
    print(f"end-to-end scores for raw strings: {np.round(scores, 3).tolist()}")
    return {"val_accuracy": float(val_accuracy), "majority": float(majority), "scores": scores,
            "vectorize_layer": vectorize_layer}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (for the test suite)")
    main(parser.parse_args().quick)
