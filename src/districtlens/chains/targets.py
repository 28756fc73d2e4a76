"""Investment targets (产业链招商), worked three ways, and diversification opportunities.

A chain is worked as 补链 `fill` (a firm in a link the area lacks or holds weakly), 强链
`strengthen` (a leader of a link the area already holds, present or strong: a firm whose scale,
growth or technology ranks in the top of that link's candidates) and 延链 `extend` (a firm of an
activity adjacent to the chain: a GB/T class outside the chain's links, not held by the area
(RCA < 1), closest by product-space proximity to the chain's classes). Each candidate gets the
one mode its best link gives it. Without a mode asked for, the list mixes the modes by score, each
mode found keeping a share of it (`_mixed_top`). Candidates are the city's firms outside the area's district,
the firms of imported pools (firms anywhere in China or abroad: `chains.pools`) and lead lists.

A target's score is the weighted mean of the parts the evidence informs (`TargetWeights`); a part
its source cannot inform (growth for a pool with one year, density for a firm without a class)
is reported in `missing` and left out of the weights, never scored as zero:

- fit:      fill 1 for a missing link, 0.8 for a weak one; strengthen 0.6 to 1 as the firm's best
            leader percentile in the link (revenue, growth, rank, or 0.8 for a technology tag) goes
            from 0.8 to 1; extend 0.5 to 1 as the class's proximity to the chain goes to that of
            the most proximate adjacent class: filling a gap comes first, as 补链 does;
- density:  relatedness density of its class in the area (Hidalgo et al. 2007);
- size:     the percentile of its revenue (else of its rank) among the chain's candidates (placed
            in a link or of an adjacent class) of its source;
- growth:   the percentile of its revenue growth on the year before, among those with both years;
- zone_fit: 1 when it lands in a functional zone oriented to the chain's track, else 0;
- space:    the free floor space of the carrier it would land in (office, lab or unspecified use,
            on the day asked) over what it needs (employees x `M2_PER_EMPLOYEE`, or
            `ASSUMED_NEED_M2` without a count), capped at 1.

Opportunities (Hausmann et al. 2014, *The Atlas of Economic Complexity*): classes the area does
not hold (RCA < 1) ranked by the mean of the percentiles of their density and complexity outlook
gain (COG), so that near, complexity-raising activities come first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import polars as pl

from districtlens.chains.templates import ChainTemplate
from districtlens.i18n import has, money, number, t
from districtlens.metrics import measures
from districtlens.refdata import gbt_classes

if TYPE_CHECKING:
    from districtlens.metrics.complexity import Convention

MODES = ("fill", "strengthen", "extend")
FILL_FIT = {"missing": 1.0, "weak": 0.8}
HELD = ("present", "strong")
LEADER_PERCENTILE = 0.8  # a strengthen target ranks in the top fifth of its link's candidates
TECH_TAGS = ("高新技术", "专精特新", "小巨人", "high-tech")
ADJACENT_CLASSES = 12  # the classes nearest the chain that extend targets come from
M2_PER_EMPLOYEE = 10.0  # office floor space per employee used to judge whether a carrier can host a firm
ASSUMED_NEED_M2 = 500.0  # the need assumed for a firm whose employees the source does not give
FIRM_USES = ("office", "lab", "unspecified")
CANDIDATE_COLUMNS = (
    "key",
    "uscc",
    "name",
    "source",
    "place",
    "district_adcode",
    "industry_code",
    "tags",
    "revenue",
    "revenue_prior",
    "employees",
    "rank",
)
AREA_REGION = "__area__"
# The candidate columns a target shows but its mode and score do not use.
SAID_COLUMNS = ("uscc", "name", "place", "district_adcode", "tags", "revenue_prior")


def source_label(source: str, lang: str) -> str:
    """A candidate source as a reader names it: a shipped pool by its title in `lang`; a pool the
    Commission imported by the id it gave it."""
    key = f"pools.name.{source}"
    return t(key, lang) if has(key) else source


@dataclass(frozen=True)
class TargetWeights:
    fit: float = 0.35
    density: float = 0.20
    size: float = 0.15
    growth: float = 0.10
    zone_fit: float = 0.10
    space: float = 0.10

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT_WEIGHTS = TargetWeights()
PARTS = tuple(DEFAULT_WEIGHTS.as_dict())


@dataclass(frozen=True)
class ActivityPanel:
    """The area's measures per class (`table`), the class x class proximity in the table's
    order, and the area's economic complexity index."""

    table: pl.DataFrame
    proximity: np.ndarray
    eci: float | None


def activity_measures(
    firms: pl.DataFrame, area_firms: pl.DataFrame, area_is_district: bool, area_code: str
) -> pl.DataFrame:
    """RCA, presence, density, PCI and COG of every class for the area (`activity_panel`'s table)."""
    return activity_panel(firms, area_firms, area_is_district, area_code).table


def activity_panel(
    firms: pl.DataFrame, area_firms: pl.DataFrame, area_is_district: bool, area_code: str
) -> ActivityPanel:
    """The measures of every class for the area, with the proximity and the area's ECI.

    The panel is the city's districts x GB/T classes, valued in enterprises (`firms`: every firm
    of the city with district_adcode and industry_code). A street or zone (`area_is_district`
    false) joins the panel as one more region and is compared with the districts' totals.
    Table columns: industry_code, area_enterprises, rca, mcp, density, pci, cog (standardised as
    the Stata `ecomplexity` does).
    """
    counts = (
        firms.filter(pl.col("industry_code").is_not_null() & pl.col("district_adcode").is_not_null())
        .group_by("district_adcode", "industry_code")
        .len()
    )
    classes = counts["industry_code"].unique().sort()
    regions = counts["district_adcode"].unique().sort()
    matrix = _dense(counts, regions, classes, "district_adcode")
    reference = matrix.sum(axis=0)
    row = None
    if area_is_district:
        row = regions.to_list().index(area_code) if area_code in regions.to_list() else None
        area_row = matrix[row] if row is not None else np.zeros(classes.len())
    else:
        area_counts = (
            area_firms.filter(pl.col("industry_code").is_not_null())
            .group_by("industry_code")
            .len()
            .with_columns(pl.lit(AREA_REGION).alias("district_adcode"))
        )
        area_row = _dense(area_counts, pl.Series([AREA_REGION]), classes, "district_adcode")[0]
    if row is not None:
        values, index = matrix, row
    else:
        values, index = np.vstack([matrix, area_row]), matrix.shape[0]
    # Tiny panels can make complexity's standard deviations zero; NaN then marks what is undefined.
    with np.errstate(divide="ignore", invalid="ignore"):
        m = measures(values, reference=reference)
    table = pl.DataFrame(
        {
            "industry_code": classes,
            "area_enterprises": area_row.astype(np.int64),
            "rca": m["rca"][index],
            "mcp": m["mcp"][index].astype(np.int8),
            "density": m["density"][index],
            "pci": m["pci"],
            "cog": m["cog"][index],
        }
    )
    eci = float(m["eci"][index])
    return ActivityPanel(table, m["proximity"], None if np.isnan(eci) else eci)


def adjacent_classes(panel: ActivityPanel, template: ChainTemplate, top: int = ADJACENT_CLASSES) -> pl.DataFrame:
    """The classes adjacent to the chain that the area lacks, nearest first: not among the
    chain's classes, RCA < 1 in the area, with their largest proximity to a chain class.
    Columns: industry_code, adjacency, near (the chain class it is nearest), rca."""
    codes = panel.table["industry_code"].to_list()
    index = {code: i for i, code in enumerate(codes)}
    chain = [index[c] for c in template.classes if c in index]
    if not chain:
        return pl.DataFrame(
            schema={"industry_code": pl.String, "adjacency": pl.Float64, "near": pl.String, "rca": pl.Float64}
        )
    block = np.nan_to_num(panel.proximity[:, chain])
    nearest = block.argmax(axis=1)
    frame = panel.table.select("industry_code", "mcp", "rca").with_columns(
        pl.Series("adjacency", block.max(axis=1)),
        pl.Series("near", [codes[chain[j]] for j in nearest]),
    )
    return (
        frame.filter(
            (pl.col("mcp") == 0) & ~pl.col("industry_code").is_in(list(template.classes)) & (pl.col("adjacency") > 0)
        )
        .sort(["adjacency", "industry_code"], descending=[True, False])
        .head(top)
        .select("industry_code", "adjacency", "near", "rca")
    )


@dataclass(frozen=True)
class Landing:
    """Where targets would land: a carrier (or a zone from a --space file), its free space."""

    carrier_id: str | None
    carrier_name: str | None
    zone_id: str | None
    zone_name: str | None
    use: str | None
    free_m2: float | None  # None: no free space recorded anywhere in the area
    oriented: bool


def landing_for(track: str, zones: pl.DataFrame | None, space: pl.DataFrame | None, lang: str = "zh") -> Landing | None:
    """Where a firm would land: the place with the most free space for a firm (office, lab or
    unspecified use) in a zone oriented to the track, else anywhere in the area; without free
    space recorded, a zone oriented to the track (its free space unknown); else None.

    `space`: carrier_id, carrier_name, zone_id, use, free_m2 (carrier and use may be null, as in
    a --space file of zones). `zones`: zone_id, name_zh, name_en (name_fr), orientation; a zone
    is named in `lang` when the pack gives it, else in English, else in Chinese."""
    oriented: list[str] = []
    names: dict[str, str] = {}
    if zones is not None and not zones.is_empty():
        oriented = zones.filter(pl.col("orientation").list.contains(track))["zone_id"].to_list()
        preferred = [c for c in dict.fromkeys((f"name_{lang}", "name_en", "name_zh")) if c in zones.columns]
        rows = zones.select("zone_id", *preferred).iter_rows()
        names = {row[0]: next((n for n in row[1:] if n), row[0]) for row in rows}
    usable = (
        space.filter(pl.col("use").is_null() | pl.col("use").is_in(FIRM_USES)).filter(pl.col("free_m2") > 0)
        if space is not None
        else None
    )
    if usable is None or usable.is_empty():
        if not oriented:
            return None
        return Landing(None, None, oriented[0], names.get(oriented[0]), None, None, True)
    ranked = usable.with_columns(pl.col("zone_id").is_in(oriented).fill_null(False).alias("oriented")).sort(
        ["oriented", "free_m2", "carrier_id"], descending=[True, True, False], nulls_last=True
    )
    best = ranked.row(0, named=True)
    return Landing(
        best["carrier_id"],
        best["carrier_name"],
        best["zone_id"],
        names.get(best["zone_id"]) if best["zone_id"] else None,
        best["use"],
        float(best["free_m2"]),
        bool(best["oriented"]),
    )


def rank_targets(
    template: ChainTemplate,
    health: pl.DataFrame,
    placements: pl.DataFrame,
    candidates: pl.DataFrame,
    panel: ActivityPanel,
    *,
    area_label: str,
    exclude: pl.Series,
    zones: pl.DataFrame | None = None,
    space: pl.DataFrame | None = None,
    weights: TargetWeights = DEFAULT_WEIGHTS,
    modes: tuple[str, ...] = MODES,
    top: int | None = 20,
    lang: str = "en",
) -> pl.DataFrame:
    """Candidates in the three modes, best first by score.

    `health`: `chain_health` for the area; `placements`: (key, link_id) of the candidates placed
    in the chain; `candidates`: CANDIDATE_COLUMNS; `exclude`: keys of firms already in the area
    (by code, or by entity resolution for pool firms); `panel`: `activity_panel` of the area;
    `zones`, `space`: as for `landing_for`. Columns out: key, uscc (registry firms and leads),
    name, source, place, district_adcode (registry firms), mode,
    industry_code, links, carrier_id, zone_id, score, parts (None for a missing part), missing,
    why (in `lang`).
    """
    absent = [c for c in CANDIDATE_COLUMNS if c not in candidates.columns]
    if absent:
        raise ValueError(f"candidates lack column(s): {', '.join(absent)}")
    placed_keys = placements.select("key").unique()
    adjacent = adjacent_classes(panel, template) if "extend" in modes else adjacent_classes(panel, template, 0)
    # Only firms placed in the chain or of an adjacent class can be targets: narrowing to them
    # first spares ranking a city. Sizes and growths are percentiles among these, per source.
    relevant = candidates.select(CANDIDATE_COLUMNS).filter(
        pl.col("industry_code").is_in(adjacent["industry_code"].implode())
        | pl.col("key").is_in(placed_keys["key"].implode())
    )
    pool = relevant.filter(~pl.col("key").is_in(exclude.implode())).unique("key", keep="first", maintain_order=True)
    pool = pool.join(panel.table.select("industry_code", "density"), on="industry_code", how="left").with_columns(
        pl.when(pl.col("revenue_prior") > 0).then(pl.col("revenue") / pl.col("revenue_prior") - 1).alias("growth_rate"),
        pl.col("density").fill_nan(None),
    )
    pool = pool.with_columns(
        pl.coalesce(_percentile("revenue").over("source"), _rank_percentile().over("source")).alias("size"),
        _percentile("growth_rate").over("source").alias("growth"),
        pl.col("tags").fill_null("").str.contains("|".join(TECH_TAGS)).alias("tech"),
    )
    # Modes, scores and the order run on the figures they need (a hundred thousand candidates);
    # the names and places of the few kept are joined back at the end.
    said = pool.select("key", *SAID_COLUMNS)
    pool = pool.drop(SAID_COLUMNS)
    found = []
    if "fill" in modes or "strengthen" in modes:
        found.append(_chain_targets(health, placements, pool, modes))
    if "extend" in modes and not adjacent.is_empty():
        found.append(_extend_targets(adjacent, placed_keys, pool))
    table = pl.concat(found, how="diagonal_relaxed") if found else pl.DataFrame()
    if table.is_empty():
        return _empty_targets()
    # One mode per firm: the one with the best fit (fill before strengthen before extend on a tie).
    # A firm has one row per mode, so the first of its rows by fit and mode is the one; the order
    # of the firms is the score's, below. Few firms have two modes: only their rows are sorted.
    table = table.with_columns(pl.col("mode").replace_strict({m: i for i, m in enumerate(MODES)}).alias("mode_order"))
    twice = pl.col("key").is_duplicated()
    table = pl.concat(
        [
            table.filter(~twice),
            table.filter(twice).sort(["fit", "mode_order"], descending=[True, False]).unique("key", keep="first"),
        ]
    )
    landing = landing_for(template.id, zones, space, lang)
    # Space recorded but none free scores 0; no space recorded at all is a missing part.
    has_space = space is not None and not space.is_empty()
    need = pl.when(pl.col("employees") > 0).then(pl.col("employees") * M2_PER_EMPLOYEE).otherwise(ASSUMED_NEED_M2)
    table = table.with_columns(
        pl.lit(1.0 if landing is not None and landing.oriented else 0.0).alias("zone_fit"),
        (
            (pl.lit(landing.free_m2) / need).clip(upper_bound=1.0)
            if landing is not None and landing.free_m2 is not None
            else pl.lit(0.0 if has_space else None, dtype=pl.Float64)
        ).alias("space"),
        need.alias("need_m2"),
    )
    w = weights.as_dict()
    present = [pl.col(p).is_not_null().cast(pl.Float64) * w[p] for p in PARTS]
    weighted = [pl.col(p).fill_null(0.0) * w[p] for p in PARTS]
    table = table.with_columns((pl.sum_horizontal(weighted) / pl.sum_horizontal(present)).round(4).alias("score"))
    order = ["score", "fit", "key"]
    if top is not None:
        # `_mixed_top` keeps rows among the first `top` of the list or of their mode: each mode's
        # first `top` hold them all, and spare sorting a hundred thousand candidates.
        table = pl.concat(
            [rows.top_k(top, by=order, reverse=[False, False, True]) for _, rows in table.group_by("mode")]
        )
    table = table.sort(order, descending=[True, True, False], nulls_last=True)
    if top is not None:
        table = _mixed_top(table, top)
    kept = said.filter(pl.col("key").is_in(table["key"].implode()))
    table = table.join(kept, on="key", how="left", maintain_order="left")
    rows = []
    for row in table.to_dicts():
        parts = {p: (None if row[p] is None else round(float(row[p]), 4)) for p in PARTS}
        missing = [p for p in PARTS if parts[p] is None]
        rows.append(
            {
                "key": row["key"],
                "uscc": row["uscc"],
                "name": row["name"],
                "source": row["source"],
                "place": row["place"],
                "district_adcode": row["district_adcode"],
                "mode": row["mode"],
                "industry_code": row["industry_code"],
                "links": row["links"] or [],
                "carrier_id": landing.carrier_id if landing else None,
                "zone_id": landing.zone_id if landing else None,
                "score": row["score"],
                "parts": parts,
                "missing": missing,
                "why": _why(row, missing, area_label, landing, has_space, lang),
            }
        )
    return pl.DataFrame(rows, schema=_TARGET_SCHEMA)


def _mixed_top(table: pl.DataFrame, top: int) -> pl.DataFrame:
    """The `top` best by score, with each mode found keeping at least a share of the list (its
    best `top // (2 x modes)`), so that one mode's scale never hides the others; by score."""
    modes = table["mode"].unique().to_list()
    floor = top // (2 * len(modes)) if modes else 0
    kept = table.with_row_index("order").filter(
        (pl.col("order") < top) | (pl.col("order").rank("ordinal").over("mode") <= floor)
    )
    surplus = kept.height - top
    if surplus > 0:
        # Drop the lowest-scored rows of the modes holding more than their floor.
        rank_in_mode = pl.col("order").rank("ordinal").over("mode")
        droppable = kept.filter(rank_in_mode > floor).sort("order", descending=True).head(surplus)["order"]
        kept = kept.filter(~pl.col("order").is_in(droppable.implode()))
    return kept.sort("order").drop("order")


def _chain_targets(
    health: pl.DataFrame, placements: pl.DataFrame, pool: pl.DataFrame, modes: tuple[str, ...]
) -> pl.DataFrame:
    """Fill and strengthen rows: each candidate placed in a link, with the link's status."""
    links = health.select("link_id", "name_zh", "name_en", "name_fr", "status", "enterprises", "lq")
    placed = (
        placements.select("key", "link_id")
        .unique()
        .join(links, on="link_id", how="inner")
        .join(pool, on="key", how="inner")
    )
    # A leader is judged among the candidates of the same link and source.
    placed = placed.with_columns(
        _percentile("revenue").over("link_id", "source").alias("link_size"),
        _percentile("growth_rate").over("link_id", "source").alias("link_growth"),
    )
    leader = pl.max_horizontal(
        pl.col("link_size").fill_null(0.0),
        pl.col("link_growth").fill_null(0.0),
        pl.when(pl.col("tech")).then(LEADER_PERCENTILE).otherwise(0.0),
        pl.when(pl.col("revenue").is_null()).then(_rank_percentile().over("link_id", "source")).fill_null(0.0),
    )
    rows = placed.with_columns(
        pl.when(pl.col("status").is_in(list(FILL_FIT)))
        .then(pl.lit("fill"))
        .when(pl.col("status").is_in(HELD) & (leader >= LEADER_PERCENTILE))
        .then(pl.lit("strengthen"))
        .alias("mode"),
        pl.when(pl.col("status").is_in(list(FILL_FIT)))
        .then(pl.col("status").replace_strict(FILL_FIT, default=0.0, return_dtype=pl.Float64))
        .otherwise(0.6 + 0.4 * (leader - LEADER_PERCENTILE) / (1 - LEADER_PERCENTILE))
        .alias("fit"),
    ).filter(pl.col("mode").is_in(list(modes)))
    link = pl.struct("link_id", "name_zh", "name_en", "name_fr", "status", "enterprises", "lq")
    return (
        # The same answer whatever order the candidates came in: ties in fit go by link id (a
        # group keeps its rows in this order; the groups' order is the score's, later).
        rows.sort(["fit", "link_id"], descending=[True, False])
        .group_by("key", "mode")
        .agg(
            pl.col("fit").first(),
            pl.col("link_id").alias("links"),
            link.first().alias("link"),
            pl.exclude("fit", "link_id", "mode", "name_zh", "name_en", "name_fr", "status", "enterprises", "lq")
            .exclude("link_size", "link_growth")
            .first(),
        )
    )


def _extend_targets(adjacent: pl.DataFrame, placed_keys: pl.DataFrame, pool: pl.DataFrame) -> pl.DataFrame:
    """Extend rows: candidates of a class adjacent to the chain (`adjacent_classes`), not placed
    in the chain (`placed_keys`)."""
    best = adjacent["adjacency"].max()
    return (
        pool.join(placed_keys, on="key", how="anti")
        .join(adjacent, on="industry_code", how="inner")
        .with_columns(
            pl.lit("extend").alias("mode"),
            (0.5 + 0.5 * pl.col("adjacency") / best).alias("fit"),
            pl.lit([], dtype=pl.List(pl.String)).alias("links"),
        )
    )


def opportunities(
    activity: pl.DataFrame,
    template: ChainTemplate,
    area_label: str,
    top: int | None = 20,
    probability: pl.DataFrame | None = None,
    lang: str = "en",
) -> pl.DataFrame:
    """Classes the area does not hold (RCA < 1), best first by the mean percentile of density and
    COG; with `probability` (industry_code, probability: the entry model's), best first by the
    model's probability of entry instead, which is then the score. Columns: industry_code, name,
    in_track, area_enterprises, rca, density, pci, cog, score, why (in `lang`)."""
    names = gbt_classes().select(pl.col("code").alias("industry_code"), "name")
    track_classes = list(template.classes)
    held_not = activity.filter((pl.col("mcp") == 0) & pl.col("pci").is_not_nan())
    if probability is None:
        scored = held_not.with_columns(((_share("density") + _share("cog")) / 2).round(4).alias("score"))
    else:
        scored = held_not.join(
            probability.select("industry_code", pl.col("probability").alias("score")), on="industry_code", how="inner"
        )
    table = (
        scored.with_columns(pl.col("industry_code").is_in(track_classes).alias("in_track"))
        .join(names, on="industry_code", how="left")
        .sort(["score", "industry_code"], descending=[True, False])
    )
    if top is not None:
        table = table.head(top)
    key = "chains.opportunity.why" if probability is None else "chains.opportunity.why_model"
    whys = [_opportunity_why(key, row, area_label, lang) for row in table.iter_rows(named=True)]
    return table.with_columns(pl.Series("why", whys, dtype=pl.String)).select(
        "industry_code",
        "name",
        "in_track",
        "area_enterprises",
        "rca",
        "density",
        "pci",
        "cog",
        "score",
        "why",
    )


def entry_probabilities(
    firms: pl.DataFrame, model: object, district: str, *, convention: str = "stata", threshold: float = 1.0
) -> pl.DataFrame:
    """The entry model's probability for each class `district` does not hold: the model scores
    every candidate (M = 0) of the city's districts x GB/T classes panel, valued in enterprises as
    `activity_measures` values it, with the features it was trained on (ranks within the panel's
    candidates, as in training). Columns: industry_code, probability."""
    from districtlens.metrics import Columns
    from districtlens.metrics.backtest import year_candidates
    from districtlens.metrics.predict import entry_probability

    counts = (
        firms.filter(pl.col("industry_code").is_not_null() & pl.col("district_adcode").is_not_null())
        .group_by("district_adcode", "industry_code")
        .len()
        .select(
            pl.col("district_adcode").alias("region"),
            pl.col("industry_code").alias("activity"),
            pl.col("len").cast(pl.Float64).alias("value"),
        )
    )
    # The convention the model was trained with, read from its file (metrics.predict checks it).
    trained_with = cast("Convention", convention)
    candidates = year_candidates(
        counts, Columns("region", "activity", "value"), convention=trained_with, threshold=threshold
    )
    scored = candidates.with_columns(pl.Series("probability", entry_probability(model, candidates)))
    return scored.filter(pl.col("region") == district).select(pl.col("activity").alias("industry_code"), "probability")


_TARGET_SCHEMA = pl.Schema(
    {
        "key": pl.String(),
        "uscc": pl.String(),
        "name": pl.String(),
        "source": pl.String(),
        "place": pl.String(),
        "district_adcode": pl.String(),
        "mode": pl.String(),
        "industry_code": pl.String(),
        "links": pl.List(pl.String),
        "carrier_id": pl.String(),
        "zone_id": pl.String(),
        "score": pl.Float64(),
        "parts": pl.Struct({k: pl.Float64 for k in PARTS}),
        "missing": pl.List(pl.String),
        "why": pl.String(),
    }
)


def _empty_targets() -> pl.DataFrame:
    return pl.DataFrame(schema=_TARGET_SCHEMA)


def _percentile(column: str) -> pl.Expr:
    """Share of non-null values at or below each value, in (0, 1]; null where the value is null."""
    col = pl.col(column)
    return pl.when(col.is_not_null()).then(col.rank("max") / col.is_not_null().sum())


def _share(column: str) -> pl.Expr:
    """`_percentile` with an undefined value (null or NaN) at 0."""
    return _percentile(column).fill_null(0.0).fill_nan(0.0)


def _rank_percentile() -> pl.Expr:
    """A source's rank (1 = first) as a percentile: the first is 1; null without a rank."""
    rank = pl.col("rank")
    return pl.when(rank.is_not_null()).then((-rank).rank("max") / rank.is_not_null().sum())


def _dense(counts: pl.DataFrame, regions: pl.Series, classes: pl.Series, region_col: str) -> np.ndarray:
    region_index = {r: i for i, r in enumerate(regions.to_list())}
    class_index = {c: j for j, c in enumerate(classes.to_list())}
    matrix = np.zeros((len(region_index), len(class_index)))
    for region, code, n in counts.select(region_col, "industry_code", "len").iter_rows():
        if code in class_index:
            matrix[region_index[region], class_index[code]] += n
    return matrix


def _opportunity_why(key: str, row: dict[str, Any], area_label: str, lang: str) -> str:
    """Why a class is an opportunity, in `lang`: the figures its score rests on."""

    def said(value: float | None, digits: int) -> str:
        return "-" if value is None or value != value else number(value, lang, digits)

    return t(
        key,
        lang,
        code=row["industry_code"],
        firms=number(row["area_enterprises"], lang),
        area=area_label,
        rca=said(row["rca"], 2),
        density=said(row["density"], 3),
        cog=said(row["cog"], 3),
        pci=said(row["pci"], 2),
        score=said(row["score"], 2 if key.endswith(".why") else 3),
    )


def _why(
    row: dict[str, Any], missing: list[str], area_label: str, landing: Landing | None, has_space: bool, lang: str
) -> str:
    """The target's reasons in `lang`: its mode and the figures each part rests on."""
    mode = t(f"targets.mode.{row['mode']}", lang)
    if row["mode"] == "extend":
        parts = [
            t(
                "targets.why.extend",
                lang,
                mode=mode,
                code=row["industry_code"],
                adjacency=number(row["adjacency"], lang, 2),
                near=row["near"],
                area=area_label,
                rca=number(row["rca"], lang, 2),
            )
        ]
    else:
        link = row["link"]
        status = t(f"targets.status.{link['status']}", lang)
        name = link.get(f"name_{lang}") or link["name_en"]
        key = "targets.why.fill" if row["mode"] == "fill" else "targets.why.strengthen"
        lq = number(link["lq"], lang, 2) if link["lq"] is not None else "-"
        parts = [t(key, lang, mode=mode, status=status, link=name, firms=link["enterprises"], area=area_label, lq=lq)]
    parts.append(t("targets.why.where", lang, place=row["place"] or "-"))
    if row["revenue"] is not None:
        parts.append(t("targets.why.revenue", lang, revenue=money(row["revenue"], lang)))
        if row["growth_rate"] is not None:
            parts.append(t("targets.why.growth", lang, growth=number(100 * row["growth_rate"], lang, 1)))
    elif row["rank"] is not None:
        parts.append(t("targets.why.rank", lang, rank=row["rank"], source=source_label(row["source"], lang)))
    if row["tech"]:
        parts.append(t("targets.why.tech", lang))
    if row["density"] is not None:
        parts.append(t("targets.why.density", lang, code=row["industry_code"], density=number(row["density"], lang, 2)))
    if landing is not None and landing.free_m2 is not None:
        where = landing.carrier_name or landing.zone_name or landing.zone_id or "-"
        use = t(f"targets.use.{landing.use or 'unspecified'}", lang)
        need_key = "targets.why.space" if (row["employees"] or 0) > 0 else "targets.why.space_assumed"
        free = number(landing.free_m2, lang)
        parts.append(t(need_key, lang, free=free, use=use, where=where, need=number(row["need_m2"], lang)))
    elif has_space:
        parts.append(t("targets.why.no_free_space", lang))
    if landing is not None and landing.oriented:
        parts.append(t("targets.why.zone_oriented", lang, zone=landing.zone_name or landing.zone_id or "-"))
    else:
        parts.append(t("targets.why.no_oriented_zone", lang))
    if missing:
        labels = t("targets.why.list_separator", lang).join(t(f"targets.part.{p}", lang) for p in missing)
        parts.append(t("targets.why.missing", lang, parts=labels))
    return t("targets.why.separator", lang).join(parts) + t("targets.why.end", lang)
