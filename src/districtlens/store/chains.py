"""What chain health and targeting read from the store: the city's firms with one year of facts,
peer sets and a district's functional zones (areas are resolved by `districtlens.areas`).

Placements are not persisted: they follow from the current registry and the template in use, so
computing them on read keeps them from going stale when either changes.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from districtlens.store.db import Store, sql_literal

# Registration statuses of firms that no longer operate (deregistered, revoked): they hold no link.
CLOSED_STATUS_PATTERN = "(?i)注销|吊销|撤销|deregistered|revoked|dissolved"


def latest_fact_year(store: Store) -> int | None:
    """The latest year for which the store holds any revenue."""
    found = store.con.execute("SELECT max(year) FROM fact_version WHERE revenue IS NOT NULL").fetchone()
    return None if found is None else found[0]


def city_firms(store: Store, city_prefix: str, year: int | None) -> pl.DataFrame:
    """Every operating firm located in the city, with its revenue and employees in `year` and its
    revenue in the year before (null where the store has none).

    Columns: uscc, name, district_adcode, street_code, zone_id, industry_code, business_scope,
    tags, revenue, revenue_prior, employees.
    """
    # A relation's result is converted to Arrow by every thread as it is produced; `execute`
    # materializes it first and converts it on one thread (most of the read at 1M firms): the
    # values are written in (sql_literal).
    year = int(year) if year is not None else -1
    return (
        store.con.sql(
            f"""
        WITH f AS (
            SELECT uscc,
                   max(revenue) FILTER (WHERE year = {year}) AS revenue,
                   max(revenue) FILTER (WHERE year = {year - 1}) AS revenue_prior,
                   max(employees) FILTER (WHERE year = {year}) AS employees
            FROM fact_current WHERE year IN ({year}, {year - 1}) GROUP BY uscc
        )
        SELECT e.uscc, e.name, e.district_adcode, e.street_code, e.zone_id, e.industry_code,
               e.business_scope, e.tags, f.revenue, f.revenue_prior, f.employees
        FROM enterprise_current e LEFT JOIN f USING (uscc)
        WHERE starts_with(e.district_adcode, {sql_literal(city_prefix)})
          AND NOT regexp_matches(coalesce(e.status, ''), {sql_literal(CLOSED_STATUS_PATTERN)})
        """
        )
        .pl()
        .rechunk()
    )  # a batch per thread: the later passes over the city run faster on one


def peer_districts(store: Store, district_adcode: str) -> list[str]:
    """The peer districts a pack names for `district_adcode` (every list of its `peers`, merged)."""
    rows = store.con.execute(
        "SELECT peers FROM district_pack WHERE district_adcode = ? AND peers IS NOT NULL",
        [district_adcode],
    ).fetchall()
    peers: list[str] = []
    for (text,) in rows:
        for group in json.loads(text).values():
            peers.extend(str(code) for code in group)
    return list(dict.fromkeys(peers))


def district_zones(store: Store, district_adcode: str) -> pl.DataFrame:
    """The district's functional zones: zone_id, name_zh, name_en, name_fr, role, orientation
    (track ids)."""
    rows = store.con.execute(
        "SELECT zone_id, name_zh, name_en, name_fr, role, orientation FROM zone WHERE district_adcode = ?"
        " ORDER BY zone_id",
        [district_adcode],
    ).fetchall()
    return pl.DataFrame(
        [
            {
                "zone_id": z,
                "name_zh": zh,
                "name_en": en,
                "name_fr": fr,
                "role": role,
                "orientation": [str(t) for t in json.loads(orientation or "[]")],
            }
            for z, zh, en, fr, role, orientation in rows
        ],
        schema={
            "zone_id": pl.String,
            "name_zh": pl.String,
            "name_en": pl.String,
            "name_fr": pl.String,
            "role": pl.String,
            "orientation": pl.List(pl.String),
        },
    )


def data_version(store: Store) -> tuple[str, str, int, int] | None:
    """What the city's firms read from `store` depend on, cheap to read: the store file, the
    ledger head, and the number of registry and fact versions (a write that bypassed the ledger
    still changes them). None for a store in memory, which has no identity across connections."""
    if not str(store.path) or str(store.path) == ":memory:":
        return None
    row = store.con.execute(
        "SELECT (SELECT hash FROM ledger ORDER BY seq DESC LIMIT 1),"
        " (SELECT count(*) FROM enterprise_version), (SELECT count(*) FROM fact_version)"
    ).fetchone()
    if row is None:
        return None
    return str(Path(store.path).resolve()), str(row[0]), int(row[1]), int(row[2])
