"""The SQL behind the dashboard's pages and JSON API. Read-only; every function takes a Store whose
connection the caller holds for one request (one snapshot), and returns plain rows or frames.

Money is in 万元 (10,000 CNY) as stored. "Enterprises" in a year's figures counts the operating
enterprises (deregistered and revoked ones left out) that reported facts for that year;
"registered" counts the registry's current records.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import polars as pl

from districtlens.store import ledger
from districtlens.store.chains import CLOSED_STATUS_PATTERN
from districtlens.store.db import Store, records, scalar

MEASURES = ("enterprises", "revenue", "tax", "employees", "rd_spend")


def district_packs(store: Store) -> list[dict[str, Any]]:
    rows = store.con.execute(
        "SELECT pack_id, district_adcode, name_zh, name_en, name_fr, peers FROM district_pack ORDER BY pack_id"
    ).fetchall()
    return [
        {"pack_id": p, "adcode": a, "names": {"zh": zh, "en": en, "fr": fr}, "peers": json.loads(peers or "{}")}
        for p, a, zh, en, fr, peers in rows
    ]


def has_synthetic(store: Store) -> bool:
    """True when any enterprise record or carrier in force is synthetic (demo data)."""
    return bool(
        scalar(
            store.con,
            "SELECT (SELECT coalesce(bool_or(synthetic), false) FROM enterprise_version)"
            " OR (SELECT coalesce(bool_or(synthetic), false) FROM carrier)",
        )
    )


def class_figures(store: Store, city_prefix: str, year: int) -> pl.DataFrame:
    """Per district and GB/T class, for `year`: adcode, industry_code, enterprises, revenue,
    employees, and revenue_prior (the class's revenue in the district the year before)."""
    return store.con.execute(
        """
        SELECT e.district_adcode AS adcode, e.industry_code,
               count(*) FILTER (WHERE f.year = $year) AS enterprises,
               sum(f.revenue) FILTER (WHERE f.year = $year) AS revenue,
               sum(f.employees) FILTER (WHERE f.year = $year) AS employees,
               sum(f.revenue) FILTER (WHERE f.year = $year - 1) AS revenue_prior
        FROM fact_current f
        JOIN (SELECT uscc, district_adcode, industry_code FROM enterprise_current
              WHERE starts_with(district_adcode, $city) AND industry_code IS NOT NULL
                AND NOT regexp_matches(coalesce(status, ''), $closed)) e USING (uscc)
        WHERE f.year IN ($year, $year - 1)
        GROUP BY ALL
        """,
        {"year": year, "city": city_prefix, "closed": CLOSED_STATUS_PATTERN},
    ).pl()


def tracks(store: Store, pack_id: str) -> list[dict[str, Any]]:
    rows = store.con.execute(
        "SELECT track_id, name_zh, name_en, name_fr, classes FROM track WHERE pack_id = ? ORDER BY track_id",
        [pack_id],
    ).fetchall()
    return [
        {"track_id": t, "names": {"zh": zh, "en": en, "fr": fr}, "classes": json.loads(classes or "[]")}
        for t, zh, en, fr, classes in rows
    ]


def zones(store: Store, pack_id: str) -> list[dict[str, Any]]:
    rows = store.con.execute(
        "SELECT zone_id, name_zh, name_en, name_fr, role, orientation, polygon, lon, lat FROM zone WHERE pack_id = ?"
        " ORDER BY zone_id",
        [pack_id],
    ).fetchall()
    return [
        {
            "zone_id": z,
            "names": {"zh": zh, "en": en, "fr": fr},
            "role": role,
            "orientation": json.loads(orientation or "[]"),
            "polygon": json.loads(polygon) if polygon else None,
            "lon": lon,
            "lat": lat,
        }
        for z, zh, en, fr, role, orientation, polygon, lon, lat in rows
    ]


def zone_enterprises(store: Store, district_adcode: str) -> dict[str, int]:
    rows = store.con.execute(
        "SELECT zone_id, count(*) FROM enterprise_current WHERE district_adcode = ? AND zone_id IS NOT NULL GROUP BY 1",
        [district_adcode],
    ).fetchall()
    return dict(rows)


def carriers(store: Store, today: date) -> list[dict[str, Any]]:
    """Every carrier with its capacity in force on `today` (capacity schedule, else the pack's floor
    space), the floor space let under current leases, and the number of current tenants."""
    return records(
        store.con.execute(
            """
        WITH cap AS (
            SELECT carrier_id, sum(area_m2) AS capacity_m2 FROM capacity_current
            WHERE available_from <= $today GROUP BY 1
        ), lease AS (
            SELECT carrier_id, sum(area_m2) AS occupied_m2, count(DISTINCT coalesce(uscc, tenant_name)) AS tenants
            FROM tenancy_tenant
            WHERE lease_start <= $today AND (lease_end IS NULL OR lease_end >= $today) GROUP BY 1
        )
        SELECT c.carrier_id, c.name_zh, c.name_en, c.name_fr, c.kind, c.level, c.zone_id, c.district_adcode,
               c.floor_space_m2, c.area_km2, c.lon, c.lat, c.synthetic, c.note,
               cap.capacity_m2, lease.occupied_m2, coalesce(lease.tenants, 0) AS tenants
        FROM carrier c LEFT JOIN cap USING (carrier_id) LEFT JOIN lease USING (carrier_id)
        ORDER BY c.carrier_id
        """,
            {"today": today},
        )
    )


def carrier_ids(store: Store) -> frozenset[str]:
    return frozenset(row[0] for row in store.con.execute("SELECT carrier_id FROM carrier").fetchall())


def tenants(store: Store, carrier_id: str, today: date) -> list[dict[str, Any]]:
    """The current tenants of one carrier: lease, who the tenant is (registered, linked, review,
    unknown) and, for tenants known to the registry, their latest year of facts."""
    rows = store.con.execute(
        """
        WITH t AS (
            SELECT * FROM tenancy_tenant
            WHERE carrier_id = $carrier AND lease_start <= $today AND (lease_end IS NULL OR lease_end >= $today)
        ), f AS (
            SELECT uscc, year, revenue, employees, synthetic FROM fact_current
            WHERE uscc IN (SELECT uscc FROM t WHERE uscc IS NOT NULL)
            QUALIFY row_number() OVER (PARTITION BY uscc ORDER BY year DESC) = 1
        )
        SELECT t.lease_key, t.tenant_name, t.uscc, t.tenant_status, e.name, e.name_en, e.industry_code,
               t.use, t.area_m2, t.lease_start, t.lease_end, f.year, f.revenue, f.employees,
               t.synthetic OR coalesce(e.synthetic, false) AS synthetic
        FROM t
        LEFT JOIN (SELECT uscc, name, name_en, industry_code, synthetic FROM enterprise_current
                   WHERE uscc IN (SELECT uscc FROM t WHERE uscc IS NOT NULL)) e USING (uscc)
        LEFT JOIN f USING (uscc)
        ORDER BY coalesce(e.name, t.tenant_name), t.lease_start
        """,
        {"carrier": carrier_id, "today": today},
    ).fetchall()
    keys = (
        "lease_key",
        "tenant_name",
        "uscc",
        "tenant_status",
        "name",
        "name_en",
        "industry_code",
        "use",
        "area_m2",
        "lease_start",
        "lease_end",
        "year",
        "revenue",
        "employees",
        "synthetic",
    )
    return [dict(zip(keys, row, strict=True)) for row in rows]


def tenant_usccs(store: Store, carrier_ids: list[str], today: date) -> list[str]:
    """The registry codes of the current tenants of `carrier_ids`: what an operator may look at."""
    if not carrier_ids:
        return []
    rows = store.con.execute(
        "SELECT DISTINCT uscc FROM tenancy_tenant WHERE list_contains($carriers, carrier_id) AND uscc IS NOT NULL"
        " AND lease_start <= $today AND (lease_end IS NULL OR lease_end >= $today) ORDER BY 1",
        {"carriers": list(carrier_ids), "today": today},
    ).fetchall()
    return [r[0] for r in rows]


def claims(store: Store) -> list[dict[str, Any]]:
    rows = store.con.execute(
        "SELECT claim_id, pack_id, quote, quote_lang, translations, source, source_date, subject, asserted,"
        " comparison, query FROM claim ORDER BY claim_id"
    ).fetchall()
    out = []
    for cid, pack, quote, lang, translations, source, source_date, subject, asserted, comparison, query in rows:
        out.append(
            {
                "claim_id": cid,
                "pack_id": pack,
                "quote": quote,
                "quote_lang": lang,
                "translations": json.loads(translations or "{}"),
                "source": source,
                "source_date": source_date,
                "subject": subject,
                "asserted": json.loads(asserted) if asserted else None,
                "comparison": comparison,
                "query": json.loads(query) if query else None,
            }
        )
    return out


def imports(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    """The latest sources written, newest first, with what their ledger entry recorded."""
    rows = store.con.execute(
        "SELECT s.source_id, s.name, s.kind, s.file_name, s.imported_at, l.actor, l.action, l.payload"
        " FROM source s LEFT JOIN ledger l ON l.seq = s.source_id ORDER BY s.source_id DESC LIMIT ?",
        [limit],
    ).fetchall()
    out = []
    for sid, name, kind, file_name, imported_at, actor, action, payload in rows:
        recorded = json.loads(payload) if payload else {}
        out.append(
            {
                "source_id": sid,
                "name": name,
                "kind": kind,
                "file_name": file_name,
                "imported_at": imported_at,
                "actor": actor,
                "action": action,
                "counts": {k: recorded[k] for k in ("inserted", "updated", "unchanged", "rejected") if k in recorded},
                "rows": {table: v["rows"] for table, v in recorded.get("rows", {}).items()},
            }
        )
    return out


def ledger_status(store: Store, limit: int = 20) -> dict[str, Any]:
    entries = ledger.entries(store.con, limit)
    count = scalar(store.con, "SELECT count(*) FROM ledger")
    return {
        "entries": count,
        "head": ledger.head(store.con),
        "latest": [{"seq": e.seq, "ts": e.ts, "actor": e.actor, "action": e.action, "hash": e.hash} for e in entries],
    }
