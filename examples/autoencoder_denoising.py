"""A denoising autoencoder: trained to map noisy digits to clean ones, it removes noise it has never seen.

Each training image gets fresh Gaussian noise (σ = 0.35, pixels clipped to [0, 1]) and the target is the
clean image, so the network cannot copy its input: it has to learn what digits look like. On test
digits with new noise its output is closer to the clean image than the noisy input was.

Run:  python examples/autoencoder_denoising.py [--quick] [--output DIR]
(full: ~30 seconds; --quick: a few seconds.) Saves ``autoencoder_denoising.png`` (noisy, denoised, clean).
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.datasets import load_digits

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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (a few seconds)")
    _output.add_argument(parser)
    args = parser.parse_args(argv)
    neuronet.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = (load_digits().data / 16.0).astype("float32")
    order = rng.permutation(len(x))
    train, test = x[order[:1400]], x[order[1400:]]
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
        fig, grid = plt.subplots(3, 10, figsize=(10, 3.3))
        for i in range(10):
            for row, image in enumerate((test_noisy[i], denoised[i], test[i])):
                grid[row, i].imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
                grid[row, i].axis("off")
        for row, label in enumerate(("noisy input", "denoised", "clean")):
            grid[row, 0].set_title(label, loc="left", fontsize="small")
        _output.save(fig, args.output, "autoencoder_denoising.png")
    return {"noisy": before, "denoised": after}


if __name__ == "__main__":
    main()
