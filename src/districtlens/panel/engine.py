"""One panel query, two engines.

Regions (`by`): district -> district_adcode, zone -> zone_id, street -> street_code.
Activities: gbt4 -> the GB/T 4754-2017 class (industry_code), gbt2 -> its division (first two
characters), track -> the pack's tracks, through `track_class` (track_id, class): a firm belongs
to a track when its class, or its division, is in the track's `classes` list; tracks overlap, so
a firm can count in several.
Values: revenue (sum, 万元), employees (sum), firms (distinct enterprises with a fact that year).

Rows without a region or an activity are left out, and so are cells whose value is 0 or empty: a
panel lists its positive cells and the metrics fill in the zeros.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl
import sqlglot

from districtlens.store.db import register_frame

BY: dict[str, str] = {"district": "district_adcode", "zone": "zone_id", "street": "street_code"}
ACTIVITIES: dict[str, str] = {
    "gbt4": "e.industry_code",
    "gbt2": "substr(e.industry_code, 1, 2)",
    "track": "et.track_id",
}
VALUES: dict[str, str] = {
    "revenue": "sum(f.revenue)",
    "employees": "sum(f.employees)",
    "firms": "count(DISTINCT f.uscc)",
}
# DISTINCT: a track listing both a class and its division must count the firm once.
TRACK_JOIN = (
    " JOIN (SELECT DISTINCT t.uscc, tc.track_id FROM enterprise_current AS t JOIN track_class AS tc"
    " ON tc.class = t.industry_code OR tc.class = substr(t.industry_code, 1, 2)) AS et"
    " ON et.uscc = e.uscc"
)


class PanelError(ValueError):
    """A panel that cannot be built as asked (unknown option, missing table)."""


@dataclass(frozen=True)
class PanelSpec:
    """What the panel aggregates: by which region, which activity, which value, which years."""

    by: str = "district"
    activity: str = "gbt4"
    value: str = "revenue"
    years: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for name, given, allowed in (("by", self.by, BY), ("activity", self.activity, ACTIVITIES),
                                     ("value", self.value, VALUES)):
            if given not in allowed:
                raise PanelError(f"unknown {name} {given!r}: use one of {', '.join(allowed)}")


def panel_sql(spec: PanelSpec, dialect: str = "duckdb") -> str:
    """The panel query over `enterprise_current`, `fact_current` (and `track_class`)."""
    region = f"e.{BY[spec.by]}"
    activity = ACTIVITIES[spec.activity]
    value = VALUES[spec.value]
    years = ""
    if spec.years:
        years = f" AND f.year IN ({', '.join(str(int(y)) for y in spec.years)})"
    sql = (
        f"SELECT f.year AS year, {region} AS region, {activity} AS activity,"
        f" CAST({value} AS DOUBLE) AS value"
        " FROM fact_current AS f JOIN enterprise_current AS e ON e.uscc = f.uscc"
        + (TRACK_JOIN if spec.activity == "track" else "")
        + f" WHERE {region} IS NOT NULL AND e.industry_code IS NOT NULL{years}"
        f" GROUP BY f.year, {region}, {activity}"
        f" HAVING {value} > 0"
        " ORDER BY year, region, activity"
    )
    return sql if dialect == "duckdb" else sqlglot.transpile(sql, read="duckdb", write=dialect)[0]


def track_classes(tracks: Iterable[tuple[str, str | None]]) -> pl.DataFrame:
    """(track_id, class) rows from (track_id, JSON list of classes or divisions) pairs."""
    rows: list[dict[str, str]] = []
    for track_id, classes in tracks:
        try:
            listed = json.loads(classes) if classes else []
        except json.JSONDecodeError as exc:
            raise PanelError(f"track {track_id}: classes is not a JSON list ({exc})") from exc
        rows.extend({"track_id": track_id, "class": str(c)} for c in listed)
    return pl.DataFrame(rows, schema={"track_id": pl.String, "class": pl.String})


def panel_from_store(con: duckdb.DuckDBPyConnection, spec: PanelSpec) -> pl.DataFrame:
    """The panel from the store's views (`store.con`)."""
    if spec.activity == "track":
        mapping = track_classes(con.execute("SELECT track_id, classes FROM track").fetchall())
        register_frame(con, "track_class", mapping)
    try:
        return _typed(con.execute(panel_sql(spec)).pl())
    finally:
        if spec.activity == "track":
            con.unregister("track_class")


def panel_on_spark(
    spark: Any,
    enterprises: str,
    facts: str,
    spec: PanelSpec,
    tracks: str | None = None,
) -> pl.DataFrame:
    """The same panel on Apache Spark, from Parquet files with the store views' columns.

    `enterprises`, `facts` and `tracks` are Parquet paths (files or folders) holding the columns of
    enterprise_current, fact_current and track.
    """
    spark.read.parquet(enterprises).createOrReplaceTempView("enterprise_current")
    spark.read.parquet(facts).createOrReplaceTempView("fact_current")
    if spec.activity == "track":
        if tracks is None:
            raise PanelError("a track panel needs the track table (tracks=...)")
        rows = spark.read.parquet(tracks).select("track_id", "classes").collect()
        mapping = track_classes((r["track_id"], r["classes"]) for r in rows)
        schema = "track_id string, class string"
        spark.createDataFrame(mapping.rows(), schema).createOrReplaceTempView("track_class")
    result = spark.sql(panel_sql(spec, dialect="spark"))
    return _typed(pl.from_arrow(result.toArrow()))


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("year").cast(pl.Int32),
        pl.col("region").cast(pl.String),
        pl.col("activity").cast(pl.String),
        pl.col("value").cast(pl.Float64),
    )
