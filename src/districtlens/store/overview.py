"""The SQL of the overview page: the city's districts year by year, and what is registered where."""

from __future__ import annotations

import polars as pl

from districtlens.store.chains import CLOSED_STATUS_PATTERN
from districtlens.store.db import Store


def district_years(store: Store, city_prefix: str) -> pl.DataFrame:
    """Per district of the city and year: adcode, year, enterprises, revenue, tax, employees,
    rd_spend (sums over the operating enterprises located in the district that reported facts
    that year; deregistered and revoked ones are left out, as the briefing's figures leave them)."""
    return store.con.execute(
        """
        SELECT e.district_adcode AS adcode, f.year, count(*) AS enterprises,
               sum(f.revenue) AS revenue, sum(f.tax) AS tax, sum(f.employees) AS employees,
               sum(f.rd_spend) AS rd_spend
        FROM fact_current f
        JOIN (SELECT uscc, district_adcode FROM enterprise_current
              WHERE starts_with(district_adcode, ?) AND NOT regexp_matches(coalesce(status, ''), ?)) e
          USING (uscc)
        GROUP BY ALL ORDER BY adcode, year
        """,
        [city_prefix, CLOSED_STATUS_PATTERN],
    ).pl()


def registered(store: Store, city_prefix: str) -> dict[str, int]:
    """Current registry records per district of the city (whether or not they reported facts)."""
    rows = store.con.execute(
        "SELECT district_adcode, count(*) FROM enterprise_current WHERE starts_with(district_adcode, ?) GROUP BY 1",
        [city_prefix],
    ).fetchall()
    return dict(rows)
