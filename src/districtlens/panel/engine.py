"""One panel query, two engines: the store (DuckDB) and Apache Spark on Parquet files.

The query itself, its regions, activities and values are the store's (districtlens.store.panels);
here are what a panel asks for (`PanelSpec`), the tracks' classes read into rows
(`track_classes`), and the two roads that run the query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import polars as pl

from districtlens.errors import InputError, UsageError
from districtlens.store import panels

if TYPE_CHECKING:
    from districtlens.store import Store

BY: tuple[str, ...] = tuple(panels.REGION_COLUMNS)
ACTIVITIES: tuple[str, ...] = tuple(panels.ACTIVITY_EXPRESSIONS)
VALUES: tuple[str, ...] = tuple(panels.VALUE_EXPRESSIONS)


@dataclass(frozen=True)
class PanelSpec:
    """What the panel aggregates: by which region, which activity, which value, which years."""

    by: str = "district"
    activity: str = "gbt4"
    value: str = "revenue"
    years: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for name, given, allowed in (
            ("by", self.by, BY),
            ("activity", self.activity, ACTIVITIES),
            ("value", self.value, VALUES),
        ):
            if given not in allowed:
                raise InputError("panel.unknown_option", option=name, value=given, choices=", ".join(allowed))


def track_classes(tracks: Iterable[tuple[str, str | None]]) -> pl.DataFrame:
    """(track_id, class) rows from (track_id, JSON list of classes or divisions) pairs."""
    rows: list[dict[str, str]] = []
    for track_id, classes in tracks:
        try:
            listed = json.loads(classes) if classes else []
        except json.JSONDecodeError as exc:
            raise InputError("panel.bad_track_classes", track=track_id, reason=str(exc)) from exc
        rows.extend({"track_id": track_id, "class": str(c)} for c in listed)
    return pl.DataFrame(rows, schema={"track_id": pl.String, "class": pl.String})


def panel_from_store(store: Store, spec: PanelSpec) -> pl.DataFrame:
    """The panel from the store."""
    mapping = track_classes(panels.track_lists(store)) if spec.activity == "track" else None
    return _typed(panels.panel(store, spec.by, spec.activity, spec.value, spec.years, mapping))


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
            raise UsageError("panel.needs_tracks")
        rows = spark.read.parquet(tracks).select("track_id", "classes").collect()
        mapping = track_classes((r["track_id"], r["classes"]) for r in rows)
        schema = "track_id string, class string"
        spark.createDataFrame(mapping.rows(), schema).createOrReplaceTempView("track_class")
    result = spark.sql(panels.panel_sql(spec.by, spec.activity, spec.value, spec.years, dialect="spark"))
    return _typed(cast(pl.DataFrame, pl.from_arrow(result.toArrow())))  # a table gives a frame


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("year").cast(pl.Int32),
        pl.col("region").cast(pl.String),
        pl.col("activity").cast(pl.String),
        pl.col("value").cast(pl.Float64),
    )
