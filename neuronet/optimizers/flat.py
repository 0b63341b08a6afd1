"""Many small variables updated as one: their values, gradients and slots packed into flat buffers.

An elementwise update (Adam's dozen NumPy calls, SGD's two) costs about a microsecond of Python and
dispatch per call whatever the array's size, so for biases and small kernels it is that overhead, not
the arithmetic, that a step pays — a dozen calls per variable. Packed into one buffer, all small
variables take those dozen calls once (the "multi-tensor" update of PyTorch's ``foreach`` optimizers):

    params  = [ w₀ | b₀ | w₁ | b₁ | ... ]     each variable's ``.data`` is a view of its part
    slots   = {name: [ m₀ | m₁ | ... ]}        each variable's slot arrays are views too
    grads   = concatenate(g₀, g₁, ...)          gathered each step (one call)
    update(grads, params, slots)                the optimizer's formula, once, on the flat arrays

The update applies the same formula to the same numbers elementwise, so the results are bit-identical
to updating each variable alone (tests/optimizers/test_flat_updates.py checks it). A variable whose
``.data`` was replaced (``v.data = ...``) is no longer a view of the buffer; :meth:`FlatGroup.holds`
notices and the optimizer packs the group again, so nothing is ever updated on a stale copy.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FLAT_MAX_SIZE", "FlatGroup"]

# Variables of at most this many elements are packed. Packing costs one more pass over the gradients
# (the gather, ~1 ns per element here) and saves ~1 µs per NumPy call per variable: it pays up to a
# few tens of thousands of elements; larger variables are updated in place, one by one.
FLAT_MAX_SIZE = 1 << 14


class FlatGroup:
    """The packed values, gradients, scratch space and slots of ``variables`` (one dtype).

    Args:
        variables: the variables to pack; each one's ``.data`` becomes a view of :attr:`params`.
        slot_dicts: each variable's ``{slot name: array}``; each array becomes a view of a flat slot.
    """

    __slots__ = ("variables", "views", "params", "grads", "work", "slots")

    def __init__(self, variables: list, slot_dicts: list):
        dtype = variables[0].data.dtype
        total = sum(v.data.size for v in variables)
        self.params = np.empty(total, dtype)
        self.grads = np.empty(total, dtype)
        self.work = np.empty(total, dtype)
        names = list(slot_dicts[0]) if slot_dicts else []
        self.slots = {name: np.empty(total, dtype) for name in names}
        self.variables, self.views = list(variables), []
        offset = 0
        for v, slots in zip(variables, slot_dicts):
            shape, n = v.data.shape, v.data.size
            part = self.params[offset:offset + n].reshape(shape)
            part[...] = v.data
            v.data = part
            for name in names:
                view = self.slots[name][offset:offset + n].reshape(shape)
                view[...] = slots[name]
                slots[name] = view
            self.views.append(part)
            offset += n

    def holds(self, variables: list) -> bool:
        """True when ``variables`` are this group's, in its order, each still a view of the buffer."""
        if len(variables) != len(self.variables):
            return False
        for v, mine, view in zip(variables, self.variables, self.views):
            if v is not mine or v.data is not view:
                return False
        return True

    def gather(self, grads: list) -> np.ndarray:
        """The gradients (one per variable, in order) copied into the flat gradient buffer."""
        return np.concatenate([g.reshape(-1) for g in grads], out=self.grads)
