"""A denoising autoencoder: trained to map noisy digits to clean ones, it removes noise it has never seen.

Each training image gets fresh Gaussian noise (σ = 0.35, pixels clipped to [0, 1]) and the target is the
clean image, so the network cannot copy its input: it has to learn what digits look like. On test
digits with new noise its output is closer to the clean image than the noisy input was.

Run:  python examples/autoencoder_denoising.py [--quick] [--output DIR]
(full: ~30 seconds; --quick: a few seconds.) Saves ``autoencoder_denoising.png`` (noisy, denoised, clean).
"""

from __future__ import annotations

import numpy as np

import _data
import _output

import neuronet
from neuronet import layers

NOISE = 0.35


def noisy(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.clip(x + rng.normal(scale=NOISE, size=x.shape), 0.0, 1.0).astype("float32")


def build() -> neuronet.Sequential:
    model = neuronet.Sequential([layers.Input(shape=(64,)), layers.Dense(128, activation="relu"),
                                 layers.Dense(32, activation="relu"), layers.Dense(128, activation="relu"),
                                 layers.Dense(64, activation="sigmoid")], name="denoiser")
    model.compile(optimizer=neuronet.optimizers.Adam(learning_rate=0.003), loss="mse")
    return model


def main(argv=None) -> dict:
    args = _output.arguments(__doc__, argv, "fewer epochs (a few seconds)")
    rng = np.random.default_rng(0)
    train, test, _, _ = _data.digits()
    epochs = 15 if args.quick else 60
    model = build()
    for _ in range(epochs):  # new noise every epoch: the network never sees the same noisy image twice
        model.fit(noisy(train, rng), train, epochs=1, batch_size=32, verbose=0)
    test_noisy = noisy(test, rng)
    denoised = model.predict(test_noisy, verbose=0)
    before = float(np.mean((test_noisy - test) ** 2))
    after = float(np.mean((denoised - test) ** 2))
    print(f"test digits with new noise (sigma {NOISE}): MSE to the clean image {before:.4f} noisy -> {after:.4f} "
          f"denoised ({before / after:.1f}x closer) after {epochs} epochs")
    plt = _output.pyplot()
    if plt is not None:
        fig = _output.image_rows(plt, [test_noisy[:10], denoised[:10], test[:10]], ["noisy input", "denoised", "clean"])
        _output.save(fig, args.output, "autoencoder_denoising.png")
    return {"noisy": before, "denoised": after}


if __name__ == "__main__":
    main()
