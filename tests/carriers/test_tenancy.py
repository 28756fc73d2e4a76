"""Tenant imports: validation, all-or-nothing writes, linking with and without codes, the ledger."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from districtlens.commands import Context
from districtlens.commands import carriers as workflows
from districtlens.errors import InputError, NotFound
from districtlens.store import carriers as stored
from districtlens.store import ledger
from tests.carriers.conftest import CAMPUS, INCUBATOR, NAMED, counts, lease
from tests.helpers import make_uscc


def run(store, rows, carrier=INCUBATOR, **options):
    return workflows.import_tenant_rows(
        Context(store=store, actor="tester"),
        pl.DataFrame(rows),
        carrier=carrier,
        source={"name": "tenants.csv"},
        **options,
    )


def occupied(store, day: date) -> float:
    return workflows.space_of(store, carrier=INCUBATOR, at=day).occupied_m2


def test_tenants_with_codes_link_directly_and_fill_the_space(carrier_store):
    report = run(
        carrier_store,
        [
            lease(1, 300, "2024-01-01", "2025-12-31"),
            lease(2, "400", "2025-06-01"),
            lease(3, 100, "2020-01-01", "2021-12-31"),
        ],
    )
    assert report.written and report.inserted == 3
    assert report.tenants == {"registered": 3}
    figures = workflows.space_of(carrier_store, carrier=INCUBATOR, at=date(2025, 7, 1))
    assert (figures.occupied_m2, figures.capacity_m2, figures.free_m2) == (700, 1000, 300)
    assert figures.expiring_12m_m2 == 300
    assert ledger.verify(carrier_store.con).intact


def test_reimporting_the_same_file_writes_nothing_and_a_change_adds_a_version(carrier_store):
    rows = [lease(1, 300, "2024-01-01", "2025-12-31")]
    run(carrier_store, rows)
    before = counts(carrier_store)
    again = run(carrier_store, rows)
    assert not again.written and again.unchanged == 1 and counts(carrier_store) == before
    ended_early = run(carrier_store, [lease(1, 300, "2024-01-01", "2024-12-31")])
    assert ended_early.updated == 1
    versions = carrier_store.con.execute("SELECT max(version), count(*) FROM tenancy_version").fetchone()
    assert versions == (2, 2)
    assert occupied(carrier_store, date(2025, 7, 1)) == 0


@pytest.mark.parametrize(
    ("row", "column", "key", "reason"),
    [
        (lease(1, -5, "2024-01-01", "2025-01-01"), "area_m2", "negative_area", "negative area"),
        (lease(1, 1200, "2024-01-01", "2025-01-01"), "area_m2", "over_capacity", "exceeds the carrier's capacity"),
        (
            lease(1, 100, "2024-01-01", "2023-01-01"),
            "lease_end",
            "lease_ends_before_start",
            "ends (2023-01-01) before it starts",
        ),
        (
            {**lease(1, 100, "2024-01-01"), "carrier": "no-such-park"},
            "carrier",
            "unknown_carrier",
            "unknown carrier 'no-such-park'",
        ),
        (lease(None, 100, "2024-01-01"), "name", "tenant_unidentified", "not identified"),
        ({**lease(1, 100, "2024-01-01"), "uscc": "91310106MA00000010"}, "uscc", "uscc_check", "GB 32100-2015"),
        (lease(1, 100, "2024-02-30"), "lease_start", "no_such_date", "not a date that exists"),
    ],
)
def test_bad_rows_are_rejected_with_a_reason_and_nothing_is_written(carrier_store, row, column, key, reason):
    before = counts(carrier_store)
    report = run(carrier_store, [lease(2, 100, "2024-01-01"), row])
    assert not report.written
    assert [(e["row"], e["column"], e["key"]) for e in report.errors] == [(3, column, f"import.reason.{key}")]
    assert reason in report.errors[0]["reason"]
    assert counts(carrier_store) == before
    assert ledger.verify(carrier_store.con).intact


def test_overlapping_leases_of_one_tenant_are_rejected_in_the_file_and_against_the_store(carrier_store):
    overlapping = run(carrier_store, [lease(1, 100, "2024-01-01", "2024-12-31"), lease(1, 100, "2024-06-01")])
    assert {e["row"] for e in overlapping.errors} == {2, 3}
    assert [e["key"] for e in overlapping.errors] == ["import.reason.overlaps_row_open", "import.reason.overlaps_row"]
    assert overlapping.errors[0]["values"] == {"row": "3", "start": "2024-06-01"}
    assert "overlaps the lease of the same tenant" in overlapping.errors[0]["reason"]
    back_to_back = run(carrier_store, [lease(1, 100, "2024-01-01", "2024-12-31"), lease(1, 100, "2025-01-01")])
    assert back_to_back.written and back_to_back.inserted == 2
    against_store = run(carrier_store, [lease(1, 50, "2024-03-01", "2024-04-30")])
    assert not against_store.written
    assert against_store.errors[0]["key"] == "import.reason.overlaps_stored"
    assert "overlaps the stored lease" in against_store.errors[0]["reason"]
    elsewhere = run(carrier_store, [lease(1, 50, "2024-03-01", "2024-04-30")], carrier=CAMPUS)
    assert elsewhere.written  # the same tenant may lease in another carrier at the same time


def test_leases_that_together_over_let_the_carrier_are_rejected(carrier_store):
    report = run(carrier_store, [lease(1, 600, "2024-01-01"), lease(2, 600, "2024-06-01", "2024-12-31")])
    assert [e["row"] for e in report.errors] == [3]
    assert (report.errors[0]["key"], report.errors[0]["values"]) == (
        "import.reason.over_let",
        {"on": "2024-06-01", "occupied": 1200.0, "capacity": 1000.0},
    )
    assert "1,200 m² let of 1,000 m²" in report.errors[0]["reason"]
    later = run(carrier_store, [lease(1, 600, "2024-01-01"), lease(2, 600, "2026-01-01", "2026-12-31")])
    assert later.written  # by 2026 the lab block brings the capacity to 1500 m²


def test_skip_invalid_writes_the_valid_rows_only(carrier_store):
    report = run(carrier_store, [lease(1, 100, "2024-01-01"), lease(2, -1, "2024-01-01")], skip_invalid=True)
    assert report.written and report.inserted == 1 and report.rejected == 1
    assert carrier_store.con.execute("SELECT count(*) FROM tenancy_version").fetchone()[0] == 1


def test_unknown_carrier_of_the_file_is_refused(carrier_store):
    before = counts(carrier_store)
    with pytest.raises(NotFound, match="unknown carrier 'atlantis'") as caught:
        run(carrier_store, [lease(1, 100, "2024-01-01")], carrier="atlantis")
    assert (caught.value.key, caught.value.values) == ("carriers.unknown_carrier", {"carrier": "atlantis"})
    assert counts(carrier_store) == before


def test_a_file_without_the_columns_of_a_tenant_list_is_refused(carrier_store):
    before = counts(carrier_store)
    with pytest.raises(InputError) as caught:
        run(carrier_store, [{"uscc": make_uscc(1), "area_m2": "100"}])
    assert caught.value.key == "carriers.tenant_missing_columns"
    assert caught.value.values["missing"] == "lease_start, lease_end"
    with pytest.raises(InputError) as caught:
        run(carrier_store, [{**lease(1, 100, "2024-01-01"), "面积": "100"}])
    assert caught.value.key == "carriers.tenant_synonym_columns"
    assert counts(carrier_store) == before


def test_chinese_headers_are_read(carrier_store):
    frame = pl.DataFrame(
        {
            "统一社会信用代码": [make_uscc(4)],
            "租户名称": ["上海样本4信息科技有限公司"],
            "租赁面积(平方米)": ["120"],
            "起租日期": ["2024年1月1日"],
            "到期日期": ["2026/12/31"],
        }
    )
    report = workflows.import_tenant_rows(
        Context(store=carrier_store, actor="tester"), frame, carrier=INCUBATOR, source={"name": "租户.csv"}
    )
    assert report.written and report.tenants == {"registered": 1}


def test_name_only_tenants_go_through_the_resolver_and_unknown_ones_are_kept(carrier_store, monkeypatch):
    calls = []  # the real resolver, watched
    link_to_registry = workflows.link_to_registry

    def linker(store, records, source_name, actor, **kwargs):
        calls.append(records["name"].to_list())
        return link_to_registry(store, records, source_name, actor, **kwargs)

    monkeypatch.setattr(workflows, "link_to_registry", linker)

    named = NAMED[0]
    report = run(
        carrier_store,
        [
            lease(6, 100, "2024-01-01"),
            lease(None, 80, "2024-01-01", name=named),
            lease(None, 60, "2024-01-01", name="北京完全无关餐饮管理有限公司"),
        ],
    )
    assert calls == [[named, "北京完全无关餐饮管理有限公司"]]  # coded tenants skip the resolver
    assert report.written and sum(report.tenants.values()) == 3
    assert report.tenants["registered"] == 1
    assert report.tenants.get("unknown", 0) >= 1  # kept, flagged, not dropped
    statuses = dict(
        carrier_store.con.execute(
            "SELECT tenant_name, tenant_status FROM tenancy_tenant WHERE tenant_name IS NOT NULL"
        ).fetchall()
    )
    assert statuses["北京完全无关餐饮管理有限公司"] == "unknown"
    assert statuses[named] == "linked"
    linked = carrier_store.con.execute("SELECT uscc FROM tenancy_tenant WHERE tenant_name = ?", [named]).fetchone()
    assert linked == (make_uscc(100),)
    assert occupied(carrier_store, date(2024, 6, 1)) == 240
    entries = [e.action for e in ledger.entries(carrier_store.con, limit=2)]
    assert entries == ["carriers.tenants", "resolve.link"]
    assert ledger.verify(carrier_store.con).intact


def test_a_failure_after_linking_leaves_neither_the_links_nor_the_leases(carrier_store, monkeypatch):
    before = counts(carrier_store)

    def broken_insert(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(stored.ledger, "insert_hashed", broken_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        run(carrier_store, [lease(None, 80, "2024-01-01", name=NAMED[1])])
    assert counts(carrier_store) == before
    assert ledger.verify(carrier_store.con).intact
