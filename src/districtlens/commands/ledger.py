"""The ledger: verify the chain and every row it vouches for, its head, its latest entries."""

from __future__ import annotations

from pydantic import Field

from districtlens.commands.base import Args, Context, command
from districtlens.store import ledger


class VerifyLedger(Args):
    pass


class LedgerHead(Args):
    pass


class LedgerLog(Args):
    limit: int = Field(default=20, ge=1)


@command("ledger.verify", writes=False)
def verify(ctx: Context, args: VerifyLedger) -> ledger.Verdict:
    """Check the hash chain, every row's hash and every entry's row digests; name the first break."""
    return ledger.verify(ctx.store.con)


@command("ledger.head", writes=False)
def head(ctx: Context, args: LedgerHead) -> str:
    """The latest entry's hash: the data snapshot a briefing cites."""
    return ledger.head(ctx.store.con)


@command("ledger.log", writes=False)
def log(ctx: Context, args: LedgerLog) -> list[ledger.Entry]:
    """The latest entries, newest first."""
    return ledger.entries(ctx.store.con, args.limit)
