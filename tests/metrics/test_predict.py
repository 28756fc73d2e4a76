"""The entry model: its measures, its bootstrap, its files and its CLI, on small real CBP samples."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from districtlens.commands.metrics import TrainSpec, load_model, parse_train
from districtlens.errors import InputError, UsageError
from districtlens.metrics import Columns
from districtlens.metrics.backtest import backtest, panel_transitions
from districtlens.metrics.predict import (
    FEATURES,
    brier,
    feature_matrix,
    iterations,
    paired_bootstrap,
    ranked,
    reliability,
    weighted_aucs,
)
from tests.metrics.conftest import CBP, cbp

COLUMNS = Columns("Fips", "Naics", "Establishments", "year")


@pytest.fixture(scope="module")
def georgia():
    return cbp("GA", 2017, 2019, 2021)


def counties(panel: pl.DataFrame, keep: int, *, first: bool) -> pl.DataFrame:
    fips = panel.get_column("Fips").unique().sort()
    chosen = fips.head(keep) if first else fips.tail(fips.len() - keep)
    return panel.filter(pl.col("Fips").is_in(chosen.implode()))


def test_model_beats_density_and_rca_on_unseen_counties(georgia):
    """Fitted on 80 Georgia counties (2017 -> 2019), scored on the other 77 (2019 -> 2021)."""
    train = panel_transitions(counties(georgia, 80, first=True), COLUMNS, 2017, 2019)
    test = panel_transitions(counties(georgia, 80, first=False), COLUMNS, 2019, 2021)
    by_name = {s.predictor: s for s in backtest(test, train=train, seed=0)}
    combined = by_name["combined"]
    assert combined.roc_auc > by_name["density"].roc_auc
    assert combined.roc_auc > by_name["rca"].roc_auc
    assert combined.pr_auc > by_name["density"].pr_auc
    assert combined.pr_auc > by_name["rca"].pr_auc


def test_features_are_finite_and_of_the_start_year(georgia):
    candidates = panel_transitions(counties(georgia, 40, first=True), COLUMNS, 2017, 2019)
    matrix = feature_matrix(candidates)
    assert matrix.shape == (candidates.height, len(FEATURES))
    assert np.isfinite(matrix).all()
    assert "entered" not in FEATURES
    # both density conventions are there and differ (diagonal 0 against diagonal 1)
    assert not np.allclose(candidates["density"].to_numpy(), candidates["density_other"].to_numpy())


def test_weighted_aucs_equal_scikit_learn():
    rng = np.random.default_rng(3)
    y = (rng.random(4000) < 0.05).astype(np.float64)
    score = np.round(rng.random(4000) + 0.4 * y, 2)  # ties on purpose
    weights = np.bincount(rng.integers(0, 4000, 4000), minlength=4000).astype(np.float64)
    for w in (np.ones_like(y), weights):
        roc, ap = weighted_aucs(y, w, ranked(score))
        assert roc == pytest.approx(roc_auc_score(y, score, sample_weight=w), abs=1e-12)
        assert ap == pytest.approx(average_precision_score(y, score, sample_weight=w), abs=1e-12)


def test_paired_bootstrap_is_seeded_and_brackets_the_difference():
    rng = np.random.default_rng(5)
    y = (rng.random(3000) < 0.1).astype(np.float64)
    good, noise = y + rng.normal(0, 0.8, 3000), rng.random(3000)
    first = paired_bootstrap(y, good, noise, names=("good", "noise"), resamples=100, seed=1)
    again = paired_bootstrap(y, good, noise, names=("good", "noise"), resamples=100, seed=1)
    other = paired_bootstrap(y, good, noise, names=("good", "noise"), resamples=100, seed=2)
    assert first == again and first != other
    for d in first:
        assert d.low <= d.difference <= d.high and d.low > 0


def test_reliability_and_brier():
    y = np.array([0, 0, 1, 1], dtype=np.float64)
    assert brier(y, np.array([0.0, 0.0, 1.0, 1.0])) == 0.0
    assert brier(y, np.full(4, 0.5)) == 0.25
    rng = np.random.default_rng(0)
    p = rng.random(1000)
    rows = reliability((rng.random(1000) < p).astype(np.float64), p, bins=10)
    assert sum(r.count for r in rows) == 1000 and len(rows) == 10
    assert all(abs(r.predicted - r.observed) < 0.2 for r in rows)


def test_iterations_follow_the_training_entries():
    assert iterations(90) == 30 and iterations(600) == 200 and iterations(5000) == 300


def test_parse_train(tmp_path):
    plain = tmp_path / "ga.parquet"
    plain.write_bytes(b"")
    assert parse_train("ga.parquet:2017:2019") == TrainSpec(pl_path("ga.parquet"), 2017, 2019)
    assert parse_train(str(plain)) == TrainSpec(plain)
    assert parse_train("no-colon.csv") == TrainSpec(pl_path("no-colon.csv"))
    for bad in ("ga.parquet:2017", "ga.parquet:x:2019", "ga.parquet:2017:", ":2017:2019", "ga.parquet::2019"):
        with pytest.raises(UsageError):
            parse_train(bad)
    with pytest.raises(UsageError, match="two different years"):
        parse_train("ga.parquet:2019:2019")


def pl_path(name: str):
    from pathlib import Path

    return Path(name)


@pytest.fixture(scope="module")
def small_panels(tmp_path_factory, georgia):
    folder = tmp_path_factory.mktemp("panels")
    train, test = folder / "train.parquet", folder / "test.parquet"
    rename = {"Fips": "region", "Naics": "activity", "Establishments": "value"}
    counties(georgia, 80, first=True).rename(rename).write_parquet(train)
    counties(georgia, 80, first=False).rename(rename).write_parquet(test)
    return train, test


def test_cli_trains_saves_and_reuses_a_skops_model(cli, tmp_path, small_panels):
    train, test = small_panels
    saved = tmp_path / "model.skops"
    fitted = cli(
        "backtest",
        test,
        "--from",
        "2019",
        "--to",
        "2021",
        "--train",
        f"{train}:2017:2019",
        "--save-model",
        saved,
        "--bootstrap",
        "50",
        "--json",
    )
    assert fitted.exit_code == 0, fitted.output
    report = json.loads(fitted.stdout)
    for key in (
        "from",
        "to",
        "candidates",
        "entries",
        "scores",
        "brier",
        "reliability",
        "differences",
        "winners",
        "training",
        "sign_convention",
    ):
        assert key in report
    assert {d["against"] for d in report["differences"]} == {"density", "rca", "cog", "pci", "ubiquity"}
    assert report["training"][0]["from"] == 2017 and report["training"][0]["to"] == 2019
    assert saved.read_bytes()[:2] == b"PK"  # a skops zip, not a pickle
    stored = load_model(saved)
    assert stored["features"] == list(FEATURES) and stored["training"] == report["training"]
    reused = cli("backtest", test, "--from", "2019", "--to", "2021", "--model", saved, "--bootstrap", "50", "--json")
    assert reused.exit_code == 0, reused.output
    again = json.loads(reused.stdout)["scores"]
    assert [s["predictor"] for s in again] == [s["predictor"] for s in report["scores"]]
    for a, b in zip(again, report["scores"], strict=True):
        assert a["roc_auc"] == b["roc_auc"] and a["pr_auc"] == b["pr_auc"]
        assert a["precision_at_k"] == pytest.approx(b["precision_at_k"], abs=1e-12)


def test_cli_old_train_options_keep_working(cli, small_panels):
    train, test = small_panels
    result = cli(
        "backtest",
        test,
        "--from",
        "2019",
        "--to",
        "2021",
        "--train",
        train,
        "--train-from",
        "2017",
        "--train-to",
        "2019",
        "--bootstrap",
        "20",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["training"][0]["from"] == 2017


def test_cli_refuses_bad_train_forms(cli, small_panels):
    train, test = small_panels
    for bad in (f"{train}:2017", f"{train}:2017:2017", f"{train}:a:2019"):
        result = cli("backtest", test, "--from", "2019", "--to", "2021", "--train", bad)
        assert result.exit_code != 0
        assert "--train" in " ".join(result.output.split())


def test_load_model_refuses_other_files(tmp_path):
    import skops.io as sio

    other = tmp_path / "other.skops"
    sio.dump({"weights": [1, 2]}, other)
    with pytest.raises(InputError, match="not a model"):
        load_model(other)


def test_panel_from_cbp(cli, tmp_path):
    out = tmp_path / "nc.parquet"
    files = [CBP / f"US-NC-census-naics4-counties-{y}.csv" for y in (2017, 2019)]
    result = cli("panel", "from-cbp", *files, "--out", out, "--json")
    assert result.exit_code == 0, result.output
    panel = pl.read_parquet(out)
    assert panel.columns == ["region", "activity", "value", "year"]
    assert sorted(panel["year"].unique().to_list()) == [2017, 2019]
    assert panel.height == 9250 + 9230
    assert panel.filter(pl.col("region") == "37001")["region"].len() > 0  # FIPS kept as text
    unnamed = tmp_path / "cbp.csv"
    unnamed.write_text(files[0].read_text())
    refused = cli("panel", "from-cbp", unnamed, "--out", tmp_path / "x.parquet")
    assert refused.exit_code != 0
