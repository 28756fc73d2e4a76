"""Industry chains and investment targets: `districtlens chains list|show|city|graph` and
`districtlens targets`."""

from __future__ import annotations

from datetime import datetime
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
    emit_json,
    listed,
    out_console,
    refuse,
    run,
)

if TYPE_CHECKING:
    from districtlens.chains.templates import ChainTemplate
    from districtlens.commands.chains import ChainHealth, ChainList, CityChain, CityChains, Opportunities, Targets

chains_app = typer.Typer(help="Industry chains: templates, chain health, the chain graph.", no_args_is_help=True)
app.add_typer(chains_app, name="chains")

TrackArgument = Annotated[str, typer.Argument(help="Chain id, e.g. biopharma (see `chains list`).")]
AreaOption = Annotated[
    str, typer.Option("--area", help="District adcode (310106), street code (310106019) or zone id (daning).")
]
AgainstOption = Annotated[str, typer.Option("--against", help="Reference for the location quotient: city or peers.")]
YearOption = Annotated[int | None, typer.Option("--year", help="Year of facts (default: the latest with revenue).")]
TemplateOption = Annotated[
    Path | None, typer.Option("--template", help="An edited template file to use instead of the shipped one.")
]


@chains_app.command("list")
def list_chains(as_json: JsonOption = False, lang: LangOption = None) -> None:
    """The shipped chain templates: id, version, links."""
    from rich.table import Table

    from districtlens.commands import chains
    from districtlens.i18n import t

    chosen = chosen_language(lang)
    shipped: ChainList = chains.list_chains()
    if as_json:
        emit_json(shipped.model_dump(mode="json"))
        return
    table = Table(*(t(f"cli.chains.col.{c}", chosen) for c in ("id", "version", "name", "links")))
    for chain in shipped.chains:
        table.add_row(
            chain.id,
            str(chain.version),
            chain.name.get(chosen) or chain.name["en"],
            listed([link.name.get(chosen) or link.name["en"] for link in chain.links], chosen),
        )
    out_console.print(table)


@chains_app.command("show")
def show(
    track: TrackArgument,
    area: AreaOption,
    against: AgainstOption = "city",
    year: YearOption = None,
    template: TemplateOption = None,
    lang: LangOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Health of each link of TRACK's chain in an area: enterprises, revenue, LQ, status, why."""
    from districtlens.commands import chains
    from districtlens.i18n import gettext, number, t

    chosen = chosen_language(lang)

    def render(found: ChainHealth) -> None:
        from rich.table import Table

        name = _template_of(found.track, template).name
        out_console.print(
            t(
                "chains.show.heading",
                chosen,
                chain=name.get(chosen) or name["en"],
                area=found.area_label,
                reference=found.reference,
                year=found.year,
            )
        )
        said = gettext(chosen)
        table = Table(
            *(t(f"chains.col.{c}", chosen) for c in ("link", "stage", "firms", "revenue", "lq", "status", "why"))
        )
        for link in found.links:
            table.add_row(
                link.names.get(chosen) or link.name,
                said(link.stage),
                number(link.enterprises, chosen),
                "-" if link.revenue is None else number(link.revenue, chosen),
                "-" if link.lq is None else number(link.lq, chosen, 2),
                t(f"targets.status.{link.status}", chosen),
                link.why,
            )
        out_console.print(table)

    args = chains.ShowChain(track=track, area=area, against=against, year=year, template=_file(template), lang=chosen)
    run(db, chains.show, args, as_json=as_json, render=render)


@chains_app.command("city")
def city(
    area: AreaOption,
    track: Annotated[
        str | None, typer.Argument(help="Chain id, e.g. biopharma (see `chains list`); none with --all-tracks.")
    ] = None,
    all_tracks: Annotated[
        bool, typer.Option("--all-tracks", help="Every shipped track, read once and computed together.")
    ] = False,
    year: YearOption = None,
    template: TemplateOption = None,
    lang: LangOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Health of TRACK's chain (or of every track) in every district of the area's city, against
    the city: which district holds which link."""
    from districtlens.commands import chains
    from districtlens.i18n import number, t

    chosen = chosen_language(lang)

    if (track is None) == (not all_tracks):
        refuse("cli.chains.track_or_all")
    if all_tracks and template is not None:
        refuse("cli.chains.template_one_track")

    def render(found: CityChain | CityChains) -> None:
        from rich.table import Table

        for one in found.tracks if isinstance(found, chains.CityChains) else [found]:
            chain = _template_of(one.track, template)
            out_console.print(
                t(
                    "chains.city.heading",
                    chosen,
                    chain=chain.name.get(chosen) or chain.name["en"],
                    city=one.reference,
                    year=one.year,
                )
            )
            names = (link.name.get(chosen) or link.name["en"] for link in chain.links)
            table = Table(t("chains.col.district", chosen), *names)
            for row in one.districts:
                cells = (row.links[link.id] for link in chain.links)
                table.add_row(
                    row.district,
                    *(f"{t(f'targets.status.{c.status}', chosen)} ({number(c.enterprises, chosen)})" for c in cells),
                )
            out_console.print(table)

    args = chains.CityHealth(area=area, track=track, year=year, template=_file(template))
    run(db, chains.city, args, as_json=as_json, render=render)


@chains_app.command("graph")
def graph(
    track: TrackArgument,
    area: AreaOption,
    against: AgainstOption = "city",
    year: YearOption = None,
    template: TemplateOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """The chain as nodes (links with their health) and edges, as JSON for drawing (JSON with or
    without --json: it is for programs)."""
    from districtlens.commands import chains

    args = chains.GraphOfChain(track=track, area=area, against=against, year=year, template=_file(template))
    run(db, chains.graph, args, as_json=as_json, render=lambda drawn: emit_json(chains.graph.dump(drawn)))


@app.command("targets")
def targets(
    track: TrackArgument,
    area: AreaOption,
    top: Annotated[int, typer.Option("--top", min=1, help="How many rows to keep.")] = 20,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the rows to FILE.xlsx or FILE.csv.")] = None,
    leads: Annotated[
        Path | None, typer.Option("--leads", help="A lead list (CSV or XLSX roster) to rank with the city's firms.")
    ] = None,
    space: Annotated[
        Path | None,
        typer.Option(
            "--space",
            help="Free floor space: CSV or XLSX with columns zone_id, free_m2 (default: the store's carriers).",
        ),
    ] = None,
    mode: Annotated[
        str | None, typer.Option("--mode", help="Only one mode: fill (补链), strengthen (强链) or extend (延链).")
    ] = None,
    on: Annotated[
        datetime | None, typer.Option("--on", formats=["%Y-%m-%d"], help="The day of the free space (default: today).")
    ] = None,
    pool: Annotated[
        list[str] | None, typer.Option("--pool", help="Draw from this imported pool only (repeatable; default: all).")
    ] = None,
    lang: LangOption = None,
    show_opportunities: Annotated[
        bool, typer.Option("--opportunities", help="Rank activities to diversify into instead of firms.")
    ] = False,
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="With --opportunities: rank by this entry model (a skops file from backtest "
            "--save-model) instead of the store's (entry-model set).",
        ),
    ] = None,
    against: AgainstOption = "city",
    year: YearOption = None,
    template: TemplateOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Firms elsewhere that would fill TRACK's missing or weak links in an area, ranked, with why."""
    from districtlens.commands import chains

    chosen = chosen_language(lang)
    if model is not None and not show_opportunities:
        refuse("cli.targets.model_needs_opportunities")
    if show_opportunities:
        found = chains.FindOpportunities(
            track=track,
            area=area,
            top=top,
            out=_file(out),
            against=against,
            year=year,
            template=_file(template),
            model=_file(model),
            lang=chosen,
        )
        run(
            db, chains.opportunities, found, as_json=as_json, render=lambda ranked: _print_opportunities(ranked, chosen)
        )
        return
    args = chains.FindTargets(
        track=track,
        area=area,
        top=top,
        out=_file(out),
        leads=_file(leads),
        space=_file(space),
        on=on.date() if on is not None else None,
        mode=mode,
        pools=pool or None,
        lang=chosen,
        against=against,
        year=year,
        template=_file(template),
    )
    run(db, chains.targets, args, as_json=as_json, render=lambda found: _print_targets(found, args.lang))


def _print_targets(found: Targets, lang: str) -> None:
    from rich.table import Table

    from districtlens.i18n import number, t

    if not found.targets:
        out_console.print(t("targets.none", lang))
        return
    columns = ("rank", "mode", "name", "place", "score", "why")
    table = Table(*(t(f"targets.col.{c}", lang) for c in columns))
    for i, row in enumerate(found.targets, 1):
        mode = t(f"targets.mode.{row.mode}", lang)
        table.add_row(str(i), mode, row.name, row.place or "-", number(row.score, lang, 3), row.why)
    out_console.print(table)


def _print_opportunities(found: Opportunities, lang: str) -> None:
    from rich.table import Table

    from districtlens.i18n import number, t

    if found.model is not None:
        panels = [
            f"{Path(str(panel.get('file', '?'))).name} {panel.get('from', '?')}-{panel.get('to', '?')}"
            for panel in found.model.training
        ]
        periods = "; ".join(panels) or t("cli.opportunities.no_panels", lang)
        source = t("cli.opportunities.from_store", lang) if found.model.source == "store" else found.model.source
        said = t("cli.opportunities.by_model", lang, source=source, periods=periods)
        out_console.print(said, highlight=False, markup=False)
    else:
        out_console.print(t("cli.opportunities.by_density", lang), highlight=False)
    if found.note:
        out_console.print(found.note, highlight=False)
    columns = ("class", "name", "in_track", "rca", "density", "cog", "score")
    table = Table(*(t(f"cli.opportunities.col.{c}", lang) for c in columns))
    for row in found.opportunities:
        table.add_row(
            row.industry_code,
            row.name or "",
            t("cli.opportunities.yes", lang) if row.in_track else "",
            number(row.rca, lang, 2),
            number(row.density, lang, 3),
            number(row.cog, lang, 3),
            number(row.score, lang, 2),
        )
    out_console.print(table)


def _template_of(track: str, template: Path | None) -> ChainTemplate:
    """The template a result was computed with, for the names and links its table shows."""
    from districtlens.chains.templates import get_template

    return get_template(track, template)


def _file(path: Path | None) -> Path | None:
    return absolute(path) if path is not None else None
