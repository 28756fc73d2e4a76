"""The figures of a briefing: one list of queries (the claims vocabulary) computed once, shown the
same way in every language.

Each figure has a stable id (`headline.revenue`, `track.health.enterprises`, ...), a reference
in document order (F1, F2, ...), its query (the definition a verifier recomputes), its value,
and its display in the briefing's language. The figure set of an area is derived from the store:
the pack of its district gives tracks, zones, peer groups and claims; the chain templates of those
tracks give chain health and targets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from districtlens.briefing import i18n, scenario
from districtlens.claims.compute import CHAIN_KINDS, compute, prefetch
from districtlens.claims.queries import parse_query
from districtlens.claims.session import Computed, Reason, Session
from districtlens.store import claims as claim_store

SECTIONS = ("headline", "tracks", "zones", "carriers", "chains", "targets", "scenarios", "claims")
MONEY = ("revenue", "tax", "rd_spend")


@dataclass
class Figure:
    id: str
    section: str
    query: dict[str, Any]
    label: dict[str, str]  # by language
    value: Any = None
    reason: Reason | None = None
    sources: list[str] = field(default_factory=list)
    ref: str = ""

    def display(self, lang: str) -> str:
        return display(self.query, self.value, lang)


def _fmt_number(value: Any, lang: str) -> str:
    if isinstance(value, bool) or value is None:
        return i18n.t("none", lang)
    if isinstance(value, int) or float(value).is_integer():
        return i18n.number(value, lang)
    return i18n.decimal(value, lang)


def display(query: dict[str, Any], value: Any, lang: str) -> str:
    """A figure's value as the briefing prints it in `lang`."""
    kind = query["kind"]
    if value is None:
        return i18n.t("none", lang)
    if kind == scenario.KIND:
        return scenario.display(query, value, lang)
    if kind in ("growth", "share"):
        return i18n.percent(value, lang)
    if kind == "total":
        return i18n.number(round(value), lang)
    if kind == "chain-health":
        return " · ".join(f"{i18n.t('chain_' + s, lang)} {i18n.number(n, lang)}" for s, n in value.items())
    if kind == "chain-targets":
        return ("、" if lang == "zh" else "; ").join(value) if value else i18n.t("no_targets", lang)
    if kind == "claim-status":
        status = i18n.t("status_" + value["status"].replace(" ", "_"), lang)
        computed = value["computed"]
        if computed is None or isinstance(computed, dict | list):
            return status
        return f"{status} · {_fmt_number(computed, lang)}"
    return _fmt_number(value, lang)


def group_label(group: str, lang: str) -> str:
    """`city`, or a pack's peer group (named by the message peers_<group> when there is one)."""
    if group == "city":
        return i18n.t("among_city", lang)
    name = i18n.t(f"peers_{group}", lang) if i18n.has(f"peers_{group}") else group
    return i18n.t("among_group", lang, group=name)


def _names(names: dict[str, str | None]) -> dict[str, str]:
    return {lang: names.get(lang) or names.get("en") or "" for lang in i18n.LANGUAGES}


def _msg(key: str, **params: Any) -> dict[str, str]:
    return {lang: i18n.t(key, lang, **params) for lang in i18n.LANGUAGES}


HEADLINE_COLUMNS = ("revenue", "tax", "employees", "rd_spend")


def headline_queries(year: int | None) -> dict[str, dict[str, Any]]:
    """The headline figures of an area: the one definition the briefing, the dashboard and the
    API share. Enterprises are the operating enterprises located in the area (deregistered and
    revoked ones left out); the totals sum those enterprises' facts of `year`."""
    found: dict[str, dict[str, Any]] = {"enterprises": {"kind": "enterprise-count"}}
    if year is not None:
        found.update({column: {"kind": "total", "column": column, "years": [year]} for column in HEADLINE_COLUMNS})
    return found


def headline(
    session: Session, area: str, year: int | None, area_names: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """{measure: {value, query, definition by language}} of the headline figures of `area`; the
    definitions name the area by `area_names` (by language) when given."""
    names = area_names or {}
    found = {}
    for measure, raw in headline_queries(year).items():
        query = parse_query(raw, f"headline.{measure}", area)
        found[measure] = {
            "value": _plain(compute(session, query).value),
            "query": query,
            "definition": {
                lang: definition({**query, "area": names.get(lang) or area}, lang) for lang in i18n.LANGUAGES
            },
        }
    return found


def plan(session: Session, area: str, scenarios: tuple[str, ...] = ()) -> list[Figure]:
    """The figures (uncomputed) of a briefing on `area`, citing the saved `scenarios` (ids)."""
    store = session.store
    district = session.district_of(area)
    pack_row = session.pack_row(district)
    year = claim_store.latest_fact_year(store)
    figures: list[Figure] = []

    def add(fid: str, section: str, raw: dict[str, Any], label: dict[str, str]) -> None:
        figures.append(Figure(fid, section, parse_query(raw, fid, area), label))

    for measure, raw in headline_queries(year).items():
        label = (
            _msg("enterprises")
            if measure == "enterprises"
            else {lang: f"{i18n.t(measure, lang)} ({i18n.t('year_of', lang, year=year)})" for lang in i18n.LANGUAGES}
        )
        add(f"headline.{measure}", "headline", raw, label)
    if year is not None:
        add(
            "headline.revenue-growth",
            "headline",
            {"kind": "growth", "column": "revenue", "from": year - 1, "to": year},
            _msg("revenue_growth", start=year - 1, end=year),
        )
        groups = ["city", *sorted((pack_row or {}).get("peers", {}))]
        for group in groups:
            among = {lang: group_label(group, lang) for lang in i18n.LANGUAGES}
            add(
                f"headline.revenue-rank.{group}",
                "headline",
                {
                    "kind": "rank",
                    "area": district,
                    "among": group,
                    "measure": {"kind": "total", "column": "revenue", "years": [year]},
                },
                {lang: i18n.t("revenue_rank", lang, among=among[lang]) for lang in i18n.LANGUAGES},
            )

    tracks = claim_store.tracks(store, pack_row["pack_id"]) if pack_row else []
    for track in tracks:
        tid = track["track_id"]
        add(f"track.{tid}.enterprises", "tracks", {"kind": "enterprise-count", "track": tid}, _names(track["names"]))
        if year is not None:
            add(
                f"track.{tid}.revenue",
                "tracks",
                {"kind": "total", "track": tid, "column": "revenue", "years": [year]},
                _names(track["names"]),
            )

    for zone in claim_store.zones(store, district):
        names = _names(zone["names"])
        if i18n.has(f"role_{zone['role']}"):
            names = {lang: f"{n} · {i18n.t('role_' + zone['role'], lang)}" for lang, n in names.items()}
        add(
            f"zone.{zone['zone_id']}.enterprises", "zones", {"kind": "enterprise-count", "area": zone["zone_id"]}, names
        )

    for kind in claim_store.carrier_counts(store, district):
        label = _msg(f"kind_{kind}") if i18n.has(f"kind_{kind}") else {lang: kind for lang in i18n.LANGUAGES}
        add(f"carriers.{kind}", "carriers", {"kind": "carrier-count", "area": district, "carrier_kind": kind}, label)

    templates = session.templates
    track_ids = [t["track_id"] for t in tracks] or list(templates)
    for tid in [t for t in track_ids if t in templates]:
        names = _names(templates[tid].name)
        add(f"chain.{tid}.health", "chains", {"kind": "chain-health", "area": district, "chain": tid}, names)
        add(
            f"chain.{tid}.targets",
            "targets",
            {"kind": "chain-targets", "area": district, "chain": tid, "top": 3},
            names,
        )

    for scenario_id in dict.fromkeys(scenarios):
        cited = scenario.saved(session, scenario_id, area)
        for fid, query, label in scenario.queries(session, cited):
            figures.append(Figure(fid, "scenarios", query, label))

    for claim in claim_store.claims(store, pack_row["pack_id"]) if pack_row else []:
        if claim["comparison"] == "none":
            continue
        label = {
            lang: claim["quote"] if lang == claim["quote_lang"] else claim["translations"].get(lang, "")
            for lang in i18n.LANGUAGES
        }
        add(f"claim.{claim['id']}", "claims", {"kind": "claim-status", "claim": claim["id"]}, label)

    for i, figure in enumerate(figures, 1):
        figure.ref = f"F{i}"
    return figures


def computer(session: Session) -> Callable[[dict[str, Any]], Computed]:
    """How a briefing's figure is computed from its parameters: a cited scenario's from its saved
    definition (`scenario.Cited`), any other by the claims' vocabulary."""
    cited = scenario.Cited(session)
    return lambda query: cited.compute(query) if query.get("kind") == scenario.KIND else compute(session, query)


def compute_all(session: Session, figures: list[Figure]) -> list[Figure]:
    prefetch(session, [figure.query for figure in figures])
    figure_value = computer(session)
    # The chains compute on their own thread: the other figures first, so the two overlap longest.
    chained = [f for f in figures if f.query["kind"] in (*CHAIN_KINDS, scenario.KIND)]
    for figure in [f for f in figures if f not in chained] + chained:
        result = figure_value(figure.query)
        figure.value = _plain(result.value)
        figure.reason = result.reason
        figure.sources = list(result.evidence.get("sources") or [])
    return figures


def _plain(value: Any) -> Any:
    """The value as JSON holds it (so a manifest and a recomputation compare equal)."""
    return json.loads(json.dumps(value, default=str))


def definition(query: dict[str, Any], lang: str, session: Session | None = None) -> str:
    """The figure's definition in words, in `lang`."""
    kind = query["kind"]
    if kind == scenario.KIND:
        return _scenario_definition(query, lang, session)
    p: dict[str, Any] = {k: v for k, v in query.items() if isinstance(v, str | int)}
    p["area"] = query.get("area", "")
    p["track"] = i18n.t("of_track", lang, track=query["track"]) if query.get("track") else ""
    p["tag"] = i18n.t("of_tag", lang, tag=query["tag"]) if query.get("tag") else ""
    if "column" in query:
        p["column"] = i18n.t(query["column"], lang)
    if "years" in query:
        p["years"] = ", ".join(map(str, query["years"]))
    if kind == "growth":
        p["start"], p["end"] = query["from"], query["to"]
    if kind in ("share", "rank"):
        p["among"] = group_label(query["among"], lang)
        if kind == "share":
            p["track"] = i18n.t("of_track", lang, track=query["set"]["track"]) if query["set"].get("track") else ""
            p["tag"] = i18n.t("of_tag", lang, tag=query["set"]["tag"]) if query["set"].get("tag") else ""
        else:
            p["measure"] = definition({**query["measure"], "area": query["area"]}, lang)
    if kind == "listed-presence":
        p["list"] = i18n.t("list_" + query["list"], lang)
    if kind == "carrier-count":
        kind_key = f"kind_{query.get('carrier_kind')}"
        p["carrier_kind"] = (
            i18n.t("of_kind", lang, kind=i18n.t(kind_key, lang) if i18n.has(kind_key) else query.get("carrier_kind"))
            if query.get("carrier_kind")
            else ""
        )
    return i18n.t("def_" + kind, lang, **p)


def _scenario_definition(query: dict[str, Any], lang: str, session: Session | None) -> str:
    """A cited scenario's figure in words, naming its chain and area in `lang` when a session
    can name them."""
    chain, area = query["track"], query["area"]
    if session is not None:
        template = session.templates.get(chain)
        chain = template.name.get(lang) or template.name["en"] if template else chain
        area = session.area(area).name(lang)
    return scenario.definition(query, lang, chain, area)
