"""Programmes: definitions, KPI evaluation against hand counts, and a KPI whose status flips."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
import pytest

from districtlens.carriers import programmes as prog
from districtlens.commands import Context
from districtlens.commands import carriers as workflows
from districtlens.errors import InputError
from districtlens.store import carriers as stored
from tests.carriers.conftest import INCUBATOR, lease

AT = date(2025, 1, 1)
JINGAN = "310106"


def plan(kpis: list[dict], thresholds=None) -> dict:
    programme = {
        "id": "plan",
        "names": {"en": "Plan"},
        "actions": [{"id": "action", "names": {"en": "Action"}, "named_by": "user", "kpis": kpis}],
    }
    if thresholds:
        programme["thresholds"] = thresholds
    return {"programmes": [programme]}


def load(store, doc) -> workflows.ProgrammesLoaded:
    return workflows.load_programmes(Context(store=store, actor="tester"), doc, source={"name": "plan.yaml"})


def kpis(store) -> dict[str, prog.KpiStatus]:
    (status,) = workflows.programme_status(store, AT)
    return {k.kpi: k for a in status.actions for k in a.kpis}


TENANTS_KPI = {
    "id": "tenants",
    "names": {"en": "Tenants"},
    "measure": {"kind": "tenants", "carrier": INCUBATOR},
    "targets": [{"by": date(2025, 12, 31), "value": 4}],
}


def tenants(store, n: int) -> None:
    rows = [lease(i, 100, "2024-01-01") for i in range(n)]
    report = workflows.import_tenant_rows(
        Context(store=store, actor="tester"), pl.DataFrame(rows), carrier=INCUBATOR, source={"name": f"t{n}"}
    )
    assert report.errors_total == 0


def test_a_kpi_flips_status_when_the_data_crosses_its_threshold(carrier_store):
    load(carrier_store, plan([TENANTS_KPI], {"on_track": 0.95, "at_risk": 0.7}))
    tenants(carrier_store, 2)
    kpi = kpis(carrier_store)["tenants"]
    assert (kpi.actual, kpi.expected, kpi.status) == (2, 4, "off track")  # 0.5 < 0.7
    tenants(carrier_store, 3)
    assert kpis(carrier_store)["tenants"].status == "at risk"  # 0.75
    tenants(carrier_store, 4)
    kpi = kpis(carrier_store)["tenants"]
    assert (kpi.status, kpi.ratio, kpi.thresholds) == ("on track", 1.0, {"on_track": 0.95, "at_risk": 0.7})


def test_yearly_kpis_count_the_district_enterprises_of_a_track_in_a_zone(carrier_store):
    load(
        carrier_store,
        plan(
            [
                {
                    "id": "nwr",
                    "names": {"en": "x"},
                    "measure": {"kind": "enterprises", "track": "data-intelligence", "zone": "nanjing-west-road"},
                    "baseline": {"at": date(2022, 12, 31)},
                    "targets": [{"by": date(2025, 12, 31), "value": 24}],
                },
                {
                    "id": "revenue",
                    "names": {"en": "y"},
                    "measure": {"kind": "revenue", "track": "biopharma"},
                    "targets": [{"by": date(2025, 12, 31), "value": 1}],
                },
            ]
        ),
    )
    found = kpis(carrier_store)
    # the roster: 12 enterprises of class 6513 on 南京西路 with facts in 2022 and 2023
    frame = carrier_store.con.execute(
        "SELECT f.year, count(*) FROM fact_current f JOIN enterprise_current e USING (uscc)"
        " WHERE e.zone_id = 'nanjing-west-road' AND e.industry_code = '6513' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert frame == [(2022, 12), (2023, 12)]
    nwr = found["nwr"]
    assert [p.value for p in nwr.series] == [12.0, 12.0]
    assert nwr.actual_at == date(2023, 12, 31) and nwr.baseline == prog.Baseline(at=date(2022, 12, 31), value=12.0)
    # a year of the three from baseline to target has passed: 12 + (24 - 12) * 365 / 1096
    assert nwr.expected == pytest.approx(12 + 12 * 365 / 1096)
    assert nwr.trend == "flat"
    assert found["revenue"].actual is None and found["revenue"].status is None  # no biopharma firm


def test_reloading_the_same_programme_writes_nothing_and_a_change_adds_a_version(carrier_store):
    assert load(carrier_store, plan([TENANTS_KPI])).written == ["plan"]
    again = load(carrier_store, plan([TENANTS_KPI]))
    assert (again.written, again.unchanged, again.ledger_seq) == ([], ["plan"], None)
    changed = {**TENANTS_KPI, "targets": [{"by": date(2025, 12, 31), "value": 5}]}
    assert load(carrier_store, plan([changed])).written == ["plan"]
    assert kpis(carrier_store)["tenants"].target == prog.Target(by=date(2025, 12, 31), value=5)
    assert carrier_store.con.execute("SELECT max(version) FROM programme_version").fetchone() == (2,)


def test_a_stored_programme_reads_back_as_it_was_defined(carrier_store):
    doc = plan([TENANTS_KPI], {"on_track": 0.9, "at_risk": 0.6})
    (parsed,) = prog.parse_programmes(doc, stored.known_ids(carrier_store))
    load(carrier_store, doc)
    (rebuilt,) = prog.from_rows(*stored.programme_rows(carrier_store))
    assert rebuilt == replace(parsed, district=JINGAN)  # the store's only pack's district


def test_a_programme_of_a_district_without_a_pack_is_refused(carrier_store):
    with pytest.raises(InputError) as caught:
        load(carrier_store, {"programmes": [{**plan([TENANTS_KPI])["programmes"][0], "district": "110101"}]})
    assert (caught.value.key, caught.value.values["district"]) == ("carriers.programme_unknown_district", "110101")
    assert carrier_store.con.execute("SELECT count(*) FROM programme_version").fetchone() == (0,)


def test_bad_definitions_name_every_problem(carrier_store):
    with pytest.raises(InputError) as caught:
        prog.parse_programmes(
            plan(
                [
                    {"id": "a", "measure": {"kind": "unicorns"}, "targets": []},
                    {
                        "id": "b",
                        "names": {"en": "b"},
                        "measure": {"kind": "occupancy", "carrier": "atlantis"},
                        "targets": [{"by": "2025-13-01", "value": "many"}],
                    },
                ],
                {"on_track": 0.5, "at_risk": 0.9},
            ),
            stored.known_ids(carrier_store),
        )
    assert caught.value.key == "carriers.invalid_programmes"
    text = str(caught.value)
    for expected in (
        "'unicorns'",
        "no targets",
        "a name in 'en'",
        "carrier 'atlantis' is not in the store",
        "'2025-13-01' is not a date",
        "'many' is not a number",
        "0 < at_risk <= on_track",
    ):
        assert expected in text
    assert (
        "programme plan, action action, indicateur b, cible : « 2025-13-01 » n’est pas une date"
        in caught.value.message("fr")
    )
    assert "“many”不是数字" in caught.value.message("zh")


@pytest.mark.parametrize(
    ("actual", "direction", "status"),
    [
        (96, "increase", "on track"),
        (90, "increase", "at risk"),
        (80, "increase", "off track"),
        (104, "decrease", "on track"),
        (112, "decrease", "at risk"),
        (130, "decrease", "off track"),
    ],
)
def test_status_thresholds(actual, direction, status):
    assert prog.status_of(actual, 100, direction, {"on_track": 0.95, "at_risk": 0.85})[0] == status


def test_expected_value_follows_the_line_to_the_next_target():
    targets = [(date(2024, 1, 1), 200.0), (date(2026, 1, 1), 400.0)]
    baseline = (date(2022, 1, 1), 100.0)
    assert prog.expected_value(baseline, targets, date(2023, 1, 1)) == (targets[0], pytest.approx(150, rel=1e-3))
    target, expected = prog.expected_value(baseline, targets, date(2025, 1, 1))
    assert target == targets[1] and expected == pytest.approx(100 + 300 * 1096 / 1461)
    assert prog.expected_value(None, targets, date(2027, 1, 1)) == (targets[1], 400.0)
