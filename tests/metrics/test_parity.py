"""Parity with py-ecomplexity 0.5.3 (convention="ecomplexity") on generated panels, to 1e-9."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from districtlens.metrics import Columns, complexity_table
from tests.metrics.conftest import generated_panel, run_ecomplexity

MEASURES = ["rca", "mcp", "density", "eci", "pci", "diversity", "ubiquity", "coi", "cog"]


@pytest.mark.parametrize(
    ("seed", "regions", "activities", "years", "zero_share"),
    [(1, 12, 9, 1, 0.0), (2, 40, 60, 2, 0.3), (3, 150, 80, 3, 0.6), (4, 25, 120, 1, 0.8)],
)
def test_ecomplexity_convention_equals_py_ecomplexity(seed, regions, activities, years, zero_share):
    frame = generated_panel(seed, regions, activities, years, zero_share)
    upstream = pl.from_pandas(run_ecomplexity(frame))
    ours = complexity_table(frame, Columns("loc", "prod", "val", "year"), convention="ecomplexity")
    ours = ours.with_columns(pl.col("region", "activity").cast(pl.String))
    assert ours.height == upstream.height == regions * activities * years
    both = upstream.join(ours, left_on=["year", "loc", "prod"], right_on=["year", "region", "activity"], suffix="_ours")
    assert both.height == ours.height
    for m in MEASURES:
        np.testing.assert_allclose(
            both[f"{m}_ours"].cast(pl.Float64), both[m].cast(pl.Float64), rtol=1e-9, atol=1e-9, err_msg=m
        )
