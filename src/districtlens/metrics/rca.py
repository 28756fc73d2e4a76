"""Revealed comparative advantage (Balassa 1965), also called the location quotient.

    RCA_cp = (X_cp / X_c) / (R_p / R)

X_cp is region c's value in activity p, X_c = sum_p X_cp its total, and R_p / R the share of p
in the reference: by default the whole panel (R_p = sum_c X_cp), else a peer set of regions or
an external total such as the nation's.

Example: two regions, two activities, X = [[3, 1], [1, 3]]. Region 0 has 3/4 of its value in
activity 0, which holds 4/8 of the panel: RCA_00 = 0.75 / 0.5 = 1.5.

Balassa, B. (1965). Trade liberalisation and "revealed" comparative advantage.
The Manchester School 33(2), 99-123.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import scipy.sparse as sp


def rca(values: np.ndarray | sp.spmatrix, reference: np.ndarray | None = None) -> np.ndarray:
    """RCA of a region x activity matrix against activity totals `reference` (default: column sums).

    Regions with a zero total get RCA 0 (they reveal nothing). An activity whose reference is
    zero while a region has value in it has an undefined share and gives `inf`; pass a reference
    that covers every activity.
    """
    # scipy ships no types: issparse does not narrow `values` to the sparse matrix it found.
    matrix = cast(sp.spmatrix, values).toarray() if sp.issparse(values) else np.asarray(values, dtype=np.float64)
    matrix = matrix.astype(np.float64, copy=False)
    totals = matrix.sum(axis=1)
    ref = matrix.sum(axis=0) if reference is None else np.asarray(reference, dtype=np.float64)
    if ref.shape != (matrix.shape[1],):
        raise ValueError(f"reference has shape {ref.shape}, expected ({matrix.shape[1]},)")
    ref_share = ref / ref.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = matrix / totals[:, None]
        out /= ref_share[None, :]
    out[totals == 0, :] = 0.0
    np.nan_to_num(out, copy=False, nan=0.0, posinf=np.inf)
    return out


def reference_from_regions(values: np.ndarray, regions: np.ndarray) -> np.ndarray:
    """Activity totals of a peer set: the rows of `values` selected by the boolean mask `regions`.

    Example: the city's districts as the reference of one district's location quotient.
    """
    mask = np.asarray(regions, dtype=bool)
    return np.asarray(values, dtype=np.float64)[mask].sum(axis=0)
