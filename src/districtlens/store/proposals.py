"""The review queue of proposed claims: documents read, the claims proposed from them, and the
decisions on them. Writing proposals and deciding are ledgered writes, all or nothing; accepting
also writes the claim into the claims register (table `claim`), so that `claims check` checks it
and `ledger verify` vouches for it."""

from __future__ import annotations

import json
from typing import Any

from districtlens.errors import NotFound, UsageError
from districtlens.store import ledger
from districtlens.store.db import Store, records
from districtlens.store.packs import _insert as insert_hashed

READ_ACTION = "read.file"
DECIDE_ACTION = {"accepted": "claims.accept", "rejected": "claims.reject"}
PROPOSAL_COLUMNS = ledger.HASHED_TABLES["claim_proposal"][:-1]


def _json(value: Any) -> str | None:
    return None if value is None else ledger.canonical(value)


def write_read(
    store: Store, document: dict[str, Any], proposals: list[dict[str, Any]], actor: str
) -> tuple[int | None, list[str]]:
    """Record a document and the proposals it gave that the queue does not hold yet.
    Returns (the ledger seq of the write or None when nothing was new, the new proposal ids)."""
    con = store.con
    known = {r[0] for r in con.execute("SELECT proposal_id FROM claim_proposal").fetchall()}
    new = [p for p in proposals if p["proposal_id"] not in known]
    have_doc = con.execute("SELECT 1 FROM read_document WHERE doc_sha256 = ?", [document["doc_sha256"]]).fetchone()
    if not new and have_doc:
        return None, []
    with store.transaction() as tx:
        seq = ledger.next_seq(tx)
        if not have_doc:
            row = [document[c] for c in ("doc_sha256", "name", "format", "language", "text")]
            insert_hashed(tx, "read_document", [[*row, seq]])
        rows = [[_json(p[c]) if c in ("figure", "query") else p[c] for c in PROPOSAL_COLUMNS] + [seq] for p in new]
        insert_hashed(tx, "claim_proposal", rows)
        ledger.append(
            tx,
            seq,
            actor,
            READ_ACTION,
            {
                "document": document["doc_sha256"],
                "name": document["name"],
                "proposals": [p["proposal_id"] for p in new],
            },
        )
    return seq, [p["proposal_id"] for p in new]


def proposals(store: Store, status: str | None = "proposed") -> list[dict[str, Any]]:
    """The proposals (only those with `status`: proposed, accepted, rejected; None for all), oldest first."""
    rows = store.con.execute(
        "SELECT p.*, d.name AS doc_name, coalesce(x.decision, 'proposed') AS status, x.claim_id, x.decided_by"
        " FROM claim_proposal p JOIN read_document d USING (doc_sha256)"
        " LEFT JOIN claim_decision x USING (proposal_id) ORDER BY p.ledger_seq, p.span_start, p.proposal_id"
    )
    out = []
    for row in records(rows):
        row["figure"] = json.loads(row["figure"])
        row["query"] = json.loads(row["query"]) if row["query"] else None
        row.pop("row_hash")
        if status is None or row["status"] == status:
            out.append(row)
    return out


def proposal(store: Store, proposal_id: str) -> dict[str, Any]:
    for row in proposals(store, None):
        if row["proposal_id"] == proposal_id:
            return row
    raise NotFound("claims.no_proposal", id=proposal_id)


def pack_of(store: Store, adcode: str | None, pack_id: str | None) -> str:
    """The pack a proposal's claim joins: the one asked for, else the pack of its district, else
    the only pack loaded."""
    packs = store.con.execute("SELECT pack_id, district_adcode FROM district_pack ORDER BY ledger_seq").fetchall()
    if pack_id:
        if pack_id not in {p for p, _ in packs}:
            raise NotFound("claims.no_pack", pack=pack_id)
        return pack_id
    mine = [p for p, d in packs if d == adcode] or ([packs[0][0]] if len(packs) == 1 else [])
    if not mine:
        raise UsageError("claims.proposal_needs_pack", id=adcode or "")
    return mine[0]


def decide(store: Store, proposal_id: str, decision: str, actor: str, claim: list[Any] | None = None) -> ledger.Entry:
    """Record a decision; on acceptance, `claim` is the claim row (ledger.HASHED_TABLES["claim"]
    columns without ledger_seq) written with it, in the same ledger entry."""
    found = proposal(store, proposal_id)
    if found["status"] != "proposed":
        raise UsageError("claims.already_decided", id=proposal_id, status=found["status"])
    with store.transaction() as tx:
        seq = ledger.next_seq(tx)
        if claim is not None:
            insert_hashed(tx, "claim", [[*claim, seq]])
        claim_id = claim[0] if claim is not None else None
        insert_hashed(tx, "claim_decision", [[proposal_id, decision, claim_id, actor, seq]])
        return ledger.append(tx, seq, actor, DECIDE_ACTION[decision], {"proposal": proposal_id, "claim": claim_id})
