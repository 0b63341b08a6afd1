"""Read the pickled data of Keras's dataset files without running pickle: a small, closed interpreter.

Two of Keras's downloads hold pickles: the CIFAR "python version" batches (a dict of a uint8 array,
label lists and names) and the object arrays of ``imdb.npz``/``reuters.npz`` (arrays of lists of word
ids, stored by NumPy as a pickle inside the ``.npy`` member). Python's ``pickle`` would execute
whatever callables a file names; this reader never calls ``pickle`` and never imports or calls
anything named in a file. It walks the opcodes with :func:`pickletools.genops` (a parser) and builds
only plain data itself:

* numbers, strings, bytes, None/True/False, lists, tuples, dicts;
* NumPy arrays and dtypes, recognised by the exact names NumPy writes (``numpy.core.multiarray
  _reconstruct`` / ``numpy._core.multiarray _reconstruct``, ``numpy ndarray``, ``numpy dtype``) and
  rebuilt here with ``np.frombuffer`` (object arrays: filled with the plain data above);
* NumPy numbers (``numpy.core.multiarray scalar``), read as Python numbers;
* NumPy's protocol-5 ``_frombuffer`` (``numpy.core.numeric``/``numpy._core.numeric``), likewise;
* ``_codecs encode`` (how Python 3 writes bytes in protocol 2), turned into bytes here.

Any other name or opcode (objects, sets of classes, extensions, persistent ids) is refused with a
ValueError, so a tampered file cannot do more than fail to load. Python 2 ``str`` values are read as
bytes (``encoding='bytes'``), as Keras reads the CIFAR batches.
"""

from __future__ import annotations

import math
import pickletools

import numpy as np

__all__ = ["load_pickle_data"]

_RECONSTRUCT = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct")}
_NDARRAY = ("numpy", "ndarray")
_DTYPE = ("numpy", "dtype")
_FROMBUFFER = {("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer")}  # protocol 5
_SCALAR = {("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")}  # a NumPy number
_ENCODE = ("_codecs", "encode")
_ALLOWED = _RECONSTRUCT | _FROMBUFFER | _SCALAR | {_NDARRAY, _DTYPE, _ENCODE}


class _Global:
    __slots__ = ("name",)

    def __init__(self, name: tuple):
        self.name = name


class _Pending:
    """An array or dtype announced by REDUCE and completed by BUILD (memo entries may point at it)."""

    __slots__ = ("kind", "args", "value")

    def __init__(self, kind: str, args: tuple):
        self.kind, self.args, self.value = kind, args, None


def _bytes(value):
    return value.encode("latin-1") if isinstance(value, str) else value


def _build_dtype(p: _Pending, state, where: str) -> None:
    typestr = p.args[0]
    typestr = typestr.decode("latin-1") if isinstance(typestr, bytes) else typestr
    if not isinstance(typestr, str) or not isinstance(state, tuple) or len(state) < 2:
        raise ValueError(f"{where}: malformed dtype in the pickle")
    if len(state) > 3 and state[3] is not None:
        raise ValueError(f"{where}: structured dtypes are not supported in dataset files")
    if typestr.startswith("O"):
        p.value = np.dtype(object)
        return
    try:
        dt = np.dtype(typestr)
    except TypeError:
        raise ValueError(f"{where}: unsupported dtype {typestr!r} in the pickle") from None
    order = state[1]
    order = order.decode("latin-1") if isinstance(order, bytes) else order
    if order in ("<", ">"):
        dt = dt.newbyteorder(order)
    p.value = dt


def _build_array(p: _Pending, state, where: str, resolve) -> None:
    if not isinstance(state, tuple) or len(state) != 5:
        raise ValueError(f"{where}: malformed array in the pickle")
    _, shape, dtype, fortran, raw = state
    dtype = resolve(dtype)
    if not isinstance(dtype, np.dtype) or not isinstance(shape, tuple) or not all(
            isinstance(d, int) and d >= 0 for d in shape):
        raise ValueError(f"{where}: malformed array header in the pickle")
    order = "F" if fortran else "C"
    size = math.prod(shape)
    if dtype.hasobject:
        if not isinstance(raw, list) or len(raw) != size:
            raise ValueError(f"{where}: an object array's data does not match its shape {shape}")
        out = np.empty(size, dtype=object)
        for i, v in enumerate(raw):
            out[i] = resolve(v)
        p.value = out.reshape(shape, order=order)
        return
    raw = _bytes(raw)
    if not isinstance(raw, (bytes, bytearray)) or len(raw) != size * dtype.itemsize:
        raise ValueError(f"{where}: an array's data has the wrong length for shape {shape} and dtype {dtype}")
    p.value = np.frombuffer(raw, dtype=dtype).reshape(shape, order=order).copy()


def load_pickle_data(data: bytes, where: str = "load_pickle_data"):
    """The plain data (dicts, lists, NumPy arrays, ...) of the pickle ``data``, built without executing
    anything; a ValueError naming ``where`` for anything else."""
    stack: list = []
    marks: list = []
    memo: dict = {}

    def pop_mark() -> list:
        if not marks:
            raise ValueError(f"{where}: malformed pickle (no mark)")
        start = marks.pop()
        items = stack[start:]
        del stack[start:]
        return items

    def resolve(value, seen=None):
        """``value`` with every completed array/dtype placeholder replaced by its value."""
        if isinstance(value, _Pending):
            if value.value is None:
                raise ValueError(f"{where}: an array or dtype in the pickle was never completed")
            return value.value
        if isinstance(value, (list, dict, tuple)):
            seen = set() if seen is None else seen
            if id(value) in seen:
                return value
            seen.add(id(value))
            if isinstance(value, list):
                value[:] = [resolve(v, seen) for v in value]
            elif isinstance(value, dict):
                for k in list(value):
                    value[k] = resolve(value[k], seen)
            else:
                return tuple(resolve(v, seen) for v in value)
        if isinstance(value, _Global):
            raise ValueError(f"{where}: the pickle holds a reference to {'.'.join(value.name)}, which is not data")
        return value

    try:
        ops = pickletools.genops(data)
        for opcode, arg, _pos in ops:
            name = opcode.name
            if name in ("PROTO", "FRAME"):
                continue
            if name == "STOP":
                if len(stack) != 1:
                    raise ValueError(f"{where}: malformed pickle (stack of {len(stack)} at STOP)")
                return resolve(stack.pop())
            if name == "MARK":
                marks.append(len(stack))
            elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
                memo[arg] = stack[-1]
            elif name == "MEMOIZE":
                memo[len(memo)] = stack[-1]
            elif name in ("GET", "BINGET", "LONG_BINGET"):
                stack.append(memo[arg])
            elif name == "NONE":
                stack.append(None)
            elif name in ("NEWTRUE", "NEWFALSE"):
                stack.append(name == "NEWTRUE")
            elif name in ("INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "FLOAT", "BINFLOAT"):
                stack.append(arg)
            elif name in ("UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8"):
                stack.append(arg)
            elif name in ("BINBYTES", "SHORT_BINBYTES", "BINBYTES8", "BYTEARRAY8"):
                stack.append(bytes(arg))
            elif name in ("STRING", "BINSTRING", "SHORT_BINSTRING"):
                stack.append(_bytes(arg))  # a Python 2 str: kept as bytes (encoding='bytes')
            elif name in ("EMPTY_LIST", "EMPTY_DICT", "EMPTY_TUPLE"):
                stack.append({"EMPTY_LIST": [], "EMPTY_DICT": {}, "EMPTY_TUPLE": ()}[name])
            elif name == "LIST":
                stack.append(pop_mark())
            elif name == "TUPLE":
                stack.append(tuple(pop_mark()))
            elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
                n = int(name[-1])
                items = tuple(stack[-n:])
                del stack[-n:]
                stack.append(items)
            elif name == "DICT":
                items = pop_mark()
                stack.append(dict(zip(items[0::2], items[1::2])))
            elif name == "APPEND":
                value = stack.pop()
                _target(stack, list, where).append(value)
            elif name == "APPENDS":
                items = pop_mark()
                _target(stack, list, where).extend(items)
            elif name == "SETITEM":
                value, key = stack.pop(), stack.pop()
                _target(stack, dict, where)[_key(key, where)] = value
            elif name == "SETITEMS":
                items = pop_mark()
                target = _target(stack, dict, where)
                for key, value in zip(items[0::2], items[1::2]):
                    target[_key(key, where)] = value
            elif name in ("GLOBAL", "STACK_GLOBAL"):
                if name == "GLOBAL":
                    module, _, attr = arg.partition(" ")
                else:
                    attr, module = stack.pop(), stack.pop()
                if (module, attr) not in _ALLOWED:
                    raise ValueError(f"{where}: the pickle refers to {module}.{attr}; only NumPy arrays and plain "
                                     "data are read from dataset files")
                stack.append(_Global((module, attr)))
            elif name == "REDUCE":
                args, fn = stack.pop(), stack.pop()
                if not isinstance(fn, _Global) or not isinstance(args, tuple):
                    raise ValueError(f"{where}: malformed pickle (a call that is not one of NumPy's)")
                if fn.name in _RECONSTRUCT:
                    if not args or not isinstance(args[0], _Global) or args[0].name != _NDARRAY:
                        raise ValueError(f"{where}: the pickle rebuilds something other than an ndarray")
                    stack.append(_Pending("array", args))
                elif fn.name in _SCALAR:
                    stack.append(_scalar(args, where, resolve))
                elif fn.name in _FROMBUFFER:
                    stack.append(_from_buffer(args, where, resolve))
                elif fn.name == _DTYPE:
                    stack.append(_Pending("dtype", args))
                elif fn.name == _ENCODE:
                    if len(args) != 2 or not isinstance(args[0], str) or args[1] not in ("latin1", "latin-1"):
                        raise ValueError(f"{where}: unexpected _codecs.encode arguments in the pickle")
                    stack.append(args[0].encode("latin-1"))
                else:
                    raise ValueError(f"{where}: the pickle calls {'.'.join(fn.name)}, which is not allowed")
            elif name == "BUILD":
                state = stack.pop()
                target = stack[-1]
                if not isinstance(target, _Pending) or target.value is not None:
                    raise ValueError(f"{where}: the pickle sets the state of an object; only arrays are read")
                if target.kind == "dtype":
                    _build_dtype(target, state, where)
                else:
                    _build_array(target, state, where, resolve)
            else:
                raise ValueError(f"{where}: the pickle uses opcode {name}, which a dataset file does not need")
    except (IndexError, KeyError):
        raise ValueError(f"{where}: malformed pickle data") from None
    except ValueError as err:
        if str(err).startswith(where):
            raise
        raise ValueError(f"{where}: malformed pickle data ({err})") from None
    raise ValueError(f"{where}: the pickle data ends without a STOP opcode (truncated)")


def _from_buffer(args: tuple, where: str, resolve) -> np.ndarray:
    """NumPy's protocol-5 form ``_frombuffer(buffer, dtype, shape, order)``."""
    if len(args) != 4:
        raise ValueError(f"{where}: unexpected _frombuffer arguments in the pickle")
    buf, dtype, shape, order = bytes(_bytes(args[0])), resolve(args[1]), args[2], args[3]
    if (not isinstance(dtype, np.dtype) or dtype.hasobject or not isinstance(shape, tuple)
            or not all(isinstance(d, int) and d >= 0 for d in shape) or order not in ("C", "F")
            or len(buf) != math.prod(shape) * dtype.itemsize):
        raise ValueError(f"{where}: malformed array data in the pickle")
    return np.frombuffer(buf, dtype=dtype).reshape(shape, order=order).copy()


def _scalar(args: tuple, where: str, resolve):
    """NumPy's form of a number ``scalar(dtype, bytes)``, as a Python number."""
    if len(args) != 2:
        raise ValueError(f"{where}: unexpected scalar arguments in the pickle")
    dtype, raw = resolve(args[0]), _bytes(args[1])
    if not isinstance(dtype, np.dtype) or dtype.hasobject or not isinstance(raw, bytes) or len(raw) != dtype.itemsize:
        raise ValueError(f"{where}: malformed NumPy scalar in the pickle")
    return np.frombuffer(raw, dtype=dtype)[0].item()


def _target(stack: list, kind: type, where: str):
    if not stack or not isinstance(stack[-1], kind):
        raise ValueError(f"{where}: malformed pickle (expected a {kind.__name__} on the stack)")
    return stack[-1]


def _key(key, where: str):
    if isinstance(key, (list, dict, _Pending, _Global)):
        raise ValueError(f"{where}: malformed pickle (an unhashable dict key)")
    return key
