"""What chain health and targeting read from the store: areas, the city's firms with one year of
facts, peer sets, functional zones and their carriers.

Placements are not persisted: they follow from the current registry and the template in use, so
computing them on read keeps them from going stale when either changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import polars as pl

from districtlens.refdata import areas, streets
from districtlens.store.db import Store, sql_literal

# Registration statuses of firms that no longer operate (deregistered, revoked): they hold no link.
CLOSED_STATUS_PATTERN = "(?i)注销|吊销|撤销|deregistered|revoked|dissolved"


class AreaError(ValueError):
    """An area code the store cannot resolve, with what it expected."""


@dataclass(frozen=True)
class Area:
    """A district (6-digit adcode), street (9-digit code) or functional zone (its id)."""

    kind: str  # district, street, zone
    code: str
    district_adcode: str
    label: str

    @property
    def city_prefix(self) -> str:
        """The first four digits of the district's adcode: its city (3101 for Shanghai)."""
        return self.district_adcode[:4]

    @property
    def column(self) -> str:
        """The enterprise_current column that says whether a firm is in the area."""
        return {"district": "district_adcode", "street": "street_code", "zone": "zone_id"}[self.kind]


def resolve_area(store: Store, code: str) -> Area:
    """Read `code` as a district adcode, a street code or a zone id of the store's packs."""
    code = code.strip()
    if code.isdigit() and len(code) == 6:
        found = areas().filter(pl.col("code") == code)
        if found.is_empty():
            raise AreaError(f"{code} is not a county-level adcode (e.g. 310106 for Jing'an)")
        return Area("district", code, code, f"{found['name'][0]} ({code})")
    if code.isdigit() and len(code) == 9:
        found = streets().filter(pl.col("code") == code)
        if found.is_empty():
            raise AreaError(f"{code} is not a street or town code (e.g. 310106019)")
        return Area("street", code, found["areaCode"][0], f"{found['name'][0]} ({code})")
    row = store.con.execute(
        "SELECT zone_id, district_adcode, coalesce(name_zh, name_en, zone_id) FROM zone"
        " WHERE zone_id = ?", [code]
    ).fetchone()
    if row is None:
        zones = [r[0] for r in store.con.execute("SELECT zone_id FROM zone ORDER BY 1").fetchall()]
        known = f"; zones in the store: {', '.join(zones)}" if zones else "; the store has no zones"
        raise AreaError(
            f"{code!r} is neither a district adcode (6 digits), a street code (9 digits)"
            f" nor a zone id{known}"
        )
    return Area("zone", row[0], row[1], f"{row[2]} ({row[0]})")


def district_label(adcode: str) -> str:
    found = areas().filter(pl.col("code") == adcode)
    return f"{found['name'][0]} ({adcode})" if not found.is_empty() else adcode


def latest_fact_year(store: Store) -> int | None:
    """The latest year for which the store holds any revenue."""
    return store.con.execute(
        "SELECT max(year) FROM fact_version WHERE revenue IS NOT NULL"
    ).fetchone()[0]


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
    return store.con.sql(
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
    ).pl().rechunk()  # a batch per thread: the later passes over the city run faster on one


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


def zones(store: Store, district_adcode: str) -> pl.DataFrame:
    """The district's functional zones: zone_id, name_zh, name_en, role, orientation (track ids)."""
    rows = store.con.execute(
        "SELECT zone_id, name_zh, name_en, role, orientation FROM zone"
        " WHERE district_adcode = ? ORDER BY zone_id",
        [district_adcode],
    ).fetchall()
    return pl.DataFrame(
        [
            {"zone_id": z, "name_zh": zh, "name_en": en, "role": role,
             "orientation": [str(t) for t in json.loads(orientation or "[]")]}
            for z, zh, en, role, orientation in rows
        ],
        schema={"zone_id": pl.String, "name_zh": pl.String, "name_en": pl.String,
                "role": pl.String, "orientation": pl.List(pl.String)},
    )


def carriers(store: Store, district_adcode: str) -> pl.DataFrame:
    """The district's carriers: carrier_id, name_zh, name_en, kind, zone_id, floor_space_m2."""
    return store.con.execute(
        "SELECT carrier_id, name_zh, name_en, kind, zone_id, floor_space_m2 FROM carrier"
        " WHERE district_adcode = ? ORDER BY carrier_id",
        [district_adcode],
    ).pl()
