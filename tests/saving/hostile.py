"""Helpers for the hostile-file tests: hand-made zip archives and a loader run in a limited child process.

``run_loads(paths, kind)`` loads each file in a fresh Python process whose address space is capped
at 200 MB and CPU time at 60 s per batch of 250 files (``resource.setrlimit``), and returns one
record per file::

    {"outcome": "ok" | "error" | "unexpected" | "crash", "type": ..., "message": ..., "seconds": ...}

"error" is the library's own clean error (a ValueError, FileNotFoundError... whose message names the
file); "unexpected" is any other exception (or a MemoryError: memory was not bounded); "crash" is a
child that died (segfault, limit hit) on that file.
"""

import json
import os
import struct
import subprocess
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MEMORY_LIMIT = 200 << 20
CPU_LIMIT = 60  # seconds of CPU for one child's BATCH files (each file's own time is checked separately)
BATCH = 250

CHILD = r'''
import json, os, resource, sys, time, warnings
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
resource.setrlimit(resource.RLIMIT_CPU, (int(sys.argv[2]), int(sys.argv[2])))
warnings.simplefilter("ignore")
import numpy as np
from neuronet import layers as L, saving
from neuronet.models import Input, Sequential

def target_model():
    model = Sequential([Input(shape=(4,)), L.Dense(8, activation="relu"), L.BatchNormalization(), L.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model

model = target_model()
kind = sys.argv[3]
for line in sys.stdin:
    path = line.strip()
    if not path:
        continue
    print(json.dumps({"start": path}), flush=True)
    start = time.perf_counter()
    record = {"path": path}
    try:
        if kind == "model":
            saving.load_model(path)
        else:
            saving.load_weights(model, path)
        record["outcome"] = "ok"
    except MemoryError as err:
        record.update(outcome="unexpected", type="MemoryError", message=str(err)[:300])
    except (ValueError, OSError) as err:
        clean = os.path.basename(path) in str(err) and "\n" not in str(err).strip()
        record.update(outcome="error" if clean else "unexpected", type=type(err).__name__, message=str(err)[:300])
    except Exception as err:
        record.update(outcome="unexpected", type=type(err).__name__, message=str(err)[:300])
    record["seconds"] = time.perf_counter() - start
    with open("/proc/self/status") as status:  # the peak of this process (ru_maxrss may hold the parent's)
        record["maxrss_mb"] = next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) / 1024
    print(json.dumps(record), flush=True)
'''


def run_loads(paths: list, kind: str = "model", timeout: float = 120.0) -> list:
    """Load every path (``kind`` 'model' → load_model, 'weights' → load_weights into a small model)
    in limited children, at most BATCH files per child (the CPU limit counts a child's whole life);
    a child that dies is restarted after the file that killed it."""
    env = {**os.environ, "NEURONET_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MALLOC_ARENA_MAX": "2"}
    records, pending = [], [str(p) for p in paths]
    while pending:
        batch = pending[:BATCH]
        proc = subprocess.run([sys.executable, "-c", CHILD, str(MEMORY_LIMIT), str(CPU_LIMIT), kind],
                              input="\n".join(batch) + "\n", capture_output=True, text=True, timeout=timeout,
                              cwd=ROOT, env=env)
        started, done = None, 0
        for line in proc.stdout.splitlines():
            item = json.loads(line)
            if "start" in item:
                started = item["start"]
            else:
                records.append(item)
                started = None
                done += 1
        pending = pending[done:]
        if started is not None:  # the child died on this file
            records.append({"path": started, "outcome": "crash", "type": f"exit {proc.returncode}",
                            "message": proc.stderr[-300:], "seconds": None})
            pending = pending[1:]
        elif done < len(batch):
            raise RuntimeError(f"the loader child stopped early: {proc.stderr[-2000:]}")
    return records


def raw_zip(members: list) -> bytes:
    """A zip archive from ``[(name, stored bytes, method, declared size, crc)]`` written as given —
    sizes and CRCs may lie (method 0 stored, 8 deflated)."""
    out, central = bytearray(), bytearray()
    for name, data, method, size, crc in members:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(data), size, len(encoded), 0)
        out += encoded + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc, len(data), size,
                               len(encoded), 0, 0, 0, 0, 0, offset)
        central += encoded
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0)
    return bytes(out)


def deflate_bomb(gigabytes: int = 1) -> bytes:
    """A raw DEFLATE stream of about 1 MB per GiB that inflates to ``gigabytes`` GiB of zeros."""
    block_maker = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = block_maker.compress(bytes(1 << 24)) + block_maker.flush(zlib.Z_FULL_FLUSH)  # 16 MiB, self-contained
    return block * (64 * gigabytes) + zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)


def target_model():
    """The model the children load weights into, trained one step (so its optimizer has state)."""
    import numpy as np

    from neuronet import config
    from neuronet import layers as L
    from neuronet.models import Input, Sequential

    config.set_random_seed(0)  # the same files every run, so a failing mutant can be made again
    model = Sequential([Input(shape=(4,)), L.Dense(8, activation="relu"), L.BatchNormalization(), L.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 4), "float32"), np.ones((8, 2), "float32"), epochs=1, verbose=0)
    return model


def members_of(path) -> list:
    """``[(name, data)]`` of a zip written by neuronet (stored members)."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return [(info.filename, zf.read(info)) for info in zf.infolist()]


def stored(name: str, data: bytes) -> tuple:
    return (name, data, 0, len(data), zlib.crc32(data))
