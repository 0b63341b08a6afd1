"""An optimizer's state as Keras 3's list of optimizer variables (``optimizer/vars/0, 1, ...``).

Keras 3 numbers an optimizer's variables in the order it creates them::

    0            iterations                     int64 scalar
    1            learning_rate                  float32 scalar (absent when it is a schedule)
    2 ...        the slots, per group: for each trainable variable (in model.trainable_variables
                 order), the group's slots of that variable
    last         optimizer-wide extras (Nadam's momentum product ``u_product``)

with these groups (from Keras's ``build`` methods)::

    SGD       (momentum)                      Adam, AdamW  (momentum, velocity), (velocity_hat)
    RMSprop   (velocity), (momentum), (average_gradient)
    Adagrad   (accumulator)                   Adadelta     (accumulated_grad, accumulated_delta_var)
    Adamax    (momentum, norm)                Nadam        (momentum, velocity)

so Adam's slots interleave ``m, v`` per variable while RMSprop's come as all velocities, then all
momentums. An optimizer without an entry here uses one group of all its slots (its
``_slot_names()`` order), which is what Keras's ``add_optimizer_variables`` does by default.

Keras keeps the learning rate and Nadam's product in float32; neuronet keeps Python floats, so the
exact value is also written as a float64 attribute ``neuronet_value`` of the dataset (Keras ignores
it), and training resumes bit for bit from neuronet's own files.
"""

from __future__ import annotations

import numpy as np

from . import layout

__all__ = ["keras_arrays", "plan", "restore", "slot_groups"]

_GROUPS = {"RMSprop": (("velocity",), ("momentum",), ("average_gradient",)),
           "Adam": (("momentum", "velocity"), ("velocity_hat",)),
           "AdamW": (("momentum", "velocity"), ("velocity_hat",))}
EXACT = "neuronet_value"


def slot_groups(optimizer) -> list:
    """The optimizer's slot names grouped as Keras creates them (see the module docstring)."""
    names = tuple(optimizer._slot_names())
    groups = _GROUPS.get(type(optimizer).__name__, (names,))
    out = [tuple(n for n in group if n in names) for group in groups]
    missing = tuple(n for n in names if not any(n in g for g in out))
    return [g for g in out if g] + ([missing] if missing else [])


def _has_lr_variable(optimizer) -> bool:
    return isinstance(optimizer._learning_rate, float)


def keras_arrays(model) -> list:
    """``[(array, attrs)]``: the model's optimizer state as Keras 3's optimizer variables."""
    optimizer = model.optimizer
    out = [(np.array(optimizer.iterations, dtype=np.int64), {})]
    if _has_lr_variable(optimizer):
        lr = float(optimizer._learning_rate)
        out.append((np.array(lr, dtype=np.float32), {EXACT: np.float64(lr)}))
    # an optimizer that has not taken a step yet is written with its starting slots, as Keras builds
    # its optimizer when it loads a compiled model
    state = optimizer.state_dict()
    index = {id(v): i for i, v in enumerate(optimizer.variables)}
    variables = layout.keras_trainable_variables(model)
    for group in slot_groups(optimizer):
        for var in variables:
            i = index.get(id(var))
            for slot in group:
                arr = state.get(f"{i}/{slot}") if i is not None else None
                if arr is None:  # a variable the optimizer has not updated yet: the slot's starting value
                    arr = np.full(var.shape, optimizer._slot_initial_value(slot), dtype=var.data.dtype)
                out.append((arr, {}))
    for key in sorted(optimizer._extra_state()):
        value = np.asarray(state[key])
        out.append((value.astype(np.float32), {EXACT: value.astype(np.float64)} if value.ndim == 0 else {}))
    return out


def restore(model, arrays: list, where: str) -> None:
    """Check Keras-ordered optimizer ``arrays`` (``[(array, attrs)]``) against the model, then load them."""
    plan(model, arrays, where)()


def plan(model, arrays: list, where: str):
    """Check Keras-ordered optimizer ``arrays`` (``[(array, attrs)]``) against the model; returns a
    function that loads them (checking changes nothing, so a caller can check several parts first).

    A file with only ``iterations`` (and ``learning_rate``) comes from an optimizer that never took
    a step; one with a ``learning_rate`` variable loads into an optimizer with a schedule (the
    schedule wins) and the other way round.

    Raises:
        ValueError: when their number or shapes do not fit the model's optimizer (nothing is changed).
    """
    optimizer = model.optimizer
    variables = layout.keras_trainable_variables(model)
    groups = slot_groups(optimizer)
    slots = sum(len(g) for g in groups) * len(variables)
    extras = sorted(optimizer._extra_state())
    own_lr = _has_lr_variable(optimizer)
    count, core = len(arrays), slots + len(extras)
    if count == 1 + own_lr + core:
        built, has_lr = True, own_lr
    elif count == 2 - own_lr + core:
        built, has_lr = True, not own_lr
    elif count in (1, 2):
        built, has_lr = False, count == 2
    else:
        raise ValueError(f"{where}: the file holds {count} optimizer variables, but {type(optimizer).__name__} "
                         f"with {len(variables)} trainable variables has {1 + own_lr + core} (iterations"
                         f"{', learning_rate' if own_lr else ''}, {slots} slots"
                         f"{', ' + ', '.join(extras) if extras else ''})")
    iterations = np.asarray(arrays[0][0])
    if iterations.shape != () or iterations.dtype.kind not in "iu" or int(iterations) < 0:
        raise ValueError(f"{where}: optimizer variable 0 (iterations) must be a non-negative integer scalar, found "
                         f"{iterations.dtype} of shape {iterations.shape}")
    position, lr = 1, None
    if has_lr:
        lr = _scalar(arrays[1], where, "1 (learning_rate)")
        position = 2
    per_variable: dict = {}
    if built:
        for group in groups:
            for var in variables:
                for slot in group:
                    arr = np.asarray(arrays[position][0])
                    if arr.shape != tuple(var.shape) or arr.dtype.kind != "f":
                        raise ValueError(f"{where}: optimizer variable {position} ({slot} of "
                                         f"'{getattr(var, 'path', None) or var.name}') has shape {arr.shape} and "
                                         f"dtype {arr.dtype}, expected {tuple(var.shape)} floats")
                    per_variable.setdefault(id(var), {})[slot] = arr
                    position += 1
    extra_values = {}
    if built:
        for key in extras:
            extra_values[key] = _scalar(arrays[position], where, f"{position} ({key})")[0]
            position += 1

    def load() -> None:
        if built and variables:
            optimizer.build(variables)
        index = {id(v): i for i, v in enumerate(optimizer.variables)}
        flat = {"iterations": np.array(int(iterations), dtype=np.int64)}
        for var in variables:
            for slot, arr in per_variable.get(id(var), {}).items():
                flat[f"{index[id(var)]}/{slot}"] = arr
        flat.update({k: np.array(v) for k, v in extra_values.items()})
        try:
            optimizer.load_state_dict(flat)
        except (ValueError, TypeError) as err:  # pragma: no cover - the shapes were checked above
            raise ValueError(f"{where}: the optimizer state does not fit the model: {err}") from None
        if lr is not None and own_lr:
            value, exact = lr
            current = float(optimizer._learning_rate)
            if exact or np.float32(current) != np.float32(value):  # else the config's float64 value stands
                optimizer._learning_rate = value

    return load


def _scalar(item, where: str, label: str) -> tuple:
    """``(value, exact)``: a float scalar variable, from its float64 attribute when that agrees with it."""
    arr, attrs = item
    arr = np.asarray(arr)
    if arr.shape != () or arr.dtype.kind != "f" or not np.isfinite(arr):
        raise ValueError(f"{where}: optimizer variable {label} must be a finite float scalar, found {arr.dtype} "
                         f"of shape {arr.shape}")
    exact = (attrs or {}).get(EXACT)
    if exact is not None:
        exact = np.asarray(exact)
        if exact.shape == () and exact.dtype.kind == "f" and np.float32(exact) == np.float32(arr):
            return float(exact), True
    return float(arr), False
