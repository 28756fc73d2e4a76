"""The shared reader's rules hold for the carriers' importers too (issue #19, part 5): tenant lists
and programme definitions are read right or refused, exit code 1, the store unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from districtlens.store import open_store
from tests.carriers.conftest import INCUBATOR, carrier_store_file, lease  # noqa: F401 - a fixture
from tests.helpers import make_uscc

TENANT_HEADER = "uscc,name,area_m2,lease_start,lease_end"


@pytest.fixture
def db(carrier_store_file, tmp_path) -> Path:  # noqa: F811 - the fixture imported above
    path = tmp_path / "carriers.duckdb"
    shutil.copyfile(carrier_store_file, path)
    return path


def state(db: Path) -> tuple:
    with open_store(db, read_only=True) as s:
        return s.con.execute(
            "SELECT (SELECT max_by(hash, seq) FROM ledger), (SELECT count(*) FROM ledger),"
            " (SELECT count(*) FROM tenancy_version), (SELECT count(*) FROM programme_version)"
        ).fetchone()


def import_tenants(cli, db: Path, path: Path, *extra: str):
    return cli("carriers", "import-tenants", path, "--carrier", INCUBATOR, "--db", db, "--json", *extra)


def refused(cli, db: Path, *args) -> str:
    before = state(db)
    result = cli(*args, "--db", db)
    assert result.exit_code == 1, result.output
    assert state(db) == before
    return result.output


def tenant_file(path: Path, *lines: str) -> Path:
    path.write_text("\n".join([TENANT_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_a_decimal_comma_area_is_refused_unless_the_import_says_so(cli, db, tmp_path):
    path = tenant_file(tmp_path / "t.csv", f'{make_uscc(1)},,"120,5",2024-01-01,')
    before = state(db)
    result = import_tenants(cli, db, path)
    assert result.exit_code == 1 and state(db) == before
    errors = json.loads(result.stdout)["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "area_m2")] and "decimal comma" in errors[0]["reason"]
    assert import_tenants(cli, db, path, "--decimal-comma").exit_code == 0
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT area_m2 FROM tenancy_version").fetchall() == [(120.5,)]


def test_a_lease_starting_in_a_bare_year_is_refused(cli, db, tmp_path):
    path = tenant_file(tmp_path / "t.csv", f"{make_uscc(1)},,120,2024,")
    before = state(db)
    result = import_tenants(cli, db, path)
    assert result.exit_code == 1 and state(db) == before
    assert [e["column"] for e in json.loads(result.stdout)["errors"]] == ["lease_start"]


def test_a_tenant_file_cut_mid_row_is_refused(cli, db, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(f"{TENANT_HEADER}\n{make_uscc(1)},,120,2024-01-01,\n{make_uscc(2)},,98", encoding="utf-8")
    output = refused(cli, db, "carriers", "import-tenants", path, "--carrier", INCUBATOR)
    assert "ends in the middle of row 3" in output


def test_a_tenant_xlsx_naming_a_column_twice_is_refused(cli, db, tmp_path):
    book = Workbook()
    book.active.append([*TENANT_HEADER.split(","), "area_m2"])
    book.active.append([make_uscc(1), "", 120, "2024-01-01", "", 999])
    book.save(tmp_path / "t.xlsx")
    output = refused(cli, db, "carriers", "import-tenants", tmp_path / "t.xlsx", "--carrier", INCUBATOR)
    assert "names column 'area_m2' twice (columns 3 and 6)" in output


def test_a_full_width_tenant_code_is_read_as_its_ascii_form(cli, db, tmp_path):
    wide = "".join(chr(ord(c) + 0xFEE0) for c in make_uscc(1))
    result = import_tenants(cli, db, tenant_file(tmp_path / "t.csv", f"{wide},,120,2024-01-01,"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tenants"] == {"registered": 1}


PLAN = """programmes:
  - id: p
    names: {{en: P}}
    actions:
      - id: a
        names: {{en: A}}
        kpis:
          - id: k
            names: {{en: K}}
            measure: {{kind: occupancy, carrier: {carrier}}}
            targets: [{{by: {by}, value: {value}}}]
"""


def plan_file(path: Path, **values: str) -> Path:
    path.write_bytes(
        PLAN.format(**{"carrier": INCUBATOR, "by": "2026-12-31", "value": "0.5", **values}).encode("utf-8")
    )
    return path


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"by": "2026"}, "'2026' is not a date"),
        ({"by": "2026-12-31 08:00:00"}, "is not a date"),
        ({"value": ".nan"}, "target value 'nan' is not a number"),
        ({"value": "yes"}, "target value 'True' is not a number"),
    ],
)
def test_programme_dates_and_targets_are_read_strictly(cli, db, tmp_path, values, problem):
    output = refused(cli, db, "programmes", "load", plan_file(tmp_path / "p.yaml", **values))
    assert problem in " ".join(output.split())


def test_a_programme_naming_a_key_twice_is_refused_by_its_line(cli, db, tmp_path):
    path = tmp_path / "p.yaml"
    text = PLAN.format(carrier=INCUBATOR, by="2026-12-31", value="0.5").replace(
        "      - id: a\n", "      - id: a\n        id: b\n"
    )
    path.write_text(text, encoding="utf-8")
    output = refused(cli, db, "programmes", "load", path)
    assert "line 6: key 'id' is given twice" in output


def test_a_gbk_programme_file_is_read(cli, db, tmp_path):
    path = tmp_path / "p.yaml"
    text = PLAN.format(carrier=INCUBATOR, by="2026-12-31", value="0.5").replace(
        "names: {en: P}", "names: {en: P, zh: 静安计划}"
    )
    path.write_bytes(text.encode("gbk"))
    result = cli("programmes", "load", path, "--db", db, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["written"] == ["p"]
