"""Exact against the original Stata `ecomplexity` output, and the measured gap to py-ecomplexity."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from districtlens.metrics import Columns, complexity_table, presence, proximity, rca
from tests.metrics.conftest import REFERENCE, run_ecomplexity

COLUMNS = Columns(region="origin", activity="hs92", value="export_val", year="year")
TEXT = [pl.col("region").cast(pl.String), pl.col("activity").cast(pl.String)]
MEASURES = ["rca", "mcp", "density", "eci", "pci", "diversity", "ubiquity", "coi", "cog"]


def joined(truth: pl.DataFrame, convention: str) -> pl.DataFrame:
    ours = complexity_table(
        truth.select("year", "origin", "hs92", "export_val"), COLUMNS, convention=convention
    ).with_columns(TEXT)
    assert ours.height == truth.height
    return truth.rename({"M": "mcp"}).join(
        ours,
        left_on=["year", "origin", "hs92"],
        right_on=["year", "region", "activity"],
        suffix="_ours",
    )


@pytest.mark.parametrize("measure", MEASURES)
def test_stata_convention_equals_stata_output(ground_truth, measure):
    both = joined(ground_truth, "stata")
    assert both.height == 600
    expected = both[measure].cast(pl.Float64).to_numpy()
    got = both[f"{measure}_ours"].cast(pl.Float64).to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-6)


def test_proximity_equals_stata_genproximity(ground_truth):
    stacked = pl.read_csv(
        REFERENCE / "stata_proximity_discrete_sym.csv", schema_overrides={"hs92_1": pl.String, "hs92_2": pl.String}
    )
    for block, year in enumerate((1995, 1996)):
        rows = stacked.slice(block * 900, 900)
        part = ground_truth.filter(pl.col("year") == year)
        matrix = part.pivot(on="hs92", index="origin", values="export_val").sort("origin")
        products = matrix.columns[1:]
        phi = proximity(presence(rca(matrix.select(products).to_numpy())))
        index = {p: i for i, p in enumerate(products)}
        ours = np.array([phi[index[a], index[b]] for a, b in zip(rows["hs92_1"], rows["hs92_2"], strict=True)])
        np.testing.assert_allclose(ours, rows["proximity"].to_numpy(), atol=1e-12)


def test_eci_sign_follows_diversity(ground_truth):
    table = complexity_table(ground_truth, COLUMNS)
    for year in (1995, 1996):
        regions = table.filter(pl.col("year") == year).unique("region")
        assert np.corrcoef(regions["eci"], regions["diversity"])[0, 1] > 0


def test_py_ecomplexity_differs_from_stata_as_measured(ground_truth):
    """0.5.3 keeps the proximity diagonal (1) in density and COG and standardises over regions.

    Measured on the reference sample: density differs by up to 0.0891 and COG by up to 0.4222;
    RCA, M, diversity and ubiquity agree. Our "ecomplexity" convention reproduces 0.5.3 there.
    """
    upstream = pl.from_pandas(
        run_ecomplexity(ground_truth.select(year="year", loc="origin", prod="hs92", val="export_val").to_pandas())
    )
    both = ground_truth.rename({"M": "mcp"}).join(
        upstream, left_on=["year", "origin", "hs92"], right_on=["year", "loc", "prod"], suffix="_py"
    )
    gap = {m: float((both[m].cast(pl.Float64) - both[f"{m}_py"].cast(pl.Float64)).abs().max()) for m in MEASURES}
    for same in ("mcp", "diversity", "ubiquity"):
        assert gap[same] == 0.0
    assert gap["rca"] < 1e-6
    assert gap["density"] == pytest.approx(0.0891, abs=5e-4)
    assert gap["cog"] == pytest.approx(0.4222, abs=5e-4)
    assert 1e-3 < gap["eci"] < 0.01 and 1e-3 < gap["pci"] < 0.01 and 0.01 < gap["coi"] < 0.05
    ours = joined(ground_truth, "ecomplexity").join(
        upstream, left_on=["year", "origin", "hs92"], right_on=["year", "loc", "prod"], suffix="_py"
    )
    for m in MEASURES:
        np.testing.assert_allclose(
            ours[f"{m}_ours"].cast(pl.Float64), ours[f"{m}_py"].cast(pl.Float64), rtol=1e-9, atol=1e-9
        )


def test_lazy_input_gives_the_same_table(ground_truth, tmp_path):
    path = tmp_path / "truth.parquet"
    ground_truth.write_parquet(path)
    eager = complexity_table(ground_truth, COLUMNS)
    lazy = complexity_table(pl.scan_parquet(path), COLUMNS)
    assert lazy.equals(eager)
