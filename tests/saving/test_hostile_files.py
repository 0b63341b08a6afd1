"""Files built to hurt the loader: each is refused with the library's one-line error, in under 2 s and
200 MB (checked in a child process whose address space is capped at 200 MB), and saves killed at any
moment leave the previous file intact and no temporary file behind."""

import io
import os
import signal
import subprocess
import sys
import textwrap
import zlib

import h5py
import numpy as np
import pytest

from neuronet import saving

from .hostile import ROOT, deflate_bomb, members_of, raw_zip, run_loads, stored, target_model


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    model = target_model()
    model.save(root / "base.keras")
    model.save_weights(root / "base.weights.h5")
    return root


def _h5(change) -> bytes:
    """A Keras-layout weights file of the target model, changed by ``change(h5py.File)``."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        for path, shapes in (("layers/dense/vars", [(4, 8), (8,)]), ("layers/dense_1/vars", [(8, 2), (2,)]),
                             ("layers/batch_normalization/vars", [(8,)] * 4)):
            group = f.require_group(path)
            for i, shape in enumerate(shapes):
                group[str(i)] = np.zeros(shape, "float32")
        f.require_group("vars")
        change(f)
    return buffer.getvalue()


def _keras_with(base, weights: bytes) -> bytes:
    members = [stored(n, d) for n, d in members_of(base / "base.keras") if n != "model.weights.h5"]
    return raw_zip(members + [stored("model.weights.h5", weights)])


def _huge_shape(f):
    del f["layers/dense/vars/0"]
    f["layers/dense/vars"].create_dataset("0", shape=(10**6, 10**6), dtype="float32", chunks=(64, 64),
                                          compression="gzip")


def _chunk_bomb(f):
    del f["layers/dense/vars/0"]
    f["layers/dense/vars"].create_dataset("0", shape=(4, 8), maxshape=(None, None), dtype="float32",
                                          chunks=(20000, 20000), compression="gzip")


def _soft_cycle(f):
    del f["layers/dense"]
    f["layers/dense"] = h5py.SoftLink("/layers")


def _hard_cycle(f):
    del f["layers/dense/vars"]
    f["layers/dense/vars"] = f["layers"]  # a group containing itself, through a hard link


def _external(f):
    del f["layers/dense/vars"]
    f["layers/dense/vars"] = h5py.ExternalLink("/etc/passwd", "/")


def _deep(f):
    group = f["layers/dense/vars"]
    for i in range(300):
        group = group.create_group("d")


def _string_weights(f):
    del f["layers/dense/vars/1"]
    f["layers/dense/vars"].create_dataset("1", data=np.array(["x" * 8] * 8, dtype=h5py.string_dtype()))


def _huge_optimizer(f):
    group = f.require_group("optimizer/vars")
    group.create_dataset("0", data=np.array(3, "int64"))
    group.create_dataset("1", shape=(10**9,), dtype="float32", chunks=(1024,), compression="gzip")


HDF5_CASES = {"huge_shape": _huge_shape, "chunk_bomb": _chunk_bomb, "soft_link_cycle": _soft_cycle,
              "hard_link_cycle": _hard_cycle, "external_link": _external, "deep_groups": _deep,
              "string_weights": _string_weights, "huge_optimizer_variable": _huge_optimizer}


def _zip_cases(base) -> dict:
    config = dict(members_of(base / "base.keras"))["config.json"]
    meta = dict(members_of(base / "base.keras"))["metadata.json"]
    weights = dict(members_of(base / "base.keras"))["model.weights.h5"]
    bomb = deflate_bomb(1)  # ~1 MB inflating to 1 GiB
    honest = ("model.weights.h5", bomb, 8, 1 << 30, 0)
    lying_small = ("model.weights.h5", bomb, 8, len(weights), zlib.crc32(weights))  # inflates far past that
    lying_big = ("model.weights.h5", weights, 0, 0xFFFFFFF0, zlib.crc32(weights))  # 4 GiB, stored in KB
    return {
        "zip_bomb_weights": raw_zip([stored("metadata.json", meta), stored("config.json", config), honest]),
        "zip_bomb_config": raw_zip([stored("metadata.json", meta), ("config.json", bomb, 8, 1 << 30, 0),
                                    stored("model.weights.h5", weights)]),
        "lying_size_small": raw_zip([stored("metadata.json", meta), stored("config.json", config), lying_small]),
        "lying_size_big": raw_zip([stored("metadata.json", meta), stored("config.json", config), lying_big]),
        "lying_crc": raw_zip([stored("metadata.json", meta), stored("config.json", config),
                              ("model.weights.h5", weights, 0, len(weights), 12345)]),
        "json_depth_bomb": raw_zip([stored("metadata.json", meta), stored("config.json", b"[" * 500000),
                                    stored("model.weights.h5", weights)]),
    }


def _check(records, names):
    """The first file is a valid one (it loads in the limited child); every other one is refused."""
    assert [os.path.basename(r["path"]) for r in records] == names
    assert records[0]["outcome"] == "ok", records[0]
    for record in records[1:]:
        assert record["outcome"] == "error", record
        assert record["seconds"] < 2.0, record


def test_hostile_keras_archives_are_refused_quickly_within_200_mb(base, tmp_path):
    paths = [base / "base.keras"]
    for name, data in _zip_cases(base).items():
        paths.append(tmp_path / f"{name}.keras")
        paths[-1].write_bytes(data)
    for name, change in HDF5_CASES.items():
        paths.append(tmp_path / f"{name}.keras")
        paths[-1].write_bytes(_keras_with(base, _h5(change)))
    records = run_loads(paths, "model")
    _check(records, [p.name for p in paths])
    assert max(r["maxrss_mb"] for r in records) < 200


def test_hostile_weight_files_are_refused_quickly_within_200_mb(base, tmp_path):
    paths = [base / "base.weights.h5"]
    for name, change in HDF5_CASES.items():
        paths.append(tmp_path / f"{name}.weights.h5")
        paths[-1].write_bytes(_h5(change))
    bomb = np.savez  # an .npz whose array header declares 8 GB
    buffer = io.BytesIO()
    bomb(buffer, a=np.zeros(3, "float32"))
    npz = buffer.getvalue().replace(b"'shape': (3,)", b"'shape': (2000000000,)")
    (tmp_path / "shape_bomb.npz").write_bytes(npz)
    paths.append(tmp_path / "shape_bomb.npz")
    legacy = io.BytesIO()
    with h5py.File(legacy, "w") as f:
        f.attrs["layer_names"] = np.array([b"dense"], dtype="S5")
        f.create_group("dense").attrs["weight_names"] = np.array([("a/" * 200 + "k").encode()])
    (tmp_path / "deep_names.h5").write_bytes(legacy.getvalue())
    paths.append(tmp_path / "deep_names.h5")
    records = run_loads(paths, "weights")
    _check(records, [p.name for p in paths])


KILL = textwrap.dedent('''
    import os, signal, sys
    import numpy as np
    from neuronet import layers as L, saving
    from neuronet.models import Input, Sequential
    from neuronet.saving import files

    path, named = sys.argv[1], sys.argv[2] == "named"
    if named:
        files._open_unnamed = lambda directory, mode: None  # as on a file system without O_TMPFILE
    model = Sequential([Input(shape=(4,)), L.Dense(3, kernel_initializer="ones"), L.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    real = files.atomic_write

    def dying(target, write):
        def half(f):
            data = __import__("io").BytesIO()
            write(data)
            f.write(data.getvalue()[: len(data.getvalue()) // 2])
            f.flush()
            os.kill(os.getpid(), signal.SIGKILL)  # killed in the middle of writing the new file
        real(target, half)

    files.atomic_write = dying
    (model.save if path.endswith(".keras") else model.save_weights)(path)
''')


@pytest.mark.parametrize("name", ["m.keras", "m.weights.h5", "m.weights.safetensors"])
@pytest.mark.parametrize("strategy", ["unnamed", "named"])
def test_a_save_killed_midway_leaves_the_previous_file_and_no_temporary_file(tmp_path, name, strategy):
    old = target_model()
    path = tmp_path / name
    (old.save if name.endswith(".keras") else old.save_weights)(path)
    before = path.read_bytes()
    child = subprocess.run([sys.executable, "-c", KILL, str(path), strategy], capture_output=True, text=True,
                           timeout=120, cwd=ROOT)
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    assert path.read_bytes() == before
    left = sorted(p.name for p in tmp_path.iterdir())
    if strategy == "unnamed":
        assert left == [name]  # the unnamed file died with the process
    else:
        assert len(left) == 2 and left[0].endswith(".tmp")  # named strategy: cleaned by the next save
        (old.save if name.endswith(".keras") else old.save_weights)(path)
        assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    if name.endswith(".keras"):
        np.testing.assert_array_equal(saving.load_model(path).get_weights()[0], old.get_weights()[0])
