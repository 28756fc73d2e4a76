"""Judging a claim: its computed value compared with the asserted figure.

Comparisons (the claim's `comparison`):

- equal: the computed value equals the asserted one;
- at-least: computed ≥ asserted (> when the claim says "more than": `asserted.strict`);
- about: |computed − asserted| within the query's stated tolerance (relative to the asserted
  value, or absolute); a claim of `about` without a stated tolerance is not computable;
- rank: the area's rank equals the asserted rank, or, for a qualitative rank ("among the
  highest"), is within the query's `within`.

When the data only brackets the value (lower ≤ value ≤ upper), the claim is supported when every
value in the bracket satisfies it, contradicted when none does, and not computable otherwise.
A figure whose only data is the pack itself (carriers transcribed from the claim's own source)
proves nothing: such a claim is not computable until independent data is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from districtlens.claims.queries import query_digest
from districtlens.claims.session import Computed

SUPPORTED, CONTRADICTED, NOT_COMPUTABLE = "supported", "contradicted", "not computable"
STATUSES = (SUPPORTED, CONTRADICTED, NOT_COMPUTABLE)


@dataclass(frozen=True)
class ClaimResult:
    id: str
    quote: str
    quote_lang: str
    translations: dict[str, str]
    asserted: dict[str, Any] | None
    comparison: str
    computed: Any
    status: str
    evidence: dict[str, Any]


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _holds(comparison: str, value: float, asserted: dict[str, Any], query: dict[str, Any]) -> bool | None:
    """Whether `value` satisfies the claim; None when the comparison cannot be made."""
    target = asserted.get("value")
    if comparison == "equal":
        return _close(value, float(target))
    if comparison == "at-least":
        return value > target if asserted.get("strict") else (value >= target or _close(value, target))
    if comparison == "about":
        tolerance = query.get("tolerance")
        if not tolerance:
            return None
        allowed = tolerance.get("absolute", tolerance.get("relative", 0) * abs(float(target)))
        return abs(value - float(target)) <= allowed + 1e-12
    if comparison == "rank":
        if target is not None:
            return _close(value, float(target))
        within = query.get("within")
        return None if within is None else value <= within
    return None


def judge(
    comparison: str, asserted: dict[str, Any] | None, query: dict[str, Any], computed: Computed
) -> tuple[str, str | None]:
    """(status, reason) of a claim given its computed value."""
    if comparison == "none" or asserted is None:
        return NOT_COMPUTABLE, "the claim states no figure to compare"
    if computed.value is None:
        return NOT_COMPUTABLE, computed.reason
    carriers = computed.evidence.get("carriers")
    if carriers and computed.evidence.get("from_pack_load") == len(carriers):
        return NOT_COMPUTABLE, (
            "the only data is the district pack, transcribed from the claim's own source: "
            "load an independent register of carriers to check it"
        )
    if not isinstance(computed.value, int | float):
        return NOT_COMPUTABLE, "the computed value is not a number"
    if computed.lower is not None and computed.upper is not None:
        ends = {
            _holds(comparison, computed.lower, asserted, query),
            _holds(comparison, computed.upper, asserted, query),
        }
        if None in ends:
            return NOT_COMPUTABLE, "the comparison needs a stated tolerance or rank"
        if comparison == "equal":
            inside = computed.lower <= float(asserted["value"]) <= computed.upper
            if not inside:
                return CONTRADICTED, None
            if computed.lower == computed.upper:
                return SUPPORTED, None
            return NOT_COMPUTABLE, (
                f"the data brackets the value between {computed.lower:g} and "
                f"{computed.upper:g}: the list does not cover the claim's population"
            )
        if ends == {True}:
            return SUPPORTED, None
        if ends == {False}:
            return CONTRADICTED, None
        return NOT_COMPUTABLE, (f"the data brackets the value between {computed.lower:g} and {computed.upper:g}")
    holds = _holds(comparison, computed.value, asserted, query)
    if holds is None:
        return NOT_COMPUTABLE, "the comparison needs a stated tolerance (about) or rank bound (within)"
    return (SUPPORTED if holds else CONTRADICTED), None


def claim_result(claim: dict[str, Any], query: dict[str, Any] | None, origin: str, computed: Computed) -> ClaimResult:
    """The claim judged on `computed`, the value of its `query` (from `origin`), with the evidence."""
    status, reason = judge(claim["comparison"], claim["asserted"], query or {}, computed)
    evidence = {**computed.evidence, "comparison": claim["comparison"]}
    if query is not None:
        evidence |= {"query": query, "query_digest": query_digest(query), "query_origin": origin}
    if computed.lower is not None:
        evidence["bounds"] = [computed.lower, computed.upper]
    if reason:
        evidence["reason"] = reason
    return ClaimResult(
        claim["id"],
        claim["quote"],
        claim["quote_lang"],
        claim["translations"],
        claim["asserted"],
        claim["comparison"],
        computed.value,
        status,
        evidence,
    )
