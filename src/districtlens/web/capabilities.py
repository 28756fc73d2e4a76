"""The pages of the Commission's other capabilities: programmes and their KPIs, the innovation
pipeline, carriers' space, and briefings (render, download, verify).

Each reads through the same commands as the CLI (commands/carriers.py, commands/briefing.py)
under the roles of web/auth.py: operators see their own carriers only, viewers aggregates only
(the district's funnel, the zones' space), briefings are the Commission's (the `targets`
permission: a briefing names target enterprises).
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from districtlens.briefing import KEY_ENV
from districtlens.carriers import USES
from districtlens.carriers.space import add_years
from districtlens.commands import Context
from districtlens.commands import briefing as briefing_commands
from districtlens.commands import carriers as carrier_commands
from districtlens.commands import scenarios as scenario_commands
from districtlens.errors import DistrictlensError, Forbidden, InputError, NotFound, TooLarge
from districtlens.store import dashboard_queries
from districtlens.store import web_queries as queries
from districtlens.web import api, auth, figures, labels
from districtlens.web.deps import check_form, language, may_see_carrier, reader, state, today
from districtlens.web.i18n import Formatter
from districtlens.web.pages import page_user, render_page
from districtlens.web.state import ServerState, Snapshot
from districtlens.web.tables import Column, Table, export_response

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
Reader = Annotated[Snapshot, Depends(reader)]
State = Annotated[ServerState, Depends(state)]
Aggregates = Annotated[auth.Principal, page_user("aggregate")]
Briefings = Annotated[auth.Principal, page_user("targets")]
YEARS_BACK = 5
FORMATS = ("pdf", "html", "docx")
MAX_UPLOAD = 50 * 1024 * 1024
MEDIA = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _visible_carriers(who: auth.Principal, carrier_ids: list[str]) -> list[str]:
    """The carriers whose own figures `who` may see: all for the Commission, an operator's own."""
    return [c for c in carrier_ids if may_see_carrier(who, c)]


# ---- programmes ------------------------------------------------------------------------------


def _small_carriers(server: ServerState, store: Snapshot, who: auth.Principal) -> set[str]:
    """The carriers whose own figures `who` may not see: those with fewer than MIN_CELL tenants,
    for restricted roles, but an operator's own."""
    if not who.restricted:
        return set()
    rows = server.cached(store, "carriers", (today(),), lambda: queries.carriers(store, today()))
    return {
        r["carrier_id"]
        for r in rows
        if 0 < (r["tenants"] or 0) < auth.MIN_CELL and not may_see_carrier(who, r["carrier_id"])
    }


def _kpi_display(fmt: Formatter, unit: str, value: float | None) -> str:
    if unit == "万元":
        return fmt.money(value)
    if unit == "share":
        return fmt.percent(value)
    shown = fmt.number(value, 1 if isinstance(value, float) and not float(value).is_integer() else 0)
    return f"{shown} {fmt.gettext(unit)}" if value is not None else shown


def _kpi_chart_value(fmt: Formatter, unit: str, value: float | None) -> float | None:
    if value is None:
        return None
    if unit == "万元":
        return fmt.in_money_unit(value)
    return value * 100 if unit == "share" else value


def _kpi_axis(fmt: Formatter, unit: str) -> str:
    return fmt.money_unit if unit == "万元" else "%" if unit == "share" else fmt.gettext(unit)


@router.get("/programmes")
def programmes(request: Request, who: Aggregates, store: Reader, server: State):
    fmt = Formatter(language(request))
    statuses = server.cached(store, "programmes", (today(),), lambda: carrier_commands.programme_status(store, today()))
    hidden = _small_carriers(server, store, who)
    kpis: list[dict[str, Any]] = []
    for plan in statuses:
        for action in plan.actions:
            for k in action.kpis:
                if k.measure.get("carrier") in hidden:
                    # A carrier's figure with one or two tenants is theirs: as on /carriers.
                    k = k.model_copy(
                        update={"actual": None, "ratio": None, "status": None, "trend": None, "series": []}
                    )
                kpis.append(
                    {
                        "programme": fmt.name(plan.name),
                        "action": fmt.name(action.name),
                        "kpi": fmt.name(k.name),
                        "status": k.status or "no data",
                        "trend": k.trend or "no data",
                        "ratio": k.ratio,
                        "actual": _kpi_display(fmt, k.unit, k.actual),
                        "target": _kpi_display(fmt, k.unit, k.target.value),
                        "expected": _kpi_display(fmt, k.unit, k.expected),
                        "by": k.target.by,
                        "thresholds": f"{fmt.percent(k.thresholds.get('on_track'))} / "
                        f"{fmt.percent(k.thresholds.get('at_risk'))}",
                        "chart": {
                            "kind": "line",
                            "x": [fmt.date(p.at) for p in k.series],
                            "y": [_kpi_chart_value(fmt, k.unit, p.value) for p in k.series],
                            "target": _kpi_chart_value(fmt, k.unit, k.target.value),
                            "target_name": fmt.gettext("Target"),
                            "name": fmt.name(k.name),
                            "unit": _kpi_axis(fmt, k.unit),
                            "axes": True,
                            "x_name": fmt.gettext("Date"),
                        },
                    }
                )
    columns = [
        Column("programme", "Programme"),
        Column("action", "Action"),
        Column("kpi", "Indicator"),
        Column("status", "Status", translate=True),
        Column("ratio", "Actual / expected", "percent"),
        Column("actual", "Actual"),
        Column("expected", "Expected by now"),
        Column("target", "Target"),
        Column("by", "Target date", "date"),
        Column("trend", "Trend", translate=True),
        Column("thresholds", "Thresholds (on track / at risk)"),
    ]
    table = Table(request, "kpis", columns, kpis, fmt, row_class=lambda r: "kpi-" + r["status"].replace(" ", "-"))
    exported = export_response(request, table, name="programmes")
    if exported is not None:
        return exported
    counts = {s: sum(1 for k in kpis if k["status"] == s) for s in ("on track", "at risk", "off track", "no data")}
    return render_page(request, "programmes.html", store, table=table, kpis=kpis, counts=counts, at=today())


# ---- the pipeline ----------------------------------------------------------------------------


def _funnels(cohorts: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """Per ladder, each stage's projects reached and moved on, summed over the cohorts."""
    funnels: dict[str, dict[str, dict[str, Any]]] = {}
    for cohort in cohorts:
        ladder = funnels.setdefault(cohort.ladder, {})
        for stage in cohort.stages:
            row = ladder.setdefault(stage.stage, {"stage": stage.stage, "reached": 0, "moved_on": 0})
            row["reached"] += stage.reached
            row["moved_on"] += stage.moved_on
    return {ladder: list(stages.values()) for ladder, stages in funnels.items()}


FUNNEL_COLUMNS = (
    Column("stage", "Stage", translate=True),
    Column("reached", "Projects reaching the stage", "number"),
    Column("moved_on", "Moved on", "number"),
)


@router.get("/pipeline")
def pipeline(request: Request, who: Aggregates, store: Reader, server: State):
    fmt = Formatter(language(request))
    every = server.cached(
        store,
        "cohorts",
        (),
        lambda: (
            carrier_commands.pipeline_cohorts(
                Context(store=store, actor="web"), carrier_commands.PipelineCohorts()
            ).cohorts
        ),
    )
    names = labels.carrier_names(server, store, fmt)
    own = [c for c in every if may_see_carrier(who, c.carrier)]
    rows = [
        {
            "carrier": names.get(c.carrier, c.carrier),
            "intake_year": c.intake_year,
            "ladder": c.ladder,
            "projects": c.projects,
            "furthest": next((s.stage for s in reversed(c.stages) if s.reached), None),
            "graduated": c.graduated,
            "graduation_rate": c.graduation_rate,
        }
        for c in own
    ]
    columns = [
        Column("carrier", "Carrier"),
        Column("intake_year", "Intake year"),
        Column("ladder", "Ladder", translate=True),
        Column("projects", "Projects", "number"),
        Column("furthest", "Furthest stage", translate=True),
        Column("graduated", "Graduated", "number"),
        Column("graduation_rate", "Graduation rate", "percent"),
    ]
    table = Table(request, "cohorts", columns, rows, fmt, default_sort="-intake_year")
    funnels = _funnels(every)
    funnel_tables = {
        ladder: Table(request, f"funnel-{ladder}", FUNNEL_COLUMNS, stages, fmt) for ladder, stages in funnels.items()
    }
    exported = export_response(request, table, *funnel_tables.values(), name="pipeline")
    if exported is not None:
        return exported
    charts = {
        ladder: {
            "kind": "bar",
            "x_name": fmt.gettext("Stage"),
            "x": [fmt.gettext(s["stage"]) for s in stages],
            "y": [s["reached"] for s in stages],
            "name": fmt.gettext("Projects reaching the stage"),
            "unit": fmt.gettext("projects"),
        }
        for ladder, stages in funnels.items()
    }
    return render_page(
        request,
        "pipeline.html",
        store,
        table=table,
        funnels=funnel_tables,
        charts=charts,
        total=sum(c.projects for c in every),
        graduated=sum(c.graduated for c in every),
        sees_cohorts=who.role != "viewer",
    )


# ---- space -----------------------------------------------------------------------------------


def _space_choices(server: ServerState, store: Snapshot, who: auth.Principal, fmt: Formatter) -> dict[str, Any]:
    """The carriers and zones `who` may look at the space of. A zone is an aggregate: restricted
    roles see it when its carriers have MIN_CELL tenants or more (else a tenant's lease shows)."""
    rows = api.carriers_for(server, store, who)
    carriers = {c: n for c, n in labels.carrier_names(server, store, fmt).items() if may_see_carrier(who, c)}
    tenants_by_zone: dict[str, int] = {}
    for r in server.cached(store, "carriers", (today(),), lambda: queries.carriers(store, today())):
        if r["zone_id"]:
            tenants_by_zone[r["zone_id"]] = tenants_by_zone.get(r["zone_id"], 0) + (r["tenants"] or 0)
    pack = figures.home_pack(store)
    zone_rows = server.cached(store, "zones", (), lambda: queries.zones(store, pack["pack_id"])) if pack else []
    zone_names = {z["zone_id"]: fmt.name(z["names"]) for z in zone_rows}
    zones = {
        z: zone_names.get(z, z)
        for z in sorted(tenants_by_zone)
        if not who.restricted or tenants_by_zone[z] >= auth.MIN_CELL
    }
    return {"carriers": carriers, "zones": zones, "rows": rows}


def _listed(names: dict[str, str]) -> str:
    """Ids with their names, as an error lists what there is: `name (id), ...`."""
    return ", ".join(f"{name} ({key})" for key, name in names.items()) or "–"


def _space_at(store: Snapshot, day: date, carrier: str | None, zone: str | None, use: str | None = None):
    return carrier_commands.space_of(store, at=day, carrier=carrier, zone=zone, use=use)


@router.get("/space")
def space(
    request: Request,
    who: Aggregates,
    store: Reader,
    server: State,
    carrier: Annotated[str | None, Query(max_length=120)] = None,
    zone: Annotated[str | None, Query(max_length=120)] = None,
):
    fmt = Formatter(language(request))
    choices = _space_choices(server, store, who, fmt)
    if carrier and carrier not in choices["carriers"]:
        if carrier in labels.carrier_names(server, store, fmt):
            raise Forbidden("web.forbidden.carrier")
        raise NotFound("web.unknown_carrier", carrier=carrier, carriers=_listed(choices["carriers"]))
    if zone and zone not in choices["zones"]:
        raise NotFound("web.unknown_zone", zone=zone, zones=_listed(choices["zones"]))
    if not carrier and not zone:
        carrier = next(iter(choices["carriers"]), None)
        zone = None if carrier else next(iter(choices["zones"]), None)
    if not carrier and not zone:
        return render_page(request, "space.html", store, figures=None, choices=choices, carrier=None, zone=None)
    day = today()
    key = (carrier, zone, day)
    now = server.cached(store, "space", key, lambda: _space_at(store, day, carrier, zone))
    past = server.cached(
        store,
        "space-past",
        key,
        lambda: [_space_at(store, add_years(day, -n), carrier, zone) for n in range(YEARS_BACK, 0, -1)],
    )
    by_use = server.cached(
        store,
        "space-uses",
        key,
        lambda: {u: _space_at(store, day, carrier, zone, u) for u in USES if u in now.capacity_by_use},
    )
    timeline = [*past, now, *now.by_year]
    occupancy_chart = {
        "kind": "line",
        "x": [str(p.at.year) for p in timeline],
        "y": [round(p.occupancy * 100, 1) if p.occupancy is not None else None for p in timeline],
        "name": fmt.gettext("Occupancy"),
        "unit": "%",
        "axes": True,
        "x_name": fmt.gettext("Year"),
        "mark": str(day.year),
    }
    uses_chart = {
        "kind": "stack",
        "x_name": fmt.gettext("Use"),
        "x": [fmt.gettext(u) for u in by_use],
        "series": [
            {"name": fmt.gettext("Occupied"), "data": [s.occupied_m2 for s in by_use.values()]},
            {"name": fmt.gettext("Free"), "data": [s.free_m2 for s in by_use.values()]},
        ],
        "unit": "m²",
    }
    use_rows = [
        {
            "use": u,
            "capacity": s.capacity_m2,
            "occupied": s.occupied_m2,
            "free": s.free_m2,
            "occupancy": s.occupancy,
            "expiring": s.expiring_12m_m2,
        }
        for u, s in by_use.items()
    ]
    uses = Table(
        request,
        "uses",
        [
            Column("use", "Use", translate=True),
            Column("capacity", "Floor space", "area"),
            Column("occupied", "Occupied", "area"),
            Column("free", "Free", "area"),
            Column("occupancy", "Occupancy", "percent"),
            Column("expiring", "Leases ending within 12 months", "area"),
        ],
        use_rows,
        fmt,
    )
    ending_rows: list[dict[str, Any]] = []
    members = _visible_carriers(who, now.carriers) if who.may("tenants") else []
    if members:
        names = labels.carrier_names(server, store, fmt)
        ending_rows = [
            dict(
                r,
                carrier=names.get(r["carrier_id"], r["carrier_id"]),
                tenant=r["name"] or r["tenant_name"],
                href=f"/enterprises/{r['uscc']}" if r["uscc"] else None,
            )
            for r in server.cached(
                store,
                "leases-ending",
                (tuple(members), day),
                lambda: dashboard_queries.leases_ending(store, members, day, add_years(day, 1)),
            )
        ]
    ending = Table(
        request,
        "ending",
        [
            Column("tenant", "Tenant", link="href"),
            Column("carrier", "Carrier"),
            Column("use", "Use", translate=True),
            Column("area_m2", "Area", "area"),
            Column("lease_start", "Lease start", "date"),
            Column("lease_end", "Lease end", "date"),
        ],
        ending_rows,
        fmt,
        default_sort="lease_end",
    )
    exported = export_response(request, uses, ending, name="space")
    if exported is not None:
        return exported
    return render_page(
        request,
        "space.html",
        store,
        figures=now,
        choices=choices,
        carrier=carrier,
        zone=zone,
        uses=uses,
        ending=ending if members else None,
        occupancy_chart=occupancy_chart,
        uses_chart=uses_chart,
        at=day,
    )


# ---- briefings -------------------------------------------------------------------------------


def _key_file() -> Path | None:
    """The server's signing key file ($DISTRICTLENS_SIGNING_KEY), if it names a readable file."""
    named = os.environ.get(KEY_ENV)
    return Path(named) if named and Path(named).is_file() else None


def _areas(store: Snapshot, fmt: Formatter) -> dict[str, str]:
    pack = figures.home_pack(store)
    if pack is None:
        return {}
    areas = {pack["adcode"]: figures.district_names().get(pack["adcode"], pack["adcode"])}
    areas.update({z["zone_id"]: fmt.name(z["names"]) for z in queries.zones(store, pack["pack_id"])})
    return areas


def _scenarios(store: Snapshot, fmt: Formatter) -> dict[str, str]:
    """The saved scenarios a briefing may cite: id -> its name and chain."""
    saved = scenario_commands.list_scenarios(Context(store=store, actor="web"), scenario_commands.ListScenarios())
    templates = figures.chain_templates()
    return {
        s.scenario_id: f"{s.name} · {fmt.name(dict(templates[s.track_id].name))}" if s.track_id in templates else s.name
        for s in saved.scenarios
    }


CHANGED_COLUMNS = (Column("ref", "Figure"), Column("then", "Then"), Column("now", "Now"))


def _briefing_page(request: Request, store: Snapshot, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    key = _key_file()
    fmt = Formatter(language(request))
    verdict = context.get("verdict")
    if verdict and verdict["changed"]:
        context["changed"] = Table(request, "changed", CHANGED_COLUMNS, verdict["changed"], fmt, answer=True)
    return render_page(
        request,
        "briefings.html",
        store,
        status_code=status_code,
        areas=_areas(store, fmt),
        scenarios=_scenarios(store, fmt),
        formats=FORMATS,
        key_file=key,
        can_sign=key is not None and b"PRIVATE KEY" in key.read_bytes(),
        **{"verdict": None, "problem": None, "changed": None, **context},
    )


@router.get("/briefings")
def briefings(request: Request, who: Briefings, store: Reader):
    return _briefing_page(request, store)


@router.post("/briefings")
async def briefing_render(request: Request, who: Briefings, server: State):
    form = await check_form(request)
    area, lang, fmt = str(form.get("area", "")), str(form.get("lang", "")), str(form.get("format", ""))
    if lang not in ("zh", "en", "fr") or fmt not in FORMATS:
        raise InputError("web.choose_language_and_format")
    cited = [str(s) for s in form.getlist("scenario") if str(s)]
    return await run_in_threadpool(_render_briefing, request, who, server, area, lang, fmt, cited)


def _render_briefing(
    request: Request, who: auth.Principal, server: ServerState, area: str, lang: str, fmt: str, cited: list[str]
) -> Response:
    from districtlens.briefing import document, signing

    key_file = _key_file()
    private = signing.load_private(key_file) if key_file and b"PRIVATE KEY" in key_file.read_bytes() else None
    fingerprint = signing.fingerprint(private.public_key()) if private else "unsigned"
    with server.reader() as store:
        if area not in _areas(store, Formatter(lang)):
            raise NotFound("web.unknown_area", area=area)
        offered = _scenarios(store, Formatter(lang))
        for scenario in cited:
            if scenario not in offered:
                raise InputError("web.choice_not_offered", choice=scenario[:120])
        rendered = briefing_commands.render_briefing(
            Context(store=store, actor=who.username),
            briefing_commands.RenderBriefing(
                area=area, lang=lang, format=fmt, key_fingerprint=fingerprint, scenarios=cited
            ),
        )
    content = rendered.document_bytes()
    if private is not None:
        content = document.embed(content, fmt, private)
    name = f"briefing-{area}-{lang}-{rendered.ledger_head[:12]}{'' if private else '-unsigned'}.{fmt}"
    return Response(
        content,
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Ledger-Head": rendered.ledger_head,
            "X-Signed": "yes" if private else "no",
        },
    )


@router.post("/briefings/verify")
async def briefing_verify(request: Request, who: Briefings, server: State):
    form = await check_form(request)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InputError("web.choose_briefing_file")
    data = await upload.read(MAX_UPLOAD + 1)
    key_upload = form.get("public_key")
    public_pem = await key_upload.read(100_000) if key_upload is not None and not isinstance(key_upload, str) else b""
    return await run_in_threadpool(_verify_briefing, request, who, server, upload.filename or "", data, public_pem)


def _verify_briefing(
    request: Request, who: auth.Principal, server: ServerState, filename: str, data: bytes, public_pem: bytes
) -> HTMLResponse:
    from districtlens.briefing import signing

    lang = language(request)
    with server.reader() as store:
        try:
            if len(data) > MAX_UPLOAD:
                raise TooLarge("web.file_too_large", limit={"count": MAX_UPLOAD // 2**20})
            if public_pem:
                public = signing.public_from_pem(public_pem, "public_key")
            elif (key_file := _key_file()) is not None:
                public = signing.load_public(key_file)
            else:
                return _briefing_page(
                    request,
                    store,
                    status_code=422,
                    problem=Formatter(lang).gettext(
                        "This server has no signing key: upload the Commission's public key to verify."
                    ),
                )
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / (Path(filename).name or "briefing")
                path.write_bytes(data)
                verdict = briefing_commands.verify_briefing(
                    Context(store=store, actor=who.username),
                    briefing_commands.VerifyBriefing(file=path, public_key=signing.public_pem(public), lang=lang),
                )
        except DistrictlensError as exc:
            return _briefing_page(request, store, status_code=exc.http_status, problem=exc.message(lang))
        return _briefing_page(request, store, verdict=verdict.model_dump())
