"""The disclosure package on small tables built here: the primary rules, the intruder's linear
programs (subtraction within a hierarchy, differences of overlapping cells, an operator's
coalition) and the secondary suppressions that defeat them."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from districtlens.disclosure import DEFAULT_RULES, audit, primary, protect, tables_from_frames
from districtlens.disclosure.audit import intervals
from districtlens.disclosure.rules import dominated

VARIABLES = ("enterprises", "revenue")


def make(cells: dict[str, list[str]], revenue: dict[str, float]):
    members = pl.DataFrame(
        [{"cell": c, "firm": f} for c, firms in cells.items() for f in firms],
        schema={"cell": pl.String, "firm": pl.String},
    )
    firms = pl.DataFrame({"firm": list(revenue), "revenue": list(revenue.values())})
    return tables_from_frames(members, firms, VARIABLES)


def hierarchy():
    """A division of three classes: one of a single firm, two of several."""
    revenue = {"a1": 1307.0} | {f"b{i}": 100.0 + i for i in range(5)} | {f"c{i}": 80.0 + 3 * i for i in range(6)}
    classes = {"class:A": ["a1"], "class:B": [f"b{i}" for i in range(5)], "class:C": [f"c{i}" for i in range(6)]}
    return make({"division:D": list(revenue), **classes}, revenue), revenue


def nobody(tables) -> np.ndarray:
    return tables.known_mask(frozenset())


def test_the_threshold_and_p_percent_rules():
    assert dominated(np.array([100.0, 5.0, 4.0]), 0.10)  # the runner-up bounds the largest to 4 %
    assert not dominated(np.array([100.0, 50.0, 40.0, 30.0]), 0.10)
    tables, _ = hierarchy()
    assert primary(tables, nobody(tables)) == {"class:A"}


def test_subtraction_recovers_a_cell_suppressed_alone():
    tables, revenue = hierarchy()
    findings = audit(tables, {"class:A"}, nobody(tables), derived=False)
    recovered = {f.variable: f for f in findings if f.target == "class:A"}
    assert recovered["revenue"].low == pytest.approx(revenue["a1"]) == recovered["revenue"].high
    assert "division:D" in recovered["revenue"].binding


def test_secondary_suppression_protects_it():
    tables, revenue = hierarchy()
    pattern = protect(tables, {"viewer": nobody(tables)})
    assert pattern.primary == {"class:A"} and pattern.secondary
    assert audit(tables, pattern.suppressed, nobody(tables)) == []
    for interval in intervals(tables, pattern.suppressed, nobody(tables)):
        assert interval.low <= 0.8 * interval.value and interval.high >= 1.2 * interval.value


def test_a_difference_of_two_overlapping_cells_is_a_derived_cell():
    """Two chain links sharing all firms but one: neither is small, their difference is a firm."""
    revenue = {f"f{i}": 50.0 + i for i in range(6)}
    tables = make({"link:L1": list(revenue), "link:L2": list(revenue)[:-1]}, revenue)
    assert primary(tables, nobody(tables)) == set()
    findings = audit(tables, set(), nobody(tables))
    assert [f.variable for f in findings if f.derived] == ["revenue"]
    pattern = protect(tables, {"viewer": nobody(tables)})
    assert pattern.secondary and audit(tables, pattern.suppressed, nobody(tables)) == []


def test_an_operator_is_a_coalition_of_their_tenants():
    revenue = {"t1": 100.0, "t2": 120.0, "x": 90.0, "y": 95.0, "z": 97.0}
    tables = make({"class:A": ["t1", "t2", "x"], "class:B": ["y", "z", "t1"], "division:D": list(revenue)}, revenue)
    operator = tables.known_mask(frozenset({"t1", "t2"}))
    assert primary(tables, nobody(tables)) == set()
    assert primary(tables, operator) == {"class:A", "class:B"}  # one and two unknown firms left
    pattern = protect(tables, {"viewer": nobody(tables), "operator": operator})
    for known in (nobody(tables), operator):
        assert audit(tables, pattern.suppressed, known) == []


def test_the_protection_interval_is_a_parameter():
    tables, _ = hierarchy()
    pattern = protect(tables, {"viewer": nobody(tables)})
    strict = DEFAULT_RULES.__class__(protection=5.0)  # ±500 %: the nonnegative bound alone fails it
    assert audit(tables, pattern.suppressed, nobody(tables), strict, derived=False)


def test_a_difference_of_two_firms_is_found_even_when_neither_firm_is():
    """L1 less L2 is the sum of two firms of two different classes: each firm alone stays
    uncertain, their sum is exact, and two firms are fewer than three."""
    revenue = {"a": 70.0, "b": 80.0, "c": 90.0, "d": 100.0, "e": 95.0, "g": 60.0, "h": 65.0, "i": 50.0, "j": 55.0}
    cells = {
        "link:L1": ["a", "b", "c", "d", "e"],
        "link:L2": ["a", "b", "c"],
        "class:X": ["d", "g", "h"],
        "class:Y": ["e", "i", "j"],
    }
    tables = make(cells, revenue)
    assert primary(tables, nobody(tables)) == set()
    findings = audit(tables, set(), nobody(tables))
    assert {f.target for f in findings} == {"diff:link:L1&link:L2"}
    pattern = protect(tables, {"viewer": nobody(tables)})
    assert pattern.secondary and audit(tables, pattern.suppressed, nobody(tables)) == []
