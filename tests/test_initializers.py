import numpy as np
import pytest

import neuronet as nn
from neuronet import initializers


@pytest.mark.parametrize("name, scale, mode", [
    ("glorot_uniform", 1.0, "fan_avg"), ("glorot_normal", 1.0, "fan_avg"),
    ("he_uniform", 2.0, "fan_in"), ("he_normal", 2.0, "fan_in"),
    ("lecun_uniform", 1.0, "fan_in"), ("lecun_normal", 1.0, "fan_in"),
])
def test_variance_scaling_family_has_keras_variance(name, scale, mode):
    shape = (400, 300)
    w = initializers.get(name)(shape)
    fan_in, fan_out = shape
    n = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2}[mode]
    assert w.dtype == np.float32 and w.shape == shape
    assert abs(w.mean()) < 0.01
    np.testing.assert_allclose(w.var(), scale / n, rtol=0.05)


def test_glorot_uniform_limit():
    w = initializers.GlorotUniform()((50, 30))
    assert np.abs(w).max() <= np.sqrt(6 / 80) + 1e-7


def test_conv_kernel_fans_include_the_receptive_field():
    w = initializers.HeNormal()((3, 3, 16, 32))
    np.testing.assert_allclose(w.var(), 2.0 / (3 * 3 * 16), rtol=0.1)


def test_truncated_normal_stays_within_two_stddevs():
    w = initializers.TruncatedNormal(stddev=0.5)((10000,))
    assert np.abs(w).max() <= 1.0


def test_orthogonal_columns_are_orthonormal():
    for shape in [(8, 8), (10, 4), (4, 10)]:
        w = initializers.Orthogonal(gain=2.0)(shape).astype(np.float64)
        if shape[0] >= shape[1]:
            np.testing.assert_allclose(w.T @ w, 4.0 * np.eye(shape[1]), atol=1e-5)
        else:
            np.testing.assert_allclose(w @ w.T, 4.0 * np.eye(shape[0]), atol=1e-5)


def test_constant_zeros_ones_and_aliases():
    assert initializers.get("zeros")((2,)).tolist() == [0, 0]
    assert initializers.get("ones")((2,)).tolist() == [1, 1]
    assert initializers.Constant(3.5)((2,)).tolist() == [3.5, 3.5]
    assert isinstance(initializers.get("uniform"), initializers.RandomUniform)
    assert isinstance(initializers.get("normal"), initializers.RandomNormal)


def test_set_random_seed_makes_draws_repeat():
    nn.utils.set_random_seed(7)
    a = initializers.get("glorot_uniform")((3, 4))
    nn.utils.set_random_seed(7)
    b = initializers.get("glorot_uniform")((3, 4))
    np.testing.assert_array_equal(a, b)


def test_seeded_initializer_repeats_without_global_seed():
    init = initializers.RandomNormal(seed=3)
    np.testing.assert_array_equal(init((5,)), init((5,)))


def test_dtype_follows_floatx(float64):
    assert initializers.get("he_uniform")((3, 3)).dtype == np.float64


def test_unknown_name_lists_valid_names_and_closest():
    with pytest.raises(ValueError, match=r"Unknown initializer 'glorot_unifrom' \(did you mean 'glorot_uniform'\?\)"):
        initializers.get("glorot_unifrom")


def test_bad_hyperparameters_are_refused():
    with pytest.raises(ValueError, match="stddev must be >= 0, received -1"):
        initializers.RandomNormal(stddev=-1)
    with pytest.raises(ValueError, match="mode must be"):
        initializers.VarianceScaling(mode="fan_sideways")
    with pytest.raises(ValueError, match="rank >= 2"):
        initializers.Orthogonal()((5,))


def test_serialize_round_trip():
    init = initializers.RandomUniform(-0.2, 0.3, seed=1)
    again = initializers.deserialize(initializers.serialize(init))
    np.testing.assert_array_equal(init((4,)), again((4,)))
    with pytest.raises(ValueError, match="unknown class_name"):
        initializers.deserialize({"class_name": "os.system", "config": {}})
