"""The dataset loaders on small fixture files written in the real formats, in a temporary KERAS_HOME.

Each fixture stands where Keras's download would be (the same name and folder); the loader's expected
hash is set to the fixture's own, so the real code path runs: cache lookup, hash check, extraction,
parsing, shuffling and splitting. Nothing is downloaded: the network is replaced by a refusal.
"""

import gzip
import hashlib
import io
import json
import tarfile
import urllib.error

import numpy as np
import pytest

from neuronet import datasets
from neuronet.utils import file_utils

from test_pickle_reader import py2_cifar_pickle


def sha256(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh KERAS_HOME with a datasets folder, and no network."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    (tmp_path / "keras_home" / "datasets").mkdir(parents=True)

    def offline(*args, **kwargs):
        raise urllib.error.URLError("network is unreachable")
    monkeypatch.setattr("urllib.request.urlopen", offline)
    return tmp_path / "keras_home" / "datasets"


def test_mnist(home, monkeypatch, rng):
    x_train = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)
    x_test = rng.integers(0, 256, (4, 28, 28), dtype=np.uint8)
    y_train, y_test = np.arange(6, dtype=np.uint8), np.arange(4, dtype=np.uint8)
    np.savez(home / "mnist.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    monkeypatch.setattr(datasets.mnist, "FILE_HASH", sha256(home / "mnist.npz"))
    (a, b), (c, d) = datasets.mnist.load_data()
    np.testing.assert_array_equal(a, x_train)
    np.testing.assert_array_equal(b, y_train)
    np.testing.assert_array_equal(c, x_test)
    np.testing.assert_array_equal(d, y_test)


def test_mnist_offline_without_cache_is_one_clear_line(home):
    with pytest.raises(OSError) as info:
        datasets.mnist.load_data()
    message = str(info.value)
    assert "\n" not in message and "mnist.npz" in message and "storage.googleapis.com" in message
    assert str(home) in message and "offline" in message


def test_mnist_cached_file_with_wrong_hash_is_not_used(home):
    np.savez(home / "mnist.npz", x_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(OSError, match="cannot download"):  # Keras's hash does not match: fetch again
        datasets.mnist.load_data()


def _idx(path, array: np.ndarray) -> None:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_fashion_mnist(home, monkeypatch, rng):
    folder = home / "fashion-mnist"
    folder.mkdir()
    arrays = {"train-labels-idx1-ubyte.gz": rng.integers(0, 10, 5), "train-images-idx3-ubyte.gz":
              rng.integers(0, 256, (5, 28, 28)), "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 3),
              "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (3, 28, 28))}
    for name, array in arrays.items():
        _idx(folder / name, array)
    monkeypatch.setattr(datasets.fashion_mnist, "FILE_HASHES",
                        {n: hashlib.md5(open(folder / n, "rb").read()).hexdigest() for n in arrays})
    (x_train, y_train), (x_test, y_test) = datasets.fashion_mnist.load_data()
    assert x_train.shape == (5, 28, 28) and x_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])


def _tar(path, members: dict) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_cifar10(home, monkeypatch, rng):
    batches, members = [], {}
    for i, name in enumerate([f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]):
        data = rng.integers(0, 256, (2, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, 2)]
        batches.append((data, labels))
        members[f"cifar-10-batches-py/{name}"] = py2_cifar_pickle(data, labels)
    members["cifar-10-batches-py/batches.meta"] = b"meta"
    archive = home / "cifar-10-batches-py-target_archive"  # Keras 3's name for the download
    _tar(archive, members)
    monkeypatch.setattr(datasets.cifar10, "FILE_HASH", sha256(archive))
    (x_train, y_train), (x_test, y_test) = datasets.cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and y_train.shape == (10, 1) and x_test.shape == (2, 32, 32, 3)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8 and y_test.dtype == np.uint8
    first = batches[0][0][0].reshape(3, 32, 32).transpose(1, 2, 0)
    np.testing.assert_array_equal(x_train[0], first)  # channels last
    assert y_train.ravel().tolist() == [v for _, labels in batches[:5] for v in labels]
    assert y_test.ravel().tolist() == batches[5][1]
    assert (home / "cifar-10-batches-py-target" / "cifar-10-batches-py" / "data_batch_1").exists()
    datasets.cifar10.load_data()  # a second load reuses the verified extraction


def test_cifar100(home, monkeypatch, rng):
    members = {}
    for name, n in (("train", 3), ("test", 2)):
        data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        members[f"cifar-100-python/{name}"] = py2_cifar_pickle(data, list(range(n)), b"fine_labels").replace(
            b"U\x0bbatch_label", b"U\x0dcoarse_labels").replace(b"U\x15training batch 1 of 5", b"]q\x09(" +
                                                                 b"".join(b"K" + bytes([7]) for _ in range(n)) + b"e")
    archive = home / "cifar-100-python-target_archive"
    _tar(archive, members)
    monkeypatch.setattr(datasets.cifar100, "FILE_HASH", sha256(archive))
    (x_train, y_train), (x_test, y_test) = datasets.cifar100.load_data()
    assert x_train.shape == (3, 32, 32, 3) and y_train.ravel().tolist() == [0, 1, 2]
    (_, coarse), _ = datasets.cifar100.load_data(label_mode="coarse")
    assert coarse.ravel().tolist() == [7, 7, 7]
    with pytest.raises(ValueError, match="label_mode"):
        datasets.cifar100.load_data(label_mode="medium")


def _object_array(seqs):
    out = np.empty(len(seqs), dtype=object)
    out[:] = seqs
    return out


def _reference_sequences(xs, labels, num_words, skip_top, maxlen, start_char, oov_char, index_from):
    """Keras's processing, written out for one split (the shuffling is applied by the caller)."""
    xs = [[start_char] + [w + index_from for w in x] for x in xs]
    if maxlen:
        kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
        xs, labels = [k[0] for k in kept], [k[1] for k in kept]
    return xs, labels


def test_imdb(home, monkeypatch, rng):
    train = [[int(v) for v in rng.integers(1, 30, rng.integers(2, 9))] for _ in range(12)]
    test = [[int(v) for v in rng.integers(1, 30, rng.integers(2, 9))] for _ in range(8)]
    y_train, y_test = rng.integers(0, 2, 12), rng.integers(0, 2, 8)
    np.savez(home / "imdb.npz", x_train=_object_array(train), y_train=y_train, x_test=_object_array(test),
             y_test=y_test)
    monkeypatch.setattr(datasets.imdb, "FILE_HASH", sha256(home / "imdb.npz"))
    (x_train, labels_train), (x_test, labels_test) = datasets.imdb.load_data(num_words=20, skip_top=2, maxlen=9)
    rs = np.random.RandomState(113)
    i_train = np.arange(12)
    rs.shuffle(i_train)
    i_test = np.arange(8)
    rs.shuffle(i_test)
    want_train, want_ytrain = _reference_sequences([train[i] for i in i_train], y_train[i_train].tolist(), 20, 2, 9,
                                                   1, 2, 3)
    want_train = [[w if 2 <= w < 20 else 2 for w in x] for x in want_train]
    assert x_train.dtype == object and [list(x) for x in x_train] == want_train
    assert labels_train.tolist() == want_ytrain
    assert len(x_test) == sum(len(test[i]) + 1 < 9 for i in i_test)
    (plain, _), _ = datasets.imdb.load_data()
    assert plain[0][0] == 1 and plain[0][1:] == [w + 3 for w in train[i_train[0]]]
    (json_path := home / "imdb_word_index.json").write_text(json.dumps({"the": 1, "movie": 2}))
    monkeypatch.setattr(datasets.imdb, "WORD_INDEX_HASH", hashlib.md5(json_path.read_bytes()).hexdigest())
    assert datasets.imdb.get_word_index() == {"the": 1, "movie": 2}
    with pytest.raises(ValueError, match="increase maxlen"):
        datasets.imdb.load_data(maxlen=2)


def test_reuters(home, monkeypatch, rng):
    xs = [[int(v) for v in rng.integers(1, 40, rng.integers(3, 10))] for _ in range(10)]
    ys = rng.integers(0, 46, 10)
    np.savez(home / "reuters.npz", x=_object_array(xs), y=ys)
    monkeypatch.setattr(datasets.reuters, "FILE_HASH", sha256(home / "reuters.npz"))
    (x_train, y_train), (x_test, y_test) = datasets.reuters.load_data(test_split=0.3, oov_char=None, num_words=25)
    order = np.arange(10)
    np.random.RandomState(113).shuffle(order)
    want = [[w for w in [1] + [v + 3 for v in xs[i]] if w < 25] for i in order]
    assert [list(x) for x in x_train] + [list(x) for x in x_test] == want
    assert y_train.tolist() + y_test.tolist() == ys[order].tolist() and len(x_train) == 7
    assert len(datasets.reuters.get_label_names()) == 46 and datasets.reuters.get_label_names()[3] == "earn"


@pytest.mark.parametrize("module, features", [("boston_housing", 13), ("california_housing", 8)])
def test_housing(home, monkeypatch, rng, module, features):
    loader = getattr(datasets, module)
    x, y = rng.normal(size=(50, features)), rng.normal(size=50)
    np.savez(home / f"{module}.npz", x=x, y=y)
    monkeypatch.setattr(loader, "FILE_HASH", sha256(home / f"{module}.npz"))
    (x_train, y_train), (x_test, y_test) = loader.load_data(test_split=0.2, seed=7)
    order = np.arange(50)
    np.random.RandomState(7).shuffle(order)
    np.testing.assert_array_equal(x_train, x[order][:40])
    np.testing.assert_array_equal(y_test, y[order][40:])
    with pytest.raises(ValueError, match="test_split"):
        loader.load_data(test_split=1.0)
    if module == "california_housing":
        (small, _), (small_test, _) = loader.load_data(version="small")
        assert len(small) + len(small_test) == 50  # the first 600 rows (all 50 here)
        with pytest.raises(ValueError, match="version"):
            loader.load_data(version="medium")


def test_keras_reads_the_same_fixtures_the_same_way(home, monkeypatch, rng):
    keras_imdb = pytest.importorskip("keras.src.datasets.imdb")
    train = [[int(v) for v in rng.integers(1, 30, rng.integers(2, 9))] for _ in range(6)]
    np.savez(home / "imdb.npz", x_train=_object_array(train), y_train=rng.integers(0, 2, 6),
             x_test=_object_array(train[::-1]), y_test=rng.integers(0, 2, 6))
    monkeypatch.setattr(datasets.imdb, "FILE_HASH", sha256(home / "imdb.npz"))
    monkeypatch.setattr(keras_imdb, "get_file", lambda *a, **k: str(home / "imdb.npz"))
    for kwargs in (dict(), dict(num_words=15, skip_top=3, maxlen=7), dict(oov_char=None, num_words=10)):
        ours, theirs = datasets.imdb.load_data(**kwargs), keras_imdb.load_data(**kwargs)
        for a, b in zip(ours, theirs):
            assert [list(s) for s in a[0]] == [list(s) for s in b[0]] and a[1].tolist() == b[1].tolist()
    keras_batch = pytest.importorskip("keras.src.datasets.cifar").load_batch  # Keras's restricted unpickler
    (home / "batch").write_bytes(py2_cifar_pickle(rng.integers(0, 256, (3, 3072), dtype=np.uint8), [4, 0, 9]))
    ours, theirs = datasets.cifar.load_batch(str(home / "batch")), keras_batch(str(home / "batch"))
    np.testing.assert_array_equal(ours[0], theirs[0])
    assert list(ours[1]) == list(theirs[1])


def test_get_file_is_exported():
    assert file_utils.get_file is datasets.mnist.get_file
