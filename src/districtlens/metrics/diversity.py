"""Diversity and ubiquity (Hidalgo & Hausmann 2009), the zeroth-order reflections of M.

    diversity_c = k_c,0 = sum_p M_cp        ubiquity_p = k_p,0 = sum_c M_cp

Example: M = [[1, 1], [0, 1]] gives diversity [2, 1] and ubiquity [1, 2].

Hidalgo, C. A., & Hausmann, R. (2009). The building blocks of economic complexity. PNAS 106(26).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def diversity(mcp: np.ndarray | sp.spmatrix) -> np.ndarray:
    """Number of activities each region is present in (row sums of M)."""
    return np.asarray(mcp.sum(axis=1), dtype=np.float64).ravel()


def ubiquity(mcp: np.ndarray | sp.spmatrix) -> np.ndarray:
    """Number of regions present in each activity (column sums of M)."""
    return np.asarray(mcp.sum(axis=0), dtype=np.float64).ravel()
