"""Work on one slice of a frame per core, each on its own thread.

Polars runs each expression over a column on one core, and releases the GIL while it does: a
step made of regular expressions over a million rows (placing firms on chains, locating
addresses) uses every core only when its rows are cut into slices worked on side by side.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import polars as pl

Rows = TypeVar("Rows", pl.DataFrame, pl.Series)
Result = TypeVar("Result")


def per_core(rows: Rows, work: Callable[[Rows], Result]) -> list[Result]:
    """`work` on one slice of `rows` per core, on as many threads, results in the rows' order."""
    size = max(1, -(-len(rows) // (os.cpu_count() or 1)))  # rounded up: one slice per core
    parts = [rows.slice(start, size) for start in range(0, len(rows), size)] or [rows]
    with ThreadPoolExecutor(len(parts)) as pool:
        return list(pool.map(work, parts))
