"""From a validated roster to what the store takes: one record per enterprise, one per
enterprise-year, and every key the file held."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from districtlens.ingest.locate import Gazetteer, locate_batch
from districtlens.ingest.read import ROW
from districtlens.ingest.validate import ENTERPRISE_COLUMNS, FACT_COLUMNS, Validated

LOCATION_COLUMNS = ("district_adcode", "street_code", "zone_id", "located_by")


@dataclass(frozen=True)
class Roster:
    enterprises: pl.DataFrame  # one row per uscc
    facts: pl.DataFrame  # one row per (uscc, year)
    keys: pl.DataFrame  # uscc, year, carries_attributes: one row per valid row of the file
    columns: tuple[str, ...]


def prepare_roster(validated: Validated, gazetteer: Gazetteer, known: pl.DataFrame) -> Roster:
    """Split valid rows into enterprises and facts, and place each address.

    An enterprise's attributes come from its latest year in the file (a name that changed in
    2023 is the name of the 2023 row). The road gazetteer learns from `known` (address,
    district_adcode of enterprises already placed by a district name) and from this file.
    """
    rows = validated.rows
    columns = validated.columns
    attributes = [c for c in ENTERPRISE_COLUMNS if c in columns]
    # Each enterprise's latest row found per group: cheaper than sorting all rows by key.
    carrying = rows.group_by("uscc").agg(pl.col(ROW).sort_by("year", ROW, nulls_last=False).last())[ROW].implode()
    carries = pl.col(ROW).is_in(carrying)
    enterprises = rows.filter(carries).select("uscc", *attributes)
    if "address" in attributes:
        enterprises = _with_location(enterprises, gazetteer, known)
    else:
        enterprises = enterprises.with_columns(*[pl.lit(None, pl.Utf8).alias(c) for c in LOCATION_COLUMNS])
    missing = [c for c in ENTERPRISE_COLUMNS if c not in attributes]
    enterprises = enterprises.with_columns(*[pl.lit(None, pl.Utf8).alias(c) for c in missing if c != "founded"])
    if "founded" not in attributes:
        enterprises = enterprises.with_columns(pl.lit(None, pl.Date).alias("founded"))

    fact_columns = [c for c in FACT_COLUMNS if c in columns]
    facts = rows.filter(pl.col("year").is_not_null()).select(
        "uscc",
        "year",
        *fact_columns,
        *[pl.lit(None, pl.Float64).alias(c) for c in FACT_COLUMNS if c not in fact_columns],
    )
    keys = rows.select("uscc", "year", carries.alias("carries_attributes"))
    return Roster(enterprises, facts, keys, columns)


def _with_location(enterprises: pl.DataFrame, gazetteer: Gazetteer, known: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([enterprises, locate_batch(enterprises["address"], gazetteer, known)], how="horizontal")
