"""The hashes behind Hashing/HashedCrossing/lookup OOV buckets equal TensorFlow's (values from TF 2.21)."""

import pytest

from neuronet.layers.preprocessing.hash_functions import fingerprint64, fingerprint_cat64, siphash64

STRINGS = [b"", b"a", b"abcd", b"hello world", b"0123456789abcdefghij", b"x" * 50, bytes(range(100)),
           "é∑".encode()]
# tf.fingerprint (FarmHash Fingerprint64) of STRINGS
TF_FINGERPRINTS = [11160318154034397263, 12917804110809363939, 1897425971756105985, 6381520714923946011,
                   431701769709949819, 4607997358663321893, 4395248839964844437, 7332241833500628202]
# tf.strings.to_hash_bucket_strong(STRINGS, 1000003, key=[7, 11])
TF_STRONG = [360241, 54883, 13455, 91564, 141672, 719531, 542020, 175895]


def test_fingerprint64_equals_tensorflow():
    assert [fingerprint64(s) for s in STRINGS] == TF_FINGERPRINTS


def test_siphash_equals_tensorflow_strong_buckets():
    assert [siphash64([7, 11], s) % 1000003 for s in STRINGS] == TF_STRONG


def test_cross_hash_equals_tensorflow_cross_hashed():
    # tf.sparse.cross_hashed([["a"], ["b"]], [[1], [-2]], [["c"], ["d"]], num_buckets=1000003)
    def cross(a, b, c):
        h = fingerprint_cat64(0xDECAFCAFFE, fingerprint64(a))
        h = fingerprint_cat64(h, b & 0xFFFFFFFFFFFFFFFF)
        return fingerprint_cat64(h, fingerprint64(c)) % 1000003
    assert [cross(b"a", 1, b"c"), cross(b"b", -2, b"d")] == [19857, 416991]


@pytest.mark.parametrize("n", [0, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 300])
def test_all_length_branches_against_tensorflow(n):
    tf = pytest.importorskip("tensorflow")
    data = bytes((i * 37 + n) % 256 for i in range(n))
    want = int.from_bytes(bytes(tf.fingerprint(tf.constant([data])).numpy()[0]), "little")
    assert fingerprint64(data) == want
    assert siphash64([3, 5], data) % 999983 == int(tf.strings.to_hash_bucket_strong([data], 999983, key=[3, 5])[0])
