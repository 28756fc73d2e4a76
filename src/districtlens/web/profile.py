"""What an enterprise's page adds to its record: the district's tracks its activity belongs to,
the chain links it is placed in, and its leases at carriers (an operator sees those at their own
carriers only)."""

from __future__ import annotations

from typing import Any

import polars as pl

from districtlens.chains.placement import said_rule
from districtlens.store import dashboard_queries
from districtlens.store import web_queries as queries
from districtlens.web import auth, figures
from districtlens.web.deps import may_see_carrier
from districtlens.web.i18n import Formatter
from districtlens.web.state import ServerState, Snapshot


def _in_classes(code: str | None, classes: list[str]) -> bool:
    """The GB/T class `code` is one of `classes` (4-digit classes or 2-digit divisions)."""
    return bool(code) and any(code == c or (len(c) == 2 and str(code).startswith(c)) for c in classes)


def tracks_of(store: Snapshot, industry_code: str | None, fmt: Formatter) -> list[str]:
    pack = figures.home_pack(store)
    if pack is None:
        return []
    return [
        fmt.name(t["names"]) for t in queries.tracks(store, pack["pack_id"]) if _in_classes(industry_code, t["classes"])
    ]


def chain_links_of(server: ServerState, store: Snapshot, uscc: str, fmt: Formatter) -> list[dict[str, Any]]:
    """Each chain link the enterprise is placed in, with the chain's and the link's names."""
    context = server.cached(store, "chain-context", (), lambda: figures.chain_context(store))
    if context is None:
        return []
    found = []
    for template in figures.chain_templates().values():
        placed = context.placements(template).filter(pl.col("uscc") == uscc).sort("link_id")
        for link_id, rule, value in placed.select("link_id", "rule", "rule_value").iter_rows():
            found.append(
                {
                    "track": template.id,
                    "chain": fmt.name(template.name),
                    "link": link_id,
                    "link_name": fmt.name(template.link(link_id).name),
                    "placed_by": said_rule(rule, value, fmt.lang),
                }
            )
    return found


def tenancies_of(store: Snapshot, who: auth.Principal, uscc: str, fmt: Formatter) -> list[dict[str, Any]]:
    return [
        dict(r, carrier=fmt.name({"zh": r["name_zh"], "en": r["name_en"], "fr": r["name_fr"]}))
        for r in dashboard_queries.enterprise_tenancies(store, uscc)
        if may_see_carrier(who, r["carrier_id"])
    ]


def profile_extras(server: ServerState, store: Snapshot, who: auth.Principal, profile: dict, fmt: Formatter) -> dict:
    uscc = profile["current"]["uscc"]
    return {
        "tracks": tracks_of(store, profile["current"].get("industry_code"), fmt),
        "links": server.cached(
            store, "enterprise-links", (uscc, fmt.lang), lambda: chain_links_of(server, store, uscc, fmt)
        ),
        "tenancies": tenancies_of(store, who, uscc, fmt),
    }
