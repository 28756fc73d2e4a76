"""Secondary suppression: hide more cells until no intruder's linear program bounds a
suppressed (or derived) cell to within the protection interval (Hundepool et al. 2012).

τ-ARGUS chooses secondaries by solving one large mixed-integer program (or with the hypercube
heuristic); this is the audit-driven heuristic the book also describes: run the intruder's
programs, and where one bounds a cell too closely, suppress one of the published cells whose
equations pin that bound (the programs' nonzero duals): the cheapest that covers what the
interval lacks. Cost is the cell's value of the first magnitude (revenue), so a small sibling
class is hidden before a division and a division long before the district's total. Each round
hides at least one more cell, so it stops.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from districtlens.disclosure.audit import Finding, audit
from districtlens.disclosure.rules import DEFAULT_RULES, Rules, primary
from districtlens.disclosure.tables import COUNT, Tables


@dataclass(frozen=True)
class Pattern:
    primary: frozenset[str]
    secondary: frozenset[str]
    rounds: int
    unresolved: tuple[Finding, ...] = ()  # what no further suppression could fix (none expected)

    @property
    def suppressed(self) -> frozenset[str]:
        return self.primary | self.secondary


def protect(tables: Tables, intruders: Mapping[str, np.ndarray], rules: Rules = DEFAULT_RULES) -> Pattern:
    """One suppression pattern safe against every intruder (name → the firms they know): the
    restricted roles see the same figures, so what one may combine with another's is covered."""
    flagged: set[str] = set()
    for known in intruders.values():
        flagged |= primary(tables, known, rules)
    costs = _costs(tables)
    hidden = set(flagged)
    rounds = 0
    # Hiding a cell drops an equation, which only widens every interval: a target found safe
    # stays safe, so each round looks again at what failed and at the cells it just hid.
    looking: dict[str, frozenset[str] | None] = dict.fromkeys(intruders)
    while True:
        rounds += 1
        findings = {name: audit(tables, hidden, known, rules, only=looking[name]) for name, known in intruders.items()}
        every = [f for found in findings.values() for f in found]
        added = _choose(tables, every, hidden, costs, rules)
        if not added:
            return Pattern(frozenset(flagged), frozenset(hidden - flagged), rounds, tuple(every))
        hidden |= added
        looking = {name: frozenset(f.target for f in found) | added for name, found in findings.items()}


def _costs(tables: Tables) -> dict[str, float]:
    magnitudes = [k for k, v in enumerate(tables.variables) if v != COUNT] or [0]
    values = tables.cell_values()[:, magnitudes[0]]
    return {cell: float(v) for cell, v in zip(tables.cells, values, strict=True)}


def _choose(
    tables: Tables, findings: list[Finding], hidden: set[str], costs: dict[str, float], rules: Rules
) -> set[str]:
    """One more published cell per finding not already helped this round: among the binding
    cells (or, when the duals name none, the cells sharing firms with it), the cheapest whose
    value covers what the interval lacks, else the largest (a partner too small to protect only
    calls for another)."""
    added: set[str] = set()
    values = tables.cell_values()
    for finding in findings:
        candidates = [c for c in finding.binding if c not in hidden]
        if any(c in added for c in candidates):
            continue
        if not candidates:
            candidates = [c for c in _overlapping(tables, finding.target) if c not in hidden]
        if not candidates:
            continue
        k = tables.variables.index(finding.variable)
        lacking = max(
            (1 + rules.protection) * finding.value - finding.high, finding.low - (1 - rules.protection) * finding.value
        )
        enough = [c for c in candidates if values[tables.index(c), k] >= lacking]
        if enough:
            added.add(min(enough, key=lambda c: (costs[c], c)))
        else:
            added.add(max(candidates, key=lambda c: (values[tables.index(c), k], c)))
    return added


def _overlapping(tables: Tables, target: str) -> list[str]:
    """The cells sharing a firm with `target` (a cell, or an atom named by its cells)."""
    derived = target.startswith(("atom:", "diff:"))
    names = target.split(":", 1)[1].split("&") if derived else [target]
    rows = [tables.index(n) for n in names if n in tables.cells]
    if not rows:
        return []
    firms = np.unique(tables.membership[rows].indices)
    touching = np.unique(tables.membership.tocsc()[:, firms].nonzero()[0])
    return [tables.cells[c] for c in touching]
