"""gunicorn config for ``bench/pages.py``'s servers: counts kept fragments read and built.

Each worker wraps ``localbzz.datacache.fragment`` (every caller goes through the module
attribute) and counts, in a 16-byte file of its own under ``$BENCH_FRAGMENT_COUNTS``, the calls
and the builds (misses); the bench sums the files around each run. Only the bench loads this
file: production pays nothing.
"""

from __future__ import annotations

import mmap
import os
import struct
from pathlib import Path


def post_worker_init(worker) -> None:
    folder = os.environ.get("BENCH_FRAGMENT_COUNTS")
    if not folder:
        return
    from localbzz import datacache

    path = Path(folder) / str(os.getpid())
    path.write_bytes(bytes(16))
    with path.open("r+b") as f:
        counts = mmap.mmap(f.fileno(), 16)
    fragment = datacache.fragment

    def counted(name, parts, build, **kwargs):
        built = []

        def counting_build():
            built.append(1)
            return build()

        try:
            return fragment(name, parts, counting_build, **kwargs)
        finally:
            calls, builds = struct.unpack_from("QQ", counts)
            struct.pack_into("QQ", counts, 0, calls + 1, builds + len(built))

    datacache.fragment = counted


def counts_by_worker(folder: str) -> dict[str, tuple[int, int]]:
    """Worker pid -> (calls, builds), for every worker that ran with ``folder``."""
    return {path.name: struct.unpack("QQ", path.read_bytes()[:16]) for path in Path(folder).iterdir()}


def read_counts(folder: str) -> tuple[int, int]:
    """(calls, builds) summed over the workers."""
    counts = counts_by_worker(folder).values()
    return sum(c for c, _ in counts), sum(b for _, b in counts)
