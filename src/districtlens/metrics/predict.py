"""The entry model: gradient-boosted trees over features that transfer across regions.

Albora, G., Pietronero, L., Tacchella, A., & Zaccaria, A. (2023). Product progression: a machine
learning approach to forecasting industrial upgrading. Scientific Reports 13, 1481 ("Machine
learning to assess relatedness"): learned models beat relatedness density, and density can lose
to plain auto-correlation (the RCA level). Hidalgo, C. A., & Hausmann, R. (2009). The building
blocks of economic complexity. PNAS 106(26), 10570-10575 (ECI, PCI, diversity, ubiquity).

A candidate is a (region, activity) with M = 0 in the start year (see `backtest.transitions`).
Its features, all of the start year (nothing of the end year leaks in):

- relatedness density under both conventions (proximity diagonal 0 and 1), density over the
  continuous RCA (min(RCA, 1)) and over plain presence (value > 0);
- log RCA and the RCA level, presence (value > 0), log(1 + value): auto-correlation;
- the activity's ubiquity, PCI, COG, and the share of regions where it has any value;
- the region's diversity, ECI, total, and the share of activities it has any value in;
- density and RCA ranked within the region;
- the value the region would have at RCA = 1 (`expected` = region total x activity total / grand
  total), the gap to it (`expected - value`, in the panel's unit: establishments on CBP) and
  (1 + value) / (1 + expected): a cell two establishments short of the threshold crosses it more
  easily than one two hundred short, at the same RCA.

Features whose scale depends on the panel (counts, totals, standardised indices) enter as
percentile ranks among the panel's candidates, so that a model fitted on one state scores another
(`RANKED`); RCA, densities and shares are already comparable and enter as they are (`AS_IS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from districtlens.errors import InputError
from districtlens.metrics.density import density as density_of
from districtlens.metrics.proximity import proximity

AS_IS: tuple[str, ...] = (
    "log_rca",
    "density",
    "density_other",
    "density_rca",
    "density_value",
    "present",
    "log_value",
    "log_expected",
    "gap",
    "relative_gap",
)
RANKED: tuple[str, ...] = (
    "density",
    "density_other",
    "log_rca",
    "rca",
    "present",
    "log_value",
    "ubiquity",
    "pci",
    "cog",
    "diversity",
    "eci",
    "log_region_total",
    "log_activity_total",
    "density_rank_region",
    "rca_rank_region",
    "activity_breadth",
    "region_breadth",
)
FEATURES: tuple[str, ...] = AS_IS + tuple(f"rank_{name}" for name in RANKED)
PARAMETERS: dict[str, float | int] = {
    "learning_rate": 0.05,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 50,
    "l2_regularization": 1.0,
}
MAX_ITERATIONS = 300
MIN_ITERATIONS = 30


def iterations(entries: int) -> int:
    """Boosting rounds: one per three training entries, between 30 and 300. A small training
    panel (Massachusetts' 14 counties give 190 entries) is then not learnt by heart; above 10,000
    candidates scikit-learn's early stopping (on a held-out tenth) may stop sooner."""
    return int(min(MAX_ITERATIONS, max(MIN_ITERATIONS, entries // 3)))


def cell_features(start: pl.DataFrame) -> pl.DataFrame:
    """Per (region, activity) of one start-year complexity table: the densities over continuous
    RCA and over presence, and the activity's and region's breadth (share with any value)."""
    table = start.select(
        pl.col("region").cast(pl.String), pl.col("activity").cast(pl.String), "value", "rca", "mcp"
    ).sort("region", "activity")
    regions = table.get_column("region").unique().sort()
    activities = table.get_column("activity").unique().sort()
    shape = (regions.len(), activities.len())
    if table.height != shape[0] * shape[1]:
        raise InputError("metrics.not_a_full_table")
    rca = table.get_column("rca").to_numpy().reshape(shape)
    has = table.get_column("value").to_numpy().reshape(shape) > 0
    phi = proximity(table.get_column("mcp").to_numpy().reshape(shape).astype(np.float64), diagonal=0.0)
    return pl.DataFrame(
        {
            "region": np.repeat(regions.to_numpy(), shape[1]),
            "activity": np.tile(activities.to_numpy(), shape[0]),
            "density_rca": density_of(np.minimum(rca, 1.0), phi).ravel(),
            "density_value": density_of(has.astype(np.float64), phi).ravel(),
            "activity_breadth": np.tile(has.mean(axis=0), shape[0]),
            "region_breadth": np.repeat(has.mean(axis=1), shape[1]),
        }
    )


def model_features(candidates: pl.DataFrame) -> pl.DataFrame:
    """The candidates with every column of FEATURES (ranks are within these candidates)."""
    share = pl.len().over("region")
    framed = candidates.with_columns(
        log_rca=(pl.col("rca") + 1e-3).log(),
        present=(pl.col("value") > 0).cast(pl.Float64),
        log_activity_total=pl.col("activity_total").log1p(),
        log_expected=pl.col("expected").log1p(),
        gap=pl.col("expected") - pl.col("value"),
        relative_gap=(pl.col("value") + 1) / (pl.col("expected") + 1),
        density_rank_region=pl.col("density").rank().over("region") / share,
        rca_rank_region=pl.col("rca").rank().over("region") / share,
    )
    return framed.with_columns([(pl.col(name).rank() / pl.len()).alias(f"rank_{name}") for name in RANKED])


def feature_matrix(candidates: pl.DataFrame) -> np.ndarray:
    """The FEATURES of `candidates` as a float matrix (missing values stay NaN: the trees route them)."""
    return model_features(candidates).select(FEATURES).to_numpy().astype(np.float64)


def fit_model(panels: list[pl.DataFrame], *, seed: int = 0) -> object:
    """A HistGradientBoostingClassifier fitted on the candidates of one or several panels (each
    ranked within itself), on one thread: faster on a shared machine, and the same every run."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    x = np.vstack([feature_matrix(p) for p in panels])
    y = np.concatenate([p.get_column("entered").to_numpy() for p in panels])
    if y.min() == y.max():
        raise InputError("metrics.training_no_entries")
    model = HistGradientBoostingClassifier(
        **PARAMETERS,
        max_iter=iterations(int(y.sum())),
        random_state=seed,
    )
    with threadpool_limits(1):
        model.fit(x, y)
    return model


def entry_probability(model: object, candidates: pl.DataFrame) -> np.ndarray:
    """The model's probability that each candidate is entered."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return model.predict_proba(feature_matrix(candidates))[:, 1]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Bin:
    """One row of a reliability table: candidates whose predicted probability is in [low, high)."""

    low: float
    high: float
    count: int
    predicted: float
    observed: float


def brier(y: np.ndarray, p: np.ndarray) -> float:
    """Brier score: the mean squared gap between probability and outcome (lower is better)."""
    return float(np.mean((np.asarray(p, dtype=np.float64) - y) ** 2))


def reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[Bin]:
    """Reliability table on quantile bins of p: mean predicted against observed entry share."""
    p = np.asarray(p, dtype=np.float64)
    edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
    index = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, max(len(edges) - 2, 0))
    rows = []
    for b in range(max(len(edges) - 1, 1)):
        mask = index == b
        if mask.any():
            rows.append(
                Bin(
                    float(edges[b]),
                    float(edges[min(b + 1, len(edges) - 1)]),
                    int(mask.sum()),
                    float(p[mask].mean()),
                    float(y[mask].mean()),
                )
            )
    return rows


@dataclass(frozen=True)
class Difference:
    """A's measure minus B's on the same candidates, with a paired-bootstrap interval."""

    a: str
    b: str
    measure: str
    difference: float
    low: float
    high: float


@dataclass(frozen=True)
class Ranked:
    """A score sorted once (descending), with the ends of its groups of tied values."""

    order: np.ndarray
    ends: np.ndarray


def ranked(score: np.ndarray) -> Ranked:
    """Sort `score` once so that each bootstrap draw costs a weighted cumulative sum."""
    order = np.argsort(-np.asarray(score, dtype=np.float64), kind="mergesort")
    sorted_score = np.asarray(score, dtype=np.float64)[order]
    ends = np.r_[np.flatnonzero(np.diff(sorted_score)), sorted_score.size - 1]
    return Ranked(order, ends)


def weighted_aucs(y: np.ndarray, weights: np.ndarray, score: Ranked) -> tuple[float, float]:
    """(ROC AUC, average precision) of a score with case weights, ties handled as scikit-learn
    does (a tied group is one step of the curve). With unit weights both equal
    `roc_auc_score` and `average_precision_score`."""
    w = weights[score.order]
    positive = np.cumsum(w * y[score.order])[score.ends]
    negative = np.cumsum(w * (1 - y[score.order]))[score.ends]
    total_pos, total_neg = positive[-1], negative[-1]
    if total_pos == 0 or total_neg == 0:
        return float("nan"), float("nan")
    tpr = np.r_[0.0, positive / total_pos]
    fpr = np.r_[0.0, negative / total_neg]
    roc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    precision = positive / np.maximum(positive + negative, 1e-300)
    ap = float(np.sum(np.diff(np.r_[0.0, positive]) / total_pos * precision))
    return roc, ap


MEASURES: tuple[str, ...] = ("roc_auc", "pr_auc")


def paired_bootstrap(
    y: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    *,
    names: tuple[str, str],
    resamples: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> list[Difference]:
    """ROC AUC and PR AUC of score `a` minus those of `b`, with percentile intervals over
    `resamples` draws of the candidates with replacement (the same draw for both scores, from a
    generator seeded with `seed`: the same intervals every run)."""
    y = np.asarray(y, dtype=np.float64)
    rng = np.random.default_rng(seed)
    first, second = ranked(a), ranked(b)
    unit = np.ones_like(y)
    point = np.subtract(weighted_aucs(y, unit, first), weighted_aucs(y, unit, second))
    draws = []
    for _ in range(resamples):
        weights = np.bincount(rng.integers(0, y.size, y.size), minlength=y.size).astype(np.float64)
        draws.append(np.subtract(weighted_aucs(y, weights, first), weighted_aucs(y, weights, second)))
    spread = np.asarray(draws).reshape(-1, len(MEASURES))
    tail = (1 - level) / 2 * 100
    out = []
    for index, measure in enumerate(MEASURES):
        column = spread[:, index]
        column = column[~np.isnan(column)]
        low, high = (
            (float(np.percentile(column, tail)), float(np.percentile(column, 100 - tail)))
            if column.size
            else (float("nan"), float("nan"))
        )
        out.append(Difference(names[0], names[1], measure, float(point[index]), low, high))
    return out
