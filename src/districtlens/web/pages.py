"""The dashboard's server-rendered pages. Each reads through the same functions as the API
(api.py) under the same access rules; charts get their data as JSON blocks read by dashboard.js."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from districtlens.chains.placement import said_rule
from districtlens.chains.templates import STAGES
from districtlens.claims.session import Reason
from districtlens.commands import Context
from districtlens.commands import ledger as ledger_commands
from districtlens.commands import statistics as statistics_commands
from districtlens.errors import Forbidden, said
from districtlens.i18n import t
from districtlens.store import places
from districtlens.store import statistics as stored_statistics
from districtlens.store import web_queries as queries
from districtlens.web import api, auth, figures, labels
from districtlens.web.deps import LoginRequired, check_form, language, may_see_carrier, reader, session, state, today
from districtlens.web.i18n import MONEY_MEASURES, Formatter
from districtlens.web.profile import profile_extras
from districtlens.web.render import render
from districtlens.web.state import ServerState, Snapshot
from districtlens.web.tables import EXPORT_LIMIT, MAX_PAGE, Column, Table, export_response, page_size

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
Reader = Annotated[Snapshot, Depends(reader)]
State = Annotated[ServerState, Depends(state)]


def page_user(permission: str):
    def check(request: Request) -> auth.Principal:
        current = session(request)
        if current is None:
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(path)
        if not current.principal.may(permission):
            raise Forbidden("web.forbidden.page", role={"key": current.principal.role})
        return current.principal

    return Depends(check)


Aggregates = Annotated[auth.Principal, page_user("aggregate")]
Enterprises = Annotated[auth.Principal, page_user("enterprise")]
Targets = Annotated[auth.Principal, page_user("targets")]
Data = Annotated[auth.Principal, page_user("data")]


def render_page(request: Request, name: str, store: Snapshot, **context: Any) -> HTMLResponse:
    """A dashboard page of the store `store`, marked synthetic when its data are."""
    return render(request, name, synthetic=api.synthetic_for(state(request), store), **context)


@router.get("/")
def overview(request: Request, who: Aggregates, store: Reader, server: State):
    data = api.overview_for(server, store, who)
    fmt = Formatter(language(request))
    tracks = _track_table(request, fmt, data.get("tracks") or [], href="/industries#table-tracks")
    exported = export_response(request, tracks, name="overview")
    if exported is not None:
        return exported
    return render_page(request, "overview.html", store, data=data, tracks=tracks)


TRACK_COLUMNS = (
    Column("shown_name", "Track", link="href"),
    Column("enterprises", "enterprises", "number"),
    Column("revenue", "revenue", "money"),
    Column("employees", "employees", "number"),
    Column("growth", "Growth", "percent"),
    Column("lq", "LQ", "decimal"),
    Column("rank_peers", "Rank among peers", "number"),
    Column("peers", "Peers", "number"),
)


def _track_table(request: Request, fmt: Formatter, tracks: list[dict], href: str | None = None) -> Table:
    """The district's industry tracks (overview and industries alike)."""
    rows = [
        dict(
            r,
            shown_name=fmt.name(r["names"]),
            href=href,
            suppressed_keys=("enterprises",) if r.get("suppressed") else (),
        )
        for r in tracks
    ]
    return Table(
        request, "tracks", TRACK_COLUMNS, rows, fmt, row_class=lambda r: "suppressed-row" if r.get("suppressed") else ""
    )


@router.get("/industries")
def industries(
    request: Request,
    who: Aggregates,
    store: Reader,
    server: State,
    division: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    mix: Annotated[str, Query(pattern="^(revenue|enterprises)$")] = "revenue",
):
    data = api.industries_for(server, store, who, division)
    fmt = Formatter(language(request))
    rows = [
        dict(
            r,
            href=None if division else f"/industries?division={r['code']}",
            suppressed_keys=("enterprises",) if r.get("suppressed") else (),
        )
        for r in data["rows"]
    ]
    table = Table(request, "activities", ACTIVITY_COLUMNS, rows, fmt)
    tracks = _track_table(request, fmt, data.get("tracks") or [])
    exported = export_response(request, table, tracks, name="industries")
    if exported is not None:
        return exported
    pictures = {} if division else industry_pictures(server, store, who, fmt, mix)
    return render_page(request, "industries.html", store, data=data, table=table, tracks=tracks, mix=mix, **pictures)


def industry_pictures(server: ServerState, store: Snapshot, who: auth.Principal, fmt: Formatter, mix: str) -> dict:
    """The treemap of the district's industry mix (by `mix`) and the relatedness network."""
    rows = api.mix_for(server, store, who)["rows"]
    converted = [dict(r, **{mix: fmt.chart_values(mix, [r[mix]])[0]}) for r in rows]
    unit = fmt.unit_of(mix)
    measure_name = f"{fmt.gettext(mix)} ({unit})" if unit else fmt.gettext(mix)
    shown = [r for r in converted if not r.get("suppressed") and r[mix]]
    treemap = {
        "kind": "treemap",
        "name": measure_name,
        "tree": figures.mix_tree(converted, mix),
        "csv": {
            "header": [fmt.gettext("Section"), fmt.gettext("Division"), fmt.gettext("Class"), measure_name],
            "rows": [[r["section"], r["division"], r["code"], r[mix]] for r in shown],
        },
    }
    network = api.relatedness_for(server, store, who)
    present, candidate = fmt.gettext("Present (RCA ≥ 1)"), fmt.gettext("Next (highest density)")
    relatedness = {
        "kind": "network",
        "categories": [present, candidate],
        "nodes": [
            {
                "id": n["code"],
                "name": f"{n['code']} {n['name']}",
                "category": 0 if n["present"] else 1,
                "density": round(n["density"], 3),
                "rca": round(n["rca"], 2),
            }
            for n in network["nodes"]
        ],
        "edges": network["edges"],
        "tooltip": {"rca": fmt.gettext("RCA"), "density": fmt.gettext("Relatedness density")},
        "csv": {
            "header": [
                fmt.gettext("Code"),
                fmt.gettext("Activity"),
                fmt.gettext("RCA"),
                fmt.gettext("Relatedness density"),
                fmt.gettext("Present (RCA ≥ 1)"),
            ],
            "rows": [
                [
                    n["code"],
                    n["name"],
                    round(n["rca"], 4),
                    round(n["density"], 4),
                    fmt.gettext("yes" if n["present"] else "no"),
                ]
                for n in network["nodes"]
            ],
        },
    }
    hidden = sum(1 for r in rows if r.get("suppressed"))
    return {"treemap": treemap, "relatedness": relatedness, "hidden_classes": hidden}


ACTIVITY_COLUMNS = (
    Column("code", "Code", link="href"),
    Column("name", "Activity"),
    Column("enterprises", "enterprises", "number"),
    Column("revenue", "revenue", "money"),
    Column("employees", "employees", "number"),
    Column("growth", "Growth", "percent"),
    Column("lq", "LQ", "decimal"),
    Column("pci", "Complexity", "decimal"),
)


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
    fmt = Formatter(language(request))
    home = data["pack"]["adcode"] if data.get("pack") else None
    values = fmt.chart_values(measure, [d[measure] for d in data["districts"]])
    unit = fmt.unit_of(measure)
    district_columns = (
        Column("name", "District"),
        Column("adcode", "Code"),
        Column(measure, measure, "money" if measure in MONEY_MEASURES else "number"),
    )
    table = Table(
        request,
        "districts",
        district_columns,
        data["districts"],
        fmt,
        row_class=lambda r: "home" if r["adcode"] == home else "",
    )
    names = labels.pack_names(server, store)
    zone_rows = [
        dict(z, shown_name=fmt.name(z["names"]), orientations=labels.listed(names, fmt, z["orientation"]))
        for z in data["zones"]
    ]
    carriers = [dict(c, zone=labels.shown(names, fmt, c["zone_id"])) for c in carriers]
    zones = Table(request, "zones", ZONE_COLUMNS, zone_rows, fmt)
    exported = export_response(request, table, zones, name="map")
    if exported is not None:
        return exported
    return render_page(
        request,
        "map.html",
        store,
        table=table,
        zones=zones,
        data=data,
        carriers=carriers,
        measure=measure,
        map_data={
            "geojson": geojson,
            "measure": measure,
            "legend": f"{fmt.gettext(measure)} ({unit})" if unit else fmt.gettext(measure),
            "carriers_name": fmt.gettext("Carriers"),
            "zones_name": fmt.gettext("Functional zones"),
            # Zones where the pack gives a position (lon/lat): labelled points.
            "zones": [
                {"name": fmt.name(z["names"]), "value": [z["lon"], z["lat"], z["enterprises"]]}
                for z in data["zones"]
                if z.get("lon") is not None and z.get("lat") is not None
            ],
            "values": [
                {"name": d["name"], "adcode": d["adcode"], "value": v, "home": d["adcode"] == home}
                for d, v in zip(data["districts"], values, strict=True)
            ],
            "carriers": [
                {
                    "name": fmt.name({"zh": c["name_zh"], "en": c["name_en"], "fr": c["name_fr"]}),
                    "value": [c["lon"], c["lat"]],
                }
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
    fmt = Formatter(language(request))
    track = labels.chosen_chain(fmt, track)
    graph = api.chain_for(server, store, who, track, fmt.lang)
    firms = None
    if link and who.may("enterprise"):
        firms = api.link_firms_for(server, store, who, track, link)
    statuses = {s: fmt.gettext(s) for s in ("missing", "weak", "present", "strong")}
    links = Table(
        request,
        "links",
        LINK_COLUMNS,
        [
            dict(
                n,
                shown_name=fmt.name(n["name"]),
                shown_status=statuses.get(n["status"], n["status"]),
                href=f"/chains?track={track}&link={n['id']}#firms" if who.may("enterprise") else None,
                suppressed_keys=("status", "enterprises") if n.get("suppressed") else (),
            )
            for n in graph["nodes"]
        ],
        fmt,
        row_class=lambda r: f"status-{r['status']}",
    )
    firm_table = None
    if firms is not None:
        firm_rows = [
            dict(
                f,
                href=f"/enterprises/{f['uscc']}",
                name_lang="zh",
                placed_by=said_rule(f["rule"], f["rule_value"], fmt.lang),
            )
            for f in firms
        ]
        firm_table = Table(request, "firms", FIRM_COLUMNS, firm_rows, fmt, testid="link-firms")
    exported = export_response(request, links, *([firm_table] if firm_table else []), name=f"chain-{track}")
    if exported is not None:
        return exported
    link_name = next((r["shown_name"] for r in links.matching if r["id"] == link), link)
    return render_page(
        request,
        "chains.html",
        store,
        templates=templates,
        track=track,
        graph=graph,
        statuses=statuses,
        links=links,
        link=link,
        link_name=link_name,
        firms=firm_table,
        labels=[fmt.name(node["name"]) for node in graph["nodes"]],
        stages=[{"id": s, "name": fmt.gettext(s)} for s in STAGES],
        stage_names=[fmt.gettext(node["stage"]) for node in graph["nodes"]],
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
    fmt = Formatter(language(request))
    track = labels.chosen_chain(fmt, track)
    rows = api.targets_for(server, store, track, min_score, district or None, None, 200, fmt.lang)
    template = templates[track]
    shown = [
        dict(
            r,
            rank=i,
            mode_label=f"target mode {r['mode']}",
            href=f"/enterprises/{r['uscc']}" if r["uscc"] and r["source"] == "registry" else None,
            name_lang=labels.name_lang(r["name"]),
            link_names=", ".join(fmt.name(dict(template.link(link).name)) for link in r["links"]),
        )
        for i, r in enumerate(rows, 1)
    ]
    table = Table(request, "targets", TARGET_COLUMNS, shown, fmt)
    exported = export_response(request, table, name=f"targets-{track}")
    if exported is not None:
        return exported
    return render_page(
        request,
        "targets.html",
        store,
        templates=templates,
        track=track,
        table=table,
        min_score=min_score,
        district=district or "",
        districts=figures.district_names(),
        lead_choices=labels.lead_choices(server, store, who, fmt),
    )


ZONE_COLUMNS = (
    Column("shown_name", "Zone"),
    Column("role", "Role", translate=True),
    Column("orientations", "Orientation"),
    Column("enterprises", "enterprises", "number"),
)


def _superseded(row: dict) -> str:
    return "superseded" if row["valid_to"] else ""


FACT_COLUMNS = (
    Column("year", "Year"),
    Column("version", "version"),
    Column("revenue", "revenue", "money"),
    Column("tax", "tax", "money"),
    Column("employees", "employees", "number"),
    Column("rd_spend", "rd_spend", "money"),
    Column("source", "Source"),
    Column("valid_from", "Valid from", "date"),
    Column("valid_to", "Valid to", "date"),
)
LEASE_COLUMNS = (
    Column("carrier", "Carrier", link="href"),
    Column("use", "Use", translate=True),
    Column("area_m2", "Area", "area"),
    Column("lease_start", "Lease start", "date"),
    Column("lease_end", "Lease end", "date"),
)
VERSION_COLUMNS = (
    Column("version", "version"),
    Column("name", "Name"),
    Column("address", "Address"),
    Column("industry_code", "Industry"),
    Column("status", "Status", translate=True),
    Column("source", "Source"),
    Column("valid_from", "Valid from", "date"),
    Column("valid_to", "Valid to", "date"),
)
LINK_COLUMNS = (
    Column("shown_name", "Link", link="href"),
    Column("stage", "Stage", translate=True),
    Column("shown_status", "Status"),
    Column("enterprises", "enterprises", "number"),
    Column("revenue", "revenue", "money"),
    Column("growth", "Growth", "percent"),
    Column("lq", "LQ", "decimal"),
    Column("why", "Why"),
)
FIRM_COLUMNS = (
    Column("name", "Name", link="href", lang_key="name_lang"),
    Column("uscc", "Code"),
    Column("industry_code", "Industry"),
    Column("placed_by", "Placed by"),
    Column("revenue", "revenue", "money"),
    Column("employees", "employees", "number"),
)
TARGET_COLUMNS = (
    Column("rank", "Rank", "number"),
    Column("mode_label", "Mode", translate=True),
    Column("name", "Name", link="href", lang_key="name_lang"),
    Column("district", "Where"),
    Column("uscc", "Code"),
    Column("industry_code", "Industry"),
    Column("link_names", "Links filled"),
    Column("score", "Score", "decimal"),
    Column("why", "Why"),
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
            raise Forbidden("web.forbidden.carrier")
        tenants = api.tenants_for(server, store, carrier)
    fmt = Formatter(language(request))
    names = labels.pack_names(server, store)
    carrier_table = Table(
        request,
        "carriers",
        CARRIER_COLUMNS,
        [dict(_carrier_row(who, fmt, r), zone=labels.shown(names, fmt, r["zone_id"])) for r in rows],
        fmt,
    )
    tenant_table = None
    if tenants is not None:
        tenant_rows = [
            dict(t, shown_name=t["name"] or t["tenant_name"], href=_enterprise_href(t), name_lang="zh") for t in tenants
        ]
        tenant_table = Table(request, "tenants", TENANT_COLUMNS, tenant_rows, fmt)
    exported = export_response(request, carrier_table, *([tenant_table] if tenant_table else []), name="carriers")
    if exported is not None:
        return exported
    return render_page(
        request,
        "carriers.html",
        store,
        table=carrier_table,
        tenant_table=tenant_table,
        carrier=carrier,
        # Named from every carrier, not the table's filtered page: a raw id is never shown.
        carrier_name=next(
            (
                fmt.name({"zh": r["name_zh"], "en": r["name_en"], "fr": r["name_fr"]})
                for r in rows
                if r["carrier_id"] == carrier
            ),
            "",
        ),
        today=today(),
    )


CARRIER_COLUMNS = (
    Column("name", "Carrier", link="href"),
    Column("kind", "Kind"),
    Column("zone", "Zone"),
    Column("capacity", "Floor space", "area"),
    Column("occupied_m2", "Occupied", "area"),
    Column("occupancy", "Occupancy", "percent"),
    Column("tenants", "Tenants", "number"),
    Column("position", "Position"),
    Column("space", "Space", link="space_href", exported=False),
)
TENANT_COLUMNS = (
    Column("shown_name", "Name", link="href", lang_key="name_lang"),
    Column("uscc", "Code"),
    Column("tenant_status", "Status", translate=True),
    Column("area_m2", "Area", "area"),
    Column("lease_start", "Lease start", "date"),
    Column("lease_end", "Lease end", "date"),
    Column("revenue", "revenue", "money"),
    Column("employees", "employees", "number"),
)


def _enterprise_href(tenant: dict) -> str | None:
    return f"/enterprises/{tenant['uscc']}" if tenant["uscc"] else None


def _carrier_row(who: auth.Principal, fmt: Formatter, row: dict) -> dict:
    """A carrier as its table shows it: names in the language, a link to its tenants and space."""
    capacity = row["capacity_m2"] if row["capacity_m2"] is not None else row["floor_space_m2"]
    sees_tenants = who.may("tenants") and may_see_carrier(who, row["carrier_id"])
    kind = fmt.gettext(row["kind"]) + (f" · {fmt.gettext(row['level'])}" if row["level"] else "")
    return dict(
        row,
        name=fmt.name({"zh": row["name_zh"], "en": row["name_en"], "fr": row["name_fr"]}),
        href=f"/carriers?carrier={row['carrier_id']}#tenants" if sees_tenants else None,
        kind=kind + (f" · {fmt.gettext('synthetic')}" if row["synthetic"] else ""),
        capacity=capacity,
        occupancy=row["occupied_m2"] / capacity if capacity and row["occupied_m2"] is not None else None,
        position=f"{row['lat']:.4f}, {row['lon']:.4f}" if row["lon"] is not None else fmt.gettext("no position"),
        space=fmt.gettext("Space") + " →" if may_see_carrier(who, row["carrier_id"]) else "",
        space_href=f"/space?carrier={row['carrier_id']}" if may_see_carrier(who, row["carrier_id"]) else None,
        suppressed_keys=("occupied_m2", "occupancy", "tenants") if row.get("suppressed") else (),
    )


@router.get("/enterprises")
def enterprises(
    request: Request,
    who: Enterprises,
    store: Reader,
    server: State,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(alias="enterprises.page", ge=1, le=MAX_PAGE)] = 1,
):
    fmt = Formatter(language(request))
    exporting = request.query_params.get("export") == "enterprises"
    # Unsorted, a search is in its own order (relevance) and the server pages it; sorted by a
    # column, its first EXPORT_LIMIT matches are sorted, filtered and paged as any table's rows.
    sorting = bool(request.query_params.get("enterprises.sort"))
    size = page_size(request.query_params, "enterprises")
    limit, offset = (EXPORT_LIMIT, 0) if exporting or sorting else (size, (page - 1) * size)
    total, rows = api.search_for(server, store, who, q, limit, offset)
    shown = [
        dict(
            r,
            href=f"/enterprises/{r['uscc']}",
            name_lang="zh",
            shown_name=r["name"] + (f" ({fmt.gettext('synthetic')})" if r.get("synthetic") else ""),
        )
        for r in rows
    ]
    table = Table(request, "enterprises", ENTERPRISE_COLUMNS, shown, fmt, total=None if sorting else total)
    exported = export_response(request, table, name="enterprises")
    if exported is not None:
        return exported
    return render_page(request, "enterprises.html", store, q=q, total=total, table=table, sorted_first=EXPORT_LIMIT)


ENTERPRISE_COLUMNS = (
    Column("shown_name", "Name", link="href", lang_key="name_lang"),
    Column("name_en", "English name"),
    Column("uscc", "Code"),
    Column("address", "Address"),
    Column("industry_code", "Industry"),
)


@router.get("/enterprises/{uscc}")
def enterprise(request: Request, uscc: str, who: Enterprises, store: Reader, server: State):
    profile = api.profile_for(server, store, who, uscc)
    fmt = Formatter(language(request))
    facts = Table(request, "facts", FACT_COLUMNS, profile["facts"], fmt, row_class=_superseded)
    versions = Table(request, "versions", VERSION_COLUMNS, profile["versions"], fmt, row_class=_superseded)
    extras = profile_extras(server, store, who, profile, fmt)
    zone = labels.shown(labels.pack_names(server, store), fmt, profile["current"].get("zone_id"))
    lease_rows = [dict(t, href=f"/space?carrier={t['carrier_id']}") for t in extras["tenancies"]]
    leases = Table(request, "leases", LEASE_COLUMNS, lease_rows, fmt, testid="tenancies")
    exported = export_response(request, facts, versions, leases, name=f"enterprise-{uscc}")
    if exported is not None:
        return exported
    return render_page(
        request,
        "enterprise.html",
        store,
        profile=profile,
        facts=facts,
        versions=versions,
        leases=leases,
        extras=extras,
        zone=zone,
        series={"facts": [f for f in profile["facts"] if f["valid_to"] is None]},
    )


@router.get("/claims")
def claims(request: Request, who: Aggregates, store: Reader, server: State):
    fmt = Formatter(language(request))
    rows = [_claim_row(fmt, c) for c in api.claims_for(server, store, who)]
    table = Table(
        request, "claims", CLAIM_COLUMNS, rows, fmt, row_class=lambda r: f"verdict-{r['status'].replace(' ', '-')}"
    )
    exported = export_response(request, table, name="claims")
    if exported is not None:
        return exported
    return render_page(request, "claims.html", store, table=table)


CLAIM_COLUMNS = (
    Column("statement", "Statement", lang_key="statement_lang"),
    Column("original", "Original", lang_key="quote_lang"),
    Column("asserted_text", "Asserted"),
    Column("data_says", "The data says"),
    Column("status", "Verdict", translate=True),
)


def _claim_row(fmt: Formatter, claim: dict) -> dict:
    """A claim as its table shows it: the statement in the user's language (the original beside it
    when that is another), what it asserts, what the data says and the verdict."""
    translated = (claim.get("translations") or {}).get(fmt.lang)
    asserted = claim.get("asserted")
    computed = claim.get("computed")
    if isinstance(computed, int | float) and not isinstance(computed, bool):
        says = fmt.number(computed, 2 if isinstance(computed, float) and computed < 10 else 0)
    else:
        says = "–" if computed is None else str(computed)
    said = (claim.get("evidence") or {}).get("reason_said")
    reason = Reason.from_json(said).text(fmt.lang) if said else None
    return dict(
        claim,
        statement=translated or claim["quote"],
        statement_lang=fmt.lang if translated else claim["quote_lang"],
        original=claim["quote"] if translated and fmt.lang != claim["quote_lang"] else None,
        asserted_text=_asserted_text(fmt, claim.get("comparison") or "none", asserted),
        data_says=f"{says} — {reason}" if reason else says,
    )


def _asserted_text(fmt: Formatter, comparison: str, asserted: dict | None) -> str:
    """What a claim asserts, said in the reader's language: its comparison, figure and unit."""
    if not isinstance(asserted, dict) or comparison == "none":
        return t("claims.asserted.none", fmt.lang)
    value = asserted.get("value")
    if value is None:
        return t(f"claims.asserted.{comparison}_unstated", fmt.lang)
    figure = fmt.number(value, 2 if isinstance(value, float) and not value.is_integer() else 0)
    unit = asserted.get("unit")
    return t(f"claims.asserted.{comparison}", fmt.lang, value=figure, unit=fmt.gettext(unit) if unit else "").strip()


@router.get("/data")
def data(request: Request, who: Data, store: Reader, server: State):
    tables = _data_tables(request, store, who, server, path="")
    exported = export_response(request, *tables["every"], name="data")
    if exported is not None:
        return exported
    return render_page(request, "data.html", store, held=server.held(), verdict=None, **tables)


LEDGER_COLUMNS = (
    Column("seq", "Entry", "number"),
    Column("ts", "Time", "date"),
    Column("actor", "Actor", "code"),
    Column("action", "Action"),
    Column("short_hash", "Hash", "code"),
)
IMPORT_COLUMNS = (
    Column("name", "Source", "code"),
    Column("kind", "Kind", translate=True),
    Column("file_name", "File"),
    Column("imported_at", "Time", "date"),
    Column("inserted", "inserted", "number"),
    Column("updated", "updated", "number"),
    Column("unchanged", "unchanged", "number"),
    Column("rejected", "rejected", "number"),
    Column("rows_written", "Rows written"),
)
RECONCILIATION_COLUMNS = (
    Column("indicator", "Published indicator", lang_key="indicator_lang"),
    Column("unit_label", "Unit"),
    Column("published", "Published", "decimal"),
    Column("registry", "Registry", "decimal"),
    Column("coverage", "Coverage", "percent"),
    Column("gap_points", "Gap (points)", "decimal"),
    Column("note_text", "Note"),
    Column("source", "Source", link="source_href"),
)


def _data_tables(
    request: Request, store: Snapshot, who: auth.Principal, server: ServerState, path: str
) -> dict[str, Any]:
    """The data page's tables: the ledger's latest entries, the imports, and per pack district
    with published statistics the registry beside them (`every`: all of them, for the export).
    `path`: where their links go (the page itself, or /data from the verification's answer)."""
    fmt = Formatter(language(request))
    ledger = queries.ledger_status(store)
    ledger_table = Table(
        request,
        "ledger",
        LEDGER_COLUMNS,
        [
            dict(e, short_hash=e["hash"][:16], action=ledger_commands.action_label(e["action"], fmt.lang))
            for e in ledger["latest"]
        ],
        fmt,
        default_sort="-seq",
        path=path,
    )
    import_rows = [
        dict(
            i,
            **i["counts"],
            rows_written=", ".join(
                f"{t(f'ledger.table.{table}', fmt.lang)}: {fmt.number(n)}" for table, n in sorted(i["rows"].items())
            ),
        )
        for i in queries.imports(store)
    ]
    imports = Table(request, "imports", IMPORT_COLUMNS, import_rows, fmt, path=path)
    reconciliations = [
        dict(r, table=_reconciliation_table(request, fmt, r, path)) for r in _reconciliations(store, who, server)
    ]
    return {
        "ledger": ledger,
        "ledger_table": ledger_table,
        "imports": imports,
        "reconciliations": reconciliations,
        "every": [ledger_table, imports, *(r["table"] for r in reconciliations)],
        "message": lambda m: said(m, fmt.lang),
    }


def _reconciliation_table(request: Request, fmt: Formatter, reconciliation: dict, path: str) -> Table:
    rows = [
        dict(
            f,
            indicator_lang="zh",  # as published
            unit_label=t(statistics_commands.UNIT_KEYS[f["unit"]], fmt.lang),
            note_text=t(f["note"]["key"], fmt.lang, **f["note"]["values"]) if f["note"] else None,
            source=f["source_doc"] or f["source_url"],
            source_href=f["source_url"] if (f["source_url"] or "").startswith("http") else None,
        )
        for f in reconciliation["figures"]
    ]
    return Table(
        request,
        f"reconciliation-{reconciliation['area']}",
        RECONCILIATION_COLUMNS,
        rows,
        fmt,
        testid="reconciliation",
        path=path,
    )


def _reconciliations(store: Snapshot, who: auth.Principal, server: ServerState) -> list[dict[str, Any]]:
    """The registry beside the published statistics of each pack district that has some."""

    def compute() -> list[Any]:
        context = Context(store=store, actor=who.username)
        return [
            statistics_commands.reconcile.dump(
                statistics_commands.reconcile(context, statistics_commands.Reconcile(area=adcode))
            )
            for adcode in sorted(places.district_names(store))
            if stored_statistics.published_years(store, adcode)
        ]

    return server.cached(store, "reconciliations", (), compute)


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
    problem = ledger_commands.problem_said(verdict, language(request))
    with server.reader() as store:
        tables = _data_tables(request, store, who, server, path="/data")
        return render_page(request, "data.html", store, held=server.held(), verdict=verdict, problem=problem, **tables)
