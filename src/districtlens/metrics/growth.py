"""Growth between two years and rank among a peer set.

    growth_c     = X_c,t1 / X_c,t0 - 1
    cagr_c       = (X_c,t1 / X_c,t0) ^ (1 / (t1 - t0)) - 1
    rank_c       = 1 + number of peers with a strictly higher value (1 = best)

Example: 100 -> 121 over two years: growth 0.21, CAGR 0.10. Among peers growing 0.3, 0.21 and
0.1, the region ranks 2.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from districtlens.errors import InputError


def growth(start: np.ndarray, end: np.ndarray, years: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(total growth, compound annual growth) from `start` to `end`; NaN where start is 0."""
    if years <= 0:
        raise InputError("metrics.growth_years")
    start = np.asarray(start, dtype=np.float64)
    end = np.asarray(end, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(start > 0, end / start, np.nan)
    return ratio - 1.0, ratio ** (1.0 / years) - 1.0


def rank_among(values: np.ndarray, peers: np.ndarray | None = None) -> np.ndarray:
    """Competition rank (1 = highest) of each value among the `peers` mask (default: all).

    Values outside the peer set are ranked against the peers too (rank they would take).
    NaN ranks NaN.
    """
    values = np.asarray(values, dtype=np.float64)
    mask = np.ones(values.shape, dtype=bool) if peers is None else np.asarray(peers, dtype=bool)
    pool = np.sort(values[mask & ~np.isnan(values)])
    higher = pool.size - np.searchsorted(pool, values, side="right")
    return np.where(np.isnan(values), np.nan, higher + 1.0)


def growth_table(
    long: pl.DataFrame, start_year: object, end_year: object, peers: list[str] | None = None
) -> pl.DataFrame:
    """Per region: value in both years, growth, CAGR and rank of growth among `peers` (or all).

    `long` has columns year, region, value (activity optional, summed over).
    """
    years = set(long.get_column("year").unique().to_list())
    missing = [y for y in (start_year, end_year) if y not in years]
    if missing:
        raise InputError(
            "metrics.years_absent", missing=", ".join(map(str, missing)), years=", ".join(map(str, sorted(years)))
        )
    totals = (
        long.filter(pl.col("year").is_in([start_year, end_year]))
        .group_by("region", "year")
        .agg(pl.col("value").sum())
        .pivot(on="year", index="region", values="value")
        .rename({str(start_year): "start", str(end_year): "end"})
        .fill_null(0.0)
        .sort("region")
    )
    total, cagr = growth(totals["start"].to_numpy(), totals["end"].to_numpy(), float(end_year) - float(start_year))
    regions = totals.get_column("region").cast(pl.String).to_numpy()
    mask = None if peers is None else np.isin(regions, [str(p) for p in peers])
    return totals.with_columns(
        pl.Series("growth", total),
        pl.Series("cagr", cagr),
        pl.Series("rank", rank_among(total, mask)),
    )
