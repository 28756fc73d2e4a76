"""The query vocabulary: what a claim's figure or a briefing's figure is, as data.

A query is a mapping with a `kind` and its parameters; `parse_query` checks it and returns it
normalised (defaults filled, years as lists of ints), so that the same query always has the same
canonical JSON (briefing manifests sign it). Kinds:

- enterprise-count: operating enterprises of `area` [, `track`] [, `tag`].
- total: Σ `column` (revenue, tax, employees, rd_spend) over `years` of that set.
- growth: total(`to`) / total(`from`) − 1 of that set.
- share: enterprises of the `set` ({track, tag}) in `area` / those in `among`
  (a peer group of the area's pack, or `city`).
- rank: the area's rank (1 = largest) among `among` by `measure` (an enterprise-count, total or
  growth query whose area is each district in turn); `within: N` reads a qualitative rank
  ("among the highest") as rank ≤ N.
- listed-presence: companies of a shipped `list` (global500, global500-pharma) within its `top`
  N present in `area` (names matched on trade name, English name and the resolver's aliases).
- named-presence: the pack's named `enterprises` (ids) present in `area`.
- enterprise-attribute: an `attribute` (founded-year) of a pack enterprise found in `area`.
- carrier-count: carriers of `area` [of `carrier_kind`] [at `level`].
- carrier-attribute: a column (area_km2, floor_space_m2) of one `carrier`.
- chain-health: links of the `chain` template per status in `area`.
- chain-targets: the names of the `top` firms to attract for the `chain` into `area`.
- claim-status: a claim's status and computed value (a briefing's claims table).
- not-computable: the store cannot hold the figure; `reason` says why.

`area` defaults to the district of the pack the query belongs to. `tolerance` ({relative: r} or
{absolute: a}) states what `about` allows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from districtlens.store import ledger
from districtlens.store.claims import FACT_COLUMNS
from districtlens.yamltext import load_yaml

LISTS = ("global500", "global500-pharma")
ENTERPRISE_ATTRIBUTES = ("founded-year",)
CARRIER_ATTRIBUTES = ("area_km2", "floor_space_m2")
RANK_MEASURES = ("enterprise-count", "total", "growth")
QUERIES_FILE = "claim-queries.yaml"


class QueryError(ValueError):
    """A query definition that cannot be evaluated; the message names the claim or figure."""


def _str(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str | int) or not str(value).strip():
        raise QueryError(f"{where}: {key} must be a non-empty text")
    return str(value).strip()


def _int(value: Any, where: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError(f"{where}: {key} must be an integer")
    return value


def _years(value: Any, where: str) -> list[int]:
    years = value if isinstance(value, list) else [value]
    if not years:
        raise QueryError(f"{where}: years must not be empty")
    return sorted({_int(y, where, "years") for y in years})


def _set_part(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"area": _str(raw.get("area", area), where, "area")}
    for key in ("track", "tag"):
        if raw.get(key) is not None:
            out[key] = _str(raw[key], where, key)
    return out


def _tolerance(raw: Any, where: str) -> dict[str, float] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in ("relative", "absolute"):
        raise QueryError(f"{where}: tolerance must be {{relative: r}} or {{absolute: a}}")
    (key, value), = raw.items()
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise QueryError(f"{where}: tolerance {key} must be a number ≥ 0")
    return {key: float(value)}


def _enterprise_count(raw, where, area):
    return _set_part(raw, where, area)


def _total(raw, where, area):
    column = raw.get("column")
    if column not in FACT_COLUMNS:
        raise QueryError(f"{where}: column must be one of {', '.join(FACT_COLUMNS)}")
    return {**_set_part(raw, where, area), "column": column, "years": _years(raw.get("years"), where)}


def _growth(raw, where, area):
    column = raw.get("column")
    if column not in FACT_COLUMNS:
        raise QueryError(f"{where}: column must be one of {', '.join(FACT_COLUMNS)}")
    start, end = _int(raw.get("from"), where, "from"), _int(raw.get("to"), where, "to")
    if end <= start:
        raise QueryError(f"{where}: to must come after from")
    return {**_set_part(raw, where, area), "column": column, "from": start, "to": end}


def _share(raw, where, area):
    subset = raw.get("set")
    if not isinstance(subset, dict) or not (subset.get("track") or subset.get("tag")):
        raise QueryError(f"{where}: set must give a track and/or a tag")
    return {
        "area": _str(raw.get("area", area), where, "area"),
        "among": _str(raw.get("among"), where, "among"),
        "set": {k: _str(subset[k], where, k) for k in ("track", "tag") if subset.get(k)},
    }


def _rank(raw, where, area):
    measure = raw.get("measure")
    if not isinstance(measure, dict) or measure.get("kind") not in RANK_MEASURES:
        raise QueryError(f"{where}: measure must be a query of kind {', '.join(RANK_MEASURES)}")
    inner = parse_query({**measure, "area": "city"}, f"{where} (measure)")
    inner.pop("area")
    out = {"area": _str(raw.get("area", area), where, "area"), "among": _str(raw.get("among"), where, "among"),
           "measure": inner}
    if raw.get("within") is not None:
        out["within"] = _int(raw["within"], where, "within")
    return out


def _listed_presence(raw, where, area):
    if raw.get("list") not in LISTS:
        raise QueryError(f"{where}: list must be one of {', '.join(LISTS)}")
    return {"area": _str(raw.get("area", area), where, "area"), "list": raw["list"],
            "top": _int(raw.get("top"), where, "top")}


def _named_presence(raw, where, area):
    ids = raw.get("enterprises")
    if not isinstance(ids, list) or not ids:
        raise QueryError(f"{where}: enterprises must list pack enterprise ids")
    return {"area": _str(raw.get("area", area), where, "area"), "enterprises": [str(i) for i in ids]}


def _enterprise_attribute(raw, where, area):
    if raw.get("attribute") not in ENTERPRISE_ATTRIBUTES:
        raise QueryError(f"{where}: attribute must be one of {', '.join(ENTERPRISE_ATTRIBUTES)}")
    return {"area": _str(raw.get("area", area), where, "area"),
            "enterprise": _str(raw.get("enterprise"), where, "enterprise"), "attribute": raw["attribute"]}


def _carrier_count(raw, where, area):
    out = {"area": _str(raw.get("area", area), where, "area")}
    for key in ("carrier_kind", "level"):
        if raw.get(key) is not None:
            out[key] = _str(raw[key], where, key)
    return out


def _carrier_attribute(raw, where, area):
    if raw.get("attribute") not in CARRIER_ATTRIBUTES:
        raise QueryError(f"{where}: attribute must be one of {', '.join(CARRIER_ATTRIBUTES)}")
    return {"area": _str(raw.get("area", area), where, "area"),
            "carrier": _str(raw.get("carrier"), where, "carrier"), "attribute": raw["attribute"]}


def _chain_health(raw, where, area):
    return {"area": _str(raw.get("area", area), where, "area"), "chain": _str(raw.get("chain"), where, "chain")}


def _chain_targets(raw, where, area):
    return {**_chain_health(raw, where, area), "top": _int(raw.get("top", 3), where, "top")}


def _claim_status(raw, where, area):
    return {"claim": _str(raw.get("claim"), where, "claim")}


def _not_computable(raw, where, area):
    return {"reason": _str(raw.get("reason"), where, "reason")}


PARSERS: dict[str, Callable[[dict[str, Any], str, str | None], dict[str, Any]]] = {
    "enterprise-count": _enterprise_count,
    "total": _total,
    "growth": _growth,
    "share": _share,
    "rank": _rank,
    "listed-presence": _listed_presence,
    "named-presence": _named_presence,
    "enterprise-attribute": _enterprise_attribute,
    "carrier-count": _carrier_count,
    "carrier-attribute": _carrier_attribute,
    "chain-health": _chain_health,
    "chain-targets": _chain_targets,
    "claim-status": _claim_status,
    "not-computable": _not_computable,
}
KINDS = tuple(PARSERS)


def parse_query(raw: Any, where: str, area: str | None = None) -> dict[str, Any]:
    """Check a query definition and return it normalised; `area` is the default area."""
    if not isinstance(raw, dict):
        raise QueryError(f"{where}: a query must be a mapping with a kind")
    kind = raw.get("kind")
    if kind not in PARSERS:
        raise QueryError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    out = {"kind": kind, **PARSERS[kind](raw, where, area)}
    tolerance = _tolerance(raw.get("tolerance"), where)
    if tolerance:
        out["tolerance"] = tolerance
    if raw.get("note"):
        out["note"] = _str(raw["note"], where, "note")
    return out


def query_digest(query: dict[str, Any]) -> str:
    return hashlib.sha256(ledger.canonical(query).encode("utf-8")).hexdigest()


def load_queries(folder: str | Path, area: str | None = None) -> dict[str, dict[str, Any]]:
    """The query definitions of a pack folder's claim-queries.yaml, by claim id (empty when the
    pack has none). Raises QueryError naming every definition that is wrong."""
    path = Path(folder) / QUERIES_FILE
    if not path.is_file():
        return {}
    try:
        doc = load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise QueryError(f"{path}: not valid YAML ({exc})") from exc
    raw = doc.get("claim_queries") if isinstance(doc, dict) else None
    if not isinstance(raw, dict):
        raise QueryError(f"{path}: expected `claim_queries:` mapping claim ids to queries")
    problems, parsed = [], {}
    for claim_id, query in raw.items():
        try:
            parsed[str(claim_id)] = parse_query(query, f"{path.name}: {claim_id}", area)
        except QueryError as exc:
            problems.append(str(exc))
    if problems:
        raise QueryError("\n".join(problems))
    return parsed
