"""What reading a text reads from the store: the registry's names (current and former) and the
pack's places (district, zones, carriers, tracks), as the gazetteer of `districtlens.reading`."""

from __future__ import annotations

import json
from typing import Any

from districtlens.store.db import Store


def firm_names(store: Store) -> list[tuple[str, str | None, str | None, bool]]:
    """(uscc, name, English name, current) of every enterprise: its current names, and the
    names earlier versions carried (a renamed firm is still read under its former name)."""
    rows = store.con.execute(
        "SELECT uscc, name, name_en, true FROM enterprise_current"
        " UNION SELECT v.uscc, v.name, v.name_en, false FROM enterprise_version v"
        " JOIN enterprise_current c USING (uscc)"
        " WHERE v.name IS DISTINCT FROM c.name OR v.name_en IS DISTINCT FROM c.name_en"
    ).fetchall()
    return [(uscc, name, name_en, bool(current)) for uscc, name, name_en, current in rows]


def current_names(store: Store, usccs: list[str]) -> dict[str, str]:
    rows = store.con.execute("SELECT uscc, name FROM enterprise_current WHERE list_contains(?, uscc)", [usccs])
    return {uscc: name for uscc, name in rows.fetchall()}


def places(store: Store) -> list[dict[str, Any]]:
    """Every place a pack names: {kind, id, names (zh, en, fr), district, extra}. Kinds: district,
    zone, carrier (with its carrier kind and level), track (its keywords as further names)."""
    con = store.con
    out: list[dict[str, Any]] = []
    for pid, adcode, zh, en, fr in con.execute(
        "SELECT pack_id, district_adcode, name_zh, name_en, name_fr FROM district_pack"
    ).fetchall():
        out.append({"kind": "district", "id": adcode, "names": [zh, en, fr], "district": adcode, "pack": pid})
    for zid, adcode, zh, en, fr in con.execute(
        "SELECT zone_id, district_adcode, name_zh, name_en, name_fr FROM zone"
    ).fetchall():
        out.append({"kind": "zone", "id": zid, "names": [zh, en, fr], "district": adcode})
    for cid, adcode, zh, en, fr, kind, level in con.execute(
        "SELECT carrier_id, district_adcode, name_zh, name_en, name_fr, kind, level FROM carrier"
    ).fetchall():
        out.append(
            {
                "kind": "carrier",
                "id": cid,
                "names": [zh, en, fr],
                "district": adcode,
                "carrier_kind": kind,
                "level": level,
            }
        )
    for tid, zh, en, fr, keywords in con.execute(
        "SELECT track_id, name_zh, name_en, name_fr, keywords FROM track"
    ).fetchall():
        out.append({"kind": "track", "id": tid, "names": [zh, en, fr], "keywords": json.loads(keywords or "[]")})
    return out


def names_version(store: Store) -> tuple[str, int]:
    """What the gazetteer was read from: the store, and the latest write to the names and places
    it holds (not the ledger head: reading a text writes proposals, which changes no name)."""
    seq = store.con.execute(
        "SELECT max(s) FROM (SELECT max(ledger_seq) AS s FROM enterprise_version"
        " UNION ALL SELECT max(ledger_seq) FROM district_pack UNION ALL SELECT max(ledger_seq) FROM zone"
        " UNION ALL SELECT max(ledger_seq) FROM carrier UNION ALL SELECT max(ledger_seq) FROM track)"
    ).fetchone()
    return str(store.path), int(seq[0] or 0) if seq else 0
