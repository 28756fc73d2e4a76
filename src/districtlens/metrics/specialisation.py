"""How concentrated a region's economy is, over its activity shares s_cp = X_cp / X_c.

    Herfindahl-Hirschman  H_c = sum_p s_cp^2                     (1/n for even, 1 for one activity)
    Shannon entropy       E_c = -sum_p s_cp ln s_cp              (0 for one activity, ln n even)
    Gini                  G_c = sum_i sum_j |s_ci - s_cj| / (2 n^2 mean(s_c))   over all n activities
    Krugman index         K_c = sum_p |s_cp - r_p|,  r_p the reference's shares (0 to 2)

Example: shares (0.5, 0.5, 0, 0): H = 0.5, E = ln 2, G = 0.5, and against an even reference
(0.25 each) K = 1.

Herfindahl, O. C. (1950). Concentration in the U.S. steel industry. PhD thesis, Columbia.
Shannon, C. E. (1948). A mathematical theory of communication. Bell System Technical Journal 27.
Krugman, P. (1991). Geography and Trade. MIT Press.
Balland, P.-A. (2017). EconGeo (Herfindahl, entropy, Gini, Krugman specialisation index).
"""

from __future__ import annotations

import numpy as np


def shares(values: np.ndarray) -> np.ndarray:
    """Row shares s_cp = X_cp / X_c (rows summing to 0 stay 0)."""
    matrix = np.asarray(values, dtype=np.float64)
    totals = matrix.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(totals > 0, matrix / totals, 0.0)


def herfindahl(values: np.ndarray) -> np.ndarray:
    """Herfindahl-Hirschman index per region, in (0, 1]."""
    s = shares(values)
    return (s**2).sum(axis=1)


def entropy(values: np.ndarray) -> np.ndarray:
    """Shannon entropy of each region's shares, natural log (0 log 0 = 0)."""
    s = shares(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(s > 0, s * np.log(s), 0.0)
    return -terms.sum(axis=1)


def gini(values: np.ndarray) -> np.ndarray:
    """Gini coefficient of each region's values over all activities (0 even, (n-1)/n for one)."""
    matrix = np.sort(np.asarray(values, dtype=np.float64), axis=1)
    n = matrix.shape[1]
    ranks = np.arange(1, n + 1)
    totals = matrix.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (2.0 * (matrix * ranks).sum(axis=1) / (n * totals)) - (n + 1) / n
    return np.where(totals > 0, g, 0.0)


def krugman(values: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Krugman specialisation index per region against reference activity totals (default: the
    panel's column sums), from 0 (same mix as the reference) to 2 (disjoint)."""
    matrix = np.asarray(values, dtype=np.float64)
    ref = matrix.sum(axis=0) if reference is None else np.asarray(reference, dtype=np.float64)
    return np.abs(shares(matrix) - ref / ref.sum()).sum(axis=1)
