"""Chain health: how well an area holds each link of a chain, against the city or a peer set.

Per link, over the area's firms placed in it: enterprises, revenue (万元), employees, growth
(same-firm revenue growth: Σ revenue_t / Σ revenue_{t-1} − 1 over firms with both years), the
location quotient and the concentration (the largest firm's share of the link's revenue).

The location quotient (Florence 1939; Isard 1960) compares the link's share of the area's
enterprises with its share of the reference's:

    LQ = (n_area,link / n_area) / (n_ref,link / n_ref)

counted in enterprises, because a registry always has them while revenue and employees are often
missing. The status follows `StatusThresholds`, stated as data so a Commission can set its own:

- missing: no enterprise of the area is placed in the link;
- weak: fewer than `min_firms_present` enterprises, or LQ below `weak_below_lq`;
- strong: at least `min_firms_strong` enterprises, LQ at least `strong_from_lq`, and no firm
  holding more than `max_concentration_strong` of the link's revenue;
- present: everything else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import polars as pl

from districtlens.chains.templates import ChainTemplate
from districtlens.i18n import money, number, percent
from districtlens.i18n import t as text

STATUSES = ("missing", "weak", "present", "strong")
FIRM_COLUMNS = ("uscc", "name", "revenue", "revenue_prior", "employees")
AREA = "__area__"  # the area column chain_health adds to hand one area to areas_health


@dataclass(frozen=True)
class StatusThresholds:
    min_firms_present: int = 3
    weak_below_lq: float = 0.8
    min_firms_strong: int = 10
    strong_from_lq: float = 1.25
    max_concentration_strong: float = 0.5

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT_THRESHOLDS = StatusThresholds()


def chain_health(
    template: ChainTemplate,
    placements: pl.DataFrame,
    area_firms: pl.DataFrame,
    reference_firms: pl.DataFrame,
    *,
    area_label: str,
    reference_label: str,
    thresholds: StatusThresholds = DEFAULT_THRESHOLDS,
    lang: str = "en",
) -> pl.DataFrame:
    """One row per link of `template`, in template order.

    `placements` is what `place` returns (for any set of firms containing both frames' firms);
    `area_firms` and `reference_firms` hold every firm of the area and of the reference (placed
    or not: they are the LQ's denominators) with columns uscc, name, revenue, revenue_prior,
    employees. Columns out: link_id, name_zh, name_en, name_fr, stage, classes, enterprises,
    revenue, employees, growth, lq, concentration, largest, reference_enterprises, status, why
    (in `lang`).
    """
    _check_columns("area_firms", area_firms)
    one_area = area_firms.with_columns(pl.lit(area_label).alias(AREA))
    return areas_health(
        template,
        placements,
        one_area,
        reference_firms,
        area_column=AREA,
        areas={area_label: area_label},
        reference_label=reference_label,
        thresholds=thresholds,
        lang=lang,
    ).drop(AREA)


def areas_health(
    template: ChainTemplate,
    placements: pl.DataFrame,
    firms: pl.DataFrame,
    reference_firms: pl.DataFrame,
    *,
    area_column: str,
    areas: dict[str, str],
    reference_label: str,
    thresholds: StatusThresholds = DEFAULT_THRESHOLDS,
    area_sizes: dict[str, int] | None = None,
    lang: str = "en",
) -> pl.DataFrame:
    """`chain_health` of many areas against one reference, in one grouped pass: a map of every
    district of a city costs about as much as one district.

    `firms` holds every firm of the areas, `area_column` names the area of each; `areas` maps the
    codes to report (in that order) to their labels. `area_sizes`, when given, is `area_sizes_of
    (firms, area_column)`: a caller judging several chains over the same firms counts them once.
    Columns out: `area_column`, then those of `chain_health`; one row per area and link.
    """
    _check_columns("firms", firms)
    _check_columns("reference_firms", reference_firms)
    codes = list(areas)
    in_areas = pl.col(area_column).is_in(codes)
    totals = area_sizes if area_sizes is not None else area_sizes_of(firms, area_column)
    placed = _placed(placements, firms, area_column)
    area = _per_link(placed.filter(in_areas), [area_column, "link_id"])
    # The reference only counts its firms per link: no figures to fetch, sort or sum. When it is
    # the areas' own frame (a city's districts against the city), the placed firms are those.
    reference_placed = placed if reference_firms is firms else _matched(placements, reference_firms)
    reference = reference_placed.group_by("link_id").agg(pl.len().cast(pl.Int64).alias("reference_enterprises"))
    reference_total = reference_firms.height
    links = pl.DataFrame(
        {
            "link_id": [link.id for link in template.links],
            "name_zh": [link.name["zh"] for link in template.links],
            "name_en": [link.name["en"] for link in template.links],
            "name_fr": [link.name["fr"] for link in template.links],
            "stage": [link.stage for link in template.links],
            "classes": [list(link.classes) for link in template.links],
        },
        schema_overrides={"classes": pl.List(pl.String)},
    )
    grid = pl.DataFrame({area_column: codes}, schema={area_column: pl.String}).join(links, how="cross")
    area_total = pl.col(area_column).replace_strict(totals, default=0, return_dtype=pl.Int64)
    table = (
        grid.join(area, on=[area_column, "link_id"], how="left", maintain_order="left")
        .join(reference, on="link_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("enterprises").fill_null(0),
            pl.col("reference_enterprises").fill_null(0),
        )
        .with_columns(
            lq=pl.when((pl.col("reference_enterprises") > 0) & (area_total > 0))
            .then((pl.col("enterprises") / area_total) / (pl.col("reference_enterprises") / reference_total))
            .otherwise(None)
        )
    )
    rows = table.to_dicts()
    for row in rows:
        row["status"], row["why"] = judge(row, areas[row[area_column]], reference_label, thresholds, lang)
    return pl.DataFrame(rows, schema=table.schema | {"status": pl.String, "why": pl.String})


def area_sizes_of(firms: pl.DataFrame, area_column: str) -> dict[str, int]:
    """The number of firms of each area: the LQ's denominators."""
    return dict(firms.group_by(area_column).len().iter_rows())


def judge(
    row: dict, area_label: str, reference_label: str, thresholds: StatusThresholds, lang: str = "en"
) -> tuple[str, str]:
    """The status of one link and a sentence in `lang` that names the figures it rests on."""
    t = thresholds
    n = row["enterprises"]
    ref_n = number(row["reference_enterprises"], lang)
    lq = row["lq"]
    if n == 0:
        return "missing", text("chains.why.missing", lang, area=area_label, reference=reference_label, firms=ref_n)
    figures = text(
        "chains.why.firms_one" if n == 1 else "chains.why.firms", lang, firms=number(n, lang), area=area_label
    )
    if row["revenue"] is not None:
        figures += text("chains.why.revenue", lang, revenue=money(row["revenue"], lang))
    lq_text = (
        text("chains.why.lq", lang, lq=number(lq, lang, 2), reference=reference_label, firms=ref_n)
        if lq is not None
        else text("chains.why.no_lq", lang, reference=reference_label)
    )
    concentration = row["concentration"]
    said = {"figures": figures, "lq": lq_text, "weak_lq": number(t.weak_below_lq, lang, 2)}
    if n < t.min_firms_present:
        return "weak", text("chains.why.weak_few", lang, **said, least=number(t.min_firms_present, lang))
    if lq is not None and lq < t.weak_below_lq:
        return "weak", text("chains.why.weak_lq", lang, **said)
    strong_lq = lq is not None and lq >= t.strong_from_lq
    spread = concentration is None or concentration <= t.max_concentration_strong
    strong = {"strong_firms": number(t.min_firms_strong, lang), "strong_lq": number(t.strong_from_lq, lang, 2)}
    if n >= t.min_firms_strong and strong_lq and spread:
        share = (
            text("chains.why.largest_share", lang, share=percent(concentration, lang, 0))
            if concentration is not None
            else ""
        )
        return "strong", text("chains.why.strong", lang, **said, **strong, share=share)
    if n >= t.min_firms_strong and strong_lq:
        return "present", text(
            "chains.why.concentrated",
            lang,
            **said,
            largest=row["largest"],
            share=percent(concentration, lang, 0),
            limit=percent(t.max_concentration_strong, lang, 0),
        )
    return "present", text("chains.why.present", lang, **said, **strong, least=number(t.min_firms_present, lang))


def _check_columns(label: str, frame: pl.DataFrame) -> None:
    missing = [c for c in FIRM_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{label} lack column(s): {', '.join(missing)}")


def _placed(placements: pl.DataFrame, firms: pl.DataFrame, *extra: str) -> pl.DataFrame:
    """Each placement with its firm's figures (only the columns the aggregates read), largest
    revenue first: the first name of a group is then its largest firm's, and the sums add in
    that order, not in the order the firms came in (a sum's last bit can round a figure in
    `why`)."""
    figures = [c for c in FIRM_COLUMNS if c != "uscc"] + list(extra)
    return _matched(placements, firms, figures).sort("revenue", descending=True, nulls_last=True)


def _matched(placements: pl.DataFrame, firms: pl.DataFrame, columns: list[str] | None = None) -> pl.DataFrame:
    """The placements (uscc, link_id) of firms of `firms`, with those firms' `columns`.

    When the placements were made over `firms` themselves (`place` gives each firm's row), the
    columns are gathered by row: joining a city's million firms on the uscc string cost most of a
    city's health."""
    columns = columns or []
    pairs = placements.select("uscc", "link_id")
    if _rows_point_into(placements, firms):
        if not columns:
            return pairs
        return pl.concat([pairs, firms.select(columns).gather(placements["firm_row"])], how="horizontal")
    return pairs.join(firms.select("uscc", *columns), on="uscc", how="inner")


def _rows_point_into(placements: pl.DataFrame, firms: pl.DataFrame) -> bool:
    """Whether every placement's firm_row is the row of its uscc in `firms` (each firm being one
    row of `firms`): true of `place(firms, ...)`, false of placements made over another frame
    (an area's firms are a part of the city's) or naming a firm `firms` lacks."""
    if "firm_row" not in placements.columns:
        return False
    rows = placements["firm_row"]
    if rows.null_count() or (rows >= firms.height).any():
        return False
    return bool((firms["uscc"].gather(rows) == placements["uscc"]).fill_null(False).all())


def _per_link(placed: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The figures of each group of `placed` (as `_placed` orders it)."""
    both_years = pl.col("revenue").is_not_null() & pl.col("revenue_prior").is_not_null()
    return (
        placed.group_by(keys)
        .agg(
            pl.len().alias("enterprises"),
            pl.col("revenue").sum().alias("revenue_sum"),
            pl.col("revenue").is_not_null().any().alias("has_revenue"),
            pl.col("employees").sum().alias("employees_sum"),
            pl.col("employees").is_not_null().any().alias("has_employees"),
            pl.col("revenue").filter(both_years).sum().alias("revenue_now"),
            pl.col("revenue_prior").filter(both_years).sum().alias("revenue_before"),
            pl.col("revenue").max().alias("revenue_max"),
            pl.col("name").first().alias("largest"),
        )
        .select(
            *keys,
            pl.col("enterprises").cast(pl.Int64),
            pl.when("has_revenue").then("revenue_sum").alias("revenue"),
            pl.when("has_employees").then("employees_sum").alias("employees"),
            pl.when(pl.col("revenue_before") > 0)
            .then(pl.col("revenue_now") / pl.col("revenue_before") - 1)
            .alias("growth"),
            pl.when(pl.col("revenue_sum") > 0)
            .then(pl.col("revenue_max") / pl.col("revenue_sum"))
            .alias("concentration"),
            pl.when("has_revenue").then("largest").alias("largest"),
        )
    )
