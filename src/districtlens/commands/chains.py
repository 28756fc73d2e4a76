"""Industry chains and investment targets: a chain's health in an area or in every district of the
area's city, the chain as a graph, and the firms (or activities) that would fill an area's gaps.

`load_context` reads what one area's analysis needs from the store (the area, by the one rule of
`districtlens.areas`; the city's firms; the peers; the district's zones) into a
`chains.report.Context`, on which the pure functions of `districtlens.chains` run. The dashboard,
claims and briefings read their contexts through it too.

`list_chains` needs no store (the shipped templates): the CLI calls it directly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from districtlens.areas import resolve_area
from districtlens.carriers import space
from districtlens.chains import report
from districtlens.chains.graph import chain_graph, graph_json
from districtlens.chains.health import DEFAULT_THRESHOLDS, StatusThresholds
from districtlens.chains.pools import pool_candidates
from districtlens.chains.targets import DEFAULT_WEIGHTS, MODES, PARTS, TargetWeights, entry_probabilities
from districtlens.chains.templates import ChainTemplate, get_template, shipped_templates
from districtlens.commands.base import Args, Context, command
from districtlens.errors import InputError, UsageError
from districtlens.export import headed, write_table
from districtlens.i18n import t
from districtlens.ingest.read import ROW, read_table
from districtlens.ingest.reasons import problems_of
from districtlens.ingest.validate import validate
from districtlens.store import Store, places
from districtlens.store import carriers as stored_carriers
from districtlens.store import chains as stored
from districtlens.store import leads as stored_leads
from districtlens.store import pools as stored_pools

if TYPE_CHECKING:
    from districtlens.areas import Area

T = TypeVar("T")
TABLE_SUFFIXES = (".csv", ".xlsx")
PROBLEMS_LISTED = 5  # the invalid lead rows a refusal quotes


# The city's firms, and what is computed from them per area (placements, activity measures), are a
# pure function of the data: kept per store file and data version (`stored.data_version`: the
# ledger head), so that a session's tracks, a scenario after its targets, or a briefing after the
# dashboard read a million firms and place them once; the pools' firms likewise. A few of each: a
# city of a million firms is some hundred megabytes.
_CITIES: OrderedDict[tuple[object, ...], pl.DataFrame] = OrderedDict()
_CONTEXTS: OrderedDict[tuple[object, ...], report.Context] = OrderedDict()
_POOLS: OrderedDict[tuple[object, ...], tuple[list[str], pl.DataFrame | None]] = OrderedDict()
_KEPT = {"cities": 2, "contexts": 8, "pools": 6}
_CACHE_LOCK = threading.Lock()


def forget_contexts() -> None:
    """Drop every kept city and context: the next `load_context` reads the store (a benchmark
    measures a first read with it)."""
    with _CACHE_LOCK:
        _CITIES.clear()
        _CONTEXTS.clear()
        _POOLS.clear()


def _recall(cache: OrderedDict[tuple[object, ...], T], key: tuple[object, ...]) -> T | None:
    with _CACHE_LOCK:
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
        return found


def _keep(cache: OrderedDict[tuple[object, ...], T], key: tuple[object, ...], value: T, kept: int) -> T:
    with _CACHE_LOCK:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > kept:
            cache.popitem(last=False)
    return value


def load_context(
    store: Store, area_code: str, against: str = "city", year: int | None = None, city: pl.DataFrame | None = None
) -> report.Context:
    """Resolve the area and read what its analysis needs. `year` defaults to the latest year with
    revenue; pass `city` (with its `year`) to reuse the city's firms read for another area.
    Without `city`, the context is kept for the store's data version and given again."""
    report.check_against(against)
    area = resolve_area(area_code, places.zones(store), places.district_names(store))
    if year is None and city is None:
        year = stored.latest_fact_year(store)
    version = stored.data_version(store) if city is None else None
    key = (version, area.code, against, year)
    if version is not None and (known := _recall(_CONTEXTS, key)) is not None:
        return known
    if city is None:
        city_key = (version, area.city_prefix, year)
        city = _recall(_CITIES, city_key) if version is not None else None
        if city is None:
            city = stored.city_firms(store, area.city_prefix, year)
            if version is not None:
                _keep(_CITIES, city_key, city, _KEPT["cities"])
    peers = stored.peer_districts(store, area.district_adcode) if against == "peers" else None
    context = report.build_context(
        area, city, year=year, against=against, peers=peers, zones=stored.district_zones(store, area.district_adcode)
    )
    return _keep(_CONTEXTS, key, context, _KEPT["contexts"]) if version is not None else context


# ---- the shipped templates -----------------------------------------------------------------------


class LinkSummary(BaseModel):
    id: str
    name: dict[str, str]
    stage: str


class ChainSummary(BaseModel):
    id: str
    version: int
    name: dict[str, str]
    links: list[LinkSummary]


class ChainList(BaseModel):
    chains: list[ChainSummary]


def list_chains() -> ChainList:
    """The shipped chain templates: id, version, names and links."""
    return ChainList(
        chains=[
            ChainSummary(
                id=t.id,
                version=t.version,
                name=dict(t.name),
                links=[LinkSummary(id=link.id, name=dict(link.name), stage=link.stage) for link in t.links],
            )
            for t in shipped_templates().values()
        ]
    )


# ---- a chain's health in an area -----------------------------------------------------------------


class ChainInArea(Args):
    """A track's chain in an area, against the city or the district's peers, in a year (default:
    the latest with revenue); `template` is an edited template file to use for the track."""

    track: str
    area: str
    against: str = "city"
    year: int | None = None
    template: Path | None = None


class ShowChain(ChainInArea):
    """`lang`: the language of the whys."""

    lang: str = "en"


class LinkHealth(BaseModel):
    id: str
    name: str
    names: dict[str, str]
    stage: str
    classes: list[str]
    enterprises: int
    revenue: float | None
    employees: float | None
    growth: float | None
    lq: float | None
    concentration: float | None
    status: str
    why: str


class ChainHealth(BaseModel):
    track: str
    version: int
    area: str
    area_label: str
    against: str
    reference: str
    year: int | None
    thresholds: StatusThresholds
    links: list[LinkHealth]


@command("chains.show", writes=False)
def show(ctx: Context, args: ShowChain) -> ChainHealth:
    """Health of each link of the track's chain in the area: enterprises, revenue, LQ, status, why."""
    chain = get_template(args.track, args.template)
    context = load_context(ctx.store, args.area, args.against, args.year)
    return ChainHealth(
        track=chain.id,
        version=chain.version,
        area=context.area.code,
        area_label=context.area.label,
        against=args.against,
        reference=context.reference_label,
        year=context.year,
        thresholds=DEFAULT_THRESHOLDS,
        links=_link_rows(report.health(context, chain, lang=args.lang)),
    )


def _link_rows(health: pl.DataFrame) -> list[LinkHealth]:
    return [
        LinkHealth(
            id=row["link_id"],
            name=row["name_en"],
            names={"zh": row["name_zh"], "en": row["name_en"], "fr": row["name_fr"]},
            stage=row["stage"],
            classes=row["classes"],
            enterprises=row["enterprises"],
            revenue=row["revenue"],
            employees=row["employees"],
            growth=row["growth"],
            lq=row["lq"],
            concentration=row["concentration"],
            status=row["status"],
            why=row["why"],
        )
        for row in health.to_dicts()
    ]


# ---- every district of the city ------------------------------------------------------------------


class CityHealth(Args):
    """The chain of `track` (every shipped track when None) in every district of the area's city."""

    area: str
    track: str | None = None
    year: int | None = None
    template: Path | None = None


class LinkStatus(BaseModel):
    enterprises: int
    lq: float | None
    status: str


class DistrictLinks(BaseModel):
    district: str
    label: str
    links: dict[str, LinkStatus]


class CityChain(BaseModel):
    """One track in every district; as a result of `chains.city`, for one track."""

    model_config = ConfigDict(extra="forbid")  # never mistaken for CityChains when read back

    track: str
    version: int
    reference: str
    year: int | None
    thresholds: StatusThresholds
    districts: list[DistrictLinks]


class CityChains(BaseModel):
    """Every shipped track in every district."""

    model_config = ConfigDict(extra="forbid")

    tracks: list[CityChain]


@command("chains.city", writes=False)
def city(ctx: Context, args: CityHealth) -> CityChain | CityChains:
    """Which district holds which link: the chain's health in every district of the area's city,
    against the city. Every shipped track when no track is named, read once and computed together."""
    if args.track is None and args.template is not None:
        raise UsageError("chains.template_needs_track")
    chains = list(shipped_templates().values()) if args.track is None else [get_template(args.track, args.template)]
    context = load_context(ctx.store, args.area, "city", args.year)
    by_track = report.city_health_by_track(context, chains)
    zones, district_names = places.zones(ctx.store), places.district_names(ctx.store)
    labels: dict[str, str] = {}

    def label(code: str) -> str:
        if code not in labels:
            labels[code] = resolve_area(code, zones, district_names).label
        return labels[code]

    tracks = [
        CityChain(
            track=chain.id,
            version=chain.version,
            reference=context.reference_label,
            year=context.year,
            thresholds=DEFAULT_THRESHOLDS,
            districts=_district_rows(by_track[chain.id], label),
        )
        for chain in chains
    ]
    return CityChains(tracks=tracks) if args.track is None else tracks[0]


def _district_rows(health: pl.DataFrame, label: Callable[[str], str]) -> list[DistrictLinks]:
    """A `city_health` frame as one row per district: its label and each link's figures."""
    districts = []
    for (code,), rows in health.group_by("district_adcode", maintain_order=True):
        links = {
            row.id: LinkStatus(enterprises=row.enterprises, lq=row.lq, status=row.status) for row in _link_rows(rows)
        }
        districts.append(DistrictLinks(district=str(code), label=label(str(code)), links=links))
    return districts


# ---- the chain graph -----------------------------------------------------------------------------


class GraphOfChain(ChainInArea):
    pass


class GraphNode(BaseModel):
    id: str
    name: dict[str, str]
    stage: str
    classes: list[str]
    enterprises: int
    revenue: float | None
    employees: float | None
    growth: float | None
    lq: float | None
    concentration: float | None
    status: str
    why: str


class GraphEdge(BaseModel):
    source: str
    target: str


class ChainGraph(BaseModel):
    area: str
    track: str
    version: int
    nodes: list[GraphNode]
    edges: list[GraphEdge]


@command("chains.graph", writes=False)
def graph(ctx: Context, args: GraphOfChain) -> ChainGraph:
    """The chain as nodes (links, with their health in the area) and edges, for drawing."""
    chain = get_template(args.track, args.template)
    context = load_context(ctx.store, args.area, args.against, args.year)
    return ChainGraph(area=context.area.code, **graph_json(chain_graph(chain, report.health(context, chain))))


# ---- targets and opportunities -------------------------------------------------------------------


class FindTargets(ChainInArea):
    """`leads`: a lead list (a roster, CSV or XLSX) to rank with the city's firms and the pools;
    `space`: free floor space (CSV or XLSX with zone_id, free_m2) instead of the store's carriers
    on `on` (default today); `mode`: fill, strengthen or extend only (default: all, mixed);
    `pools`: the imported pools to draw from (default: all); `lang`: the language of the whys;
    `out`: also write the rows there (.csv, .xlsx)."""

    top: int = Field(default=20, ge=1)
    out: Path | None = None
    leads: Path | None = None
    space: Path | None = None
    on: date | None = None
    mode: str | None = None
    pools: list[str] | None = None
    lang: str = "en"


class Target(BaseModel):
    key: str
    uscc: str | None
    name: str
    source: str
    place: str | None
    district_adcode: str | None
    mode: str
    industry_code: str | None
    links: list[str]
    carrier_id: str | None
    zone_id: str | None
    score: float
    parts: dict[str, float | None]
    missing: list[str]
    why: str


class Targets(BaseModel):
    track: str
    area: str
    area_label: str
    year: int | None
    weights: TargetWeights
    space_source: Literal["store", "file"]
    space_on: date | None
    pools: list[str]
    targets: list[Target]


@command("chains.targets", writes=False)
def targets(ctx: Context, args: FindTargets) -> Targets:
    """Firms elsewhere (the city, imported pools, a lead list) that would fill, strengthen or
    extend the track's chain in the area, ranked, with why."""
    chain = get_template(args.track, args.template)
    _check_out(args.out)
    modes = _modes(args.mode)
    leads = report.leads_frame(_read_leads(args.leads)) if args.leads is not None else None
    context = load_context(ctx.store, args.area, args.against, args.year)
    on = args.on or date.today()
    space = _read_space(args.space) if args.space is not None else free_space(ctx.store, context.area, on, args.lang)
    pool_ids, pools = _pools(ctx.store, args.pools, args.lang)
    _, ranked = report.targets(
        context, chain, leads=leads, pools=pools, space=space, modes=modes, top=args.top, lang=args.lang
    )
    if args.out is not None:
        write_table(_flat_targets(ranked, chain, args.lang), args.out)
    return Targets(
        track=chain.id,
        area=context.area.code,
        area_label=context.area.label,
        year=context.year,
        weights=DEFAULT_WEIGHTS,
        space_source="file" if args.space is not None else "store",
        space_on=None if args.space is not None else on,
        pools=pool_ids,
        targets=[Target(**{key: row[key] for key in Target.model_fields}) for row in ranked.to_dicts()],
    )


def _pools(store: Store, chosen: list[str] | None, lang: str) -> tuple[list[str], pl.DataFrame | None]:
    """(the pools drawn from, their firms as candidates with places said in `lang`), kept per
    data version like the contexts (pools are imported through the ledger)."""
    version = stored.data_version(store)
    key = (version, tuple(chosen) if chosen is not None else None, lang)
    if version is not None and (known := _recall(_POOLS, key)) is not None:
        return known
    rows = stored_pools.pool_firms(store, chosen)
    found = (sorted(set(rows["pool_id"].to_list())), pool_candidates(rows, lang) if not rows.is_empty() else None)
    return _keep(_POOLS, key, found, _KEPT["pools"]) if version is not None else found


def free_space(store: Store, area: Area, on: date, lang: str = "zh") -> pl.DataFrame:
    """The free floor space of the area's carriers on `on`, by carrier and use: carrier_id,
    carrier_name (in `lang`), zone_id, use, free_m2 (capacity delivered by then less current
    leases)."""
    places_ = stored_leads.carrier_places(store, area.district_adcode, lang)
    if area.kind == "zone":
        places_ = places_.filter(pl.col("zone_id") == area.code)
    ids = places_["carrier_id"].to_list()
    schedule = stored_carriers.schedule_frame(store).filter(pl.col("carrier_id").is_in(ids))
    leases = stored_carriers.lease_frame(store).filter(pl.col("carrier_id").is_in(ids))
    frames = []
    for use in sorted(set(schedule["use"].to_list())):
        by_use, leased = space.only_use(schedule, leases, use)
        figures = space.figures_on(by_use, leased, ids, [on], "carrier_id")
        frames.append(figures.select("carrier_id", pl.lit(use).alias("use"), "free_m2"))
    schema = {"carrier_id": pl.String, "use": pl.String, "free_m2": pl.Float64}
    free = pl.concat(frames) if frames else pl.DataFrame(schema=schema)
    return places_.join(free, on="carrier_id", how="inner").select(
        "carrier_id", "carrier_name", "zone_id", "use", "free_m2"
    )


def _modes(mode: str | None) -> tuple[str, ...]:
    if mode is None:
        return MODES
    if mode not in MODES:
        raise UsageError("targets.unknown_mode", mode=mode, modes=", ".join(MODES))
    return (mode,)


class FindOpportunities(ChainInArea):
    """`out`: also write the rows there (.csv, .xlsx). `model`: an entry model saved by
    `metrics backtest --save-model` (a skops file); without it, the store's (`metrics model set`).
    `lang`: the language of the whys."""

    top: int = Field(default=20, ge=1)
    out: Path | None = None
    model: Path | None = None
    lang: str = "en"


class Opportunity(BaseModel):
    industry_code: str
    name: str | None
    in_track: bool
    area_enterprises: int
    rca: float
    density: float
    pci: float
    cog: float
    score: float
    why: str


class ModelUsed(BaseModel):
    """The entry model that ranked the opportunities: where it came from (a file, or "store") and
    what it was trained on (panels and periods, as `backtest --save-model` recorded them)."""

    source: str
    training: list[dict[str, object]]
    convention: str
    threshold: float


class Opportunities(BaseModel):
    """`ranked_by`: "model" (the entry model's probability is the score) or "density" (mean
    percentile of relatedness density and COG); `note` says why a model at hand was not used."""

    track: str
    area: str
    area_label: str
    ranked_by: Literal["model", "density"]
    model: ModelUsed | None
    note: str | None
    opportunities: list[Opportunity]


@command("chains.opportunities", writes=False)
def opportunities(ctx: Context, args: FindOpportunities) -> Opportunities:
    """Activities (GB/T classes) the area does not hold yet, best first: by the entry model's
    probability when a model is given or stored, else near what the area holds and raising its
    complexity (density and COG)."""
    chain = get_template(args.track, args.template)
    _check_out(args.out)
    loaded, source = _entry_model(ctx.store, args.model)
    context = load_context(ctx.store, args.area, args.against, args.year)
    probability, used, note = None, None, None
    if loaded is not None and context.area.kind != "district":
        note = "The entry model was trained on regions of a panel: it ranks districts only; ranked by density."
    elif loaded is not None:
        convention, threshold = str(loaded.get("convention", "stata")), float(loaded.get("threshold", 1.0))  # type: ignore[arg-type]
        probability = entry_probabilities(
            context.city, loaded["model"], context.area.district_adcode, convention=convention, threshold=threshold
        )
        used = ModelUsed(
            source=source,
            training=list(loaded.get("training", [])),  # type: ignore[call-overload]
            convention=convention,
            threshold=threshold,
        )
    found = report.area_opportunities(context, chain, top=args.top, probability=probability, lang=args.lang)
    if args.out is not None:
        write_table(found, args.out)
    return Opportunities(
        track=chain.id,
        area=context.area.code,
        area_label=context.area.label,
        ranked_by="model" if used is not None else "density",
        model=used,
        note=note,
        opportunities=[Opportunity(**row) for row in found.to_dicts()],
    )


def _entry_model(store: Store, path: Path | None) -> tuple[dict[str, object] | None, str]:
    """The entry model to rank by and where it came from: the file given, else the store's, else none."""
    from districtlens.commands.metrics import entry_model, stored_entry_model

    if path is not None:
        return entry_model(path), str(path)
    return stored_entry_model(store), "store"


def _check_out(out: Path | None) -> None:
    if out is not None and out.suffix.lower() not in TABLE_SUFFIXES:
        raise UsageError("file.bad_suffix", path=str(out), suffixes=", ".join(TABLE_SUFFIXES))


def _flat_targets(ranked: pl.DataFrame, chain: ChainTemplate, lang: str) -> pl.DataFrame:
    """The ranked targets as a flat table for a spreadsheet (one column per part), headed and
    labelled in `lang`: modes, links and parts by their names, never their ids."""
    separator = t("targets.why.list_separator", lang)
    modes = {mode: t(f"targets.mode.{mode}", lang) for mode in MODES}
    links = {link.id: link.name.get(lang) or link.name["en"] for link in chain.links}
    parts = {part: t(f"targets.part.{part}", lang) for part in PARTS}
    flat = ranked.with_row_index("rank", offset=1).select(
        "rank",
        pl.col("mode").replace_strict(modes),
        "key",
        "name",
        "place",
        "industry_code",
        pl.col("links").list.eval(pl.element().replace(links)).list.join(separator),
        "score",
        pl.col("parts").struct.unnest(),
        pl.col("missing").list.eval(pl.element().replace(parts)).list.join(separator),
        "why",
    )
    return headed(flat, lang)


def _read_leads(path: Path) -> pl.DataFrame:
    """The valid rows of a lead list; any invalid row refuses the whole list."""
    checked = validate(read_table(path).frame)
    if checked.errors.height:
        raise InputError(
            "chains.leads_invalid",
            path=str(path),
            count=checked.rejected_rows,
            problems=problems_of(checked.errors, PROBLEMS_LISTED),
        )
    return checked.rows


def _read_space(path: Path) -> pl.DataFrame:
    """Free floor space by zone: zone_id, free_m2 (square metres, 0 or more)."""
    frame = read_table(path).frame
    missing = [c for c in ("zone_id", "free_m2") if c not in frame.columns]
    if missing:
        raise InputError("chains.space_missing_columns", path=str(path), missing=", ".join(missing))
    typed = frame.select("zone_id", pl.col("free_m2").str.strip_chars().cast(pl.Float64, strict=False))
    bad = frame.filter(typed["free_m2"].is_null() | (typed["free_m2"] < 0))
    if bad.height:
        rows = ", ".join(str(row) for row in bad[ROW].to_list()[:PROBLEMS_LISTED])
        raise InputError("chains.space_bad_free_m2", path=str(path), rows=rows)
    # A zone of the file is one place to land, of no stated carrier or use.
    return (
        typed.group_by("zone_id", maintain_order=True)
        .agg(pl.col("free_m2").sum())
        .select(
            pl.lit(None, dtype=pl.String).alias("carrier_id"),
            pl.lit(None, dtype=pl.String).alias("carrier_name"),
            "zone_id",
            pl.lit(None, dtype=pl.String).alias("use"),
            "free_m2",
        )
    )
