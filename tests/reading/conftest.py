"""A small store for reading: the Jing'an pack and a 3,000-enterprise synthetic registry (the
pack's named firms among them), built once per test run and copied for each test that writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from districtlens.commands import Context
from districtlens.commands.enterprises import import_frame
from districtlens.demo import generate_registry
from districtlens.ingest.packs import load_pack, pack_rows
from districtlens.store import open_store
from districtlens.store.packs import write_pack
from tests.helpers import built_once

DATA = Path(__file__).parent / "data"
SEED_TEXT = Path(__file__).resolve().parents[3] / "shared" / "seed" / "jingan-interview-2025-10-31.fr.txt"


def build_reading_store(folder: Path) -> None:
    with open_store(folder / "reading.duckdb") as store:
        write_pack(store, pack_rows(load_pack("jingan")), actor="test")
        report = import_frame(
            Context(store=store, actor="test"),
            generate_registry(5, 3_000),
            source={"name": "demo registry", "kind": "demo"},
            synthetic=True,
        )
        assert report.written


@pytest.fixture(scope="session")
def reading_db(tmp_path_factory, worker_id) -> Path:
    return built_once(tmp_path_factory, worker_id, "reading", build_reading_store) / "reading.duckdb"


@pytest.fixture
def reading_copy(reading_db, tmp_path) -> Path:
    target = tmp_path / "copy.duckdb"
    shutil.copy(reading_db, target)
    return target


@pytest.fixture(scope="module")
def reading_store(reading_db):
    with open_store(reading_db) as store:
        yield store
