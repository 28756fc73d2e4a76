"""Proximity between activities (Hidalgo, Klinger, Barabasi & Hausmann 2007).

Symmetric (the default), the minimum of the two conditional probabilities of co-presence:

    phi_pp' = C_pp' / max(u_p, u_p'),   C = M^T M (co-occurrence), u = ubiquity

Asymmetric (`asymmetric=True`), the probability of p' given p:  phi_pp' = C_pp' / u_p.

The diagonal is co-presence of an activity with itself (1). The Stata `ecomplexity` sets it to 0
and that is the default here (`diagonal=0.0`); py-ecomplexity 0.5.3 keeps 1 (`diagonal=None`).

Example: M = [[1, 1], [1, 0], [0, 1]]: u = [2, 2], C_01 = 1, phi_01 = 1 / 2.

Hidalgo, C. A., Klinger, B., Barabasi, A.-L., & Hausmann, R. (2007). The product space
conditions the development of nations. Science 317(5837), 482-487.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import scipy.sparse as sp

from districtlens.metrics.diversity import ubiquity as ubiquity_of


def cooccurrence(mcp: np.ndarray | sp.spmatrix) -> np.ndarray:
    """C = M^T M: the number of regions present in both activities.

    Computed in float32 on dense BLAS: counts below 2^24 are exact in float32 and it halves the
    work of the largest product of the pipeline.
    """
    # scipy ships no types: issparse does not narrow `mcp` to the sparse matrix it found.
    matrix = cast(sp.spmatrix, mcp).toarray() if sp.issparse(mcp) else np.asarray(mcp)
    exact = np.float32 if matrix.shape[0] < 2**24 else np.float64
    single: np.ndarray = matrix.astype(exact)
    return (single.T @ single).astype(np.float64)


def proximity(
    mcp: np.ndarray | sp.spmatrix,
    *,
    asymmetric: bool = False,
    diagonal: float | None = 0.0,
) -> np.ndarray:
    """Activity x activity proximity from the presence matrix.

    `diagonal`: the value put on the diagonal (0.0 as in Stata), or None to keep C_pp / u_p = 1
    as py-ecomplexity 0.5.3 does. Activities with ubiquity 0 have proximity 0 to all.
    """
    co = cooccurrence(mcp)
    ubiquity = ubiquity_of(mcp)
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = ubiquity[:, None] if asymmetric else np.maximum.outer(ubiquity, ubiquity)
        phi = co / denominator
    phi[~np.isfinite(phi)] = 0.0
    if diagonal is not None:
        np.fill_diagonal(phi, diagonal)
    return phi
