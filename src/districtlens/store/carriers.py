"""Carriers, space and programmes in the store: capacity schedules, tenancies, pipeline projects,
programmes; the SQL that reads space figures and evaluates KPIs.

Every write is one transaction with its ledger entry (tables of migration 0004_carriers.sql,
hashed by the ledger). A tenant import that needs the resolver runs the resolver's write and its
own in the same transaction: both ledger entries are written, or neither.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import duckdb
import polars as pl
from pydantic import Field

from districtlens.carriers import pipeline as pipe
from districtlens.carriers import programmes as prog
from districtlens.carriers import space as sp
from districtlens.carriers.tenancy import STORED_SCHEMA, ValidatedTenancies, validate_tenancies
from districtlens.ingest.read import ROW
from districtlens.ingest.report import ImportReport
from districtlens.store import ledger
from districtlens.store.db import Store, StoreError, register_frame

MAX_ERRORS_LISTED = 1000
TREND_POINTS = 5


class CarrierError(StoreError):
    """A request about carriers that the store cannot answer or accept, with a clear message."""


# --- reading the organisation -----------------------------------------------------------------


def carriers(store: Store) -> pl.DataFrame:
    """Every carrier: id, names, kind, level, zone, synthetic."""
    return store.con.execute(
        "SELECT carrier_id AS id, name_zh, name_en, kind, level, zone_id AS zone, synthetic FROM carrier"
        " ORDER BY carrier_id"
    ).pl()


def _ids(con: duckdb.DuckDBPyConnection, table: str, column: str) -> set[str]:
    return {r[0] for r in con.execute(f"SELECT {column} FROM {table}").fetchall()}


def known_ids(store: Store) -> dict[str, set[str]]:
    return {
        "carrier": _ids(store.con, "carrier", "carrier_id"),
        "zone": _ids(store.con, "zone", "zone_id"),
        "track": _ids(store.con, "track", "track_id"),
    }


# --- writing ------------------------------------------------------------------------------------


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Insert `frame` (the table's hashed columns) with each row's hash computed in SQL over the
    values cast to the column types, so the hash covers exactly what the table stores."""
    if frame.is_empty():
        return
    columns = list(ledger.HASHED_TABLES[table])
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?", [table]
        ).fetchall()
    )
    typed = ", ".join(f"CAST(i.{c} AS {types[c]}) AS {c}" for c in columns)
    register_frame(con, "incoming_carriers", frame.select(columns))
    try:
        con.execute(
            f"INSERT INTO {table} ({', '.join(columns)}, row_hash)"
            f" SELECT *, {ledger.row_hash_sql(table)} FROM (SELECT {typed} FROM incoming_carriers i)"
        )
    finally:
        con.unregister("incoming_carriers")


def _source(con: duckdb.DuckDBPyConnection, seq: int, source: dict[str, Any], kind: str) -> None:
    con.execute(
        "INSERT INTO source VALUES (?, ?, ?, ?, ?, ?)",
        [seq, source["name"], kind, source.get("file_name"), source.get("file_sha256"), ledger.now_iso()],
    )


class _InTransaction(Store):
    """The same store seen from inside an open transaction: a callee's `transaction()` joins it,
    so that the callee's write and the caller's commit or roll back together."""

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        yield self.con


def write_schedules(store: Store, schedules: pl.DataFrame, *, source: dict[str, Any], actor: str) -> int:
    """Replace the capacity schedule of each carrier in `schedules` (space.SCHEDULE_SCHEMA) by a new
    version. Returns the ledger seq."""
    con = store.con
    unknown = set(schedules["carrier_id"].unique()) - _ids(con, "carrier", "carrier_id")
    if unknown:
        raise CarrierError(f"unknown carrier(s): {', '.join(sorted(unknown))}")
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
        _insert(con, "capacity_block", rows)
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


def stored_leases(store: Store) -> pl.DataFrame:
    """Current leases as validation sees them (tenancy.STORED_SCHEMA)."""
    return (
        store.con.execute(
            "SELECT lease_key, carrier_id, coalesce(uscc_given, regexp_replace(tenant_name, '\\s+', '', 'g'))"
            " AS tenant_key, area_m2, lease_start, lease_end FROM tenancy_current"
        )
        .pl()
        .cast(STORED_SCHEMA)
    )


class TenantReport(ImportReport):
    carrier: str | None = None
    tenants: dict[str, int] = Field(default_factory=dict)  # registered / linked / review / unknown


Linker = Callable[..., pl.DataFrame]


def import_tenants(
    store: Store,
    frame: pl.DataFrame,
    *,
    carrier: str | None,
    source: dict[str, Any],
    actor: str,
    synthetic: bool = False,
    skip_invalid: bool = False,
    linker: Linker | None = None,
) -> TenantReport:
    """Validate a tenant list (text columns with ROW) and write its new or changed leases.

    Any invalid row and nothing is written, unless `skip_invalid`. Tenants whose valid credit
    code is in the registry are `registered`; the others with a name go through the resolver
    (`linker`, default commands.linking.link_to_registry), whose decision says linked, review or
    unknown; a tenant with neither is kept as unknown."""
    if carrier is not None and carrier not in _ids(store.con, "carrier", "carrier_id"):
        raise CarrierError(f"unknown carrier {carrier!r} (see `districtlens carriers list`)")
    checked: ValidatedTenancies = validate_tenancies(
        frame,
        carrier=carrier,
        carriers=_ids(store.con, "carrier", "carrier_id"),
        schedule=schedule_frame(store),
        stored=stored_leases(store),
    )
    report = TenantReport(
        source=source["name"],
        carrier=carrier,
        rows_read=checked.rows_read,
        duplicates=checked.duplicates,
        rejected=checked.rejected_rows,
        errors_total=checked.errors.height,
        errors=checked.errors.head(MAX_ERRORS_LISTED).to_dicts(),
        error_rows=checked.errors,
    )
    if checked.errors.height and not skip_invalid:
        return report
    changes = _lease_changes(store.con, checked.rows)
    report.inserted = changes.filter(pl.col("previous").is_null()).height
    report.updated = changes.filter(pl.col("previous").is_not_null() & pl.col("changed")).height
    report.unchanged = changes.filter(~pl.col("changed")).height
    written = changes.filter(pl.col("changed"))
    if written.is_empty():
        return report
    registered = _registered(store.con, written["uscc"].drop_nulls())
    unregistered = pl.col("uscc").is_null() | ~pl.col("uscc").is_in(sorted(registered))
    to_resolve = written.filter(unregistered & pl.col("name").is_not_null())
    if linker is None:
        from districtlens.commands.linking import link_to_registry as linker
    con = store.con
    with store.transaction():
        resolve_source = None
        if to_resolve.height:
            records = to_resolve.select(pl.col(ROW).cast(pl.Utf8).alias("record_id"), "name", "uscc")
            linker(
                _InTransaction(store.path, con),
                records,
                f"{source['name']} (tenants of {carrier or 'several carriers'})",
                actor,
                kind="tenants",
                file_name=source.get("file_name"),
                file_sha256=source.get("file_sha256"),
            )
            resolve_source = ledger.next_seq(con) - 1
        seq = ledger.next_seq(con)
        now = ledger.now_iso()
        resolved = set(to_resolve[ROW].to_list())
        rows = written.select(
            "lease_key",
            (pl.col("previous").fill_null(0) + 1).alias("version"),
            "carrier_id",
            pl.col("name").alias("tenant_name"),
            pl.col("uscc").alias("uscc_given"),
            pl.when(pl.col(ROW).is_in(sorted(resolved))).then(pl.lit(resolve_source)).alias("resolve_source_id"),
            pl.when(pl.col(ROW).is_in(sorted(resolved))).then(pl.col(ROW).cast(pl.Utf8)).alias("resolve_record_id"),
            "use",
            "area_m2",
            "lease_start",
            "lease_end",
            pl.lit(synthetic).alias("synthetic"),
            pl.lit(seq).alias("source_id"),
            pl.col(ROW).alias("source_row"),
            pl.lit(now).alias("valid_from"),
            pl.lit(seq).alias("ledger_seq"),
        )
        _source(con, seq, source, "tenants")
        _insert(con, "tenancy_version", rows)
        ledger.append(
            con,
            seq,
            actor,
            "carriers.tenants",
            {
                "source": source,
                "carrier": carrier,
                "synthetic": synthetic,
                "inserted": report.inserted,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "resolve_source_id": resolve_source,
            },
        )
    report.written = True
    report.ledger_seq = seq
    report.tenants = tenant_statuses(store, seq)
    return report


def _lease_changes(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> pl.DataFrame:
    """`rows` with `previous` (the stored version, or null) and `changed` (new or different)."""
    register_frame(con, "incoming_leases", rows.select("lease_key"))
    try:
        current = con.execute(
            "SELECT t.lease_key, t.version AS previous, t.tenant_name AS s_name, t.uscc_given AS s_uscc,"
            " t.use AS s_use, t.area_m2 AS s_area, t.lease_end AS s_end"
            " FROM tenancy_current t JOIN incoming_leases USING (lease_key)"
        ).pl()
    finally:
        con.unregister("incoming_leases")
    current = current.cast({"previous": pl.Int64, "s_end": pl.Date, "s_name": pl.Utf8, "s_uscc": pl.Utf8})
    joined = rows.join(current, on="lease_key", how="left")
    same = (
        pl.col("name").eq_missing(pl.col("s_name"))
        & pl.col("uscc").eq_missing(pl.col("s_uscc"))
        & pl.col("use").eq_missing(pl.col("s_use"))
        & pl.col("area_m2").eq_missing(pl.col("s_area"))
        & pl.col("lease_end").eq_missing(pl.col("s_end"))
    )
    return joined.with_columns((pl.col("previous").is_null() | ~same).alias("changed"))


def _registered(con: duckdb.DuckDBPyConnection, codes: pl.Series) -> set[str]:
    if codes.is_empty():
        return set()
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


def tenant_statuses(store: Store, ledger_seq: int) -> dict[str, int]:
    """How the tenants of one import stand now: registered, linked, review, unknown."""
    return dict(
        store.con.execute(
            "SELECT tenant_status, count(*) FROM tenancy_tenant WHERE ledger_seq = ? GROUP BY 1 ORDER BY 1",
            [ledger_seq],
        ).fetchall()
    )


def tenants(store: Store, carrier: str, at: date) -> pl.DataFrame:
    """The leases of a carrier current on `at`, with who each tenant is."""
    return store.con.execute(
        "SELECT t.tenant_name, t.uscc_given, t.uscc, e.name AS enterprise_name, t.tenant_status,"
        " t.link_probability, t.use, t.area_m2, t.lease_start, t.lease_end, t.synthetic"
        " FROM tenancy_tenant t LEFT JOIN enterprise_current e ON e.uscc = t.uscc"
        " WHERE t.carrier_id = ? AND t.lease_start <= ? AND (t.lease_end IS NULL OR t.lease_end >= ?)"
        " ORDER BY t.area_m2 DESC, t.lease_key",
        [carrier, at, at],
    ).pl()


# --- space --------------------------------------------------------------------------------------


def space(
    store: Store, *, at: date, carrier: str | None = None, zone: str | None = None, use: str | None = None
) -> dict[str, Any]:
    """Space of one carrier or one zone (its carriers summed) on `at`: the `space --json` object."""
    if (carrier is None) == (zone is None):
        raise CarrierError("give a carrier or a zone")
    if use is not None and use not in sp.USES:
        raise CarrierError(f"use {use!r} is not one of {', '.join(sp.USES)}")
    ids = known_ids(store)
    if carrier is not None and carrier not in ids["carrier"]:
        raise CarrierError(f"unknown carrier {carrier!r} (see `districtlens carriers list`)")
    if zone is not None and zone not in ids["zone"]:
        raise CarrierError(f"unknown zone {zone!r}; zones: {', '.join(sorted(ids['zone']))}")
    by, key = ("carrier_id", carrier) if carrier else ("zone_id", zone)
    schedule = schedule_frame(store).filter(pl.col(by) == key)
    leases = lease_frame(store).filter(pl.col(by) == key)
    figures = sp.space_figures(schedule, leases, [key], at, by=by, use=use)[key]
    members = (
        [carrier]
        if carrier is not None
        else [
            r[0]
            for r in store.con.execute("SELECT carrier_id FROM carrier WHERE zone_id = ? ORDER BY 1", [zone]).fetchall()
        ]
    )
    synthetic = bool(schedule["synthetic"].any()) if schedule.height else False
    return {
        "carrier": carrier,
        "zone": zone,
        "carriers": members,
        "use": use,
        **figures,
        "schedule_has_assumptions": synthetic,
    }


def all_space(store: Store, at: date) -> dict[str, dict]:
    """The space of every carrier on `at` (one pass: what dashboards and benchmarks read)."""
    groups = sorted(_ids(store.con, "carrier", "carrier_id"))
    return sp.space_figures(schedule_frame(store), lease_frame(store), groups, at)


# --- pipeline -----------------------------------------------------------------------------------


PROJECT_SCHEMA = {
    "project_id": pl.Utf8,
    "carrier_id": pl.Utf8,
    "name": pl.Utf8,
    "track_id": pl.Utf8,
    "ladder": pl.Utf8,
    "intake_date": pl.Date,
    "uscc": pl.Utf8,
    "graduated_on": pl.Date,
}
EVENT_SCHEMA = {"project_id": pl.Utf8, "stage": pl.Utf8, "entered_on": pl.Date}


def write_pipeline(
    store: Store, projects: pl.DataFrame, events: pl.DataFrame, *, source: dict[str, Any], actor: str, synthetic: bool
) -> int | None:
    """Write projects (PROJECT_SCHEMA) and their stage events (EVENT_SCHEMA): new or changed ones
    get a version. Raises pipeline.PipelineError naming every problem; returns the ledger seq, or
    None when nothing changed."""
    con = store.con
    projects = projects.select(list(PROJECT_SCHEMA)).cast(PROJECT_SCHEMA)
    events = events.select(list(EVENT_SCHEMA)).cast(EVENT_SCHEMA)
    problems = pipe.check_pipeline(projects, events, _ids(con, "carrier", "carrier_id"))
    tracks = _ids(con, "track", "track_id")
    problems += [
        f"project {p}: unknown track {t!r}"
        for p, t in projects.select("project_id", "track_id").iter_rows()
        if t is not None and t not in tracks
    ]
    if problems:
        raise pipe.PipelineError(problems)
    stored_projects = con.execute(f"SELECT {', '.join(PROJECT_SCHEMA)}, version FROM pipeline_project_current").pl()
    stored_events = con.execute("SELECT project_id, stage, entered_on, version FROM pipeline_stage_current").pl()
    new_projects = _changed(projects, stored_projects.cast(PROJECT_SCHEMA), ["project_id"])
    new_events = _changed(events, stored_events.cast(EVENT_SCHEMA), ["project_id", "stage"])
    if new_projects.is_empty() and new_events.is_empty():
        return None
    with store.transaction():
        seq = ledger.next_seq(con)
        now = ledger.now_iso()
        stamp = [pl.lit(synthetic).alias("synthetic"), pl.lit(seq).alias("source_id"), pl.lit(seq).alias("ledger_seq")]
        _source(con, seq, source, "pipeline")
        _insert(con, "pipeline_project", new_projects.with_columns(*stamp, pl.lit(now).alias("valid_from")))
        _insert(con, "pipeline_stage_event", new_events.with_columns(*stamp))
        ledger.append(
            con,
            seq,
            actor,
            "carriers.pipeline",
            {"source": source, "synthetic": synthetic, "projects": new_projects.height, "events": new_events.height},
        )
    return seq


def _changed(incoming: pl.DataFrame, stored: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Rows of `incoming` that are new or differ from `stored`, with their next `version`."""
    values = [c for c in incoming.columns if c not in keys]
    joined = incoming.join(stored, on=keys, how="left", suffix="_stored")
    same = pl.lit(True)
    for column in values:
        same = same & pl.col(column).eq_missing(pl.col(f"{column}_stored"))
    return joined.filter(pl.col("version").is_null() | ~same).select(
        *incoming.columns, (pl.col("version").fill_null(0) + 1).cast(pl.Int32).alias("version")
    )


def pipeline_cohorts(store: Store, carrier: str | None = None) -> list[dict]:
    """Cohorts of projects per carrier, intake year and ladder (pipeline.cohorts)."""
    if carrier is not None and carrier not in _ids(store.con, "carrier", "carrier_id"):
        raise CarrierError(f"unknown carrier {carrier!r} (see `districtlens carriers list`)")
    where, params = ("WHERE carrier_id = ?", [carrier]) if carrier else ("", [])
    projects = store.con.execute(
        f"SELECT project_id, carrier_id, ladder, intake_date, uscc FROM pipeline_project_current {where}", params
    ).pl()
    events = store.con.execute(
        "SELECT project_id, stage, entered_on FROM pipeline_stage_current"
        f" WHERE project_id IN (SELECT project_id FROM pipeline_project_current {where})",
        params,
    ).pl()
    registered = _registered(store.con, projects["uscc"].drop_nulls()) if projects.height else set()
    return pipe.cohorts(projects, events, registered) if projects.height else []


# --- programmes ---------------------------------------------------------------------------------


def load_programmes(store: Store, programmes: list[prog.Programme], *, source: dict[str, Any], actor: str) -> dict:
    """Write each programme whose definition changed as a new version with its actions and KPIs.
    Returns {"written": [...ids], "unchanged": [...ids], "ledger_seq": seq or None}."""
    con = store.con
    districts = _ids(con, "district_pack", "district_adcode")
    stored = dict(con.execute("SELECT programme_id, definition_sha256 FROM programme_current").fetchall())
    versions = dict(con.execute("SELECT programme_id, version FROM programme_current").fetchall())
    changed = [p for p in programmes if stored.get(p.id) != p.digest()]
    for p in changed:
        if p.district is None and len(districts) != 1:
            raise CarrierError(f"programme {p.id}: give its `district` (the store holds {len(districts)} packs)")
        if p.district is not None and p.district not in districts:
            raise CarrierError(f"programme {p.id}: district {p.district} is not a loaded pack's")
    unchanged = [p.id for p in programmes if p not in changed]
    if not changed:
        return {"written": [], "unchanged": unchanged, "ledger_seq": None}
    with store.transaction():
        seq = ledger.next_seq(con)
        now = ledger.now_iso()
        _source(con, seq, source, "programmes")
        plans, actions, kpis = [], [], []
        for p in changed:
            version = versions.get(p.id, 0) + 1
            plans.append(
                {
                    "programme_id": p.id,
                    "version": version,
                    "district_adcode": p.district or next(iter(districts)),
                    **_names(p.names),
                    "thresholds": ledger.canonical(p.thresholds),
                    "note": p.note,
                    "definition_sha256": p.digest(),
                    "source_id": seq,
                    "valid_from": now,
                    "ledger_seq": seq,
                }
            )
            for position, a in enumerate(p.actions):
                actions.append(
                    {
                        "programme_id": p.id,
                        "version": version,
                        "action_id": a.id,
                        "position": position,
                        **_names(a.names),
                        "named_by": a.named_by,
                        "note": a.note,
                        "ledger_seq": seq,
                    }
                )
                for k_position, k in enumerate(a.kpis):
                    kpis.append(
                        {
                            "programme_id": p.id,
                            "version": version,
                            "action_id": a.id,
                            "kpi_id": k.id,
                            "position": k_position,
                            **_names(k.names),
                            "unit": k.unit,
                            "measure": ledger.canonical(k.measure),
                            "direction": k.direction,
                            "baseline": _json(k.baseline),
                            "targets": _json(k.targets),
                            "thresholds": _json(k.thresholds),
                            "note": k.note,
                            "ledger_seq": seq,
                        }
                    )
        _insert(con, "programme_version", pl.DataFrame(plans, infer_schema_length=None))
        _insert(con, "programme_action", pl.DataFrame(actions, infer_schema_length=None))
        _insert(con, "programme_kpi", pl.DataFrame(kpis, infer_schema_length=None))
        ledger.append(
            con,
            seq,
            actor,
            "programmes.load",
            {"source": source, "programmes": [p.id for p in changed], "actions": len(actions), "kpis": len(kpis)},
        )
    return {"written": [p.id for p in changed], "unchanged": unchanged, "ledger_seq": seq}


def _names(names: dict[str, str]) -> dict[str, str | None]:
    return {f"name_{lang}": names.get(lang) for lang in ("zh", "en", "fr")}


def _json(value: Any) -> str | None:
    return (
        None
        if value is None
        else json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    )


def stored_programmes(store: Store) -> list[tuple[prog.Programme, str]]:
    """The programmes in force, rebuilt from the store, each with its district adcode."""
    con = store.con
    plans = con.execute(
        "SELECT programme_id, version, district_adcode, name_zh, name_en, name_fr, thresholds, note"
        " FROM programme_current ORDER BY programme_id"
    ).fetchall()
    result = []
    for pid, version, district, zh, en, fr, thresholds, note in plans:
        actions = []
        for aid, azh, aen, afr, named_by, anote in con.execute(
            "SELECT action_id, name_zh, name_en, name_fr, named_by, note FROM programme_action"
            " WHERE programme_id = ? AND version = ? ORDER BY position",
            [pid, version],
        ).fetchall():
            kpis = [
                prog.Kpi(
                    kid,
                    _lang(kzh, ken, kfr),
                    json.loads(measure),
                    unit,
                    direction,
                    _dated(json.loads(baseline), "at") if baseline else None,
                    [_dated(t, "by") for t in json.loads(targets)],
                    json.loads(kthresholds) if kthresholds else None,
                    knote,
                )
                for kid, kzh, ken, kfr, unit, measure, direction, baseline, targets, kthresholds, knote in con.execute(
                    "SELECT kpi_id, name_zh, name_en, name_fr, unit, measure, direction, baseline, targets,"
                    " thresholds, note FROM programme_kpi WHERE programme_id = ? AND version = ? AND action_id = ?"
                    " ORDER BY position",
                    [pid, version, aid],
                ).fetchall()
            ]
            actions.append(prog.Action(aid, _lang(azh, aen, afr), named_by, anote, kpis))
        result.append(
            (prog.Programme(pid, _lang(zh, en, fr), json.loads(thresholds), note, district, actions), district)
        )
    return result


def _lang(zh: str | None, en: str | None, fr: str | None) -> dict[str, str]:
    return {k: v for k, v in (("zh", zh), ("en", en), ("fr", fr)) if v}


def _dated(item: dict, key: str) -> dict:
    return {**item, key: date.fromisoformat(item[key])}


def programme_status(store: Store, at: date) -> list[dict]:
    """Every programme in force with each KPI's target, actual, trend and status on `at`."""
    plans = stored_programmes(store)
    evaluator = _Evaluator(store, at)
    result = []
    for plan, district in plans:
        actions = []
        for action in plan.actions:
            assessed = []
            for kpi in action.kpis:
                series = evaluator.series(kpi.measure, district)
                base = None
                if kpi.baseline and kpi.baseline.get("value") is None:
                    base = evaluator.value_on(kpi.measure, district, kpi.baseline["at"])
                assessed.append(prog.assess(kpi, series, base, plan.thresholds))
            actions.append(
                {
                    "action": action.id,
                    "name": action.names,
                    "named_by": action.named_by,
                    "note": action.note,
                    "kpis": assessed,
                }
            )
        result.append(
            {
                "programme": plan.id,
                "name": plan.names,
                "district": district,
                "note": plan.note,
                "thresholds": plan.thresholds,
                "at": at,
                "actions": actions,
            }
        )
    return result


class _Evaluator:
    """Reads the measures of KPIs on one day: the district's yearly facts are gathered once into a
    temporary panel; space figures are computed once for every carrier and zone."""

    def __init__(self, store: Store, at: date):
        self.store, self.con, self.at = store, store.con, at
        self._panels: set[str] = set()
        self._frames: tuple[pl.DataFrame, pl.DataFrame] | None = None
        self._figures_cache: dict[tuple, pl.DataFrame] = {}
        self._tracks = {t: json.loads(c) for t, c in self.con.execute("SELECT track_id, classes FROM track").fetchall()}

    def days(self) -> list[date]:
        return [sp.add_years(self.at, -k) for k in range(TREND_POINTS - 1, -1, -1)]

    def series(self, measure: dict, district: str) -> list[tuple[date, float | None]]:
        kind = measure["kind"]
        if prog.MEASURES[kind].cadence == "yearly":
            values = self._yearly(measure, district)
            years = [y for y in sorted(values) if y <= self.at.year][-TREND_POINTS:]
            if not years:
                return [(self.at, None)]
            return [(date(y, 12, 31), values[y]) for y in years]
        days = self.days()
        return list(zip(days, self._dated(measure, days), strict=True))

    def value_on(self, measure: dict, district: str, day: date) -> float | None:
        if prog.MEASURES[measure["kind"]].cadence == "yearly":
            return self._yearly(measure, district).get(day.year)
        return self._dated(measure, [day])[0]

    # yearly measures: facts of the district's enterprises
    def _panel(self, district: str) -> str:
        """A temporary table of the district's enterprise-years: the latest version of each
        enterprise and of each of its years, as enterprise_current and fact_current define them,
        but taken only over the enterprises that were ever in the district (far fewer rows than
        the whole registry)."""
        name = f"kpi_panel_{district}"
        if district not in self._panels:
            self.con.execute(
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
            self._panels.add(district)
        return name

    def _yearly(self, measure: dict, district: str) -> dict[int, float]:
        panel = self._panel(district)
        conditions, params = ["TRUE"], []
        if "zone" in measure:
            conditions.append("p.zone_id = ?")
            params.append(measure["zone"])
        if "track" in measure:
            conditions.append(_track_condition(self._tracks.get(measure["track"], []), "p.industry_code"))
        if "carrier" in measure:
            conditions.append(
                "p.uscc IN (SELECT uscc FROM tenancy_tenant t WHERE t.carrier_id = ?"
                " AND t.lease_start <= make_date(p.year, 12, 31)"
                " AND (t.lease_end IS NULL OR t.lease_end >= make_date(p.year, 12, 31)))"
            )
            params.append(measure["carrier"])
        kind = measure["kind"]
        value = "count(DISTINCT p.uscc)" if kind == "enterprises" else f"sum(p.{kind})"
        rows = self.con.execute(
            f"SELECT p.year, {value} FROM {panel} p WHERE {' AND '.join(conditions)} GROUP BY p.year", params
        ).fetchall()
        return {year: (float(v) if v is not None else None) for year, v in rows}

    # dated measures
    def _dated(self, measure: dict, days: list[date]) -> list[float | None]:
        kind = measure["kind"]
        if kind in ("occupancy", "occupied_m2"):
            by, key = ("carrier_id", measure["carrier"]) if "carrier" in measure else ("zone_id", measure["zone"])
            figures = self._figures(by, measure.get("use"), days)
            found = {d: r for d, r in figures.filter(pl.col(by) == key).select("day", kind).iter_rows()}
            return [found.get(d) for d in days]
        days_frame = pl.DataFrame({"day": days}, schema={"day": pl.Date})
        register_frame(self.con, "kpi_days", days_frame)
        try:
            if kind == "tenants":
                column = "carrier_id" if "carrier" in measure else "zone_id"
                sql = (
                    "SELECT d.day, count(DISTINCT coalesce(t.uscc_given, t.tenant_name)) FROM kpi_days d"
                    " JOIN tenancy_current t"
                    " ON t.lease_start <= d.day AND (t.lease_end IS NULL OR t.lease_end >= d.day)"
                    f" JOIN carrier c USING (carrier_id) WHERE c.{column} = ? GROUP BY d.day"
                )
                params = [measure.get("carrier", measure.get("zone"))]
            elif kind == "projects_reaching":
                stages = _stages_from(measure["stage"])
                filters, params = _project_filters(measure)
                sql = (
                    "SELECT d.day, count(DISTINCT e.project_id) FROM kpi_days d"
                    " JOIN pipeline_stage_current e ON e.entered_on <= d.day"
                    " JOIN pipeline_project_current p USING (project_id)"
                    f" WHERE e.stage IN ({', '.join('?' * len(stages))}) {filters} GROUP BY d.day"
                )
                params = [*stages, *params]
            else:  # graduations
                filters, params = _project_filters(measure)
                sql = (
                    "SELECT d.day, count(DISTINCT p.project_id) FROM kpi_days d"
                    " JOIN pipeline_project_current p ON p.graduated_on <= d.day"
                    f" WHERE p.uscc IN (SELECT uscc FROM enterprise_version) {filters} GROUP BY d.day"
                )
            found = dict(self.con.execute(sql, params).fetchall())
        finally:
            self.con.unregister("kpi_days")
        return [float(found.get(d, 0)) for d in days]

    def _figures(self, by: str, use: str | None, days: list[date]) -> pl.DataFrame:
        key = (by, use, tuple(days))
        if key not in self._figures_cache:
            if self._frames is None:
                self._frames = (schedule_frame(self.store), lease_frame(self.store))
            schedule, leases = sp.only_use(*self._frames, use)
            groups = sorted(set(schedule[by].drop_nulls()) | set(leases[by].drop_nulls()))
            self._figures_cache[key] = sp.figures_on(schedule, leases, groups, days, by)
        return self._figures_cache[key]


def _track_condition(classes: list[str], column: str) -> str:
    """SQL: the industry class is one of the track's classes or divisions (codes are digits only)."""
    fours = [c for c in classes if len(c) == 4 and c.isdigit()]
    twos = [c for c in classes if len(c) == 2 and c.isdigit()]
    parts = []
    if fours:
        parts.append(f"{column} IN ({', '.join(repr(c) for c in fours)})")
    if twos:
        parts.append(f"substr({column}, 1, 2) IN ({', '.join(repr(c) for c in twos)})")
    return "(" + (" OR ".join(parts) or "FALSE") + ")"


def _stages_from(stage: str) -> list[str]:
    """The stage and every later stage of its ladder."""
    for stages in pipe.LADDERS.values():
        if stage in stages:
            return list(stages[stages.index(stage) :])
    raise CarrierError(f"{stage!r} is not a pipeline stage")


def _project_filters(measure: dict) -> tuple[str, list]:
    filters, params = "", []
    for param, column in (("carrier", "carrier_id"), ("track", "track_id")):
        if param in measure:
            filters += f" AND p.{column} = ?"
            params.append(measure[param])
    return filters, params


def all_stages() -> set[str]:
    return {s for stages in pipe.LADDERS.values() for s in stages}
