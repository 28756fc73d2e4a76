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
- published: a published statistic (the store's published-statistics table): the `indicator`
  of `adcode` (default: the area's district) [in `year`, default the latest]; `covers: part` when
  the figure covers part of what the claim counts (a park of the district), so that it only
  bounds the claim's value from below; `elapsed_to: YEAR` reads a published year as the years
  from it to YEAR (a path under way by that year has lasted at least that long: with `covers:
  part`, a lower bound).
- register: entries of a shipped register of carriers (`refdata.carrier_registers`: official
  designations, each entry with its district and source) in `area`'s district, or within
  `adcode` (a district, or a city such as 310000 counting every entry placed in it); `covers: all` only
  when the register holds the whole designation list, else (default `part`) the count bounds the
  claim from below only.
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

from districtlens import refdata
from districtlens.errors import InputError
from districtlens.facts import FACT_COLUMNS
from districtlens.store import ledger
from districtlens.yamltext import load_yaml

LISTS = ("global500", "global500-pharma")
ENTERPRISE_ATTRIBUTES = ("founded-year",)
CARRIER_ATTRIBUTES = ("area_km2", "floor_space_m2")
RANK_MEASURES = ("enterprise-count", "total", "growth")
COVERS = ("all", "part")  # a published figure covers all the claim counts, or part of it
QUERIES_FILE = "claim-queries.yaml"


def _str(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str | int) or not str(value).strip():
        raise InputError("claims.query_not_text", where=where, field=key)
    return str(value).strip()


def _int(value: Any, where: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError("claims.query_not_integer", where=where, field=key)
    return value


def _years(value: Any, where: str) -> list[int]:
    years = value if isinstance(value, list) else [value]
    if not years:
        raise InputError("claims.query_no_years", where=where)
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
        raise InputError("claims.query_bad_tolerance", where=where)
    ((key, value),) = raw.items()
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InputError("claims.query_negative_tolerance", where=where, field=key)
    return {key: float(value)}


def _enterprise_count(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    return _set_part(raw, where, area)


def _total(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    column = raw.get("column")
    if column not in FACT_COLUMNS:
        raise InputError("claims.query_unknown_column", where=where, columns=", ".join(FACT_COLUMNS))
    return {**_set_part(raw, where, area), "column": column, "years": _years(raw.get("years"), where)}


def _growth(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    column = raw.get("column")
    if column not in FACT_COLUMNS:
        raise InputError("claims.query_unknown_column", where=where, columns=", ".join(FACT_COLUMNS))
    start, end = _int(raw.get("from"), where, "from"), _int(raw.get("to"), where, "to")
    if end <= start:
        raise InputError("claims.query_years_order", where=where)
    return {**_set_part(raw, where, area), "column": column, "from": start, "to": end}


def _share(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    subset = raw.get("set")
    if not isinstance(subset, dict) or not (subset.get("track") or subset.get("tag")):
        raise InputError("claims.query_bad_set", where=where)
    return {
        "area": _str(raw.get("area", area), where, "area"),
        "among": _str(raw.get("among"), where, "among"),
        "set": {k: _str(subset[k], where, k) for k in ("track", "tag") if subset.get(k)},
    }


def _rank(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    measure = raw.get("measure")
    if not isinstance(measure, dict) or measure.get("kind") not in RANK_MEASURES:
        raise InputError("claims.query_bad_measure", where=where, kinds=", ".join(RANK_MEASURES))
    inner = parse_query({**measure, "area": "city"}, f"{where} (measure)")
    inner.pop("area")
    out: dict[str, Any] = {
        "area": _str(raw.get("area", area), where, "area"),
        "among": _str(raw.get("among"), where, "among"),
        "measure": inner,
    }
    if raw.get("within") is not None:
        out["within"] = _int(raw["within"], where, "within")
    return out


def _listed_presence(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    if raw.get("list") not in LISTS:
        raise InputError("claims.query_unknown_list", where=where, lists=", ".join(LISTS))
    return {
        "area": _str(raw.get("area", area), where, "area"),
        "list": raw["list"],
        "top": _int(raw.get("top"), where, "top"),
    }


def _named_presence(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    ids = raw.get("enterprises")
    if not isinstance(ids, list) or not ids:
        raise InputError("claims.query_no_enterprises", where=where)
    return {"area": _str(raw.get("area", area), where, "area"), "enterprises": [str(i) for i in ids]}


def _enterprise_attribute(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    if raw.get("attribute") not in ENTERPRISE_ATTRIBUTES:
        raise InputError("claims.query_unknown_attribute", where=where, attributes=", ".join(ENTERPRISE_ATTRIBUTES))
    return {
        "area": _str(raw.get("area", area), where, "area"),
        "enterprise": _str(raw.get("enterprise"), where, "enterprise"),
        "attribute": raw["attribute"],
    }


def _carrier_count(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    out = {"area": _str(raw.get("area", area), where, "area")}
    for key in ("carrier_kind", "level"):
        if raw.get(key) is not None:
            out[key] = _str(raw[key], where, key)
    return out


def _carrier_attribute(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    if raw.get("attribute") not in CARRIER_ATTRIBUTES:
        raise InputError("claims.query_unknown_attribute", where=where, attributes=", ".join(CARRIER_ATTRIBUTES))
    return {
        "area": _str(raw.get("area", area), where, "area"),
        "carrier": _str(raw.get("carrier"), where, "carrier"),
        "attribute": raw["attribute"],
    }


def _chain_health(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    return {"area": _str(raw.get("area", area), where, "area"), "chain": _str(raw.get("chain"), where, "chain")}


def _chain_targets(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    return {**_chain_health(raw, where, area), "top": _int(raw.get("top", 3), where, "top")}


def _published(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "area": _str(raw.get("area", area), where, "area"),
        "indicator": _str(raw.get("indicator"), where, "indicator"),
    }
    if raw.get("adcode") is not None:
        out["adcode"] = _str(raw["adcode"], where, "adcode")
    if raw.get("year") is not None:
        out["year"] = _int(raw["year"], where, "year")
    if raw.get("elapsed_to") is not None:
        out["elapsed_to"] = _int(raw["elapsed_to"], where, "elapsed_to")
    covers = raw.get("covers", "all")
    if covers not in COVERS:
        raise InputError("claims.query_bad_covers", where=where, covers=", ".join(COVERS))
    out["covers"] = covers
    return out


def _register(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    names = refdata.carrier_register_names()
    if raw.get("register") not in names:
        raise InputError("claims.query_unknown_register", where=where, registers=", ".join(names))
    covers = raw.get("covers", "part")
    if covers not in COVERS:
        raise InputError("claims.query_bad_covers", where=where, covers=", ".join(COVERS))
    out = {"area": _str(raw.get("area", area), where, "area"), "register": raw["register"], "covers": covers}
    if raw.get("adcode") is not None:
        out["adcode"] = _str(raw["adcode"], where, "adcode")
    return out


def _claim_status(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    return {"claim": _str(raw.get("claim"), where, "claim")}


def _not_computable(raw: dict[str, Any], where: str, area: str | None) -> dict[str, Any]:
    """The reason, as the pack gives it by language ({zh, en, fr}; a plain text is English)."""
    given = raw.get("reason")
    if isinstance(given, dict):
        texts = {lang: _str(given.get(lang), where, f"reason.{lang}") for lang in given}
        if "en" not in texts:
            _str(None, where, "reason.en")
        return {"reason": texts}
    return {"reason": {"en": _str(given, where, "reason")}}


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
    "published": _published,
    "register": _register,
    "claim-status": _claim_status,
    "not-computable": _not_computable,
}
KINDS = tuple(PARSERS)


def parse_query(raw: Any, where: str, area: str | None = None) -> dict[str, Any]:
    """Check a query definition and return it normalised; `area` is the default area."""
    if not isinstance(raw, dict):
        raise InputError("claims.query_not_mapping", where=where)
    kind = raw.get("kind")
    if kind not in PARSERS:
        raise InputError("claims.query_unknown_kind", where=where, kind=str(kind), kinds=", ".join(KINDS))
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
    pack has none). Raises InputError naming the first definition that is wrong (its file and
    claim): an error carries one message."""
    path = Path(folder) / QUERIES_FILE
    if not path.is_file():
        return {}
    try:
        doc = load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError("claims.queries_not_yaml", path=str(path), reason=str(exc)) from exc
    raw = doc.get("claim_queries") if isinstance(doc, dict) else None
    if not isinstance(raw, dict):
        raise InputError("claims.queries_not_mapping", path=str(path))
    return {str(claim_id): parse_query(query, f"{path.name}: {claim_id}", area) for claim_id, query in raw.items()}
