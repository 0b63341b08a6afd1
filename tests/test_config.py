import pytest
from threadpoolctl import threadpool_info

from neuronet import config


def _blas_counts():
    return [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]


def test_blas_threads_block_uses_the_chosen_count_and_restores_it():
    before = _blas_counts()
    with config.blas_threads():
        assert all(n == 1 for n in _blas_counts())
    assert _blas_counts() == before


def test_set_blas_threads_none_leaves_blas_alone():
    before = _blas_counts()
    config.set_blas_threads(None)
    try:
        with config.blas_threads():
            assert _blas_counts() == before
    finally:
        config.set_blas_threads(1)


@pytest.mark.parametrize("bad", [0, -2, 1.5, True])
def test_set_blas_threads_refuses_bad_counts(bad):
    with pytest.raises(ValueError, match="expected a positive integer or None"):
        config.set_blas_threads(bad)


def test_floatx_and_seed_validation():
    with pytest.raises(ValueError, match="received 'float8'"):
        config.set_floatx("float8")
    with pytest.raises(ValueError, match="non-negative integer seed"):
        config.set_random_seed(-1)

