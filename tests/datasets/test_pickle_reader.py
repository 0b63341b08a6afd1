"""The closed pickle reader: it rebuilds the data NumPy and Python 2 wrote, and refuses anything else
without running it."""

import os
import pickle
import struct

import numpy as np
import pytest

from neuronet.datasets.npz import load_npz
from neuronet.datasets.pickle_reader import load_pickle_data


def py2_cifar_pickle(data: np.ndarray, labels: list, label_key: bytes = b"labels") -> bytes:
    """A batch written as Python 2's cPickle (protocol 2) wrote CIFAR's: str keys and raw data as
    SHORT_BINSTRING/BINSTRING, the array through numpy.core.multiarray._reconstruct."""
    def s(b: bytes) -> bytes:
        return b"U" + bytes([len(b)]) + b if len(b) < 256 else b"T" + struct.pack("<i", len(b)) + b

    def small(i: int) -> bytes:
        return b"K" + bytes([i]) if i < 256 else b"M" + struct.pack("<H", i)

    out = b"\x80\x02}q\x01("
    out += s(b"batch_label") + s(b"training batch 1 of 5")
    out += s(label_key) + b"]q\x02(" + b"".join(small(int(v)) for v in labels) + b"e"
    out += s(b"data") + b"cnumpy.core.multiarray\n_reconstruct\nq\x03cnumpy\nndarray\nq\x04K\x00\x85U\x01b\x87Rq\x05("
    out += b"K\x01" + small(data.shape[0]) + small(data.shape[1]) + b"\x86"
    out += b"cnumpy\ndtype\nq\x06U\x02u1K\x00K\x01\x87Rq\x07(K\x03U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
    out += b"\x89" + s(np.ascontiguousarray(data, np.uint8).tobytes()) + b"tb"
    out += s(b"filenames") + b"]q\x08(" + b"".join(s(f"img_{i}.png".encode()) for i in range(len(labels))) + b"e"
    return out + b"u."


def test_reads_python2_cifar_batches():
    data = np.arange(4 * 3072, dtype=np.uint32).astype(np.uint8).reshape(4, 3072)
    raw = py2_cifar_pickle(data, [3, 1, 4, 1])
    batch = load_pickle_data(raw)
    assert set(batch) == {b"batch_label", b"labels", b"data", b"filenames"}  # Python 2 str keys read as bytes
    np.testing.assert_array_equal(batch[b"data"], data)
    assert batch[b"labels"] == [3, 1, 4, 1] and batch[b"filenames"][0] == b"img_0.png"
    assert pickle.loads(raw, encoding="bytes")[b"labels"] == [3, 1, 4, 1]  # the fixture is a real pickle


@pytest.mark.parametrize("protocol", range(0, 6))
@pytest.mark.parametrize("value", [
    {"data": np.arange(12, dtype=np.uint8).reshape(3, 4), "labels": [1, 2, 3], "names": [b"a", b"b"]},
    np.array([[1, 2, 3], [4, 5], []], dtype=object),
    np.arange(6, dtype=">i4").reshape(2, 3).T, np.arange(5, dtype=np.float64),
    {"x": (1.5, None, True, "é", 2 ** 70, b"\x00\xff")},
])
def test_reads_what_numpy_and_python3_write(protocol, value):
    got = load_pickle_data(pickle.dumps(value, protocol=protocol))
    if isinstance(value, np.ndarray):
        assert got.dtype == value.dtype and got.shape == value.shape
        for a, b in zip(got.ravel(), value.ravel()):
            assert (a == b) if isinstance(a, list) else np.array_equal(a, b)
    elif "data" in value:
        np.testing.assert_array_equal(got["data"], value["data"])
        assert got["labels"] == value["labels"] and got["names"] == value["names"]
    else:
        assert got == value


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.mark.parametrize("payload", [pickle.dumps(_Evil()), pickle.dumps(_Evil(), protocol=0), pickle.dumps(os.getcwd),
                                     pickle.dumps({1, 2}), pickle.dumps(np.array([_Evil()], dtype=object))])
def test_refuses_code_and_objects(payload):
    with pytest.raises(ValueError) as info:
        load_pickle_data(payload, "t")
    assert str(info.value).startswith("t:") and "\n" not in str(info.value)


@pytest.mark.parametrize("payload", [b"", b"\x80\x02}q\x01", pickle.dumps([1, 2])[:-1], b"garbage",
                                     b"\x80\x02cnumpy\ndtype\nq\x01.", b"\x80\x02]q\x01(K\x01u."])
def test_refuses_malformed_data(payload):
    with pytest.raises(ValueError):
        load_pickle_data(payload)


def test_array_length_is_checked():
    raw = py2_cifar_pickle(np.zeros((2, 3072), np.uint8), [0, 1])
    with pytest.raises(ValueError, match="wrong length"):
        load_pickle_data(raw.replace(b"K\x02M\x00\x0c\x86", b"K\x03M\x00\x0c\x86"))


def test_load_npz_object_arrays(tmp_path):
    seqs = np.empty(3, dtype=object)
    seqs[:] = [[1, 2, 3], [4], [5, 6]]
    np.savez(tmp_path / "d.npz", x=seqs, y=np.array([0, 1, 0]))
    arrays = load_npz(tmp_path / "d.npz")
    assert arrays["x"].tolist() == [[1, 2, 3], [4], [5, 6]] and arrays["y"].tolist() == [0, 1, 0]
    with pytest.raises(ValueError, match="not a valid .npz"):
        (tmp_path / "bad.npz").write_bytes(b"nope")
        load_npz(tmp_path / "bad.npz")
