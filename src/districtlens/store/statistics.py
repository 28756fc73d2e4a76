"""Published statistics in the store, and the registry figures a reconciliation sets beside them.

A figure is keyed by (adcode, year, indicator); importing it again with another value or source
adds a version (the view `statistic_current` shows the latest), an unchanged one adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from districtlens.store import ledger
from districtlens.store.db import Store, register_frame, scalar

ACTION = "import statistics"
# Columns of a figure that, when unchanged, make a re-import of it a no-op.
CONTENT = ("district", "value", "unit", "value_base", "unit_base", "measure", "note", "source_url", "source_doc")
CLOSED_STATUSES = ("注销", "吊销", "撤销")


@dataclass(frozen=True)
class Written:
    figures: int  # new figures or new versions
    unchanged: int
    ledger_seq: int | None  # None when nothing was written


def write_statistics(store: Store, figures: pl.DataFrame, *, source: dict[str, Any], actor: str) -> Written:
    """Write the figures that are new or changed as one transaction with its ledger entry."""
    columns = ledger.HASHED_TABLES["statistic"]
    with store.transaction() as con:
        seq = ledger.next_seq(con)
        register_frame(con, "incoming_statistics", figures)
        try:
            changed = " OR ".join(f"i.{c} IS DISTINCT FROM c.{c}" for c in CONTENT)
            staged = con.execute(
                f"""
                SELECT i.adcode, i.district, i.year, i.indicator, coalesce(c.version, 0) + 1 AS version,
                       i.value, i.unit, i.value_base, i.unit_base, i.measure, i.note, i.source_url,
                       i.source_doc, {seq}::BIGINT AS source_id, {seq}::BIGINT AS ledger_seq
                FROM incoming_statistics i
                LEFT JOIN statistic_current c
                  ON c.adcode = i.adcode AND c.year IS NOT DISTINCT FROM i.year AND c.indicator = i.indicator
                WHERE c.adcode IS NULL OR {changed}
                """
            ).pl()
        finally:
            con.unregister("incoming_statistics")
        if staged.is_empty():
            return Written(0, figures.height, None)
        ledger.insert_source(
            con,
            seq,
            name=source["name"],
            kind="statistics",
            file_name=source.get("file_name"),
            file_sha256=source.get("file_sha256"),
        )
        register_frame(con, "staged_statistics", staged)
        try:
            names = ", ".join(columns)
            con.execute(
                f"INSERT INTO statistic ({names}, row_hash)"
                f" SELECT {names}, {ledger.row_hash_sql('statistic')} FROM staged_statistics"
            )
        finally:
            con.unregister("staged_statistics")
        ledger.append(con, seq, actor, ACTION, {"source": source, "figures": staged.height})
    return Written(staged.height, figures.height - staged.height, seq)


def published(store: Store, adcode: str, year: int) -> pl.DataFrame:
    """The area's current figures of `year` and its timeless ones, with the year each is of."""
    return store.con.execute(
        "SELECT adcode, district, year, indicator, value, unit, value_base, unit_base, measure, note,"
        " source_url, source_doc FROM statistic_current"
        " WHERE adcode = ? AND (year = ? OR year IS NULL) ORDER BY year NULLS FIRST, indicator",
        [adcode, year],
    ).pl()


def latest_before(store: Store, adcode: str, measure: str, year: int) -> pl.DataFrame:
    """The area's latest current figure of `measure` published for a year before `year` (a running
    total, such as the headquarters counted so far, still says something of later years)."""
    return store.con.execute(
        "SELECT adcode, district, year, indicator, value, unit, value_base, unit_base, measure, note,"
        " source_url, source_doc FROM statistic_current"
        " WHERE adcode = ? AND measure = ? AND year < ? ORDER BY year DESC LIMIT 1",
        [adcode, measure, year],
    ).pl()


def published_years(store: Store, adcode: str) -> list[int]:
    rows = store.con.execute(
        "SELECT DISTINCT year FROM statistic_current WHERE adcode = ? AND year IS NOT NULL ORDER BY year DESC",
        [adcode],
    ).fetchall()
    return [r[0] for r in rows]


def registered_entities(store: Store, adcode: str, year: int) -> pl.DataFrame:
    """The district's enterprises registered at the end of `year`, with that year's facts.

    Registered: founded by the end of the year (or founding unknown) and either not closed now
    or reporting facts for the year or later (a firm closed since was still registered then)."""
    closed = ", ".join(f"'{s}'" for s in CLOSED_STATUSES)
    return store.con.execute(
        f"""
        SELECT e.uscc, e.ownership_type, e.hq_status, e.industry_code, e.founded, e.synthetic,
               f.revenue, f.tax, f.employees
        FROM enterprise_current e
        LEFT JOIN fact_current f ON f.uscc = e.uscc AND f.year = ?
        WHERE e.district_adcode = ?
          AND (e.founded IS NULL OR year(e.founded) <= ?)
          AND (coalesce(e.status, '') NOT IN ({closed})
               OR EXISTS (SELECT 1 FROM fact_current g WHERE g.uscc = e.uscc AND g.year >= ?))
        """,
        [year, adcode, year, year],
    ).pl()


def statistics_count(store: Store) -> int:
    count: int = scalar(store.con, "SELECT count(*) FROM statistic_current")
    return count
