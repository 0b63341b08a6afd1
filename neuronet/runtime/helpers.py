"""Helper processes: slices of a stateful op's batch run in processes of their own (Linux).

A recurrent op walks its sequence one step at a time, a dozen small NumPy calls per step. Split over
threads, every one of those calls releases and takes back Python's global lock, and whenever both
threads want it at once one of them sleeps until the other lets go; waking it costs about as long
as a whole step. Processes have a lock each. So the first slice runs in the calling process and every
further slice in a helper process of its own, which keeps that slice's forward state until its
backward (:mod:`neuronet.runtime.stateful` drives this).

A helper is ``python -c "...serve(...)"`` with two pipes and one shared buffer (a file in /dev/shm,
unlinked as soon as both sides have it mapped). Messages are small JSON headers; the arrays travel
in the buffer. A helper runs only the op classes in the closed table :data:`SLICE_OPS`, which the ops
fill when ``neuronet.ops`` is imported (:func:`register_slice_op`); the helper imports that one fixed
module and looks a message's ``op`` up in the table — nothing a message names is imported. It runs
the same code with one BLAS thread and one slice, so a slice gives the same bits in a helper as in
the calling process. Helpers exist only on Linux and start at the first demand (never at import);
elsewhere, when ``runtime.policy.use_helper_processes`` is False, and after any failure, the slices
run on threads.
"""

from __future__ import annotations

import atexit
import json
import mmap
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

from . import memory
from .policy import policy

_DTYPES = ("<f2", "<f4", "<f8", "|b1")
_SHM_DIR = "/dev/shm"
_HEADER = struct.Struct("<I")

#: The op classes a helper may run, by their ``KIND`` (filled by :func:`register_slice_op`).
SLICE_OPS: dict = {}


def register_slice_op(cls):
    """Enter ``cls`` in the table of ops whose slices may run in helper processes, under ``cls.KIND``.

    ``cls`` follows the slice-op protocol of :mod:`neuronet.runtime.stateful` (``KIND``, ``_forward``,
    ``_backward``, ``_reply_nbytes``). Called when the op's module is imported; returns ``cls``, so it
    also works as a class decorator.
    """
    kind = getattr(cls, "KIND", None)
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"register_slice_op: {cls.__name__} needs a non-empty string KIND, received {kind!r}")
    known = SLICE_OPS.get(kind)
    name = f"{cls.__module__}.{cls.__qualname__}"
    taken = None if known is None else f"{known.__module__}.{known.__qualname__}"
    if taken is not None and taken != name:  # (the same class, reloaded, may enter again)
        raise ValueError(f"register_slice_op: KIND {kind!r} of {name} is taken by {taken}")
    SLICE_OPS[kind] = cls
    return cls


# ----------------------------------------------------------------------------- the wire
def _plain(value):
    if isinstance(value, np.generic):  # a NumPy scalar among the op's options
        return value.item()
    raise TypeError(f"helper message: {type(value).__name__} is not JSON serializable")


def _send(fd: int, message: dict) -> None:
    data = json.dumps(message, default=_plain).encode()
    data = _HEADER.pack(len(data)) + data
    while data:
        data = data[os.write(fd, data):]


def _read_exactly(fd: int, n: int) -> bytes:
    chunks = []
    while n:
        chunk = os.read(fd, n)
        if not chunk:
            raise EOFError("helper pipe closed")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _receive(fd: int, spin: float = 0.0) -> dict:
    """The next message; for up to ``spin`` seconds keep polling before sleeping in the read (the other
    side usually answers within a step's time, and waking a sleeping process costs about as much)."""
    if spin:
        deadline = time.perf_counter() + spin
        while not select.select([fd], [], [], 0)[0] and time.perf_counter() < deadline:
            os.sched_yield()  # any other thread that wants this core gets it first
    (n,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size))
    return json.loads(_read_exactly(fd, n))


class _Buffer:
    """A shared memory file mapped in this process; its layout is written by whoever sends."""

    def __init__(self, size: int = 0, path: str | None = None):
        if path is None:
            fd, path = tempfile.mkstemp(prefix="neuronet-", dir=_SHM_DIR)
            try:
                os.posix_fallocate(fd, 0, size)  # fails now, rather than SIGBUS later, if /dev/shm is full
            except BaseException:
                os.close(fd)
                os.unlink(path)
                raise
        else:
            fd = os.open(path, os.O_RDWR)
            size = os.fstat(fd).st_size
        self.path, self.size = path, size
        try:
            self.map = mmap.mmap(fd, size)
        finally:
            os.close(fd)

    def put(self, arrays) -> list:
        """Copy the arrays (or None) one after the other; return their descriptions for a message."""
        described, offset = [], 0
        for a in arrays:
            if a is None:
                described.append(None)
                continue
            a = np.asarray(a)
            np.ndarray(a.shape, a.dtype, buffer=self.map, offset=offset)[...] = a
            described.append([offset, list(a.shape), a.dtype.str])
            offset += -(-a.nbytes // 64) * 64
        return described

    def get(self, described, copy=True) -> list:
        """The arrays a message describes: copies, or with ``copy=False`` views that are only good until
        the next message reuses the buffer."""
        out = []
        for d in described:
            if d is None:
                out.append(None)
                continue
            offset, shape, dtype = d
            if dtype not in _DTYPES:
                raise ValueError(f"helper message: dtype {dtype!r} is not one of {_DTYPES}")
            view = np.ndarray(tuple(shape), np.dtype(dtype), buffer=self.map, offset=offset)
            out.append(view.copy() if copy else view)
        return out

    @staticmethod
    def nbytes(arrays) -> int:
        return sum(-(-np.asarray(a).nbytes // 64) * 64 for a in arrays if a is not None)


# ----------------------------------------------------------------------------- the helper's side
def serve(read_fd: int, write_fd: int) -> None:
    """The helper process: run the ops the messages ask for until the calling process goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the caller, which then closes the pipes
    try:
        _serve(read_fd, write_fd)
    except (EOFError, OSError):  # the caller exited or closed the pipes
        pass


def _serve(read_fd: int, write_fd: int) -> None:
    policy.num_threads = 1  # a helper runs its slice whole
    policy.use_helper_processes = False
    memory.first_use()  # the allocator setting, as in the calling process
    import neuronet.ops  # noqa: F401  (one fixed module: its ops fill SLICE_OPS)

    ops = SLICE_OPS
    states, buffer = {}, None
    _send(write_fd, {"ready": True})
    while True:
        message = _receive(read_fd, policy.helper_spin)
        for key in message.get("drop", ()):
            states.pop(key, None)
        if message.get("buffer"):
            buffer = _Buffer(path=message["buffer"])
        reply = {}
        try:
            with np.errstate(**message["errstate"]):
                if message["cmd"] == "forward":
                    op = ops[message["op"]]()
                    arrays = buffer.get(message["arrays"])  # copies: kept for the backward
                    names = message["names"]  # the arrays passed by keyword, last
                    keyword = dict(zip(names, arrays[len(arrays) - len(names):]))
                    outputs = op._forward(*arrays[:len(arrays) - len(names)], **keyword, **message["options"])
                    states[message["key"]] = op
                else:
                    op = states[message["key"]]
                    op.needs_input_grad = tuple(message["needs"])
                    # the gradients are read during this call only, before the reply reuses the buffer
                    outputs = op._backward(tuple(buffer.get(message["arrays"], copy=False)))
            if _Buffer.nbytes(outputs) > buffer.size:
                raise MemoryError(f"helper: results of {_Buffer.nbytes(outputs)} bytes exceed the shared buffer")
            reply["arrays"] = buffer.put(outputs)
        except Exception as error:  # reported to the caller, which raises it there
            reply = {"error": type(error).__name__, "message": str(error)}
        _send(write_fd, reply)


# ----------------------------------------------------------------------------- the caller's side
_ERRORS = {"ValueError": ValueError, "TypeError": TypeError, "FloatingPointError": FloatingPointError,
           "MemoryError": MemoryError, "KeyError": KeyError}


class HelperError(RuntimeError):
    """The helper process failed (it died, or its pipe broke): the caller falls back to threads."""


class HelperSkip(Exception):
    """This request does not fit a helper's buffer; nothing was sent, the helper stays usable."""


class Helper:
    """One helper process and its buffer. Use it from one thread at a time (``lock``)."""

    def __init__(self):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = dict(os.environ, NEURONET_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                   MKL_NUM_THREADS="1", NEURONET_MALLOC_TUNING="1" if policy.malloc_tuning else "0",
                   PYTHONPATH=os.pathsep.join(
                       p for p in (package_root, os.environ.get("PYTHONPATH")) if p))
        # the caller's neuronet first on the path: ``python -c`` would put the working directory (which
        # may hold another checkout of neuronet) before PYTHONPATH
        code = (f"import sys; sys.path.insert(0, {package_root!r}); "
                f"from neuronet.runtime.helpers import serve; serve({to_child_r}, {from_child_w})")
        try:
            self.process = subprocess.Popen([sys.executable, "-c", code], pass_fds=(to_child_r, from_child_w),
                                            env=env, stdin=subprocess.DEVNULL, close_fds=True,
                                            start_new_session=True)
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.lock = threading.Lock()
        self.closed = False  # once closed, its descriptor numbers may belong to other files
        self.ready = False
        self.buffer = None
        self.new_buffer = None  # path the helper has not mapped yet
        self.drops = []         # keys of forward states nobody needs any more
        self.next_key = 0

    def is_ready(self) -> bool:
        """True once the helper has started (never waits: until then the caller works without it)."""
        if not self.ready:
            if self.process.poll() is not None:
                raise HelperError(f"helper process exited with code {self.process.returncode}")
            if select.select([self.from_child], [], [], 0)[0]:
                self.ready = bool(self._receive().get("ready"))
        return self.ready

    def drop(self, key: int) -> None:
        """Let the helper forget a forward state (sent along with the next request)."""
        self.drops.append(key)

    def _receive(self) -> dict:
        if self.closed:
            raise HelperError("helper process was shut down")
        try:
            return _receive(self.from_child, policy.helper_spin)
        except (EOFError, OSError, ValueError) as error:
            raise HelperError(f"helper process stopped answering: {error}") from None

    def _ensure_buffer(self, nbytes: int) -> None:
        if self.buffer is None or self.buffer.size < nbytes:
            self.buffer = _Buffer(max(2 * nbytes, 1 << 20))
            self.new_buffer = self.buffer.path

    def send(self, cmd: str, arrays, reply_nbytes: int, **fields) -> None:
        """Send a request; :meth:`result` must follow before the next one."""
        if self.closed:
            raise HelperError("helper process was shut down")
        nbytes = max(_Buffer.nbytes(arrays), reply_nbytes)
        if nbytes > policy.helper_max_buffer:
            raise HelperSkip(f"helper: {nbytes} bytes exceed the shared buffer limit {policy.helper_max_buffer}")
        try:
            self._ensure_buffer(nbytes)
        except OSError as error:  # /dev/shm is full: nothing was sent, the helper stays usable
            raise HelperSkip(f"helper: no shared buffer of {nbytes} bytes: {error}") from None
        try:
            message = dict(fields, cmd=cmd, arrays=self.buffer.put(arrays), drop=self.drops,
                           buffer=self.new_buffer, errstate=np.geterr())
            self.drops = []
            _send(self.to_child, message)
        except OSError as error:
            raise HelperError(f"helper process stopped answering: {error}") from None
        except BaseException:
            failed()  # interrupted halfway (Ctrl-C): this pipe can't be trusted any more
            raise

    def result(self) -> list:
        """The arrays the helper answered the last request with (its error, raised here, if it failed)."""
        try:
            reply = self._receive()
        except HelperError:
            raise
        except BaseException:
            failed()  # interrupted halfway (Ctrl-C): this pipe can't be trusted any more
            raise
        if self.new_buffer is not None:  # the helper has it mapped now: the name can go
            os.unlink(self.new_buffer)
            self.new_buffer = None
        if "error" in reply:
            raise _ERRORS.get(reply["error"], RuntimeError)(reply["message"])
        return self.buffer.get(reply["arrays"])

    def close(self) -> None:
        """Close the pipes (the helper then exits) and forget the buffer's name; safe to call twice."""
        if self.closed:
            return
        self.closed = True
        for fd in (self.to_child, self.from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.new_buffer is not None:
            try:
                os.unlink(self.new_buffer)
            except OSError:
                pass
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()


def run(requests, local):
    """Send ``requests`` [(helper, cmd, arrays, reply_nbytes, fields)], run ``local()`` here in the
    meantime, and return ``(its result, [each helper's answer])``. Every request sent gets its answer
    read, even when something fails on the way, so the pipes stay in step."""
    sent = []
    try:
        for helper, cmd, arrays, nbytes, fields in requests:
            helper.send(cmd, arrays, nbytes, **fields)
            sent.append(helper)
        first = local()
    except BaseException:
        for helper in sent:
            try:
                helper.result()
            except Exception:
                pass
        raise
    return first, [helper.result() for helper in sent]


_HELPERS: list = []
_STATE = {"failed": False, "hooks": False}


def available() -> bool:
    """Whether helpers may run here: the policy allows them, and the platform can (Linux, with
    /dev/shm), and none has failed in this process."""
    if not policy.use_helper_processes or _STATE["failed"] or not sys.platform.startswith("linux"):
        return False
    if not os.path.basename(sys.executable or "").startswith("python"):
        return False  # embedded in another program: sys.executable may not be a Python to start
    if "shm" not in _STATE:
        _STATE["shm"] = os.path.isdir(_SHM_DIR)
    return _STATE["shm"]


def helpers(count: int) -> list | None:
    """``count`` started, idle helpers, or None (not possible here, still starting, or busy).

    Helpers are started on first demand and never waited for: until they are up, callers split over
    threads."""
    if count < 1 or not available():
        return None
    if not _STATE["hooks"]:  # on the first demand, not at import
        _STATE["hooks"] = True
        atexit.register(shutdown)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_forget_helpers)
    try:
        while len(_HELPERS) < count:
            _HELPERS.append(Helper())
        chosen = _HELPERS[:count]
        if not all(h.is_ready() for h in chosen):
            return None
    except (OSError, HelperError):
        failed()
        return None
    for i, h in enumerate(chosen):
        if not h.lock.acquire(blocking=False):
            for taken in chosen[:i]:
                taken.lock.release()
            return None
    return chosen


def failed() -> None:
    """Stop using helpers in this process (after an error): the slices run on threads instead."""
    _STATE["failed"] = True
    shutdown()


def shutdown() -> None:
    """Close every helper (at exit, or after a failure); the next demand starts new ones."""
    while _HELPERS:
        _HELPERS.pop().close()


def _forget_helpers() -> None:
    # A forked child shares its parent's pipes: it must not talk to the parent's helpers.
    _HELPERS.clear()

