"""What-if: `districtlens scenario compute|save|list` (districtlens.commands.scenarios)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from districtlens.cli.app import app
from districtlens.cli.common import (
    DEFAULT_DB_PATH,
    DbOption,
    JsonOption,
    LangOption,
    chosen_language,
    out_console,
    run,
)

if TYPE_CHECKING:
    from districtlens.commands.scenarios import Firm, ScenarioList, ScenarioResult, ScenarioSaved

scenario_app = typer.Typer(help="What-if: the chain before and after firms land.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")

TargetOption = Annotated[list[str] | None, typer.Option("--target", help="A registry target's uscc (repeatable).")]
FirmOption = Annotated[
    list[str] | None,
    typer.Option("--firm", help="A hypothetical firm CLASS[:REVENUE[:EMPLOYEES[:ZONE]]], e.g. 3581:5000:120:daning."),
]


def _firms(specs: list[str] | None) -> list[Firm]:
    from districtlens.commands.scenarios import Firm

    return [Firm.from_spec(spec) for spec in specs or []]


@scenario_app.command("compute")
def compute(
    track: Annotated[str, typer.Argument(help="Chain id, e.g. smart-health.")],
    area: Annotated[str, typer.Option("--area", help="District adcode, street code or zone id.")],
    target: TargetOption = None,
    firm: FirmOption = None,
    lang: LangOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """The area's chain health, LQs, density and complexity before and after (writes nothing)."""
    from districtlens.commands import scenarios

    chosen = chosen_language(lang)
    args = scenarios.ScenarioArgs(track=track, area=area, targets=target or [], firms=_firms(firm))
    run(db, scenarios.compute, args, as_json=as_json, render=lambda r: _print_result(r, chosen))


def _print_result(result: ScenarioResult, lang: str) -> None:
    from rich.table import Table

    from districtlens.i18n import number, t

    def lq(value: float | None) -> str:
        return "-" if value is None else number(value, lang, 2)

    columns = ("link", "firms_before", "firms_after", "lq_before", "lq_after", "status_before", "status_after")
    table = Table(*(t(f"scenario.col.{c}", lang) for c in columns))
    for link in result.links:
        table.add_row(
            link.name.get(lang, link.name["en"]),
            number(link.enterprises_before, lang),
            number(link.enterprises_after, lang),
            lq(link.lq_before),
            lq(link.lq_after),
            t(f"targets.status.{link.status_before}", lang),
            t(f"targets.status.{link.status_after}", lang),
        )
    out_console.print(table)
    for label, side in ((t("scenario.before", lang), result.before), (t("scenario.after", lang), result.after)):
        out_console.print(
            t(
                "scenario.area_line",
                lang,
                side=label,
                eci=lq(side.eci),
                diversity=number(side.diversity, lang),
                density=lq(side.chain_density),
            )
        )


@scenario_app.command("save")
def save(
    track: Annotated[str, typer.Argument(help="Chain id.")],
    area: Annotated[str, typer.Option("--area")],
    name: Annotated[str, typer.Option("--name", help="The scenario's name.")],
    target: TargetOption = None,
    firm: FirmOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Record a scenario's definition as a ledger entry."""
    from districtlens.commands import scenarios

    chosen = chosen_language(lang)
    args = scenarios.SaveScenario(track=track, area=area, name=name, targets=target or [], firms=_firms(firm))
    run(db, scenarios.save, args, as_json=as_json, render=lambda saved: _print_saved(saved, chosen))


def _print_saved(saved: ScenarioSaved, lang: str) -> None:
    from districtlens.i18n import t

    out_console.print(t("cli.scenario.saved", lang, scenario=saved.scenario_id, seq=saved.ledger_seq), highlight=False)


@scenario_app.command("list")
def list_scenarios(db: DbOption = DEFAULT_DB_PATH, as_json: JsonOption = False, lang: LangOption = None) -> None:
    """The saved scenarios."""
    from districtlens.commands import scenarios

    chosen = chosen_language(lang)
    args = scenarios.ListScenarios()
    run(db, scenarios.list_scenarios, args, as_json=as_json, render=lambda found: _print_list(found, chosen))


def _print_list(found: ScenarioList, lang: str) -> None:
    from rich.table import Table

    from districtlens.i18n import t

    if not found.scenarios:
        out_console.print(t("cli.scenario.none", lang))
        return
    columns = ("scenario", "name", "track", "area")
    table = Table(*(t(f"cli.scenario.col.{c}", lang) for c in columns), show_edge=False)
    for s in found.scenarios:
        table.add_row(s.scenario_id, s.name, s.track_id, s.area)
    out_console.print(table)
