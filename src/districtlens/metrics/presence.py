"""The presence (M) matrix: M_cp = 1 when RCA_cp >= threshold, else 0.

Example: RCA = [[1.5, 0.5], [0.5, 1.5]] and threshold 1 give M = [[1, 0], [0, 1]].

Hidalgo, C. A., & Hausmann, R. (2009). The building blocks of economic complexity. PNAS 106(26),
10570-10575.
"""

from __future__ import annotations

import numpy as np


def presence(rca: np.ndarray, threshold: float = 1.0) -> np.ndarray:
    """0/1 float matrix of RCA >= `threshold` (NaN counts as absent)."""
    return (np.asarray(rca, dtype=np.float64) >= threshold).astype(np.float64)
