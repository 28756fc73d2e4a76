"""The intruder's linear programs (Hundepool et al. 2012; τ-ARGUS's audit).

For every suppressed cell and every variable, the intruder minimises and maximises the cell's
value subject to everything published: each published cell's value (a linear equation over the
firms' values), nonnegativity, and the values they know (an operator's tenants). The cell is
protected when its feasible interval reaches at least `protection` (20 %) below and above what
the intruder does not know of it. The same programs are run for *derived* cells: each group of
firms that the cells set apart (an atom, or the difference of two cells one of which holds the
other) and that the primary rules would flag, so that no difference of two published cells (two
chain links sharing all firms but one) gives a firm away either.

The programs are solved with HiGHS (highspy: the solver scipy.optimize.linprog calls, kept
warm between programs), where τ-ARGUS uses its own LP solvers.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from districtlens.disclosure.rules import DEFAULT_RULES, Rules
from districtlens.disclosure.tables import COUNT, Atoms, Tables, atoms

TOLERANCE = 1e-7
WIDEN_FROM = 8  # targets: below, the two programs that widen them all at once cost more than they save


@dataclass(frozen=True)
class Finding:
    """A cell the intruder bounds to within the protection interval. `value` is the part of it
    the intruder does not know; `binding`, the published cells that pin the bound."""

    target: str
    variable: str
    value: float
    low: float
    high: float
    binding: tuple[str, ...]
    derived: bool


@dataclass(frozen=True)
class Interval:
    target: str
    variable: str
    value: float
    low: float
    high: float


def audit(
    tables: Tables,
    suppressed: set[str] | frozenset[str],
    known: np.ndarray,
    rules: Rules = DEFAULT_RULES,
    *,
    derived: bool = True,
    only: frozenset[str] | None = None,
) -> list[Finding]:
    """Every suppressed (or derived) cell the intruder knowing `known` bounds too closely;
    `only`: look at these targets alone."""
    return [f for f in _solve(tables, suppressed, known, rules, derived, only=only) if isinstance(f, Finding)]


def intervals(
    tables: Tables, suppressed: set[str] | frozenset[str], known: np.ndarray, rules: Rules = DEFAULT_RULES
) -> list[Interval | Finding]:
    """The intruder's interval of every suppressed cell (safe or not), for reports and tests."""
    return list(_solve(tables, suppressed, known, rules, False, keep_safe=True))


def _solve(
    tables: Tables,
    suppressed: set[str] | frozenset[str],
    known: np.ndarray,
    rules: Rules,
    derived: bool,
    keep_safe: bool = False,
    only: frozenset[str] | None = None,
):
    grouped, unknown, derived_targets = _prepare(tables, known, rules)
    if len(unknown) == 0:
        return
    hidden = np.array([c in suppressed for c in tables.cells], dtype=bool)
    published = np.flatnonzero(~hidden)
    cell_values = tables.cell_values()
    A = grouped.matrix
    A_pub = A[published][:, unknown]
    known_part = A[published] @ (grouped.values * grouped.known[:, None])
    live = np.asarray(A_pub.sum(axis=1)).ravel() > 0  # equations that say nothing are left out
    A_eq = A_pub[live]
    rows = published[live]
    programs = _Programs(A_eq)
    over_unknown = grouped.matrix[:, unknown]
    targets = [(tables.cells[c], over_unknown[c].toarray().ravel(), False) for c in np.flatnonzero(hidden)]
    targets += derived_targets if derived else []
    if only is not None:
        targets = [t for t in targets if t[0] in only]
    vectors = np.array([t[1] for t in targets]) if targets else np.zeros((0, len(unknown)))
    for k, variable in enumerate(tables.variables):
        programs.set_values(cell_values[rows, k] - np.asarray(known_part)[live, k])
        truth = grouped.values[unknown, k]
        # Any feasible point bounds every target's interval from inside: the true values, then
        # each program's optimum. A direction already shown wide enough needs no program.
        seen_low = vectors @ truth
        seen_high = seen_low.copy()
        if not keep_safe and len(targets) > WIDEN_FROM:
            # Two programs push every target down, then up, at once (each weighted by its
            # value): their optima usually show most targets wide enough without a program of
            # their own.
            scale = np.divide(1.0, seen_low, out=np.zeros_like(seen_low), where=seen_low > 0)
            weights = vectors.T @ scale
            for sense in (+1, -1):
                _, _, point = programs.bound(weights, sense)
                seen_low, seen_high = _widen(vectors, point, seen_low, seen_high)
        for i, (name, vector, is_derived) in enumerate(targets):
            if is_derived and variable == COUNT:
                continue  # how many firms a group holds is no firm's figure
            value = float(vector @ truth)
            if value <= 0:
                continue  # a cell of nothing: no firm's figure to protect
            slack = TOLERANCE * max(1.0, value)
            need_low, need_high = (1 - rules.protection) * value + slack, (1 + rules.protection) * value - slack
            low, high = float(seen_low[i]), float(seen_high[i])
            low_duals = high_duals = np.zeros(len(rows))
            if keep_safe or low > need_low:
                low, low_duals, point = programs.bound(vector, +1)
                seen_low, seen_high = _widen(vectors, point, seen_low, seen_high)
            if keep_safe or high < need_high:
                high, high_duals, point = programs.bound(vector, -1)
                seen_low, seen_high = _widen(vectors, point, seen_low, seen_high)
            # A program HiGHS could not settle (NaN) counts as failed: hiding more is the safe side.
            low_fails, high_fails = not low <= need_low, not high >= need_high
            if low_fails or high_fails:
                duals = np.abs(low_duals) * low_fails + np.abs(high_duals) * high_fails
                binding = tuple(tables.cells[rows[j]] for j in np.flatnonzero(duals > 1e-9))
                yield Finding(name, variable, value, low, high, binding, is_derived)
            elif keep_safe:
                yield Interval(name, variable, value, low, high)


def _widen(
    vectors: np.ndarray, point: np.ndarray | None, low: np.ndarray, high: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    if point is None:
        return low, high
    values = vectors @ point
    return np.minimum(low, values), np.maximum(high, values)


def _prepare(
    tables: Tables, known: np.ndarray, rules: Rules
) -> tuple[Atoms, np.ndarray, list[tuple[str, np.ndarray, bool]]]:
    """The intruder's atoms, the unknown ones, and the derived cells (once per intruder)."""
    key = (known.tobytes(), rules)
    if key not in tables.prepared:
        grouped = atoms(tables, known)
        unknown = np.flatnonzero(~grouped.known)
        tables.prepared[key] = (grouped, unknown, _derived_targets(tables, grouped, unknown, rules))
    prepared: tuple[Atoms, np.ndarray, list[tuple[str, np.ndarray, bool]]] = tables.prepared[key]
    return prepared


def _derived_targets(
    tables: Tables, grouped: Atoms, unknown: np.ndarray, rules: Rules
) -> list[tuple[str, np.ndarray, bool]]:
    """Each group of firms the primary rules would flag (fewer than `min_firms`, or one
    dominating) that the tables set apart: every atom, and every difference of two cells one of
    which holds the other (a link less a link inside it, a track less a class)."""
    found: list[tuple[str, np.ndarray, bool]] = []
    if len(unknown) == 0:
        return found
    sensitive = _sensitivity(tables, grouped, unknown, rules)
    seen: set[tuple[int, ...]] = set()
    for position, atom in enumerate(unknown):
        vector = np.zeros(len(unknown))
        vector[position] = 1.0
        if sensitive(vector):
            seen.add((position,))
            cells = tuple(tables.cells[c] for c in grouped.matrix[:, [atom]].nonzero()[0])
            found.append(("atom:" + "&".join(cells), vector, True))
    rows = grouped.matrix[:, unknown].toarray()
    for inner in range(len(rows)):
        inside = np.flatnonzero((rows >= rows[inner]).all(axis=1))
        for outer in inside:
            difference = rows[outer] - rows[inner]
            key = tuple(np.flatnonzero(difference).tolist())
            if outer == inner or not key or key in seen:
                continue
            seen.add(key)
            if sensitive(difference):
                found.append((f"diff:{tables.cells[outer]}&{tables.cells[inner]}", difference, True))
    return found


def _sensitivity(tables: Tables, grouped: Atoms, unknown: np.ndarray, rules: Rules):
    """Whether the firms of the atoms a vector selects would be flagged as a cell of their own:
    the p% rule needs only each atom's total and its two largest firms."""
    magnitudes = [k for k, v in enumerate(tables.variables) if v != COUNT]
    position = np.full(len(grouped.sizes), -1)
    position[unknown] = np.arange(len(unknown))
    atom_of_firm = position[grouped.firm_atom]
    sizes = grouped.sizes[unknown]
    totals = grouped.values[unknown][:, magnitudes]
    largest = np.zeros((len(unknown), 2, len(magnitudes)))
    for firm in np.flatnonzero(atom_of_firm >= 0):
        atom = atom_of_firm[firm]
        for j, k in enumerate(magnitudes):
            value = tables.values[firm, k]
            if value > largest[atom, 0, j]:
                largest[atom, 1, j], largest[atom, 0, j] = largest[atom, 0, j], value
            elif value > largest[atom, 1, j]:
                largest[atom, 1, j] = value

    def sensitive(vector: np.ndarray) -> bool:
        chosen = np.flatnonzero(vector > 0)
        if sizes[chosen].sum() < rules.min_firms:
            return True
        top = np.sort(largest[chosen].reshape(-1, len(magnitudes)), axis=0)[::-1]
        total = totals[chosen].sum(axis=0)
        x1, x2 = top[0], top[1]
        return bool(np.any((x1 > 0) & (total - x1 - x2 < rules.p * x1)))

    return sensitive


class _Programs:
    """The published equations as one HiGHS model. The programs differ only in their objective
    (and, from one variable to the next, in the right-hand side), so each starts from the last
    optimal basis: about ten times faster than building each program anew, as
    scipy.optimize.linprog (HiGHS too) does."""

    def __init__(self, A_eq: sparse.csr_matrix):
        self.rows, self.cols = A_eq.shape
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("presolve", "off")  # tiny programs; and a clear unbounded status
        columns = sparse.csc_matrix(A_eq)
        self.lp = highspy.HighsLp()
        self.lp.num_col_, self.lp.num_row_ = self.cols, self.rows
        self.lp.col_cost_ = np.zeros(self.cols)
        self.lp.col_lower_ = np.zeros(self.cols)
        self.lp.col_upper_ = np.full(self.cols, highspy.kHighsInf)
        self.lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        self.lp.a_matrix_.num_col_, self.lp.a_matrix_.num_row_ = self.cols, self.rows
        self.lp.a_matrix_.start_ = columns.indptr
        self.lp.a_matrix_.index_ = columns.indices
        self.lp.a_matrix_.value_ = columns.data
        self.all_columns = np.arange(self.cols, dtype=np.int32)
        self.passed = False

    def set_values(self, b_eq: np.ndarray) -> None:
        """The published values of one variable: the equations' right-hand side. The model is
        passed once; the next variables change the bounds only and keep the basis."""
        if not self.rows:
            return
        if not self.passed:
            self.lp.row_lower_ = self.lp.row_upper_ = b_eq
            self.highs.passModel(self.lp)
            self.passed = True
            return
        rows = np.arange(self.rows, dtype=np.int32)
        self.highs.changeRowsBounds(self.rows, rows, b_eq, b_eq)  # type: ignore[attr-defined]

    def bound(self, vector: np.ndarray, sense: int) -> tuple[float, np.ndarray, np.ndarray | None]:
        """min (sense +1) or max (sense −1) of vector·y subject to the equations and y ≥ 0; with
        the equations' duals and the optimal point (None when unbounded)."""
        if not self.rows:
            return (0.0 if sense > 0 else float("inf")), np.zeros(0), None
        self.highs.changeColsCost(self.cols, self.all_columns, sense * vector)
        self.highs.run()
        status = self.highs.getModelStatus()
        # The true values satisfy every equation, so the programs are feasible: only unbounded.
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return float("inf"), np.zeros(self.rows), None
        if status != highspy.HighsModelStatus.kOptimal:
            return float("nan"), np.zeros(self.rows), None
        solution = self.highs.getSolution()
        value = sense * float(self.highs.getInfo().objective_function_value)
        return value, np.asarray(solution.row_dual), np.asarray(solution.col_value)
