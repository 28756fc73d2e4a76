"""Claims: the claims the store's packs hold, and each one checked on the current data."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from districtlens.claims import check
from districtlens.commands.base import Args, Context, command
from districtlens.store import claims as claim_store


class ListClaims(Args):
    pack: str | None = None  # only the claims of this pack


class ListedClaim(BaseModel):
    id: str
    pack_id: str
    quote: str
    quote_lang: str
    translations: dict[str, str]
    source: str
    source_date: str | None
    subject: str | None
    asserted: dict[str, Any] | None
    comparison: str | None


class ClaimList(BaseModel):
    claims: list[ListedClaim]


@command("claims.list", writes=False)
def list_claims(ctx: Context, args: ListClaims) -> ClaimList:
    """The claims held in the store (of one pack), in load order."""
    rows = claim_store.claims(ctx.store, args.pack)
    return ClaimList(claims=[ListedClaim(**{key: row[key] for key in ListedClaim.model_fields}) for row in rows])


class CheckClaims(Args):
    pack: str | None = None  # only the claims of this pack


class CheckedClaim(BaseModel):
    id: str
    kind: str  # figure, count, ranking, intent
    quote: str
    asserted: dict[str, Any] | None
    computed: Any
    status: str  # supported, contradicted, not computable, statement of intent
    evidence: Any  # what the value was computed from (keyed by year in places: not dict[str, ...]);
    # evidence["text"]: what the status rests on, in zh, en and fr


class ClaimChecks(BaseModel):
    claims: list[CheckedClaim]


@command("claims.check", writes=False)
def check_claims(ctx: Context, args: CheckClaims) -> ClaimChecks:
    """Every claim recomputed on the current data: supported, contradicted or not computable, with
    the computed value and the evidence; a statement of intent is labelled so. Refuses a pack
    whose query definitions are invalid."""
    return ClaimChecks(
        claims=[
            CheckedClaim(
                id=r.id,
                kind=r.kind,
                quote=r.quote,
                asserted=r.asserted,
                computed=r.computed,
                status=r.status,
                evidence=r.evidence,
            )
            for r in check(ctx.store, args.pack)
        ]
    )


class ReviewProposals(Args):
    status: str = "proposed"  # proposed, accepted, rejected, or all


class QueuedProposal(BaseModel):
    id: str
    document: str  # its name
    document_sha256: str  # of its text, which start and end refer to
    language: str
    quote: str
    start: int
    end: int
    figure: dict[str, Any]
    query: dict[str, Any] | None
    kind: str
    comparison: str
    status: str  # proposed, accepted, rejected
    claim_id: str | None


class ProposalQueue(BaseModel):
    proposals: list[QueuedProposal]


@command("claims.review", writes=False)
def review_proposals(ctx: Context, args: ReviewProposals) -> ProposalQueue:
    """The claims proposed from the texts read (`read`), waiting for a decision (or decided)."""
    from districtlens.store import proposals as proposal_store

    rows = proposal_store.proposals(ctx.store, None if args.status == "all" else args.status)
    return ProposalQueue(
        proposals=[
            QueuedProposal(
                id=r["proposal_id"],
                document=r["doc_name"],
                document_sha256=r["doc_sha256"],
                language=r["language"],
                quote=r["quote"],
                start=r["span_start"],
                end=r["span_end"],
                figure=r["figure"],
                query=r["query"],
                kind=r["kind"],
                comparison=r["comparison"],
                status=r["status"],
                claim_id=r["claim_id"],
            )
            for r in rows
        ]
    )


class DecideProposal(Args):
    id: str
    pack: str | None = None  # the pack the accepted claim joins (default: its district's)


class Decision(BaseModel):
    id: str
    decision: str  # accepted, rejected
    claim_id: str | None
    ledger_seq: int


@command("claims.accept", writes=True)
def accept_proposal(ctx: Context, args: DecideProposal) -> Decision:
    """Accept a proposed claim: it enters the claims register (one ledger entry with the
    decision), and `claims check` checks it from then on."""
    from districtlens.store import proposals as proposal_store

    found = proposal_store.proposal(ctx.store, args.id)
    pack_id = proposal_store.pack_of(ctx.store, found["district_adcode"], args.pack)
    figure = found["figure"]
    asserted = {"value": figure["value"], "unit": figure.get("unit")}
    asserted |= {k: figure[k] for k in ("of", "year", "period") if figure.get(k) is not None}
    claim = [
        found["proposal_id"],
        pack_id,
        found["quote"],
        found["language"],
        "{}",
        f"{found['doc_name']} (sha256 {found['doc_sha256'][:12]}, {found['span_start']}-{found['span_end']})",
        None,
        found["subject"],
        json.dumps(asserted, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        found["comparison"],
        json.dumps(found["query"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if found["query"]
        else None,
    ]
    entry = proposal_store.decide(ctx.store, args.id, "accepted", ctx.actor, claim)
    return Decision(id=args.id, decision="accepted", claim_id=args.id, ledger_seq=entry.seq)


@command("claims.reject", writes=True)
def reject_proposal(ctx: Context, args: DecideProposal) -> Decision:
    """Reject a proposed claim: the decision is recorded (a ledger entry); no claim is written."""
    from districtlens.store import proposals as proposal_store

    entry = proposal_store.decide(ctx.store, args.id, "rejected", ctx.actor)
    return Decision(id=args.id, decision="rejected", claim_id=None, ledger_seq=entry.seq)
