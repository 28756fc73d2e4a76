"""Claims: public figures held beside the data that supports or contradicts them.

`check(store)` evaluates every claim of the store's packs with its query definition (the
vocabulary of `queries`, evaluated by `compute`) and returns supported / contradicted / not
computable, the computed value and the evidence (data, rows, sources, ledger head).
"""

from districtlens.claims.compute import Computed, Session, compute
from districtlens.claims.evaluate import (
    CONTRADICTED,
    NOT_COMPUTABLE,
    STATUSES,
    SUPPORTED,
    ClaimResult,
    check,
    evaluate_claim,
    query_for,
)
from districtlens.claims.queries import KINDS, QueryError, load_queries, parse_query, query_digest

__all__ = [
    "CONTRADICTED",
    "KINDS",
    "NOT_COMPUTABLE",
    "STATUSES",
    "SUPPORTED",
    "ClaimResult",
    "Computed",
    "QueryError",
    "Session",
    "check",
    "compute",
    "evaluate_claim",
    "load_queries",
    "parse_query",
    "query_digest",
    "query_for",
]
