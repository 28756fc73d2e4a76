"""Occupancy arithmetic on frames: schedules summed by date, current leases only, the year ahead."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from districtlens.carriers import space as sp
from districtlens.errors import InputError

SCHEDULE = pl.DataFrame(
    {
        "carrier_id": ["a", "a", "a", "b"],
        "use": ["office", "office", "lab", "office"],
        "available_from": [date(2020, 1, 1), date(2026, 7, 1), date(2020, 1, 1), date(2024, 1, 1)],
        "area_m2": [1000.0, 400.0, 200.0, 500.0],
    }
)


def leases(rows: list[tuple[str, str, float, date, date | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "carrier_id": pl.Utf8,
            "use": pl.Utf8,
            "area_m2": pl.Float64,
            "lease_start": pl.Date,
            "lease_end": pl.Date,
        },
        orient="row",
    )


def test_capacity_schedules_are_summed_by_date_and_use():
    capacity = sp.capacity_at(SCHEDULE, [date(2019, 12, 31), date(2020, 1, 1), date(2026, 7, 1)])
    got = {(r["carrier_id"], r["day"]): r["capacity_m2"] for r in capacity.iter_rows(named=True)}
    assert (("a", date(2019, 12, 31)) in got) is False
    assert got[("a", date(2020, 1, 1))] == 1000 + 200
    assert got[("a", date(2026, 7, 1))] == 1000 + 400 + 200
    cumulative = sp.cumulative_schedule(SCHEDULE).filter(pl.col("carrier_id") == "a", pl.col("use") == "office")
    assert cumulative["cumulative_m2"].to_list() == [1000.0, 1400.0]


def test_ended_leases_are_not_counted_and_future_leases_count_from_their_start():
    rows = leases(
        [
            ("a", "office", 100.0, date(2020, 1, 1), date(2024, 12, 31)),  # ended before the day
            ("a", "office", 250.0, date(2024, 1, 1), date(2025, 6, 30)),  # current, ends in 12 months
            ("a", "lab", 50.0, date(2024, 1, 1), None),  # open-ended
            ("a", "office", 300.0, date(2025, 3, 1), date(2027, 2, 28)),  # starts in the future
        ]
    )
    figures = sp.space_figures(SCHEDULE, rows, ["a", "b"], date(2025, 1, 1), years_ahead=2)
    now = figures["a"]
    assert now.capacity_m2 == 1200
    assert now.occupied_m2 == 250 + 50
    assert now.free_m2 == 1200 - 300
    assert now.occupancy == pytest.approx(300 / 1200)
    assert now.expiring_12m_m2 == 250
    ahead = {p.year: p for p in now.by_year}
    assert ahead[2026].occupied_m2 == 50 + 300  # the future lease counts, the 250 m² one ended
    assert ahead[2027].capacity_m2 == 1600  # the 2026-07-01 release is delivered
    assert ahead[2026].expiring_12m_m2 == 0  # its last day, 2027-02-28, is more than 12 months on
    assert ahead[2027].occupied_m2 == 50 + 300
    assert ahead[2027].expiring_12m_m2 == 300
    assert figures["b"].occupied_m2 == 0 and figures["b"].capacity_m2 == 500
    assert now.capacity_by_use == {"lab": 200.0, "office": 1000.0}


def test_a_lease_counts_on_its_last_day_and_not_the_day_after():
    rows = leases([("b", "office", 100.0, date(2024, 1, 1), date(2024, 12, 31))])
    on_last = sp.space_figures(SCHEDULE, rows, ["b"], date(2024, 12, 31), years_ahead=0)["b"]
    after = sp.space_figures(SCHEDULE, rows, ["b"], date(2025, 1, 1), years_ahead=0)["b"]
    assert on_last.occupied_m2 == 100 and after.occupied_m2 == 0


def test_nothing_delivered_has_no_occupancy():
    figures = sp.space_figures(SCHEDULE, leases([]), ["b"], date(2023, 1, 1), years_ahead=1)["b"]
    assert figures.occupancy is None
    assert figures.by_year[0].occupancy == 0.0


def test_one_use_only():
    rows = leases([("a", "office", 100.0, date(2024, 1, 1), None), ("a", "lab", 50.0, date(2024, 1, 1), None)])
    lab = sp.space_figures(SCHEDULE, rows, ["a"], date(2025, 1, 1), use="lab", years_ahead=0)["a"]
    assert (lab.capacity_m2, lab.occupied_m2) == (200, 50)


def test_schedule_errors_are_all_named():
    with pytest.raises(InputError) as caught:
        sp.parse_schedules(
            {"capacity": [{"carrier": "nope", "blocks": [{"use": "garage", "area_m2": -1, "from": "soon"}]}]}, {"a"}
        )
    assert caught.value.key == "carriers.invalid_schedules"
    text = str(caught.value)
    assert "unknown carrier" in text and "garage" in text and "positive" in text and "date" in text
    assert "structure nope, bloc 1 : l’usage « garage »" in caught.value.message("fr")
    assert "载体 nope 第 1 块：area_m2 必须是正数" in caught.value.message("zh")


def test_add_years_keeps_29_february_in_range():
    assert sp.add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
