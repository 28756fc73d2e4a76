"""write_pack stores the pack in one ledgered transaction and refuses a second load."""

import json

import pytest

from districtlens.errors import StoreError
from districtlens.ingest.packs import load_pack, pack_rows
from districtlens.store import open_store
from districtlens.store.ledger import verify
from districtlens.store.packs import write_pack

TABLES = ("district_pack", "zone", "carrier", "track", "claim")


def _counts(store):
    return {t: store.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (*TABLES, "ledger", "source")}


def test_write_pack_then_refuse_the_second(tmp_path):
    pack = load_pack("jingan")
    with open_store(tmp_path / "store.duckdb") as store:
        entry = write_pack(store, pack_rows(pack), actor="test")
        assert entry.action == "pack.load"
        counts = _counts(store)
        assert counts["zone"] == len(pack.zones) and counts["claim"] == len(pack.claims)
        assert counts["carrier"] == len(pack.carriers) and counts["track"] == len(pack.tracks)
        assert entry.payload["counts"]["claim"] == len(pack.claims)
        assert verify(store.con).intact

        orientation = store.con.execute("SELECT orientation FROM zone WHERE zone_id = 'daning'").fetchone()[0]
        assert json.loads(orientation) == [
            "integrated-circuits",
            "digital-security",
            "smart-health",
        ]
        assert orientation == json.dumps(json.loads(orientation), separators=(",", ":"))
        quote, translations = store.con.execute(
            "SELECT quote, translations FROM claim WHERE claim_id = 'pharma-top50-in-district'"
        ).fetchone()
        assert "14 des 50" in quote and "14" in json.loads(translations)["zh"]

        with pytest.raises(StoreError, match="already loaded"):
            write_pack(store, pack_rows(pack), actor="test")
        assert _counts(store) == counts
        assert verify(store.con).intact


def test_tampering_with_a_pack_row_is_caught(tmp_path):
    with open_store(tmp_path / "store.duckdb") as store:
        write_pack(store, pack_rows(load_pack("jingan")), actor="test")
        store.con.execute("UPDATE carrier SET area_km2 = 9.99 WHERE carrier_id = 'shibei-hi-tech-park'")
        verdict = verify(store.con)
        assert not verdict.intact and "carrier" in verdict.problem
