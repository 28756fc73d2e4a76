"""Published statistics: importing a district's figures, and reconciling the registry with them.

`reconcile` sets registry-derived figures beside the published ones of a district and year: the
registered entities (in all and by ownership type), the multinational regional headquarters, the
entities founded in the year, tax (and revenue or employees where published), and the tertiary
share of revenue beside the published tertiary share of value added (a proxy: revenue is not
value added). It then says what the registry lacks: figures it cannot be set beside, entities
without an ownership type, a year without tax figures. Sentences are message keys with values
(`Message`), rendered in the reader's language by the CLI and the dashboard.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel

from districtlens.areas import resolve_area
from districtlens.commands.base import Args, Context, command
from districtlens.errors import InputError, NotFound
from districtlens.i18n import LANGUAGES
from districtlens.ingest.read import read_table
from districtlens.ingest.statistics import parse_statistics
from districtlens.store import places
from districtlens.store import statistics as stored

PROBLEMS_LISTED = 20
# Ownership types as registries write them -> the bulletin's four groups (the first match wins).
OWNERSHIP_GROUPS: tuple[tuple[str, str], ...] = (
    ("individual", "个体"),
    ("foreign", "外商|外资|港澳台|中外合|外国"),
    ("state-collective", "国有|集体|国资|全民所有"),
    ("private", "私营|民营|自然人|私人"),
)
MULTINATIONAL_HQ = "跨国公司"
# Measures published as totals so far: a year without its own figure is set beside the latest.
RUNNING_TOTALS = ("hq.multinational",)
# China's three-sector rule (国家统计局 2018): primary is divisions 01-04; secondary 06-10, 12-42
# and 44-50; the rest is tertiary (05, 11 and 43 are services to the other two).
PRIMARY_DIVISIONS = range(1, 5)
TERTIARY_SERVICE_DIVISIONS = (5, 11, 43)
FIRST_SERVICE_DIVISION = 51
# The sentence saying how far short of a published figure the registry is, per normalised unit.
SHORTFALL_KEYS = {
    "entities": "reconcile.short_entities",
    "万元": "reconcile.short_money",
    "persons": "reconcile.short_persons",
}
# The label of each normalised unit (ingest.statistics.UNITS).
UNIT_KEYS = {
    "万元": "statistics.unit_money",
    "entities": "statistics.unit_entities",
    "persons": "statistics.unit_persons",
    "%": "statistics.unit_percent",
    "km2": "statistics.unit_km2",
}


class Message(BaseModel):
    key: str
    values: dict[str, Any] = {}


class ImportStatistics(Args):
    file: Path
    source: str | None = None


class StatisticsImported(BaseModel):
    source: str
    rows_read: int
    figures: int
    unchanged: int
    timeless: int
    mapped: int
    written: bool
    ledger_seq: int | None


@command("import.statistics", writes=True)
def import_statistics(ctx: Context, args: ImportStatistics) -> StatisticsImported:
    """Import published statistics (one figure per row), all or nothing: any invalid row and the
    file is refused, listing every problem."""
    ctx.progress("reading")
    table = read_table(args.file)
    parsed = parse_statistics(table.frame)
    if parsed.problems:
        listed = [p.said() for p in parsed.problems[:PROBLEMS_LISTED]]
        raise InputError("statistics.invalid_rows", count=len(parsed.problems), examples=listed)
    source = {"name": args.source or args.file.name, "file_name": args.file.name, "file_sha256": table.sha256}
    ctx.progress("writing")
    written = stored.write_statistics(ctx.store, parsed.rows.drop("row"), source=source, actor=ctx.actor)
    return StatisticsImported(
        source=source["name"],
        rows_read=table.frame.height,
        figures=written.figures,
        unchanged=written.unchanged,
        timeless=parsed.rows["year"].null_count(),
        mapped=parsed.rows["measure"].drop_nulls().len(),
        written=written.ledger_seq is not None,
        ledger_seq=written.ledger_seq,
    )


class Reconcile(Args):
    area: str
    year: int | None = None


class ReconciledFigure(BaseModel):
    measure: str
    indicator: str  # as published
    year: int | None
    unit: str  # the normalised unit both figures are in
    published: float
    registry: float | None
    coverage: float | None  # registry / published (for a share: None, see gap_points)
    gap_points: float | None  # registry share minus published share, in points
    note: Message | None
    source_doc: str | None
    source_url: str | None


class PublishedOnly(BaseModel):
    indicator: str
    year: int | None
    value: float
    unit: str
    source_doc: str | None


class Reconciliation(BaseModel):
    area: str
    area_names: dict[str, str]  # by language
    year: int
    synthetic_registry: bool
    registered_entities: int
    figures: list[ReconciledFigure]
    published_only: list[PublishedOnly]
    lacks: list[Message]


@command("reconcile", writes=False)
def reconcile(ctx: Context, args: Reconcile) -> Reconciliation:
    """Registry-derived figures beside a district's published ones for a year (default: the latest
    year with published figures), and what the registry lacks."""
    area = resolve_area(args.area, places.zones(ctx.store), places.district_names(ctx.store))
    adcode = area.district_adcode
    years = stored.published_years(ctx.store, adcode)
    year = args.year if args.year is not None else (years[0] if years else None)
    if year is None or year not in years:
        raise NotFound("statistics.none_for_area", area=area.label, year=str(year or "—"))
    figures = stored.published(ctx.store, adcode, year)
    for measure in RUNNING_TOTALS:
        if measure not in figures["measure"].to_list():
            figures = pl.concat([figures, stored.latest_before(ctx.store, adcode, measure, year)])
    firms = with_groups(stored.registered_entities(ctx.store, adcode, year))
    registry = registry_measures(firms, year)
    rows: list[ReconciledFigure] = []
    only: list[PublishedOnly] = []
    for fig in figures.iter_rows(named=True):
        measure = fig["measure"]
        if measure is None:
            only.append(
                PublishedOnly(
                    indicator=fig["indicator"],
                    year=fig["year"],
                    value=fig["value"],
                    unit=fig["unit"],
                    source_doc=fig["source_doc"],
                )
            )
            continue
        rows.append(_reconciled(fig, registry.get(measure)))
    return Reconciliation(
        area=adcode,
        area_names={lang: area.name(lang) for lang in LANGUAGES},
        year=year,
        synthetic_registry=bool(firms["synthetic"].any()) if firms.height else False,
        registered_entities=firms.height,
        figures=rows,
        published_only=only,
        lacks=_lacks(firms, registry, rows, year),
    )


def with_groups(firms: pl.DataFrame) -> pl.DataFrame:
    """The firms with their ownership group (None when the type is unknown or unrecognised), sector
    (primary, secondary, tertiary; None without an industry code) and multinational-HQ flag."""
    ownership = pl.lit(None, pl.String)
    for group, pattern in reversed(OWNERSHIP_GROUPS):
        ownership = pl.when(pl.col("ownership_type").str.contains(pattern)).then(pl.lit(group)).otherwise(ownership)
    division = pl.col("industry_code").str.slice(0, 2).cast(pl.Int32, strict=False)
    sector = (
        pl.when(division.is_null())
        .then(pl.lit(None, pl.String))
        .when(division.is_in(list(PRIMARY_DIVISIONS)))
        .then(pl.lit("primary"))
        .when(division.is_in(list(TERTIARY_SERVICE_DIVISIONS)) | (division >= FIRST_SERVICE_DIVISION))
        .then(pl.lit("tertiary"))
        .otherwise(pl.lit("secondary"))
    )
    return firms.with_columns(
        ownership_group=ownership,
        sector=sector,
        multinational_hq=pl.col("hq_status").fill_null("").str.contains(MULTINATIONAL_HQ),
    )


def registry_measures(firms: pl.DataFrame, year: int) -> dict[str, float | None]:
    """Each measure of `ingest.statistics.MEASURE_RULES` as the registry gives it for `year`."""
    measures: dict[str, float | None] = {"entities": float(firms.height)}
    measures["enterprises"] = float(firms.filter(pl.col("ownership_group").fill_null("") != "individual").height)
    founded = firms.filter(pl.col("founded").dt.year() == year)
    measures["new_entities"] = float(founded.height)
    for group, _ in OWNERSHIP_GROUPS:
        measures[f"entities.{group}"] = float(firms.filter(pl.col("ownership_group") == group).height)
        measures[f"new_entities.{group}"] = float(founded.filter(pl.col("ownership_group") == group).height)
    measures["hq.multinational"] = float(firms["multinational_hq"].sum())
    for fact in ("tax", "revenue", "employees"):
        known = firms[fact].drop_nulls()
        measures[fact] = float(known.sum()) if known.len() else None
    with_sector = firms.filter(pl.col("sector").is_not_null() & pl.col("revenue").is_not_null())
    total = float(with_sector["revenue"].sum())
    tertiary = float(with_sector.filter(pl.col("sector") == "tertiary")["revenue"].sum())
    measures["share.tertiary"] = 100.0 * tertiary / total if total else None
    return measures


def _reconciled(fig: dict[str, Any], registry: float | None) -> ReconciledFigure:
    measure, published = fig["measure"], fig["value_base"]
    share = measure.startswith("share.")
    coverage = registry / published if registry is not None and published and not share else None
    gap = registry - published if registry is not None and share else None
    if registry is None:
        note = Message(key="reconcile.no_registry_figure")
    elif share:
        note = Message(key="reconcile.proxy_tertiary")
    elif fig["year"] is not None and measure in RUNNING_TOTALS:
        note = Message(key="reconcile.count_as_of", values={"year": fig["year"]})
    else:
        note = None
    return ReconciledFigure(
        measure=measure,
        indicator=fig["indicator"],
        year=fig["year"],
        unit=fig["unit_base"],
        published=published,
        registry=registry,
        coverage=coverage,
        gap_points=gap,
        note=note,
        source_doc=fig["source_doc"],
        source_url=fig["source_url"],
    )


def _lacks(
    firms: pl.DataFrame, registry: dict[str, float | None], rows: list[ReconciledFigure], year: int
) -> list[Message]:
    lacks: list[Message] = []
    unknown = firms["ownership_group"].null_count()
    if unknown:
        lacks.append(Message(key="reconcile.lacks_ownership", values={"count": unknown, "total": firms.height}))
    if firms.height and firms["hq_status"].null_count() == firms.height:
        lacks.append(Message(key="reconcile.lacks_hq_status"))
    for fact in ("tax", "revenue"):
        if registry.get(fact) is None:
            lacks.append(Message(key=f"reconcile.lacks_{fact}", values={"year": year}))
    for row in rows:
        if row.coverage is not None and row.coverage < 1 and row.unit in SHORTFALL_KEYS:
            missing = row.published - (row.registry or 0.0)
            amount = {"money_wan": missing} if row.unit == "万元" else {"count": round(missing)}
            lacks.append(Message(key=SHORTFALL_KEYS[row.unit], values={"indicator": row.indicator, "missing": amount}))
    return lacks
