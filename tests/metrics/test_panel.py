"""Microdata to panel: the store's enterprise-year rows aggregated on DuckDB and on Spark."""

from __future__ import annotations

import json

import polars as pl
import pytest

from districtlens.errors import InputError
from districtlens.panel import PanelSpec, panel_from_store, panel_on_spark
from districtlens.store import ledger, open_store
from districtlens.store.panels import panel_sql

# uscc, district, street, zone, industry class, {year: (revenue, employees)}
FIRMS = [
    ("U1", "310106", "310106001", "Z1", "6513", {2022: (100.0, 10), 2023: (120.0, 12)}),
    ("U2", "310106", "310106001", "Z1", "6513", {2023: (50.0, 5)}),
    ("U3", "310106", "310106002", "Z2", "2710", {2022: (300.0, 30), 2023: (310.0, 31)}),
    ("U4", "310101", "310101001", None, "2710", {2023: (80.0, 8)}),
    ("U5", "310101", "310101001", None, "6420", {2022: (40.0, 4), 2023: (45.0, 4)}),
    ("U6", "310101", "310101002", None, None, {2023: (999.0, 99)}),  # no class: left out
    ("U7", None, None, None, "6513", {2023: (999.0, 99)}),  # not located: left out
]
TRACKS = [("digital", ["65", "6420"]), ("bio", ["2710", "27"]), ("empty", [])]


def build_store(path):
    """A store holding FIRMS and TRACKS, written as one ledger entry like any import."""
    store = open_store(path)
    with store.transaction() as con:
        seq = ledger.next_seq(con)
        now = ledger.now_iso()
        ledger.insert_source(con, seq, name="test", kind="demo", file_name=None, file_sha256=None)
        for table in ("enterprise_version", "fact_version", "district_pack", "track"):
            con.execute(f"CREATE TEMP TABLE staged_{table} AS SELECT * FROM {table} LIMIT 0")
        for uscc, district, street, zone, klass, facts in FIRMS:
            con.execute(
                "INSERT INTO staged_enterprise_version (uscc, version, name, district_adcode,"
                " street_code, zone_id, industry_code, synthetic, source_id, valid_from,"
                " ledger_seq, row_hash) VALUES (?, 1, ?, ?, ?, ?, ?, true, ?, ?, ?, '')",
                [uscc, f"firm {uscc}", district, street, zone, klass, seq, now, seq],
            )
            for year, (revenue, employees) in facts.items():
                con.execute(
                    "INSERT INTO staged_fact_version (uscc, year, version, revenue, employees,"
                    " synthetic, source_id, valid_from, ledger_seq, row_hash)"
                    " VALUES (?, ?, 1, ?, ?, true, ?, ?, ?, '')",
                    [uscc, year, revenue, employees, seq, now, seq],
                )
        con.execute(
            "INSERT INTO staged_district_pack (pack_id, district_adcode, ledger_seq,"
            " row_hash) VALUES ('p', '310106', ?, '')",
            [seq],
        )
        for track_id, classes in TRACKS:
            con.execute(
                "INSERT INTO staged_track (track_id, pack_id, classes, ledger_seq, row_hash) VALUES (?, 'p', ?, ?, '')",
                [track_id, json.dumps(classes), seq],
            )
        tables = ("enterprise_version", "fact_version", "district_pack", "track")
        for table in tables:
            con.execute(f"UPDATE staged_{table} SET row_hash = {ledger.row_hash_sql(table)}")
            con.execute(f"INSERT INTO {table} SELECT * FROM staged_{table}")
        written = {table: f"staged_{table}" for table in tables}
        ledger.append(con, seq, "test", "test rows", {}, written=written)
        for table in tables:
            con.execute(f"DROP TABLE staged_{table}")
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    opened = build_store(tmp_path_factory.mktemp("panel") / "t.duckdb")
    yield opened
    opened.close()


def as_dict(panel: pl.DataFrame) -> dict:
    return {(y, r, a): v for y, r, a, v in panel.iter_rows()}


def test_store_is_intact(store):
    assert ledger.verify(store.con).intact


def test_district_by_class_revenue(store):
    panel = as_dict(panel_from_store(store, PanelSpec("district", "gbt4", "revenue")))
    assert panel == {
        (2022, "310101", "6420"): 40.0,
        (2022, "310106", "2710"): 300.0,
        (2022, "310106", "6513"): 100.0,
        (2023, "310101", "2710"): 80.0,
        (2023, "310101", "6420"): 45.0,
        (2023, "310106", "2710"): 310.0,
        (2023, "310106", "6513"): 170.0,
    }


def test_zone_division_firms_one_year(store):
    panel = as_dict(panel_from_store(store, PanelSpec("zone", "gbt2", "firms", (2023,))))
    assert panel == {(2023, "Z1", "65"): 2.0, (2023, "Z2", "27"): 1.0}


def test_street_track_employees_counts_a_firm_once_per_track(store):
    """bio lists both 2710 and its division 27: U3 counts once."""
    panel = as_dict(panel_from_store(store, PanelSpec("street", "track", "employees", (2023,))))
    assert panel == {
        (2023, "310101001", "bio"): 8.0,
        (2023, "310101001", "digital"): 4.0,
        (2023, "310106001", "digital"): 17.0,
        (2023, "310106002", "bio"): 31.0,
    }


def test_unknown_option_is_refused():
    with pytest.raises(InputError, match="unknown by 'county'"):
        PanelSpec(by="county")


@pytest.fixture
def closed_store(tmp_path):
    build_store(tmp_path / "closed.duckdb").close()
    return tmp_path / "closed.duckdb"


def test_metrics_from_the_store(cli, tmp_path, closed_store):
    out = tmp_path / "m.csv"
    result = cli(
        "metrics",
        "--db",
        closed_store,
        "--by",
        "district",
        "--activity",
        "gbt4",
        "--value",
        "revenue",
        "--year",
        "2023",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out, schema_overrides={"region": pl.String, "activity": pl.String})
    assert table.height == 2 * 3  # 2 districts x 3 classes in 2023, zeros included
    zero = table.filter((pl.col("region") == "310106") & (pl.col("activity") == "6420"))
    assert zero["value"][0] == 0 and zero["mcp"][0] == 0


def test_metrics_from_the_store_bad_option(cli, tmp_path, closed_store):
    result = cli("metrics", "--db", closed_store, "--by", "county", "--out", tmp_path / "m.csv")
    assert result.exit_code == 1 and "unknown by" in result.output


def test_metrics_from_the_store_refuses_clearly_and_writes_nothing(cli, tmp_path, closed_store):
    from districtlens.commands import REGISTRY

    assert not REGISTRY["metrics.table"].writes  # the store is only read; the table goes to a file
    out = tmp_path / "m.csv"
    result = cli("metrics", "--db", closed_store, "--year", "1999", "--out", out)
    assert result.exit_code == 1
    assert "has no revenue by district and gbt4 in 1999" in " ".join(result.output.split())
    result = cli("metrics", "--db", closed_store, "--out", tmp_path / "m.xls")
    assert result.exit_code == 1 and "unknown format" in " ".join(result.output.split())
    assert not out.exists() and not (tmp_path / "m.xls").exists()


def test_metrics_from_the_store_against_external_totals(cli, tmp_path, closed_store, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the totals are named relative to where the CLI runs
    pl.DataFrame({"activity": ["2710", "6420", "6513"], "value": [100.0, 100.0, 200.0]}).write_csv("nation.csv")
    result = cli("metrics", "--db", closed_store, "--year", "2023", "--reference", "nation.csv", "--out", "m.csv")
    assert result.exit_code == 0, result.output
    table = pl.read_csv(tmp_path / "m.csv", schema_overrides={"region": pl.String, "activity": pl.String})
    rca = table.filter((pl.col("region") == "310101") & (pl.col("activity") == "2710"))["rca"][0]
    assert rca == pytest.approx((80 / 125) / (100 / 400))


def test_spark_sql_is_transpiled():
    sql = panel_sql("district", "gbt2", "firms", dialect="spark")
    assert "SUBSTRING(e.industry_code, 1, 2)" in sql and "COUNT(DISTINCT f.uscc)" in sql


@pytest.mark.spark
def test_spark_gives_the_same_panels(spark, store, tmp_path):
    parquet = {}
    for view in ("enterprise_current", "fact_current", "track"):
        parquet[view] = str(tmp_path / f"{view}.parquet")
        store.con.execute(f"COPY (SELECT * FROM {view}) TO '{parquet[view]}' (FORMAT parquet)")
    for spec in (
        PanelSpec("district", "gbt4", "revenue"),
        PanelSpec("zone", "gbt2", "firms"),
        PanelSpec("street", "track", "employees", (2023,)),
    ):
        on_duckdb = panel_from_store(store, spec)
        on_spark = panel_on_spark(
            spark, parquet["enterprise_current"], parquet["fact_current"], spec, tracks=parquet["track"]
        )
        assert on_spark.equals(on_duckdb), spec
