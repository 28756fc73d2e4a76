"""Leads: `districtlens leads save|update|list` (districtlens.commands.leads)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from districtlens.cli.app import app
from districtlens.cli.common import (
    DEFAULT_DB_PATH,
    DbOption,
    JsonOption,
    LangOption,
    absolute,
    chosen_language,
    out_console,
    run,
)

if TYPE_CHECKING:
    from districtlens.commands.leads import LeadList, LeadSaved

leads_app = typer.Typer(help="Leads: targets being worked, from first contact to landed.", no_args_is_help=True)
app.add_typer(leads_app, name="leads")


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@leads_app.command("save")
def save(
    track: Annotated[str, typer.Argument(help="Chain id, e.g. biopharma.")],
    area: Annotated[str, typer.Option("--area", help="The area the lead is for (adcode, street or zone).")],
    key: Annotated[str, typer.Option("--key", help="The target's key as `targets` printed it (uscc or pool:id).")],
    name: Annotated[str, typer.Option("--name", help="The firm's name.")],
    owner: Annotated[str, typer.Option("--owner", help="Who works the lead.")],
    place: Annotated[str | None, typer.Option("--place", help="Where the firm is.")] = None,
    mode: Annotated[str | None, typer.Option("--mode", help="fill, strengthen or extend.")] = None,
    status: Annotated[str, typer.Option("--status", help="new, contacted, visited, negotiating, ...")] = "new",
    carrier: Annotated[str | None, typer.Option("--carrier", help="The carrier it is meant for.")] = None,
    zone: Annotated[str | None, typer.Option("--zone", help="The zone it is meant for.")] = None,
    next_step: Annotated[str | None, typer.Option("--next-step", help="The next step.")] = None,
    next_date: Annotated[datetime | None, typer.Option("--next-date", formats=["%Y-%m-%d"])] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    on: Annotated[datetime | None, typer.Option("--on", formats=["%Y-%m-%d"], help="Day of the entry.")] = None,
    lang: LangOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Save a target as a lead."""
    from districtlens.commands import leads

    args = leads.SaveLead(
        track=track,
        area=area,
        target_key=key,
        name=name,
        owner=owner,
        place=place,
        mode=mode,
        status=status,
        carrier=carrier,
        zone=zone,
        next_step=next_step,
        next_date=_day(next_date),
        note=note,
        on=_day(on),
    )
    chosen = chosen_language(lang)
    run(db, leads.save, args, as_json=as_json, render=lambda r: _print_saved(r, chosen))


@leads_app.command("update")
def update(
    lead: Annotated[str, typer.Argument(help="The lead's id (lead-00001).")],
    status: Annotated[str | None, typer.Option("--status")] = None,
    owner: Annotated[str | None, typer.Option("--owner")] = None,
    carrier: Annotated[str | None, typer.Option("--carrier")] = None,
    zone: Annotated[str | None, typer.Option("--zone")] = None,
    next_step: Annotated[str | None, typer.Option("--next-step")] = None,
    next_date: Annotated[datetime | None, typer.Option("--next-date", formats=["%Y-%m-%d"])] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    on: Annotated[datetime | None, typer.Option("--on", formats=["%Y-%m-%d"], help="Day of the change.")] = None,
    lang: LangOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Move a lead on (a new version, one ledger entry)."""
    from districtlens.commands import leads

    args = leads.UpdateLead(
        lead=lead,
        status=status,
        owner=owner,
        carrier=carrier,
        zone=zone,
        next_step=next_step,
        next_date=_day(next_date),
        note=note,
        on=_day(on),
    )
    chosen = chosen_language(lang)
    run(db, leads.update, args, as_json=as_json, render=lambda r: _print_saved(r, chosen))


def _print_saved(saved: LeadSaved, lang: str) -> None:
    from districtlens.i18n import t

    lead = saved.lead
    out_console.print(f"{lead.lead_id} v{lead.version}: {lead.name} — {t(f'leads.status.{lead.status}', lang)}")


@leads_app.command("list")
def list_leads(
    track: Annotated[str | None, typer.Option("--track")] = None,
    status: Annotated[str | None, typer.Option("--status")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also export to FILE.csv or FILE.xlsx.")] = None,
    lang: LangOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """The leads and the funnel by track and status."""
    from districtlens.commands import leads

    args = leads.ListLeads(track=track, status=status, out=absolute(out) if out is not None else None)
    chosen = chosen_language(lang)
    run(db, leads.list_leads, args, as_json=as_json, render=lambda r: _print_list(r, chosen))


def _print_list(found: LeadList, lang: str) -> None:
    from rich.table import Table

    from districtlens.i18n import number, t

    table = Table(*(t(f"leads.col.{c}", lang) for c in ("lead", "track", "name", "owner", "status", "next_step")))
    for lead in found.leads:
        table.add_row(
            lead.lead_id, lead.track_id, lead.name, lead.owner, t(f"leads.status.{lead.status}", lang), lead.next_step
        )
    out_console.print(table)
    funnel = Table(t("leads.col.track", lang), t("leads.col.status", lang), t("leads.col.count", lang))
    for cell in found.funnel:
        funnel.add_row(cell.track_id, t(f"leads.status.{cell.status}", lang), number(cell.leads, lang))
    out_console.print(funnel)
