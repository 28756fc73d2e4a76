"""The worked examples of each measure's docstring, and the variants offered by name."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from districtlens.errors import InputError
from districtlens.metrics import (
    complexity,
    density,
    diversity,
    presence,
    proximity,
    rca,
    reference_from_regions,
    relatedness_density,
    ubiquity,
)
from districtlens.metrics.fitness import fitness_complexity
from districtlens.metrics.growth import growth, growth_table, rank_among
from districtlens.metrics.shiftshare import shift_share
from districtlens.metrics.specialisation import entropy, gini, herfindahl, krugman


def test_rca_against_panel_peer_set_and_external_total():
    values = np.array([[3.0, 1.0], [1.0, 3.0]])
    assert rca(values)[0, 0] == pytest.approx(1.5)
    peers = reference_from_regions(values, np.array([False, True]))
    assert rca(values, peers)[0, 0] == pytest.approx(0.75 / 0.25)
    assert rca(values, np.array([1.0, 9.0]))[1, 1] == pytest.approx(0.75 / 0.9)


def test_presence_diversity_ubiquity():
    mcp = presence(np.array([[1.5, 0.5], [1.0, 1.5]]))
    np.testing.assert_array_equal(mcp, [[1, 0], [1, 1]])
    np.testing.assert_array_equal(diversity(mcp), [1, 2])
    np.testing.assert_array_equal(ubiquity(mcp), [2, 1])


def test_proximity_symmetric_asymmetric_and_diagonal():
    mcp = np.array([[1.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    sym = proximity(mcp)
    assert sym[0, 1] == sym[1, 0] == pytest.approx(1 / 3) and sym[0, 0] == 0
    asym = proximity(mcp, asymmetric=True)
    assert asym[0, 1] == pytest.approx(1 / 3)  # P(1 | 0): 1 of 0's 3 regions
    assert asym[1, 0] == pytest.approx(1.0)  # P(0 | 1): 1's only region also does 0
    assert proximity(mcp, diagonal=None)[0, 0] == 1.0


def test_density_and_econgeo_relatedness_density():
    mcp = np.array([[1.0, 0.0, 0.0]])
    phi = np.array([[0, 0.5, 0], [0.5, 0, 0.25], [0, 0.25, 0]])
    assert density(mcp, phi)[0, 1] == pytest.approx(2 / 3)
    assert relatedness_density(mcp, phi)[0, 1] == pytest.approx(200 / 3)
    assert relatedness_density(mcp, phi, rounded=True)[0, 1] == 67
    asym = np.array([[0, 1.0, 0], [0.2, 0, 0.25], [0, 0.25, 0]])
    # EconGeo reads phi column-wise: (M phi)_p / colsum(phi)_p
    assert relatedness_density(mcp, asym)[0, 1] == pytest.approx(100 * 1.0 / 1.25)


def test_density_over_nearest_neighbours():
    mcp = np.array([[0.0, 1.0, 1.0]])
    phi = np.array([[0, 0.6, 0.2], [0.6, 0, 0.1], [0.2, 0.1, 0]])
    assert density(mcp, phi)[0, 0] == pytest.approx(0.8 / 0.8)
    mcp = np.array([[0.0, 0.0, 1.0]])
    assert density(mcp, phi)[0, 0] == pytest.approx(0.2 / 0.8)
    assert density(mcp, phi, knn=1)[0, 0] == 0.0  # activity 0's nearest is 1, absent
    assert density(np.array([[0.0, 1.0, 0.0]]), phi, knn=1)[0, 0] == 1.0


def test_complexity_ranks_nested_matrix():
    mcp = np.array([[1.0, 1, 1], [1, 1, 0], [1, 0, 0]])
    kcp = complexity(mcp)
    assert kcp.kc[0] > kcp.kc[1] > kcp.kc[2]
    assert kcp.kp[2] > kcp.kp[1] > kcp.kp[0]


def test_fitness_complexity_nested():
    fitness, quality = fitness_complexity(np.array([[1.0, 1.0], [1.0, 0.0]]))
    assert fitness[0] > fitness[1] and quality[1] > quality[0]
    assert fitness.mean() == pytest.approx(1.0) and quality.mean() == pytest.approx(1.0)


def test_specialisation_indices():
    values = np.array([[5.0, 5.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    np.testing.assert_allclose(herfindahl(values), [0.5, 0.25])
    np.testing.assert_allclose(entropy(values), [np.log(2), np.log(4)])
    np.testing.assert_allclose(gini(values), [0.5, 0.0], atol=1e-12)
    np.testing.assert_allclose(krugman(values, np.ones(4)), [1.0, 0.0])


def test_growth_and_rank():
    total, cagr = growth(np.array([100.0, 0.0]), np.array([121.0, 5.0]), years=2)
    assert total[0] == pytest.approx(0.21) and cagr[0] == pytest.approx(0.1)
    assert np.isnan(total[1])
    np.testing.assert_array_equal(
        rank_among(np.array([0.3, 0.21, 0.1, 0.5]), np.array([True, True, True, False])), [1, 2, 3, 1]
    )
    with pytest.raises(InputError):
        growth(np.ones(1), np.ones(1), years=0)


def test_growth_table_among_peers():
    long = pl.DataFrame(
        {
            "year": [2020, 2020, 2020, 2022, 2022, 2022],
            "region": ["a", "b", "c"] * 2,
            "value": [100.0, 100, 100, 121, 150, 90],
        }
    )
    table = growth_table(long, 2020, 2022, peers=["a", "c"])
    assert table.filter(pl.col("region") == "a")["rank"][0] == 1
    assert table.filter(pl.col("region") == "b")["rank"][0] == 1  # ranked against the peers
    with pytest.raises(InputError, match="not in the panel"):
        growth_table(long, 2020, 2021)


def test_shift_share_adds_up():
    start = np.array([[10.0, 5.0], [20.0, 15.0]])
    end = np.array([[15.0, 4.0], [22.0, 20.0]])
    parts = shift_share(start, end, np.array([100.0, 100.0]), np.array([120.0, 100.0]))
    total = parts.national_share + parts.industry_mix + parts.competitive_effect
    np.testing.assert_allclose(total, end - start)
    assert parts.national_share[0, 0] == pytest.approx(1.0)
    assert parts.industry_mix[0, 0] == pytest.approx(1.0)
    assert parts.competitive_effect[0, 0] == pytest.approx(3.0)
