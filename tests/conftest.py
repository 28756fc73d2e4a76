"""Fixtures shared by every area's tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from districtlens.cli import app
from districtlens.store import open_store

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SPARK_GROUP = "spark"


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Send every test that uses the `spark` fixture to one xdist worker (`--dist loadgroup`), so
    that the JVM starts once for all of them, and first: the group is the longest unit of work, and
    a worker that starts it last runs it alone while the other core idles. Modules marked with an
    `xdist_group` (those with an expensive module-scoped fixture, such as a running server) go to
    one worker too, so that the fixture is built once and not once per worker."""
    uses_spark = [item for item in items if "spark" in getattr(item, "fixturenames", ())]
    for item in uses_spark:
        item.add_marker(pytest.mark.xdist_group(SPARK_GROUP))
    for item in items:
        marker = item.get_closest_marker("xdist_group")
        if marker is not None:
            _put_in_group(config, item, marker.args[0] if marker.args else marker.kwargs["name"])
    # The longest units first (the Spark group, then the browser's): one started last would run
    # alone while the other core idles.
    browser = [item for item in items if item.get_closest_marker("browser") and item not in uses_spark]
    items[:] = uses_spark + browser + [item for item in items if item not in uses_spark and item not in browser]


def _put_in_group(config: pytest.Config, item: pytest.Item, group: str) -> None:
    """xdist tells the scheduler a test's group by a suffix `@group` of its node id, which it sets
    through `item._nodeid`; pytest 9.2 builds node ids from `item._id` instead, so the suffix is
    lost and the group's tests spread over every worker (pytest-xdist issue #1386, xdist 3.8).
    Until xdist sets it again, a worker of `--dist loadgroup` sets it here."""
    node_id = getattr(item, "_id", None)  # pytest 9.2 and later
    if getattr(config.option, "loadgroup", False) and node_id is not None and not item.nodeid.endswith(f"@{group}"):
        item._id = type(node_id).parse(f"{item.nodeid}@{group}")


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    """One local Spark session per worker, which the Spark tests share (they go to one worker: see
    above). They give it tables of a few hundred rows, where Spark's time is its own overhead:
    hundreds of tiny jobs, each planned, compiled and serialised. So: no adaptive re-planning (it
    splits each query into more jobs), expressions interpreted instead of compiled to Java, and
    the JVM's quick compiler only (the run is too short for the optimising one to pay back)."""
    sql = pytest.importorskip("pyspark.sql")
    folder = tmp_path_factory.mktemp("spark")
    session = (
        sql.SparkSession.builder.master("local[2]")
        .appName("districtlens-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC")
        .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
        .config("spark.checkpoint.dir", str(folder / "checkpoints"))  # Splink checkpoints its tables
        .config("spark.local.dir", str(folder / "local"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """argon2id at its lowest cost in the test processes: a sign-in's hash check costs about 0.7 s
    of CPU at the product's cost, and the suite signs in hundreds of times. Checking still goes
    through argon2 (a hash names its own cost); CLI subprocesses and the benchmarks
    (benchmarks/login_bench.py) keep the real cost."""
    from argon2 import PasswordHasher

    from districtlens import accounts

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    patch = pytest.MonkeyPatch()
    patch.setattr(accounts, "_hasher", lambda: cheap)
    accounts._dummy_hash.cache_clear()
    yield
    patch.undo()
    accounts._dummy_hash.cache_clear()


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "store.duckdb") as opened:
        yield opened


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """The CLI's consoles 250 columns wide in every test, so a table row or a message stays on one
    line and its texts can be found whole. Rich fixes a console's width when it is made if
    $COLUMNS is set then (as it may be on a CI runner), so the width is set on the consoles
    themselves, not through $COLUMNS."""
    from districtlens.cli import common

    for console in (common.console, common.out_console):
        monkeypatch.setattr(console, "_width", 250)
