"""The published cells as linear functions of the firms' values.

Every figure a restricted role sees (a district total, a division, a class, a track, a chain
link) is a sum over a set of firms of one variable (enterprises: 1 per firm; revenue;
employees). Cells overlap in any way: classes sum to divisions, tracks and chain links take
firms of several classes, two links can share firms. Modelling the cells over the firms
themselves gives every additive relation between them at once, the ones stated (classes to
divisions) and the ones only the data knows (two links sharing firms), which is the strongest
knowledge an intruder could have of the tables' structure.

For the linear programs the firms are merged into atoms: the firms that lie in exactly the same
cells (and are all known, or all unknown, to the intruder) can only ever be told apart by
their sum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import polars as pl
from scipy import sparse

COUNT = "enterprises"  # the variable counting firms: 1 per firm


@dataclass(frozen=True)
class Tables:
    """`membership[c, f]` = 1 when firm f counts in cell c; `values[f, k]` = firm f's value of
    `variables[k]` (missing values count 0, as they do in the published sums)."""

    cells: tuple[str, ...]
    firms: tuple[str, ...]
    variables: tuple[str, ...]
    membership: sparse.csr_matrix
    values: np.ndarray
    # What the audit derives from the tables for one intruder (atoms, derived cells), kept so that
    # the rounds of secondary suppression derive it once.
    prepared: dict = field(default_factory=dict, compare=False, repr=False)

    def index(self, cell: str) -> int:
        return self._positions[cell]

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.cells)}

    def cell_values(self) -> np.ndarray:
        """cells × variables: what each cell publishes."""
        return np.asarray(self.membership @ self.values)

    def known_mask(self, known_firms: set[str] | frozenset[str]) -> np.ndarray:
        """Which firms the intruder knows; a firm's values of another year (`ID@YEAR`) too."""
        return np.array([f.split("@", 1)[0] in known_firms for f in self.firms], dtype=bool)


def tables_from_frames(members: pl.DataFrame, firms: pl.DataFrame, variables: tuple[str, ...]) -> Tables:
    """`members`: one row per (cell, firm) (columns cell, firm); `firms`: one row per firm
    (column firm and each variable but `COUNT`, which is 1 per firm)."""
    firm_ids = tuple(firms["firm"].to_list())
    cell_ids = tuple(members["cell"].unique(maintain_order=True).to_list())
    firm_index = {f: i for i, f in enumerate(firm_ids)}
    cell_index = {c: i for i, c in enumerate(cell_ids)}
    pairs = members.unique(["cell", "firm"])
    rows = np.array([cell_index[c] for c in pairs["cell"].to_list()], dtype=np.int64)
    cols = np.array([firm_index[f] for f in pairs["firm"].to_list()], dtype=np.int64)
    membership = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(cell_ids), len(firm_ids)), dtype=np.float64
    )
    columns = [
        np.ones(len(firm_ids)) if v == COUNT else firms[v].cast(pl.Float64).fill_null(0.0).to_numpy() for v in variables
    ]
    values = np.column_stack(columns) if columns else np.zeros((len(firm_ids), 0))
    return Tables(cell_ids, firm_ids, tuple(variables), membership, values)


@dataclass(frozen=True)
class Atoms:
    """The firms merged by (cells they lie in, known or not). `matrix[c, a]` = 1 when atom a lies
    in cell c; `values[a, k]` sums the atom's firms; `sizes[a]` counts them."""

    matrix: sparse.csr_matrix
    values: np.ndarray
    sizes: np.ndarray
    known: np.ndarray
    firm_atom: np.ndarray  # the atom of each firm


def atoms(tables: Tables, known: np.ndarray) -> Atoms:
    by_firm = tables.membership.tocsc()
    keys: dict[tuple[bool, tuple[int, ...]], int] = {}
    firm_atom = np.empty(len(tables.firms), dtype=np.int64)
    for f in range(len(tables.firms)):
        cells = tuple(by_firm.indices[by_firm.indptr[f] : by_firm.indptr[f + 1]].tolist())
        firm_atom[f] = keys.setdefault((bool(known[f]), cells), len(keys))
    gather = sparse.csr_matrix(
        (np.ones(len(firm_atom)), (np.arange(len(firm_atom)), firm_atom)), shape=(len(firm_atom), len(keys))
    )
    matrix = sparse.csr_matrix((tables.membership @ gather) > 0, dtype=np.float64)
    values = np.asarray(gather.T @ tables.values)
    sizes = np.asarray(gather.sum(axis=0)).ravel().astype(np.int64)
    atom_known = np.zeros(len(keys), dtype=bool)
    for (is_known, _), a in keys.items():
        atom_known[a] = is_known
    return Atoms(matrix, values, sizes, atom_known, firm_atom)
