"""The MPI side of data-parallel training: one communicator, collectives that cannot hang, fault notices.

Everything neuronet sends between processes goes through :class:`Communicator` (mpi4py on a duplicate
of ``MPI.COMM_WORLD``, so a script's own MPI traffic never mixes with it). Only buffers travel — flat
NumPy arrays and UTF-8 text — never pickles.

Every collective is started non-blocking and then waited on by :meth:`Communicator.wait`, which polls
the request and, while it waits, looks for three kinds of trouble:

* a **fault notice** from another rank (a rank whose ``fit`` raised sends one to every other rank
  before it stops): the waiting rank raises :class:`DistributionError` naming that rank and its error;
* a **dead rank on this host** (killed, out of memory, crashed): its process id, exchanged when the
  communicator starts, no longer runs — the waiting rank raises naming the rank, its pid and host;
* the **watchdog**: no answer for ``timeout`` seconds (a rank on another host died or hangs) raises
  naming the operation and the ranks that could be at fault.

A rank that failed, or saw another rank fail, ends the whole job when its interpreter exits
(``MPI_Abort`` after the other ranks acknowledged the notice or a grace period passed), so no rank
is left waiting in ``MPI_Finalize``. MPICH's launcher itself ends the job as soon as any rank dies
(unless started with ``-disable-auto-cleanup``), printing the dead process's pid and host; the rank
table written by :meth:`Communicator.describe` ties the pid to its rank.
"""

from __future__ import annotations

import atexit
import os
import sys
import time

import numpy as np

__all__ = ["Communicator", "DistributionError", "launched_size"]

_FAULT_TAG = 7301  # a rank failed: the message is "ExcType: message"
_ACK_TAG = 7302  # a rank saw a fault notice

# Environment variables through which MPI launchers tell a process how many processes the job has:
# MPICH's Hydra and Slurm's PMI (PMI_SIZE), Open MPI (OMPI_COMM_WORLD_SIZE), MVAPICH (MV2_COMM_WORLD_SIZE).
_SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE")


class DistributionError(RuntimeError):
    """Data-parallel training cannot go on: another rank failed or died, or the watchdog fired."""


def launched_size() -> int:
    """The number of processes the MPI launcher started (1 when not started by ``mpiexec``)."""
    for name in _SIZE_VARIABLES:
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return 1


def _import_mpi():
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise ImportError("neuronet.distribution needs mpi4py and an MPI library: pip install 'neuronet[mpi]' "
                          "(mpi4py and the MPICH wheel, which brings mpiexec)") from exc
    return MPI


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` (on this host) still runs: it exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[-1].split()[0]
        return state not in (b"Z", b"X")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc (not Linux): ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class Communicator:
    """The processes of one MPI job, as neuronet uses them.

    Args:
        timeout: seconds any one collective may wait for the other ranks before the watchdog raises
            :class:`DistributionError`. Defaults to 600.

    Attributes:
        rank, size: this process's rank and the number of processes.
        hosts, pids: the host name and process id of every rank.
        local_size: the number of ranks on this host.
    """

    def __init__(self, timeout: float = 600.0):
        MPI = _import_mpi()
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD.Dup()
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self.timeout = float(timeout)
        self.failed: str | None = None  # why this job cannot go on, once a fault was raised or seen
        self._notified: set = set()  # ranks that already told us of their failure
        self._own_failure = False  # this rank raised (rather than stopped because of another)
        self._sends: list = []  # fault notices and acknowledgements in flight (kept until the process ends)
        self._announced = False
        # time spent in allreduce_ (waiting for the other ranks included), its calls and bytes summed
        self.stats = {"allreduce_seconds": 0.0, "allreduce_calls": 0, "allreduce_bytes": 0}
        import socket

        host = socket.gethostname()
        pids = np.zeros(self.size, dtype=np.int64)
        self.comm.Allgather(np.array([os.getpid()], dtype=np.int64), pids)
        names = np.zeros((self.size, 256), dtype=np.uint8)
        mine = np.zeros(256, dtype=np.uint8)
        encoded = host.encode("utf-8")[:255]
        mine[:len(encoded)] = np.frombuffer(encoded, dtype=np.uint8)
        self.comm.Allgather(mine, names)
        self.hosts = [bytes(row).rstrip(b"\0").decode("utf-8", "replace") for row in names]
        self.pids = [int(p) for p in pids]
        self.host = host
        self.local_ranks = [r for r in range(self.size) if self.hosts[r] == host]
        self.local_size = len(self.local_ranks)
        atexit.register(self._at_exit)  # after mpi4py's own handler, so it runs before MPI_Finalize

    def describe(self) -> str:
        """One line naming every rank's pid and host, e.g. ``rank 0: pid 812 on node1; rank 1: ...``."""
        return "; ".join(f"rank {r}: pid {self.pids[r]} on {self.hosts[r]}" for r in range(self.size))

    def announce(self) -> None:
        """On rank 0, once: write the rank table to stderr (an MPI launcher names a dead process by its
        pid and host; this line tells its rank)."""
        if self.rank == 0 and not self._announced:
            sys.stderr.write(f"neuronet.distribution: data-parallel over {self.size} processes ({self.describe()})\n")
            sys.stderr.flush()
        self._announced = True

    # ------------------------------------------------------------------ collectives
    def allreduce_(self, buffers: list, what: str) -> None:
        """Sum each flat ndarray of ``buffers`` over all ranks, in place (one non-blocking call each)."""
        MPI = self.MPI
        self._check_usable()
        start = time.perf_counter()
        requests = [self.comm.Iallreduce(MPI.IN_PLACE, buf, op=MPI.SUM) for buf in buffers if buf.size]
        self.wait(requests, what)
        stats = self.stats
        stats["allreduce_seconds"] += time.perf_counter() - start
        stats["allreduce_calls"] += 1
        stats["allreduce_bytes"] += sum(buf.nbytes for buf in buffers)

    def allreduce_max_(self, buffer: np.ndarray, what: str) -> None:
        """The elementwise maximum of ``buffer`` over all ranks, in place."""
        self._check_usable()
        self.wait([self.comm.Iallreduce(self.MPI.IN_PLACE, buffer, op=self.MPI.MAX)], what)

    def bcast_(self, buffer: np.ndarray, what: str, root: int = 0) -> None:
        """Overwrite ``buffer`` with rank ``root``'s (same size and dtype on every rank)."""
        self._check_usable()
        if buffer.size:
            self.wait([self.comm.Ibcast(buffer, root=root)], what)

    def bcast_bytes(self, data: bytes | None, what: str, root: int = 0) -> bytes:
        """Rank ``root``'s ``data`` on every rank (the others pass None)."""
        size = np.array([len(data) if self.rank == root else 0], dtype=np.int64)
        self.bcast_(size, what, root)
        buf = np.zeros(int(size[0]), dtype=np.uint8)
        if self.rank == root:
            buf[:] = np.frombuffer(data, dtype=np.uint8)
        self.bcast_(buf, what, root)
        return buf.tobytes()

    def allgather_(self, value: np.ndarray, what: str) -> np.ndarray:
        """Every rank's ``value`` (a flat array of the same size everywhere), one row per rank."""
        self._check_usable()
        out = np.zeros((self.size,) + value.shape, dtype=value.dtype)
        self.wait([self.comm.Iallgather(value, out)], what)
        return out

    # ------------------------------------------------------------------ waiting, with the watchdog
    def wait(self, requests: list, what: str) -> None:
        """Wait for ``requests``, raising :class:`DistributionError` on a fault notice, a dead local rank
        or after ``timeout`` seconds. Polls without pause (MPI makes progress only while it is polled, as
        its own blocking calls do), yielding the core to other processes between polls; looks for trouble
        every 50 ms."""
        Testall = self.MPI.Request.Testall
        if not requests or Testall(requests):
            return
        start = time.perf_counter()
        next_check = start + 0.05
        yield_core = getattr(os, "sched_yield", None) or (lambda: time.sleep(0))
        while not Testall(requests):
            yield_core()
            now = time.perf_counter()
            if now >= next_check:
                next_check = now + 0.05
                self._look_for_trouble(what, now - start)

    def _look_for_trouble(self, what: str, waited: float) -> None:
        notice = self.poll_notices()
        if notice is not None:
            rank, text = notice
            self._stop(f"rank {rank} ({self.hosts[rank]}, pid {self.pids[rank]}) failed: {text}", what)
        for r in self.local_ranks:
            if r != self.rank and not _process_alive(self.pids[r]):
                self._stop(f"rank {r} (pid {self.pids[r]} on {self.hosts[r]}) died", what)
        if waited > self.timeout:
            others = [r for r in range(self.size) if r != self.rank]
            self._stop(f"no answer from ranks {others} for {self.timeout:g} s (the watchdog's limit: "
                       "DataParallel(timeout=...)); a rank on another host may have died or hang", what)

    def _stop(self, reason: str, what: str) -> None:
        message = f"rank {self.rank} stops: {reason} (while waiting in {what})"
        self.failed = message
        try:  # written before raising: the job may be ended before the traceback is printed
            sys.stderr.write(f"neuronet.distribution: {message}\n")
            sys.stderr.flush()
        except OSError:  # the launcher has gone
            pass
        raise DistributionError(message)

    def _check_usable(self) -> None:
        if self.failed is not None:
            raise DistributionError(f"the data-parallel job cannot go on: {self.failed}; restart it (a checkpoint "
                                    "written by rank 0 resumes it)")

    # ------------------------------------------------------------------ fault notices
    def poll_notices(self):
        """``(rank, text)`` of a fault notice sent by another rank (acknowledged), or None."""
        MPI = self.MPI
        status = MPI.Status()
        if not self.comm.Iprobe(source=MPI.ANY_SOURCE, tag=_FAULT_TAG, status=status):
            return None
        source = status.Get_source()
        buf = np.zeros(status.Get_count(MPI.BYTE), dtype=np.uint8)
        self.comm.Recv([buf, MPI.BYTE], source=source, tag=_FAULT_TAG)
        self._notified.add(source)
        self._sends.append(self.comm.Isend([np.zeros(1, dtype=np.uint8), MPI.BYTE], dest=source, tag=_ACK_TAG))
        return source, buf.tobytes().decode("utf-8", "replace")

    def report_failure(self, exc: BaseException) -> None:
        """Tell every other rank that this one failed with ``exc`` (they raise :class:`DistributionError`
        in their next wait); the job ends when this process exits."""
        if self.failed is not None:
            return
        self._own_failure = True
        text = f"{type(exc).__name__}: {exc}".strip()[:4000]
        self.failed = f"rank {self.rank} failed: {text}"
        data = np.frombuffer(text.encode("utf-8") or b"?", dtype=np.uint8).copy()
        for r in range(self.size):
            if r != self.rank and r not in self._notified:
                self._sends.append(self.comm.Isend([data, self.MPI.BYTE], dest=r, tag=_FAULT_TAG))

    def _at_exit(self) -> None:
        """On exit after a fault: give the other ranks a moment to acknowledge (so they print why they
        stop), then end the whole job with MPI_Abort instead of waiting in MPI_Finalize."""
        if self.failed is None:
            return
        MPI = self.MPI
        if self._notified and not self._own_failure:  # the failing rank ends the job once it has printed its error
            time.sleep(0.5)
        deadline = time.perf_counter() + 5.0
        heard = set(self._notified)  # ranks that acknowledged our notice or failed themselves
        others = set(range(self.size)) - {self.rank}
        status = MPI.Status()
        while self._own_failure and not others <= heard and time.perf_counter() < deadline:
            if self.comm.Iprobe(source=MPI.ANY_SOURCE, tag=_ACK_TAG, status=status):
                self.comm.Recv([np.zeros(1, dtype=np.uint8), MPI.BYTE], source=status.Get_source(), tag=_ACK_TAG)
                heard.add(status.Get_source())
            elif self.poll_notices() is not None:
                heard = heard | self._notified
            elif not all(_process_alive(self.pids[r]) for r in self.local_ranks):
                break
            else:
                time.sleep(0.005)
        if self._own_failure and others <= self._notified:
            return  # every rank failed on its own (e.g. the same bad argument): nothing waits, MPI ends normally
        sys.stdout.flush()
        sys.stderr.flush()
        self.comm.Abort(1)
