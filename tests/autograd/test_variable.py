"""Variable keeps the shape it is given, scalars included."""

import numpy as np

from neuronet.autograd import Variable


def test_scalar_variable_stays_zero_dimensional():
    v = Variable(np.float32(3.0), trainable=False, name="count")
    assert v.shape == ()
    assert v.data.shape == ()
    v.assign(5.0)
    assert float(v.data) == 5.0


def test_scalar_variable_from_initializer():
    v = Variable("zeros", shape=(), name="step")
    assert v.shape == ()


def test_variable_data_is_c_contiguous():
    v = Variable(np.arange(6.0).reshape(2, 3).T)
    assert v.data.flags.c_contiguous
    assert v.shape == (3, 2)
