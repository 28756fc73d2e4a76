"""Primary suppression: the cells whose published value would tell an intruder too much about
one firm (Hundepool et al. 2012).

- Threshold rule: fewer than `min_firms` firms (3) make the cell. With one firm the
  cell is its figure; with two, each firm reads the other's by subtracting its own.
- p% rule: the second largest contributor x2, knowing its own value, bounds the
  largest x1 from above by T − x2. The cell is sensitive when that bound is within p % of x1:
  T − x1 − x2 < p·x1, with p = 10 % (a common choice; `Rules.p`). The rule is applied to
  each magnitude (revenue, employees).
- An intruder who knows some firms' values (an operator knows their tenants') is a coalition:
  the rules are applied to what they do not know, the cell less their known firms.

The protection a suppressed cell must get: no intruder's linear program may bound it to
within ±`protection` (20 %) of its value (see `audit`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from districtlens.disclosure.tables import COUNT, Tables


@dataclass(frozen=True)
class Rules:
    min_firms: int = 3
    p: float = 0.10
    protection: float = 0.20


DEFAULT_RULES = Rules()


def primary(tables: Tables, known: np.ndarray, rules: Rules = DEFAULT_RULES) -> set[str]:
    """The cells the threshold or p% rule flags for an intruder who knows the firms in `known`."""
    flagged: set[str] = set()
    magnitudes = [k for k, v in enumerate(tables.variables) if v != COUNT]
    for c, cell in enumerate(tables.cells):
        firms = tables.membership.indices[tables.membership.indptr[c] : tables.membership.indptr[c + 1]]
        unknown = firms[~known[firms]]
        if len(unknown) == 0:
            continue  # the intruder knows the whole cell already
        if len(unknown) < rules.min_firms or any(dominated(tables.values[unknown, k], rules.p) for k in magnitudes):
            flagged.add(cell)
    return flagged


def dominated(contributions: np.ndarray, p: float) -> bool:
    """The p% rule on one cell's (unknown) contributions."""
    if len(contributions) < 2:
        return bool(len(contributions) == 1 and contributions[0] > 0)
    top = np.sort(contributions)[::-1]
    x1, x2 = float(top[0]), float(top[1])
    return x1 > 0 and float(top.sum()) - x1 - x2 < p * x1
