"""Commands of carriers, space, the pipeline and programmes (districtlens.commands.carriers)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from districtlens.carriers import USES
from districtlens.cli.app import app
from districtlens.cli.common import (
    DEFAULT_DB_PATH,
    EXIT_REJECTED,
    EXIT_USAGE,
    DbOption,
    DecimalCommaOption,
    JsonOption,
    LangOption,
    absolute,
    chosen_language,
    console,
    fail,
    language,
    print_import_counts,
    print_problems,
    run,
)

if TYPE_CHECKING:
    from districtlens.carriers.tenancy import TenantReport
    from districtlens.commands.carriers import (
        CarrierList,
        CarrierSpace,
        CohortList,
        ProgrammeList,
        ProgrammesLoaded,
    )

carriers_app = typer.Typer(
    help="Parks, incubators and campuses: the places that host innovation.", no_args_is_help=True
)
programmes_app = typer.Typer(help="Programmes, their actions and KPIs.", no_args_is_help=True)
app.add_typer(carriers_app, name="carriers")
app.add_typer(programmes_app, name="programmes")

AtOption = Annotated[str | None, typer.Option("--at", help="The day (YYYY-MM-DD); default today.")]


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--at {text!r} is not a date (YYYY-MM-DD)", code=EXIT_USAGE)


@carriers_app.command("list")
def carriers_list(db: DbOption = DEFAULT_DB_PATH, as_json: JsonOption = False) -> None:
    """Every carrier with its id, name, kind, level and zone."""
    from districtlens.commands import carriers

    def render(listed: CarrierList) -> None:
        from rich.table import Table

        table = Table("id", "name", "kind", "level", "zone", show_edge=False)
        for row in listed.carriers:
            name = (row.name_en or "") + (" (placeholder)" if row.synthetic else "")
            table.add_row(row.id, name, row.kind, row.level or "", row.zone or "")
        console.print(table)

    run(db, carriers.list_carriers, carriers.ListCarriers(), as_json=as_json, render=render)


@carriers_app.command("import-tenants")
def import_tenants(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8, UTF-8 BOM, GB18030/GBK) or XLSX tenant list.")],
    carrier: Annotated[str, typer.Option("--carrier", help="The carrier the tenants lease in.")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Write the valid rows; invalid ones go to FILE.rejects.csv.")
    ] = False,
    decimal_comma: DecimalCommaOption = False,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Import a carrier's tenants (uscc and/or name, area_m2, lease_start, lease_end). Any invalid row
    and nothing is written; code-less tenants are linked to the registry through the resolver."""
    from districtlens.commands import carriers

    said_in = chosen_language(lang)
    args = carriers.ImportTenants(
        file=absolute(file), carrier=carrier, skip_invalid=skip_invalid, decimal_comma=decimal_comma, lang=said_in
    )
    report = run(
        db, carriers.import_tenants, args, as_json=as_json, render=lambda done: _print_tenant_report(done, said_in)
    )
    if report.errors_total and not skip_invalid:
        raise typer.Exit(EXIT_REJECTED)


def _print_tenant_report(report: TenantReport, lang: str) -> None:
    from districtlens.i18n import number, t

    print_problems(report, lang)
    if report.written or not report.errors_total:
        statuses = [
            t("cli.import.tenant_count", lang, count=number(n, lang), status=t(f"cli.import.tenant.{status}", lang))
            for status, n in report.tenants.items()
        ]
        tenants = t("cli.import.list_separator", lang).join(statuses) or t("cli.import.no_tenants", lang)
        print_import_counts(report, lang, tail=t("cli.import.tenants", lang, tenants=tenants))


@app.command("space")
def space(
    carrier: Annotated[str | None, typer.Option("--carrier", help="A carrier id.")] = None,
    zone: Annotated[str | None, typer.Option("--zone", help="A zone id: its carriers summed.")] = None,
    at: AtOption = None,
    use: Annotated[str | None, typer.Option("--use", help=f"Only one use: {', '.join(USES)}.")] = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Capacity, occupied, free, occupancy and leases ending within 12 months, now and per year ahead."""
    from districtlens.commands import carriers

    if (carrier is None) == (zone is None):
        fail("give --carrier ID or --zone ID", code=EXIT_USAGE)
    day = _day(at)

    def render(figures: CarrierSpace) -> None:
        from rich.table import Table

        title = f"{carrier or 'zone ' + str(zone)} on {day}" + (f" ({use})" if use else "")
        table = Table(
            "on",
            "capacity m²",
            "occupied m²",
            "free m²",
            "occupancy",
            "ending within 12 months m²",
            title=title,
            show_edge=False,
        )
        for point in [figures, *figures.by_year]:
            occupancy = "—" if point.occupancy is None else f"{point.occupancy:.1%}"
            table.add_row(
                str(point.at),
                f"{point.capacity_m2:,.0f}",
                f"{point.occupied_m2:,.0f}",
                f"{point.free_m2:,.0f}",
                occupancy,
                f"{point.expiring_12m_m2:,.0f}",
            )
        console.print(table)
        if figures.schedule_has_assumptions:
            console.print("part of the capacity schedule is an assumption (synthetic): see the carrier's notes")

    args = carriers.ShowSpace(at=day, carrier=carrier, zone=zone, use=use)
    run(db, carriers.show_space, args, as_json=as_json, render=render)


@app.command("pipeline")
def pipeline(
    carrier: Annotated[str | None, typer.Option("--carrier", help="Only this carrier's projects.")] = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Cohorts of projects per carrier and intake year: stages reached, median days per stage, graduations."""
    from districtlens.commands import carriers

    def render(found: CohortList) -> None:
        from rich.table import Table

        if not found.cohorts:
            console.print("no pipeline projects in the store")
            return
        for cohort in found.cohorts:
            table = Table(
                "stage",
                "reached",
                "moved on",
                "median days",
                show_edge=False,
                title=f"{cohort.carrier}, intake {cohort.intake_year} ({cohort.ladder}): "
                f"{cohort.projects} projects, {cohort.graduated} graduated",
            )
            for stage in cohort.stages:
                days = "—" if stage.median_days is None else f"{stage.median_days:.0f}"
                table.add_row(stage.stage, str(stage.reached), str(stage.moved_on), days)
            console.print(table)

    run(db, carriers.pipeline_cohorts, carriers.PipelineCohorts(carrier=carrier), as_json=as_json, render=render)


@programmes_app.command("show")
def programmes_show(at: AtOption = None, db: DbOption = DEFAULT_DB_PATH, as_json: JsonOption = False) -> None:
    """Each KPI's target, actual, trend and status (on track / at risk / off track, thresholds stated)."""
    from districtlens.commands import carriers

    run(db, carriers.show_programmes, carriers.ShowProgrammes(at=_day(at)), as_json=as_json, render=_print_programmes)


def _print_programmes(shown: ProgrammeList) -> None:
    from rich.table import Table

    if not shown.programmes:
        console.print("no programmes in the store: load one with `districtlens programmes load FILE`")
        return
    colours = {"on track": "green", "at risk": "yellow", "off track": "red"}
    for plan in shown.programmes:
        limits = plan.thresholds
        console.print(
            f"[bold]{plan.name.get('en')}[/] ({plan.programme}): on track at ≥ "
            f"{limits['on_track']:.0%} of the expected value, at risk at ≥ {limits['at_risk']:.0%}"
        )
        for action in plan.actions:
            table = Table(
                "KPI",
                "actual",
                "on",
                "expected",
                "target",
                "trend",
                "status",
                title=action.name.get("en"),
                show_edge=False,
            )
            for kpi in action.kpis:
                colour = colours.get(kpi.status or "", "white")
                table.add_row(
                    kpi.name.get("en", kpi.kpi),
                    _number(kpi.actual, kpi.unit),
                    str(kpi.actual_at),
                    _number(kpi.expected, kpi.unit),
                    f"{_number(kpi.target.value, kpi.unit)} by {kpi.target.by}",
                    kpi.trend or "—",
                    f"[{colour}]{kpi.status or 'no data'}[/]",
                )
            console.print(table)


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "share":
        return f"{value:.1%}"
    return f"{value:,.0f} {unit}"


@programmes_app.command("load")
def programmes_load(
    file: Annotated[Path, typer.Argument(help="Programme definitions (YAML, see docs/carriers.md).")],
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Load programmes with their actions and KPIs; a changed programme gets a new version."""
    from districtlens.commands import carriers

    def render(loaded: ProgrammesLoaded) -> None:
        from districtlens.i18n import number, t

        lang = language()
        written, unchanged = number(len(loaded.written), lang), number(len(loaded.unchanged), lang)
        said = t("cli.import.programmes", lang, file=file.name, written=written, unchanged=unchanged)
        console.print(said, highlight=False, markup=False)

    run(db, carriers.programmes_load, carriers.LoadProgrammes(file=absolute(file)), as_json=as_json, render=render)
