"""The panel query: enterprise-year rows of the store aggregated to (year, region, activity, value).

The query is written once, in DuckDB's dialect, over the store's views `enterprise_current`,
`fact_current` and a `track_class` (track_id, class) relation; SQLGlot transpiles it for Spark,
which runs it on Parquet copies of the same views (districtlens.panel.panel_on_spark).

Regions (`by`): district -> district_adcode, zone -> zone_id, street -> street_code.
Activities: gbt4 -> the GB/T 4754-2017 class (industry_code), gbt2 -> its division (first two
characters), track -> the pack's tracks, through `track_class`: a firm belongs to a track when its
class, or its division, is in the track's classes; tracks overlap, so a firm can count in several.
Values: revenue (sum, 万元), employees (sum), firms (distinct enterprises with a fact that year).

Rows without a region or an activity are left out, and so are cells whose value is 0 or empty: a
panel lists its positive cells and the metrics fill in the zeros.

    panel_sql(by, activity, value, years=(), dialect="duckdb") -> str
    track_lists(store) -> [(track_id, classes JSON)]     the tracks, as stored
    panel(store, by, activity, value, years=(), track_class=None) -> DataFrame
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from districtlens.store.db import Store, register_frame

REGION_COLUMNS: dict[str, str] = {"district": "district_adcode", "zone": "zone_id", "street": "street_code"}
ACTIVITY_EXPRESSIONS: dict[str, str] = {
    "gbt4": "e.industry_code",
    "gbt2": "substr(e.industry_code, 1, 2)",
    "track": "et.track_id",
}
VALUE_EXPRESSIONS: dict[str, str] = {
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


def panel_sql(by: str, activity: str, value: str, years: Sequence[int] = (), dialect: str = "duckdb") -> str:
    """The panel query; `by`, `activity` and `value` are keys of the three tables above."""
    import sqlglot

    region = f"e.{REGION_COLUMNS[by]}"
    measured = VALUE_EXPRESSIONS[value]
    grouped = ACTIVITY_EXPRESSIONS[activity]
    in_years = f" AND f.year IN ({', '.join(str(int(y)) for y in years)})" if years else ""
    sql = (
        f"SELECT f.year AS year, {region} AS region, {grouped} AS activity,"
        f" CAST({measured} AS DOUBLE) AS value"
        " FROM fact_current AS f JOIN enterprise_current AS e ON e.uscc = f.uscc"
        + (TRACK_JOIN if activity == "track" else "")
        + f" WHERE {region} IS NOT NULL AND e.industry_code IS NOT NULL{in_years}"
        f" GROUP BY f.year, {region}, {grouped}"
        f" HAVING {measured} > 0"
        " ORDER BY year, region, activity"
    )
    return sql if dialect == "duckdb" else sqlglot.transpile(sql, read="duckdb", write=dialect)[0]


def track_lists(store: Store) -> list[tuple[str, str | None]]:
    """(track_id, classes as stored: a JSON list of classes or divisions) of every track."""
    return store.con.execute("SELECT track_id, classes FROM track ORDER BY track_id").fetchall()


def panel(
    store: Store, by: str, activity: str, value: str, years: Sequence[int] = (), track_class: pl.DataFrame | None = None
) -> pl.DataFrame:
    """year, region, activity, value of the panel; an activity of `track` needs `track_class`."""
    if track_class is not None:
        register_frame(store.con, "track_class", track_class)
    try:
        return store.con.execute(panel_sql(by, activity, value, years)).pl()
    finally:
        if track_class is not None:
            store.con.unregister("track_class")
