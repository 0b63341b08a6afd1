import pytest


@pytest.fixture
def batches():
    """``batches(n, size)``: the slices that cut ``n`` samples into batches of ``size`` (the last may be short)."""

    def cut(n, size):
        return [slice(i, min(i + size, n)) for i in range(0, n, size)]

    return cut
