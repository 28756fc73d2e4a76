"""Carriers, space, the pipeline and programmes in the store: the SQL that reads and writes capacity
schedules, tenancies, pipeline projects and programmes, and that reads the measures of KPIs.

Every write is one transaction with its ledger entry (tables of migration 0004_carriers.sql,
hashed by the ledger). Writes made on the store that `shared_transaction` hands out join the
caller's transaction: a tenant import writes the resolver's links and its leases together, both
ledger entries or neither. What to write, and whether it may be written, is decided by the
command layer (districtlens.commands.carriers) with the pure logic of districtlens.carriers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import duckdb
import polars as pl

from districtlens.store import ledger
from districtlens.store.db import Store, records, register_frame

# --- reading the organisation -----------------------------------------------------------------


def carriers(store: Store) -> pl.DataFrame:
    """Every carrier: id, names, kind, level, zone, synthetic."""
    return store.con.execute(
        "SELECT carrier_id AS id, name_zh, name_en, name_fr, kind, level, zone_id AS zone, synthetic FROM carrier"
        " ORDER BY carrier_id"
    ).pl()


def _ids(con: duckdb.DuckDBPyConnection, table: str, column: str) -> set[str]:
    return {r[0] for r in con.execute(f"SELECT {column} FROM {table}").fetchall()}


def carrier_ids(store: Store) -> set[str]:
    return _ids(store.con, "carrier", "carrier_id")


def known_ids(store: Store) -> dict[str, set[str]]:
    """The ids of the carriers, zones and tracks of the store (what definitions may refer to)."""
    return {
        "carrier": carrier_ids(store),
        "zone": _ids(store.con, "zone", "zone_id"),
        "track": _ids(store.con, "track", "track_id"),
    }


def zone_carriers(store: Store, zone: str) -> list[str]:
    """The carriers of a zone, by id."""
    rows = store.con.execute("SELECT carrier_id FROM carrier WHERE zone_id = ? ORDER BY 1", [zone]).fetchall()
    return [r[0] for r in rows]


def packs(store: Store) -> list[tuple[str, str]]:
    """The district packs loaded: (pack id, district adcode), by pack id."""
    rows = store.con.execute("SELECT pack_id, district_adcode FROM district_pack ORDER BY 1").fetchall()
    return [(r[0], r[1]) for r in rows]


# --- writing ------------------------------------------------------------------------------------


def _source(con: duckdb.DuckDBPyConnection, seq: int, source: dict[str, Any], kind: str) -> None:
    ledger.insert_source(
        con,
        seq,
        name=source["name"],
        kind=kind,
        file_name=source.get("file_name"),
        file_sha256=source.get("file_sha256"),
    )


class _InTransaction(Store):
    """The same store seen from inside an open transaction: a callee's `transaction()` joins it,
    so that the callee's write and the caller's commit or roll back together."""

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        yield self.con


@contextmanager
def shared_transaction(store: Store) -> Iterator[Store]:
    """One transaction for several writes: the writes made on the store it yields join it, and
    all commit when the block ends, or none (on any exception, or a cancelled caller)."""
    with store.transaction() as con:
        yield _InTransaction(store.path, con, store.cancelled)


def last_seq(store: Store) -> int:
    """The seq of the latest ledger entry (0 for an empty ledger)."""
    return ledger.last_seq(store.con)


# --- space --------------------------------------------------------------------------------------


def write_schedules(store: Store, schedules: pl.DataFrame, *, source: dict[str, Any], actor: str) -> int:
    """Replace the capacity schedule of each carrier in `schedules` (carrier_id, use,
    available_from, area_m2, synthetic, note) by a new version. Returns the ledger seq."""
    con = store.con
    with store.transaction():
        seq = ledger.next_seq(con)
        versions = con.execute("SELECT carrier_id, max(schedule_version) FROM capacity_block GROUP BY carrier_id").pl()
        versions.columns = ["carrier_id", "previous"]
        rows = schedules.join(versions, on="carrier_id", how="left").with_columns(
            (pl.col("previous").fill_null(0) + 1).alias("schedule_version"),
            pl.lit(seq).alias("source_id"),
            pl.lit(seq).alias("ledger_seq"),
        )
        _source(con, seq, source, "capacity")
        ledger.insert_hashed(con, "capacity_block", rows)
        ledger.append(
            con,
            seq,
            actor,
            "carriers.capacity",
            {"source": source, "carriers": sorted(set(schedules["carrier_id"])), "blocks": schedules.height},
        )
    return seq


def schedule_frame(store: Store) -> pl.DataFrame:
    """The capacity in force: carrier_id, zone_id, use, available_from, area_m2, synthetic."""
    return store.con.execute(
        "SELECT s.carrier_id, c.zone_id, s.use, s.available_from, s.area_m2, s.synthetic"
        " FROM capacity_current s JOIN carrier c USING (carrier_id) ORDER BY s.carrier_id, s.available_from"
    ).pl()


def lease_frame(store: Store) -> pl.DataFrame:
    """Current leases summed by carrier, zone, use and dates: what space figures need."""
    return store.con.execute(
        "SELECT t.carrier_id, c.zone_id, t.use, t.lease_start, t.lease_end, sum(t.area_m2) AS area_m2"
        " FROM tenancy_current t JOIN carrier c USING (carrier_id)"
        " GROUP BY ALL"
    ).pl()


# --- tenancies ----------------------------------------------------------------------------------


def stored_leases(store: Store) -> pl.DataFrame:
    """Current leases as tenant validation sees them: lease_key, carrier_id, tenant_key (the code
    given, else the name without spaces), area_m2, lease_start, lease_end."""
    return store.con.execute(
        "SELECT lease_key, carrier_id, coalesce(uscc_given, regexp_replace(tenant_name, '\\s+', '', 'g'))"
        " AS tenant_key, area_m2, lease_start, lease_end FROM tenancy_current"
    ).pl()


def current_versions(store: Store, lease_keys: pl.Series) -> pl.DataFrame:
    """The versions in force of the leases `lease_keys`: lease_key, previous (the version), and the
    stored s_name, s_uscc, s_use, s_area, s_end."""
    con = store.con
    register_frame(con, "incoming_leases", pl.DataFrame({"lease_key": lease_keys}))
    try:
        return con.execute(
            "SELECT t.lease_key, t.version AS previous, t.tenant_name AS s_name, t.uscc_given AS s_uscc,"
            " t.use AS s_use, t.area_m2 AS s_area, t.lease_end AS s_end"
            " FROM tenancy_current t JOIN incoming_leases USING (lease_key)"
        ).pl()
    finally:
        con.unregister("incoming_leases")


def registered(store: Store, codes: pl.Series) -> set[str]:
    """The credit codes among `codes` that the registry holds."""
    if codes.is_empty():
        return set()
    con = store.con
    register_frame(con, "incoming_codes", pl.DataFrame({"uscc": codes}))
    try:
        return {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT v.uscc FROM enterprise_version v JOIN incoming_codes USING (uscc)"
            ).fetchall()
        }
    finally:
        con.unregister("incoming_codes")


def write_tenancies(
    store: Store,
    versions: pl.DataFrame,
    *,
    source: dict[str, Any],
    actor: str,
    synthetic: bool,
    details: dict[str, Any],
) -> int:
    """Write new versions of leases (tenancy_version's columns up to `source_row`) with their
    source and a ledger entry whose payload is the source, `synthetic` and `details`. Returns
    the ledger seq."""
    con = store.con
    with store.transaction():
        seq = ledger.next_seq(con)
        rows = versions.with_columns(
            pl.lit(synthetic).alias("synthetic"),
            pl.lit(seq).alias("source_id"),
            pl.lit(ledger.now_iso()).alias("valid_from"),
            pl.lit(seq).alias("ledger_seq"),
        )
        _source(con, seq, source, "tenants")
        ledger.insert_hashed(con, "tenancy_version", rows)
        ledger.append(con, seq, actor, "carriers.tenants", {"source": source, "synthetic": synthetic, **details})
    return seq


def tenant_statuses(store: Store, ledger_seq: int) -> dict[str, int]:
    """How the tenants of one import stand now: registered, linked, review, unknown."""
    return dict(
        store.con.execute(
            "SELECT tenant_status, count(*) FROM tenancy_tenant WHERE ledger_seq = ? GROUP BY 1 ORDER BY 1",
            [ledger_seq],
        ).fetchall()
    )


def open_enterprises(store: Store, district: str) -> pl.DataFrame:
    """The enterprises of a district that are not deregistered: uscc, founded (by uscc)."""
    return store.con.execute(
        "SELECT uscc, founded FROM enterprise_current WHERE district_adcode = ? AND status <> '注销' ORDER BY uscc",
        [district],
    ).pl()


# --- pipeline -----------------------------------------------------------------------------------

PROJECT_COLUMNS = ("project_id", "carrier_id", "name", "track_id", "ladder", "intake_date", "uscc", "graduated_on")


def track_ids(store: Store) -> set[str]:
    return _ids(store.con, "track", "track_id")


def incubating_carriers(store: Store) -> list[tuple[str, str]]:
    """The carriers that take pipeline projects (innovation campuses, incubators): (id, kind)."""
    return [
        (r[0], r[1])
        for r in store.con.execute(
            "SELECT carrier_id, kind FROM carrier WHERE kind IN ('innovation-campus', 'incubator') ORDER BY carrier_id"
        ).fetchall()
    ]


def current_pipeline(store: Store) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The projects (PROJECT_COLUMNS and version) and stage events (project_id, stage, entered_on,
    version) in force."""
    projects = store.con.execute(f"SELECT {', '.join(PROJECT_COLUMNS)}, version FROM pipeline_project_current").pl()
    events = store.con.execute("SELECT project_id, stage, entered_on, version FROM pipeline_stage_current").pl()
    return projects, events


def write_pipeline(
    store: Store, projects: pl.DataFrame, events: pl.DataFrame, *, source: dict[str, Any], actor: str, synthetic: bool
) -> int:
    """Write new versions of projects (PROJECT_COLUMNS, version) and stage events (project_id,
    stage, entered_on, version). Returns the ledger seq."""
    con = store.con
    with store.transaction():
        seq = ledger.next_seq(con)
        now = ledger.now_iso()
        stamp = [pl.lit(synthetic).alias("synthetic"), pl.lit(seq).alias("source_id"), pl.lit(seq).alias("ledger_seq")]
        _source(con, seq, source, "pipeline")
        ledger.insert_hashed(con, "pipeline_project", projects.with_columns(*stamp, pl.lit(now).alias("valid_from")))
        ledger.insert_hashed(con, "pipeline_stage_event", events.with_columns(*stamp))
        ledger.append(
            con,
            seq,
            actor,
            "carriers.pipeline",
            {"source": source, "synthetic": synthetic, "projects": projects.height, "events": events.height},
        )
    return seq


def pipeline_frames(store: Store, carrier: str | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The projects in force (project_id, carrier_id, ladder, intake_date, uscc), of one carrier or
    all, and their stage events (project_id, stage, entered_on)."""
    where, params = ("WHERE carrier_id = ?", [carrier]) if carrier else ("", [])
    projects = store.con.execute(
        f"SELECT project_id, carrier_id, ladder, intake_date, uscc FROM pipeline_project_current {where}", params
    ).pl()
    events = store.con.execute(
        "SELECT project_id, stage, entered_on FROM pipeline_stage_current"
        f" WHERE project_id IN (SELECT project_id FROM pipeline_project_current {where})",
        params,
    ).pl()
    return projects, events


# --- programmes ---------------------------------------------------------------------------------

_PROGRAMME_JSON = ("thresholds",)
_KPI_JSON = ("measure", "baseline", "targets", "thresholds")


def programme_digests(store: Store) -> dict[str, tuple[int, str]]:
    """Each programme in force: id -> (version, definition_sha256)."""
    return {
        pid: (version, digest)
        for pid, version, digest in store.con.execute(
            "SELECT programme_id, version, definition_sha256 FROM programme_current"
        ).fetchall()
    }


def write_programmes(
    store: Store,
    programmes: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    kpis: list[dict[str, Any]],
    *,
    source: dict[str, Any],
    actor: str,
) -> int:
    """Write new versions of programmes with their actions and KPIs: rows of programme_version,
    programme_action and programme_kpi, their JSON columns as values. Returns the ledger seq."""
    con = store.con
    with store.transaction():
        seq = ledger.next_seq(con)
        now = ledger.now_iso()
        _source(con, seq, source, "programmes")
        plans = [
            {**_as_json(p, _PROGRAMME_JSON), "source_id": seq, "valid_from": now, "ledger_seq": seq} for p in programmes
        ]
        ledger.insert_hashed(con, "programme_version", pl.DataFrame(plans, infer_schema_length=None))
        ledger.insert_hashed(
            con, "programme_action", pl.DataFrame([{**a, "ledger_seq": seq} for a in actions], infer_schema_length=None)
        )
        ledger.insert_hashed(
            con,
            "programme_kpi",
            pl.DataFrame([{**_as_json(k, _KPI_JSON), "ledger_seq": seq} for k in kpis], infer_schema_length=None),
        )
        ledger.append(
            con,
            seq,
            actor,
            "programmes.load",
            {
                "source": source,
                "programmes": [p["programme_id"] for p in programmes],
                "actions": len(actions),
                "kpis": len(kpis),
            },
        )
    return seq


def programme_rows(store: Store) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The programmes in force as rows of programme_version, programme_action and programme_kpi
    (JSON columns read back), each list by programme and position."""
    con = store.con
    plans = records(
        con.execute(
            "SELECT programme_id, version, district_adcode, name_zh, name_en, name_fr, thresholds, note"
            " FROM programme_current ORDER BY programme_id"
        )
    )
    actions = records(
        con.execute(
            "SELECT a.programme_id, a.action_id, a.name_zh, a.name_en, a.name_fr, a.named_by, a.note"
            " FROM programme_action a JOIN programme_current p USING (programme_id, version)"
            " ORDER BY a.programme_id, a.position"
        )
    )
    kpis = records(
        con.execute(
            "SELECT k.programme_id, k.action_id, k.kpi_id, k.name_zh, k.name_en, k.name_fr, k.unit, k.measure,"
            " k.direction, k.baseline, k.targets, k.thresholds, k.note"
            " FROM programme_kpi k JOIN programme_current p USING (programme_id, version)"
            " ORDER BY k.programme_id, k.action_id, k.position"
        )
    )
    return (
        [_from_json(p, _PROGRAMME_JSON) for p in plans],
        actions,
        [_from_json(k, _KPI_JSON) for k in kpis],
    )


def _as_json(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    """`row` with its JSON `columns` as canonical text (dates as ISO text; None stays NULL)."""
    return {
        **row,
        **{
            c: None
            if row[c] is None
            else json.dumps(row[c], sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
            for c in columns
        },
    }


def _from_json(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    return {**row, **{c: None if row[c] is None else json.loads(row[c]) for c in columns}}


# --- the measures of KPIs -----------------------------------------------------------------------


def track_classes(store: Store) -> dict[str, list[str]]:
    """Each track's industry classes and divisions (GB/T 4754 codes)."""
    return {t: json.loads(c) for t, c in store.con.execute("SELECT track_id, classes FROM track").fetchall()}


def district_panel(store: Store, district: str) -> str:
    """(Re)build a temporary table of the district's enterprise-years and return its name: the
    latest version of each enterprise and of each of its years, as enterprise_current and
    fact_current define them, but taken only over the enterprises that were ever in the district
    (far fewer rows than the whole registry). Build it once per evaluation: it is a snapshot."""
    name = f"kpi_panel_{district}"
    store.con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS"
        " WITH e AS (SELECT * FROM ("
        "   SELECT v.uscc, v.industry_code, v.zone_id, v.district_adcode FROM enterprise_version v"
        "   SEMI JOIN (SELECT uscc FROM enterprise_version WHERE district_adcode = $1) m ON v.uscc = m.uscc"
        "   QUALIFY row_number() OVER (PARTITION BY v.uscc ORDER BY v.version DESC) = 1"
        " ) WHERE district_adcode = $1),"
        # arg_max_null: the value of the latest version, even when it is NULL (as fact_current).
        " f AS (SELECT f.uscc, f.year, arg_max_null(f.revenue, f.version) AS revenue,"
        "   arg_max_null(f.tax, f.version) AS tax, arg_max_null(f.employees, f.version) AS employees,"
        "   arg_max_null(f.rd_spend, f.version) AS rd_spend"
        "   FROM fact_version f SEMI JOIN e ON f.uscc = e.uscc GROUP BY f.uscc, f.year)"
        " SELECT f.uscc, f.year, e.industry_code, e.zone_id, f.revenue, f.tax, f.employees, f.rd_spend"
        " FROM f JOIN e USING (uscc)",
        [district],
    )
    return name


def yearly_values(
    store: Store,
    panel: str,
    kind: str,
    *,
    zone: str | None = None,
    classes: list[str] | None = None,
    carrier: str | None = None,
) -> dict[int, float | None]:
    """Per year of the `panel` (`district_panel`): the number of enterprises (`kind`
    "enterprises") or the sum of a fact (revenue, tax, employees, rd_spend), over the enterprises
    of a zone, of the industry `classes`, or tenants of a carrier on 31 December."""
    conditions, params = ["TRUE"], []
    if zone is not None:
        conditions.append("p.zone_id = ?")
        params.append(zone)
    if classes is not None:
        conditions.append(_classes_condition(classes, "p.industry_code"))
    if carrier is not None:
        conditions.append(
            "p.uscc IN (SELECT uscc FROM tenancy_tenant t WHERE t.carrier_id = ?"
            " AND t.lease_start <= make_date(p.year, 12, 31)"
            " AND (t.lease_end IS NULL OR t.lease_end >= make_date(p.year, 12, 31)))"
        )
        params.append(carrier)
    if kind not in ("enterprises", "revenue", "tax", "employees", "rd_spend"):
        raise ValueError(f"no yearly measure {kind!r}")
    value = "count(DISTINCT p.uscc)" if kind == "enterprises" else f"sum(p.{kind})"
    rows = store.con.execute(
        f"SELECT p.year, {value} FROM {panel} p WHERE {' AND '.join(conditions)} GROUP BY p.year", params
    ).fetchall()
    return {year: (float(v) if v is not None else None) for year, v in rows}


def _classes_condition(classes: list[str], column: str) -> str:
    """SQL: the industry class is one of the classes or divisions (codes are digits only)."""
    fours = [c for c in classes if len(c) == 4 and c.isdigit()]
    twos = [c for c in classes if len(c) == 2 and c.isdigit()]
    parts = []
    if fours:
        parts.append(f"{column} IN ({', '.join(repr(c) for c in fours)})")
    if twos:
        parts.append(f"substr({column}, 1, 2) IN ({', '.join(repr(c) for c in twos)})")
    return "(" + (" OR ".join(parts) or "FALSE") + ")"


def _counts_on(store: Store, days: list[date], sql: str, params: list[Any]) -> dict[date, int]:
    """Run `sql` (day, count) with the `days` readable as table kpi_days(day)."""
    con = store.con
    register_frame(con, "kpi_days", pl.DataFrame({"day": days}, schema={"day": pl.Date}))
    try:
        return dict(con.execute(sql, params).fetchall())
    finally:
        con.unregister("kpi_days")


def tenant_counts(
    store: Store, days: list[date], *, carrier: str | None = None, zone: str | None = None
) -> dict[date, int]:
    """The number of tenants with a current lease in a carrier (or in a zone's carriers) on each
    day that has any."""
    column, key = ("carrier_id", carrier) if carrier is not None else ("zone_id", zone)
    return _counts_on(
        store,
        days,
        "SELECT d.day, count(DISTINCT coalesce(t.uscc_given, t.tenant_name)) FROM kpi_days d"
        " JOIN tenancy_current t ON t.lease_start <= d.day AND (t.lease_end IS NULL OR t.lease_end >= d.day)"
        f" JOIN carrier c USING (carrier_id) WHERE c.{column} = ? GROUP BY d.day",
        [key],
    )


def _project_filters(carrier: str | None, track: str | None) -> tuple[str, list[Any]]:
    filters, params = "", []
    for value, column in ((carrier, "carrier_id"), (track, "track_id")):
        if value is not None:
            filters += f" AND p.{column} = ?"
            params.append(value)
    return filters, params


def projects_reaching(
    store: Store, days: list[date], stages: list[str], *, carrier: str | None = None, track: str | None = None
) -> dict[date, int]:
    """The number of projects (of a carrier, of a track) that entered one of `stages` by each day."""
    filters, params = _project_filters(carrier, track)
    return _counts_on(
        store,
        days,
        "SELECT d.day, count(DISTINCT e.project_id) FROM kpi_days d"
        " JOIN pipeline_stage_current e ON e.entered_on <= d.day"
        " JOIN pipeline_project_current p USING (project_id)"
        f" WHERE e.stage IN ({', '.join('?' * len(stages))}) {filters} GROUP BY d.day",
        [*stages, *params],
    )


def graduations(
    store: Store, days: list[date], *, carrier: str | None = None, track: str | None = None
) -> dict[date, int]:
    """The number of projects (of a carrier, of a track) graduated into the registry by each day."""
    filters, params = _project_filters(carrier, track)
    return _counts_on(
        store,
        days,
        "SELECT d.day, count(DISTINCT p.project_id) FROM kpi_days d"
        " JOIN pipeline_project_current p ON p.graduated_on <= d.day"
        f" WHERE p.uscc IN (SELECT uscc FROM enterprise_version) {filters} GROUP BY d.day",
        params,
    )
