"""The commands: JSON shapes, exit codes, nothing written on a rejected file, the rejects file."""

from __future__ import annotations

import json

import polars as pl

from districtlens.store import open_store
from tests.carriers.conftest import INCUBATOR, lease
from tests.helpers import write_csv


def test_commands_end_to_end(carrier_store, cli, tmp_path):
    db = carrier_store.path
    carrier_store.close()

    listed = json.loads(cli("carriers", "list", "--json", "--db", db).stdout)["carriers"]
    incubator = next(c for c in listed if c["id"] == INCUBATOR)
    assert (incubator["kind"], incubator["level"]) == ("incubator", "national")

    bad = write_csv(tmp_path / "tenants.csv", [lease(1, 100, "2024-01-01"), lease(2, -3, "2024-01-01")])
    rejected = cli("carriers", "import-tenants", bad, "--carrier", INCUBATOR, "--json", "--db", db)
    assert rejected.exit_code == 1 and json.loads(rejected.stdout)["written"] is False
    unknown = cli("carriers", "import-tenants", bad, "--carrier", "atlantis", "--db", db)
    assert unknown.exit_code == 1 and "unknown carrier 'atlantis'" in unknown.output
    with open_store(db) as store:
        assert store.con.execute("SELECT count(*) FROM tenancy_version").fetchone() == (0,)

    skipped = cli("carriers", "import-tenants", bad, "--carrier", INCUBATOR, "--skip-invalid", "--json", "--db", db)
    assert skipped.exit_code == 0
    report = json.loads(skipped.stdout)
    assert report["inserted"] == 1 and report["tenants"] == {"registered": 1}
    rejects = pl.read_csv(tmp_path / "tenants.rejects.csv")
    assert rejects.rows() == [(3, "area_m2", "negative area -3")]

    space = json.loads(cli("space", "--carrier", INCUBATOR, "--at", "2025-01-01", "--json", "--db", db).stdout)
    assert {"carrier", "at", "capacity_m2", "occupied_m2", "free_m2", "occupancy", "expiring_12m_m2", "by_year"} <= set(
        space
    )
    assert (space["capacity_m2"], space["occupied_m2"], len(space["by_year"])) == (1000, 100, 5)
    zone = cli("space", "--zone", "atlantis", "--db", db)
    assert zone.exit_code == 1 and "unknown zone" in zone.output
    assert cli("space", "--db", db).exit_code == 2

    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "programmes:\n  - id: p\n    names: {en: P}\n    actions:\n      - id: a\n        names: {en: A}\n"
        f"        kpis:\n          - {{id: k, names: {{en: K}}, measure: {{kind: occupancy, carrier: {INCUBATOR}}},"
        " targets: [{by: 2026-12-31, value: 0.5}]}\n",
        encoding="utf-8",
    )
    assert cli("programmes", "load", plan, "--db", db).exit_code == 0
    shown = json.loads(cli("programmes", "show", "--at", "2025-01-01", "--json", "--db", db).stdout)
    kpi = shown["programmes"][0]["actions"][0]["kpis"][0]
    assert (kpi["actual"], kpi["status"]) == (0.1, "off track")
    broken = tmp_path / "broken.yaml"
    broken.write_text("programmes: [{id: p}]\n", encoding="utf-8")
    assert cli("programmes", "load", broken, "--db", db).exit_code == 1

    assert json.loads(cli("pipeline", "--json", "--db", db).stdout)["cohorts"] == []
