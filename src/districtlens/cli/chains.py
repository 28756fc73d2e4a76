"""Industry chains and investment targets: `districtlens chains list|show|city|graph` and
`districtlens targets`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from districtlens.chains import report
from districtlens.chains.graph import chain_graph, graph_json
from districtlens.chains.health import DEFAULT_THRESHOLDS
from districtlens.chains.targets import DEFAULT_WEIGHTS
from districtlens.chains.templates import TemplateError, get_template, shipped_templates
from districtlens.cli.app import app
from districtlens.cli.common import (
    DEFAULT_DB_PATH,
    EXIT_USAGE,
    DbOption,
    JsonOption,
    emit_json,
    fail,
    store_at,
)
from districtlens.errors import DistrictlensError
from districtlens.export import write_table
from districtlens.ingest.read import read_table
from districtlens.ingest.validate import validate
from districtlens.store.chains import AreaError, district_label

chains_app = typer.Typer(help="Industry chains: templates, chain health, the chain graph.",
                         no_args_is_help=True)
app.add_typer(chains_app, name="chains")
out_console = Console()

TrackArgument = Annotated[str, typer.Argument(help="Chain id, e.g. biopharma (see `chains list`).")]
AreaOption = Annotated[str, typer.Option(
    "--area", help="District adcode (310106), street code (310106019) or zone id (daning).")]
AgainstOption = Annotated[str, typer.Option(
    "--against", help="Reference for the location quotient: city or peers.")]
YearOption = Annotated[int | None, typer.Option(
    "--year", help="Year of facts (default: the latest with revenue).")]
TemplateOption = Annotated[Path | None, typer.Option(
    "--template", help="An edited template file to use instead of the shipped one.")]


@chains_app.command("list")
def list_chains(as_json: JsonOption = False) -> None:
    """The shipped chain templates: id, version, links."""
    try:
        templates = shipped_templates()
    except TemplateError as exc:
        fail(str(exc))
    rows = [
        {"id": t.id, "version": t.version, "name": t.name,
         "links": [{"id": link.id, "name": link.name, "stage": link.stage} for link in t.links]}
        for t in templates.values()
    ]
    if as_json:
        emit_json({"chains": rows})
        return
    table = Table("id", "version", "name", "links")
    for row in rows:
        table.add_row(row["id"], str(row["version"]), f"{row['name']['zh']} / {row['name']['en']}",
                      ", ".join(link["id"] for link in row["links"]))
    out_console.print(table)


@chains_app.command("show")
def show(
    track: TrackArgument,
    area: AreaOption,
    against: AgainstOption = "city",
    year: YearOption = None,
    template: TemplateOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Health of each link of TRACK's chain in an area: enterprises, revenue, LQ, status, why."""
    chain, context, health = _chain_health(db, track, template, area, against, year)
    links = _link_rows(health)
    if as_json:
        emit_json({
            "track": chain.id, "version": chain.version, "area": context.area.code,
            "area_label": context.area.label, "against": against,
            "reference": context.reference_label, "year": context.year,
            "thresholds": DEFAULT_THRESHOLDS.as_dict(), "links": links,
        })
        return
    out_console.print(f"{chain.name['zh']} / {chain.name['en']} chain in {context.area.label},"
                      f" against {context.reference_label}, {context.year}")
    table = Table("link", "stage", "firms", "revenue 万元", "LQ", "status", "why")
    for row in links:
        table.add_row(row["name"], row["stage"], f"{row['enterprises']:,}",
                      _number(row["revenue"], "{:,.0f}"), _number(row["lq"], "{:.2f}"),
                      row["status"], row["why"])
    out_console.print(table)


@chains_app.command("city")
def city(
    area: AreaOption,
    track: Annotated[str | None, typer.Argument(
        help="Chain id, e.g. biopharma (see `chains list`); none with --all-tracks.")] = None,
    all_tracks: Annotated[bool, typer.Option(
        "--all-tracks", help="Every shipped track, read once and computed together.")] = False,
    year: YearOption = None,
    template: TemplateOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Health of TRACK's chain (or of every track) in every district of the area's city, against
    the city: which district holds which link."""
    if (track is None) == (not all_tracks):
        fail("give a TRACK or --all-tracks (not both)", EXIT_USAGE)
    if all_tracks and template is not None:
        fail("--template edits one track: give its TRACK instead of --all-tracks", EXIT_USAGE)
    chains = list(shipped_templates().values()) if all_tracks else [_template(track, template)]
    with store_at(db, read_only=True) as store:
        context = _context(store, area, "city", year)
        by_track = report.city_health_by_track(context, chains)
    tracks = [{"track": chain.id, "version": chain.version, "reference": context.reference_label,
               "year": context.year, "thresholds": DEFAULT_THRESHOLDS.as_dict(),
               "districts": _district_rows(by_track[chain.id])} for chain in chains]
    if as_json:
        emit_json({"tracks": tracks} if all_tracks else tracks[0])
        return
    for chain, found in zip(chains, tracks, strict=True):
        out_console.print(f"{chain.name['zh']} / {chain.name['en']} chain in every district of"
                          f" {context.reference_label}, {context.year}")
        table = Table("district", *(link.id for link in chain.links))
        for row in found["districts"]:
            table.add_row(row["district"], *(f"{row['links'][link.id]['status']}"
                                             f" ({row['links'][link.id]['enterprises']:,})"
                                             for link in chain.links))
        out_console.print(table)


def _district_rows(health: pl.DataFrame) -> list[dict[str, Any]]:
    """A `city_health` frame as one row per district: its label and each link's figures."""
    districts = []
    for (code,), rows in health.group_by("district_adcode", maintain_order=True):
        links = {row["id"]: {k: row[k] for k in ("enterprises", "lq", "status")} for row in _link_rows(rows)}
        districts.append({"district": code, "label": district_label(code), "links": links})
    return districts


@chains_app.command("graph")
def graph(
    track: TrackArgument,
    area: AreaOption,
    against: AgainstOption = "city",
    year: YearOption = None,
    template: TemplateOption = None,
    db: DbOption = DEFAULT_DB_PATH,
) -> None:
    """The chain as nodes (links with their health) and edges, as JSON for drawing."""
    chain, context, health = _chain_health(db, track, template, area, against, year)
    emit_json({"area": context.area.code, **graph_json(chain_graph(chain, health))})


@app.command("targets")
def targets(
    track: TrackArgument,
    area: AreaOption,
    top: Annotated[int, typer.Option("--top", min=1, help="How many rows to keep.")] = 20,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Also write the rows to FILE.xlsx or FILE.csv.")] = None,
    leads: Annotated[Path | None, typer.Option(
        "--leads", help="A lead list (CSV or XLSX roster) to rank with the city's firms.")] = None,
    space: Annotated[Path | None, typer.Option(
        "--space", help="Free floor space: CSV or XLSX with columns zone_id, free_m2.")] = None,
    show_opportunities: Annotated[bool, typer.Option(
        "--opportunities", help="Rank activities to diversify into instead of firms.")] = False,
    against: AgainstOption = "city",
    year: YearOption = None,
    template: TemplateOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Firms elsewhere that would fill TRACK's missing or weak links in an area, ranked, with why."""
    chain = _template(track, template)
    if out is not None and out.suffix.lower() not in (".csv", ".xlsx"):
        fail(f"{out.name}: --out writes .csv or .xlsx", EXIT_USAGE)
    lead_frame = _read_leads(leads) if leads is not None else None
    space_frame = _read_space(space) if space is not None else None
    with store_at(db, read_only=True) as store:
        context = _context(store, area, against, year)
        if show_opportunities:
            found = report.area_opportunities(context, chain, top=top)
            _opportunities_out(chain.id, context, found, out, as_json)
            return
        _, ranked = report.targets(store, context, chain, leads=lead_frame, space=space_frame,
                                   top=top)
    rows = [
        {key: row[key] for key in ("uscc", "name", "district_adcode", "industry_code", "links",
                                   "zone_id", "score", "parts", "why")}
        for row in ranked.to_dicts()
    ]
    if out is not None:
        write_table(_flat_targets(ranked), out)
    if as_json:
        emit_json({"track": chain.id, "area": context.area.code, "area_label": context.area.label,
                   "year": context.year, "weights": DEFAULT_WEIGHTS.as_dict(),
                   "space_data": space_frame is not None, "targets": rows})
        return
    table = Table("#", "name", "district", "links", "score", "why")
    for i, row in enumerate(rows, 1):
        table.add_row(str(i), row["name"], row["district_adcode"] or "lead",
                      ", ".join(row["links"]), f"{row['score']:.3f}", row["why"])
    out_console.print(table if rows else "No firm outside the area fills a missing or weak link.")


def _opportunities_out(track: str, context, found: pl.DataFrame, out: Path | None,
                       as_json: bool) -> None:
    if out is not None:
        write_table(found, out)
    if as_json:
        emit_json({"track": track, "area": context.area.code, "area_label": context.area.label,
                   "opportunities": found.to_dicts()})
        return
    table = Table("class", "name", "in track", "RCA", "density", "COG", "score")
    for row in found.to_dicts():
        table.add_row(row["industry_code"], row["name"] or "", "yes" if row["in_track"] else "",
                      f"{row['rca']:.2f}", f"{row['density']:.3f}", f"{row['cog']:.3f}",
                      f"{row['score']:.2f}")
    out_console.print(table)


def _template(track: str, path: Path | None):
    try:
        return get_template(track, path)
    except TemplateError as exc:
        fail(str(exc))


def _chain_health(db, track: str, template, area: str, against: str, year: int | None):
    """(template, context, health) of TRACK's chain in an area: what `show` and `graph` share."""
    chain = _template(track, template)
    with store_at(db, read_only=True) as store:
        context = _context(store, area, against, year)
        return chain, context, report.health(context, chain)


def _context(store, area: str, against: str, year: int | None) -> report.Context:
    try:
        return report.load_context(store, area, against, year)
    except (AreaError, report.ReportError) as exc:
        fail(str(exc))


def _link_rows(health: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "id": row["link_id"], "name": row["name_en"],
            "names": {"zh": row["name_zh"], "en": row["name_en"], "fr": row["name_fr"]},
            "stage": row["stage"], "classes": row["classes"], "enterprises": row["enterprises"],
            "revenue": row["revenue"], "employees": row["employees"], "growth": row["growth"],
            "lq": row["lq"], "concentration": row["concentration"], "status": row["status"],
            "why": row["why"],
        }
        for row in health.to_dicts()
    ]


def _flat_targets(ranked: pl.DataFrame) -> pl.DataFrame:
    return ranked.with_row_index("rank", offset=1).select(
        "rank", "uscc", "name", "district_adcode", "industry_code",
        pl.col("links").list.join(";"), "zone_id", "score", pl.col("parts").struct.unnest(), "why",
    )


def _read_leads(path: Path) -> pl.DataFrame:
    try:
        checked = validate(read_table(path).frame)
    except DistrictlensError as exc:
        fail(f"{path}: {exc}")
    if checked.errors.height:
        first = "; ".join(f"row {e['row']} {e['column']}: {e['reason']}"
                          for e in checked.errors.head(5).to_dicts())
        fail(f"{path}: {checked.rejected_rows} lead row(s) are invalid, nothing was ranked: {first}")
    return report.leads_frame(checked.rows)


def _read_space(path: Path) -> pl.DataFrame:
    try:
        frame = read_table(path).frame
    except DistrictlensError as exc:
        fail(f"{path}: {exc}")
    missing = [c for c in ("zone_id", "free_m2") if c not in frame.columns]
    if missing:
        fail(f"{path}: missing column(s) {', '.join(missing)}; expected zone_id, free_m2")
    typed = frame.select("zone_id", pl.col("free_m2").str.strip_chars().cast(pl.Float64, strict=False))
    bad = frame.filter(typed["free_m2"].is_null() | (typed["free_m2"] < 0))
    if bad.height:
        fail(f"{path}: free_m2 must be a number of square metres, 0 or more (rows {bad['__row__'].to_list()[:5]})")
    return typed


def _number(value: float | None, fmt: str) -> str:
    return fmt.format(value) if value is not None else "—"
