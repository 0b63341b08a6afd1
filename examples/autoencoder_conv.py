"""A convolutional autoencoder: digits through a 2×2×8 code (32 numbers) made by convolutions and pooling.

Convolutions share their weights across the image, so this autoencoder needs a fraction of the weights
of a dense one: encoder Conv2D → MaxPooling2D → Conv2D → MaxPooling2D (8×8×1 → 2×2×8), decoder
Conv2D → UpSampling2D → Conv2D → UpSampling2D → Conv2D (back to 8×8×1, sigmoid pixels).

Run:  python examples/autoencoder_conv.py [--quick] [--output DIR]
(full: ~30 seconds; --quick: a few seconds.) Saves ``autoencoder_conv.png`` (inputs and reconstructions).
"""

from __future__ import annotations

import numpy as np

import _data
import _output

import neuronet
from neuronet import layers


def build() -> neuronet.Sequential:
    model = neuronet.Sequential([
        layers.Input(shape=(8, 8, 1)),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),                                   # 4×4×16
        layers.Conv2D(8, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2, name="code"),                      # 2×2×8: the code, 32 numbers
        layers.Conv2D(8, 3, padding="same", activation="relu"),
        layers.UpSampling2D(2),                                   # 4×4×8
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.UpSampling2D(2),                                   # 8×8×16
        layers.Conv2D(1, 3, padding="same", activation="sigmoid"),
    ], name="conv_autoencoder")
    model.compile(optimizer=neuronet.optimizers.Adam(learning_rate=0.005), loss="mse")
    return model


def main(argv=None) -> dict:
    args = _output.arguments(__doc__, argv, "fewer epochs (a few seconds)")
    train, test, _, _ = _data.digits()
    train, test = train.reshape(-1, 8, 8, 1), test.reshape(-1, 8, 8, 1)
    epochs = 12 if args.quick else 60
    model = build()
    history = model.fit(train, train, epochs=epochs, batch_size=32, verbose=0, validation_data=(test, test))
    baseline = float(np.mean((test - train.mean(axis=0)) ** 2))
    mse = history.history["val_loss"][-1]
    print(f"code: {model.get_layer('code').compute_output_shape((None, 4, 4, 8))[1:]} = 32 numbers per 64-pixel "
          f"image; {model.count_params()} weights")
    print(f"reconstruction MSE on test digits: {mse:.4f} after {epochs} epochs (predicting the mean image: "
          f"{baseline:.4f}); ratio {mse / baseline:.2f}")
    plt = _output.pyplot()
    if plt is not None:
        rebuilt = model.predict(test[:10], verbose=0)
        fig = _output.image_rows(plt, [test[:10], rebuilt], ["input", "from a 2×2×8 code"])
        _output.save(fig, args.output, "autoencoder_conv.png")
    return {"mse": mse, "baseline": baseline}


if __name__ == "__main__":
    main()
