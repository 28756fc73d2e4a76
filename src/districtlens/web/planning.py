"""Leads and scenarios on the dashboard: the leads a role may see, a target saved as a lead (from
the targets page), and what-if scenarios computed (writing nothing) and saved (a ledger entry).

Every write runs the command the CLI runs (commands/leads.py, commands/scenarios.py) on the
server's write connection, from a form carrying the session's CSRF token. A choice the page did
not offer (a target, a carrier, a zone, a chain) is refused in the user's language, and nothing is
written: a form is checked whole before its write begins.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from districtlens.commands import Context
from districtlens.commands import leads as lead_commands
from districtlens.commands import scenarios as scenario_commands
from districtlens.errors import Forbidden, InputError
from districtlens.web import api, auth, figures, labels
from districtlens.web.deps import check_form, language, reader, run_write, state
from districtlens.web.i18n import Formatter
from districtlens.web.pages import page_user, render_page
from districtlens.web.state import ServerState, Snapshot
from districtlens.web.tables import Column, Table, export_response

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
Reader = Annotated[Snapshot, Depends(reader)]
State = Annotated[ServerState, Depends(state)]
Aggregates = Annotated[auth.Principal, page_user("aggregate")]
Targets = Annotated[auth.Principal, page_user("targets")]
MAX_FIELD = 120  # characters of an owner, a name or a choice


def _field(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()[:MAX_FIELD]


# ---- leads -----------------------------------------------------------------------------------


LEAD_COLUMNS = (
    Column("lead_id", "Lead"),
    Column("chain", "Chain"),
    Column("name", "Name", lang_key="name_lang"),
    Column("place", "Where"),
    Column("owner", "Owner"),
    Column("status_label", "Status", translate=True),
    Column("carrier", "Carrier"),
    Column("zone", "Zone"),
    Column("next", "Next step"),
    Column("changed_on", "Changed", "date"),
)


@router.get("/leads")
def leads_page(
    request: Request,
    who: Aggregates,
    store: Reader,
    server: State,
    track: Annotated[str | None, Query(max_length=80)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
):
    """The leads the user may see (an operator: those meant for their carriers; a viewer: none)
    and the funnel by track and status."""
    args = lead_commands.ListLeads(
        role=who.role, carriers=list(who.carriers), track=track or None, status=status or None
    )
    found = lead_commands.list_leads(Context(store=store, actor=who.username), args)
    fmt = Formatter(language(request))
    names = labels.pack_names(server, store)
    carriers = labels.carrier_names(server, store, fmt)
    rows = [
        dict(
            lead.model_dump(),
            chain=labels.shown(names, fmt, lead.track_id),
            name_lang=labels.name_lang(lead.name),
            status_label=f"lead status {lead.status}",
            carrier=carriers.get(lead.carrier_id or "", ""),
            zone=labels.shown(names, fmt, lead.zone_id),
            next=(lead.next_step or "") + (f" ({fmt.date(lead.next_date)})" if lead.next_date else ""),
        )
        for lead in found.leads
    ]
    leads = Table(request, "leads", LEAD_COLUMNS, rows, fmt, default_sort="-changed_on")
    by_track: dict[str, dict[str, Any]] = {}
    for cell in found.funnel:
        row = by_track.setdefault(cell.track_id, {"chain": labels.shown(names, fmt, cell.track_id)})
        row[cell.status] = cell.leads
    funnel_columns = [Column("chain", "Chain")] + [
        Column(s, f"lead status {s}", "number") for s in lead_commands.STATUSES
    ]
    funnel = Table(request, "funnel", funnel_columns, list(by_track.values()), fmt)
    exported = export_response(request, leads, funnel, name="leads")
    if exported is not None:
        return exported
    return render_page(
        request,
        "leads.html",
        store,
        leads=leads,
        funnel=funnel,
        statuses=lead_commands.STATUSES,
        templates=figures.chain_templates(),
        track=track or "",
        status=status or "",
    )


@router.post("/targets/lead")
async def save_lead(request: Request, who: Targets, server: State):
    """Save one of a chain's targets as a lead (`leads.save`), owned by whom the form names and
    meant, optionally, for a carrier and a zone the page offered."""
    form = await check_form(request)
    fields = {name: _field(form, name) for name in ("track", "target", "owner", "carrier", "zone")}
    # The targets are ranked on a worker thread (seconds at a million enterprises when not cached).
    saved = await run_in_threadpool(_save_lead, server, who, Formatter(language(request)), fields)
    return RedirectResponse("/leads?" + urlencode({"leads.q": saved.lead.lead_id}), status_code=303)


def _save_lead(
    server: ServerState, who: auth.Principal, fmt: Formatter, fields: dict[str, str]
) -> lead_commands.LeadSaved:
    track = labels.chosen_chain(fmt, fields["track"])
    carrier, zone = fields["carrier"] or None, fields["zone"] or None
    with server.reader() as store:
        offered = {r["key"]: r for r in api.targets_for(server, store, track, 0.0, None, None, 200, fmt.lang)}
        choices = labels.lead_choices(server, store, who, fmt)
        area = api.context_for(server, store).area.code
        every_carrier = labels.carrier_names(server, store, fmt)
    target = offered.get(fields["target"])
    if target is None:
        chain = fmt.name(dict(figures.chain_templates()[track].name))
        raise InputError("web.target_not_offered", target=fields["target"], chain=chain)
    if carrier is not None and carrier not in choices["carriers"]:
        if carrier in every_carrier:
            raise Forbidden("web.forbidden.carrier")
        raise InputError("web.choice_not_offered", choice=carrier)
    if zone is not None and zone not in choices["zones"]:
        raise InputError("web.choice_not_offered", choice=zone)
    if not fields["owner"]:
        raise InputError("web.owner_missing")
    args = lead_commands.SaveLead(
        track=track,
        area=area,
        target_key=target["key"],
        name=target["name"],
        place=target["place"],
        mode=target["mode"],
        owner=fields["owner"],
        carrier=carrier,
        zone=zone,
    )
    return run_write(server, lead_commands.save, args, who.username)


# ---- scenarios -------------------------------------------------------------------------------


LINK_CHANGE_COLUMNS = (
    Column("shown_name", "Link"),
    Column("enterprises_before", "Firms before", "number"),
    Column("enterprises_after", "Firms after", "number"),
    Column("lq_before", "LQ before", "decimal"),
    Column("lq_after", "LQ after", "decimal"),
    Column("status_before_label", "Status before", translate=True),
    Column("status_after_label", "Status after", translate=True),
)
AREA_CHANGE_COLUMNS = (
    Column("side", "Scenario"),
    Column("eci", "ECI", "decimal"),
    Column("diversity", "Classes held", "number"),
    Column("chain_density", "Chain density", "decimal"),
)
SAVED_COLUMNS = (
    Column("scenario_id", "Scenario"),
    Column("name", "Name"),
    Column("chain", "Chain"),
    Column("targets", "Targets", "number"),
    Column("firms", "Hypothetical firms", "number"),
    Column("ledger_seq", "Entry", "number"),
)


def offered_targets(server: ServerState, store: Snapshot, track: str, fmt: Formatter) -> dict[str, str]:
    """The registry firms the scenario page offers to bring in: the chain's ranked targets with a
    credit code (uscc -> name)."""
    rows = api.targets_for(server, store, track, 0.0, None, None, 200, fmt.lang)
    return {r["uscc"]: f"{r['name']} ({r['uscc']})" for r in rows if r["uscc"] and r["source"] == "registry"}


def _scenario_args(
    server: ServerState, store: Snapshot, fmt: Formatter, track: str, firms: list[str], targets: list[str]
) -> scenario_commands.ScenarioArgs:
    """The scenario a form asks for, in the pack's district: each target one the page offered."""
    offered = offered_targets(server, store, track, fmt)
    for uscc in targets:
        if uscc not in offered:
            chain = fmt.name(dict(figures.chain_templates()[track].name))
            raise InputError("web.target_not_offered", target=uscc, chain=chain)
    return scenario_commands.ScenarioArgs(
        track=track,
        area=api.context_for(server, store).area.code,
        firms=[scenario_commands.Firm.from_spec(spec) for spec in firms],
        targets=targets,
    )


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
    registry targets, before and after. Computing writes nothing; saving is a form of its own."""
    fmt = Formatter(language(request))
    templates = figures.chain_templates()
    track = labels.chosen_chain(fmt, track or None)
    firms = [spec.strip() for spec in firm or [] if spec.strip()]
    targets = [t.strip() for t in target or [] if t.strip()]
    links = areas = None
    if firms or targets:
        args = _scenario_args(server, store, fmt, track, firms, targets)
        result = scenario_commands.compute(Context(store=store, actor=who.username), args)
        link_rows = [
            dict(
                link.model_dump(),
                shown_name=fmt.name(link.name),
                status_before_label=f"link status {link.status_before}",
                status_after_label=f"link status {link.status_after}",
            )
            for link in result.links
        ]
        links = Table(request, "scenario", LINK_CHANGE_COLUMNS, link_rows, fmt)
        area_rows = [
            dict(side.model_dump(), side=fmt.gettext(label))
            for label, side in (("Before", result.before), ("After", result.after))
        ]
        areas = Table(request, "scenario-area", AREA_CHANGE_COLUMNS, area_rows, fmt)
    saved = saved_table(request, store, server, fmt)
    exported = export_response(request, *(t for t in (links, areas, saved) if t is not None), name="scenario")
    if exported is not None:
        return exported
    return render_page(
        request,
        "scenario.html",
        store,
        templates=templates,
        track=track,
        firms=firms,
        targets=targets,
        offered=offered_targets(server, store, track, fmt),
        links=links,
        areas=areas,
        saved=saved,
    )


def saved_table(request: Request, store: Snapshot, server: ServerState, fmt: Formatter) -> Table:
    names = labels.pack_names(server, store)
    rows = [
        dict(
            s.model_dump(),
            chain=labels.shown(names, fmt, s.track_id),
            targets=len(s.definition.get("targets") or []),
            firms=len(s.definition.get("firms") or []),
        )
        for s in scenario_commands.list_scenarios(
            Context(store=store, actor="web"), scenario_commands.ListScenarios()
        ).scenarios
    ]
    return Table(request, "saved", SAVED_COLUMNS, rows, fmt, default_sort="-ledger_seq")


@router.post("/scenario/save")
async def save_scenario(request: Request, who: Targets, server: State):
    """Save the scenario the page computed (`scenario.save`: one ledger entry)."""
    form = await check_form(request)
    name, track = _field(form, "name"), _field(form, "track")
    firms = [str(f).strip()[:MAX_FIELD] for f in form.getlist("firm") if str(f).strip()]
    targets = [str(t).strip()[:MAX_FIELD] for t in form.getlist("target") if str(t).strip()]
    saved = await run_in_threadpool(
        _save_scenario, server, who, Formatter(language(request)), name, track, firms, targets
    )
    query = [("track", track), *(("firm", f) for f in firms), *(("target", t) for t in targets)]
    query.append(("saved.q", saved.scenario_id))
    return RedirectResponse("/scenario?" + urlencode(query), status_code=303)


def _save_scenario(
    server: ServerState,
    who: auth.Principal,
    fmt: Formatter,
    name: str,
    track: str,
    firms: list[str],
    targets: list[str],
) -> scenario_commands.ScenarioSaved:
    labels.chosen_chain(fmt, track)
    if not name:
        raise InputError("web.scenario_name_missing")
    with server.reader() as store:
        computed = _scenario_args(server, store, fmt, track, firms, targets)
    args = scenario_commands.SaveScenario(**computed.model_dump(), name=name)
    return run_write(server, scenario_commands.save, args, who.username)
