"""Keep the memory of large temporary arrays inside the process between training steps (glibc only).

Every op allocates its output, and backward allocates one gradient per op, so a training step creates
and frees the same set of arrays over and over. With glibc's default settings an array above 128 KiB
(a 128×256 float32 batch already) is mapped fresh from the kernel and unmapped when freed, and freed
heap memory is handed back as soon as 128 KiB are free at its top — so every step pays page faults
and the kernel zeroes the pages again (benchmarks/README.md has the measurements).

:func:`tune_malloc` raises the two thresholds so those blocks stay in the heap and are reused, which
is what PyTorch's and JAX's caching allocators achieve by other means. Freed memory is kept for reuse
(up to ``trim_threshold`` of it), so the resident size stays near the peak of a step instead of
dropping between steps; the peak itself does not grow.

Importing neuronet does not call it. The runtime calls it once, when the first op runs through it,
if ``runtime.policy.malloc_tuning`` is True (the default; ``NEURONET_MALLOC_TUNING=0`` in the
environment turns it off). It does nothing on systems without glibc.
"""

from __future__ import annotations

import sys

from .policy import policy

_M_TRIM_THRESHOLD = -1  # glibc mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3

_state = {"tuned": False, "started": False}


def tune_malloc(mmap_threshold: int = 64 << 20, trim_threshold: int = 256 << 20) -> bool:
    """Ask glibc's allocator to serve blocks below ``mmap_threshold`` bytes from its heap and to keep
    up to ``trim_threshold`` bytes of freed heap for reuse. This changes the whole process's allocator
    and cannot be undone.

    Args:
        mmap_threshold: blocks at least this large are still mapped from the kernel. Defaults to 64 MiB.
        trim_threshold: freed memory at the top of the heap beyond this is returned to the kernel.
            Defaults to 256 MiB.

    Returns:
        True if both settings were applied (Linux with glibc), False otherwise.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (ImportError, OSError, AttributeError):  # no ctypes, or not glibc (musl, ...)
        return False
    ok = mallopt(_M_MMAP_THRESHOLD, int(mmap_threshold)) == 1
    ok = mallopt(_M_TRIM_THRESHOLD, int(trim_threshold)) == 1 and ok
    _state["tuned"] = _state["tuned"] or ok
    return ok


def is_malloc_tuned() -> bool:
    """True if :func:`tune_malloc` has been applied in this process."""
    return _state["tuned"]


def first_use() -> None:
    """Apply the policy's allocator setting, once: called by the runtime when an op first runs
    through it (never at import)."""
    if _state["started"]:
        return
    _state["started"] = True
    if policy.malloc_tuning:
        tune_malloc(policy.mmap_threshold, policy.trim_threshold)
