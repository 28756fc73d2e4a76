"""Work that takes seconds of CPU at a request's bidding (checking a password with argon2id,
verifying the ledger) runs on threads of its own kind, a few at a time, at a lower scheduling
priority: the requests that come meanwhile take the cores first, so none waits for another's
sign-in or verification (benchmarks/login_bench.py). argon2's lane threads are started by those
threads and inherit their priority."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
NICENESS = 10  # Linux's weight for nice 10 is a tenth of nice 0's: the requests come first


def _lower_priority() -> None:
    # Linux schedules threads one by one: this lowers the calling thread only (elsewhere it would
    # lower the whole server, so it is left alone).
    if sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)


class Background:
    """`workers` threads at a lower priority; `run` waits for the callable's result there."""

    def __init__(self, name: str, workers: int = 1):
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix=name, initializer=_lower_priority)

    def run(self, work: Callable[..., T], *args: object) -> T:
        return self._pool.submit(work, *args).result()


# Sign-ins beside each other: one per core (each argon2 check holds 64 MiB while it runs).
HASHING = Background("argon2", workers=min(4, os.cpu_count() or 1))
VERIFYING = Background("verify")  # one at a time (ServerState.verify_quietly)
