"""Random draws with Keras 3's names and semantics (``keras.random``), on NumPy generators.

Each function takes ``seed``: an integer (the same numbers on every call), a :class:`SeedGenerator`
(new numbers on every call, repeatable from its seed, saved with a model), or None (the library
generator, repeatable after ``neuronet.utils.set_random_seed``). With an int or a SeedGenerator the
values equal those of Keras's NumPy backend.

Differentiable where it makes sense, as in Keras's TensorFlow and JAX backends:

* ``normal``, ``uniform``, ``truncated_normal``: when ``mean``/``stddev`` (``minval``/``maxval``) are
  Tensors, the draw is ``mean + stddev · ε`` with ε drawn as a constant, so gradients flow to them
  (the reparameterisation trick). The usual VAE form ``z_mean + exp(0.5 · z_log_var) · normal(shape)``
  is differentiable in any case, as ``normal`` returns a constant Tensor.
* ``dropout`` (``x · mask / (1 - rate)``) and ``shuffle`` (a gather) pass gradients to their input.
* ``categorical``, ``randint``, ``gamma``, ``beta``, ``binomial`` return constants (no gradient to their
  parameters; TensorFlow and JAX give gamma/beta an implicit-reparameterisation gradient — not here).
"""

from __future__ import annotations

import math

import numpy as np

from .. import config
from ..autograd import Tensor
from .seed_generator import draw_seed

__all__ = ["normal", "uniform", "truncated_normal", "randint", "categorical", "dropout", "shuffle", "gamma",
           "beta", "binomial"]


# ----------------------------------------------------------------------------- argument checks
def _shape(where: str, shape) -> tuple:
    if isinstance(shape, Tensor):
        shape = shape.data.tolist()
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        out = tuple(int(d.item() if isinstance(d, Tensor) else d) for d in shape)
        ok = all(float(d.item() if isinstance(d, Tensor) else d) == o for d, o in zip(shape, out))
    except (TypeError, ValueError):
        ok, out = False, ()
    if not ok or any(d < 0 for d in out):
        raise ValueError(f"{where}: expected shape to be a tuple of non-negative integers, received shape={shape!r}")
    return out


def _float_dtype(where: str, dtype) -> np.dtype:
    dt = np.dtype(dtype or config.floatx())
    if dt.kind != "f":
        raise ValueError(f"{where}: requires a floating point dtype, received dtype={dtype!r}")
    return dt


def _int_dtype(where: str, dtype) -> np.dtype:
    dt = np.dtype(dtype)
    if dt.kind not in "iu":
        raise ValueError(f"{where}: requires an integer dtype, received dtype={dtype!r}")
    return dt


def _is_tensor(*values) -> bool:
    return any(isinstance(v, Tensor) for v in values)


def _param(value, dtype):
    """A Tensor parameter cast to ``dtype`` (keeping its gradient), or an ndarray."""
    if isinstance(value, Tensor):
        return value if value.dtype == dtype else value.astype(dtype)
    return np.asarray(value, dtype=np.float64)


def _affine(eps: np.ndarray, loc, scale, dtype) -> Tensor:
    """``loc + scale · eps`` as ops on the Tensor parameters, so gradients reach them."""
    return _param(loc, dtype) + _param(scale, dtype) * Tensor._wrap(eps.astype(dtype))


def _broadcastable(where: str, shape: tuple, **params) -> None:
    for name, value in params.items():
        pshape = np.shape(value.data if isinstance(value, Tensor) else value)
        try:
            if np.broadcast_shapes(pshape, shape) != shape:
                raise ValueError
        except ValueError:
            raise ValueError(f"{where}: {name} of shape {pshape} does not broadcast to the drawn shape "
                             f"{shape}") from None


# ----------------------------------------------------------------------------- draws
def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """Samples of a normal distribution ``N(mean, stddev²)``.

    Args:
        shape: the shape of the result.
        mean: the mean (a float, an array or a Tensor broadcastable to ``shape``). Defaults to 0.
        stddev: the standard deviation (likewise). Defaults to 1.
        dtype: a float dtype. Defaults to ``config.floatx()``.
        seed: an int, a :class:`SeedGenerator` or None (see the module docstring). Defaults to None.

    Returns:
        A Tensor of ``shape``; differentiable with respect to Tensor ``mean`` and ``stddev``.

    Example::

        >>> neuronet.random.normal((2, 2), seed=42).shape
        (2, 2)
    """
    where = "neuronet.random.normal"
    shape, dt = _shape(where, shape), _float_dtype(where, dtype)
    _broadcastable(where, shape, mean=mean, stddev=stddev)
    rng = draw_seed(seed, where)
    if _is_tensor(mean, stddev):
        return _affine(rng.normal(size=shape), mean, stddev, dt)
    return Tensor._wrap(rng.normal(loc=mean, scale=stddev, size=shape).astype(dt))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> Tensor:
    """Samples of the uniform distribution on ``[minval, maxval)``.

    Args:
        shape: the shape of the result.
        minval: the lower bound (included). Defaults to 0.
        maxval: the upper bound (excluded). Defaults to 1.
        dtype: a float dtype. Defaults to ``config.floatx()``.
        seed: an int, a :class:`SeedGenerator` or None. Defaults to None.

    Returns:
        A Tensor ``minval + (maxval - minval) · u``, u ~ U[0, 1); differentiable with respect to
        Tensor bounds.
    """
    where = "neuronet.random.uniform"
    shape, dt = _shape(where, shape), _float_dtype(where, dtype)
    _broadcastable(where, shape, minval=minval, maxval=maxval)
    rng = draw_seed(seed, where)
    if _is_tensor(minval, maxval):
        lo = _param(minval, dt)
        return lo + (_param(maxval, dt) - lo) * Tensor._wrap(rng.random(size=shape).astype(dt))
    return Tensor._wrap(rng.uniform(low=minval, high=maxval, size=shape).astype(dt))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """Samples of a normal distribution with every value more than two standard deviations from the
    mean redrawn (Keras's definition: the values lie in ``[mean - 2·stddev, mean + 2·stddev]``).

    Args and Returns as :func:`normal`.
    """
    where = "neuronet.random.truncated_normal"
    shape, dt = _shape(where, shape), _float_dtype(where, dtype)
    _broadcastable(where, shape, mean=mean, stddev=stddev)
    rng = draw_seed(seed, where)
    size = math.prod(shape)
    standard = _is_tensor(mean, stddev) or np.ndim(mean) > 0 or np.ndim(stddev) > 0
    loc, scale = (0.0, 1.0) if standard else (float(mean), float(stddev))
    lo, hi = loc - 2 * scale, loc + 2 * scale
    kept = np.empty(0)
    # Keras's NumPy backend: draw `size` values of N(mean, stddev) per round, keep those within two
    # standard deviations, until there are enough
    while kept.shape[0] < size:
        batch = rng.normal(loc=loc, scale=scale, size=size)
        kept = np.append(kept, batch[(batch >= lo) & (batch <= hi)])
    values = kept[:size].reshape(shape)
    if _is_tensor(mean, stddev):
        return _affine(values, mean, stddev, dt)
    if standard:  # array parameters: scale standard truncated values
        values = np.asarray(mean, np.float64) + np.asarray(stddev, np.float64) * values
    return Tensor._wrap(values.astype(dt))


def randint(shape, minval, maxval, dtype="int32", seed=None) -> Tensor:
    """Integers drawn uniformly from ``[minval, maxval)``.

    Args:
        shape: the shape of the result.
        minval: the lower bound (included).
        maxval: the upper bound (excluded); must be greater than ``minval``.
        dtype: an integer dtype. Defaults to 'int32'.
        seed: an int, a :class:`SeedGenerator` or None. Defaults to None.
    """
    where = "neuronet.random.randint"
    shape, dt = _shape(where, shape), _int_dtype(where, dtype)
    if np.any(np.asarray(maxval) <= np.asarray(minval)):
        raise ValueError(f"{where}: expected maxval > minval, received minval={minval!r}, maxval={maxval!r}")
    return Tensor._wrap(draw_seed(seed, where).integers(low=minval, high=maxval, size=shape, dtype=dt))


def categorical(logits, num_samples: int, dtype="int32", seed=None) -> Tensor:
    """Class indices drawn from categorical distributions given by unnormalized log-probabilities.

    Args:
        logits: a 2-D array ``(batch, num_classes)``; row ``i`` is a distribution ``softmax(logits[i])``.
        num_samples: samples drawn per row.
        dtype: an integer dtype. Defaults to 'int32'.
        seed: an int, a :class:`SeedGenerator` or None. Defaults to None.

    Returns:
        An integer Tensor ``(batch, num_samples)``.
    """
    where = "neuronet.random.categorical"
    z = np.asarray(logits.data if isinstance(logits, Tensor) else logits, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"{where}: logits should be a 2-D tensor with shape [batch_size, num_classes], received "
                         f"shape {z.shape}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) or num_samples < 0:
        raise ValueError(f"{where}: expected num_samples to be a non-negative integer, received {num_samples!r}")
    dt = _int_dtype(where, dtype)
    rng = draw_seed(seed, where)
    classes = np.arange(z.shape[-1])
    rows = []
    for row in z:
        p = np.exp(row - row.max())
        rows.append(rng.choice(classes, size=int(num_samples), p=p / p.sum()))
    return Tensor._wrap(np.array(rows, dtype=np.int64).reshape(len(z), int(num_samples)).astype(dt))


def dropout(inputs, rate: float, noise_shape=None, seed=None) -> Tensor:
    """Set a fraction ``rate`` of ``inputs`` to 0 and scale the rest by ``1 / (1 - rate)``:
    ``y = x · m / (1 - rate)``, ``m ~ Bernoulli(1 - rate)``. Differentiable with respect to ``inputs``.

    Args:
        inputs: an array or Tensor.
        rate: the drop probability, in [0, 1].
        noise_shape: the mask's shape, broadcast against ``inputs`` (None entries take the input's
            size). Defaults to None (the input's shape).
        seed: an int, a :class:`SeedGenerator` or None. Defaults to None.
    """
    where = "neuronet.random.dropout"
    x = inputs if isinstance(inputs, Tensor) else Tensor(inputs)
    try:
        rate = float(rate)
    except (TypeError, ValueError):
        rate = float("nan")
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{where}: expected rate in [0, 1], received rate={rate!r}")
    if rate == 1.0:
        return x * np.zeros((), x.dtype)
    if rate == 0.0:
        return x
    if noise_shape is None:
        mask_shape = x.shape
    else:
        noise_shape = tuple(noise_shape)
        if len(noise_shape) != x.ndim:
            raise ValueError(f"{where}: noise_shape {noise_shape} must have the input's rank {x.ndim}")
        mask_shape = tuple(s if n is None else int(n) for n, s in zip(noise_shape, x.shape))
    keep = 1.0 - rate
    mask = draw_seed(seed, where).uniform(size=mask_shape) < keep
    return x * Tensor._wrap((mask / keep).astype(x.dtype))


def shuffle(x, axis: int = 0, seed=None) -> Tensor:
    """Permute ``x`` along ``axis`` with one random permutation (the slices along the other axes move
    together, as in Keras's TensorFlow and PyTorch backends; Keras's NumPy and JAX backends shuffle
    each 1-D slice independently instead). Differentiable with respect to ``x``.

    Args:
        x: an array or Tensor.
        axis: the axis to shuffle. Defaults to 0.
        seed: an int, a :class:`SeedGenerator` or None. Defaults to None.
    """
    from .. import ops

    where = "neuronet.random.shuffle"
    t = x if isinstance(x, Tensor) else Tensor(x)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -t.ndim <= axis < max(t.ndim, 1):
        raise ValueError(f"{where}: axis must be an integer in [-{t.ndim}, {t.ndim}), received axis={axis!r}")
    if t.ndim == 0:
        return t
    perm = draw_seed(seed, where).permutation(t.shape[axis])
    return ops.take(t, perm, axis=int(axis))


def gamma(shape, alpha, dtype=None, seed=None) -> Tensor:
    """Samples of the Gamma distribution with shape parameter ``alpha`` and scale 1.

    Args:
        shape: the shape of the result.
        alpha: the shape parameter (> 0), a float or an array broadcastable to ``shape``.
        dtype: a float dtype. Defaults to ``config.floatx()``.
        seed: an int, a :class:`SeedGenerator` or None. Defaults to None.
    """
    where = "neuronet.random.gamma"
    shape, dt = _shape(where, shape), _float_dtype(where, dtype)
    a = _positive(where, "alpha", alpha)
    _broadcastable(where, shape, alpha=a)
    return Tensor._wrap(draw_seed(seed, where).gamma(a, scale=1.0, size=shape).astype(dt))


def beta(shape, alpha, beta, dtype=None, seed=None) -> Tensor:  # noqa: A002 - Keras's argument name
    """Samples of the Beta distribution with parameters ``alpha`` and ``beta`` (both > 0).

    Args:
        shape: the shape of the result.
        alpha, beta: floats or arrays broadcastable to ``shape``.
        dtype: a float dtype. Defaults to ``config.floatx()``.
        seed: an int, a :class:`SeedGenerator` or None. Defaults to None.
    """
    where = "neuronet.random.beta"
    shape, dt = _shape(where, shape), _float_dtype(where, dtype)
    a, b = _positive(where, "alpha", alpha), _positive(where, "beta", beta)
    _broadcastable(where, shape, alpha=a, beta=b)
    return Tensor._wrap(draw_seed(seed, where).beta(a=a, b=b, size=shape).astype(dt))


def binomial(shape, counts, probabilities, dtype=None, seed=None) -> Tensor:
    """Samples of the Binomial distribution: successes in ``counts`` trials of probability ``probabilities``.

    Args:
        shape: the shape of the result.
        counts: numbers of trials (>= 0), broadcastable with ``probabilities`` and ``shape``.
        probabilities: success probabilities in [0, 1].
        dtype: a float dtype (as Keras). Defaults to ``config.floatx()``.
        seed: an int, a :class:`SeedGenerator` or None. Defaults to None.
    """
    where = "neuronet.random.binomial"
    shape, dt = _shape(where, shape), _float_dtype(where, dtype)
    n = np.asarray(counts.data if isinstance(counts, Tensor) else counts)
    p = np.asarray(probabilities.data if isinstance(probabilities, Tensor) else probabilities, dtype=np.float64)
    if n.size and (np.any(n < 0) or np.any(n != np.floor(n))):
        raise ValueError(f"{where}: expected counts to be non-negative integers, received counts={counts!r}")
    if p.size and (np.any(p < 0) or np.any(p > 1) or not np.all(np.isfinite(p))):
        raise ValueError(f"{where}: expected probabilities in [0, 1], received probabilities={probabilities!r}")
    _broadcastable(where, shape, counts=n, probabilities=p)
    return Tensor._wrap(draw_seed(seed, where).binomial(n=n.astype(np.int64), p=p, size=shape).astype(dt))


def _positive(where: str, name: str, value) -> np.ndarray:
    arr = np.asarray(value.data if isinstance(value, Tensor) else value, dtype=np.float64)
    if arr.size and (not np.all(np.isfinite(arr)) or np.any(arr <= 0)):
        raise ValueError(f"{where}: expected {name} > 0, received {name}={value!r}")
    return arr
