"""Character-level text generation with an LSTM, trained on a short public-domain text.

The text (``examples/data/public_domain.txt``: the openings of *Pride and Prejudice*, 1813, and *A
Tale of Two Cities*, 1859) is cut into windows of 40 characters; the model reads a window and predicts
the next character (Embedding → LSTM(128) → Dense(vocabulary, softmax), sparse categorical
cross-entropy). Generation then feeds its own samples back, one character at a time. The
temperature divides the log-probabilities before sampling: low is cautious and repetitive, high is
adventurous. With a text this short the model mostly learns to recite and recombine it.

Run:  python examples/text_generation.py [--quick]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import neuronet
from neuronet import layers

WINDOW = 40
TEXT_PATH = Path(__file__).resolve().parent / "data" / "public_domain.txt"


def sample(model, seed: str, index: dict, chars: list, length: int, temperature: float,
           rng: np.random.Generator) -> str:
    """Extend ``seed`` by ``length`` characters drawn from the model at ``temperature``."""
    ids = [index[c] for c in seed]
    out = []
    for _ in range(length):
        with neuronet.no_grad():
            probs = model(np.array([ids[-WINDOW:]])).data[0].astype(np.float64)
        logits = np.log(np.maximum(probs, 1e-12)) / temperature
        p = np.exp(logits - logits.max())
        p /= p.sum()
        nxt = int(rng.choice(len(chars), p=p))
        ids.append(nxt)
        out.append(chars[nxt])
    return "".join(out)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short epoch and a short sample (seconds)")
    args = parser.parse_args(argv)
    neuronet.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    text = " ".join(TEXT_PATH.read_text(encoding="utf-8").split())  # one line, single spaces
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    encoded = np.array([index[c] for c in text])
    stride = 6 if args.quick else 1
    starts = np.arange(0, len(encoded) - WINDOW, stride)
    x = encoded[starts[:, None] + np.arange(WINDOW)[None, :]]
    y = encoded[starts + WINDOW]
    print(f"text: {len(text)} characters, vocabulary of {len(chars)}; {len(x)} training windows of {WINDOW}")

    model = neuronet.Sequential([
        layers.Input(shape=(WINDOW,), dtype="int32"),
        layers.Embedding(len(chars), 24),
        layers.LSTM(128),
        layers.Dense(len(chars), activation="softmax"),
    ])
    model.compile(optimizer=neuronet.optimizers.Adam(learning_rate=0.005), loss="sparse_categorical_crossentropy")
    epochs = 2 if args.quick else 30
    history = model.fit(x, y, epochs=epochs, batch_size=64, verbose=0)
    losses = history.history["loss"]
    print(f"training loss: {losses[0]:.3f} (epoch 1) -> {losses[-1]:.3f} (epoch {epochs}); "
          f"uniform guessing would be {np.log(len(chars)):.3f}")

    seed = text[:WINDOW]
    length = 60 if args.quick else 300
    print(f"seed: {seed!r}")
    for temperature in (0.5, 1.0):
        print(f"sample at temperature {temperature}:")
        print("  " + sample(model, seed, index, chars, length, temperature, rng))


if __name__ == "__main__":
    main()
