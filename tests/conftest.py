import numpy as np
import pytest

import neuronet
from neuronet import config


@pytest.fixture
def float64():
    """Run a test with float64 as the default float type (for gradient checks)."""
    old = config.floatx()
    config.set_floatx("float64")
    yield
    config.set_floatx(old)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _seed():
    config.set_random_seed(0)
    neuronet.utils.naming.reset_names() if hasattr(neuronet, "utils") else None
    yield
