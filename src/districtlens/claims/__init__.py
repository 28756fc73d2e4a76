"""Claims: public figures held beside the data that supports or contradicts them.

`check(store)` evaluates every claim of the store's packs with its query definition (the
vocabulary of `queries`, evaluated by `compute` on a `session`), judges it (`judge`) and returns
supported / contradicted / not computable (or labels it a statement of intent), the computed
value and the evidence (data, rows, sources, ledger head, and what it rests on in zh, en and fr).
"""

from districtlens.claims.compute import check, compute, evaluate_claim
from districtlens.claims.judge import (
    CHECKABLE_KINDS,
    CONTRADICTED,
    INTENT,
    NOT_COMPUTABLE,
    STATUSES,
    SUPPORTED,
    ClaimResult,
    judge,
)
from districtlens.claims.queries import KINDS, load_queries, parse_query, query_digest
from districtlens.claims.session import Computed, EnterpriseSet, Session, query_for

__all__ = [
    "CHECKABLE_KINDS",
    "CONTRADICTED",
    "INTENT",
    "KINDS",
    "NOT_COMPUTABLE",
    "STATUSES",
    "SUPPORTED",
    "ClaimResult",
    "Computed",
    "EnterpriseSet",
    "Session",
    "check",
    "compute",
    "evaluate_claim",
    "judge",
    "load_queries",
    "parse_query",
    "query_digest",
    "query_for",
]
