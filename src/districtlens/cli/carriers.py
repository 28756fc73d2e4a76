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
    DbOption,
    DecimalCommaOption,
    JsonOption,
    LangOption,
    absolute,
    chosen_language,
    console,
    counted,
    listed,
    print_import_counts,
    print_problems,
    refuse,
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
# KPI units counted in the singular or plural (1 enterprise, 2 enterprises); the others (万元, m²)
# are said as the dashboard says them.
COUNTED_UNITS = ("enterprises", "persons", "projects", "tenants")
STATUS_COLOURS = {"on track": "green", "at risk": "yellow", "off track": "red"}


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        refuse("cli.not_a_day", option="--at", value=text)


@carriers_app.command("list")
def carriers_list(db: DbOption = DEFAULT_DB_PATH, as_json: JsonOption = False, lang: LangOption = None) -> None:
    """Every carrier with its id, name, kind, level and zone."""
    from districtlens.commands import carriers

    chosen = chosen_language(lang)

    def render(listed: CarrierList) -> None:
        from rich.table import Table

        from districtlens.i18n import gettext, t

        said = gettext(chosen)
        columns = (t(f"cli.carriers.col.{c}", chosen) for c in ("id", "name", "kind", "level", "zone"))
        table = Table(*columns, show_edge=False)
        for row in listed.carriers:
            named = {"zh": row.name_zh, "en": row.name_en, "fr": row.name_fr}
            name = named[chosen] or row.name_en or row.name_zh or ""
            if row.synthetic:
                name = t("cli.carriers.placeholder", chosen, name=name)
            table.add_row(row.id, name, said(row.kind), said(row.level) if row.level else "", row.zone or "")
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
    from districtlens.i18n import t

    print_problems(report, lang)
    if report.written or not report.errors_total:
        statuses = [counted(f"cli.import.tenants_counted.{status}", n, lang) for status, n in report.tenants.items()]
        tenants = listed(statuses, lang) or t("cli.import.no_tenants", lang)
        print_import_counts(report, lang, tail=t("cli.import.tenants", lang, tenants=tenants))


@app.command("space")
def space(
    carrier: Annotated[str | None, typer.Option("--carrier", help="A carrier id.")] = None,
    zone: Annotated[str | None, typer.Option("--zone", help="A zone id: its carriers summed.")] = None,
    at: AtOption = None,
    use: Annotated[str | None, typer.Option("--use", help=f"Only one use: {', '.join(USES)}.")] = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Capacity, occupied, free, occupancy and leases ending within 12 months, now and per year ahead."""
    from districtlens.commands import carriers

    chosen = chosen_language(lang)
    if (carrier is None) == (zone is None):
        refuse("cli.space.carrier_or_zone")
    on = _day(at)

    def render(figures: CarrierSpace) -> None:
        from rich.table import Table

        from districtlens.i18n import day, gettext, number, percent, t

        if carrier is not None:
            title = t("cli.space.title_carrier", chosen, carrier=carrier, day=day(on, chosen))
        else:
            title = t("cli.space.title_zone", chosen, zone=zone, day=day(on, chosen))
        if use:
            title += t("cli.space.title_use", chosen, use=gettext(chosen)(use))
        columns = ("on", "capacity", "occupied", "free", "occupancy", "expiring")
        table = Table(*(t(f"cli.space.col.{c}", chosen) for c in columns), title=title, show_edge=False)
        for point in [figures, *figures.by_year]:
            table.add_row(
                day(point.at, chosen),
                number(point.capacity_m2, chosen),
                number(point.occupied_m2, chosen),
                number(point.free_m2, chosen),
                "—" if point.occupancy is None else percent(point.occupancy, chosen),
                number(point.expiring_12m_m2, chosen),
            )
        console.print(table)
        if figures.schedule_has_assumptions:
            console.print(t("cli.space.assumed", chosen))

    args = carriers.ShowSpace(at=on, carrier=carrier, zone=zone, use=use)
    run(db, carriers.show_space, args, as_json=as_json, render=render)


@app.command("pipeline")
def pipeline(
    carrier: Annotated[str | None, typer.Option("--carrier", help="Only this carrier's projects.")] = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Cohorts of projects per carrier and intake year: stages reached, median days per stage, graduations."""
    from districtlens.commands import carriers

    chosen = chosen_language(lang)

    def render(found: CohortList) -> None:
        from rich.table import Table

        from districtlens.i18n import gettext, number, t

        if not found.cohorts:
            console.print(t("cli.pipeline.none", chosen))
            return
        said = gettext(chosen)
        columns = [t(f"cli.pipeline.col.{c}", chosen) for c in ("stage", "reached", "moved_on", "median_days")]
        for cohort in found.cohorts:
            title = t(
                "cli.pipeline.title",
                chosen,
                carrier=cohort.carrier,
                year=cohort.intake_year,
                ladder=said(cohort.ladder),
                projects=counted("cli.pipeline.projects", cohort.projects, chosen),
                graduated=counted("cli.pipeline.graduated", cohort.graduated, chosen),
            )
            table = Table(*columns, show_edge=False, title=title)
            for stage in cohort.stages:
                days = "—" if stage.median_days is None else number(stage.median_days, chosen)
                table.add_row(said(stage.stage), number(stage.reached, chosen), number(stage.moved_on, chosen), days)
            console.print(table)

    run(db, carriers.pipeline_cohorts, carriers.PipelineCohorts(carrier=carrier), as_json=as_json, render=render)


@programmes_app.command("show")
def programmes_show(
    at: AtOption = None, db: DbOption = DEFAULT_DB_PATH, as_json: JsonOption = False, lang: LangOption = None
) -> None:
    """Each KPI's target, actual, trend and status (on track / at risk / off track, thresholds stated)."""
    from districtlens.commands import carriers

    chosen = chosen_language(lang)
    args = carriers.ShowProgrammes(at=_day(at))
    run(db, carriers.show_programmes, args, as_json=as_json, render=lambda shown: _print_programmes(shown, chosen))


def _print_programmes(shown: ProgrammeList, lang: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    from districtlens.i18n import day, gettext, percent, t

    if not shown.programmes:
        console.print(t("cli.programmes.none", lang))
        return
    said = gettext(lang)
    columns = ("kpi", "actual", "on", "expected", "target", "trend", "status")
    for plan in shown.programmes:
        limits = plan.thresholds
        heading = t(
            "cli.programmes.heading",
            lang,
            name=_named(plan.name, lang),
            on_track=percent(limits["on_track"], lang, 0),
            at_risk=percent(limits["at_risk"], lang, 0),
        )
        console.print(f"[bold]{escape(heading)}[/]", highlight=False)
        for action in plan.actions:
            table = Table(*(t(f"cli.programmes.col.{c}", lang) for c in columns), title=_named(action.name, lang))
            for kpi in action.kpis:
                colour = STATUS_COLOURS.get(kpi.status or "", "white")
                status = said(kpi.status) if kpi.status else t("cli.programmes.no_data", lang)
                target = _amount(kpi.target.value, kpi.unit, lang)
                table.add_row(
                    _named(kpi.name, lang) or kpi.kpi,
                    _amount(kpi.actual, kpi.unit, lang),
                    day(kpi.actual_at, lang),
                    _amount(kpi.expected, kpi.unit, lang),
                    t("cli.programmes.target_by", lang, target=target, by=day(kpi.target.by, lang)),
                    said(kpi.trend) if kpi.trend else "—",
                    f"[{colour}]{escape(status)}[/]",
                )
            console.print(table)


def _named(names: dict[str, str], lang: str) -> str:
    """A name given in several languages, in `lang` (else English, else Chinese)."""
    return names.get(lang) or names.get("en") or names.get("zh") or ""


def _amount(value: float | None, unit: str, lang: str) -> str:
    """A KPI's value with its unit, as `lang` writes it (27.1%, 1 entreprise, 800 000 万元)."""
    from districtlens.i18n import gettext, number, percent

    if value is None:
        return "—"
    if unit == "share":
        return percent(value, lang)
    if unit in COUNTED_UNITS and float(value).is_integer():
        return counted(f"cli.unit.{unit}", int(value), lang)
    return f"{number(value, lang)} {gettext(lang)(unit)}"


@programmes_app.command("load")
def programmes_load(
    file: Annotated[Path, typer.Argument(help="Programme definitions (YAML, see docs/carriers.md).")],
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Load programmes with their actions and KPIs; a changed programme gets a new version."""
    from districtlens.commands import carriers

    chosen = chosen_language(lang)

    def render(loaded: ProgrammesLoaded) -> None:
        from districtlens.i18n import number, t

        written, unchanged = number(len(loaded.written), chosen), number(len(loaded.unchanged), chosen)
        said = t("cli.import.programmes", chosen, file=file.name, written=written, unchanged=unchanged)
        console.print(said, highlight=False, markup=False)

    run(db, carriers.programmes_load, carriers.LoadProgrammes(file=absolute(file)), as_json=as_json, render=render)
