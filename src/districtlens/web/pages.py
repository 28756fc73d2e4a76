"""The dashboard's server-rendered pages. Each reads through the same functions as the API
(api.py) under the same access rules; charts get their data as JSON blocks read by dashboard.js."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from districtlens.commands import Context
from districtlens.commands import ledger as ledger_commands
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
    )


@router.post("/data/verify")
async def verify(request: Request, who: Data, server: State):
    await check_form(request)
    # Verifying reads every row the ledger vouches for (seconds on a large store): on a worker
    # thread, so that no other request waits for it.
    return await run_in_threadpool(_verified_page, request, who, server)


def _verified_page(request: Request, who: auth.Principal, server: ServerState) -> HTMLResponse:
    with server.reader() as store:
        verdict = ledger_commands.verify.dump(
            ledger_commands.verify(Context(store=store, actor=who.username), ledger_commands.VerifyLedger())
        )
        return _page(
            request,
            "data.html",
            store,
            imports=queries.imports(store),
            ledger=queries.ledger_status(store),
            held=server.held(),
            verdict=verdict,
        )
