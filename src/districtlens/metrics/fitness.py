"""Fitness and complexity (Tacchella, Cristelli, Caldarelli, Gabrielli & Pietronero 2012).

A non-linear alternative to ECI/PCI, iterated to a fixed point from F = Q = 1:

    F~_c = sum_p M_cp Q_p                 Q~_p = 1 / sum_c M_cp / F_c
    F_c  = F~_c / mean(F~)                Q_p  = Q~_p / mean(Q~)

A region is fit when it does many activities, and an activity complex when only fit regions do
it (its complexity is bounded by its least fit producer).

Example: M = [[1, 1], [1, 0]]: region 0 ends fitter (F_0 > F_1) and activity 1, done only by
the fitter region, more complex (Q_1 > Q_0).

Tacchella, A., Cristelli, M., Caldarelli, G., Gabrielli, A., & Pietronero, L. (2012). A new
metrics for countries' fitness and products' complexity. Scientific Reports 2, 723.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def fitness_complexity(
    mcp: np.ndarray | sp.spmatrix, *, iterations: int = 200, tolerance: float = 1e-12
) -> tuple[np.ndarray, np.ndarray]:
    """(fitness per region, complexity per activity), each normalised to mean 1.

    Stops after `iterations` or when neither vector moves by more than `tolerance` (relative).
    Some fitnesses tend to 0 for nested matrices: that is the method, not an error.
    """
    matrix = sp.csr_matrix(mcp, dtype=np.float64)
    fitness = np.ones(matrix.shape[0])
    complexity = np.ones(matrix.shape[1])
    for _ in range(iterations):
        new_fitness = matrix @ complexity
        with np.errstate(divide="ignore"):
            inverse = matrix.T @ np.where(fitness > 0, 1.0 / fitness, 0.0)
            new_complexity = np.where(inverse > 0, 1.0 / inverse, 0.0)
        new_fitness /= new_fitness.mean()
        new_complexity /= new_complexity.mean()
        moved = max(np.max(np.abs(new_fitness - fitness)), np.max(np.abs(new_complexity - complexity)))
        fitness, complexity = new_fitness, new_complexity
        if moved < tolerance:
            break
    return fitness, complexity
