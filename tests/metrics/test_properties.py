"""Invariants that hold on any panel (hypothesis)."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from districtlens.metrics import (
    Columns,
    complexity,
    complexity_table,
    density,
    presence,
    proximity,
    rca,
)

cells = st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def panels(draw, min_side=2, max_side=9):
    """A region x activity matrix with no empty row or column."""
    rows = draw(st.integers(min_side, max_side))
    cols = draw(st.integers(min_side, max_side))
    matrix = draw(arrays(np.float64, (rows, cols), elements=cells))
    matrix[np.arange(rows), np.arange(rows) % cols] += 1.0
    matrix[np.arange(cols) % rows, np.arange(cols)] += 1.0
    return matrix


def well_posed(mcp: np.ndarray) -> bool:
    """ECI is defined up to labels only if the second eigenvalue is simple and its sign is set."""
    d, u = mcp.sum(axis=1), mcp.sum(axis=0)
    if d.std() == 0:
        return False
    scaled = mcp / np.sqrt(d)[:, None] / np.sqrt(u)[None, :]
    values = np.sort(np.linalg.eigvalsh(scaled.T @ scaled))[::-1]
    gaps = np.abs(np.diff(values[:3])) if values.size >= 3 else np.abs(np.diff(values))
    if values.size < 2 or np.any(gaps < 1e-6):
        return False
    kc = complexity(mcp).kc
    return abs(np.corrcoef(d, kc)[0, 1]) > 1e-6


def long(matrix: np.ndarray) -> pl.DataFrame:
    rows, cols = matrix.shape
    return pl.DataFrame(
        {
            "region": [f"r{i}" for i in range(rows) for _ in range(cols)],
            "activity": [f"a{j}" for _ in range(rows) for j in range(cols)],
            "value": matrix.ravel(),
        }
    )


@settings(max_examples=60, deadline=None)
@given(panels())
def test_rca_weighted_by_activity_shares_sums_to_one(matrix):
    shares = matrix.sum(axis=0) / matrix.sum()
    np.testing.assert_allclose(rca(matrix) @ shares, 1.0, rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(panels())
def test_proximity_symmetric_zero_diagonal_and_density_in_unit_interval(matrix):
    mcp = presence(rca(matrix))
    phi = proximity(mcp)
    np.testing.assert_array_equal(phi, phi.T)
    assert np.all(np.diag(phi) == 0)
    assert np.all((phi >= 0) & (phi <= 1))
    dens = density(mcp, phi)
    assert np.all((dens >= -1e-12) & (dens <= 1 + 1e-12))


@settings(max_examples=40, deadline=None)
@given(panels(min_side=3))
def test_eci_standardised_as_each_convention_says(matrix):
    for convention in ("stata", "ecomplexity"):
        table = complexity_table(long(matrix), Columns("region", "activity", "value"), convention=convention)
        if table["eci"].is_nan().any():
            continue  # a degenerate matrix (e.g. every region alike) has no second eigenvector
        if convention == "stata":
            eci = table["eci"].to_numpy()  # over the year's region x activity rows, n - 1
            assert abs(eci.mean()) < 1e-9 and abs(eci.std(ddof=1) - 1) < 1e-9
        else:
            eci = table.unique("region")["eci"].to_numpy()  # over regions, n
            assert abs(eci.mean()) < 1e-9 and abs(eci.std() - 1) < 1e-9


@settings(max_examples=40, deadline=None)
@given(panels(min_side=3), st.randoms(use_true_random=False))
def test_invariant_under_relabelling_and_row_order(matrix, rnd):
    columns = Columns("region", "activity", "value")
    frame = long(matrix)
    text = pl.col("region", "activity").cast(pl.String)
    first = complexity_table(frame, columns).with_columns(text)
    order = list(range(frame.height))
    rnd.shuffle(order)
    renamed = {f"r{i}": f"z{rnd.randrange(10**6)}_{i}" for i in range(matrix.shape[0])}
    shuffled = frame[order].with_columns(pl.col("region").replace_strict(renamed))
    second = (
        complexity_table(shuffled, columns)
        .with_columns(text)
        .with_columns(pl.col("region").replace_strict({v: k for k, v in renamed.items()}))
    )
    both = first.join(second, on=["region", "activity"], suffix="_2")
    assert both.height == first.height
    measures = ["rca", "mcp", "density"]
    if well_posed(presence(rca(matrix))):
        measures += ["eci", "pci", "coi", "cog"]
    for m in measures:
        a, b = both[m].to_numpy().astype(float), both[f"{m}_2"].to_numpy().astype(float)
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=m)
