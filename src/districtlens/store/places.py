"""Places the store's packs define: functional zones, and the pack districts' names."""

from __future__ import annotations

from districtlens.areas import Zone
from districtlens.store.db import Store


def zones(store: Store) -> dict[str, Zone]:
    """Every zone of the store's packs, by id."""
    rows = store.con.execute(
        "SELECT zone_id, district_adcode, name_zh, name_en, name_fr FROM zone ORDER BY zone_id"
    ).fetchall()
    return {r[0]: Zone(r[0], r[1], {"zh": r[2], "en": r[3], "fr": r[4]}) for r in rows}


def district_names(store: Store) -> dict[str, dict[str, str | None]]:
    """The names of each pack's district in every language, by adcode."""
    rows = store.con.execute(
        "SELECT district_adcode, name_zh, name_en, name_fr FROM district_pack ORDER BY pack_id"
    ).fetchall()
    return {r[0]: {"zh": r[1], "en": r[2], "fr": r[3]} for r in rows}
