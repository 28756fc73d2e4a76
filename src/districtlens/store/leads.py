"""Leads (table lead_version, migration 0012): targets a Commission works on, from first
contact to landed or dropped. Each change is a new version of the lead and one ledger entry; the
highest version is the lead's state. Also the district's carriers a lead may be meant for."""

from __future__ import annotations

from typing import Any

import polars as pl

from districtlens.store import ledger
from districtlens.store.db import Store

LEAD_COLUMNS = tuple(
    c for c in ledger.HASHED_TABLES["lead_version"] if c not in ("version", "valid_from", "ledger_seq")
)


def write_lead(store: Store, lead: dict[str, Any], *, action: str, actor: str) -> tuple[int, ledger.Entry]:
    """Store `lead` (LEAD_COLUMNS) as the lead's next version; returns (version, entry)."""
    with store.transaction() as con:
        seq = ledger.next_seq(con)
        (version,) = con.execute(
            "SELECT coalesce(max(version), 0) + 1 FROM lead_version WHERE lead_id = ?", [lead["lead_id"]]
        ).fetchone() or (1,)
        row = {c: lead.get(c) for c in LEAD_COLUMNS} | {
            "version": version,
            "valid_from": ledger.now_iso(),
            "ledger_seq": seq,
        }
        frame = pl.DataFrame([row], schema=_schema())
        ledger.insert_hashed(con, "lead_version", frame)
        payload = {"lead": lead["lead_id"], "version": version, "status": lead["status"], "track": lead["track_id"]}
        return version, ledger.append(con, seq, actor, action, payload)


def current_leads(store: Store) -> pl.DataFrame:
    """Every lead's latest version: LEAD_COLUMNS, version, valid_from, ledger_seq."""
    return store.con.execute(
        """SELECT l.* EXCLUDE (row_hash) FROM lead_version l
        JOIN (SELECT lead_id, max(version) AS version FROM lead_version GROUP BY lead_id) v USING (lead_id, version)
        ORDER BY l.lead_id"""
    ).pl()


def lead_history(store: Store, lead_id: str) -> pl.DataFrame:
    """Every version of one lead, oldest first (empty when there is no such lead)."""
    return store.con.execute(
        "SELECT * EXCLUDE (row_hash) FROM lead_version WHERE lead_id = ? ORDER BY version", [lead_id]
    ).pl()


def next_lead_number(store: Store) -> int:
    (count,) = store.con.execute("SELECT count(DISTINCT lead_id) FROM lead_version").fetchone() or (0,)
    return int(count) + 1


def carrier_places(store: Store, district: str, lang: str = "zh") -> pl.DataFrame:
    """The district's carriers: carrier_id, carrier_name (in `lang`, else English, else Chinese),
    zone_id."""
    own = {"zh": "name_zh", "en": "name_en", "fr": "name_fr"}[lang]
    return store.con.execute(
        f"SELECT carrier_id, coalesce({own}, name_en, name_zh, carrier_id) AS carrier_name, zone_id FROM carrier"
        " WHERE district_adcode = ? ORDER BY carrier_id",
        [district],
    ).pl()


def _schema() -> dict[str, Any]:
    types: dict[str, Any] = {c: pl.String for c in ledger.HASHED_TABLES["lead_version"]}
    types.update(version=pl.Int32, ledger_seq=pl.Int64, next_date=pl.Date, changed_on=pl.Date)
    return types
