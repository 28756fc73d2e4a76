"""Floor space of carriers: capacity delivered by date, space let under current leases, what is free.

Definitions (dates are days; a lease's `lease_end` is its last day, inclusive):

- capacity(d) = sum of the schedule's `area_m2` whose `available_from` <= d (a release
  "progressively over years" is several blocks with later dates);
- a lease is current on d when lease_start <= d <= lease_end (an open lease has no end), so an
  ended lease no longer counts and a signed future lease counts from its start;
- occupied(d) = sum of the areas of the leases current on d; free(d) = capacity(d) - occupied(d);
  occupancy(d) = occupied(d) / capacity(d) (None when nothing is delivered yet);
- expiring_12m(d) = area of the leases current on d whose last day falls before d + 12 months,
  i.e. that will no longer be current a year later unless renewed;
- by_year: the same figures on each anniversary of d, one to `years_ahead` years on.

Everything here is a pure function of two frames: the schedule (group, use, available_from,
area_m2) and the leases (group, use, area_m2, lease_start, lease_end); `by` names the group
column (carrier_id, or zone_id to sum a zone's carriers).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from pydantic import BaseModel

from districtlens.carriers import USES, given, said
from districtlens.errors import InputError

YEARS_AHEAD = 5


class SpacePoint(BaseModel):
    """The space of a carrier (or of a zone's carriers summed) on one day."""

    at: date
    capacity_m2: float
    occupied_m2: float
    free_m2: float
    occupancy: float | None
    expiring_12m_m2: float


class YearAhead(SpacePoint):
    year: int


class Space(SpacePoint):
    """The space on a day, the capacity delivered by then per use, and the same figures on each
    anniversary ahead."""

    capacity_by_use: dict[str, float]
    by_year: list[YearAhead]


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def capacity_at(schedule: pl.DataFrame, days: list[date], by: str = "carrier_id") -> pl.DataFrame:
    """(by, day, capacity_m2): the capacity delivered on or before each day, per group."""
    grid = pl.DataFrame({"day": days}, schema={"day": pl.Date})
    return (
        schedule.select(by, "available_from", "area_m2")
        .join(grid, how="cross")
        .filter(pl.col("available_from") <= pl.col("day"))
        .group_by(by, "day")
        .agg(pl.col("area_m2").sum().alias("capacity_m2"))
    )


def leases_on(leases: pl.DataFrame, day: pl.Expr) -> pl.Expr:
    """True where the lease is current on `day`."""
    return (pl.col("lease_start") <= day) & (pl.col("lease_end").is_null() | (pl.col("lease_end") >= day))


def occupied_at(leases: pl.DataFrame, days: list[date], by: str = "carrier_id") -> pl.DataFrame:
    """(by, day, occupied_m2, expiring_12m_m2) for each day, per group."""
    horizon = {d: add_years(d, 1) for d in days}
    grid = pl.DataFrame(
        {"day": days, "horizon": [horizon[d] for d in days]}, schema={"day": pl.Date, "horizon": pl.Date}
    )
    # Leases sharing dates add up before the cross join, which keeps it small for big files.
    compact = leases.group_by(by, "lease_start", "lease_end").agg(pl.col("area_m2").sum())
    current = compact.join(grid, how="cross").filter(leases_on(compact, pl.col("day")))
    return current.group_by(by, "day").agg(
        pl.col("area_m2").sum().alias("occupied_m2"),
        pl.col("area_m2").filter(pl.col("lease_end") < pl.col("horizon")).sum().alias("expiring_12m_m2"),
    )


def cumulative_schedule(schedule: pl.DataFrame, by: str = "carrier_id") -> pl.DataFrame:
    """(by, use, available_from, delivered_m2, cumulative_m2): the schedule summed by date and use."""
    return (
        schedule.group_by(by, "use", "available_from")
        .agg(pl.col("area_m2").sum().alias("delivered_m2"))
        .sort(by, "use", "available_from")
        .with_columns(pl.col("delivered_m2").cum_sum().over(by, "use").alias("cumulative_m2"))
    )


def figures_on(
    schedule: pl.DataFrame, leases: pl.DataFrame, groups: list[str], days: list[date], by: str = "carrier_id"
) -> pl.DataFrame:
    """(by, day, capacity_m2, occupied_m2, expiring_12m_m2, free_m2, occupancy) for every group
    and day, groups without space or leases included."""
    grid = pl.DataFrame({by: groups}, schema={by: pl.Utf8}).join(
        pl.DataFrame({"day": days}, schema={"day": pl.Date}), how="cross"
    )
    return (
        grid.join(capacity_at(schedule, days, by), on=[by, "day"], how="left")
        .join(occupied_at(leases, days, by), on=[by, "day"], how="left")
        .with_columns(pl.col("capacity_m2", "occupied_m2", "expiring_12m_m2").fill_null(0.0))
        .with_columns(
            (pl.col("capacity_m2") - pl.col("occupied_m2")).alias("free_m2"),
            pl.when(pl.col("capacity_m2") > 0).then(pl.col("occupied_m2") / pl.col("capacity_m2")).alias("occupancy"),
        )
        .sort(by, "day")
    )


def only_use(schedule: pl.DataFrame, leases: pl.DataFrame, use: str | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The schedule and leases of one use (all when `use` is None)."""
    if use is None:
        return schedule, leases
    return schedule.filter(pl.col("use") == use), leases.filter(pl.col("use") == use)


def space_figures(
    schedule: pl.DataFrame,
    leases: pl.DataFrame,
    groups: list[str],
    at: date,
    *,
    by: str = "carrier_id",
    use: str | None = None,
    years_ahead: int = YEARS_AHEAD,
) -> dict[str, Space]:
    """The space of each group on `at` and on each anniversary up to `years_ahead`.
    `use` restricts both the schedule and the leases to one use."""
    schedule, leases = only_use(schedule, leases, use)
    days = [add_years(at, k) for k in range(years_ahead + 1)]
    figures = figures_on(schedule, leases, groups, days, by)
    by_use = (
        schedule.filter(pl.col("available_from") <= at).group_by(by, "use").agg(pl.col("area_m2").sum()).sort(by, "use")
    )
    uses: dict[str, dict[str, float]] = {}
    for group, use_name, area in by_use.iter_rows():
        uses.setdefault(group, {})[use_name] = area
    result: dict[str, Space] = {}
    for group, rows in figures.partition_by(by, as_dict=True, maintain_order=True).items():
        now, *ahead = (_point(row) for row in rows.iter_rows(named=True))
        result[group[0]] = Space(
            **now,
            capacity_by_use=uses.get(group[0], {}),
            by_year=[YearAhead(year=point["at"].year, **point) for point in ahead],
        )
    return result


def _point(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "at": row["day"],
        "capacity_m2": row["capacity_m2"],
        "occupied_m2": row["occupied_m2"],
        "free_m2": row["free_m2"],
        "occupancy": row["occupancy"],
        "expiring_12m_m2": row["expiring_12m_m2"],
    }


SCHEDULE_SCHEMA = {
    "carrier_id": pl.Utf8,
    "use": pl.Utf8,
    "available_from": pl.Date,
    "area_m2": pl.Float64,
    "synthetic": pl.Boolean,
    "note": pl.Utf8,
}


def parse_schedules(doc: object, carriers: set[str]) -> pl.DataFrame:
    """Read `{"capacity": [{"carrier": ID, "synthetic": bool, "note": str, "blocks": [{"use",
    "area_m2", "from", "synthetic"?, "note"?}]}]}` into SCHEDULE_SCHEMA rows.

    A block's `synthetic` defaults to its carrier entry's. A carrier may appear once; its blocks
    replace its schedule in the store as a whole. Refuses the document naming every problem."""
    problems: list[dict[str, object]] = []
    entries = doc.get("capacity") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputError("carriers.invalid_schedules", problems=[said("carriers.schedule.no_capacity")])
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for entry in entries:
        carrier = str((entry or {}).get("carrier", ""))
        where = carrier or "?"
        if carrier not in carriers:
            problems.append(said("carriers.schedule.unknown_carrier", carrier=where))
        if carrier in seen:
            problems.append(said("carriers.schedule.carrier_twice", carrier=where))
        seen.add(carrier)
        blocks = entry.get("blocks") or []
        if not blocks:
            problems.append(said("carriers.schedule.no_blocks", carrier=where))
        for i, block in enumerate(blocks, 1):
            use = block.get("use")
            area = block.get("area_m2")
            day = block.get("from")
            if use not in USES:
                problems.append(
                    said("carriers.schedule.bad_use", carrier=where, block=i, use=given(use), uses=", ".join(USES))
                )
            if not isinstance(area, int | float) or area <= 0:
                problems.append(said("carriers.schedule.bad_area", carrier=where, block=i, value=given(area)))
            if not isinstance(day, date):
                problems.append(said("carriers.schedule.bad_from", carrier=where, block=i, value=given(day)))
            rows.append(
                {
                    "carrier_id": carrier,
                    "use": use,
                    "available_from": day if isinstance(day, date) else None,
                    "area_m2": float(area) if isinstance(area, int | float) else None,
                    "synthetic": bool(block.get("synthetic", entry.get("synthetic", False))),
                    "note": " ".join(str(block.get("note") or entry.get("note") or "").split()) or None,
                }
            )
    if problems:
        raise InputError("carriers.invalid_schedules", problems=problems)
    return pl.DataFrame(rows, schema=SCHEDULE_SCHEMA)
