"""Enterprises and their yearly facts in the store: writing an import as new versions, reading the
current state, and the inputs the address locator learns from.

An import never changes or deletes a stored value: a key whose values changed gets a new version
(the old one only records which entry superseded it). A column the file does not carry, or a
cell it leaves empty, keeps the stored value (an import cannot erase), except the location,
which always follows the address it was derived from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from districtlens.store import ledger
from districtlens.store.db import Store, register_frame, sql_literal

ENTERPRISE_ATTRIBUTES = (
    "name",
    "name_en",
    "legal_form",
    "founded",
    "status",
    "address",
    "industry_code",
    "business_scope",
    "tags",
    "ownership_type",
    "hq_status",
)
LOCATION = ("district_adcode", "street_code", "zone_id", "located_by")
FACTS = ("revenue", "tax", "employees", "rd_spend")
# The new versions of a write, per version table: what it inserts, supersedes and digests.
STAGED = {"enterprise_version": "staged_enterprise_versions", "fact_version": "staged_fact_versions"}
# Each version table's key: the order a write stores its versions in (migration 0008).
KEYS = {history: list(keys) for history, keys in ledger.CURRENT.values()}


@dataclass(frozen=True)
class Counts:
    inserted: int
    updated: int
    unchanged: int
    enterprise_versions: int
    fact_versions: int
    ledger_seq: int | None  # None when nothing changed and nothing was written


def write_roster(
    store: Store,
    *,
    enterprises: pl.DataFrame,
    facts: pl.DataFrame,
    keys: pl.DataFrame,
    columns: tuple[str, ...],
    source: dict[str, Any],
    synthetic: bool,
    actor: str,
    action: str = "import enterprises",
) -> Counts:
    """Write one roster as a single transaction with its ledger entry.

    `enterprises`: one row per uscc with the attributes the file gave (plus the location derived
    from its address); `facts`: one row per (uscc, year); `keys`: every valid (uscc, year) of the
    file with `carries_attributes` true on the row whose attributes `enterprises` holds;
    `columns`: the canonical columns the file carried.
    """
    con = store.con
    given = [c for c in ENTERPRISE_ATTRIBUTES if c in columns]
    given_facts = [c for c in FACTS if c in columns]
    with store.transaction():
        seq = ledger.next_seq(con)
        now = ledger.now_iso()
        register_frame(con, "incoming_enterprises", enterprises)
        register_frame(con, "incoming_facts", facts)
        register_frame(con, "incoming_keys", keys)
        try:
            constants = {
                "synthetic": sql_literal(synthetic),
                "source_id": sql_literal(seq),
                "valid_from": sql_literal(now),
                "ledger_seq": sql_literal(seq),
            }
            _stage_enterprise_versions(con, given, "address" in columns, constants)
            _stage_fact_versions(con, given_facts, constants)
            counts = _count(con)
            if counts["enterprise_versions"] == 0 and counts["fact_versions"] == 0:
                # Nothing changed: no source, no ledger entry; the store is exactly as it was.
                return Counts(counts["inserted"], 0, counts["unchanged"], 0, 0, None)
            ledger.insert_source(
                con,
                seq,
                name=source["name"],
                kind=source["kind"],
                file_name=source.get("file_name"),
                file_sha256=source.get("file_sha256"),
            )
            written = dict(STAGED)
            ledger.supersede(con, written, seq)
            for table, staged in written.items():
                _insert_staged(con, table, staged)
            ledger.append(
                con,
                seq,
                actor,
                action,
                {
                    "source": source,
                    "synthetic": synthetic,
                    "inserted": counts["inserted"],
                    "updated": counts["updated"],
                    "unchanged": counts["unchanged"],
                },
                written=written,
            )
        finally:
            for name in ("incoming_enterprises", "incoming_facts", "incoming_keys", *STAGED.values()):
                con.unregister(name)
    return Counts(
        counts["inserted"],
        counts["updated"],
        counts["unchanged"],
        counts["enterprise_versions"],
        counts["fact_versions"],
        seq,
    )


def _stage_enterprise_versions(con, given: list[str], address_given: bool, constants: dict[str, str]) -> None:
    def value(col: str) -> str:
        if col in LOCATION:
            # A new address brings its own location, resolved or not; no address keeps the old one.
            if not address_given:
                return f"c.{col}"
            return f"CASE WHEN i.address IS NOT NULL THEN i.{col} ELSE c.{col} END"
        return f"coalesce(i.{col}, c.{col})" if col in given else f"c.{col}"

    watched = given + (list(LOCATION) if address_given else [])
    changed = " OR ".join(f"({value(c)} IS DISTINCT FROM c.{c})" for c in watched) or "false"
    select = {"uscc": "i.uscc", "version": "coalesce(c.version, 0) + 1", **constants}
    exprs = [f"{select.get(col, value(col))} AS {col}" for col in ledger.HASHED_TABLES["enterprise_version"]]
    _stage_hashed(
        con,
        "enterprise_version",
        f"SELECT {', '.join(exprs)}"
        f" FROM incoming_enterprises i LEFT JOIN enterprise_current c ON c.uscc = i.uscc"
        f" WHERE c.uscc IS NULL OR {changed}",
    )


def _stage_fact_versions(con, given: list[str], constants: dict[str, str]) -> None:
    values = {col: (f"coalesce(i.{col}, c.{col})" if col in given else f"c.{col}") for col in FACTS}
    changed = " OR ".join(f"({values[c]} IS DISTINCT FROM c.{c})" for c in given) or "false"
    select = {"uscc": "i.uscc", "year": "i.year", "version": "coalesce(c.version, 0) + 1", **constants, **values}
    exprs = [f"{select[col]} AS {col}" for col in ledger.HASHED_TABLES["fact_version"]]
    _stage_hashed(
        con,
        "fact_version",
        f"SELECT {', '.join(exprs)}"
        f" FROM incoming_facts i LEFT JOIN fact_current c ON c.uscc = i.uscc AND c.year = i.year"
        f" WHERE c.uscc IS NULL OR {changed}",
    )


def _stage_hashed(con, table: str, select: str) -> None:
    """Stage the new versions of `table` with their row hash, hashed once: the rows the version
    table takes, the versions they supersede are found by, and the ledger digests for this entry.

    They are held as a frame, not a temporary table: a table created inside the write's
    transaction is scanned on one thread, and inserting a million rows from it took twice as long.
    They are sorted by key, as the table stores them, for lookups by code (migration 0008)."""
    rows = con.sql(f"SELECT *, {ledger.row_hash_sql(table)} AS row_hash FROM ({select})").pl()
    register_frame(con, STAGED[table], rows.sort(KEYS[table]))


def _count(con) -> dict[str, int]:
    row = con.execute(
        """
        WITH k AS (
            SELECT k.uscc, k.year, k.carries_attributes,
                   CASE WHEN k.year IS NULL THEN e.uscc IS NULL ELSE f.uscc IS NULL END AS is_new,
                   sf.uscc IS NOT NULL OR (k.carries_attributes AND se.uscc IS NOT NULL) AS changed
            FROM incoming_keys k
            LEFT JOIN enterprise_current e ON e.uscc = k.uscc
            LEFT JOIN fact_current f ON f.uscc = k.uscc AND f.year = k.year
            LEFT JOIN staged_fact_versions sf ON sf.uscc = k.uscc AND sf.year = k.year
            LEFT JOIN staged_enterprise_versions se ON se.uscc = k.uscc
        )
        SELECT count(*) FILTER (WHERE is_new),
               count(*) FILTER (WHERE NOT is_new AND changed),
               count(*) FILTER (WHERE NOT is_new AND NOT changed),
               (SELECT count(*) FROM staged_enterprise_versions),
               (SELECT count(*) FROM staged_fact_versions)
        FROM k
        """
    ).fetchone()
    keys = ("inserted", "updated", "unchanged", "enterprise_versions", "fact_versions")
    return dict(zip(keys, row, strict=True))


def _insert_staged(con, table: str, staged: str) -> None:
    columns = ", ".join((*ledger.HASHED_TABLES[table], "row_hash"))
    con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staged}")


def placed_addresses(store: Store) -> pl.DataFrame:
    """Addresses the store placed by a district name: what the road gazetteer learns from."""
    return store.con.execute(
        "SELECT address, district_adcode FROM enterprise_current"
        " WHERE located_by IN ('district-name', 'former-name') AND address IS NOT NULL"
    ).pl()


def zone_places(store: Store) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(zone_id, street_code) and (zone_id, adcode, road) of every functional zone."""
    streets = store.con.execute(
        "SELECT zone_id, unnest(CAST(json_extract_string(streets, '$[*]') AS VARCHAR[])) AS street_code"
        " FROM zone WHERE streets IS NOT NULL"
    ).pl()
    roads = store.con.execute(
        "SELECT zone_id, district_adcode AS adcode,"
        " unnest(CAST(json_extract_string(roads, '$[*]') AS VARCHAR[])) AS road"
        " FROM zone WHERE roads IS NOT NULL"
    ).pl()
    return streets, roads


def export_frame(store: Store) -> pl.DataFrame:
    """Every enterprise's current record with its latest year of facts."""
    return store.con.execute(
        """
        SELECT e.uscc, e.name, e.name_en, e.legal_form, e.founded, e.status, e.address,
               e.district_adcode, e.street_code, e.zone_id AS zone, e.located_by, e.industry_code,
               e.tags, e.ownership_type, e.hq_status, e.synthetic, f.year, f.revenue, f.tax, f.employees, f.rd_spend,
               s.name AS source
        FROM enterprise_current e
        LEFT JOIN (
            SELECT * FROM fact_current QUALIFY row_number() OVER (PARTITION BY uscc ORDER BY year DESC) = 1
        ) f ON f.uscc = e.uscc
        LEFT JOIN source s ON s.source_id = e.source_id
        ORDER BY e.uscc
        """
    ).pl()
