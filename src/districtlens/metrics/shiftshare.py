"""Shift-share decomposition of a region's change between two years (Dunn 1960).

With X_cp the region's value in activity p, X_p the reference's (e.g. the nation), g the
reference's overall growth rate and g_p its growth in activity p:

    national share      NS_cp = X_cp,0 * g
    industry mix        IM_cp = X_cp,0 * (g_p - g)
    competitive effect  CE_cp = X_cp,0 * (g_cp - g_p)   where g_cp = X_cp,1 / X_cp,0 - 1

and NS + IM + CE = X_cp,1 - X_cp,0 exactly, for every activity the region had in the first year.
Activities new to the region (X_cp,0 = 0) put their whole change in the competitive effect.

Example: a region grows in p from 10 to 15 while the reference grows overall by 10% and in p by
20%: NS = 1, IM = 1, CE = 3, total 5.

Dunn, E. S. (1960). A statistical and analytical technique for regional analysis. Papers of the
Regional Science Association 6, 97-112.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ShiftShare:
    national_share: np.ndarray
    industry_mix: np.ndarray
    competitive_effect: np.ndarray


def shift_share(
    start: np.ndarray,
    end: np.ndarray,
    reference_start: np.ndarray | None = None,
    reference_end: np.ndarray | None = None,
) -> ShiftShare:
    """Region x activity decomposition; the reference defaults to the column sums (the panel)."""
    x0 = np.asarray(start, dtype=np.float64)
    x1 = np.asarray(end, dtype=np.float64)
    r0 = x0.sum(axis=0) if reference_start is None else np.asarray(reference_start, dtype=float)
    r1 = x1.sum(axis=0) if reference_end is None else np.asarray(reference_end, dtype=float)
    overall = r1.sum() / r0.sum() - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        by_activity = np.where(r0 > 0, r1 / r0 - 1.0, 0.0)
    national = x0 * overall
    mix = x0 * (by_activity - overall)[None, :]
    competitive = (x1 - x0) - national - mix
    return ShiftShare(national, mix, competitive)
