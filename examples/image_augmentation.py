"""An image classifier with data augmentation layers, in the shape of Keras's "Image classification from
scratch" example (there: cats and dogs from a folder of JPEGs; here: scikit-learn's 8×8 digits).

The augmentation is a ``Sequential`` of random layers placed at the start of the model: they transform
every training batch anew (active in ``fit`` only; ``predict`` and ``evaluate`` see the images as
they are). ``Rescaling`` maps the pixel values 0-16 to [0, 1] inside the model. The script trains the
same convnet with and without augmentation on a small training set (300 images) and prints both
test accuracies.

Usage::

    python examples/image_augmentation.py            # full run
    python examples/image_augmentation.py --quick    # fewer epochs, for the test suite
"""

from __future__ import annotations

import argparse

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import neuronet as keras
from neuronet import layers


def make_model(augment: bool) -> keras.Model:
    data_augmentation = keras.Sequential([
        layers.RandomRotation(0.03, fill_mode="constant", seed=1),
        layers.RandomZoom(0.05, fill_mode="constant", seed=2),
        layers.RandomTranslation(0.06, 0.06, fill_mode="constant", seed=3),
    ], name="data_augmentation")
    inputs = keras.Input(shape=(8, 8, 1))
    x = data_augmentation(inputs) if augment else inputs
    x = layers.Rescaling(1.0 / 16)(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def main(quick: bool = False) -> dict:
    keras.utils.set_random_seed(0)
    digits = load_digits()
    x = digits.images[..., None].astype("float32")
    x_train, x_test, y_train, y_test = train_test_split(x, digits.target, train_size=300, random_state=0,
                                                        stratify=digits.target)
    results = {}
    for augment in (False, True):
        model = make_model(augment)
        model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(x_train, y_train, epochs=30 if quick else 80, batch_size=32, verbose=0)
        _, accuracy = model.evaluate(x_test, y_test, verbose=0)
        results["augmented" if augment else "plain"] = float(accuracy)
        if augment:
            results["model"] = model
    print(f"test accuracy without augmentation: {results['plain']:.3f}")
    print(f"test accuracy with augmentation:    {results['augmented']:.3f}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (for the test suite)")
    main(parser.parse_args().quick)
