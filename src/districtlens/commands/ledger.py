"""The ledger: verify the chain and every row it vouches for, its head, its latest entries, and
signed checkpoints of it.

A checkpoint is (seq, head) signed with the Commission's Ed25519 key (the briefings' key,
briefing/signing.py) and kept outside the store. Whoever can write the store can rewrite the whole
ledger consistently (values, row hashes, digests and chain recomputed); they cannot make the entry
at a checkpoint's seq hash to what the checkpoint signed, so `verify` with it catches the rewrite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from districtlens.commands.base import Args, Context, command
from districtlens.errors import InputError
from districtlens.store import ledger

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

CHECKPOINT_KIND = "districtlens.ledger-checkpoint"


def action_label(action: str, lang: str) -> str:
    """What a ledger entry's action did, in `lang` (ledger.action.*: 'pools.import' is "candidate
    pool imported"); an action no catalog names (a store written by a later version) as it is."""
    from districtlens.i18n import has, t

    key = f"ledger.action.{action.replace(' ', '_')}"
    return t(key, lang) if has(key) else action


def problem_said(verdict: ledger.Verdict | dict[str, Any], lang: str) -> str:
    """A broken ledger's first break (`verify`'s problem key and values, or its JSON) in `lang`,
    the action of an altered entry said as `action_label` says it; "" for an intact ledger."""
    key, values = (
        (verdict.get("problem_key"), verdict.get("problem_values"))
        if isinstance(verdict, dict)
        else (verdict.problem_key, verdict.problem_values)
    )
    if key is None:
        return ""
    from districtlens.i18n import t

    said = dict(values or {})
    if "action" in said:
        said["action"] = action_label(said["action"], lang)
    return t(key, lang, **said)


class VerifyLedger(Args):
    """`checkpoint` (a signed checkpoint document) is checked with `public_key` (PEM) when given."""

    checkpoint: dict[str, Any] | None = None
    public_key: str | None = None


class LedgerHead(Args):
    pass


class LedgerLog(Args):
    limit: int = Field(default=20, ge=1)


class LedgerCheckpoint(Args):
    pass


class Checkpoint(BaseModel):
    seq: int
    head: str
    made_at: str


@command("ledger.verify", writes=False)
def verify(ctx: Context, args: VerifyLedger) -> ledger.Verdict:
    """Check the hash chain, every row's hash and every entry's row digests; name the first break.
    With a checkpoint, also that the entry at its seq still has the head it signed."""
    if args.checkpoint is None:
        return ledger.verify(ctx.store.con)
    seq, head = _signed_point(args.checkpoint, args.public_key)
    verdict = ledger.verify(ctx.store.con)
    if not verdict.intact:
        return verdict
    return ledger.against_checkpoint(ctx.store.con, verdict, seq, head)


def _signed_point(document: dict[str, Any], public_key: str | None) -> tuple[int, str]:
    """The (seq, head) a checkpoint signed, once its signature holds for the key given."""
    from districtlens.briefing import signing  # cryptography: only for checkpoints

    if public_key is None:
        raise InputError("ledger.checkpoint_needs_key")
    manifest = document.get("manifest")
    if not isinstance(manifest, dict) or manifest.get("kind") != CHECKPOINT_KIND:
        raise InputError("ledger.not_a_checkpoint")
    public = signing.public_from_pem(public_key.encode("ascii"), "public_key")
    canonical = ledger.canonical(manifest).encode("utf-8")
    if signing.check_block(document.get("signature"), canonical, public) != "valid":
        raise InputError("ledger.checkpoint_not_signed")
    seq, head = manifest.get("seq"), manifest.get("head")
    if not isinstance(seq, int) or not isinstance(head, str):
        raise InputError("ledger.not_a_checkpoint")
    return seq, head


@command("ledger.checkpoint", writes=False)
def checkpoint(ctx: Context, args: LedgerCheckpoint) -> Checkpoint:
    """The ledger's latest (seq, head), to be signed and kept outside the store (`checkpoint_document`)."""
    return Checkpoint(seq=ledger.last_seq(ctx.store.con), head=ledger.head(ctx.store.con), made_at=ledger.now_iso())


def checkpoint_document(point: Checkpoint, key: Ed25519PrivateKey) -> dict[str, Any]:
    """The checkpoint signed with the private key `key` (signed where the key is, in the CLI)."""
    from districtlens.briefing import signing

    manifest = {
        "kind": CHECKPOINT_KIND,
        "seq": point.seq,
        "head": point.head,
        "made_at": point.made_at,
        "key_fingerprint": signing.fingerprint(key.public_key()),
    }
    return {"manifest": manifest, "signature": signing.signature_block(ledger.canonical(manifest).encode("utf-8"), key)}


@command("ledger.head", writes=False)
def head(ctx: Context, args: LedgerHead) -> str:
    """The latest entry's hash: the data snapshot a briefing cites."""
    return ledger.head(ctx.store.con)


@command("ledger.log", writes=False)
def log(ctx: Context, args: LedgerLog) -> list[ledger.Entry]:
    """The latest entries, newest first."""
    return ledger.entries(ctx.store.con, args.limit)
