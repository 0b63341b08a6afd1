"""neuronet.random: Keras 3's draws and SeedGenerator — seeding semantics, values equal to Keras's NumPy
backend, shapes/dtypes, gradients through the reparameterisation, state saved with a model, errors."""

import numpy as np
import pytest

import neuronet
from neuronet import layers, ops
from neuronet import random as nr
from neuronet.autograd import gradcheck

# Values printed by keras.random under KERAS_BACKEND=numpy (Keras 3.15): the draws are the same.
KERAS_NORMAL_SEED42 = [[0.3047171, -1.0399841, 0.7504512], [0.9405647, -1.9510351, -1.3021795]]
KERAS_SEEDGEN_1337 = [[0.03826822, 0.47393644], [-0.47978792, 1.9423004]]


def test_values_equal_keras_numpy_backend():
    np.testing.assert_allclose(nr.normal((2, 3), seed=42).data, KERAS_NORMAL_SEED42, rtol=1e-6)
    gen = nr.SeedGenerator(1337)
    np.testing.assert_allclose(nr.normal((2,), seed=gen).data, KERAS_SEEDGEN_1337[0], rtol=1e-6)
    np.testing.assert_allclose(nr.normal((2,), seed=gen).data, KERAS_SEEDGEN_1337[1], rtol=1e-6)
    assert gen.state.data.tolist() == [1337, 2]
    assert nr.randint((3,), 0, 10, seed=1).data.tolist() == [4, 5, 7]
    assert nr.categorical(np.zeros((2, 4)), 3, seed=2).data.tolist() == [[1, 1, 3], [0, 2, 2]]
    np.testing.assert_allclose(nr.gamma((3,), 2.0, seed=1).data, [2.1538074, 2.1306903, 3.129989], rtol=1e-6)
    np.testing.assert_allclose(nr.beta((2,), 2.0, 3.0, seed=1).data, [0.39905348, 0.62444794], rtol=1e-6)
    assert nr.binomial((2,), 10, 0.5, seed=1).data.tolist() == [5.0, 8.0]
    np.testing.assert_allclose(nr.truncated_normal((5,), seed=1).data,
                               [0.34558418, 0.82161814, 0.33043706, -1.3031572, 0.9053559], rtol=1e-6)
    assert nr.dropout(np.ones((2, 4)), 0.5, seed=1).data.tolist() == [[0, 0, 2, 0], [2, 2, 0, 2]]


@pytest.mark.parametrize("draw", [
    lambda s: nr.normal((3, 4), seed=s), lambda s: nr.uniform((5,), -2, 3, seed=s),
    lambda s: nr.truncated_normal((7,), 1.0, 0.5, seed=s), lambda s: nr.randint((4,), 0, 100, seed=s),
    lambda s: nr.categorical(np.log([[0.2, 0.8], [0.5, 0.5]]), 5, seed=s),
    lambda s: nr.shuffle(np.arange(10), seed=s), lambda s: nr.gamma((4,), 1.5, seed=s),
    lambda s: nr.beta((4,), 0.5, 2.0, seed=s), lambda s: nr.binomial((4,), 20, 0.3, seed=s),
    lambda s: nr.dropout(np.ones((3, 3)), 0.3, seed=s),
])
def test_int_seed_is_stateless_and_generator_advances(draw):
    a, b = draw(7).data, draw(7).data
    np.testing.assert_array_equal(a, b)  # an int seed: the same values every call
    gen = nr.SeedGenerator(7)
    c, d = draw(gen).data, draw(gen).data
    np.testing.assert_array_equal(c, a)  # a generator's first draw is the int seed's draw
    assert gen.state.data.tolist() == [7, 2]
    if a.size > 2:
        assert not np.array_equal(c, d)
    gen2 = nr.SeedGenerator(7)
    np.testing.assert_array_equal(draw(gen2).data, c)  # the same stream from the same seed


def test_seed_none_follows_set_random_seed():
    neuronet.utils.set_random_seed(5)
    a = nr.normal((4,)).data
    neuronet.utils.set_random_seed(5)
    np.testing.assert_array_equal(nr.normal((4,)).data, a)
    assert not np.array_equal(nr.normal((4,)).data, a)


def test_distributions_statistics():
    x = nr.normal((20000,), mean=3.0, stddev=2.0, seed=1).data
    assert abs(x.mean() - 3.0) < 0.05 and abs(x.std() - 2.0) < 0.05
    u = nr.uniform((20000,), -1.0, 3.0, seed=1).data
    assert u.min() >= -1.0 and u.max() < 3.0 and abs(u.mean() - 1.0) < 0.05
    t = nr.truncated_normal((20000,), 1.0, 0.5, seed=1).data
    assert t.min() >= 0.0 and t.max() <= 2.0 and abs(t.mean() - 1.0) < 0.02
    r = nr.randint((5000,), 3, 7, seed=1).data
    assert set(np.unique(r).tolist()) == {3, 4, 5, 6} and r.dtype == np.int32
    c = nr.categorical(np.log([[0.1, 0.9]]), 5000, seed=1).data
    assert abs(c.mean() - 0.9) < 0.02
    d = nr.dropout(np.ones((100, 100), "float32"), 0.3, seed=1).data
    assert abs((d == 0).mean() - 0.3) < 0.02 and np.allclose(d[d > 0], 1 / 0.7)
    s = nr.shuffle(np.arange(12).reshape(6, 2), seed=3).data
    assert sorted(s[:, 0].tolist()) == [0, 2, 4, 6, 8, 10] and np.all(s[:, 1] == s[:, 0] + 1)  # rows kept


def test_dtypes_and_shapes():
    assert nr.normal((2, 3)).data.dtype == np.float32
    assert nr.normal((2, 3), dtype="float64").data.dtype == np.float64
    assert nr.uniform([4]).shape == (4,)
    assert nr.randint((2,), 0, 5, dtype="int64").data.dtype == np.int64
    assert nr.categorical(np.zeros((3, 2)), 4).shape == (3, 4)
    assert nr.normal((0, 3)).shape == (0, 3)
    assert nr.shuffle(np.arange(8).reshape(2, 4), axis=1, seed=2).data.shape == (2, 4)


def test_reparameterisation_gradcheck(float64, rng):
    # the VAE form: z = mean + exp(0.5 · log_var) · ε, ε ~ N(0, 1) drawn with a fixed seed
    def sample(mean, log_var):
        eps = nr.normal(mean.shape, seed=11)
        return mean + ops.exp(0.5 * log_var) * eps
    gradcheck(sample, [rng.normal(size=(4, 3)), rng.normal(size=(4, 3))])
    # Tensor parameters of normal / uniform / truncated_normal carry gradients too
    gradcheck(lambda m, s: nr.normal((4, 3), mean=m, stddev=s, seed=3), [rng.normal(size=(4, 3)),
                                                                          rng.uniform(0.5, 1.5, (4, 3))])
    gradcheck(lambda lo, hi: nr.uniform((5,), minval=lo, maxval=hi, seed=3), [rng.normal(size=5), 3 + rng.random(5)])
    gradcheck(lambda m: nr.truncated_normal((6,), mean=m, stddev=2.0, seed=4), [rng.normal(size=6)])
    gradcheck(lambda x: nr.dropout(x, 0.4, seed=5), [rng.normal(size=(3, 5))])
    gradcheck(lambda x: nr.shuffle(x, axis=1, seed=5), [rng.normal(size=(3, 5))])


def test_reparameterised_gradient_values(float64):
    mean = neuronet.Tensor(np.array([0.5, -1.0]), requires_grad=True)
    log_var = neuronet.Tensor(np.array([0.2, 0.4]), requires_grad=True)
    eps = nr.normal((2,), seed=9).data
    z = mean + ops.exp(0.5 * log_var) * nr.normal((2,), seed=9)
    ops.sum(z).backward()
    np.testing.assert_allclose(mean.grad, [1.0, 1.0])
    np.testing.assert_allclose(log_var.grad, 0.5 * np.exp(0.5 * np.array([0.2, 0.4])) * eps)


class Sampling(layers.Layer):
    """Keras's VAE sampling layer, with ``z_mean.shape`` where the example writes ``ops.shape(z_mean)``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = nr.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch, dim = z_mean.shape
        epsilon = nr.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


def test_seed_generator_is_a_tracked_weight_saved_with_the_model(tmp_path):
    inp_m, inp_v = neuronet.Input((2,)), neuronet.Input((2,))
    model = neuronet.Model([inp_m, inp_v], Sampling()([inp_m, inp_v]))
    layer = model.layers[-1]
    assert [w.path for w in model.weights] == ["seed_generator/seed_generator_state"]
    assert model.non_trainable_weights and not model.trainable_weights
    x = [np.zeros((3, 2), "float32"), np.zeros((3, 2), "float32")]
    model.predict(x, verbose=0)
    state = layer.seed_generator.state.data.copy()
    model.save_weights(tmp_path / "vae.weights.safetensors")
    following = model.predict(x, verbose=0)
    inp_m, inp_v = neuronet.Input((2,)), neuronet.Input((2,))
    restored = neuronet.Model([inp_m, inp_v], Sampling()([inp_m, inp_v]))
    restored.load_weights(tmp_path / "vae.weights.safetensors")
    np.testing.assert_array_equal(restored.layers[-1].seed_generator.state.data, state)
    np.testing.assert_array_equal(restored.predict(x, verbose=0), following)  # the stream continues


def test_seed_generator_config_round_trip():
    gen = nr.SeedGenerator(seed=12, name="gen")
    assert gen.get_config() == {"seed": 12, "name": "gen"}
    again = nr.SeedGenerator.from_config({"seed": 12, "name": "gen2"})
    np.testing.assert_array_equal(again.state.data, [12, 0])
    assert nr.SeedGenerator().get_config()["seed"] is None


def test_unordered_next_matches_keras_global_walk():
    gen = nr.SeedGenerator(10)
    assert gen.next(ordered=False).tolist() == [10, 0]
    assert gen.state.data.tolist() == [(11 * 5387) % 933199, 5387]


@pytest.mark.parametrize("call, message", [
    (lambda: nr.normal((2,), seed=-1), "non-negative integer"),
    (lambda: nr.normal((2,), seed="a"), "seed"),
    (lambda: nr.normal((2, -1)), "shape"),
    (lambda: nr.normal((2.5,)), "shape"),
    (lambda: nr.normal((2,), dtype="int32"), "floating point dtype"),
    (lambda: nr.uniform((2,), dtype="int32"), "floating point dtype"),
    (lambda: nr.randint((2,), 0, 5, dtype="float32"), "integer dtype"),
    (lambda: nr.randint((2,), 5, 5), "maxval > minval"),
    (lambda: nr.categorical(np.zeros(3), 2), "2-D"),
    (lambda: nr.categorical(np.zeros((2, 3)), -1), "num_samples"),
    (lambda: nr.dropout(np.ones(3), 1.5), "rate in [0, 1]"),
    (lambda: nr.dropout(np.ones((2, 3)), 0.5, noise_shape=(2,)), "noise_shape"),
    (lambda: nr.shuffle(np.ones((2, 3)), axis=2), "axis"),
    (lambda: nr.gamma((2,), 0.0), "alpha > 0"),
    (lambda: nr.beta((2,), 1.0, -1.0), "beta > 0"),
    (lambda: nr.binomial((2,), 5, 1.5), "probabilities in [0, 1]"),
    (lambda: nr.binomial((2,), -1, 0.5), "counts"),
    (lambda: nr.normal((2,), mean=np.zeros(3)), "does not broadcast"),
    (lambda: nr.SeedGenerator(seed=-3), "non-negative integer"),
    (lambda: nr.SeedGenerator(seed=1.5), "non-negative integer"),
])
def test_bad_arguments_one_line_errors(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value) and "\n" not in str(info.value)


def test_seed_generator_cannot_be_called():
    with pytest.raises(TypeError, match="not a layer to call"):
        nr.SeedGenerator(1)(np.zeros(2))


def test_matches_live_keras_numpy_backend():
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "numpy":
        pytest.skip("compares with Keras's NumPy backend (KERAS_BACKEND=numpy)")
    kr = keras.random
    for name, args in [("normal", ((3, 2),)), ("uniform", ((4,),)), ("truncated_normal", ((6,),)),
                       ("gamma", ((3,), 2.5)), ("beta", ((3,), 2.0, 0.5)), ("binomial", ((3,), 7, 0.3))]:
        np.testing.assert_allclose(getattr(nr, name)(*args, seed=21).data,
                                   np.asarray(getattr(kr, name)(*args, seed=21)), rtol=1e-6)
    kg, ng = kr.SeedGenerator(99), nr.SeedGenerator(99)
    for _ in range(3):
        np.testing.assert_allclose(nr.normal((2, 2), seed=ng).data, np.asarray(kr.normal((2, 2), seed=kg)), rtol=1e-6)
