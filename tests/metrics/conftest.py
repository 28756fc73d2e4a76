"""Fixtures of the metrics tests: the reference data and generated panels."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
REFERENCE = SHARED_DATA / "ecomplexity-reference"
CBP = SHARED_DATA / "us-cbp"


def stata_ground_truth() -> pl.DataFrame:
    return pl.read_csv(
        REFERENCE / "stata_ground_truth.csv", schema_overrides={"hs92": pl.String}, infer_schema_length=None
    )


def cbp(state: str, *years: int) -> pl.DataFrame:
    """County Business Patterns panel of one state, with a year column."""
    return pl.concat(
        [
            pl.read_csv(
                CBP / f"US-{state}-census-naics4-counties-{year}.csv",
                schema_overrides={"Fips": pl.String, "Naics": pl.String},
            ).with_columns(year=pl.lit(year))
            for year in years
        ]
    )


def generated_panel(seed: int, regions: int, activities: int, years: int = 1, zero_share: float = 0.3) -> pd.DataFrame:
    """A random long panel with lognormal values, some zero cells, no empty region or activity."""
    rng = np.random.default_rng(seed)
    frames = []
    for offset in range(years):
        values = rng.lognormal(3.0, 2.0, size=(regions, activities))
        values *= rng.random((regions, activities)) > zero_share
        values[np.arange(regions), rng.integers(0, activities, regions)] += 1.0
        values[rng.integers(0, regions, activities), np.arange(activities)] += 1.0
        frames.append(
            pd.DataFrame(
                {
                    "year": 2000 + offset,
                    "loc": np.repeat([f"r{i:03d}" for i in range(regions)], activities),
                    "prod": np.tile([f"p{j:04d}" for j in range(activities)], regions),
                    "val": values.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def run_ecomplexity(frame: pd.DataFrame) -> pd.DataFrame:
    """py-ecomplexity 0.5.3 on (year, loc, prod, val), without its progress prints and warnings."""
    from ecomplexity import ecomplexity

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return ecomplexity(
            frame, {"time": "year", "loc": "loc", "prod": "prod", "val": "val"}, check_logsupermodularity=False
        )


@pytest.fixture(scope="session")
def ground_truth() -> pl.DataFrame:
    return stata_ground_truth()
