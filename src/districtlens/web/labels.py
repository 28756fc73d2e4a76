"""The names a reader sees for the pack's ids: a zone, a track or a carrier is shown by its name
in the reader's language, never by its slug (`shibei`, `data-intelligence`)."""

from __future__ import annotations

import re
from typing import Any

from districtlens.errors import NotFound
from districtlens.store import web_queries as queries
from districtlens.web import auth, figures
from districtlens.web.deps import may_see_carrier, today
from districtlens.web.i18n import Formatter
from districtlens.web.state import ServerState, Snapshot

HAN = re.compile(r"[\u3400-\u9fff]")


def name_lang(name: str | None) -> str | None:
    """The language attribute of a firm's own name: Chinese when it holds Chinese characters, else
    none said (a pool's English name, AstraZeneca, is no Chinese text)."""
    return "zh" if name and HAN.search(name) else None


def pack_names(server: ServerState, store: Snapshot) -> dict[str, dict[str, str]]:
    """Id -> {zh, en, fr} of every zone and track of the store's district pack, and of every chain
    template's track (a template may name a track the pack lacks)."""
    return server.cached(store, "pack-names", (), lambda: _pack_names(store))


def _pack_names(store: Snapshot) -> dict[str, dict[str, str]]:
    names = {track: dict(template.name) for track, template in figures.chain_templates().items()}
    pack = figures.home_pack(store)
    if pack is not None:
        names.update({t["track_id"]: t["names"] for t in queries.tracks(store, pack["pack_id"])})
        names.update({z["zone_id"]: z["names"] for z in queries.zones(store, pack["pack_id"])})
    return names


def shown(names: dict[str, dict[str, str]], fmt: Formatter, ident: str | None) -> str:
    """The name of `ident` in the reader's language; an id the pack does not name is left empty
    rather than shown raw."""
    if not ident:
        return ""
    found = names.get(ident)
    return fmt.name(found) if found else ""


def listed(names: dict[str, dict[str, str]], fmt: Formatter, idents: list[str]) -> str:
    """Several ids' names, joined as the language lists them."""
    separator = "、" if fmt.lang == "zh" else ", "
    return separator.join(filter(None, (shown(names, fmt, i) for i in idents)))


def carrier_names(server: ServerState, store: Snapshot, fmt: Formatter) -> dict[str, str]:
    """Carrier id -> its name in the reader's language."""
    rows = server.cached(store, "carriers", (today(),), lambda: queries.carriers(store, today()))
    return {r["carrier_id"]: fmt.name({"zh": r["name_zh"], "en": r["name_en"], "fr": r["name_fr"]}) for r in rows}


def lead_choices(server: ServerState, store: Snapshot, who: auth.Principal, fmt: Formatter) -> dict[str, Any]:
    """What the targets page offers for a lead: the carriers `who` may mean it for, and the
    pack's zones (id -> name in the reader's language)."""
    pack = figures.home_pack(store)
    zones = server.cached(store, "zones", (), lambda: queries.zones(store, pack["pack_id"])) if pack else []
    return {
        "carriers": {c: n for c, n in carrier_names(server, store, fmt).items() if may_see_carrier(who, c)},
        "zones": {z["zone_id"]: fmt.name(z["names"]) for z in zones},
    }


def chosen_chain(fmt: Formatter, track: str | None) -> str:
    """The shipped chain a page asks for (the first by id when it names none); an unknown one is
    refused, listing the chains in the reader's language."""
    templates = figures.chain_templates()
    if track is None:
        return next(iter(sorted(templates)))
    if track not in templates:
        known = ", ".join(f"{fmt.name(dict(t.name))} ({t.id})" for _, t in sorted(templates.items()))
        raise NotFound("web.unknown_chain", track=track, chains=known)
    return track
