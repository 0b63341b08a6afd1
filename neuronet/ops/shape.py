"""Shape ops: reshape, transpose, indexing. They move numbers around; backward moves them back."""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor

__all__ = ["reshape", "transpose", "getitem"]


class Reshape(Function):
    # y = x viewed with a new shape     dx = gy viewed with x's shape
    def forward(self, x, shape):
        self.shape = x.shape
        return x.reshape(shape)

    def backward(self, gy):
        return gy.reshape(self.shape)


class Transpose(Function):
    # y = x with axes permuted          dx = gy with the inverse permutation
    def forward(self, x, axes):
        self.axes = axes
        return np.transpose(x, axes)

    def backward(self, gy):
        if self.axes is None:
            return np.transpose(gy)
        return np.transpose(gy, np.argsort(self.axes))


class GetItem(Function):
    # y = x[index]                      dx = zeros with gy added at index (repeats accumulate)
    def forward(self, x, index):
        self.shape, self.dtype, self.index = x.shape, x.dtype, index
        return x[index]

    def backward(self, gy):
        gx = np.zeros(self.shape, self.dtype)
        np.add.at(gx, self.index, gy)
        return gx


def reshape(x, newshape) -> Tensor:
    """``x`` with a new shape (one dimension may be -1)."""
    return Reshape.apply(x, shape=tuple(newshape) if not isinstance(newshape, int) else (newshape,))


def transpose(x, axes=None) -> Tensor:
    """Permute the axes of ``x`` (reverse them when ``axes`` is None)."""
    return Transpose.apply(x, axes=None if axes is None else tuple(axes))


def getitem(x, index) -> Tensor:
    """``x[index]`` for any NumPy index (slices, integers, arrays, masks)."""
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return GetItem.apply(x, index=index)
