"""A convolutional network on scikit-learn's 8×8 handwritten digits.

The guide's CNN, "specialized for image processing, with convolutional layers that capture spatial
hierarchies": two Conv2D + MaxPooling2D stages find strokes and then stroke combinations, a Dense
head classifies them. Trains in seconds on a CPU and prints the test accuracy and the confusion
matrix (rows: true digit, columns: predicted digit).

Usage::

    python examples/cnn_digits.py            # full run (about 98 % test accuracy)
    python examples/cnn_digits.py --quick    # fewer epochs, for the test suite
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import neuronet as keras
from neuronet import layers


def build_model() -> keras.Sequential:
    return keras.Sequential([
        layers.Input(shape=(8, 8, 1)),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),                                   # 8×8 → 4×4
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),                                   # 4×4 → 2×2
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dropout(0.3),
        layers.Dense(10, activation="softmax"),
    ])


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n: int = 10) -> np.ndarray:
    matrix = np.zeros((n, n), dtype=int)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def main() -> None:
    parser = argparse.ArgumentParser(description="Train a small convnet on the 8x8 digits.")
    parser.add_argument("--quick", action="store_true", help="fewer epochs (for tests)")
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args()
    epochs = args.epochs or (6 if args.quick else 25)

    keras.utils.set_random_seed(42)
    digits = load_digits()
    x = (digits.images / 16.0).astype("float32")[..., None]      # (1797, 8, 8, 1), pixels in [0, 1]
    y = digits.target
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=42, stratify=y)

    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
    seconds = time.perf_counter() - start
    y_pred = model.predict(x_test, verbose=0).argmax(axis=1)
    accuracy = float((y_pred == y_test).mean())
    print(f"trained {epochs} epochs on {len(x_train)} images in {seconds:.1f} s")
    print(f"test accuracy: {accuracy:.4f} ({int((y_pred == y_test).sum())}/{len(y_test)})")
    print("confusion matrix (rows: true digit, columns: predicted):")
    matrix = confusion_matrix(y_test, y_pred)
    print("      " + " ".join(f"{d:3d}" for d in range(10)))
    for d, row in enumerate(matrix):
        print(f"  {d:2d}  " + " ".join(f"{v:3d}" for v in row))


if __name__ == "__main__":
    main()
