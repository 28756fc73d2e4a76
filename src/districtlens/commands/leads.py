"""Leads: targets the Commission works on, from a first contact to landed (or dropped).

`leads.save` makes a lead of a target (with its owner, and optionally the carrier or zone it is
meant for); `leads.update` moves it on (status, owner, dates, notes, next step); `leads.list`
shows the leads a reader may see, with the funnel by track and status, and can export them.
Every change is a new version of the lead and one ledger entry.

Who sees what (`visible`): admins and analysts every lead; an operator the leads meant for one of
their carriers; a viewer none.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
from pydantic import BaseModel, Field

from districtlens.chains.templates import get_template
from districtlens.commands.base import Args, Context, command
from districtlens.errors import InputError, NotFound, UsageError
from districtlens.export import write_table
from districtlens.store import leads as stored

STATUSES = ("new", "contacted", "visited", "negotiating", "signed", "landed", "dropped")
ROLES_SEEING_ALL = ("admin", "analyst")
EXPORT_SUFFIXES = (".csv", ".xlsx")


class Lead(BaseModel):
    lead_id: str
    version: int
    track_id: str
    area: str
    target_key: str
    name: str
    place: str | None
    mode: str | None
    owner: str
    status: str
    carrier_id: str | None
    zone_id: str | None
    next_step: str | None
    next_date: date | None
    note: str | None
    changed_on: date
    ledger_seq: int


class LeadSaved(BaseModel):
    lead: Lead


class SaveLead(Args):
    """A target (its key, name, where it is and mode, as `targets` gave them) saved as a lead of
    `track` for `area`, owned by `owner`."""

    track: str
    area: str
    target_key: str = Field(min_length=1)
    name: str = Field(min_length=1)
    place: str | None = None
    mode: str | None = None
    owner: str = Field(min_length=1)
    status: str = "new"
    carrier: str | None = None
    zone: str | None = None
    next_step: str | None = None
    next_date: date | None = None
    note: str | None = None
    on: date | None = None


@command("leads.save", writes=True)
def save(ctx: Context, args: SaveLead) -> LeadSaved:
    """Save a target as a new lead (one ledger entry)."""
    get_template(args.track)
    _check_status(args.status)
    lead_id = f"lead-{stored.next_lead_number(ctx.store):05d}"
    row = {
        "lead_id": lead_id,
        "track_id": args.track,
        "area": args.area,
        "target_key": args.target_key,
        "name": args.name,
        "place": args.place,
        "mode": args.mode,
        "owner": args.owner,
        "status": args.status,
        "carrier_id": args.carrier,
        "zone_id": args.zone,
        "next_step": args.next_step,
        "next_date": args.next_date,
        "note": args.note,
        "changed_on": args.on or date.today(),
    }
    stored.write_lead(ctx.store, row, action="leads.save", actor=ctx.actor)
    return LeadSaved(lead=_lead(stored.lead_history(ctx.store, lead_id).row(-1, named=True)))


class UpdateLead(Args):
    """A change to a lead: each field given replaces the lead's; `on` is the day of the change."""

    lead: str
    status: str | None = None
    owner: str | None = None
    carrier: str | None = None
    zone: str | None = None
    next_step: str | None = None
    next_date: date | None = None
    note: str | None = None
    on: date | None = None


@command("leads.update", writes=True)
def update(ctx: Context, args: UpdateLead) -> LeadSaved:
    """Move a lead on: a new version of it (one ledger entry)."""
    history = stored.lead_history(ctx.store, args.lead)
    if history.is_empty():
        raise NotFound("leads.unknown", lead=args.lead)
    if args.status is not None:
        _check_status(args.status)
    latest = history.row(-1, named=True)
    changes = {
        "status": args.status,
        "owner": args.owner,
        "carrier_id": args.carrier,
        "zone_id": args.zone,
        "next_step": args.next_step,
        "next_date": args.next_date,
        "note": args.note,
    }
    given = {k: v for k, v in changes.items() if v is not None}
    if not given:
        raise UsageError("leads.nothing_to_change", lead=args.lead)
    changed_on = args.on or date.today()
    if changed_on < latest["changed_on"]:
        raise InputError("leads.before_last_change", lead=args.lead, on=str(changed_on), last=str(latest["changed_on"]))
    row = {k: latest[k] for k in stored.LEAD_COLUMNS} | given | {"changed_on": changed_on}
    stored.write_lead(ctx.store, row, action="leads.update", actor=ctx.actor)
    return LeadSaved(lead=_lead(stored.lead_history(ctx.store, args.lead).row(-1, named=True)))


class ListLeads(Args):
    """The leads `role` (with `carriers`, for an operator) may see, of `track` and `status` when
    given; `out`: also export them (.csv, .xlsx)."""

    role: str = "admin"
    carriers: list[str] = Field(default_factory=list)
    track: str | None = None
    status: str | None = None
    out: Path | None = None


class FunnelCell(BaseModel):
    track_id: str
    status: str
    leads: int


class LeadList(BaseModel):
    leads: list[Lead]
    funnel: list[FunnelCell]


@command("leads.list", writes=False)
def list_leads(ctx: Context, args: ListLeads) -> LeadList:
    """The leads a reader may see, and the funnel: leads by track and status."""
    if args.out is not None and args.out.suffix.lower() not in EXPORT_SUFFIXES:
        raise UsageError("file.bad_suffix", path=str(args.out), suffixes=", ".join(EXPORT_SUFFIXES))
    leads = visible(stored.current_leads(ctx.store), args.role, args.carriers)
    if args.track is not None:
        leads = leads.filter(pl.col("track_id") == args.track)
    if args.status is not None:
        _check_status(args.status)
        leads = leads.filter(pl.col("status") == args.status)
    if args.out is not None:
        write_table(leads, args.out)
    return LeadList(leads=[_lead(row) for row in leads.to_dicts()], funnel=funnel(leads))


def visible(leads: pl.DataFrame, role: str, carriers: list[str]) -> pl.DataFrame:
    """The leads `role` may see: all for the Commission (admin, analyst), those meant for one of
    `carriers` for an operator, none for anyone else."""
    if role in ROLES_SEEING_ALL:
        return leads
    if role == "operator":
        return leads.filter(pl.col("carrier_id").is_in(carriers))
    return leads.clear()


def funnel(leads: pl.DataFrame) -> list[FunnelCell]:
    """Leads by track and status, every status of each track listed (0 included), in funnel order."""
    counts = dict(((t, s), n) for t, s, n in leads.group_by("track_id", "status").len().iter_rows())
    tracks = sorted(set(leads["track_id"].to_list()))
    return [FunnelCell(track_id=t, status=s, leads=counts.get((t, s), 0)) for t in tracks for s in STATUSES]


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise InputError("leads.bad_status", status=status, statuses=", ".join(STATUSES))


def _lead(row: dict) -> Lead:
    return Lead(**{k: row[k] for k in Lead.model_fields})
