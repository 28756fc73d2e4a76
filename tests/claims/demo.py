"""A small demo store (the Jing'an pack and a 20,000-enterprise synthetic registry), built once per
test run (see `tests.helpers.built_once`) and copied for tests that write to it."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from districtlens.commands import Context
from districtlens.commands.enterprises import import_frame
from districtlens.demo import generate_registry
from districtlens.ingest.packs import load_pack, pack_rows
from districtlens.store import open_store
from districtlens.store.db import scalar
from districtlens.store.packs import write_pack

ENTERPRISES = 20_000
SEED = 11


def build_demo_store(folder: Path) -> None:
    """Build the demo store as `folder/demo.duckdb`."""
    with open_store(folder / "demo.duckdb") as store:
        write_pack(store, pack_rows(load_pack("jingan")), actor="test")
        frame = generate_registry(SEED, ENTERPRISES)
        report = import_frame(
            Context(store=store, actor="test"),
            frame,
            source={"name": "demo registry", "kind": "demo"},
            synthetic=True,
        )
        assert report.written, report.errors[:3]


def copy_of(path: Path, folder: Path) -> Path:
    target = folder / "copy.duckdb"
    shutil.copy(path, target)
    return target


def import_roster(store, rows: list[dict[str, str]], name: str = "roster update") -> None:
    """Import rows (import-format columns, text) as a real roster."""
    frame = pl.DataFrame(rows, schema={k: pl.String for k in rows[0]})
    report = import_frame(
        Context(store=store, actor="test"), frame, source={"name": name, "kind": "roster"}, synthetic=False
    )
    assert report.written, report.errors[:3]


SHARED_STATISTICS = Path(__file__).resolve().parents[3] / "shared" / "data" / "published-statistics"


def load_published_statistics(store) -> int:
    """Import the published statistics (the shared folder's, and the facts the Jing'an pack ships
    beside its claims) with `import statistics`; return the number of figures stored."""
    from districtlens.commands.statistics import ImportStatistics, import_statistics
    from districtlens.ingest.packs import pack_dir

    files = [SHARED_STATISTICS / "shanghai-districts-published.csv", pack_dir("jingan") / "published-facts.csv"]
    for file in files:
        import_statistics(Context(store=store, actor="test"), ImportStatistics(file=file))
    return scalar(store.con, "SELECT count(*) FROM statistic_current")
