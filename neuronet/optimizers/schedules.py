"""Learning-rate schedules with Keras 3 names and formulas: a rate as a function of the step count.

Pass one as an optimizer's ``learning_rate``; the optimizer calls it with ``iterations`` (the number of
updates done so far) before each update. Each schedule is a plain Python function of the step, so
its value is a Python float.

Example::

    schedule = neuronet.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)
    opt = neuronet.optimizers.SGD(learning_rate=schedule)
"""

from __future__ import annotations

import math

from ..utils.naming import closest_match

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "InverseTimeDecay",
           "PolynomialDecay", "CosineDecay", "CosineDecayRestarts", "serialize", "deserialize"]


def _positive(owner: str, name: str, value) -> float:
    value = float(value)
    if not value > 0:
        raise ValueError(f"{owner}: expected {name} > 0, received {value}")
    return value


class LearningRateSchedule:
    """Base class: ``schedule(step) -> float`` plus ``get_config`` / ``from_config``."""

    def __call__(self, step) -> float:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.__call__ is not implemented")

    def get_config(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.get_config is not implemented")

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.get_config()}>"


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate · decay_rate ^ (step / decay_steps)`` (exponent floored if ``staircase``).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: > 0; the rate is multiplied by ``decay_rate`` every ``decay_steps`` steps.
        decay_rate: the factor.
        staircase: decay in discrete jumps. Defaults to False.
        name: Defaults to 'ExponentialDecay'.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                 name: str = "ExponentialDecay"):
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = _positive("ExponentialDecay", "decay_steps", decay_steps)
        self.decay_rate = float(decay_rate)
        self.staircase = bool(staircase)
        self.name = name

    def __call__(self, step) -> float:
        p = float(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate**p

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """Constant pieces: ``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after the last boundary.

    Args:
        boundaries: increasing step counts, one fewer than ``values``.
        values: the rates.
        name: Defaults to 'PiecewiseConstant'.
    """

    def __init__(self, boundaries, values, name: str = "PiecewiseConstant"):
        boundaries, values = list(boundaries), [float(v) for v in values]
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"PiecewiseConstantDecay: expected len(values) == len(boundaries) + 1, received "
                f"{len(values)} values and {len(boundaries)} boundaries"
            )
        if any(a >= b for a, b in zip(boundaries, boundaries[1:])):
            raise ValueError(f"PiecewiseConstantDecay: expected increasing boundaries, received {boundaries}")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step) -> float:
        for b, v in zip(self.boundaries, self.values):
            if step <= b:
                return v
        return self.values[-1]

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate · step / decay_steps)`` (ratio floored if ``staircase``).

    Args:
        initial_learning_rate, decay_steps (> 0), decay_rate, staircase (Defaults to False),
        name (Defaults to 'InverseTimeDecay').
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                 name: str = "InverseTimeDecay"):
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = _positive("InverseTimeDecay", "decay_steps", decay_steps)
        self.decay_rate = float(decay_rate)
        self.staircase = bool(staircase)
        self.name = name

    def __call__(self, step) -> float:
        p = float(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) · (1 - step / decay_steps) ^ power + end``, with ``step`` capped at ``decay_steps``.

    With ``cycle=True`` the horizon grows instead: ``decay_steps · ceil(step / decay_steps)`` (1 at step 0).

    Args:
        initial_learning_rate, decay_steps (> 0),
        end_learning_rate: Defaults to 0.0001. power: Defaults to 1.0. cycle: Defaults to False.
        name: Defaults to 'PolynomialDecay'.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, end_learning_rate: float = 0.0001,
                 power: float = 1.0, cycle: bool = False, name: str = "PolynomialDecay"):
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = _positive("PolynomialDecay", "decay_steps", decay_steps)
        self.end_learning_rate = float(end_learning_rate)
        self.power = float(power)
        self.cycle = bool(cycle)
        self.name = name

    def __call__(self, step) -> float:
        step, decay_steps = float(step), self.decay_steps
        if self.cycle:
            decay_steps *= 1.0 if step == 0 else math.ceil(step / decay_steps)
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return (self.initial_learning_rate - self.end_learning_rate) * (1.0 - p) ** self.power + self.end_learning_rate

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay (Loshchilov & Hutter, 2016) with an optional linear warmup, as Keras 3.

    Without warmup: ``lr · ((1 - alpha) · ½(1 + cos(π · min(step, decay_steps) / decay_steps)) + alpha)``.
    With ``warmup_target``: a linear ramp from ``initial_learning_rate`` to ``warmup_target`` over
    ``warmup_steps``, then the cosine decay from ``warmup_target`` over ``decay_steps``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: > 0, the length of the decay.
        alpha: the final rate as a fraction of the decay's starting rate. Defaults to 0.0.
        name: Defaults to 'CosineDecay'.
        warmup_target: the rate reached after warmup; None means no warmup. Defaults to None.
        warmup_steps: the length of the warmup. Defaults to 0.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0, name: str = "CosineDecay",
                 warmup_target: float | None = None, warmup_steps: int = 0):
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = _positive("CosineDecay", "decay_steps", decay_steps)
        self.alpha = float(alpha)
        self.name = name
        self.warmup_target = None if warmup_target is None else float(warmup_target)
        self.warmup_steps = float(warmup_steps)
        if self.warmup_steps < 0:
            raise ValueError(f"CosineDecay: expected warmup_steps >= 0, received {warmup_steps}")

    def _decay(self, step: float, start: float) -> float:
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step) -> float:
        step = float(step)
        if self.warmup_target is None:
            return self._decay(min(step, self.decay_steps), self.initial_learning_rate)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            fraction = step / self.warmup_steps
            return (self.warmup_target - self.initial_learning_rate) * fraction + self.initial_learning_rate
        return self._decay(step - self.warmup_steps, self.warmup_target)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): each period is ``t_mul`` times longer than the last and
    starts ``m_mul`` times lower.

    Args:
        initial_learning_rate: the rate at step 0.
        first_decay_steps: > 0, the length of the first period.
        t_mul: period growth. Defaults to 2.0. m_mul: restart rate factor. Defaults to 1.0.
        alpha: the minimum as a fraction of the initial rate. Defaults to 0.0.
        name: Defaults to 'SGDRDecay'.
    """

    def __init__(self, initial_learning_rate: float, first_decay_steps: int, t_mul: float = 2.0, m_mul: float = 1.0,
                 alpha: float = 0.0, name: str = "SGDRDecay"):
        self.initial_learning_rate = float(initial_learning_rate)
        self.first_decay_steps = _positive("CosineDecayRestarts", "first_decay_steps", first_decay_steps)
        self.t_mul = _positive("CosineDecayRestarts", "t_mul", t_mul)
        self.m_mul = float(m_mul)
        self.alpha = float(alpha)
        self.name = name

    def __call__(self, step) -> float:
        fraction = float(step) / self.first_decay_steps
        if self.t_mul == 1.0:
            i_restart = math.floor(fraction)
            fraction -= i_restart
        else:
            i_restart = math.floor(math.log(1.0 - fraction * (1.0 - self.t_mul)) / math.log(self.t_mul))
            sum_r = (1.0 - self.t_mul**i_restart) / (1.0 - self.t_mul)
            fraction = (fraction - sum_r) / self.t_mul**i_restart
        cosine = 0.5 * self.m_mul**i_restart * (1.0 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self.t_mul, "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


_SCHEDULES = {cls.__name__: cls for cls in (ExponentialDecay, PiecewiseConstantDecay, InverseTimeDecay,
                                            PolynomialDecay, CosineDecay, CosineDecayRestarts)}


def serialize(schedule: LearningRateSchedule) -> dict:
    """``{'class_name': ..., 'config': ...}`` for a built-in schedule."""
    name = type(schedule).__name__
    if name not in _SCHEDULES:
        raise ValueError(f"schedules.serialize: {name} is not a registered schedule; registered: {sorted(_SCHEDULES)}")
    return {"class_name": name, "config": schedule.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    """The schedule described by :func:`serialize`'s output (looked up by registered class name only)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"schedules.deserialize: expected {{'class_name': ..., 'config': ...}}, received {config!r}")
    table = dict(_SCHEDULES)
    if custom_objects:
        table.update(custom_objects)
    name = config["class_name"]
    cls = table.get(name)
    if cls is None:
        raise ValueError(
            f"schedules.deserialize: unknown schedule {name!r}{closest_match(name, sorted(table))}; "
            f"registered: {', '.join(sorted(table))}"
        )
    return cls.from_config(dict(config.get("config", {})))
