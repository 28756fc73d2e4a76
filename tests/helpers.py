"""Builders shared by the tests of every area."""

from __future__ import annotations

import fcntl
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from districtlens.ingest.validate import uscc_check_char

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def make_uscc(n: int, region: str = "310106") -> str:
    """A valid unified social credit code, distinct for each n."""
    body = f"91{region}MA{n:07d}"[:17]
    return body + uscc_check_char(body)


def roster_rows(n: int, years=(2022, 2023), district: str = "静安区") -> list[dict[str, str]]:
    return [
        {
            "uscc": make_uscc(i),
            "name": f"上海样本{i}信息科技有限公司",
            "address": f"上海市{district}南京西路{100 + i}号",
            "industry_code": "6513",
            "founded": "2018-06-01",
            "year": str(year),
            "revenue": f"{1000 + 10 * i + year - 2000:.2f}",
            "employees": str(10 + i),
        }
        for i in range(n)
        for year in years
    ]


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
    headers: dict[str, str] | None = None,
) -> Path:
    frame = pl.DataFrame(rows)
    if headers:
        frame = frame.rename(headers)
    text = frame.write_csv().replace("\n", newline)
    path.write_bytes(text.encode(encoding))
    return path


def built_once(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str, build: Callable[[Path], None]
) -> Path:
    """A folder that `build` fills once per test run, not once per xdist worker, copied for this
    worker (the tests write to their stores, and DuckDB lets one process open a file).

    The first worker to ask builds it under a lock in the run's shared temporary folder; the others
    wait and copy. The build goes to a scratch folder renamed when complete, so a failed build
    leaves nothing that a later worker would take for finished."""
    base = tmp_path_factory.getbasetemp()
    shared = (base if worker_id == "master" else base.parent) / f"built-{name}"
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not shared.exists():
            scratch = Path(tempfile.mkdtemp(dir=shared.parent, prefix=f"building-{name}-"))
            build(scratch)
            scratch.rename(shared)
    mine = tmp_path_factory.mktemp(name)
    shutil.copytree(shared, mine, dirs_exist_ok=True)
    return mine
