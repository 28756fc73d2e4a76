"""Back-test: how well did a predictor rank the activities each region went on to enter?

A candidate is a (region, activity) with M = 0 in the start year, both still present in the end
year; it is an entry when M = 1 in the end year. Each predictor (its start-year value) is scored:

- ROC AUC: the chance an entry ranks above a non-entry;
- PR AUC (average precision): precision along the list, which weighs the top of the list, where
  an investment officer looks;
- precision@k: the share of entries among each region's top k candidates, averaged over regions.

The baseline is auto-correlation: the start-year RCA level (activities near the threshold cross
it). Density alone can lose to it (it does on PR AUC on the US CBP panels; see docs/metrics.md).
The combined predictor is the entry model of `districtlens.metrics.predict` (gradient-boosted
trees over transferable features), fitted on one or several panels' transitions and scored on
another's: never on the rows it scores. `fit_combined` keeps the earlier logistic regression.

Sign convention: every single predictor is scored as it is, a higher value ranking a candidate
higher. A ROC AUC below 0.5 (COG and PCI on the US panels) means a LOW value predicts entry.

Hidalgo, C. A., Klinger, B., Barabasi, A.-L., & Hausmann, R. (2007). Science 317(5837).
Neffke, F., Henning, M., & Boschma, R. (2011). How do regions diversify over time? Economic
Geography 87(3), 237-265.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from districtlens.errors import InputError
from districtlens.metrics.complexity import Convention
from districtlens.metrics.pipeline import Columns, as_polars, complexity_table

SINGLE_PREDICTORS: tuple[str, ...] = ("density", "rca", "cog", "pci", "ubiquity")
BASELINE = "rca"
COMBINED_FEATURES: tuple[str, ...] = ("density", "rca", "log_value", "log_region_total")
COMBINED = "combined"


def transitions(start: pl.DataFrame, end: pl.DataFrame, other: pl.DataFrame | None = None) -> pl.DataFrame:
    """Candidates (M = 0 at start, region and activity present at end) with `entered` 0/1.

    `start` and `end` are one-year complexity tables (from `complexity_table`); `other` is the
    start year's table under the other convention (its density becomes `density_other`).
    """
    labels = [pl.col("region").cast(pl.String), pl.col("activity").cast(pl.String)]
    end = end.with_columns(labels)
    later = end.select("region", "activity", pl.col("mcp").alias("entered"))
    return start_candidates(start, other).join(later, on=["region", "activity"], how="inner")


def start_candidates(start: pl.DataFrame, other: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every cell with M = 0 in one year's complexity table, with the entry model's inputs: the
    candidates of `transitions` before the end year is known (what `targets --opportunities`
    scores today)."""
    from districtlens.metrics.predict import cell_features

    labels = [pl.col("region").cast(pl.String), pl.col("activity").cast(pl.String)]
    start = start.with_columns(labels)
    features = start.with_columns(
        log_value=pl.col("value").log1p(),
        log_region_total=pl.col("value").sum().over("region").log(),
        activity_total=pl.col("value").sum().over("activity"),
        expected=pl.col("value").sum().over("region") * pl.col("value").sum().over("activity") / pl.col("value").sum(),
    ).join(cell_features(start), on=["region", "activity"], how="left")
    if other is not None:
        features = features.join(
            other.select(*labels, pl.col("density").alias("density_other")), on=["region", "activity"], how="left"
        )
    else:
        features = features.with_columns(density_other=pl.col("density"))
    return features.filter(pl.col("mcp") == 0)


def year_candidates(
    frame: pl.DataFrame, columns: Columns, *, convention: Convention = "stata", threshold: float = 1.0
) -> pl.DataFrame:
    """`start_candidates` of a one-year long frame (no year column needed), built as
    `panel_transitions` builds its start year: both conventions, the same threshold."""
    other_convention: Convention = "ecomplexity" if convention == "stata" else "stata"
    start = complexity_table(frame, columns, convention=convention, threshold=threshold)
    other = complexity_table(frame, columns, convention=other_convention, threshold=threshold)
    return start_candidates(start, other)


def precision_at_k(candidates: pl.DataFrame, score: str, k: int) -> float:
    """Mean over regions (with at least k candidates) of the entry share in their top k."""
    ranked = candidates.with_columns(
        pl.col(score).rank("ordinal", descending=True).over("region").alias("_rank"),
        pl.len().over("region").alias("_n"),
    ).filter((pl.col("_n") >= k) & (pl.col("_rank") <= k))
    if ranked.height == 0:
        return float("nan")
    mean: float = ranked.group_by("region").agg(pl.col("entered").mean())["entered"].mean()  # type: ignore[assignment]
    return float(mean)


@dataclass(frozen=True)
class Score:
    predictor: str
    roc_auc: float
    pr_auc: float
    precision_at_k: float


def score(candidates: pl.DataFrame, column: str, k: int = 10) -> Score:
    """ROC AUC, PR AUC and precision@k of one score column against `entered`."""
    y = candidates.get_column("entered").to_numpy()
    if y.min() == y.max():
        raise InputError("metrics.nothing_entered")
    x = np.nan_to_num(candidates.get_column(column).to_numpy().astype(np.float64))
    return Score(
        column, float(roc_auc_score(y, x)), float(average_precision_score(y, x)), precision_at_k(candidates, column, k)
    )


def fit_combined(train: pl.DataFrame) -> Pipeline:
    """Logistic regression over COMBINED_FEATURES, fitted on the training panel's transitions."""
    y = train.get_column("entered").to_numpy()
    if y.min() == y.max():
        raise InputError("metrics.training_no_entries")
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    model.fit(train.select(COMBINED_FEATURES).to_numpy(), y)
    return model


def panel_transitions(
    frame: pl.DataFrame | object,
    columns: Columns,
    start_year: object,
    end_year: object,
    *,
    convention: Convention = "stata",
    threshold: float = 1.0,
) -> pl.DataFrame:
    """The candidates of a long panel between two of its years."""
    if columns.year is None:
        raise InputError("metrics.backtest_needs_year")
    if start_year == end_year:
        raise InputError("metrics.backtest_same_year")
    long = as_polars(frame)
    year = long.get_column(columns.year)
    present = set(year.unique().to_list())
    matches = []
    for wanted in (start_year, end_year):
        match = next((y for y in present if str(y) == str(wanted)), None)
        if match is None:
            raise InputError("metrics.year_absent", year=str(wanted), years=", ".join(map(str, sorted(present))))
        matches.append(match)
    start, end = (
        complexity_table(long.filter(year == m), columns, convention=convention, threshold=threshold) for m in matches
    )
    other_convention: Convention = "ecomplexity" if convention == "stata" else "stata"
    other = complexity_table(long.filter(year == matches[0]), columns, convention=other_convention, threshold=threshold)
    return transitions(start, end, other)


def backtest(
    candidates: pl.DataFrame,
    *,
    train: pl.DataFrame | list[pl.DataFrame] | None = None,
    model: object | None = None,
    k: int = 10,
    predictors: tuple[str, ...] = SINGLE_PREDICTORS,
    seed: int = 0,
) -> list[Score]:
    """Scores of each single predictor and, when training panels (or a fitted model) are given, of
    the combined one (the entry model of `districtlens.metrics.predict`)."""
    scores = [score(candidates, name, k) for name in predictors]
    probability = combined_probability(candidates, train=train, model=model, seed=seed)
    if probability is not None:
        scores.append(score(candidates.with_columns(pl.Series(COMBINED, probability)), COMBINED, k))
    return scores


def combined_probability(
    candidates: pl.DataFrame,
    *,
    train: pl.DataFrame | list[pl.DataFrame] | None = None,
    model: object | None = None,
    seed: int = 0,
) -> np.ndarray | None:
    """The entry model's probabilities for `candidates`: of `model`, else of a model fitted on
    `train`; None when neither is given."""
    from districtlens.metrics.predict import entry_probability, fit_model

    if model is None and train is not None:
        model = fit_model(train if isinstance(train, list) else [train], seed=seed)
    return None if model is None else entry_probability(model, candidates)
