"""`read FILE --json`, the review queue, and a decision: accepting writes the claim into the
register as a ledger entry that `ledger verify` checks, and `claims check` checks the claim."""

from __future__ import annotations

import json

from tests.reading.conftest import DATA

KEYS = {"language", "firms", "places", "figures", "claims"}


def _json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_read_review_accept_reject(cli, reading_copy):
    db = ("--db", reading_copy)
    read = _json(cli("read", DATA / "jingan-review.en.txt", *db, "--json"))
    assert set(read) >= KEYS
    assert {"text", "start", "end", "uscc", "name", "confidence"} <= set(read["firms"][0])
    assert {"text", "kind", "id"} <= set(read["places"][0])
    assert {"text", "value", "unit", "year"} <= set(read["figures"][0])
    assert {"id", "language", "quote", "document", "start", "end", "figure", "query"} <= set(read["claims"][0])
    assert read["claims"][0]["document"] == read["document"]["sha256"]
    assert all(isinstance(f["value"], float | int) for f in read["figures"])
    assert all(c["new"] for c in read["claims"]) and read["ledger_seq"]

    again = _json(cli("read", DATA / "jingan-review.en.txt", *db, "--json"))
    assert again["ledger_seq"] is None and not any(c["new"] for c in again["claims"])  # queued once

    queue = _json(cli("claims", "review", *db, "--json"))["proposals"]
    assert {p["id"] for p in queue} == {c["id"] for c in read["claims"]}
    incubators = next(c for c in read["claims"] if (c["query"] or {}).get("carrier_kind") == "incubator")
    rejected = next(c for c in read["claims"] if c["id"] != incubators["id"])

    accepted = _json(cli("claims", "accept", incubators["id"], *db, "--json"))
    assert accepted["decision"] == "accepted" and accepted["claim_id"] == incubators["id"]
    assert _json(cli("claims", "reject", rejected["id"], *db, "--json"))["claim_id"] is None
    refused = cli("claims", "accept", incubators["id"], *db, "--json")
    assert refused.exit_code != 0 and "claims.already_decided" in refused.output

    log = _json(cli("ledger", "log", *db, "--json"))
    assert accepted["ledger_seq"] in {e["seq"] for e in (log if isinstance(log, list) else log["entries"])}
    assert _json(cli("ledger", "verify", *db, "--json"))["intact"]
    checked = {c["id"]: c for c in _json(cli("claims", "check", *db, "--json"))["claims"]}
    assert checked[incubators["id"]]["status"] in ("supported", "contradicted", "not computable")
    assert checked[incubators["id"]]["computed"] == 4  # the pack's four national incubators
    assert rejected["id"] not in checked
    left = _json(cli("claims", "review", *db, "--json"))["proposals"]
    assert {p["id"] for p in left} == {c["id"] for c in read["claims"]} - {incubators["id"], rejected["id"]}


def test_an_accepted_claim_edited_behind_the_ledger_is_caught(cli, reading_copy):
    from districtlens.store import open_store

    db = ("--db", reading_copy)
    read = _json(cli("read", DATA / "jingan-review.zh.txt", *db, "--json"))
    _json(cli("claims", "accept", read["claims"][0]["id"], *db, "--json"))
    with open_store(reading_copy) as store:
        store.con.execute("UPDATE claim SET quote = 'edited' WHERE claim_id = ?", [read["claims"][0]["id"]])
    verdict = cli("ledger", "verify", *db, "--json")
    assert not json.loads(verdict.output)["intact"]
