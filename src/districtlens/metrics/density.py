"""Density (Hidalgo et al. 2007): how much of what is related to p a region already does.

    density_cp = sum_p' M_cp' phi_pp' / sum_p' phi_pp'

With the symmetric proximity this equals EconGeo's relatedness density divided by 100:

    relatedness_density_cp = 100 * sum_p' M_cp' phi_p'p / sum_p' phi_p'p     (Balland, EconGeo)

(for an asymmetric proximity the two read phi in opposite directions, as their authors do).

Example: M = [[1, 0, 0]], phi = [[0, .5, 0], [.5, 0, .25], [0, .25, 0]]: density of activity 1 for
the region = (1 * .5) / (.5 + .25) = 2/3.

Hidalgo, C. A., Klinger, B., Barabasi, A.-L., & Hausmann, R. (2007). Science 317(5837), 482-487.
Balland, P.-A. (2017). EconGeo: Computing key indicators of the spatial distribution of economic
activities. R package; Boschma, R., Balland, P.-A., & Kogler, D. (2015). ICC 24(1), 223-250.
"""

from __future__ import annotations

import numpy as np


def density(mcp: np.ndarray, phi: np.ndarray, *, knn: int | None = None) -> np.ndarray:
    """Region x activity density in [0, 1] (0 where an activity has no proximity to any other).

    `knn`: use only each activity's k closest activities (largest phi_pp'), as Stata's `knn()`
    option does; both sums run over those k. (py-ecomplexity 0.5.3's `knn` instead counts the
    neighbours present without their weights: upstream issue #35.)
    """
    if knn is not None:
        phi = _nearest(np.asarray(phi, dtype=np.float64), knn)
    row_sums = phi.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = np.where(row_sums[None, :] > 0, phi.T / row_sums[None, :], 0.0)
    return np.asarray(mcp, dtype=np.float64) @ weights


def _nearest(phi: np.ndarray, k: int) -> np.ndarray:
    """phi with all but each row's k largest entries set to 0."""
    if not 0 < k < phi.shape[1]:
        raise ValueError(f"knn must be between 1 and {phi.shape[1] - 1}, got {k}")
    rows = np.arange(phi.shape[0])[:, None]
    keep = np.argpartition(-phi, k - 1, axis=1)[:, :k]
    kept = np.zeros_like(phi)
    kept[rows, keep] = phi[rows, keep]
    return kept


def relatedness_density(mcp: np.ndarray, phi: np.ndarray, *, rounded: bool = False) -> np.ndarray:
    """EconGeo's `relatedness.density`, 0-100, reading phi column-wise (`phi_p'p`).

    EconGeo rounds to whole numbers; `rounded=True` does the same.
    """
    out = 100.0 * density(mcp, np.asarray(phi).T)
    return np.round(out) if rounded else out
