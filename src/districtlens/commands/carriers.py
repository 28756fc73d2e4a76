"""Carriers, space, the pipeline and programmes: the commands, and the workflows they share with
the demo build.

Commands: `carriers.list`, `carriers.import_tenants`, `space.show`, `pipeline.cohorts`,
`programmes.show`, `programmes.load`. Workflows (on a context, not registered, as the demo and
the tests call them): `import_tenant_rows`, `load_schedules`, `load_pipeline`, `load_programmes`;
and the readings `space_of`, `all_space`, `programme_status`. Each joins the store's reads and
writes (districtlens.store.carriers) with the pure logic of districtlens.carriers.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from pydantic import BaseModel

from districtlens.carriers import USES, tenancy
from districtlens.carriers import pipeline as pipe
from districtlens.carriers import programmes as prog
from districtlens.carriers import space as sp
from districtlens.carriers.tenancy import TenantReport
from districtlens.commands.base import Args, Context, command
from districtlens.commands.linking import link_to_registry
from districtlens.errors import InputError, NotFound, UsageError
from districtlens.export import write_table
from districtlens.ingest.read import AS_USUAL, ROW, Conventions, read_table, to_utf8
from districtlens.ingest.reasons import LANGUAGE, listed, rejects_table
from districtlens.store import Store
from districtlens.store import carriers as stored
from districtlens.yamltext import load_yaml

MAX_ERRORS_LISTED = 1000


# --- carriers -----------------------------------------------------------------------------------


class ListCarriers(Args):
    pass


class CarrierRow(BaseModel):
    id: str
    name_zh: str | None
    name_en: str | None
    name_fr: str | None
    kind: str
    level: str | None
    zone: str | None
    synthetic: bool


class CarrierList(BaseModel):
    carriers: list[CarrierRow]


@command("carriers.list", writes=False)
def list_carriers(ctx: Context, args: ListCarriers) -> CarrierList:
    """Every carrier with its id, names, kind, level and zone."""
    return CarrierList(carriers=[CarrierRow(**row) for row in stored.carriers(ctx.store).iter_rows(named=True)])


def _known_carrier(store: Store, carrier: str) -> None:
    if carrier not in stored.carrier_ids(store):
        raise NotFound("carriers.unknown_carrier", carrier=carrier)


# --- tenants ------------------------------------------------------------------------------------


class ImportTenants(Args):
    file: Path
    carrier: str
    skip_invalid: bool = False
    decimal_comma: bool = False  # the file writes 1.234,5: a comma marks the decimals
    lang: str = LANGUAGE  # of the reasons said in the report and the rejects file


@command("carriers.import_tenants", writes=True)
def import_tenants(ctx: Context, args: ImportTenants) -> TenantReport:
    """Import a carrier's tenant list (CSV or XLSX). Any invalid row and nothing is written, unless
    `skip_invalid`: then the valid rows are written and the invalid ones go to FILE.rejects.csv,
    said in `lang`."""
    ctx.progress("reading")
    table = read_table(args.file, decimal_comma=args.decimal_comma)
    source = {"name": args.file.name, "file_name": args.file.name, "file_sha256": table.sha256}
    ctx.progress("importing")
    report = import_tenant_rows(
        ctx,
        table.frame,
        carrier=args.carrier,
        source=source,
        skip_invalid=args.skip_invalid,
        conventions=table.conventions,
        lang=args.lang,
    )
    if report.errors_total and args.skip_invalid:
        rejects = args.file.with_name(f"{args.file.stem}.rejects.csv")
        write_table(rejects_table(report.error_rows, args.lang), rejects)
        report.rejects_file = str(rejects)
    return report


def import_tenant_rows(
    ctx: Context,
    frame: pl.DataFrame,
    *,
    carrier: str | None,
    source: dict[str, Any],
    synthetic: bool = False,
    skip_invalid: bool = False,
    conventions: Conventions = AS_USUAL,
    lang: str = "en",
) -> TenantReport:
    """Validate a tenant list (text columns, with ROW or not) and write its new or changed leases.

    Any invalid row and nothing is written, unless `skip_invalid`. `carrier`: the carrier of the
    rows that name none. Tenants whose valid credit code is in the registry are `registered`;
    the others with a name are linked to the registry (link_to_registry), whose decision says
    linked, review or unknown; a tenant with neither is kept as unknown. The links and the
    leases are written in one transaction."""
    store = ctx.store
    if carrier is not None:
        _known_carrier(store, carrier)
    checked = tenancy.validate_tenancies(
        frame,
        carrier=carrier,
        carriers=stored.carrier_ids(store),
        schedule=stored.schedule_frame(store),
        stored=stored.stored_leases(store),
        conventions=conventions,
    )
    report = TenantReport(
        source=source["name"],
        carrier=carrier,
        rows_read=checked.rows_read,
        duplicates=checked.duplicates,
        rejected=checked.rejected_rows,
        errors_total=checked.errors.height,
        errors=listed(checked.errors, lang, MAX_ERRORS_LISTED),
        error_rows=checked.errors,
    )
    if checked.errors.height and not skip_invalid:
        return report
    changes = tenancy.lease_changes(checked.rows, stored.current_versions(store, checked.rows["lease_key"]))
    report.inserted = changes.filter(pl.col("previous").is_null()).height
    report.updated = changes.filter(pl.col("previous").is_not_null() & pl.col("changed")).height
    report.unchanged = changes.filter(~pl.col("changed")).height
    written = changes.filter(pl.col("changed"))
    if written.is_empty():
        return report
    registered = stored.registered(store, written["uscc"].drop_nulls())
    unregistered = pl.col("uscc").is_null() | ~pl.col("uscc").is_in(sorted(registered))
    to_resolve = written.filter(unregistered & pl.col("name").is_not_null())
    with stored.shared_transaction(store) as joined:
        resolve_source = None
        if to_resolve.height:
            link_to_registry(
                joined,
                to_resolve.select(pl.col(ROW).cast(pl.Utf8).alias("record_id"), "name", "uscc"),
                f"{source['name']} (tenants of {carrier or 'several carriers'})",
                ctx.actor,
                kind="tenants",
                file_name=source.get("file_name"),
                file_sha256=source.get("file_sha256"),
            )
            resolve_source = stored.last_seq(joined)
        seq = stored.write_tenancies(
            joined,
            tenancy.lease_versions(written, to_resolve[ROW].to_list(), resolve_source),
            source=source,
            actor=ctx.actor,
            synthetic=synthetic,
            details={
                "carrier": carrier,
                "inserted": report.inserted,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "resolve_source_id": resolve_source,
            },
        )
    report.written = True
    report.ledger_seq = seq
    report.tenants = stored.tenant_statuses(store, seq)
    return report


# --- space --------------------------------------------------------------------------------------


class ShowSpace(Args):
    at: date
    carrier: str | None = None
    zone: str | None = None
    use: str | None = None


class CarrierSpace(sp.Space):
    """The space of one carrier, or of a zone's carriers summed."""

    carrier: str | None
    zone: str | None
    carriers: list[str]
    use: str | None
    schedule_has_assumptions: bool  # part of the capacity schedule is synthetic


@command("space.show", writes=False)
def show_space(ctx: Context, args: ShowSpace) -> CarrierSpace:
    """Capacity, occupied, free, occupancy and leases ending within 12 months on a day and on each
    anniversary ahead, of one carrier or one zone."""
    return space_of(ctx.store, at=args.at, carrier=args.carrier, zone=args.zone, use=args.use)


def space_of(
    store: Store, *, at: date, carrier: str | None = None, zone: str | None = None, use: str | None = None
) -> CarrierSpace:
    """The space of one carrier or one zone (its carriers summed) on `at`."""
    if (carrier is None) == (zone is None):
        raise UsageError("carriers.carrier_or_zone")
    if use is not None and use not in USES:
        raise InputError("carriers.unknown_use", use=use, uses=", ".join(USES))
    if carrier is not None:
        _known_carrier(store, carrier)
        by, key, members = "carrier_id", carrier, [carrier]
    else:
        zones = stored.known_ids(store)["zone"]
        if zone not in zones:
            raise NotFound("carriers.unknown_zone", zone=zone, zones=", ".join(sorted(zones)))
        by, key, members = "zone_id", str(zone), stored.zone_carriers(store, str(zone))
    schedule = stored.schedule_frame(store).filter(pl.col(by) == key)
    leases = stored.lease_frame(store).filter(pl.col(by) == key)
    figures = sp.space_figures(schedule, leases, [key], at, by=by, use=use)[key]
    return CarrierSpace(
        **figures.model_dump(),
        carrier=carrier,
        zone=zone,
        carriers=members,
        use=use,
        schedule_has_assumptions=bool(schedule["synthetic"].any()) if schedule.height else False,
    )


def all_space(store: Store, at: date) -> dict[str, sp.Space]:
    """The space of every carrier on `at`, in one pass (what the benchmark reads)."""
    groups = sorted(stored.carrier_ids(store))
    return sp.space_figures(stored.schedule_frame(store), stored.lease_frame(store), groups, at)


def load_schedules(ctx: Context, doc: Any, *, source: dict[str, Any]) -> pl.DataFrame:
    """Replace the capacity schedules of the carriers a document (`space.parse_schedules`) names.
    Returns the schedules written."""
    schedules = sp.parse_schedules(doc, stored.carrier_ids(ctx.store))
    stored.write_schedules(ctx.store, schedules, source=source, actor=ctx.actor)
    return schedules


# --- the pipeline -------------------------------------------------------------------------------


class PipelineCohorts(Args):
    carrier: str | None = None


class CohortList(BaseModel):
    carrier: str | None
    cohorts: list[pipe.Cohort]


@command("pipeline.cohorts", writes=False)
def pipeline_cohorts(ctx: Context, args: PipelineCohorts) -> CohortList:
    """Cohorts of projects per carrier (one, or all), intake year and ladder: stages reached,
    median days per stage, graduations."""
    store = ctx.store
    if args.carrier is not None:
        _known_carrier(store, args.carrier)
    projects, events = stored.pipeline_frames(store, args.carrier)
    if projects.is_empty():
        return CohortList(carrier=args.carrier, cohorts=[])
    registered = stored.registered(store, projects["uscc"].drop_nulls())
    return CohortList(carrier=args.carrier, cohorts=pipe.cohorts(projects, events, registered))


def load_pipeline(
    ctx: Context, projects: pl.DataFrame, events: pl.DataFrame, *, source: dict[str, Any], synthetic: bool
) -> int | None:
    """Write projects (pipeline.PROJECT_SCHEMA) and their stage events (EVENT_SCHEMA): the new or
    changed ones get a version. Refuses the data naming every problem; returns the ledger seq, or
    None when nothing changed."""
    store = ctx.store
    projects = projects.select(list(pipe.PROJECT_SCHEMA)).cast(pipe.PROJECT_SCHEMA)
    events = events.select(list(pipe.EVENT_SCHEMA)).cast(pipe.EVENT_SCHEMA)
    problems = pipe.check_pipeline(projects, events, stored.carrier_ids(store), stored.track_ids(store))
    if problems:
        raise InputError("carriers.invalid_pipeline", problems=problems)
    current_projects, current_events = stored.current_pipeline(store)
    new_projects = pipe.new_versions(projects, current_projects.cast(pipe.PROJECT_SCHEMA), ["project_id"])
    new_events = pipe.new_versions(events, current_events.cast(pipe.EVENT_SCHEMA), ["project_id", "stage"])
    if new_projects.is_empty() and new_events.is_empty():
        return None
    return stored.write_pipeline(store, new_projects, new_events, source=source, actor=ctx.actor, synthetic=synthetic)


# --- programmes ---------------------------------------------------------------------------------


class ShowProgrammes(Args):
    at: date


class ProgrammeList(BaseModel):
    at: date
    programmes: list[prog.ProgrammeStatus]


@command("programmes.show", writes=False)
def show_programmes(ctx: Context, args: ShowProgrammes) -> ProgrammeList:
    """Each KPI's target, actual, trend and status on a day."""
    return ProgrammeList(at=args.at, programmes=programme_status(ctx.store, args.at))


def programme_status(store: Store, at: date) -> list[prog.ProgrammeStatus]:
    """Every programme in force with each KPI's target, actual, trend and status on `at`."""
    reader = _StoreMeasures(store)
    return [prog.programme_status(plan, at, reader) for plan in prog.from_rows(*stored.programme_rows(store))]


class _StoreMeasures:
    """The measures of KPIs read from the store, for one evaluation: each district's enterprise
    years are gathered once into a temporary panel, and the space figures once per grouping."""

    def __init__(self, store: Store):
        self.store = store
        self._panels: dict[str, str] = {}
        self._tracks: dict[str, list[str]] | None = None
        self._space: tuple[pl.DataFrame, pl.DataFrame] | None = None
        self._figures: dict[tuple[str, str | None, tuple[date, ...]], pl.DataFrame] = {}

    def yearly(self, measure: dict[str, Any], district: str) -> dict[int, float | None]:
        if district not in self._panels:
            self._panels[district] = stored.district_panel(self.store, district)
        classes = None
        if "track" in measure:
            if self._tracks is None:
                self._tracks = stored.track_classes(self.store)
            classes = self._tracks.get(measure["track"], [])
        return stored.yearly_values(
            self.store,
            self._panels[district],
            measure["kind"],
            zone=measure.get("zone"),
            classes=classes,
            carrier=measure.get("carrier"),
        )

    def dated(self, measure: dict[str, Any], days: list[date]) -> list[float | None]:
        kind = measure["kind"]
        if kind in ("occupancy", "occupied_m2"):
            by, key = ("carrier_id", measure["carrier"]) if "carrier" in measure else ("zone_id", measure["zone"])
            figures = self._figures_on(by, measure.get("use"), days).filter(pl.col(by) == key)
            found = dict(figures.select("day", kind).iter_rows())
            return [found.get(d) for d in days]
        if kind == "tenants":
            counts = stored.tenant_counts(self.store, days, carrier=measure.get("carrier"), zone=measure.get("zone"))
        elif kind == "projects_reaching":
            counts = stored.projects_reaching(
                self.store,
                days,
                pipe.stages_from(measure["stage"]),
                carrier=measure.get("carrier"),
                track=measure.get("track"),
            )
        else:  # graduations
            counts = stored.graduations(self.store, days, carrier=measure.get("carrier"), track=measure.get("track"))
        return [float(counts.get(d, 0)) for d in days]

    def _figures_on(self, by: str, use: str | None, days: list[date]) -> pl.DataFrame:
        key = (by, use, tuple(days))
        if key not in self._figures:
            if self._space is None:
                self._space = (stored.schedule_frame(self.store), stored.lease_frame(self.store))
            schedule, leases = sp.only_use(*self._space, use)
            groups = sorted(set(schedule[by].drop_nulls()) | set(leases[by].drop_nulls()))
            self._figures[key] = sp.figures_on(schedule, leases, groups, days, by)
        return self._figures[key]


class LoadProgrammes(Args):
    file: Path


class ProgrammesLoaded(BaseModel):
    written: list[str]
    unchanged: list[str]
    ledger_seq: int | None


@command("programmes.load", writes=True)
def programmes_load(ctx: Context, args: LoadProgrammes) -> ProgrammesLoaded:
    """Load programmes with their actions and KPIs from a YAML file; a changed programme gets a new
    version, an unchanged one writes nothing."""
    return load_programmes(ctx, read_yaml(args.file), source={"name": args.file.name, "file_name": args.file.name})


def read_yaml(path: Path) -> Any:
    """A definition file's YAML (UTF-8 with or without BOM, or GB18030/GBK, as `read.to_utf8`
    tells); refused when missing, not YAML, or naming a key twice in one mapping (YAML would keep
    the last silently)."""
    if not path.is_file():
        raise NotFound("file.missing", path=str(path))
    try:
        text = to_utf8(path.read_bytes())[0].decode("utf-8")
        _refuse_repeated_keys(yaml.compose(text, Loader=YAML_COMPOSER), path.name)
        return load_yaml(text)
    except (OSError, yaml.YAMLError) as exc:
        raise InputError("carriers.unreadable_yaml", file=path.name, reason=str(exc)) from exc


YAML_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_repeated_keys(node: yaml.Node | None, file: str) -> None:
    """Refuse the first mapping of the document that names a key twice, by its line."""
    pending = [node] if node is not None else []
    while pending:
        current = pending.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        raise InputError(
                            "carriers.yaml_repeated_key", file=file, name=key.value, line=key.start_mark.line + 1
                        )
                    seen.add(key.value)
                pending.append(value)
        elif isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)


def load_programmes(ctx: Context, doc: Any, *, source: dict[str, Any]) -> ProgrammesLoaded:
    """Write each programme of a document (`programmes.parse_programmes`) whose definition changed
    as a new version with its actions and KPIs."""
    store = ctx.store
    programmes = prog.parse_programmes(doc, stored.known_ids(store))
    districts = sorted({adcode for _, adcode in stored.packs(store)})
    in_force = stored.programme_digests(store)
    changed = [p for p in programmes if p.id not in in_force or in_force[p.id][1] != p.digest()]
    for p in changed:
        if p.district is None and len(districts) != 1:
            raise InputError("carriers.programme_needs_district", programme=p.id, packs=len(districts))
        if p.district is not None and p.district not in districts:
            raise InputError("carriers.programme_unknown_district", programme=p.id, district=p.district)
    unchanged = [p.id for p in programmes if p not in changed]
    if not changed:
        return ProgrammesLoaded(written=[], unchanged=unchanged, ledger_seq=None)
    plans, actions, kpis = [], [], []
    for p in changed:
        version = in_force[p.id][0] + 1 if p.id in in_force else 1
        plan, plan_actions, plan_kpis = prog.definition_rows(p, version, p.district or districts[0])
        plans.append(plan)
        actions += plan_actions
        kpis += plan_kpis
    seq = stored.write_programmes(store, plans, actions, kpis, source=source, actor=ctx.actor)
    return ProgrammesLoaded(written=[p.id for p in changed], unchanged=unchanged, ledger_seq=seq)
