"""Microdata to panel: enterprise-year rows -> (year, region, activity, value), on DuckDB or Spark.

The query is the store's (districtlens.store.panels), written once in DuckDB's dialect and
transpiled by SQLGlot for Spark.
"""

from districtlens.panel.engine import (
    ACTIVITIES,
    BY,
    VALUES,
    PanelSpec,
    panel_from_store,
    panel_on_spark,
    track_classes,
)

__all__ = ["ACTIVITIES", "BY", "VALUES", "PanelSpec", "panel_from_store", "panel_on_spark", "track_classes"]
