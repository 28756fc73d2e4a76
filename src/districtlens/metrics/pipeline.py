"""The whole `ecomplexity` table from a long (year, region, activity, value) frame.

For each year: the region x activity matrix of every region and activity present that year
(zeros included), then RCA, presence, diversity, ubiquity, proximity, density, ECI, PCI, COI and
COG, standardised as `convention` says:

- "stata" (default): the original Stata `ecomplexity` (Growth Lab): proximity diagonal 0 in
  density and COG; ECI, PCI, COI standardised over the year's region x activity rows (n - 1).
- "ecomplexity": py-ecomplexity 0.5.3: proximity diagonal 1; standardised over regions (n).

Frames are polars; a pandas frame is accepted and converted. Rows sharing (year, region,
activity) are added up. Region and activity come back as polars Enum columns (text stored once,
a small code per row: a national table has 8 million rows and this saves a fifth of its memory);
`.cast(pl.String)` them before joining with text columns.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from districtlens.errors import InputError
from districtlens.metrics.complexity import Convention, complexity, outlook, standardise
from districtlens.metrics.density import density as density_of
from districtlens.metrics.diversity import diversity as diversity_of
from districtlens.metrics.diversity import ubiquity as ubiquity_of
from districtlens.metrics.presence import presence
from districtlens.metrics.proximity import proximity
from districtlens.metrics.rca import rca as rca_of
from districtlens.metrics.rca import reference_from_regions

CONVENTIONS: tuple[str, ...] = ("stata", "ecomplexity")
OUTPUT_COLUMNS = (
    "year",
    "region",
    "activity",
    "value",
    "rca",
    "mcp",
    "density",
    "eci",
    "pci",
    "diversity",
    "ubiquity",
    "coi",
    "cog",
)


@dataclass(frozen=True)
class Columns:
    """Which input columns hold the region, the activity, the value and (optionally) the year."""

    region: str
    activity: str
    value: str
    year: str | None = None


@dataclass(frozen=True)
class YearMatrix:
    """One year of a long frame as a dense region x activity matrix with its labels."""

    year: object
    regions: pl.Series
    activities: pl.Series
    values: np.ndarray


def as_polars(frame: pl.DataFrame | pl.LazyFrame | object, columns: Columns | None = None) -> pl.DataFrame:
    """A polars frame from polars, pandas, or a LazyFrame (only `columns` are collected)."""
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        names = frame.collect_schema().names()
        wanted = (
            [] if columns is None else [c for c in (columns.year, columns.region, columns.activity, columns.value) if c]
        )
        return frame.select([c for c in wanted if c in names] or names).collect()
    try:
        return pl.from_pandas(frame)
    except (TypeError, ValueError) as exc:
        raise InputError("metrics.not_a_frame", kind=str(type(frame))) from exc


def validate(frame: pl.DataFrame, columns: Columns) -> pl.DataFrame:
    """Check the columns exist and values are numeric, present and non-negative; return them."""
    wanted = [c for c in (columns.year, columns.region, columns.activity, columns.value) if c]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise InputError("metrics.missing_columns", missing=", ".join(missing), present=", ".join(frame.columns))
    if frame.height == 0:
        raise InputError("metrics.no_rows")
    value = frame.get_column(columns.value)
    if not value.dtype.is_numeric():
        numeric = value.cast(pl.Float64, strict=False)
        bad = value.filter(numeric.is_null() & value.is_not_null())
        if bad.len():
            raise InputError("metrics.non_numeric", column=columns.value, example=str(bad[0]))
        value = numeric
    value = value.cast(pl.Float64)
    if value.null_count() or value.is_nan().any():
        raise InputError("metrics.empty_values", column=columns.value, count=value.null_count())
    if (value < 0).any():
        raise InputError("metrics.negative_values", column=columns.value, example=float(value.filter(value < 0)[0]))
    for name in (columns.region, columns.activity, columns.year):
        if name and frame.get_column(name).null_count():
            raise InputError("metrics.empty_labels", column=name)
    year = frame.get_column(columns.year) if columns.year else pl.repeat(None, frame.height, dtype=pl.Int64, eager=True)
    return pl.DataFrame(
        {
            "year": year,
            "region": frame.get_column(columns.region).cast(pl.String),
            "activity": frame.get_column(columns.activity).cast(pl.String),
            "value": value,
        }
    )


@dataclass(frozen=True)
class Coded:
    """A validated long frame as arrays: labels coded once (sorted, so codes follow label order)."""

    year: pl.Series
    region_levels: pl.Series
    region_code: np.ndarray
    activity_levels: pl.Series
    activity_code: np.ndarray
    values: np.ndarray


def encode(long: pl.DataFrame) -> Coded:
    """Code a validated (year, region, activity, value) frame; the frame itself can then go."""
    codes = []
    for name in ("region", "activity"):
        labels = long.get_column(name)
        levels = labels.unique().sort()
        enum = pl.Enum(levels)
        codes += [levels.cast(enum), labels.cast(enum).to_physical().to_numpy().astype(np.int32)]
    return Coded(long.get_column("year"), *codes, long.get_column("value").to_numpy())


def year_matrices(coded: Coded) -> Iterator[YearMatrix]:
    """The per-year dense matrices, one at a time (a national year is 32 MB); each year keeps the
    regions and activities that appear in it. The codes are let go before the last year is used."""
    years = coded.year.unique().sort().to_list()
    for index, this_year in enumerate(years):
        matrix = _year_matrix(coded, this_year)
        if index == len(years) - 1:
            del coded
        yield matrix


def _year_matrix(coded: Coded, this_year: object) -> YearMatrix:
    year = coded.year
    rows = np.ones(year.len(), dtype=bool) if this_year is None else (year == this_year).to_numpy()
    region_local, regions = _present(coded.region_code[rows], coded.region_levels.len())
    activity_local, activities = _present(coded.activity_code[rows], coded.activity_levels.len())
    matrix = np.bincount(
        region_local.astype(np.int64) * activities.size + activity_local,
        weights=coded.values[rows],
        minlength=regions.size * activities.size,
    ).reshape(regions.size, activities.size)
    return YearMatrix(this_year, coded.region_levels.gather(regions), coded.activity_levels.gather(activities), matrix)


def _present(code: np.ndarray, n_levels: int) -> tuple[np.ndarray, np.ndarray]:
    """(the codes renumbered among the labels present, the present codes in label order)."""
    present = np.flatnonzero(np.bincount(code, minlength=n_levels))
    renumber = np.zeros(n_levels, dtype=np.int32)
    renumber[present] = np.arange(present.size)
    return renumber[code], present


def check_matrix(matrix: YearMatrix) -> None:
    """Refuse what the measures cannot handle: one region, or a region/activity summing to 0."""
    if matrix.regions.len() < 2:
        raise _refusal("metrics.one_region", "metrics.one_region_in_year", matrix.year)
    if matrix.activities.len() < 2:
        raise _refusal("metrics.one_activity", "metrics.one_activity_in_year", matrix.year)
    for axis, labels, key, key_in_year in (
        (1, matrix.regions, "metrics.zero_total_regions", "metrics.zero_total_regions_in_year"),
        (0, matrix.activities, "metrics.zero_total_activities", "metrics.zero_total_activities_in_year"),
    ):
        empty = np.flatnonzero(matrix.values.sum(axis=axis) == 0)
        if empty.size:
            names = ", ".join(str(labels[int(i)]) for i in empty[:5])
            raise _refusal(key, key_in_year, matrix.year, count=int(empty.size), names=names)


def _refusal(key: str, key_in_year: str, year: object, **values: str | int) -> InputError:
    """The refusal `key`, or `key_in_year` naming the year: a panel without a year column has one
    matrix, of no year."""
    if year is None:
        return InputError(key, **values)
    return InputError(key_in_year, year=str(year), **values)


def _reference_totals(matrix: YearMatrix, reference: Sequence[str] | pl.DataFrame | None) -> np.ndarray | None:
    if reference is None:
        return None
    if isinstance(reference, pl.DataFrame):
        needed = {"activity", "value"}
        if not needed <= set(reference.columns):
            raise InputError("metrics.reference_columns")
        ref = reference
        if "year" in ref.columns and matrix.year is not None:
            ref = ref.filter(pl.col("year") == matrix.year)
        totals = ref.group_by("activity").agg(pl.col("value").cast(pl.Float64).sum())
        lookup = dict(
            zip(
                totals.get_column("activity").cast(pl.String).to_list(),
                totals.get_column("value").to_list(),
                strict=True,
            )
        )
        names = matrix.activities.cast(pl.String).to_list()
        missing = [a for a in names if not lookup.get(a)]
        if missing:
            raise InputError("metrics.reference_missing", count=len(missing), examples=", ".join(missing[:5]))
        return np.array([lookup[a] for a in names], dtype=np.float64)
    wanted = {str(r) for r in reference}
    mask = np.array([str(r) in wanted for r in matrix.regions.to_list()])
    if not mask.any():
        raise InputError("metrics.reference_regions_absent")
    totals = reference_from_regions(matrix.values, mask)
    if (totals == 0).any():
        raise InputError("metrics.reference_zero_total")
    return totals


def complexity_table(
    frame: pl.DataFrame | pl.LazyFrame | object,
    columns: Columns,
    *,
    convention: Convention = "stata",
    threshold: float = 1.0,
    reference: Sequence[str] | pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per (year, region, activity) present that year, with every measure.

    reference: None (the whole panel that year), a sequence of region labels (a peer set), or a
    frame of external activity totals with columns activity, value (and optionally year).
    A LazyFrame (e.g. `pl.scan_parquet`) is read once and not kept: a national panel then never
    sits in memory beside its table.
    """
    if convention not in CONVENTIONS:
        raise InputError("metrics.unknown_convention", convention=str(convention))
    parts = []
    for matrix in year_matrices(encode(validate(as_polars(frame, columns), columns))):
        check_matrix(matrix)
        parts.append(_year_table(matrix, convention, threshold, _reference_totals(matrix, reference)))
    return pl.concat(parts, how="vertical")


def measures(
    values: np.ndarray,
    *,
    convention: Convention = "stata",
    threshold: float = 1.0,
    reference: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Every measure of one region x activity matrix, as arrays (region-, activity- or cell-wise)."""
    rca = rca_of(values, reference)
    mcp = presence(rca, threshold)
    phi = proximity(mcp, diagonal=0.0 if convention == "stata" else None)
    density = density_of(mcp, phi)
    kcp = complexity(mcp)
    coi, cog = outlook(mcp, density, phi, kcp.kp)
    std = standardise(kcp.kc, kcp.kp, coi, cog, convention)
    return {
        "rca": rca,
        "mcp": mcp,
        "density": density,
        "eci": std.eci,
        "pci": std.pci,
        "diversity": diversity_of(mcp),
        "ubiquity": ubiquity_of(mcp),
        "coi": std.coi,
        "cog": std.cog,
        "proximity": phi,
    }


def _year_table(
    matrix: YearMatrix, convention: Convention, threshold: float, reference: np.ndarray | None
) -> pl.DataFrame:
    m = measures(matrix.values, convention=convention, threshold=threshold, reference=reference)
    n_regions, n_activities = matrix.values.shape
    region_index = pl.Series(np.repeat(np.arange(n_regions, dtype=np.uint32), n_activities))
    activity_index = pl.Series(np.tile(np.arange(n_activities, dtype=np.uint32), n_regions))
    del m["proximity"]
    for count in ("diversity", "ubiquity"):
        m[count] = m[count].astype(np.int32)
    m["mcp"] = m["mcp"].astype(np.int8)  # the float copy, needed by the products, can go now
    per_region = {k: np.repeat(m[k], n_activities) for k in ("eci", "diversity", "coi")}
    per_activity = {k: np.tile(m[k], n_regions) for k in ("pci", "ubiquity")}
    return pl.DataFrame(
        {
            "year": pl.repeat(matrix.year, n_regions * n_activities, eager=True),
            "region": matrix.regions.gather(region_index),
            "activity": matrix.activities.gather(activity_index),
            "value": matrix.values.ravel(),
            "rca": m["rca"].ravel(),
            "mcp": m["mcp"].ravel(),
            "density": m["density"].ravel(),
            "eci": per_region["eci"],
            "pci": per_activity["pci"],
            "diversity": per_region["diversity"],
            "ubiquity": per_activity["ubiquity"],
            "coi": per_region["coi"],
            "cog": m["cog"].ravel(),
        }
    )
