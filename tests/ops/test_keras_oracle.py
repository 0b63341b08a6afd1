"""The keras.ops functions of tests/ops/keras_cases.py give the same values as real Keras 3 on its NumPy
backend (run where Keras is installed, the benchmark venv, with ``KERAS_BACKEND=numpy``; Keras's other
backends disagree with it on a few of these — vstack of vectors, adaptive pooling, sobel padding,
map_coordinates modes, lu_factor pivots, empty segment_max — so the oracle is the NumPy one).

sparsemax is compared only where Keras's implementation is right (a support of one entry): for larger
supports Keras's threshold sums the running sums, so its outputs do not sum to 1; neuronet follows the
definition (Martins & Astudillo 2016), tested in test_keras_names.py."""

import numpy as np
import pytest

from .keras_cases import CASES

keras = pytest.importorskip("keras")
if keras.backend.backend() != "numpy":
    pytest.skip("the oracle is Keras's NumPy backend: run with KERAS_BACKEND=numpy", allow_module_level=True)


def _numpy(value, from_keras: bool):
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _numpy(item, from_keras)]
    if from_keras:
        return [np.asarray(keras.ops.convert_to_numpy(value))]
    return [np.asarray(value.data if hasattr(value, "requires_grad") else value)]


@pytest.mark.parametrize("name", [name for name, _ in CASES])
def test_same_values_as_keras(name):
    from neuronet import ops

    call = dict(CASES)[name]
    ours, theirs = _numpy(call(ops), False), _numpy(call(keras.ops), True)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape
        if a.dtype.kind in "biu" or b.dtype.kind in "biu":
            np.testing.assert_array_equal(a.astype(np.float64), b.astype(np.float64))
        else:
            np.testing.assert_allclose(a.astype(np.complex128), b.astype(np.complex128), rtol=2e-4, atol=2e-5)
