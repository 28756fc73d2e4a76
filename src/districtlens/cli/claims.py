"""Claims: `districtlens claims list` and `districtlens claims check [--json]`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from districtlens.cli.app import app
from districtlens.cli.common import DbOption, JsonOption, language, out_console, run

if TYPE_CHECKING:
    from districtlens.commands.claims import ClaimChecks, ClaimList, Decision, ProposalQueue

claims_app = typer.Typer(help="Public claims and the data behind them.", no_args_is_help=True)
app.add_typer(claims_app, name="claims")

PackOption = Annotated[str | None, typer.Option("--pack", help="Only the claims of this pack.")]
STATUS_COLOURS = {
    "supported": "green",
    "contradicted": "red",
    "not computable": "yellow",
    "statement of intent": "blue",
}


def _asserted(asserted: dict[str, Any] | None) -> str:
    if not asserted or asserted.get("value") is None:
        return "—"
    unit = asserted.get("unit")
    return f"{asserted['value']} {unit}" if unit else str(asserted["value"])


@claims_app.command("list")
def list_claims(db: DbOption, pack: PackOption = None, as_json: JsonOption = False) -> None:
    """The claims held in the store: id, source, asserted figure and comparison."""
    from districtlens.commands import claims

    run(db, claims.list_claims, claims.ListClaims(pack=pack), as_json=as_json, render=_print_list)


def _print_list(listed: ClaimList) -> None:
    from rich.table import Table

    table = Table("id", "subject", "asserted", "comparison", "source date")
    for c in listed.claims:
        table.add_row(c.id, c.subject, _asserted(c.asserted), c.comparison, c.source_date or "")
    out_console.print(table)


@claims_app.command("check")
def check_claims(db: DbOption, pack: PackOption = None, as_json: JsonOption = False) -> None:
    """Recompute every claim on the current data: supported, contradicted or not computable, with
    its evidence; a statement of intent is labelled so."""
    from districtlens.commands import claims

    run(db, claims.check_claims, claims.CheckClaims(pack=pack), as_json=as_json, render=_print_checks)


def _print_checks(checks: ClaimChecks) -> None:
    from rich.table import Table

    lang = language()
    table = Table("id", "kind", "asserted", "computed", "status", "evidence")
    for c in checks.claims:
        computed = "—" if c.computed is None else str(c.computed)
        table.add_row(
            c.id,
            c.kind,
            _asserted(c.asserted),
            computed,
            f"[{STATUS_COLOURS[c.status]}]{c.status}[/]",
            (c.evidence.get("text") or {}).get(lang) or c.evidence.get("reason") or "",
        )
    out_console.print(table)
    counts = {status: sum(c.status == status for c in checks.claims) for status in STATUS_COLOURS}
    out_console.print(", ".join(f"{n} {status}" for status, n in counts.items()))


@claims_app.command("review")
def review(
    db: DbOption,
    status: Annotated[
        str, typer.Option("--status", help="proposed (default), accepted, rejected or all.")
    ] = "proposed",
    as_json: JsonOption = False,
) -> None:
    """The claims proposed from the texts read (`read FILE`), waiting for a decision."""
    from districtlens.commands import claims

    run(db, claims.review_proposals, claims.ReviewProposals(status=status), as_json=as_json, render=_print_queue)


def _print_queue(queue: ProposalQueue) -> None:
    from rich.table import Table

    from districtlens.i18n import t

    lang = language()
    table = Table(*(t(f"reading.col.{c}", lang) for c in ("claim", "kind", "figure", "query", "status", "quote")))
    for p in queue.proposals:
        query = (p.query or {}).get("kind", "—")
        table.add_row(p.id, p.kind, str(p.figure.get("text")), query, p.status, p.quote[:90])
    out_console.print(table)


ProposalArgument = Annotated[str, typer.Argument(help="A proposed claim's id (claims review).")]


@claims_app.command("accept")
def accept(proposal: ProposalArgument, db: DbOption, pack: PackOption = None, as_json: JsonOption = False) -> None:
    """Accept a proposed claim into the claims register (a ledger entry); `claims check` checks it."""
    from districtlens.commands import claims

    args = claims.DecideProposal(id=proposal, pack=pack)
    run(db, claims.accept_proposal, args, as_json=as_json, render=_print_decision)


@claims_app.command("reject")
def reject(proposal: ProposalArgument, db: DbOption, as_json: JsonOption = False) -> None:
    """Reject a proposed claim (the decision is a ledger entry; no claim is written)."""
    from districtlens.commands import claims

    run(db, claims.reject_proposal, claims.DecideProposal(id=proposal), as_json=as_json, render=_print_decision)


def _print_decision(decision: Decision) -> None:
    from districtlens.i18n import t

    out_console.print(
        t("claims.decided", language(), id=decision.id, decision=decision.decision, seq=decision.ledger_seq)
    )
