"""The commands: JSON shapes, exit codes, nothing written on a rejected file, the rejects file."""

from __future__ import annotations

import json

import polars as pl
import pytest

from districtlens.i18n import t
from districtlens.store import open_store
from tests.carriers.conftest import INCUBATOR, counts, lease
from tests.helpers import write_csv
from tests.store.test_import_languages import english_left

# The keys `--json` printed before the commands moved to the command layer.
TENANT_REPORT_KEYS = {
    "source",
    "rows_read",
    "inserted",
    "updated",
    "unchanged",
    "duplicates",
    "rejected",
    "written",
    "rejects_file",
    "errors",
    "errors_total",
    "ledger_seq",
    "encoding",
    "carrier",
    "tenants",
}
SPACE_POINT_KEYS = {"at", "capacity_m2", "occupied_m2", "free_m2", "occupancy", "expiring_12m_m2"}
SPACE_KEYS = SPACE_POINT_KEYS | {
    "carrier",
    "zone",
    "carriers",
    "use",
    "capacity_by_use",
    "by_year",
    "schedule_has_assumptions",
}


def stored_counts(db) -> tuple[int, int, int]:
    with open_store(db, read_only=True) as store:
        return counts(store)


def test_import_tenants_and_space_print_the_same_json_keys_as_before(carrier_store, cli, tmp_path):
    db = carrier_store.path
    carrier_store.close()
    rows = [lease(1, 100, "2024-01-01"), lease(2, 200, "2024-06-01", "2026-12-31")]
    tenants = write_csv(tmp_path / "tenants.csv", rows)
    imported = cli("carriers", "import-tenants", tenants, "--carrier", INCUBATOR, "--json", "--db", db)
    assert imported.exit_code == 0
    report = json.loads(imported.stdout)
    assert set(report) == TENANT_REPORT_KEYS
    assert (report["carrier"], report["inserted"], report["written"], report["tenants"]) == (
        INCUBATOR,
        2,
        True,
        {"registered": 2},
    )

    printed = cli("space", "--carrier", INCUBATOR, "--at", "2025-01-01", "--json", "--db", db)
    space = json.loads(printed.stdout)
    assert set(space) == SPACE_KEYS
    assert [set(point) for point in space["by_year"]] == [SPACE_POINT_KEYS | {"year"}] * 5
    assert (space["at"], space["carriers"], space["capacity_m2"], space["occupied_m2"]) == (
        "2025-01-01",
        [INCUBATOR],
        1000,
        300,
    )
    assert space["by_year"][1] == {
        "year": 2027,
        "at": "2027-01-01",
        "capacity_m2": 1500,
        "occupied_m2": 100,
        "free_m2": 1400,
        "occupancy": 100 / 1500,
        "expiring_12m_m2": 0,
    }
    assert space["capacity_by_use"] == {"office": 1000}

    zone = json.loads(cli("space", "--zone", "shibei", "--at", "2025-01-01", "--json", "--db", db).stdout)
    assert set(zone) == SPACE_KEYS and zone["carrier"] is None and zone["zone"] == "shibei"


def test_a_refused_tenant_file_exits_1_and_writes_nothing(carrier_store, cli, tmp_path):
    db = carrier_store.path
    carrier_store.close()
    before = stored_counts(db)
    bad = write_csv(tmp_path / "tenants.csv", [lease(1, 100, "2024-01-01"), lease(2, -3, "2024-01-01")])
    rejected = cli("carriers", "import-tenants", bad, "--carrier", INCUBATOR, "--json", "--db", db)
    assert rejected.exit_code == 1
    report = json.loads(rejected.stdout)
    assert set(report) == TENANT_REPORT_KEYS
    assert (report["written"], report["rejected"], report["errors"]) == (
        False,
        1,
        [
            {
                "row": 3,
                "column": "area_m2",
                "key": "import.reason.negative_area",
                "values": {"value": "-3"},
                "reason": "negative area -3",
            }
        ],
    )
    assert "rejected:" in cli("carriers", "import-tenants", bad, "--carrier", INCUBATOR, "--db", db).output

    unreadable = write_csv(tmp_path / "leases.csv", [{"uscc": "x", "area": "1"}])
    refused = cli("carriers", "import-tenants", unreadable, "--carrier", INCUBATOR, "--json", "--db", db)
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["key"] == "carriers.tenant_missing_columns"
    assert "missing column(s): lease_start, lease_end" in refused.output

    assert stored_counts(db) == before
    assert not (tmp_path / "tenants.rejects.csv").exists()


def test_commands_end_to_end(carrier_store, cli, tmp_path):
    db = carrier_store.path
    carrier_store.close()

    listed = json.loads(cli("carriers", "list", "--json", "--db", db).stdout)["carriers"]
    incubator = next(c for c in listed if c["id"] == INCUBATOR)
    assert (incubator["kind"], incubator["level"]) == ("incubator", "national")
    assert set(incubator) == {"id", "name_zh", "name_en", "name_fr", "kind", "level", "zone", "synthetic"}
    printed = cli("carriers", "list", "--db", db)
    assert printed.exit_code == 0 and "national" in printed.output

    bad = write_csv(tmp_path / "tenants.csv", [lease(1, 100, "2024-01-01"), lease(2, -3, "2024-01-01")])
    unknown = cli("carriers", "import-tenants", bad, "--carrier", "atlantis", "--db", db)
    assert unknown.exit_code == 1 and "unknown carrier 'atlantis'" in unknown.output
    with open_store(db) as store:
        assert store.con.execute("SELECT count(*) FROM tenancy_version").fetchone() == (0,)

    skipped = cli("carriers", "import-tenants", bad, "--carrier", INCUBATOR, "--skip-invalid", "--json", "--db", db)
    assert skipped.exit_code == 0
    report = json.loads(skipped.stdout)
    assert report["inserted"] == 1 and report["tenants"] == {"registered": 1}
    assert report["rejects_file"] == str(tmp_path / "tenants.rejects.csv")
    rejects = pl.read_csv(tmp_path / "tenants.rejects.csv")
    assert rejects.rows() == [(3, "area (m²)", "negative area -3")]

    space = json.loads(cli("space", "--carrier", INCUBATOR, "--at", "2025-01-01", "--json", "--db", db).stdout)
    assert (space["capacity_m2"], space["occupied_m2"], len(space["by_year"])) == (1000, 100, 5)
    shown = cli("space", "--carrier", INCUBATOR, "--at", "2025-01-01", "--db", db)
    assert shown.exit_code == 0 and "10.0%" in shown.output
    zone = cli("space", "--zone", "atlantis", "--db", db)
    assert zone.exit_code == 1 and "unknown zone" in zone.output
    assert cli("space", "--carrier", INCUBATOR, "--use", "garage", "--db", db).exit_code == 1
    assert cli("space", "--db", db).exit_code == 2
    assert cli("space", "--carrier", INCUBATOR, "--at", "soon", "--db", db).exit_code == 2

    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "programmes:\n  - id: p\n    names: {en: P}\n    actions:\n      - id: a\n        names: {en: A}\n"
        f"        kpis:\n          - {{id: k, names: {{en: K}}, measure: {{kind: occupancy, carrier: {INCUBATOR}}},"
        " targets: [{by: 2026-12-31, value: 0.5}]}\n",
        encoding="utf-8",
    )
    loaded = json.loads(cli("programmes", "load", plan, "--json", "--db", db).stdout)
    assert loaded["written"] == ["p"] and loaded["unchanged"] == [] and loaded["ledger_seq"] > 0
    assert "0 programme(s) written, 1 unchanged" in cli("programmes", "load", plan, "--db", db).output
    shown = json.loads(cli("programmes", "show", "--at", "2025-01-01", "--json", "--db", db).stdout)
    assert shown["at"] == "2025-01-01"
    kpi = shown["programmes"][0]["actions"][0]["kpis"][0]
    assert (kpi["actual"], kpi["status"]) == (0.1, "off track")
    assert "off track" in cli("programmes", "show", "--at", "2025-01-01", "--db", db).output
    broken = tmp_path / "broken.yaml"
    broken.write_text("programmes: [{id: p}]\n", encoding="utf-8")
    refused = cli("programmes", "load", broken, "--db", db)
    assert refused.exit_code == 1 and "invalid programme definitions" in refused.output
    assert cli("programmes", "load", tmp_path / "absent.yaml", "--db", db).exit_code == 1
    not_yaml = tmp_path / "not.yaml"
    not_yaml.write_text("programmes: [unclosed\n", encoding="utf-8")
    assert "cannot read it as YAML" in cli("programmes", "load", not_yaml, "--db", db).output

    assert json.loads(cli("pipeline", "--json", "--db", db).stdout) == {"carrier": None, "cohorts": []}
    assert "no pipeline projects" in cli("pipeline", "--db", db).output


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_a_refused_lease_is_said_in_the_language_asked(carrier_store, cli, tmp_path, lang):
    db = carrier_store.path
    carrier_store.close()
    rows = [lease(1, 100, "2024-01-01"), lease(2, -3, "2024-01-01"), lease(3, 100, "2024-03-01", "2023-01-01")]
    bad = write_csv(tmp_path / "tenants.csv", rows)
    refused = cli("carriers", "import-tenants", bad, "--carrier", INCUBATOR, "--db", db, "--lang", lang)
    assert refused.exit_code == 1
    assert t("import.reason.negative_area", lang, value="-3") in " ".join(refused.output.split())
    assert english_left(refused.output, lang) == set()
    skipped = cli(
        "carriers", "import-tenants", bad, "--carrier", INCUBATOR, "--db", db, "--skip-invalid", "--lang", lang
    )
    assert skipped.exit_code == 0
    assert english_left(skipped.output, lang) == set()
    rejects = pl.read_csv(tmp_path / "tenants.rejects.csv", infer_schema=False)
    assert rejects.rows() == [
        ("3", t("import.column.area_m2", lang), t("import.reason.negative_area", lang, value="-3")),
        (
            "4",
            t("import.column.lease_end", lang),
            t("import.reason.lease_ends_before_start", lang, end="2023-01-01", start="2024-03-01"),
        ),
    ]
