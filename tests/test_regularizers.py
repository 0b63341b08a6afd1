import numpy as np
import pytest

import neuronet as nn
from neuronet import regularizers
from neuronet.autograd import gradcheck


def test_penalty_values():
    w = nn.Tensor(np.array([[1.0, -2.0], [3.0, 0.5]]))
    assert regularizers.L1(0.1)(w).item() == pytest.approx(0.1 * 6.5)
    assert regularizers.L2(0.1)(w).item() == pytest.approx(0.1 * 14.25)
    assert regularizers.L1L2(l1=0.1, l2=0.01)(w).item() == pytest.approx(0.65 + 0.1425)


@pytest.mark.parametrize("reg", [regularizers.L1(0.3), regularizers.L2(0.2), regularizers.L1L2(0.1, 0.2),
                                 regularizers.OrthogonalRegularizer(0.5)])
def test_penalty_gradients(reg):
    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 3))
    w[np.abs(w) < 0.1] = 0.5  # away from the kink of |w|
    gradcheck(lambda t: reg(t), [w])


def test_orthogonal_regularizer_is_zero_for_orthogonal_rows():
    q = np.linalg.qr(np.random.default_rng(0).standard_normal((4, 4)))[0]
    assert regularizers.OrthogonalRegularizer(1.0)(nn.Tensor(q)).item() == pytest.approx(0.0, abs=1e-6)


def test_get_names_and_errors():
    assert isinstance(regularizers.get("l2"), regularizers.L2)
    assert regularizers.get(None) is None
    with pytest.raises(ValueError, match=r"did you mean 'l2'"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="received -1.0"):
        regularizers.L2(-1)


def test_dense_kernel_regularizer_adds_to_model_losses():
    layer = nn.layers.Dense(3, kernel_regularizer="l2")
    layer(np.ones((2, 4), dtype="float32"))
    expected = 0.01 * float(np.sum(layer.kernel.data.astype(np.float64) ** 2))
    assert len(layer.losses) == 1
    assert layer.losses[0].item() == pytest.approx(expected, rel=1e-5)


def test_serialize_round_trip():
    reg = regularizers.L1L2(0.1, 0.2)
    again = regularizers.deserialize(regularizers.serialize(reg))
    assert again.get_config() == reg.get_config()


def test_orthogonal_regularizer_snake_case_name():
    from neuronet import regularizers

    assert regularizers.orthogonal_regularizer is regularizers.OrthogonalRegularizer
    assert isinstance(regularizers.get("orthogonal_regularizer"), regularizers.OrthogonalRegularizer)
