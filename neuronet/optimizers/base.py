"""The optimizer base: per-variable state slots, gradient clipping, weight decay, schedules, state_dict.

An optimizer turns gradients into in-place updates of ``variable.data``. The base class does what
every optimizer shares, in Keras 3's order for each call of :meth:`Optimizer.apply`:

1. drop the pairs whose gradient is None;
2. clip the gradients (``clipvalue``, ``clipnorm`` per variable, or ``global_clipnorm``), into new
   arrays (a gradient array is never written to: it may be shared or a read-only view);
3. read the learning rate (a float, or a schedule called with ``iterations``);
4. decay the weights (decoupled, as Keras 3 and AdamW: ``var ← var · (1 - lr · weight_decay)``);
5. call the subclass's ``update_step(grad, variable, learning_rate)`` for each variable;
6. count the step (``iterations += 1``) and apply each variable's ``constraint``.

An optimizer whose update is elementwise writes its formula once, on arrays:
``_update_arrays(g, var, slots, s, learning_rate)`` (the gradient, the values, the slot arrays by name
and a scratch array, all of one shape). ``update_step`` then applies it to one variable, and step 5
applies it once to all small variables together, packed into flat buffers (:mod:`.flat`): the same
numbers, a dozen NumPy calls per step instead of a dozen per variable.

Slots (Adam's moments, momentum buffers, ...) are created lazily, the first time a variable is
updated, keyed by the variable's identity; their index is the variable's position in the first list
the optimizer saw. :meth:`Optimizer.state_dict` returns them as a flat dict of ndarrays
(``'iterations'``, ``'learning_rate'``, ``'<index>/<slot>'``) that :meth:`Optimizer.load_state_dict`
restores exactly.

Scalars stay Python floats throughout: under NumPy 2's promotion rules a NumPy float64 scalar times
a float32 array gives float64, which would silently move every update to float64.
"""

from __future__ import annotations

import numpy as np

from .. import runtime
from ..autograd import Tensor, no_grad
from ..utils.naming import closest_match
from .flat import FLAT_MAX_SIZE, FlatGroup

__all__ = ["Optimizer"]

# Array elements an elementwise update reads or writes per element of a variable (Adam: a dozen passes
# over the gradient, the values, two slots and a scratch array), for the runtime's row plans.
_UPDATE_WORK = 12

# Keras 3 constructor arguments accepted for compatibility only in their default (off) state
_KERAS_OFF = {"use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
              "loss_scale_factor": None, "gradient_accumulation_steps": None, "jit_compile": True}


def _check_range(owner: str, name: str, value, low=None, high=None, low_open=False, high_open=False) -> float:
    """``value`` as a Python float, or a ValueError repeating it when it is outside the range."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{owner}: expected {name} to be a number, received {value!r}") from None
    bad = not np.isfinite(value)
    if low is not None:
        bad |= value <= low if low_open else value < low
    if high is not None:
        bad |= value >= high if high_open else value > high
    if bad:
        lo = "" if low is None else ("(" if low_open else "[") + f"{low}"
        hi = "" if high is None else f"{high}" + (")" if high_open else "]")
        expected = f"in {lo}, {hi}" if low is not None and high is not None else \
            (f"{'>' if low_open else '>='} {low}" if low is not None else f"{'<' if high_open else '<='} {high}")
        raise ValueError(f"{owner}: expected {name} {expected}, received {value}")
    return value


class Optimizer:
    """Base class of optimizers (Keras 3 API).

    Args:
        learning_rate: a float, a :class:`~neuronet.optimizers.schedules.LearningRateSchedule` (called
            with the step count), or a callable with no arguments returning the rate.
        weight_decay: if set, decoupled weight decay: before each update
            ``var ← var - var · weight_decay · learning_rate``. Defaults to None.
        clipnorm: if set, each gradient is rescaled so its L2 norm is at most this. Defaults to None.
        clipvalue: if set, each gradient is clipped elementwise to ``[-clipvalue, clipvalue]``.
            Defaults to None.
        global_clipnorm: if set, all gradients are rescaled together so their joint L2 norm is at most
            this. Defaults to None. At most one of the three clipping options may be set.
        name: a name for the optimizer.

    Subclasses define ``update_step(grad, variable, learning_rate)``, their slot names in
    ``_slot_names()`` and their hyperparameters in ``get_config``.

    Example::

        opt = neuronet.optimizers.Adam(learning_rate=1e-3)
        loss.backward()
        opt.step(model.trainable_weights)          # uses each variable's .grad
        # or, with gradients computed elsewhere:
        opt.apply(grads, variables)
    """

    def __init__(self, learning_rate=0.001, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, name: str | None = None,
                 **kwargs):
        owner = type(self).__name__
        for key, value in kwargs.items():
            if key == "lr":
                raise TypeError(f"{owner}: the argument 'lr' was renamed 'learning_rate' in Keras 3")
            if key not in _KERAS_OFF:
                raise TypeError(f"{owner}: unexpected argument {key!r}{closest_match(key, _KERAS_OFF)}")
            if value != _KERAS_OFF[key] and key != "jit_compile":
                raise ValueError(f"{owner}: {key}={value!r} is not supported by neuronet (only {_KERAS_OFF[key]!r})")
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                f"{owner}: only one of clipnorm, clipvalue and global_clipnorm can be set, received "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        self.name = name or owner.lower()
        self.weight_decay = None if weight_decay is None else _check_range(owner, "weight_decay", weight_decay, 0)
        self.clipnorm = None if clipnorm is None else _check_range(owner, "clipnorm", clipnorm, 0, low_open=True)
        self.clipvalue = None if clipvalue is None else _check_range(owner, "clipvalue", clipvalue, 0, low_open=True)
        self.global_clipnorm = None if global_clipnorm is None else \
            _check_range(owner, "global_clipnorm", global_clipnorm, 0, low_open=True)
        self._learning_rate = self._validate_lr(learning_rate)
        self.iterations = 0
        self._variables: list = []  # registered variables, by index
        self._index: dict = {}  # id(variable) -> index
        self._slots: list = []  # per index: {slot name: ndarray}
        self._scratch: dict = {}  # id(variable) -> work buffer shaped like it (not state)
        self._pending: dict = {}  # slots loaded by load_state_dict before their variable was seen
        self._exclude_ids: set = set()
        self._exclude_names: tuple = ()
        self._flat = None  # (ids of the variables last updated, indices of the packed ones, FlatGroup)

    # ------------------------------------------------------------------ learning rate
    def _validate_lr(self, learning_rate):
        from .schedules import LearningRateSchedule

        if isinstance(learning_rate, LearningRateSchedule) or (callable(learning_rate)
                                                               and not isinstance(learning_rate, (int, float))):
            return learning_rate
        return _check_range(type(self).__name__, "learning_rate", learning_rate, 0)

    @property
    def learning_rate(self) -> float:
        """The current learning rate as a Python float (a schedule's value at ``iterations``)."""
        lr = self._learning_rate
        if isinstance(lr, float):
            return lr
        from .schedules import LearningRateSchedule

        return float(lr(self.iterations) if isinstance(lr, LearningRateSchedule) else lr())

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        from .schedules import LearningRateSchedule

        if isinstance(self._learning_rate, LearningRateSchedule) and not isinstance(value, LearningRateSchedule):
            raise TypeError(
                f"{type(self).__name__}: this optimizer was created with a LearningRateSchedule as its "
                f"learning_rate, so the rate cannot be set to {value!r}; set a new schedule instead"
            )
        self._learning_rate = self._validate_lr(value)

    # ------------------------------------------------------------------ variables and slots
    @property
    def built(self) -> bool:
        return bool(self._variables)

    @property
    def variables(self) -> list:
        """The variables this optimizer has state for, in index order."""
        return list(self._variables)

    def build(self, variables) -> None:
        """Register ``variables`` (giving them indices 0, 1, ...) and create their slots."""
        for v in variables:
            self._slots_of(v)

    def _slot_names(self) -> tuple:
        """Names of the per-variable state arrays this optimizer keeps."""
        return ()

    def _slot_initial_value(self, name: str) -> float:
        return 0.0

    def _slots_of(self, variable) -> dict:
        """The slots of ``variable``, created (or taken from a loaded state) on first use."""
        i = self._index.get(id(variable))
        if i is not None:
            return self._slots[i]
        i = len(self._variables)
        data = variable.data
        loaded = self._pending.pop(i, {})
        slots = {}
        for name in self._slot_names():
            if name in loaded:
                arr = loaded[name]
                if arr.shape != data.shape:
                    raise ValueError(
                        f"{type(self).__name__}.load_state_dict: slot '{i}/{name}' has shape {arr.shape}, but "
                        f"variable {i} ({getattr(variable, 'path', None) or variable.name}) has shape {data.shape}"
                    )
                slots[name] = np.array(arr, dtype=data.dtype, copy=True)
            else:
                slots[name] = np.full(data.shape, self._slot_initial_value(name), dtype=data.dtype)
        self._variables.append(variable)
        self._index[id(variable)] = i
        self._slots.append(slots)
        return slots

    def _work(self, variable, k: int = 0) -> np.ndarray:
        """A scratch array shaped like ``variable`` (the k-th), reused across steps to avoid temporaries."""
        key = (id(variable), k)
        buf = self._scratch.get(key)
        if buf is None or buf.shape != variable.data.shape or buf.dtype != variable.data.dtype:
            buf = self._scratch[key] = np.empty_like(variable.data)
        return buf

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Leave some variables out of weight decay (Keras 3): those in ``var_list``, or whose name or
        path contains one of the strings in ``var_names`` (e.g. ``['bias', 'gamma']``)."""
        if var_list is not None:
            self._exclude_ids.update(id(v) for v in var_list)
        if var_names is not None:
            self._exclude_names = tuple(self._exclude_names) + tuple(str(n) for n in var_names)

    def _decays(self, variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        if self._exclude_names:
            label = f"{getattr(variable, 'path', None) or ''}/{getattr(variable, 'name', None) or ''}"
            return not any(n in label for n in self._exclude_names)
        return True

    # ------------------------------------------------------------------ applying gradients
    def apply(self, grads, variables=None) -> None:
        """Update ``variables`` in place from ``grads`` (one ndarray, Tensor or None per variable).

        Args:
            grads: gradients, in the order of ``variables``; None entries are skipped.
            variables: the ``neuronet.Variable`` objects. Defaults to the variables already registered.

        Raises:
            ValueError: if the lists differ in length or a gradient's shape differs from its variable's.
        """
        grads = list(grads)
        if variables is None:
            if not self.built:
                raise ValueError(f"{type(self).__name__}.apply: no variables given and none registered yet")
            variables = self._variables
        variables = list(variables)
        if len(grads) != len(variables):
            raise ValueError(
                f"{type(self).__name__}.apply: expected one gradient per variable ({len(variables)}), "
                f"received {len(grads)}"
            )
        if not self.built:
            self.build(variables)
        used_grads, used_vars = [], []
        for g, v in zip(grads, variables):
            if g is None:
                continue
            if type(g) is not np.ndarray:
                g = g.data if isinstance(g, Tensor) else np.asarray(g)
            if g.shape != v.data.shape:
                raise ValueError(
                    f"{type(self).__name__}.apply: gradient of shape {g.shape} for variable "
                    f"{getattr(v, 'path', None) or v.name!r} of shape {v.data.shape}"
                )
            used_grads.append(g)
            used_vars.append(v)
        if not used_vars:
            return
        grads = self._clip(used_grads)
        variables = used_vars if len(used_vars) < len(variables) else variables
        lr = self.learning_rate
        if self.weight_decay:
            factor = 1.0 - lr * self.weight_decay
            for v in variables:
                if self._decays(v):
                    v.data *= factor  # var -= var · wd · lr
        self._update_all(grads, variables, lr)
        self.iterations += 1
        for v in variables:
            constraint = getattr(v, "constraint", None)
            if constraint is not None:
                with no_grad():
                    out = constraint(v)  # called with the variable, as Keras does
                v.data[...] = out.data if isinstance(out, Tensor) else out

    def _update_all(self, grads, variables, learning_rate: float) -> None:
        """One ``update_step`` per variable; with an elementwise ``_update_arrays``, the small variables
        (at most ``FLAT_MAX_SIZE`` elements) are updated together, packed (:mod:`.flat`)."""
        if type(self)._update_arrays is Optimizer._update_arrays:
            for g, v in zip(grads, variables):
                self.update_step(g, v, learning_rate)
            return
        packed, group = self._flat_group(variables)
        if group is None:
            for g, v in zip(grads, variables):
                self.update_step(g, v, learning_rate)
            return
        small = set(packed)
        for i, (g, v) in enumerate(zip(grads, variables)):
            if i not in small:
                self.update_step(g, v, learning_rate)
        self._update_arrays(group.gather([grads[i] for i in packed]), group.params, group.slots, group.work,
                            learning_rate)

    def _flat_group(self, variables) -> tuple:
        """``(indices of the variables packed, their FlatGroup)`` for this list of variables, packed again
        when the list changed or a variable's ``.data`` was replaced; ``((), None)`` when fewer than two
        variables are small."""
        key = tuple(map(id, variables))
        cached = self._flat
        if cached is not None and cached[0] == key:
            packed, group = cached[1], cached[2]
            if group is None or group.holds([variables[i] for i in packed]):
                return packed, group
        small = [i for i, v in enumerate(variables) if v.data.size <= FLAT_MAX_SIZE]
        if small:  # one dtype per buffer: the first small variable's
            dtype = variables[small[0]].data.dtype
            small = [i for i in small if variables[i].data.dtype == dtype]
        group = None
        if len(small) > 1:
            chosen = [variables[i] for i in small]
            group = FlatGroup(chosen, [self._slots_of(v) for v in chosen])
        self._flat = (key, tuple(small), group)
        return tuple(small), group

    def update_step(self, gradient: np.ndarray, variable, learning_rate: float) -> None:
        """Update one variable in place from its gradient (by default: ``_update_arrays`` on its arrays).

        The update is elementwise, so a large variable's elements are independent rows: the runtime may
        run them in slices on its threads (``runtime.plan_rows``; NumPy releases Python's lock inside
        each call), with the same bits either way."""
        if type(self)._update_arrays is Optimizer._update_arrays:  # pragma: no cover
            raise NotImplementedError(f"{type(self).__name__}.update_step is not implemented")
        var, slots, s = variable.data, self._slots_of(variable), self._work(variable)
        plan = None
        if var.size * _UPDATE_WORK >= 2 * runtime.policy.min_slice_work:  # else it would not split anyway
            plan = runtime.plan_rows(var.size, _UPDATE_WORK, update=True)
        if plan is None or not plan.split or not all(a.flags.c_contiguous for a in (var, s, *slots.values())):
            self._update_arrays(gradient, var, slots, s, learning_rate)
            return
        g, v, w = gradient.reshape(-1), var.reshape(-1), s.reshape(-1)
        flat = {name: a.reshape(-1) for name, a in slots.items()}

        def rows(_, r):
            self._update_arrays(g[r], v[r], {name: a[r] for name, a in flat.items()}, w[r], learning_rate)

        plan.map(rows)

    def _update_arrays(self, g, var, slots: dict, s, learning_rate: float) -> None:  # pragma: no cover
        """The update formula on arrays of one shape: ``var`` and the ``slots`` in place, ``s`` scratch."""
        raise NotImplementedError

    def apply_gradients(self, grads_and_vars) -> None:
        """``apply`` for an iterable of ``(gradient, variable)`` pairs, as Keras's ``apply_gradients``."""
        pairs = list(grads_and_vars)
        if not pairs:
            return
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))

    def step(self, variables) -> None:
        """Update each variable from its own ``.grad`` (variables whose ``.grad`` is None are skipped)."""
        variables = list(variables)
        self.apply([v.grad for v in variables], variables)

    def _clip(self, grads: list) -> list:
        """Clipped copies of ``grads`` (inputs are never modified), following Keras's formulas."""
        if self.clipvalue is not None:
            c = self.clipvalue
            return [np.clip(g, -c, c) for g in grads]
        if self.clipnorm is not None:
            out = []
            for g in grads:
                norm = float(np.sqrt(np.vdot(g, g)))
                # g · clipnorm / max(‖g‖, clipnorm): unchanged when the norm is within the limit
                out.append(g * (self.clipnorm / norm) if norm > self.clipnorm else g)
            return out
        if self.global_clipnorm is not None:
            norm = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads)))
            if norm > self.global_clipnorm:
                scale = self.global_clipnorm / norm
                return [g * scale for g in grads]
        return grads

    # ------------------------------------------------------------------ state
    def _extra_state(self) -> dict:
        """Optimizer-wide state arrays beyond the per-variable slots (e.g. Nadam's momentum product)."""
        return {}

    def _load_extra_state(self, state: dict) -> None:
        return None

    def state_dict(self) -> dict:
        """The optimizer's state as a flat dict of ndarrays (copies).

        Keys: ``'iterations'`` (int64), ``'learning_rate'`` (float64, when the rate is a float), and
        ``'<index>/<slot>'`` for each registered variable's slots, the index being the variable's
        position in the first list the optimizer was given.
        """
        state = {"iterations": np.array(self.iterations, dtype=np.int64)}
        if isinstance(self._learning_rate, float):
            state["learning_rate"] = np.array(self._learning_rate, dtype=np.float64)
        for i, slots in enumerate(self._slots):
            for name, arr in slots.items():
                state[f"{i}/{name}"] = arr.copy()
        for i, slots in self._pending.items():
            for name, arr in slots.items():
                state[f"{i}/{name}"] = arr.copy()
        state.update({k: np.array(v, copy=True) for k, v in self._extra_state().items()})
        return state

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` returned; updates then continue exactly where they left off.

        Slots of variables not registered yet are kept and attached when the variable with that
        index is first seen (pass the variables in the same order as before).

        Raises:
            ValueError: for a missing ``'iterations'``, an unknown key or slot, or a shape mismatch.
        """
        owner = type(self).__name__
        if "iterations" not in state:
            raise ValueError(f"{owner}.load_state_dict: the state has no 'iterations' entry")
        names = set(self._slot_names())
        extra = set(self._extra_state())
        per_index: dict = {}
        for key, value in state.items():
            if key in ("iterations", "learning_rate") or key in extra:
                continue
            index, _, slot = key.partition("/")
            if not index.isdigit() or slot not in names:
                raise ValueError(
                    f"{owner}.load_state_dict: unexpected key {key!r}; expected 'iterations', 'learning_rate' "
                    f"or '<index>/<slot>' with slot in {sorted(names)}"
                )
            per_index.setdefault(int(index), {})[slot] = np.asarray(value)
        for i, slots in per_index.items():
            if i < len(self._slots):
                own = self._slots[i]
                for name, arr in slots.items():
                    if arr.shape != own[name].shape:
                        raise ValueError(
                            f"{owner}.load_state_dict: slot '{i}/{name}' has shape {arr.shape}, expected "
                            f"{own[name].shape}"
                        )
                for name, arr in slots.items():
                    np.copyto(own[name], arr, casting="unsafe")
            else:
                self._pending[i] = {name: np.array(arr, copy=True) for name, arr in slots.items()}
        self.iterations = int(np.asarray(state["iterations"]))
        if "learning_rate" in state and isinstance(self._learning_rate, float):
            self._learning_rate = float(np.asarray(state["learning_rate"]))
        self._load_extra_state({k: np.asarray(state[k]) for k in extra if k in state})

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        """The constructor arguments, as JSON-ready values (a schedule becomes its serialized dict)."""
        from .schedules import LearningRateSchedule, serialize

        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr = serialize(lr)
        elif not isinstance(lr, float):
            lr = self.learning_rate
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue}

    @classmethod
    def from_config(cls, config: dict):
        """An optimizer from :meth:`get_config`'s output."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            from .schedules import deserialize

            config["learning_rate"] = deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}, learning_rate={self.learning_rate:g}>"
