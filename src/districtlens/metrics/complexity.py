"""Economic and product complexity (ECI, PCI) and the complexity outlook (COI, COG).

The method of reflections (Hidalgo & Hausmann 2009) converges to the eigenvectors of

    M~_pp' = sum_c M_cp M_cp' / (k_c,0 k_p,0)        (activities)

kp, the eigenvector of M~ for its second-largest eigenvalue, ranks activities; regions get the
average complexity of what they do, kc = (M / diversity) kp. An eigenvector's sign is arbitrary:
it is fixed here so that kc correlates positively with diversity (Hausmann et al. 2014, *The Atlas
of Economic Complexity*). Both are then standardised with kc's mean and standard deviation
(`standardise`), which keeps ECI_c equal to the mean PCI of the activities region c does.

Complexity outlook (Hausmann et al. 2014):

    COI_c  = sum_p density_cp (1 - M_cp) kp_p                               (then standardised)
    COG_cp = (1 - M_cp) sum_p' (1 - M_cp') phi_p'p kp_p' / sum_p'' phi_p'p''  (divided by sd(kc))

Example: M = [[1, 1, 1], [1, 1, 0], [1, 0, 0]]: diversity [3, 2, 1], ubiquity [3, 2, 1]; the
most diverse region gets the highest ECI and the rarest activity the highest PCI.

Hidalgo, C. A., & Hausmann, R. (2009). The building blocks of economic complexity. PNAS 106(26).
Hausmann, R., Hidalgo, C. A., et al. (2014). The Atlas of Economic Complexity. MIT Press.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg

Convention = Literal["stata", "ecomplexity"]


@dataclass(frozen=True)
class Complexity:
    """Unstandardised complexity: kc per region, kp per activity (sign fixed), and the eigenvalue."""

    kc: np.ndarray
    kp: np.ndarray
    eigenvalue: float


def complexity(mcp: np.ndarray | sp.spmatrix) -> Complexity:
    """kc and kp from the presence matrix; regions or activities with degree 0 get NaN.

    Solved on the smaller side as a symmetric eigenproblem: with A = D_c^-1/2 M D_p^-1/2,
    M~ = D_p^-1/2 (A^T A) D_p^1/2, so kp = D_p^-1/2 v for v the second right singular vector of A.
    """
    matrix = np.asarray(mcp.toarray() if sp.issparse(mcp) else mcp, dtype=np.float64)
    div = matrix.sum(axis=1)
    ubi = matrix.sum(axis=0)
    rows, cols = div > 0, ubi > 0
    kc = np.full(matrix.shape[0], np.nan)
    kp = np.full(matrix.shape[1], np.nan)
    valid = matrix if rows.all() and cols.all() else matrix[rows][:, cols]
    if min(valid.shape) < 2:
        return Complexity(kc, kp, np.nan)
    d, u = div[rows], ubi[cols]
    scaled = valid / np.sqrt(d)[:, None]
    scaled /= np.sqrt(u)[None, :]
    if scaled.shape[1] <= scaled.shape[0]:
        value, vector = _second_eigenpair(scaled.T @ scaled, np.sqrt(u))
        kp_valid = vector / np.sqrt(u)
    else:
        value, vector = _second_eigenpair(scaled @ scaled.T, np.sqrt(d))
        kp_valid = valid.T @ (vector / np.sqrt(d)) / u
    del scaled
    kc_valid = (valid @ kp_valid) / d
    with np.errstate(divide="ignore", invalid="ignore"):
        sign = np.sign(np.corrcoef(d, kc_valid)[0, 1])
    if sign == 0 or np.isnan(sign):
        sign = 1.0
    kc[rows] = sign * kc_valid
    kp[cols] = sign * kp_valid
    return Complexity(kc, kp, value)


DENSE_EIGEN_LIMIT = 64


def _second_eigenpair(gram: np.ndarray, top: np.ndarray) -> tuple[float, np.ndarray]:
    """The second-largest eigenpair of a symmetric PSD matrix whose top eigenvector is `top`
    (eigenvalue 1: the stationary vector of the reflections).

    Small matrices: dense LAPACK. Large ones: ARPACK (Lanczos) on the matrix deflated by the top
    eigenvector, to machine precision (tol=0) from a fixed start, far faster than a full solve.
    """
    n = gram.shape[0]
    if n <= DENSE_EIGEN_LIMIT:
        values, vectors = scipy.linalg.eigh(gram, subset_by_index=[n - 2, n - 1])
        return float(values[0]), vectors[:, 0]
    unit = top / np.linalg.norm(top)
    deflated = gram - np.outer(unit, unit)
    start = np.random.default_rng(0).standard_normal(n)
    values, vectors = scipy.sparse.linalg.eigsh(deflated, k=1, which="LA", tol=0, v0=start)
    return float(values[0]), vectors[:, 0]


def outlook(mcp: np.ndarray, density: np.ndarray, phi: np.ndarray, kp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unstandardised (COI per region, COG per region x activity) from raw kp, as defined above."""
    present = np.asarray(mcp, dtype=np.float64)
    kp0 = np.nan_to_num(kp)
    # sum_p density (1 - M) kp, without a region x activity temporary
    coi = np.einsum("cp,p->c", density, kp0) - np.einsum("cp,cp,p->c", density, present, kp0)
    row_sums = phi.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(row_sums[:, None] > 0, phi * (kp0 / row_sums)[:, None], 0.0)
    # (1 - M) @ gain = column sums of gain - M @ gain; then zero where M = 1
    cog = present @ gain
    np.subtract(gain.sum(axis=0)[None, :], cog, out=cog)
    cog[present == 1] = 0.0
    return coi, cog


@dataclass(frozen=True)
class Standardised:
    eci: np.ndarray
    pci: np.ndarray
    coi: np.ndarray
    cog: np.ndarray


def standardise(
    kc: np.ndarray, kp: np.ndarray, coi: np.ndarray, cog: np.ndarray, convention: Convention
) -> Standardised:
    """Standardise as the chosen implementation does.

    stata:       the mean and sample SD (n - 1) of kc over the year's region x activity rows,
                 i.e. each region counted once per activity; COI likewise over rows.
    ecomplexity: py-ecomplexity 0.5.3: the mean and population SD (n) of kc over regions,
                 COI likewise over regions.
    Both: ECI = (kc - m)/s, PCI = (kp - m)/s, COG = cog / s, COI = (coi - m_coi)/s_coi.
    """
    if convention == "stata":
        n_rows = kc.size * kp.size

        def moments(x: np.ndarray) -> tuple[float, float]:
            mean = float(np.mean(x))
            return mean, float(np.sqrt(kp.size * np.sum((x - mean) ** 2) / (n_rows - 1)))
    elif convention == "ecomplexity":

        def moments(x: np.ndarray) -> tuple[float, float]:
            return float(np.mean(x)), float(np.std(x))
    else:
        raise ValueError(f"unknown convention {convention!r}: use 'stata' or 'ecomplexity'")
    mean, sd = moments(kc)
    coi_mean, coi_sd = moments(coi)
    with np.errstate(divide="ignore", invalid="ignore"):  # sd 0: every region alike, NaN
        return Standardised(
            eci=(kc - mean) / sd,
            pci=(kp - mean) / sd,
            coi=(coi - coi_mean) / coi_sd,
            cog=cog / sd,
        )
