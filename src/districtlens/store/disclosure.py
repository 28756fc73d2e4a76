"""Firm-level reads for disclosure control: which firm counts in which published cell, and with
what value. Read-only."""

from __future__ import annotations

import polars as pl

from districtlens.store.chains import CLOSED_STATUS_PATTERN
from districtlens.store.db import Store


def district_facts(store: Store, adcode: str, year: int) -> pl.DataFrame:
    """The operating firms located in `adcode` that reported facts for `year` (as the district's
    totals and the industry tables count them): firm, industry_code, revenue, employees."""
    return store.con.execute(
        """
        SELECT e.uscc AS firm, e.industry_code, f.revenue, f.employees
        FROM fact_current f JOIN enterprise_current e USING (uscc)
        WHERE e.district_adcode = $adcode AND f.year = $year
          AND NOT regexp_matches(coalesce(e.status, ''), $closed)
        ORDER BY firm
        """,
        {"adcode": adcode, "year": year, "closed": CLOSED_STATUS_PATTERN},
    ).pl()
