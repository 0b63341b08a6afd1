"""Tensor: an ndarray that remembers the op that made it, so gradients can flow back through it."""

from __future__ import annotations

import numpy as np

from .. import config

# the engine's backward (autograd/function.py, which imports this module, enters it here)
_engine: dict = {}


def _as_array(data, dtype=None) -> np.ndarray:
    """An ndarray of ``data``: Python floats and float lists become floatx, ndarrays keep their dtype."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.asarray(data, dtype=dtype)
    if isinstance(data, np.ndarray):
        return data
    arr = np.asarray(data)
    if arr.dtype == np.float64 and not isinstance(data, np.generic):
        arr = arr.astype(config.floatx())
    return arr


class Tensor:
    """A multi-dimensional array with reverse-mode automatic differentiation.

    Args:
        data: array-like. Python floats and nested lists of floats become the default float type
            (``config.floatx()``, float32 unless changed); ndarrays keep their dtype.
        requires_grad: if True, ``backward()`` fills ``.grad`` with d(loss)/d(this tensor).
        dtype: optional dtype to convert ``data`` to.
        name: optional name, shown in ``repr``.

    Example::

        >>> w = Tensor([[1.0, 2.0]], requires_grad=True)
        >>> loss = (w * w).sum()
        >>> loss.backward()
        >>> w.grad                      # d(sum w²)/dw = 2w
        array([[2., 4.]], dtype=float32)
    """

    # _keras_mask: which entries are real (a Masking/Embedding mask); _keras_logits(_axis): the input of the
    # sigmoid/softmax that made this tensor, read by the cross-entropies (see neuronet.ops.activations.sigmoid)
    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_index", "_retains_grad", "name", "_keras_mask",
                 "_keras_logits", "_keras_logits_axis", "__weakref__")
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected operators

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        self.data = _as_array(data, dtype)
        if requires_grad and not np.issubdtype(self.data.dtype, np.floating):
            raise TypeError(
                f"Tensor: only floating-point tensors can require grad, received dtype {self.data.dtype}"
            )
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._ctx = None
        self._index = 0
        self._retains_grad = False
        self.name = name

    @classmethod
    def _wrap(cls, data) -> Tensor:
        """A constant Tensor around an op's output (no copy, no checks: the hot path)."""
        t = object.__new__(Tensor)
        t.data = data if isinstance(data, np.ndarray) else np.asarray(data)
        t.grad = None
        t.requires_grad = False
        t._ctx = None
        t._index = 0
        t._retains_grad = False
        t.name = None
        return t

    @classmethod
    def _from_op(cls, data, fn, index: int) -> Tensor:
        """The output ``index`` of op ``fn``: requires grad and points back at ``fn``."""
        t = object.__new__(Tensor)
        t.data = data if isinstance(data, np.ndarray) else np.asarray(data)
        t.grad = None
        t.requires_grad = True
        t._ctx = fn
        t._index = index
        t._retains_grad = False
        t.name = None
        return t

    # ----------------------------------------------------------------- array-like properties
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def T(self) -> Tensor:
        from ..ops import transpose

        return transpose(self)

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user (not by an op); only leaves keep ``.grad`` by default."""
        return self._ctx is None

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied)."""
        return self.data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        return self.data.item()

    def tolist(self):
        """The values as (nested) Python lists of numbers."""
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self):
        # rows along the first axis, each a differentiable slice
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(len(self.data)):
            yield self[i]

    def __repr__(self) -> str:
        extra = ", requires_grad=True" if self.requires_grad else ""
        name = f", name={self.name!r}" if self.name else ""
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        return f"Tensor({body}, dtype={self.data.dtype}{extra}{name})"

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.data)

    def __int__(self) -> int:
        return int(self.data)

    def __format__(self, spec: str) -> str:
        # f"{loss:.4f}" formats the number inside a one-element tensor
        if spec and self.data.size == 1:
            return format(self.data.item(), spec)
        return format(repr(self), spec)

    # ----------------------------------------------------------------- autograd
    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad, accumulating into ``.grad``.

        Args:
            grad: gradient of some scalar with respect to this tensor; defaults to 1 for a scalar.
            retain_graph: keep the graph so ``backward`` can run through it again. Defaults to False
                (the graph is freed as it is walked).
        """
        _engine["backward"](self, grad, retain_graph)

    def retain_grad(self) -> Tensor:
        """Also keep ``.grad`` on this non-leaf tensor after ``backward`` (to look at backprop)."""
        self._retains_grad = True
        return self

    def detach(self) -> Tensor:
        """A tensor sharing this data, cut from the graph."""
        return Tensor._wrap(self.data)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient."""
        self.grad = None

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = bool(flag)
        return self

    def astype(self, dtype) -> Tensor:
        from ..ops import cast

        return cast(self, dtype)

    # ----------------------------------------------------------------- operators
    def __add__(self, other):
        return _ops().add(self, other)

    def __radd__(self, other):
        return _ops().add(other, self)

    def __sub__(self, other):
        return _ops().subtract(self, other)

    def __rsub__(self, other):
        return _ops().subtract(other, self)

    def __mul__(self, other):
        return _ops().multiply(self, other)

    def __rmul__(self, other):
        return _ops().multiply(other, self)

    def __truediv__(self, other):
        return _ops().divide(self, other)

    def __rtruediv__(self, other):
        return _ops().divide(other, self)

    def __pow__(self, other):
        return _ops().power(self, other)

    def __rpow__(self, other):
        return _ops().power(other, self)

    def __matmul__(self, other):
        return _ops().matmul(self, other)

    def __rmatmul__(self, other):
        return _ops().matmul(other, self)

    def __neg__(self):
        return _ops().negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops().abs(self)

    def __getitem__(self, index):
        return _ops().getitem(self, index)

    # comparisons give constant boolean tensors (no gradient flows through a comparison)
    def __lt__(self, other):
        return Tensor._wrap(self.data < _raw(other))

    def __le__(self, other):
        return Tensor._wrap(self.data <= _raw(other))

    def __gt__(self, other):
        return Tensor._wrap(self.data > _raw(other))

    def __ge__(self, other):
        return Tensor._wrap(self.data >= _raw(other))

    def __eq__(self, other):
        return Tensor._wrap(self.data == _raw(other))

    def __ne__(self, other):
        return Tensor._wrap(self.data != _raw(other))

    # logical and integer operators give constant tensors too (for masks and indices)
    def __and__(self, other):
        return Tensor._wrap(self.data & _raw(other))

    def __rand__(self, other):
        return Tensor._wrap(_raw(other) & self.data)

    def __or__(self, other):
        return Tensor._wrap(self.data | _raw(other))

    def __ror__(self, other):
        return Tensor._wrap(_raw(other) | self.data)

    def __xor__(self, other):
        return Tensor._wrap(self.data ^ _raw(other))

    def __invert__(self):
        return Tensor._wrap(~self.data)

    def __floordiv__(self, other):
        return Tensor._wrap(self.data // _raw(other))

    def __mod__(self, other):
        return Tensor._wrap(self.data % _raw(other))

    # ----------------------------------------------------------------- common methods
    def sum(self, axis=None, keepdims=False):
        return _ops().sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return _ops().mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return _ops().max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return _ops().min(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops().reshape(self, shape)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _ops().transpose(self, axes or None)

    def exp(self):
        return _ops().exp(self)

    def log(self):
        return _ops().log(self)

    def relu(self):
        return _ops().relu(self)

    def sigmoid(self):
        return _ops().sigmoid(self)

    def tanh(self):
        return _ops().tanh(self)

    def abs(self):
        return _ops().abs(self)

    def sqrt(self):
        return _ops().sqrt(self)

    def square(self):
        return _ops().square(self)

    def clip(self, min=None, max=None):  # noqa: A002 - NumPy names
        """Values limited to ``[min, max]`` (either may be None: no bound on that side)."""
        lo = -np.inf if min is None else min
        hi = np.inf if max is None else max
        return _ops().clip(self, lo, hi)

    def var(self, axis=None, keepdims=False):
        return _ops().var(self, axis=axis, keepdims=keepdims)

    def std(self, axis=None, keepdims=False):
        return _ops().std(self, axis=axis, keepdims=keepdims)

    def prod(self, axis=None, keepdims=False):
        return _ops().prod(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None, keepdims=False):
        return _ops().argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis=None, keepdims=False):
        return _ops().argmin(self, axis=axis, keepdims=keepdims)

    def flatten(self):
        """A 1-D copy of the values in row-major order (differentiable)."""
        return _ops().ravel(self)

    def squeeze(self, axis=None):
        return _ops().squeeze(self, axis=axis)

    def swapaxes(self, axis1, axis2):
        return _ops().swapaxes(self, axis1, axis2)


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


_OPS = None


def _ops():
    """The ``neuronet.ops`` module, imported on first use (ops import this module)."""
    global _OPS
    if _OPS is None:
        from .. import ops

        _OPS = ops
    return _OPS


class Variable(Tensor):
    """A named, trainable state tensor (Keras ``keras.Variable``): weights, biases, moving averages.

    Args:
        initializer: an initial value (array-like) or an initializer (name, object or callable
            taking ``shape, dtype``).
        shape: the shape, required when ``initializer`` is not a value.
        dtype: defaults to ``config.floatx()``.
        trainable: whether optimizers update it (sets ``requires_grad``). Defaults to True.
        name: a name, for summaries and weight files.

    Example::

        >>> v = neuronet.Variable(np.zeros((2, 3)), name="w")
        >>> v.assign(np.ones((2, 3)))
    """

    __slots__ = ("trainable", "path", "regularizer", "constraint")

    def __init__(self, initializer=None, shape=None, dtype=None, trainable: bool = True,
                 name: str | None = None, regularizer=None, constraint=None):
        dtype = dtype or config.floatx()
        if callable(initializer) or isinstance(initializer, str) or isinstance(initializer, dict):
            if shape is None:
                raise ValueError(f"Variable {name!r}: an initializer needs a shape, received shape=None")
            from .. import initializers

            value = initializers.get(initializer)(tuple(shape), dtype=dtype)
        else:
            value = np.array(_raw(initializer), dtype=dtype)
            if shape is not None and tuple(shape) != value.shape:
                raise ValueError(
                    f"Variable {name!r}: expected a value of shape {tuple(shape)}, received {value.shape}"
                )
        super().__init__(np.asarray(value, order="C"), requires_grad=trainable, name=name)  # keeps 0-d shapes
        self.trainable = bool(trainable)
        self.path = name
        self.regularizer = regularizer
        self.constraint = constraint

    def assign(self, value) -> Variable:
        """Copy ``value`` into this variable in place (its shape must match)."""
        value = np.asarray(_raw(value))
        if value.shape != self.data.shape:
            raise ValueError(
                f"Variable {self.name!r}.assign: expected shape {self.data.shape}, received {value.shape}"
            )
        self.data[...] = value
        return self

    def assign_add(self, value) -> Variable:
        self.data += np.asarray(_raw(value), dtype=self.data.dtype)
        return self

    def assign_sub(self, value) -> Variable:
        self.data -= np.asarray(_raw(value), dtype=self.data.dtype)
        return self

    @property
    def value(self) -> np.ndarray:
        return self.data

    def __repr__(self) -> str:
        return f"<Variable path={self.path!r}, shape={self.shape}, dtype={self.dtype}, trainable={self.trainable}>"
