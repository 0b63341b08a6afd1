"""neuronet.ops has every function of keras.ops (Keras 3.15) by its Keras name, Keras's namespaces
(ops.nn, ops.numpy, ops.linalg, ops.image), and the Keras semantics the oracle cannot check."""

import numpy as np
import pytest

import neuronet as keras
from neuronet import ops
from neuronet.ops import keras_names

# keras.ops.image functions neuronet does not implement (see ops/image.py)
NOT_IMPLEMENTED_IMAGE = {"elastic_transform", "extract_patches_3d", "perspective_transform", "scale_and_translate"}


def test_every_keras_ops_name_is_a_function():
    missing = [n for n in keras_names.top_level() if not callable(getattr(ops, n, None))]
    assert missing == []
    assert len(keras_names.top_level()) >= 330


@pytest.mark.parametrize("namespace", ["nn", "numpy", "linalg", "image"])
def test_namespaces(namespace):
    module = getattr(ops, namespace)
    names = getattr(keras_names, namespace.upper())
    missing = [n for n in names if not callable(getattr(module, n, None))]
    assert set(missing) <= NOT_IMPLEMENTED_IMAGE, missing
    for name in module.__all__:
        if namespace != "image":
            assert getattr(module, name) is getattr(ops, name)


def test_shape_is_a_function_and_the_module_moved():
    x = np.zeros((2, 3))
    assert ops.shape(x) == (2, 3) and ops.shape(keras.Tensor(x)) == (2, 3)
    assert ops.shape(keras.Input((None, 4))) == (None, None, 4)
    from neuronet.ops import manipulation

    assert manipulation.reshape is not None and callable(ops.conv)


def test_sparsemax_projects_onto_the_simplex():
    z = np.array([[1.0, 0.4, -0.3, -1.2], [0.2, 0.5, -2.0, -0.9], [-1.0, 0.0, 1.0, 0.5]])
    out = ops.sparsemax(z).numpy()
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(out[0], [0.8, 0.2, 0.0, 0.0], rtol=1e-6)  # τ = (1.0 + 0.4 - 1) / 2
    assert np.all(out >= 0)


def test_segment_reductions_of_empty_segments():
    data = np.array([[1.0, 2.0], [3.0, -1.0]])
    np.testing.assert_array_equal(ops.segment_max(data, np.array([0, 0]), num_segments=2).numpy()[1], [-np.inf] * 2)
    np.testing.assert_array_equal(ops.segment_min(data, np.array([0, 0]), num_segments=2).numpy()[1], [np.inf] * 2)
    np.testing.assert_array_equal(ops.segment_prod(data, np.array([1, 1]), num_segments=2).numpy(),
                                  [[1.0, 1.0], [3.0, -2.0]])


def test_custom_gradient_as_keras_documents_it():
    @ops.custom_gradient
    def log1pexp(x):
        e = ops.exp(x)

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))

        return ops.log(1 + e), grad

    x = keras.Tensor(np.array([100.0, 0.0]), requires_grad=True)
    log1pexp(x).sum().backward()
    np.testing.assert_allclose(x.grad, [1.0, 0.5])  # finite where the naive gradient overflows


def test_jvp_is_the_jacobian_times_the_tangent():
    primal, tangent = np.array([0.3, -1.2, 2.0]), np.array([1.0, 0.5, -2.0])
    out, directional = ops.jvp(lambda x: ops.sin(x) * x, (primal,), (tangent,))
    np.testing.assert_allclose(out.numpy(), np.sin(primal) * primal)
    np.testing.assert_allclose(directional.numpy(), (np.cos(primal) * primal + np.sin(primal)) * tangent)


def test_control_flow():
    assert ops.while_loop(lambda i: i < 10, lambda i: i + 3, 0) == 12
    assert ops.while_loop(lambda i, s: i < 10, lambda i, s: (i + 1, s + i), (0, 0), maximum_iterations=4) == (4, 6)
    assert ops.switch(7, [lambda: "a", lambda: "b"]) == "b"  # the index is clamped
    carry, ys = ops.scan(lambda c, x: (c + 1.0, c * 2.0), np.float64(0.0), xs=None, length=3)
    assert float(carry) == 3.0 and np.asarray(ys).tolist() == [0.0, 2.0, 4.0]
    stacked = ops.map(lambda d: {"twice": d["x"] * 2}, {"x": np.arange(3.0)})
    np.testing.assert_array_equal(stacked["twice"].numpy(), [0.0, 2.0, 4.0])
    squared = ops.vectorize(lambda a: a * a)(np.arange(4))
    np.testing.assert_array_equal(squared.numpy(), [0, 1, 4, 9])


def test_bad_arguments_get_one_line_errors():
    with pytest.raises(ValueError, match=r"inv: expected square matrices \(\.\.\., n, n\), received shape \(2, 3\)"):
        ops.inv(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="quantile: quantiles must be in"):
        ops.quantile(np.zeros(3), 1.5)
    with pytest.raises(ValueError, match="glu: the size of axis -1 must be even"):
        ops.glu(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="bitwise_and: expected integer or boolean data"):
        ops.bitwise_and(np.zeros(2), 1)
    with pytest.raises(ValueError, match="rearrange: both sides must name the same axes"):
        ops.rearrange(np.zeros((2, 3)), "a b -> a c")
    with pytest.raises(ValueError, match="ctc_decode: strategy must be"):
        ops.ctc_decode(np.zeros((1, 2, 3)), np.array([2]), strategy="best")


def test_gaussian_blur_kernel_size_is_height_then_width():
    image = np.zeros((9, 9, 1), "float32")
    image[4, 4, 0] = 1.0
    blurred = ops.image.gaussian_blur(image, (3, 7), (1.0, 3.0)).numpy()[:, :, 0]
    rows, cols = np.nonzero(np.abs(blurred) > 1e-6)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (3, 5, 1, 7)  # 3 high, 7 wide, as Keras documents


def test_image_ops_record_nodes_on_symbolic_inputs():
    images = keras.Input((8, 8, 3))
    model = keras.Model(images, ops.image.rgb_to_grayscale(ops.image.resize(images, (4, 4))))
    out = model.predict(np.random.default_rng(0).uniform(size=(2, 8, 8, 3)).astype("float32"), verbose=0)
    assert out.shape == (2, 4, 4, 1)
    assert {layer.operator for layer in model.layers} == {"resize", "rgb_to_grayscale"}


def test_istft_inverts_stft_also_without_a_window():
    signal = np.random.default_rng(0).normal(size=(2, 64))
    for window in ("hann", None):
        spectrum = ops.stft(signal, 16, 8, 16, window=window)
        back = ops.istft(spectrum, 16, 8, 16, window=window).numpy()
        np.testing.assert_allclose(back, signal[:, :back.shape[1]], atol=1e-6)


def test_dot_follows_numpy_for_n_d_operands():
    a, b = np.random.default_rng(1).normal(size=(2, 3, 4)), np.random.default_rng(2).normal(size=(5, 4, 6))
    np.testing.assert_allclose(ops.dot(a, b).numpy(), np.dot(a, b), rtol=1e-6)
    np.testing.assert_allclose(ops.dot(a, b[0, :, 0]).numpy(), np.dot(a, b[0, :, 0]), rtol=1e-6)
