"""Fuzzing the readers: thousands of damaged ``.keras`` and ``.weights.h5`` files, each loaded in a
child process capped at 200 MB of address space, must load cleanly or raise the library's own one-line
error naming the file — never another exception, a crash, a MemoryError or more than 2 s.

Mutations: random byte changes, truncations, insertions, zeroed and duplicated ranges — applied to a
``.weights.h5`` file directly, and to the members of a ``.keras`` archive (the HDF5 weights, config.json,
metadata.json) with the archive rebuilt around them with valid CRCs so the damage reaches the HDF5 and
JSON readers; a share of the mutants damage the zip bytes themselves.

``make test`` runs a quick slice (NEURONET_FUZZ_MUTANTS, default 120 per kind); the full run is
``NEURONET_FUZZ_MUTANTS=5000 pytest tests/saving/test_fuzz.py -s`` (it prints the counts).
"""

import collections
import os
import random

import pytest


from .hostile import members_of, raw_zip, run_loads, stored, target_model

MUTANTS = int(os.environ.get("NEURONET_FUZZ_MUTANTS", "120"))


def _mutate(data: bytes, pick: random.Random) -> bytes:
    data = bytearray(data)
    kind = pick.randrange(6)
    if kind == 0:  # a few bytes changed
        for _ in range(pick.randint(1, 16)):
            data[pick.randrange(len(data))] = pick.randrange(256)
    elif kind == 1:  # truncated
        del data[pick.randrange(len(data)):]
    elif kind == 2:  # bytes inserted
        at = pick.randrange(len(data))
        data[at:at] = bytes(pick.randrange(256) for _ in range(pick.randint(1, 64)))
    elif kind == 3:  # a range zeroed
        at = pick.randrange(len(data))
        data[at:at + pick.randint(1, 512)] = bytes(min(512, len(data) - at))
    elif kind == 4:  # a range copied over another (plausible structure in the wrong place)
        a, b = pick.randrange(len(data)), pick.randrange(len(data))
        n = pick.randint(8, 256)
        data[b:b + n] = data[a:a + n]
    else:  # one bit flipped
        at = pick.randrange(len(data))
        data[at] ^= 1 << pick.randrange(8)
    return bytes(data)


def _summary(records) -> collections.Counter:
    return collections.Counter(r["outcome"] for r in records)


def _assert_clean(records, kind):
    bad = [r for r in records if r["outcome"] not in ("ok", "error") or (r["seconds"] or 0) >= 2.0]
    counts = _summary(records)
    slowest = max((r["seconds"] or 0) for r in records)
    print(f"\nfuzz {kind}: {len(records)} mutants: {dict(counts)}; slowest load {slowest:.3f} s")
    assert not bad, bad[:5]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    model = target_model()
    model.save(root / "seed.keras")
    model.save_weights(root / "seed.weights.h5")
    return root


def test_fuzzed_weight_files(seeds, tmp_path):
    data = (seeds / "seed.weights.h5").read_bytes()
    pick = random.Random(12)
    paths = []
    for i in range(MUTANTS):
        path = tmp_path / f"m{i}.weights.h5"
        path.write_bytes(_mutate(data, pick))
        paths.append(path)
    _assert_clean(run_loads(paths, "weights", timeout=60 + MUTANTS), "weights.h5")


def test_fuzzed_keras_archives(seeds, tmp_path):
    members = members_of(seeds / "seed.keras")
    raw = (seeds / "seed.keras").read_bytes()
    pick = random.Random(34)
    paths = []
    for i in range(MUTANTS):
        roll = pick.random()
        if roll < 0.1:  # the zip's own bytes
            data = _mutate(raw, pick)
        else:  # one member damaged, the archive rebuilt around it with valid CRCs
            target = "model.weights.h5" if roll < 0.75 else "config.json" if roll < 0.95 else "metadata.json"
            data = raw_zip([stored(name, _mutate(content, pick) if name == target else content)
                            for name, content in members])
        path = tmp_path / f"m{i}.keras"
        path.write_bytes(data)
        paths.append(path)
    _assert_clean(run_loads(paths, "model", timeout=60 + MUTANTS), ".keras")
