"""A small store for the carriers' tests: the Jing'an pack, a roster of enterprises, and capacity
schedules for two carriers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from districtlens.carriers.space import parse_schedules
from districtlens.commands import Context
from districtlens.commands.enterprises import import_frame
from districtlens.packs import load_pack
from districtlens.store import carriers as stored
from districtlens.store import open_store
from districtlens.store.db import Store
from districtlens.store.packs import write_pack
from tests.helpers import make_uscc, roster_rows

INCUBATOR = "national-incubator-1"
CAMPUS = "shanghai-icampus"
SCHEDULE = {
    "capacity": [
        {
            "carrier": INCUBATOR,
            "blocks": [
                {"use": "office", "area_m2": 1000, "from": date(2020, 1, 1)},
                {"use": "lab", "area_m2": 500, "from": date(2026, 1, 1)},
            ],
        },
        {"carrier": CAMPUS, "blocks": [{"use": "lab", "area_m2": 2000, "from": date(2023, 6, 1)}]},
    ]
}


# Enterprises with distinctive names, for the resolver to tell apart (codes make_uscc(100 + i)).
NAMED = [
    "上海星河生物医药科技有限公司",
    "上海蓝鲸数据服务有限公司",
    "上海云杉区块链技术有限公司",
    "上海青松律师咨询有限公司",
    "上海金桥智能机器人有限公司",
    "上海白鹭基因治疗技术有限公司",
    "上海海燕半导体设计有限公司",
]


def roster() -> pl.DataFrame:
    rows = roster_rows(12)
    rows += [
        {
            **rows[0],
            "uscc": make_uscc(100 + i),
            "name": name,
            "address": f"上海市静安区江场三路{10 + i}号",
            "year": "2023",
        }
        for i, name in enumerate(NAMED)
    ]
    return pl.DataFrame(rows)


@pytest.fixture(scope="session")
def built_carrier_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The carriers' store, built once per test session (closed: a test gets its own copy)."""
    path = tmp_path_factory.mktemp("carriers") / "carriers.duckdb"
    with open_store(path) as store:
        write_pack(store, load_pack("jingan"), "tester")
        report = import_frame(Context(store=store, actor="test"), roster(),
                              source={"name": "roster", "kind": "roster"}, synthetic=True)
        assert report.written
        schedules = parse_schedules(SCHEDULE, stored.known_ids(store)["carrier"])
        stored.write_schedules(store, schedules, source={"name": "schedule"}, actor="tester")
    return path


@pytest.fixture
def carrier_store(built_carrier_store: Path, tmp_path: Path) -> Iterator[Store]:
    """A copy of the carriers' store of its own for each test: most of them write to it."""
    path = tmp_path / "carriers.duckdb"
    shutil.copyfile(built_carrier_store, path)
    with open_store(path) as store:
        yield store


def lease(n: int | None, area: float | str, start: str, end: str = "", name: str = "") -> dict[str, str]:
    """A tenant row as a file gives it: enterprise n of the roster (by code), or a name only."""
    return {
        "uscc": make_uscc(n) if n is not None else "",
        "name": name,
        "area_m2": str(area),
        "lease_start": start,
        "lease_end": end,
    }


def counts(store) -> tuple[int, int, int]:
    """(tenancy rows, resolver records, ledger entries)."""
    return tuple(
        store.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("tenancy_version", "resolve_record", "ledger")
    )
