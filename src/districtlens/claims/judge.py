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
- rising: the value grew from each year to the next (a claim of steady growth; the query's
  evidence gives the value of each year, `by_year`).

A statement of intent (the claim's kind `intent`: a plan, an orientation, a positioning) is
labelled so and never checked. The pack facts typed from a claim are its echo and never support
it (`compute.without_echoes`): a claim whose only data is its echo is not computable until
independent data is loaded.

Every result carries `evidence["text"]`: what the status rests on, in zh, en and fr.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from districtlens import i18n, refdata
from districtlens.claims.queries import query_digest
from districtlens.claims.session import Computed, Reason
from districtlens.ingest.statistics import UNITS as PUBLISHED_UNITS

# The fact columns (districtlens.facts) that hold amounts in 万元.
MONEY_COLUMNS = frozenset({"revenue", "tax", "rd_spend"})

SUPPORTED, CONTRADICTED, NOT_COMPUTABLE = "supported", "contradicted", "not computable"
INTENT = "statement of intent"
STATUSES = (SUPPORTED, CONTRADICTED, NOT_COMPUTABLE, INTENT)
CHECKABLE_KINDS = ("figure", "count", "ranking")


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
    kind: str = "figure"


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _holds(comparison: str, value: float, asserted: dict[str, Any], query: dict[str, Any]) -> bool | None:
    """Whether `value` satisfies the claim; None when the comparison cannot be made."""
    target: Any = asserted.get("value")  # a number; None only for a rank bounded by `within`
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


def _rising(by_year: Any) -> bool | None:
    """Whether the values grew from each year to the next; None without two years of values."""
    if not isinstance(by_year, dict):
        return None
    values = [by_year[year] for year in sorted(by_year)]
    if len(values) < 2 or any(v is None for v in values):
        return None
    return all(later > earlier for earlier, later in zip(values, values[1:], strict=False))


def judge(
    comparison: str, asserted: dict[str, Any] | None, query: dict[str, Any], computed: Computed
) -> tuple[str, Reason | None]:
    """(status, reason) of a checkable claim given its computed value."""
    if computed.value is None:
        return NOT_COMPUTABLE, computed.reason
    if comparison == "rising":
        rising = _rising(computed.evidence.get("by_year"))
        if rising is None:
            return NOT_COMPUTABLE, Reason("claims.reason.years_missing")
        return (SUPPORTED if rising else CONTRADICTED), None
    if comparison == "none" or asserted is None:
        return NOT_COMPUTABLE, Reason("claims.reason.no_figure")
    if not isinstance(computed.value, int | float):
        return NOT_COMPUTABLE, Reason("claims.reason.not_a_number")
    if computed.lower is not None and computed.upper is not None:
        ends = {
            _holds(comparison, computed.lower, asserted, query),
            _holds(comparison, computed.upper, asserted, query),
        }
        if None in ends:
            return NOT_COMPUTABLE, Reason("claims.reason.no_tolerance")
        if comparison == "equal":
            inside = computed.lower <= float(asserted["value"]) <= computed.upper
            if not inside:
                return CONTRADICTED, None
            if computed.lower == computed.upper:
                return SUPPORTED, None
            return NOT_COMPUTABLE, Reason(
                "claims.reason.bracket_partial", {"lower": f"{computed.lower:g}", "upper": f"{computed.upper:g}"}
            )
        if ends == {True}:
            return SUPPORTED, None
        if ends == {False}:
            return CONTRADICTED, None
        return NOT_COMPUTABLE, Reason(
            "claims.reason.bracket", {"lower": f"{computed.lower:g}", "upper": f"{computed.upper:g}"}
        )
    holds = _holds(comparison, computed.value, asserted, query)
    if holds is None:
        return NOT_COMPUTABLE, Reason("claims.reason.no_bound")
    return (SUPPORTED if holds else CONTRADICTED), None


def intent_result(claim: dict[str, Any], head: str) -> ClaimResult:
    """A statement of intent, labelled so: nothing to compute."""
    evidence = {"ledger_head": head, "comparison": claim["comparison"], "text": evidence_text(INTENT, {})}
    return ClaimResult(
        claim["id"],
        claim["quote"],
        claim["quote_lang"],
        claim["translations"],
        claim["asserted"],
        claim["comparison"],
        None,
        INTENT,
        evidence,
        "intent",
    )


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _said(value: Any, wan: float | None, unit: str, lang: str) -> str:
    """`value` as a sentence shows it in `lang`, with its unit: by the money rule when it is an
    amount (`wan` 万元), else the number and the unit it was published in."""
    if wan is not None:
        return i18n.money(wan, lang)
    return f"{_number(value)} {unit}" if unit else _number(value)


def _published_wan(published: dict[str, Any]) -> float | None:
    """A published figure in 万元 when its unit is money (亿元, 万元), else None."""
    factor, base = PUBLISHED_UNITS.get(str(published.get("unit", "")), (1.0, ""))
    value = published.get("value")
    return float(value) * factor if base == "万元" and isinstance(value, int | float) else None


def _store_wan(evidence: dict[str, Any], value: Any) -> float | None:
    """A store value in 万元 when it is a sum of a money column (a `total` of revenue, tax or R&D
    spending), else None."""
    query = evidence.get("query", {})
    money = query.get("kind") == "total" and query.get("column") in MONEY_COLUMNS
    return float(value) if money and isinstance(value, int | float) and not isinstance(value, bool) else None


def _rows(evidence: dict[str, Any]) -> int:
    """How many store rows a computed value stands on, as far as its evidence tells."""
    for key in ("rows", "area_rows"):
        if isinstance(evidence.get(key), int):
            return int(evidence[key])
    reporting = evidence.get("reporting")
    if isinstance(reporting, dict):
        return sum(int(n or 0) for n in reporting.values())
    for key in ("present", "carriers", "matched"):
        if key in evidence:
            return len(evidence[key])
    return int(evidence.get("synthetic_rows", 0))


def _register_text(evidence: dict[str, Any]) -> dict[str, str]:
    """The register's entries in the district, named with their sources, in every language."""
    key = "claims.evidence_register_part" if evidence.get("covers") == "part" else "claims.evidence_register"
    entries = evidence["entries"]
    values = {
        "value": len(entries),
        "names": "; ".join(str(e["name"]) for e in entries) or "-",
        "sources": "; ".join(sorted({str(e["source_url"]) for e in entries})) or "-",
    }
    place = refdata.division_name(str(evidence["adcode"])) or "-"
    return {
        lang: i18n.t(key, lang, register=i18n.t(f"claims.register.{evidence['register']}", lang), place=place, **values)
        for lang in i18n.LANGUAGES
    }


def evidence_text(status: str, evidence: dict[str, Any], value: Any = None) -> dict[str, str]:
    """What the status rests on, in every language: the published figure and its source, the
    store's rows, the echo that was set aside, or why there is nothing to compare."""
    values: dict[str, Any]
    # A value is said with its unit (`_said`; money by `i18n.money`): the sentences take it whole.
    wan: float | None = None
    if status == INTENT:
        key, values = "claims.evidence_intent", {}
    elif evidence.get("echoes") and value is None:
        key, values = "claims.evidence_echo", {"facts": ", ".join(evidence["echoes"])}
    elif evidence.get("no_data") == "table":
        key, values = "claims.evidence_no_statistics", {"indicator": evidence.get("indicator", "")}
    elif evidence.get("no_data") == "indicator":
        key, values = "claims.evidence_no_indicator", {"indicator": evidence.get("indicator", "")}
    elif "published" in evidence:
        published = evidence["published"]
        key = "claims.evidence_published_part" if evidence.get("covers") == "part" else "claims.evidence_published"
        if "elapsed" in evidence:
            key = "claims.evidence_published_elapsed"
        wan = _published_wan(published)
        values = {
            "indicator": evidence.get("indicator", ""),
            "value": published.get("value"),
            "unit": published.get("unit", ""),
            "year": published.get("year", ""),
            "source": published.get("source_doc") or published.get("source_url") or "",
        }
        if "elapsed" in evidence:
            values |= {"years": _number(evidence["elapsed"]["years"]), "to": evidence["elapsed"]["to"]}
    elif "entries" in evidence:
        return _register_text(evidence)
    elif value is None:
        said = evidence.get("reason_said")
        if said:
            reason = Reason.from_json(said)
            return {lang: i18n.t("claims.evidence_no_value", lang, reason=reason.text(lang)) for lang in i18n.LANGUAGES}
        key, values = "claims.evidence_no_value", {"reason": evidence.get("reason", "")}
    elif "ranked" in evidence:
        among = evidence.get("query", {}).get("among", "")
        key, values = "claims.evidence_rank", {"value": value, "ranked": evidence["ranked"], "among": among}
    else:
        key = "claims.evidence_store"
        wan = _store_wan(evidence, value)
        values = {
            "value": value if not isinstance(value, dict | list) else str(value),
            "rows": _rows(evidence),
            "synthetic": evidence.get("synthetic_rows", 0),
        }
    if "value" not in values:
        return {lang: i18n.t(key, lang, **values) for lang in i18n.LANGUAGES}
    unit, value = values.pop("unit", ""), values.pop("value")
    return {lang: i18n.t(key, lang, value=_said(value, wan, unit, lang), **values) for lang in i18n.LANGUAGES}


def claim_result(
    claim: dict[str, Any], query: dict[str, Any] | None, origin: str, computed: Computed, kind: str = "figure"
) -> ClaimResult:
    """The claim judged on `computed`, the value of its `query` (from `origin`), with the evidence."""
    status, reason = judge(claim["comparison"], claim["asserted"], query or {}, computed)
    evidence = {**computed.evidence, "comparison": claim["comparison"]}
    if query is not None:
        evidence |= {"query": query, "query_digest": query_digest(query), "query_origin": origin}
    if computed.lower is not None:
        evidence["bounds"] = [computed.lower, None if math.isinf(computed.upper or 0.0) else computed.upper]
    if reason:
        # The English text keeps the evidence's shape; the key and values say it in any language.
        evidence["reason"] = reason.text("en")
        evidence["reason_said"] = reason.as_json()
    evidence["text"] = evidence_text(status, evidence, computed.value)
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
        kind,
    )
