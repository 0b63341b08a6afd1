"""Learning-rate schedules against Keras 3's formulas written out here, plus config round trips."""

import json
import math

import pytest

from neuronet.optimizers import schedules

STEPS = [0, 1, 2, 5, 9, 10, 11, 25, 100]


def test_exponential_decay():
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    st = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    for step in STEPS:
        assert s(step) == pytest.approx(0.1 * 0.5 ** (step / 10), rel=1e-12)
        assert st(step) == pytest.approx(0.1 * 0.5 ** math.floor(step / 10), rel=1e-12)


def test_piecewise_constant_decay():
    s = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [s(x) for x in (0, 10, 11, 20, 21, 1000)] == [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]
    with pytest.raises(ValueError, match="len\\(values\\) == len\\(boundaries\\) \\+ 1"):
        schedules.PiecewiseConstantDecay([10], [1.0])
    with pytest.raises(ValueError, match="increasing boundaries"):
        schedules.PiecewiseConstantDecay([10, 5], [1.0, 0.5, 0.1])


def test_inverse_time_decay():
    s = schedules.InverseTimeDecay(0.1, decay_steps=5, decay_rate=0.5)
    st = schedules.InverseTimeDecay(0.1, decay_steps=5, decay_rate=0.5, staircase=True)
    for step in STEPS:
        assert s(step) == pytest.approx(0.1 / (1 + 0.5 * step / 5), rel=1e-12)
        assert st(step) == pytest.approx(0.1 / (1 + 0.5 * math.floor(step / 5)), rel=1e-12)


def test_polynomial_decay():
    s = schedules.PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.01, power=2.0)
    sc = schedules.PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.01, power=2.0, cycle=True)
    for step in STEPS:
        capped = min(step, 10)
        assert s(step) == pytest.approx((0.1 - 0.01) * (1 - capped / 10) ** 2 + 0.01, rel=1e-12)
        horizon = 10 * (1 if step == 0 else math.ceil(step / 10))
        assert sc(step) == pytest.approx((0.1 - 0.01) * (1 - step / horizon) ** 2 + 0.01, rel=1e-12)
    assert schedules.PolynomialDecay(0.1, 10)(10) == pytest.approx(0.0001)  # Keras's default end rate


def test_cosine_decay_without_and_with_warmup():
    s = schedules.CosineDecay(0.1, decay_steps=10, alpha=0.1)
    for step in STEPS:
        frac = min(step, 10) / 10
        assert s(step) == pytest.approx(0.1 * ((1 - 0.1) * 0.5 * (1 + math.cos(math.pi * frac)) + 0.1), rel=1e-12)
    w = schedules.CosineDecay(0.0, decay_steps=10, warmup_target=0.2, warmup_steps=5)
    for step in STEPS:
        if step < 5:
            want = (0.2 - 0.0) * step / 5 + 0.0
        else:
            frac = (min(step, 15) - 5) / 10
            want = 0.2 * 0.5 * (1 + math.cos(math.pi * frac))
        assert w(step) == pytest.approx(want, rel=1e-12, abs=1e-15)
    assert w(5) == pytest.approx(0.2)


def _sgdr_by_walking(step, lr, first, t_mul, m_mul, alpha):
    """Cosine restarts simulated period by period."""
    length, start, scale = first, 0.0, 1.0
    while step >= start + length:
        start += length
        length *= t_mul
        scale *= m_mul
    frac = (step - start) / length
    return lr * ((1 - alpha) * scale * 0.5 * (1 + math.cos(math.pi * frac)) + alpha)


@pytest.mark.parametrize("t_mul,m_mul,alpha", [(2.0, 1.0, 0.0), (1.0, 0.5, 0.1), (1.5, 0.8, 0.0)])
def test_cosine_decay_restarts(t_mul, m_mul, alpha):
    s = schedules.CosineDecayRestarts(0.1, first_decay_steps=4, t_mul=t_mul, m_mul=m_mul, alpha=alpha)
    for step in [0, 1, 3, 5, 11, 13, 30]:
        assert s(step) == pytest.approx(_sgdr_by_walking(step, 0.1, 4, t_mul, m_mul, alpha), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("schedule", [
    schedules.ExponentialDecay(0.1, 10, 0.9, staircase=True), schedules.PiecewiseConstantDecay([3], [0.1, 0.01]),
    schedules.InverseTimeDecay(0.1, 10, 0.5), schedules.PolynomialDecay(0.1, 10, cycle=True),
    schedules.CosineDecay(0.1, 10, warmup_target=0.5, warmup_steps=3), schedules.CosineDecayRestarts(0.1, 7),
], ids=lambda s: type(s).__name__)
def test_config_roundtrip(schedule):
    blob = json.loads(json.dumps(schedules.serialize(schedule)))
    again = schedules.deserialize(blob)
    assert type(again) is type(schedule) and again.get_config() == schedule.get_config()
    assert [again(x) for x in STEPS] == [schedule(x) for x in STEPS]


def test_errors():
    with pytest.raises(ValueError, match="ExponentialDecay: expected decay_steps > 0, received 0"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match=r"unknown schedule 'CosineDecays' \(did you mean 'CosineDecay'\?\)"):
        schedules.deserialize({"class_name": "CosineDecays", "config": {}})
