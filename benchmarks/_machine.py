"""What every benchmark prints about the machine it ran on."""

from __future__ import annotations

import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; {capacity()}"
    )


def _spin(_: int) -> float:
    started = time.perf_counter()
    sum(i * i for i in range(3_000_000))
    return time.perf_counter() - started


def capacity(when: str = "now") -> str:
    """How much of its cores the machine gives right now: the same CPU-bound loop alone, then on
    every core at once. A virtual machine's cores can be shared with other guests; the figures of
    a run are only comparable with those of another run at the same capacity."""
    cores = os.cpu_count() or 1
    alone = min(_spin(0), _spin(0))
    with ProcessPoolExecutor(cores) as pool:
        together = list(pool.map(_spin, range(cores)))
    return (
        f"capacity {when}: {cores * alone / max(together):.1f} of {cores} cores ({alone:.2f} s alone, "
        f"{max(together):.2f} s slowest of {cores} at once)"
    )


def command() -> str:
    return " ".join([os.path.relpath(sys.executable), *sys.argv])
