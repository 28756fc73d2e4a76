"""The dashboard's server-rendered pages. Each reads through the same functions as the API
(api.py) under the same access rules; charts get their data as JSON blocks read by dashboard.js."""

from __future__ import annotations

from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from districtlens.commands import Context
from districtlens.commands import leads as lead_commands
from districtlens.commands import ledger as ledger_commands
from districtlens.commands import scenarios as scenario_commands
from districtlens.commands import statistics as statistics_commands
from districtlens.export import neutralise
from districtlens.i18n import t
from districtlens.store import places
from districtlens.store import statistics as stored_statistics
from districtlens.store import web_queries as queries
from districtlens.web import api, auth, figures
from districtlens.web.deps import LoginRequired, check_form, language, may_see_carrier, reader, session, state, today
from districtlens.web.i18n import Formatter
from districtlens.web.render import render
from districtlens.web.state import ServerState, Snapshot

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
Reader = Annotated[Snapshot, Depends(reader)]
State = Annotated[ServerState, Depends(state)]
PAGE_SIZE = 25


def page_user(permission: str):
    def check(request: Request) -> auth.Principal:
        current = session(request)
        if current is None:
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(path)
        if not current.principal.may(permission):
            raise HTTPException(403, f"the {current.principal.role} role may not see this page")
        return current.principal

    return Depends(check)


Aggregates = Annotated[auth.Principal, page_user("aggregate")]
Enterprises = Annotated[auth.Principal, page_user("enterprise")]
Targets = Annotated[auth.Principal, page_user("targets")]
Data = Annotated[auth.Principal, page_user("data")]


def _page(request: Request, name: str, store: Snapshot, **context: Any):
    return render(request, name, synthetic=api.synthetic_for(state(request), store), **context)


@router.get("/")
def overview(request: Request, who: Aggregates, store: Reader, server: State):
    return _page(request, "overview.html", store, data=api.overview_for(server, store, who))


@router.get("/industries")
def industries(
    request: Request,
    who: Aggregates,
    store: Reader,
    server: State,
    division: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
):
    return _page(request, "industries.html", store, data=api.industries_for(server, store, who, division))


@router.get("/map")
def district_map(
    request: Request,
    who: Aggregates,
    store: Reader,
    server: State,
    measure: Annotated[str, Query(pattern="^(enterprises|revenue|tax|employees|rd_spend|registered)$")] = "revenue",
):
    data = api.map_for(server, store, who)
    carriers = api.carriers_for(server, store, who)
    geojson = figures.refdata.district_polygons()
    return _page(
        request,
        "map.html",
        store,
        data=data,
        carriers=carriers,
        measure=measure,
        map_data={
            "geojson": geojson,
            "measure": measure,
            "values": [{"name": d["name"], "adcode": d["adcode"], "value": d[measure]} for d in data["districts"]],
            "carriers": [
                {"name": c["name_zh"], "value": [c["lon"], c["lat"]]}
                for c in carriers
                if c["lon"] is not None and c["lat"] is not None
            ],
        },
    )


@router.get("/chains")
def chains(
    request: Request,
    who: Aggregates,
    store: Reader,
    server: State,
    track: Annotated[str | None, Query(max_length=80)] = None,
    link: Annotated[str | None, Query(max_length=80)] = None,
):
    templates = figures.chain_templates()
    track = track if track in templates else next(iter(sorted(templates)))
    graph = api.chain_for(server, store, who, track)
    firms = None
    if link and who.may("enterprise"):
        firms = api.link_firms_for(server, store, who, track, link)
    fmt = Formatter(language(request))
    return _page(
        request,
        "chains.html",
        store,
        templates=templates,
        track=track,
        graph=graph,
        link=link,
        firms=firms,
        labels=[fmt.name(node["name"]) for node in graph["nodes"]],
    )


@router.get("/targets")
def targets(
    request: Request,
    who: Targets,
    store: Reader,
    server: State,
    track: Annotated[str | None, Query(max_length=80)] = None,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
    district: Annotated[str | None, Query(pattern=r"^(\d{6})?$")] = None,
):
    templates = figures.chain_templates()
    track = track if track in templates else next(iter(sorted(templates)))
    rows = api.targets_for(server, store, track, min_score, district or None, None, 100)
    return _page(
        request,
        "targets.html",
        store,
        templates=templates,
        track=track,
        rows=rows,
        min_score=min_score,
        district=district or "",
        districts=figures.district_names(),
    )


@router.get("/carriers")
def carriers(
    request: Request,
    who: Aggregates,
    store: Reader,
    server: State,
    carrier: Annotated[str | None, Query(max_length=120)] = None,
):
    rows = api.carriers_for(server, store, who)
    if who.role == "operator":
        rows = sorted(rows, key=lambda r: r["carrier_id"] not in who.carriers)
    tenants = None
    if carrier:
        if not (who.may("tenants") and may_see_carrier(who, carrier)):
            raise HTTPException(403, "not one of your carriers")
        tenants = api.tenants_for(server, store, carrier)
    return _page(request, "carriers.html", store, rows=rows, carrier=carrier, tenants=tenants, today=today())


@router.get("/enterprises")
def enterprises(
    request: Request,
    who: Enterprises,
    store: Reader,
    server: State,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
):
    total, rows = api.search_for(server, store, who, q, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return _page(
        request, "enterprises.html", store, q=q, page=page, total=total, rows=rows, pages=max(1, -(-total // PAGE_SIZE))
    )


@router.get("/enterprises/{uscc}")
def enterprise(request: Request, uscc: str, who: Enterprises, store: Reader, server: State):
    profile = api.profile_for(server, store, who, uscc)
    return _page(
        request,
        "enterprise.html",
        store,
        profile=profile,
        series={"facts": [f for f in profile["facts"] if f["valid_to"] is None]},
    )


@router.get("/claims")
def claims(request: Request, who: Aggregates, store: Reader, server: State):
    rows = api.claims_for(server, store, who)
    return _page(request, "claims.html", store, rows=rows)


@router.get("/leads")
def leads_page(
    request: Request,
    who: Aggregates,
    store: Reader,
    track: Annotated[str | None, Query(max_length=80)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
):
    """The leads the user may see (an operator: those meant for their carriers; a viewer: none)
    and the funnel by track and status."""
    found = _leads(store, who, track or None, status or None)
    return _page(
        request,
        "leads.html",
        store,
        leads=found.leads,
        funnel=found.funnel,
        statuses=lead_commands.STATUSES,
        track=track or "",
        status=status or "",
    )


@router.get("/leads/export.csv")
def leads_export(
    who: Aggregates,
    store: Reader,
    track: Annotated[str | None, Query(max_length=80)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
):
    found = _leads(store, who, track or None, status or None)
    frame = pl.DataFrame([lead.model_dump() for lead in found.leads]) if found.leads else pl.DataFrame()
    return Response(
        b"\xef\xbb\xbf" + neutralise(frame).write_csv().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="leads.csv"'},
    )


def _leads(store: Snapshot, who: auth.Principal, track: str | None, status: str | None) -> lead_commands.LeadList:
    if status is not None and status not in lead_commands.STATUSES:
        raise HTTPException(400, f"status must be one of {', '.join(lead_commands.STATUSES)}")
    args = lead_commands.ListLeads(role=who.role, carriers=list(who.carriers), track=track, status=status)
    return lead_commands.list_leads(Context(store=store, actor=who.username), args)


@router.get("/scenario")
def scenario_page(
    request: Request,
    who: Targets,
    store: Reader,
    server: State,
    track: Annotated[str | None, Query(max_length=80)] = None,
    firm: Annotated[list[str] | None, Query(max_length=120)] = None,
    target: Annotated[list[str] | None, Query(max_length=120)] = None,
):
    """What-if in the pack's district: hypothetical firms (CLASS:REVENUE:EMPLOYEES:ZONE) and
    registry targets, before and after. Computing writes nothing."""
    templates = figures.chain_templates()
    track = track if track in templates else next(iter(sorted(templates)))
    context = api.context_for(server, store)
    firms = [_firm(spec) for spec in firm or [] if spec.strip()]
    targets_ = [t.strip() for t in target or [] if t.strip()]
    result = None
    if firms or targets_:
        args = scenario_commands.ScenarioArgs(track=track, area=context.area.code, firms=firms, targets=targets_)
        result = scenario_commands.compute(Context(store=store, actor=who.username), args)
    return _page(
        request,
        "scenario.html",
        store,
        templates=templates,
        track=track,
        firms=firm or [],
        targets=targets_,
        result=result,
    )


def _firm(spec: str) -> scenario_commands.Firm:
    parts = (spec.strip().split(":") + ["", "", ""])[:4]
    try:
        return scenario_commands.Firm(
            industry_code=parts[0],
            revenue=float(parts[1]) if parts[1] else None,
            employees=float(parts[2]) if parts[2] else None,
            zone=parts[3] or None,
        )
    except ValueError as exc:
        raise HTTPException(400, f"a firm is CLASS[:REVENUE[:EMPLOYEES[:ZONE]]]: {spec}") from exc


@router.get("/data")
def data(request: Request, who: Data, store: Reader, server: State):
    return _page(
        request,
        "data.html",
        store,
        imports=queries.imports(store),
        ledger=queries.ledger_status(store),
        held=server.held(),
        verdict=None,
        **_reconciliations(request, store, who, server),
    )


def _reconciliations(request: Request, store: Snapshot, who: auth.Principal, server: ServerState) -> dict[str, Any]:
    """The registry beside the published statistics of each pack district that has some."""
    lang = language(request)

    def compute() -> list[Any]:
        context = Context(store=store, actor=who.username)
        return [
            statistics_commands.reconcile.dump(
                statistics_commands.reconcile(context, statistics_commands.Reconcile(area=adcode))
            )
            for adcode in sorted(places.district_names(store))
            if stored_statistics.published_years(store, adcode)
        ]

    return {
        "reconciliations": server.cached(store, "reconciliations", (), compute),
        "message": lambda m: t(m["key"], lang, **m["values"]),
        "unit_label": lambda unit: t(statistics_commands.UNIT_KEYS[unit], lang),
    }


@router.post("/data/verify")
async def verify(request: Request, who: Data, server: State):
    await check_form(request)
    # Verifying reads every row the ledger vouches for (seconds on a large store): waited for on
    # a worker thread, and run at low priority (ServerState.verify_quietly), so that no other
    # request waits for it.
    return await run_in_threadpool(_verified_page, request, who, server)


def _verified_page(request: Request, who: auth.Principal, server: ServerState) -> HTMLResponse:
    verdict = server.verify_quietly(
        lambda store: ledger_commands.verify.dump(
            ledger_commands.verify(Context(store=store, actor=who.username), ledger_commands.VerifyLedger())
        )
    )
    with server.reader() as store:
        return _page(
            request,
            "data.html",
            store,
            imports=queries.imports(store),
            ledger=queries.ledger_status(store),
            held=server.held(),
            verdict=verdict,
            **_reconciliations(request, store, who, server),
        )
