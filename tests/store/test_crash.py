"""A process killed mid-import (SIGKILL, at several points) leaves the store as it was before,
or, if the kill came after the commit, exactly as after: never half an import."""

import shutil
import signal
import subprocess
import sys
import time

import pytest

from districtlens.store import ledger, open_store
from tests.helpers import roster_rows, write_csv

# The module builds its stores once (module fixtures): keep it on one xdist worker.
pytestmark = pytest.mark.xdist_group("crash")

ROWS = 25_000  # enterprises; two years each, so the import runs for a few seconds


def state(db):
    with open_store(db) as s:  # opening a killed store replays or discards its write-ahead log
        counts = s.con.execute(
            "SELECT (SELECT count(*) FROM enterprise_version), (SELECT count(*) FROM fact_version),"
            " (SELECT count(*) FROM source), (SELECT count(*) FROM ledger)"
        ).fetchone()
        return counts, ledger.verify(s.con).intact


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash")
    base = folder / "base.duckdb"
    seed = write_csv(folder / "seed.csv", roster_rows(50))
    subprocess.run(
        [sys.executable, "-m", "districtlens", "import", "enterprises", str(seed), "--db", str(base)],
        check=True,
        capture_output=True,
    )
    big = write_csv(folder / "big.csv", roster_rows(ROWS), encoding="gb18030")
    after = folder / "after.duckdb"
    shutil.copy(base, after)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "districtlens", "import", "enterprises", str(big), "--db", str(after)],
        check=True,
        capture_output=True,
    )
    return folder, base, big, state(base), state(after), time.monotonic() - started


def kill_at(folder, base, big, when, name):
    db = folder / f"{name}.duckdb"
    shutil.copy(base, db)
    process = subprocess.Popen(
        [sys.executable, "-m", "districtlens", "import", "enterprises", str(big), "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    when(db, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return db


def after_seconds(seconds):
    def wait(db, process):
        time.sleep(seconds)

    return wait


def when_writing(db, process):
    """Until DuckDB has started writing the transaction (its WAL or new blocks exist)."""
    wal = db.with_name(db.name + ".wal")
    size = db.stat().st_size
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if wal.exists() or db.stat().st_size != size:
            return
        time.sleep(0.005)


@pytest.mark.slow
@pytest.mark.parametrize("fraction", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_kill_at_a_point_of_the_import(setup, fraction):
    folder, base, big, before, after, duration = setup
    db = kill_at(folder, base, big, after_seconds(duration * fraction), f"t{int(fraction * 100)}")
    seen, intact = state(db)
    assert intact
    assert seen in (before[0], after[0])


@pytest.mark.slow
def test_kill_while_the_transaction_writes(setup):
    folder, base, big, before, after, _ = setup
    db = kill_at(folder, base, big, when_writing, "writing")
    seen, intact = state(db)
    assert intact
    assert seen in (before[0], after[0])


def test_before_and_after_differ(setup):
    _, _, _, before, after, _ = setup
    assert before[1] and after[1]
    assert after[0][0] == before[0][0] + ROWS - 50
    assert after[0][3] == before[0][3] + 1
