"""Claims: the claims the store's packs hold, and each one checked on the current data."""

from __future__ import annotations

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
