"""Investment targets (产业链招商): firms located elsewhere that would fill the area's missing or
weak links, ranked by evidence; and diversification opportunities for the area.

A candidate is a firm outside the area (another district of the city, or a row of a lead list)
placed in at least one link whose status in the area is `missing` or `weak`. Its score is a
weighted sum of parts, each in [0, 1] (`TargetWeights`):

- gap:      1 for a missing link it fills, 0.5 for a weak one (the best link counts);
- density:  relatedness density of its GB/T class in the area (Hidalgo et al. 2007): the share
            of the class's proximity-weighted neighbours the area already holds with RCA >= 1,
            from `districtlens.metrics` on the city's district x class enterprise counts;
- size:     the percentile of its revenue among the candidates (0 without revenue);
- growth:   the percentile of its revenue growth on the year before (0 without both years);
- zone_fit: 1 when one of the area's functional zones is oriented to the chain's track;
- space:    free floor space in that zone's carriers against what the firm needs
            (employees x `M2_PER_EMPLOYEE`), capped at 1; 0 when no free-space data is given.

Opportunities (Hausmann et al. 2014, *The Atlas of Economic Complexity*): classes the area does
not hold (RCA < 1) ranked by the mean of the percentiles of their density and complexity outlook
gain (COG), so that near, complexity-raising activities come first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
import polars as pl

from districtlens.chains.templates import ChainTemplate
from districtlens.metrics import measures
from districtlens.refdata import gbt_classes

if TYPE_CHECKING:
    from districtlens.metrics.complexity import Convention

GAP_SCORE = {"missing": 1.0, "weak": 0.5}
M2_PER_EMPLOYEE = 10.0  # office floor space per employee used to judge whether a zone can host a firm
CANDIDATE_COLUMNS = ("uscc", "name", "district_adcode", "industry_code", "revenue", "revenue_prior", "employees")
AREA_REGION = "__area__"


@dataclass(frozen=True)
class TargetWeights:
    gap: float = 0.35
    density: float = 0.25
    size: float = 0.15
    growth: float = 0.10
    zone_fit: float = 0.10
    space: float = 0.05

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT_WEIGHTS = TargetWeights()


def activity_measures(
    firms: pl.DataFrame, area_firms: pl.DataFrame, area_is_district: bool, area_code: str
) -> pl.DataFrame:
    """RCA, presence, density, PCI and COG of every class for the area.

    The panel is the city's districts x GB/T classes, valued in enterprises (`firms`: every firm
    of the city with district_adcode and industry_code). A street or zone (`area_is_district`
    false) joins the panel as one more region and is compared with the districts' totals.
    Columns out: industry_code, area_enterprises, rca, mcp, density, pci, cog (standardised as the
    Stata `ecomplexity` does).
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
    return pl.DataFrame(
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


def rank_targets(
    template: ChainTemplate,
    health: pl.DataFrame,
    placements: pl.DataFrame,
    candidates: pl.DataFrame,
    area_firms: pl.DataFrame,
    activity: pl.DataFrame,
    *,
    area_label: str,
    zones: pl.DataFrame | None = None,
    space: pl.DataFrame | None = None,
    weights: TargetWeights = DEFAULT_WEIGHTS,
    top: int | None = 20,
) -> pl.DataFrame:
    """Candidates that fill missing or weak links, best first.

    `health`: `chain_health` for the area; `placements`: `place` over (at least) the candidates;
    `candidates`: firms to consider (uscc, name, district_adcode, industry_code, revenue,
    revenue_prior, employees); any firm also in `area_firms` is dropped. `activity`:
    `activity_measures` for the area. `zones`: the functional zones a target could land in
    (zone_id, name_zh, name_en, orientation); `space`: free floor space (zone_id, free_m2), or
    None when the store has no such data. Columns out: uscc, name, district_adcode,
    industry_code, links, zone_id, score, parts (struct of the six parts), why.
    """
    missing = [c for c in CANDIDATE_COLUMNS if c not in candidates.columns]
    if missing:
        raise ValueError(f"candidates lack column(s): {', '.join(missing)}")
    gaps = health.filter(pl.col("status").is_in(list(GAP_SCORE))).select("link_id", "name_en", "status", "enterprises")
    filled = (
        placements.select("uscc", "link_id")
        .join(gaps, on="link_id", how="inner")
        .with_columns(pl.col("status").replace_strict(GAP_SCORE, return_dtype=pl.Float64).alias("gap"))
        .group_by("uscc", maintain_order=True)
        .agg(
            pl.col("gap").max(),
            pl.struct("link_id", "name_en", "status", "enterprises").alias("filled"),
        )
    )
    # Only firms in a gap link can be targets: narrowing to them first spares filtering a city.
    # A lead may carry another credit code for a firm already in the area: its name gives it away.
    pool = (
        candidates.select(CANDIDATE_COLUMNS)
        .join(filled.select("uscc"), on="uscc", how="semi", maintain_order="left")
        .filter(
            ~pl.col("uscc").is_in(area_firms["uscc"].implode()) & ~pl.col("name").is_in(area_firms["name"].implode())
        )
        .unique("uscc", keep="first", maintain_order=True)
    )
    table = pool.join(filled, on="uscc", how="inner")
    if table.is_empty():
        return _empty_targets()
    table = (
        table.join(activity.select("industry_code", "density"), on="industry_code", how="left")
        .with_columns(
            pl.col("density").fill_null(0.0),
            pl.when(pl.col("revenue_prior") > 0)
            .then(pl.col("revenue") / pl.col("revenue_prior") - 1)
            .alias("growth_rate"),
        )
        .with_columns(
            _percentile("revenue").alias("size"),
            _percentile("growth_rate").alias("growth"),
        )
    )
    zone, zone_fit = _landing_zone(template.id, zones, space)
    free_m2 = zone["free_m2"] if zone is not None else None
    need = pl.col("employees").fill_null(0).clip(lower_bound=1) * M2_PER_EMPLOYEE
    space_part = (pl.lit(free_m2) / need).clip(upper_bound=1.0) if free_m2 is not None else pl.lit(0.0)
    table = table.with_columns(
        pl.lit(zone_fit).alias("zone_fit"),
        space_part.cast(pl.Float64).alias("space"),
        pl.lit(zone["zone_id"] if zone is not None else None, dtype=pl.String).alias("zone_id"),
    )
    w = weights
    table = table.with_columns(
        (
            w.gap * pl.col("gap")
            + w.density * pl.col("density")
            + w.size * pl.col("size")
            + w.growth * pl.col("growth")
            + w.zone_fit * pl.col("zone_fit")
            + w.space * pl.col("space")
        )
        .round(4)
        .alias("score")
    ).sort(["score", "revenue", "uscc"], descending=[True, True, False], nulls_last=True)
    if top is not None:
        table = table.head(top)
    rows = table.to_dicts()
    out = []
    for row in rows:
        out.append(
            {
                "uscc": row["uscc"],
                "name": row["name"],
                "district_adcode": row["district_adcode"],
                "industry_code": row["industry_code"],
                "links": [f["link_id"] for f in row["filled"]],
                "zone_id": row["zone_id"],
                "score": row["score"],
                "parts": {k: round(float(row[k]), 4) for k in w.as_dict()},
                "why": _why(row, area_label, zone, space is not None),
            }
        )
    return pl.DataFrame(out, schema=_TARGET_SCHEMA)


def opportunities(
    activity: pl.DataFrame,
    template: ChainTemplate,
    area_label: str,
    top: int | None = 20,
    probability: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Classes the area does not hold (RCA < 1), best first by the mean percentile of density and
    COG; with `probability` (industry_code, probability: the entry model's), best first by the
    model's probability of entry instead, which is then the score. Columns: industry_code, name,
    in_track, area_enterprises, rca, density, pci, cog, score, why."""
    names = gbt_classes().select(pl.col("code").alias("industry_code"), "name")
    track_classes = list(template.classes)
    held_not = activity.filter((pl.col("mcp") == 0) & pl.col("pci").is_not_nan())
    if probability is None:
        scored = held_not.with_columns(((_percentile("density") + _percentile("cog")) / 2).round(4).alias("score"))
        why = pl.format(
            "{} {}: {} firm(s) in {}, RCA {} (not held); density {} and complexity outlook gain {}"
            " (PCI {}), mean percentile {} among classes not held.",
            "industry_code",
            pl.col("name").fill_null("?"),
            "area_enterprises",
            pl.lit(area_label),
            pl.col("rca").round(2),
            pl.col("density").round(3),
            pl.col("cog").round(3),
            pl.col("pci").round(2),
            pl.col("score").round(2),
        )
    else:
        scored = held_not.join(
            probability.select("industry_code", pl.col("probability").alias("score")), on="industry_code", how="inner"
        )
        why = pl.format(
            "{} {}: {} firm(s) in {}, RCA {} (not held); entry model's probability {} (density {},"
            " complexity outlook gain {}, PCI {}).",
            "industry_code",
            pl.col("name").fill_null("?"),
            "area_enterprises",
            pl.lit(area_label),
            pl.col("rca").round(2),
            pl.col("score").round(3),
            pl.col("density").round(3),
            pl.col("cog").round(3),
            pl.col("pci").round(2),
        )
    table = (
        scored.with_columns(pl.col("industry_code").is_in(track_classes).alias("in_track"))
        .join(names, on="industry_code", how="left")
        .sort(["score", "industry_code"], descending=[True, False])
    )
    if top is not None:
        table = table.head(top)
    return table.with_columns(why.alias("why")).select(
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
        "uscc": pl.String(),
        "name": pl.String(),
        "district_adcode": pl.String(),
        "industry_code": pl.String(),
        "links": pl.List(pl.String),
        "zone_id": pl.String(),
        "score": pl.Float64(),
        "parts": pl.Struct({k: pl.Float64 for k in TargetWeights().as_dict()}),
        "why": pl.String(),
    }
)


def _empty_targets() -> pl.DataFrame:
    return pl.DataFrame(schema=_TARGET_SCHEMA)


def _percentile(column: str) -> pl.Expr:
    """Share of non-null values at or below each value, in (0, 1]; null stays 0."""
    col = pl.col(column)
    return (col.rank("max") / col.is_not_null().sum()).fill_null(0.0).fill_nan(0.0)


def _dense(counts: pl.DataFrame, regions: pl.Series, classes: pl.Series, region_col: str) -> np.ndarray:
    region_index = {r: i for i, r in enumerate(regions.to_list())}
    class_index = {c: j for j, c in enumerate(classes.to_list())}
    matrix = np.zeros((len(region_index), len(class_index)))
    for region, code, n in counts.select(region_col, "industry_code", "len").iter_rows():
        if code in class_index:
            matrix[region_index[region], class_index[code]] += n
    return matrix


def _landing_zone(track: str, zones: pl.DataFrame | None, space: pl.DataFrame | None) -> tuple[dict | None, float]:
    """The zone a target would land in: one oriented to the track (the one with the most free
    space when space data exists), with its free floor space; and the zone_fit part."""
    if zones is None or zones.is_empty():
        return None, 0.0
    fitting = zones.filter(pl.col("orientation").list.contains(track))
    if fitting.is_empty():
        return None, 0.0
    if space is not None:
        free = space.group_by("zone_id").agg(pl.col("free_m2").sum())
        fitting = (
            fitting.join(free, on="zone_id", how="left")
            .with_columns(pl.col("free_m2").fill_null(0.0))
            .sort(["free_m2", "zone_id"], descending=[True, False])
        )
    else:
        fitting = fitting.with_columns(pl.lit(None, dtype=pl.Float64).alias("free_m2"))
    return fitting.row(0, named=True), 1.0


def _why(row: dict, area_label: str, zone: dict | None, has_space: bool) -> str:
    gaps = "; ".join(
        f"{f['status']} link {f['name_en']} ({f['enterprises']} firm{'s' if f['enterprises'] != 1 else ''}"
        f" in {area_label})"
        for f in row["filled"]
    )
    parts = [f"Fills the {gaps}"]
    if row["revenue"] is not None:
        size = f"revenue {row['revenue']:,.0f} 万元"
        if row["growth_rate"] is not None:
            size += f" ({row['growth_rate']:+.1%} on the year before)"
        parts.append(size)
    else:
        parts.append("no revenue on record")
    if row["industry_code"]:
        parts.append(f"its class {row['industry_code']} has density {row['density']:.2f} in {area_label}")
    if zone is not None:
        name = zone.get("name_en") or zone.get("name_zh") or zone["zone_id"]
        parts.append(f"{name} is oriented to this chain")
    else:
        parts.append("no functional zone of the area is oriented to this chain")
    if not has_space:
        parts.append("no free-space data, so space scores 0")
    elif zone is not None:
        parts.append(f"{zone['free_m2']:,.0f} m² free in its carriers")
    return "; ".join(parts) + "."
