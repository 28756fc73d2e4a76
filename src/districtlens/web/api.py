"""The JSON API under /api/: the same figures as the pages, behind the same roles.

401 without a session; 403 for a role that may not see a route. An operator asking for tenants or
an enterprise outside their carriers gets 403 whether or not the id exists, so guessing ids tells
them nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import orjson
import polars as pl
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from districtlens import disclosure
from districtlens.chains.templates import ChainTemplate
from districtlens.commands import Context
from districtlens.commands import ledger as ledger_commands
from districtlens.errors import Forbidden, NotFound
from districtlens.export import headed, write_table
from districtlens.i18n import t
from districtlens.resolve.names import search_forms
from districtlens.store import web_queries as queries
from districtlens.web import auth, figures, labels
from districtlens.web.deps import language, may_see_carrier, principal, reader, require, state, today
from districtlens.web.i18n import Formatter
from districtlens.web.state import ServerState, Snapshot

Who = Annotated[auth.Principal, Depends(principal)]
Aggregates = Annotated[auth.Principal, Depends(require("aggregate"))]
Enterprises = Annotated[auth.Principal, Depends(require("enterprise"))]
Targets = Annotated[auth.Principal, Depends(require("targets"))]
Data = Annotated[auth.Principal, Depends(require("data"))]
Tenants = Annotated[auth.Principal, Depends(require("tenants"))]
Reader = Annotated[Snapshot, Depends(reader)]
State = Annotated[ServerState, Depends(state)]


class Answer(JSONResponse):
    """JSON through orjson rather than FastAPI's generic encoder (the values are plain already):
    NaN and infinity become null, dates ISO text, anything else its text."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=str, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)


router = APIRouter(prefix="/api", tags=["api"], default_response_class=Answer)
# A route that answers with an `Answer` is typed so, and names the JSON it sends (for the OpenAPI
# document) with `response_model`: FastAPI sends a response a route returns as it is.


# ---- shared computations (cached per snapshot) -------------------------------------------------


def overview_for(server: ServerState, store: Snapshot, who: auth.Principal) -> dict:
    data = server.cached(store, "overview", (), lambda: figures.overview(store))
    if not who.restricted:
        return data
    hidden = hidden_for(server, store)
    home = data["pack"]["adcode"] if data["pack"] else None
    district_hidden = home is not None and figures.district_cell(home) in hidden
    return dict(
        data,
        indicators=[_withhold_indicator(i, data["year"]) if district_hidden else i for i in data["indicators"]],
        peers=figures.withhold(data["peers"], lambda r: figures.district_cell(r["adcode"]), hidden, ranked=True),
        tracks=figures.withhold(data["tracks"], lambda r: figures.track_cell(r["track_id"]), hidden),
    )


def _withhold_indicator(indicator: dict, year: int | None) -> dict:
    """The district's own total, hidden (only ever when the district is too small to show)."""
    trend = [dict(p, value=None) if p["year"] == year else p for p in indicator["trend"]]
    return dict(indicator, value=None, growth=None, rank_peers=None, rank_city=None, trend=trend, suppressed=True)


def first_views(server: ServerState, store: Snapshot) -> None:
    """The district's figures the overview and industries pages ask for, computed into the cache
    (`ServerState._warm`: at start and after each write) so that a first visit does not wait."""
    commission = auth.Principal(username="warm", role="analyst", carriers=(), version=0)
    overview_for(server, store, commission)
    industries_for(server, store, commission, None)
    mix_for(server, store, commission)
    relatedness_for(server, store, commission)


def industries_for(server: ServerState, store: Snapshot, who: auth.Principal, division: str | None) -> dict:
    data = server.cached(store, "industries", (division,), lambda: figures.industries(store, division))
    if not who.restricted:
        return data
    hidden = hidden_for(server, store)
    level = data.get("level", "division")
    return dict(
        data,
        rows=figures.withhold(data["rows"], lambda r: figures.activity_cell(level, r["code"]), hidden, ranked=True),
        tracks=figures.withhold(data["tracks"], lambda r: figures.track_cell(r["track_id"]), hidden),
    )


def mix_for(server: ServerState, store: Snapshot, who: auth.Principal) -> dict:
    """The district's industry mix by class; restricted roles get no figure of a hidden class."""
    data = server.cached(store, "industry-mix", (), lambda: figures.industry_mix(store))
    if not who.restricted:
        return data
    hidden = hidden_for(server, store)
    return dict(data, rows=figures.withhold(data["rows"], lambda r: figures.activity_cell("class", r["code"]), hidden))


def relatedness_for(server: ServerState, store: Snapshot, who: auth.Principal) -> dict:
    """The relatedness network; restricted roles do not see a hidden division (its RCA, presence
    and enterprises bound its count), nor its links."""
    data = server.cached(store, "relatedness", (), lambda: figures.relatedness(store))
    if not who.restricted:
        return data
    hidden = hidden_for(server, store)
    shown = [n for n in data["nodes"] if figures.activity_cell("division", n["code"]) not in hidden]
    codes = {n["code"] for n in shown}
    edges = [e for e in data["edges"] if e["source"] in codes and e["target"] in codes]
    return dict(data, nodes=shown, edges=edges)


def disclosure_for(server: ServerState, store: Snapshot) -> disclosure.Pattern:
    """The cells hidden from restricted roles (primary and secondary), once per snapshot."""
    return server.cached(
        store,
        "disclosure",
        (today(),),
        lambda: figures.disclosure_pattern(
            store, server.cached(store, "chain-context", (), lambda: figures.chain_context(store)), today()
        ),
    )


def hidden_for(server: ServerState, store: Snapshot) -> frozenset[str]:
    return disclosure_for(server, store).suppressed


def template_for(track: str) -> ChainTemplate:
    templates = figures.chain_templates()
    if track not in templates:
        raise NotFound("web.unknown_chain", track=track, chains=", ".join(sorted(templates)))
    return templates[track]


def context_for(server: ServerState, store: Snapshot):
    context = server.cached(store, "chain-context", (), lambda: figures.chain_context(store))
    if context is None:
        raise NotFound("web.no_district_pack")
    return context


def chain_for(server: ServerState, store: Snapshot, who: auth.Principal, track: str, lang: str) -> dict:
    template = template_for(track)
    context = context_for(server, store)
    data = server.cached(store, "chain", (track, lang), lambda: figures.chain(store, context, template, lang))
    if not who.restricted:
        return dict(data, nodes=[_without_public(n) for n in data["nodes"]])
    hidden = hidden_for(server, store)
    nodes = [_without_public(dict(n, status=n["public_status"], why=n["public_why"])) for n in data["nodes"]]
    return dict(data, nodes=figures.withhold(nodes, lambda n: figures.link_cell(track, n["id"]), hidden))


def _without_public(node: dict) -> dict:
    return {k: v for k, v in node.items() if k not in ("public_status", "public_why")}


def targets_for(
    server: ServerState,
    store: Snapshot,
    track: str,
    min_score: float,
    district: str | None,
    link: str | None,
    limit: int,
    lang: str,
) -> list[dict]:
    template_for(track)
    context = context_for(server, store)
    rows = server.cached(store, "targets", (track, lang), lambda: _targets(store, context.area.code, track, lang))
    picked = [
        r
        for r in rows
        if (r["score"] or 0) >= min_score
        and (district is None or r["district_adcode"] == district)
        and (link is None or link in r["links"])
    ]
    return picked[:limit]


def _targets(store: Snapshot, area: str, track: str, lang: str) -> list[dict]:
    """The district's targets as the `targets` command ranks them: with the imported pools and the
    free space of the store's carriers today, their whys in `lang`."""
    from districtlens.commands import chains as chain_commands

    found = chain_commands.targets(
        Context(store=store, actor="web"), chain_commands.FindTargets(track=track, area=area, top=200, lang=lang)
    )
    names = figures.district_names()
    return [dict(row.model_dump(), district=names.get(row.district_adcode or "", row.place)) for row in found.targets]


def carriers_for(server: ServerState, store: Snapshot, who: auth.Principal) -> list[dict]:
    rows = server.cached(store, "carriers", (today(),), lambda: queries.carriers(store, today()))
    if not who.restricted:
        return rows
    # Occupancy of a carrier with one or two tenants is their floor space: only its operator sees it.
    return [
        r
        if may_see_carrier(who, r["carrier_id"]) or not 0 < r["tenants"] < auth.MIN_CELL
        else dict(r, tenants=None, occupied_m2=None, suppressed=True)
        for r in rows
    ]


def allowed_usccs(server: ServerState, store: Snapshot, who: auth.Principal) -> list[str] | None:
    """None: every enterprise; else the codes of the operator's current tenants."""
    if who.sees_all_enterprises:
        return None
    return server.cached(
        store, "tenant-usccs", (who.carriers, today()), lambda: queries.tenant_usccs(store, list(who.carriers), today())
    )


# ---- routes --------------------------------------------------------------------------------------


class Login(BaseModel):
    username: str
    password: str


@router.post("/login", summary="Sign in; sets the session cookie")
def api_login(body: Login, request: Request, response: Response) -> dict[str, Any]:
    # FastAPI reads a JSON body only under Content-Type: application/json, so another site's
    # form or text/plain post (which a browser sends without asking) cannot sign a visitor in.
    principal_ = request.app.state.login(request, body.username, body.password)
    token = request.app.state.sessions.create(principal_, None)
    request.app.state.set_session_cookie(request, response, token)
    return {"username": principal_.username, "role": principal_.role, "carriers": list(principal_.carriers)}


@router.post("/logout", summary="End the session")
def api_logout(request: Request, response: Response, who: Who) -> dict[str, Any]:
    request.app.state.sessions.end(request.cookies.get(auth.SESSION_COOKIE))
    response.delete_cookie(auth.SESSION_COOKIE)
    return {"signed_out": who.username}


@router.get("/me", summary="The signed-in user")
def me(who: Who) -> dict[str, Any]:
    return {
        "username": who.username,
        "role": who.role,
        "carriers": list(who.carriers),
        "permissions": sorted(auth.PERMISSIONS[who.role]),
    }


@router.get("/overview", summary="Headline figures of the district, with trend and rank", response_model=dict[str, Any])
def api_overview(who: Aggregates, store: Reader, server: State) -> Answer:
    return Answer(dict(overview_for(server, store, who), synthetic=synthetic_for(server, store)))


@router.get("/indicators", summary="Every headline indicator with its formula", response_model=dict[str, Any])
def api_indicators(who: Aggregates, store: Reader, server: State) -> Answer:
    data = overview_for(server, store, who)
    return Answer(
        {
            "year": data["year"],
            "indicators": data["indicators"],
            "tracks": data["tracks"],
            "formulas": figures.FORMULAS,
            "synthetic": synthetic_for(server, store),
        }
    )


@router.get(
    "/industries",
    summary="Activities of the district: GB/T divisions, or the classes of one",
    response_model=dict[str, Any],
)
def api_industries(
    who: Aggregates,
    store: Reader,
    server: State,
    division: Annotated[str | None, Query(pattern=r"^\d{2}$", description="Two-digit GB/T division")] = None,
) -> Answer:
    return Answer(industries_for(server, store, who, division))


@router.get(
    "/industry-mix",
    summary="The district's industry mix by GB/T class (the treemap's data)",
    response_model=dict[str, Any],
)
def api_industry_mix(who: Aggregates, store: Reader, server: State) -> Answer:
    return Answer(mix_for(server, store, who))


@router.get(
    "/relatedness",
    summary="The district's present activities and best next ones, with their proximity",
    response_model=dict[str, Any],
)
def api_relatedness(who: Aggregates, store: Reader, server: State) -> Answer:
    return Answer(relatedness_for(server, store, who))


@router.get(
    "/map",
    summary="The city's districts by every measure, the district's zones and carriers",
    response_model=dict[str, Any],
)
def api_map(who: Aggregates, store: Reader, server: State) -> Answer:
    return Answer(dict(map_for(server, store, who), carriers=carriers_for(server, store, who)))


def map_for(server: ServerState, store: Snapshot, who: auth.Principal) -> dict:
    data = server.cached(store, "map", (), lambda: figures.district_map(store))
    if not who.restricted:
        return data
    hidden = hidden_for(server, store)
    return dict(
        data, districts=figures.withhold(data["districts"], lambda d: figures.district_cell(d["adcode"]), hidden)
    )


@router.get("/map/districts.geojson", summary="District polygons of Shanghai (GeoJSON)")
def api_geojson(who: Aggregates) -> dict[str, Any]:
    return figures.refdata.district_polygons()


@router.get("/chains", summary="The chain templates")
def api_chains(who: Aggregates) -> dict[str, Any]:
    return {
        "chains": [{"id": c.id, "version": c.version, "name": dict(c.name)} for c in figures.chain_templates().values()]
    }


@router.get(
    "/chains/{track}", summary="A chain's graph with each link's health in the district", response_model=dict[str, Any]
)
def api_chain(request: Request, track: str, who: Aggregates, store: Reader, server: State) -> Answer:
    return Answer(chain_for(server, store, who, track, language(request)))


@router.get(
    "/chains/{track}/links/{link_id}/firms",
    summary="The district's enterprises in one link",
    response_model=dict[str, Any],
)
def api_link_firms(track: str, link_id: str, who: Enterprises, store: Reader, server: State) -> Answer:
    return Answer({"track": track, "link": link_id, "firms": link_firms_for(server, store, who, track, link_id)})


def link_firms_for(server: ServerState, store: Snapshot, who: auth.Principal, track: str, link_id: str) -> list[dict]:
    template = template_for(track)
    if link_id not in {link.id for link in template.links}:
        raise NotFound("web.unknown_link", link=link_id[:120])
    context = context_for(server, store)
    firms = server.cached(store, "link-firms", (track, link_id), lambda: figures.link_firms(context, template, link_id))
    allowed = allowed_usccs(server, store, who)
    if allowed is not None:
        firms = [f for f in firms if f["uscc"] in set(allowed)]
    return firms


@router.get("/targets/{track}", summary="Ranked enterprises to attract for a chain", response_model=dict[str, Any])
def api_targets(
    request: Request,
    track: str,
    who: Targets,
    store: Reader,
    server: State,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
    district: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    link: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Answer:
    rows = targets_for(server, store, track, min_score, district, link, limit, language(request))
    return Answer({"track": track, "targets": rows, "synthetic": synthetic_for(server, store)})


@router.get("/targets/{track}/export.xlsx", summary="The ranked targets as an Excel file", response_class=Response)
def api_targets_xlsx(
    request: Request,
    track: str,
    who: Targets,
    store: Reader,
    server: State,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
    district: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    link: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    lang = language(request)
    rows = targets_for(server, store, track, min_score, district, link, 200, lang)
    template = template_for(track)
    names = labels.pack_names(server, store)
    fmt = Formatter(lang)
    frame = pl.DataFrame(
        [
            {
                "rank": i,
                "uscc": r["uscc"],
                "name": r["name"],
                "district": r["district"],
                "industry_code": r["industry_code"],
                "links": t("targets.why.list_separator", lang).join(
                    fmt.name(dict(template.link(link_id).name)) for link_id in r["links"]
                ),
                "zone": labels.shown(names, fmt, r["zone_id"]),
                "score": r["score"],
                "why": r["why"],
            }
            for i, r in enumerate(rows, 1)
        ],
        schema={
            "rank": pl.Int64,
            "uscc": pl.String,
            "name": pl.String,
            "district": pl.String,
            "industry_code": pl.String,
            "links": pl.String,
            "zone": pl.String,
            "score": pl.Float64,
            "why": pl.String,
        },
    )
    frame = headed(frame, lang)
    with tempfile.TemporaryDirectory() as folder:
        path = write_table(frame, Path(folder) / f"targets-{track}.xlsx")
        content = path.read_bytes()
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="targets-{track}.xlsx"'},
    )


@router.get(
    "/enterprises",
    summary="Search enterprises by name (zh/en), code or address, with paging",
    response_model=dict[str, Any],
)
def api_enterprises(
    who: Enterprises,
    store: Reader,
    server: State,
    q: Annotated[str, Query(max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Answer:
    total, rows = search_for(server, store, who, q, limit, offset)
    return Answer({"q": q, "total": total, "limit": limit, "offset": offset, "enterprises": rows})


def search_for(
    server: ServerState, store: Snapshot, who: auth.Principal, q: str, limit: int, offset: int
) -> tuple[int, list[dict]]:
    within = allowed_usccs(server, store, who)
    key = (q, limit, offset, None if within is None else tuple(within))
    forms = search_forms(q)  # simplified characters, a short name's marks removed
    return server.cached(
        store,
        "search",
        key,
        lambda: server.search_index(store).find(q, limit=limit, offset=offset, within=within, forms=forms),
    )


def synthetic_for(server: ServerState, store: Snapshot) -> bool:
    return server.cached(store, "synthetic", (), lambda: queries.has_synthetic(store))


@router.get(
    "/enterprises/{uscc}",
    summary="One enterprise: current record, versions and facts with sources",
    response_model=dict[str, Any],
)
def api_enterprise(uscc: str, who: Enterprises, store: Reader, server: State) -> Answer:
    return Answer(profile_for(server, store, who, uscc))


def profile_for(server: ServerState, store: Snapshot, who: auth.Principal, uscc: str) -> dict:
    allowed = allowed_usccs(server, store, who)
    if allowed is not None and uscc not in set(allowed):
        raise Forbidden("web.forbidden.tenant")
    found = server.history(store, uscc)
    if not found["enterprise"]:
        raise NotFound("web.unknown_enterprise", uscc=uscc[:40])
    return {"current": found["enterprise"][-1], "versions": found["enterprise"], "facts": found["facts"]}


@router.get(
    "/carriers", summary="Parks, incubators, maker spaces: space, occupancy, tenants", response_model=dict[str, Any]
)
def api_carriers(who: Aggregates, store: Reader, server: State) -> Answer:
    return Answer({"carriers": carriers_for(server, store, who), "at": today().isoformat()})


@router.get(
    "/carriers/{carrier_id}/tenants", summary="The current tenants of one carrier", response_model=dict[str, Any]
)
def api_tenants(carrier_id: str, who: Tenants, store: Reader, server: State) -> Answer:
    if not may_see_carrier(who, carrier_id):
        raise Forbidden("web.forbidden.carrier")
    return Answer({"carrier_id": carrier_id, "at": today(), "tenants": tenants_for(server, store, carrier_id)})


def tenants_for(server: ServerState, store: Snapshot, carrier_id: str) -> list[dict]:
    """A carrier's current tenants, 404 when there is no such carrier. The carriers' ids are cached
    once per snapshot, so that a cached answer reads nothing and ids asked for in vain take no
    room in the cache."""
    if carrier_id not in server.cached(store, "carrier ids", (), lambda: queries.carrier_ids(store)):
        raise NotFound("web.no_carrier", carrier=carrier_id[:120])
    return server.cached(store, "tenants", (carrier_id, today()), lambda: queries.tenants(store, carrier_id, today()))


def claims_for(server: ServerState, store: Snapshot, who: auth.Principal) -> list[dict]:
    rows = server.cached(store, "claims", (), lambda: figures.claim_results(store))
    if not who.restricted:
        return rows
    # The evidence may list enterprises, and a computed figure is one more sum over firms (of
    # other years, zones, sets) outside the tables disclosure control audits: restricted roles
    # get the quote and the verdict only.
    return [dict(r, evidence={"ledger_head": r["evidence"].get("ledger_head")}, computed=None) for r in rows]


@router.get("/claims", summary="Each public statement beside what the data says", response_model=dict[str, Any])
def api_claims(who: Aggregates, store: Reader, server: State) -> Answer:
    return Answer({"claims": claims_for(server, store, who)})


@router.get(
    "/data", summary="Imports, the ledger's status, and what the server holds in memory", response_model=dict[str, Any]
)
def api_data(who: Data, store: Reader, server: State) -> Answer:
    return Answer({"imports": queries.imports(store), "ledger": queries.ledger_status(store), "held": server.held()})


@router.get("/data/verify", summary="Verify the ledger: the hash chain and every row it vouches for")
def api_verify(who: Data, server: State) -> dict[str, Any]:
    verdict = server.verify_quietly(
        lambda store: ledger_commands.verify(Context(store=store, actor=who.username), ledger_commands.VerifyLedger())
    )
    dumped: dict[str, Any] = ledger_commands.verify.dump(verdict)
    return dumped
