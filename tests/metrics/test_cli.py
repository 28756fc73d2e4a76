"""`districtlens metrics` on files: formats, zeros included, and clear refusals of bad input."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from tests.metrics.conftest import REFERENCE, cbp

ARGS = ["--region", "origin", "--activity", "hs92", "--value", "export_val", "--year", "year"]
REQUIRED = [
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
]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
def test_metrics_file_to_each_format(cli, tmp_path, ground_truth, suffix):
    out = tmp_path / f"out{suffix}"
    result = cli("metrics", REFERENCE / "trade_data_sample.csv", *ARGS, "--out", out)
    assert result.exit_code == 0, result.output
    table = {".csv": pl.read_csv, ".parquet": pl.read_parquet, ".json": pl.read_json}[suffix](out)
    assert set(REQUIRED) <= set(table.columns)
    assert table.height == 600


def test_metrics_writes_zero_cells(cli, tmp_path):
    """Georgia 2021: every county x NAICS cell that year, zeros included."""
    panel = tmp_path / "ga.csv"
    cbp("GA", 2021).write_csv(panel)
    out = tmp_path / "out.parquet"
    result = cli(
        "metrics",
        panel,
        "--region",
        "Fips",
        "--activity",
        "Naics",
        "--value",
        "Establishments",
        "--year",
        "year",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(out)
    n_regions, n_activities = table["region"].n_unique(), table["activity"].n_unique()
    assert table.height == n_regions * n_activities
    zeros = table.filter(pl.col("value") == 0)
    assert zeros.height > 0 and zeros["density"].max() > 0
    assert table["activity"].str.len_chars().min() == 4  # codes stay text


def test_reference_regions_and_external_totals(cli, tmp_path):
    panel = tmp_path / "p.csv"
    pl.DataFrame(
        {"r": ["a", "a", "b", "b", "c", "c"], "x": ["1", "2"] * 3, "v": [3.0, 1.0, 1.0, 3.0, 2.0, 2.0]}
    ).write_csv(panel)
    out = tmp_path / "o.csv"
    base = ["--region", "r", "--activity", "x", "--value", "v", "--out", out]
    assert cli("metrics", panel, *base, "--reference", "regions:b").exit_code == 0
    first = pl.read_csv(out).filter((pl.col("region") == "a") & (pl.col("activity") == 1))
    assert first["rca"][0] == pytest.approx(0.75 / 0.25)
    totals = tmp_path / "nation.csv"
    pl.DataFrame({"activity": ["1", "2"], "value": [10.0, 30.0]}).write_csv(totals)
    assert cli("metrics", panel, *base, "--reference", totals).exit_code == 0
    first = pl.read_csv(out).filter((pl.col("region") == "a") & (pl.col("activity") == 1))
    assert first["rca"][0] == pytest.approx(0.75 / 0.25)


def bad_panel(tmp_path, rows: dict) -> str:
    path = tmp_path / "bad.csv"
    pl.DataFrame(rows).write_csv(path)
    return path


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"r": ["a", "b"], "x": ["1", "1"], "w": [1, 2]}, "missing column(s) v"),
        ({"r": ["a", "b", "a"], "x": ["1", "2", "2"], "v": [1.0, -2.0, 1.0]}, "negative"),
        ({"r": ["a", "b", "a"], "x": ["1", "2", "2"], "v": ["1", "lots", "2"]}, "non-numeric"),
        ({"r": ["a", "b", "b"], "x": ["1", "1", "2"], "v": [0.0, 1.0, 2.0]}, "zero total"),
        ({"r": ["a", "a"], "x": ["1", "2"], "v": [1.0, 2.0]}, "only one region"),
        ({"r": ["a", "b", "a"], "x": ["1", "2", "2"], "v": [1.0, None, 1.0]}, "empty value"),
    ],
)
def test_bad_input_is_refused_clearly(cli, tmp_path, rows, message):
    out = tmp_path / "o.csv"
    result = cli("metrics", bad_panel(tmp_path, rows), "--region", "r", "--activity", "x", "--value", "v", "--out", out)
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not out.exists()


def test_unknown_output_format_and_missing_file(cli, tmp_path):
    result = cli("metrics", REFERENCE / "trade_data_sample.csv", *ARGS, "--out", tmp_path / "o.xls")
    assert result.exit_code == 1 and "unknown format" in " ".join(result.output.split())
    result = cli("metrics", tmp_path / "nope.csv", *ARGS, "--out", tmp_path / "o.csv")
    assert result.exit_code == 1 and "no file at" in " ".join(result.output.split())


def test_json_output_is_records(cli, tmp_path):
    out = tmp_path / "o.json"
    assert (
        cli(
            "metrics", REFERENCE / "trade_data_sample.csv", *ARGS, "--convention", "ecomplexity", "--out", out
        ).exit_code
        == 0
    )
    records = json.loads(out.read_text())
    assert len(records) == 600 and np.isfinite(records[0]["eci"])
