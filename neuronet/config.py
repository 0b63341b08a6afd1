"""Global settings: the default float type, the fuzz factor epsilon and the random generator.

Every layer, initializer and op reads the dtype from here, so one call switches the whole library to
float64 (used by the gradient checks)::

    neuronet.config.set_floatx("float64")
"""

from __future__ import annotations

import random

import numpy as np

from .runtime import blas_threads  # noqa: F401  (re-exported: a block on the chosen BLAS threads)
from .runtime import policy as _policy

_FLOATX = "float32"
_EPSILON = 1e-7
_RNG = np.random.default_rng()
_VALID_FLOATX = ("float16", "float32", "float64")


def floatx() -> str:
    """The default float type name, ``'float32'`` unless changed by :func:`set_floatx`."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the default float type: one of ``'float16'``, ``'float32'``, ``'float64'``."""
    global _FLOATX
    if value not in _VALID_FLOATX:
        raise ValueError(f"set_floatx: expected one of {_VALID_FLOATX}, received {value!r}")
    _FLOATX = str(value)


def epsilon() -> float:
    """The fuzz factor used to keep logs and divisions finite (Keras default 1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set the fuzz factor returned by :func:`epsilon`."""
    global _EPSILON
    _EPSILON = float(value)


def rng() -> np.random.Generator:
    """The library-wide random generator used by initializers, dropout and shuffling."""
    return _RNG


def set_random_seed(seed: int) -> None:
    """Seed every random source the library uses (its own generator, NumPy's and Python's).

    After this call every run that follows draws the same weights, dropout masks and shuffles.
    """
    global _RNG
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"set_random_seed: expected a non-negative integer seed, received {seed!r}")
    _RNG = np.random.default_rng(int(seed))
    np.random.seed(int(seed) % 2**32)
    random.seed(int(seed))


# bit generators whose state a file may hold; a name outside this table is refused, never looked up
_BIT_GENERATORS = {"PCG64": np.random.PCG64, "PCG64DXSM": np.random.PCG64DXSM, "MT19937": np.random.MT19937,
                   "Philox": np.random.Philox, "SFC64": np.random.SFC64}


def _plain_state(value):
    if isinstance(value, dict):
        return {str(k): _plain_state(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return {"__array__": value.dtype.name, "values": [int(v) for v in value.ravel()]}
    if isinstance(value, np.integer):
        return int(value)
    return value


def _array_state(value):
    if isinstance(value, dict) and set(value) == {"__array__", "values"}:
        if value["__array__"] not in ("uint32", "uint64") or not isinstance(value["values"], list):
            raise ValueError(f"set_rng_state: malformed array in the state: {str(value)[:80]}")
        return np.array(value["values"], dtype=value["__array__"])
    if isinstance(value, dict):
        return {k: _array_state(v) for k, v in value.items()}
    return value


def generator_state(generator: np.random.Generator) -> dict:
    """The state of a NumPy ``Generator`` as JSON-ready data (integers, strings, lists, dicts)."""
    return _plain_state(generator.bit_generator.state)


def set_generator_state(generator: np.random.Generator, state: dict) -> np.random.Generator:
    """Put ``generator`` in ``state`` (from :func:`generator_state`); returns the generator, a new one when
    the state is of another bit generator type.

    Raises:
        ValueError: for a malformed state or an unknown bit generator name.
    """
    if not isinstance(state, dict) or state.get("bit_generator") not in _BIT_GENERATORS:
        name = state.get("bit_generator") if isinstance(state, dict) else state
        raise ValueError(f"set_rng_state: expected the state of one of {sorted(_BIT_GENERATORS)}, received "
                         f"{str(name)[:80]!r}")
    kind = _BIT_GENERATORS[state["bit_generator"]]
    if not isinstance(generator.bit_generator, kind):
        generator = np.random.Generator(kind())
    try:
        generator.bit_generator.state = _array_state(state)
    except (TypeError, ValueError, KeyError, OverflowError) as err:
        raise ValueError(f"set_rng_state: malformed {state['bit_generator']} state: {err}") from None
    return generator


def get_rng_state() -> dict:
    """The state of the library's random generator (the one :func:`rng` returns: weight
    initialization, dropout masks, shuffling) as JSON-ready data.

    Saving it with a model and restoring it with :func:`set_rng_state` makes training continue with
    the very draws it would have made without the interruption.

    Example::

        state = neuronet.config.get_rng_state()
        a = neuronet.config.rng().random()
        neuronet.config.set_rng_state(state)
        assert neuronet.config.rng().random() == a
    """
    return generator_state(_RNG)


def set_rng_state(state: dict) -> None:
    """Restore the library's random generator to ``state`` (from :func:`get_rng_state`).

    Raises:
        ValueError: for a malformed state.
    """
    global _RNG
    _RNG = set_generator_state(_RNG, state)


# ----------------------------------------------------------------------------- threads and BLAS
# These switches set fields of neuronet.runtime.policy, where every setting of how the ops use the
# cores, BLAS and memory lives (see its docstring for the defaults and why).
def num_threads() -> int:
    """How many slices the dense, convolution, pooling and recurrent ops cut a large batch into at most,
    one per core (``runtime.policy.num_threads``; default: the CPUs this process may use, or the
    ``NEURONET_NUM_THREADS`` environment variable). On Linux the recurrent ops run their extra slices
    in helper processes instead of threads."""
    return _policy.num_threads


def set_num_threads(threads: int) -> None:
    """Set how many slices the dense, convolution, pooling and recurrent ops cut a batch into at most;
    1 turns splitting off (results then differ from split ones in the last bits, as sums are grouped
    differently).

    Example::

        neuronet.config.set_num_threads(1)   # one core, e.g. beside other work
    """
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"set_num_threads: expected a positive integer, received {threads!r}")
    _policy.num_threads = int(threads)


def set_blas_threads(threads: int | None) -> None:
    """Number of BLAS threads the library's ops use (``runtime.policy.blas_threads``, 1 by default);
    None leaves BLAS as configured. More threads help only for large layers on an otherwise idle
    machine."""
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"set_blas_threads: expected a positive integer or None, received {threads!r}")
    _policy.blas_threads = threads




# ----------------------------------------------------------------------------- Keras's other switches
# keras.config's remaining settings. neuronet has one backend (NumPy), keeps images channels-last and never
# runs code read from a file, so several of these only record the choice (each docstring says so): a script
# written for Keras calls them and runs on unchanged.
_KERAS_BACKENDS = ("numpy", "tensorflow", "jax", "torch", "openvino")
_SWITCHES = {"traceback_filtering": True, "interactive_logging": True, "unsafe_deserialization": False,
             "flash_attention": None, "max_epochs": None, "max_steps_per_epoch": None}


def backend() -> str:
    """The name of the computation backend: always ``'numpy'`` (Keras: ``keras.config.backend()``)."""
    return "numpy"


def set_backend(backend: str) -> None:
    """Accept a Keras backend name; neuronet always computes with NumPy.

    ``'numpy'`` is accepted silently; Keras's other backends ('tensorflow', 'jax', 'torch', 'openvino')
    with a warning that the choice has no effect, so a script written for one of them still runs.

    Raises:
        ValueError: for a name that is not one of Keras's backends.
    """
    if backend not in _KERAS_BACKENDS:
        raise ValueError(f"set_backend: expected one of {_KERAS_BACKENDS}, received {backend!r}")
    if backend != "numpy":
        import warnings

        warnings.warn(f"set_backend({backend!r}): neuronet computes with NumPy only; the setting has no effect",
                      stacklevel=2)


def image_data_format() -> str:
    """Always ``'channels_last'``: images are (batch, height, width, channels)."""
    return "channels_last"


def set_image_data_format(data_format: str) -> None:
    """Accept ``'channels_last'``; neuronet's image layers are channels-last only.

    Raises:
        ValueError: for ``'channels_first'`` or any other value.
    """
    if data_format != "channels_last":
        raise ValueError(
            f"set_image_data_format: neuronet supports only 'channels_last', received {data_format!r}"
        )


def enable_unsafe_deserialization() -> None:
    """Recorded only: neuronet never runs code read from a file, so there is nothing unsafe to enable.

    Keras needs this call to load a ``Lambda`` layer holding Python bytecode; neuronet refuses such a
    layer with a one-line error whatever this setting (rebuild it with ``custom_objects`` instead).
    """
    _SWITCHES["unsafe_deserialization"] = True


def enable_traceback_filtering() -> None:
    """Recorded only: neuronet's tracebacks are never filtered (they are short already)."""
    _SWITCHES["traceback_filtering"] = True


def disable_traceback_filtering() -> None:
    """Recorded only: neuronet's tracebacks are never filtered."""
    _SWITCHES["traceback_filtering"] = False


def is_traceback_filtering_enabled() -> bool:
    """The value last set by enable/disable_traceback_filtering (True by default, as in Keras)."""
    return _SWITCHES["traceback_filtering"]


def enable_interactive_logging() -> None:
    """Print progress bars that redraw their line (the default)."""
    _SWITCHES["interactive_logging"] = True


def disable_interactive_logging() -> None:
    """Stop the progress bar redrawing its line: fit, evaluate and predict then print one plain line per
    epoch, as with ``verbose=2`` (for logs written to files)."""
    _SWITCHES["interactive_logging"] = False


def is_interactive_logging_enabled() -> bool:
    """Whether progress bars redraw their line (True unless :func:`disable_interactive_logging`)."""
    return _SWITCHES["interactive_logging"]


def enable_flash_attention() -> None:
    """Recorded only: neuronet's attention has one NumPy kernel."""
    _SWITCHES["flash_attention"] = True


def disable_flash_attention() -> None:
    """Recorded only: neuronet's attention has one NumPy kernel."""
    _SWITCHES["flash_attention"] = False


def is_flash_attention_enabled():
    """The value last set by enable/disable_flash_attention: None (the default, as Keras: decide
    automatically), True or False."""
    return _SWITCHES["flash_attention"]


def is_nnx_enabled() -> bool:
    """Always False: Flax NNX is a JAX feature."""
    return False


def _optional_positive(where: str, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1):
        raise ValueError(f"{where}: expected a positive integer or None, received {value!r}")
    return None if value is None else int(value)


def max_epochs():
    """The cap on the epochs of every ``fit`` (None: no cap), set by :func:`set_max_epochs`."""
    return _SWITCHES["max_epochs"]


def set_max_epochs(max_epochs) -> None:
    """Cap the epochs of every ``fit`` call (None removes the cap), e.g. to run a tutorial quickly.

    Raises:
        ValueError: for a value that is not a positive integer or None.
    """
    _SWITCHES["max_epochs"] = _optional_positive("set_max_epochs", max_epochs)


def max_steps_per_epoch():
    """The cap on the batches per epoch of every ``fit`` (None: no cap), set by
    :func:`set_max_steps_per_epoch`."""
    return _SWITCHES["max_steps_per_epoch"]


def set_max_steps_per_epoch(max_steps_per_epoch) -> None:
    """Cap the batches per epoch of every ``fit`` call (None removes the cap).

    Raises:
        ValueError: for a value that is not a positive integer or None.
    """
    _SWITCHES["max_steps_per_epoch"] = _optional_positive("set_max_steps_per_epoch", max_steps_per_epoch)


def dtype_policy():
    """The global dtype policy (a :class:`neuronet.dtype_policies.DTypePolicy`): the one last set by
    :func:`set_dtype_policy`, else the policy of :func:`floatx`."""
    from .dtype_policies import DTypePolicy

    name = _SWITCHES.get("dtype_policy")
    if name is None or DTypePolicy(name).variable_dtype != floatx():  # set_floatx since: floatx wins
        name = floatx()
    return DTypePolicy(name)


def set_dtype_policy(policy) -> None:
    """Set the global dtype policy: a name ('float32', 'float64', 'mixed_float16', ...) or a DTypePolicy.

    A float policy sets :func:`floatx` (layers then default to that dtype); a mixed policy sets float32,
    the dtype neuronet computes in under it (with a warning: NumPy has no fast 16-bit arithmetic).

    Raises:
        ValueError: for a name that is not a policy.
    """
    from .dtype_policies import DTypePolicy

    policy = policy if isinstance(policy, DTypePolicy) else DTypePolicy(policy)
    if policy.variable_dtype not in _VALID_FLOATX:
        raise ValueError(f"set_dtype_policy: neuronet computes in one of {_VALID_FLOATX}, received policy "
                         f"{policy.name!r}")
    if policy.name != policy.variable_dtype:
        import warnings

        warnings.warn(f"set_dtype_policy({policy.name!r}): neuronet keeps weights and computation in "
                      f"{policy.variable_dtype} under a mixed policy", stacklevel=2)
    set_floatx(policy.variable_dtype)
    _SWITCHES["dtype_policy"] = policy.name
